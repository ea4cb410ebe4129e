"""The corpus-level ingest: every entry of a corpus folder read, decoded, dated, cleaned and accounted for.

The result is a ledger with one row per entry of the corpus folder (files, subfolders, links; the
metadata file excepted) and per metadata row naming a missing file, and the passages of the
included documents.  A problem with one document never raises: it
becomes the ``reason`` of that document's ledger row.  Only problems that leave nothing to
analyse raise :class:`CorpusError`.

Each entry is analysed on its own (:func:`_analyse_document`: the readers, cleaning, dating and
fingerprints; in worker processes, from the cleaning cache where possible); the decisions that
depend on earlier documents (duplicates) are taken in corpus order by :func:`ingest_corpus`, and
the one that depends on all of them (site boilerplate, :mod:`.boilerplate`) after that, before the
passages are cut.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import json
import logging
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..cache import ContentCache
from ..clean import clean_text, split_passages
from ..config import schema_field
from ..files import HTML_SUFFIXES, CorpusError, list_corpus_files, safe_name
from ..io import write_tsv_chunks
from .boilerplate import (
    BOILERPLATE_COLUMNS,
    Boilerplate,
    find_boilerplate,
    line_key,
    line_keys,
    remove_boilerplate,
)
from .dates import document_date_evidence, parse_date
from .decode import sha256_bytes
from .duplicates import NearDuplicateIndex, jaccard, minhash_signature, shingle_hashes, shingle_text
from .markup import looks_like_html, strip_html
from .metadata import guess_title, read_metadata
from .readers import read_entry, read_raw_text
from .selection import Selection
from .tables import TableColumns, TableFile, TableRecord, cell_text, read_table, table_date

log = logging.getLogger(__name__)


# The fixed reason vocabulary of documents.tsv (README: "Preparing your corpus").
REASONS = {
    "not_text": "file name does not end in .txt/.text/.htm/.html/.docx/.pdf",
    "convert_to_docx": "a legacy office file (.doc, .wps, .rtf): open it in Word or WPS and save it as .docx",
    "no_text_layer": "a PDF without a text layer (a scan): run OCR on it first",
    "folder": "a subfolder of the corpus folder (files in subfolders are not read)",
    "unreadable": "the file cannot be read (permission denied, broken link, not a regular file, a damaged "
    ".docx/.pdf/table file)",
    "empty": "file is empty or whitespace only",
    "binary": "file content is binary (NUL or control bytes, or a known binary signature)",
    "undecodable": "no text encoding decodes the bytes",
    "no_text": "nothing but page chrome (or site boilerplate) is left after cleaning",
    "no_date": "no date in metadata.tsv and none found in the text",
    "bad_date": "the date is malformed, before corpus.min_year or later than corpus.max_date (default: the run's date)",
    "outside_folder": "a link to a file outside the corpus folder (not read)",
    "bad_name": "the file name holds a tab, a line break or another control character (rename the file)",
    "duplicate_of:<doc_id>": "same bytes as an earlier file, or the same or nearly the same clean text "
    "as an earlier included document (character 5-gram Jaccard similarity >= "
    "corpus.near_duplicate_threshold)",
    "year_filtered": "the year lies outside corpus.years",
    "missing_file": "metadata.tsv names a file that is not in the corpus folder",
    "bad_row": "a table row that cannot be parsed (a broken JSON line, a CSV row with the wrong number of fields)",
    "repeated_id:<row>": "a table row whose doc_id an earlier row (named) already has",
    "filtered_out": "left out by corpus.include / corpus.exclude",
}

LEDGER_COLUMNS = [
    "doc_id",
    "file",
    "encoding",
    "date",
    "year",
    "date_source",
    "title",
    "source",
    "chars_raw",
    "chars_clean",
    "chars_boilerplate",
    "passages",
    "included",
    "reason",
    "sha256",
]
PASSAGE_COLUMNS = ["doc_id", "year", "passage_no", "n_chars", "text"]


@dataclass(frozen=True)
class IngestOptions:
    """Settings of the ingest stage (the ``corpus``, ``clean`` and ``passages`` config sections)."""

    # Defaults: the config schema's (workflow/schemas/config.schema.yaml), read by schema_field.
    opencc: str = schema_field("clean.opencc")
    max_chars: int = schema_field("passages.max_chars")
    min_chars: int = schema_field("passages.min_chars")
    min_year: int = schema_field("corpus.min_year")
    max_year: int | None = None  # not a config key: max_date's year (tests fix it)
    # corpus.max_date: the latest acceptable date, "YYYY-MM-DD"; None: the date of the run.
    max_date: str | None = schema_field("corpus.max_date")
    years: tuple[int, int] | None = schema_field("corpus.years", lambda years: tuple(years) or None)
    # Text dating (ingest.dates): off with corpus.date_from_text: false; the opening lines searched
    # for a dateline and the headline (not a config key).
    date_from_text: bool = schema_field("corpus.date_from_text")
    opening_lines: int = 10
    near_duplicate_threshold: float = schema_field("corpus.near_duplicate_threshold")
    # clean.boilerplate (ingest.boilerplate): applied after the cached per-file analysis.
    boilerplate_min_share: float = schema_field("clean.boilerplate.min_share")
    boilerplate_min_docs: int = schema_field("clean.boilerplate.min_docs")


def ingest_settings(options: Mapping) -> IngestOptions:
    """:class:`IngestOptions` from rule ``ingest_corpus``'s options
    (:func:`zhengfa_trends.config.ingest_options`)."""
    return IngestOptions(
        opencc=options["opencc"],
        max_chars=options["max_chars"],
        min_chars=options["min_chars"],
        min_year=options["min_year"],
        max_date=options["max_date"],
        date_from_text=options["date_from_text"],
        years=tuple(options["years"]) or None,
        near_duplicate_threshold=options["near_duplicate_threshold"],
        boilerplate_min_share=options["boilerplate"]["min_share"],
        boilerplate_min_docs=options["boilerplate"]["min_docs"],
    )


def log_excluded(documents: pd.DataFrame, listed: str) -> None:
    """Log every ledger entry that is not used, with its reason, and one warning counting them by
    reason (``listed`` says where each one's reason can be read)."""
    excluded = documents[documents["included"] != "yes"]
    for row in excluded.itertuples():
        log.info("not used: %s (%s)", row.file or row.doc_id, row.reason)
    if not excluded.empty:
        kinds = excluded["reason"].str.replace(r"^(duplicate_of|repeated_id):.*", r"\1", regex=True)
        counts = ", ".join(f"{reason}: {n}" for reason, n in kinds.value_counts().sort_index().items())
        log.warning(
            "%d of %d corpus entries not used (%s); %s", len(excluded), len(documents), counts, listed
        )


class EntryMeta(NamedTuple):
    """What the metadata says about an entry, as far as the entry's analysis depends on it.

    ``date``: metadata.tsv's (or a table's) date, "" if none; ``title``: a table's title column,
    whose year :func:`~zhengfa_trends.ingest.dates.find_text_date` uses in place of the headline's.
    """

    date: str = ""
    title: str = ""


@dataclass(frozen=True)
class IngestResult:
    """Ledger of every file, the passages of the included documents and the boilerplate removed.

    ``passages`` is None when :func:`ingest_corpus` wrote them to a file (``passages_out``).
    """

    documents: pd.DataFrame
    passages: pd.DataFrame | None
    boilerplate: pd.DataFrame = dataclass_field(
        default_factory=lambda: pd.DataFrame(columns=BOILERPLATE_COLUMNS)
    )


# --- the ingest ----------------------------------------------------------------------------------


def _new_row(doc_id: str, file: str, meta: dict, facets: tuple[str, ...] = ()) -> dict:
    row = dict.fromkeys(LEDGER_COLUMNS, "")
    row.update(
        doc_id=doc_id, file=file, included="no", chars_raw=0, chars_clean=0, chars_boilerplate=0, passages=0
    )
    row.update(title=meta.get("title", ""), source=meta.get("source", ""))
    row.update({facet: meta.get(f"facet:{facet}", "") for facet in facets})
    return row


def ledger_columns(facets: tuple[str, ...] = ()) -> list[str]:
    """The ledger's columns: :data:`LEDGER_COLUMNS` with the facet columns after ``source``."""
    at = LEDGER_COLUMNS.index("source") + 1
    return [*LEDGER_COLUMNS[:at], *facets, *LEDGER_COLUMNS[at:]]


class _Ledger:
    """The decisions that depend on earlier documents (duplicates, repeated ids), in corpus order.

    Each row gets exactly the fields known at the point where its document is set aside.
    """

    def __init__(self, options: IngestOptions, selection: Selection | None):
        self.options = options
        self.selection = selection
        self.rows: list[dict] = []
        self.seen_raw: dict[str, str] = {}
        self.seen_clean: dict[str, str] = {}
        self.near = NearDuplicateIndex(options.near_duplicate_threshold)
        self.kept: list[
            tuple[dict, PreparedDocument]
        ] = []  # ledger row and analysis of each included document

    def add(self, row: dict, prep: PreparedDocument) -> None:
        self.rows.append(row)
        preset = row["reason"]  # decided before the analysis (a repeated table id)
        if not preset or prep.reason == "empty":
            row["reason"] = prep.reason
        if prep.stage < PREPARED_READ:
            return
        row["sha256"] = prep.sha256
        if prep.stage < PREPARED_DECODED:
            return
        row["encoding"] = prep.encoding
        if prep.stage < PREPARED_RAW:
            return
        row["chars_raw"] = prep.chars_raw
        if preset:
            return
        if prep.sha256 in self.seen_raw:
            row["reason"] = f"duplicate_of:{self.seen_raw[prep.sha256]}"
            return
        doc_id = row["doc_id"]
        self.seen_raw[prep.sha256] = doc_id
        row["chars_clean"] = prep.chars_clean
        if not row["title"]:
            row["title"] = prep.title
        if prep.stage < PREPARED_CLEAN:
            return
        row["date"], row["year"], row["date_source"] = prep.date, prep.year, prep.date_source
        if self.selection is not None and not self.selection.keeps(row):
            row["reason"] = "filtered_out"
            return
        if prep.stage < PREPARED_DATED:
            return
        if prep.fingerprint in self.seen_clean:
            row["reason"] = f"duplicate_of:{self.seen_clean[prep.fingerprint]}"
            return
        candidates = self.near.candidates(prep.signature)
        original = ""
        if candidates:  # rare: the shingles are rebuilt from the clean lines (same Han characters)
            shingles = shingle_hashes("".join(prep.paragraphs))
            original = _near_duplicate_of(shingles, candidates, self.kept, self.options)
        if original:
            row["reason"] = f"duplicate_of:{original}"
            return
        self.seen_clean[prep.fingerprint] = doc_id
        self.near.add(prep.signature)
        prep.signature = None  # the index holds its own copy; the cache has its payload already
        self.kept.append((row, prep))


def ingest_corpus(
    corpus_dir: Path | None,
    metadata_path: Path | None,
    options: IngestOptions,
    *,
    workers: int,
    cache_dir: str | Path | None,
    tables: Sequence[Path] = (),
    columns: TableColumns | None = None,
    selection: Selection | None = None,
    passages_out: str | Path | None = None,
) -> IngestResult:
    """Read, date, clean and split every document of a corpus folder and of corpus tables.

    Parameters
    ----------
    corpus_dir : Path or None
        Folder of article files; every entry in it (file, subfolder, link) gets a ledger row.
        None: no folder (a table corpus).
    metadata_path : Path or None
        Optional metadata.tsv of the folder; its dates win over dates found in the text.
    options : IngestOptions
    workers : int
        Processes that read, clean and date the documents (the duplicate checks, which depend on
        earlier documents, stay in this process); the result does not depend on it
        (``corpus.workers`` in the workflow).
    cache_dir : path or None
        Folder of the cleaning cache (:class:`CleaningCache`): files analysed before under the same
        settings are not decoded and cleaned again (``corpus.cache_dir``).  None: no cache.
    tables : sequence of Path
        Table files (:mod:`.tables`), one document per row, read after the folder.
    columns : TableColumns, optional
        Which table columns hold what (required with ``tables``).
    selection : Selection, optional
        ``corpus.include`` / ``corpus.exclude``: documents it does not keep are ``filtered_out``.
    passages_out : path, optional
        Write the passages to this TSV as they are cut (the bytes :func:`~zhengfa_trends.io.write_tsv`
        writes of the whole table) instead of returning them: a large corpus's passages are then
        never held at once.  The file appears only if the ingest succeeds.

    Returns
    -------
    IngestResult
        ``documents`` (one row per entry of the folder, per metadata row without a file and per
        table row; columns :func:`ledger_columns` of the facets), ``passages``
        (:data:`PASSAGE_COLUMNS`; None with ``passages_out``) and ``boilerplate`` (the site
        boilerplate lines removed, :data:`BOILERPLATE_COLUMNS`).

    Raises
    ------
    CorpusError
        If the folder is missing, a table lacks a mapped column, or no document is included; in
        the last case the ledger built so far is the error's ``documents`` attribute.
    """
    facets = columns.facets if columns is not None and tables else ()
    ledger = _Ledger(options, selection)
    taken: set[str] = set()
    first_seen: dict[str, str] = {}  # doc_id -> the file or table row that has it
    meta_by_id: dict = {}
    cache = CleaningCache(cache_dir, options) if cache_dir else None
    if corpus_dir is not None:
        metadata, warnings = read_metadata(metadata_path)
        for warning in warnings:
            log.warning(warning)
        meta_by_id = metadata.set_index("doc_id").to_dict("index")
        entries = list_corpus_files(corpus_dir, exclude=[metadata_path] if metadata_path else [])
        doc_ids: list[str] = []
        for path in entries:
            # a.txt and a.html would share the id "a": the second one is called by its file name
            stem, name = safe_name(path.stem), safe_name(path.name)  # a tab or newline is not kept in an id
            doc_id = stem if stem not in taken else name
            while doc_id in taken:
                doc_id += "~"
            doc_ids.append(doc_id)
            taken.add(doc_id)
            first_seen[doc_id] = name
        # metadata.tsv titles are for display: only a table's title column dates a document (ingest.dates)
        metas = [EntryMeta(meta_by_id.get(doc_id, {}).get("date", "")) for doc_id in doc_ids]
        prepared = _prepare_all(entries, metas, options, workers, cache)
        for path, doc_id, prep in zip(entries, doc_ids, prepared, strict=True):
            ledger.add(_new_row(doc_id, safe_name(path.name), meta_by_id.get(doc_id, {}), facets), prep)
    if tables:
        if columns is None:
            raise CorpusError("corpus.table is set but corpus.columns is not: name at least the text column")
        for table in tables:
            for row, prep in _table_documents(
                Path(table), columns, options, workers, cache, taken, first_seen
            ):
                ledger.add(row, prep)
    # Site boilerplate is a corpus-level decision: it needs every included document's lines, so it
    # comes after the per-file (cached) analysis and the duplicate checks, before passages are cut.
    keys = [line_keys(prep.paragraphs) for _, prep in ledger.kept]  # each line hashed once
    boilerplate = find_boilerplate(
        [(row["source"], prep.paragraphs) for row, prep in ledger.kept],
        options.boilerplate_min_share,
        options.boilerplate_min_docs,
        keys=keys,
    )
    kept, ledger.kept = ledger.kept, []
    parts = _passage_parts(_cut_passages(kept, keys, boilerplate, options))
    if passages_out is None:
        passage_table = _concat_parts(parts)
    else:
        partial = Path(passages_out).with_name(Path(passages_out).name + ".partial")
        write_tsv_chunks(parts, partial, PASSAGE_COLUMNS)
        passage_table = None
    del kept
    if cache is not None:
        removed = cache.prune()
        cache.close()
        if removed:
            log.info("cleaning cache: %d entries of earlier settings removed", removed)
    for doc_id, meta in meta_by_id.items():
        if doc_id not in taken:
            row = _new_row(doc_id, "", meta, facets)
            row.update(reason="missing_file", date=meta.get("date", ""))
            ledger.rows.append(row)
    documents = pd.DataFrame(ledger.rows, columns=ledger_columns(facets))
    documents["year"] = pd.to_numeric(documents["year"], errors="coerce").astype("Int64")
    if not (documents["included"] == "yes").any():
        if passages_out is not None:
            partial.unlink(missing_ok=True)
        error = CorpusError(nothing_usable_message(corpus_dir, documents, options, tables))
        error.documents = documents
        raise error
    if passages_out is not None:
        partial.replace(passages_out)
    return IngestResult(documents, passage_table, boilerplate.table())


# Passages per part of passages.tsv written at a time (a few megabytes of text).
PASSAGE_PART_ROWS = 20_000


def _passage_parts(passages: Iterator[dict], rows: int | None = None) -> Iterator[pd.DataFrame]:
    """The passage rows as consecutive tables of ``rows`` rows (:data:`PASSAGE_COLUMNS`; default
    :data:`PASSAGE_PART_ROWS`).

    Every part has the whole table's column types (the rows of included documents always carry an
    int year), so the parts written one after the other give the bytes of one table's write.
    """
    rows = rows or PASSAGE_PART_ROWS
    while True:
        part = list(itertools.islice(passages, rows))
        if not part:
            return
        yield pd.DataFrame(part, columns=PASSAGE_COLUMNS)


def _concat_parts(parts: Iterator[pd.DataFrame]) -> pd.DataFrame:
    """The whole passage table of :func:`_passage_parts` (also without any passage)."""
    tables = list(parts)
    if not tables:
        return pd.DataFrame([], columns=PASSAGE_COLUMNS)
    return pd.concat(tables, ignore_index=True) if len(tables) > 1 else tables[0]


def _cut_passages(
    kept: list[tuple[dict, PreparedDocument]],
    keys: list[np.ndarray | None],
    boilerplate: Boilerplate,
    options: IngestOptions,
) -> Iterator[dict]:
    """Remove each included document's boilerplate lines, cut the rest into passages, complete the rows.

    A document whose text date was read from a boilerplate line becomes ``no_date``; one left with
    no line at all was page furniture only: it becomes ``no_text``.  The passages come one at a
    time, and each document's lines are dropped once it is cut, so that the corpus's text is never
    held twice (as lines and as passages).
    """
    keys_by_source: dict[str, set[int]] = {}
    for index, (row, prep) in enumerate(kept):
        kept[index] = (row, None)  # the kept list no longer holds the document's lines
        paragraph_keys, keys[index] = keys[index], None
        source = row["source"]
        if source not in keys_by_source:
            keys_by_source[source] = boilerplate.keys_for(source)
        removable = keys_by_source[source]
        paragraphs, removed = remove_boilerplate(prep.paragraphs, removable, paragraph_keys)
        prep.paragraphs = []
        row["chars_boilerplate"] = removed
        if removed and row["title"] == prep.title and line_key(prep.title) in removable:
            row["title"] = guess_title(paragraphs)  # the guessed title was site furniture
        if removed and prep.date_line and line_key(prep.date_line) in removable:
            # a date read from a line every page of the site carries (a banner, a footer) dates the
            # site, not the document: no date rather than a wrong one
            row.update(date="", year="", reason="no_date")
            row["date_source"] += " (from site boilerplate: not used)"
            continue
        if not paragraphs:
            row["reason"] = "no_text"
            continue
        cut = split_passages(paragraphs, options.max_chars, options.min_chars)
        del paragraphs
        row.update(passages=len(cut), included="yes")
        for number, passage in enumerate(cut):
            yield {
                "doc_id": row["doc_id"],
                "year": row["year"],
                "passage_no": number,
                "n_chars": len(passage),
                "text": passage,
            }


def _table_documents(
    path: Path,
    columns: TableColumns,
    options: IngestOptions,
    workers: int,
    cache,
    taken: set[str],
    first_seen: dict[str, str],
) -> Iterator[tuple[dict, PreparedDocument]]:
    """Ledger row and analysis of every row of one table, in order, a chunk at a time."""
    info, chunks = read_table(path, columns)
    analysed = reused = 0
    with _Workers(workers) as pool:
        for chunk in chunks:
            rows, tasks = [], []
            for record in chunk:
                row, task = _table_row(path, info, record, columns, taken, first_seen)
                rows.append(row)
                tasks.append(task)
            keys = [None if task is None or cache is None else _record_key(cache, task) for task in tasks]
            found = [None if key is None else cache.get(key) for key in keys]
            todo = [task for task, hit in zip(tasks, found, strict=True) if task is not None and hit is None]
            fresh = pool.map(_analyse_record, todo, options)
            for row, task, key, hit in zip(rows, tasks, keys, found, strict=True):
                if task is None:
                    yield row, PreparedDocument()
                    continue
                if hit is None:
                    prep = next(fresh)
                    analysed += 1
                    if key is not None:
                        cache.put(key, prep)
                else:
                    prep, reused = hit, reused + 1
                yield row, _check_dates(prep, options)
            if cache is not None:
                cache.flush()
    log.info("table %s: rows analysed: %d, reused from the cleaning cache: %d", path, analysed, reused)


@dataclass(frozen=True)
class _RecordTask:
    """What the analysis of one table row depends on (and what its cache key hashes)."""

    text: str
    encoding: str
    date: str  # ISO date from the date column, or ""
    bad_date: str  # the date column's value if it cannot be parsed, else ""
    date_label: str  # how date_source names the date column
    title: str  # the title column's value: text dating also looks at it


def _record_key(cache, task: _RecordTask) -> str:
    return cache.key(
        [
            "table",
            sha256_bytes(task.text.encode("utf-8")),
            task.encoding,
            task.date,
            task.bad_date,
            task.date_label,
            task.title,
        ]
    )


def _table_row(
    path: Path,
    info: TableFile,
    record: TableRecord,
    columns: TableColumns,
    taken: set[str],
    first_seen: dict[str, str],
) -> tuple[dict, _RecordTask | None]:
    """The ledger row of a table record (its id decided here, in corpus order) and its analysis task."""
    values = record.values
    if record.reason:
        doc_id = _unique(record.where, taken)
        first_seen.setdefault(doc_id, record.where)
        row = _new_row(doc_id, record.where, {}, columns.facets)
        row["reason"] = record.reason
        log.info("%s: %s (%s)", record.where, record.reason, record.detail)
        return row, None
    text = values.get("text", "")
    given = values.get("doc_id", "").strip()
    reason = ""
    if given:
        if given in taken:
            reason = f"repeated_id:{first_seen[given]}"
        doc_id = _unique(given, taken)
    else:
        # Ids from the content, not the row number: appending or reordering rows keeps them.
        content = (
            text if text.strip() else json.dumps(values, ensure_ascii=False, sort_keys=True, default=str)
        )
        doc_id = _unique(f"{path.stem}_{sha256_bytes(content.encode('utf-8'))[:12]}", taken)
    first_seen.setdefault(doc_id, record.where)
    meta = {"title": values.get("title", "").strip(), "source": values.get("source", "").strip()}
    meta.update({key: value.strip() for key, value in values.items() if key.startswith("facet:")})
    row = _new_row(doc_id, record.where, meta, columns.facets)
    row["reason"] = reason
    date, bad = "", ""
    if columns.date:
        parsed = table_date(values.get("date"))
        if parsed is None:
            bad = cell_text(values.get("date")).strip()
        elif parsed:
            date = parsed[0]
    label = f"column:{columns.date}" if columns.date else ""
    return row, _RecordTask(text, info.encoding, date, bad, label, meta["title"])


def _unique(doc_id: str, taken: set[str]) -> str:
    while doc_id in taken:
        doc_id += "~"
    taken.add(doc_id)
    return doc_id


def _analyse_record(task: _RecordTask, options: IngestOptions) -> PreparedDocument:
    """:func:`_analyse_document` of one table row: its text cell instead of a file's bytes."""
    prep = PreparedDocument(stage=PREPARED_DECODED, encoding=task.encoding)
    prep.sha256 = sha256_bytes(task.text.encode("utf-8"))
    raw = task.text
    if not raw.strip():
        prep.reason = "empty"
        return prep
    if looks_like_html(raw):  # scrapers often export the page's HTML
        raw = strip_html(raw)
    if task.bad_date:
        dating = (task.bad_date, "", f"{task.date_label} unparseable", "")
    elif task.date:
        dating = (*parse_date(task.date), task.date_label, "")
    else:
        dating = None
    return _analyse_raw(prep, raw, EntryMeta("", task.title), options, dating=dating)


class _Workers:
    """``map(function, items, options)`` in this process or in forked workers, in order (a table's
    rows a chunk at a time)."""

    def __init__(self, workers: int):
        self.workers = workers

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def map(self, function, items: list, options: IngestOptions) -> Iterator:
        from ..workers import fork_available, ordered_map

        if self.workers <= 1 or len(items) < PARALLEL_MIN_ENTRIES or not fork_available():
            return iter([function(item, options) for item in items])
        chunk = max(1, min(32, len(items) // (self.workers * 8)))
        # In order; Ctrl-C or an error kills the workers (..workers).
        return ordered_map(functools.partial(function, options=options), items, self.workers, chunksize=chunk)


# How far a document got (each stage implies the ones before): read, decoded, raw text, clean text
# (analysis ends here; its results are cached), dated (the date checks passed).
PREPARED_NONE, PREPARED_READ, PREPARED_DECODED, PREPARED_RAW, PREPARED_CLEAN, PREPARED_DATED = range(6)
# Below this many documents to analyse, they are analysed in this process (worker start-up would dominate).
PARALLEL_MIN_ENTRIES = 64
# A folder's new cleaning-cache entries are written this many at a time (a table's: a chunk at a time).
CACHE_FLUSH_ENTRIES = 1000
# Bump when a change to the analysis (decoding, cleaning, dating, passages) is not visible in the
# source files hashed by ingest_fingerprint, e.g. a change in how a dependency is called.
INGEST_CACHE_VERSION = 1


@dataclass
class PreparedDocument:
    """What can be learnt about one corpus entry without looking at the others."""

    stage: int = PREPARED_NONE
    reason: str = ""
    sha256: str = ""
    encoding: str = ""
    chars_raw: int = 0
    chars_clean: int = 0
    title: str = ""
    date: str = ""
    year: int | str = ""
    date_source: str = ""
    date_line: str = ""  # the text line the date was read from ("" for metadata dates)
    fingerprint: str = ""
    signature: np.ndarray | None = None
    # The clean lines of a dated document; its passages are cut after the corpus-level boilerplate pass.
    paragraphs: list[str] = dataclass_field(default_factory=list)

    def to_payload(self) -> str:
        """JSON text of the document (for the cleaning cache)."""
        fields = {name: getattr(self, name) for name in self.__dataclass_fields__}
        fields["signature"] = None if self.signature is None else [int(v) for v in self.signature]
        return json.dumps(fields, ensure_ascii=False)

    @classmethod
    def from_payload(cls, payload: str) -> PreparedDocument:
        """The document :meth:`to_payload` wrote."""
        fields = json.loads(payload)
        if fields["signature"] is not None:
            fields["signature"] = np.array(fields["signature"], dtype=np.uint64)
        return cls(**fields)


class CleaningCache(ContentCache):
    """Each file's analysis (decoding, cleaning, date, passages), keyed by its bytes and the settings.

    Editing a file, the cleaning options or the analysis code misses the cache; adding a document
    analyses only that one.  See :mod:`zhengfa_trends.cache`.
    """

    FILE_NAME = "documents.sqlite"

    def __init__(self, folder: str | Path, options: IngestOptions):
        super().__init__(folder, ingest_fingerprint(options), self.FILE_NAME)

    def document_key(self, sha256: str, suffix: str, meta: EntryMeta) -> str:
        """Key of a file's analysis: its content, whether its name says HTML, its metadata date and title."""
        suffix = suffix.lower()
        kind = "html" if suffix in HTML_SUFFIXES else {".docx": "docx", ".pdf": "pdf"}.get(suffix, "text")
        return self.key([sha256, kind, meta.date or "", meta.title or ""])

    def get(self, key: str) -> PreparedDocument | None:
        """The cached analysis, or None."""
        entry = self.get_payload(key)
        return None if entry is None else PreparedDocument.from_payload(entry[1])

    def put(self, key: str, prep: PreparedDocument) -> None:
        """Queue an analysis; :meth:`flush` writes the queued entries."""
        self.put_payload(key, len(prep.paragraphs), prep.to_payload())


def ingest_fingerprint(options: IngestOptions) -> str:
    """sha256 of everything the cached analysis depends on: the options that shape it, the source
    of the cleaning module and of every module of this package, and the versions of the decoding and
    conversion libraries."""
    from .. import clean
    from ..codehash import code_digest
    from ..provenance import package_version

    sources = [Path(clean.__file__), *sorted(Path(__file__).parent.glob("*.py"))]
    payload = {
        "version": INGEST_CACHE_VERSION,
        # passages are cut after the cache (the boilerplate pass needs every document), so the
        # passage lengths are not part of it
        "options": [options.opencc, options.opening_lines, options.date_from_text],
        "source": [sha256_bytes(path.read_bytes()) for path in sources],
        # and whatever else of the package the analysis reaches (zhengfa_trends.codehash)
        "code": code_digest([f"{__name__}:_analyse_document", f"{__name__}:CleaningCache"]),
        "packages": [package_version(name) for name in ("opencc", "charset-normalizer")],
    }
    return sha256_bytes(json.dumps(payload, sort_keys=True).encode("utf-8"))


def _analyse_document(path: Path, meta: EntryMeta, options: IngestOptions) -> PreparedDocument:
    """Read, decode, clean, date and fingerprint one entry; stop at the first reason to set it aside.

    Everything here depends only on the file, its metadata date and title and the options that
    :func:`ingest_fingerprint` covers; the date checks (which depend on today) come after.
    """
    prep = PreparedDocument()
    prep.reason, data = read_entry(path)
    if data is None:
        return prep
    prep.stage, prep.sha256 = PREPARED_READ, sha256_bytes(data)
    read = read_raw_text(path, data)
    del data
    if read.encoding:
        prep.stage, prep.encoding = PREPARED_DECODED, read.encoding
    if read.reason:
        prep.reason = read.reason
        return prep
    raw = read.text
    del read
    return _analyse_raw(prep, raw, meta, options)


def _analyse_raw(
    prep: PreparedDocument,
    raw: str,
    meta: EntryMeta,
    options: IngestOptions,
    dating: tuple[str, int | str, str, str] | None = None,
) -> PreparedDocument:
    """Clean, date and fingerprint a document's raw text (markup removed).

    ``dating`` is a date already decided (a table's date column: date, year, source, ""); else the
    date comes from the metadata date or the text (and a table's title column, ``meta.title``).
    """
    prep.stage, prep.chars_raw = PREPARED_RAW, len(raw)
    cleaned = clean_text(raw, options.opencc)
    prep.chars_clean = sum(len(p) for p in cleaned.paragraphs)
    prep.title = guess_title(cleaned.paragraphs)
    if not cleaned.paragraphs:
        prep.reason = "no_text"
        return prep
    prep.stage = PREPARED_CLEAN
    if dating is None:
        dating = document_date_evidence(
            meta.date, raw, options.opencc, options.opening_lines, meta.title, options.date_from_text
        )
    prep.date, prep.year, prep.date_source, prep.date_line = dating
    del raw
    if prep.year:
        text = cleaned.text
        prep.fingerprint = sha256_bytes(shingle_text(text).encode())
        prep.signature = minhash_signature(shingle_hashes(text))
        prep.paragraphs = list(cleaned.paragraphs)
    return prep


def latest_date(options: IngestOptions) -> dt.date:
    """The latest acceptable publication date: ``corpus.max_date``, else the date of the run."""
    return dt.date.fromisoformat(options.max_date) if options.max_date else dt.date.today()


def _check_dates(prep: PreparedDocument, options: IngestOptions) -> PreparedDocument:
    """Set a cleaned document aside for a missing, implausible or filtered-out date, else mark it dated."""
    if prep.stage < PREPARED_CLEAN:
        return prep
    today = latest_date(options)
    if not prep.year:
        prep.reason = "no_date" if not prep.date else "bad_date"
    elif (
        not options.min_year <= prep.year <= (options.max_year or today.year)
        or prep.date > today.isoformat()[: len(prep.date)]
    ):
        prep.reason = "bad_date"
    elif options.years and not options.years[0] <= prep.year <= options.years[1]:
        prep.reason = "year_filtered"
    else:
        prep.stage = PREPARED_DATED
    return prep


def _prepare_all(
    entries: list[Path], metas: list[EntryMeta], options: IngestOptions, workers: int, cache=None
) -> Iterator[PreparedDocument]:
    """Every entry's :func:`_analyse_document` (from the cache where possible) and date checks, in order.

    Entries missing from ``cache`` are analysed, in ``workers`` forked processes if there are enough
    of them, and queued for the cache, which is flushed every :data:`CACHE_FLUSH_ENTRIES` entries
    (the caller flushes the rest): the queued payloads hold the documents' text, so a whole
    corpus's queue would be one more copy of it.
    """
    cached: dict[int, PreparedDocument] = {}
    # Looking entries up means reading every file here first; an empty cache can have no hits.
    if cache is not None and cache.count() > 0:
        for index, (path, meta) in enumerate(zip(entries, metas, strict=True)):
            _, data = read_entry(path)
            if data is not None:
                found = cache.get(cache.document_key(sha256_bytes(data), path.suffix, meta))
                if found is not None:
                    cached[index] = found
    todo = [index for index in range(len(entries)) if index not in cached]
    n_cached = len(cached)
    analysed = _analyse_all([entries[i] for i in todo], [metas[i] for i in todo], options, workers)
    queued = 0
    for index in range(len(entries)):
        if index in cached:
            prep = cached.pop(index)  # held from here on by the caller only
        else:
            prep = next(analysed)
            if cache is not None and prep.stage >= PREPARED_READ:
                cache.put(cache.document_key(prep.sha256, entries[index].suffix, metas[index]), prep)
                queued += 1
                if queued % CACHE_FLUSH_ENTRIES == 0:
                    cache.flush()
        yield _check_dates(prep, options)
    if cache is not None:
        log.info("documents analysed: %d, reused from the cleaning cache: %d", len(todo), n_cached)


def _analyse_all(
    entries: list[Path], metas: list[EntryMeta], options: IngestOptions, workers: int
) -> Iterator[PreparedDocument]:
    """:func:`_analyse_document` of every entry, in order; in ``workers`` forked processes if worth it."""
    from ..workers import fork_available, ordered_map

    if workers <= 1 or len(entries) < PARALLEL_MIN_ENTRIES or not fork_available():
        for path, meta in zip(entries, metas, strict=True):
            yield _analyse_document(path, meta, options)
        return
    analyse = functools.partial(_analyse_document, options=options)
    chunk = max(1, min(32, len(entries) // (workers * 8)))
    # In corpus order, consumed as they come; Ctrl-C or an error kills the workers (..workers).
    yield from ordered_map(_StarCall(analyse), zip(entries, metas, strict=True), workers, chunksize=chunk)


class _StarCall:
    """``f(*args)`` as a picklable one-argument callable (for ``Pool.imap``)."""

    def __init__(self, function):
        self.function = function

    def __call__(self, args):
        return self.function(*args)


def _near_duplicate_of(
    shingles: np.ndarray,
    candidates: list[int],
    kept: list[tuple[dict, PreparedDocument]],
    options: IngestOptions,
) -> str:
    """doc_id of the earliest kept document whose shingle set is similar enough, else ``""``.

    The kept document's shingles are recomputed from its clean lines (same Han characters, in
    order, as its clean text), so nothing but the MinHash buckets and the lines is held per document.
    """
    for number in candidates:
        row, prep = kept[number]
        other = shingle_hashes("".join(prep.paragraphs))
        if jaccard(shingles, other) >= options.near_duplicate_threshold:
            return row["doc_id"]
    return ""


def setting_exclusions(documents: pd.DataFrame, options: IngestOptions) -> list[str]:
    """One line per setting that left documents out, naming the key to change.

    Covers ``bad_date`` before ``corpus.min_year``, ``year_filtered`` (``corpus.years``) and
    ``filtered_out`` (``corpus.include`` / ``corpus.exclude``): these documents are valid, the
    setting decided, so the researcher must hear how many it cost (a count among all reasons is
    easily missed).
    """
    messages = []
    years = pd.to_numeric(documents["year"], errors="coerce")
    early = int(((documents["reason"] == "bad_date") & (years < options.min_year)).sum())
    if early:
        messages.append(
            f"{_documents(early)} dated before corpus.min_year ({options.min_year}) "
            f"{_were(early)} left out; lower corpus.min_year to keep {_them(early)}"
        )
    filtered = int((documents["reason"] == "year_filtered").sum())
    if filtered and options.years:
        first, last = options.years
        messages.append(
            f"{_documents(filtered)} dated outside corpus.years ({first}-{last}) {_were(filtered)} "
            f"left out; widen corpus.years (or set it to []) to keep {_them(filtered)}"
        )
    selected = int((documents["reason"] == "filtered_out").sum())
    if selected:
        messages.append(
            f"{_documents(selected)} {_were(selected)} left out by corpus.include/corpus.exclude "
            f"(reason filtered_out); change corpus.include or corpus.exclude to keep {_them(selected)}"
        )
    return messages


def _documents(count: int) -> str:
    return f"{count} document" if count == 1 else f"{count} documents"


def _were(count: int) -> str:
    return "was" if count == 1 else "were"


def _them(count: int) -> str:
    return "it" if count == 1 else "them"


def nothing_usable_message(
    corpus_dir: Path | None, documents: pd.DataFrame, options: IngestOptions, tables: Sequence[Path] = ()
) -> str:
    """One line saying why no document of ``corpus_dir`` (and ``tables``) is usable and what to do about it."""
    where = " and ".join(
        [*([f"corpus folder {corpus_dir}"] if corpus_dir is not None else []), *_table_names(tables)]
    )
    if documents.empty:
        if tables:
            return f"{where} hold no rows and no files; put the articles in them"
        return (
            f"corpus folder {corpus_dir} is empty; put the articles in it (one per .txt or .html "
            "file, UTF-8 preferred) or set corpus.dir in your config to the folder that holds them"
        )
    reasons = documents["reason"].map(_reason_kind)
    counts = Counter(reasons)
    parts = []
    for reason, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        names = documents.loc[reasons == reason]
        names = (names["file"].where(names["file"] != "", names["doc_id"])).head(3).tolist()
        more = ", …" if count > len(names) else ""
        parts.append(f"{count} {reason} ({', '.join(names)}{more})")
    summary = f"no document in {where} can be used: {len(documents)} entries, " + "; ".join(parts)
    if counts.get("year_filtered") and options.years:
        years = documents.loc[reasons == "year_filtered", "year"].dropna().astype(int)
        return (
            f"{summary}. corpus.years {list(options.years)} excludes every dated document "
            f"(their years: {years.min()}-{years.max()}); widen corpus.years or set it to []"
        )
    if counts.get("filtered_out"):
        return f"{summary}. corpus.include / corpus.exclude leave nothing: loosen them"
    if corpus_dir is None:
        return (
            f"{summary}. Check corpus.columns (text, date) against the table's columns; the reasons "
            "are explained in the README section 'Preparing your corpus'"
        )
    return (
        f"{summary}. Put the articles in {corpus_dir} (one per .txt or .html file, with a date in the "
        "text or in metadata.tsv), or set corpus.dir in your config to the folder that holds them; "
        "the reasons are explained in the README section 'Preparing your corpus'"
    )


def _reason_kind(reason: str) -> str:
    """A reason without its detail (``duplicate_of:x`` -> ``duplicate_of``)."""
    return reason.split(":", 1)[0] if reason.startswith(("duplicate_of:", "repeated_id:")) else reason


def _table_names(tables: Sequence[Path]) -> list[str]:
    if not tables:
        return []
    names = [str(t) for t in tables[:3]]
    more = f" (and {len(tables) - 3} more)" if len(tables) > 3 else ""
    return [f"table{'s' if len(tables) > 1 else ''} {', '.join(names)}{more}"]
