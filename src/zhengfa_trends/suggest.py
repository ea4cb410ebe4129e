"""Keyword suggestions: the corpus's own words that sit closest to a theme's keywords.

Word vectors are learnt from the passages' tokens (a seeded sample of at most
``suggestions.max_passages``) by one of two methods (``suggestions.method``):

``word2vec``
    gensim ``Word2Vec`` (skip-gram; hierarchical softmax by default, negative sampling with
    ``suggestions.negative`` > 0), one worker thread and a fixed seed, so two runs give the same
    vectors.
``ppmi_svd``
    The count-based counterpart (Levy, Goldberg & Dagan 2015): word × context co-occurrences in
    the same window as Word2Vec's, weighted as its shrinking window weights them, turned into
    positive pointwise mutual information with the contexts' counts smoothed (^0.75), and reduced
    to ``vector_size`` dimensions by a seeded truncated SVD.  No training loop: a fraction of the
    CPU time.

For each theme, the terms whose vectors are nearest (cosine) to the mean of its keywords' unit
vectors are listed with their frequency per year.  Terms that are keywords, or that already count
for a keyword (a longer token containing one, in ``contains`` mode), are left out: they are
measured already.
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

# ppmi_svd's vectors are U·Σ^p with this p: 1 (the plain truncated SVD) recalled held-out keywords
# better than 0.5 and 0 on every corpus of benchmarks/SUGGESTIONS.md.
EIGENVALUE_POWER = 1.0
# Context counts are raised to this power before PMI, as Word2Vec's noise distribution raises them.
CONTEXT_SMOOTHING = 0.75


@dataclass(frozen=True)
class SuggestionSettings:
    """The ``suggestions`` config section (defaults: the schema's, read by schema_field)."""

    n_terms: int = schema_field("suggestions.n_terms")
    method: str = schema_field("suggestions.method")
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


class WordVectors:
    """Words and their vectors: the part of gensim's ``KeyedVectors`` the suggestions read.

    Parameters
    ----------
    words : list of str
        ``index_to_key``: the word of every row.
    vectors : array (words × dimensions)
    """

    def __init__(self, words: list[str], vectors: np.ndarray):
        self.index_to_key = list(words)
        self.key_to_index = {word: i for i, word in enumerate(self.index_to_key)}
        self.vectors = vectors


def train_word_vectors(token_strings: Sequence[str], settings: SuggestionSettings, **options):
    """Word vectors of the passages (a seeded sample of at most ``max_passages``), reproducibly.

    Parameters
    ----------
    token_strings : sequence of str
        One space-joined token string per passage.
    settings : SuggestionSettings
        ``method`` chooses :func:`ppmi_svd_vectors` or gensim ``Word2Vec``.
    **options
        Further arguments of the method: gensim ``Word2Vec`` arguments (``sample``, ``hs`` …)
        that override gensim's defaults, or :func:`ppmi_svd_vectors`' keywords
        (``eigenvalue_power``, ``context_smoothing``); benchmarks/suggestions.py compares some.
        The job passes none.

    Returns
    -------
    gensim.models.KeyedVectors or WordVectors
        ``index_to_key``, ``key_to_index`` and ``vectors`` either way.
    """
    index = sample_passages(len(token_strings), settings.max_passages, settings.seed)
    sentences = [token_strings[i].split() for i in index]
    sentences = [s for s in sentences if s]
    if settings.method == "ppmi_svd":
        return ppmi_svd_vectors(sentences, settings, **options)
    from .gensim_imports import Word2Vec

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


def cooccurrence_matrix(
    sentences: Sequence[Sequence[str]], min_count: int, window: int, sample: float = 0.0, seed: int = 0
):
    """The vocabulary (count ≥ ``min_count``) and its symmetric, window-weighted co-occurrence counts.

    Words rarer than ``min_count`` are dropped before windowing, as Word2Vec drops them, so a
    window spans the words that are kept.  A context ``d`` words away counts
    ``(window - d + 1) / window``: the probability that Word2Vec's randomly shrunk window (1 …
    ``window`` words, uniformly) reaches it.  ``sample`` > 0 drops frequent words' occurrences
    before windowing, seeded, with Word2Vec's probability (a word of corpus share ``f`` is kept
    with probability ``(sqrt(f / sample) + 1) · sample / f``).

    Returns
    -------
    (words, scipy.sparse.csr_matrix)
        Words by count (most frequent first; equal counts in code-point order) and the
        words × words matrix of weighted counts, symmetric.
    """
    from scipy.sparse import coo_matrix

    lengths = np.fromiter((len(s) for s in sentences), dtype=np.int64, count=len(sentences))
    flat = np.empty(int(lengths.sum()), dtype=object)
    flat[:] = [token for sentence in sentences for token in sentence]
    codes, distinct = pd.factorize(flat)
    counts = np.bincount(codes, minlength=len(distinct))
    # Most frequent first, equal counts in code-point order: the order of the rows and of the ties.
    frequent = [i for i in np.flatnonzero(counts >= min_count)]
    frequent.sort(key=lambda i: (-counts[i], distinct[i]))
    words = [distinct[i] for i in frequent]
    row_of = np.full(len(distinct), -1, dtype=np.int64)
    row_of[frequent] = np.arange(len(frequent))
    ids = row_of[codes]
    sentence_of = np.repeat(np.arange(len(sentences), dtype=np.int64), lengths)
    kept = ids >= 0
    if sample > 0 and kept.any():
        share = counts[frequent].astype(np.float64) / kept.sum()
        keep_probability = np.minimum((np.sqrt(share / sample) + 1) * sample / share, 1.0)
        draws = np.random.default_rng(seed).random(len(ids))
        kept &= draws < keep_probability[np.maximum(ids, 0)]
    ids, sentence_of = ids[kept], sentence_of[kept]
    rows, columns, weights = [], [], []
    for distance in range(1, window + 1):
        same = sentence_of[:-distance] == sentence_of[distance:]
        rows.append(ids[:-distance][same])
        columns.append(ids[distance:][same])
        weights.append(np.full(int(same.sum()), (window - distance + 1) / window))
    size = len(words)
    if rows:
        rows, columns, weights = np.concatenate(rows), np.concatenate(columns), np.concatenate(weights)
    matrix = coo_matrix((weights, (rows, columns)), shape=(size, size), dtype=np.float64).tocsr()
    # Each pair was counted from its left word; the right word sees the left one as well.
    return words, (matrix + matrix.T).tocsr()


def ppmi_svd_vectors(
    sentences: Sequence[Sequence[str]],
    settings: SuggestionSettings,
    eigenvalue_power: float = EIGENVALUE_POWER,
    context_smoothing: float = CONTEXT_SMOOTHING,
    sample: float = 0.0,
) -> WordVectors:
    """Word vectors from the truncated SVD of the positive PMI matrix (Levy, Goldberg & Dagan 2015).

    Parameters
    ----------
    sentences : sequence of token lists
    settings : SuggestionSettings
        ``min_count``, ``window``, ``vector_size`` and ``seed`` (of the randomised SVD).
    eigenvalue_power : float
        Vectors are ``U · Σ^p`` (:data:`EIGENVALUE_POWER`).
    context_smoothing : float
        Context counts are raised to this power before PMI (:data:`CONTEXT_SMOOTHING`, Word2Vec's
        noise distribution), which keeps rare contexts from dominating.
    sample : float
        Word2Vec's subsampling of frequent words (:func:`cooccurrence_matrix`); 0, the default,
        subsamples nothing (1e-3 recalled no better in benchmarks/SUGGESTIONS.md).

    Returns
    -------
    WordVectors
        One row per word with at least one positive association (a word whose every context is
        as common as chance has no direction to offer and gets no vector).
    """
    from scipy.sparse import csr_matrix

    words, counts = cooccurrence_matrix(sentences, settings.min_count, settings.window, sample, settings.seed)
    total = counts.sum()
    if total == 0:
        return WordVectors([], np.zeros((0, settings.vector_size)))
    word_totals = np.asarray(counts.sum(axis=1)).ravel()
    context_weight = np.asarray(counts.sum(axis=0)).ravel() ** context_smoothing
    context_share = context_weight / context_weight.sum()
    pairs = counts.tocoo()
    pmi = np.log(pairs.data * total) - np.log(word_totals[pairs.row] * total * context_share[pairs.col])
    positive = pmi > 0
    ppmi = csr_matrix((pmi[positive], (pairs.row[positive], pairs.col[positive])), shape=counts.shape)
    has_vector = np.flatnonzero(np.diff(ppmi.indptr) > 0)
    ppmi = ppmi[has_vector][:, has_vector]
    words = [words[i] for i in has_vector]
    dimensions = min(settings.vector_size, len(words) - 1)
    if dimensions < 1:
        return WordVectors(words, np.ones((len(words), 1)))
    left, singular = randomized_svd(ppmi, dimensions, settings.seed)
    return WordVectors(words, left * singular**eigenvalue_power)


def randomized_svd(matrix, n_components: int, seed: int, oversamples: int = 10, power_iterations=None):
    """The leading left singular vectors and values of a sparse matrix, by randomised range finding.

    Halko, Martinsson & Tropp (2011), algorithm 4.4, with LU steps between the power iterations
    and scikit-learn's choices (10 extra samples; 7 power iterations when ``n_components`` is under
    a tenth of the matrix's size, else 4).  Written here because importing
    ``sklearn.utils.extmath`` costs more CPU (0.55 s: it loads scipy.stats) than the whole
    decomposition of a 9,000-word corpus (benchmarks/SUGGESTIONS.md).

    Parameters
    ----------
    matrix : scipy.sparse matrix (n × m)
    n_components : int
        At most ``min(n, m)``.
    seed : int
        Seeds the Gaussian test matrix: the same seed, the same vectors.

    Returns
    -------
    (left singular vectors n × n_components, singular values, descending)
    """
    from scipy.linalg import lu, qr, svd

    if power_iterations is None:
        power_iterations = 7 if n_components < 0.1 * min(matrix.shape) else 4
    samples = min(n_components + oversamples, min(matrix.shape))
    transposed = matrix.T.tocsr()
    basis = np.random.default_rng(seed).standard_normal((matrix.shape[1], samples))
    for _ in range(power_iterations):
        basis, _ = lu(matrix @ basis, permute_l=True)
        basis, _ = lu(transposed @ basis, permute_l=True)
    basis, _ = qr(matrix @ basis, mode="economic")
    small_left, singular, _ = svd(np.asarray(transposed @ basis).T, full_matrices=False)
    return (basis @ small_left)[:, :n_components], singular[:n_components]


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
                "theme %s: none of its keywords has a vector (it needs %d occurrences or more, "
                "beside other words): no suggestions",
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
