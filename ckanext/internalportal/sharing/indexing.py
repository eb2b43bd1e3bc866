"""What the search index keeps of a dataset, for the sharing rules. Pure.

- ``access_level``: a string field (CKAN's ``*`` dynamic field), for the search page's facet
  and ``fq=access_level:restricted``;
- a restricted dataset's resource URLs are not indexed: agents without its data read its
  metadata in search, and must not find (``q=res_url:…``, ``q=urls:…``) where the data is.
  The dataset dict kept in the index (``validated_data_dict``) still holds them: package_search
  strips them from its answer (access.hide_reserved_data).
"""
from __future__ import annotations

import json
from typing import Any

from ckanext.internalportal.sharing import rules

LEVEL_FIELD = "access_level"
URL_FIELDS = ("res_url", "urls", "download_url")


def level_of_index_dict(index_dict: dict[str, Any]) -> str | None:
    level = index_dict.get(LEVEL_FIELD) or index_dict.get(f"extras_{LEVEL_FIELD}")
    if not level:
        source = index_dict.get("validated_data_dict")
        if isinstance(source, str):
            try:
                level = json.loads(source).get(LEVEL_FIELD)
            except (ValueError, AttributeError):
                level = None
    return level.strip() if isinstance(level, str) and level.strip() else None


def before_index(index_dict: dict[str, Any]) -> dict[str, Any]:
    level = level_of_index_dict(index_dict)
    if level is None:
        return index_dict
    index_dict[LEVEL_FIELD] = level
    if rules.is_data_reserved(level):
        for field in URL_FIELDS:
            index_dict.pop(field, None)
    return index_dict
