"""Snakemake adapter of rule write_provenance (logic: zhengfa_trends.steps.provenance_step)."""

from zhengfa_trends.log import run_script
from zhengfa_trends.steps import provenance_step

smk = snakemake  # noqa: F821  (injected by Snakemake)
run_script(
    smk.log[0],
    lambda: provenance_step(dict(smk.input.items()), smk.params.config, smk.output.provenance),
)
