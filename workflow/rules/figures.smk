# The inputs each figure is drawn from (the style file and the ledger are inputs of all of them).
FIGURE_INPUTS = {
    "theme_trends": {"table": "results/trends/theme_share_by_year.tsv"},
    "topic_trends": {
        "table": "results/trends/topic_share_by_year.tsv",
        "chosen_k": "results/lda/chosen_k.txt",
        "topic_ids": "results/lda/topic_ids.tsv",
    },
    "topic_terms": {
        "table": "results/lda/chosen_topics.tsv",
        "topic_ids": "results/lda/topic_ids.tsv",
    },
    "tfidf_by_year": {"table": "results/tfidf/top_terms_by_year.tsv"},
    "emerging_terms": {"table": "results/tfidf/keyness_by_year.tsv"},
    "model_selection": {"table": "results/lda/model_selection.tsv"},
}
TOPIC_FIGURES = ["topic_trends", "topic_terms", "model_selection"]
CORPUS_FIGURES = [name for name in FIGURE_INPUTS if name not in TOPIC_FIGURES]
FIGURE_CATEGORY = {
    "theme_trends": "3 Trends",
    "topic_trends": "3 Trends",
    "topic_terms": "2 Topics",
    "model_selection": "2 Topics",
    "tfidf_by_year": "1 Terms",
    "emerging_terms": "1 Terms",
}


rule plot_figure:
    input:
        unpack(lambda wildcards: FIGURE_INPUTS[wildcards.figure]),
        style=config["figures"]["style"],
        ledger="results/corpus/documents.tsv",
    output:
        png=report(
            "results/figures/{figure}.png",
            caption="../report/figure.rst",
            category=lambda wildcards: FIGURE_CATEGORY[wildcards.figure],
            labels=lambda wildcards: {"figure": wildcards.figure},
        ),
        other_formats=expand(
            "results/figures/{{figure}}.{fmt}",
            fmt=[fmt for fmt in FIGURE_FORMATS if fmt != "png"],
        ),
    log:
        "logs/plot_figure/{figure}.log",
    benchmark:
        "logs/benchmarks/plot_figure/{figure}.tsv"
    wildcard_constraints:
        figure="|".join(CORPUS_FIGURES),
    conda:
        ENV
    params:
        options={
            "language": config["figures"]["language"],
            "dpi": config["figures"]["dpi"],
            "n_terms": config["figures"]["n_terms"],
            "min_docs": config["trends"]["min_docs"],
            "stamp": figure_stamp(config),
        },
        caption=lambda wildcards: caption(wildcards.figure, config),
        documents_per_year=lambda wildcards, input: ledger_years(input.ledger),
    script:
        "../../scripts/plot_figure.py"


# The topic figures are the last step of the workflow's longest chain: same rule, scheduled first.
use rule plot_figure as plot_topic_figure with:
    wildcard_constraints:
        figure="|".join(TOPIC_FIGURES),
    priority: CRITICAL_PATH
