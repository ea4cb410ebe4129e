"""Ingest: read every file of a corpus folder, decode, date, clean, and account for each one.

One module per concern; the corpus-level contract is :func:`ingest_corpus`.

========================  ======================================================================
:mod:`.decode`            bytes to text: binary sniffing, encodings, sha256
:mod:`.markup`            HTML to text
:mod:`.dates`             date parsing and the rules that date an article from its text
:mod:`.metadata`          metadata.tsv, and the title guessed from the text
:mod:`.duplicates`        shingles, MinHash/LSH (:class:`NearDuplicateIndex`)
:mod:`.boilerplate`       site boilerplate: lines recurring across many documents (corpus-level)
:mod:`.readers`           one folder entry to its raw text, by file suffix (:data:`READERS`)
:mod:`.tables`            tables as corpora (CSV, TSV, JSONL, JSON, .xlsx, Parquet), one row per document
:mod:`.selection`         ``corpus.include`` / ``corpus.exclude``
:mod:`.corpus`            :func:`ingest_corpus`: the ledger loop, the cleaning cache, the workers
========================  ======================================================================
"""

from ..files import HTML_SUFFIXES, TEXT_SUFFIXES, CorpusError, list_table_files
from .boilerplate import BOILERPLATE_COLUMNS, find_boilerplate, remove_boilerplate
from .corpus import (
    INGEST_CACHE_VERSION,
    LEDGER_COLUMNS,
    PARALLEL_MIN_ENTRIES,
    PASSAGE_COLUMNS,
    REASONS,
    CleaningCache,
    IngestOptions,
    IngestResult,
    PreparedDocument,
    ingest_corpus,
    ingest_fingerprint,
    ingest_settings,
    ledger_columns,
    log_excluded,
    nothing_usable_message,
    setting_exclusions,
)
from .dates import DATE_PATTERNS, document_date, document_date_evidence, find_text_date, parse_date
from .decode import common_share, decode_bytes, is_binary, sha256_bytes
from .duplicates import (
    MINHASH_BINS,
    SHINGLE_CHARS,
    NearDuplicateIndex,
    jaccard,
    lsh_rows,
    minhash_signature,
    shingle_hashes,
    shingle_text,
)
from .markup import looks_like_html, strip_html
from .metadata import guess_title, metadata_file, read_metadata
from .readers import READERS, RawText, read_entry, read_raw_text
from .selection import Selection
from .tables import TableColumns, TableError, read_table, table_date

__all__ = [
    "BOILERPLATE_COLUMNS",
    "DATE_PATTERNS",
    "HTML_SUFFIXES",
    "INGEST_CACHE_VERSION",
    "LEDGER_COLUMNS",
    "MINHASH_BINS",
    "PARALLEL_MIN_ENTRIES",
    "PASSAGE_COLUMNS",
    "READERS",
    "REASONS",
    "SHINGLE_CHARS",
    "TEXT_SUFFIXES",
    "CleaningCache",
    "CorpusError",
    "IngestOptions",
    "IngestResult",
    "NearDuplicateIndex",
    "PreparedDocument",
    "RawText",
    "Selection",
    "TableColumns",
    "TableError",
    "common_share",
    "decode_bytes",
    "document_date",
    "document_date_evidence",
    "find_boilerplate",
    "find_text_date",
    "guess_title",
    "ingest_corpus",
    "ingest_fingerprint",
    "ingest_settings",
    "is_binary",
    "jaccard",
    "list_table_files",
    "looks_like_html",
    "ledger_columns",
    "log_excluded",
    "lsh_rows",
    "metadata_file",
    "minhash_signature",
    "nothing_usable_message",
    "parse_date",
    "read_entry",
    "read_metadata",
    "read_raw_text",
    "read_table",
    "remove_boilerplate",
    "setting_exclusions",
    "sha256_bytes",
    "shingle_hashes",
    "shingle_text",
    "strip_html",
    "table_date",
]
