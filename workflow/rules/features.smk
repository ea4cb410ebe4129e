rule rank_terms_by_year:
    # TF-IDF and keyness in one job: both rank each year's terms from the same tokens table.
    input:
        tokens="results/tokens/tokens.tsv",
    output:
        top_terms="results/tfidf/top_terms_by_year.tsv",
        keyness=report(
            "results/tfidf/keyness_by_year.tsv",
            caption="../report/keyness.rst",
            category="1 Terms",
        ),
    log:
        "logs/rank_terms_by_year.log",
    benchmark:
        "logs/benchmarks/rank_terms_by_year.tsv"
    conda:
        ENV
    params:
        n_terms=config["tfidf"]["n_terms"],
        keyness=config["keyness"],
    script:
        "../../scripts/rank_terms_by_year.py"
