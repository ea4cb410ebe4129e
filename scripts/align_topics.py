"""Snakemake adapter of rule align_topics (logic: zhengfa_trends.steps.align_topics_step)."""

from zhengfa_trends.log import run_script
from zhengfa_trends.steps import align_topics_step

smk = snakemake  # noqa: F821  (injected by Snakemake)
run_script(
    smk.log[0],
    lambda: align_topics_step(
        smk.input.chosen_k, smk.params.ks, dict(smk.input.items()), smk.params.options, smk.output.topic_ids
    ),
)
