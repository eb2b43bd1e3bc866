"""The score in the search index, so that users can sort and facet datasets by it. Pure.

CKAN's Solr schema (2.12) has no integer field or ``*_i`` dynamic field an extension may use:
an unknown field falls to ``<dynamicField name="*" type="string">``. The score is therefore
indexed as a zero-padded three-digit string (``"007"``, ``"045"``, ``"100"``) whose
alphabetical order is the numeric order, so ``sort=quality_score desc``, facets and range
filters (``fq=quality_score:[050 TO 100]``) behave as on an integer. Declaring the field as an
integer in the Solr schema (``<field name="quality_score" type="pint" indexed="true"
stored="true" docValues="true"/>``) needs no change here: Solr reads "045" as 45.

The score is computed when the dataset is indexed; ``frequency_respected`` depends on the date,
so a dataset becomes stale in the index only at its next reindexing
(``ckan search-index rebuild``, e.g. nightly).
"""
from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from .checks import dataset_score

log = logging.getLogger(__name__)

INDEX_FIELD = "quality_score"


def index_value(score: int) -> str:
    """The indexed form of a score: ``45`` -> ``"045"``."""
    return f"{int(score):03d}"


def add_score(index_dict: dict[str, Any], now: datetime | None = None) -> dict[str, Any]:
    """For ``IPackageController.before_dataset_index``: ``index_dict`` with its score.

    The score is computed on the dataset as the API shows it (``validated_data_dict``, after
    the scheming schema), as ``dataset_quality_show`` does.
    """
    try:
        source = index_dict.get("validated_data_dict") or index_dict.get("data_dict")
        pkg = json.loads(source) if isinstance(source, str) else index_dict
        index_dict[INDEX_FIELD] = index_value(dataset_score(pkg, now))
    except Exception:  # a scoring bug must never stop a dataset from being saved
        log.exception("No quality score indexed for dataset %s", index_dict.get("id"))
    return index_dict
