"""Template helpers of internalportal_stats (``tk.blanket.helpers``: the names in ``__all__``)."""
from __future__ import annotations

import datetime
import json
import logging
import time
from typing import Any, Optional

import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib.search import SearchError

from ckanext.internalportal.lib.context import current_user_context
from ckanext.internalportal.stats import events, export
from ckanext.internalportal.stats import model as stats_model

log = logging.getLogger(__name__)

__all__ = ["internalportal_stats_table", "internalportal_stats_tables",
           "internalportal_stats_table_links", "internalportal_stats_chart",
           "internalportal_stats_most_used"]

MOST_USED_DAYS = 30
MOST_USED_CANDIDATES = 20  # the most used ids asked of the search (some the visitor may not see)


def internalportal_stats_table(usage: dict[str, Any], name: str, kind: str) -> Any:
    """The rows of a statistics page's table (heading first), None when it is not shown."""
    return export.table(usage, name, kind)


def internalportal_stats_tables(kind: str) -> tuple[str, ...]:
    return export.TABLES.get(kind, ())


def internalportal_stats_table_links(usage: dict[str, Any], name: str,
                                     kind: str) -> list[Optional[str]]:
    """The link of each row of a table of datasets (``datasets``, ``never_used``: the
    dataset's page; None for a deleted one), in the rows' order; [] for the other tables."""
    if name not in ("datasets", "never_used"):
        return []
    return [None if item.get("state") == "deleted"
            else tk.h.url_for("dataset.read", id=item["name"])
            for item in export.items(usage, name, kind) or []]


def internalportal_stats_chart(usage: dict[str, Any]) -> dict[str, Any]:
    """The attributes of DSFR Chart's ``<line-chart>`` for the usage's series: one line per
    kind of use (views, downloads, API calls; search appearances, of another scale, are in the
    table only), as JSON strings."""
    series = usage.get("series") or []
    shown = ("views", "downloads", "api_calls")
    names = [tk._("Views"), tk._("Downloads"), tk._("API calls")]
    values = [[point.get(total, 0) for point in series] for total in shown]
    dates = [point["date"] for point in series]
    return {"x": json.dumps([dates] * len(shown)), "y": json.dumps(values),
            "name": json.dumps(names, ensure_ascii=False)}


_most_used_cache: dict[tuple[int, int], tuple[float, list[str]]] = {}
MOST_USED_TTL = 300.0  # seconds the process keeps the list (it changes at each rollup only)


def _most_used_ids(days: int, limit: int) -> list[str]:
    """The ids of the datasets most viewed, downloaded and called over the last ``days`` days
    (UTC), most used first: one query on the daily table, kept ``MOST_USED_TTL`` seconds by
    the process (the home page is the most asked; the query reads a month of figures)."""
    now = time.monotonic()
    cached = _most_used_cache.get((days, limit))
    if cached and cached[0] > now:
        return cached[1]
    ids = _query_most_used_ids(days, limit)
    if ids:  # nothing used yet: asked again, so that the first use shows at once
        _most_used_cache[(days, limit)] = (now + MOST_USED_TTL, ids)
    return ids


def _query_most_used_ids(days: int, limit: int) -> list[str]:
    daily = stats_model.daily_table
    since = (events.utcnow() - datetime.timedelta(days=days - 1)).date()
    total = sa.func.sum(daily.c["count"])
    statement = (sa.select(daily.c.package_id)
                 .where(daily.c.day >= since, daily.c.event != "search")
                 .group_by(daily.c.package_id)
                 .order_by(total.desc(), daily.c.package_id)
                 .limit(limit))
    return list(model.Session.execute(statement).scalars())


def internalportal_stats_most_used(rows: int = 6, days: int = MOST_USED_DAYS) -> list[dict]:
    """The home page's « most used datasets »: the datasets most used over the last ``days``
    days that the visitor may see, most used first, at most ``rows``, as ``package_search``
    gives them to the visitor (never ``ignore_auth``: a dataset they may not see is not
    there). [] when nothing was used, or when the index or the database does not answer."""
    try:
        ids = _most_used_ids(days, MOST_USED_CANDIDATES)
    except sa.exc.SQLAlchemyError:
        model.Session.rollback()
        log.exception("The most used datasets could not be read")
        return []
    if not ids:
        return []
    context = current_user_context()
    # one search: the ids as a query, each boosted by its rank, so that Solr's score keeps the
    # usage order and the first ``rows`` it returns are the most used the visitor may see
    # (the usage itself is never put in the index)
    data_dict = {"q": " OR ".join(f'id:"{package_id}"^{len(ids) - position}'
                                  for position, package_id in enumerate(ids)),
                 "fq": f"+dataset_type:{tk.h.default_package_type()}",
                 "sort": "score desc", "rows": rows, "include_private": True}
    try:
        result = tk.get_action("package_search")(context, data_dict)
    except (SearchError, tk.ValidationError, tk.NotAuthorized):
        log.exception("The home page's most used datasets could not be searched")
        return []
    rank = {package_id: position for position, package_id in enumerate(ids)}
    found = sorted(result.get("results") or [], key=lambda pkg: rank.get(pkg["id"], len(ids)))
    return found[:rows]
