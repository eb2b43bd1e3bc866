"""Tables as CSV files: what the harvesters store in CKAN's FileStore, and the data dictionary
shown on the resource page. Pure (no CKAN import).

A stored CSV is UTF-8, comma-separated, with a header row: what a spreadsheet, pandas and
CKAN's DataStore loaders all read without a setting. Rows are written as they come (an
iterator of chunks), never held in memory, and hashed as they are written: the hash says
whether the data changed since the last harvest (same hash: no new version).
"""
from __future__ import annotations

import csv
import datetime as _dt
import decimal
import hashlib
import io
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

HASH_PREFIX = "sha256:"


def cell(value: Any) -> Any:
    """A value as the CSV shows it: ISO dates, plain decimals, no ``None``."""
    if value is None:
        return ""
    if isinstance(value, _dt.datetime | _dt.date | _dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


_AS_IS = frozenset((str, int, float))
_BY_TYPE = {type(None): lambda v: "", _dt.datetime: _dt.datetime.isoformat,
            _dt.date: _dt.date.isoformat, _dt.time: _dt.time.isoformat,
            decimal.Decimal: lambda v: format(v, "f"),
            bool: lambda v: "true" if v else "false"}


class _HashingFile(io.RawIOBase):
    def __init__(self, raw, digest):
        self._raw, self._digest = raw, digest

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._digest.update(data)
        return self._raw.write(data)


class CsvWriter:
    """``with CsvWriter(path) as out: out.write_header(cols); out.write_rows(rows)``, then
    ``out.rows`` and ``out.hash`` (``sha256:<hex>`` of the file's bytes). ``append=True``
    adds rows to an existing file (no header), the hash then covering the whole file."""

    def __init__(self, path: Path | str, *, append: bool = False):
        self.path = Path(path)
        self.rows = 0
        self._digest = hashlib.sha256()
        if append and self.path.exists():
            with open(self.path, "rb") as previous:
                for block in iter(lambda: previous.read(1 << 20), b""):
                    self._digest.update(block)
        self._raw = open(self.path, "ab" if append else "wb")
        self._binary = io.BufferedWriter(_HashingFile(self._raw, self._digest), 1 << 16)
        self._text = io.TextIOWrapper(self._binary, encoding="utf-8", newline="")
        self._csv = csv.writer(self._text, lineterminator="\n")
        self.hash: str | None = None

    def write_header(self, columns: Sequence[str]) -> None:
        self._csv.writerow([str(c) for c in columns])

    def write_rows(self, rows: Iterable[Sequence[Any]]) -> int:
        """Writes ``rows``; returns how many. The hot loop of a harvest (every value of
        every row): plain values go through as they are, the others by their type."""
        count = 0

        def formatted(row: Sequence[Any]) -> list[Any]:
            nonlocal count
            count += 1
            return [v if type(v) in _AS_IS else _BY_TYPE.get(type(v), cell)(v) for v in row]

        self._csv.writerows(map(formatted, rows))
        self.rows += count
        return count

    def close(self) -> tuple[int, str]:
        if self.hash is None:
            self._text.flush()
            self._text.detach()
            self._binary.flush()
            self._raw.close()
            self.hash = HASH_PREFIX + self._digest.hexdigest()
        return self.rows, self.hash

    def __enter__(self) -> "CsvWriter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def file_hash(path: Path | str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return HASH_PREFIX + digest.hexdigest()


def data_dictionary(columns: Iterable[dict]) -> str:
    """The resource's ``data_dictionary`` field: a JSON list of
    ``{"id", "type", "nullable", "description"}`` (``description`` from the source's own
    comments), the columns in the file's order."""
    out = []
    for column in columns:
        out.append({
            "id": str(column["id"]),
            "type": str(column.get("type") or ""),
            "nullable": bool(column.get("nullable", True)),
            "description": str(column.get("description") or ""),
        })
    return json.dumps(out, ensure_ascii=False)


def read_data_dictionary(value: Any) -> list[dict]:
    """The columns of a resource's ``data_dictionary`` (empty when absent or not JSON)."""
    if isinstance(value, list):
        return value
    try:
        parsed = json.loads(value) if isinstance(value, str) and value else []
    except ValueError:
        return []
    return parsed if isinstance(parsed, list) else []


# SQL type names (as the reader gives them: SQLAlchemy's, or PostgreSQL's for a query) -> the
# DataStore's column types, by the type's first word; anything else is text
_DATASTORE_TYPES = {
    "smallint": "int", "int2": "int", "integer": "int", "int": "int", "int4": "int",
    "mediumint": "int", "tinyint": "int", "bigint": "int8", "int8": "int8",
    "serial": "int", "bigserial": "int8",
    "numeric": "numeric", "decimal": "numeric", "number": "numeric", "money": "numeric",
    "real": "float8", "float": "float8", "float4": "float8", "float8": "float8",
    "double": "float8", "double_precision": "float8",
    "boolean": "bool", "bool": "bool",
    "date": "date", "time": "time",
    "timestamp": "timestamp", "datetime": "timestamp", "timestamptz": "timestamp",
    "json": "json", "jsonb": "json",
}


def datastore_type(sql_type: str) -> str:
    """The DataStore type of a column of SQL type ``sql_type`` (``INTEGER`` → ``int``,
    ``NUMERIC(10, 2)`` → ``numeric``, ``TIMESTAMP WITHOUT TIME ZONE`` → ``timestamp``,
    ``VARCHAR(80)`` → ``text``)."""
    words = str(sql_type or "").strip().lower().replace("(", " ").split()
    if not words:
        return "text"
    if words[0] == "double" and len(words) > 1 and words[1] == "precision":
        return "float8"
    return _DATASTORE_TYPES.get(words[0], "text")


def datastore_fields(columns: Iterable[dict]) -> list[dict]:
    """The DataStore fields of a data dictionary's columns (``id``, ``type``), in order."""
    return [{"id": str(c["id"]), "type": datastore_type(c.get("type") or "")}
            for c in columns]


def csv_records(path: Path | str, chunk: int = 5000) -> Iterable[list[dict]]:
    """The rows of a stored CSV as DataStore records, ``chunk`` at a time; an empty cell is
    ``None`` (SQL NULL: the CSV writes it empty)."""
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader, None) or []
        batch: list[dict] = []
        for row in reader:
            batch.append({name: (value if value != "" else None)
                          for name, value in zip(header, row)})
            if len(batch) >= chunk:
                yield batch
                batch = []
        if batch:
            yield batch
