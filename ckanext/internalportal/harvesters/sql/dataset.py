"""A table or query as the fields of its dataset and the data dictionary of its CSV: from the
source's config first, then from the database's own comments. Pure (``translate`` is
``tk._`` in the harvester, the identity in tests).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ckanext.internalportal.harvesters import fields, personal
from ckanext.internalportal.harvesters.sql.config import Entry
from ckanext.internalportal.harvesters.sql.reader import Relation
from ckanext.internalportal.lib.i18n import N_

TITLE_FROM_COMMENT_MAX = 120
# the common keys' fields and checks: harvesters/fields.py (one rule for the three harvesters)
vocabulary_problems = fields.problems


def humanise(name: str) -> str:
    """``etat_civil`` -> ``Etat civil``: a readable title when nothing better is known."""
    text = name.replace("_", " ").replace("-", " ").strip()
    text = " ".join(text.split())
    return text[:1].upper() + text[1:] if text else name


def title_of(entry: Entry, relation: Relation) -> str:
    """The config's title, else the table's comment when it is one short line, else its
    name made readable."""
    if entry.options.get("title"):
        return entry.options["title"].strip()
    comment = (relation.comment or "").strip()
    if comment and "\n" not in comment and len(comment) <= TITLE_FROM_COMMENT_MAX:
        return comment.rstrip(".")
    return humanise(entry.name)


def notes_of(entry: Entry, relation: Relation, database: str,
             translate: Callable[[str], str] = lambda s: s) -> str:
    """The config's description, else the table's comment; then where the data come from,
    naming the table or query (a search for the table's name finds the dataset)."""
    described = (entry.options.get("description") or relation.comment or "").strip()
    if entry.kind == "query":
        origin = translate(N_("Data of the query “%(query)s” on the database “%(database)s”, "
                              "harvested by the portal.")) % {"query": entry.name,
                                                              "database": database}
    else:
        table = f"{entry.schema}.{entry.name}" if entry.schema else entry.name
        origin = translate(N_("Data of the table “%(table)s” of the database “%(database)s”, "
                              "harvested by the portal.")) % {"table": table,
                                                              "database": database}
    return f"{described}\n\n{origin}" if described else origin


def dataset_fields(entry: Entry, relation: Relation, settings: Mapping[str, Any],
                   database: str, translate: Callable[[str], str] = lambda s: s) -> dict:
    """The schema fields of the dataset (base fills its origin, organisation and resources)."""
    out: dict[str, Any] = {
        "title": title_of(entry, relation),
        "notes": notes_of(entry, relation, database, translate),
        "personal_data": personal.personal_data_level(settings.get("personal_columns")),
    }
    out.update(fields.common_fields(settings))
    return out


def output_columns(relation: Relation, actions: Mapping[str, str] | None,
                   translate: Callable[[str], str] = lambda s: s) -> list[dict]:
    """The data dictionary of the CSV: the columns left once personal ones are dropped, with
    their SQL type, nullability and comment; a hashed or generalised column says so (its
    values are no longer of the SQL type)."""
    actions = actions or {}
    out = []
    for column in relation.columns:
        action = actions.get(column.name)
        if action == "drop":
            continue
        entry = column.dictionary_entry()
        if action == "hash":
            entry["type"] = "text"
            entry["description"] = _joined(entry["description"], translate(
                N_("Pseudonymised: keyed hash (HMAC-SHA256) of the value.")))
        elif action == "generalise":
            entry["type"] = "text"
            entry["description"] = _joined(entry["description"], translate(
                N_("Generalised: month of a date (YYYY-MM), département of a postcode.")))
        out.append(entry)
    return out


def _joined(first: str, second: str) -> str:
    return f"{first} — {second}" if first else second


def same_columns(previous: list[dict], current: list[dict]) -> bool:
    """Whether a stored CSV has the same columns, in the same order, as the one built now
    (else an incremental harvest starts again from the first row)."""
    return [c.get("id") for c in previous] == [c.get("id") for c in current]

