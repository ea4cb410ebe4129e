"""Bad configurations name the offending key; config values that select nothing say so clearly.

Fast: ``config_errors`` on the shipped config/config.yaml with one change each (no Snakemake run).
"""

from __future__ import annotations

import copy
import logging
from pathlib import Path

import pandas as pd
import pytest
import yaml

from zhengfa_trends.config import ConfigError, check_config, config_errors, defaults, ingest_options
from zhengfa_trends.ingest import CorpusError
from zhengfa_trends.io import read_tokens, read_tsv, write_tsv
from zhengfa_trends.log import run_script
from zhengfa_trends.steps import ingest_step, theme_trends_table

REPO = Path(__file__).resolve().parents[1]
SCHEMA = REPO / "workflow" / "schemas" / "config.schema.yaml"
CORPUS = REPO / "data" / "corpus"


@pytest.fixture(scope="module")
def shipped_config() -> dict:
    return yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))


def _changed(config: dict, dotted: str, value) -> dict:
    """A deep copy of ``config`` with the key ``a.b.c`` set to ``value``."""
    changed = copy.deepcopy(config)
    *parents, last = dotted.split(".")
    node = changed
    for key in parents:
        node = node.setdefault(key, {})
    node[last] = value
    return changed


def test_shipped_config_is_valid(shipped_config):
    assert config_errors(shipped_config, SCHEMA) == []


@pytest.mark.parametrize(
    ("dotted", "value", "key", "says"),
    [
        # unknown keys, at the top and inside a section
        ("colour", "red", "colour", "is not allowed"),
        ("lda.topics", 5, "lda.topics", "allowed here: "),
        ("corpus.folder", "x", "corpus.folder", "allowed here: "),
        # wrong types
        ("lda.k", "four", "lda.k", "does not match '^auto$'"),
        ("lda.k", 4, "lda.k", "is not of type 'array', 'string'"),
        ("lda.passes", "many", "lda.passes", "is not of type 'integer'"),
        ("corpus.min_year", "1978", "corpus.min_year", "is not of type 'integer'"),
        ("trends.level", 95, "trends.level", "maximum"),
        ("corpus.years", [2021], "corpus.years", ""),
        # numbers of topics below 2
        ("lda.k", [0, 4], "lda.k.0", "minimum of 2"),
        ("lda.k", [4, 1], "lda.k.1", "minimum of 2"),
        # near-duplicate threshold out of range or of the wrong type
        ("corpus.near_duplicate_threshold", 1.5, "corpus.near_duplicate_threshold", "maximum of 1"),
        ("corpus.near_duplicate_threshold", "high", "corpus.near_duplicate_threshold", "'number'"),
        # a theme without keywords
        ("themes.数字政法", [], "themes.数字政法", "should be non-empty"),
    ],
)
def test_one_bad_value_gives_a_message_naming_the_key(shipped_config, dotted, value, key, says):
    errors = config_errors(_changed(shipped_config, dotted, value), SCHEMA)
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"config key '{key}'")
    assert says in errors[0]
    assert "\n" not in errors[0]


def test_chosen_k_must_be_one_of_the_fitted_ks(shipped_config):
    listed = _changed(shipped_config, "lda.k", [3, 4, 5])
    not_fitted = 6
    config = _changed(listed, "lda.chosen_k", not_fitted)
    errors = config_errors(config, SCHEMA)
    assert errors == [
        f"config key 'lda.chosen_k' is {not_fitted}, which is not one of lda.k {config['lda']['k']}"
    ]
    with pytest.raises(ConfigError, match=r"^config key 'lda\.chosen_k' is "):
        check_config(config, SCHEMA)
    # With lda.k: auto the fixed K is added to the automatic grid.
    assert shipped_config["lda"]["k"] == "auto"
    assert config_errors(_changed(shipped_config, "lda.chosen_k", 6), SCHEMA) == []


# --- values that are valid but select nothing ------------------------------------------------------


def test_theme_whose_keywords_never_occur_is_tracked_as_zeros_with_a_warning(tmp_path, caplog):
    tokens = pd.DataFrame(
        {
            "doc_id": ["a", "a", "b", "c"],
            "passage_no": [0, 1, 0, 0],
            "year": [2021, 2021, 2022, 2023],
            "n_tokens": [4, 3, 3, 2],
            "tokens": [
                "数字政法 平安建设 法治 改革",
                "枫桥经验 基层治理 改革",
                "数字政法 大数据 改革",
                "平安建设 改革",
            ],
        }
    )
    write_tsv(tokens, tmp_path / "tokens.tsv")
    themes = {"数字政法": ["数字政法", "大数据"], "元宇宙": ["元宇宙", "量子计算"]}
    with caplog.at_level(logging.WARNING, logger="zhengfa_trends"):
        shares = theme_trends_table(
            read_tokens(tmp_path / "tokens.tsv"), themes, {**defaults()["trends"], "bootstrap": 20}
        )
    unused = shares[shares["theme"] == "元宇宙"]
    assert unused["year"].tolist() == [2021, 2022, 2023]
    assert (unused["share"] == 0).all()
    assert (unused["n_hits"] == 0).all()
    assert (shares.loc[shares["theme"] == "数字政法", "n_hits"].sum()) == 3
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("元宇宙" in w and "tracked as zeros" in w for w in warnings)
    assert not any("数字政法" in w for w in warnings)


def test_years_filter_selecting_nothing_is_a_clear_corpus_error(tmp_path):
    options = {**ingest_options(defaults()), "years": [1990, 1995]}
    outputs = (tmp_path / "documents.tsv", tmp_path / "passages.tsv")
    with pytest.raises(CorpusError) as caught:
        ingest_step(CORPUS, CORPUS / "metadata.tsv", *outputs, options)
    message = str(caught.value)
    assert "\n" not in message
    assert "5 year_filtered" in message
    assert "corpus.years [1990, 1995] excludes every dated document (their years: 2021-2026)" in message
    assert "widen corpus.years or set it to []" in message
    # as a workflow step: one line on stderr, exit code 1, no traceback
    with pytest.raises(SystemExit) as stopped:
        run_script(
            tmp_path / "ingest.log", lambda: ingest_step(CORPUS, CORPUS / "metadata.tsv", *outputs, options)
        )
    assert stopped.value.code == f"zhengfa-trends: {message}"
    assert not outputs[0].exists()


def test_metadata_path_naming_no_file_is_a_warning_not_an_error(tmp_path, caplog):
    outputs = (tmp_path / "documents.tsv", tmp_path / "passages.tsv")
    with caplog.at_level(logging.WARNING, logger="zhengfa_trends"):
        ingest_step(CORPUS, tmp_path / "no_such_metadata.tsv", *outputs, ingest_options(defaults()))
    assert any("no_such_metadata.tsv not found" in r.getMessage() for r in caplog.records)
    documents = read_tsv(outputs[0], dtype={"doc_id": str})
    # without metadata.tsv, 003 has no date and the metadata file itself is listed as not text
    assert documents.set_index("doc_id")["reason"].to_dict()["003_98d6ae57023eedb6"] == "no_date"
    assert documents.set_index("doc_id")["reason"].to_dict()["metadata"] == "not_text"


@pytest.mark.parametrize(
    ("ks", "says"),
    [
        ([3, 3], "config key 'lda.k' lists 3 more than once: give each K once"),
        ([4, 1000], "config key 'lda.k' has 1000: at most 200 topics"),
    ],
)
def test_repeated_or_absurd_numbers_of_topics_stop_with_one_line(shipped_config, ks, says):
    config = _changed(shipped_config, "lda.k", ks)
    config["lda"].pop("chosen_k", None)
    assert config_errors(config, SCHEMA) == [says]


def test_more_topics_than_the_passages_carry_stop_the_fit_naming_lda_k(tmp_path):
    from zhengfa_trends.steps import lda_step

    tokens = pd.DataFrame(
        {
            "doc_id": [f"d{i}" for i in range(12)],
            "passage_no": [0] * 12,
            "year": [2021, 2022, 2023] * 4,
            "n_tokens": [3] * 12,
            "tokens": ["政法 改革 建设"] * 12,
        }
    )
    write_tsv(tokens, tmp_path / "tokens.tsv")
    options = {**defaults()["lda"], "mode": "refit"}
    with pytest.raises(ConfigError) as error:
        lda_step(tmp_path / "tokens.tsv", tmp_path / "documents.tsv", 3, [1], {}, options)
    assert str(error.value) == (
        "config key 'lda.k' has 3, too many topics for 12 passages (at most 2: "
        "lda.min_passages_per_topic is 5); choose smaller K"
    )
