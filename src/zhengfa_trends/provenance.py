"""Provenance: what went into a run (input hashes, resolved config, seeds, versions)."""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Mapping, Sequence
from datetime import date
from importlib import metadata
from pathlib import Path

# Distributions whose versions decide the numbers and the figures.
TRACKED_PACKAGES = (
    "zhengfa-trends",
    "jieba",
    "gensim",
    "scikit-learn",
    "numpy",
    "scipy",
    "pandas",
    "matplotlib",
    "opencc",
    "mplfonts",
    "snakemake",
)


# Inputs of rule record_run that provenance.json hashes (with the chosen K), and the role each is
# listed under there (the corpus files are "documents", as in every provenance.json so far).
PROVENANCE_INPUTS = {
    "corpus_files": "documents",
    "metadata": "metadata",
    "tables": "tables",
    "user_dictionaries": "user_dictionaries",
    "stopwords": "stopwords",
    "style": "style",
    "chosen_k": "chosen_k",
}


def config_digest(config: Mapping) -> str:
    """sha256 of the resolved config as canonical JSON (sorted keys), the id figures point to."""
    canonical = json.dumps(config, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
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


def build_provenance(inputs: Mapping[str, Sequence[str]], config: Mapping, chosen_k: int) -> dict:
    """Everything needed to say what produced a run's results.

    Parameters
    ----------
    inputs : mapping of role → file paths
        e.g. ``documents`` (every corpus file), ``metadata``, ``user_dictionaries``, ``stopwords``,
        ``style``; each file is hashed.
    config : mapping
        The resolved config.
    chosen_k : int

    Returns
    -------
    dict (JSON-serialisable; paths as given, so that clones in other folders agree)
    """
    return {
        "config": config,
        "config_sha256": config_digest(config),
        "seeds": {
            "lda": list(config.get("lda", {}).get("seeds", [])),
            "lda_split": config.get("lda", {}).get("split_seed"),
            "bootstrap": config.get("trends", {}).get("seed"),
        },
        "chosen_k": int(chosen_k),
        # the latest acceptable publication date the run used (corpus.max_date, else the run's date):
        # set corpus.max_date to it to have a rerun on a later day date the corpus the same way
        "max_date": config.get("corpus", {}).get("max_date") or date.today().isoformat(),
        "inputs": {
            role: {str(path): file_sha256(path) for path in sorted(map(str, paths))}
            for role, paths in inputs.items()
        },
        "versions": {
            "python": platform.python_version(),
            **{name: package_version(name) for name in TRACKED_PACKAGES},
        },
    }
