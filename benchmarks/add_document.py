"""Issue 6 measure: wall time of adding one document and re-running, against the full run.

    python benchmarks/add_document.py --docs 2000 --mode freeze [--workdir /tmp/zf-add]
    python benchmarks/add_document.py --docs 2000 --mode update --add-share 0.01
    python benchmarks/add_document.py --docs 100000 --mode update refit --add-share 0.01

Generates a synthetic corpus (our own generator), copies the project beside it, runs the full
workflow once on all but the last document, then adds that document and runs again.  Both runs use
the same config; the ratio (rerun / full run) is printed and appended to benchmarks/ADD_DOCUMENT.md.
With several modes the full run is made once (in the first mode: with nothing stored every mode
fits the whole grid) and copied, results and Snakemake's records included, before the documents
are added; each copy is then set to its mode and re-run in turn, so every rerun starts from the
same full run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import yaml
from measure import compile_package, local_run_env

REPO = Path(__file__).resolve().parents[1]


def _copy_project(target: Path) -> None:
    for part in ("Snakefile", "workflow", "scripts", "config", "data/dictionaries"):
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, target / part)
        else:
            (target / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target / part)


def _run(project: Path, cores: int) -> float:
    start = time.perf_counter()
    command = [sys.executable, "-m", "snakemake", "--cores", str(cores), "--configfile", "bench.yaml", "-q"]
    subprocess.run(
        command,
        cwd=project,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=_run_env(),
    )
    return time.perf_counter() - start


def _run_env() -> dict[str, str]:
    # The jobs import this checkout's package (compiled once in main), whatever else is installed.
    env = local_run_env()
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "src"), env.get("PYTHONPATH")]))
    return env


def _chosen(project: Path) -> tuple[int, float]:
    """The chosen K and its reported model's held-out perplexity (model_selection.tsv)."""
    selection = pd.read_csv(project / "results/lda/model_selection.tsv", sep="\t")
    chosen = selection[selection["chosen"].astype(bool)]
    return int(chosen["k"].iloc[0]), float(chosen["perplexity"].iloc[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument(
        "--mode",
        nargs="+",
        choices=["freeze", "update", "refit"],
        default=["freeze"],
        help="lda.mode of the rerun; several: one full run, a rerun in each",
    )
    parser.add_argument(
        "--add-share",
        type=float,
        default=0.0,
        help="hold back and then add this share of the documents (default: one document)",
    )
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/zf-add"))
    parser.add_argument(
        "--sentences",
        default="45-105",
        help="body sentences per synthetic document, MIN-MAX (default: about 7 kB per document, as "
        "make_corpus.py's 14 MB for 2,000 documents)",
    )
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "ADD_DOCUMENT.md")
    args = parser.parse_args()

    if args.workdir.exists():
        shutil.rmtree(args.workdir)
    compile_package(REPO / "src")
    corpus = args.workdir / "corpus"
    low, high = args.sentences.split("-")
    subprocess.run(
        [sys.executable, "-m", "zhengfa_trends.synthetic", str(corpus), "--docs", str(args.docs)]
        + ["--min-sentences", low, "--max-sentences", high],
        check=True,
        stdout=subprocess.DEVNULL,
        env=_run_env(),
    )
    project = args.workdir / "project"
    _copy_project(project)
    _write_config(project, corpus, args.mode[0])
    documents = sorted((corpus / "docs").glob("*.txt"))
    added = documents[-max(1, round(args.add_share * len(documents))) :]
    held = args.workdir / "held_back"
    held.mkdir()
    for path in added:
        path.rename(held / path.name)
    load = os.getloadavg()[0]
    full = _run(project, args.cores)
    first_k = _chosen(project)[0]
    projects = {args.mode[0]: project}
    for mode in args.mode[1:]:
        # copy2 keeps the modification times Snakemake compares; .snakemake/ holds its records
        projects[mode] = args.workdir / f"project-{mode}"
        shutil.copytree(project, projects[mode], symlinks=True)
        _write_config(projects[mode], corpus, mode)
    for path in added:
        (held / path.name).rename(path)
    for mode, mode_project in projects.items():
        rerun_load = os.getloadavg()[0]
        rerun = _run(mode_project, args.cores)
        stats = json.loads((mode_project / "results/tokens/stats.json").read_text(encoding="utf-8"))
        k, perplexity = _chosen(mode_project)
        line = (
            f"| {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} | {args.docs} | {mode} | {args.cores} | {full:.1f} | "
            f"{rerun:.1f} | {rerun / full:.2f} | {stats['segmented']} / {stats['reused']} | {len(added)} added; "
            f"K {first_k} then {k}, held-out perplexity after the rerun {perplexity:.1f}; load {load:.1f} at "
            f"the start of the full run, {rerun_load:.1f} of the rerun"
        )
        print(line, flush=True)
        _append_row(args.out, line)


def _write_config(project: Path, corpus: Path, mode: str) -> None:
    config = {
        "corpus": {"dir": str(corpus / "docs"), "metadata": str(corpus / "metadata.tsv")},
        "lda": {"mode": mode},  # everything else as in config/config.yaml
    }
    (project / "bench.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")


def _append_row(out: Path, line: str) -> None:
    # The new row goes at the end of the table (ADD_DOCUMENT.md has text after it).
    if out.exists():
        lines = out.read_text(encoding="utf-8").splitlines()
        last_row = max(i for i, text in enumerate(lines) if text.startswith("|"))
        lines.insert(last_row + 1, line + " |")
        out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    else:
        out.write_text(
            "# Adding one document (issue 6)\n\n| date (UTC) | docs | mode | cores | full run s | rerun s "
            "| ratio | segmented / reused | note |\n|---|---:|---|---:|---:|---:|---:|---|---|\n"
            + line
            + " |\n",
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
