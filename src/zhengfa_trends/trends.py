"""Yearly trends of keyword themes and LDA topics, with bootstrap intervals.

A year's share is a ratio of sums (keyword tokens / all tokens, or topic-weighted tokens / all
tokens), so long documents weigh more than short ones, as in a pooled reading of the year.
Intervals resample whole documents within a year (passages of one document are not independent);
a year with a single document can only resample its passages, which understates the uncertainty:
the ``ci_unit`` column says which was done, and ``small_n`` flags thin years.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

# Columns every yearly table shares: the estimate, its interval, and how much data it rests on.
_YEARLY = ["year", "share", "ci_low", "ci_high", "ci_unit", "n_docs", "n_passages", "n_tokens"]
THEME_COLUMNS = ["theme", *_YEARLY, "n_hits", "small_n"]
TOPIC_COLUMNS = ["k", "topic", "label", *_YEARLY, "small_n"]


def insert_topic_ids(table: pd.DataFrame, topic_ids: pd.DataFrame) -> pd.DataFrame:
    """``table`` (with ``k, topic``) with the stable ``topic_id`` of ``topic_ids`` right after ``topic``.

    ``topic_ids`` holds one row per ``k, topic`` (its ``topic_id`` column is read); topics it lacks
    get an empty id.  Shared by the yearly topic table and the period and facet tables, so that all
    carry the ids alike.
    """
    merged = table.merge(topic_ids[["k", "topic", "topic_id"]], on=["k", "topic"], how="left")
    merged["topic_id"] = merged["topic_id"].astype("Int64")
    columns = list(table.columns)
    columns.insert(columns.index("topic") + 1, "topic_id")
    return merged[columns]


def bootstrap_ratio(
    numerators: np.ndarray, denominators: np.ndarray, n_boot: int, rng: np.random.Generator, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap interval of ``sum(numerators) / sum(denominators)``.

    Parameters
    ----------
    numerators : ndarray, shape (n_units, n_series)
    denominators : ndarray, shape (n_units,)
    n_boot : int
        Resamples; 0 gives NaN bounds.
    rng : numpy Generator
    level : float
        Interval coverage, e.g. 0.95.

    Returns
    -------
    (ci_low, ci_high) : ndarrays of shape (n_series,)
    """
    n_units, n_series = numerators.shape
    if n_boot <= 0 or n_units == 0:
        return np.full(n_series, np.nan), np.full(n_series, np.nan)
    draws = rng.integers(0, n_units, size=(n_boot, n_units))
    # Counting how often each unit is drawn turns the resample sums into one matrix product.
    counts = np.zeros((n_boot, n_units))
    np.add.at(counts, (np.repeat(np.arange(n_boot), n_units), draws.ravel()), 1.0)
    num = counts @ numerators
    den = counts @ denominators
    with np.errstate(invalid="ignore", divide="ignore"):
        ratios = np.where(den[:, None] > 0, num / den[:, None], np.nan)
    tail = (1.0 - level) / 2.0
    low = np.nanquantile(ratios, tail, axis=0) if np.isfinite(ratios).any() else np.full(n_series, np.nan)
    high = (
        np.nanquantile(ratios, 1.0 - tail, axis=0) if np.isfinite(ratios).any() else np.full(n_series, np.nan)
    )
    return low, high


def yearly_shares(
    passages: pd.DataFrame,
    value_columns: Sequence[str],
    weight_column: str = "n_tokens",
    scale: float = 1.0,
    *,
    n_boot: int,
    seed: int,
    level: float,
    min_docs: int,
) -> pd.DataFrame:
    """Per year and value column: ratio of sums with a bootstrap interval.

    ``share = scale * sum(value) / sum(weight)`` over the year's passages.  The interval resamples
    documents within the year, or passages when the year has a single document.  The random stream
    of each year is seeded by ``(seed, year)``, so adding a year leaves the others' intervals as
    they were.

    Parameters
    ----------
    passages : DataFrame
        One row per passage: ``doc_id``, ``year``, the weight column and the value columns.
    value_columns : sequence of str
    weight_column : str
    scale : float
        Multiplier of the share (1000 for "per 1,000 tokens").
    n_boot, seed, level, min_docs : config ``trends.bootstrap, seed, level, min_docs`` (required:
        their defaults live in the schema only).

    Returns
    -------
    DataFrame
        Long table: ``series, year, share, ci_low, ci_high, ci_unit, n_docs, n_passages, n_tokens,
        small_n``; ``series`` is the value column name.
    """
    rows = []
    value_columns = list(value_columns)
    for year, group in passages.groupby("year", sort=True):
        n_docs = group["doc_id"].nunique()
        if n_docs > 1:
            units = group.groupby("doc_id", sort=True)[value_columns + [weight_column]].sum()
            unit = "documents"
        else:
            units = group[value_columns + [weight_column]]
            unit = "passages"
        numerators = units[value_columns].to_numpy(dtype=float)
        denominators = units[weight_column].to_numpy(dtype=float)
        total = denominators.sum()
        shares = numerators.sum(axis=0) / total if total > 0 else np.full(len(value_columns), np.nan)
        rng = np.random.default_rng([int(seed), int(year)])
        low, high = bootstrap_ratio(numerators, denominators, n_boot, rng, level)
        for index, column in enumerate(value_columns):
            rows.append(
                {
                    "series": column,
                    "year": int(year),
                    "share": round(float(scale * shares[index]), 6),
                    "ci_low": round(float(scale * low[index]), 6),
                    "ci_high": round(float(scale * high[index]), 6),
                    "ci_unit": unit,
                    "n_docs": int(n_docs),
                    "n_passages": len(group),
                    "n_tokens": int(total),
                    "small_n": bool(n_docs < min_docs),
                }
            )
    return pd.DataFrame(rows)


def keyword_occurrences(tokens: Iterable[str], keywords: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Every occurrence of a keyword in space-joined token strings: ``(passage rows, keyword numbers)``.

    One passage's tokens at a time: splitting the whole column at once would hold every token of a
    large corpus as a Python string (gigabytes at 20,000 documents).
    """
    number_of = {word: i for i, word in enumerate(keywords)}
    rows: list[int] = []
    numbers: list[int] = []
    for row, joined in enumerate(tokens):
        for token in joined.split():
            number = number_of.get(token)
            if number is not None:
                rows.append(row)
                numbers.append(number)
    return np.array(rows, dtype=np.int64), np.array(numbers, dtype=np.int64)


def _theme_keywords(themes: Mapping[str, Sequence[str]]) -> tuple[list[str], dict[str, np.ndarray]]:
    """All keywords (each once, in order) and, per theme, the numbers of its keywords among them."""
    keywords = list(dict.fromkeys(word for words in themes.values() for word in words))
    number_of = {word: i for i, word in enumerate(keywords)}
    numbers = {
        theme: np.array([number_of[w] for w in dict.fromkeys(words)], dtype=np.int64)
        for theme, words in themes.items()
    }
    return keywords, numbers


def count_theme_hits(tokens: pd.Series, themes: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """Number of tokens of each passage that are keywords of each theme (columns = theme names)."""
    keywords, numbers = _theme_keywords(themes)
    rows, keyword_of = keyword_occurrences(tokens, keywords)
    counts = np.zeros((len(tokens), len(themes)), dtype=np.int64)
    for column, theme in enumerate(themes):
        counts[:, column] = np.bincount(rows[np.isin(keyword_of, numbers[theme])], minlength=len(tokens))
    return pd.DataFrame(counts, index=tokens.index, columns=list(themes))


def theme_share_by_year(
    tokens: pd.DataFrame, themes: Mapping[str, Sequence[str]], *, per_tokens: int, **bootstrap
) -> pd.DataFrame:
    """Keyword-theme share per year: the theme's keyword tokens per ``per_tokens`` tokens.

    Parameters
    ----------
    tokens : DataFrame
        One row per passage: ``doc_id, year, n_tokens, tokens``.
    themes : mapping of theme name to keyword list
    per_tokens : int
        Config ``trends.per_tokens``.
    **bootstrap
        ``n_boot, seed, level, min_docs`` of :func:`yearly_shares`.

    Returns
    -------
    DataFrame with columns :data:`THEME_COLUMNS`.
    """
    hits = count_theme_hits(tokens["tokens"], themes)
    frame = pd.concat([tokens[["doc_id", "year", "n_tokens"]], hits], axis=1)
    long = yearly_shares(frame, list(themes), scale=per_tokens, **bootstrap)
    if long.empty:
        return pd.DataFrame(columns=THEME_COLUMNS)
    long = long.rename(columns={"series": "theme"})
    hit_totals = frame.groupby("year")[list(themes)].sum().stack().rename("n_hits")
    hit_totals.index.names = ["year", "theme"]
    long = long.join(hit_totals, on=["year", "theme"])
    order = {theme: i for i, theme in enumerate(themes)}
    long = long.sort_values(["theme", "year"], key=lambda s: s.map(order) if s.name == "theme" else s)
    return long[THEME_COLUMNS].reset_index(drop=True)


def topic_share_by_year(
    passage_topics: pd.DataFrame, k: int, labels: Mapping[int, str], **bootstrap
) -> pd.DataFrame:
    """Token-weighted mean passage-topic share per year, with bootstrap intervals.

    Parameters
    ----------
    passage_topics : DataFrame
        ``doc_id, year, n_tokens`` and ``topic_0 … topic_{k-1}``.
    k : int
    labels : mapping topic → label
    **bootstrap
        ``n_boot, seed, level, min_docs`` of :func:`yearly_shares`.

    Returns
    -------
    DataFrame with columns :data:`TOPIC_COLUMNS`.
    """
    columns = [f"topic_{i}" for i in range(k)]
    frame = passage_topics[["doc_id", "year", "n_tokens"]].copy()
    weights = passage_topics["n_tokens"].to_numpy(dtype=float)[:, None]
    frame[columns] = passage_topics[columns].to_numpy(dtype=float) * weights
    long = yearly_shares(frame, columns, **bootstrap)
    if long.empty:
        return pd.DataFrame(columns=TOPIC_COLUMNS)
    long["topic"] = long.pop("series").str.removeprefix("topic_").astype(int)
    long["k"] = k
    long["label"] = long["topic"].map(labels)
    return long.sort_values(["topic", "year"])[TOPIC_COLUMNS].reset_index(drop=True)


def theme_topic_shares(
    tokens: pd.DataFrame,
    passage_topics: pd.DataFrame,
    topic_word: np.ndarray,
    vocabulary: Sequence[str],
    themes: Mapping[str, Sequence[str]],
    labels: Mapping[int, str],
) -> pd.DataFrame:
    """Which LDA topics carry each keyword theme.

    Every occurrence of a theme keyword ``w`` in passage ``d`` is split over the topics by the
    posterior ``p(t | w, d) ∝ θ_dt φ_tw`` (by ``θ_dt`` alone when ``w`` is outside the LDA
    vocabulary); a topic's share of the theme is its part of the theme's keyword mass.

    Parameters
    ----------
    tokens : DataFrame
        ``tokens.tsv`` rows (same order as ``passage_topics``).
    passage_topics : DataFrame
        ``doc_id, passage_no, …, topic_0 … topic_{k-1}``.
    topic_word : ndarray (k, V)
    vocabulary : sequence of str, length V
    themes : mapping theme → keywords
    labels : mapping topic → label

    Returns
    -------
    DataFrame
        ``theme, k, topic, label, share, keyword_tokens`` (shares of a theme sum to 1 when it occurs).
    """
    k = topic_word.shape[0]
    theta = passage_topics[[f"topic_{i}" for i in range(k)]].to_numpy(dtype=float)
    word_index = {word: i for i, word in enumerate(vocabulary)}
    keywords, numbers = _theme_keywords(themes)
    # One pass over the tokens collects every keyword occurrence (passage, keyword); the posteriors
    # are then computed for all occurrences at once.
    rows_of, keyword_of = keyword_occurrences(tokens["tokens"], keywords)
    columns = np.array([word_index.get(word, -1) for word in keywords], dtype=np.int64)[keyword_of]
    in_vocabulary = columns >= 0
    posterior = theta[rows_of].copy()
    posterior[in_vocabulary] *= topic_word[:, columns[in_vocabulary]].T
    totals = posterior.sum(axis=1, keepdims=True)
    posterior = np.where(totals > 0, posterior / np.where(totals > 0, totals, 1.0), theta[rows_of])
    masses, occurrences = {}, {}
    for theme in themes:
        mine = np.isin(keyword_of, numbers[theme])
        masses[theme] = posterior[mine].sum(axis=0) if mine.any() else np.zeros(k)
        occurrences[theme] = int(mine.sum())
    rows = []
    for theme in themes:
        mass = masses[theme]
        shares = mass / mass.sum() if mass.sum() > 0 else mass
        for topic in range(k):
            rows.append(
                {
                    "theme": theme,
                    "k": k,
                    "topic": topic,
                    "label": labels.get(topic, ""),
                    "share": round(float(shares[topic]), 6),
                    "keyword_tokens": occurrences[theme],
                }
            )
    return pd.DataFrame(rows, columns=["theme", "k", "topic", "label", "share", "keyword_tokens"])
