"""Office and PDF files in the corpus folder, each built here (issue 13, item 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from zhengfa_trends.ingest import IngestOptions, ingest_corpus
from zhengfa_trends.ingest.readers import drop_running_lines, join_wrapped_lines, read_pdf

PARAGRAPHS = [
    "全省政法机关坚持以人民为中心的发展思想，持续推进平安建设和法治建设，不断提升群众的获得感、幸福感和安全感。",
    "加快政法领域现代科技应用，推动科技手段现代化，深化智慧法院、智慧检务建设，推进跨部门协同办案系统全面应用。",
    "坚持和发展新时代枫桥经验，健全矛盾纠纷多元化解机制，推动综治中心规范化建设，把矛盾纠纷化解在基层。",
]
HEADER = "某某省人民政府公报"


def _font() -> Path:
    from zhengfa_trends.plotting import cjk_font_path

    # SimHei ships with mplfonts as a TrueType font, which fpdf2 embeds with a ToUnicode map.
    return cjk_font_path().with_name("SimHei.ttf")


def _docx(path: Path, date_line: str) -> Path:
    import docx

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = HEADER  # page furniture: must not be read
    document.add_paragraph("关于推进数字政法建设的工作报告")
    document.add_paragraph(date_line)
    document.add_paragraph(PARAGRAPHS[0])
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "表格第一格：智能辅助办案系统覆盖全部基层法院。"
    table.rows[0].cells[1].text = "表格第二格：数据共享平台联通政法各单位。"
    document.add_paragraph(PARAGRAPHS[1])
    document.add_paragraph(PARAGRAPHS[2])
    document.save(path)
    return path


def _rotated(page: int) -> list[str]:
    """Each page's paragraphs in another order (pages of a real report do not repeat each other)."""
    return PARAGRAPHS[page % 3 :] + PARAGRAPHS[: page % 3]


def _pdf(path: Path, pages: int = 3) -> Path:
    from fpdf import FPDF

    class Report(FPDF):
        def header(self):
            self.set_font("cjk", size=9)
            self.cell(text=HEADER)
            self.ln(12)

        def footer(self):
            self.set_y(-15)
            self.set_font("cjk", size=9)
            self.cell(text=f"第 {self.page_no()} 页")

    pdf = Report()
    pdf.add_font("cjk", fname=str(_font()))
    for page in range(pages):
        pdf.add_page()
        pdf.set_font("cjk", size=12)
        if page == 0:
            pdf.multi_cell(w=0, text="关于推进数字政法建设的工作报告", new_x="LMARGIN", new_y="NEXT")
            pdf.multi_cell(w=0, text="发布日期：2023-04-05", new_x="LMARGIN", new_y="NEXT")
        for number, paragraph in enumerate(_rotated(page)):
            # long enough to wrap over lines; numbered, as repeated paragraphs are dropped in cleaning
            text = f"第{page + 1}页第{number + 1}段：{paragraph * 2}"
            pdf.multi_cell(w=0, text=text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(4)
    pdf.output(str(path))
    return path


def _scan_pdf(path: Path) -> Path:
    """A "scan": pages with a drawing and no text layer."""
    from fpdf import FPDF

    pdf = FPDF()
    for _ in range(2):
        pdf.add_page()
        pdf.rect(20, 20, 150, 200, style="F")
    pdf.output(str(path))
    return path


def test_docx_body_in_reading_order_without_header(tmp_path):
    _docx(tmp_path / "report.docx", "发布时间：2022-06-01")
    result = ingest_corpus(tmp_path, None, IngestOptions(), workers=1, cache_dir=None)
    row = result.documents.iloc[0]
    assert (row["file"], row["encoding"], row["included"], row["date"]) == (
        "report.docx",
        "docx",
        "yes",
        "2022-06-01",
    )
    text = "".join(result.passages["text"])
    assert HEADER not in text
    order = [
        text.index(s) for s in ("以人民为中心", "表格第一格", "表格第二格", "科技手段现代化", "枫桥经验")
    ]
    assert order == sorted(order)


def test_pdf_text_layer_without_running_heads_and_page_numbers(tmp_path):
    _pdf(tmp_path / "report.pdf")
    result = ingest_corpus(tmp_path, None, IngestOptions(), workers=1, cache_dir=None)
    row = result.documents.iloc[0]
    assert (row["encoding"], row["included"], row["date"]) == ("pdf", "yes", "2023-04-05")
    text = "".join(result.passages["text"])
    assert HEADER not in text
    assert "第 1 页" not in text and "第 2 页" not in text
    # the reader: wrapped lines joined, each paragraph one whole line, in page order
    raw = read_pdf(tmp_path / "report.pdf", (tmp_path / "report.pdf").read_bytes()).text
    assert raw.splitlines() == [
        "关于推进数字政法建设的工作报告",
        "发布日期：2023-04-05",
        *(
            f"第{page}页第{number + 1}段：{paragraph * 2}"
            for page in (1, 2, 3)
            for number, paragraph in enumerate(_rotated(page - 1))
        ),
    ]


def test_pdf_without_text_layer_and_legacy_office_files(tmp_path):
    _scan_pdf(tmp_path / "scan.pdf")
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    (tmp_path / "old.wps").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 damaged")
    _docx(tmp_path / "ok.docx", "发布时间：2022-06-01")
    documents = ingest_corpus(tmp_path, None, IngestOptions(), workers=1, cache_dir=None).documents.set_index(
        "file"
    )
    assert documents["reason"].to_dict() == {
        "broken.docx": "unreadable",
        "ok.docx": "",
        "old.doc": "convert_to_docx",
        "old.wps": "convert_to_docx",
        "scan.pdf": "no_text_layer",
    }


def test_damaged_pdf_is_unreadable(tmp_path):
    assert read_pdf(tmp_path / "x.pdf", b"%PDF-1.4\n garbage").reason == "unreadable"


def test_running_lines_recur_on_most_pages():
    pages = [
        ["公报 2023年第5期", "正文第一页的内容", "- 1 -"],
        ["公报 2023年第5期", "正文第二页的内容", "- 2 -"],
        ["公报 2023年第5期", "正文第三页的内容", "- 3 -"],
    ]
    assert drop_running_lines(pages) == [["正文第一页的内容"], ["正文第二页的内容"], ["正文第三页的内容"]]
    # one page: nothing recurs
    assert drop_running_lines(pages[:1]) == pages[:1]


def test_wrapped_lines_are_joined_at_full_width():
    lines = [
        ["这一行写满了整个页面的宽度所以", "接着写完。", "短行。", "新的一段也很长很长很长很长很长", "完"]
    ]
    assert (
        join_wrapped_lines(lines)
        == "这一行写满了整个页面的宽度所以接着写完。\n短行。\n新的一段也很长很长很长很长很长完"
    )


@pytest.mark.parametrize("suffix", [".DOCX", ".Pdf"])
def test_suffixes_are_case_insensitive(tmp_path, suffix):
    builder = _docx if suffix.lower() == ".docx" else (lambda p, _d: _pdf(p, pages=1))
    builder(tmp_path / f"a{suffix}", "发布时间：2022-06-01")
    assert ingest_corpus(tmp_path, None, IngestOptions(), workers=1, cache_dir=None).documents[
        "included"
    ].tolist() == ["yes"]
