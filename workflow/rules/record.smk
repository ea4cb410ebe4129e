rule record_run:
    # What this run used (provenance.json), what changed since the last run (changes.tsv; this run
    # is then stored for the next one) and which figures it made (figures/README.md): three small
    # records in one job, written once the chosen model is known.
    input:
        documents="results/corpus/documents.tsv",
        theme_shares="results/trends/theme_share_by_year.tsv",
        topic_shares="results/trends/topic_share_by_year.tsv",
        topic_ids="results/lda/topic_ids.tsv",
        chosen_k="results/lda/chosen_k.txt",
        topic_lambda=lda_files("lambda.npy"),
        alpha=lda_files("alpha.npy"),
        vocabulary=lda_files("vocabulary.txt"),
        passage_topics=lda_files("passage_topics.tsv"),
        corpus_files=corpus_files,
        metadata=metadata_file,
        tables=table_files,
        user_dictionaries=config["segment"]["user_dictionaries"],
        stopwords=config["segment"]["stopwords"],
        style=config["figures"]["style"],
    output:
        changes=report(
            "results/changes.tsv",
            caption="../report/changes.rst",
            category="4 Changes",
        ),
        provenance="results/provenance.json",
        figure_index="results/figures/README.md",
        # The stored state for the next run is written into lda.history_dir; this manifest (state name,
        # file hashes) is the declared output there.  fit_lda (freeze mode) and summarise_topics read
        # the state the previous run left (params history_dir): as inputs of this run the files
        # record_run writes would close a cycle, and every run would be out of date.
        history=f'{config["lda"]["history_dir"]}/manifest.json',
    log:
        "logs/record_run.log",
    conda:
        ENV
    params:
        code=CODE["record_run"],
        ks=lda_ks,
        options={"history_dir": config["lda"]["history_dir"]},
        figures=[*FIGURE_INPUTS, *GROUP_FIGURES],
        formats=["png", *[fmt for fmt in FIGURE_FORMATS if fmt != "png"]],
        config=config,
    script:
        "../../scripts/record_run.py"
