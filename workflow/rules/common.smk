import sys
from pathlib import Path

from snakemake.utils import validate

from zhengfa_trends.config import config_errors
from zhengfa_trends.io import read_tsv
from zhengfa_trends.plotting.captions import caption, documents_per_year
from zhengfa_trends.provenance import figure_stamp

# One readable line (no traceback) for a bad key; then the schema fills in the defaults.
_config_problems = config_errors(
    config, Path(workflow.basedir) / "workflow" / "schemas" / "config.schema.yaml"
)
if _config_problems:
    sys.exit(f"zhengfa-trends: {_config_problems[0]}")
validate(config, "../schemas/config.schema.yaml")

ENV = "../envs/zhengfa-trends.yaml"
FIGURE_FORMATS = config["figures"]["formats"]
LDA_KS = config["lda"]["k"]


wildcard_constraints:
    k=r"\d+",


def corpus_files(wildcards=None):
    """Every file of the corpus folder (sorted): adding or removing one re-runs the ingest."""
    corpus_dir = Path(config["corpus"]["dir"])
    if not corpus_dir.is_dir():
        sys.exit(
            f"zhengfa-trends: corpus folder not found: {corpus_dir} (set corpus.dir in your config)"
        )
    metadata = metadata_file()
    return sorted(
        str(p) for p in corpus_dir.iterdir() if p.is_file() and [str(p)] != metadata
    )


def metadata_file(wildcards=None):
    """The metadata table if it exists (it is optional)."""
    path = config["corpus"].get("metadata")
    return [path] if path and Path(path).is_file() else []


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
        *figure_files(list(FIGURE_INPUTS)),
        "results/figures/README.md",
        "results/provenance.json",
    ]
