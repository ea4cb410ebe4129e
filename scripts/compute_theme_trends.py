"""Snakemake adapter of rule compute_theme_trends (logic: zhengfa_trends.steps.theme_trends_step)."""

from zhengfa_trends.log import run_script
from zhengfa_trends.steps import theme_trends_step

smk = snakemake  # noqa: F821  (injected by Snakemake)
run_script(
    smk.log[0],
    lambda: theme_trends_step(smk.input.tokens, smk.params.themes, smk.output.shares, smk.params.options),
)
