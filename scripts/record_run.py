"""Snakemake adapter of rule record_run (logic: zhengfa_trends.steps.record_run_step)."""

from zhengfa_trends.log import run_script
from zhengfa_trends.steps import record_run_step

smk = snakemake  # noqa: F821  (injected by Snakemake)
run_script(
    smk.log[0],
    lambda: record_run_step(
        dict(smk.input.items()),
        dict(smk.output.items()),
        smk.params.ks,
        smk.params.figures,
        smk.params.formats,
        smk.params.config,
        smk.params.corpus_dir,
    ),
)
