"""One home for every default: the config schema; config.yaml and the option dataclasses follow it."""

from __future__ import annotations

import dataclasses

import yaml

from zhengfa_trends.config import default, defaults
from zhengfa_trends.explorer.data import ExplorerOptions
from zhengfa_trends.ingest import IngestOptions
from zhengfa_trends.suggest import SuggestionSettings
from zhengfa_trends.tokenize import SegmenterSettings
from zhengfa_trends.topics import LdaSettings

# config.yaml points at the bundled corpus's metadata; the schema's default is "no metadata file".
CONFIG_YAML_DIFFERS = {"corpus.metadata"}


def _leaves(tree: dict, prefix: str = ""):
    for key, value in tree.items():
        if isinstance(value, dict) and value:
            yield from _leaves(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def test_config_yaml_states_every_schema_default_with_the_same_value(repo_root):
    config = yaml.safe_load((repo_root / "config" / "config.yaml").read_text(encoding="utf-8"))
    for key, value in _leaves(defaults()):
        if key in CONFIG_YAML_DIFFERS:
            continue
        node = config
        for part in key.split("."):
            if node == {}:
                break  # a section stated as {} takes the schema's defaults inside it
            assert part in node, f"config.yaml lacks {key}"
            node = node[part]
        else:
            assert node == value, key


def test_option_dataclasses_take_their_defaults_from_the_schema():
    options = IngestOptions()
    assert options.min_year == default("corpus.min_year")
    assert options.max_chars == default("passages.max_chars")
    assert options.years is None and default("corpus.years") == []
    assert options.boilerplate_min_docs == default("clean.boilerplate.min_docs")
    assert SegmenterSettings().engine == default("segment.engine")
    assert LdaSettings() == LdaSettings.from_config(defaults()["lda"])
    assert LdaSettings().max_train_passages == default("lda.max_train_passages")
    assert ExplorerOptions() == ExplorerOptions.from_config(defaults()["explorer"])
    assert SuggestionSettings() == SuggestionSettings(**defaults()["suggestions"])
    assert SuggestionSettings().max_passages == default("suggestions.max_passages")


def test_a_field_default_follows_a_changed_schema_default(monkeypatch):
    from zhengfa_trends import config

    changed = defaults()
    changed["passages"]["max_chars"] = 123
    monkeypatch.setattr(config, "_all_defaults", lambda: changed)
    assert IngestOptions().max_chars == 123
    assert dataclasses.replace(IngestOptions(), min_chars=7).max_chars == 123


def test_defaults_are_a_fresh_copy_and_unknown_keys_say_so():
    first = defaults()
    first["lda"]["passes"] = -1
    assert defaults()["lda"]["passes"] == default("lda.passes") > 0
    assert defaults()["corpus"]["dir"] is None  # data/corpus unless a table is given (files.corpus_folder)
    assert "themes" not in defaults()  # no default: the user's
    assert default("lda.k") == "auto"
