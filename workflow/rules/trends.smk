rule compute_theme_trends:
    input:
        tokens="results/tokens/tokens.tsv",
    output:
        shares=report(
            "results/trends/theme_share_by_year.tsv",
            caption="../report/theme_shares.rst",
            category="3 Trends",
        ),
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


rule record_changes:
    input:
        documents="results/corpus/documents.tsv",
        theme_shares="results/trends/theme_share_by_year.tsv",
        topic_shares="results/trends/topic_share_by_year.tsv",
        topic_ids="results/lda/topic_ids.tsv",
        chosen_k="results/lda/chosen_k.txt",
        topic_lambda=expand("results/lda/k{k}/lambda.npy", k=LDA_KS),
        alpha=expand("results/lda/k{k}/alpha.npy", k=LDA_KS),
        vocabulary=expand("results/lda/k{k}/vocabulary.txt", k=LDA_KS),
        passage_topics=expand("results/lda/k{k}/passage_topics.tsv", k=LDA_KS),
    output:
        changes=report(
            "results/changes.tsv",
            caption="../report/changes.rst",
            category="4 Changes",
        ),
    log:
        "logs/record_changes.log",
    conda:
        ENV
    params:
        ks=LDA_KS,
        options={"history_dir": config["lda"]["history_dir"]},
    script:
        "../../scripts/record_changes.py"
