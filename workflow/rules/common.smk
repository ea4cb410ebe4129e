import sys
from pathlib import Path

from snakemake.utils import validate

# Only light modules here (no pandas, no matplotlib): they are imported on every snakemake call.
from zhengfa_trends.captions import caption, documents_per_year_in
from zhengfa_trends.codehash import script_digests
from zhengfa_trends.config import config_errors, ingest_options
from zhengfa_trends.provenance import figure_stamp

# corpus.max_date written as an unquoted YAML date is a date object: the schema wants its text.
if hasattr(config.get("corpus", {}).get("max_date"), "isoformat"):
    config["corpus"]["max_date"] = config["corpus"]["max_date"].isoformat()
# One readable line (no traceback) for a bad key; then the schema fills in the defaults.
_config_problems = config_errors(
    config, Path(workflow.basedir) / "workflow" / "schemas" / "config.schema.yaml"
)
if _config_problems:
    sys.exit(f"zhengfa-trends: {_config_problems[0]}")
validate(config, "../schemas/config.schema.yaml")


def frozen_k(lda_options):
    """K of the stored model in freeze and update mode; None in refit mode or before the first run."""
    if lda_options["mode"] not in ("freeze", "update"):
        return None
    from zhengfa_trends.history import stored_k

    return stored_k(lda_options["history_dir"])


ENV = "../envs/zhengfa-trends.yaml"
# The hash of the package code each rule's script can reach (zhengfa_trends.codehash), a params
# value of every rule: editing a function reruns exactly the steps that use it (Snakemake itself
# tracks only the thin scripts).  Remembered in .snakemake/ while no package file changes.
CODE = script_digests(
    {
        path.stem: path
        for path in sorted((Path(workflow.basedir) / "scripts").glob("*.py"))
    },
    memo=".snakemake/zhengfa-trends/code-digests.json",
)


def explorer_assets():
    """Hash of the page's template, style sheet and script (package files the code hash, which
    follows Python source only, does not see): editing them rebuilds the page."""
    import hashlib

    import zhengfa_trends

    digest = hashlib.sha256()
    folder = Path(zhengfa_trends.__file__).parent / "explorer"
    for path in sorted(folder.iterdir()):
        if path.suffix in (".html", ".css", ".js"):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


# Scheduling priority of the jobs between the tokens and the topic figures (the longest chain):
# with few cores they go first, and side jobs (provenance, change records ...) fill the gaps.
CRITICAL_PATH = 10
FIGURE_FORMATS = config["figures"]["formats"]
# The history folder's marker, made by start_history (record.smk says why): the declared input of the rules
# that read the state the previous run stored.
HISTORY = f'{config["lda"]["history_dir"]}/HISTORY'
# freeze and update mode keep the stored model's K: it replaces lda.k (first run: nothing stored, K
# as configured).
FROZEN_K = frozen_k(config["lda"])
# freeze and update mode keep (or continue) one stored model: no other seeds are fitted.
LDA_SEEDS = config["lda"]["seeds"][:1] if FROZEN_K else config["lda"]["seeds"]


def lda_ks(wildcards=None):
    """The Ks to fit: the stored K in freeze mode, lda.k as listed, or the grid of lda.k: auto,
    which checkpoint k_grid writes from the real number of passages (an input function that
    calls this waits for it)."""
    if FROZEN_K:
        return [FROZEN_K]
    if config["lda"]["k"] != "auto":
        return list(config["lda"]["k"])
    from zhengfa_trends.kgrid import read_k_grid

    return read_k_grid(checkpoints.k_grid.get().output.grid)[1]


def lda_files(name):
    """Input function: results/lda/k{K}/<name> for every K of lda_ks()."""
    return lambda wildcards: expand(f"results/lda/k{{k}}/{name}", k=lda_ks())


wildcard_constraints:
    k=r"\d+",


def corpus_dir():
    """The corpus folder: corpus.dir, else data/corpus unless a table is given (then None)."""
    from zhengfa_trends.files import corpus_folder

    return corpus_folder(config["corpus"]["dir"], config["corpus"]["table"])


def corpus_files(wildcards=None):
    """Every file of the corpus folder (sorted): adding or removing one re-runs the ingest.

    The ingest also lists subfolders, broken links and the like in documents.tsv, but only
    regular files are inputs (Snakemake needs existing files; a folder's time stamp changes
    whenever anything inside it does).  A missing folder stops the run with one line.
    """
    from zhengfa_trends.files import CorpusError, readable_corpus_files

    if corpus_dir() is None:
        return []
    try:
        # links out of the folder and names with control characters are listed, never read
        return [
            str(p) for p in readable_corpus_files(corpus_dir(), exclude=metadata_file())
        ]
    except CorpusError as error:
        sys.exit(f"zhengfa-trends: {error}")


def metadata_file(wildcards=None):
    """The metadata table if it exists (it is optional; by default the folder's metadata.tsv)."""
    folder = corpus_dir()
    if folder is None:
        return []
    path = config["corpus"].get("metadata") or str(Path(folder) / "metadata.tsv")
    return [path] if Path(path).is_file() else []


def table_files(wildcards=None):
    """The files corpus.table names (inputs of the ingest: an edited table re-runs it)."""
    from zhengfa_trends.files import CorpusError, list_table_files

    if not config["corpus"]["table"]:
        return []
    try:
        return [str(p) for p in list_table_files(config["corpus"]["table"])]
    except CorpusError as error:
        sys.exit(f"zhengfa-trends: {error}")


def group_tables(trends_options):
    """Output name -> path of the period and facet tables the config asks for (none by default)."""
    tables = {}
    if trends_options["periods"] not in (None, "none"):
        tables.update(
            periods="results/trends/periods.tsv",
            theme_periods="results/trends/theme_share_by_period.tsv",
            topic_periods="results/trends/topic_share_by_period.tsv",
            top_terms_periods="results/tfidf/top_terms_by_period.tsv",
            keyness_periods="results/tfidf/keyness_by_period.tsv",
        )
    if trends_options["facet"]:
        tables.update(
            theme_facets="results/trends/theme_share_by_facet.tsv",
            topic_facets="results/trends/topic_share_by_facet.tsv",
        )
    return tables


def group_figures(tables):
    """Figure name -> the table it is drawn from, for the group tables there are."""
    figures = {}
    if "top_terms_periods" in tables:
        figures["tfidf_by_period"] = "top_terms_periods"
        figures["emerging_terms_by_period"] = "keyness_periods"
    if "theme_facets" in tables:
        figures["facet_trends"] = "theme_facets"
    return figures


GROUP_TABLES = group_tables(config["trends"])
GROUP_FIGURES = group_figures(GROUP_TABLES)


def figure_files(name):
    formats = ["png", *[fmt for fmt in FIGURE_FORMATS if fmt != "png"]]
    return expand("results/figures/{name}.{fmt}", name=name, fmt=formats)


def final_outputs():
    return [
        "results/corpus/documents.tsv",
        "results/tokens/stats.json",
        "results/tfidf/top_terms_by_year.tsv",
        "results/tfidf/keyness_by_year.tsv",
        "results/lda/model_selection.tsv",
        "results/trends/theme_share_by_year.tsv",
        "results/trends/topic_share_by_year.tsv",
        "results/trends/theme_topics.tsv",
        "results/trends/theme_keyword_hits.tsv",
        "results/trends/theme_suggestions.tsv",
        *figure_files(list(FIGURE_INPUTS)),
        *GROUP_TABLES.values(),
        *figure_files(list(GROUP_FIGURES)),
        "results/figures/README.md",
        "results/provenance.json",
        "results/changes.tsv",
        # the history folder: deleting it starts afresh (start_history, then every step that reads it)
        HISTORY,
        f'{config["lda"]["history_dir"]}/manifest.json',
        "results/explorer.html",
        "results/exports/documents.csv",
        "results/exports/documents.parquet",
        "results/exports/documents.dta",
        "results/exports/codebook.tsv",
    ]


def cancel_rescheduling_timers():
    """Cancel Snakemake's pending scheduler re-evaluation timers once the run is over.

    The job-rate limit (``--max-jobs-per-timespan``, default 100/1s) leaves a one-second
    ``threading.Timer`` behind after each batch of submitted jobs; with nothing left to schedule
    they only make the interpreter wait for them at exit (about 1 s at the end of every run).
    """
    import threading

    for thread in threading.enumerate():
        if isinstance(thread, threading.Timer):
            thread.cancel()


onsuccess:
    cancel_rescheduling_timers()


onerror:
    cancel_rescheduling_timers()
