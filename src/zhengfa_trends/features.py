"""TF-IDF features: the terms most distinctive for each year.

Each year's passages are pooled into one document and weighed against the other years, so a
term scores high for a year when it is frequent there and rare in the other years.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer


def _split_tokens(joined: str) -> list[str]:
    return joined.split()


def top_terms_by_year(tokens: pd.DataFrame, n_terms: int = 20, sublinear_tf: bool = True) -> pd.DataFrame:
    """Rank the terms of each year by TF-IDF, each year's passages pooled into one document.

    Parameters
    ----------
    tokens : DataFrame
        One row per passage with columns ``year`` and ``tokens`` (space-joined tokens).
    n_terms : int
        Terms kept per year.
    sublinear_tf : bool
        Use ``1 + log(tf)``, so one very long year does not drown the others.

    Returns
    -------
    DataFrame
        Columns ``year, rank, term, score``; rank 1 is the most distinctive term; ties are broken
        by the term so that the order is reproducible.
    """
    pooled = tokens.groupby("year", sort=True)["tokens"].agg(" ".join)
    pooled = pooled[pooled.str.strip().astype(bool)]
    columns = ["year", "rank", "term", "score"]
    if pooled.empty:
        return pd.DataFrame(columns=columns)
    vectorizer = TfidfVectorizer(analyzer=_split_tokens, sublinear_tf=sublinear_tf, norm="l2")
    matrix = vectorizer.fit_transform(pooled.to_list()).tocsr()
    vocabulary = vectorizer.get_feature_names_out()
    rows = []
    for row_index, year in enumerate(pooled.index):
        start, end = matrix.indptr[row_index], matrix.indptr[row_index + 1]
        term_ids, scores = matrix.indices[start:end], matrix.data[start:end]
        order = np.lexsort((vocabulary[term_ids], -np.round(scores, 12)))[:n_terms]
        for rank, position in enumerate(order, 1):
            rows.append((int(year), rank, vocabulary[term_ids[position]], round(float(scores[position]), 6)))
    return pd.DataFrame(rows, columns=columns)
