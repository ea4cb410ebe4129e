# Segmentation in segment.shards jobs (override: --set-scatter shard=N): each shard segments the
# documents whose id hashes to it, with its own cache file, and gather_tokens puts the passages back
# in order, so tokens.tsv has the same bytes for any N. With one shard (the default: on one machine
# the extra jobs cost more than they save) a single job writes tokens.tsv directly.


scattergather:
    shard=config["segment"]["shards"],


SEGMENT_SHARDS = len(scatter.shard("{scatteritem}"))
SEGMENT_OPTIONS = {
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
}
SEGMENT_INPUT = {
    "passages": "results/corpus/passages.tsv",
    "user_dictionaries": config["segment"]["user_dictionaries"],
    "stopwords": config["segment"]["stopwords"],
}


if SEGMENT_SHARDS == 1:

    rule segment_passages:
        input:
            **SEGMENT_INPUT,
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
            options=SEGMENT_OPTIONS,
        script:
            "../../scripts/segment_passages.py"

else:

    rule segment_passages:
        input:
            **SEGMENT_INPUT,
        output:
            tokens=temp("results/tokens/shards/{scatteritem}.tsv"),
            stats=temp("results/tokens/shards/{scatteritem}.json"),
        log:
            "logs/segment_passages/{scatteritem}.log",
        benchmark:
            "logs/benchmarks/segment_passages/{scatteritem}.tsv"
        conda:
            ENV
        threads: config["segment"]["workers"]
        params:
            code=CODE["segment_passages"],
            themes=config["themes"],
            options=SEGMENT_OPTIONS,
        script:
            "../../scripts/segment_passages.py"

    rule gather_tokens:
        input:
            tokens=gather.shard("results/tokens/shards/{scatteritem}.tsv"),
            stats=gather.shard("results/tokens/shards/{scatteritem}.json"),
        output:
            tokens="results/tokens/tokens.tsv",
            stats="results/tokens/stats.json",
        log:
            "logs/gather_tokens.log",
        benchmark:
            "logs/benchmarks/gather_tokens.tsv"
        conda:
            ENV
        params:
            code=CODE["gather_tokens"],
            cache_dir=config["segment"]["cache_dir"],
        script:
            "../../scripts/gather_tokens.py"
