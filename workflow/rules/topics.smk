rule fit_lda:
    input:
        tokens="results/tokens/tokens.tsv",
    output:
        topics="results/lda/k{k}/topics.tsv",
        passage_topics="results/lda/k{k}/passage_topics.tsv",
    log:
        "logs/fit_lda/k{k}.log",
    benchmark:
        "logs/benchmarks/fit_lda/k{k}.tsv"
    conda:
        ENV
    params:
        k=lambda wildcards: int(wildcards.k),
        seeds=config["lda"]["seeds"],
        options={
            key: config["lda"][key]
            for key in (
                "passes",
                "iterations",
                "alpha",
                "no_below",
                "no_above",
                "n_terms",
            )
        },
    script:
        "../../scripts/fit_lda.py"
