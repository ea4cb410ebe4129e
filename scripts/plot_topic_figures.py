"""Snakemake adapter of rule plot_topic_figures (logic: zhengfa_trends.plotting.figures.plot_figures_step)."""

from zhengfa_trends.log import run_script
from zhengfa_trends.plotting.figures import plot_figures_step

smk = snakemake  # noqa: F821  (injected by Snakemake)
run_script(
    smk.log[0],
    lambda: plot_figures_step(
        smk.params.names, dict(smk.input.items()), list(smk.output), smk.params.options, smk.params.roles
    ),
)
