# The table each figure is drawn from.
FIGURE_TABLES = {
    "theme_trends": "results/trends/theme_share_by_year.tsv",
    "topic_trends": "results/trends/topic_share_by_year.tsv",
    "topic_terms": f"results/lda/k{CHOSEN_K}/topics.tsv",
    "tfidf_by_year": "results/tfidf/top_terms_by_year.tsv",
}


rule plot_figure:
    input:
        table=lambda wildcards: FIGURE_TABLES[wildcards.figure],
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
        figure="|".join(FIGURE_TABLES),
    conda:
        ENV
    params:
        options={
            "language": config["figures"]["language"],
            "dpi": config["figures"]["dpi"],
            "n_terms": config["figures"]["n_terms"],
            "min_docs": config["trends"]["min_docs"],
            "k": CHOSEN_K,
        },
    script:
        "../../scripts/plot_figure.py"
