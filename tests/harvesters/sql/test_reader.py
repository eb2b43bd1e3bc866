"""Reading a business application's database: read-only, streamed, described by its own
comments. Real PostgreSQL (conftest.app_db) and SQLite files; no CKAN needed."""
from __future__ import annotations

import datetime as dt
import tracemalloc

import pytest
import sqlalchemy as sa

from ckanext.internalportal.harvesters.sql import reader
from ckanext.internalportal.harvesters.sql.reader import ReadError
from tests.harvesters.sql.conftest import sqlite_db


def engine_for(url: str, **kw) -> sa.Engine:
    return reader.open_engine(sa.make_url(url), **kw)


@pytest.fixture(scope="module")
def pg_tables(app_db):
    app_db.run(
        "CREATE TABLE IF NOT EXISTS agents_lecture (id integer PRIMARY KEY, nom text NOT NULL,"
        " arrivee date, note numeric(9,2))",
        "COMMENT ON TABLE agents_lecture IS 'Agents du ministère'",
        "COMMENT ON COLUMN agents_lecture.nom IS 'Nom d''usage'",
        "TRUNCATE agents_lecture",
        "INSERT INTO agents_lecture SELECT g, 'agent ' || g, date '2020-01-01' + g, g / 7.0"
        " FROM generate_series(1, 50000) g",
        "CREATE SEQUENCE IF NOT EXISTS compteur",
        "GRANT USAGE ON SEQUENCE compteur TO ipapp_reader",
        "CREATE TABLE IF NOT EXISTS dates_extremes (id integer, d date, t timestamp)",
        "TRUNCATE dates_extremes",
        "INSERT INTO dates_extremes VALUES (1, 'infinity', '-infinity'),"
        " (2, '10000-01-01', '0044-03-15 BC'), (3, '2024-02-29', '2024-02-29 10:00')",
    )
    return app_db


def test_postgresql_tables_are_described_by_their_comments_types_and_keys(pg_tables):
    with engine_for(pg_tables.url()).connect() as conn:
        assert "agents_lecture" in reader.relation_names(conn)
        rel = reader.describe_table(conn, "agents_lecture")
    assert rel.comment == "Agents du ministère"
    assert rel.primary_key == ["id"]
    cols = {c.name: c for c in rel.columns}
    assert cols["nom"].comment == "Nom d'usage" and cols["nom"].nullable is False
    assert cols["note"].type == "NUMERIC(9, 2)" and cols["arrivee"].type == "DATE"


def test_every_transaction_is_read_only_on_postgresql(pg_tables):
    with engine_for(pg_tables.url(user="postgres", password=None)).connect() as conn:
        # even the superuser, through the harvester's engine, cannot write
        for statement in ("CREATE TABLE pirate (a int)", "DELETE FROM agents_lecture",
                          "SELECT nextval('compteur')"):
            with pytest.raises(sa.exc.DBAPIError) as error:
                conn.exec_driver_sql(statement)
            assert "read-only" in str(error.value)
            assert "only reads" in str(reader.read_error(error.value))
            conn.rollback()


def test_rows_come_from_a_server_side_cursor_one_chunk_at_a_time(pg_tables):
    with engine_for(pg_tables.url()).connect() as conn:
        rel = reader.describe_table(conn, "agents_lecture")
        chunks = reader.stream(conn, reader.select(rel, order_by=["id"]), 1000)
        tracemalloc.start()
        first = next(chunks)
        open_cursors = conn.exec_driver_sql("SELECT count(*) FROM pg_cursors").scalar()
        sizes = [len(first)] + [len(c) for c in chunks]
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert open_cursors == 1          # DECLARE ... CURSOR: the server holds the rows
    assert sizes == [1000] * 50
    assert peak < 10 * 1024 * 1024    # 50,000 rows read, never held at once


def test_only_rows_after_the_watermark_are_read(pg_tables):
    with engine_for(pg_tables.url()).connect() as conn:
        rel = reader.describe_table(conn, "agents_lecture")
        rows = [r for c in reader.stream(conn, reader.select(rel, after=("id", 49998),
                                                             order_by=["id"]), 10) for r in c]
    assert [r[0] for r in rows] == [49999, 50000]
    # a date watermark (kept as PostgreSQL writes dates) compares as a date
    day = (dt.date(2020, 1, 1) + dt.timedelta(days=49998)).isoformat()
    with engine_for(pg_tables.url()).connect() as conn:
        rows = [r for c in reader.stream(conn, reader.select(rel, after=("arrivee", day),
                                                             order_by=["arrivee"]), 10)
                for r in c]
    assert [r[0] for r in rows] == [49999, 50000] and rows[0][2] > day


def test_a_query_is_described_and_read_as_written(pg_tables):
    sql = ("SELECT nom, note * 2 AS double, '10:30' AS heure FROM agents_lecture "
           "WHERE nom LIKE 'agent 1%' ORDER BY id LIMIT 2 -- fin")
    with engine_for(pg_tables.url()).connect() as conn:
        rel = reader.describe_query(conn, "q", sql)
        rows = [tuple(r) for c in reader.stream(conn, reader.select(rel), 10) for r in c]
    assert [(c.name, c.type) for c in rel.columns] == [
        ("nom", "text"), ("double", "numeric"), ("heure", "text")]
    assert rows[0][0] == "agent 1" and rows[0][2] == "10:30"


def test_a_query_with_two_columns_of_the_same_name_is_refused(pg_tables):
    with engine_for(pg_tables.url()).connect() as conn:
        with pytest.raises(ReadError) as error:
            reader.describe_query(conn, "q", "SELECT id, id FROM agents_lecture")
    assert "id" in str(error.value)


def test_dates_python_cannot_hold_come_out_as_postgresql_writes_them(pg_tables):
    with engine_for(pg_tables.url()).connect() as conn:
        rel = reader.describe_table(conn, "dates_extremes")
        rows = [tuple(r) for c in reader.stream(conn, reader.select(rel, order_by=["id"]), 10)
                for r in c]
    assert rows == [(1, "infinity", "-infinity"), (2, "10000-01-01", "0044-03-15 00:00:00 BC"),
                    (3, "2024-02-29", dt.datetime(2024, 2, 29, 10, 0))]


def test_a_statement_running_too_long_is_stopped(pg_tables):
    with engine_for(pg_tables.url(), statement_timeout=1).connect() as conn:
        with pytest.raises(sa.exc.OperationalError) as error:
            conn.exec_driver_sql("SELECT pg_sleep(3)")
    assert "did not answer in time" in str(reader.read_error(error.value))


def test_an_unreachable_server_fails_fast_with_a_clear_message():
    with pytest.raises(sa.exc.OperationalError) as error:
        engine_for("postgresql://u:motdepasse@127.0.0.1:1/x", connect_timeout=2).connect()
    message = str(reader.read_error(error.value))
    assert "cannot be reached" in message and "motdepasse" not in message


def test_sqlite_is_opened_read_only_and_a_missing_file_is_never_created(tmp_path):
    url = sqlite_db(tmp_path / "app.db", "CREATE TABLE t (id integer PRIMARY KEY, nom text)",
                    rows={"t": [(1, "a")]})
    with engine_for(url).connect() as conn:
        with pytest.raises(sa.exc.OperationalError) as error:
            conn.exec_driver_sql("INSERT INTO t VALUES (2, 'b')")
        assert "only reads" in str(reader.read_error(error.value))
    missing = tmp_path / "absente.db"
    with pytest.raises(ReadError) as error:
        engine_for(f"sqlite:///{missing}").connect()
    assert str(missing) in str(error.value) and not missing.exists()
    with pytest.raises(ReadError):
        engine_for("sqlite:///relative.db")


def test_sqlite_values_are_read_as_stored_even_when_malformed(tmp_path):
    url = sqlite_db(tmp_path / "app.db", "CREATE TABLE t (id integer, jour date, nom text)")
    import sqlite3
    conn = sqlite3.connect(tmp_path / "app.db")
    conn.execute("INSERT INTO t VALUES (1, 'pas une date', CAST(X'C3A9FF' AS TEXT))")
    conn.execute("INSERT INTO t VALUES ('deux', '2024-01-31', 'ok')")
    conn.commit()
    conn.close()
    with engine_for(url).connect() as conn:
        rel = reader.describe_table(conn, "t")
        rows = [tuple(r) for c in reader.stream(conn, reader.select(rel), 10) for r in c]
    assert rows == [(1, "pas une date", "é\ufffd"), ("deux", "2024-01-31", "ok")]
