"""What is shared with the current user's organisations, as the user may see it: the whole
page « Partagés avec mon organisation » (views.py) and the home page's last few
(helpers.py). Every action runs as the user, so the datasets are those ``package_search``
gives them."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.internalportal.sharing import access

# at most this many datasets in one search of a page
MAX_LISTED = 1000


def _action(name: str, data_dict: dict[str, Any]) -> Any:
    return tk.get_action(name)(access.current_user_context(), data_dict)


def by_organisation() -> list[dict[str, Any]]:
    """``[{organization, rows}]``: each organisation the user reads, with what is shared with
    it (``organization_shared_datasets_list``'s rows: ``{dataset, share}``)."""
    return [{"organization": org,
             "rows": _action("organization_shared_datasets_list", {"id": org["id"]})}
            for org in _action("organization_list_for_user", {"permission": "read"})]


def datasets_by_id(ids: list[str]) -> dict[str, dict[str, Any]]:
    """The full dataset dicts (as the search gives them to the user) of ``ids``."""
    if not ids:
        return {}
    fq = "id:(" + " OR ".join(f'"{i}"' for i in ids[:MAX_LISTED]) + ")"
    result = _action("package_search", {"fq": fq, "rows": min(len(ids), MAX_LISTED),
                                        "include_private": True})
    return {pkg["id"]: pkg for pkg in result["results"]}


def with_datasets(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``[{package, share}]`` for the ``rows`` whose dataset the user finds."""
    found = datasets_by_id([row["dataset"]["id"] for row in rows])
    return [{"package": found[row["dataset"]["id"]], "share": row["share"]}
            for row in rows if row["dataset"]["id"] in found]


def latest(limit: int) -> list[dict[str, Any]]:
    """The datasets last shared with any of the user's organisations, each once, at most
    ``limit``, newest share first: ``[{package, share}]``."""
    rows = [row for section in by_organisation() for row in section["rows"]]
    rows.sort(key=lambda row: row["share"].get("created") or "", reverse=True)
    first: dict[str, dict[str, Any]] = {}
    for row in rows:
        first.setdefault(row["dataset"]["id"], row)
        if len(first) == limit:
            break
    return with_datasets(list(first.values()))
