"""Template helpers of internalportal_sharing (``tk.blanket.helpers``: the names in
``__all__``): what the current user may do with a dataset, for the templates to show or hide a
button (the rules themselves are enforced by the auth functions, never by templates), and the
access level's label from its vocabulary (``schemas/vocabularies/access-level.yaml``).

``access_level_facet`` and ``label_access_level_facet`` are the plugin's ``IFacets`` and
``after_dataset_search`` pieces: the search page's access-level facet, its items labelled."""
from __future__ import annotations

import datetime
from typing import Any, Optional

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.internalportal.lib.access import level_concept
from ckanext.internalportal.lib.i18n import current_language
from ckanext.internalportal.sharing import access, received

__all__ = [
    "internalportal_may_read_data",
    "internalportal_may_share",
    "internalportal_may_request_access",
    "internalportal_pending_access_request",
    "internalportal_access_level",
    "internalportal_access_level_label",
    "internalportal_share_last_day",
    "internalportal_shared_with_me",
]

# the index field of the access level (indexing.py) and of its facet
FACET_FIELD = "access_level"


_context = access.current_user_context


def internalportal_may_read_data(pkg_dict: dict[str, Any]) -> bool:
    pkg = model.Package.get(pkg_dict.get("id") or "")
    return pkg is not None and access.may_read_data(_context(), pkg)


def internalportal_may_share(pkg_dict: dict[str, Any]) -> bool:
    pkg = model.Package.get(pkg_dict.get("id") or "")
    return pkg is not None and access.may_grant(_context()["user"], pkg)


def internalportal_may_request_access(pkg_dict: dict[str, Any]) -> bool:
    """Whether to offer « Demander l'accès »: a signed-in reader of a restricted dataset's
    metadata who may not have its data (``dataset_access_request_create`` decides)."""
    if tk.current_user.is_anonymous:
        return False
    pkg = model.Package.get(pkg_dict.get("id") or "")
    return (pkg is not None and access.level_of(pkg) == "restricted"
            and not access.may_read_data(_context(), pkg))


def internalportal_pending_access_request(pkg_dict: dict[str, Any]) -> Optional[dict]:
    """The pending access request of the current user or of their organisations for the
    dataset, if any (``access_request_list_mine``)."""
    if tk.current_user.is_anonymous or not pkg_dict.get("id"):
        return None
    try:
        requests = tk.get_action("access_request_list_mine")(_context(), {"state": "pending"})
    except tk.NotAuthorized:
        return None
    return next((r for r in requests
                 if r.get("package") and r["package"]["id"] == pkg_dict["id"]), None)


def internalportal_access_level(pkg_dict: dict[str, Any]) -> Optional[str]:
    """The dataset dict's access level, if it has one of the vocabulary."""
    level = pkg_dict.get("access_level") if isinstance(pkg_dict, dict) else None
    concept = level_concept(level)
    return concept.code if concept else None


def internalportal_access_level_label(level: Any, short: bool = False) -> str:
    """The label of an access level in the current language (the vocabulary's); ``short``:
    its head, without the explanation in brackets (« Restreint »), for badges and facets."""
    concept = level_concept(level)
    if concept is None:
        return level if isinstance(level, str) else ""
    label = concept.label(current_language())
    return label.split(" (", 1)[0] if short else label


def internalportal_share_last_day(share: dict[str, Any]) -> str:
    """The last day a share works, as a date in the current language: a share « through D »
    ends at the midnight after D (logic/validators.py ``parse_expiry``)."""
    expires = share.get("expires") if isinstance(share, dict) else None
    if not expires:
        return ""
    try:
        moment = datetime.datetime.fromisoformat(expires)
    except (TypeError, ValueError):
        return ""
    last_day = (moment - datetime.timedelta(microseconds=1)).date()
    # noon: the same day in any display time zone of Europe
    return tk.h.render_datetime(datetime.datetime.combine(last_day, datetime.time(12)))


def internalportal_shared_with_me(limit: int = 6) -> list[dict[str, Any]]:
    """The home page's « Partagés avec mon organisation »: the datasets last shared with the
    current user's organisations, ``[{package, share}]`` (``package`` as ``package_search``
    gives it to the user, ``share`` as ``organization_shared_datasets_list``), at most
    ``limit``, each dataset once; empty for an anonymous visitor. Every action runs as the
    user (received.py, as for the page ``shared_with_me`` of views.py)."""
    if tk.current_user.is_anonymous:
        return []
    try:
        return received.latest(limit)
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return []


# ------------------------------------------------------------------ the search facet
def access_level_facet(facets_dict: dict[str, Any]) -> dict[str, Any]:
    """``IFacets``: the access-level facet, after CKAN's own."""
    facets_dict[FACET_FIELD] = tk._("Access level")
    return facets_dict


def label_access_level_facet(search_results: dict[str, Any]) -> dict[str, Any]:
    """``after_dataset_search``: the access-level facet's items show the vocabulary's label,
    not the code (the facet links keep the code)."""
    facet = (search_results.get("search_facets") or {}).get(FACET_FIELD)
    for item in (facet or {}).get("items") or []:
        item["display_name"] = internalportal_access_level_label(item.get("name"), short=True)
    return search_results
