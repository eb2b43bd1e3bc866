"""files_harvester: the CSV, XLSX, JSON and Parquet files of a shared folder as datasets.

The three steps base.PortalHarvester asks for, put together from the pieces of this package:
scan.py (where the folder may be, what it holds, its sidecars: path safety), options.py (the
source's config and the settings of one file), convert.py (a file as stored resources, through
readers.py) and dataset.py (settings as dataset fields).

A dataset per file (guid: its path relative to the source folder), or per folder with
``{"group_by": "folder"}`` (guid: the folder's relative path, "." for the top), one resource
per file or sheet. A path leading out of the folder is an item of its own whose import is a
French error: it shows in the job report, and is never opened.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath

import ckan.plugins.toolkit as tk

from ckanext.internalportal.harvesters import base, fields, personal
from ckanext.internalportal.harvesters.base import (Built, Item, ObjectError, PortalHarvester,
                                                    Progress, SourceError, SourceInfo)
from ckanext.internalportal.harvesters.files import convert, dataset, options, scan
from ckanext.internalportal.harvesters.files.readers import ReadError
from ckanext.internalportal.harvesters.files.scan import ScanError
from ckanext.internalportal.lib.i18n import N_

OPT_ALLOWED_ROOTS = "ckanext.internalportal.files_harvester.allowed_roots"


def allowed_roots() -> list[str]:
    return tk.aslist(tk.config.get(OPT_ALLOWED_ROOTS) or "")


def _text(error: ScanError | ReadError) -> str:
    return error.text(tk._)


class FilesHarvester(PortalHarvester):
    NAME = "files"
    TITLE = N_("Shared folder (CSV, Excel, JSON, Parquet files)")
    DESCRIPTION = N_("The CSV, Excel (XLSX), JSON and Parquet files of a folder on a network "
                     "share mounted on the portal's server, one dataset per file or per "
                     "folder, described by optional metadata.yaml files.")
    LOCAL = True

    # ----------------------------------------------------------------- source saved
    def check_source(self, url: str, config: dict) -> dict:
        errors: dict[str, list[str]] = {}
        try:
            scan.checked_root(url, allowed_roots())
        except ScanError as error:
            errors["url"] = [_text(error)]
        problems = options.problems(config, base.COMMON_KEYS,
                                    has_key=base.hmac_key() is not None, translate=tk._)
        problems += [tk._(msgid) % values for msgid, values in fields.problems(
            base.entry_settings(config, {}))]
        if problems:
            errors["config"] = problems
        if errors:
            raise tk.ValidationError(errors)
        return config

    # ----------------------------------------------------------------- gather
    def list_items(self, source: SourceInfo, progress: Progress) -> Iterable[Item]:
        root = self._root(source)
        config = source.config
        try:
            found = list(scan.walk(root, include=options.patterns(config, "include"),
                                   exclude=options.patterns(config, "exclude"),
                                   recursive=config.get("recursive", True)))
        except OSError as error:
            raise SourceError(tk._("The folder “{path}” cannot be read: {error}").format(
                path=source.url, error=error.strerror or error)) from None
        if not found and _is_empty(root) and base.datasets_of_source(source.id):
            # an unmounted share is an empty mount point: withdrawing every dataset would be
            # wrong, and what a folder really emptied needs is rare enough to say so
            raise SourceError(tk._(
                "The folder “{path}” is empty (is the share mounted?): the datasets harvested "
                "from it are left as they are.").format(path=source.url))
        refused = [f for f in found if f.refused is not None]
        files = [f for f in found if f.refused is None]
        progress.beat(tk._("{count} files found").format(count=len(files)))
        for entry in refused:
            yield Item(entry.rel, {"refused": {"msgid": entry.refused.msgid,
                                               "params": entry.refused.params}})
        if config.get("group_by") == "folder":
            yield from _folder_items(files)
        else:
            for entry in files:
                yield Item(entry.rel, {"kind": entry.kind, "size": entry.size})

    def _root(self, source: SourceInfo) -> Path:
        try:
            return scan.checked_root(source.url, allowed_roots())
        except ScanError as error:
            raise SourceError(_text(error)) from None

    # ----------------------------------------------------------------- import
    def build(self, source: SourceInfo, item: Item, workdir: Path, progress: Progress) -> Built:
        root = self._root(source)
        refused = item.content.get("refused")
        if refused:
            message = refused["msgid"]  # a msgid of scan.py, kept on the harvest object
            raise ObjectError(tk._(message).format(**refused["params"]))
        try:
            if "files" in item.content:
                return self._folder(source, root, item, workdir, progress)
            return self._file(source, root, item, workdir, progress)
        except (ScanError, ReadError) as error:
            raise ObjectError(_text(error)) from None

    def _settings(self, source: SourceInfo, *layers: dict) -> dict:
        config = source.config
        own = {k: config[k] for k in ("encoding", "delimiter", "max_malformed_rows")
               if k in config}
        return options.merge(base.entry_settings(config, {}), own, *layers)

    def _file(self, source, root, item, workdir, progress) -> Built:
        rel = item.guid
        settings = self._settings(source, scan.metadata_for(root, rel),
                                  options.entry_of(source.config, rel))
        name = PurePosixPath(rel).name
        converted = self._convert(root, rel, item.content["kind"], settings, workdir,
                                  name=name, key="", description="", progress=progress)
        return Built(dataset=dataset.fields(
            settings, default_title=dataset.humanised(name),
            provenance=tk._("Harvested from the file “{path}” of the source “{source}”.")
            .format(path=rel, source=source.title),
            personal_columns=converted.personal), resources=converted.resources)

    def _folder(self, source, root, item, workdir, progress) -> Built:
        folder = item.guid
        if folder != ".":
            scan.safe_path(root, folder)
        settings = self._settings(source, scan.folder_metadata(root, folder),
                                  options.entry_of(source.config, folder))
        resources, personal = [], {}
        for rel, kind in item.content["files"]:
            own = options.merge(scan.file_metadata(root, rel),
                                options.entry_of(source.config, rel))
            # the file's own title and description name its resource, not the dataset
            file_settings = options.merge(settings, {k: v for k, v in own.items()
                                                     if k not in ("title", "description")})
            name = PurePosixPath(rel).name
            converted = self._convert(root, rel, kind, file_settings, workdir,
                                      name=str(own.get("title") or name), key=name,
                                      description=str(own.get("description") or ""),
                                      progress=progress)
            resources.extend(converted.resources)
            personal.update(converted.personal)
        title = source.title if folder == "." else dataset.humanised(PurePosixPath(folder).name)
        return Built(dataset=dataset.fields(
            settings, default_title=title,
            provenance=tk._("Harvested from the folder “{path}” of the source “{source}”.")
            .format(path=folder, source=source.title),
            personal_columns=personal), resources=resources)

    def _convert(self, root: Path, rel: str, kind: str, settings: dict, workdir: Path, *,
                 name: str, key: str, description: str, progress: Progress
                 ) -> convert.Converted:
        actions = settings.get("personal_columns") or {}
        problems = personal.check(actions, has_key=base.hmac_key() is not None)
        if problems:
            # an unknown action would leave the column as it is: refused, never stored raw
            raise ObjectError(tk._("The personal columns of “{path}” cannot be applied: "
                                   "{problems}").format(path=rel, problems=" ".join(
                                       tk._(msgid) % values for msgid, values in problems)))
        if not (root / rel).exists():
            raise ObjectError(tk._("The file “{path}” is no longer in the folder: it will be "
                                   "marked as withdrawn at the next harvest.").format(path=rel))
        try:
            # what is read is a copy made through a checked file descriptor (scan.py), under
            # its own name (the messages name the file)
            folder = workdir / f"source-{len(list(workdir.iterdir()))}"
            folder.mkdir()
            copy = scan.snapshot(root, rel, folder / PurePosixPath(rel).name)
            converted = convert.convert(copy, kind, convert.Settings(
                name=name, key=key, description=description,
                personal_columns=actions,
                columns=settings.get("columns") or {},
                encoding=settings.get("encoding"), delimiter=settings.get("delimiter"),
                max_malformed_rows=int(settings.get("max_malformed_rows") or 0)),
                workdir, key=base.hmac_key(), translate=tk._)
        except OSError as error:
            raise ObjectError(tk._("The file “{path}” cannot be read: {error}").format(
                path=rel, error=error.strerror or error)) from None
        progress.add(files=1, rows=converted.rows)
        return converted


def _folder_items(files: list[scan.Found]) -> Iterator[Item]:
    folders: dict[str, list[list[str]]] = {}
    for entry in files:
        folders.setdefault(scan.folder_of(entry.rel), []).append([entry.rel, entry.kind])
    for folder, entries in folders.items():
        yield Item(folder, {"files": entries})


def _is_empty(root: Path) -> bool:
    with os.scandir(root) as entries:
        return next(entries, None) is None
