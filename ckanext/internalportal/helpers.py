"""Template helpers of the internalportal plugin (those in ``__all__``, through
``@tk.blanket.helpers``), including the ``choices_helper``s of the dataset schema's pickers."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.internalportal.lib import audience, licences
from ckanext.internalportal.quality.helpers import (internalportal_dataset_quality,
                                                    internalportal_organization_quality)
from ckanext.internalportal.schemas import vocabularies

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
]

DEFAULT_LANGUAGE = "fr"


def internalportal_site_intro() -> str:
    """The home page introduction (Markdown), from `ckanext.internalportal.site_intro`."""
    return tk.config.get("ckanext.internalportal.site_intro") or ""


def internalportal_vocabulary_choices(field: dict[str, Any]) -> list[dict[str, str]]:
    """scheming ``choices_helper``: the options of the field's ``vocabulary`` (value: what the
    field stores, see ``vocabulary_value``), labelled in the current language."""
    return vocabularies.choices(field["vocabulary"], _current_language(),
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


def _current_language() -> str:
    """The request's language; the site's default (French) outside a request."""
    try:
        lang = tk.h.lang()
    except (RuntimeError, TypeError, AttributeError):  # no request (CLI, validation in a job)
        lang = None
    return lang or tk.config.get("ckan.locale_default") or DEFAULT_LANGUAGE


def internalportal_data_dictionary(value: Any) -> list[dict[str, Any]]:
    """The columns of a harvested resource's data dictionary (harvesters/tabular.py)."""
    from ckanext.internalportal.harvesters.tabular import read_data_dictionary
    return [c for c in read_data_dictionary(value) if isinstance(c, dict)]


def internalportal_harvest_progress(job_id: str) -> dict[str, Any]:
    """A harvest job's progress and heartbeat (harvesters/base.py ``Progress``), for the job
    page; empty when the job ran before progress was recorded."""
    from ckanext.internalportal.harvesters.base import progress_of
    return progress_of(job_id)
