rule rank_terms_by_year:
    input:
        tokens="results/tokens/tokens.tsv",
    output:
        top_terms="results/tfidf/top_terms_by_year.tsv",
    log:
        "logs/rank_terms_by_year.log",
    benchmark:
        "logs/benchmarks/rank_terms_by_year.tsv"
    conda:
        ENV
    params:
        n_terms=config["tfidf"]["n_terms"],
    script:
        "../../scripts/rank_terms_by_year.py"


rule rank_emerging_terms:
    input:
        tokens="results/tokens/tokens.tsv",
    output:
        keyness=report(
            "results/tfidf/keyness_by_year.tsv",
            caption="../report/keyness.rst",
            category="1 Terms",
        ),
    log:
        "logs/rank_emerging_terms.log",
    benchmark:
        "logs/benchmarks/rank_emerging_terms.tsv"
    conda:
        ENV
    params:
        options=config["keyness"],
    script:
        "../../scripts/rank_emerging_terms.py"
