"""Snakemake adapter of rule suggest_keywords (logic: zhengfa_trends.steps.suggest_keywords_step)."""

from zhengfa_trends.log import run_script
from zhengfa_trends.steps import suggest_keywords_step

smk = snakemake  # noqa: F821  (injected by Snakemake)
run_script(
    smk.log[0],
    lambda: suggest_keywords_step(
        smk.input.tokens,
        smk.output.suggestions,
        smk.params.themes,
        smk.params.keyword_match,
        smk.params.options,
    ),
)
