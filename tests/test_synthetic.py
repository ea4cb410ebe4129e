"""Tests of the synthetic corpus generator."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from zhengfa_trends.clean import clean_text, normalize_width
from zhengfa_trends.synthetic import (
    CHROME_BREADCRUMB,
    CHROME_COPYRIGHT,
    DIGITAL_SENTENCES,
    DIGITAL_TERMS,
    OTHER_SENTENCES,
    make_corpus,
    planted_shares,
)

# The terms the brief names for the digital theme, plus the words no other sentence may hold.
NAMED_DIGITAL_TERMS = (
    "数字政法",
    "科技手段现代化",
    "智慧法院",
    "大数据",
    "人工智能",
    "数字化改革",
    "数字赋能",
    "信息化",
    "政法智能化",
    "跨部门协同办案系统",
    "区块链",
    "现代科技",
)
FORBIDDEN_IN_OTHER = NAMED_DIGITAL_TERMS + ("数字", "科技", "智能", "智慧", "数据", "网络", "线上")
DATE_LINE = re.compile(r"^发布时间:(\d{4})-(\d{2})-(\d{2})$", re.M)


def _digests(root: Path) -> dict[str, str]:
    """sha256 of every file under ``root``, keyed by relative path."""
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _read_tsv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def corpus_500(tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    """One 500-document corpus shared by the read-only tests."""
    out = tmp_path_factory.mktemp("syn500")
    return out, make_corpus(out, n_docs=500, seed=7)


def test_banks_sizes_and_sentence_form():
    assert len(DIGITAL_SENTENCES) >= 40
    assert len(OTHER_SENTENCES) >= 60
    for sentence in DIGITAL_SENTENCES + OTHER_SENTENCES:
        assert 20 <= len(sentence) <= 60, sentence
        assert sentence.endswith("。"), sentence
    assert len(set(DIGITAL_SENTENCES)) == len(DIGITAL_SENTENCES)
    assert len(set(OTHER_SENTENCES)) == len(OTHER_SENTENCES)


def test_other_bank_holds_no_digital_term():
    for sentence in OTHER_SENTENCES:
        hits = [term for term in FORBIDDEN_IN_OTHER + DIGITAL_TERMS if term in sentence]
        assert not hits, (sentence, hits)


def test_every_digital_sentence_holds_a_digital_term():
    for sentence in DIGITAL_SENTENCES:
        assert any(term in sentence for term in DIGITAL_TERMS), sentence
    used = {term for term in NAMED_DIGITAL_TERMS if any(term in s for s in DIGITAL_SENTENCES)}
    assert used == set(NAMED_DIGITAL_TERMS)


def test_file_and_metadata_counts(corpus_500):
    out, _ = corpus_500
    files = sorted((out / "docs").glob("*.txt"))
    assert len(files) == 500
    assert files[0].name == "syn_000000.txt" and files[-1].name == "syn_000499.txt"
    metadata = _read_tsv(out / "metadata.tsv")
    assert list(metadata.columns) == ["doc_id", "date", "title", "source"]
    assert len(metadata) == 500
    assert list(metadata["doc_id"]) == [f.stem for f in files]
    assert (metadata["date"] == "").sum() == 250
    assert (metadata["title"] != "").all() and (metadata["source"] != "").all()


def test_truth_planted_share_rises(corpus_500):
    out, truth = corpus_500
    written = pd.read_csv(out / "truth.tsv", sep="\t")
    assert list(written.columns) == ["year", "planted_share", "realised_share", "n_docs", "n_sentences"]
    pd.testing.assert_frame_equal(written, truth, check_dtype=False)
    assert list(truth["year"]) == [2021, 2022, 2023, 2024, 2025]
    planted = list(truth["planted_share"])
    assert all(a < b for a, b in zip(planted, planted[1:], strict=False))
    assert planted[0] == pytest.approx(0.10) and planted[-1] == pytest.approx(0.40)
    assert truth["n_docs"].sum() == 500 and (truth["n_docs"] == 100).all()


def test_realised_share_close_to_planted(corpus_500):
    _, truth = corpus_500
    gap = (truth["realised_share"] - truth["planted_share"]).abs()
    assert (gap < 0.05).all(), truth


def test_date_line_year_matches_truth_year(corpus_500):
    out, _ = corpus_500
    metadata = _read_tsv(out / "metadata.tsv").set_index("doc_id")
    for i, path in enumerate(sorted((out / "docs").glob("*.txt"))):
        text = path.read_text(encoding="utf-8")
        lines = text.split("\n")
        dates = DATE_LINE.findall(text)
        assert len(dates) == 1, path.name
        year, month, day = map(int, dates[0])
        assert year == 2021 + i % 5, path.name
        iso = f"{year:04d}-{month:02d}-{day:02d}"
        pd.Timestamp(iso)  # a valid calendar date
        assert metadata.loc[path.stem, "date"] in ("", iso)
        # headline, then the date line, then a blank line (a breadcrumb may precede the headline)
        start = 1 if lines[0] == CHROME_BREADCRUMB else 0
        assert lines[start + 1] == f"发布时间:{iso}" and lines[start + 2] == ""
        assert lines[start] == metadata.loc[path.stem, "title"]


def test_body_sentences_and_paragraphs(corpus_500):
    out, truth = corpus_500
    bank = {normalize_width(s) for s in DIGITAL_SENTENCES + OTHER_SENTENCES}  # as the cleaner leaves them
    total = 0
    for path in sorted((out / "docs").glob("*.txt")):
        cleaned = clean_text(path.read_text(encoding="utf-8"), "none")
        body = cleaned.paragraphs[2:]
        for paragraph in body:
            sentences = [s + "。" for s in paragraph.split("。") if s]
            assert 3 <= len(sentences) <= 6, (path.name, paragraph)
            assert all(s in bank for s in sentences)
            total += len(sentences)
    assert total == truth["n_sentences"].sum()


def test_noise_is_removed_by_the_cleaner(corpus_500):
    out, _ = corpus_500
    texts = [p.read_text(encoding="utf-8") for p in sorted((out / "docs").glob("*.txt"))]
    assert sum(CHROME_BREADCRUMB in t for t in texts) > 100
    assert sum(CHROME_COPYRIGHT in t for t in texts) > 100
    assert sum("\n|\n" in t for t in texts) > 50
    repeated = 0
    for text in texts:
        cleaned = clean_text(text)
        assert cleaned.duplicate_paragraphs in (0, len(cleaned.paragraphs) - 2)
        repeated += cleaned.duplicate_paragraphs > 0
        assert not any("首页" in p or "转载" in p or p == "|" for p in cleaned.paragraphs)
    assert 20 <= repeated <= 85  # about 10 % of 500


def test_no_noise_gives_plain_documents(tmp_path):
    make_corpus(tmp_path, n_docs=20, seed=3, noise=False)
    for path in sorted((tmp_path / "docs").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        assert CHROME_BREADCRUMB not in text and CHROME_COPYRIGHT not in text and "\n|\n" not in text
        assert clean_text(text).duplicate_paragraphs == 0


def test_two_runs_are_byte_identical(tmp_path):
    make_corpus(tmp_path / "a", n_docs=200, seed=11, traditional_share=0.2)
    make_corpus(tmp_path / "b", n_docs=200, seed=11, traditional_share=0.2)
    first, second = _digests(tmp_path / "a"), _digests(tmp_path / "b")
    assert len(first) == 202
    assert first == second


def test_different_seed_gives_different_files(tmp_path):
    make_corpus(tmp_path / "a", n_docs=100, seed=1)
    make_corpus(tmp_path / "b", n_docs=100, seed=2)
    first, second = _digests(tmp_path / "a"), _digests(tmp_path / "b")
    assert first.keys() == second.keys()
    differing = [name for name in first if first[name] != second[name]]
    assert len(differing) > 90


def test_traditional_share_one_gives_traditional_script(tmp_path):
    make_corpus(tmp_path, n_docs=20, seed=5, traditional_share=1.0)
    for path in sorted((tmp_path / "docs").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        assert any(ch in text for ch in "發國時"), path.name
        assert "發佈時間:" in text
        assert "发布时间" not in text


def test_traditional_share_converts_that_share(tmp_path):
    make_corpus(tmp_path, n_docs=100, seed=5, traditional_share=0.3)
    texts = [p.read_text(encoding="utf-8") for p in sorted((tmp_path / "docs").glob("*.txt"))]
    assert sum("發佈時間:" in t for t in texts) == 30


def test_planted_shares_and_bad_arguments(tmp_path):
    assert planted_shares((2020, 2020)) == {2020: 0.1}
    assert planted_shares((2021, 2023)) == {2021: 0.1, 2022: 0.25, 2023: 0.4}
    with pytest.raises(ValueError):
        make_corpus(tmp_path, n_docs=10, years=(2025, 2021))
    with pytest.raises(ValueError):
        make_corpus(tmp_path, n_docs=10, min_sentences=2)
    with pytest.raises(ValueError):
        make_corpus(tmp_path, n_docs=10, traditional_share=1.5)


def test_rerun_with_fewer_docs_removes_stale_files(tmp_path):
    make_corpus(tmp_path, n_docs=30, seed=1)
    make_corpus(tmp_path, n_docs=10, seed=1)
    assert len(list((tmp_path / "docs").glob("*.txt"))) == 10


def test_cli(tmp_path):
    out = tmp_path / "cli"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "zhengfa_trends.synthetic",
            str(out),
            "--docs",
            "40",
            "--seed",
            "7",
            "--years",
            "2021-2024",
            "--traditional-share",
            "0.1",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.startswith("year\tplanted_share")
    assert len(list((out / "docs").glob("*.txt"))) == 40
    truth = pd.read_csv(out / "truth.tsv", sep="\t")
    assert list(truth["year"]) == [2021, 2022, 2023, 2024]
    api = tmp_path / "api"
    make_corpus(api, n_docs=40, seed=7, years=(2021, 2024), traditional_share=0.1)
    assert _digests(out) == _digests(api)
