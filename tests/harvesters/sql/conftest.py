"""A « business application » database of the tests' own on the project's PostgreSQL server,
and SQLite files in tmp_path.

The PostgreSQL database is ``ipapp_<the CKAN test database's name>`` (one per sandbox, so
parallel runs never share it), created on CKAN's own server by its superuser (``postgres``,
or ``IPAPP_ADMIN_URL``) and read by the harvester through a read-only role
``ipapp_reader``, as the README asks administrators to do.
"""
from __future__ import annotations

import os
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

READER, READER_PASSWORD = "ipapp_reader", "lecture-seule-h2"


@dataclass
class AppDatabase:
    owner: sa.Engine          # the application itself: creates and changes its tables
    admin: sa.Engine          # the server's superuser (databases created, renamed)
    name: str
    host: str
    port: int

    def url(self, password: str | None = READER_PASSWORD, user: str = READER,
            database: str | None = None) -> str:
        auth = f"{user}:{password}" if password else user
        return f"postgresql://{auth}@{self.host}:{self.port}/{database or self.name}"

    def run(self, *statements: str) -> None:
        with self.owner.begin() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)
            conn.exec_driver_sql(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {READER}")

    def table(self, prefix: str = "t") -> str:
        """A table name of its own for a test."""
        return f"{prefix}_{uuid.uuid4().hex[:8]}"


def _admin_url(ckan_url: sa.URL) -> sa.URL:
    if os.environ.get("IPAPP_ADMIN_URL"):
        return sa.make_url(os.environ["IPAPP_ADMIN_URL"])
    return ckan_url.set(username="postgres", password=None, database="postgres")


@pytest.fixture(scope="session")
def app_db() -> AppDatabase:
    from ckan.common import config as ckan_config
    ckan_url = sa.make_url(ckan_config["sqlalchemy.url"])
    name = f"ipapp_{ckan_url.database}"
    admin = sa.create_engine(_admin_url(ckan_url), isolation_level="AUTOCOMMIT",
                             poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.exec_driver_sql(f"CREATE DATABASE {name} ENCODING 'UTF8' TEMPLATE template0")
        exists = conn.exec_driver_sql(
            f"SELECT 1 FROM pg_roles WHERE rolname = '{READER}'").scalar()
        if not exists:
            conn.exec_driver_sql(f"CREATE ROLE {READER} LOGIN PASSWORD '{READER_PASSWORD}'")
    owner = sa.create_engine(_admin_url(ckan_url).set(database=name),
                             poolclass=sa.pool.NullPool)
    with owner.begin() as conn:
        conn.exec_driver_sql(f"GRANT CONNECT ON DATABASE {name} TO {READER}")
        conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA public TO {READER}")
    db = AppDatabase(owner=owner, admin=admin, name=name, host=ckan_url.host or "127.0.0.1",
                     port=ckan_url.port or 5432)
    yield db
    owner.dispose()
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.dispose()


def sqlite_db(path: Path, *statements: str, rows: dict | None = None) -> str:
    """A SQLite file made of ``statements`` (and ``rows``: table -> list of tuples), its URL."""
    conn = sqlite3.connect(path)
    for statement in statements:
        conn.execute(statement)
    for table, values in (rows or {}).items():
        if values:
            marks = ",".join("?" * len(values[0]))
            conn.executemany(f"INSERT INTO {table} VALUES ({marks})", values)
    conn.commit()
    conn.close()
    return f"sqlite:///{path}"
