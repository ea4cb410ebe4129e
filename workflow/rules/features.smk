rule summarise_terms:
    # Every per-year statistic of the tokens in one job (one read of tokens.tsv, one job start):
    # TF-IDF top terms, G² keyness, and the keyword themes' rates with bootstrap intervals.
    input:
        tokens="results/tokens/tokens.tsv",
    output:
        top_terms="results/tfidf/top_terms_by_year.tsv",
        keyness=report(
            "results/tfidf/keyness_by_year.tsv",
            caption="../report/keyness.rst",
            category="1 Terms",
        ),
        theme_shares=report(
            "results/trends/theme_share_by_year.tsv",
            caption="../report/theme_shares.rst",
            category="3 Trends",
        ),
        keyword_hits="results/trends/theme_keyword_hits.tsv",
    log:
        "logs/summarise_terms.log",
    benchmark:
        "logs/benchmarks/summarise_terms.tsv"
    conda:
        ENV
    params:
        code=CODE["summarise_terms"],
        n_terms=config["tfidf"]["n_terms"],
        keyness=config["keyness"],
        themes=config["themes"],
        trends=config["trends"],
    script:
        "../../scripts/summarise_terms.py"
