"""Keyword suggestions: the corpus's own words that sit closest to a theme's keywords.

A gensim ``Word2Vec`` (skip-gram; hierarchical softmax by default, negative sampling with
``suggestions.negative`` > 0) is trained on the passages' tokens with one worker thread and a
fixed seed, so two runs give the same vectors; for each theme, the terms whose vectors are nearest
(cosine) to the mean of its keywords' unit vectors are listed with their frequency per year.  Terms
that are keywords, or that already count for a keyword (a longer token containing one, in
``contains`` mode), are left out: they are measured already.
"""

from __future__ import annotations

import logging
import zlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .config import schema_field
from .keywords import KeywordMatcher, theme_keywords

log = logging.getLogger(__name__)

SUGGESTION_COLUMNS = ["theme", "rank", "term", "similarity", "year", "freq"]


@dataclass(frozen=True)
class SuggestionSettings:
    """The ``suggestions`` config section (defaults: the schema's, read by schema_field)."""

    n_terms: int = schema_field("suggestions.n_terms")
    vector_size: int = schema_field("suggestions.vector_size")
    window: int = schema_field("suggestions.window")
    min_count: int = schema_field("suggestions.min_count")
    epochs: int = schema_field("suggestions.epochs")
    negative: int = schema_field("suggestions.negative")
    seed: int = schema_field("suggestions.seed")
    max_passages: int = schema_field("suggestions.max_passages")


def _stable_hash(text: str) -> int:
    # gensim seeds some vectors with hash(word + seed); Python's str hash changes between runs.
    return zlib.crc32(text.encode("utf-8"))


def sample_passages(n_passages: int, max_passages: int, seed: int) -> np.ndarray:
    """Row numbers of the passages Word2Vec learns from: all, or a seeded sorted sample of ``max_passages``."""
    index = np.arange(n_passages)
    if n_passages > max_passages:
        rng = np.random.default_rng(seed)
        index = np.sort(rng.choice(index, size=max_passages, replace=False))
    return index


def train_word_vectors(token_strings: Sequence[str], settings: SuggestionSettings, **options):
    """Word2Vec on the passages (a seeded sample of at most ``max_passages``), reproducibly.

    Parameters
    ----------
    token_strings : sequence of str
        One space-joined token string per passage.
    settings : SuggestionSettings
    **options
        Further gensim ``Word2Vec`` arguments (``sample``, ``negative``, ``hs`` …) that override
        gensim's defaults; benchmarks/suggestions.py compares some.  The job passes none.

    Returns
    -------
    gensim.models.KeyedVectors
    """
    from .gensim_imports import Word2Vec

    index = sample_passages(len(token_strings), settings.max_passages, settings.seed)
    sentences = [token_strings[i].split() for i in index]
    sentences = [s for s in sentences if s]
    arguments = {
        "vector_size": settings.vector_size,
        "window": settings.window,
        "min_count": settings.min_count,
        "sg": 1,
        # No noise words: hierarchical softmax (benchmarks/SUGGESTIONS.md: better held-out keyword
        # recall at half the epochs than negative sampling's 5 noise words at 10).
        "hs": int(settings.negative == 0),
        "negative": settings.negative,
        "workers": 1,
        "seed": settings.seed,
        "epochs": settings.epochs,
        "hashfxn": _stable_hash,
    }
    model = Word2Vec(sentences=sentences, **{**arguments, **options})
    return model.wv


def unit_vectors(vectors) -> np.ndarray:
    """The rows of ``vectors.vectors`` scaled to length 1 (cosine similarity is then a dot product)."""
    return vectors.vectors / np.maximum(np.linalg.norm(vectors.vectors, axis=1, keepdims=True), 1e-12)


def word_order(words: Sequence[str]) -> np.ndarray:
    """Every word's position in sorted order: the tie-break of equal similarities."""
    order = np.empty(len(words), dtype=np.int64)
    order[sorted(range(len(words)), key=words.__getitem__)] = np.arange(len(words))
    return order


def nearest_terms(
    unit: np.ndarray, rows: Sequence[int], eligible: np.ndarray, tie_break: np.ndarray, n_terms: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """The eligible words nearest to the mean of the unit vectors ``rows``, nearest first.

    Parameters
    ----------
    unit : array (words × dimensions)
        Unit vectors (:func:`unit_vectors`).
    rows : sequence of int
        The seed words' rows (at least one).
    eligible : bool array (words)
        Words that may be listed.
    tie_break : int array (words)
        :func:`word_order`: equal similarities (rounded to 6 decimals) in word order, so the order
        is total and does not depend on the vocabulary's order.
    n_terms : int or None
        How many (None: every eligible word).

    Returns
    -------
    (word rows, similarities)
    """
    centre = unit[list(rows)].mean(axis=0)
    centre /= max(np.linalg.norm(centre), 1e-12)
    similarity = np.round(unit @ centre, 6)
    candidates = np.flatnonzero(eligible)
    order = candidates[np.lexsort((tie_break[candidates], -similarity[candidates]))][:n_terms]
    return order, similarity[order]


def yearly_counts(years: Sequence[int], token_strings: Sequence[str], terms: set[str]) -> dict[int, Counter]:
    """Occurrences of ``terms`` per year (every year of ``years`` present, zeros included).

    One passage's tokens at a time: a whole corpus split at once is gigabytes of Python strings.
    """
    counts: dict[int, Counter] = {int(year): Counter() for year in sorted(set(years))}
    for year, joined in zip(years, token_strings, strict=True):
        counts[int(year)].update(t for t in joined.split() if t in terms)
    return counts


def theme_suggestions(
    tokens: pd.DataFrame,
    themes: Mapping[str, Sequence[str]],
    keyword_match: str = "contains",
    settings: SuggestionSettings = SuggestionSettings(),
) -> pd.DataFrame:
    """The ``n_terms`` nearest non-keyword terms of every theme, with their frequency per year.

    Parameters
    ----------
    tokens : DataFrame
        ``tokens.tsv`` rows (``year``, ``tokens``).
    themes : mapping theme → normalised keywords
    keyword_match : {"contains", "token"}
        Terms that already count for a keyword in this mode are not suggested.
    settings : SuggestionSettings

    Returns
    -------
    DataFrame
        :data:`SUGGESTION_COLUMNS`: per theme, rank (1 = nearest), term, cosine similarity to the
        theme's keywords, and the term's occurrences in every year with data (zeros included).
    """
    token_strings = tokens["tokens"].fillna("").tolist()
    vectors = train_word_vectors(token_strings, settings)
    keywords, _ = theme_keywords(themes)
    matcher = KeywordMatcher(keywords, keyword_match)
    words = list(vectors.index_to_key)
    unit = unit_vectors(vectors)
    tie_break = word_order(words)
    eligible = np.array([matcher.match(word) < 0 for word in words], dtype=bool)
    picked: dict[str, list[tuple[str, float]]] = {}
    for theme, theme_words in themes.items():
        present = [vectors.key_to_index[w] for w in theme_words if w in vectors.key_to_index]
        if not present:
            log.warning(
                "theme %s: none of its keywords occurs %d times or more: no suggestions",
                theme,
                settings.min_count,
            )
            picked[theme] = []
            continue
        order, similarity = nearest_terms(unit, present, eligible, tie_break, settings.n_terms)
        picked[theme] = [(words[i], float(s)) for i, s in zip(order, similarity, strict=True)]
    wanted = {term for terms in picked.values() for term, _ in terms}
    counts = yearly_counts(tokens["year"].astype(int).tolist(), token_strings, wanted)
    years = sorted(counts)
    rows = [
        (theme, rank, term, similarity, year, int(counts[year][term]))
        for theme, terms in picked.items()
        for rank, (term, similarity) in enumerate(terms, 1)
        for year in years
    ]
    return pd.DataFrame(rows, columns=SUGGESTION_COLUMNS)
