"""Snakemake adapter of rule record_changes (logic: zhengfa_trends.steps.record_changes_step)."""

from zhengfa_trends.log import run_script
from zhengfa_trends.steps import record_changes_step

smk = snakemake  # noqa: F821  (injected by Snakemake)
run_script(
    smk.log[0],
    lambda: record_changes_step(
        dict(smk.input.items()), smk.params.ks, smk.params.options, smk.output.changes
    ),
)
