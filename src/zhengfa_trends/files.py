"""The corpus folder's entries, without importing pandas or numpy.

Snakemake calls :func:`list_corpus_files` while it builds the job graph (the corpus files are the
ingest rule's inputs), so this module is kept light: every ``snakemake`` call imports it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas

# File names that say HTML (their text is stripped of markup, and the cleaning cache keys on it).
HTML_SUFFIXES = frozenset({".htm", ".html"})
# Office and PDF files of the folder (their text is extracted by python-docx and pypdf).
OFFICE_SUFFIXES = frozenset({".docx", ".pdf"})
TEXT_SUFFIXES = frozenset({".txt", ".text"}) | HTML_SUFFIXES | OFFICE_SUFFIXES
# Older office formats no well-kept Python reader opens: they get the reason convert_to_docx.
LEGACY_OFFICE_SUFFIXES = frozenset({".doc", ".wps", ".rtf"})
# corpus.table files by suffix: the reader of each (zhengfa_trends.ingest.tables).
TABLE_FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".parquet": "parquet",
    ".pq": "parquet",
}
# Where the articles are when the config names neither a corpus folder nor a table.
DEFAULT_CORPUS_DIR = "data/corpus"


# Characters that would break a TSV row for line-based tools (tab, line breaks, other controls).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def safe_name(name: str) -> str:
    """``name`` with every control character (tab, line break, …) replaced by ``_`` (for the ledger)."""
    return CONTROL_CHARACTERS.sub("_", name)


def leaves_folder(path: Path, folder: Path) -> bool:
    """True for a symbolic link whose target is not inside ``folder`` (such a file is never read)."""
    if not path.is_symlink():
        return False
    target, base = _resolve(path), _resolve(folder)
    return target != base and base not in target.parents


def readable_entry(path: Path, folder: Path) -> bool:
    """True for an entry of the corpus folder that may be read: a regular file (or a link to one
    inside the folder) whose name holds no control character."""
    return path.is_file() and not CONTROL_CHARACTERS.search(path.name) and not leaves_folder(path, folder)


class CorpusError(Exception):
    """The corpus as a whole cannot be analysed (missing folder, nothing included).

    ``documents`` holds the ledger when the folder was read but nothing could be used.
    """

    documents: pandas.DataFrame | None = None


def list_corpus_files(corpus_dir: Path, exclude: Iterable[Path] = ()) -> list[Path]:
    """Every entry directly in ``corpus_dir`` (files, subfolders, links), sorted by name, minus ``exclude``.

    Raises
    ------
    CorpusError
        If ``corpus_dir`` is not an existing folder.
    """
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.is_dir():
        what = "is a file, not a folder" if corpus_dir.exists() else "not found"
        raise CorpusError(
            f"corpus folder {what}: {corpus_dir} (resolved: {corpus_dir.resolve()}); create it and put "
            "the articles in it, or set corpus.dir in your config to the folder that holds them"
        )
    skip = {_resolve(Path(p)) for p in exclude}
    names = {Path(p).name for p in exclude} | {p.name for p in skip}  # resolve only these
    return sorted(
        (p for p in corpus_dir.iterdir() if p.name not in names or _resolve(p) not in skip),
        key=lambda p: p.name,
    )


def readable_corpus_files(corpus_dir: Path, exclude: Iterable[Path] = ()) -> list[Path]:
    """The entries of ``corpus_dir`` that the ingest may read (:func:`readable_entry`), sorted by name.

    These are the ingest's inputs, and the corpus files provenance.json names; links out of the
    folder and names with control characters are listed in the ledger but never read.
    """
    folder = Path(corpus_dir)
    return [p for p in list_corpus_files(folder, exclude=exclude) if readable_entry(p, folder)]


def corpus_folder(corpus_dir: str | None, table) -> str | None:
    """The corpus folder to read: ``corpus_dir`` if given, else the default folder unless a table is.

    ``corpus.dir`` and ``corpus.table`` both default to nothing; a config that names neither
    reads :data:`DEFAULT_CORPUS_DIR`, one that names only a table reads the table alone.
    """
    if corpus_dir:
        return str(corpus_dir)
    return None if table else DEFAULT_CORPUS_DIR


def list_table_files(spec) -> list[Path]:
    """The table files ``corpus.table`` names: a path, a glob or a list of them; sorted per glob.

    Raises
    ------
    CorpusError
        If a path names no file, a glob matches nothing, or a file is not of a table format
        (:data:`TABLE_FORMATS`); one line naming it.
    """
    import glob

    specs = [spec] if isinstance(spec, str | Path) else list(spec or [])
    found: list[Path] = []
    for item in map(str, specs):
        if glob.has_magic(item):
            matches = sorted(Path(p) for p in glob.glob(item) if Path(p).is_file())
            if not matches:
                raise CorpusError(
                    f"corpus.table: no file matches {item} (resolved: {Path(item).absolute()}); "
                    "check the pattern or the folder"
                )
        else:
            if not Path(item).is_file():
                what = "is a folder, not a table file" if Path(item).is_dir() else "not found"
                raise CorpusError(
                    f"corpus.table: {what}: {item} (resolved: {Path(item).absolute()}); name a CSV, "
                    "TSV, JSONL, JSON, .xlsx or Parquet file, a list of them or a glob such as exports/*.csv"
                )
            matches = [Path(item)]
        for path in matches:
            suffix = path.suffix.lower()
            if suffix not in TABLE_FORMATS:
                advice = {
                    ".xls": "open it in Excel or WPS and save it as .xlsx",
                    ".et": "open it in WPS and save it as .xlsx",
                }.get(suffix, "tables are read from " + ", ".join(sorted(TABLE_FORMATS)))
                raise CorpusError(f"corpus.table: {path} is not a table file this workflow reads; {advice}")
            if path not in found:
                found.append(path)
    return found


def _resolve(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop
        return path.absolute()
