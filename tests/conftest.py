"""Shared, session-scoped fixtures: the default corpus ingested once and segmented once."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from zhengfa_trends.config import default
from zhengfa_trends.ingest import IngestOptions, IngestResult, ingest_corpus
from zhengfa_trends.tokenize import SegmenterSettings, read_user_dictionary, read_word_list, segment_texts

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session", autouse=True)
def machine_slurm_conf():
    """Run every test with ``SLURM_CONF`` pointing at an empty file; yields the machine's value.

    The SLURM executor plugin (the ``slurm`` extra, which .ci/run installs) runs ``scontrol show
    config`` whenever Snakemake starts, also for a local run, to word one of its option's help text.
    Where SLURM's commands are installed but no controller answers (slurm-wlm on this kind of test
    machine before the slurm tests start the local cluster, or after they stop it), scontrol retries
    for about 9 s, and the plugin waits for it (10 s limit): every Snakemake start of the suite paid
    that. With an empty configuration scontrol stops at once, and the plugin carries on as it does
    without an answer. Only tests/test_slurm.py talks to a cluster; it puts the machine's value
    (``None``: unset) back for its own module.
    """
    before = os.environ.get("SLURM_CONF")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SLURM_CONF", os.devnull)
        yield before


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root (the folder holding ``pyproject.toml``)."""
    assert (REPO_ROOT / "pyproject.toml").is_file()
    return REPO_ROOT


@pytest.fixture(scope="session")
def corpus_dir(repo_root: Path) -> Path:
    return repo_root / "data" / "corpus"


@pytest.fixture(scope="session")
def dictionaries_dir(repo_root: Path) -> Path:
    return repo_root / "data" / "dictionaries"


@pytest.fixture(scope="session")
def default_ingest(corpus_dir: Path) -> IngestResult:
    """The default corpus ingested with its metadata.tsv and default options."""
    return ingest_corpus(corpus_dir, corpus_dir / "metadata.tsv", IngestOptions(), workers=1, cache_dir=None)


@pytest.fixture(scope="session")
def segmenter_settings(dictionaries_dir: Path) -> SegmenterSettings:
    """The 政法 user dictionary and both stopword lists."""
    return SegmenterSettings(
        user_dictionary=read_user_dictionary([dictionaries_dir / "zhengfa_userdict.txt"]),
        stopwords=frozenset(
            read_word_list(
                [dictionaries_dir / "stopwords_zh.txt", dictionaries_dir / "stopwords_zhengfa.txt"]
            )
        ),
    )


@pytest.fixture(scope="session")
def default_tokens(default_ingest: IngestResult, segmenter_settings: SegmenterSettings) -> pd.DataFrame:
    """Passages of the default corpus with ``n_tokens`` and space-joined ``tokens``."""
    passages = default_ingest.passages.reset_index(drop=True)
    tokens = segment_texts(
        passages["text"].tolist(), segmenter_settings, workers=1, chunk_chars=default("segment.chunk_chars")
    )
    return passages.assign(n_tokens=[len(t.split()) for t in tokens], tokens=tokens)


@pytest.fixture(scope="session")
def finished_run(tmp_path_factory) -> Path:
    """The tiny workflow project of test_workflow after one complete run.

    Shared by the workflow tests of several modules (one run instead of one each): copy it to
    change it.
    """
    from test_workflow import _project_copy, _snakemake

    project = _project_copy(tmp_path_factory.mktemp("workflow"))
    result = _snakemake(project)
    assert result.returncode == 0, result.stderr[-3000:]
    return project
