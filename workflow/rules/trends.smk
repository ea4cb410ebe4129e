rule link_themes_to_topics:
    input:
        tokens="results/tokens/tokens.tsv",
        topics=expand("results/lda/k{k}/topics.tsv", k=LDA_KS),
        passage_topics=expand("results/lda/k{k}/passage_topics.tsv", k=LDA_KS),
        topic_word=expand("results/lda/k{k}/topic_word.npy", k=LDA_KS),
        vocabulary=expand("results/lda/k{k}/vocabulary.txt", k=LDA_KS),
    output:
        theme_topics="results/trends/theme_topics.tsv",
    log:
        "logs/link_themes_to_topics.log",
    benchmark:
        "logs/benchmarks/link_themes_to_topics.tsv"
    conda:
        ENV
    params:
        ks=LDA_KS,
        themes=config["themes"],
    script:
        "../../scripts/link_themes_to_topics.py"
