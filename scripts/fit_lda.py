"""Snakemake adapter of rule fit_lda (logic: zhengfa_trends.steps.lda_step)."""

from zhengfa_trends.log import run_script
from zhengfa_trends.steps import bag_of_words_inputs, lda_step

smk = snakemake  # noqa: F821  (injected by Snakemake)

run_script(
    smk.log[0],
    lambda: lda_step(
        smk.input.tokens,
        smk.input.ledger,
        smk.params.k,
        smk.params.seed,
        dict(smk.output.items()),
        smk.params.options,
        smk.input.get("history") or None,
        smk.params.other_seeds,
        bag_of_words_inputs(dict(smk.input.items())),
    ),
)
