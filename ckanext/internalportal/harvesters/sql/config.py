"""A SQL source's JSON config, read and checked (no database here: reader.py and plugin.py
check what needs one).

    {"schema": "public",                      # optional, the database's default otherwise
     "tables": ["communes", {"name": "agents", "title": "Agents", "incremental_column": "id",
                             "personal_columns": {"nir": "hash", "naissance": "generalise"}}],
     "queries": {"effectifs": "SELECT service, count(*) AS n FROM agents GROUP BY service",
                 "recents": {"sql": "SELECT ...", "title": "...", "incremental_column": "..."}},
     "access_level": "internal", "keywords": ["rh"], "theme": ["GOVE"],
     "statement_timeout": 600}

Each table or query is one :class:`Entry`: one dataset. What an entry says overrides what the
source says (``access_level``, ``keywords``, ``personal_columns``... base.COMMON_KEYS).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Optional

from ckanext.internalportal.harvesters import personal
from ckanext.internalportal.harvesters.base import COMMON_KEYS
from ckanext.internalportal.lib.i18n import N_

SOURCE_KEYS = frozenset({"tables", "queries", "schema", "statement_timeout", *COMMON_KEYS})
ENTRY_KEYS = frozenset({"title", "description", "incremental_column", *COMMON_KEYS}
                       - {"delete_missing"})
TABLE_KEYS = ENTRY_KEYS | {"name", "schema"}
QUERY_KEYS = ENTRY_KEYS | {"sql"}
TEXT_KEYS = ("title", "description", "incremental_column", "schema", "legal_basis",
             "dpo_email", "frequency", "access_level", "license_id")
LIST_KEYS = ("keywords", "theme")

# (English msgid, values): tk._(msgid) % values; a value may itself be a Problem (« the table
# “x” » inside a message), translated too by render()
Problem = tuple[str, dict]


def render(problem: Problem, translate=lambda s: s) -> str:
    msgid, values = problem
    values = {k: render(v, translate) if isinstance(v, tuple) else v
              for k, v in (values or {}).items()}
    return translate(msgid) % values if values else translate(msgid)


@dataclass
class Entry:
    kind: str                       # "table" or "query"
    name: str
    sql: Optional[str] = None
    schema: Optional[str] = None
    options: dict = field(default_factory=dict)   # the entry's own keys (ENTRY_KEYS)

    @property
    def guid(self) -> str:
        """The remote id of its dataset: the table's name (with its schema when one is
        given), ``query:<name>`` for a query, so that a table and a query never collide."""
        if self.kind == "query":
            return f"query:{self.name}"
        return f"{self.schema}.{self.name}" if self.schema else self.name

    def settings(self, config: Mapping) -> dict:
        """The source's common settings overridden by the entry's; personal columns are
        merged, column by column (a table declaring one more personal column must not drop
        those the source declares for every table)."""
        merged = {k: config[k] for k in COMMON_KEYS if k in config}
        merged.update({k: self.options[k] for k in COMMON_KEYS if k in self.options})
        source_wide, own = config.get("personal_columns"), self.options.get("personal_columns")
        if isinstance(source_wide, Mapping) and isinstance(own, Mapping):
            merged["personal_columns"] = {**source_wide, **own}
        return merged

    def content(self) -> dict:
        return {"kind": self.kind, "name": self.name, "sql": self.sql, "schema": self.schema,
                "options": self.options}

    @classmethod
    def of_content(cls, content: Mapping) -> "Entry":
        return cls(kind=content["kind"], name=content["name"], sql=content.get("sql"),
                   schema=content.get("schema"), options=dict(content.get("options") or {}))


class ConfigProblems(ValueError):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(render(p) for p in problems))
        self.problems = problems


def _check_keys(where: Problem, value: Mapping, allowed: frozenset, out: list[Problem]) -> None:
    for key in value:
        if key not in allowed:
            out.append((N_("Unknown key “%(key)s” in %(where)s: the keys are %(allowed)s."),
                        {"key": key, "where": where, "allowed": ", ".join(sorted(allowed))}))


def _check_values(where: Problem, value: Mapping, out: list[Problem]) -> None:
    for key in TEXT_KEYS:
        if key in value and not isinstance(value[key], str):
            out.append((N_("“%(key)s” in %(where)s must be a text."),
                        {"key": key, "where": where}))
    for key in LIST_KEYS:
        if key in value and not (isinstance(value[key], list)
                                 and all(isinstance(v, str) for v in value[key])):
            out.append((N_("“%(key)s” in %(where)s must be a list of texts, e.g. "
                           "[\"emploi\", \"budget\"]."), {"key": key, "where": where}))


def entries(config: Mapping[str, Any]) -> list[Entry]:
    """The tables and queries of the config, or ConfigProblems listing every problem."""
    out: list[Problem] = []
    _check_keys((N_("the source's configuration"), {}), config, SOURCE_KEYS, out)
    _check_values((N_("the source's configuration"), {}), config, out)
    if "statement_timeout" in config and not (
            isinstance(config["statement_timeout"], int)
            and not isinstance(config["statement_timeout"], bool)
            and config["statement_timeout"] >= 0):
        out.append((N_("“statement_timeout” must be a number of seconds (0: no limit)."), {}))
    schema = config.get("schema") if isinstance(config.get("schema"), str) else None
    found: list[Entry] = []

    tables = config.get("tables", [])
    if not isinstance(tables, list):
        out.append((N_("“tables” must be a list of table names or of objects "
                       "{\"name\": ..., \"title\": ...}."), {}))
        tables = []
    for table in tables:
        if isinstance(table, str) and table.strip():
            found.append(Entry("table", table.strip(), schema=schema))
        elif isinstance(table, Mapping) and isinstance(table.get("name"), str) \
                and table["name"].strip():
            where = (N_("the table “%(name)s”"), {"name": table["name"]})
            _check_keys(where, table, TABLE_KEYS, out)
            _check_values(where, table, out)
            options = {k: v for k, v in table.items() if k in ENTRY_KEYS}
            found.append(Entry("table", table["name"].strip(),
                               schema=table.get("schema") if isinstance(table.get("schema"),
                                                                        str) else schema,
                               options=options))
        else:
            out.append((N_("Each table is a name or an object with a “name”: %(value)s is "
                           "neither."), {"value": repr(table)[:100]}))

    queries = config.get("queries", {})
    if not isinstance(queries, Mapping):
        out.append((N_("“queries” must be an object: {\"name\": \"SELECT ...\"}."), {}))
        queries = {}
    for name, query in queries.items():
        where = (N_("the query “%(name)s”"), {"name": name})
        if isinstance(query, str):
            found.append(Entry("query", name, sql=query))
        elif isinstance(query, Mapping) and isinstance(query.get("sql"), str):
            _check_keys(where, query, QUERY_KEYS, out)
            _check_values(where, query, out)
            found.append(Entry("query", name, sql=query["sql"],
                               options={k: v for k, v in query.items() if k in ENTRY_KEYS}))
        else:
            out.append((N_("The query “%(name)s” must be a SELECT, or an object with its "
                           "“sql”."), {"name": name}))

    if not found and not out:
        out.append((N_("Name at least one table or query: {\"tables\": [\"communes\"]} or "
                       "{\"queries\": {\"name\": \"SELECT ...\"}}."), {}))
    seen: set[str] = set()
    for entry in found:
        if entry.guid in seen:
            out.append((N_("“%(name)s” is named twice in the configuration."),
                        {"name": entry.name}))
        seen.add(entry.guid)
    if out:
        raise ConfigProblems(out)
    return found


def personal_problems(config: Mapping, entry: Entry, *, has_key: bool) -> list[Problem]:
    """What is wrong with the entry's personal columns (declaration, key, GDPR fields)."""
    settings = entry.settings(config)
    actions = settings.get("personal_columns") or {}
    problems = personal.check(actions, has_key=has_key)
    if problems:
        return problems
    out: list[Problem] = []
    if personal.personal_data_level(actions) != "none":
        for key in ("legal_basis", "dpo_email"):
            if not settings.get(key):
                out.append((N_("“%(name)s” keeps pseudonymised personal data: give "
                               "“%(key)s” in the configuration (GDPR)."),
                            {"name": entry.name, "key": key}))
    column = entry.options.get("incremental_column")
    if column and column in actions:
        out.append((N_("The incremental column “%(column)s” of “%(name)s” is a personal "
                       "column: its raw values would be kept to know where to resume; choose "
                       "another column."), {"column": column, "name": entry.name}))
    return out


def column_problems(entry: Entry, columns: list[str]) -> list[Problem]:
    """The columns the entry names but the table or query does not have (the source's own
    personal columns apply to the tables that have them)."""
    out: list[Problem] = []
    column = entry.options.get("incremental_column")
    if column and column not in columns:
        out.append((N_("“%(name)s” has no column “%(column)s” (incremental_column); its "
                       "columns: %(columns)s."),
                    {"name": entry.name, "column": column, "columns": ", ".join(columns)}))
    own = entry.options.get("personal_columns")
    for name in own if isinstance(own, Mapping) else ():
        if name not in columns:
            out.append((N_("“%(name)s” has no column “%(column)s” (personal_columns); its "
                           "columns: %(columns)s."),
                        {"name": entry.name, "column": name, "columns": ", ".join(columns)}))
    return out
