"""Tests of zhengfa_trends.clean: pinyin debris, script conversion, chrome lines, duplicates, passages."""

from __future__ import annotations

import pytest

from zhengfa_trends.clean import (
    clean_text,
    is_chrome_line,
    normalize_width,
    remove_pinyin_debris,
    split_passages,
    to_simplified,
)

# --- pinyin debris ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("網(wǎng)", "網"),
        ("發(fā)", "發"),
        ("甘肅政法網(wǎng) 今天是", "甘肅政法網 今天是"),
        ("踔厲奮發(fā)譜寫政法事業(yè)", "踔厲奮發譜寫政法事業"),
        ("社會穩(wěn)定", "社會穩定"),
        ("全省政法系統(tǒng)", "全省政法系統"),  # tone mark on a letter after a plain letter
        ("全面現（xiàn）代化", "全面現代化"),  # full-width parentheses
    ],
)
def test_remove_pinyin_debris_drops_pinyin_after_han(raw, expected):
    assert remove_pinyin_debris(raw) == expected


@pytest.mark.parametrize(
    "text",
    [
        "下载政法(APP)办理业务",  # upper-case acronym
        "北京(Beijing Olympics)",  # capitalised, spaced English gloss
        "智慧法院(smart courts)",  # spaced English
        "人工智能(intelligence)",  # longer than six letters
    ],
)
def test_remove_pinyin_debris_keeps_real_parenthesised_latin(text):
    assert remove_pinyin_debris(text) == text


def test_remove_pinyin_debris_needs_a_han_character_before():
    # Not after a Han character: kept even though it looks like pinyin.
    assert remove_pinyin_debris("2024(wǎng)") == "2024(wǎng)"
    assert remove_pinyin_debris("abc (fā)") == "abc (fā)"


# --- script and width ------------------------------------------------------------------------


def test_to_simplified_converts_traditional():
    assert to_simplified("發布時間") == "发布时间"
    assert to_simplified("甘肅政法網") == "甘肃政法网"


def test_to_simplified_leaves_simplified_text_alone():
    text = "推进政法工作现代化"
    assert to_simplified(text) == text


def test_normalize_width_makes_latin_and_digits_half_width_and_unifies_line_ends():
    assert normalize_width("２０２４年ＡＢＣ\r\n第二行\r第三行") == "2024年ABC\n第二行\n第三行"


# --- chrome lines ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "您的位置:",
        "首页 >> 政法要闻",
        "[ 来源: | 作者:admin | 发布时间:2024-01-24 | 浏览:1029次 ]",
        "|",
        "1",
        "本网站所有内容属《法治日报》所有,未经许可不得转载。",
        "嘉峪关市“12345”民生服务热线受理市民诉求。(嘉峪关市委政法委供图)",
        "本报记者 张倩 李洁",
        "□ 本报记者 余东明 张海燕",
        "新甘肃·甘肃日报记者 石丹丹",
        "责任编辑:孔令闻 发布时间:2022-12-15",
        "欢迎访问甘肃政法网 今天是 2024年12月28日 星期六",
        "   ",
    ],
)
def test_chrome_lines_are_recognised(line):
    assert is_chrome_line(line) is True


@pytest.mark.parametrize(
    "line",
    [
        "会议明确了2021年及“十四五”时期我省政法工作总体思路,并对今年重点工作作出具体部署。",
        "本报记者采访了多位基层干警,他们表示将继续推进数字政法建设。",
        "以政法工作现代化支撑和服务中国式现代化",
        "2021",  # a bare year is not a photo number
        "一、深刻理解政法工作现代化重大意义",
    ],
)
def test_body_lines_are_not_chrome(line):
    assert is_chrome_line(line) is False


# --- clean_text ------------------------------------------------------------------------------


def test_clean_text_drops_duplicated_paragraph_and_counts_it():
    raw = "标题一行\n\n第一段内容,推进政法工作现代化。\n第二段内容。\n第一段内容,推进政法工作现代化。\n"
    result = clean_text(raw)
    assert result.paragraphs == ("标题一行", "第一段内容,推进政法工作现代化。", "第二段内容。")
    assert result.duplicate_paragraphs == 1
    assert result.chrome_lines == 0


def test_clean_text_duplicate_detection_ignores_spacing_and_rails():
    raw = "|第一段 内容。|\n第一段内容。\n"
    result = clean_text(raw)
    assert result.paragraphs == ("第一段 内容。",)
    assert result.duplicate_paragraphs == 1


def test_clean_text_removes_and_counts_chrome_lines():
    raw = (
        "您的位置:\n\n首页 >> 政法要闻\n\n以政法工作现代化支撑和服务中国式现代化\n"
        "[ 来源: | 作者:admin | 发布时间:2024-01-24 | 浏览:1029次 ]\n"
        "政法改革是法治领域改革的重要组成部分。\n"
        "本网站所有内容属《法治日报》所有,未经许可不得转载。\n"
    )
    result = clean_text(raw)
    assert result.paragraphs == (
        "以政法工作现代化支撑和服务中国式现代化",
        "政法改革是法治领域改革的重要组成部分。",
    )
    assert result.chrome_lines == 4
    assert result.text == "以政法工作现代化支撑和服务中国式现代化\n政法改革是法治领域改革的重要组成部分。"


def test_clean_text_removes_debris_before_converting_script():
    # With the debris still in place OpenCC would see 發 and 布 apart; it must become 发布时间.
    result = clean_text("發(fā)布時間:2022-12-15\n社會穩(wěn)定是政法工作的基本任務。")
    assert result.paragraphs == ("发布时间:2022-12-15", "社会稳定是政法工作的基本任务。")


def test_clean_text_normalises_width_and_spaces():
    result = clean_text("　　全省　共有２０个\t综治中心。")
    assert result.paragraphs == ("全省 共有20个 综治中心。",)


def test_clean_text_opencc_none_keeps_traditional():
    assert clean_text("政法工作現代化", opencc_config="none").paragraphs == ("政法工作現代化",)


# --- split_passages --------------------------------------------------------------------------

S1 = "甲" * 9 + "。"  # 10 characters each
S2 = "乙" * 9 + "。"
S3 = "丙" * 9 + "。"


def test_split_passages_cuts_long_paragraph_at_sentence_ends():
    assert split_passages([S1 + S2 + S3], max_chars=25, min_chars=5) == [S1 + S2, S3]


def test_split_passages_every_passage_within_max_chars():
    paragraph = "".join(ch * 7 + "。" for ch in "甲乙丙丁戊己庚辛壬癸")  # 80 characters, 8 per sentence
    passages = split_passages([paragraph], max_chars=20, min_chars=1)
    assert passages == [
        "甲甲甲甲甲甲甲。乙乙乙乙乙乙乙。",
        "丙丙丙丙丙丙丙。丁丁丁丁丁丁丁。",
        "戊戊戊戊戊戊戊。己己己己己己己。",
        "庚庚庚庚庚庚庚。辛辛辛辛辛辛辛。",
        "壬壬壬壬壬壬壬。癸癸癸癸癸癸癸。",
    ]
    assert all(len(p) <= 20 for p in passages)
    assert "".join(passages) == paragraph


def test_split_passages_splits_on_semicolons_and_question_marks():
    paragraph = "甲甲甲甲甲甲甲甲;乙乙乙乙乙乙乙乙?丙丙丙丙丙丙丙丙!"
    assert split_passages([paragraph], max_chars=10, min_chars=1) == [
        "甲甲甲甲甲甲甲甲;",
        "乙乙乙乙乙乙乙乙?",
        "丙丙丙丙丙丙丙丙!",
    ]


def test_split_passages_keeps_overlong_sentence_whole():
    sentence = "甲" * 39 + "。"
    assert split_passages([sentence], max_chars=25, min_chars=5) == [sentence]


def test_split_passages_merges_short_heading_forward():
    heading = "一、深刻理解重大意义"
    body = "推进政法工作现代化是实现中国式现代化的必然要求,也是实现国家长治久安的必然要求。"
    assert split_passages([heading, body], max_chars=300, min_chars=20) == [heading + " " + body]


def test_split_passages_merges_consecutive_short_pieces_forward():
    body = "推进政法工作现代化是实现中国式现代化的必然要求。"
    assert split_passages(["一、", "标题", body], max_chars=300, min_chars=20) == ["一、 标题 " + body]


def test_split_passages_trailing_short_piece_joins_previous_passage():
    body = "推进政法工作现代化是实现中国式现代化的必然要求。"
    assert split_passages([body, "(完)"], max_chars=300, min_chars=20) == [body + " (完)"]


def test_split_passages_long_paragraphs_stay_separate():
    first = "推进政法工作现代化是实现中国式现代化的必然要求。"
    second = "只有坚定不移推进政法工作现代化,才能提高防范化解风险的精准性。"
    assert split_passages([first, second], max_chars=300, min_chars=20) == [first, second]


def test_split_passages_lone_short_text_is_kept():
    assert split_passages(["短标题"], max_chars=300, min_chars=40) == ["短标题"]


# --- the fast paths of width normalisation and format characters ------------------------------


def test_width_normalisation_is_nfkc_of_the_whole_text():
    """normalize_width leaves CJK ideographs out of NFKC: the result is NFKC of the whole text,
    on seeded random strings that mix ideographs with what NFKC changes or composes (full-width
    forms, combining marks, Hangul jamo, compatibility ideographs, ligatures, kana voicing marks)
    and on the default corpus's articles."""
    import random
    import unicodedata
    from pathlib import Path

    alphabet = [
        *map(chr, range(0x4E00, 0x4E08)),
        *map(chr, range(0x0300, 0x0308)),
        *map(chr, range(0xFF01, 0xFF10)),
        *"\u1100\u1161\u11a8\uac00\uf900\uf901\u2f00\u3000\u3001\u2460\ufb01Ae\u0327\u1e0a\u0323",
        *"\u3099\u304b\u309a\u30ab\uff76\uff9e\u00a0\u2126\u212b\u9fff\u9fa5\u3400\u20000",
    ]
    rng = random.Random(17)
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 10)))
        assert normalize_width(text) == unicodedata.normalize("NFKC", text), [hex(ord(c)) for c in text]
    articles = sorted((Path(__file__).parents[1] / "data" / "corpus").glob("*"))
    assert articles
    for path in articles:
        text = path.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
        assert normalize_width(text) == unicodedata.normalize("NFKC", text)
    assert normalize_width("ＡＢＣ１２３，政法\r\n") == "ABC123,政法\n"


def test_format_characters_are_removed_and_text_without_them_is_unchanged():
    from zhengfa_trends.clean import remove_format_chars

    assert remove_format_chars("数\u200b字\u200c政\u200d法\u2060建\ufeff设") == "数字政法建设"
    plain = "数字政法建设，科技手段现代化。"
    assert remove_format_chars(plain) == plain
