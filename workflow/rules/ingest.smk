rule ingest_corpus:
    input:
        corpus=corpus_files,
        metadata=metadata_file,
    output:
        documents=report(
            "results/corpus/documents.tsv",
            caption="../report/documents.rst",
            category="0 Corpus",
        ),
        passages="results/corpus/passages.tsv",
        boilerplate="results/corpus/boilerplate.tsv",
    log:
        "logs/ingest_corpus.log",
    benchmark:
        "logs/benchmarks/ingest_corpus.tsv"
    conda:
        ENV
    threads: config["corpus"]["workers"]
    params:
        code=CODE["ingest_corpus"],
        corpus_dir=config["corpus"]["dir"],
        metadata=config["corpus"].get("metadata"),
        options={
            "opencc": config["clean"]["opencc"],
            "max_chars": config["passages"]["max_chars"],
            "min_chars": config["passages"]["min_chars"],
            "min_year": config["corpus"]["min_year"],
            "date_from_text": config["corpus"]["date_from_text"],
            "years": config["corpus"]["years"],
            "near_duplicate_threshold": config["corpus"]["near_duplicate_threshold"],
            "boilerplate": config["clean"]["boilerplate"],
            "workers": config["corpus"]["workers"],
            "cache_dir": config["corpus"]["cache_dir"],
        },
    script:
        "../../scripts/ingest_corpus.py"
