"""Provenance: what went into a run (input hashes, resolved config, seeds, versions)."""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from importlib import metadata
from pathlib import Path

# Distributions whose versions decide the numbers and the figures.
TRACKED_PACKAGES = (
    "zhengfa-trends",
    "jieba",
    "rjieba",
    "gensim",
    "scikit-learn",
    "numpy",
    "scipy",
    "pandas",
    "matplotlib",
    "opencc",
    "mplfonts",
    "fonttools",
    "plotly",
    "snakemake",
)

# Config keys that say only how the work is spread over processes and jobs (each tested to give the
# same files for any value): left out of the recorded config and its hash, so that one analysis run
# on a laptop or on a cluster carries one id and byte-identical figures.
EXECUTION_KEYS = {"corpus": ("workers",), "segment": ("workers", "shards"), "lda": ("fit_jobs",)}


# Inputs of rule record_run that provenance.json hashes (with the chosen K), and the role each is
# listed under there.  The corpus files ("documents") are not among them: their hashes come from the
# ledger (corpus_file_hashes), so that record_run does not list every corpus file a second time.
PROVENANCE_INPUTS = {
    "metadata": "metadata",
    "tables": "tables",
    "user_dictionaries": "user_dictionaries",
    "stopwords": "stopwords",
    "style": "style",
    "chosen_k": "chosen_k",
}


def analysis_config(config: Mapping) -> dict:
    """The resolved config without :data:`EXECUTION_KEYS` (a copy; ``config`` is not changed)."""
    kept = dict(config)
    for section, keys in EXECUTION_KEYS.items():
        if isinstance(kept.get(section), Mapping):
            kept[section] = {key: value for key, value in kept[section].items() if key not in keys}
    return kept


def config_digest(config: Mapping) -> str:
    """sha256 of the resolved :func:`analysis_config` as canonical JSON (sorted keys), the id figures
    point to."""
    canonical = json.dumps(
        analysis_config(config), sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def figure_stamp(config: Mapping) -> str:
    """The short provenance line written into every figure file's metadata."""
    return f"zhengfa-trends {package_version('zhengfa-trends')}; config sha256:{config_digest(config)[:16]}"


def package_version(name: str) -> str:
    """Installed version of a distribution, or ``"not installed"``."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def file_sha256(path: str | Path) -> str:
    """sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def corpus_file_hashes(files: Sequence[str | Path], ledger) -> dict[str, str]:
    """sha256 of every corpus file, by path: the ingest's own where it read the file.

    Parameters
    ----------
    files : paths
        The corpus folder's readable files (:func:`zhengfa_trends.files.readable_corpus_files`).
    ledger : pandas.DataFrame
        documents.tsv: its ``sha256`` is the hash of the bytes the ingest read, by ``file`` name.
        Files the ingest did not read (not text, old Office formats) are hashed here.

    Returns
    -------
    dict of path → sha256, sorted by path
    """
    names, digests = (ledger[column].fillna("").astype(str) for column in ("file", "sha256"))
    recorded = {name: digest for name, digest in zip(names, digests, strict=True) if name and digest}
    return {path: recorded.get(Path(path).name) or file_sha256(path) for path in sorted(map(str, files))}


def latest_included_date(dates: Sequence[str]) -> str | None:
    """The latest of the included documents' dates, as a full date (a year or month: its last day).

    ``corpus.max_date`` set to it dates the corpus on any later day as the run did (a document
    dated later than it was left out as ``bad_date``, or did not exist); unlike the run's own date
    it depends on the corpus only, so two runs on different days write the same provenance.
    """
    ends = []
    for text in dates:
        parts = str(text).strip().split("-")
        if not parts[0].isdigit() or len(parts[0]) != 4:
            continue
        year = int(parts[0])
        if len(parts) == 1:
            ends.append(date(year, 12, 31))
        elif len(parts) == 2:
            month = int(parts[1])
            ends.append(date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1))
        else:
            ends.append(date(year, int(parts[1]), int(parts[2])))
    return max(ends).isoformat() if ends else None


def build_provenance(
    inputs: Mapping[str, Sequence[str]], config: Mapping, chosen_k: int, latest_date: str | None = None
) -> dict:
    """Everything needed to say what produced a run's results.

    Parameters
    ----------
    inputs : mapping of role → file paths, or → {path: sha256} for files hashed already
        e.g. ``documents`` (every corpus file: :func:`corpus_file_hashes`), ``metadata``,
        ``user_dictionaries``, ``stopwords``, ``style``; each path is hashed.
    config : mapping
        The resolved config.
    chosen_k : int
    latest_date : str, optional
        :func:`latest_included_date` of the ledger (recorded when ``corpus.max_date`` is not set).

    Returns
    -------
    dict (JSON-serialisable; paths as given, so that clones in other folders agree)
    """
    return {
        "config": analysis_config(config),
        "config_sha256": config_digest(config),
        "seeds": {
            "lda": list(config.get("lda", {}).get("seeds", [])),
            "lda_split": config.get("lda", {}).get("split_seed"),
            "bootstrap": config.get("trends", {}).get("seed"),
        },
        "chosen_k": int(chosen_k),
        # corpus.max_date, else the latest included document's date (latest_included_date): set
        # corpus.max_date to it to have a rerun on a later day date the corpus the same way.  Not the
        # run's own date: that would make two runs on different days differ.
        "max_date": config.get("corpus", {}).get("max_date") or latest_date,
        "inputs": {
            role: (
                dict(sorted(paths.items()))
                if isinstance(paths, Mapping)
                else {str(path): file_sha256(path) for path in sorted(map(str, paths))}
            )
            for role, paths in inputs.items()
        },
        "versions": {
            "python": platform.python_version(),
            **{name: package_version(name) for name in TRACKED_PACKAGES},
        },
    }
