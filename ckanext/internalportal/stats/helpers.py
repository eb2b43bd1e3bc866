"""Template helpers of internalportal_stats (``tk.blanket.helpers``: the names in ``__all__``)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.internalportal.stats import export

__all__ = ["internalportal_stats_table", "internalportal_stats_tables"]


def internalportal_stats_table(usage: dict[str, Any], name: str, kind: str) -> Any:
    """The rows of a statistics page's table (heading first), None when it is not shown."""
    return export.table(usage, name, kind)


def internalportal_stats_tables(kind: str) -> tuple[str, ...]:
    return export.TABLES.get(kind, ())
