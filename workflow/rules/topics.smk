rule fit_lda:
    input:
        tokens="results/tokens/tokens.tsv",
        ledger="results/corpus/documents.tsv",
    output:
        topics="results/lda/k{k}/topics.tsv",
        passage_topics="results/lda/k{k}/passage_topics.tsv",
        scores="results/lda/k{k}/scores.tsv",
        stability="results/lda/k{k}/topic_stability.tsv",
        topic_word="results/lda/k{k}/topic_word.npy",
        vocabulary="results/lda/k{k}/vocabulary.txt",
        topic_lambda="results/lda/k{k}/lambda.npy",
        alpha="results/lda/k{k}/alpha.npy",
    log:
        "logs/fit_lda/k{k}.log",
    benchmark:
        "logs/benchmarks/fit_lda/k{k}.tsv"
    priority: CRITICAL_PATH
    conda:
        ENV
    params:
        code=CODE["fit_lda"],
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
                "heldout_share",
                "split_seed",
                "coherence_passages",
                "max_train_passages",
                "max_heldout_passages",
                "mode",
                "history_dir",
                "min_passages_per_topic",
            )
        },
    script:
        "../../scripts/fit_lda.py"
