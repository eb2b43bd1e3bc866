"""Reading the files of a share: CSV, XLSX, JSON, Parquet. Pure (no CKAN import).

A table (a CSV file or an XLSX sheet) is read as a header and a lazy iterator of rows, never the
whole file in memory, so that the harvester streams it through the personal-data actions into
the stored UTF-8 CSV (``tabular.CsvWriter``). JSON and Parquet files are stored as they are;
what is read here is their description (columns and types for the data dictionary, rows).

Windows exports are the common case on a ministry's shares: CSV in cp1252 with ``;`` between
fields and ``,`` as the decimal mark, often with trailing empty fields. The encoding is settled
by reading the whole file once (a UTF-8 file whose first accented letter comes after the first
megabyte is still UTF-8), the delimiter by parsing a sample with each candidate.

Errors are :class:`ReadError` carrying an English msgid and its values: the harvester shows
them in French (``tk._(msgid).format(**params)``).
"""
from __future__ import annotations

import codecs
import csv
import datetime as _dt
import io
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ckanext.internalportal.lib.i18n import N_

DELIMITERS = (";", ",", "\t", "|")  # ties go to the first: « ; » is Excel's French default
SAMPLE_SIZE = 64 * 1024
_BLOCK = 1 << 20


class ReadError(Exception):
    """A file that cannot be read as its type says: ``msgid`` (English, French in the
    catalogue) and its ``params``."""

    def __init__(self, msgid: str, **params: Any):
        super().__init__(msgid.format(**params))
        self.msgid = msgid
        self.params = params

    def text(self, translate=lambda s: s) -> str:
        return translate(self.msgid).format(**self.params)


# ------------------------------------------------------------------ column types

_INTEGER = re.compile(r"^[+-]?(?:0|[1-9]\d*)$")
_CODE = re.compile(r"^[+-]?0\d+$")  # "01234" (a postcode, a SIREN) is a code, not a number
_NUMERIC = re.compile(r"^[+-]?(?:\d+(?:[.,]\d+)?|[.,]\d+)(?:[eE][+-]?\d+)?$")
_DATE = re.compile(r"^(?:\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4})$")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
                        r"(?:Z|[+-]\d{2}:?\d{2})?$")
_BOOLEAN = {"true", "false", "vrai", "faux"}

# a column's type is the narrowest that all its non-empty values fit
_WIDER = {"integer": "numeric", "boolean": "text", "numeric": "text", "date": "timestamp",
          "timestamp": "text", "json": "text"}


def value_type(value: Any) -> str | None:
    """The type of one value (None for an empty one): integer, numeric, boolean, date,
    timestamp, json or text. Text is read for what it holds (« 3,5 » is numeric)."""
    if value is None:
        return None
    if type(value) is str:  # CSV cells: the common case first
        return text_type(value)
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "numeric"
    if isinstance(value, _dt.datetime):
        return "timestamp"
    if isinstance(value, _dt.date):
        return "date"
    if isinstance(value, (dict, list)):
        return "json"
    return text_type(str(value))


def text_type(value: str) -> str | None:
    text = value.strip()
    if not text:
        return None
    if text.isdigit():  # fast path (isdigit also says yes to « ² »: checked below)
        if text.isascii():
            return "text" if len(text) > 1 and text[0] == "0" else "integer"
    if _CODE.match(text):
        return "text"
    if _INTEGER.match(text):
        return "integer"
    if _NUMERIC.match(text):
        return "numeric"
    if _DATE.match(text):
        return "date"
    if _TIMESTAMP.match(text):
        return "timestamp"
    if text.lower() in _BOOLEAN:
        return "boolean"
    return "text"


def _join(current: str | None, new: str) -> str:
    """The narrowest type holding both (text when they have nothing in common)."""
    if current is None or current == new:
        return new
    for a, b in ((current, new), (new, current)):
        wider = a
        while wider in _WIDER:
            wider = _WIDER[wider]
            if wider == b:
                return b
    return "text"


class TypeGuesser:
    """Watches rows go by (``guesser.watch(rows)`` yields them unchanged) and knows, once
    they are all read, each column's type and whether it had empty values."""

    def __init__(self, columns: Sequence[str]):
        self.columns = list(columns)
        self.types: list[str | None] = [None] * len(self.columns)
        self.nullable = [False] * len(self.columns)

    def watch(self, rows: Iterable[Sequence[Any]]) -> Iterator[Sequence[Any]]:
        types, nullable = self.types, self.nullable
        for row in rows:
            for i, value in enumerate(row):
                if types[i] == "text":  # nothing wider: only emptiness is left to learn
                    if not nullable[i] and (value is None or value == "" or (
                            type(value) is str and not value.strip())):
                        nullable[i] = True
                    continue
                kind = value_type(value)
                if kind is None:
                    nullable[i] = True
                elif types[i] != "text":
                    types[i] = _join(types[i], kind)
            yield row

    def dictionary(self, descriptions: dict | None = None) -> list[dict]:
        """The columns for ``tabular.data_dictionary`` (a column never filled is text)."""
        descriptions = descriptions or {}
        return [{"id": name, "type": kind or "text", "nullable": nullable,
                 "description": descriptions.get(name, "")}
                for name, kind, nullable in zip(self.columns, self.types, self.nullable)]


# ------------------------------------------------------------------ headers

def clean_header(names: Sequence[Any]) -> list[str]:
    """Column names as stored: trimmed, an empty one named after its position
    (« colonne_3 »), a repeated one numbered (« montant_2 »), so that every column keeps a
    name of its own in the CSV and the data dictionary."""
    out: list[str] = []
    seen: set[str] = set()
    for index, name in enumerate(names, start=1):
        text = "" if name is None else str(name).strip()
        if not text:
            text = f"colonne_{index}"
        candidate, n = text, 2
        while candidate.casefold() in seen:
            candidate, n = f"{text}_{n}", n + 1
        seen.add(candidate.casefold())
        out.append(candidate)
    return out


@dataclass
class Table:
    """A table being read: its name (the sheet's, "" for a CSV), columns and lazy rows.
    ``malformed`` counts the rows set aside because they had more values than columns."""
    name: str
    columns: list[str]
    rows: Iterator[list[Any]]
    malformed: list[int] = field(default_factory=list)  # line numbers (1 = header)


# ------------------------------------------------------------------ CSV

def detect_encoding(path: Path) -> str:
    """utf-8-sig (BOM), utf-16 (BOM, Excel's « Unicode text »), utf-8 when the whole file
    decodes, else cp1252 (Windows exports), else latin-1 (which decodes anything)."""
    with open(path, "rb") as f:
        head = f.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        for encoding in ("utf-8", "cp1252"):
            f.seek(0)
            decoder = codecs.getincrementaldecoder(encoding)()
            try:
                for block in iter(lambda: f.read(_BLOCK), b""):
                    decoder.decode(block)
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                continue
            return encoding
    return "latin-1"


def _sample(path: Path, encoding: str) -> tuple[str, bool]:
    """The first SAMPLE_SIZE characters, and whether that is the whole file."""
    with open(path, encoding=encoding, newline="") as f:
        text = f.read(SAMPLE_SIZE)
        whole = not f.read(1)
    return text, whole


def detect_delimiter(sample: str, whole: bool = True) -> str:
    """The delimiter that splits the sample into the most consistent rows of two fields or
    more: for each candidate the sample is parsed (quotes respected) and scored by the share
    of rows that have as many fields as the header, then by that number of fields."""
    # a file of one column: a delimiter it never holds, so that its commas stay in the values
    best = next((d for d in (",",) + DELIMITERS if d not in sample), ",")
    best_score = (0.0, 0)
    for delimiter in DELIMITERS:
        try:
            rows = [r for r in csv.reader(io.StringIO(sample), delimiter=delimiter) if any(r)]
        except csv.Error:
            continue
        if not whole and len(rows) > 1:
            rows = rows[:-1]  # the sample may end in the middle of a row
        width = _width(rows[0]) if rows else 0
        if width < 2:
            continue
        rows = rows[:200]
        consistent = sum(1 for r in rows if _width(r) == width) / len(rows)
        score = (consistent, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _width(row: Sequence[str]) -> int:
    """A row's number of fields, trailing empty ones left out (« a;b;; » from Excel is two
    fields wide)."""
    n = len(row)
    while n > 0 and not row[n - 1].strip():
        n -= 1
    return n


def _fit(values: list[str], width: int) -> list[str] | None:
    """A row fitted to the header: padded when short (Excel drops trailing empty fields),
    trailing empty fields cut; None when it holds more values than there are columns."""
    if len(values) == width:
        return values
    if len(values) < width:
        return values + [""] * (width - len(values))
    if any(v.strip() for v in values[width:]):
        return None
    return values[:width]


@dataclass
class CsvDialect:
    encoding: str
    delimiter: str


def sniff_csv(path: Path, encoding: str | None = None, delimiter: str | None = None
              ) -> CsvDialect:
    """The file's encoding and delimiter (those given win). A file holding NUL bytes is not
    text: ReadError."""
    path = Path(path)
    with open(path, "rb") as f:
        head = f.read(SAMPLE_SIZE)
    encoding = encoding or detect_encoding(path)
    if b"\x00" in head and not encoding.startswith("utf-16"):
        raise ReadError(N_("“{file}” is not a text file: it cannot be read as CSV."),
                        file=path.name)
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ReadError(N_("Unknown encoding “{encoding}” for “{file}”."),
                        encoding=encoding, file=path.name) from None
    if not delimiter:
        sample, whole = _sample(path, encoding)
        delimiter = detect_delimiter(sample, whole)
    return CsvDialect(encoding=encoding, delimiter=delimiter)


class CsvTable:
    """``with CsvTable(path) as table:`` the file as a :class:`Table`, read as it is used."""

    def __init__(self, path: Path, encoding: str | None = None, delimiter: str | None = None):
        self.path = Path(path)
        self.dialect = sniff_csv(self.path, encoding, delimiter)
        self._file = None

    def __enter__(self) -> Table:
        self._file = open(self.path, encoding=self.dialect.encoding, newline="",
                          errors="strict")
        reader = csv.reader(self._file, delimiter=self.dialect.delimiter)
        try:
            header = next((r for r in reader if any(v.strip() for v in r)), None)
        except (csv.Error, UnicodeDecodeError) as error:
            raise self._error(reader, error) from None
        if header is None:
            raise ReadError(N_("“{file}” is empty: no header row."), file=self.path.name)
        width = _width(header) or 1
        table = Table(name="", columns=clean_header(header[:width]), rows=iter(()))
        table.rows = self._rows(reader, width, table)
        return table

    def _rows(self, reader, width: int, table: Table) -> Iterator[list[str]]:
        try:
            for values in reader:
                if not any(v.strip() for v in values):
                    continue
                row = _fit(values, width)
                if row is None:
                    table.malformed.append(reader.line_num)
                    continue
                yield row
        except (csv.Error, UnicodeDecodeError) as error:
            raise self._error(reader, error) from None

    def _error(self, reader, error) -> ReadError:
        return ReadError(N_("“{file}” cannot be read as CSV (line {line}): {error}"),
                         file=self.path.name, line=reader.line_num, error=error)

    def __exit__(self, *exc) -> None:
        if self._file is not None:
            self._file.close()


# ------------------------------------------------------------------ XLSX

def _needs(package: str, kind: str) -> None:
    """The optional library a format needs (openpyxl, pyarrow): a clear error without it."""
    import importlib.util
    if importlib.util.find_spec(package) is None:
        raise ReadError(N_("Reading {kind} files needs the Python package “{package}”, which "
                           "is not installed on the portal's server."),
                        kind=kind, package=package)


def xlsx_cell(value: Any) -> Any:
    """An Excel value as the CSV shows it: a whole number without « .0 », floats to Excel's
    15 significant digits (no « 0.30000000000000004 »), a date at midnight as a date."""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return int(value)
        return float(f"{value:.15g}")
    if isinstance(value, _dt.datetime) and value.time() == _dt.time(0):
        return value.date()
    if isinstance(value, str):
        return value
    return value


class XlsxWorkbook:
    """``with XlsxWorkbook(path) as book: for table in book.tables(): ...`` one
    :class:`Table` per worksheet that holds a header row (empty sheets are skipped), read in
    openpyxl's read-only mode (rows streamed from the file)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._book = None

    def __enter__(self) -> "XlsxWorkbook":
        import zipfile

        _needs("openpyxl", "XLSX")
        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException
        try:
            self._book = load_workbook(self.path, read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
            raise ReadError(N_("“{file}” cannot be read as an Excel workbook (XLSX): {error}"),
                            file=self.path.name, error=e) from None
        return self

    @property
    def sheet_names(self) -> list[str]:
        return [ws.title for ws in self._book.worksheets]

    def tables(self) -> Iterator[Table]:
        for sheet in self._book.worksheets:
            table = self._table(sheet)
            if table is not None:
                yield table

    def _table(self, sheet) -> Table | None:
        # the dimensions some exporters write are wrong (« A1 »): read the cells there are
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True)
        header = None
        line = 0
        for values in rows:
            line += 1
            if any(v is not None and str(v).strip() for v in values):
                header = list(values)
                break
        if header is None:
            return None
        while header and (header[-1] is None or not str(header[-1]).strip()):
            header.pop()
        width = len(header)
        table = Table(name=sheet.title, columns=clean_header(header), rows=iter(()))

        def body() -> Iterator[list[Any]]:
            number = line
            for values in rows:
                number += 1
                values = [xlsx_cell(v) for v in values]
                if not any(v is not None and v != "" for v in values):
                    continue
                if len(values) > width and any(v is not None and v != ""
                                               for v in values[width:]):
                    table.malformed.append(number)
                    continue
                yield (values + [None] * (width - len(values)))[:width]

        table.rows = body()
        return table

    def __exit__(self, *exc) -> None:
        if self._book is not None:
            self._book.close()


# ------------------------------------------------------------------ JSON

@dataclass
class Described:
    """What is known of a file stored as it is: its columns (for the data dictionary, empty
    when it is not a table) and its number of rows (records)."""
    columns: list[dict]
    rows: int


JSON_PARSE_LIMIT = 256 * 1024 * 1024  # bigger: stored as it is, not parsed (memory)


def read_json(path: Path) -> Any:
    """The JSON document (ReadError when it is not JSON)."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8-sig") as f:
            return json.load(f)
    except UnicodeDecodeError:
        raise ReadError(N_("“{file}” is not UTF-8 JSON."), file=path.name) from None
    except ValueError as error:
        raise ReadError(N_("“{file}” is not valid JSON: {error}"),
                        file=path.name, error=error) from None


def json_records(document: Any) -> list[dict] | None:
    """The records of a JSON table (a list of objects), or None."""
    if isinstance(document, list) and document and all(isinstance(r, dict) for r in document):
        return document
    return None


def describe_json(document: Any) -> Described:
    records = json_records(document)
    if records is None:
        return Described(columns=[], rows=len(document) if isinstance(document, list) else 1)
    names: dict[str, None] = {}
    for record in records:
        for key in record:
            names.setdefault(str(key), None)
    columns = list(names)
    guesser = TypeGuesser(columns)
    for _ in guesser.watch([record.get(name) for name in columns] for record in records):
        pass
    return Described(columns=guesser.dictionary(), rows=len(records))


# ------------------------------------------------------------------ Parquet

def arrow_type(arrow) -> str:
    """An Arrow type in the data dictionary's words (the Arrow name when it has none)."""
    import pyarrow.types as t
    if t.is_boolean(arrow):
        return "boolean"
    if t.is_integer(arrow):
        return "integer"
    if t.is_floating(arrow) or t.is_decimal(arrow):
        return "numeric"
    if t.is_timestamp(arrow) or t.is_date64(arrow):
        return "timestamp"
    if t.is_date(arrow):
        return "date"
    if t.is_string(arrow) or t.is_large_string(arrow) or t.is_dictionary(arrow):
        return "text"
    return str(arrow)


def open_parquet(path: Path):
    _needs("pyarrow", "Parquet")
    import pyarrow as pa
    import pyarrow.parquet as pq
    path = Path(path)
    try:
        return pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as error:
        raise ReadError(N_("“{file}” cannot be read as Parquet: {error}"),
                        file=path.name, error=error) from None


def describe_parquet(parquet_file) -> Described:
    schema = parquet_file.schema_arrow
    columns = [{"id": f.name, "type": arrow_type(f.type), "nullable": f.nullable,
                "description": (f.metadata or {}).get(b"description", b"").decode("utf-8")}
               for f in schema]
    return Described(columns=columns, rows=parquet_file.metadata.num_rows)
