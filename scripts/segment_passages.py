"""Snakemake adapter of rule segment_passages (logic: zhengfa_trends.steps.segment_step, or
segment_shard_step for one shard of a sharded segmentation)."""

from zhengfa_trends.log import run_script
from zhengfa_trends.steps import segment_shard_step, segment_step

smk = snakemake  # noqa: F821  (injected by Snakemake)
# the worker count Snakemake granted (threads, scaled down to --cores)
options = {**smk.params.options, "workers": smk.threads}
inputs = (smk.input.passages, smk.input.user_dictionaries, smk.input.stopwords, smk.params.themes)
if "scatteritem" in smk.wildcards.keys():
    main = lambda: segment_shard_step(  # noqa: E731
        *inputs, smk.wildcards.scatteritem, smk.output.tokens, smk.output.stats, options
    )
else:
    main = lambda: segment_step(*inputs, smk.output.tokens, smk.output.stats, options)  # noqa: E731
run_script(smk.log[0], main)
