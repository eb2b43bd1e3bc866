"""sql_harvester: the tables and queries of a business application's database as datasets.

The three steps base.PortalHarvester asks for, put together from the pieces of this package:
config.py (the source's JSON config), secrets.py (the URL's password, kept out of all that is
shown), query.py (one plain SELECT), reader.py (the database, read-only, in chunks),
incremental.py (where the last harvest stopped) and dataset.py (the dataset's fields and data
dictionary).

One dataset per table or query (guid: the table's name, ``query:<name>`` for a query), with
one CSV resource (key ``data``) streamed from the database to the file in chunks, personal
columns dropped, hashed or generalised on the way (the raw values never reach the file).
"""
from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Optional
from urllib.parse import unquote

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan import model
from ckan.lib import uploader
from ckan.lib.munge import munge_filename
from sqlalchemy import exc as sa_exc

from ckanext.internalportal.harvesters import base, personal, tabular
from ckanext.internalportal.harvesters.base import (Built, Item, ObjectError, PortalHarvester,
                                                    Progress, Resource, SourceError,
                                                    SourceInfo)
from ckanext.internalportal.harvesters.sql import config as sql_config
from ckanext.internalportal.harvesters.sql import dataset, incremental, query, reader
from ckanext.internalportal.harvesters.sql import secrets as pw
from ckanext.internalportal.harvesters.sql.config import ConfigProblems, Entry, render
from ckanext.internalportal.harvesters.sql.query import QueryError
from ckanext.internalportal.harvesters.sql.reader import ReadError, Relation
from ckanext.internalportal.harvesters.sql.secrets import SecretError
from ckanext.internalportal.lib.i18n import N_

log = logging.getLogger(__name__)

OPT_CONNECT_TIMEOUT = "ckanext.internalportal.sql_harvester.connect_timeout"
OPT_STATEMENT_TIMEOUT = "ckanext.internalportal.sql_harvester.statement_timeout"
OPT_CHUNK_ROWS = "ckanext.internalportal.sql_harvester.chunk_rows"
OPT_ENV_VARS = "ckanext.internalportal.sql_harvester.password_env_vars"

RESOURCE_KEY = "data"
R_WATERMARK = "harvest_watermark"
CHECK_STATEMENT_TIMEOUT = 30   # seconds: saving a source waits no longer for a query's check
TABLES_LISTED = 30             # an unknown table's message lists at most this many


def _msg(error: ReadError | QueryError | SecretError) -> str:
    return tk._(error.msgid) % error.values if error.values else tk._(error.msgid)


def _int_option(name: str) -> int:
    return int(tk.config.get(name))


class SQLHarvester(PortalHarvester):
    NAME = "sql"
    TITLE = N_("SQL database (business application)")
    DESCRIPTION = N_("The tables and queries of a business application's database "
                     "(PostgreSQL, SQLite, MariaDB/MySQL, Oracle, SQL Server...), one dataset "
                     "per table or query, its rows as a CSV file with their data dictionary.")
    LOCAL = True

    # ----------------------------------------------------------------- the database
    def database_url(self, url: str, source_id: Optional[str] = None
                     ) -> tuple[sa.URL, list[str]]:
        """The URL to connect with (password found) and the secrets never to show.
        SecretError, or ReadError for a URL SQLAlchemy cannot read."""
        text = (url or "").strip()
        parts = pw.split(text)
        password = None
        if parts is not None:
            password = pw.password_of(parts, session=model.Session,
                                      env_patterns=tk.config.get(OPT_ENV_VARS) or "",
                                      source_id=source_id)
            text = parts.with_password(None)
        try:
            parsed = sa.make_url(text)
        except (sa_exc.ArgumentError, ValueError):
            raise ReadError(N_("“%(url)s” is not a database URL: e.g. "
                               "postgresql://user@host:5432/database or "
                               "sqlite:////path/to/base.db."),
                            url=pw.display_url(url)) from None
        if password is not None:
            parsed = parsed.set(password=password)
        return parsed, [password] if password else []

    def _engine(self, url: sa.URL, config: dict, statement_timeout: Optional[int] = None
                ) -> sa.Engine:
        if statement_timeout is None:
            statement_timeout = config.get("statement_timeout",
                                           _int_option(OPT_STATEMENT_TIMEOUT))
        return reader.open_engine(url, connect_timeout=_int_option(OPT_CONNECT_TIMEOUT),
                                  statement_timeout=statement_timeout)

    @staticmethod
    def _database_label(url: sa.URL) -> str:
        if url.get_backend_name() == "sqlite":
            return os.path.basename(url.database or "")
        return url.database or url.host or ""

    # ----------------------------------------------------------------- source saved
    def check_source(self, url: str, config: dict) -> dict:
        errors: dict[str, list[str]] = {}
        try:
            entries = sql_config.entries(config)
        except ConfigProblems as problems:
            errors["config"] = [render(p, tk._) for p in problems.problems]
            entries = []
        has_key = base.hmac_key() is not None
        for entry in entries:
            for problem in (sql_config.personal_problems(config, entry, has_key=has_key)
                            + dataset.vocabulary_problems(entry.settings(config))):
                errors.setdefault("config", []).append(render(problem, tk._))
            if entry.kind == "query":
                try:
                    query.check_select(entry.sql, sa_backend(url))
                except QueryError as error:
                    errors.setdefault("config", []).append(
                        tk._("The query “%(name)s” is refused: %(reason)s")
                        % {"name": entry.name, "reason": _msg(error)})
        found: list[str] = []
        try:
            db_url, found = self.database_url(url)
        except (SecretError, ReadError) as error:
            errors.setdefault("url", []).append(_msg(error))
        if errors:
            raise tk.ValidationError(errors)
        self._check_database(db_url, config, entries, errors)
        if errors:
            raise tk.ValidationError({k: [base.redact(m, found) for m in v]
                                      for k, v in errors.items()})
        return config

    def _check_database(self, db_url: sa.URL, config: dict, entries: list[Entry],
                        errors: dict) -> None:
        """Connects (short timeout) and looks for every table, column and query."""
        try:
            engine = self._engine(db_url, config, CHECK_STATEMENT_TIMEOUT)
            with engine.connect() as conn:
                names: dict[Optional[str], list[str]] = {}
                for entry in entries:
                    problem = self._check_entry(conn, entry, names)
                    if problem:
                        errors.setdefault("config", []).append(problem)
                        conn.rollback()
        except (ReadError, sa_exc.SQLAlchemyError) as error:
            errors.setdefault("url", []).append(
                tk._("The database cannot be used: %(error)s")
                % {"error": _msg(reader.read_error(error))})

    def _check_entry(self, conn: sa.Connection, entry: Entry,
                     names: dict[Optional[str], list[str]]) -> Optional[str]:
        if entry.kind == "table":
            if entry.schema not in names:
                names[entry.schema] = reader.relation_names(conn, entry.schema)
            known = names[entry.schema]
            actual = reader.find_relation(known, entry.name)
            if actual is None:
                listed = ", ".join(sorted(known)[:TABLES_LISTED]) + (
                    "…" if len(known) > TABLES_LISTED else "")
                return tk._("The table “%(name)s” does not exist in the database (its tables: "
                            "%(tables)s).") % {"name": entry.guid,
                                               "tables": listed or tk._("none")}
            relation = reader.describe_table(conn, actual, entry.schema)
        else:
            try:
                relation = reader.describe_query(conn, entry.name,
                                                 query.check_select(entry.sql,
                                                                    conn.dialect.name))
            except ReadError as error:
                return _msg(error)
            except sa_exc.DBAPIError as error:
                return tk._("The query “%(name)s” fails: %(error)s") % {
                    "name": entry.name, "error": reader.first_line(error)}
        problems = sql_config.column_problems(entry, relation.column_names)
        return " ".join(render(p, tk._) for p in problems) or None

    def source_saving(self, context: dict, data_dict: dict) -> Any:
        """A typed password leaves the URL for the secrets table (kept in source_saved, once
        the source has its id); a kept password's reference must be this source's. Returns
        what source_saved keeps: the new password, or the reference still in use (the
        source's other kept passwords are forgotten)."""
        parts = pw.split((data_dict.get("url") or "").strip())
        if parts is None or parts.kind in (pw.NONE, pw.ENV):
            return {"in_use": None}
        if parts.kind == pw.SECRET:
            package = model.Package.get(data_dict.get("id") or data_dict.get("name") or "")
            if package is None or pw.kept(model.Session, parts.reference, parts.bound,
                                          package.id) is None:
                raise tk.ValidationError({"url": [tk._(
                    "This password reference belongs to another source or to another URL: "
                    "type the password in the URL again.")]})
            return {"in_use": parts.reference}
        if not sa.inspect(model.Session.connection()).has_table(pw.TABLE):
            raise tk.ValidationError({"url": [tk._(
                "The portal cannot keep this password: its table is missing (run “ckan db "
                "upgrade -p sql_harvester”). Name an environment variable instead, e.g. "
                "${APP_DB_PASSWORD}.")]})
        token = pw.new_token()
        data_dict["url"] = parts.with_password(pw.reference(token))
        return {"in_use": token, "bound": parts.bound, "secret": unquote(parts.password)}

    def source_saved(self, context: dict, source: dict, token: Any) -> None:
        if not token:
            return
        if "secret" in token:
            pw.keep(model.Session, token["in_use"], source["id"], token["bound"],
                    token["secret"])
        elif not pw.forget_others(model.Session, source["id"], token["in_use"]):
            return
        model.Session.commit()

    def secrets(self, source: SourceInfo) -> list[str]:
        try:
            return self.database_url(source.url, source.id)[1]
        except (SecretError, ReadError, sa_exc.SQLAlchemyError):
            return []

    def source_url_for_display(self, url: str) -> str:
        return pw.display_url(url)

    # ----------------------------------------------------------------- gather
    def _entries(self, source: SourceInfo) -> list[Entry]:
        try:
            return sql_config.entries(source.config)
        except ConfigProblems as problems:
            raise SourceError(tk._("The source's configuration is not valid: %(problems)s")
                              % {"problems": " ".join(render(p, tk._)
                                                      for p in problems.problems)}) from None

    def _open(self, source: SourceInfo, error_class: type[Exception]) -> sa.Engine:
        try:
            url, _found = self.database_url(source.url, source.id)
        except (SecretError, ReadError) as error:
            raise error_class(_msg(error)) from None
        return self._engine(url, source.config)

    def list_items(self, source: SourceInfo, progress: Progress) -> Iterable[Item]:
        entries = self._entries(source)
        engine = self._open(source, SourceError)
        try:
            with engine.connect():
                pass
        except (ReadError, sa_exc.SQLAlchemyError) as error:
            raise SourceError(tk._(
                "The database cannot be read, the datasets harvested from it are left as they "
                "are: %(error)s") % {"error": _msg(reader.read_error(error))}) from None
        finally:
            engine.dispose()
        progress.beat(tk._("%(count)s tables or queries") % {"count": len(entries)})
        return [Item(entry.guid, entry.content()) for entry in entries]

    # ----------------------------------------------------------------- import
    def build(self, source: SourceInfo, item: Item, workdir: Path,
              progress: Progress) -> Built:
        entry = Entry.of_content(item.content)
        engine = self._open(source, ObjectError)
        try:
            with engine.connect() as conn:
                return self._build(conn, source, entry, item, workdir, progress)
        except (ReadError, sa_exc.SQLAlchemyError) as error:
            raise ObjectError(tk._("“%(name)s” could not be harvested, its dataset is left as "
                                   "it was: %(error)s")
                              % {"name": entry.name,
                                 "error": _msg(reader.read_error(error))}) from None
        except personal.PersonalDataError as error:
            raise ObjectError(tk._(str(error))) from None
        finally:
            engine.dispose()

    def _relation(self, conn: sa.Connection, entry: Entry) -> Relation:
        if entry.kind == "query":
            try:
                sql = query.check_select(entry.sql, conn.dialect.name)
            except QueryError as error:
                raise ObjectError(tk._("The query “%(name)s” is refused: %(reason)s")
                                  % {"name": entry.name, "reason": _msg(error)}) from None
            return reader.describe_query(conn, entry.name, sql)
        actual = reader.find_relation(reader.relation_names(conn, entry.schema), entry.name)
        if actual is None:
            raise ObjectError(tk._("The table “%(name)s” no longer exists in the database: its "
                                   "dataset is left as it was.") % {"name": entry.guid})
        return reader.describe_table(conn, actual, entry.schema)

    def _build(self, conn: sa.Connection, source: SourceInfo, entry: Entry, item: Item,
               workdir: Path, progress: Progress) -> Built:
        settings = entry.settings(source.config)
        actions = settings.get("personal_columns") or {}
        relation = self._relation(conn, entry)
        problems = sql_config.column_problems(entry, relation.column_names)
        if problems:
            raise ObjectError(" ".join(render(p, tk._) for p in problems))
        columns_out = dataset.output_columns(relation, actions, tk._)
        column = entry.options.get("incremental_column")

        path = workdir / munge_filename(f"{entry.name}.csv")
        after = self._resume_point(source, item, column, columns_out, path)
        order = self._order(relation, column)
        stmt = reader.select(relation, after=(column, after) if after is not None else None,
                             order_by=order)
        watermark = {"value": after}
        index = relation.column_names.index(column) if column else None
        chunk_rows = _int_option(OPT_CHUNK_ROWS)

        def rows() -> Iterator[Any]:
            for chunk in reader.stream(conn, stmt, chunk_rows):
                if index is not None:
                    last = incremental.last_value(chunk, index)
                    if last is not None:
                        watermark["value"] = last
                yield from chunk
                progress.add(rows=len(chunk))

        names, out_rows = personal.apply(relation.column_names, rows(), actions,
                                         base.hmac_key())
        with tabular.CsvWriter(path, append=after is not None) as writer:
            if after is None:
                writer.write_header(names)
            writer.write_rows(out_rows)
        _count, digest = writer.close()

        extras = {"data_dictionary": tabular.data_dictionary(columns_out)}
        if column:
            extras[R_WATERMARK] = incremental.encode(column, watermark["value"]) or ""
        label = self._database_label(conn.engine.url)
        resource = Resource(
            key=RESOURCE_KEY, name=f"{entry.name}.csv", format="CSV", path=path,
            hash=digest, mimetype="text/csv", extras=extras,
            # its rows in the DataStore too, typed as the database types them
            table=tabular.datastore_fields(columns_out),
            description=tk._("The rows of “%(name)s” (database “%(database)s”) as CSV: UTF-8, "
                             "comma-separated, header row; the columns are described below.")
            % {"name": entry.name, "database": label})
        fields = dataset.dataset_fields(entry, relation, settings, label, tk._)
        return Built(dataset=fields, resources=[resource])

    @staticmethod
    def _order(relation: Relation, column: Optional[str]) -> list[str]:
        """Rows in a stable order, so that unchanged data hash the same: the incremental
        column first (resuming needs it), then the primary key; a query keeps its own."""
        order = [column] if column else []
        if relation.sql is None:
            order += [c for c in relation.primary_key if c != column]
        return order

    def _resume_point(self, source: SourceInfo, item: Item, column: Optional[str],
                      columns_out: list[dict], path: Path) -> Optional[Any]:
        """The watermark to resume from, the stored CSV copied to ``path`` to append to; None
        for a full harvest (first run, no incremental column, columns changed, file gone)."""
        if not column:
            return None
        previous = self._previous_resource(source.id, item.guid)
        if previous is None:
            return None
        after = incremental.decode(previous.get(R_WATERMARK), column)
        if after is None or not dataset.same_columns(
                tabular.read_data_dictionary(previous.get("data_dictionary")), columns_out):
            return None
        stored = Path(uploader.ResourceUpload({}).get_path(previous["id"]))
        if not stored.is_file() or tabular.file_hash(stored) != previous.get("hash"):
            return None
        shutil.copyfile(stored, path)
        return after

    @staticmethod
    def _previous_resource(source_id: str, guid: str) -> Optional[dict]:
        package_id = base.find_dataset(source_id, guid)
        if not package_id:
            return None
        pkg = tk.get_action("package_show")({"ignore_auth": True}, {"id": package_id})
        for res in pkg.get("resources", []):
            if res.get(base.R_KEY) == RESOURCE_KEY:
                return res
        return None


def sa_backend(url: str) -> str:
    """The dialect named by a URL (``postgresql+psycopg2://`` -> ``postgresql``), for the
    SELECT check; empty when the URL cannot be read (the URL check says why)."""
    scheme = (url or "").split("://", 1)[0]
    return scheme.split("+", 1)[0].lower() if "://" in (url or "") else ""
