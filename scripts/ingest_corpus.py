"""Snakemake adapter of rule ingest_corpus (logic: zhengfa_trends.steps.ingest_step)."""

from zhengfa_trends.log import run_script
from zhengfa_trends.steps import ingest_step

smk = snakemake  # noqa: F821  (injected by Snakemake)
run_script(
    smk.log[0],
    lambda: ingest_step(
        smk.params.corpus_dir,
        smk.params.metadata,
        smk.output.documents,
        smk.output.passages,
        # the worker count Snakemake granted (threads, scaled down to --cores)
        {**smk.params.options, "workers": smk.threads},
        smk.output.boilerplate,
    ),
)
