"""Snakemake adapter of rule write_figure_index (logic: zhengfa_trends.steps.figure_index_step)."""

from zhengfa_trends.log import run_script
from zhengfa_trends.steps import figure_index_step

smk = snakemake  # noqa: F821  (injected by Snakemake)
run_script(
    smk.log[0],
    lambda: figure_index_step(
        smk.params.names, smk.params.config, smk.input.ledger, smk.params.formats, smk.output.index
    ),
)
