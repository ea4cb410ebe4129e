"""Reporting: the Markdown (and JSON) report of what the runs measured, against the issue's targets."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import runner
from measure import Measured
from quality import CONVERGENCE_FACTOR, CONVERGENCE_TOLERANCE, SPEARMAN_BOUND
from runner import PASSES, K, Run

# The targets.
# Issue 17: every passage in the model, K = 10, one seed, 5 passes, --cores 2; ratios of medians.
TARGET_RATIO = 0.5
TARGET_CPU_RATIO = 0.8
TARGET_THROUGHPUT = 2.5  # MB/s
TARGET_SCALE_WALL = 600.0  # s, 20,000 documents (issue 7)
TARGET_SCALE_RSS_GIB = 4.0
# Issue 17: 100,000 documents with the default config in at most 30 min (and the same 4 GiB).
# Scale runs of at least LARGE_SCALE_DOCS documents are held to it (run.py --large-scale-threshold).
LARGE_SCALE_DOCS = 100000
TARGET_LARGE_SCALE_WALL = 1800.0  # s
TARGET_DEFAULT_COLD = 60.0  # s
TARGET_NOOP = 5.0  # s


def scale_target_wall(docs: int) -> float:
    """The wall-time target in seconds of a scale run on ``docs`` documents."""
    return TARGET_LARGE_SCALE_WALL if docs >= LARGE_SCALE_DOCS else TARGET_SCALE_WALL


def _f(value, digits: int = 1, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    return f"{value:,.{digits}f}{unit}"


def _verdict(ok: bool | None) -> str:
    return "–" if ok is None else ("**pass**" if ok else "**FAIL**")


def _peak_gib(measured: Measured | None) -> float | None:
    if measured is None:
        return None
    values = [v for v in (measured.tree_peak_mib, measured.max_rss_mib) if v is not None]
    return max(values) / 1024 if values else None


def _status(measured: Measured | None) -> str:
    if measured is None:
        return "not run"
    if measured.timed_out:
        return f"timed out after {measured.wall:.0f} s"
    return "ok" if measured.ok else f"failed (exit {measured.returncode})"


def _load(measured: Measured | None) -> str:
    load = measured.other_load if measured is not None else None
    return "–" if load is None else f"{100 * load:.0f} %"


def targets_table(comparisons: list[Run], scales: list[Run], default: Run | None, cores: str) -> list[str]:
    lines = ["| measure | target | measured | verdict |", "|---|---|---|---|"]
    for run in comparisons:
        medians = median_attempts(run)
        n = medians["n"]
        for what, target, unit in (
            ("wall", TARGET_RATIO, "wall time"),
            ("cpu", TARGET_CPU_RATIO, "CPU time"),
        ):
            flow, base = medians[f"workflow_{what}"], medians[f"baseline_{what}"]
            ratio = flow / base if flow and base else None
            lines.append(
                f"| {run.docs:,} docs, full run K={K}, one seed, passes={PASSES}, every passage in LDA, "
                f"--cores {cores} | ≤ {target} × baseline {unit}, same run, ratio of medians "
                f"| workflow {_f(flow)} s / baseline {_f(base)} s = **{_f(ratio, 2)} ×** "
                f"(medians of {n} interleaved attempts, all listed below) "
                f"| {_verdict(None if ratio is None else ratio <= target)} |"
            )
        lines += quality_rows(run)
    for run in comparisons + scales:
        tp = run.throughput
        lines.append(
            f"| segmentation throughput on {cores} cores ({run.docs:,} docs, {run.corpus_mb:.1f} MB) "
            f"| ≥ {TARGET_THROUGHPUT} MB/s "
            f"| {_f(tp, 2)} MB/s ({run.corpus_mb:.2f} MB / {_f(run.rule_seconds('segment_passages'), 2)} s) "
            f"| {_verdict(None if tp is None else tp >= TARGET_THROUGHPUT)} |"
        )
    for run in scales:
        flow = run.workflow
        target_wall = scale_target_wall(run.docs)
        if run.skipped or flow is None:
            measured, verdict = f"not run: {run.skipped}", "–"
        else:
            peak = _peak_gib(flow)
            ok = flow.ok and flow.wall <= target_wall and peak is not None and peak <= TARGET_SCALE_RSS_GIB
            pss = flow.tree_peak_pss_mib
            measured = (
                f"{flow.wall / 60:.1f} min, peak RSS {_f(peak, 2)} GiB "
                f"(process tree's PSS {_f(pss / 1024 if pss else None, 2)} GiB; {_status(flow)}; "
                f"other processes' load {_load(flow)})"
            )
            verdict = _verdict(ok)
        lines.append(
            f"| {run.docs:,} docs, full run default config "
            f"| ≤ {target_wall / 60:.0f} min, peak RSS ≤ {TARGET_SCALE_RSS_GIB:.0f} GiB | {measured} | {verdict} |"
        )
        lines += quality_rows(run)
    # The scale targets of the issues, also when this run did not measure them.
    for what, target_wall, measured in (
        ("20,000", TARGET_SCALE_WALL, any(run.docs < LARGE_SCALE_DOCS for run in scales)),
        (
            f"{LARGE_SCALE_DOCS:,}",
            TARGET_LARGE_SCALE_WALL,
            any(run.docs >= LARGE_SCALE_DOCS for run in scales),
        ),
    ):
        if not measured:
            lines.append(
                f"| {what} docs, full run default config | ≤ {target_wall / 60:.0f} min, "
                f"peak RSS ≤ {TARGET_SCALE_RSS_GIB:.0f} GiB | not run (no such --docs in this run) | – |"
            )
    if default is not None:
        cold, noop = default.workflow, default.noop
        cold_ok = cold.ok and cold.wall <= TARGET_DEFAULT_COLD if cold else None
        noop_ok = noop.ok and noop.wall <= TARGET_NOOP and bool(default.noop_nothing_to_do) if noop else None
        both = None if cold_ok is None or noop_ok is None else cold_ok and noop_ok
        lines.append(
            f"| default corpus cold run (--cores all) | ≤ {TARGET_DEFAULT_COLD:.0f} s; no-op rerun ≤ {TARGET_NOOP:.0f} s "
            f"| cold {_f(cold.wall if cold else None)} s ({_status(cold)}; other processes' load {_load(cold)}); "
            f"no-op {_f(noop.wall if noop else None)} s | {_verdict(both)} |"
        )
    for run in comparisons:
        noop = run.noop
        lines.append(
            f"| no-op rerun, {run.docs:,} docs (--cores {cores}) | ≤ {TARGET_NOOP:.0f} s "
            f"| {_f(noop.wall if noop else None)} s{'' if run.noop_nothing_to_do else ' (did work!)'} "
            f"| {_verdict(None if noop is None else noop.ok and noop.wall <= TARGET_NOOP)} |"
        )
    return lines


def quality_rows(run: Run) -> list[str]:
    """The quality guard's rows of the targets table (issue 17), beside the run's speed figure."""
    q = run.quality
    where = f"{run.docs:,} docs" + (" (default config)" if run.kind == "scale" else "")
    if not q:
        if run.workflow is None or not run.workflow.ok:
            return [f"| quality guard, {where} | see below | not computed: the workflow did not finish | – |"]
        return []
    if q.get("skipped") or q.get("error"):
        reason = q.get("skipped") or q["error"]
        return [
            f"| quality guard, {where} | perplexity at most 1 % above gensim's; Spearman ≥ 0.9 | {reason} | – |"
        ]
    settings = (
        f"K = {q['k']}, seed {q['seed']}, passes {q['passes']}, iterations {q['iterations']}, α {q['alpha']}"
    )
    return [
        f"| quality guard, {where}: held-out perplexity of the chosen model "
        f"| at most 1 % above that of gensim `LdaModel` (lower is better) trained on all "
        f"{q['train_passages']:,} training passages "
        f"with the same settings ({settings}) "
        f"| {q['perplexity_workflow']:.3f} vs {q['perplexity_gensim']:.3f} "
        f"(ratio {q['perplexity_ratio']:.6f}; {q['heldout_passages']:,} held-out passages"
        + (f"; the run's model: {q['selection']}" if q.get("selection") else "")
        + f") | {_verdict(q['perplexity_ok'])} |",
        f"| quality guard, {where}: a topic whose yearly share follows the planted trend "
        f"| Spearman ≥ {SPEARMAN_BOUND} against the generator's truth "
        f"| topic {q['best_topic']}: ρ = {q['spearman_best_topic']:.3f} "
        f"(数字政法 theme: ρ = {q['spearman_theme_数字政法']:.3f}) | {_verdict(q['trend_ok'])} |",
        *convergence_rows(run, where),
    ]


def convergence_rows(run: Run, where: str) -> list[str]:
    """Targets rows: are the run's passes enough (issue 17's criterion), one row per training stage."""
    setting = "the default config's" if run.kind == "scale" else "the comparison's (the issue's setting)"
    return [
        f"| convergence, {where}: {stage['stage']}, {setting} {stage['passes']} passes "
        f"| held-out perplexity within {CONVERGENCE_TOLERANCE:.1%} of that after {CONVERGENCE_FACTOR} × the passes "
        f"| {stage['at_passes']:.3f} after {stage['passes']}, {stage['at_3_passes']:.3f} after "
        f"{CONVERGENCE_FACTOR * stage['passes']} ({stage['gap']:+.2%}) | {_verdict(stage['ok'])} |"
        for stage in run.quality.get("convergence", [])
    ]


def convergence_table(run: Run) -> list[str]:
    """Held-out perplexity after every pass of the run's fit continued to 3 × its passes."""
    stages = (run.quality or {}).get("convergence")
    if not stages:
        return []
    lines = [
        f"Convergence: the run's fit continued to {CONVERGENCE_FACTOR} × its passes in the quality guard, "
        "held-out perplexity after every pass (gensim's learning rate depends on the pass number, not on "
        "the total number of passes, so the first passes are the run's own fit: its `convergence.tsv` "
        "beside them). Criterion (issue 17): after P passes within "
        f"{CONVERGENCE_TOLERANCE:.1%} of after {CONVERGENCE_FACTOR} × P. Other corpora and the choice of "
        "the default passes: `benchmarks/CONVERGENCE.md`.",
        "",
        "| stage | pass | held-out perplexity | the run's `convergence.tsv` | change from the pass before |",
        "|---|---:|---:|---:|---:|",
    ]
    for stage in stages:
        values, run_curve = stage["values"], stage["run_curve"]
        for i, value in enumerate(values):
            change = "" if i == 0 else f"{value / values[i - 1] - 1:+.2%}"
            own = f"{run_curve[i]:.3f}" if i < len(run_curve) else ""
            lines.append(f"| {stage['stage']} | {i + 1} | {value:.3f} | {own} | {change} |")
    lines.append("")
    return lines


def rules_table(run: Run) -> list[str]:
    lines = [
        "| rule | wildcards | s | share of workflow wall | max_rss MiB | max_uss MiB | cpu_time s | mean_load % |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    wall = run.workflow.wall if run.workflow else None
    for row in sorted(run.rules, key=lambda r: -(r["s"] or 0)):
        share = f"{100 * row['s'] / wall:.0f} %" if wall and row["s"] is not None else "–"
        lines.append(
            f"| {row['rule']} | {row['wildcards'] or ''} | {_f(row['s'], 2)} | {share} | {_f(row['max_rss_mib'])} "
            f"| {_f(row['max_uss_mib'])} | {_f(row['cpu_time'], 2)} | {_f(row['mean_load'], 0)} |"
        )
    total = sum(r["s"] or 0 for r in run.rules)
    lines.append(f"| **sum of jobs** | | {_f(total, 2)} | | | | | |")
    return lines


PROCESS_HEADER = [
    "| process | wall s | CPU s | other processes' load | max RSS MiB (largest process) "
    "| peak RSS MiB (process tree, sampled) | peak PSS MiB (process tree, sampled) | status |",
    "|---|---:|---:|---:|---:|---:|---:|---|",
]


def measured_line(name: str, measured: Measured | None) -> str:
    if measured is None:
        return f"| {name} | not run | | | | | | |"
    return (
        f"| {name} | {_f(measured.wall, 2)} | {_f(measured.cpu_s, 1)} | {_load(measured)} "
        f"| {_f(measured.max_rss_mib)} | {_f(measured.tree_peak_mib)} "
        f"| {_f(getattr(measured, 'tree_peak_pss_mib', None))} | {_status(measured)} |"
    )


def peak_parts_lines(measured: Measured | None) -> list[str]:
    """What was running at the sampled peak of the workflow's process tree, largest process first."""
    parts = getattr(measured, "tree_peak_parts", None) if measured is not None else None
    if not parts:
        return []
    listed = ", ".join(f"{label} {mib:,.0f}" for label, mib in parts)
    return [
        f"At the process tree's sampled RSS peak ({_f(measured.tree_peak_mib)} MiB, "
        f"{_f(measured.tree_peak_at_s, 1)} s after launch) these processes held it (MiB; "
        f"processes under 20 MiB left out): {listed}.",
        "",
    ]


def median_attempts(run: Run) -> dict:
    """Medians of wall and CPU seconds over the attempts where both baseline and workflow succeeded."""
    import statistics

    good = [a for a in run.attempts if a["baseline"].ok and a["workflow"].ok]

    def median(side: str, what: str):
        values = [getattr(a[side], "wall" if what == "wall" else "cpu_s") for a in good]
        values = [v for v in values if v is not None]
        return statistics.median(values) if values else None

    return {
        "n": len(good),
        **{
            f"{side}_{what}": median(side, what)
            for side in ("workflow", "baseline")
            for what in ("wall", "cpu")
        },
    }


def attempts_table(run: Run) -> list[str]:
    lines = [
        "| attempt | baseline s | CPU s | other load | workflow s | CPU s | other load | wall ratio | CPU ratio |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for attempt in run.attempts:
        base, flow = attempt["baseline"], attempt["workflow"]
        ratio = flow.wall / base.wall if base.ok and flow.ok else None
        cpu_ratio = flow.cpu_s / base.cpu_s if base.ok and flow.ok and flow.cpu_s and base.cpu_s else None
        lines.append(
            f"| {attempt['attempt']} | {_f(base.wall, 2)} | {_f(base.cpu_s, 2)} | {_load(base)} | {_f(flow.wall, 2)} "
            f"| {_f(flow.cpu_s, 2)} | {_load(flow)} | {_f(ratio, 2)} | {_f(cpu_ratio, 2)} |"
        )
    return lines


def lda_throughput_table(run: Run) -> list[str]:
    """Tokens per second of the LDA stage beside gensim LdaModel and tomotopy (same training passages)."""
    q = run.quality
    if not q or q.get("error") or q.get("skipped"):
        return []
    passes = f"{q['passes']} passes (E-step ≤ {q['iterations']} iterations per passage)"
    if q.get("selection_sample"):
        # lda.selection_passages: the run's model learned from a sample, then from every passage
        workflow_work = (
            f"{q['passes']} passes over a seeded sample of {q['selection_sample']:,} passages, then "
            f"{q['full_passes']} over all (E-step ≤ {q['iterations']} iterations per passage)"
        )
    else:
        workflow_work = passes
    lines = [
        f"LDA on the same {q['train_passages']:,} training passages ({q['train_tokens']:,} tokens), K = {q['k']}, "
        f"seed {q['seed']}, one process, {q['blas_threads']} BLAS thread(s), measured in the quality guard "
        "after the timed runs. Held-out perplexity: the same formula for every engine "
        f"(`topics.heldout_perplexity`) on the same {q['heldout_passages']:,} held-out passages.",
        "",
        "| engine | work | wall s | CPU s | tokens / s | held-out perplexity |",
        "|---|---|---:|---:|---:|---:|",
        f"| workflow (gensim with the batched E-step) | {workflow_work} | {_f(q['seconds_batched'], 2)} "
        f"| {_f(q['cpu_seconds_batched'], 2)} | {q['tokens_per_s_batched']:,.0f} | {q['perplexity_workflow']:.3f} |",
        f"| gensim `LdaModel` | {passes} | {_f(q['seconds_gensim'], 2)} | {_f(q['cpu_seconds_gensim'], 2)} "
        f"| {q['tokens_per_s_gensim']:,.0f} | {q['perplexity_gensim']:.3f} |",
    ]
    if q.get("tokens_per_s_tomotopy") is not None:
        lines.append(
            f"| tomotopy {q['tomotopy']} `LDAModel` (collapsed Gibbs sampling, 1 worker; reference only) "
            f"| {q['tomotopy_sweeps']} Gibbs sweeps | {_f(q['seconds_tomotopy'], 2)} "
            f"| {_f(q['cpu_seconds_tomotopy'], 2)} | {q['tokens_per_s_tomotopy']:,.0f} "
            f"| {q['perplexity_tomotopy']:.3f} (after {q['tomotopy_sweeps'] // 2} sweeps: "
            f"{_f(q.get('perplexity_tomotopy_halfway'), 3)}) |"
        )
    else:
        lines.append(
            '| tomotopy `LDAModel` (reference only) | not installed (`pip install -e ".[bench]"`) | – | – | – | – |'
        )
    lines += [
        "",
        "tokens / s = training tokens × passes (or sweeps) / wall s, each pass counted over the passages it",
        "covered (a sample's passes over the sample's tokens). Variational passes and Gibbs iterations",
        "are different units of work: a variational pass runs the E-step over each passage's distinct words",
        "(up to the iterations above, until its topic shares settle) and updates the topics once per chunk of",
        "2,000 passages; a Gibbs sweep draws one new topic for every token once. The tomotopy row says how fast",
        "another engine moves through tokens, not which model is better. Its perplexity uses gensim's priors",
        "(α as trained, η = 1/K, held fixed), its topics `(n_tw + η) / (n_t + V η)` over the same vocabulary",
        "and the held-out passages' topic shares from its own Gibbs inference (as many sweeps): the formula",
        "and the data are the same, the estimate of the shares is each engine's own. Its perplexity after half",
        "the sweeps shows whether the sampler had settled (`--tomotopy-sweeps`).",
        "",
    ]
    return lines


def write_report(path: Path, info: dict, runs: list[Run], cores: str, workdir: Path, argv: list[str]) -> None:
    comparisons = [r for r in runs if r.kind == "comparison"]
    scales = [r for r in runs if r.kind == "scale"]
    default = next((r for r in runs if r.kind == "default"), None)
    packages = ", ".join(f"{k} {v}" for k, v in info["packages"].items())
    lines = [
        "# Benchmark results (issue 7, performance and scale)",
        "",
        "Written by `benchmarks/run.py` (see `benchmarks/README.md` for how to read it). Ratios are against the",
        "baseline (`benchmarks/baseline.py`) measured in the same run, on the same corpus.",
        "",
        f"- date: {info['date']}",
        f"- command: `python benchmarks/run.py {' '.join(argv)}` (work folder `{workdir}`)",
        f"- machine: {info['nproc']} CPUs (nproc), {info['cpu']}, {_f(info['ram_gib'])} GiB RAM, {info['platform']}",
        f"- Python {info['python']}; {packages}",
        (
            "- jobs load compiled bytecode, as a user's installed package does: the benchmarked src/ "
            "was compiled (`python -m compileall`) before the timed runs, and PYTHONDONTWRITEBYTECODE"
            + (" (set in this environment)" if info.get("python_dont_write_bytecode") else "")
            + " is removed for the measured processes"
            if info.get("bytecode_compiled")
            else (
                "- PYTHONDONTWRITEBYTECODE is set: every job compiled the package's modules anew (a user's "
                "Python keeps .pyc files, so its job start-ups are shorter than these)"
                if info.get("python_dont_write_bytecode")
                else "- PYTHONDONTWRITEBYTECODE is not set: jobs load the package's cached .pyc files"
            )
        ),
        f"- load average when the run started: {info.get('loadavg', '?')}",
        (
            f"- benchmarked: snapshot of commit {info['ref_commit']} (`--ref {info['ref']}`) in `{runner.SOURCE}`"
            if info.get("ref")
            else f"- benchmarked: the working tree at commit {info['commit']}"
            + (" with uncommitted changes in src/workflow/scripts/config" if info["dirty"] else "")
        ),
        f"- zhengfa_trends imported by the jobs from `{info['package_file']}`",
        "",
        "## Targets",
        "",
        *targets_table(comparisons, scales, default, cores),
        "",
        "Peak RSS of the scale target is the larger of the biggest single process (`/usr/bin/time -v`) and the",
        "sampled sum over the whole process tree (which counts pages shared by forked workers twice); the",
        "tree's PSS beside it splits shared pages between their processes (its real share of memory).",
        "",
    ]
    for run in runs:
        if run.kind == "comparison":
            title = f"## {run.docs:,} synthetic documents: baseline vs workflow (K={K}, seed {run.lda_seed}, passes={PASSES})"
        elif run.kind == "scale":
            title = f"## {run.docs:,} synthetic documents: workflow, default config"
        else:
            title = f"## Default corpus (`data/corpus`, {run.docs} documents), cold, `--cores all`"
        lines += [title, ""]
        if run.skipped:
            lines += [f"Not run: {run.skipped}", ""]
            continue
        if run.kind != "default":
            origin = (
                "given with --corpus"
                if runner.EXTERNAL_CORPUS is not None
                else f"written by `python -m zhengfa_trends.synthetic --min-sentences {runner.SENTENCES[0]} "
                f"--max-sentences {runner.SENTENCES[1]}` "
                + (
                    "before this run (reused: same generator and arguments)"
                    if run.corpus_reused
                    else f"in {_f(run.generate_s)} s"
                )
            )
            lines.append(
                f"Corpus: `{run.corpus_dir}` ({run.docs:,} files, {run.corpus_mb:.2f} MB), {origin}."
            )
        seg = run.segmentation
        if seg.get("passages"):
            lines.append(
                f"The workflow segmented {seg['passages']:,} passages ({seg['passage_chars']:,} characters, "
                f"{seg['passage_bytes'] / 1e6:.2f} MB of clean text) with {seg.get('workers_used', '?')} worker "
                f"process(es) in {seg.get('chunks', '?')} chunk(s); documents segmented "
                f"{seg.get('documents_segmented', '?')}, taken from the segmentation cache "
                f"{seg.get('documents_from_cache', '?')}."
            )
        lines += ["", *PROCESS_HEADER]
        if run.baseline is not None:
            lines.append(measured_line("baseline.py (1 process)", run.baseline))
        cores_here = "all" if run.kind == "default" else cores
        lines.append(measured_line(f"snakemake --cores {cores_here}", run.workflow))
        lines.append(measured_line("snakemake no-op rerun", run.noop))
        lines.append("")
        lines += peak_parts_lines(run.workflow)
        if len(run.attempts) > 1:
            lines += [
                f"Baseline and workflow ran {len(run.attempts)} times in turn (each workflow in a fresh project "
                "copy). The targets use the medians of all attempts; the process table above and the per-rule "
                f"table are from the fastest workflow (`{run.best_project}`).",
                "",
                *attempts_table(run),
                "",
            ]
        lines += lda_throughput_table(run)
        lines += convergence_table(run)
        phases = run.baseline_phases.get("phases")
        if phases:
            lines += [
                "Baseline phases (s): "
                + ", ".join(f"{name} {seconds:.2f}" for name, seconds in phases.items())
                + f"; {run.baseline_phases.get('tokens', 0):,} tokens, vocabulary "
                f"{run.baseline_phases.get('vocabulary', 0):,}.",
                "",
            ]
        if run.rules:
            total = sum(r["s"] or 0 for r in run.rules)
            wall = run.workflow.wall if run.workflow else float("nan")
            lines += [
                f"Per rule (Snakemake benchmark files; a job's time includes its Python start-up and imports). "
                f"Jobs sum to {total:.1f} s of {wall:.1f} s wall with --cores {cores_here}.",
                "",
                *rules_table(run),
                "",
            ]
            if run.unbenchmarked:
                lines += [
                    "Rules that ran without a `benchmark:` file (not in the table): "
                    + ", ".join(f"`{rule}`" for rule in run.unbenchmarked)
                    + ".",
                    "",
                ]
            lines += timeline_table(run)
        if run.workflow is not None and not run.workflow.ok:
            lines += ["Last lines of the workflow log:", "", "```", run.workflow.tail, "```", ""]
    lines += [
        "## Caveats",
        "",
        "- The baseline segments whole documents with jieba's global tokenizer, fits TF-IDF and LDA on",
        "  documents with gensim's defaults (iterations 50, chunksize 2000, eval_every 10) and draws one",
        "  plot; the workflow also cleans text, cuts passages, filters tokens, fits LDA on passages",
        "  (`lda.iterations` of the config), bootstraps intervals and draws every figure of the",
        "  workflow in PNG and PDF (see the per-rule table for what ran).",
        "- The jieba dictionary cache (`jieba.cache` in the temp folder) and the OS file cache are warm",
        '  for every run; "cold" means a fresh project copy without `.snakemake/` or results.',
        "- Per-rule `s` is the wall time of the job including interpreter start-up; with two cores some",
        "  jobs run side by side, so the per-rule times add up to more than the critical path.",
        '- "Other processes\' load" is the CPU time the machine spent outside the measured process tree',
        "  while it ran, as a share of all CPUs (from /proc/stat). Anything above a few per cent means the",
        "  machine was shared (tests, CI) and the wall times are inflated; rerun when the machine is idle.",
        "",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    payload = {"machine": info, "argv": argv, "runs": [asdict(r) for r in runs]}
    path.with_suffix(".json").write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")


def timeline_table(run: Run) -> list[str]:
    """Markdown rows of the job timeline (see :func:`job_timeline`)."""
    if not run.timeline:
        return []
    lines = [
        "Job timeline (from the job logs: a step starts after its script's imports; seconds after "
        "Snakemake was launched):",
        "",
        "| job | step started | step finished | step s |",
        "|---|---:|---:|---:|",
    ]
    for row in run.timeline:
        lines.append(
            f"| {row['job']} | {row['started']:.2f} | {row['finished']:.2f} | "
            f"{row['finished'] - row['started']:.2f} |"
        )
    return [*lines, ""]
