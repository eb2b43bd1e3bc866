"""Harvested tables into CKAN's DataStore: the rows of a built resource that carries its
``table`` (the SQL harvester's: the columns' types from the database, never guessed from the
CSV) are loaded into the resource's DataStore table once the dataset is saved, when the
``datastore`` plugin is loaded; without it, nothing happens. A value a column's type refuses
loads the table as text (``load``).

A table is loaded afresh each time its file changed (the file holds every row, incremental
harvests included: they append to it), and once for a table harvested before the DataStore
was enabled. A load that fails even as text is an object error of the harvest, in French; the
dataset and its file are saved already.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.internalportal.harvesters import tabular

log = logging.getLogger(__name__)


def _enabled() -> bool:
    return p.plugin_loaded("datastore")


def _by_key(package: dict) -> dict[str, dict]:
    from ckanext.internalportal.harvesters.base import R_KEY
    return {r.get(R_KEY): r for r in package.get("resources") or [] if r.get(R_KEY)}


def load(resource_id: str, path: Path, fields: list[dict],
         context: Callable[[], dict]) -> int:
    """The rows of the CSV ``path`` as the DataStore table of ``resource_id`` (replaced),
    under ``fields``; the number of rows. Values a column's type refuses (a database that
    holds « pas une date » in a date column, as SQLite may) load the table as text instead:
    nothing the file holds is left out of the API."""
    try:
        return _load(resource_id, path, fields, context)
    except tk.ValidationError as error:
        log.warning("DataStore : la table %s est chargée en texte, une valeur refuse le type "
                    "de sa colonne (%s)", resource_id, error.error_dict)
    as_text = [{"id": f["id"], "type": "text"} for f in fields]
    return _load(resource_id, path, as_text, context)


def _load(resource_id: str, path: Path, fields: list[dict],
          context: Callable[[], dict]) -> int:
    from ckanext.internalportal.harvesters.base import ObjectError
    try:
        try:
            tk.get_action("datastore_delete")(context(), {"resource_id": resource_id,
                                                          "force": True})
        except tk.ObjectNotFound:
            pass
        tk.get_action("datastore_create")(context(), {
            "resource_id": resource_id, "force": True, "fields": fields, "records": []})
        rows = 0
        for records in tabular.csv_records(path):
            tk.get_action("datastore_upsert")(context(), {
                "resource_id": resource_id, "force": True, "method": "insert",
                "records": records})
            rows += len(records)
    except tk.ValidationError:
        if any(f["type"] != "text" for f in fields):
            raise  # typed: load() tries again as text
        raise ObjectError(tk._("The rows could not be loaded into the DataStore (the data "
                               "API of the resource).")) from None
    log.info("DataStore : %d ligne(s) chargée(s) dans la table %s", rows, resource_id)
    return rows


def load_changed(built, saved: dict, files: dict[str, Path],
                 context: Callable[[], dict]) -> None:
    """After a save: the tables whose file changed (``files``: resource id -> stored file)."""
    if not _enabled():
        return
    stored = _by_key(saved)
    for res in built.resources:
        target = stored.get(res.key)
        if res.table and target and target["id"] in files:
            load(target["id"], files[target["id"]], res.table, context)


def load_missing(built, package: dict, context: Callable[[], dict]) -> None:
    """An unchanged dataset: the tables that are not in the DataStore yet."""
    if not _enabled():
        return
    from ckanext.internalportal.harvesters.base import _storage_path
    stored = _by_key(package)
    for res in built.resources:
        target = stored.get(res.key)
        if res.table and target and not target.get("datastore_active"):
            path = _storage_path(target["id"])
            if path.is_file():
                load(target["id"], path, res.table, context)
