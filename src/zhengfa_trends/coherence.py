"""Topic coherence (c_v, c_npmi, u_mass) as gensim's ``CoherenceModel`` computes it, vectorised.

gensim counts word and word-pair occurrences in sliding windows with a Python loop over every
window (``WordOccurrenceAccumulator``): on a few thousand passages that is most of a second per
measure.  Here the same counts come from sparse matrix products, and the measures from array
arithmetic over each topic's top words.  The definitions are gensim's (Röder, Both & Hinneburg
2015, as implemented in ``gensim.topic_coherence``), including its details:

* a text shorter than the window is one window; an empty text is one empty window that still counts
  in the number of windows;
* when the window slides, gensim marks the word that leaves it as absent even if it occurs again
  inside the window, and the word that enters as present: a word's presence is replayed from those
  events, so the counts are gensim's to the unit;
* top words: ``gensim.matutils.argsort`` of each topic's word distribution (ties as gensim breaks
  them); ``EPSILON = 1e-12``; a u_mass pair whose conditioning word never occurs scores 0;
  non-finite results are returned as they come (the caller decides).

``tests/test_coherence.py`` checks every measure against ``CoherenceModel`` itself.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse

EPSILON = 1e-12
# gensim's default sliding windows (``CoherenceModel`` SLIDING_WINDOW_SIZES) and top words per topic.
WINDOWS = {"c_v": 110, "c_npmi": 10}
TOP_N = 20


def top_word_ids(topic_word: np.ndarray, topn: int = TOP_N) -> list[np.ndarray]:
    """Each topic's ``topn`` highest-probability word ids, best first (gensim's ``argsort``)."""
    from .gensim_imports import matutils

    return [np.asarray(matutils.argsort(row, topn=topn, reverse=True)) for row in topic_word]


def sliding_window_counts(
    texts: Sequence[Sequence[str]], words: Sequence[str], window: int
) -> tuple[np.ndarray, np.ndarray, int]:
    """Windows containing each word and each word pair, as gensim's boolean sliding window counts.

    Parameters
    ----------
    texts : sequence of token lists
    words : the words to count (others only take up positions)
    window : window size in tokens

    Returns
    -------
    (occurrences, co_occurrences, n_windows)
        ``occurrences[i]``: windows in which word ``i`` counts as present; ``co_occurrences[i, j]``:
        windows in which both do (diagonal = occurrences); ``n_windows``: all windows.
    """
    index = {word: i for i, word in enumerate(words)}
    lengths = np.fromiter((len(text) for text in texts), dtype=np.int64, count=len(texts))
    windows_per_text = np.maximum(1, lengths - window + 1)
    offsets = np.concatenate(([0], np.cumsum(windows_per_text)[:-1]))
    codes = np.fromiter(
        (index.get(token, -1) for text in texts for token in text), dtype=np.int64, count=int(lengths.sum())
    )
    text_of = np.repeat(np.arange(len(texts)), lengths)
    position = np.arange(len(codes)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    relevant = codes >= 0
    codes, text_of, position = codes[relevant], text_of[relevant], position[relevant]
    last_step = windows_per_text[text_of] - 1
    # Presence events: a token enters at the first window (step 0) or when it becomes the window's
    # last token; it is marked absent when it leaves as the window's first token.
    added = np.where(position < window, 0, position - window + 1)
    leaves = position + 1 <= last_step
    event_text = np.concatenate((text_of, text_of[leaves]))
    event_word = np.concatenate((codes, codes[leaves]))
    event_step = np.concatenate((added, position[leaves] + 1))
    event_adds = np.concatenate(
        (np.ones(len(codes), dtype=np.int64), np.zeros(int(leaves.sum()), dtype=np.int64))
    )
    # Within a step gensim first unmarks the leaving token, then marks the entering one.
    order = np.lexsort((event_adds, event_step, event_word, event_text))
    event_text, event_word, event_step, event_adds = (
        event_text[order],
        event_word[order],
        event_step[order],
        event_adds[order],
    )
    # Each "present" event holds until the next event of the same word in the same text.
    until = windows_per_text[event_text].copy()
    same = (event_text[1:] == event_text[:-1]) & (event_word[1:] == event_word[:-1])
    until[:-1] = np.where(same, event_step[1:], until[:-1])
    present = (event_adds == 1) & (until > event_step)
    starts = offsets[event_text[present]] + event_step[present]
    spans = until[present] - event_step[present]
    rows = np.repeat(starts - np.cumsum(spans) + spans, spans) + np.arange(int(spans.sum()))
    columns = np.repeat(event_word[present], spans)
    n_windows = int(windows_per_text.sum())
    presence = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.int64), (rows, columns)), shape=(n_windows, len(words))
    )
    co_occurrences = (presence.T @ presence).toarray()
    return np.diagonal(co_occurrences).copy(), co_occurrences, n_windows


def document_counts(
    corpus_matrix: sparse.csr_matrix, word_ids: np.ndarray
) -> tuple[np.ndarray, np.ndarray, int]:
    """Documents containing each word and each word pair (gensim's boolean document counts)."""
    present = (corpus_matrix[:, word_ids] > 0).astype(np.int64)
    co_occurrences = (present.T @ present).toarray()
    return np.diagonal(co_occurrences).copy(), co_occurrences, corpus_matrix.shape[0]


def _npmi(occurrences: np.ndarray, co_occurrences: np.ndarray, n_windows: int) -> np.ndarray:
    """Normalised pointwise mutual information of every word pair (gensim's ``nlr`` measure)."""
    p_word = occurrences / float(n_windows)
    p_pair = co_occurrences / float(n_windows)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_ratio = np.log((p_pair + EPSILON) / np.outer(p_word, p_word))
        return log_ratio / -np.log(p_pair + EPSILON)


def c_npmi(topics: list[np.ndarray], position: dict[int, int], counts) -> float:
    """Mean over topics of the mean NPMI of every ordered pair of distinct top words."""
    npmi = _npmi(*counts)
    values = []
    for top in topics:
        at = [position[w] for w in top]
        block = npmi[np.ix_(at, at)]
        values.append(np.mean(block[~np.eye(len(at), dtype=bool)]))
    return float(np.mean(values))


def c_v(topics: list[np.ndarray], position: dict[int, int], counts) -> float:
    """Mean over topics of the mean cosine between each top word's NPMI context vector and the topic's."""
    npmi = _npmi(*counts)
    values = []
    for top in topics:
        at = [position[w] for w in top]
        vectors = npmi[np.ix_(at, at)]  # row i: word i's NPMI with every top word
        whole = vectors.sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            cosines = (vectors @ whole) / (np.sqrt((vectors**2).sum(axis=1)) * np.sqrt((whole**2).sum()))
        values.append(np.mean(cosines))
    return float(np.mean(values))


def u_mass(topics: list[np.ndarray], position: dict[int, int], counts) -> float:
    """Mean over topics of the mean ``log((D(w_i, w_j)/N + ε) / (D(w_j)/N))`` over pairs ``i > j``."""
    occurrences, co_occurrences, n_documents = counts
    values = []
    for top in topics:
        at = [position[w] for w in top]
        pairs = [(at[i], at[j]) for i in range(1, len(at)) for j in range(i)]
        first = np.array([p[0] for p in pairs], dtype=np.int64)
        given = np.array([p[1] for p in pairs], dtype=np.int64)
        with np.errstate(divide="ignore", invalid="ignore"):
            scores = np.log(
                (co_occurrences[first, given] / float(n_documents) + EPSILON)
                / (occurrences[given] / float(n_documents))
            )
        values.append(np.mean(np.where(occurrences[given] == 0, 0.0, scores)))
    return float(np.mean(values))


def coherence(
    topic_word: np.ndarray,
    vocabulary: Sequence[str],
    texts: Sequence[Sequence[str]],
    corpus_matrix: sparse.csr_matrix,
    measures: Sequence[str] = ("c_v", "c_npmi", "u_mass"),
    topn: int = TOP_N,
) -> dict[str, float]:
    """Coherence of the topics ``topic_word`` (topics × vocabulary) for each of ``measures``.

    ``texts`` (token lists) feed the sliding-window measures c_v and c_npmi; ``corpus_matrix``
    (documents × vocabulary counts of the same documents) feeds u_mass.
    """
    topics = top_word_ids(topic_word, topn)
    ids = np.unique(np.concatenate(topics))
    position = {int(w): i for i, w in enumerate(ids)}
    words = [vocabulary[w] for w in ids]
    scores = {}
    for measure in measures:
        if measure in WINDOWS:
            counts = sliding_window_counts(texts, words, WINDOWS[measure])
            scores[measure] = (c_v if measure == "c_v" else c_npmi)(topics, position, counts)
        elif measure == "u_mass":
            scores[measure] = u_mass(topics, position, document_counts(corpus_matrix, ids))
        else:
            raise ValueError(f"unknown coherence measure {measure!r}")
    return scores
