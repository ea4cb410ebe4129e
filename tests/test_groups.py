"""Periods (auto bins and explicit lists) and facets: tables computed by the yearly rules."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from zhengfa_trends import groups, trends
from zhengfa_trends.config import ConfigError, config_errors, default
from zhengfa_trends.groups import OTHER, UNKNOWN, Period

THEMES = {"数字": ["数字政法", "大数据"], "基层": ["枫桥经验", "网格化"]}


def _tokens(docs_per_year: dict[int, int], seed: int = 0) -> pd.DataFrame:
    """Two passages per document; 数字 words grow with the year, 基层 words stay flat."""
    rng = np.random.default_rng(seed)
    rows = []
    for year, n_docs in docs_per_year.items():
        for d in range(n_docs):
            doc_id = f"{year}_{d:02d}"
            for passage_no in range(2):
                words = ["工作"] * 20 + ["数字政法"] * int(rng.integers(0, 3) + (year - 1950) // 20)
                words += ["枫桥经验"] * int(rng.integers(0, 3))
                rows.append(
                    {
                        "doc_id": doc_id,
                        "passage_no": passage_no,
                        "year": year,
                        "n_tokens": len(words),
                        "tokens": " ".join(words),
                    }
                )
    return pd.DataFrame(rows)


def test_auto_periods_are_contiguous_with_about_equal_documents_and_at_most_eight():
    rng = np.random.default_rng(1)
    docs = {year: int(rng.integers(1, 41)) for year in range(1954, 2024) if year not in (1960, 1961, 1999)}
    doc_years = [year for year, n in docs.items() for _ in range(n)]
    periods = groups.auto_periods(doc_years, min_docs=3)
    assert len(periods) == 8
    assert periods[0].first == 1954 and periods[-1].last == 2023
    for before, after in zip(periods, periods[1:], strict=False):
        assert after.first == before.last + 1  # contiguous, gaps included
    counts = groups.periods_table(periods, doc_years)["n_docs"]
    assert counts.sum() == len(doc_years)
    ideal = len(doc_years) / 8
    # a year is never split, so a period is off by at most about one year's documents
    assert (abs(counts - ideal) <= 40).all()
    assert periods[0].label == f"1954–{periods[0].last}"


def test_auto_periods_never_leave_a_period_below_min_docs_when_there_are_few_documents():
    # five documents, one a year, min_docs 3: one period (two would leave one with two documents)
    periods = groups.auto_periods([2021, 2022, 2023, 2024, 2026], min_docs=3)
    assert periods == [Period(2021, 2026, "2021–2026")]
    # seven documents in one year: one period of that year
    assert groups.auto_periods([2024] * 7, min_docs=1) == [Period(2024, 2024, "2024")]
    assert groups.auto_periods([], min_docs=3) == []


def test_explicit_periods_keep_their_labels_and_bad_lists_name_the_key():
    periods = groups.explicit_periods([[2016, 2020, "十三五"], [2011, 2015, "十二五"], [2021, 2025]])
    assert [p.label for p in periods] == ["十二五", "十三五", "2021–2025"]
    with pytest.raises(ConfigError, match=r"trends.periods\[0\]': first year 2020 is after last year 2016"):
        groups.explicit_periods([[2020, 2016, "x"]])
    with pytest.raises(ConfigError, match="十二五 .*十三五.* overlap"):
        groups.explicit_periods([[2011, 2016, "十二五"], [2016, 2020, "十三五"]])
    assert groups.resolve_periods(None, [2021], min_docs=3) is None


def test_period_shares_are_the_yearly_rule_applied_to_the_pooled_years():
    tokens = _tokens({2011: 2, 2013: 3, 2016: 4, 2020: 1})
    periods = groups.explicit_periods([[2011, 2015, "十二五"], [2016, 2020, "十三五"]])
    options = {"n_boot": 200, "seed": 5, "level": 0.95, "min_docs": 3}
    table = groups.theme_share_by_period(tokens, THEMES, periods, per_tokens=1000, **options)
    assert list(table.columns[:4]) == ["theme", "period", "first", "last"]
    assert table["period"].tolist() == ["十二五", "十三五", "十二五", "十三五"]
    # the same numbers as the yearly function on a corpus where each period is one year
    pooled = tokens.assign(year=np.where(tokens["year"] <= 2015, 0, 1))
    expected = trends.theme_share_by_year(pooled, THEMES, per_tokens=1000, **options)
    for column in ("share", "ci_low", "ci_high", "n_docs", "n_hits", "small_n", "ci_unit"):
        assert table[column].tolist() == expected[column].tolist()
    # 十二五: 2 + 3 documents; 十三五: 4 + 1
    assert table.loc[table["theme"] == "数字", "n_docs"].tolist() == [5, 5]
    manual = tokens[tokens["year"] <= 2015]
    hits = manual["tokens"].str.split().map(lambda t: t.count("数字政法")).sum()
    assert table["share"].iloc[0] == round(1000 * hits / manual["n_tokens"].sum(), 6)


def test_documents_outside_every_period_are_left_out_with_a_warning(caplog):
    tokens = _tokens({2009: 2, 2012: 2})
    periods = groups.explicit_periods([[2011, 2015, "十二五"]])
    table = groups.theme_share_by_period(
        tokens, THEMES, periods, per_tokens=1000, n_boot=0, seed=0, level=0.95, min_docs=3
    )
    assert table["n_docs"].tolist() == [2, 2]
    assert "4 passages of 2 documents lie outside every period" in caplog.text


def test_period_term_tables_rank_terms_per_period():
    tokens = _tokens({2011: 2, 2016: 2})
    tokens.loc[tokens["year"] == 2016, "tokens"] += " 智慧法院 智慧法院 智慧法院"
    periods = groups.explicit_periods([[2011, 2015, "十二五"], [2016, 2020, "十三五"]])
    top = groups.top_terms_by_period(tokens, periods, n_terms=3)
    assert list(top.columns) == ["period", "first", "last", "rank", "term", "score"]
    assert "智慧法院" in top.loc[top["period"] == "十三五", "term"].tolist()
    keyness = groups.keyness_by_period(tokens, periods, min_freq=2, n_terms=5, min_g2=0.0)
    assert keyness.loc[keyness["period"] == "十三五", "term"].iloc[0] == "智慧法院"


def _ledger(values: dict[str, str | None]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"doc_id": d, "included": "yes", "source": v, "province": v} for d, v in values.items()]
        + [{"doc_id": "excluded", "included": "no", "source": "x", "province": "x"}]
    )


def test_facet_values_pool_small_values_as_other_and_missing_as_unknown():
    ledger = _ledger({"a": "北京市", "b": "北京市", "c": "上海市", "d": "上海市", "e": "天津市", "f": None})
    doc_facet, order = groups.facet_values(ledger, "province", min_docs=2, max_values=40)
    assert order == ["上海市", "北京市", OTHER, UNKNOWN]
    assert doc_facet == {"a": "北京市", "b": "北京市", "c": "上海市", "d": "上海市", "e": OTHER, "f": UNKNOWN}
    # at most max_values values: the largest kept
    _, order = groups.facet_values(ledger, "province", min_docs=1, max_values=1)
    assert order == ["上海市", OTHER, UNKNOWN]
    with pytest.raises(ConfigError, match="'region' is not a column of the ledger .*province"):
        groups.facet_values(ledger, "region", min_docs=1, max_values=40)


def test_facet_shares_per_value_are_the_yearly_rule_on_each_value_s_documents():
    tokens = _tokens({2020: 3, 2021: 4})
    values = {doc: ("甲" if int(doc[-2:]) % 2 == 0 else "乙") for doc in tokens["doc_id"].unique()}
    ledger = _ledger(values)
    doc_facet, order = groups.facet_values(ledger, "source", min_docs=1, max_values=40)
    options = {"per_tokens": 1000, "n_boot": 100, "seed": 1, "level": 0.95, "min_docs": 2}
    table = groups.theme_share_by_facet(tokens, THEMES, "source", doc_facet, order, **options)
    assert list(table.columns[:4]) == ["facet", "facet_value", "theme", "year"]
    assert set(table["facet_value"]) == {"甲", "乙"}
    mine = tokens[tokens["doc_id"].map(values) == "甲"]
    expected = trends.theme_share_by_year(mine, THEMES, **options)
    got = table[table["facet_value"] == "甲"].reset_index(drop=True)
    assert got["share"].tolist() == expected["share"].tolist()
    assert got["ci_high"].tolist() == expected["ci_high"].tolist()
    # per period instead of per year when periods are given
    periods = [Period(2020, 2021, "2020–2021")]
    by_period = groups.theme_share_by_facet(tokens, THEMES, "source", doc_facet, order, periods, **options)
    assert by_period["period"].unique().tolist() == ["2020–2021"]
    assert by_period.groupby("facet_value")["n_docs"].first().to_dict() == {"甲": 4, "乙": 3}


NO_BOOTSTRAP = {"n_boot": 0, "seed": 0, "level": 0.95, "min_docs": 3}  # shares only, no intervals


def test_topic_shares_by_facet_and_period():
    rows = []
    for i, (year, value) in enumerate([(2020, "甲"), (2020, "乙"), (2021, "甲"), (2021, "乙")]):
        for passage_no in range(2):
            rows.append(
                {
                    "doc_id": f"d{i}",
                    "passage_no": passage_no,
                    "year": year,
                    "n_tokens": 10,
                    "topic_0": 0.8 if value == "甲" else 0.2,
                    "topic_1": 0.2 if value == "甲" else 0.8,
                }
            )
    passage_topics = pd.DataFrame(rows)
    doc_facet = {"d0": "甲", "d1": "乙", "d2": "甲", "d3": "乙"}
    table = groups.topic_share_by_facet(
        passage_topics, 2, {0: "a", 1: "b"}, "source", doc_facet, ["甲", "乙"], **NO_BOOTSTRAP
    )
    first = table[(table["facet_value"] == "甲") & (table["topic"] == 0)]
    assert first["share"].tolist() == [0.8, 0.8]
    periods = groups.explicit_periods([[2020, 2021, "全"]])
    pooled = groups.topic_share_by_period(passage_topics, 2, {0: "a", 1: "b"}, periods, **NO_BOOTSTRAP)
    assert pooled["share"].tolist() == [0.5, 0.5]
    assert pooled["n_docs"].tolist() == [4, 4]


REPO = Path(__file__).resolve().parents[1]
SCHEMA = REPO / "workflow" / "schemas" / "config.schema.yaml"


@pytest.fixture(scope="module")
def shipped_config() -> dict:
    return yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("periods", "facet", "message"),
    [
        ("auto", "source", None),
        ([[2011, 2015, "十二五"], [2016, 2020]], None, None),
        (None, None, None),
        ("yearly", None, "config key 'trends.periods'"),
        ([[2011]], None, "config key 'trends.periods': [[2011]] is not valid"),
        (
            [[2016, 2011, "x"]],
            None,
            "config key 'trends.periods[0]': first year 2016 is after last year 2011",
        ),
        (
            [[2011, 2016, "a"], [2015, 2020, "b"]],
            None,
            "config key 'trends.periods': a (2011–2016) and b (2015–2020) overlap",
        ),
        (None, 3, "config key 'trends.facet'"),
    ],
)
def test_period_and_facet_config_is_checked_with_one_line_naming_the_key(
    shipped_config, periods, facet, message
):
    config = copy.deepcopy(shipped_config)
    config["trends"].update(periods=periods, facet=facet)
    errors = config_errors(config, SCHEMA)
    if message is None:
        assert errors == []
    else:
        assert len(errors) == 1 and errors[0].startswith(message), errors


def test_the_default_config_asks_for_no_period_or_facet_outputs(shipped_config):
    assert shipped_config["trends"]["periods"] is None
    assert shipped_config["trends"]["facet"] is None


PROVINCES = [
    "北京市",
    "天津市",
    "河北省",
    "山西省",
    "内蒙古自治区",
    "辽宁省",
    "吉林省",
    "黑龙江省",
    "上海市",
    "江苏省",
    "浙江省",
    "安徽省",
    "福建省",
    "江西省",
    "山东省",
    "河南省",
    "湖北省",
    "湖南省",
    "广东省",
    "广西壮族自治区",
    "海南省",
    "重庆市",
    "四川省",
    "贵州省",
    "云南省",
    "西藏自治区",
    "陕西省",
    "甘肃省",
    "青海省",
    "宁夏回族自治区",
    "新疆维吾尔自治区",
]


@pytest.fixture(scope="module")
def provincial_folder(tmp_path_factory) -> Path:
    """31 one-row CSVs shaped like ../shared/corpora/provincial_reports_2026 (generated here, not
    copied), converted to a corpus folder + metadata.tsv with source = province.

    corpus.table (issue 13) is not there yet to read the CSVs themselves; this conversion stands
    in for it, so the facet is exercised through the ledger's ``source`` column.
    """
    rng = np.random.default_rng(31)
    csv_dir = tmp_path_factory.mktemp("csv")
    for number, province in enumerate(PROVINCES):
        digital = "加快数字政法建设,推进大数据平台和智慧法院建设。" * int(rng.integers(0, 4))
        local = "坚持和发展新时代枫桥经验,推进矛盾纠纷多元化解。" * int(rng.integers(1, 4))
        text = (
            "下载 / 打印 / 全屏 / 收藏 【字号:加大 还原 减小】\n"
            f"2026年{province}政府工作报告\n——2026年2月{number % 27 + 1}日在{province}第十四届人民代表大会上\n"
            f"一、2025年工作回顾\n过去一年,{province}经济社会发展稳中有进。{digital}\n"
            f"二、2026年工作安排\n{local}全面推进法治政府建设,维护社会稳定。" * 2
        )
        row = pd.DataFrame(
            [
                {
                    "province": province,
                    "year": 2026,
                    "title": f"2026年{province}政府工作报告",
                    "source_url": f"https://example.org/{number}",
                    "publish_date": f"2026-02-{number % 27 + 1:02d}",
                    "full_text": text,
                }
            ]
        )
        row.to_csv(csv_dir / f"2026_{province}_政府工作报告.csv", index=False, encoding="utf-8-sig")
    folder = tmp_path_factory.mktemp("provincial")
    lines = ["doc_id\tdate\ttitle\tsource"]
    for path in sorted(csv_dir.glob("*.csv")):
        row = pd.read_csv(path, encoding="utf-8-sig").iloc[0]
        (folder / f"{path.stem}.txt").write_text(row["full_text"], encoding="utf-8")
        lines.append(f"{path.stem}\t{row['publish_date']}\t{row['title']}\t{row['province']}")
    (folder / "metadata.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_provincial_reports_get_one_facet_value_each_and_a_bar_figure(
    provincial_folder, segmenter_settings, repo_root, monkeypatch
):
    from zhengfa_trends import plotting
    from zhengfa_trends.ingest import IngestOptions, ingest_corpus
    from zhengfa_trends.plotting.checks import legibility_problems
    from zhengfa_trends.plotting.groups import plot_facet_trends
    from zhengfa_trends.tokenize import segment_texts

    result = ingest_corpus(
        provincial_folder, provincial_folder / "metadata.tsv", IngestOptions(), workers=1, cache_dir=None
    )
    ledger = result.documents
    assert (ledger["included"] == "yes").sum() == 31
    passages = result.passages.reset_index(drop=True)
    segmented = segment_texts(
        passages["text"].tolist(), segmenter_settings, workers=1, chunk_chars=default("segment.chunk_chars")
    )
    tokens = passages.assign(n_tokens=[len(t.split()) for t in segmented], tokens=segmented)
    doc_facet, order = groups.facet_values(ledger, "source", min_docs=1, max_values=40)
    assert sorted(order) == sorted(PROVINCES)  # one document each: nothing pooled at facet_min_docs 1
    options = {"per_tokens": 1000, "n_boot": 100, "seed": 1, "level": 0.95, "min_docs": 3}
    themes = {"数字政法": ["数字政法", "大数据平台", "智慧法院"], "基层治理": ["枫桥经验", "矛盾纠纷"]}
    table = groups.theme_share_by_facet(tokens, themes, "source", doc_facet, order, **options)
    assert len(table) == 31 * 2
    assert set(table["year"]) == {2026} and set(table["n_docs"]) == {1}
    assert set(table["ci_unit"]) == {"passages"} and table["small_n"].all()
    # with facet_min_docs 2 every province would be pooled: a single 其他 value
    assert groups.facet_values(ledger, "source", min_docs=2, max_values=40)[1] == [OTHER]
    monkeypatch.chdir(repo_root)
    with plotting.style_context("config/figures.mplstyle"):
        fig = plot_facet_trends(table, dpi=300)
        panels = [ax for ax in fig.axes if ax.get_visible()]
        assert len(panels) == 2
        assert [t.get_text() for t in panels[0].get_yticklabels()] == [f"{p} (1)" for p in order]
        assert legibility_problems(fig, 300) == []
