"""Reading CSV, XLSX, JSON and Parquet files as a share holds them (no CKAN)."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from ckanext.internalportal.harvesters.files import readers
from ckanext.internalportal.harvesters.files.readers import (CsvTable, ReadError, TypeGuesser,
                                                             XlsxWorkbook)

DATA = Path(__file__).parent / "data"


def read_csv(path, **kw):
    with CsvTable(path, **kw) as table:
        return table.columns, list(table.rows), table.malformed


# ------------------------------------------------------------------ CSV

def test_windows_export_in_cp1252_with_semicolons_is_read_with_its_accents():
    table = CsvTable(DATA / "export_windows.csv")
    assert (table.dialect.encoding, table.dialect.delimiter) == ("cp1252", ";")
    columns, rows, malformed = read_csv(DATA / "export_windows.csv")
    assert columns == ["Département", "Libellé", "Montant (€)", "Date de saisie"]
    assert rows == [["75", "Île-de-France – Paris", "1234,50", "03/01/2024"],
                    ["13", "Bouches-du-Rhône", "987,00", "15/02/2024"],
                    ["2A", "Corse-du-Sud", "12,75", ""]]
    assert malformed == []


@pytest.mark.parametrize("encoding,expected", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp1252", "cp1252"), ("utf-16", "utf-16")])
def test_encoding_is_detected(tmp_path, encoding, expected):
    path = tmp_path / "f.csv"
    path.write_bytes("nom,ville\nJosé,Orléans\n".encode(encoding))
    assert readers.detect_encoding(path) == expected
    assert read_csv(path)[:2] == (["nom", "ville"], [["José", "Orléans"]])


def test_utf8_file_whose_first_accent_is_far_down_is_still_utf8(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("a,b\n" + "x,1\n" * 200_000 + "é,2\n", encoding="utf-8")
    assert readers.detect_encoding(path) == "utf-8"
    assert read_csv(path)[1][-1] == ["é", "2"]


@pytest.mark.parametrize("delimiter", [";", ",", "\t", "|"])
def test_delimiter_is_detected(tmp_path, delimiter):
    path = tmp_path / "f.csv"
    lines = [["code", "libellé", "valeur"], ["01", "Ain, le département", "3,5"],
             ["02", "Aisne", "4"]]
    import csv
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, delimiter=delimiter).writerows(lines)
    assert CsvTable(path).dialect.delimiter == delimiter
    assert read_csv(path)[1] == lines[1:]


def test_one_column_file_is_one_column(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("nom\nA\nB\n", encoding="utf-8")
    assert read_csv(path)[:2] == (["nom"], [["A"], ["B"]])


def test_one_column_file_keeps_the_commas_of_its_values(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("commentaire\nBonjour, ceci est un test\nUn, deux\n", encoding="utf-8")
    assert read_csv(path)[:2] == (["commentaire"], [["Bonjour, ceci est un test"],
                                                    ["Un, deux"]])


def test_blank_and_duplicate_headers_get_names_of_their_own(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("montant;;Montant;montant\n1;2;3;4\n", encoding="utf-8")
    assert read_csv(path)[0] == ["montant", "colonne_2", "Montant_2", "montant_3"]


def test_short_rows_are_padded_and_long_rows_set_aside(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("a;b;c\n1;2\n1;2;3;4\n5;6;7\n", encoding="utf-8")
    columns, rows, malformed = read_csv(path)
    assert rows == [["1", "2", ""], ["5", "6", "7"]]
    assert malformed == [3]


def test_quoted_field_over_several_lines_is_one_value(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text('id;commentaire\n1;"ligne un\nligne deux; avec point-virgule"\n',
                    encoding="utf-8")
    assert read_csv(path)[1] == [["1", "ligne un\nligne deux; avec point-virgule"]]


def test_binary_file_named_csv_is_refused(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b"PK\x03\x04\x00\x00binary\x00stuff")
    with pytest.raises(ReadError) as error:
        CsvTable(path)
    assert "f.csv" in error.value.text()


def test_empty_file_is_refused(tmp_path):
    path = tmp_path / "vide.csv"
    path.write_bytes(b"")
    with pytest.raises(ReadError):
        read_csv(path)


# ------------------------------------------------------------------ types

def test_types_are_guessed_from_the_values():
    guesser = TypeGuesser(["n", "x", "code", "d", "t", "s", "b", "vide"])
    rows = [["1", "1,5", "01", "2024-01-03", "2024-01-03T10:00:00", "abc", "true", ""],
            ["-2", "3", "02", "03/01/2024", "2024-01-03", "4", "faux", ""],
            ["", "1e3", "", "", "", "", "", ""]]
    assert list(guesser.watch(rows)) == rows
    types = {c["id"]: (c["type"], c["nullable"]) for c in guesser.dictionary()}
    assert types == {"n": ("integer", True), "x": ("numeric", False),
                     "code": ("text", True), "d": ("date", True),
                     "t": ("timestamp", True), "s": ("text", True),
                     "b": ("boolean", True), "vide": ("text", True)}


# ------------------------------------------------------------------ XLSX

def make_workbook(path):
    from openpyxl import Workbook
    book = Workbook()
    first = book.active
    first.title = "Effectifs"
    first.append(["Service", "Agents", "Date"])
    first.append(["DRH", 12, dt.datetime(2024, 1, 31)])
    first.append(["DSI", 7.0, dt.datetime(2024, 2, 29, 8, 30)])
    first.append([None, None, None])
    first.append(["DAF", 0.1 + 0.2, None])
    second = book.create_sheet("Budget 2024")
    second.append([None])
    second.append(["Poste", "Montant"])
    second.append(["Loyers", 1500.5])
    book.create_sheet("Vide")
    book.save(path)


def test_xlsx_gives_one_table_per_sheet_with_data(tmp_path):
    path = tmp_path / "classeur.xlsx"
    make_workbook(path)
    with XlsxWorkbook(path) as book:
        tables = [(t.name, t.columns, list(t.rows)) for t in book.tables()]
    assert tables == [
        ("Effectifs", ["Service", "Agents", "Date"],
         [["DRH", 12, dt.date(2024, 1, 31)], ["DSI", 7, dt.datetime(2024, 2, 29, 8, 30)],
          ["DAF", 0.3, None]]),
        ("Budget 2024", ["Poste", "Montant"], [["Loyers", 1500.5]]),
    ]


def test_file_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "faux.xlsx"
    path.write_text("ceci n'est pas un classeur", encoding="utf-8")
    with pytest.raises(ReadError) as error:
        with XlsxWorkbook(path):
            pass
    assert "faux.xlsx" in error.value.text()


# ------------------------------------------------------------------ JSON and Parquet

def test_json_table_is_described_by_its_keys(tmp_path):
    path = tmp_path / "f.json"
    path.write_text(json.dumps([{"id": 1, "nom": "A"}, {"id": 2, "nom": None, "x": 1.5}]),
                    encoding="utf-8")
    described = readers.describe_json(readers.read_json(path))
    assert described.rows == 2
    assert [(c["id"], c["type"], c["nullable"]) for c in described.columns] == [
        ("id", "integer", False), ("nom", "text", True), ("x", "numeric", True)]


def test_invalid_json_is_refused(tmp_path):
    path = tmp_path / "f.json"
    path.write_text("{\"a\": ", encoding="utf-8")
    with pytest.raises(ReadError):
        readers.read_json(path)


def test_parquet_is_described_by_its_schema(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq
    path = tmp_path / "f.parquet"
    schema = pa.schema([pa.field("id", pa.int64(), nullable=False), ("nom", pa.string()),
                        ("montant", pa.float64()), ("jour", pa.date32())])
    pq.write_table(pa.table({"id": [1, 2], "nom": ["a", None], "montant": [1.5, 2.0],
                             "jour": [dt.date(2024, 1, 1), None]}, schema=schema), path)
    described = readers.describe_parquet(readers.open_parquet(path))
    assert described.rows == 2
    assert [(c["id"], c["type"], c["nullable"]) for c in described.columns] == [
        ("id", "integer", False), ("nom", "text", True), ("montant", "numeric", True),
        ("jour", "date", True)]


def test_file_that_is_not_parquet_is_refused(tmp_path):
    path = tmp_path / "f.parquet"
    path.write_bytes(b"not parquet at all")
    with pytest.raises(ReadError):
        readers.open_parquet(path)
