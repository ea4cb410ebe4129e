"""Snakemake adapter of rule export_documents (logic: zhengfa_trends.steps.export_documents_step)."""

from zhengfa_trends.log import run_script
from zhengfa_trends.steps import export_documents_step

smk = snakemake  # noqa: F821  (injected by Snakemake)
run_script(
    smk.log[0],
    lambda: export_documents_step(
        dict(smk.input.items()),
        dict(smk.output.items()),
        smk.params.themes,
        smk.params.facets,
        smk.params.options,
    ),
)
