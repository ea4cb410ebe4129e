# The history folder (lda.history_dir) carries state from one run to the next: record_run stores
# this run's state there at the end, and the next run's fit_lda (freeze mode), summarise_topics and
# record_run read it.  That read is declared through the folder's marker file HISTORY, written once
# by start_history when the folder is made, and taken by the readers as an ancient() input:
#  - the state files themselves cannot be inputs: record_run writes them after the readers ran, so
#    as inputs they would close a cycle (or, left without a producer, be missing on a cold run);
#  - resolving CURRENT at DAG time to the immutable state-<id>/ files does not work either: after
#    every run the list of input files names the new state, and Snakemake reruns a job whose input
#    list changed, so no rerun would ever be a no-op;
#  - a params hash of the stored state fails the same way: the state a run stores is never the
#    one it read, so the next `snakemake -n` would see changed params.
# The previous state is by nature an input that must not make a step out of date when this run's
# own record_run replaces it.  ancient() says exactly that: the marker never changes (so no mtime or
# checksum trigger) and the input list stays the same, while the DAG still orders the readers after
# start_history and `--detailed-summary`/`--dag` show the read.  Deleting the history folder deletes
# the marker: start_history runs again (the marker and manifest.json are targets of rule all;
# Snakemake does not remake a missing file no target needs), and with it every reader (new topic
# ids, changes from nothing).  A stored state edited by hand is not noticed: rerun with
# -R summarise_topics.


rule start_history:
    # The marker of the history folder (zhengfa_trends.history.MARKER), made with the folder.
    output:
        marker=HISTORY,
    log:
        "logs/start_history.log",
    localrule: True
    conda:
        ENV
    params:
        code=CODE["start_history"],
    script:
        "../../scripts/start_history.py"


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
        metadata=metadata_file,
        tables=table_files,
        user_dictionaries=config["segment"]["user_dictionaries"],
        stopwords=config["segment"]["stopwords"],
        style=config["figures"]["style"],
        history=ancient(HISTORY),
    output:
        changes=report(
            "results/changes.tsv",
            caption="../report/changes.rst",
            category="4 Changes",
        ),
        provenance="results/provenance.json",
        figure_index="results/figures/README.md",
        # The stored state for the next run (CURRENT, state-<id>/) is written beside the marker;
        # this manifest (state name, every file's sha256) is the declared output there.
        manifest=f'{config["lda"]["history_dir"]}/manifest.json',
    log:
        "logs/record_run.log",
    conda:
        ENV
    params:
        code=CODE["record_run"],
        ks=lda_ks,
        figures=[*FIGURE_INPUTS, *GROUP_FIGURES],
        formats=["png", *[fmt for fmt in FIGURE_FORMATS if fmt != "png"]],
        config=config,
        # the corpus files' hashes come from the ledger (documents.tsv): listing them as inputs
        # here too doubled the work of every DAG build on a large corpus
        corpus_dir=corpus_dir(),
    script:
        "../../scripts/record_run.py"
