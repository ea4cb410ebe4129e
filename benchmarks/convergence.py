"""How many passes and E-step iterations does LDA need? Held-out perplexity after every pass.

Issue 17 asks for the default ``lda.passes`` and ``lda.iterations`` to be chosen where the benchmark
corpora converge: the perplexity after P passes within 0.5 % of the perplexity after 3 × P passes.
This script measures exactly that, with the workflow's own pieces (ingest, segmentation, vocabulary
filter, held-out split, the batched gensim model and its held-out perplexity), so the numbers are
those of a default run.  One long fit per (corpus, K, iterations) gives the whole curve: gensim's
learning rate depends on the pass number, not on the total, so the first P passes of a 3P-pass fit
are the P-pass fit.

Model quality, not speed, is measured: the machine's load does not change the numbers.

Usage (from the project root)::

    python benchmarks/convergence.py --docs 2000 --k 5 --k 10 --k 20 --max-passes 45 \\
        --iterations 50 --iterations 400 --out benchmarks/CONVERGENCE.md
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shlex
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parents[1]
TOLERANCE = 0.005  # the criterion: within 0.5 % of the perplexity at 3 × the passes


def tokens_of_corpus(corpus_dir: Path, metadata: Path | None) -> list[list[str]]:
    """Passages of a corpus folder, cleaned and segmented with the default configuration."""
    from zhengfa_trends.ingest import IngestOptions, ingest_corpus
    from zhengfa_trends.tokenize import segment_texts, segmenter_settings

    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    result = ingest_corpus(
        corpus_dir, metadata, IngestOptions(), workers=config["corpus"]["workers"], cache_dir=None
    )
    segment = config["segment"]
    settings = segmenter_settings(
        [ROOT / p for p in segment["user_dictionaries"]],
        [ROOT / p for p in segment["stopwords"]],
        config["themes"],
        segment,
    )
    texts = result.passages["text"].fillna("").tolist()
    return [
        line.split()
        for line in segment_texts(
            texts, settings, workers=segment["workers"], chunk_chars=segment["chunk_chars"]
        )
    ]


def pass_clock(perplexity_metric):
    """A gensim callback metric: CPU seconds of each training pass, without the scoring callback.

    ``perplexity_metric`` (listed before this one in ``callbacks``) is wrapped so that the time it
    spends scoring the held-out passages is left out: the value is what the pass itself cost.
    """
    from gensim.models.callbacks import Metric

    scoring = {"s": 0.0}
    score = perplexity_metric.get_value

    def timed_score(**kwargs):
        start = time.process_time()
        try:
            return score(**kwargs)
        finally:
            scoring["s"] += time.process_time() - start

    perplexity_metric.get_value = timed_score

    class PassCpu(Metric):
        def __init__(self):
            self.logger = None
            self.title = "pass_cpu"
            self.last = None

        def get_value(self, **kwargs):
            now = time.process_time()
            value = now - self.last - scoring["s"] if self.last is not None else float("nan")
            scoring["s"] = 0.0
            self.last = now
            return value

    return PassCpu()


def curve(
    token_lists, k: int, seed: int, iterations: int, max_passes: int, chunksize: int | None = None
) -> tuple[list[float], list[float]]:
    """Held-out perplexity after each of ``max_passes`` passes (default held-out split), and each
    pass's CPU seconds (the first from the start of training)."""
    from zhengfa_trends import topics

    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    lda = config["lda"]
    settings = dataclasses.replace(
        topics.LdaSettings.from_config(lda), passes=max_passes, iterations=iterations
    )
    dictionary, corpus = topics.build_bow(token_lists, settings)
    heldout = topics.heldout_mask(
        len(corpus), lda["heldout_share"], lda["split_seed"], lda["max_heldout_passages"]
    )
    train = corpus[np.flatnonzero(~heldout)]
    test = corpus[np.flatnonzero(heldout)]
    perplexity = topics.perplexity_per_pass(test)
    clock = pass_clock(perplexity)
    clock.last = time.process_time()
    arguments = topics.lda_model_arguments
    if chunksize:  # an experiment: the workflow's chunk size is fixed in topics.lda_model_arguments
        topics.lda_model_arguments = lambda *a: {**arguments(*a), "chunksize": chunksize}
    try:
        model = topics.fit_lda(train, dictionary, k, seed, settings, callbacks=[perplexity, clock])
    finally:
        topics.lda_model_arguments = arguments
    return (
        [float(v) for v in model.metrics["heldout_perplexity"]],
        [float(v) for v in model.metrics["pass_cpu"]],
    )


def converged_passes(values: list[float], tolerance: float = TOLERANCE) -> dict[int, float]:
    """For every P with 3P measured: perplexity(P) / perplexity(3P) - 1."""
    return {p: values[p - 1] / values[3 * p - 1] - 1 for p in range(1, len(values) // 3 + 1)}


def smallest_converged(values: list[float], tolerance: float = TOLERANCE) -> int | None:
    """Smallest P within ``tolerance`` of 3P, and staying within it for every larger measured P."""
    gaps = converged_passes(values, tolerance)
    candidates = sorted(gaps)
    for p in candidates:
        if all(abs(gaps[q]) <= tolerance for q in candidates if q >= p):
            return p
    return None


def report(rows: pd.DataFrame, corpora: dict, default_passes: int, default_iterations: int) -> str:
    lines = [
        "# LDA convergence: held-out perplexity after every pass",
        "",
        "Written by `benchmarks/convergence.py` (command at the end). Criterion (issue 17): the default",
        "passes P are enough where the held-out perplexity after P passes is within 0.5 % of the",
        "perplexity after 3 × P passes. Every pass's perplexity comes from one long fit per setting",
        "(gensim's learning rate depends on the pass number, not on the total number of passes, so the",
        "first P passes of that fit are the P-pass fit). The held-out split, vocabulary filter, α and",
        "chunk size are the workflow's defaults; the model learns from every training passage.",
        "",
        "| corpus | documents | passages | tokens |",
        "|---|---:|---:|---:|",
    ]
    for name, info in corpora.items():
        lines.append(f"| {name} | {info['documents']:,} | {info['passages']:,} | {info['tokens']:,} |")
    lines += [
        "",
        f"Current defaults: `lda.passes: {default_passes}`, `lda.iterations: {default_iterations}`.",
        "",
        "## Smallest P within 0.5 % of 3 × P",
        "",
        "| corpus | K | iterations | perplexity at 1 | at 5 | at 10 | at 15 | at last pass | smallest P | P=5 vs 15 | P=10 vs 30 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for (name, k, iterations), group in rows.groupby(["corpus", "k", "iterations"], sort=True):
        values = group.sort_values("pass")["perplexity"].tolist()
        gaps = converged_passes(values)

        def at(p, values=values):
            return f"{values[p - 1]:.1f}" if p <= len(values) else "–"

        def gap(p, gaps=gaps):
            return f"{100 * gaps[p]:+.2f} %" if p in gaps else "–"

        best = smallest_converged(values)
        lines.append(
            f"| {name} | {k} | {iterations} | {at(1)} | {at(5)} | {at(10)} | {at(15)} | {values[-1]:.1f} "
            f"({len(values)}) | {best if best else '> ' + str(len(values) // 3)} | {gap(5)} | {gap(10)} |"
        )
    lines += [
        "",
        "`P=a vs b`: perplexity after a passes relative to after b passes (negative: still falling).",
        "",
    ]
    if "cpu_s" in rows and rows["cpu_s"].notna().any():
        lines += cost_table(rows)
    return "\n".join(lines)


def cost_table(rows: pd.DataFrame) -> list[str]:
    """What more E-step iterations cost per pass and buy at the default passes."""
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    passes = config["lda"]["passes"]
    lines = [
        f"## What the E-step iterations cost (one process, one BLAS thread; at {passes} passes)",
        "",
        "CPU seconds per training pass, median over passes 2 to the last (the first also sets the",
        "model up); the held-out scoring after every pass is not counted. CPU time, not wall time:",
        "other processes on the machine inflate it less, but a busy machine still shows in it.",
        "",
        f"| corpus | K | iterations | CPU s per pass | × the fewest iterations | perplexity at {passes} passes | vs the fewest iterations |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for (name, k), group in rows.groupby(["corpus", "k"], sort=True):
        per = {}
        for iterations, fit in group.groupby("iterations", sort=True):
            fit = fit.sort_values("pass")
            per[iterations] = (
                float(fit["cpu_s"].iloc[1:].median()),
                float(fit["perplexity"].iloc[min(passes, len(fit)) - 1]),
            )
        fewest = min(per)
        for iterations, (cpu, perplexity) in per.items():
            lines.append(
                f"| {name} | {k} | {iterations} | {cpu:.3f} | {cpu / per[fewest][0]:.2f} | {perplexity:.1f} | "
                f"{100 * (perplexity / per[fewest][1] - 1):+.2f} % |"
            )
    return [*lines, ""]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, action="append", default=[], help="synthetic corpus sizes")
    parser.add_argument("--default-corpus", action="store_true", help="also the five default articles")
    parser.add_argument("--k", type=int, action="append", default=[])
    parser.add_argument("--iterations", type=int, action="append", default=[])
    parser.add_argument(
        "--tokens",
        action="append",
        default=[],
        metavar="NAME=PATH",
        help="also a corpus segmented by a workflow run: its results/tokens/tokens.tsv (e.g. a real corpus)",
    )
    parser.add_argument("--max-passes", type=int, default=45)
    parser.add_argument(
        "--chunksize",
        type=int,
        default=None,
        help="an experiment: another LDA chunk size than the workflow's",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/zf-convergence"))
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "CONVERGENCE.md")
    args = parser.parse_args(argv)
    ks = args.k or [10]
    iteration_settings = args.iterations or [50]
    corpora: dict[str, dict] = {}
    token_sets = {}
    if args.default_corpus:
        corpus = ROOT / "data" / "corpus"
        token_sets["default (5 articles)"] = (tokens_of_corpus(corpus, corpus / "metadata.tsv"), 5)
    for n in args.docs:
        folder = args.workdir / f"corpus-{n}"
        if not (folder / "metadata.tsv").is_file():
            # The benchmark harness's corpus: about 7 kB per document (45-105 sentences).
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "zhengfa_trends.synthetic",
                    str(folder),
                    "--docs",
                    str(n),
                    "--min-sentences",
                    "45",
                    "--max-sentences",
                    "105",
                ],
                check=True,
                capture_output=True,
            )
        token_sets[f"synthetic {n:,}"] = (tokens_of_corpus(folder / "docs", folder / "metadata.tsv"), n)
    for spec in args.tokens:
        name, _, path = spec.partition("=")
        table = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
        token_sets[name] = ([t.split() for t in table["tokens"]], table["doc_id"].nunique())
    rows = []
    for name, (token_lists, n_docs) in token_sets.items():
        corpora[name] = {
            "documents": n_docs,
            "passages": len(token_lists),
            "tokens": sum(len(t) for t in token_lists),
        }
        for k in ks:
            for iterations in iteration_settings:
                start = time.perf_counter()
                with threadpool_limits(1):  # as every workflow step runs (zhengfa_trends.log)
                    values, seconds = curve(
                        token_lists, k, args.seed, iterations, args.max_passes, args.chunksize
                    )
                print(
                    f"{name} K={k} iterations={iterations}: {time.perf_counter() - start:.0f} s", flush=True
                )
                rows += [
                    {
                        "corpus": name,
                        "k": k,
                        "iterations": iterations,
                        "pass": p,
                        "perplexity": round(v, 4),
                        "cpu_s": round(c, 4),
                    }
                    for p, (v, c) in enumerate(zip(values, seconds, strict=True), 1)
                ]
                write_report(args, argv, rows, corpora)  # after every setting: a long run keeps its part
    print(write_report(args, argv, rows, corpora))
    return 0


def write_report(args, argv, rows: list[dict], corpora: dict) -> str:
    """Write the report, the per-pass table (.tsv) and the corpus sizes (.json); return the report."""
    table = pd.DataFrame(rows)
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    text = report(table, corpora, config["lda"]["passes"], config["lda"]["iterations"])
    command = "python benchmarks/convergence.py " + shlex.join(argv if argv is not None else sys.argv[1:])
    text += f"\nCommand: `{command}`\n"
    args.out.write_text(text, encoding="utf-8")
    table.to_csv(args.out.with_suffix(".tsv"), sep="\t", index=False)
    (args.out.with_suffix(".json")).write_text(json.dumps(corpora, indent=1), encoding="utf-8")
    return text


if __name__ == "__main__":
    raise SystemExit(main())
