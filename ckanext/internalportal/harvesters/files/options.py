"""A files source's JSON config: what it may say, and the settings of one file or folder.
Pure (no CKAN import).

    {"group_by": "file" | "folder",          one dataset per file (default) or per folder
     "include": ["*.csv", "stats/*"],        glob patterns on the relative path or the name
     "exclude": ["brouillons/*"],
     "recursive": true,                      walk subfolders (default)
     "max_malformed_rows": 0,                rows with more values than columns set aside
                                             before the file is refused (default 0)
     "encoding": "cp1252", "delimiter": ";", forced for every CSV (detected otherwise)
     "files": {"stats/ventes.csv": {...}},   per file (or folder) settings
     ...the keys every source shares (base.COMMON_KEYS)}

The settings of one file come, the later winning key by key, from: the source's config, the
folders' ``metadata.yaml``, the file's sidecar, the config's ``files`` entry (what the
administrator wrote wins over what lies on the share). ``personal_columns`` merge column by
column: a sidecar can add a personal column, not forget one the source declares.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ckanext.internalportal.harvesters import personal
from ckanext.internalportal.harvesters.files.scan import SIDECAR_KEYS, PathRefused, relative_path
from ckanext.internalportal.lib.i18n import N_

OWN_KEYS = ("group_by", "include", "exclude", "recursive", "max_malformed_rows", "encoding",
            "delimiter", "files")
GROUP_BY = ("file", "folder")

# sidecar spellings -> one name
ALIASES = {"license": "license_id", "licence": "license_id", "tags": "keywords"}


def problems(config: Mapping[str, Any], common_keys: Iterable[str], *, has_key: bool,
             translate=lambda s: s) -> list[str]:
    """What is wrong with a files source's config, as messages (``translate`` is ``tk._``).
    Empty: valid."""
    return [translate(msgid) % values if style == "%" else translate(msgid).format(**values)
            for msgid, values, style in _problems(config, tuple(common_keys), has_key)]


def _problems(config, common_keys, has_key) -> list[tuple[str, dict, str]]:
    """(msgid, values, "{" or "%"): personal.py's msgids use %-formatting."""
    known = set(common_keys) | set(OWN_KEYS)
    out: list = []
    unknown = sorted(k for k in config if k not in known)
    if unknown:
        out.append((N_("Unknown configuration keys: {keys} (known: {known})."),
                    {"keys": ", ".join(unknown), "known": ", ".join(sorted(known))}, "{"))
    if config.get("group_by", "file") not in GROUP_BY:
        out.append((N_("“group_by” must be “file” (one dataset per file) or “folder” (one "
                       "dataset per folder)."), {}, "{"))
    for name in ("include", "exclude"):
        out.extend(_patterns(name, config.get(name, [])))
    if not isinstance(config.get("recursive", True), bool):
        out.append((N_("“recursive” must be true or false."), {}, "{"))
    limit = config.get("max_malformed_rows", 0)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
        out.append((N_("“max_malformed_rows” must be a whole number, 0 or more."), {}, "{"))
    out.extend(_personal(config.get("personal_columns"), has_key))
    entries = config.get("files", {})
    if not isinstance(entries, Mapping):
        out.append((N_("“files” must be an object whose keys are the paths of files or "
                       "folders in the source folder."), {}, "{"))
        return out
    allowed = SIDECAR_KEYS | set(common_keys) | {"license_id", "max_malformed_rows"}
    for rel, entry in entries.items():
        try:
            relative_path(rel)
        except PathRefused as error:
            out.append((error.msgid, error.params, "{"))
            continue
        if not isinstance(entry, Mapping):
            out.append((N_("The settings of “{path}” in “files” must be an object."),
                        {"path": rel}, "{"))
            continue
        bad = sorted(k for k in entry if k not in allowed)
        if bad:
            out.append((N_("Unknown keys for “{path}” in “files”: {keys}."),
                        {"path": rel, "keys": ", ".join(bad)}, "{"))
        limit = entry.get("max_malformed_rows", 0)
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
            out.append((N_("“max_malformed_rows” must be a whole number, 0 or more."), {},
                        "{"))
        out.extend(_personal(entry.get("personal_columns"), has_key))
    return out


def _patterns(name: str, value: Any) -> list:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return [(N_("“{name}” must be a list of patterns, e.g. [\"*.csv\"]."), {"name": name},
                 "{")]
    out = []
    for pattern in value:
        try:
            relative_path(pattern)
        except PathRefused as error:
            out.append((error.msgid, error.params, "{"))
    return out


def _personal(actions: Any, has_key: bool) -> list:
    """personal.check's problems (its msgids are %-formatted)."""
    if actions is None:
        return []
    return [(msgid, values, "%") for msgid, values in personal.check(actions, has_key=has_key)]


def patterns(config: Mapping[str, Any], name: str) -> list[str]:
    value = config.get(name) or []
    return [value] if isinstance(value, str) else list(value)


def normalised(meta: Mapping[str, Any]) -> dict:
    """A sidecar's or entry's keys under one spelling (``licence`` -> ``license_id``)."""
    return {ALIASES.get(k, k): v for k, v in meta.items()}


def merge(*layers: Mapping[str, Any]) -> dict:
    """The settings of a file or folder, the later layers winning key by key, the personal
    columns and column descriptions merged column by column."""
    merged: dict = {}
    for layer in layers:
        for key, value in normalised(layer).items():
            if key in ("personal_columns", "columns") and isinstance(value, Mapping):
                combined = dict(merged.get(key) or {})
                combined.update(value)
                merged[key] = combined
            else:
                merged[key] = value
    return merged


def entry_of(config: Mapping[str, Any], rel: str) -> dict:
    """The config's ``files`` entry for a relative path (or a folder: "." for the top)."""
    entries = config.get("files") or {}
    for key in (rel, rel.rstrip("/") + "/", "./" + rel):
        if key in entries:
            return dict(entries[key])
    return {}
