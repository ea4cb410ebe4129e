"""Tables as corpora: CSV, TSV, JSONL/NDJSON, a JSON array, Excel .xlsx and Parquet, one document per row.

:func:`read_table` streams a table file as chunks of :class:`TableRecord` (one per row, in file
order), so a large table is never held in memory whole: CSV/TSV are read by the :mod:`csv` module
from a decoding text stream, JSONL line by line, ``.xlsx`` by openpyxl in read-only mode and
Parquet by pyarrow in record batches (only a JSON array is parsed whole; JSON has no streaming form
in the standard library).  A row that cannot be parsed (a broken JSONL line, a CSV row with the
wrong number of fields) is a record with reason ``bad_row``; the rows around it are used.

:class:`TableColumns` maps the table's column names to the roles ``text`` (required), ``doc_id``,
``date``, ``title``, ``source`` and any number of ``facets``.  A mapped column missing from the
table stops the run (:class:`TableError`, one line naming the column and listing the columns
present); a file that its reader cannot open at all is one record with reason ``unreadable``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..files import CorpusError
from .dates import parse_date
from .decode import decode_bytes

# Rows per chunk: what is held in memory at a time (and handed to the workers at once).
CHUNK_ROWS = 1000
# Bytes sampled to detect a text table's encoding.
ENCODING_SAMPLE = 1 << 20
ROLES = ("text", "doc_id", "date", "title", "source")
# Excel's day 0 (serial dates count days from here; 1900's phantom 29 February lies before 1 March 1900).
_EXCEL_EPOCH = dt.date(1899, 12, 30)
# Serial numbers read as Excel dates: 10000 is 1927-05-18, 2958465 is 9999-12-31.  Smaller integers
# are years (1000-9999) or nothing.
_EXCEL_SERIAL_RANGE = (10000, 2958465)
_TIME_SUFFIX = re.compile(r"(?:[T\s]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?)$")


class TableError(CorpusError):
    """A table cannot serve as a corpus at all (a mapped column is missing, the layout is not a table)."""


@dataclass(frozen=True)
class TableColumns:
    """Which table columns hold a document's text, id, date, title, source and facets."""

    text: str
    doc_id: str | None = None
    date: str | None = None
    title: str | None = None
    source: str | None = None
    facets: tuple[str, ...] = ()

    @classmethod
    def from_config(cls, mapping: Mapping | None) -> TableColumns:
        """The ``corpus.columns`` config section (``text`` required; the schema checks the keys).

        Raises
        ------
        TableError
            If ``text`` is not given.
        """
        mapping = dict(mapping or {})
        if not mapping.get("text"):
            raise TableError(
                "config key 'corpus.columns.text' is missing: name the table column that holds the "
                "article text, e.g. corpus: {columns: {text: content}}"
            )
        facets = tuple(str(f) for f in mapping.get("facets") or ())
        return cls(
            text=str(mapping["text"]),
            doc_id=_optional(mapping.get("doc_id")),
            date=_optional(mapping.get("date")),
            title=_optional(mapping.get("title")),
            source=_optional(mapping.get("source")),
            facets=facets,
        )

    def mapped(self) -> list[tuple[str, str]]:
        """``(role, column)`` for every mapped column; facets have the role ``facet:<column>``."""
        pairs = [(role, getattr(self, role)) for role in ROLES if getattr(self, role)]
        return pairs + [(f"facet:{name}", name) for name in self.facets]


def _optional(value) -> str | None:
    return str(value) if value not in (None, "") else None


@dataclass
class TableRecord:
    """One row of a table: its place, its mapped values as text, or the reason it has none.

    ``where`` is how the ledger's ``file`` column names the row: ``reports.csv:row 7`` (for CSV,
    TSV and .xlsx counted as a spreadsheet shows them, the header being row 1; for Parquet and a
    JSON array from 1) or ``reports.jsonl:line 7``.  ``values`` maps the roles of
    :class:`TableColumns` (facets as ``facet:<column>``) to strings, except ``date``, which keeps
    the cell's own value (a number, a date) for :func:`table_date`.
    """

    where: str
    values: dict = field(default_factory=dict)
    reason: str = ""
    detail: str = ""


@dataclass(frozen=True)
class TableFile:
    """What :func:`read_table` learnt about the file as a whole."""

    path: Path
    encoding: str = ""
    columns: tuple[str, ...] = ()


# --- dates ---------------------------------------------------------------------------------------


def table_date(value) -> tuple[str, int] | None | str:
    """Parse a date cell; ``(iso_date, year)``, ``""`` for an empty cell, ``None`` if unparseable.

    Accepted: ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` (also with ``/`` or ``.``, and a time of day
    after it), ``2024年3月5日``, integers (1000-9999 a year, ``20240305`` a day, 10000-2958465
    an Excel serial date), and date or datetime values (Excel dates, Parquet dates and timestamps).
    """
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat(), value.year
    if isinstance(value, dt.date):
        return value.isoformat(), value.year
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if not value.is_integer():
            return None
        value = int(value)
    if isinstance(value, int):
        return _integer_date(value)
    text = str(value).strip()
    if not text:
        return ""
    if re.fullmatch(r"\d+(?:\.0+)?", text):
        return _integer_date(int(float(text)))
    text = _TIME_SUFFIX.sub("", text)
    return parse_date(text)


def _integer_date(value: int) -> tuple[str, int] | None:
    if 1000 <= value <= 9999:
        return f"{value:04d}", value
    if 10_000_000 <= value <= 99_991_231:  # YYYYMMDD
        parsed = parse_date(f"{value // 10000}-{value // 100 % 100}-{value % 100}")
        if parsed and len(parsed[0]) == 10:
            return parsed
    if _EXCEL_SERIAL_RANGE[0] <= value <= _EXCEL_SERIAL_RANGE[1]:
        day = _EXCEL_EPOCH + dt.timedelta(days=value)
        return day.isoformat(), day.year
    return None


# --- cell values ---------------------------------------------------------------------------------


def cell_text(value) -> str:
    """A cell as text: ``""`` for empty cells and NaN, ``2026`` for the float 2026.0, ISO dates."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def _values(get, columns: TableColumns) -> dict:
    """The mapped values of one row; ``get(column)`` returns the cell (None if absent)."""
    values = {}
    for role, column in columns.mapped():
        cell = get(column)
        values[role] = cell if role == "date" else cell_text(cell)
    return values


def _check_columns(path: Path, present, columns: TableColumns) -> None:
    present = list(present)
    for role, column in columns.mapped():
        if column not in present:
            key = "facets" if role.startswith("facet:") else role
            shown = ", ".join(str(c) for c in present) or "none"
            raise TableError(
                f"table {path} has no column {column!r} (corpus.columns.{key}); its columns: {shown}"
            )


# --- readers -------------------------------------------------------------------------------------


def table_format(path: Path) -> str:
    """``csv``, ``tsv``, ``jsonl``, ``json``, ``xlsx`` or ``parquet``, from the file suffix."""
    from ..files import TABLE_FORMATS

    return TABLE_FORMATS[path.suffix.lower()]


def read_table(
    path: str | Path, columns: TableColumns, chunk_rows: int = CHUNK_ROWS
) -> tuple[TableFile, Iterator[list[TableRecord]]]:
    """Open a table file; return what is known of it and an iterator over chunks of its rows.

    The header (or, for JSON, the first chunk of records) is checked before anything is returned:
    every mapped column must be present.  A file its reader cannot open (a damaged spreadsheet, a
    JSON file that is not JSON) gives one record with reason ``unreadable`` and its error as
    ``detail``.

    Raises
    ------
    TableError
        If a mapped column is missing (one line naming it and listing the columns present).
    """
    path = Path(path)
    kind = table_format(path)
    reader = {
        "csv": _read_delimited,
        "tsv": _read_delimited,
        "jsonl": _read_jsonl,
        "json": _read_json,
        "xlsx": _read_xlsx,
        "parquet": _read_parquet,
    }[kind]
    try:
        info, chunks = reader(path, columns, chunk_rows)
    except TableError:
        raise
    except Exception as error:  # noqa: BLE001  (any reader failure is this one file's ledger row)
        record = TableRecord(path.name, reason="unreadable", detail=f"{type(error).__name__}: {error}")
        return TableFile(path), iter([[record]])
    return info, chunks


def _chunked(records: Iterator[TableRecord], size: int) -> Iterator[list[TableRecord]]:
    chunk: list[TableRecord] = []
    for record in records:
        chunk.append(record)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def detect_encoding(path: Path, sample_bytes: int = ENCODING_SAMPLE) -> str:
    """Encoding of a text table, from its first bytes (:func:`decode_bytes` on a sample cut at a line end).

    Raises
    ------
    ValueError
        If the bytes are binary or no encoding fits.
    """
    with open(path, "rb") as handle:
        sample = handle.read(sample_bytes)
        more = bool(handle.read(1))
    if sample.startswith(b"PK\x03\x04") or sample.startswith(b"\xd0\xcf\x11\xe0") or b"\x00" in sample[:4096]:
        if not sample.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise ValueError("binary content, not a text table (a spreadsheet saved under another name?)")
    if more and b"\n" in sample:
        # A line end never falls inside a multi-byte character of UTF-8 or GB18030.
        sample = sample[: sample.rindex(b"\n") + 1]
    decoded = decode_bytes(sample)
    if decoded is None:
        raise ValueError("no text encoding fits the bytes")
    encoding = decoded[1]
    if encoding.startswith("utf-8 ("):
        return "utf-8"
    return encoding


def _text_stream(path: Path) -> tuple[io.TextIOWrapper, str]:
    encoding = detect_encoding(path)
    # Undecodable bytes deeper in the file become U+FFFD rather than stopping the read.
    return open(path, encoding=encoding, errors="replace", newline=""), encoding


def _read_delimited(path: Path, columns: TableColumns, chunk_rows: int):
    handle, encoding = _text_stream(path)
    delimiter = "\t" if table_format(path) == "tsv" else ","
    reader = csv.reader(handle, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        header = []
    except csv.Error as error:
        handle.close()
        raise ValueError(f"the header cannot be parsed: {error}") from error
    header = [name.strip().lstrip("\ufeff") for name in header]
    try:
        _check_columns(path, header, columns)
    except TableError:
        handle.close()
        raise
    index = {}
    for position, name in enumerate(header):
        index.setdefault(name, position)

    def records() -> Iterator[TableRecord]:
        # One field may hold a whole article: lift the csv module's 128 KiB field limit while
        # reading (the limit is process-wide; it is restored afterwards).
        limit = csv.field_size_limit()
        csv.field_size_limit(2**31 - 1)
        row_number = 1
        try:
            with handle:
                while True:
                    try:
                        fields = next(reader)
                    except StopIteration:
                        return
                    except csv.Error as error:
                        row_number += 1
                        yield TableRecord(
                            f"{path.name}:row {row_number}", reason="bad_row", detail=str(error)
                        )
                        continue
                    if not fields or (len(fields) == 1 and not fields[0].strip()):
                        continue  # a blank line is no record
                    row_number += 1
                    where = f"{path.name}:row {row_number}"
                    if len(fields) != len(header):
                        detail = f"{len(fields)} fields where the header has {len(header)}"
                        yield TableRecord(where, reason="bad_row", detail=detail)
                        continue
                    yield TableRecord(where, _values(lambda c, fields=fields: fields[index[c]], columns))
        finally:
            csv.field_size_limit(limit)

    return TableFile(path, encoding, tuple(header)), _chunked(records(), chunk_rows)


def _read_jsonl(path: Path, columns: TableColumns, chunk_rows: int):
    handle, encoding = _text_stream(path)
    return _json_records(path, encoding, _jsonl_objects(path, handle), columns, chunk_rows)


def _jsonl_objects(path: Path, handle) -> Iterator[tuple[str, object, str]]:
    """``(where, object or None, error)`` for every non-blank line."""
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"{path.name}:line {number}"
            try:
                yield where, json.loads(line.lstrip("\ufeff")), ""
            except json.JSONDecodeError as error:
                yield where, None, f"not JSON: {error}"


def _read_json(path: Path, columns: TableColumns, chunk_rows: int):
    encoding = detect_encoding(path)
    text = path.read_text(encoding=encoding, errors="replace").lstrip("\ufeff")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        if "Extra data" in error.msg:  # several JSON values, one per line: JSON Lines under .json
            del text
            handle = open(path, encoding=encoding, errors="replace", newline="")
            return _json_records(path, encoding, _jsonl_objects(path, handle), columns, chunk_rows)
        raise
    del text
    if isinstance(data, dict):
        lists = [value for value in data.values() if isinstance(value, list)]
        if len(lists) != 1:
            raise TableError(
                f"table {path} is a JSON object, not an array of records; write the records as a "
                "JSON array ([{...}, {...}]) or as JSON Lines (.jsonl, one object per line)"
            )
        data = lists[0]  # {"data": [...]}: the one list of an export wrapper
    if not isinstance(data, list):
        raise TableError(f"table {path} holds a single JSON value, not an array of records")
    objects = ((f"{path.name}:row {number}", item, "") for number, item in enumerate(data, start=1))
    return _json_records(path, encoding, objects, columns, chunk_rows)


def _json_records(path: Path, encoding: str, objects, columns: TableColumns, chunk_rows: int):
    """Records of JSON objects; the mapped columns are checked against the keys of the first chunk."""
    keys: dict[str, None] = {}
    counted = [0]

    def records() -> Iterator[TableRecord]:
        for where, item, error in objects:
            if error:
                yield TableRecord(where, reason="bad_row", detail=error)
            elif not isinstance(item, dict):
                yield TableRecord(
                    where, reason="bad_row", detail=f"a JSON {type(item).__name__}, not an object"
                )
            else:
                if counted[0] < chunk_rows:
                    keys.update(dict.fromkeys(item))
                    counted[0] += 1
                yield TableRecord(where, _values(item.get, columns))

    chunks = _chunked(records(), chunk_rows)
    first = next(chunks, [])
    # JSON records need not share their keys: a mapped key is missing if no record of the first
    # chunk has it (a record that alone lacks it gets an empty value).
    if counted[0]:
        _check_columns(path, keys, columns)

    def all_chunks():
        if first:
            yield first
        yield from chunks

    return TableFile(path, encoding, tuple(keys)), all_chunks()


def _read_xlsx(path: Path, columns: TableColumns, chunk_rows: int):
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header_cells = next(rows, ())
    header = [cell_text(cell).strip() for cell in header_cells]
    while header and not header[-1]:
        header.pop()
    try:
        _check_columns(path, header, columns)
    except TableError:
        workbook.close()
        raise
    index = {}
    for position, name in enumerate(header):
        index.setdefault(name, position)

    def records() -> Iterator[TableRecord]:
        try:
            for number, cells in enumerate(rows, start=2):
                if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells):
                    continue  # an empty sheet row is no record
                cells = tuple(cells)

                def get(column, cells=cells):
                    position = index[column]
                    return cells[position] if position < len(cells) else None

                yield TableRecord(f"{path.name}:row {number}", _values(get, columns))
        finally:
            workbook.close()

    return TableFile(path, "xlsx", tuple(header)), _chunked(records(), chunk_rows)


def _read_parquet(path: Path, columns: TableColumns, chunk_rows: int):
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(path)
    names = parquet.schema_arrow.names
    _check_columns(path, names, columns)
    wanted = sorted({column for _, column in columns.mapped()}, key=names.index)

    def records() -> Iterator[TableRecord]:
        number = 0
        for batch in parquet.iter_batches(batch_size=chunk_rows, columns=wanted):
            for row in batch.to_pylist():
                number += 1
                yield TableRecord(f"{path.name}:row {number}", _values(row.get, columns))

    return TableFile(path, "parquet", tuple(names)), _chunked(records(), chunk_rows)
