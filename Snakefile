# zhengfa-trends: topics and yearly theme trends of Chinese political-legal (政法) articles.
# Run:  snakemake --cores all            (README: quick start, outputs, your own corpus)


from snakemake.utils import min_version

min_version("8.20")


configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/ingest.smk"
include: "workflow/rules/tokens.smk"
include: "workflow/rules/features.smk"
include: "workflow/rules/topics.smk"
include: "workflow/rules/trends.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/groups.smk"
include: "workflow/rules/record.smk"
include: "workflow/rules/explorer.smk"
include: "workflow/rules/exports.smk"


rule all:
    default_target: True
    input:
        final_outputs(),
