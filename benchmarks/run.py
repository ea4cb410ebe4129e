"""Benchmark harness for issue 7 ("Performance and scale"): workflow vs. the one-script baseline.

Usage::

    python benchmarks/run.py --docs 2000 [--docs 20000] --out benchmarks/RESULTS.md [--workdir /tmp/zf-bench]

For every ``--docs N`` below ``--scale-threshold`` (a *comparison run*):

1. write a synthetic corpus with ``python -m zhengfa_trends.synthetic DIR --docs N``;
2. run ``benchmarks/baseline.py`` on it;
3. run the workflow on it with the same settings (``lda.k [10]``, one seed, ``lda.passes 5``,
   everything else the default) with ``snakemake --cores 2`` in a fresh copy of the project;
   (2 and 3 are repeated ``--repeat`` times in turn; the fastest of each is compared);
4. run ``snakemake --cores 2`` again (the no-op rerun).

Then the default five-document corpus is run cold with ``--cores all`` and again as a no-op
(unless ``--no-default-corpus``).  Every ``--docs N`` at or above the threshold is a *scale run*:
the workflow with the default config (only the corpus is overridden), no baseline,
``--scale-timeout`` seconds at most, and only if the smallest comparison run's workflow succeeded in
less than ``--scale-gate`` seconds (``--force-scale`` runs it anyway).

Wall times are ``time.perf_counter`` around each subprocess; peak memory is the largest single
process (``/usr/bin/time -v``, else ``getrusage(RUSAGE_CHILDREN)``) and the largest sum over the
process tree, sampled from ``/proc`` every 0.2 s; the CPU time of the tree (``RUSAGE_CHILDREN``) is
set against the machine's busy time (``/proc/stat``) to show how much other processes ran
meanwhile.  Per-rule times and memory come from Snakemake's benchmark files
(``logs/benchmarks/**.tsv`` of the project copy).  The report is written to ``--out`` (Markdown)
and next to it as JSON.

The pieces: :mod:`measure` (one measured subprocess, the machine), :mod:`runner` (project copies,
corpora, the comparison, scale and default-corpus runs) and :mod:`report` (the report); this file is
the command line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import report
import runner
from measure import compile_package, machine_info
from report import write_report
from runner import Run, comparison_run, default_corpus_run, default_seed, scale_run, use_snapshot


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description="Benchmark the workflow against the one-script baseline.")
    parser.add_argument(
        "--docs", type=int, action="append", help="synthetic corpus size (repeatable; default 2000)"
    )
    parser.add_argument("--out", type=Path, default=Path("benchmarks/RESULTS.md"), help="Markdown report")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/zf-bench"), help="scratch folder (reused)")
    parser.add_argument("--cores", default="2", help="--cores of the comparison and scale runs (default 2)")
    parser.add_argument(
        "--ref",
        help="benchmark this commit (e.g. HEAD) from a git-archive snapshot instead of the working tree",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="run baseline and workflow of each comparison this many times"
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=None,
        help="LDA seed of baseline and workflow (default: the first of lda.seeds)",
    )
    parser.add_argument("--corpus-seed", type=int, default=7, help="seed of the synthetic corpus")
    parser.add_argument(
        "--corpus",
        type=Path,
        help="compare on this existing corpus folder (docs/, metadata.tsv) instead of a generated one",
    )
    parser.add_argument(
        "--sentences",
        default=f"{runner.SENTENCES[0]}-{runner.SENTENCES[1]}",
        help="body sentences per synthetic document, MIN-MAX (default: about 7 kB per document)",
    )
    parser.add_argument(
        "--scale-threshold", type=int, default=10000, help="--docs from here on are scale runs"
    )
    parser.add_argument(
        "--scale-gate",
        type=float,
        default=60.0,
        help="run scale runs only if the smallest comparison workflow took less than this many seconds",
    )
    parser.add_argument("--force-scale", action="store_true", help="run scale runs whatever the gate says")
    parser.add_argument(
        "--scale-timeout",
        type=float,
        default=None,
        help="seconds before a scale run is stopped (default 1.5 x its target: 900 s, at 100,000 docs 2,700 s)",
    )
    parser.add_argument(
        "--large-scale-threshold",
        type=int,
        default=report.LARGE_SCALE_DOCS,
        help="scale runs from this many documents on are held to the 30-minute target (default 100000)",
    )
    parser.add_argument(
        "--guard-max-docs",
        type=int,
        default=runner.GUARD_MAX_DOCS,
        help="compute the quality guard for runs up to this many documents (default 20000)",
    )
    parser.add_argument(
        "--tomotopy-sweeps",
        type=int,
        default=runner.TOMOTOPY_SWEEPS,
        help=f"Gibbs sweeps of the tomotopy reference in the quality guard (default {runner.TOMOTOPY_SWEEPS})",
    )
    parser.add_argument("--no-default-corpus", action="store_true", help="skip the default-corpus cold run")
    args = parser.parse_args(argv)

    sizes = sorted(set(args.docs or [2000]))
    try:
        low, high = (int(part) for part in args.sentences.split("-"))
    except ValueError:
        parser.error(f"--sentences must look like 45-105, got {args.sentences!r}")
    runner.SENTENCES = (low, high)
    report.LARGE_SCALE_DOCS = args.large_scale_threshold
    runner.GUARD_MAX_DOCS = args.guard_max_docs
    runner.TOMOTOPY_SWEEPS = args.tomotopy_sweeps
    if args.corpus is not None:
        if not (args.corpus / "docs").is_dir():
            parser.error(f"--corpus {args.corpus}: no docs/ folder in it")
        runner.EXTERNAL_CORPUS = args.corpus.resolve()
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    ref_commit = use_snapshot(args.ref, workdir) if args.ref else None
    compile_package(runner.SOURCE / "src")
    seed = args.seed if args.seed is not None else default_seed()
    out = args.out if args.out.is_absolute() else Path.cwd() / args.out
    info = machine_info()
    if args.ref:
        info["ref"], info["ref_commit"] = args.ref, ref_commit
    runs: list[Run] = []
    for docs in [n for n in sizes if n < args.scale_threshold]:
        runs.append(comparison_run(docs, workdir, args.cores, seed, args.corpus_seed, args.repeat))
        write_report(out, info, runs, args.cores, workdir, argv)
    if not args.no_default_corpus:
        runs.append(default_corpus_run(workdir))
        write_report(out, info, runs, args.cores, workdir, argv)
    gate_run = next((r for r in runs if r.kind == "comparison"), None)
    for docs in [n for n in sizes if n >= args.scale_threshold]:
        gate_flow = gate_run.workflow if gate_run else None
        if not args.force_scale and (
            gate_flow is None or not gate_flow.ok or gate_flow.wall >= args.scale_gate
        ):
            if gate_flow is None:
                reason = "no comparison run to gate on (add a smaller --docs, or --force-scale)"
            elif not gate_flow.ok:
                reason = f"the {gate_run.docs:,}-document comparison run failed (use --force-scale to run it anyway)"
            else:
                reason = (
                    f"the {gate_run.docs:,}-document comparison run's workflow took {gate_flow.wall:.1f} s, "
                    f"not under {args.scale_gate:.0f} s (use --force-scale to run it anyway)"
                )
            runs.append(Run(kind="scale", docs=docs, skipped=reason))
            print(f"[scale-{docs}] skipped: {reason}", flush=True)
        else:
            timeout = args.scale_timeout or 1.5 * report.scale_target_wall(docs)
            runs.append(scale_run(docs, workdir, args.cores, args.corpus_seed, timeout))
        write_report(out, info, runs, args.cores, workdir, argv)
    write_report(out, info, runs, args.cores, workdir, argv)
    print(f"wrote {out} and {out.with_suffix('.json')}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
