rule ingest_corpus:
    input:
        corpus=corpus_files,
        metadata=metadata_file,
        tables=table_files,
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
        corpus_dir=corpus_dir(),
        metadata=config["corpus"]["metadata"],
        options={**ingest_options(config), "table": table_files()},
    script:
        "../../scripts/ingest_corpus.py"
