"""A quality guard beside every speed figure: is the fast model as good as gensim's, does it find the trend?

For a finished benchmark project (a copy of the workflow run on a synthetic corpus with a planted
trend) this checks, with the project's own outputs:

1. **Held-out perplexity** of the chosen model (restored from ``results/lda/k{K}/lambda.npy``) against
   a plain gensim ``LdaModel`` trained on the same training passages with the same settings (K, seed,
   passes, iterations, α, chunk size); the issue's bound is 1 %.
2. **The planted trend**: Spearman's ρ between the generator's planted yearly share (``truth.tsv``)
   and the yearly share of the topic that follows it best, and of the 数字政法 keyword theme; the
   issue's bound is 0.9.
3. **LDA throughput** on the same training passages: tokens × passes per second for the workflow's
   batched model and for gensim ``LdaModel``, and tokens × Gibbs sweeps per second for tomotopy's
   ``LDAModel`` (a reference only, not a dependency: ``pip install -e ".[bench]"``; without it the
   result says "not installed"), with its held-out perplexity by the same formula.
4. **Convergence of the passes**: the run's fit continued to 3 × its passes, with the held-out
   perplexity after every pass (gensim's learning rate depends on the pass number, not on the total
   number of passes, so the first P passes of the longer fit are the run's P-pass fit); the issue's
   criterion: after P passes within 0.5 % of after 3 × P.  Where the run's model learned from a
   sample first (``lda.selection_passages``), each stage is checked: the sample's passes, and the
   passes over every passage that follow them.

Usage::

    python benchmarks/quality.py PROJECT CORPUS [--json out.json]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
from convergence import FACTOR as CONVERGENCE_FACTOR
from convergence import TOLERANCE as CONVERGENCE_TOLERANCE
from convergence import converged_passes

PERPLEXITY_BOUND = 0.01
SPEARMAN_BOUND = 0.9
# Gibbs sweeps of the tomotopy reference (training, and inference of the held-out passages).
TOMOTOPY_SWEEPS = 200


def _config(project: Path) -> dict:
    """The resolved config the project ran with (provenance.json holds it)."""
    provenance = json.loads((project / "results" / "provenance.json").read_text(encoding="utf-8"))
    return provenance["config"]


def _spearman(a, b) -> float:
    from scipy.stats import spearmanr

    return float(spearmanr(a, b).statistic)


class PlainCorpus:
    """The training passages as plain lists of ``(id, count)`` pairs, made afresh on every pass.

    gensim's own model gets what a user would give it; building the lists once per pass instead of
    keeping them keeps the guard's memory small at 20,000 documents and more.
    """

    def __init__(self, corpus):
        self.corpus = corpus

    def __len__(self) -> int:
        return len(self.corpus)

    def __iter__(self):
        for doc in self.corpus:
            yield [(int(i), float(c)) for i, c in doc]


def plugin_perplexity(theta: np.ndarray, phi: np.ndarray, counts) -> float:
    """``exp(-Σ log Σ_t θ_dt φ_tw / N)`` over the words of ``counts`` (passages × terms, CSR).

    The formula of :func:`zhengfa_trends.topics.heldout_perplexity`, for topic shares ``theta``
    and topic-word distributions ``phi`` from any engine.
    """
    rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
    word_probability = np.einsum("ij,ji->i", theta[rows], phi[:, counts.indices])
    return float(np.exp(-float(counts.data @ np.log(word_probability)) / counts.data.sum()))


def tomotopy_reference(
    train_texts, heldout, vocabulary: list[str], k: int, seed: int, alpha, eta: float, sweeps: int
) -> dict:
    """Train tomotopy's ``LDAModel`` (collapsed Gibbs sampling) on the same passages: speed and perplexity.

    A reference engine, not a dependency: without tomotopy the result says ``"not installed"``.

    Parameters
    ----------
    train_texts : iterable of sequences of str
        The training passages' tokens; tokens outside ``vocabulary`` are dropped (as the
        workflow's dictionary drops them).
    heldout : sequence of bag-of-words documents
        The held-out passages (``(id, count)`` pairs over ``vocabulary``).
    vocabulary : list of str
        The workflow's vocabulary, by id.
    k, seed : int
        Topics and the sampler's seed (one worker thread, so the run is repeatable).
    alpha : array-like of float, eta : float
        The same Dirichlet priors as the gensim models (held fixed: ``optim_interval = 0``).
    sweeps : int
        Gibbs sweeps; each draws a new topic for every training token once.

    Returns
    -------
    dict
        ``tomotopy`` (the version, or ``"not installed"``), ``tomotopy_sweeps``,
        ``tomotopy_tokens`` (training tokens in the model), ``seconds_tomotopy``,
        ``cpu_seconds_tomotopy``, ``tokens_per_s_tomotopy`` (tokens × sweeps / wall s) and
        ``perplexity_tomotopy``: the held-out perplexity by :func:`plugin_perplexity`, with the
        held-out passages' topic shares from tomotopy's own inference (``sweeps`` sweeps, one
        worker) and ``φ = (n_tw + η) / (n_t + V η)`` over the whole vocabulary (a word no
        training passage holds gets ``η / (n_t + V η)``, as in gensim's smoothed topics);
        ``perplexity_tomotopy_halfway``: the same after half the sweeps.
    """
    try:
        import tomotopy
    except ImportError:
        return {"tomotopy": "not installed"}
    from zhengfa_trends.sparse_lda import bow_matrix

    known = set(vocabulary)
    alpha = [float(a) for a in np.broadcast_to(np.asarray(alpha, dtype=np.float64), (k,))]
    model = tomotopy.LDAModel(k=k, alpha=alpha, eta=float(eta), seed=seed)
    model.optim_interval = 0  # keep gensim's priors: no hyperparameter optimisation
    for tokens in train_texts:
        kept = [t for t in tokens if t in known]
        if kept:
            model.add_doc(kept)
    if len(model.docs) == 0:
        raise ValueError("tomotopy reference: no training passage has a word of the vocabulary")
    heldout = [doc for doc in heldout if len(doc)]
    counts = bow_matrix(heldout, len(vocabulary))
    column = {word: i for i, word in enumerate(vocabulary)}

    def perplexity() -> float:
        # tomotopy's vocabulary is known once training has begun: the words of the training passages.
        used = np.array([column[word] for word in model.used_vocabs], dtype=np.int64)
        in_model = set(model.used_vocabs)
        # The held-out passages as tomotopy documents (words no training passage holds are left
        # out of the inference; their probability is the smoothing term of phi).
        held_docs, rows = [], []
        for row, doc in enumerate(heldout):
            words = [vocabulary[i] for i, c in doc if vocabulary[i] in in_model for _ in range(int(c))]
            if words:
                held_docs.append(words)
                rows.append(row)
        n_t = np.asarray(model.get_count_by_topics(), dtype=np.float64)
        phi = np.full((k, len(vocabulary)), float(eta))
        for t in range(k):
            phi[t, used] = np.asarray(model.get_topic_word_dist(t, normalize=False), dtype=np.float64)
        phi /= (n_t + len(vocabulary) * float(eta))[:, None]
        # a passage none of whose words the model knows keeps the prior's topic shares
        theta = np.tile(np.asarray(alpha) / sum(alpha), (len(heldout), 1))
        if held_docs:
            inferred, _ = model.infer([model.make_doc(w) for w in held_docs], iterations=sweeps, workers=1)
            theta[rows] = np.asarray(inferred, dtype=np.float64)
        return plugin_perplexity(theta, phi, counts)

    # Trained in two halves, scored after each (the scoring is not timed): the report shows how
    # far the perplexity still moved over the second half of the sweeps.
    half = sweeps // 2
    seconds = cpu_seconds = 0.0
    halfway = float("nan")
    for first_half, chunk in ((True, half), (False, sweeps - half)):
        if chunk:
            start, cpu = time.perf_counter(), time.process_time()
            model.train(chunk, workers=1)
            seconds += time.perf_counter() - start
            cpu_seconds += time.process_time() - cpu
        if first_half and half:
            halfway = perplexity()
    return {
        "tomotopy": tomotopy.__version__,
        "tomotopy_sweeps": sweeps,
        "tomotopy_tokens": int(model.num_words),
        "seconds_tomotopy": seconds,
        "cpu_seconds_tomotopy": cpu_seconds,
        "tokens_per_s_tomotopy": model.num_words * sweeps / seconds,
        "perplexity_tomotopy": perplexity(),
        "perplexity_tomotopy_halfway": halfway,
    }


def convergence_stage(stage: str, passes: int, values: list[float], run_curve: list[float]) -> dict:
    """One training stage's curve (held-out perplexity after passes 1 … 3 × ``passes``) and its verdict."""
    at_p, at_3p = values[passes - 1], values[CONVERGENCE_FACTOR * passes - 1]
    gap = converged_passes(values)[passes]  # benchmarks/convergence.py's criterion
    return {
        "stage": stage,
        "passes": passes,
        "values": [float(v) for v in values],
        "at_passes": float(at_p),
        "at_3_passes": float(at_3p),
        "gap": float(gap),
        "ok": bool(abs(gap) <= CONVERGENCE_TOLERANCE),
        # the run's own convergence.tsv for these passes: the longer fit's first passes must equal it
        "run_curve": [float(v) for v in run_curve],
        "run_curve_max_difference": float(np.max(np.abs(np.subtract(values[: len(run_curve)], run_curve))))
        if run_curve
        else None,
    }


def convergence_check(train, test, sample, dictionary, k: int, seed: int, settings, run_curve) -> list[dict]:
    """The run's fit continued to ``CONVERGENCE_FACTOR`` × its passes, per training stage.

    ``sample`` is the seeded sample the run's model learned from first (``None``: it learned from
    every training passage at once); ``run_curve`` the run's convergence.tsv values in pass order.
    """
    from zhengfa_trends import topics

    longer = dataclasses.replace(settings, passes=CONVERGENCE_FACTOR * settings.passes)
    first = train if sample is None else sample
    model = topics.fit_lda(first, dictionary, k, seed, longer, callbacks=[topics.perplexity_per_pass(test)])
    stages = [
        convergence_stage(
            "every training passage" if sample is None else f"the sample of {len(sample):,} passages",
            settings.passes,
            list(model.metrics["heldout_perplexity"]),
            run_curve[: settings.passes],
        )
    ]
    if sample is not None:
        # the run's sample fit again (P passes), then 3 × the passes over every passage that follow it
        model = topics.fit_lda(
            sample, dictionary, k, seed, settings, callbacks=[topics.perplexity_per_pass(test)]
        )
        model = topics.train_on_all(model, train, CONVERGENCE_FACTOR * settings.full_passes)
        stages.append(
            convergence_stage(
                f"every training passage, after the sample's {settings.passes} passes",
                settings.full_passes,
                list(model.metrics["heldout_perplexity"])[settings.passes :],
                run_curve[settings.passes :],
            )
        )
    return stages


def perplexity_ok(ratio: float) -> bool:
    """The guard against speed bought with a worse model: the workflow's held-out perplexity at most
    ``PERPLEXITY_BOUND`` above gensim's (a lower one, a better fit of the held-out text, passes)."""
    return ratio - 1 <= PERPLEXITY_BOUND


def quality_guard(project: Path, corpus: Path, tomotopy_sweeps: int = TOMOTOPY_SWEEPS) -> dict:
    """Perplexity, planted-trend and throughput checks of one finished project (see module docstring).

    Works on a comparison run's project (K = 10, one seed, 5 passes) and on a scale run's (the
    default config: the chosen K, the first seed, its passes and iterations) alike: the settings
    are read from the project's ``provenance.json`` and ``chosen_k.txt``.  The fits are timed with
    ``BLAS_THREADS_PER_JOB`` BLAS threads, as the workflow's jobs run.
    """
    from gensim.models import LdaModel
    from threadpoolctl import threadpool_limits

    from zhengfa_trends import topics
    from zhengfa_trends.io import read_tsv
    from zhengfa_trends.log import BLAS_THREADS_PER_JOB

    config = _config(project)
    lda = config["lda"]
    results = project / "results"
    k = topics.read_chosen_k(results / "lda" / "chosen_k.txt")
    seed = lda["seeds"][0]
    # Token strings are split one passage at a time, each time they are needed (as lists, all of a
    # 20,000-document corpus's tokens would take gigabytes).
    token_strings = read_tsv(results / "tokens" / "tokens.tsv", dtype={"doc_id": str, "tokens": str})[
        "tokens"
    ].fillna("")
    settings = topics.LdaSettings.from_config(lda)
    dictionary, bow = topics.build_bow((t.split() for t in token_strings), settings)
    heldout = topics.heldout_mask(
        len(bow), lda["heldout_share"], lda["split_seed"], lda["max_heldout_passages"]
    )
    train_index = np.flatnonzero(~heldout)
    if lda.get("max_train_passages") is not None and len(train_index) > lda["max_train_passages"]:
        raise SystemExit("quality.py compares models trained on every passage; this project capped training")
    train, test = bow[train_index], bow[np.flatnonzero(heldout)]
    train_tokens = int(train.matrix.sum())

    vocabulary = (results / "lda" / f"k{k}" / "vocabulary.txt").read_text(encoding="utf-8").splitlines()
    words = [dictionary[i] for i in range(len(dictionary))]
    assert vocabulary == words, "vocabulary differs from the run's"
    lam = np.load(results / "lda" / f"k{k}" / "lambda.npy")
    alpha = np.load(results / "lda" / f"k{k}" / "alpha.npy")
    workflow_model = topics.model_from_parameters(lam, alpha, dictionary, seed)
    workflow_perplexity = topics.heldout_perplexity(workflow_model, test)

    with threadpool_limits(limits=BLAS_THREADS_PER_JOB, user_api="blas"):
        start, cpu = time.perf_counter(), time.process_time()
        picked = topics.selection_index(len(bow), settings)
        if picked is None:
            batched = topics.fit_lda(train, dictionary, k, seed, settings)
            batched_work = train_tokens * settings.passes
        else:  # as the run's fit: the grid's sample first, then every training passage
            sample = bow[train_index[picked]]
            batched = topics.fit_lda(sample, dictionary, k, seed, settings)
            batched = topics.train_on_all(batched, train, settings.full_passes)
            batched_work = int(sample.matrix.sum()) * settings.passes + train_tokens * settings.full_passes
        batched_seconds, batched_cpu = time.perf_counter() - start, time.process_time() - cpu
        start, cpu = time.perf_counter(), time.process_time()
        reference = LdaModel(
            corpus=PlainCorpus(train), id2word=dictionary, **topics.lda_model_arguments(k, seed, settings)
        )
        gensim_seconds, gensim_cpu = time.perf_counter() - start, time.process_time() - cpu
    # Both models scored by the same code: gensim's trained parameters in the workflow's scorer.
    gensim_perplexity = topics.heldout_perplexity(
        topics.model_from_parameters(reference.state.get_lambda(), reference.alpha, dictionary, seed), test
    )
    refit_equal = bool(np.allclose(batched.get_topics(), lam / lam.sum(axis=1, keepdims=True), atol=1e-9))

    # The planted trend: yearly topic shares of the chosen model against the generator's truth.
    truth = pd.read_csv(corpus / "truth.tsv", sep="\t")
    shares = read_tsv(results / "trends" / "topic_share_by_year.tsv")
    shares = shares[shares["k"] == k]
    per_topic = {}
    for topic, group in shares.groupby("topic"):
        merged = truth.merge(group, on="year")
        per_topic[int(topic)] = _spearman(merged["planted_share"], merged["share"])
    best_topic = max(per_topic, key=lambda t: (per_topic[t], -t))
    theme = read_tsv(results / "trends" / "theme_share_by_year.tsv")
    theme = truth.merge(theme[theme["theme"] == "数字政法"], on="year")
    outcome = {
        "k": k,
        "seed": seed,
        "passes": settings.passes,
        "iterations": settings.iterations,
        "alpha": settings.alpha,
        "blas_threads": BLAS_THREADS_PER_JOB,
        "train_passages": len(train),
        "heldout_passages": len(test),
        "train_tokens": train_tokens,
        "perplexity_workflow": workflow_perplexity,
        "perplexity_gensim": gensim_perplexity,
        "perplexity_ratio": workflow_perplexity / gensim_perplexity,
        "perplexity_ok": perplexity_ok(workflow_perplexity / gensim_perplexity),
        "refit_equals_run": refit_equal,
        "spearman_best_topic": per_topic[best_topic],
        "best_topic": best_topic,
        "spearman_theme_数字政法": _spearman(theme["planted_share"], theme["share"]),
        "trend_ok": per_topic[best_topic] >= SPEARMAN_BOUND,
        # the run's own work: in selection mode the sample's passes, then full_passes over all
        "selection": topics.selection_text(len(bow), settings).partition("\t")[2].strip(),
        "selection_sample": None if picked is None else len(picked),
        "full_passes": None if picked is None else settings.full_passes,
        "work_tokens_batched": batched_work,
        "work_tokens_gensim": train_tokens * settings.passes,
        "tokens_per_s_batched": batched_work / batched_seconds,
        "tokens_per_s_gensim": train_tokens * settings.passes / gensim_seconds,
        "seconds_batched": batched_seconds,
        "seconds_gensim": gensim_seconds,
        "cpu_seconds_batched": batched_cpu,
        "cpu_seconds_gensim": gensim_cpu,
    }
    curve_file = results / "lda" / f"k{k}" / "convergence.tsv"
    run_curve = read_tsv(curve_file).sort_values("pass")["perplexity"] if curve_file.exists() else []
    with threadpool_limits(limits=BLAS_THREADS_PER_JOB, user_api="blas"):  # as the run's fit
        outcome["convergence"] = convergence_check(
            train,
            test,
            None if picked is None else bow[train_index[picked]],
            dictionary,
            k,
            seed,
            settings,
            [float(v) for v in run_curve],
        )
    outcome["convergence_ok"] = all(stage["ok"] for stage in outcome["convergence"])
    # gensim's priors as it used them (alpha: the final one if lda.alpha is auto; eta: symmetric 1/K).
    eta = np.asarray(reference.eta, dtype=np.float64)
    outcome.update(
        tomotopy_reference(
            (token_strings.iloc[i].split() for i in train_index),
            test,
            words,
            k,
            seed,
            reference.alpha,
            float(eta.flat[0]),
            tomotopy_sweeps,
        )
    )
    return outcome


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("corpus", type=Path, help="synthetic corpus folder holding truth.tsv")
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--tomotopy-sweeps", type=int, default=TOMOTOPY_SWEEPS, help="Gibbs sweeps of the tomotopy reference"
    )
    args = parser.parse_args(argv)
    outcome = quality_guard(args.project, args.corpus, args.tomotopy_sweeps)
    text = json.dumps(outcome, indent=1, ensure_ascii=False, default=float)
    if args.json:
        args.json.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
