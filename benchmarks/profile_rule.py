"""Profile one rule of a finished benchmark project with pyinstrument, exactly as Snakemake runs it.

The rule is re-run once by Snakemake with ``--skip-script-cleanup`` (so its generated script, which
carries the job's inputs, outputs and params, stays in ``.snakemake/scripts/``); that script is then
run again under ``python -m pyinstrument``.  pyinstrument is a profiling tool only: install it into
the venv by hand (``pip install pyinstrument``); it is not a dependency of the project.

Usage::

    python benchmarks/run.py --docs 2000 --workdir /tmp/zf-bench          # makes /tmp/zf-bench/project-2000
    python benchmarks/profile_rule.py fit_lda --project /tmp/zf-bench/project-2000 --out /tmp/zf-bench/profile

writes ``<out>/<rule>.txt`` (call tree, slowest first) and ``<out>/<rule>.html``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rule", help="rule name, e.g. fit_lda or segment_passages")
    parser.add_argument("--project", type=Path, required=True, help="a project copy made by run.py")
    parser.add_argument("--configfile", default="bench.yaml", help="config override inside the project")
    parser.add_argument("--out", type=Path, default=Path("profile"), help="folder for the reports")
    parser.add_argument("--interval", default="0.001", help="pyinstrument sampling interval (s)")
    args = parser.parse_args(argv)

    project = args.project.resolve()
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    config = ["--configfile", args.configfile] if (project / args.configfile).is_file() else []
    scripts = project / ".snakemake" / "scripts"
    started = time.time()
    command = [sys.executable, "-m", "snakemake", "--cores", "1", *config, "--forcerun", args.rule]
    command += ["--until", args.rule, "--skip-script-cleanup", "--quiet", "all"]
    subprocess.run(command, cwd=project, check=True)
    generated = sorted(
        (p for p in scripts.glob(f"*.{args.rule}.py") if p.stat().st_mtime >= started - 1),
        key=lambda p: p.stat().st_mtime,
    )
    if not generated:
        raise SystemExit(f"no generated script for rule {args.rule} in {scripts}")
    for renderer, suffix in (("text", "txt"), ("html", "html")):
        report = out / f"{args.rule}{'' if len(generated) == 1 else '-' + generated[-1].stem}.{suffix}"
        profile = [
            sys.executable,
            "-m",
            "pyinstrument",
            "-i",
            args.interval,
            "-r",
            renderer,
            "-o",
            str(report),
        ]
        if renderer == "text":
            profile += ["--show-all", "-p", "processor_options.filter_threshold=0.005"]
        subprocess.run([*profile, str(generated[-1])], cwd=project, check=True)
        print(f"wrote {report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
