"""Snakemake adapter of rule link_themes_to_topics (logic: zhengfa_trends.steps.theme_topics_step)."""

from zhengfa_trends.log import run_script
from zhengfa_trends.steps import theme_topics_step

smk = snakemake  # noqa: F821  (injected by Snakemake)
run_script(
    smk.log[0],
    lambda: theme_topics_step(
        smk.input.tokens, smk.params.ks, dict(smk.input.items()), smk.params.themes, smk.output.theme_topics
    ),
)
