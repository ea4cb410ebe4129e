"""Snakemake adapter of rule plot_figure (logic: zhengfa_trends.plotting.figures.plot_step)."""

from zhengfa_trends.log import run_script
from zhengfa_trends.plotting.figures import plot_step

smk = snakemake  # noqa: F821  (injected by Snakemake)
run_script(
    smk.log[0],
    lambda: plot_step(smk.wildcards.figure, dict(smk.input.items()), smk.output, smk.params.options),
)
