"""The datasets' themes (the schema's ``theme``: EU data themes, vocabulary ``data-theme``) as a
search facet and filter, for the search page and the home page's themes.

CKAN indexes ``theme`` (a list of URIs) as one string, the JSON list, in its single-valued
``*`` dynamic field: no facet or filter can use it. ``vocab_theme`` (CKAN's multi-valued
``vocab_*`` string field of the Solr schema) holds each URI: its facet counts the datasets of
each theme, and ``fq=vocab_theme:"<URI>"`` (the search page's ``?vocab_theme=<URI>``) filters
by one. The facet's items are labelled from the vocabulary in the page's language (their
``name``, in the links, stays the URI). A dataset indexed before this field existed has no
``vocab_theme`` until ``ckan search-index rebuild``.
"""
from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.internalportal.lib.i18n import current_language
from ckanext.internalportal.lib.values import json_list
from ckanext.internalportal.schemas import vocabularies

FIELD = "vocab_theme"
VOCABULARY = "data-theme"


def themes_of_index_dict(index_dict: dict[str, Any]) -> list[str]:
    """The theme values of a dataset about to be indexed (the validated dict's, else the
    ``theme`` CKAN put in the index dict), without blanks or duplicates."""
    themes = None
    source = index_dict.get("validated_data_dict")
    if isinstance(source, str):
        try:
            themes = json_list(json.loads(source).get("theme"))
        except (ValueError, AttributeError):
            themes = None
    if themes is None:
        themes = json_list(index_dict.get("theme") or index_dict.get("extras_theme"))
    values = [t.strip() for t in themes or [] if isinstance(t, str) and t.strip()]
    return list(dict.fromkeys(values))


def add_themes(index_dict: dict[str, Any]) -> dict[str, Any]:
    """For ``IPackageController.before_dataset_index``: ``vocab_theme``, one value per theme."""
    themes = themes_of_index_dict(index_dict)
    if themes:
        index_dict[FIELD] = themes
    return index_dict


def label_facet(search_results: dict[str, Any]) -> dict[str, Any]:
    """For ``after_dataset_search``: the theme facet's items show the vocabulary's label."""
    facet = (search_results.get("search_facets") or {}).get(FIELD)
    items = (facet or {}).get("items") or []
    lang = current_language() if items else None
    for item in items:
        item["display_name"] = vocabularies.label(VOCABULARY, item.get("name"), lang) \
            or item.get("display_name") or item.get("name")
    return search_results


def add_facet(facets_dict: dict[str, Any]) -> dict[str, Any]:
    """For ``IFacets``: the themes, right after the organisations (else first)."""
    title = tk._("Themes")
    if FIELD in facets_dict:
        return facets_dict
    items = list(facets_dict.items())
    at = next((i + 1 for i, (key, _) in enumerate(items) if key == "organization"), 0)
    items.insert(at, (FIELD, title))
    facets_dict.clear()
    facets_dict.update(items)
    return facets_dict
