"""Snakemake adapter of rule build_lda_corpus (logic: zhengfa_trends.steps.build_lda_corpus_step)."""

from zhengfa_trends.log import run_script
from zhengfa_trends.steps import build_lda_corpus_step
from zhengfa_trends.topics import BAG_OF_WORDS_FILES

smk = snakemake  # noqa: F821  (injected by Snakemake)
run_script(
    smk.log[0],
    lambda: build_lda_corpus_step(
        smk.input.tokens,
        {name: smk.output[name] for name in BAG_OF_WORDS_FILES},
        smk.params.options,
    ),
)
