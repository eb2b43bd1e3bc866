"""The statistics pages' tables, as rows (pure): the CSV exports and the tables shown beside
the charts give the same columns, in the same order, with the same French headings."""
from __future__ import annotations

import csv
import io
from typing import Any, Optional

import ckan.plugins.toolkit as tk

from ckanext.internalportal.stats import events

# the tables each page offers
TABLES = {
    "dataset": ("series", "consumers", "resources"),
    "organization": ("series", "consumers", "datasets"),
    "site": ("series", "consumers", "datasets", "never_used"),
}


def total_headings() -> list[str]:
    return [tk._("Views"), tk._("Downloads"), tk._("API calls"), tk._("Search appearances")]


def _values(item: dict) -> list[int]:
    return [item.get(total, 0) for total in events.TOTALS]


# where each table's items are in the answer of each page's action (the others: ``series``,
# ``never_used``); a key missing from the answer is a table the reader may not see
ITEMS = {
    ("dataset", "consumers"): "by_consumer",
    ("dataset", "resources"): "by_resource",
    ("organization", "consumers"): "by_consumer",
    ("organization", "datasets"): "by_dataset",
    ("site", "consumers"): "top_consumers",
    ("site", "datasets"): "top_datasets",
}


def items(usage: dict[str, Any], name: str, kind: str) -> Optional[list[dict]]:
    """The items (points, consumers, resources, datasets) of the table ``name`` of a page of
    ``kind``; None for a table the page does not have, or that the reader may not see."""
    if name not in TABLES.get(kind, ()):
        return None
    if name == "series":
        return usage.get("series", [])
    if name == "never_used":
        return (usage.get("never_used") or {}).get("datasets", [])
    return usage.get(ITEMS[(kind, name)])


def table(usage: dict[str, Any], name: str, kind: str) -> Optional[list[list[Any]]]:
    """The rows (heading first) of the table ``name`` of a page of ``kind`` showing ``usage``
    (an action's answer); None for a table the page does not have, or that the reader may
    not see (``by_consumer`` is not in the answer)."""
    found = items(usage, name, kind)
    if found is None:
        return None
    if name == "series":
        return [[tk._("Period")] + total_headings()] + [
            [point["date"]] + _values(point) for point in found]
    if name == "consumers":
        return [[tk._("Consumer"), tk._("Identifier")] + total_headings()] + [
            [item["title"], item["name"]] + _values(item) for item in found]
    if name == "resources":
        return [[tk._("Resource"), tk._("Identifier")] + total_headings()] + [
            [item["name"], item["id"]] + _values(item) for item in found]
    if name == "datasets":
        return [[tk._("Dataset"), tk._("Identifier")] + total_headings()] + [
            [item["title"], item["name"]] + _values(item) for item in found]
    return [[tk._("Dataset"), tk._("Identifier"), tk._("Created")]] + [
        [item["title"], item["name"], (item.get("created") or "")[:10]] for item in found]


def to_csv(rows: list[list[Any]]) -> str:
    """Rows as CSV for a French spreadsheet: « ; » between fields, CRLF (the views add the
    UTF-8 BOM)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerows(rows)
    return out.getvalue()
