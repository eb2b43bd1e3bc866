"""Personal data at harvest time (GDPR): what happens to a column the source declares personal.

Pure: the SQL and files harvesters pass their rows through :func:`apply` before anything is
written, so the raw values never reach CKAN's storage. The actions, per column:

- ``drop``: the column is removed;
- ``hash``: the value becomes a keyed HMAC-SHA256 (hex): the same value gives the same hash in
  every table of every source sharing the key, so joins still work, but nobody without the key
  can recompute it from a guess (a plain hash of a social-security number can be);
- ``generalise``: a date becomes its month (``YYYY-MM``), a French postcode its département
  (``75011`` -> ``75``, ``97411`` -> ``974``, ``20090`` -> ``2A``), anything else is emptied
  (never kept as it was).

A dataset whose personal columns are all dropped holds no personal data; one with a hashed or
generalised column holds pseudonymised data (CNIL: a keyed hash is pseudonymisation, not
anonymisation).
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from ckanext.internalportal.lib.i18n import N_

ACTIONS = ("drop", "hash", "generalise")
_POSTCODE = re.compile(r"^\s*(\d{5})\s*$")
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})(-\d{2})?([ T].*)?$")
_FR_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})(\s.*)?$")


class PersonalDataError(ValueError):
    """A personal-column declaration that cannot be applied (French message via N_)."""


def check(actions: Any, *, has_key: bool) -> list[tuple[str, dict]]:
    """The problems of a ``personal_columns`` declaration: (English msgid, values) pairs, the
    caller shows ``tk._(msgid) % values``. Empty: valid."""
    problems: list[tuple[str, dict]] = []
    if not isinstance(actions, Mapping):
        return [(N_("“personal_columns” must be an object: {\"column\": \"drop\" | \"hash\" "
                    "| \"generalise\"}."), {})]
    for column, action in actions.items():
        if action not in ACTIONS:
            problems.append((N_("Unknown action “%(action)s” for the personal column "
                                "“%(column)s”: use drop, hash or generalise."),
                             {"action": action, "column": column}))
        elif action == "hash" and not has_key:
            problems.append((N_("The personal column “%(column)s” is to be hashed, but no "
                                "key is set: set ckanext.internalportal.harvest.hmac_key."),
                             {"column": column, "action": action}))
    return problems


def personal_data_level(actions: Mapping[str, str] | None) -> str:
    """The dataset's ``personal_data`` code once ``actions`` are applied."""
    if not actions:
        return "none"
    if all(action == "drop" for action in actions.values()):
        return "none"
    return "pseudonymised"


def hash_value(value: Any, key: bytes) -> Any:
    if value is None or value == "":
        return value
    return hmac.new(key, str(value).strip().encode("utf-8"), hashlib.sha256).hexdigest()


def departement(postcode: str) -> str:
    """The département of a French postcode (Corse: 2A below 20200, 2B from it; overseas: 3
    digits)."""
    if postcode.startswith("97") or postcode.startswith("98"):
        return postcode[:3]
    if postcode.startswith("20"):
        return "2A" if int(postcode) < 20200 else "2B"
    return postcode[:2]


def generalise_value(value: Any) -> Any:
    if value is None or value == "":
        return value
    if isinstance(value, _dt.datetime | _dt.date):
        return f"{value.year:04d}-{value.month:02d}"
    text = str(value)
    match = _POSTCODE.match(text)
    if match:
        return departement(match.group(1))
    match = _ISO_DATE.match(text)
    if match:
        return f"{match.group(1)}-{match.group(2)}"
    match = _FR_DATE.match(text)
    if match:
        return f"{match.group(3)}-{int(match.group(2)):02d}"
    return ""


def apply(columns: Sequence[str], rows: Iterable[Sequence[Any]],
          actions: Mapping[str, str] | None, key: bytes | None = None
          ) -> tuple[list[str], Iterator[list[Any]]]:
    """The columns once personal ones are dropped, and the rows (lazily) with the actions
    applied. Columns named in ``actions`` but absent are ignored here (the harvester reports
    them when the source is saved)."""
    actions = dict(actions or {})
    if any(a == "hash" for a in actions.values()) and not key:
        raise PersonalDataError(N_("A personal column is to be hashed, but no key is set: set "
                                   "ckanext.internalportal.harvest.hmac_key."))
    plan = []  # (index, transform or None)
    kept = []
    for index, column in enumerate(columns):
        action = actions.get(column)
        if action == "drop":
            continue
        kept.append(column)
        if action == "hash":
            plan.append((index, lambda v: hash_value(v, key)))
        elif action == "generalise":
            plan.append((index, generalise_value))
        else:
            plan.append((index, None))

    def transformed() -> Iterator[list[Any]]:
        for row in rows:
            yield [row[i] if fn is None else fn(row[i]) for i, fn in plan]

    if not actions:
        return list(columns), (list(row) for row in rows)
    return kept, transformed()
