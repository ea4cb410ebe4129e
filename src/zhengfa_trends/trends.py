"""Yearly trends of keyword themes and LDA topics, with intervals whose coverage is measured.

A year's share is a ratio of sums (keyword tokens / all tokens, or topic-weighted tokens / all
tokens), so long documents weigh more than short ones, as in a pooled reading of the year.

Intervals treat documents as the sampled units (passages of one document are not independent).
Where a year has at least ``min_docs`` documents, the interval is a ratio-estimator interval
(:func:`ratio_t_interval`: Bell-McCaffrey bias-reduced variance, log scale, t quantile with their
degrees of freedom under a working model with counting noise), whose coverage ``benchmarks/coverage.py`` measures; a percentile bootstrap over
documents is available (``trends.interval: bootstrap``) but covers less at small n.  Below
``min_docs`` documents there is no interval for the year's rate: the same interval over passages
is given instead, flagged ``ci_unit = passages`` (it shows how much the passages of those few
documents vary, not how well the year's rate is known), or none (``trends.small_n_interval``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from .keywords import KeywordMatcher, theme_keywords

# Columns every yearly table shares: the estimate, its interval, and how much data it rests on.
_YEARLY = ["year", "share", "ci_low", "ci_high", "ci_unit", "n_docs", "n_passages", "n_tokens"]
THEME_COLUMNS = ["theme", *_YEARLY, "n_hits", "small_n"]
KEYWORD_HIT_COLUMNS = ["theme", "keyword", "year", "hits"]
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


def ratio_t_interval(
    numerators: np.ndarray, denominators: np.ndarray, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Interval of the ratio ``sum(numerators) / sum(denominators)`` over units (documents).

    ``R = Σy / ΣL`` is the weighted mean of the unit rates ``r_i = y_i / L_i`` with weights
    ``a_i = L_i / ΣL``.  Its variance is the bias-reduced linearisation of Bell & McCaffrey (2002),
    ``V = Σ a_i² (r_i - R)² / (1 - a_i)`` (``1 - a_i`` is one minus the unit's leverage), and the
    interval is ``R · exp(± t · √V / R)`` (log scale: a rate is positive and its sampling
    distribution is skewed to the right).  The t quantile is at Bell & McCaffrey's degrees of
    freedom ``tr(AΩ)² / tr((AΩ)²)`` with ``A = Mᵀ diag(c²) M``, ``M = I - 1 aᵀ``,
    ``c_i² = a_i² / (1 - a_i)``, under the working model ``Ω = diag(τ² + R(1-R)/L_i)``: each
    token counts or not (the counting noise, smaller for long units) on top of a between-unit
    variance ``τ²`` estimated by moments (:func:`_between_unit_variance`).  Where a few long
    documents carry most of the weight the effective number of documents is small and the
    interval widens; where counting noise dominates, long documents' rates are precise and it
    narrows.  A ratio of 0 (no hits) gets ``[0, -log((1-level)/2) / ΣL]``, the exact Poisson bound
    for zero events.  ``benchmarks/coverage.py`` measures its coverage.

    Parameters
    ----------
    numerators, denominators : ndarray, shape (..., n_units)
        Leading axes are independent problems (series, or replicates of a simulation);
        ``denominators`` broadcasts against ``numerators``.
    level : float

    Returns
    -------
    (low, high) : ndarrays of the leading shape (NaN where there are fewer than 2 units).
    """
    # The t quantile from scipy.special (what scipy.stats.t.ppf computes, same numbers): importing
    # scipy.stats costs about 0.7 s in every job that draws an interval.
    from scipy.special import stdtrit

    y = np.asarray(numerators, dtype=float)
    weights = np.broadcast_to(np.asarray(denominators, dtype=float), y.shape)
    n = y.shape[-1]
    shape = y.shape[:-1]
    if n < 2:
        return np.full(shape, np.nan), np.full(shape, np.nan)
    total = weights.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = y.sum(axis=-1) / total
        a = weights / total[..., None]
        residual = (y - ratio[..., None] * weights) / total[..., None]  # a_i (r_i - R)
        c2 = a**2 / (1.0 - a)
        variance = (residual**2 / (1.0 - a)).sum(axis=-1)
        counting = np.clip(ratio * (1.0 - ratio), 0.0, None)[..., None]
        between = _between_unit_variance(y, weights, ratio, total)[..., None]
        omega = between + np.where(weights > 0, counting / np.where(weights > 0, weights, 1.0), 0.0)
        df = _bell_mccaffrey_df(a, c2, omega)
        quantile = stdtrit(np.where(df > 0, df, np.nan), 0.5 + level / 2)
        factor = np.exp(quantile * np.sqrt(variance) / ratio)
        low, high = ratio / factor, ratio * factor
    zero = (ratio == 0) & (total > 0)
    low = np.where(zero, 0.0, low)
    high = np.where(zero, -np.log((1 - level) / 2) / np.where(total > 0, total, 1.0), high)
    # Every unit at the same rate: no variation to measure, the interval is the point.
    same = np.isfinite(ratio) & ~zero & (np.sqrt(variance) <= 1e-12 * np.abs(ratio))
    return np.where(same, ratio, low), np.where(same, ratio, high)


def _between_unit_variance(y, weights, ratio, total):
    """Moment estimate of ``τ²``, the variance of the unit rates beyond counting noise (≥ 0).

    ``Q = Σ (y_i - R L_i)² / L_i`` has expectation ``R(1-R)(n-1) + τ² (ΣL - ΣL²/ΣL)`` when
    ``Var(r_i) = τ² + R(1-R)/L_i`` (DerSimonian & Laird's estimator for this model).
    """
    n = np.count_nonzero(weights > 0, axis=-1)
    safe = np.where(weights > 0, weights, 1.0)
    q = np.where(weights > 0, (y - ratio[..., None] * weights) ** 2 / safe, 0.0).sum(axis=-1)
    spread = total - (weights**2).sum(axis=-1) / total
    return np.clip((q - ratio * (1.0 - ratio) * (n - 1)) / spread, 0.0, None)


def _bell_mccaffrey_df(a, u, omega):
    """``tr(AΩ)² / tr((AΩ)²)`` for ``A = Mᵀ diag(u) M``, ``M = I - 1 aᵀ``, ``Ω = diag(omega)``.

    ``AΩ`` has the trace of ``diag(u) G`` with ``G = M Ω Mᵀ``, ``G_ij = ω_i δ_ij + s - b_i - b_j``
    (``b = a ω``, ``s = Σ a b``), so both traces are sums over units: no n × n matrix (replicates
    × n² would not fit in memory).
    """
    b = a * omega
    s = (a * b).sum(axis=-1)[..., None]
    trace = (u * (omega * (1 - 2 * a) + s)).sum(axis=-1)
    total_u, ub, ub2 = u.sum(axis=-1), (u * b).sum(axis=-1), (u * b * b).sum(axis=-1)
    s = s[..., 0]
    cross = total_u**2 * s**2 + 2 * total_u * ub2 - 4 * s * total_u * ub + 2 * ub**2
    trace_sq = (u**2 * (omega**2 + 2 * omega * (s[..., None] - 2 * b))).sum(axis=-1) + cross
    return trace**2 / trace_sq


INTERVAL_METHODS = ("ratio_t", "bootstrap", "none")
SMALL_N_INTERVALS = ("passages", "none")


def yearly_shares(
    passages: pd.DataFrame,
    value_columns: Sequence[str],
    weight_column: str = "n_tokens",
    scale: float = 1.0,
    n_boot: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    min_docs: int = 3,
    interval: str = "ratio_t",
    small_n_interval: str = "passages",
    upper: float | None = None,
) -> pd.DataFrame:
    """Per year and value column: ratio of sums with an interval.

    ``share = scale * sum(value) / sum(weight)`` over the year's passages.  A year with at least
    ``min_docs`` documents gets an interval over its documents (``ci_unit = documents``); a year
    with fewer gets one over its passages (``ci_unit = passages``, with ``small_n_interval:
    passages``) or none (``ci_unit = none``).  ``interval`` picks the method:
    :func:`ratio_t_interval`, or the percentile bootstrap (:func:`bootstrap_ratio`, ``n_boot``
    resamples, each year's stream seeded by ``(seed, year)`` so that adding a year leaves the
    others' intervals as they were; ``n_boot = 0`` gives NaN bounds), or ``none``.

    Parameters
    ----------
    passages : DataFrame
        One row per passage: ``doc_id``, ``year``, the weight column and the value columns.
    value_columns : sequence of str
    weight_column : str
    scale : float
        Multiplier of the share (1000 for "per 1,000 tokens").
    n_boot, seed, level, min_docs, interval, small_n_interval : see config ``trends``.
    upper : float, optional
        Largest possible share before scaling (1 for topic shares): bounds are clipped to it.

    Returns
    -------
    DataFrame
        Long table: ``series, year, share, ci_low, ci_high, ci_unit, n_docs, n_passages, n_tokens,
        small_n``; ``series`` is the value column name.
    """
    if interval not in INTERVAL_METHODS:
        raise ValueError(f"trends.interval must be one of {', '.join(INTERVAL_METHODS)}, not {interval!r}")
    if small_n_interval not in SMALL_N_INTERVALS:
        choices = ", ".join(SMALL_N_INTERVALS)
        raise ValueError(f"trends.small_n_interval must be one of {choices}, not {small_n_interval!r}")
    rows = []
    value_columns = list(value_columns)
    for year, group in passages.groupby("year", sort=True):
        n_docs = group["doc_id"].nunique()
        if n_docs >= min_docs:
            units = group.groupby("doc_id", sort=True)[value_columns + [weight_column]].sum()
            unit = "documents"
        else:
            units = group[value_columns + [weight_column]]
            unit = "passages" if small_n_interval == "passages" else "none"
        numerators = units[value_columns].to_numpy(dtype=float)
        denominators = units[weight_column].to_numpy(dtype=float)
        total = denominators.sum()
        shares = numerators.sum(axis=0) / total if total > 0 else np.full(len(value_columns), np.nan)
        low, high = _interval(numerators, denominators, int(year), unit, interval, n_boot, seed, level)
        if upper is not None:
            low, high = np.minimum(low, upper), np.minimum(high, upper)
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


def _interval(numerators, denominators, year, unit, method, n_boot, seed, level):
    """Bounds of one year's ratios (one per value column) by the chosen method."""
    n_series = numerators.shape[1]
    if unit == "none" or method == "none" or denominators.sum() <= 0:
        return np.full(n_series, np.nan), np.full(n_series, np.nan)
    if method == "bootstrap":
        rng = np.random.default_rng([int(seed), year])
        return bootstrap_ratio(numerators, denominators, n_boot, rng, level)
    return ratio_t_interval(numerators.T, denominators, level)


def count_theme_hits(
    tokens: pd.Series, themes: Mapping[str, Sequence[str]], keyword_match: str = "contains"
) -> pd.DataFrame:
    """Number of tokens of each passage that count for each theme (columns = theme names).

    A token counts for one keyword (:class:`~zhengfa_trends.keywords.KeywordMatcher`), and for
    every theme that lists that keyword.
    """
    return _theme_hits(tokens, themes, keyword_match)[0]


def _theme_hits(
    tokens: pd.Series, themes: Mapping[str, Sequence[str]], keyword_match: str, years=None
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Hits per passage and theme, and (given the passages' years) per keyword and year: one pass.

    Occurrences are kept as (passage, keyword) pairs and counted with ``bincount``: a dense
    passages × keywords matrix would take hundreds of megabytes at 20,000 documents.
    """
    keywords, numbers = theme_keywords(themes)
    rows, keyword_of, _ = KeywordMatcher(keywords, keyword_match).occurrences(tokens)
    n = len(tokens)
    by_theme = np.zeros((n, len(themes)), dtype=np.int64)
    for column, theme in enumerate(themes):
        by_theme[:, column] = np.bincount(rows[np.isin(keyword_of, numbers[theme])], minlength=n)
    hits = pd.DataFrame(by_theme, index=tokens.index, columns=list(themes))
    if years is None:
        return hits, None
    year_values, year_of_row = np.unique(np.asarray(years, dtype=np.int64), return_inverse=True)
    per_year = np.zeros((len(year_values), len(keywords)), dtype=np.int64)
    np.add.at(per_year, (year_of_row[rows], keyword_of), 1)
    number_of = {word: i for i, word in enumerate(keywords)}
    table = [
        (theme, keyword, int(year), int(per_year[y, number_of[keyword]]))
        for theme, words in themes.items()
        for keyword in dict.fromkeys(words)
        for y, year in enumerate(year_values)
    ]
    return hits, pd.DataFrame(table, columns=KEYWORD_HIT_COLUMNS)


def theme_share_by_year(
    tokens: pd.DataFrame,
    themes: Mapping[str, Sequence[str]],
    per_tokens: int = 1000,
    keyword_match: str = "contains",
    **bootstrap,
) -> pd.DataFrame:
    """Keyword-theme share per year: the theme's keyword tokens per ``per_tokens`` tokens.

    Parameters
    ----------
    tokens : DataFrame
        One row per passage: ``doc_id, year, n_tokens, tokens``.
    themes : mapping of theme name to keyword list
        Normalised keywords (:func:`zhengfa_trends.keywords.normalise_themes`).
    per_tokens : int
    keyword_match : {"contains", "token"}
        How a token counts for a keyword (:class:`~zhengfa_trends.keywords.KeywordMatcher`).
    **bootstrap
        ``n_boot, seed, level, min_docs`` of :func:`yearly_shares`.

    Returns
    -------
    DataFrame with columns :data:`THEME_COLUMNS`.
    """
    return theme_tables(tokens, themes, per_tokens, keyword_match, **bootstrap)[0]


def theme_tables(
    tokens: pd.DataFrame,
    themes: Mapping[str, Sequence[str]],
    per_tokens: int = 1000,
    keyword_match: str = "contains",
    **bootstrap,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The yearly theme shares (:func:`theme_share_by_year`) and the hits of every keyword per year.

    Returns
    -------
    (shares, keyword_hits)
        ``keyword_hits`` has the columns :data:`KEYWORD_HIT_COLUMNS`: one row per theme, keyword
        and year with data (zeros included), in config order, so a reader sees which words carry
        a theme and which never occur.
    """
    hits, keyword_hits = _theme_hits(tokens["tokens"], themes, keyword_match, tokens["year"])
    frame = pd.concat([tokens[["doc_id", "year", "n_tokens"]], hits], axis=1)
    long = yearly_shares(frame, list(themes), scale=per_tokens, **bootstrap)
    if long.empty:
        return pd.DataFrame(columns=THEME_COLUMNS), keyword_hits
    long = long.rename(columns={"series": "theme"})
    hit_totals = frame.groupby("year")[list(themes)].sum().stack().rename("n_hits")
    hit_totals.index.names = ["year", "theme"]
    long = long.join(hit_totals, on=["year", "theme"])
    order = {theme: i for i, theme in enumerate(themes)}
    long = long.sort_values(["theme", "year"], key=lambda s: s.map(order) if s.name == "theme" else s)
    return long[THEME_COLUMNS].reset_index(drop=True), keyword_hits


def missing_keywords(keyword_hits: pd.DataFrame) -> list[str]:
    """Keywords that never occur in the corpus (each once, in config order)."""
    totals = keyword_hits.groupby("keyword", sort=False)["hits"].sum()
    return [word for word, total in totals.items() if total == 0]


def topic_share_by_year(
    passage_topics: pd.DataFrame, k: int, labels: Mapping[int, str], **bootstrap
) -> pd.DataFrame:
    """Token-weighted mean passage-topic share per year, with intervals (:func:`yearly_shares`).

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
    long = yearly_shares(frame, columns, upper=1.0, **bootstrap)
    if long.empty:
        return pd.DataFrame(columns=TOPIC_COLUMNS)
    long["topic"] = long.pop("series").str.removeprefix("topic_").astype(int)
    long["k"] = k
    long["label"] = long["topic"].map(labels)
    return long.sort_values(["topic", "year"])[TOPIC_COLUMNS].reset_index(drop=True)


#: keyword occurrences whose topic posteriors :func:`theme_topic_shares` holds at once
OCCURRENCE_CHUNK = 65_536


def theme_occurrences(
    tokens: pd.DataFrame, themes: Mapping[str, Sequence[str]], keyword_match: str = "contains"
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Every theme-keyword occurrence of ``tokens`` (:meth:`KeywordMatcher.occurrences`).

    The input of :func:`theme_topic_shares` that does not depend on the model: found once, it
    serves every K.
    """
    keywords, _ = theme_keywords(themes)
    return KeywordMatcher(keywords, keyword_match).occurrences(tokens["tokens"])


def theme_occurrences_in_parts(
    parts: Iterable[pd.DataFrame], themes: Mapping[str, Sequence[str]], keyword_match: str = "contains"
) -> tuple[tuple[np.ndarray, np.ndarray, list[str]], int]:
    """:func:`theme_occurrences` of the tokens table given as consecutive ``parts`` (e.g.
    :func:`zhengfa_trends.io.read_token_chunks`), and the number of passages: the same
    occurrences, with rows numbered over the whole table, and no part's strings kept."""
    n_passages, found = 0, []
    for part in parts:
        rows_of, keyword_of, words = theme_occurrences(part, themes, keyword_match)
        found.append((rows_of + n_passages, keyword_of, words))
        n_passages += len(part)
    occurrences = (
        np.concatenate([f[0] for f in found]) if found else np.zeros(0, dtype=np.int64),
        np.concatenate([f[1] for f in found]) if found else np.zeros(0, dtype=np.int64),
        [word for f in found for word in f[2]],
    )
    return occurrences, n_passages


def theme_topic_shares(
    tokens: pd.DataFrame,
    passage_topics: pd.DataFrame,
    topic_word: np.ndarray,
    vocabulary: Sequence[str],
    themes: Mapping[str, Sequence[str]],
    labels: Mapping[int, str],
    keyword_match: str = "contains",
    occurrences: tuple[np.ndarray, np.ndarray, Sequence[str]] | None = None,
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
    keyword_match : {"contains", "token"}
        As in :func:`theme_share_by_year`.
    occurrences : tuple, optional
        :func:`theme_occurrences` of ``tokens`` for these ``themes``, where already found (they do
        not depend on the model, so one search serves every K); ``tokens`` may then be None.

    Returns
    -------
    DataFrame
        ``theme, k, topic, label, share, keyword_tokens`` (shares of a theme sum to 1 when it occurs).
    """
    k = topic_word.shape[0]
    theta = passage_topics[[f"topic_{i}" for i in range(k)]].to_numpy(dtype=float)
    word_index = {word: i for i, word in enumerate(vocabulary)}
    keywords, numbers = theme_keywords(themes)
    # One pass over the tokens collects every keyword occurrence (passage, keyword, token); the
    # posteriors are then computed for all occurrences at once.  The token, not the keyword, is
    # the LDA word (全面依法治国 is an occurrence of 依法治国).
    if occurrences is None:
        occurrences = theme_occurrences(tokens, themes, keyword_match)
    rows_of, keyword_of, words = occurrences
    columns = np.array([word_index.get(word, -1) for word in words], dtype=np.int64)
    in_vocabulary = columns >= 0
    mine = {theme: np.isin(keyword_of, numbers[theme]) for theme in themes}
    masses = {theme: np.zeros(k) for theme in themes}
    # The posteriors of a large corpus (occurrences x K) would take gigabytes at once: they are
    # made OCCURRENCE_CHUNK occurrences at a time.  A theme's mass is still summed occurrence by
    # occurrence in order (its running total leads each chunk's rows, and numpy sums axis 0 of
    # a C-ordered array row after row), so every share is what one whole array gave.
    for start in range(0, len(rows_of), OCCURRENCE_CHUNK):
        part = slice(start, start + OCCURRENCE_CHUNK)
        prior = theta[rows_of[part]]
        posterior = prior.copy()
        known = in_vocabulary[part]
        posterior[known] *= topic_word[:, columns[part][known]].T
        totals = posterior.sum(axis=1, keepdims=True)
        posterior = np.where(totals > 0, posterior / np.where(totals > 0, totals, 1.0), prior)
        for theme in themes:
            chosen = mine[theme][part]
            if chosen.any():
                masses[theme] = np.vstack([masses[theme][None, :], posterior[chosen]]).sum(axis=0)
    occurrences = {theme: int(mine[theme].sum()) for theme in themes}
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
