"""What the explorer shows, assembled from the workflow's result tables (no HTML here).

Every function takes tidy DataFrames (or arrays) and returns plain lists and dicts that are
serialised as the page's one JSON block.  The numbers (yearly shares, term counts) are complete;
only the passages shown as evidence are bounded: a fixed number per year × theme and year × topic
cell and per term, so the page grows with the number of cells and terms, not of documents.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..config import default, schema_field
from ..trends import count_theme_hits

# λ values at which a topic's candidate terms are collected: the page recomputes the relevance
# ranking for any λ of its slider from these terms' φ and p(w).
LAMBDA_GRID = tuple(round(0.1 * i, 1) for i in range(11))


@dataclass(frozen=True)
class ExplorerOptions:
    """Bounds of the page (config section ``explorer``)."""

    # Defaults: the config schema's explorer section (workflow/schemas/config.schema.yaml).
    passages_per_cell: int = schema_field("explorer.passages_per_cell")
    topic_terms: int = schema_field("explorer.topic_terms")
    max_terms: int = schema_field("explorer.max_terms")
    first_passages: int = schema_field("explorer.first_passages")
    max_first_passages: int = schema_field("explorer.max_first_passages")
    relevance_lambda: float = schema_field("explorer.relevance_lambda")

    @classmethod
    def from_config(cls, options: Mapping) -> ExplorerOptions:
        known = {name: options[name] for name in cls.__dataclass_fields__ if name in options}
        return cls(**known)


@dataclass
class PassagePool:
    """The passages the page quotes, each stored once however many cells point to it.

    ``passages`` need not hold the texts: a large corpus's texts would take gigabytes, and the
    page quotes a few hundred of them.  ``texts`` then gives the texts of the rows asked for
    (:func:`passage_texts_reader`).
    """

    passages: pd.DataFrame  # doc_id, passage_no, order (chronological rank)[, text]
    used: dict[int, int] = field(default_factory=dict)  # row of ``passages`` → number in the page
    texts: Callable[[Sequence[int]], Mapping[int, object]] | None = None

    def ref(self, row: int) -> int:
        """The page's number of passage ``row`` (numbered in order of first use)."""
        if row not in self.used:
            self.used[row] = len(self.used)
        return self.used[row]

    def records(self) -> tuple[list[list], list[str]]:
        """``[document number, passage_no, text]`` of every used passage, in page order, and the
        ids of the documents they come from (numbered in order of first use: only the documents
        the page quotes are listed in it)."""
        rows = sorted(self.used, key=self.used.get)
        table = self.passages
        text_of = table["text"] if self.texts is None else self.texts(rows)
        doc_ids: dict[str, int] = {}
        records = []
        for row in rows:
            doc_id = table.at[row, "doc_id"]
            number = doc_ids.setdefault(doc_id, len(doc_ids))
            records.append([number, int(table.at[row, "passage_no"]), text_of[row]])
        return records, list(doc_ids)


def rows_of_chunks(chunks: Iterable[pd.DataFrame], column: str, rows: Iterable[int]) -> dict[int, object]:
    """The values of ``column`` at table rows ``rows`` (0-based, over all chunks), from a table
    read in consecutive chunks: only those values are kept, and reading stops at the last one."""
    wanted = np.unique(np.asarray(list(rows), dtype=np.int64))
    found: dict[int, object] = {}
    if not len(wanted):
        return found
    start = 0
    for chunk in chunks:
        stop = start + len(chunk)
        here = wanted[(wanted >= start) & (wanted < stop)]
        values = chunk[column].to_numpy()
        found.update((int(row), values[row - start]) for row in here)
        start = stop
        if len(found) == len(wanted):
            break
    return found


def passage_texts_reader(path, chunk_rows: int = 20_000) -> Callable[[Sequence[int]], dict[int, object]]:
    """A ``PassagePool.texts`` for passages.tsv at ``path``: the texts of the rows asked for, read
    in chunks of ``chunk_rows`` rows so that only those texts are ever held.

    The values are those of ``read_tsv(path)["text"]`` (the same parser and NA rules).
    """

    def texts(rows: Sequence[int]) -> dict[int, object]:
        chunks = pd.read_csv(
            path,
            sep="\t",
            keep_default_na=False,
            na_values=[""],
            usecols=["text"],
            dtype={"text": str},
            chunksize=chunk_rows,
        )
        return rows_of_chunks(chunks, "text", rows)

    return texts


TokenChunks = Callable[[], Iterator[pd.DataFrame]]
"""tokens.tsv as consecutive row chunks, read afresh at each call
(``functools.partial(zhengfa_trends.io.read_token_chunks, path, rows)``)."""


def token_chunks(tokens: pd.DataFrame | TokenChunks) -> TokenChunks:
    """``tokens`` as :data:`TokenChunks`: a whole table is its one chunk."""
    if isinstance(tokens, pd.DataFrame):
        whole = tokens.reset_index(drop=True)
        return lambda: iter([whole])
    return tokens


@dataclass
class TokenSummary:
    """What the page needs of tokens.tsv besides a few passages' token strings, one entry per passage.

    Summed over chunks of passages (:func:`summarise_tokens`), so the token strings of a large
    corpus (a gigabyte of Python strings at 100,000 documents) are never all held.
    """

    n_tokens: np.ndarray  # int, tokens per passage
    years: np.ndarray  # int, the passage's year
    hits: np.ndarray  # passages × themes, keyword tokens of each theme (count_theme_hits)
    counts: dict[int, Counter]  # year → token counts (features.yearly_term_counts)


def summarise_tokens(
    chunks: Iterable[pd.DataFrame], passages: pd.DataFrame, themes: Mapping[str, Sequence[str]]
) -> TokenSummary:
    """:class:`TokenSummary` of tokens.tsv read in consecutive ``chunks``, checked row by row
    against ``passages`` (the same passages in the same order).

    Per passage everything is computed from that passage alone, and the yearly counts are integer
    sums, so any cut into chunks gives what the whole table gives.
    """
    from ..features import yearly_term_counts as counts_by_year

    doc_ids = passages["doc_id"].to_numpy()
    passage_nos = passages["passage_no"].to_numpy()
    n_tokens, years, hits = [], [], []
    counts: dict[int, Counter] = {}
    start = 0
    for chunk in chunks:
        stop = start + len(chunk)
        if not _same_passages(chunk, doc_ids, passage_nos, start, stop):
            raise ValueError("passages.tsv and tokens.tsv list different passages (re-run the workflow)")
        n_tokens.append(chunk["n_tokens"].to_numpy())
        years.append(chunk["year"].to_numpy())
        hits.append(count_theme_hits(chunk["tokens"], themes).to_numpy())
        for year, counter in counts_by_year(chunk).items():
            counts.setdefault(year, Counter()).update(counter)
        start = stop
    if start != len(passages):
        raise ValueError("passages.tsv and tokens.tsv list different passages (re-run the workflow)")
    return TokenSummary(
        n_tokens=np.concatenate(n_tokens) if n_tokens else np.zeros(0, dtype=np.int64),
        years=np.concatenate(years) if years else np.zeros(0, dtype=np.int64),
        hits=np.concatenate(hits) if hits else np.zeros((0, len(themes)), dtype=np.int64),
        counts=dict(sorted(counts.items())),
    )


@dataclass(frozen=True)
class PassageTopics:
    """Rows of the chosen K's passage_topics.tsv as arrays (consecutive rows of passages.tsv)."""

    theta: np.ndarray  # passages × K topic shares (float64)
    n_tokens: np.ndarray  # float, tokens per passage
    years: np.ndarray  # int

    @classmethod
    def from_table(cls, table: pd.DataFrame, passages: pd.DataFrame, k: int) -> PassageTopics:
        """The arrays of a whole passage_topics table (reordered to ``passages`` where it differs)."""
        table = aligned(table, passages)
        return cls(
            theta=table[[f"topic_{i}" for i in range(k)]].to_numpy(dtype=float),
            n_tokens=table["n_tokens"].to_numpy(dtype=float),
            years=table["year"].to_numpy(),
        )


class MisalignedPassages(ValueError):
    """passage_topics.tsv lists the passages of passages.tsv in another order (or others)."""


def read_passage_topics(
    path, passages: pd.DataFrame, k: int, chunk_rows: int = 50_000, whole: bool = False
) -> Iterator[PassageTopics]:
    """passage_topics.tsv at ``path`` as consecutive :class:`PassageTopics` of ``chunk_rows``
    passages, only its needed columns: the whole table as a DataFrame and its θ copy would take
    1.1 GB at 1.67 million passages and K = 40.

    The values are those of ``PassageTopics.from_table(read_tsv(path), …)``: the same parser
    reads the same text to float64.  Raises :class:`MisalignedPassages` at the first chunk whose
    passages are not those of ``passages`` there; ``whole``: one chunk, the whole table
    reordered to ``passages`` (:func:`aligned`).
    """
    from ..io import read_tsv

    if whole:
        yield PassageTopics.from_table(read_tsv(path, dtype={"doc_id": str}), passages, k)
        return
    topics = [f"topic_{i}" for i in range(k)]
    doc_ids = passages["doc_id"].to_numpy()
    passage_nos = passages["passage_no"].to_numpy()
    chunks = read_tsv(
        path,
        usecols=["doc_id", "passage_no", "year", "n_tokens", *topics],
        dtype={"doc_id": str, **dict.fromkeys(topics, np.float64)},
        chunksize=chunk_rows,
    )
    start = 0
    for chunk in chunks:
        stop = start + len(chunk)
        if not _same_passages(chunk, doc_ids, passage_nos, start, stop):
            raise MisalignedPassages(path)
        yield PassageTopics(
            theta=chunk[topics].to_numpy(dtype=float),
            n_tokens=chunk["n_tokens"].to_numpy(dtype=float),
            years=chunk["year"].to_numpy(),
        )
        start = stop
    if start != len(passages):
        raise MisalignedPassages(path)


@dataclass
class TopicSummary:
    """What the page needs of θ: each topic's tokens and, per topic and year, the best passages
    (:func:`summarise_topics`), so that θ (535 MB at 1.67 million passages, K = 40) is never
    held whole."""

    topic_tokens: np.ndarray  # (K,) Σ θ × tokens
    years: list[int]  # every year of the passages
    best: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]]  # (topic, year) → rows, θ (ranked)


def summarise_topics(
    chunks: Iterable[PassageTopics], order: np.ndarray, k: int, per_cell: int, head_rows: int = 50_000
) -> TopicSummary:
    """:class:`TopicSummary` of θ read in consecutive ``chunks`` (``order``: the passages'
    reading-order ranks, :func:`chronological_passages`).

    The same as the whole θ gives: the topic totals are :func:`topic_token_totals` of the whole
    θ as pandas gives it (column-major, so numpy sums each block of ``head_rows``, its ``chunk``,
    pairwise with the total so far): the products are gathered into the same column-major
    blocks of ``head_rows`` passages, whatever the chunks read.  A cell's best passages
    over all chunks are the best of each chunk's best, the ranking (θ × tokens rounded to 9
    digits, down; then reading order, unique) being a strict order.
    """
    total = None
    pending: list[np.ndarray] = []  # products of the passages not yet in a block
    pending_n = 0

    def add(block):
        block = np.asfortranarray(block)
        return block.sum(axis=0) if total is None else np.concatenate([total[None], block]).sum(axis=0)

    years: set[int] = set()
    best: dict[tuple[int, int], tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}
    start = 0
    for chunk in chunks:
        theta, passage_tokens, chunk_years = chunk.theta, chunk.n_tokens, chunk.years
        stop = start + len(theta)
        pending.append(theta * passage_tokens[:, None])
        pending_n += len(theta)
        if pending_n >= head_rows:
            products = np.concatenate(pending)
            whole = len(products) - len(products) % head_rows
            for first in range(0, whole, head_rows):
                total = add(products[first : first + head_rows])
            pending, pending_n = [products[whole:]], len(products) - whole
            del products
        ranks = order[start:stop]
        here = [int(y) for y in np.unique(chunk_years)]
        years.update(here)
        for topic in range(k):
            mass = theta[:, topic] * passage_tokens
            for year in here:
                rows = np.flatnonzero((chunk_years == year) & (mass > 0))
                new = (rows + start, -np.round(mass[rows], 9), ranks[rows], theta[rows, topic])
                old = best.get((topic, year))
                merged = (
                    new if old is None else tuple(np.concatenate(pair) for pair in zip(old, new, strict=True))
                )
                keep = np.lexsort((merged[2], merged[1]))[:per_cell]
                best[(topic, year)] = tuple(column[keep] for column in merged)
        start = stop
    if pending_n:
        total = add(np.concatenate(pending))
    if total is None:
        total = np.zeros(k)
    return TopicSummary(
        topic_tokens=total,
        years=sorted(years),
        best={cell: (values[0], values[3]) for cell, values in best.items()},
    )


def _round(value, digits: int = 6):
    """A float rounded for the page (NaN → None, so the JSON stays valid)."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or pd.isna(value):
        return None
    return round(float(value), digits)


def chronological_passages(passages: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Passages with their document's date, in reading order: date, document id, passage number.

    ``passages`` and ``tokens`` rows are aligned on ``doc_id, passage_no``; the result keeps the
    passages' own row numbers in ``row`` so that evidence can point back to them.
    """
    dates = documents.set_index("doc_id")["date"].astype(str)
    table = passages.reset_index(drop=True).copy()
    table["date"] = table["doc_id"].map(dates).fillna("")
    order = table.sort_values(["date", "doc_id", "passage_no"], kind="stable").index
    table["order"] = 0
    table.loc[order, "order"] = np.arange(len(table))
    return table


def aligned(table: pd.DataFrame, passages: pd.DataFrame) -> pd.DataFrame:
    """``table`` (one row per passage) reordered to the rows of ``passages`` (by doc_id, passage_no)."""
    keys = ["doc_id", "passage_no"]
    if list(table["doc_id"]) == list(passages["doc_id"]) and list(table["passage_no"]) == list(
        passages["passage_no"]
    ):
        return table.reset_index(drop=True)
    merged = passages[keys].merge(table, on=keys, how="left", validate="one_to_one")
    if merged.isna().any().any():
        raise ValueError("passage_topics.tsv lacks passages of passages.tsv (re-run the workflow)")
    return merged


def year_axis(years: Sequence[int]) -> list[int]:
    """Every year from the first to the last (years without documents stay on the axis, empty)."""
    years = sorted({int(y) for y in years})
    return list(range(years[0], years[-1] + 1)) if years else []


def series_by_year(table: pd.DataFrame, key: str, keys: Sequence, years: Sequence[int]) -> dict:
    """Per series: ``share, ci_low, ci_high, n_docs, n_passages, small_n`` aligned on ``years``.

    A year without a row (no documents) is ``None`` everywhere: drawn as a gap, never interpolated.
    """
    columns = ("share", "ci_low", "ci_high", "n_docs", "n_passages", "n_tokens", "small_n")
    out = {}
    for name in keys:
        rows = table[table[key] == name].set_index("year")
        series = {}
        for column in columns:
            values = []
            for year in years:
                if year not in rows.index or column not in rows.columns:
                    values.append(None)
                elif column == "small_n":
                    values.append(str(rows.at[year, column]) in ("True", "true", "1"))
                elif column.startswith("n_"):
                    values.append(int(rows.at[year, column]))
                else:
                    values.append(_round(rows.at[year, column]))
            series[column] = values
        if "n_hits" in rows.columns:
            series["n_hits"] = [int(rows.at[y, "n_hits"]) if y in rows.index else None for y in years]
        out[str(name)] = series
    return out


def theme_evidence(
    hits: np.ndarray,
    n_tokens: np.ndarray,
    years: np.ndarray,
    themes: Mapping[str, Sequence[str]],
    pool: PassagePool,
    per_cell: int,
) -> dict:
    """For each theme and year, the passages with the most keyword tokens of the theme.

    ``hits`` are the passages' keyword tokens of each theme (passages × themes,
    :func:`~zhengfa_trends.trends.count_theme_hits`), ``n_tokens`` and ``years`` their tokens and
    years.  Ties go to the higher keyword rate, then to the earlier passage.  Returns
    ``{theme: {year: [[passage number, keyword tokens], …]}}`` (years without a hit are left out).
    """
    n_tokens = np.asarray(n_tokens, dtype=float)
    order = pool.passages["order"].to_numpy()
    years = np.asarray(years)
    out = {}
    for column, theme in enumerate(themes):
        counts = hits[:, column]
        rate = np.divide(counts, n_tokens, out=np.zeros_like(n_tokens), where=n_tokens > 0)
        cells = {}
        for year in np.unique(years[counts > 0]):
            rows = np.flatnonzero((years == year) & (counts > 0))
            ranked = rows[np.lexsort((order[rows], -rate[rows], -counts[rows]))][:per_cell]
            cells[str(int(year))] = [[pool.ref(int(r)), int(counts[r])] for r in ranked]
        out[theme] = cells
    return out


def topic_evidence(
    theta: np.ndarray | TopicSummary,
    passage_tokens: np.ndarray | None,
    years: np.ndarray | None,
    pool: PassagePool,
    per_cell: int,
) -> dict:
    """For each topic and year, the passages that put the most tokens into the topic (θ × tokens).

    ``theta`` are the passages' topic shares (passages × K), ``passage_tokens`` each passage's
    tokens, ``years`` the passages' years; or ``theta`` is their :class:`TopicSummary` (then the
    other two are not used).  The yearly topic share is the token-weighted mean of θ, so these
    are the passages that carry it most.  Returns ``{topic: {year: [[passage number, θ], …]}}``.
    """
    order = pool.passages["order"].to_numpy()
    if isinstance(theta, TopicSummary):
        summary = theta
    else:
        chunk = PassageTopics(theta=theta, n_tokens=passage_tokens, years=np.asarray(years))
        summary = summarise_topics([chunk], order, theta.shape[1], per_cell)
    out = {}
    for topic in range(len(summary.topic_tokens)):
        cells = {}
        for year in summary.years:
            rows, shares = summary.best.get((topic, year), (np.zeros(0, dtype=np.int64), np.zeros(0)))
            cells[str(year)] = [[pool.ref(int(r)), _round(v, 4)] for r, v in zip(rows, shares, strict=True)]
        out[str(topic)] = cells
    return out


def topic_token_totals(theta: np.ndarray, passage_tokens: np.ndarray, chunk: int = 50_000) -> np.ndarray:
    """Each topic's tokens, Σ θ × tokens over the passages, without the whole passages × K product.

    The same bits as ``(theta * passage_tokens[:, None]).sum(axis=0)``: numpy adds the rows of
    that product in order, and each chunk's sum starts from the total so far (its first row), so
    the additions happen in the same order.
    """
    total = None
    for start in range(0, len(theta), chunk):
        part = theta[start : start + chunk] * passage_tokens[start : start + chunk, None]
        total = part.sum(axis=0) if total is None else np.concatenate([total[None], part]).sum(axis=0)
    return total if total is not None else np.zeros(theta.shape[1])


def yearly_term_counts(tokens: pd.DataFrame, years: Sequence[int]) -> list[Counter]:
    """Token counts of each year of ``years`` (:func:`zhengfa_trends.features.yearly_term_counts`;
    a year without passages gets an empty Counter)."""
    from ..features import yearly_term_counts as counts_by_year

    counts = counts_by_year(tokens)
    return [counts.get(int(year), Counter()) for year in years]


def term_table(
    tokens: pd.DataFrame | Callable[[Sequence[int]], Mapping[int, str]],
    per_year: Sequence[Counter],
    total: Counter,
    pool: PassagePool,
    options: ExplorerOptions,
    block: int = 50_000,
) -> dict:
    """Yearly counts of the most frequent terms and the passages where each first appears.

    Terms are ranked by total count (ties: the term), at most ``options.max_terms``; ``counts`` are
    aligned on the years of ``per_year``.  A term's first passages are the earliest in reading
    order (date, document, passage) that contain it; at most ``options.max_first_passages``
    passages not quoted elsewhere are taken for them, the earliest first (a term first found
    after that has none quoted; the page gives its first year from the counts).

    ``tokens`` is tokens.tsv (row-aligned with ``pool.passages``) or a function of rows giving
    their token strings: then only the passages already quoted and the ``block`` earliest ones
    not looked at yet are asked for at a time (one read of tokens.tsv each; the quoted ones and
    a first block usually suffice).
    """
    if isinstance(tokens, pd.DataFrame):
        column = tokens["tokens"]

        def token_texts(rows):
            return {row: column.at[row] for row in rows}

    else:
        token_texts = tokens
    ranked = sorted(total, key=lambda term: (-total[term], term))[: options.max_terms]
    number_of = {term: i for i, term in enumerate(ranked)}
    first: list[list[int]] = [[] for _ in ranked]
    missing = len(ranked) * options.first_passages
    added = 0
    reading = pool.passages.sort_values("order").index.to_numpy()
    texts: dict = {}
    fetched = False
    for position, row in enumerate(reading.tolist()):
        if missing == 0:
            break
        quoted = row in pool.used
        if not quoted and added >= options.max_first_passages:
            continue  # only passages already quoted as evidence from here on
        if row not in texts:
            # the quoted passages' texts are kept: they are needed to the end
            kept = {r: text for r, text in texts.items() if r in pool.used}
            ahead = [r for r in reading[position : position + block].tolist() if r not in kept]
            texts = {**kept, **token_texts(ahead if fetched else [*pool.used, *ahead])}
            fetched = True
        wanted = []
        for term in dict.fromkeys(texts[row].split()):
            number = number_of.get(term)
            if number is not None and len(first[number]) < options.first_passages:
                wanted.append(number)
        if not wanted:
            continue
        if not quoted:
            added += 1
        for number in wanted:
            first[number].append(row)
        missing -= len(wanted)
    return {
        "terms": ranked,
        "counts": [[counter[term] for counter in per_year] for term in ranked],
        "first": [[pool.ref(int(row)) for row in rows] for rows in first],
        "year_tokens": [int(sum(counter.values())) for counter in per_year],
    }


def topic_terms(
    topic_word: np.ndarray,
    vocabulary: Sequence[str],
    term_counts: Mapping[str, int],
    topic_tokens: np.ndarray,
    n_terms: int,
) -> list[dict]:
    """Each topic's candidate terms for the relevance ranking of Sievert & Shirley (2014).

    relevance(w, t | λ) = λ log φ_tw + (1 − λ) log(φ_tw / p_w), with p_w the term's share of the
    corpus tokens (over the LDA vocabulary).  The candidates are the union of the ``n_terms`` most
    relevant terms at each λ of :data:`LAMBDA_GRID`, so that any slider position ranks the right
    terms.  Returns per topic ``terms, log_phi, log_p, count, in_topic`` (``in_topic`` = φ_tw × the
    topic's tokens, the estimated count of the term in the topic).
    """
    counts = np.array([term_counts.get(word, 0) for word in vocabulary], dtype=float)
    # A vocabulary term missing from the tokens (cannot happen for a fitted model, but a frozen one
    # may predate a change of stopwords) gets half a count, so that log p stays finite.
    counts = np.where(counts > 0, counts, 0.5)
    log_p = np.log(counts / counts.sum())
    out = []
    words = np.asarray(vocabulary)
    for topic in range(topic_word.shape[0]):
        phi = np.clip(topic_word[topic], 1e-12, None)
        log_phi = np.log(phi)
        chosen: set[int] = set()
        for lam in LAMBDA_GRID:
            relevance = np.round(lam * log_phi + (1 - lam) * (log_phi - log_p), 9)
            chosen.update(np.lexsort((words, -relevance))[:n_terms].tolist())
        picked = sorted(chosen, key=lambda i: (-phi[i], words[i]))
        out.append(
            {
                "terms": [str(words[i]) for i in picked],
                "log_phi": [_round(log_phi[i], 5) for i in picked],
                "log_p": [_round(log_p[i], 5) for i in picked],
                "count": [int(counts[i]) if counts[i] >= 1 else 0 for i in picked],
                "in_topic": [_round(phi[i] * topic_tokens[topic], 2) for i in picked],
            }
        )
    return out


def facet_columns(documents: pd.DataFrame, facet: str | None) -> list[str]:
    """The ledger columns shown with a quoted passage: ``source`` and the configured
    ``trends.facet`` column (bookkeeping columns such as character counts are left out)."""
    wanted = ["source", *([facet] if facet else [])]
    return [c for c in dict.fromkeys(wanted) if c in documents.columns]


def _text(value) -> str:
    return "" if value is None or pd.isna(value) else str(value)


def assemble(
    *,
    documents: pd.DataFrame,
    passages: pd.DataFrame,
    tokens: pd.DataFrame | TokenChunks,
    theme_shares: pd.DataFrame,
    topic_shares: pd.DataFrame,
    theme_topics: pd.DataFrame,
    topic_ids: pd.DataFrame,
    stability: pd.DataFrame,
    passage_topics: pd.DataFrame | Callable[..., Iterator[PassageTopics]],
    topic_word: np.ndarray,
    vocabulary: Sequence[str],
    keyness: pd.DataFrame,
    themes: Mapping[str, Sequence[str]],
    k: int,
    provenance: Mapping,
    options: ExplorerOptions,
    period_shares: pd.DataFrame | None = None,
    topic_period_shares: pd.DataFrame | None = None,
    passage_texts: Callable[[Sequence[int]], Mapping[int, object]] | None = None,
) -> dict:
    """Everything the page shows, as one JSON-serialisable dict.

    Parameters
    ----------
    documents, passages : DataFrame
        ``documents.tsv`` and ``passages.tsv``.
    tokens : DataFrame or TokenChunks
        ``tokens.tsv`` (row-aligned with ``passages``), or a function reading it in chunks
        (:data:`TokenChunks`): it is read once for the counts (:func:`summarise_tokens`) and
        again for the few passages whose token strings are looked at, never held whole.
    theme_shares, topic_shares, theme_topics : DataFrame
        The trends tables; ``topic_shares`` and ``theme_topics`` may hold several K.
    topic_ids, stability : DataFrame
        ``topic_ids.tsv`` and the chosen K's ``topic_stability.tsv``.
    passage_topics : DataFrame or callable
        The chosen K's ``passage_topics.tsv``, whole or as a function reading it in chunks
        (``functools.partial(read_passage_topics, path, passages, k)``; called again with
        ``whole=True`` where it raises :class:`MisalignedPassages`).
    topic_word : ndarray (k, V)
        The chosen model's φ; ``vocabulary`` its V terms.
    keyness : DataFrame
        ``keyness_by_year.tsv`` (terms listed as emerging in a year).
    themes : mapping theme → keywords
    k : int
        The chosen K.
    provenance : mapping
        ``provenance.json``.
    options : ExplorerOptions
    period_shares, topic_period_shares : DataFrame, optional
        ``theme_share_by_period.tsv`` and ``topic_share_by_period.tsv`` where periods are configured.
    passage_texts : callable, optional
        Rows → texts of the quoted passages (:func:`passage_texts_reader`), where ``passages``
        holds no ``text`` column.

    Returns
    -------
    dict
    """
    passages = passages.reset_index(drop=True)
    chunks = token_chunks(tokens)
    del tokens  # a whole table stays referenced by ``chunks`` alone
    summary = summarise_tokens(chunks(), passages, themes)
    if isinstance(passage_topics, pd.DataFrame):
        whole_table = PassageTopics.from_table(passage_topics, passages, k)

        def passage_topics(whole=False):
            return iter([whole_table])

    included = documents[documents["included"] == "yes"].reset_index(drop=True)
    pool = PassagePool(chronological_passages(passages, included), texts=passage_texts)
    order = pool.passages["order"].to_numpy()
    try:
        topics = summarise_topics(passage_topics(), order, k, options.passages_per_cell)
    except MisalignedPassages:
        topics = summarise_topics(passage_topics(whole=True), order, k, options.passages_per_cell)
    del passage_topics
    years_with_docs = [int(y) for y in np.unique(summary.years)]
    axis = year_axis(years_with_docs)
    docs_per_year = included.groupby("year")["doc_id"].nunique()

    theme_names = list(themes)
    topic_rows = topic_shares[topic_shares["k"] == k]
    ids = topic_ids[(topic_ids["k"] == k) & (topic_ids["topic"] >= 0)].set_index("topic")
    stab = stability.set_index("topic")["stability"] if len(stability) else pd.Series(dtype=float)
    links = theme_topics[theme_topics["k"] == k]

    topic_tokens = topics.topic_tokens
    per_year = [summary.counts.get(year, Counter()) for year in years_with_docs]
    total = Counter()
    for counter in per_year:
        total.update(counter)
    candidates = topic_terms(topic_word, vocabulary, total, topic_tokens, options.topic_terms)

    topic_list = []
    for topic in range(k):
        carried = links[links["topic"] == topic]
        topic_list.append(
            {
                "topic": topic,
                "id": int(ids.at[topic, "topic_id"]) if topic in ids.index else topic,
                "label": _text(ids.at[topic, "label"]) if topic in ids.index else "",
                "status": _text(ids.at[topic, "status"]) if topic in ids.index else "",
                "stability": _round(stab.get(topic), 4),
                "tokens": _round(topic_tokens[topic], 1),
                "themes": {str(r.theme): _round(r.share, 4) for r in carried.itertuples(index=False)},
                **candidates[topic],
            }
        )

    evidence_themes = theme_evidence(
        summary.hits, summary.n_tokens, summary.years, themes, pool, options.passages_per_cell
    )
    evidence_topics = topic_evidence(topics, None, None, pool, options.passages_per_cell)
    terms = term_table(lambda rows: rows_of_chunks(chunks(), "tokens", rows), per_year, total, pool, options)

    trend_config = dict(provenance.get("config", {}).get("trends", {}))
    passage_records, quoted_docs = pool.records()
    facets = facet_columns(included, trend_config.get("facet"))
    by_id = included.set_index("doc_id")
    docs = []
    for doc_id in quoted_docs:
        row = by_id.loc[doc_id]
        docs.append(
            {
                "id": str(doc_id),
                "title": _text(row.get("title")),
                "date": _text(row.get("date")),
                "facets": {c: _text(row[c]) for c in facets if _text(row[c])},
            }
        )
    emerging = {}
    for row in keyness.itertuples(index=False):
        emerging.setdefault(str(row.term), []).append([int(row.year), int(row.rank), _round(row.g2, 4)])

    versions = dict(provenance.get("versions", {}))
    payload = {
        "settings": {
            # A provenance.json without a key (written before it existed) had the schema's default.
            "level": trend_config.get("level", default("trends.level")),
            "min_docs": trend_config.get("min_docs", default("trends.min_docs")),
            "per_tokens": trend_config.get("per_tokens", default("trends.per_tokens")),
        },
        "years": axis,
        "docs_per_year": [int(docs_per_year.get(y, 0)) for y in axis],
        "term_years": years_with_docs,
        "themes": {
            "names": theme_names,
            "keywords": {name: list(dict.fromkeys(words)) for name, words in themes.items()},
            "series": series_by_year(theme_shares, "theme", theme_names, axis),
        },
        "topics": {
            "k": int(k),
            "list": topic_list,
            "series": series_by_year(topic_rows, "topic", list(range(k)), axis),
            "lambda": options.relevance_lambda,
        },
        "evidence": {
            "themes": evidence_themes,
            "topics": evidence_topics,
            "per_cell": options.passages_per_cell,
            "max_first_passages": options.max_first_passages,
        },
        "terms": terms,
        "emerging": emerging,
        "documents": docs,
        "facets": facets,
        "provenance": {
            "config_sha256": str(provenance.get("config_sha256", "")),
            "chosen_k": int(k),
            "documents_included": len(included),
            "documents_listed": len(documents),
            "passages": len(passages),
            "tokens": int(summary.n_tokens.sum()),
            "versions": versions,
        },
    }
    periods = {}
    if period_shares is not None and len(period_shares):
        periods["themes"] = period_table(period_shares, "theme")
    if topic_period_shares is not None and len(topic_period_shares):
        rows = topic_period_shares
        if "k" in rows.columns:
            rows = rows[rows["k"] == k]
        periods["topics"] = period_table(rows, "topic")
    if periods:
        payload["periods"] = periods
    payload["passages"] = passage_records
    return payload


PERIOD_FIELDS = ("period", "first", "last", "share", "ci_low", "ci_high", "n_docs", "small_n")


def period_table(shares: pd.DataFrame, key: str) -> dict:
    """A ``*_share_by_period.tsv`` table for the page: ``columns`` (``key``, theme or topic, and
    :data:`PERIOD_FIELDS`, as far as the table has them) and ``rows`` (floats rounded)."""

    def value(v):
        if isinstance(v, bool | np.bool_):
            return bool(v)
        if isinstance(v, int | np.integer):
            return int(v)
        if isinstance(v, float | np.floating):
            return _round(v)
        return _text(v)

    columns = [c for c in (key, "topic_id", "label", *PERIOD_FIELDS) if c in shares.columns]
    rows = [[value(row[c]) for c in columns] for row in shares[columns].to_dict(orient="records")]
    return {"columns": columns, "rows": rows}


def _same_passages(chunk, doc_ids, passage_nos, start: int, stop: int) -> bool:
    """Whether ``chunk`` lists the passages ``start:stop`` of passages.tsv (ids and numbers)."""
    return (
        stop <= len(doc_ids)
        and list(chunk["doc_id"]) == list(doc_ids[start:stop])
        and list(chunk["passage_no"]) == list(passage_nos[start:stop])
    )
