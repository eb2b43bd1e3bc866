"""ckanext-harvest's actions that would tell of a dataset one may not see, chained when the
``harvest`` plugin is loaded (plugin.py).

``harvest_object_show`` answers anyone, with the harvested document itself (``content``: the
remote dataset's metadata, its resource URLs, a table's configuration): an object is shown to
those who manage its source (CKAN's rule for the source's jobs and reports) and, when it made a
dataset, to those who have that dataset's data; for anyone else it does not exist, and asking
by ``dataset_id`` answers « Dataset not found » exactly as for a dataset that does not exist.
"""
from __future__ import annotations

from typing import Any, Optional

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.internalportal.sharing import access


def _manages_source(context: Context, source_id: Optional[str]) -> bool:
    if not source_id:
        return False
    try:
        tk.check_access("harvest_source_update", dict(context), {"id": source_id})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False
    return True


def _may_read_object(context: Context, source_id: Optional[str],
                     pkg: Optional[model.Package]) -> bool:
    if context.get("ignore_auth") or _manages_source(context, source_id):
        return True
    if pkg is None or pkg.state != "active":
        return False
    return access.may_see(context, pkg) and access.may_read_data(context, pkg)


@tk.chained_action
@tk.side_effect_free
def harvest_object_show(original_action, context: Context, data_dict: DataDict):
    data: dict[str, Any] = data_dict if isinstance(data_dict, dict) else {}
    if data.get("dataset_id") and not data.get("id"):
        pkg = model.Package.get(str(data["dataset_id"]))
        if pkg is not None and not access.may_see(context, pkg):
            raise tk.ObjectNotFound(tk._("Dataset not found"))
    result = original_action(context, data_dict)
    package_id = result.get("package_id")
    pkg = model.Package.get(package_id) if package_id else None
    if not _may_read_object(context, result.get("source"), pkg):
        if data.get("dataset_id") and pkg is not None and not access.may_see(context, pkg):
            raise tk.ObjectNotFound(tk._("Dataset not found"))
        raise tk.ObjectNotFound(tk._("Harvest object not found"))
    return result
