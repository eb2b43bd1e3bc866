"""Incremental harvests (``incremental_column``): where the last harvest stopped. Pure.

The watermark is the greatest value of the column already harvested, kept on the resource
(``harvest_watermark``, JSON with its Python type, so that the next run compares a date with a
date and a number with a number). The next run asks only for the rows whose column is
greater, ordered by it, appends them to the stored CSV, and moves the watermark to the last
value read: the database's own order (collation, NULLs first or last) decides what
"greatest" means, never Python's.

What an incremental column cannot see: a row changed in place, a row deleted, a row arriving
later with a value equal to or below the watermark. Choose a column that only grows (an
identity, a creation timestamp); a change of columns makes the next run a full one.
"""
from __future__ import annotations

import datetime as _dt
import decimal
import json
from collections.abc import Sequence
from typing import Any, Optional

_DECODERS = {
    "int": int,
    "float": float,
    "decimal": decimal.Decimal,
    "str": str,
    "datetime": _dt.datetime.fromisoformat,
    "date": _dt.date.fromisoformat,
    "time": _dt.time.fromisoformat,
}


def encode(column: str, value: Any) -> Optional[str]:
    """The watermark as stored on the resource (None: nothing to keep)."""
    if value is None:
        return None
    if isinstance(value, bool):
        kind = "int"
        value = int(value)
    elif isinstance(value, int):
        kind = "int"
    elif isinstance(value, float):
        kind = "float"
    elif isinstance(value, decimal.Decimal):
        kind = "decimal"
    elif isinstance(value, _dt.datetime):
        kind = "datetime"
    elif isinstance(value, _dt.date):
        kind = "date"
    elif isinstance(value, _dt.time):
        kind = "time"
    elif isinstance(value, str):
        kind = "str"
    else:  # bytes, UUIDs...: compared as their text
        kind, value = "str", str(value)
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return json.dumps({"column": column, "type": kind, "value": text}, ensure_ascii=False)


def decode(stored: Any, column: str) -> Optional[Any]:
    """The watermark kept for ``column`` (None when absent, unreadable, or kept for another
    column: then the harvest is a full one)."""
    if not isinstance(stored, str) or not stored:
        return None
    try:
        data = json.loads(stored)
        if data.get("column") != column:
            return None
        return _DECODERS[data["type"]](data["value"])
    except (ValueError, KeyError, TypeError, AttributeError, decimal.InvalidOperation):
        return None


def last_value(rows: Sequence[Sequence[Any]], index: int) -> Optional[Any]:
    """The last non-null value of column ``index`` in ``rows`` (ordered by that column)."""
    for row in reversed(rows):
        value = row[index]
        if value is not None:
            return value
    return None
