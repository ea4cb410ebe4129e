"""Snakemake adapter of rule rank_emerging_terms (logic: zhengfa_trends.steps.keyness_step)."""

from zhengfa_trends.log import run_script
from zhengfa_trends.steps import keyness_step

smk = snakemake  # noqa: F821  (injected by Snakemake)
run_script(smk.log[0], lambda: keyness_step(smk.input.tokens, smk.output.keyness, smk.params.options))
