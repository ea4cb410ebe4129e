"""Tests of zhengfa_trends.ingest.markup: HTML reduced to its text by a real tokenizer."""

from __future__ import annotations

import pytest

from zhengfa_trends.ingest import IngestOptions, ingest_corpus, strip_html

BODY = (
    "全省政法机关坚持以人民为中心的发展思想,持续推进平安建设和法治建设,不断提升群众的获得感、幸福感和安全感。"
)


def _words(text: str) -> list[str]:
    return text.split()


def test_a_quoted_greater_than_sign_ends_no_tag():
    # A regex <[^>]+> stops at the first ">" and leaks the rest of the attribute: b">链接
    text = strip_html('<p><a title="a>b" href="/x?y=1>2">链接</a>正文</p>')
    assert _words(text) == ["链接", "正文"]
    assert 'b">' not in text and "2" not in text


def test_unclosed_script_style_and_comment_hide_the_rest_of_the_page():
    assert _words(strip_html('<p>正文</p><script>var s = "<p>假段落</p>"; document.write("广告")')) == [
        "正文"
    ]
    assert _words(strip_html("<p>正文</p><style>p { color: red }")) == ["正文"]
    assert _words(strip_html("<p>正文</p><!-- 旧版 <p>不应出现</p>")) == ["正文"]
    assert _words(strip_html("<p>正文</p><noscript>请启用脚本")) == ["正文"]


def test_closed_script_style_comment_noscript_template_are_dropped_and_the_page_goes_on():
    page = (
        "<html><head><STYLE>.a{}</STYLE><script>x = '</p>';</script></head><body>"
        "<!-- 注释 --><p>第一段</p><template><p>模板</p></template><noscript>无脚本</noscript>"
        "<p>第二段</p></body></html>"
    )
    assert _words(strip_html(page)) == ["第一段", "第二段"]


def test_block_tags_break_lines_inline_tags_do_not_and_references_are_decoded():
    text = strip_html("<div>甲<b>乙</b>丙</div><br/>丁&amp;戊&nbsp;己 &lt;p&gt; 1 < 2<h2 class=t>庚</h2>")
    assert text.split("\n") == ["", "甲 乙 丙", "", "丁&戊\xa0己 <p> 1 < 2", "庚", ""]


def test_a_tag_cut_off_by_the_end_of_the_file_is_not_text():
    assert _words(strip_html("<p>正文</p")) == ["正文"]
    assert _words(strip_html("<p>正文<a href='/x")) == ["正文"]


@pytest.mark.parametrize("suffix", [".html", ".txt"])
def test_ingested_page_keeps_no_markup_or_attribute_text(tmp_path, suffix):
    page = (
        "<!DOCTYPE html><html><head><title>政法工作报告</title></head><body>"
        '<div class="nav" data-x="a>b"><a href="/" title="首页>>要闻">首页</a></div>'
        f"<p>发布时间:2024-03-05</p><p>{BODY}</p><script>var notice = '<p>脚本文字</p>';"
    )
    (tmp_path / f"page{suffix}").write_text(page, encoding="utf-8")
    result = ingest_corpus(tmp_path, None, IngestOptions(), workers=1, cache_dir=None)
    assert result.documents.loc[0, "included"] == "yes"
    text = "".join(result.passages["text"])
    assert BODY in text
    for gone in ("<", ">", 'b">', "要闻", "脚本文字", "notice"):
        assert gone not in text
