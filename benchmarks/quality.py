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
   batched model and for gensim ``LdaModel``, and tokens × iterations per second for tomotopy's Gibbs
   sampler (a reference only, not a dependency: measured when it is installed).

Usage::

    python benchmarks/quality.py PROJECT CORPUS [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

PERPLEXITY_BOUND = 0.01
SPEARMAN_BOUND = 0.9


def _config(project: Path) -> dict:
    """The resolved config the project ran with (provenance.json holds it)."""
    provenance = json.loads((project / "results" / "provenance.json").read_text(encoding="utf-8"))
    return provenance["config"]


def _spearman(a, b) -> float:
    from scipy.stats import spearmanr

    return float(spearmanr(a, b).statistic)


def quality_guard(project: Path, corpus: Path, tomotopy_iterations: int | None = None) -> dict:
    """Perplexity, planted-trend and throughput checks of one finished project (see module docstring)."""
    from gensim.models import LdaModel

    from zhengfa_trends import topics
    from zhengfa_trends.io import read_tsv

    config = _config(project)
    lda = config["lda"]
    results = project / "results"
    k = int((results / "lda" / "chosen_k.txt").read_text(encoding="utf-8").split()[0])
    seed = lda["seeds"][0]
    tokens = read_tsv(results / "tokens" / "tokens.tsv", dtype={"doc_id": str, "tokens": str})
    token_lists = [str(t).split() if isinstance(t, str) else [] for t in tokens["tokens"]]
    settings = topics.LdaSettings.from_config(lda)
    dictionary, bow = topics.build_bow(token_lists, settings)
    heldout = topics.heldout_mask(
        len(bow), lda["heldout_share"], lda["split_seed"], lda["max_heldout_passages"]
    )
    train_index = np.flatnonzero(~heldout)
    if lda.get("max_train_passages") is not None and len(train_index) > lda["max_train_passages"]:
        raise SystemExit("quality.py compares models trained on every passage; this project capped training")
    train, test = bow[train_index], bow[np.flatnonzero(heldout)]
    train_tokens = int(sum(sum(c for _, c in doc) for doc in train))

    vocabulary = (results / "lda" / f"k{k}" / "vocabulary.txt").read_text(encoding="utf-8").splitlines()
    assert vocabulary == [dictionary[i] for i in range(len(dictionary))], "vocabulary differs from the run's"
    lam = np.load(results / "lda" / f"k{k}" / "lambda.npy")
    alpha = np.load(results / "lda" / f"k{k}" / "alpha.npy")
    workflow_model = topics.model_from_parameters(lam, alpha, dictionary, seed)
    workflow_perplexity = topics.heldout_perplexity(workflow_model, test)

    start, cpu = time.perf_counter(), time.process_time()
    batched = topics.fit_lda(train, dictionary, k, seed, settings)
    batched_seconds, batched_cpu = time.perf_counter() - start, time.process_time() - cpu
    # gensim's own model gets plain lists of (id, count) pairs, as a user would give it.
    plain_train = [[(int(i), float(c)) for i, c in doc] for doc in train]
    start, cpu = time.perf_counter(), time.process_time()
    reference = LdaModel(
        corpus=plain_train, id2word=dictionary, **topics.lda_model_arguments(k, seed, settings)
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
        "train_passages": len(train),
        "heldout_passages": len(test),
        "train_tokens": train_tokens,
        "perplexity_workflow": workflow_perplexity,
        "perplexity_gensim": gensim_perplexity,
        "perplexity_ratio": workflow_perplexity / gensim_perplexity,
        "perplexity_ok": abs(workflow_perplexity / gensim_perplexity - 1) <= PERPLEXITY_BOUND,
        "refit_equals_run": refit_equal,
        "spearman_best_topic": per_topic[best_topic],
        "best_topic": best_topic,
        "spearman_theme_数字政法": _spearman(theme["planted_share"], theme["share"]),
        "trend_ok": per_topic[best_topic] >= SPEARMAN_BOUND,
        "tokens_per_s_batched": train_tokens * settings.passes / batched_seconds,
        "tokens_per_s_gensim": train_tokens * settings.passes / gensim_seconds,
        "seconds_batched": batched_seconds,
        "seconds_gensim": gensim_seconds,
        "cpu_seconds_batched": batched_cpu,
        "cpu_seconds_gensim": gensim_cpu,
    }
    try:
        import tomotopy
    except ImportError:
        return outcome
    iterations = tomotopy_iterations or 100
    model = tomotopy.LDAModel(k=k, seed=seed)
    for tokens_of_passage in (token_lists[i] for i in train_index):
        kept = [t for t in tokens_of_passage if t in dictionary.token2id]
        if kept:
            model.add_doc(kept)
    start, cpu = time.perf_counter(), time.process_time()
    model.train(iterations, workers=1)
    seconds, tomotopy_cpu = time.perf_counter() - start, time.process_time() - cpu
    outcome.update(
        {
            "tomotopy_version": tomotopy.__version__,
            "tomotopy_iterations": iterations,
            "tokens_per_s_tomotopy": model.num_words * iterations / seconds,
            "seconds_tomotopy": seconds,
            "cpu_seconds_tomotopy": tomotopy_cpu,
        }
    )
    return outcome


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("corpus", type=Path, help="synthetic corpus folder holding truth.tsv")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    outcome = quality_guard(args.project, args.corpus)
    text = json.dumps(outcome, indent=1, ensure_ascii=False, default=float)
    if args.json:
        args.json.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
