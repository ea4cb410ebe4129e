"""Snakemake adapter of rule rank_terms_by_year (logic: zhengfa_trends.steps.rank_terms_step)."""

from zhengfa_trends.log import run_script
from zhengfa_trends.steps import rank_terms_step

smk = snakemake  # noqa: F821  (injected by Snakemake)
run_script(
    smk.log[0],
    lambda: rank_terms_step(
        smk.input.tokens, smk.output.top_terms, smk.output.keyness, smk.params.n_terms, smk.params.keyness
    ),
)
