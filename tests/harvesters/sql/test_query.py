"""The check of a configured query, when a source is saved: one plain SELECT or nothing.
Pure: no database."""
from __future__ import annotations

import pytest

from ckanext.internalportal.harvesters.sql.query import QueryError, check_select


@pytest.mark.parametrize("sql", [
    "SELECT * FROM communes",
    "select id, nom from communes;",
    "  WITH t AS (SELECT 1 AS a) SELECT a FROM t ;  ",
    "(SELECT 1) UNION (SELECT 2)",
    "SELECT 'a;b' AS texte, \"update\" FROM t -- un commentaire; DELETE",
    "SELECT /* ; DROP TABLE x */ 1",
    "SELECT $$ ; DELETE FROM t $$ AS s",
    "SELECT $tag$ it's ; $tag$ AS s",
    "SELECT E'it\\'s ; ' AS s",
    "SELECT created_at, updated_by, deleted FROM t WHERE heure = '10:30'",
    "SELECT 'l''apostrophe ; ' FROM t",
])
def test_plain_selects_are_accepted(sql):
    assert check_select(sql).rstrip().endswith(";") is False


@pytest.mark.parametrize("sql, word", [
    ("SELECT 1; DELETE FROM communes", "several statements"),
    ("SELECT 1;; SELECT 2", "several statements"),
    ("DELETE FROM communes", "must start with SELECT"),
    ("EXPLAIN ANALYZE SELECT 1", "must start with SELECT"),
    ("CALL purge()", "must start with SELECT"),
    ("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", "DELETE"),
    ("SELECT * INTO copie FROM communes", "INTO"),
    ("SELECT * FROM communes FOR UPDATE", "UPDATE"),
    ("with x as (select 1) insert into t select * from x", "INSERT"),
    ("SELECT 'non fermé FROM t", "never closed"),
    ("SELECT 1 /* sans fin", "never closed"),
    ("", "empty"),
    ("   ;  ", "must start with SELECT"),
])
def test_anything_but_one_select_is_refused(sql, word):
    with pytest.raises(QueryError) as error:
        check_select(sql)
    assert word in str(error.value)


def test_backslash_escapes_are_read_as_mysql_reads_them():
    # in MySQL, \' does not end a string: the ; is inside it
    assert check_select("SELECT 'a\\'; DROP TABLE t; ' AS s", "mysql")
    # PostgreSQL's standard strings end at the quote: the DROP is a statement
    with pytest.raises(QueryError):
        check_select("SELECT 'a\\'; DROP TABLE t; ' AS s", "postgresql")


def test_the_trailing_semicolon_is_left_out_of_the_query_that_runs():
    assert check_select("SELECT 1 ;\n") == "SELECT 1"
