"""Snakemake adapter of rule select_k (logic: zhengfa_trends.steps.select_model_step)."""

from zhengfa_trends.log import run_script
from zhengfa_trends.steps import select_model_step

smk = snakemake  # noqa: F821  (injected by Snakemake)
run_script(
    smk.log[0],
    lambda: select_model_step(
        dict(smk.input.items()), smk.params.ks, dict(smk.output.items()), smk.params.options
    ),
)
