# fit_lda fits each K's reported model (the first seed); the other seeds measure its stability, and
# summarise_topics gathers every seed's scores.  lda.fit_jobs: per_k fits the other seeds in the same
# job (on one machine a job's start-up and gensim import cost more than a small corpus's fit);
# per_seed gives each (K, seed) a fit_lda_seed job of its own, so that a cluster fits them all at once.
# The files are the same either way.
SEED_JOBS = config["lda"]["fit_jobs"] == "per_seed"
OTHER_SEEDS = [] if SEED_JOBS else LDA_SEEDS[1:]
LDA_OPTIONS = {
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
        "selection_passages",
        "full_passes",
        "max_heldout_passages",
        "mode",
        "min_passages_per_topic",
    )
}

# Rule build_lda_corpus's files (zhengfa_trends.topics.write_bag_of_words), the fits' inputs as bow_<name>.
LDA_CORPUS = {
    "passages": "results/lda/corpus/passages.tsv",
    "indptr": "results/lda/corpus/indptr.npy",
    "indices": "results/lda/corpus/indices.npy",
    "counts": "results/lda/corpus/counts.npy",
    "dictionary": "results/lda/corpus/dictionary.json",
    "coherence_texts": "results/lda/corpus/coherence_texts.txt",
}
BOW_INPUTS = {f"bow_{name}": path for name, path in LDA_CORPUS.items()}


checkpoint k_grid:
    # lda.k: auto: the K grid from the real number of passages (tokens/stats.json).  The rules
    # that list every K read it in their input functions (lda_ks), so the DAG is completed once
    # this has run; with a listed lda.k or in freeze mode nothing asks for it.
    input:
        stats="results/tokens/stats.json",
    output:
        grid="results/lda/k_grid.txt",
    log:
        "logs/k_grid.log",
    priority: CRITICAL_PATH
    localrule: True
    conda:
        ENV
    params:
        code=CODE["k_grid"],
        options={"chosen_k": config["lda"]["chosen_k"]},
    script:
        "../../scripts/k_grid.py"


rule build_lda_corpus:
    # The vocabulary, counts and coherence sample of every K and seed, built once: each fit read
    # and split every token string itself (74 s of each fit_lda job at 100,000 documents).
    input:
        tokens="results/tokens/tokens.tsv",
    output:
        **LDA_CORPUS,
    log:
        "logs/build_lda_corpus.log",
    benchmark:
        "logs/benchmarks/build_lda_corpus.tsv"
    priority: CRITICAL_PATH
    conda:
        ENV
    params:
        code=CODE["build_lda_corpus"],
        options={
            key: config["lda"][key]
            for key in ("no_below", "no_above", "coherence_passages")
        },
    script:
        "../../scripts/build_lda_corpus.py"


rule fit_lda:
    input:
        # rule build_lda_corpus's counts; freeze mode keeps the stored model and reads tokens.tsv
        # instead (and when it has no model of this K, fits from tokens.tsv)
        **({} if config["lda"]["mode"] == "freeze" else BOW_INPUTS),
        tokens="results/tokens/tokens.tsv",
        ledger="results/corpus/documents.tsv",
        # freeze mode keeps the stored model, update mode continues it: the history is read
        # (ancient: record.smk says why)
        history=(
            ancient(HISTORY) if config["lda"]["mode"] in ("freeze", "update") else []
        ),
    output:
        topics="results/lda/k{k}/topics.tsv",
        passage_topics="results/lda/k{k}/passage_topics.tsv",
        topic_word="results/lda/k{k}/topic_word.npy",
        vocabulary="results/lda/k{k}/vocabulary.txt",
        topic_lambda="results/lda/k{k}/lambda.npy",
        alpha="results/lda/k{k}/alpha.npy",
        seed_scores=f"results/lda/k{{k}}/seeds/{LDA_SEEDS[0]}.scores.tsv",
        seed_topic_word=f"results/lda/k{{k}}/seeds/{LDA_SEEDS[0]}.topic_word.npy",
        convergence="results/lda/k{k}/convergence.tsv",
        other_scores=expand(
            "results/lda/k{{k}}/seeds/{seed}.scores.tsv", seed=OTHER_SEEDS
        ),
        other_topic_words=expand(
            "results/lda/k{{k}}/seeds/{seed}.topic_word.npy", seed=OTHER_SEEDS
        ),
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
        seed=LDA_SEEDS[0],
        other_seeds=OTHER_SEEDS,
        options=LDA_OPTIONS,
    script:
        "../../scripts/fit_lda.py"


if SEED_JOBS and len(LDA_SEEDS) > 1:

    rule fit_lda_seed:
        input:
            **BOW_INPUTS,
        output:
            scores="results/lda/k{k}/seeds/{seed}.scores.tsv",
            topic_word="results/lda/k{k}/seeds/{seed}.topic_word.npy",
        log:
            "logs/fit_lda/k{k}_seed{seed}.log",
        benchmark:
            "logs/benchmarks/fit_lda_seed/k{k}_seed{seed}.tsv"
        wildcard_constraints:
            seed="|".join(str(seed) for seed in LDA_SEEDS[1:]),
        priority: CRITICAL_PATH
        conda:
            ENV
        params:
            code=CODE["fit_lda_seed"],
            k=lambda wildcards: int(wildcards.k),
            seed=lambda wildcards: int(wildcards.seed),
            options=LDA_OPTIONS,
        script:
            "../../scripts/fit_lda_seed.py"
