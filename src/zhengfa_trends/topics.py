"""LDA topic models (gensim ``LdaModel``, single process, seeded) on passages."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from .config import schema_field
from .kgrid import auto_k_grid  # noqa: F401  (topics.auto_k_grid: the grid is part of model choice)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LdaSettings:
    """LDA, vocabulary and evaluation settings (the ``lda`` config section)."""

    # Defaults: the config schema's lda section (workflow/schemas/config.schema.yaml).
    passes: int = schema_field("lda.passes")
    iterations: int = schema_field("lda.iterations")
    alpha: str = schema_field("lda.alpha")
    eta: str | None = None  # not a config key: gensim's symmetric 1/K prior
    no_below: int = schema_field("lda.no_below")
    no_above: float = schema_field("lda.no_above")
    keep_n: int = 20000  # not a config key: gensim's vocabulary cap
    n_terms: int = schema_field("lda.n_terms")
    heldout_share: float = schema_field("lda.heldout_share")
    split_seed: int = schema_field("lda.split_seed")
    coherence_passages: int = schema_field("lda.coherence_passages")
    max_train_passages: int | None = schema_field("lda.max_train_passages")
    selection_passages: int | None = schema_field("lda.selection_passages")
    full_passes: int = schema_field("lda.full_passes")
    max_heldout_passages: int = schema_field("lda.max_heldout_passages")
    update_passes: int = schema_field("lda.update_passes")
    # Not config keys: gensim's learning schedule, at gensim's defaults (an update's weight is
    # (offset + pass + passages seen / chunksize) ** -decay, one update per chunk of passages, or per
    # pass with update_every 0).  benchmarks/convergence.py varies them; none of the alternatives it
    # measured converged in fewer passes to an equal or better model on every corpus size
    # (benchmarks/CONVERGENCE.md, "Learning schedules"), so the workflow keeps these.
    decay: float = 0.5
    offset: float = 1.0
    update_every: int = 1
    chunksize: int = 2000

    @classmethod
    def from_config(cls, lda: Mapping) -> LdaSettings:
        """The settings of the validated ``lda`` config section (keys that are no setting are ignored)."""
        return cls(**{name: lda[name] for name in cls.__dataclass_fields__ if name in lda})


@dataclass(frozen=True)
class LdaRun:
    """One K's model as rule ``fit_lda`` writes it: its tables and the parameters it is rebuilt from."""

    terms: pd.DataFrame  # topics.tsv: topic, rank, term, weight
    # passage_topics.tsv: passage ids and one topic_<i> column per topic (None: written in parts)
    passage_topics: pd.DataFrame | None
    scores: pd.DataFrame  # scores.tsv: one row per seed
    stability: pd.DataFrame  # topic_stability.tsv: one row per topic
    topic_word_lambda: np.ndarray  # (k, V) variational topic-word parameters
    alpha: np.ndarray
    vocabulary: list[str]

    @property
    def topic_word(self) -> np.ndarray:
        """Topic-word distributions (rows of lambda normalised)."""
        return self.topic_word_lambda / self.topic_word_lambda.sum(axis=1, keepdims=True)


def build_bow(token_lists: Iterable[Sequence[str]], settings: LdaSettings):
    """Build a gensim ``Dictionary`` with rare/common terms filtered, and the bag-of-words corpus.

    The same vocabulary, ids and counts as ``Dictionary(token_lists)``, ``filter_extremes`` and
    ``compactify`` (ids follow first occurrence in the sorted passages, so they are the same on
    every run), built in one vectorised pass: see :func:`zhengfa_trends.sparse_lda.bow_corpus`.

    Returns
    -------
    (gensim.corpora.Dictionary, zhengfa_trends.sparse_lda.BowCorpus)
        The corpus is a sequence of bag-of-words documents (``(id, count)`` pairs) backed by a
        sparse passages × terms matrix.
    """
    from zhengfa_trends.sparse_lda import bow_corpus

    return bow_corpus(token_lists, settings.no_below, settings.no_above, settings.keep_n)


def fit_lda(corpus, dictionary, k: int, seed: int, settings: LdaSettings, callbacks=None):
    """Fit one gensim ``LdaModel`` (single process; identical output for the same seed).

    The model is a :class:`~zhengfa_trends.sparse_lda.BatchedLdaModel`: gensim's training with the
    per-document E-step loop replaced by one vectorised over each chunk (same result, faster).

    Raises
    ------
    ValueError
        If the vocabulary is empty after filtering (too small a corpus for these settings).
    """
    return _lda_model_class(dictionary)(
        corpus=corpus, id2word=dictionary, callbacks=callbacks, **lda_model_arguments(k, seed, settings)
    )


def train_on_all(model, corpus, passes: int):
    """Go on training ``model`` (fitted on a sample of ``corpus``) on every passage of ``corpus``.

    gensim's own online continuation: ``update`` keeps the model's topics and its count of
    passages seen (``num_updates``, which gensim advances in the first pass of each training call);
    its learning rate ``(offset + pass + num_updates / chunksize) ** -decay`` restarts its pass count,
    so the first chunks of every passage move the topics most.  The held-out curve
    (``metrics["heldout_perplexity"]``, when watched) gets these passes after the sample's.
    """
    earlier = list(getattr(model, "metrics", {}).get("heldout_perplexity", []))
    model.update(corpus, passes=passes)
    if earlier:
        model.metrics["heldout_perplexity"] = earlier + list(model.metrics["heldout_perplexity"])
    return model


def _lda_model_class(dictionary):
    """The model class of every fit, once the checks that come before any fit have passed."""
    from zhengfa_trends.sparse_lda import BatchedLdaModel, self_check

    self_check()  # once per process: the fast E-step still equals the installed gensim's
    if len(dictionary) == 0:
        raise ValueError(
            "the LDA vocabulary is empty after filtering; lower lda.no_below or raise lda.no_above"
        )
    return BatchedLdaModel


def continue_lda(corpus, dictionary, start, k: int, seed: int, settings: LdaSettings, callbacks=None):
    """Continue training a stored model on ``corpus`` for ``settings.update_passes`` passes
    (``lda.mode: update``: a warm start instead of a new fit).

    ``start`` is the stored model (``topic_word_lambda`` and ``vocabulary``, e.g. a
    :class:`~zhengfa_trends.history.StoredModel`).  Its variational topic-word parameters become
    the starting point over this corpus's vocabulary (a word the stored model did not know starts
    at the prior), and gensim's online learning rate ``(offset + pass + updates / chunksize) ** -decay``
    goes on from where a fit of ``lda.passes`` passes over this corpus would have left it, so the
    first chunks refine the stored topics instead of replacing them.  Every passage is trained on.
    """
    arguments = {**lda_model_arguments(k, seed, settings), "passes": settings.update_passes}
    model = _lda_model_class(dictionary)(id2word=dictionary, **arguments)  # no corpus: nothing trained yet
    lam = np.asarray(start.topic_word_lambda, dtype=np.float64)
    if lam.shape[0] != k:
        raise ValueError(f"the stored model has K={lam.shape[0]}, not {k}")
    stored_column = {word: i for i, word in enumerate(start.vocabulary)}
    columns = np.array([stored_column.get(dictionary[j], -1) for j in range(len(dictionary))])
    known = columns >= 0
    sstats = np.zeros((k, len(dictionary)))
    sstats[:, known] = lam[:, columns[known]]
    eta = np.broadcast_to(np.asarray(model.eta, dtype=np.float64), (len(dictionary),))
    model.state.sstats = np.maximum(sstats - eta, 0.0)
    model.sync_state()
    model.num_updates = settings.passes * len(corpus)
    log.info(
        "LDA k=%d: continuing the stored model (%d of %d words known) for %d passes",
        k,
        int(known.sum()),
        len(dictionary),
        settings.update_passes,
    )
    model.callbacks = callbacks
    model.update(corpus, passes=settings.update_passes)
    return model


def lda_model_arguments(k: int, seed: int, settings: LdaSettings) -> dict:
    """The keyword arguments of gensim's ``LdaModel`` that the workflow's fits use (besides the data).

    One place for them, so that a plain gensim ``LdaModel`` given the same arguments (the benchmarks'
    quality guard) is trained exactly as the workflow's model.
    """
    return {
        "num_topics": k,
        "random_state": seed,
        "passes": settings.passes,
        "iterations": settings.iterations,
        "alpha": settings.alpha,
        "eta": settings.eta,
        "chunksize": settings.chunksize,
        "decay": settings.decay,
        "offset": settings.offset,
        "update_every": settings.update_every,
        "eval_every": None,
        "dtype": np.float64,
    }


def topic_terms(model, n_terms: int) -> pd.DataFrame:
    """Top ``n_terms`` terms of every topic (config ``lda.n_terms``): columns ``topic, rank, term, weight``."""
    rows = []
    topics = model.get_topics()
    for topic in range(topics.shape[0]):
        weights = topics[topic]
        order = np.lexsort((np.arange(len(weights)), -weights))[:n_terms]
        for rank, term_id in enumerate(order, 1):
            rows.append((topic, rank, model.id2word[int(term_id)], round(float(weights[term_id]), 6)))
    return pd.DataFrame(rows, columns=["topic", "rank", "term", "weight"])


# Weight of a term's own probability against its lift in the relevance of Sievert & Shirley (2014),
# who found 0.6 best for users interpreting topics.
RELEVANCE_WEIGHT = 0.6


def relevance_labels(
    topic_lambda: np.ndarray, vocabulary: Sequence[str], n: int = 3, weight: float = RELEVANCE_WEIGHT
) -> dict[int, str]:
    """Label each topic by its ``n`` most relevant terms joined with ``·``.

    Relevance (Sievert & Shirley 2014, LDAvis) is ``weight · log φ_tw + (1 - weight) · log(φ_tw / p_w)``:
    a term's probability in the topic, and its lift over its share of the whole corpus.  Ranking
    by probability alone labels several topics with the same frequent words (发展, 建设); the lift
    favours the words that make a topic different.  ``φ`` is the topic-word matrix (rows of
    ``topic_lambda`` normalised) and ``p_w`` the word's share of all of the model's topic-word mass
    (``topic_lambda`` are the expected word counts per topic, plus the prior), so the labels depend
    only on the stored model.  Ties go to the word listed first in the vocabulary.
    """
    lam = np.asarray(topic_lambda, dtype=float)
    phi = lam / lam.sum(axis=1, keepdims=True)
    marginal = lam.sum(axis=0) / lam.sum()
    with np.errstate(divide="ignore"):
        relevance = weight * np.log(phi) + (1.0 - weight) * np.log(phi / marginal)
    labels = {}
    for topic in range(lam.shape[0]):
        order = np.lexsort((np.arange(lam.shape[1]), -relevance[topic]))[:n]
        labels[topic] = "·".join(vocabulary[int(i)] for i in order)
    return labels


def with_hand_labels(
    auto_labels: Mapping[int, str], topic_ids: Mapping[int, int], hand_labels: Mapping
) -> dict[int, str]:
    """Labels of a model's topics: ``hand_labels`` (topic id → name, from ``lda.labels``) where given,
    the automatic label otherwise.  ``topic_ids`` maps each topic number to its stable id."""
    names = {int(key): str(value) for key, value in (hand_labels or {}).items()}
    return {topic: names.get(int(topic_ids[topic]), label) for topic, label in auto_labels.items()}


def passage_topics(model, corpus, chunk: int = 2000) -> np.ndarray:
    """Topic distribution of every passage (rows sum to 1; an empty passage gets uniform shares)."""
    theta = np.empty((len(corpus), model.num_topics))
    for start, shares in _passage_topic_chunks(model, corpus, chunk):
        theta[start : start + len(shares)] = shares
    return theta


def _passage_topic_chunks(model, corpus, chunk: int = 2000):
    """:func:`passage_topics` ``chunk`` passages at a time: ``(first row, shares)`` in order.

    The inference draws each chunk's random start from the model's random state, so the chunks
    must be these, in this order, for the shares to be those of one :func:`passage_topics` call.
    """
    k = model.num_topics
    for start in range(0, len(corpus), chunk):
        part = corpus[start : start + chunk]
        gamma, _ = model.inference(part)
        shares = (gamma / gamma.sum(axis=1, keepdims=True)).astype(np.float64, copy=False)
        shares[np.array([len(bow) == 0 for bow in part], dtype=bool)] = 1.0 / k
        yield start, shares


def passage_topic_table(passages: pd.DataFrame, theta: np.ndarray) -> pd.DataFrame:
    """Passage identifiers with one ``topic_<i>`` column per topic (rounded to 6 decimals)."""
    table = passages[["doc_id", "passage_no", "year", "n_tokens"]].reset_index(drop=True).copy()
    shares = pd.DataFrame(np.round(theta, 6), columns=[f"topic_{i}" for i in range(theta.shape[1])])
    return pd.concat([table, shares], axis=1)


def passage_topic_columns(k: int) -> list[str]:
    """The columns of passage_topics.tsv (:func:`passage_topic_table`) of ``k`` topics."""
    return ["doc_id", "passage_no", "year", "n_tokens", *(f"topic_{i}" for i in range(k))]


def passage_topic_parts(model, corpus, passages: pd.DataFrame, part_rows: int = 50_000, chunk: int = 2000):
    """:func:`passage_topic_table` of :func:`passage_topics` in consecutive parts of about
    ``part_rows`` passages, for :func:`zhengfa_trends.io.write_tsv_chunks`.

    The parts hold the same values as the whole table (the same inference chunks, in the same order;
    the rounding and the columns' types are those of the whole), so they write the same bytes, while
    only a part's shares are ever held: the whole table of a large corpus at a large K is gigabytes.
    """
    rows = max(chunk, part_rows // chunk * chunk)  # a part is whole inference chunks
    pending: list[np.ndarray] = []
    first = 0
    for start, shares in _passage_topic_chunks(model, corpus, chunk):
        pending.append(shares)
        stop = start + len(shares)
        if stop - first >= rows or stop == len(corpus):
            yield passage_topic_table(passages.iloc[first:stop], np.concatenate(pending))
            pending, first = [], stop


def heldout_count(n_passages: int, share: float, max_count: int | None = None) -> int:
    """How many passages :func:`heldout_mask` holds out (none of fewer than two passages)."""
    n_heldout = int(round(share * n_passages))
    if max_count is not None:
        n_heldout = min(n_heldout, max_count)
    if n_heldout <= 0 or n_passages < 2:
        return 0
    return min(n_heldout, n_passages - 1)


def heldout_mask(n_passages: int, share: float, seed: int, max_count: int | None = None) -> np.ndarray:
    """Boolean mask of the passages held out for perplexity (seeded; at least one kept for training).

    ``share`` of the passages, but at most ``max_count`` of them.
    """
    mask = np.zeros(n_passages, dtype=bool)
    n_heldout = heldout_count(n_passages, share, max_count)
    if n_heldout == 0:
        return mask
    rng = np.random.default_rng(seed)
    mask[rng.choice(n_passages, size=n_heldout, replace=False)] = True
    return mask


def heldout_perplexity(model, heldout_corpus) -> float:
    """Per-word perplexity of held-out passages; NaN if there are none.

    Each held-out passage's topic shares are inferred with the model, then
    ``perplexity = exp(-Σ log Σ_t θ_dt φ_tw / N)`` over its words.  gensim's ``log_perplexity``
    bound is not used: it adds the whole model's prior term, divided by the held-out words only,
    so on small held-out sets it grows with K regardless of fit.
    """
    heldout = [bow for bow in heldout_corpus if bow]
    if not heldout:
        return float("nan")
    from zhengfa_trends.sparse_lda import BowCorpus, bow_matrix

    phi = model.get_topics()
    counts = bow_matrix(heldout, phi.shape[1])  # built once: for the inference and the likelihood
    theta = passage_topics(model, BowCorpus(counts))
    rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
    word_probability = np.einsum("ij,ji->i", theta[rows], phi[:, counts.indices])
    log_likelihood = float(counts.data @ np.log(word_probability))
    return float(np.exp(-log_likelihood / counts.data.sum()))


def coherence_scores(model, texts, dictionary, corpus, measures=("c_v", "c_npmi", "u_mass")) -> dict:
    """c_v, c_npmi and u_mass coherence as gensim's ``CoherenceModel`` defines them; a measure that is
    undefined (a top word never occurs) gives NaN, logged.

    Computed by :mod:`zhengfa_trends.coherence` (same numbers, vectorised).  ``texts`` are the token
    lists of the scored passages (for the sliding-window measures c_v and c_npmi), ``corpus`` their
    bag-of-words documents (for u_mass).  On tiny corpora c_v and c_npmi are often NaN (word pairs
    never co-occur in a window); that is reported, not raised.
    """
    from zhengfa_trends.coherence import coherence
    from zhengfa_trends.sparse_lda import bow_matrix

    vocabulary = [dictionary[i] for i in range(len(dictionary))]
    corpus_matrix = bow_matrix(corpus if isinstance(corpus, Sequence) else list(corpus), len(vocabulary))
    scores = {}
    for measure in measures:
        try:
            value = coherence(model.get_topics(), vocabulary, texts, corpus_matrix, (measure,))[measure]
        except (ValueError, IndexError) as error:
            log.warning("coherence %s could not be computed: %s", measure, error)
            value = float("nan")
        if not np.isfinite(value):
            log.warning("coherence %s is undefined for these topics (a top word never occurs)", measure)
            value = float("nan")
        scores[measure] = value
    return scores


def topic_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine similarity between the topic-word rows of ``a`` (k×V) and ``b`` (k'×V)."""
    a_norm = a / np.linalg.norm(a, axis=1, keepdims=True)
    b_norm = b / np.linalg.norm(b, axis=1, keepdims=True)
    return a_norm @ b_norm.T


def match_topics(reference: np.ndarray, other: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hungarian matching of topics by cosine similarity of their word distributions.

    Parameters
    ----------
    reference, other : ndarray, shape (k, V)
        Topic-word matrices over the same vocabulary.

    Returns
    -------
    (match, similarity) : ndarrays of shape (k,)
        ``other`` topic ``match[i]`` is the partner of reference topic ``i``, with similarity
        ``similarity[i]`` (1 = identical distributions).  When ``other`` has fewer topics, unmatched
        reference topics get ``match = -1`` and similarity 0.
    """
    from scipy.optimize import linear_sum_assignment

    similarity = topic_similarity(reference, other)
    rows, cols = linear_sum_assignment(-similarity)
    match = np.full(reference.shape[0], -1)
    best = np.zeros(reference.shape[0])
    match[rows] = cols
    best[rows] = similarity[rows, cols]
    return match, best


def seed_stability(topic_word: list[np.ndarray]) -> np.ndarray:
    """Per-topic stability of the first model: mean best-match similarity to every other seed's model.

    Returns an array of length k (NaN when there is only one seed: stability cannot be assessed).
    """
    reference = topic_word[0]
    if len(topic_word) < 2:
        return np.full(reference.shape[0], np.nan)
    return np.mean([match_topics(reference, other)[1] for other in topic_word[1:]], axis=0)


@dataclass(frozen=True)
class KChoice:
    """The chosen K, the rule that chose it and the one-standard-error band it was chosen from."""

    k: int
    reason: str
    measure: str | None = None  # the score compared (c_npmi, or u_mass where c_npmi is undefined)
    best_k: int | None = None  # the K with the best mean score
    best_mean: float = float("nan")
    best_se: float = float("nan")  # standard error of that mean over seeds (NaN with one seed)
    threshold: float = float("nan")  # best_mean - best_se: the lower edge of the band

    def to_text(self) -> str:
        """chosen_k.txt: ``K<TAB>rule`` on the first line, then one ``key<TAB>value`` line each."""
        lines = [f"{self.k}\t{self.reason}"]
        if self.measure is not None:
            lines += [
                f"measure\t{self.measure}",
                f"best_k\t{self.best_k}",
                f"best_mean\t{self.best_mean:.6g}",
                f"best_se\t{self.best_se:.6g}",
                f"threshold\t{self.threshold:.6g}",
            ]
        return "\n".join(lines) + "\n"

    @classmethod
    def from_text(cls, text: str) -> KChoice:
        """Read what :meth:`to_text` wrote."""
        first, *rest = text.rstrip("\n").split("\n")
        k, _, reason = first.partition("\t")
        values = dict(line.split("\t", 1) for line in rest if "\t" in line)
        if "measure" not in values:
            return cls(int(k), reason)
        return cls(
            int(k),
            reason,
            values["measure"],
            int(values["best_k"]),
            float(values["best_mean"]),
            float(values["best_se"]),
            float(values["threshold"]),
        )


def read_k_choice(path) -> KChoice:
    """The K choice written to chosen_k.txt (K, the rule that chose it, the band)."""
    with open(path, encoding="utf-8") as handle:
        return KChoice.from_text(handle.read())


def read_chosen_k(path) -> int:
    """The K of chosen_k.txt."""
    return read_k_choice(path).k


def choose_k(selection: pd.DataFrame, fixed_k: int | None, min_stability: float) -> tuple[int, str]:
    """``(k, reason)`` of :func:`choose_k_band`."""
    choice = choose_k_band(selection, fixed_k, min_stability)
    return choice.k, choice.reason


def choose_k_band(selection: pd.DataFrame, fixed_k: int | None, min_stability: float) -> KChoice:
    """Pick the number of topics from ``model_selection.tsv`` rows, with the one-SE rule.

    Rule: a K fixed in the config wins.  Otherwise, among the Ks whose mean stability is at least
    ``min_stability`` (all Ks if stability cannot be assessed, with one seed, or no K reaches it),
    find the K with the best mean c_npmi over seeds; the chosen K is the smallest K whose mean is
    within one standard error (over seeds) of that best mean: differences smaller than the
    seed-to-seed noise do not justify more topics.  With one seed there is no standard error and
    the best K is chosen.  u_mass replaces c_npmi where c_npmi is undefined everywhere.

    Returns
    -------
    KChoice
    """
    if fixed_k is not None:
        return KChoice(int(fixed_k), "fixed in config (lda.chosen_k)")
    per_k = selection.groupby("k")[["c_npmi", "u_mass", "stability"]].mean().sort_index()
    candidates = per_k[per_k["stability"] >= min_stability]
    scope = f"stability >= {min_stability}"
    if candidates.empty:
        candidates = per_k
        scope = "all K (stability not assessed or below threshold)"
    for measure in ("c_npmi", "u_mass"):
        values = candidates[measure].dropna()
        if values.empty:
            continue
        best = int(values[values == values.max()].index.min())
        scores = selection.loc[selection["k"] == best, measure].dropna()
        se = float(scores.std(ddof=1) / np.sqrt(len(scores))) if len(scores) > 1 else float("nan")
        threshold = float(values[best]) - (se if np.isfinite(se) else 0.0)
        # A tiny tolerance keeps a K whose mean equals the threshold up to rounding in the band.
        chosen = int(values[values >= threshold - 1e-12].index.min())
        if np.isfinite(se):
            reason = (
                f"smallest K within one standard error of the best mean {measure} "
                f"(K={best}: {values[best]:.4f} ± {se:.4f}) among {scope}"
            )
        else:
            reason = f"best mean {measure} among {scope} (one seed: no standard error)"
        return KChoice(chosen, reason, measure, best, float(values[best]), se, threshold)
    return KChoice(int(candidates.index.min()), "smallest K (no coherence could be computed)")


def model_parameters(model) -> tuple[np.ndarray, np.ndarray]:
    """``(lambda, alpha)`` of a fitted model: all that inference on new passages needs."""
    return model.state.get_lambda().astype(np.float64), np.asarray(model.alpha, dtype=np.float64)


def model_from_parameters(lam: np.ndarray, alpha: np.ndarray, dictionary, seed: int):
    """Rebuild an ``LdaModel`` for inference from stored ``lambda`` and ``alpha`` (no training).

    The model's variational topic-word parameters are set to ``lambda``, so ``inference`` on new
    passages gives what the stored model would have given.
    """
    from zhengfa_trends.sparse_lda import BatchedLdaModel

    model = BatchedLdaModel(
        id2word=dictionary, num_topics=lam.shape[0], alpha=alpha, random_state=seed, dtype=np.float64
    )
    model.state.sstats = lam - model.eta
    model.sync_state()
    return model


def perplexity_per_pass(heldout_corpus):
    """A gensim training callback metric: held-out perplexity after every pass.

    Pass it in ``LdaModel(callbacks=[...])``; after training, ``model.metrics["heldout_perplexity"]``
    lists one value per pass.  Scoring infers topic shares, which draws from the model's random
    state; the state is restored afterwards, so the trained model is exactly the one trained
    without the callback (tested).
    """
    from .gensim_imports import Metric

    class HeldoutPerplexity(Metric):
        def __init__(self):
            self.logger = None
            self.title = "heldout_perplexity"

        def get_value(self, **kwargs):
            model = kwargs["model"]
            state = model.random_state.get_state()
            try:
                return heldout_perplexity(model, heldout_corpus)
            finally:
                model.random_state.set_state(state)

    return HeldoutPerplexity()


def stability_table(labels: Mapping[int, str], k: int, stability) -> pd.DataFrame:
    """topic_stability.tsv: each topic's label and its stability across seeds (NaN if not assessed).

    ``labels`` maps topic -> label: :func:`relevance_labels`, with the hand labels of
    :func:`with_hand_labels` for the chosen model (the labels every table and figure shows).
    """
    return pd.DataFrame(
        {"k": k, "topic": range(k), "label": [labels[t] for t in range(k)], "stability": stability}
    ).round(6)


@dataclass(frozen=True)
class LdaData:
    """What every fit of one corpus shares, whatever its K and seed: vocabulary, counts and splits."""

    dictionary: object  # gensim Dictionary of the filtered vocabulary
    corpus: object  # BowCorpus of every passage (for the topic shares of the reported model)
    train: object  # the training passages
    heldout: object  # the held-out passages (perplexity)
    texts: list  # token lists of the coherence sample
    coherence_corpus: object  # the coherence sample as bag-of-words
    # the grid's first training sample when there are more training passages than
    # lda.selection_passages (selection_plan); None: every fit learns from all of train
    selection: object = None


def selection_plan(n_passages: int, settings: LdaSettings) -> tuple[int, int] | None:
    """``(sample, training passages)`` when the fits of a corpus of ``n_passages`` passages first
    learn from a sample (more training passages than ``lda.selection_passages``), else None.

    The training passages are those left after the held-out split (and ``lda.max_train_passages``).
    """
    n_train = n_passages - heldout_count(n_passages, settings.heldout_share, settings.max_heldout_passages)
    if settings.max_train_passages is not None:
        n_train = min(n_train, settings.max_train_passages)
    limit = settings.selection_passages
    if limit is None or n_train <= limit:
        return None
    return limit, n_train


def selection_index(n_passages: int, settings: LdaSettings) -> np.ndarray | None:
    """Positions, among the training passages, of the grid's first sample (sorted; seeded by
    ``split_seed``), or None when every fit learns from all of them (:func:`selection_plan`)."""
    plan = selection_plan(n_passages, settings)
    if plan is None:
        return None
    sample, n_train = plan
    rng = np.random.default_rng([settings.split_seed, 1])
    return np.sort(rng.choice(n_train, size=sample, replace=False))


def selection_text(n_passages: int, settings: LdaSettings) -> str:
    """chosen_k.txt's ``selection`` line: how the grid's models learned (empty when from every passage)."""
    plan = selection_plan(n_passages, settings)
    if plan is None:
        return ""
    sample, n_train = plan
    return (
        f"selection\tevery fit of the K x seed grid learned from a seeded sample of {sample} of the "
        f"{n_train} training passages ({settings.passes} passes); the scores and the seed stability "
        f"are those of these fits; then each K's reported model (the first seed's) learned from all "
        f"{n_train} ({settings.full_passes} more passes, gensim's online update)\n"
    )


def lda_data(tokens: pd.DataFrame, settings: LdaSettings) -> LdaData:
    """Vocabulary, bag-of-words corpus, training / held-out split and coherence sample of ``tokens``.

    A seeded ``heldout_share`` is held out for perplexity (at most ``max_heldout_passages``); at most
    ``max_train_passages`` train; coherence is scored on up to ``coherence_passages`` passages. All
    seeded by ``split_seed`` alone, so every (K, seed) fit of a corpus sees the same split.

    Parameters
    ----------
    tokens : DataFrame
        tokens.tsv: ``doc_id, passage_no, year, n_tokens, tokens`` (space-joined); the ``tokens``
        column is consumed.
    """
    data, _ = _lda_data(lambda: iter([tokens]), len(tokens), settings)
    return data


def lda_data_from_file(tokens_path, settings: LdaSettings, chunk_rows: int = 50_000):
    """:func:`lda_data` of tokens.tsv read ``chunk_rows`` passages at a time: ``(passages, data)``.

    ``passages`` is tokens.tsv without its ``tokens`` column.  The token strings of a large corpus
    (its biggest column) are never held whole: each chunk's are split into the bag-of-words counts
    and dropped, keeping only the coherence sample's token lists.  The same data as
    :func:`lda_data` of the whole table.
    """
    bow = _bag_of_words_of_file(tokens_path, settings, chunk_rows)
    return bow.passages, _lda_splits(bow, settings)


def _bag_of_words_of_file(tokens_path, settings: LdaSettings, chunk_rows: int) -> BagOfWords:
    """The :class:`BagOfWords` of tokens.tsv read ``chunk_rows`` passages at a time."""
    from .io import read_token_chunks

    return _bag_of_words(
        lambda: read_token_chunks(tokens_path, chunk_rows), _count_rows(tokens_path), settings
    )


def _count_rows(path) -> int:
    """Rows of a TSV written by :func:`zhengfa_trends.io.write_tsv`, counted as its lines after the
    header (a quoted field holding a line break would miscount: :func:`_lda_data` checks)."""
    lines = 0
    with open(path, "rb") as handle:
        while block := handle.read(1 << 24):
            lines += block.count(b"\n")
    return max(lines - 1, 0)


def _coherence_sample(n_passages: int, settings: LdaSettings) -> np.ndarray:
    """Mask of the passages coherence is scored on (at most ``coherence_passages``, seeded)."""
    n_coherence = settings.coherence_passages
    if n_coherence >= n_passages:
        return np.ones(n_passages, dtype=bool)
    return heldout_mask(n_passages, n_coherence / n_passages, 1)


def _lda_data(open_chunks, n_expected: int, settings: LdaSettings) -> tuple[LdaData, pd.DataFrame]:
    """:func:`lda_data` of the tables ``open_chunks()`` yields (tokens.tsv in consecutive parts,
    whose ``tokens`` columns are consumed) and those tables without the column, concatenated.

    ``n_expected`` is the number of passages, for the coherence sample to be picked as the token
    strings go by; if the parts hold another number, they are read once more for the sample.
    """
    bow = _bag_of_words(open_chunks, n_expected, settings)
    return _lda_splits(bow, settings), bow.passages


@dataclass
class BagOfWords:
    """What every fit of one corpus builds from its tokens alone: vocabulary, counts, the passages'
    ids (tokens.tsv without its ``tokens`` column) and the coherence sample's token lists.

    Rule ``build_lda_corpus`` writes it once (:func:`write_bag_of_words`) for every K and seed to read
    (:func:`read_bag_of_words`) instead of each fit splitting every token string again.
    """

    dictionary: object  # gensim Dictionary of the filtered vocabulary
    corpus: object  # BowCorpus of every passage
    texts: list  # token lists of the coherence sample (_coherence_sample)
    passages: pd.DataFrame


def _bag_of_words(open_chunks, n_expected: int, settings: LdaSettings) -> BagOfWords:
    """The :class:`BagOfWords` of the tables ``open_chunks()`` yields (as :func:`_lda_data`)."""
    # Token strings are split one passage at a time (as Python strings, all of a large corpus's
    # tokens would take gigabytes); only the coherence sample is kept as token lists.
    sample = _coherence_sample(n_expected, settings)
    texts: list[list[str]] = []
    parts: list[pd.DataFrame] = []

    def token_lists():
        row = 0
        for chunk in open_chunks():
            strings = chunk.pop("tokens")
            parts.append(chunk)
            for text in strings:
                tokens = text.split()
                if row < n_expected and sample[row]:
                    texts.append(tokens)
                row += 1
                yield tokens

    dictionary, corpus = build_bow(token_lists(), settings)
    if not parts:  # a file of no rows may give no chunk at all
        parts = [pd.DataFrame(columns=["doc_id", "passage_no", "year", "n_tokens"])]
    passages = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    parts.clear()  # the concatenation holds them now
    if len(corpus) != n_expected:  # not what the count of lines said: the sample of the real number
        sample = _coherence_sample(len(corpus), settings)
        wanted = set(np.flatnonzero(sample).tolist())
        texts = []
        row = 0
        for chunk in open_chunks():
            for text in chunk["tokens"]:
                if row in wanted:
                    texts.append(text.split())
                row += 1
    return BagOfWords(dictionary, corpus, texts, passages)


def _lda_splits(bow: BagOfWords, settings: LdaSettings) -> LdaData:
    """The training / held-out split, selection sample and coherence corpus of ``bow``."""
    corpus = bow.corpus
    sample = _coherence_sample(len(corpus), settings)
    heldout = heldout_mask(
        len(corpus), settings.heldout_share, settings.split_seed, settings.max_heldout_passages
    )
    train_index = np.flatnonzero(~heldout)
    max_train = settings.max_train_passages
    if max_train is not None and len(train_index) > max_train:
        # An explicit choice for exploratory runs: a seeded sample trains the model; inference
        # still gives every passage its topic shares.
        log.warning(
            "lda.max_train_passages=%d: LDA trains on a seeded sample of %d of %d training passages "
            "(set it to null to train on all)",
            max_train,
            max_train,
            len(train_index),
        )
        rng = np.random.default_rng(settings.split_seed)
        train_index = np.sort(rng.choice(train_index, size=max_train, replace=False))
    selection = None
    picked = selection_index(len(corpus), settings)
    if picked is not None:
        # The grid's models learn from this sample; each K's reported model then from every
        # training passage (fit_seed): model selection costs a sample's passes, the reported
        # model has seen all.
        selection = corpus[train_index[picked]]
        log.info(
            "LDA learns from a seeded sample of %d of %d training passages for %d passes; the "
            "reported model then from all of them for %d more (lda.selection_passages, lda.full_passes)",
            settings.selection_passages,
            len(train_index),
            settings.passes,
            settings.full_passes,
        )
    return LdaData(
        dictionary=bow.dictionary,
        corpus=corpus,
        train=corpus[train_index],
        heldout=corpus[np.flatnonzero(heldout)],
        texts=bow.texts,
        coherence_corpus=corpus[np.flatnonzero(sample)],
        selection=selection,
    )


# The files of rule build_lda_corpus (write_bag_of_words), by their output names.
BAG_OF_WORDS_FILES = ("passages", "indptr", "indices", "counts", "dictionary", "coherence_texts")


def write_bag_of_words(
    tokens_path, settings: LdaSettings, outputs: Mapping, chunk_rows: int = 50_000
) -> BagOfWords:
    """Rule ``build_lda_corpus``: the :class:`BagOfWords` of tokens.tsv, into the files ``outputs`` names
    (:data:`BAG_OF_WORDS_FILES`): ``passages`` (TSV), the count matrix's CSR arrays ``indptr``,
    ``indices`` and ``counts`` (``.npy``, which unlike ``.npz`` carries no time stamp),
    ``dictionary`` (JSON: the terms in id order, their passage frequencies and gensim's corpus
    counts) and ``coherence_texts`` (one sampled passage's tokens per line).

    Only the vocabulary settings (``no_below, no_above, keep_n``) and ``coherence_passages`` shape
    these files; every K and seed then reads them (:func:`read_bag_of_words`).
    """
    from .io import write_json, write_lines, write_npy, write_tsv

    bow = _bag_of_words_of_file(tokens_path, settings, chunk_rows)
    matrix = bow.corpus.matrix
    write_tsv(bow.passages, outputs["passages"])
    write_npy(matrix.indptr, outputs["indptr"], keep_dtype=True)
    write_npy(matrix.indices, outputs["indices"], keep_dtype=True)
    write_npy(matrix.data, outputs["counts"], keep_dtype=True)
    dictionary = bow.dictionary
    terms = [dictionary[i] for i in range(len(dictionary))]
    state = {
        "terms": terms,
        "dfs": [int(dictionary.dfs[i]) for i in range(len(terms))],
        "num_docs": int(dictionary.num_docs),
        "num_pos": int(dictionary.num_pos),
        "num_nnz": int(dictionary.num_nnz),
    }
    write_json(state, outputs["dictionary"])
    write_lines((" ".join(tokens) for tokens in bow.texts), outputs["coherence_texts"])
    return bow


def read_bag_of_words(inputs: Mapping) -> BagOfWords:
    """The :class:`BagOfWords` :func:`write_bag_of_words` wrote into the files ``inputs`` names."""
    import json

    from scipy import sparse

    from zhengfa_trends.sparse_lda import BowCorpus, filtered_dictionary

    from .io import read_npy, read_tsv

    state = json.loads(Path(inputs["dictionary"]).read_text(encoding="utf-8"))
    indptr = read_npy(inputs["indptr"])
    matrix = sparse.csr_matrix(
        (read_npy(inputs["counts"]), read_npy(inputs["indices"]), indptr),
        shape=(len(indptr) - 1, len(state["terms"])),
    )
    dictionary = filtered_dictionary(
        state["terms"], state["dfs"], matrix, state["num_docs"], state["num_pos"], state["num_nnz"]
    )
    with open(inputs["coherence_texts"], encoding="utf-8") as handle:
        texts = [line.rstrip("\n").split() for line in handle]
    passages = read_tsv(inputs["passages"], dtype={"doc_id": str})
    if len(passages) != matrix.shape[0]:
        raise ValueError(
            f"{inputs['passages']} and the count matrix list different passages (re-run the workflow)"
        )
    return BagOfWords(dictionary, BowCorpus(matrix), texts, passages)


def lda_data_from_bag_of_words(inputs: Mapping, settings: LdaSettings) -> tuple[pd.DataFrame, LdaData]:
    """``(passages, data)`` as :func:`lda_data_from_file` gives them, from rule ``build_lda_corpus``'s files."""
    bow = read_bag_of_words(inputs)
    return bow.passages, _lda_splits(bow, settings)


def fit_seed(
    data: LdaData,
    k: int,
    seed: int,
    settings: LdaSettings,
    watch_convergence: bool = False,
    start=None,
    reported: bool = True,
):
    """One model with ``k`` topics and ``seed``: ``(model, scores, grid_topic_word)``.

    ``scores`` is the seed's scores.tsv row: ``k, seed``, the coherence measures and the held-out
    perplexity, rounded to 6 decimals; ``stability`` is NaN here (it needs the other seeds:
    :func:`gather_seeds`).  ``grid_topic_word`` are the topic-word distributions the seeds'
    stability compares.  ``watch_convergence`` scores the held-out passages after every pass
    (:func:`convergence_table`); only the reported model's curve is written, so the other seeds'
    fits skip that work.  ``start`` (a stored model) continues that model instead of fitting anew
    (:func:`continue_lda`).

    With more training passages than ``lda.selection_passages`` (``data.selection``), the K x seed
    grid is compared on models that learned from the grid's sample: the scores and
    ``grid_topic_word`` are those of the sample's model, for every seed alike.  Only the ``reported``
    seed's model then learns from every training passage (``lda.full_passes``,
    :func:`train_on_all`): it is the one behind the published tables, and the other seeds serve
    the comparison alone, so their passes over every passage would be work nobody reads.
    """
    log.info(
        "LDA k=%d: %d training / %d held-out passages, vocabulary %d",
        k,
        len(data.train),
        len(data.heldout),
        len(data.dictionary),
    )
    # Held-out perplexity after every pass (convergence.tsv): the model is the same with or without it.
    watch = [perplexity_per_pass(data.heldout)] if watch_convergence and len(data.heldout) else None
    if start is not None:
        model = continue_lda(data.train, data.dictionary, start, k, seed, settings, callbacks=watch)
    else:
        model = fit_lda(
            data.train if data.selection is None else data.selection,
            data.dictionary,
            k,
            seed,
            settings,
            callbacks=watch,
        )
    log.info("k=%d seed %d: model fitted", k, seed)
    scores = coherence_scores(model, data.texts, data.dictionary, data.coherence_corpus)
    row = {"k": k, "seed": seed, **scores, "perplexity": heldout_perplexity(model, data.heldout)}
    log.info("k=%d seed %d: coherence %s, held-out perplexity %.1f", k, seed, scores, row["perplexity"])
    grid_topic_word = model.get_topics()
    if start is None and data.selection is not None and reported:
        model = train_on_all(model, data.train, settings.full_passes)
        log.info(
            "k=%d seed %d: after %d more passes over all %d training passages, held-out perplexity %.1f",
            k,
            seed,
            settings.full_passes,
            len(data.train),
            heldout_perplexity(model, data.heldout),
        )
    return model, pd.DataFrame([{**row, "stability": float("nan")}]).round(6), grid_topic_word


def reported_run(
    tokens: pd.DataFrame,
    data: LdaData,
    model,
    scores: pd.DataFrame,
    settings,
    with_passage_topics: bool = True,
) -> LdaRun:
    """The :class:`LdaRun` of the reported model (the first seed's), before the other seeds are known.

    ``tokens`` gives the passage ids of the topic-share table; stability is NaN until
    :func:`gather_seeds` compares the seeds.  Without ``with_passage_topics`` the run's
    ``passage_topics`` is None: the caller writes them in parts (:func:`passage_topic_parts`, right
    after this call, so that the inference draws the same random numbers).
    """
    k = model.num_topics
    terms = topic_terms(model, settings.n_terms)
    lam, alpha = model_parameters(model)
    return LdaRun(
        terms=terms,
        passage_topics=(
            passage_topic_table(tokens, passage_topics(model, data.corpus)) if with_passage_topics else None
        ),
        scores=scores,
        stability=stability_table(relevance_labels(lam, vocabulary_of(data)), k, float("nan")),
        topic_word_lambda=lam,
        alpha=alpha,
        vocabulary=[data.dictionary[i] for i in range(len(data.dictionary))],
    )


def vocabulary_of(data) -> list[str]:
    """The words of an :class:`LdaData`'s dictionary, by id."""
    return [data.dictionary[i] for i in range(len(data.dictionary))]


def gather_seeds(
    scores: Sequence[pd.DataFrame], topic_word: Sequence[np.ndarray], labels: Mapping[int, str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One K's scores.tsv and topic_stability.tsv from its seeds' fits (the first seed's is reported).

    Parameters
    ----------
    scores : sequence of DataFrame
        Each seed's scores row (:func:`fit_seed`), in the order of ``lda.seeds``.
    topic_word : sequence of ndarray
        Each seed's topic-word distributions, same order.
    labels : mapping
        The reported model's topic labels (topic -> label, :func:`relevance_labels`).

    Returns
    -------
    (scores, stability)
        Every seed's row with the mean stability of the reported model's topics (NaN with one seed),
        and the per-topic stability table.
    """
    stability = seed_stability(list(topic_word))
    table = pd.concat(list(scores), ignore_index=True)
    table["stability"] = float(np.mean(stability)) if len(scores) > 1 else float("nan")
    k = int(table["k"].iloc[0])
    return table.round(6), stability_table(labels, k, stability)


def fit_k(tokens: pd.DataFrame, k: int, seeds: Sequence[int], settings: LdaSettings) -> LdaRun:
    """LDA with ``k`` topics for every seed in one process; the first seed's model is the one reported.

    The workflow runs the same pieces as one job per (K, seed): :func:`lda_data`, :func:`fit_seed`,
    :func:`reported_run`, and :func:`gather_seeds` in model selection.
    """
    passages = tokens.drop(columns="tokens")
    data = lda_data(tokens, settings)
    fits = [
        fit_seed(data, k, seed, settings, watch_convergence=i == 0, reported=i == 0)
        for i, seed in enumerate(seeds)
    ]
    run = reported_run(passages, data, fits[0][0], fits[0][1], settings)
    labels = dict(zip(run.stability["topic"].astype(int), run.stability["label"].astype(str), strict=True))
    scores, stability = gather_seeds([row for _, row, _ in fits], [grid for _, _, grid in fits], labels)
    return replace(run, scores=scores, stability=stability)


def unscored(k: int, seed: int) -> pd.DataFrame:
    """scores.tsv of a model that was not evaluated (freeze mode): every score NaN."""
    nan = float("nan")
    return pd.DataFrame(
        [
            {
                "k": k,
                "seed": seed,
                "c_v": nan,
                "c_npmi": nan,
                "u_mass": nan,
                "perplexity": nan,
                "stability": nan,
            }
        ]
    )


# A reported model whose held-out perplexity still falls faster than this per pass (mean of the
# last STILL_FALLING_PASSES passes) has not converged: on the benchmark corpora a model within
# 0.5 % of 3 × its passes falls by at most 0.15 % per pass (benchmarks/CONVERGENCE.md).
STILL_FALLING_PER_PASS = 0.002
STILL_FALLING_PASSES = 3


def still_falling(perplexities: Sequence[float]) -> float | None:
    """Mean relative fall of the held-out perplexity over the last passes, if it says "not converged".

    ``perplexities`` are a fit's values after every pass (convergence.tsv).  Returns the mean fall
    per pass of the last :data:`STILL_FALLING_PASSES` passes when it exceeds
    :data:`STILL_FALLING_PER_PASS`, else None (also for fewer passes than that).
    """
    values = np.asarray(perplexities, dtype=float)
    if len(values) <= STILL_FALLING_PASSES:
        return None
    tail = values[-STILL_FALLING_PASSES - 1 :]
    fall = float(np.mean(tail[:-1] / tail[1:] - 1.0))
    return fall if fall > STILL_FALLING_PER_PASS else None


def convergence_table(model, k: int, seed: int) -> pd.DataFrame:
    """``k, seed, pass, perplexity``: held-out perplexity after every training pass of ``model``.

    Empty (header only) for a model trained without held-out passages or not trained here (freeze mode).
    """
    values = getattr(model, "metrics", {}).get("heldout_perplexity", []) if model is not None else []
    return pd.DataFrame(
        {
            "k": [k] * len(values),
            "seed": [seed] * len(values),
            "pass": list(range(1, len(values) + 1)),
            "perplexity": [round(float(v), 6) for v in values],
        },
        columns=["k", "seed", "pass", "perplexity"],
    )
