"""Snakemake adapter of rule start_history (logic: zhengfa_trends.history.start_history)."""

from zhengfa_trends.history import start_history
from zhengfa_trends.log import run_script

smk = snakemake  # noqa: F821  (injected by Snakemake)
run_script(smk.log[0], lambda: start_history(smk.output.marker))
