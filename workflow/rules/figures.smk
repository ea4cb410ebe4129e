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
        # and every K's convergence.tsv (rule plot_topic_figures)
    },
}
TOPIC_FIGURES = ["topic_trends", "topic_terms", "model_selection"]
TOPIC_FIGURE_ROLES = {
    name: [role for role in FIGURE_INPUTS[name] if role != "table"]
    + (["convergence"] if name == "model_selection" else [])
    for name in TOPIC_FIGURES
}
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


rule plot_topic_figures:
    # The topic figures, in one job: their tables all come from summarise_topics, so they are
    # redrawn together anyway, and one job start-up (Python, Snakemake's preamble, pandas,
    # matplotlib, the CJK font's tables) replaces three.  They end the workflow's longest chain:
    # scheduled first.
    input:
        topic_trends=FIGURE_INPUTS["topic_trends"]["table"],
        topic_terms=FIGURE_INPUTS["topic_terms"]["table"],
        model_selection=FIGURE_INPUTS["model_selection"]["table"],
        chosen_k="results/lda/chosen_k.txt",
        topic_ids="results/lda/topic_ids.tsv",
        # every K's convergence.tsv (the Ks may wait for checkpoint k_grid)
        convergence=lda_files("convergence.tsv"),
        style=config["figures"]["style"],
        ledger="results/corpus/documents.tsv",
    output:
        topic_trends=report(
            "results/figures/topic_trends.png",
            caption="../report/topic_trends.rst",
            category=FIGURE_CATEGORY["topic_trends"],
            labels={"figure": "topic_trends"},
        ),
        topic_terms=report(
            "results/figures/topic_terms.png",
            caption="../report/topic_terms.rst",
            category=FIGURE_CATEGORY["topic_terms"],
            labels={"figure": "topic_terms"},
        ),
        model_selection=report(
            "results/figures/model_selection.png",
            caption="../report/model_selection_figure.rst",
            category=FIGURE_CATEGORY["model_selection"],
            labels={"figure": "model_selection"},
        ),
        other_formats=expand(
            "results/figures/{figure}.{fmt}",
            figure=TOPIC_FIGURES,
            fmt=[fmt for fmt in FIGURE_FORMATS if fmt != "png"],
        ),
    log:
        "logs/plot_topic_figures.log",
    benchmark:
        "logs/benchmarks/plot_topic_figures.tsv"
    priority: CRITICAL_PATH
    conda:
        ENV
    params:
        code=CODE["plot_topic_figures"],
        names=TOPIC_FIGURES,
        # the inputs each figure is drawn from besides its table
        roles=TOPIC_FIGURE_ROLES,
        options=FIGURE_OPTIONS,
        captions={name: caption(name, config) for name in TOPIC_FIGURES},
        documents_per_year=lambda wildcards, input: documents_per_year_in(input.ledger),
    script:
        "../../scripts/plot_topic_figures.py"


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
        documents_per_year=lambda wildcards, input: documents_per_year_in(input.ledger),
    script:
        "../../scripts/plot_corpus_figures.py"
