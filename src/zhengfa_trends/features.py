"""TF-IDF features: the terms most distinctive for each year.

Each year's passages are pooled into one document and weighed against the other years, so a
term scores high for a year when it is frequent there and rare in the other years.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

import numpy as np
import pandas as pd

# Passages turned into Python strings at a time by yearly_term_counts: all of a large corpus's
# token strings at once would take gigabytes.
COUNT_CHUNK = 20_000


def yearly_term_counts(tokens: pd.DataFrame) -> dict[int, Counter]:
    """Token counts of each year, ``{year: Counter}`` in year order (years whose passages hold no
    token give an empty Counter).

    The passages are split :data:`COUNT_CHUNK` at a time, so a year's tokens are never all
    strings at once; :func:`top_terms_by_year` and :func:`keyness_by_year` both start from these
    counts, so a job that needs both counts once.
    """
    years = tokens["year"].to_numpy()
    counts = {int(year): Counter() for year in np.unique(years)}
    texts = tokens["tokens"]
    for start in range(0, len(texts), COUNT_CHUNK):
        chunk = texts.iloc[start : start + COUNT_CHUNK].tolist()
        for year, text in zip(years[start : start + COUNT_CHUNK].tolist(), chunk, strict=True):
            counts[year].update(text.split())
    return counts


def top_terms_by_year(
    tokens: pd.DataFrame | None,
    n_terms: int,
    sublinear_tf: bool = True,
    counts: Mapping[int, Counter] | None = None,
) -> pd.DataFrame:
    """Rank the terms of each year by TF-IDF, each year's passages pooled into one document.

    Parameters
    ----------
    tokens : DataFrame
        One row per passage with columns ``year`` and ``tokens`` (space-joined tokens); not read
        when ``counts`` is given.
    n_terms : int
        Terms kept per year (config ``top_terms.n_terms``).
    sublinear_tf : bool
        Use ``1 + log(tf)``, so one very long year does not drown the others.
    counts : mapping year -> Counter, optional
        :func:`yearly_term_counts` of ``tokens``, where the caller has them.

    Returns
    -------
    DataFrame
        Columns ``year, rank, term, score``; rank 1 is the most distinctive term; ties are broken
        by the term so that the order is reproducible.
    """
    # Imported here: scikit-learn costs half a second of start-up in every job that imports this module.
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfTransformer

    columns = ["year", "rank", "term", "score"]
    # The years' pooled counts, built from their Counters: the counts (and the alphabetical
    # vocabulary) of CountVectorizer over one document per year, without a passages x terms
    # matrix, which takes gigabytes on a large corpus.
    if counts is None:
        counts = yearly_term_counts(tokens)
    total = Counter()
    for counter in counts.values():
        total.update(counter)
    if not total:  # an empty vocabulary: no tokens at all
        return pd.DataFrame(columns=columns)
    vocabulary = np.asarray(sorted(total), dtype=object)
    column_of = {term: i for i, term in enumerate(vocabulary)}
    years = np.array([year for year, counter in counts.items() if counter])
    indptr, indices, data = [0], [], []
    for year in years:
        counter = counts[int(year)]
        row = np.sort(np.fromiter((column_of[term] for term in counter), dtype=np.int64, count=len(counter)))
        indices.append(row)
        data.append(np.array([counter[vocabulary[i]] for i in row], dtype=np.float64))
        indptr.append(indptr[-1] + len(row))
    year_counts = sparse.csr_matrix(
        (np.concatenate(data), np.concatenate(indices), np.array(indptr)), shape=(len(years), len(vocabulary))
    )
    matrix = TfidfTransformer(sublinear_tf=sublinear_tf, norm="l2").fit_transform(year_counts).tocsr()
    rows = []
    for row_index, year in enumerate(years):
        start, end = matrix.indptr[row_index], matrix.indptr[row_index + 1]
        term_ids, scores = matrix.indices[start:end], matrix.data[start:end]
        order = np.lexsort((vocabulary[term_ids], -np.round(scores, 12)))[:n_terms]
        for rank, position in enumerate(order, 1):
            rows.append((int(year), rank, vocabulary[term_ids[position]], round(float(scores[position]), 6)))
    return pd.DataFrame(rows, columns=columns)


def _xlogx_ratio(observed: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """``O · ln(O / E)`` with the convention ``0 · ln 0 = 0``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(observed > 0, observed * np.log(observed / expected), 0.0)


def _log_likelihood_g2(a: np.ndarray, b: np.ndarray, n1: float, n2: float) -> np.ndarray:
    """Dunning's G² of the full 2×2 table: term ``a`` of ``n1`` tokens against ``b`` of ``n2``."""
    total = n1 + n2
    term = a + b
    rest = total - term
    cells = (
        (a, n1 * term / total),
        (b, n2 * term / total),
        (n1 - a, n1 * rest / total),
        (n2 - b, n2 * rest / total),
    )
    return 2.0 * sum(_xlogx_ratio(observed, expected) for observed, expected in cells)


def keyness_by_year(
    tokens: pd.DataFrame | None,
    *,
    min_freq: int,
    n_terms: int,
    min_g2: float,
    counts: Mapping[int, Counter] | None = None,
) -> pd.DataFrame:
    """Terms over-represented in each year against all other years (emerging terms).

    For each year and term, the 2×2 table (term / other tokens × this year / other years) gives the
    log-likelihood statistic G² (Dunning 1993) and the log ratio effect size
    ``log2((a / N1) / (b / N2))`` (Hardie 2014; a zero count ``b`` is replaced by 0.5, so a term
    found in one year only gets a finite, large log ratio).  Only terms more frequent in the year
    than elsewhere, with at least ``min_freq`` occurrences in the year, are kept.  With 4–6 yearly
    points this is the honest tool: burst detection needs long series.

    Parameters
    ----------
    tokens : DataFrame
        ``year`` and ``tokens`` (space-joined) per passage.
    min_freq, n_terms, min_g2
        The ``keyness`` config options (their defaults live in the schema only).
    min_freq : int
    min_g2 : float
        Terms with a smaller G² are left out; 3.84 is the 5 % critical value of χ² with one degree
        of freedom (no correction for the many terms tested: read it as a screen, not a test).
    n_terms : int
        Terms kept per year, by descending G².
    counts : mapping year -> Counter, optional
        :func:`yearly_term_counts` of ``tokens`` (then ``tokens`` is not read).

    Returns
    -------
    DataFrame
        ``year, rank, term, freq_year, freq_other, per_10k_year, per_10k_other, g2, log_ratio``.
    """
    columns = [
        "year",
        "rank",
        "term",
        "freq_year",
        "freq_other",
        "per_10k_year",
        "per_10k_other",
        "g2",
        "log_ratio",
    ]
    if counts is None:
        counts = yearly_term_counts(tokens)
    total = Counter()
    for counter in counts.values():
        total.update(counter)
    grand = sum(total.values())
    rows = []
    for year, counter in counts.items():
        n1 = sum(counter.values())
        n2 = grand - n1
        if n1 == 0 or n2 == 0:
            continue
        terms = [t for t, a in counter.items() if a >= min_freq]
        if not terms:
            continue
        a = np.array([counter[t] for t in terms], dtype=float)
        b = np.array([total[t] - counter[t] for t in terms], dtype=float)
        over = a / n1 > b / n2
        terms, a, b = [t for t, o in zip(terms, over, strict=True) if o], a[over], b[over]
        if not terms:
            continue
        g2 = _log_likelihood_g2(a, b, n1, n2)
        strong = g2 >= min_g2
        terms, a, b, g2 = (
            [t for t, k in zip(terms, strong, strict=True) if k],
            a[strong],
            b[strong],
            g2[strong],
        )
        log_ratio = np.log2((a / n1) / (np.where(b > 0, b, 0.5) / n2))
        order = np.lexsort((np.array(terms), -np.round(g2, 9)))[:n_terms]
        for rank, i in enumerate(order, 1):
            rows.append(
                (
                    year,
                    rank,
                    terms[i],
                    int(a[i]),
                    int(b[i]),
                    round(1e4 * a[i] / n1, 4),
                    round(1e4 * b[i] / n2, 4),
                    round(float(g2[i]), 4),
                    round(float(log_ratio[i]), 4),
                )
            )
    return pd.DataFrame(rows, columns=columns)
