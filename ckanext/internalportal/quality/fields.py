"""Reading a dataset dict defensively: one accessor for every field the checks look at.

Pure (no CKAN import). A field is read from the top level first, then from ``extras``: the
portal's own datasets carry the DCAT-AP fields at the top level (scheming schema), but a dataset
harvested from a CKAN without this schema (``ckan_harvester``) carries them as extras
(``frequency: "ANNUAL"``, ``themes`` as a JSON list of codes), and should be scored the same.
Emptiness, e-mail addresses and JSON decoding follow the suite's one rule (``lib.values``).
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any, Mapping

from ckanext.internalportal.lib.values import decoded as _decoded
from ckanext.internalportal.lib.values import is_email, is_empty

__all__ = ["field", "as_list", "is_email", "is_empty", "parse_date"]


def field(pkg: Mapping[str, Any], *names: str) -> Any:
    """The first non-empty value among ``names``, each read at the top level then in extras.

    ``field(pkg, "theme", "themes")`` finds ``pkg["theme"]`` (DCAT-AP 3 schema) as well as an
    extra ``themes`` holding a JSON list. Returns None when every name is missing or empty.
    """
    extras: dict[str, Any] = {}
    for extra in pkg.get("extras") or []:
        if isinstance(extra, Mapping) and extra.get("key"):
            extras.setdefault(extra["key"], extra.get("value"))
    for name in names:
        for value in (pkg.get(name), extras.get(name)):
            value = _decoded(value)
            if not is_empty(value):
                return value
    return None


def as_list(value: Any) -> list[Any]:
    """A value as a list: None is [], a scalar is [scalar]; empty items dropped."""
    if value is None:
        return []
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    return [item for item in items if not is_empty(item)]


def parse_date(value: Any) -> datetime | None:
    """An ISO 8601 date or datetime (also ``YYYY`` and ``YYYY-MM``, as ckanext-dcat accepts) as
    a naive UTC datetime; None when missing or unreadable. A partial date is its first day."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        if re.fullmatch(r"\d{4}", text):
            text += "-01-01"
        elif re.fullmatch(r"\d{4}-\d{2}", text):
            text += "-01"
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            return None
    else:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return parsed
