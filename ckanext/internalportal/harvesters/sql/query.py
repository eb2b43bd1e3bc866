"""Is a configured query one plain ``SELECT``? Pure: checked when the source is saved, before
anything reaches the database.

The harvester's database account should be read-only (README) and every query runs in a
read-only transaction where the dialect has one (reader.py); this check is the first of those
three locks, and the only one that also holds on a dialect without read-only transactions.
It reads the query as SQL is read — string literals, quoted identifiers, comments and
PostgreSQL's dollar quotes are skipped — and refuses:

- more than one statement (a ``;`` anywhere but at the very end);
- anything that does not start with ``SELECT`` or ``WITH`` (``EXPLAIN ANALYZE``, ``CALL``...);
- a word that writes or locks even inside a ``SELECT``: PostgreSQL's data-modifying ``WITH``
  (``WITH x AS (DELETE ... RETURNING *) SELECT ...``), ``SELECT ... INTO new_table``,
  ``FOR UPDATE``. A column really named ``update`` is written quoted (``"update"``), which
  this check leaves alone.

No SQL parser is needed (sqlparse is not a dependency), and none would know every dialect's
function calls anyway: a function with side effects (``SELECT nextval(...)``) is stopped by
the read-only transaction, not here.
"""
from __future__ import annotations

import re
from ckanext.internalportal.lib.i18n import N_

# words that write, lock or run something, whatever statement they appear in
FORBIDDEN = ("INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT", "TRUNCATE", "DROP", "ALTER",
             "CREATE", "GRANT", "REVOKE", "COPY", "CALL", "EXEC", "EXECUTE", "INTO", "VACUUM",
             "REINDEX", "CLUSTER", "ATTACH", "DETACH", "PRAGMA", "LOCK", "UNLOCK", "HANDLER",
             "LOAD", "IMPORT", "REFRESH", "NOTIFY", "LISTEN", "DO", "SHUTDOWN", "KILL")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")
BACKSLASH_DIALECTS = ("mysql", "mariadb")


class QueryError(ValueError):
    """A query refused: ``msgid`` (English, N_) and ``values`` for ``tk._(msgid) % values``."""

    def __init__(self, msgid: str, **values: str):
        super().__init__(msgid % values if values else msgid)
        self.msgid = msgid
        self.values = values


def code_only(sql: str, dialect: str = "") -> str:
    """``sql`` with its literals, quoted identifiers and comments blanked out (same length,
    spaces), so that what is left is only keywords, names, numbers and punctuation.
    Raises QueryError for an unterminated literal or comment."""
    backslash = dialect in BACKSLASH_DIALECTS
    out = []
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        nxt = sql[i + 1] if i + 1 < n else ""
        if ch == "-" and nxt == "-":
            end = sql.find("\n", i)
            end = n if end < 0 else end
            out.append(" " * (end - i))
            i = end
        elif ch == "#" and dialect in BACKSLASH_DIALECTS:
            end = sql.find("\n", i)
            end = n if end < 0 else end
            out.append(" " * (end - i))
            i = end
        elif ch == "/" and nxt == "*":
            depth, j = 1, i + 2
            while j < n and depth:
                if sql.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif sql.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            if depth:
                raise QueryError(N_("The query has a comment that is never closed (/* "
                                    "without */)."))
            out.append(" " * (j - i))
            i = j
        elif ch in "'\"`":
            escapes = backslash or (ch == "'" and i > 0 and sql[i - 1] in "eE"
                                    and (i < 2 or not (sql[i - 2].isalnum()
                                                       or sql[i - 2] == "_")))
            j = i + 1
            while True:
                if j >= n:
                    raise QueryError(N_("The query has a quote that is never closed."))
                if escapes and sql[j] == "\\":
                    j += 2
                    continue
                if sql[j] == ch:
                    if j + 1 < n and sql[j + 1] == ch:  # doubled quote: an escaped quote
                        j += 2
                        continue
                    break
                j += 1
            # a quoted identifier stays a name (never a keyword): keep a placeholder word
            filler = "q" if ch != "'" else " "
            out.append(" " + filler * (j - i - 1) + " ")
            i = j + 1
        elif ch == "$" and (i == 0 or not (sql[i - 1].isalnum() or sql[i - 1] == "_")):
            match = _DOLLAR_TAG.match(sql, i)
            if not match:
                out.append(ch)
                i += 1
                continue
            tag = match.group(0)
            end = sql.find(tag, match.end())
            if end < 0:
                raise QueryError(N_("The query has a dollar-quoted string that is never "
                                    "closed."))
            end += len(tag)
            out.append(" " * (end - i))
            i = end
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def check_select(sql: str, dialect: str = "") -> str:
    """The query as it will run (without its trailing ``;``), or QueryError (French msgid)
    when it is not one plain SELECT."""
    if not isinstance(sql, str) or not sql.strip():
        raise QueryError(N_("The query is empty."))
    code = code_only(sql, dialect)
    stripped = code.rstrip()
    cut = len(stripped)
    while stripped.endswith(";"):
        stripped = stripped[:-1].rstrip()
        cut = len(stripped)
    if ";" in stripped:
        raise QueryError(N_("The query holds several statements (a “;” before its end): "
                            "give one SELECT."))
    words = _WORD.findall(stripped.lstrip("( \t\r\n"))
    if not words or words[0].upper() not in ("SELECT", "WITH"):
        raise QueryError(N_("The query must start with SELECT or WITH: only reading "
                            "queries are harvested."))
    for word in words:
        if word.upper() in FORBIDDEN:
            raise QueryError(N_("The query contains “%(word)s”: only a plain SELECT is "
                                "harvested (no writing, locking or running of commands)."),
                             word=word.upper())
    return sql[:cut].rstrip()

