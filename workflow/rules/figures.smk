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
    "model_selection": {
        "table": "results/lda/model_selection.tsv",
        "chosen_k": "results/lda/chosen_k.txt",
        # and every K's convergence.tsv (figure_inputs: the Ks may wait for checkpoint k_grid)
    },
}
TOPIC_FIGURES = ["topic_trends", "topic_terms", "model_selection"]
CORPUS_FIGURES = [name for name in FIGURE_INPUTS if name not in TOPIC_FIGURES]
FIGURE_OPTIONS = {
    "language": config["figures"]["language"],
    "dpi": config["figures"]["dpi"],
    "n_terms": config["figures"]["n_terms"],
    "min_docs": config["trends"]["min_docs"],
    "stamp": figure_stamp(config),
}
FIGURE_CATEGORY = {
    "theme_trends": "3 Trends",
    "topic_trends": "3 Trends",
    "topic_terms": "2 Topics",
    "model_selection": "2 Topics",
    "tfidf_by_year": "1 Terms",
    "emerging_terms": "1 Terms",
}


rule plot_figure:
    # One job per topic figure: they are the end of the workflow's longest chain, so they are
    # scheduled first and drawn in parallel.
    input:
        unpack(figure_inputs),
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
        figure="|".join(TOPIC_FIGURES),
    priority: CRITICAL_PATH
    conda:
        ENV
    params:
        code=CODE["plot_figure"],
        options=FIGURE_OPTIONS,
        caption=lambda wildcards: caption(wildcards.figure, config),
        documents_per_year=lambda wildcards, input: ledger_years(input.ledger),
    script:
        "../../scripts/plot_figure.py"


rule plot_corpus_figures:
    # The figures that need no topic model, in one job (one start-up and one matplotlib import
    # instead of three), drawn while the models are fitted.
    input:
        theme_trends=FIGURE_INPUTS["theme_trends"]["table"],
        tfidf_by_year=FIGURE_INPUTS["tfidf_by_year"]["table"],
        emerging_terms=FIGURE_INPUTS["emerging_terms"]["table"],
        style=config["figures"]["style"],
        ledger="results/corpus/documents.tsv",
    output:
        theme_trends=report(
            "results/figures/theme_trends.png",
            caption="../report/theme_trends.rst",
            category=FIGURE_CATEGORY["theme_trends"],
            labels={"figure": "theme_trends"},
        ),
        tfidf_by_year=report(
            "results/figures/tfidf_by_year.png",
            caption="../report/tfidf_by_year.rst",
            category=FIGURE_CATEGORY["tfidf_by_year"],
            labels={"figure": "tfidf_by_year"},
        ),
        emerging_terms=report(
            "results/figures/emerging_terms.png",
            caption="../report/emerging_terms.rst",
            category=FIGURE_CATEGORY["emerging_terms"],
            labels={"figure": "emerging_terms"},
        ),
        other_formats=expand(
            "results/figures/{figure}.{fmt}",
            figure=CORPUS_FIGURES,
            fmt=[fmt for fmt in FIGURE_FORMATS if fmt != "png"],
        ),
    log:
        "logs/plot_corpus_figures.log",
    benchmark:
        "logs/benchmarks/plot_corpus_figures.tsv"
    conda:
        ENV
    params:
        code=CODE["plot_corpus_figures"],
        names=CORPUS_FIGURES,
        options=FIGURE_OPTIONS,
        captions={name: caption(name, config) for name in CORPUS_FIGURES},
        documents_per_year=lambda wildcards, input: ledger_years(input.ledger),
    script:
        "../../scripts/plot_corpus_figures.py"
