"""Exports a researcher loads in R, Stata or a spreadsheet: one row per included document.

:func:`document_table` joins the ledger (date, title, source, facets), the passages' tokens
(keyword-theme hits and rates) and the chosen topic model's passage shares (token-weighted over the
document's passages); :func:`write_exports` writes it as CSV, Parquet and Stata ``.dta`` with a
codebook.  Stata variable names must be ASCII identifiers of at most 32 characters, so columns
named in Chinese (themes, facets) get ASCII names in the ``.dta`` file (``theme1_hits``,
``facet1``) and keep their name in the variable label; CSV and Parquet keep the names as they are.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .trends import count_theme_hits

LEDGER_FIELDS = ["doc_id", "date", "year", "title", "source"]
_STATA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,31}$")
# Stata's reserved words (a variable may not be called so).
_STATA_RESERVED = frozenset(
    "_all _b byte _coef _cons double float if in int long _n _N _pi _pred _rc _se _skip str strL "
    "using with".split()
)
# Stata stores longer strings as strL.
_STATA_STR_MAX = 2045
# Written into the .dta header instead of the time of writing, so two runs give identical bytes.
STATA_TIME_STAMP = dt.datetime(2000, 1, 1)


def topic_labels(topic_ids: pd.DataFrame, k: int) -> dict[int, tuple[int, str]]:
    """Topic number -> ``(stable topic id, label)`` of the K-topic model, from topic_ids.tsv rows."""
    current = topic_ids[(topic_ids["topic"] >= 0) & (topic_ids["k"] == k)]
    return {int(row.topic): (int(row.topic_id), str(row.label)) for row in current.itertuples()}


def document_table(
    ledger: pd.DataFrame,
    tokens: pd.DataFrame | Iterable[pd.DataFrame],
    themes: Mapping[str, Sequence[str]],
    passage_topics: pd.DataFrame | Iterable[pd.DataFrame] | None = None,
    topic_labels: Mapping[int, tuple[int, str]] | None = None,
    facets: Sequence[str] = (),
    *,
    per_tokens: int,
    keyword_match: str = "contains",
) -> tuple[pd.DataFrame, dict[str, str]]:
    """One row per included document, and a label for every column.

    Parameters
    ----------
    ledger : DataFrame
        documents.tsv.
    tokens : DataFrame or iterable of DataFrame
        tokens.tsv (``doc_id, passage_no, n_tokens, tokens``), whole or as consecutive parts
        (e.g. :func:`zhengfa_trends.io.read_token_chunks`); parts are summed as they come, so the
        whole table is never held.
    themes : mapping of theme name to keywords
        Normalised keywords (:func:`zhengfa_trends.keywords.normalise_themes`).
    passage_topics : DataFrame or iterable of DataFrame, optional
        The chosen model's passage_topics.tsv (``doc_id, n_tokens, topic_0 …``; other columns
        are ignored), whole or as consecutive parts.
    topic_labels : mapping, optional
        Model topic number -> ``(stable topic id, label)``; the column of a topic is
        ``topic_<id>``.  Without it the model's topic numbers are used.
    facets : sequence of str
        Ledger columns that travel with each document.
    per_tokens : int
        A theme's rate is its keyword tokens per this many tokens (config ``trends.per_tokens``).
    keyword_match : {"contains", "token"}
        How a token counts for a keyword (config ``trends.keyword_match``, as in the trends).

    Returns
    -------
    (DataFrame, dict)
        Columns ``doc_id, date, year, title, source, <facets>, n_passages, n_tokens``, then
        ``<theme>_hits, <theme>_rate`` per theme, then ``topic_<id>`` per topic; and the labels.

    Notes
    -----
    A whole table and the same table in parts of any size give the same bits: the parts are
    re-cut between documents (:func:`whole_documents`), so each document's sums are taken over
    all its rows, in file order, by one groupby.  That needs a document's passages to be
    consecutive, as tokens.tsv and passage_topics.tsv write them; a document found again in a
    later part still gets its whole sums (its counts exactly, its topic sums as the sum of the
    parts' sums, which may differ from one groupby's in the last bit).
    """
    included = ledger[ledger["included"].astype(str) == "yes"]
    fields = [*LEDGER_FIELDS, *[f for f in facets if f in ledger.columns]]
    table = included[fields].copy()
    for column in fields:
        if column != "year":
            table[column] = table[column].fillna("").astype(str)
    table["year"] = pd.to_numeric(table["year"], errors="coerce").astype("Int64")
    labels = {
        "doc_id": "document id (documents.tsv)",
        "date": "publication date (as precise as known)",
        "year": "publication year",
        "title": "title",
        "source": "source",
        **{facet: f"facet {facet}" for facet in facets},
        "n_passages": "passages of the document",
        "n_tokens": "tokens of the document (after stopwords and filters)",
    }
    per_doc, hits = token_sums(tokens, themes, keyword_match)
    table = table.join(per_doc, on="doc_id")
    table[["n_passages", "n_tokens"]] = table[["n_passages", "n_tokens"]].fillna(0).astype("int64")
    for theme in themes:
        counts = table["doc_id"].map(hits[theme]).fillna(0).astype("int64")
        table[f"{theme}_hits"] = counts
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = counts / table["n_tokens"].where(table["n_tokens"] > 0) * per_tokens
        table[f"{theme}_rate"] = rate.round(6)
        labels[f"{theme}_hits"] = f"{theme}: keyword tokens"
        labels[f"{theme}_rate"] = f"{theme}: keyword tokens per {per_tokens:,} tokens"
    if passage_topics is not None:
        sums, totals = topic_sums(passage_topics)
        shares = sums.div(totals.where(totals > 0), axis=0)
        for column in sums.columns:
            number = int(column.split("_")[1])
            topic_id, label = (topic_labels or {}).get(number, (number, ""))
            name = f"topic_{topic_id}"
            table[name] = table["doc_id"].map(shares[column]).round(6)
            labels[name] = f"topic {topic_id} share (token-weighted): {label}".rstrip(": ")
    return table.reset_index(drop=True), labels


def whole_documents(parts: pd.DataFrame | Iterable[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """Consecutive parts of a passage table (``doc_id`` column) re-cut between documents.

    The rows of the last document of a part are held back and put before the next part, so a
    document whose passages are consecutive is never split between two parts.  A DataFrame is
    one part.  At least one part comes out (an empty one for an empty table), so the columns are
    known.
    """
    if isinstance(parts, pd.DataFrame):
        parts = [parts]
    carry = None
    given = False
    for part in parts:
        if carry is not None and len(carry):
            part = pd.concat([carry, part], ignore_index=True)
        doc_ids = part["doc_id"].to_numpy()
        if len(doc_ids) == 0:
            carry = part
            continue
        others = np.flatnonzero(doc_ids != doc_ids[-1])
        cut = int(others[-1]) + 1 if len(others) else 0
        if cut:
            yield part.iloc[:cut].reset_index(drop=True)
            given = True
        carry = part.iloc[cut:].reset_index(drop=True)
    if carry is not None and (len(carry) or not given):
        yield carry


def token_sums(
    tokens: pd.DataFrame | Iterable[pd.DataFrame],
    themes: Mapping[str, Sequence[str]],
    keyword_match: str = "contains",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per document (index ``doc_id``, in file order): ``n_passages, n_tokens``, and the theme
    hits (one column per theme), of tokens.tsv whole or in consecutive parts."""
    counts, hits = [], []
    for part in whole_documents(tokens):
        counts.append(
            part.groupby("doc_id", sort=False).agg(
                n_passages=("n_tokens", "size"), n_tokens=("n_tokens", "sum")
            )
        )
        found = count_theme_hits(part["tokens"].fillna(""), themes, keyword_match)
        found["doc_id"] = part["doc_id"].to_numpy()
        hits.append(found.groupby("doc_id", sort=False).sum())
    return _by_document(counts), _by_document(hits)


def topic_sums(passage_topics: pd.DataFrame | Iterable[pd.DataFrame]) -> tuple[pd.DataFrame, pd.Series]:
    """Per document (index ``doc_id``): the token-weighted sums of the ``topic_<n>`` columns and
    the token totals, of passage_topics.tsv whole or in consecutive parts."""
    sums, totals, columns = [], [], None
    for part in whole_documents(passage_topics):
        if columns is None:
            columns = [c for c in part.columns if re.fullmatch(r"topic_\d+", c)]
        weights = part["n_tokens"].to_numpy(dtype=float)
        weighted = part[columns].to_numpy(dtype=float) * weights[:, None]
        doc_ids = part["doc_id"].to_numpy()
        sums.append(pd.DataFrame(weighted, columns=columns).groupby(doc_ids).sum())
        totals.append(pd.Series(weights).groupby(doc_ids).sum())
    return _by_document(sums), _by_document(totals)


def _by_document(parts: list):
    """The parts' per-document sums as one table; a document met in two parts (its passages were
    not consecutive) gets the sum of its partial sums."""
    whole = pd.concat(parts) if len(parts) > 1 else parts[0]
    if not whole.index.is_unique:
        whole = whole.groupby(level=0, sort=False).sum()
    return whole


def stata_names(
    columns: Sequence[str], themes: Sequence[str] = (), facets: Sequence[str] = ()
) -> dict[str, str]:
    """A valid, unique Stata variable name for every column (valid names are kept).

    Theme columns become ``theme<i>_hits`` / ``theme<i>_rate`` (the theme's place in the config),
    facets ``facet<i>``, anything else ``var<i>``.
    """
    names: dict[str, str] = {}
    used: set[str] = set()
    theme_number = {theme: i for i, theme in enumerate(themes, start=1)}
    facet_number = {facet: i for i, facet in enumerate(facets, start=1)}
    for position, column in enumerate(columns, start=1):
        if _STATA_NAME.match(column) and column not in _STATA_RESERVED:
            name = column
        elif column in facet_number:
            name = f"facet{facet_number[column]}"
        else:
            theme, _, kind = column.rpartition("_")
            name = f"theme{theme_number[theme]}_{kind}" if theme in theme_number else f"var{position}"
        while name in used:
            name = f"{name[:29]}_{position}"
        used.add(name)
        names[column] = name
    return names


def write_exports(
    table: pd.DataFrame,
    labels: Mapping[str, str],
    outputs: Mapping[str, str | Path],
    themes: Sequence[str] = (),
    facets: Sequence[str] = (),
) -> None:
    """Write ``csv`` (UTF-8 with BOM, which Excel needs for Chinese), ``parquet``, ``dta`` (Stata
    118, Unicode) and ``codebook`` (``column, stata_name, label``), the keys of ``outputs``."""
    for path in outputs.values():
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(outputs["csv"], index=False, encoding="utf-8-sig", lineterminator="\n")
    table.to_parquet(outputs["parquet"], index=False, engine="pyarrow")
    names = stata_names(list(table.columns), themes, facets)
    stata = table.rename(columns=names)
    for column in stata.columns:
        if stata[column].dtype == "Int64":
            stata[column] = stata[column].astype("float64")  # Stata's missing value is NaN
        elif not pd.api.types.is_numeric_dtype(stata[column]):
            stata[column] = stata[column].astype(object).where(stata[column].notna(), "")
    long = [
        c
        for c in stata.columns
        if stata[c].dtype == object and stata[c].map(_utf8_len).max() > _STATA_STR_MAX
    ]
    stata.to_stata(
        outputs["dta"],
        write_index=False,
        version=118,
        variable_labels={names[c]: labels.get(c, c)[:80] for c in table.columns},
        convert_strl=long,
        time_stamp=STATA_TIME_STAMP,
        data_label="zhengfa-trends: one row per included document",
    )
    codebook = pd.DataFrame(
        {
            "column": list(table.columns),
            "stata_name": [names[c] for c in table.columns],
            "label": [labels.get(c, "") for c in table.columns],
        }
    )
    codebook.to_csv(outputs["codebook"], sep="\t", index=False, lineterminator="\n")


def _utf8_len(value) -> int:
    return len(str(value).encode("utf-8"))
