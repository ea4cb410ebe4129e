"""Snakemake adapter of rule summarise_terms (logic: zhengfa_trends.steps.summarise_terms_step)."""

from zhengfa_trends.log import run_script
from zhengfa_trends.steps import summarise_terms_step

smk = snakemake  # noqa: F821  (injected by Snakemake)
run_script(
    smk.log[0],
    lambda: summarise_terms_step(
        smk.input.tokens,
        dict(smk.output.items()),
        smk.params.n_terms,
        smk.params.keyness,
        smk.params.themes,
        smk.params.trends,
    ),
)
