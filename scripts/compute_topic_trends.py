"""Snakemake adapter of rule compute_topic_trends (logic: zhengfa_trends.steps.topic_trends_step)."""

from zhengfa_trends.log import run_script
from zhengfa_trends.steps import topic_trends_step

smk = snakemake  # noqa: F821  (injected by Snakemake)
run_script(
    smk.log[0],
    lambda: topic_trends_step(
        smk.input.topics,
        smk.input.passage_topics,
        smk.params.ks,
        smk.input.topic_ids,
        smk.output.shares,
        smk.params.options,
    ),
)
