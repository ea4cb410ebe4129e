"""Keyword suggestions from a seeded Word2Vec: content and byte-identical reruns."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

import pandas as pd
import pytest

from zhengfa_trends.io import write_tsv
from zhengfa_trends.suggest import SUGGESTION_COLUMNS, SuggestionSettings, theme_suggestions

THEMES = {"数字": ["数字政法", "大数据"], "基层": ["网格员"]}
SETTINGS = SuggestionSettings(n_terms=5, vector_size=16, min_count=2, epochs=5)


def _tokens() -> pd.DataFrame:
    rows = []
    for i in range(60):
        year = 2020 + i % 3
        rows.append((year, "数字政法 大数据 平台 数据共享 智慧法院建设 信息化 改革"))
        rows.append((year, "网格员 调解 矛盾 社区 走访 平安 改革"))
    return pd.DataFrame(rows, columns=["year", "tokens"])


def test_suggestions_are_new_terms_with_yearly_frequencies():
    table = theme_suggestions(_tokens(), THEMES, "contains", SETTINGS)
    assert list(table.columns) == SUGGESTION_COLUMNS
    assert table["theme"].drop_duplicates().tolist() == ["数字", "基层"]
    terms = table.drop_duplicates(["theme", "term"])
    assert terms.groupby("theme", sort=False).size().to_dict() == {"数字": 5, "基层": 5}
    keywords = {w for words in THEMES.values() for w in words}
    assert not set(terms["term"]) & keywords
    assert table["year"].drop_duplicates().tolist() == [2020, 2021, 2022]
    assert (table.groupby(["theme", "term"])["freq"].sum() > 0).all()
    assert table.loc[table["term"] == "改革", "freq"].unique().tolist() == [40]
    # A token that already counts for a keyword (contains mode) is measured, not suggested.
    blocked = theme_suggestions(_tokens(), {"数字": ["数字政法", "法院"]}, "contains", SETTINGS)
    assert "智慧法院建设" not in set(blocked["term"])


def test_negative_sampling_is_a_setting_and_hierarchical_softmax_the_default():
    assert SuggestionSettings().negative == 0
    softmax = theme_suggestions(_tokens(), THEMES, "contains", SETTINGS)
    sampled = theme_suggestions(_tokens(), THEMES, "contains", dataclasses.replace(SETTINGS, negative=5))
    # Other vectors, the same shape of table.
    assert not softmax["similarity"].equals(sampled["similarity"])
    assert sampled.drop_duplicates(["theme", "term"]).groupby("theme").size().tolist() == [5, 5]


@pytest.mark.parametrize("negative", [0, 5])
def test_suggestions_are_byte_identical_across_processes(tmp_path, negative):
    write_tsv(_tokens(), tmp_path / "tokens.tsv")
    script = (
        "import sys, pandas as pd\n"
        "from zhengfa_trends.io import write_tsv\n"
        "from zhengfa_trends.suggest import SuggestionSettings, theme_suggestions\n"
        "tokens = pd.read_csv(sys.argv[1], sep='\\t')\n"
        f"settings = SuggestionSettings(n_terms=5, vector_size=16, min_count=2, epochs=5, negative={negative})\n"
        "write_tsv(theme_suggestions(tokens, {'数字': ['数字政法', '大数据'], '基层': ['网格员']}, 'contains', settings), sys.argv[2])\n"
    )
    outputs = []
    for run, hash_seed in enumerate(("1", "2")):
        out = tmp_path / f"suggestions_{run}.tsv"
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        subprocess.run(
            [sys.executable, "-c", script, str(tmp_path / "tokens.tsv"), str(out)], check=True, env=env
        )
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert outputs[0].count(b"\n") == 1 + 10 * 3
