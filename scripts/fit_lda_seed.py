"""Snakemake adapter of rule fit_lda_seed (logic: zhengfa_trends.steps.lda_seed_step)."""

from zhengfa_trends.log import run_script
from zhengfa_trends.steps import bag_of_words_inputs, lda_seed_step

smk = snakemake  # noqa: F821  (injected by Snakemake)
run_script(
    smk.log[0],
    lambda: lda_seed_step(
        None,
        smk.params.k,
        smk.params.seed,
        dict(smk.output.items()),
        smk.params.options,
        bag_of_words_inputs(dict(smk.input.items())),
    ),
)
