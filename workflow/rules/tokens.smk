rule segment_passages:
    input:
        passages="results/corpus/passages.tsv",
        user_dictionaries=config["segment"]["user_dictionaries"],
        stopwords=config["segment"]["stopwords"],
    output:
        tokens="results/tokens/tokens.tsv",
        stats="results/tokens/stats.json",
    log:
        "logs/segment_passages.log",
    benchmark:
        "logs/benchmarks/segment_passages.tsv"
    conda:
        ENV
    threads: config["segment"]["workers"]
    params:
        code=CODE["segment_passages"],
        themes=config["themes"],
        options={
            key: config["segment"][key]
            for key in (
                "min_chars",
                "han_only",
                "hmm",
                "engine",
                "workers",
                "chunk_chars",
                "cache_dir",
            )
        },
    script:
        "../../scripts/segment_passages.py"
