"""The folder of a files source: where it may be, what it holds, what describes it. Pure (no
CKAN import).

Path safety is the point of this module. A source names a directory of a mounted share; the
harvester runs with the rights of the CKAN server, so a source must never make it read the
server's own files:

- the directory must lie under one of the declared roots (option
  ``ckanext.internalportal.files_harvester.allowed_roots``), symlinks and ``..`` resolved
  before comparing: ``/srv/partages/../../etc`` and a link to ``/etc`` are refused;
- inside it, every entry is resolved too: a symlink leading out of the directory is reported
  (a French error on that path in the job report) and never opened; a directory symlink that
  stays inside is not followed (what it points to is walked anyway, and loops are avoided);
- paths given in the config (patterns, per-file entries) are relative and free of ``..``;
- at import time the path is checked again before it is opened (the share may have changed
  between gather and import).

Sidecars describe the files: ``<name>.meta.yaml`` next to a file (``ventes.csv.meta.yaml`` or
``ventes.meta.yaml``) and ``metadata.yaml`` in a folder (inherited by its subfolders, the
nearest winning), each a mapping of the keys in :data:`SIDECAR_KEYS`.
"""
from __future__ import annotations

import fnmatch
import io
import os
import shutil
import stat
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlparse

import yaml

from ckanext.internalportal.lib.i18n import N_

KINDS = {".csv": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".json": "json",
         ".parquet": "parquet"}
FOLDER_SIDECARS = ("metadata.yaml", "metadata.yml")
SIDECAR_SUFFIXES = (".meta.yaml", ".meta.yml")

# what a sidecar may say; « licence » and « license », « keywords » and « tags » both read
SIDECAR_KEYS = frozenset({
    "title", "description", "keywords", "tags", "licence", "license", "access_level",
    "contact", "personal_columns", "theme", "frequency", "legal_basis", "dpo_email",
    "encoding", "delimiter", "columns",
})


class ScanError(Exception):
    """A French message (English ``msgid`` + ``params``) about the source or one path."""

    def __init__(self, msgid: str, **params: Any):
        super().__init__(msgid.format(**params))
        self.msgid = msgid
        self.params = params

    def text(self, translate=lambda s: s) -> str:
        return translate(self.msgid).format(**self.params)


class PathRefused(ScanError):
    """A path that leads out of the source's directory: never read."""


# ------------------------------------------------------------------ the source's directory

def directory_of(url: str) -> Path:
    """The directory a source's URL names: an absolute path or a ``file://`` URL."""
    text = (url or "").strip()
    if text.lower().startswith("file:"):
        parsed = urlparse(text)
        if parsed.netloc not in ("", "localhost"):
            raise ScanError(N_("“{url}” names another machine: mount the share on the server "
                               "and give its local path."), url=text)
        text = unquote(parsed.path)
    elif "://" in text:
        raise ScanError(N_("“{url}” is not a folder: give an absolute path "
                           "(/srv/partages/...) or a file:// URL."), url=text)
    if not text or not os.path.isabs(text):
        raise ScanError(N_("“{url}” is not an absolute path: give the full path of the folder "
                           "(/srv/partages/...)."), url=text)
    return Path(text)


def is_within(path: Path, root: Path) -> bool:
    """Whether ``path`` is ``root`` or inside it (both already resolved)."""
    return path == root or root in path.parents


def checked_root(url: str, allowed_roots: Sequence[str]) -> Path:
    """The source's directory, resolved, once it is known to be an existing, readable
    directory under one of the allowed roots. ScanError otherwise."""
    directory = directory_of(url)
    resolved = directory.resolve()
    roots = [Path(r).resolve() for r in allowed_roots if r.strip()]
    if not roots:
        raise ScanError(N_("No folder may be harvested on this server: an administrator must "
                           "list the allowed folders in the option "
                           "ckanext.internalportal.files_harvester.allowed_roots."))
    if not any(is_within(resolved, root) for root in roots):
        raise ScanError(N_("The folder “{path}” is outside the folders this server may "
                           "harvest ({roots}): choose a folder under one of them, or ask an "
                           "administrator to add it to the option "
                           "ckanext.internalportal.files_harvester.allowed_roots."),
                        path=str(directory), roots=", ".join(str(r) for r in roots))
    if not resolved.exists():
        raise ScanError(N_("The folder “{path}” does not exist (is the share mounted?)."),
                        path=str(directory))
    if not resolved.is_dir():
        raise ScanError(N_("“{path}” is not a folder."), path=str(directory))
    try:
        with os.scandir(resolved):
            pass
    except OSError:
        raise ScanError(N_("The folder “{path}” cannot be read by the portal's server "
                           "(permissions)."), path=str(directory)) from None
    return resolved


def relative_path(text: str) -> PurePosixPath:
    """A path given in a config or sidecar, as a relative POSIX path: refused when absolute or
    when it climbs (``..``)."""
    path = PurePosixPath(str(text).replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts:
        raise PathRefused(N_("“{path}” leads out of the source folder: give a path inside it, "
                             "without “..”."), path=str(text))
    return path


def safe_path(root: Path, rel: str) -> Path:
    """The file ``rel`` of the source's directory, resolved and checked to lie inside it
    (PathRefused otherwise): what import opens, never anything else."""
    relative_path(rel)
    candidate = root / rel
    resolved = candidate.resolve()
    if not is_within(resolved, root):
        raise PathRefused(N_("“{path}” leads out of the source folder (symbolic link to "
                             "“{target}”): it is not read."), path=rel, target=str(resolved))
    return resolved


_PROC_FD = Path("/proc/self/fd")


def open_inside(root: Path, rel: str):
    """The file ``rel`` opened for reading (binary), once it is known that what was opened is
    a regular file inside the folder: the path is checked (safe_path), then the opened file
    itself (``/proc/self/fd``), so that a link swapped in between the check and the opening
    is caught; a named pipe is refused without blocking."""
    path = safe_path(root, rel)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, flags)
    try:
        if _PROC_FD.is_dir():
            real = Path(os.readlink(_PROC_FD / str(fd)))
            if not is_within(real, root):
                raise PathRefused(N_("“{path}” leads out of the source folder (symbolic link "
                                     "to “{target}”): it is not read."),
                                  path=rel, target=str(real))
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ScanError(N_("“{path}” is not a regular file: it is not read."), path=rel)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def snapshot(root: Path, rel: str, dest: Path) -> Path:
    """A copy of the file ``rel`` at ``dest``, read through :func:`open_inside`: what is
    converted and stored is this copy, consistent even if the file is rewritten meanwhile."""
    with open_inside(root, rel) as source, open(dest, "wb") as out:
        shutil.copyfileobj(source, out, 1 << 20)
    return dest


# ------------------------------------------------------------------ walking

@dataclass
class Found:
    """One entry of the directory: a file to harvest (``kind``), or a path refused
    (``refused`` holds why; it is never opened)."""
    rel: str          # relative POSIX path: the stable guid
    kind: str | None = None
    size: int = 0
    mtime: float = 0.0
    refused: ScanError | None = None


def _matches(rel: str, patterns: Iterable[str]) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatchcase(rel, p) or fnmatch.fnmatchcase(name, p) for p in patterns)


def is_sidecar(name: str) -> bool:
    lower = name.lower()
    return lower in FOLDER_SIDECARS or lower.endswith(SIDECAR_SUFFIXES)


def walk(root: Path, *, include: Sequence[str] = (), exclude: Sequence[str] = (),
         recursive: bool = True) -> Iterator[Found]:
    """The harvestable files under ``root`` (resolved), in a stable order (each folder's
    files by name, then its subfolders), and the paths refused. Hidden entries (``.name``),
    Office lock files (``~$name``), sidecars and files of other types are skipped;
    ``include``/``exclude`` are glob patterns on the relative path or the name. A subfolder
    that cannot be read is reported as refused."""
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            if folder == root:
                raise
            rel = folder.relative_to(root).as_posix()
            yield Found(rel=rel, refused=ScanError(
                N_("The folder “{path}” cannot be read by the portal's server (permissions)."),
                path=rel))
            continue
        subfolders = []
        for entry in entries:
            if entry.name.startswith((".", "~$")) or is_sidecar(entry.name):
                continue
            path = Path(entry.path)
            rel = path.relative_to(root).as_posix()
            if not _is_utf8(rel):
                # a share mounted without iocharset=utf8: the name cannot be stored as a guid
                shown = rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
                yield Found(rel=shown, refused=ScanError(
                    N_("The name of “{path}” is not UTF-8 (a share mounted without "
                       "iocharset=utf8?): it is not read."), path=shown))
                continue
            if entry.is_symlink():
                target = path.resolve()
                if not is_within(target, root):
                    yield Found(rel=rel, refused=PathRefused(
                        N_("“{path}” leads out of the source folder (symbolic link to "
                           "“{target}”): it is not read."), path=rel, target=str(target)))
                    continue
                if target.is_dir():
                    continue  # inside: walked from its real place
            try:
                is_dir = entry.is_dir()
            except OSError:
                continue
            if is_dir:
                if recursive:
                    subfolders.append(path)
                continue
            kind = KINDS.get(path.suffix.lower())
            if kind is None:
                continue
            if include and not _matches(rel, include):
                continue
            if exclude and _matches(rel, exclude):
                continue
            try:
                stat = path.stat()
            except OSError:
                continue  # a broken link inside the folder: nothing to read
            yield Found(rel=rel, kind=kind, size=stat.st_size, mtime=stat.st_mtime)
        pending.extend(reversed(subfolders))


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def folder_of(rel: str) -> str:
    """The folder part of a relative path ("." for the source's directory itself)."""
    parent = PurePosixPath(rel).parent.as_posix()
    return parent or "."


# ------------------------------------------------------------------ sidecars

def read_sidecar(path: Path, root: Path) -> dict:
    """One sidecar as a mapping; ScanError (French, naming the file and the line) when it is
    not YAML, not a mapping, or holds keys nobody reads (a typo would otherwise be ignored
    without a word)."""
    rel = path.relative_to(root).as_posix() if is_within(path, root) else path.name
    try:
        with io.TextIOWrapper(open_inside(root, rel), encoding="utf-8-sig") as f:
            data = yaml.safe_load(f)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else "?"
        problem = getattr(error, "problem", None) or str(error)
        raise ScanError(N_("The metadata file “{file}” is not valid YAML (line {line}: "
                           "{problem})."), file=rel, line=line, problem=problem) from None
    except UnicodeDecodeError:
        raise ScanError(N_("The metadata file “{file}” is not UTF-8 text."), file=rel) from None
    except OSError as error:
        raise ScanError(N_("The metadata file “{file}” cannot be read: {error}"),
                        file=rel, error=error.strerror or error) from None
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise ScanError(N_("The metadata file “{file}” must hold keys and values (title: ..., "
                           "description: ...)."), file=rel)
    unknown = sorted(str(k) for k in data if k not in SIDECAR_KEYS)
    if unknown:
        raise ScanError(N_("The metadata file “{file}” has unknown keys: {keys} (known: "
                           "{known})."), file=rel, keys=", ".join(unknown),
                        known=", ".join(sorted(SIDECAR_KEYS)))
    return dict(data)


def _safe_sidecar(path: Path, root: Path) -> Path | None:
    """The sidecar's path when it exists inside the folder (a link out is refused)."""
    if not path.exists() and not path.is_symlink():
        return None
    resolved = path.resolve()
    if not is_within(resolved, root):
        raise PathRefused(N_("“{path}” leads out of the source folder (symbolic link to "
                             "“{target}”): it is not read."),
                          path=path.relative_to(root).as_posix(), target=str(resolved))
    return resolved if resolved.is_file() else None


def folder_metadata(root: Path, folder: str) -> dict:
    """The ``metadata.yaml`` of ``folder`` and of its parents up to the source's directory,
    merged (the nearest wins key by key)."""
    merged: dict = {}
    parts = [] if folder in ("", ".") else list(PurePosixPath(folder).parts)
    for depth in range(len(parts) + 1):
        directory = root.joinpath(*parts[:depth])
        for name in FOLDER_SIDECARS:
            sidecar = _safe_sidecar(directory / name, root)
            if sidecar is not None:
                merged.update(read_sidecar(sidecar, root))
                break
    return merged


def file_metadata(root: Path, rel: str) -> dict:
    """The sidecar of one file (``<name>.meta.yaml``, else ``<stem>.meta.yaml``), or {}."""
    path = root / rel
    for base in (path.name, path.stem):
        for suffix in SIDECAR_SUFFIXES:
            sidecar = _safe_sidecar(path.with_name(base + suffix), root)
            if sidecar is not None:
                return read_sidecar(sidecar, root)
    return {}


def metadata_for(root: Path, rel: str) -> dict:
    """What the sidecars say of one file: its folders' ``metadata.yaml``, then its own."""
    merged = folder_metadata(root, folder_of(rel))
    merged.update(file_metadata(root, rel))
    return merged
