"""Snakemake adapter of checkpoint k_grid (logic: zhengfa_trends.kgrid.k_grid_step)."""

from zhengfa_trends.kgrid import k_grid_step
from zhengfa_trends.log import run_script

smk = snakemake  # noqa: F821  (injected by Snakemake)
run_script(smk.log[0], lambda: k_grid_step(smk.input.stats, smk.params.options, smk.output.grid))
