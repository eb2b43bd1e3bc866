"""Template helpers of the internalportal plugin (those in ``__all__``, through
``@tk.blanket.helpers``), including the ``choices_helper``s of the dataset schema's pickers."""
from __future__ import annotations

import logging
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.search import SearchError

from ckanext.internalportal.lib import audience, licences, theme_facet
from ckanext.internalportal.lib.i18n import current_language
from ckanext.internalportal.quality.helpers import (internalportal_dataset_quality,
                                                    internalportal_organization_quality)
from ckanext.internalportal.schemas import vocabularies
from ckanext.internalportal.theme import helpers as theme_helpers
from ckanext.internalportal.theme.helpers import *  # noqa: F401,F403 (the DSFR theme's helpers)

# what @tk.blanket.helpers registers (explicit, since two helpers live with the quality score)
__all__ = [
    "internalportal_site_intro",
    "internalportal_vocabulary_choices",
    "internalportal_license_choices",
    "internalportal_dataset_quality",
    "internalportal_organization_quality",
    "internalportal_displayed_fields",
    "internalportal_data_dictionary",
    "internalportal_harvest_progress",
    "internalportal_home_search",
] + theme_helpers.__all__

log = logging.getLogger(__name__)


def internalportal_site_intro() -> str:
    """The home page introduction (Markdown), from `ckanext.internalportal.site_intro`."""
    return tk.config.get("ckanext.internalportal.site_intro") or ""


def internalportal_vocabulary_choices(field: dict[str, Any]) -> list[dict[str, str]]:
    """scheming ``choices_helper``: the options of the field's ``vocabulary`` (value: what the
    field stores, see ``vocabulary_value``), labelled in the current language."""
    return vocabularies.choices(field["vocabulary"], current_language(),
                                field.get("vocabulary_value", "value"))


def internalportal_license_choices(field: dict[str, Any]) -> list[dict[str, str]]:
    """scheming ``choices_helper``: the portal's licences (id → title), for a resource."""
    return [{"value": licence_id, "label": title}
            for title, licence_id in licences.licence_choices()]


def internalportal_displayed_fields(fields: list[dict[str, Any]],
                                    data: dict[str, Any]) -> list[dict[str, Any]]:
    """The schema fields (or subfields) the dataset page shows for ``data`` to the current
    reader: not the signed-in-only ones for an anonymous reader, not the empty ones
    (lib/audience.py)."""
    return audience.displayed_fields(fields, data)


def internalportal_data_dictionary(value: Any) -> list[dict[str, Any]]:
    """The columns of a harvested resource's data dictionary (harvesters/tabular.py)."""
    from ckanext.internalportal.harvesters.tabular import read_data_dictionary
    return [c for c in read_data_dictionary(value) if isinstance(c, dict)]


def internalportal_harvest_progress(job_id: str) -> dict[str, Any]:
    """A harvest job's progress and heartbeat (harvesters/base.py ``Progress``), for the job
    page; empty when the job ran before progress was recorded."""
    from ckanext.internalportal.harvesters.base import progress_of
    return progress_of(job_id)


def internalportal_home_search(rows: int = 6) -> dict[str, Any]:
    """The home page's search, as the visitor: ``package_search`` with the current user's
    context (never ``ignore_auth``), so it lists only what they may see. ``results``: the
    ``rows`` datasets modified last; ``count``: all they may see; ``themes``: the theme facet's
    items that have datasets (``{name: URI, display_name, count}``, most datasets first)."""
    user = tk.current_user
    signed_in = not user.is_anonymous
    context = {"user": user.name if signed_in else None,
               "auth_user_obj": user if signed_in else None}
    # the datasets of the site's type only, as the search page: not the harvest sources
    data_dict = {"q": "*:*", "fq": f"+dataset_type:{tk.h.default_package_type()}",
                 "rows": rows, "sort": "metadata_modified desc",
                 "include_private": True, "facet.field": [theme_facet.FIELD],
                 "facet.limit": -1}
    try:
        result = tk.get_action("package_search")(context, data_dict)
    except (SearchError, tk.ValidationError, tk.NotAuthorized):
        # the index down must not take the home page down: it shows no dataset
        log.exception("The home page's search failed")
        return {"count": 0, "results": [], "themes": []}
    themes = (result.get("search_facets") or {}).get(theme_facet.FIELD, {}).get("items") or []
    return {"count": result.get("count", 0), "results": result.get("results") or [],
            "themes": sorted(themes, key=lambda item: -item.get("count", 0))}
