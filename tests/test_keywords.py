"""Tests of zhengfa_trends.keywords and the keyword counting of the theme tables."""

from __future__ import annotations

import logging

import pandas as pd
import pytest

from zhengfa_trends.config import defaults
from zhengfa_trends.keywords import KeywordError, KeywordMatcher, normalise_keyword, normalise_themes
from zhengfa_trends.steps import theme_tables
from zhengfa_trends.trends import KEYWORD_HIT_COLUMNS, count_theme_hits, theme_share_by_year

THEMES = {"法治": ["依法治国", "法治"], "数字": ["数字政法", "大数据"]}
TRENDS = {**defaults()["trends"], "bootstrap": 0}


def _tokens(rows):
    frame = pd.DataFrame(rows, columns=["doc_id", "year", "tokens"])
    frame["passage_no"] = frame.groupby("doc_id").cumcount()
    frame["n_tokens"] = frame["tokens"].str.split().str.len()
    return frame


TOKENS = _tokens(
    [
        ("a", 2020, "全面依法治国 法治建设 改革"),
        ("a", 2020, "依法治国 法治 数字政法"),
        ("b", 2021, "大数据平台 法治化 建设"),
        ("c", 2021, "改革 建设"),
    ]
)


def test_a_token_counts_once_for_the_longest_keyword_it_contains():
    matcher = KeywordMatcher(["依法治国", "法治", "数字政法"], "contains")
    assert matcher.match("全面依法治国") == 0  # 依法治国, not also 法治
    assert matcher.match("法治建设") == 1
    assert matcher.match("依法治国") == 0
    assert matcher.match("改革") == -1
    rows, numbers, words = matcher.occurrences(["全面依法治国 法治建设 改革", "数字政法"])
    assert rows.tolist() == [0, 0, 1]
    assert numbers.tolist() == [0, 1, 2]
    assert words == ["全面依法治国", "法治建设", "数字政法"]


def test_equal_length_keywords_go_to_the_one_listed_first():
    assert KeywordMatcher(["治国", "依法"], "contains").match("依法治国") == 0
    assert KeywordMatcher(["依法", "治国"], "contains").match("依法治国") == 0


def test_token_mode_counts_whole_tokens_only():
    matcher = KeywordMatcher(["依法治国", "法治"], "token")
    assert [matcher.match(t) for t in ["全面依法治国", "法治建设", "法治", "依法治国"]] == [-1, -1, 1, 0]


def test_theme_hits_in_both_modes():
    contains = count_theme_hits(TOKENS["tokens"], THEMES, "contains")
    assert contains.to_dict("list") == {"法治": [2, 2, 1, 0], "数字": [0, 1, 1, 0]}
    token = count_theme_hits(TOKENS["tokens"], THEMES, "token")
    assert token.to_dict("list") == {"法治": [0, 2, 0, 0], "数字": [0, 1, 0, 0]}


def test_shares_count_keywords_inside_longer_tokens():
    table = theme_share_by_year(TOKENS, THEMES, keyword_match="contains", n_boot=0).set_index(
        ["theme", "year"]
    )
    assert table.loc[("法治", 2020), "n_hits"] == 4
    assert table.loc[("法治", 2020), "share"] == pytest.approx(4 / 6 * 1000)
    assert table.loc[("数字", 2021), "n_hits"] == 1


def test_keyword_hits_table_and_one_warning_for_keywords_that_never_occur(caplog):
    themes = {"法治": ["依法治国", "法治", "良法善治"], "数字": ["数字政法", "区块链"]}
    with caplog.at_level(logging.WARNING, logger="zhengfa_trends"):
        shares, hits = theme_tables(TOKENS, themes, TRENDS)
    assert list(hits.columns) == KEYWORD_HIT_COLUMNS
    assert len(hits) == 5 * 2  # every keyword of every theme, for each year with data
    by_key = hits.set_index(["theme", "keyword", "year"])["hits"]
    assert by_key[("法治", "依法治国", 2020)] == 2
    assert by_key[("法治", "法治", 2020)] == 2
    assert by_key[("法治", "法治", 2021)] == 1
    assert by_key[("法治", "良法善治", 2021)] == 0
    assert by_key[("数字", "数字政法", 2020)] == 1
    assert hits["theme"].drop_duplicates().tolist() == ["法治", "数字"]
    warnings = [r.getMessage() for r in caplog.records if "never occur" in r.getMessage()]
    assert warnings == [
        "2 theme keywords never occur in the corpus (keyword_match: contains): 良法善治, 区块链"
    ]
    assert shares.groupby("theme", sort=False)["n_hits"].sum().to_dict() == {"法治": 5, "数字": 1}


def test_keywords_are_normalised_before_use():
    assert normalise_keyword(" 数字 政法\u3000") == "数字政法"
    assert normalise_keyword("ＡＩ监管") == "AI监管"
    assert normalise_themes({"数字": ["数字 政法", "数字政法", "大数据"]}) == {"数字": ["数字政法", "大数据"]}
    with pytest.raises(KeywordError, match="themes.数字"):
        normalise_themes({"数字": ["数字政法", " \u3000"]})
    shares, hits = theme_tables(TOKENS, {"数字": ["数字 政法"]}, TRENDS)
    assert hits["keyword"].unique().tolist() == ["数字政法"]
    assert shares["n_hits"].sum() == 1
