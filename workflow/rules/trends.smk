rule summarise_topics:
    # Choose K, give the chosen topics their stable ids, compute every K's yearly topic shares and
    # link topics to the keyword themes: light steps between the fitted models and the topic
    # figures, in one job because on that path every extra job start costs about half a second.
    input:
        tokens="results/tokens/tokens.tsv",
        seed_scores=lambda wildcards: expand(
            "results/lda/k{k}/seeds/{seed}.scores.tsv",
            k=lda_ks(wildcards),
            seed=LDA_SEEDS,
        ),
        seed_topic_word=lambda wildcards: expand(
            "results/lda/k{k}/seeds/{seed}.topic_word.npy",
            k=lda_ks(wildcards),
            seed=LDA_SEEDS,
        ),
        topics=lda_files("topics.tsv"),
        topic_word=lda_files("topic_word.npy"),
        topic_lambda=lda_files("lambda.npy"),
        vocabulary=lda_files("vocabulary.txt"),
        passage_topics=lda_files("passage_topics.tsv"),
        # the previous run's model, for the stable topic ids (ancient: record.smk says why)
        history=ancient(HISTORY),
    output:
        selection=report(
            "results/lda/model_selection.tsv",
            caption="../report/model_selection.rst",
            category="2 Topics",
        ),
        chosen_k="results/lda/chosen_k.txt",
        chosen_topics="results/lda/chosen_topics.tsv",
        topic_ids="results/lda/topic_ids.tsv",
        topic_shares=report(
            "results/trends/topic_share_by_year.tsv",
            caption="../report/topic_shares.rst",
            category="3 Trends",
        ),
        theme_topics="results/trends/theme_topics.tsv",
        stability="results/lda/topic_stability.tsv",
    log:
        "logs/summarise_topics.log",
    benchmark:
        "logs/benchmarks/summarise_topics.tsv"
    priority: CRITICAL_PATH
    conda:
        ENV
    params:
        code=CODE["summarise_topics"],
        ks=lda_ks,
        seeds=LDA_SEEDS,
        options={
            "chosen_k": FROZEN_K or config["lda"]["chosen_k"],
            "min_stability": config["lda"]["min_stability"],
            "match_similarity": config["lda"]["match_similarity"],
            "labels": config["lda"]["labels"],
            # for chosen_k.txt's line on the grid's training sample (topics.selection_plan)
            **{
                key: config["lda"][key]
                for key in (
                    "passes",
                    "selection_passages",
                    "full_passes",
                    "heldout_share",
                    "split_seed",
                    "max_heldout_passages",
                    "max_train_passages",
                )
            },
        },
        trends=config["trends"],
        themes=config["themes"],
    script:
        "../../scripts/summarise_topics.py"


rule suggest_keywords:
    # Word2Vec neighbours of each theme's keywords, to grow a theme from its seed words.  Off the
    # critical path: the topic figures go first when cores are few.
    input:
        tokens="results/tokens/tokens.tsv",
    output:
        suggestions="results/trends/theme_suggestions.tsv",
    log:
        "logs/suggest_keywords.log",
    benchmark:
        "logs/benchmarks/suggest_keywords.tsv"
    conda:
        ENV
    params:
        themes=config["themes"],
        keyword_match=config["trends"]["keyword_match"],
        options=config["suggestions"],
        code=CODE["suggest_keywords"],
    script:
        "../../scripts/suggest_keywords.py"
