"""The metadata quality score: pure functions over a dataset dict.

- ``fields``: the one accessor (top level, then extras) and small readers;
- ``freshness``: tolerances per EU update frequency, ``is_stale(frequency, last, now)``;
- ``checks``: the weighted checks, the score, the average of a search facet;
- ``index``: the score in the search index (``before_dataset_index``);
- ``helpers``: the template helpers (the only module that imports CKAN).

The action ``dataset_quality_show`` lives in ``logic/action.py``.
"""
from .checks import CHECKS, average_from_counts, dataset_score, evaluate, quality_report, score
from .index import INDEX_FIELD, add_score

__all__ = ["CHECKS", "INDEX_FIELD", "add_score", "average_from_counts", "dataset_score",
           "evaluate", "quality_report", "score"]
