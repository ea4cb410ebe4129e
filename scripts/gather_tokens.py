"""Snakemake adapter of rule gather_tokens (logic: zhengfa_trends.steps.gather_tokens_step)."""

from zhengfa_trends.log import run_script
from zhengfa_trends.steps import gather_tokens_step

smk = snakemake  # noqa: F821  (injected by Snakemake)
run_script(
    smk.log[0],
    lambda: gather_tokens_step(
        smk.input.tokens, smk.input.stats, smk.output.tokens, smk.output.stats, smk.params.cache_dir
    ),
)
