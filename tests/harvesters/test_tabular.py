"""The CSV files the harvesters store (harvesters/tabular.py)."""
from __future__ import annotations

import csv
import datetime as dt
import decimal
import json

import pytest

from ckanext.internalportal.harvesters import tabular


def test_the_csv_is_utf8_with_a_header_and_iso_values(tmp_path):
    path = tmp_path / "t.csv"
    with tabular.CsvWriter(path) as out:
        out.write_header(["commune", "population", "date", "vide"])
        out.write_rows([["Saint-Étienne", decimal.Decimal("172565.0"), dt.date(2024, 1, 1), None],
                        ["L'Haÿ-les-Roses, Val-de-Marne", 31000, dt.datetime(2024, 1, 2, 3, 4), ""]])
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows == [["commune", "population", "date", "vide"],
                    ["Saint-Étienne", "172565.0", "2024-01-01", ""],
                    ["L'Haÿ-les-Roses, Val-de-Marne", "31000", "2024-01-02T03:04:00", ""]]
    assert out.rows == 2


def test_the_hash_is_the_file_s_and_changes_with_the_data(tmp_path):
    def write(name, rows):
        with tabular.CsvWriter(tmp_path / name) as out:
            out.write_header(["a"])
            out.write_rows(rows)
        return out.hash
    first, same, other = write("1.csv", [[1], [2]]), write("2.csv", [[1], [2]]), write("3.csv", [[1], [3]])
    assert first == same != other
    assert first == tabular.file_hash(tmp_path / "1.csv")


def test_appending_keeps_the_old_rows_and_hashes_the_whole_file(tmp_path):
    path = tmp_path / "t.csv"
    with tabular.CsvWriter(path) as out:
        out.write_header(["a"])
        out.write_rows([[1]])
    with tabular.CsvWriter(path, append=True) as more:
        more.write_rows([[2], [3]])
    assert path.read_text(encoding="utf-8") == "a\n1\n2\n3\n"
    assert more.hash == tabular.file_hash(path)


def test_the_data_dictionary_lists_the_columns_in_order():
    text = tabular.data_dictionary([{"id": "code", "type": "VARCHAR(5)", "nullable": False,
                                     "description": "Code Insee"}, {"id": "nom"}])
    assert json.loads(text) == [
        {"id": "code", "type": "VARCHAR(5)", "nullable": False, "description": "Code Insee"},
        {"id": "nom", "type": "", "nullable": True, "description": ""}]
    assert tabular.read_data_dictionary(text)[0]["id"] == "code"
    assert tabular.read_data_dictionary("pas du json") == []


@pytest.mark.parametrize("sql_type, expected", [
    ("INTEGER", "int"), ("int4", "int"), ("BIGINT", "int8"), ("NUMERIC(10, 2)", "numeric"),
    ("DOUBLE PRECISION", "float8"), ("REAL", "float8"), ("BOOLEAN", "bool"), ("DATE", "date"),
    ("TIMESTAMP WITHOUT TIME ZONE", "timestamp"), ("timestamptz", "timestamp"),
    ("VARCHAR(80)", "text"), ("CHAR(5)", "text"), ("text", "text"), ("uuid", "text"), ("", "text"),
])
def test_sql_types_become_datastore_types(sql_type, expected):
    assert tabular.datastore_type(sql_type) == expected


def test_csv_records_read_empty_cells_as_null(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,\n,x\n3,y\n", encoding="utf-8")
    assert list(tabular.csv_records(path, chunk=2)) == [
        [{"a": "1", "b": None}, {"a": None, "b": "x"}], [{"a": "3", "b": "y"}]]
