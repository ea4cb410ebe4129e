rule compute_theme_trends:
    input:
        tokens="results/tokens/tokens.tsv",
    output:
        shares="results/trends/theme_share_by_year.tsv",
    log:
        "logs/compute_theme_trends.log",
    benchmark:
        "logs/benchmarks/compute_theme_trends.tsv"
    conda:
        ENV
    params:
        themes=config["themes"],
        options=config["trends"],
    script:
        "../../scripts/compute_theme_trends.py"


rule compute_topic_trends:
    input:
        topics=expand("results/lda/k{k}/topics.tsv", k=LDA_KS),
        passage_topics=expand("results/lda/k{k}/passage_topics.tsv", k=LDA_KS),
    output:
        shares="results/trends/topic_share_by_year.tsv",
    log:
        "logs/compute_topic_trends.log",
    benchmark:
        "logs/benchmarks/compute_topic_trends.tsv"
    conda:
        ENV
    params:
        ks=LDA_KS,
        options=config["trends"],
    script:
        "../../scripts/compute_topic_trends.py"
