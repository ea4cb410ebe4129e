"""Snakemake adapter of rule build_explorer (logic: zhengfa_trends.explorer.explorer_step)."""

from zhengfa_trends.explorer import explorer_step
from zhengfa_trends.log import run_script

smk = snakemake  # noqa: F821  (injected by Snakemake)
run_script(
    smk.log[0],
    lambda: explorer_step(dict(smk.input.items()), smk.params.themes, smk.params.options, smk.output.html),
)
