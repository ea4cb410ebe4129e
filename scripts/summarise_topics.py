"""Snakemake adapter of rule summarise_topics (logic: zhengfa_trends.steps.summarise_topics_step)."""

from zhengfa_trends.log import run_script
from zhengfa_trends.steps import summarise_topics_step

smk = snakemake  # noqa: F821  (injected by Snakemake)
run_script(
    smk.log[0],
    lambda: summarise_topics_step(
        dict(smk.input.items()),
        smk.params.ks,
        smk.params.seeds,
        dict(smk.output.items()),
        smk.params.options,
        smk.params.trends,
        smk.params.themes,
    ),
)
