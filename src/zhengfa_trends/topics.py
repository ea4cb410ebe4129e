"""LDA topic models (gensim ``LdaModel``, single process, seeded) on passages."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LdaSettings:
    """LDA and vocabulary settings (the ``lda`` config section)."""

    passes: int = 10
    iterations: int = 200
    alpha: str = "symmetric"
    eta: str | None = None
    no_below: int = 2
    no_above: float = 0.5
    keep_n: int = 20000
    n_terms: int = 15


def build_bow(token_lists: Sequence[Sequence[str]], settings: LdaSettings):
    """Build a gensim ``Dictionary`` with rare/common terms filtered, and the bag-of-words corpus.

    Returns
    -------
    (gensim.corpora.Dictionary, list of list of (int, int))
    """
    from gensim.corpora import Dictionary

    dictionary = Dictionary(token_lists)
    dictionary.filter_extremes(no_below=settings.no_below, no_above=settings.no_above, keep_n=settings.keep_n)
    # Ids follow first occurrence in the (sorted) passages, so they are the same on every run.
    dictionary.compactify()
    corpus = [dictionary.doc2bow(tokens) for tokens in token_lists]
    return dictionary, corpus


def fit_lda(corpus, dictionary, k: int, seed: int, settings: LdaSettings):
    """Fit one gensim ``LdaModel`` (single process; identical output for the same seed).

    Raises
    ------
    ValueError
        If the vocabulary is empty after filtering (too small a corpus for these settings).
    """
    from gensim.models import LdaModel

    if len(dictionary) == 0:
        raise ValueError(
            "the LDA vocabulary is empty after filtering; lower lda.no_below or raise lda.no_above"
        )
    return LdaModel(
        corpus=corpus,
        id2word=dictionary,
        num_topics=k,
        random_state=seed,
        passes=settings.passes,
        iterations=settings.iterations,
        alpha=settings.alpha,
        eta=settings.eta,
        chunksize=2000,
        eval_every=None,
        dtype=np.float64,
    )


def topic_terms(model, n_terms: int = 15) -> pd.DataFrame:
    """Top terms of every topic: columns ``topic, rank, term, weight``."""
    rows = []
    topics = model.get_topics()
    for topic in range(topics.shape[0]):
        weights = topics[topic]
        order = np.lexsort((np.arange(len(weights)), -weights))[:n_terms]
        for rank, term_id in enumerate(order, 1):
            rows.append((topic, rank, model.id2word[int(term_id)], round(float(weights[term_id]), 6)))
    return pd.DataFrame(rows, columns=["topic", "rank", "term", "weight"])


def topic_labels(terms: pd.DataFrame, n: int = 3) -> dict[int, str]:
    """Label each topic by its top ``n`` terms joined with ``·``."""
    top = terms[terms["rank"] <= n].sort_values(["topic", "rank"])
    return {int(t): "·".join(g["term"]) for t, g in top.groupby("topic")}


def passage_topics(model, corpus, chunk: int = 2000) -> np.ndarray:
    """Topic distribution of every passage (rows sum to 1; an empty passage gets uniform shares)."""
    k = model.num_topics
    theta = np.empty((len(corpus), k))
    for start in range(0, len(corpus), chunk):
        gamma, _ = model.inference(corpus[start : start + chunk])
        theta[start : start + chunk] = gamma / gamma.sum(axis=1, keepdims=True)
    empty = np.array([len(bow) == 0 for bow in corpus], dtype=bool)
    theta[empty] = 1.0 / k
    return theta


def passage_topic_table(passages: pd.DataFrame, theta: np.ndarray) -> pd.DataFrame:
    """Passage identifiers with one ``topic_<i>`` column per topic (rounded to 6 decimals)."""
    table = passages[["doc_id", "passage_no", "year", "n_tokens"]].reset_index(drop=True).copy()
    shares = pd.DataFrame(np.round(theta, 6), columns=[f"topic_{i}" for i in range(theta.shape[1])])
    return pd.concat([table, shares], axis=1)
