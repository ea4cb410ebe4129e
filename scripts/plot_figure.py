"""Snakemake adapter of rule plot_figure (logic: zhengfa_trends.steps.plot_step)."""

from zhengfa_trends.log import run_script
from zhengfa_trends.steps import plot_step

smk = snakemake  # noqa: F821  (injected by Snakemake)
run_script(
    smk.log[0],
    lambda: plot_step(smk.wildcards.figure, dict(smk.input.items()), smk.output, smk.params.options),
)
