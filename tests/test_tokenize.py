"""Tests of zhengfa_trends.tokenize: user dictionary, stopwords, filters, isolation, parallel segmentation."""

from __future__ import annotations

import logging
import re

import jieba
import pytest

from zhengfa_trends.config import default
from zhengfa_trends.tokenize import (
    Segmenter,
    SegmenterSettings,
    read_user_dictionary,
    read_word_list,
    segment_texts,
)

# Sentence → the user-dictionary term it must yield whole.
TERM_SENTENCES = {
    "数字政法": "全面推进数字政法建设。",
    "科技手段现代化": "坚持以科技手段现代化为支撑。",
    "政法工作现代化": "奋力推进政法工作现代化。",
    "枫桥经验": "坚持和发展枫桥经验。",
    "综治中心": "建好用好综治中心。",
    "智慧法院": "加快建设智慧法院。",
}


@pytest.fixture(scope="module")
def segmenter(segmenter_settings):
    return Segmenter(segmenter_settings)


@pytest.fixture(scope="module")
def bare_segmenter():
    return Segmenter(SegmenterSettings())


@pytest.mark.parametrize(("term", "sentence"), TERM_SENTENCES.items())
def test_user_dictionary_terms_are_one_token(segmenter, term, sentence):
    assert term in segmenter.tokens(sentence)


def test_without_user_dictionary_terms_are_split(bare_segmenter):
    split = [term for term, sentence in TERM_SENTENCES.items() if term not in bare_segmenter.tokens(sentence)]
    assert len(split) >= 1
    assert bare_segmenter.raw_tokens("坚持以科技手段现代化为支撑。") == [
        "坚持",
        "以",
        "科技",
        "手段",
        "现代化",
        "为",
        "支撑",
        "。",
    ]


def test_filtered_tokens_of_a_sentence(segmenter):
    text = "我们的工作要推进,2021年全省共有20个综治中心,3000名干警,增长15.6%。"
    tokens = segmenter.tokens(text)
    assert tokens == ["全省", "共有", "综治中心", "干警", "增长"]  # 工作 is a 政法 stopword


def test_stopwords_single_characters_and_numbers_are_dropped(segmenter):
    raw = segmenter.raw_tokens("我们的工作要推进,2021年增长15.6%。")
    kept = segmenter.tokens("我们的工作要推进,2021年增长15.6%。")
    for token in ("的", "我们", "推进", "要", "年", "2021", "15.6%", ",", "。"):
        assert token in raw
        assert token not in kept
    assert segmenter.keep("的") is False
    assert segmenter.keep("我们") is False
    assert segmenter.keep("推进") is False
    assert segmenter.keep("法") is False
    assert segmenter.keep("2021") is False
    assert segmenter.keep("政法") is True


def test_min_chars_setting(segmenter_settings):
    settings = SegmenterSettings(user_dictionary=segmenter_settings.user_dictionary, min_chars=3)
    assert Segmenter(settings).tokens("奋力推进政法工作现代化。") == ["政法工作现代化"]


def test_non_han_filter_when_han_only_is_off():
    segmenter = Segmenter(SegmenterSettings(han_only=False))
    assert segmenter.keep("APP") is True
    assert segmenter.keep("2021") is False
    assert segmenter.keep("15.6%") is False
    assert segmenter.keep("——") is False
    assert Segmenter(SegmenterSettings()).keep("APP") is False


def test_global_jieba_tokenizer_is_untouched(segmenter):
    sentence = "推进科技手段现代化"
    assert "科技手段现代化" in segmenter.tokens(sentence)
    assert "科技手段现代化" not in jieba.lcut(sentence)
    assert "科技手段现代化" not in jieba.dt.FREQ
    # A second, bare segmenter built afterwards does not see the first one's dictionary either.
    assert "科技手段现代化" not in Segmenter(SegmenterSettings()).tokens(sentence)


def test_segment_texts_returns_space_joined_tokens(segmenter_settings):
    texts = ["全面推进数字政法建设。", "", "的"]
    assert segment_texts(
        texts, segmenter_settings, workers=1, chunk_chars=default("segment.chunk_chars")
    ) == ["数字政法 建设", "", ""]


def test_parallel_segmentation_equals_serial(default_tokens, segmenter_settings, caplog):
    texts = default_tokens["text"].tolist()
    with caplog.at_level(logging.INFO, logger="zhengfa_trends.tokenize"):
        parallel = segment_texts(texts, segmenter_settings, workers=2, chunk_chars=1500)
    assert any("on 2 workers" in message for message in caplog.messages)  # the pool really ran
    assert parallel == default_tokens["tokens"].tolist()


def test_read_user_dictionary_parses_entries(tmp_path):
    path = tmp_path / "dict.txt"
    path.write_text("# comment\n\n数字政法 200000 n\n枫桥经验 n\n综治中心 300\n智慧法院\n", encoding="utf-8")
    assert read_user_dictionary([path]) == [
        ("数字政法", 200000, "n"),
        ("枫桥经验", None, "n"),
        ("综治中心", 300, None),
        ("智慧法院", None, None),
    ]


def test_read_user_dictionary_names_file_and_line(tmp_path):
    path = tmp_path / "dict.txt"
    path.write_text("数字政法 200000 n\n# comment\n枫桥经验 many n\n", encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(f"{path}:3")):
        read_user_dictionary([path])


def test_read_word_list_skips_comments_and_blanks(tmp_path):
    first = tmp_path / "a.txt"
    second = tmp_path / "b.txt"
    first.write_text("# header\n的\n\n  我们  \n", encoding="utf-8")
    second.write_text("推进\n", encoding="utf-8")
    assert read_word_list([first, second]) == ["的", "我们", "推进"]


def test_default_dictionaries_load(segmenter_settings):
    words = [word for word, _, _ in segmenter_settings.user_dictionary]
    assert {"数字政法", "科技手段现代化", "枫桥经验", "综治中心", "智慧法院"} <= set(words)
    assert {"的", "我们", "推进"} <= segmenter_settings.stopwords


def test_traditional_document_tokens_have_no_latin(default_tokens):
    tokens = " ".join(default_tokens.loc[default_tokens["doc_id"].str.startswith("004_"), "tokens"])
    assert tokens
    assert re.search(r"[A-Za-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]", tokens) is None


def test_default_tokens_contain_user_terms(default_tokens):
    counts = default_tokens["tokens"].str.split().explode().value_counts()
    assert counts["政法工作现代化"] >= 10
    assert counts["数字政法"] == 2
    assert counts["科技手段现代化"] == 1
    assert (default_tokens["n_tokens"] == default_tokens["tokens"].str.split().str.len()).all()
