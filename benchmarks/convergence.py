"""How many passes and E-step iterations does LDA need? Held-out perplexity after every pass.

Issue 17 asks for the default ``lda.passes`` and ``lda.iterations`` to be chosen where the benchmark
corpora converge: the perplexity after P passes within 0.5 % of the perplexity after 3 × P passes.
This script measures exactly that, with the workflow's own pieces (ingest, segmentation, vocabulary
filter, held-out split, the batched gensim model and its held-out perplexity), so the numbers are
those of a default run.  One long fit per (corpus, K, iterations) gives the whole curve: gensim's
learning rate depends on the pass number, not on the total, so the first P passes of a 3P-pass fit
are the P-pass fit (one fit per seed and learning schedule, too).

``--schedule`` measures gensim's learning schedule as well (decay, offset, update_every, chunksize:
the :class:`~zhengfa_trends.topics.LdaSettings` fields that reach ``LdaModel``), and two experiments
of this script: ``updates_per_pass`` (chunks of about the training passages / this many, at most
the chunk size) and ``shuffle`` (the training passages in a seeded random order, not corpus order).
With several ``--seed`` values the seeds' topics are compared after 10, 30 and the last pass.

Model quality, not speed, is measured: the machine's load does not change the numbers.

Usage (from the project root)::

    python benchmarks/convergence.py --docs 2000 --k 5 --k 10 --k 20 --max-passes 45 \\
        --iterations 50 --iterations 400 --out benchmarks/CONVERGENCE.md
    python benchmarks/convergence.py --docs 100 --schedule default \\
        --schedule 'batch:decay=0,chunksize=1000000' --seed 1 --seed 2 --max-passes 90
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import shlex
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parents[1]
TOLERANCE = 0.005
# Issue 17's criterion: P passes are enough within TOLERANCE of the perplexity after FACTOR × P.
FACTOR = 3
TOPICS_AT = (
    10,
    30,
)  # passes after which the seeds' topics are compared (and after the last)  # the issue's criterion: within 0.5 % of the perplexity at 3 × the passes


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


def parse_schedule(spec: str) -> tuple[str, dict]:
    """``NAME`` or ``NAME:key=value,...`` (keys of gensim's learning schedule in
    :class:`~zhengfa_trends.topics.LdaSettings`: decay, offset, update_every, chunksize) as
    ``(name, overrides)``; ``default`` and no overrides is the workflow's own schedule."""
    name, _, rest = spec.partition(":")
    overrides = {}
    for item in filter(None, rest.split(",")):
        key, _, value = item.partition("=")
        if key not in SCHEDULE_KEYS:
            raise SystemExit(
                f"convergence.py: --schedule {spec}: {key!r} is not one of {sorted(SCHEDULE_KEYS)}"
            )
        overrides[key] = SCHEDULE_KEYS[key](value)
    return name, overrides


# The schedule settings an experiment may vary, and their types.
SCHEDULE_KEYS = {
    "decay": float,
    "offset": float,
    "update_every": int,
    "chunksize": int,
    "updates_per_pass": int,
    "shuffle": int,
}


def curve(
    token_lists,
    k: int,
    seed: int,
    iterations: int,
    max_passes: int,
    schedule: dict | None = None,
    topics_at: Sequence[int] = (),
) -> tuple[list[float], list[float], dict[int, np.ndarray]]:
    """Held-out perplexity after each of ``max_passes`` passes (default held-out split), each
    pass's CPU seconds (the first from the start of training) and the topic-word distributions
    after the passes ``topics_at`` (and after the last).

    ``schedule`` overrides settings of gensim's learning schedule (:data:`SCHEDULE_KEYS`); the
    rest are the workflow's defaults.
    """
    from zhengfa_trends import topics

    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    lda = config["lda"]
    schedule = dict(schedule or {})
    shuffle = schedule.pop("shuffle", 0)
    updates_per_pass = schedule.pop("updates_per_pass", 0)
    settings = dataclasses.replace(
        topics.LdaSettings.from_config(lda), passes=max_passes, iterations=iterations, **schedule
    )
    dictionary, corpus = topics.build_bow(token_lists, settings)
    heldout = topics.heldout_mask(
        len(corpus), lda["heldout_share"], lda["split_seed"], lda["max_heldout_passages"]
    )
    train_index = np.flatnonzero(~heldout)
    if shuffle:  # an experiment: the training passages in a seeded random order, not corpus order
        train_index = np.random.default_rng(lda["split_seed"]).permutation(train_index)
    train = corpus[train_index]
    test = corpus[np.flatnonzero(heldout)]
    if updates_per_pass:  # an experiment: chunks of about len(train) / updates_per_pass passages
        chunk = -(-len(train) // updates_per_pass)
        settings = dataclasses.replace(settings, chunksize=min(settings.chunksize, chunk))
    perplexity = topics.perplexity_per_pass(test)
    clock = pass_clock(perplexity)
    clock.last = time.process_time()
    snapshots = topic_snapshots(topics_at)
    model = topics.fit_lda(train, dictionary, k, seed, settings, callbacks=[perplexity, clock, snapshots])
    values = [float(v) for v in model.metrics["heldout_perplexity"]]
    if not settings.update_every:
        # Batch updates (update_every=0): gensim calls the callbacks before a pass's M-step, so
        # they saw the model of the pass before; the last pass's model is scored here.
        values = values[1:] + [topics.heldout_perplexity(model, test)]
    return (
        values,
        [float(v) for v in model.metrics["pass_cpu"]],
        {**snapshots.kept, max_passes: model.get_topics()},
    )


def topic_snapshots(passes: Sequence[int]):
    """A gensim callback metric keeping the topic-word distributions after the given passes
    (``.kept``, by pass number; the metric's own value is the pass number)."""
    from gensim.models.callbacks import Metric

    class Snapshots(Metric):
        def __init__(self):
            self.logger = None
            self.title = "snapshot"
            self.kept: dict[int, np.ndarray] = {}
            self.done = 0

        def get_value(self, **kwargs):
            self.done += 1
            if self.done in passes:
                self.kept[self.done] = kwargs["model"].get_topics()
            return self.done

    return Snapshots()


def converged_passes(values: list[float], tolerance: float = TOLERANCE) -> dict[int, float]:
    """For every P with FACTOR × P measured: perplexity(P) / perplexity(FACTOR × P) - 1."""
    return {p: values[p - 1] / values[FACTOR * p - 1] - 1 for p in range(1, len(values) // FACTOR + 1)}


def smallest_converged(values: list[float], tolerance: float = TOLERANCE) -> int | None:
    """Smallest P within ``tolerance`` of 3P, and staying within it for every larger measured P."""
    gaps = converged_passes(values, tolerance)
    candidates = sorted(gaps)
    for p in candidates:
        if all(abs(gaps[q]) <= tolerance for q in candidates if q >= p):
            return p
    return None


def report(
    rows: pd.DataFrame,
    corpora: dict,
    fits: dict,
    schedules: dict,
    default_passes: int,
    default_iterations: int,
) -> str:
    """The Markdown report of the measured curves (see the module docstring)."""
    lines = [
        "# LDA convergence: held-out perplexity after every pass",
        "",
        "Written by `benchmarks/convergence.py` (command at the end). Criterion (issue 17): the default",
        "passes P are enough where the held-out perplexity after P passes is within 0.5 % of the",
        "perplexity after 3 × P passes. Every pass's perplexity comes from one long fit per setting",
        "(gensim's learning rate depends on the pass number, not on the total number of passes, so the",
        "first P passes of that fit are the P-pass fit). The held-out split, vocabulary filter and α",
        "are the workflow's defaults; the model learns from every training passage.",
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
        "Learning schedules (gensim's ρ_t = (offset + t) ** -decay per update; the workflow's settings "
        "where none is named):",
        "",
        *[
            f"- `{name}`: "
            + (", ".join(f"{key} = {value}" for key, value in overrides.items()) or "the workflow's")
            for name, overrides in schedules.items()
        ],
        "",
        "## Smallest P within 0.5 % of 3 × P, and where the fit ends",
        "",
        "CPU s per pass: median over passes 2 to the last, one process, one BLAS thread, the held-out",
        "scoring after every pass not counted (CPU time: other work on the machine inflates it less",
        "than wall time, but it shows).",
        "",
        "| corpus | schedule | K | iterations | seed | at 1 | at 5 | at 10 | at 30 | at last pass | smallest P "
        "| P=10 vs 30 | at 30 vs default schedule's | CPU s per pass |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    keys = ["corpus", "schedule", "k", "iterations", "seed"]
    curves = {key: g.sort_values("pass") for key, g in rows.groupby(keys, sort=False)}
    for key in sorted(curves, key=lambda key: (corpora[key[0]]["passages"], *key)):
        name, schedule, k, iterations, seed = key
        fit = curves[key]
        values = fit["perplexity"].tolist()
        gaps = converged_passes(values)

        def at(p, values=values):
            return f"{values[p - 1]:.1f}" if p <= len(values) else "–"

        def gap(p, gaps=gaps):
            return f"{100 * gaps[p]:+.2f} %" if p in gaps else "–"

        reference = curves.get((name, "default", k, iterations, seed))
        versus = "–"
        if reference is not None and len(reference) >= 30 and len(values) >= 30:
            versus = f"{100 * (values[29] / reference['perplexity'].iloc[29] - 1):+.2f} %"
        best = smallest_converged(values)
        lines.append(
            f"| {name} | {schedule} | {k} | {iterations} | {seed} | {at(1)} | {at(5)} | {at(10)} | {at(30)} "
            f"| {values[-1]:.1f} ({len(values)}) | {best if best else '> ' + str(len(values) // 3)} "
            f"| {gap(10)} | {versus} | {float(fit['cpu_s'].iloc[1:].median()):.3f} |"
        )
    lines += [
        "",
        "`P=a vs b`: perplexity after a passes relative to after b passes (negative: still falling).",
        "`at 30 vs default schedule's`: this schedule's perplexity after 30 passes relative to the",
        "workflow's schedule's after 30 (same corpus, K, iterations and seed; negative: better).",
        "",
    ]
    stable = [(key, matrices) for key, matrices in fits.items() if len(matrices) > 1]
    if stable:
        lines += [
            "## Topic stability across seeds",
            "",
            "Mean over topics of the first seed's topics' best-match cosine similarity to every other",
            "seed's topics (Hungarian matching; `zhengfa_trends.topics.seed_stability`, the workflow's",
            "stability score), after the given number of passes.",
            "",
            "| corpus | schedule | K | iterations | seeds | after passes | stability |",
            "|---|---|---:|---:|---:|---:|---:|",
        ]
        from zhengfa_trends.topics import seed_stability

        for (name, schedule, k, iterations, passes), matrices in sorted(
            stable, key=lambda item: (corpora[item[0][0]]["passages"], *item[0])
        ):
            value = float(np.mean(seed_stability(matrices)))
            lines.append(
                f"| {name} | {schedule} | {k} | {iterations} | {len(matrices)} | {passes} | {value:.3f} |"
            )
        lines.append("")
    return "\n".join(lines)


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
        "--schedule",
        action="append",
        default=[],
        metavar="NAME[:key=value,...]",
        help="a learning schedule to measure (keys: decay, offset, update_every, chunksize; "
        "NAME alone: the workflow's defaults); repeatable, default: the workflow's",
    )
    parser.add_argument("--seed", type=int, action="append", default=[])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/zf-convergence"))
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "CONVERGENCE.md")
    args = parser.parse_args(argv)
    ks = args.k or [10]
    seeds = args.seed or [1]
    schedules = [parse_schedule(spec) for spec in args.schedule or ["default"]]
    fits: dict[tuple, list[np.ndarray]] = {}  # topic-word matrices by (corpus, schedule, K, iterations, pass)
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
        for (schedule_name, schedule), k, iterations, seed in itertools.product(
            schedules, ks, iteration_settings, seeds
        ):
            start = time.perf_counter()
            with threadpool_limits(1):  # as every workflow step runs (zhengfa_trends.log)
                values, seconds, topic_word = curve(
                    token_lists, k, seed, iterations, args.max_passes, schedule, TOPICS_AT
                )
            print(
                f"{name} {schedule_name} K={k} iterations={iterations} seed={seed}: "
                f"{time.perf_counter() - start:.0f} s",
                flush=True,
            )
            rows += [
                {
                    "corpus": name,
                    "schedule": schedule_name,
                    "k": k,
                    "iterations": iterations,
                    "seed": seed,
                    "pass": p,
                    "perplexity": round(v, 4),
                    "cpu_s": round(c, 4),
                }
                for p, (v, c) in enumerate(zip(values, seconds, strict=True), 1)
            ]
            for p, matrix in topic_word.items():
                fits.setdefault((name, schedule_name, k, iterations, p), []).append(matrix)
            write_report(
                args, argv, rows, corpora, fits, schedules
            )  # after every setting: a long run keeps its part
    print(write_report(args, argv, rows, corpora, fits, schedules))
    return 0


def write_report(args, argv, rows: list[dict], corpora: dict, fits: dict, schedules) -> str:
    """Write the report, the per-pass table (.tsv) and the corpus sizes (.json); return the report."""
    table = pd.DataFrame(rows)
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    text = report(table, corpora, fits, dict(schedules), config["lda"]["passes"], config["lda"]["iterations"])
    command = "python benchmarks/convergence.py " + shlex.join(argv if argv is not None else sys.argv[1:])
    text += f"\nCommand: `{command}`\n"
    args.out.write_text(text, encoding="utf-8")
    table.to_csv(args.out.with_suffix(".tsv"), sep="\t", index=False)
    (args.out.with_suffix(".json")).write_text(json.dumps(corpora, indent=1), encoding="utf-8")
    return text


if __name__ == "__main__":
    raise SystemExit(main())
