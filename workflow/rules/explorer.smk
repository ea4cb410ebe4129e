rule build_explorer:
    # One self-contained HTML page (plotly.js, data and script inline) behind every number: trends
    # with intervals, topics with relevance-ranked terms, the passages of each year × theme/topic.
    input:
        documents="results/corpus/documents.tsv",
        passages="results/corpus/passages.tsv",
        tokens="results/tokens/tokens.tsv",
        theme_shares="results/trends/theme_share_by_year.tsv",
        topic_shares="results/trends/topic_share_by_year.tsv",
        theme_topics="results/trends/theme_topics.tsv",
        chosen_k="results/lda/chosen_k.txt",
        topic_ids="results/lda/topic_ids.tsv",
        keyness="results/tfidf/keyness_by_year.tsv",
        provenance="results/provenance.json",
        stability="results/lda/topic_stability.tsv",
        passage_topics=lda_files("passage_topics.tsv"),
        topic_word=lda_files("topic_word.npy"),
        vocabulary=lda_files("vocabulary.txt"),
        # where trends.periods is set (an empty input otherwise)
        period_shares=GROUP_TABLES.get("theme_periods", []),
        topic_period_shares=GROUP_TABLES.get("topic_periods", []),
    output:
        html=report(
            "results/explorer.html",
            caption="../report/explorer.rst",
            category="5 Explorer",
        ),
    log:
        "logs/build_explorer.log",
    benchmark:
        "logs/benchmarks/build_explorer.tsv"
    conda:
        ENV
    params:
        themes=config["themes"],
        options=config["explorer"],
        code=CODE["build_explorer"],
        assets=explorer_assets(),
    script:
        "../../scripts/build_explorer.py"
