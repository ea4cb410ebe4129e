# The inputs each figure is drawn from (the style file is an input of all of them).
FIGURE_INPUTS = {
    "theme_trends": {"table": "results/trends/theme_share_by_year.tsv"},
    "topic_trends": {
        "table": "results/trends/topic_share_by_year.tsv",
        "chosen_k": "results/lda/chosen_k.txt",
    },
    "topic_terms": {"table": "results/lda/chosen_topics.tsv"},
    "tfidf_by_year": {"table": "results/tfidf/top_terms_by_year.tsv"},
    "emerging_terms": {"table": "results/tfidf/keyness_by_year.tsv"},
    "model_selection": {"table": "results/lda/model_selection.tsv"},
}


rule plot_figure:
    input:
        unpack(lambda wildcards: FIGURE_INPUTS[wildcards.figure]),
        style=config["figures"]["style"],
    output:
        figures=expand(
            "results/figures/{{figure}}.{fmt}",
            fmt=FIGURE_FORMATS,
        ),
    log:
        "logs/plot_figure/{figure}.log",
    benchmark:
        "logs/benchmarks/plot_figure/{figure}.tsv"
    wildcard_constraints:
        figure="|".join(FIGURE_INPUTS),
    conda:
        ENV
    params:
        options={
            "language": config["figures"]["language"],
            "dpi": config["figures"]["dpi"],
            "n_terms": config["figures"]["n_terms"],
            "min_docs": config["trends"]["min_docs"],
        },
    script:
        "../../scripts/plot_figure.py"
