"""A business application's database, read-only: the engine, what its tables and queries
hold (names, SQL types, nullability, comments), and their rows in chunks.

No CKAN here: plain SQLAlchemy, so that any dialect a ministry installs (PostgreSQL, SQLite,
MariaDB/MySQL, Oracle, SQL Server...) works without a change of code. What differs between
dialects is in one table of small functions (``_DIALECTS``): the connect timeout argument of
the driver, and how a transaction is made read-only and time-limited where the database has a
way to:

- PostgreSQL: ``SET TRANSACTION READ ONLY`` and ``SET LOCAL statement_timeout`` at the start
  of every transaction; dates and numbers come as PostgreSQL writes them (faster, and the
  dates Python has not, ``infinity``, year 10000, BC, never fail the harvest);
- SQLite: the file is opened read-only (``mode=ro``: a missing file is an error, never an
  empty new database) with ``PRAGMA query_only``; text that is not UTF-8 is read with
  replacement characters instead of failing;
- MariaDB/MySQL: ``SET SESSION TRANSACTION READ ONLY`` and the server's statement time
  limit; Oracle: ``SET TRANSACTION READ ONLY``;
- others (SQL Server...): the checks of query.py and the read-only account the README asks
  for (SQL Server has no read-only transaction).

Rows are streamed (server-side cursors where the driver has them: ``stream_results`` and
``yield_per``), one chunk at a time: a table of millions of rows never sits in memory. Columns
are selected without SQLAlchemy types, so values come as the driver gives them (a date stored
as text in SQLite stays that text instead of failing a conversion).
"""
from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Callable, Optional
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.pool import NullPool

from ckanext.internalportal.lib.i18n import N_

log = logging.getLogger(__name__)


class ReadError(Exception):
    """The database cannot be read as asked: ``msgid`` (English, N_) and ``values`` for
    ``tk._(msgid) % values``."""

    def __init__(self, msgid: str, **values: Any):
        super().__init__(msgid % values if values else msgid)
        self.msgid = msgid
        self.values = values


@dataclass
class ColumnInfo:
    name: str
    type: str = ""
    nullable: bool = True
    comment: str = ""

    def dictionary_entry(self) -> dict:
        """One column of the resource's data dictionary (tabular.data_dictionary)."""
        return {"id": self.name, "type": self.type, "nullable": self.nullable,
                "description": self.comment}


@dataclass
class Relation:
    """A table, a view or a configured query, as the database describes it."""
    name: str
    columns: list[ColumnInfo]
    comment: str = ""
    primary_key: list[str] = field(default_factory=list)
    schema: Optional[str] = None
    sql: Optional[str] = None   # a configured query (None: a table or view)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


# ---------------------------------------------------------------------------- engines
def _pg_begin(statement_timeout: int) -> Callable:
    def begin(conn):
        conn.exec_driver_sql("SET TRANSACTION READ ONLY")
        if statement_timeout:
            conn.exec_driver_sql(f"SET LOCAL statement_timeout = {int(statement_timeout) * 1000}")
    return begin


def _oracle_begin(statement_timeout: int) -> Callable:
    def begin(conn):
        conn.exec_driver_sql("SET TRANSACTION READ ONLY")
    return begin


def _mysql_connect(statement_timeout: int) -> Callable:
    def connect(dbapi_conn, record):
        cursor = dbapi_conn.cursor()
        try:
            cursor.execute("SET SESSION TRANSACTION READ ONLY")
            if statement_timeout:
                try:  # MySQL 5.7+ (milliseconds); MariaDB: max_statement_time (seconds)
                    cursor.execute(f"SET SESSION max_execution_time = "
                                   f"{int(statement_timeout) * 1000}")
                except Exception:  # noqa: BLE001 - best effort, the variable differs
                    cursor.execute(f"SET SESSION max_statement_time = {int(statement_timeout)}")
        except Exception as error:  # noqa: BLE001 - best effort on an unknown server
            log.warning("Read-only session not set on %s: %s", record, error)
        finally:
            cursor.close()
    return connect


def _psycopg2_text_values(dbapi_conn, record) -> None:
    """Dates and numbers as PostgreSQL writes them (``2024-02-29``, ``12.30``: what the CSV
    holds anyway, without building Python objects first, and ``infinity`` or year 10000
    instead of an error); timestamps as Python datetimes (ISO with ``T`` in the CSV), or
    PostgreSQL's text for those Python cannot hold (``infinity``, BC)."""
    import psycopg2
    import psycopg2.extensions as ext

    def as_text(value, cursor):
        return value

    def tolerant(base):
        def cast(value, cursor):
            if value in ("infinity", "-infinity"):  # psycopg2: datetime.max / .min
                return value
            try:
                return base(value, cursor)
            except (ValueError, OverflowError, psycopg2.DataError):
                return value
        return ext.new_type(base.values, f"{base.name}_TOLERANT", cast)

    for base in (ext.DATE, ext.DECIMAL):
        ext.register_type(ext.new_type(base.values, f"{base.name}_TEXT", as_text), dbapi_conn)
    for base in (ext.PYDATETIME, ext.PYDATETIMETZ):
        ext.register_type(tolerant(base), dbapi_conn)


# dialect name -> (connect arguments for a timeout in seconds, listeners)
_CONNECT_TIMEOUT_ARG = {
    "postgresql": {"psycopg2": "connect_timeout", "psycopg": "connect_timeout",
                   "pg8000": "timeout", "asyncpg": "timeout"},
    "mysql": {"mysqlconnector": "connection_timeout", "*": "connect_timeout"},
    "mariadb": {"*": "connect_timeout"},
    "mssql": {"pyodbc": "timeout", "pymssql": "login_timeout"},
    "oracle": {"oracledb": "tcp_connect_timeout", "cx_oracle": None},
}


def _connect_args(url: sa.URL, connect_timeout: int) -> dict:
    by_driver = _CONNECT_TIMEOUT_ARG.get(url.get_backend_name(), {})
    driver = url.get_driver_name()
    arg = by_driver.get(driver, by_driver.get("*"))
    return {arg: int(connect_timeout)} if arg and connect_timeout else {}


def sqlite_path(url: sa.URL) -> str:
    path = url.database or ""
    if not path or path == ":memory:" or path.startswith("file:"):
        raise ReadError(N_("Give the SQLite database as a file with its absolute path: "
                           "sqlite:////path/to/base.db."))
    if not os.path.isabs(path):
        raise ReadError(N_("The SQLite database “%(path)s” must be given with its absolute "
                           "path: sqlite:////path/to/base.db."), path=path)
    return path


def _sqlite_engine(url: sa.URL, connect_timeout: int) -> sa.Engine:
    path = sqlite_path(url)

    def tolerant_text(raw: bytes) -> str:
        return raw.decode("utf-8", "replace")

    def creator():
        if not os.path.isfile(path):
            raise ReadError(N_("The SQLite database file “%(path)s” does not exist (deleted, "
                               "moved, or the share is not mounted)."), path=path)
        conn = sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True,
                               timeout=connect_timeout or 5, check_same_thread=False)
        conn.text_factory = tolerant_text
        conn.execute("PRAGMA query_only = ON")
        return conn

    return sa.create_engine("sqlite://", creator=creator, poolclass=NullPool)


def open_engine(url: sa.URL, *, connect_timeout: int = 10,
                statement_timeout: int = 0) -> sa.Engine:
    """An engine on ``url`` whose transactions are read-only where the dialect allows it,
    with the given timeouts (seconds; 0: none). No pool: a harvest opens one connection."""
    backend = url.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(url, connect_timeout)
    try:
        engine = sa.create_engine(url, poolclass=NullPool,
                                  connect_args=_connect_args(url, connect_timeout))
    except (sa_exc.ArgumentError, sa_exc.NoSuchModuleError, ImportError) as error:
        raise ReadError(N_("The database URL cannot be used: %(error)s (is the driver of "
                           "this database installed?)"), error=first_line(error)) from None
    if backend == "postgresql":
        sa.event.listen(engine, "begin", _pg_begin(statement_timeout))
        if url.get_driver_name() == "psycopg2":
            sa.event.listen(engine, "connect", _psycopg2_text_values)
    elif backend in ("mysql", "mariadb"):
        sa.event.listen(engine, "connect", _mysql_connect(statement_timeout))
    elif backend == "oracle":
        sa.event.listen(engine, "begin", _oracle_begin(statement_timeout))
    else:
        log.info("The %s dialect has no read-only transaction here: the harvester relies on "
                 "its read-only account and on its SELECT check", backend)
    return engine


# ---------------------------------------------------------------------------- errors
def first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip().splitlines()
    return (text[0] if text else type(error).__name__)[:400]


def _is_timeout(error: BaseException) -> bool:
    orig = getattr(error, "orig", None)
    if getattr(orig, "pgcode", None) == "57014":  # query_canceled: statement_timeout
        return True
    text = str(orig or error).lower()
    return any(word in text for word in ("timeout", "timed out", "canceling statement",
                                         "max_execution_time", "max_statement_time"))


def read_error(error: BaseException) -> ReadError:
    """A database failure as a French report (through N_), never a traceback."""
    if isinstance(error, ReadError):
        return error
    if getattr(getattr(error, "orig", None), "pgcode", None) == "25006" \
            or "readonly database" in str(error) or "read-only" in str(error).lower():
        return ReadError(N_("The database refused a write: the harvester only reads (%(error)s)"),
                         error=first_line(error))
    if _is_timeout(error):
        return ReadError(N_("The database did not answer in time: %(error)s"),
                         error=first_line(error))
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated \
            or isinstance(error, sa_exc.InterfaceError):
        return ReadError(N_("The database cannot be reached: %(error)s"),
                         error=first_line(error))
    if isinstance(error, sa_exc.OperationalError):
        return ReadError(N_("The database cannot be reached or read: %(error)s"),
                         error=first_line(error))
    if isinstance(error, sa_exc.DataError):
        return ReadError(N_("The database holds a value that cannot be read: %(error)s"),
                         error=first_line(error))
    if isinstance(error, sa_exc.ProgrammingError):
        return ReadError(N_("The database refused the query (did a table or column change?): "
                            "%(error)s"), error=first_line(error))
    return ReadError(N_("Reading the database failed: %(error)s"), error=first_line(error))


# ---------------------------------------------------------------------------- description
def relation_names(conn: sa.Connection, schema: Optional[str] = None) -> list[str]:
    """The tables and views of the schema (the default schema when None)."""
    inspector = sa.inspect(conn)
    names = list(inspector.get_table_names(schema=schema))
    try:
        names += inspector.get_view_names(schema=schema)
    except NotImplementedError:
        pass
    return names


def find_relation(names: Sequence[str], wanted: str) -> Optional[str]:
    """The name as the database spells it: exact, else the one differing only by case
    (PostgreSQL folds unquoted names to lower case, Oracle to upper case)."""
    if wanted in names:
        return wanted
    folded = [n for n in names if n.lower() == wanted.lower()]
    return folded[0] if len(folded) == 1 else None


def _type_name(type_: Any, dialect: sa.Dialect) -> str:
    try:
        return str(type_.compile(dialect=dialect))
    except Exception:  # noqa: BLE001 - an exotic type: its Python name then
        return type(type_).__name__ if type_ is not None else ""


def describe_table(conn: sa.Connection, name: str, schema: Optional[str] = None) -> Relation:
    inspector = sa.inspect(conn)
    columns = [ColumnInfo(name=c["name"], type=_type_name(c.get("type"), conn.dialect),
                          nullable=bool(c.get("nullable", True)),
                          comment=(c.get("comment") or "").strip())
               for c in inspector.get_columns(name, schema=schema)]
    try:
        comment = (inspector.get_table_comment(name, schema=schema) or {}).get("text") or ""
    except NotImplementedError:  # SQLite, ...: no comments
        comment = ""
    try:
        primary_key = list(inspector.get_pk_constraint(name, schema=schema)
                           .get("constrained_columns") or [])
    except NotImplementedError:
        primary_key = []
    return Relation(name=name, columns=columns, comment=comment.strip(),
                    primary_key=primary_key, schema=schema)


def _as_text(sql: str) -> sa.TextClause:
    """A configured query as a SQLAlchemy text, written as it is: a backslash before each
    colon keeps text() from reading "10:30" as a parameter, SQLAlchemy doubles "%" for the
    drivers that need it, a new line ends a trailing "-- comment"."""
    return sa.text(sql.replace(":", r"\:") + "\n")


def _without_rows(sql: str) -> sa.Select:
    return (sa.select(sa.literal_column("*"))
            .select_from(_as_text(sql).columns().subquery("q"))
            .where(sa.text("1 = 0")))


def describe_query(conn: sa.Connection, name: str, sql: str) -> Relation:
    """The columns of a query, from running it without rows (``WHERE 1 = 0`` around it):
    names and, on PostgreSQL, SQL types."""
    result = conn.execute(_without_rows(sql))
    description = result.cursor.description or []
    result.close()
    names = [d[0] for d in description]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ReadError(N_("The query “%(name)s” has several columns named %(columns)s: give "
                           "them distinct names (AS ...)."), name=name,
                        columns=", ".join(twice))
    types = _pg_type_names(conn, [d[1] for d in description]) \
        if conn.dialect.name == "postgresql" else {}
    columns = [ColumnInfo(name=d[0], type=types.get(d[1], _code_name(d[1]))) for d in
               description]
    return Relation(name=name, columns=columns, sql=sql)


def _code_name(code: Any) -> str:
    if code is None or isinstance(code, int | str):
        return ""
    return getattr(code, "__name__", "") or ""


def _pg_type_names(conn: sa.Connection, oids: list[Any]) -> dict:
    oids = sorted({o for o in oids if isinstance(o, int)})
    if not oids:
        return {}
    rows = conn.execute(sa.text("SELECT oid, format_type(oid, NULL) FROM pg_type "
                                "WHERE oid = ANY(:oids)"), {"oids": oids})
    return {oid: name for oid, name in rows}


# ---------------------------------------------------------------------------- rows
def select(relation: Relation, *, after: Optional[tuple[str, Any]] = None,
           order_by: Optional[Sequence[str]] = None) -> sa.Select:
    """The rows of a table or query, columns untyped (values as the driver gives them);
    ``after=(column, value)``: only rows whose column is greater (incremental harvests)."""
    cols = [sa.column(c) for c in relation.column_names]
    if relation.sql is None:
        source = sa.table(relation.name, *cols, schema=relation.schema)
    else:
        source = _as_text(relation.sql).columns(*cols).subquery("q")
    stmt = sa.select(*[source.c[c] for c in relation.column_names])
    if after is not None:
        stmt = stmt.where(source.c[after[0]] > sa.bindparam("after", after[1]))
    if order_by:
        stmt = stmt.order_by(*[source.c[c] for c in order_by])
    return stmt


def stream(conn: sa.Connection, stmt: sa.Select, chunk_rows: int
           ) -> Iterator[Sequence[sa.Row]]:
    """The rows of ``stmt``, ``chunk_rows`` at a time, from a server-side cursor where the
    driver has one."""
    # per statement: Connection.execution_options() would change the connection itself
    result = conn.execute(stmt, execution_options={"stream_results": True,
                                                   "yield_per": chunk_rows})
    try:
        yield from result.partitions(chunk_rows)
    finally:
        result.close()


def probe_query(conn: sa.Connection, sql: str) -> None:
    """Runs the query without rows: a syntax error or an unknown table shows now."""
    conn.execute(_without_rows(sql)).close()
