rule export_documents:
    # One row per included document (date, title, source, facets, tokens, theme hits and rates,
    # the chosen model's topic shares) for R, Stata and spreadsheets.
    input:
        documents="results/corpus/documents.tsv",
        tokens="results/tokens/tokens.tsv",
        chosen_k="results/lda/chosen_k.txt",
        topic_ids="results/lda/topic_ids.tsv",
        passage_topics=lda_files("passage_topics.tsv"),
    output:
        csv="results/exports/documents.csv",
        parquet="results/exports/documents.parquet",
        dta="results/exports/documents.dta",
        codebook="results/exports/codebook.tsv",
    log:
        "logs/export_documents.log",
    benchmark:
        "logs/benchmarks/export_documents.tsv"
    conda:
        ENV
    params:
        code=CODE["export_documents"],
        themes=config["themes"],
        facets=config["corpus"]["columns"].get("facets", []),
        options={
            "per_tokens": config["trends"]["per_tokens"],
            "keyword_match": config["trends"]["keyword_match"],
        },
    script:
        "../../scripts/export_documents.py"
