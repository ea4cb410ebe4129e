"""Snakemake adapter of rule summarise_groups (logic: zhengfa_trends.groups.summarise_groups_step)."""

from zhengfa_trends.groups import summarise_groups_step
from zhengfa_trends.log import run_script

smk = snakemake  # noqa: F821  (injected by Snakemake)
run_script(
    smk.log[0],
    lambda: summarise_groups_step(
        dict(smk.input.items()),
        dict(smk.output.items()),
        smk.params.ks,
        smk.params.trends,
        smk.params.themes,
        smk.params.n_terms,
        smk.params.keyness,
    ),
)
