"""One file of the share as the resources CKAN stores. No CKAN call: errors are ReadError
(msgids), descriptions translated by the caller's ``translate`` (``tk._``).

What is stored, and why:

- a CSV file or an XLSX sheet becomes a UTF-8, comma-separated CSV with a header row
  (``tabular.CsvWriter``, streamed), whatever the encoding and delimiter of the original, with
  its data dictionary (columns, guessed types, empty values, descriptions from the sidecar);
  one resource per sheet. The original file is not stored next to it: it may hold the
  personal columns that were dropped or hashed, and the CSV holds every value it had;
- a JSON or Parquet file is stored as it is (a copy: the share is never written to), with a
  data dictionary when it is a table (a list of records; Parquet's schema). When personal
  columns are declared, the file is rewritten with the actions applied — a JSON document
  that is not a list of records cannot be, and is refused rather than stored raw.

Personal columns match the file's columns whatever their case and surrounding spaces
(« Code postal » in the file, ``code postal`` in the sidecar): a near miss must not let raw
values through.
"""
from __future__ import annotations

import json
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ckanext.internalportal.harvesters import personal, tabular
from ckanext.internalportal.harvesters.base import Resource
from ckanext.internalportal.harvesters.files import readers
from ckanext.internalportal.harvesters.files.readers import ReadError
from ckanext.internalportal.lib.i18n import N_

FORMATS = {
    "csv": ("CSV", "text/csv"),
    "json": ("JSON", "application/json"),
    "parquet": ("PARQUET", "application/vnd.apache.parquet"),
}
PARQUET_BATCH = 65_536


@dataclass
class Converted:
    """The resources of one file, how many rows they hold, and the personal columns that
    were found in it (what the dataset's ``personal_data`` follows)."""
    resources: list[Resource] = field(default_factory=list)
    rows: int = 0
    personal: dict[str, str] = field(default_factory=dict)


@dataclass
class Settings:
    """What the conversion of one file needs from its merged settings."""
    name: str                     # the resource name (file name, or the sidecar's title)
    key: str                      # the resource key ("" in a dataset of one file)
    personal_columns: Mapping[str, str] = field(default_factory=dict)
    columns: Mapping[str, str] = field(default_factory=dict)  # column -> description
    encoding: str | None = None
    delimiter: str | None = None
    max_malformed_rows: int = 0
    description: str = ""


def resolve(actions: Mapping[str, str] | None, columns: Sequence[str]) -> dict[str, str]:
    """The personal actions keyed by the file's own column names (case and spaces aside)."""
    wanted = {str(k).strip().casefold(): v for k, v in (actions or {}).items()}
    return {c: wanted[c.strip().casefold()] for c in columns if c.strip().casefold() in wanted}


def convert(path: Path, kind: str, settings: Settings, workdir: Path, *,
            key: bytes | None, translate=lambda s: s) -> Converted:
    """The resources of the file ``path``: a copy in ``workdir`` (the plugin's snapshot,
    which may be handed to base as it is) or any file, which is then copied."""
    convert_kind = {"csv": _csv, "xlsx": _xlsx, "json": _json, "parquet": _parquet}[kind]
    return convert_kind(Path(path), settings, Path(workdir), key, translate)


def _key(settings: Settings, part: str = "") -> str:
    if settings.key and part:
        return f"{settings.key}#{part}"
    return settings.key or part or "data"


def _new_file(workdir: Path, suffix: str) -> Path:
    return workdir / f"{len(list(workdir.iterdir())) + 1}{suffix}"


# ------------------------------------------------------------------ tables -> CSV

def _table(table: readers.Table, settings: Settings, workdir: Path, key, translate,
           *, res_key: str, name: str, description: str, converted: Converted) -> Resource:
    actions = resolve(settings.personal_columns, table.columns)
    try:
        columns, rows = personal.apply(table.columns, table.rows, actions, key)
    except personal.PersonalDataError as error:
        raise ReadError(str(error)) from None
    guesser = readers.TypeGuesser(columns)
    out = _new_file(workdir, ".csv")
    with tabular.CsvWriter(out) as writer:
        writer.write_header(columns)
        writer.write_rows(guesser.watch(rows))
    count, digest = writer.close()
    if len(table.malformed) > settings.max_malformed_rows:
        raise ReadError(N_("“{file}”: lines {lines} have more values than there are columns "
                           "({count} in all); nothing was imported from it. Correct the file, "
                           "or set “max_malformed_rows” in the source's configuration to "
                           "import the other rows."), file=name, count=len(table.malformed),
                        lines=_lines(table.malformed))
    if table.malformed:
        description = "\n\n".join(filter(None, [description, translate(N_(
            "Lines set aside, with more values than there are columns: {lines} ({count} in "
            "all)."))
            .format(count=len(table.malformed), lines=_lines(table.malformed))]))
    converted.rows += count
    converted.personal.update(actions)
    return Resource(key=res_key, name=name, format="CSV", mimetype="text/csv", path=out,
                    hash=digest, description=description,
                    extras={"data_dictionary": tabular.data_dictionary(
                        guesser.dictionary(dict(settings.columns)))})


def _lines(numbers: Sequence[int], shown: int = 10) -> str:
    text = ", ".join(str(n) for n in numbers[:shown])
    return text + (", …" if len(numbers) > shown else "")


def _csv(path: Path, settings: Settings, workdir: Path, key, translate) -> Converted:
    converted = Converted()
    with readers.CsvTable(path, settings.encoding, settings.delimiter) as table:
        converted.resources.append(_table(
            table, settings, workdir, key, translate, res_key=_key(settings),
            name=settings.name, description=settings.description, converted=converted))
    return converted


def _xlsx(path: Path, settings: Settings, workdir: Path, key, translate) -> Converted:
    converted = Converted()
    stem = Path(settings.name).stem if settings.name.lower().endswith((".xlsx", ".xlsm")) \
        else settings.name
    with readers.XlsxWorkbook(path) as book:
        for table in book.tables():
            description = translate(N_("Sheet “{sheet}” of the workbook “{file}”.")).format(
                sheet=table.name, file=path.name)
            if settings.description:
                description = settings.description + "\n\n" + description
            converted.resources.append(_table(
                table, settings, workdir, key, translate, res_key=_key(settings, table.name),
                name=f"{stem} – {table.name}", description=description, converted=converted))
    if not converted.resources:
        raise ReadError(N_("The workbook “{file}” has no sheet with data."), file=path.name)
    return converted


# ------------------------------------------------------------------ stored as they are

def _stored(path: Path, settings: Settings, kind: str, columns: list[dict], rows: int,
            converted: Converted) -> Converted:
    fmt, mimetype = FORMATS[kind]
    described = {c["id"]: c for c in columns}
    for name, text in dict(settings.columns).items():
        if name in described and not described[name].get("description"):
            described[name]["description"] = text
    extras = {"data_dictionary": tabular.data_dictionary(columns)} if columns else {}
    converted.rows += rows
    converted.resources.append(Resource(
        key=_key(settings), name=settings.name, format=fmt, mimetype=mimetype, path=path,
        hash=tabular.file_hash(path), description=settings.description, extras=extras))
    return converted


def _copy(path: Path, workdir: Path) -> Path:
    """The file as base may move it into the FileStore: ``path`` itself when it is already a
    copy in the work folder (the plugin's snapshot), else a copy (the share is never moved
    from nor written to)."""
    if workdir in path.parents:
        return path
    out = _new_file(workdir, path.suffix.lower())
    shutil.copyfile(path, out)
    return out


def _json(path: Path, settings: Settings, workdir: Path, key, translate) -> Converted:
    converted = Converted()
    if path.stat().st_size > readers.JSON_PARSE_LIMIT and not settings.personal_columns:
        return _stored(_copy(path, workdir), settings, "json", [], 0, converted)
    document = readers.read_json(path)
    records = readers.json_records(document)
    names = list(dict.fromkeys(k for r in records for k in r)) if records else []
    actions = resolve(settings.personal_columns, names)
    if settings.personal_columns and records is None:
        raise ReadError(N_("Personal columns are declared for “{file}”, but it is not a list "
                           "of records: they cannot be removed, and the file is not stored."),
                        file=path.name)
    if actions:
        try:
            document = [_record(r, actions, key) for r in records]
        except personal.PersonalDataError as error:
            raise ReadError(str(error)) from None
        out = _new_file(workdir, ".json")
        with open(out, "w", encoding="utf-8") as f:
            json.dump(document, f, ensure_ascii=False)
        converted.personal.update(actions)
    else:
        out = _copy(path, workdir)
    described = readers.describe_json(document)
    return _stored(out, settings, "json", described.columns, described.rows, converted)


def _record(record: dict, actions: dict[str, str], key) -> dict:
    columns = list(record)
    kept, rows = personal.apply(columns, [list(record.values())], actions, key)
    return dict(zip(kept, next(rows)))


def _parquet(path: Path, settings: Settings, workdir: Path, key, translate) -> Converted:
    converted = Converted()
    source = readers.open_parquet(path)
    actions = resolve(settings.personal_columns, source.schema_arrow.names)
    if actions:
        out = _new_file(workdir, ".parquet")
        try:
            _rewrite_parquet(source, out, actions, key)
        except personal.PersonalDataError as error:
            raise ReadError(str(error)) from None
        converted.personal.update(actions)
    else:
        out = _copy(path, workdir)
    described = readers.describe_parquet(readers.open_parquet(out))
    return _stored(out, settings, "parquet", described.columns, described.rows, converted)


def _rewrite_parquet(source, out: Path, actions: dict[str, str], key) -> None:
    """The Parquet file with its personal columns dropped, hashed or generalised (as text),
    batch by batch."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    schema = source.schema_arrow
    fields = [pa.field(f.name, pa.string()) if actions.get(f.name) else f
              for f in schema if actions.get(f.name) != "drop"]
    out_schema = pa.schema(fields)
    with pq.ParquetWriter(out, out_schema) as writer:
        for batch in source.iter_batches(batch_size=PARQUET_BATCH):
            arrays = []
            for index, name in enumerate(batch.schema.names):
                action = actions.get(name)
                if action == "drop":
                    continue
                column = batch.column(index)
                if action:
                    _, rows = personal.apply([name], ([v] for v in column.to_pylist()),
                                             {name: action}, key)
                    column = pa.array([r[0] for r in rows], type=pa.string())
                arrays.append(column)
            writer.write_table(pa.Table.from_arrays(arrays, schema=out_schema))
