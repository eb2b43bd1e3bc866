"""Template helpers of the quality score (the web side; the score itself is pure).

Registered through ``helpers.py``'s ``__all__``.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from .checks import average_from_counts, quality_report
from .index import INDEX_FIELD


def internalportal_dataset_quality(pkg: dict[str, Any]) -> dict[str, Any]:
    """The quality report of a dataset the page already shows (hints in the page's language):
    ``{"score", "checks": [{"name", "passed", "weight", "hint"}], "failed": [...]}``."""
    report = quality_report(pkg, translate=tk._)
    report["failed"] = [check for check in report["checks"] if not check["passed"]]
    return report


def internalportal_organization_quality(org_id: str) -> dict[str, Any]:
    """The average score of the organisation's datasets that the current user can see:
    ``{"average": int or None, "count": number of scored datasets}``.

    One search, no rows: the counts per score of the ``quality_score`` facet.
    """
    result = tk.get_action("package_search")(
        {"user": tk.current_user.name},
        {"fq": f'owner_org:"{org_id}"', "rows": 0, "include_private": True,
         "facet.field": [INDEX_FIELD], "facet.limit": -1, "facet.mincount": 1})
    counts = result.get("facets", {}).get(INDEX_FIELD, {})
    return {"average": average_from_counts(counts), "count": sum(counts.values())}
