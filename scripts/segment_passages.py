"""Snakemake adapter of rule segment_passages (logic: zhengfa_trends.steps.segment_step)."""

from zhengfa_trends.log import run_script
from zhengfa_trends.steps import segment_step

smk = snakemake  # noqa: F821  (injected by Snakemake)
run_script(
    smk.log[0],
    lambda: segment_step(
        smk.input.passages,
        smk.input.user_dictionaries,
        smk.input.stopwords,
        smk.params.themes,
        smk.output.tokens,
        smk.output.stats,
        # the worker count Snakemake granted (threads, scaled down to --cores)
        {**smk.params.options, "workers": smk.threads},
    ),
)
