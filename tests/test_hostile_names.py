"""Hostile names and dates (issue 14): links out of the corpus folder are listed, not read; names
that would break a TSV row are rejected with a reason; the latest acceptable date is
``corpus.max_date`` (default: the run's date), not the machine's clock alone."""

from __future__ import annotations

import datetime as dt

import pytest
from test_hostile_input import BODY_2, _article, _ingest, _ledger, _write

from zhengfa_trends.files import readable_entry


def test_a_link_out_of_the_corpus_folder_is_listed_and_not_read(tmp_path):
    corpus, outside = tmp_path / "corpus", tmp_path / "private"
    corpus.mkdir()
    outside.mkdir()
    _write(corpus, "good.txt", _article("2023-03-01"))
    _write(outside, "secret.txt", _article("2023-04-01", BODY_2))
    (corpus / "leak.txt").symlink_to(outside / "secret.txt")
    (corpus / "leak_relative.txt").symlink_to("../private/secret.txt")
    _write(corpus, "target.txt", _article("2023-05-01", BODY_2 + "再加一句。"))
    (corpus / "inside.txt").symlink_to(corpus / "target.txt")
    result = _ingest(corpus)
    ledger = _ledger(result)
    assert ledger.loc["leak", "reason"] == "outside_folder"
    assert ledger.loc["leak_relative", "reason"] == "outside_folder"
    assert ledger.loc["leak", "sha256"] == ""  # never opened
    assert ledger.loc["inside", "reason"] == ""  # a link within the folder is read
    assert not result.passages["doc_id"].isin(["leak", "leak_relative"]).any()
    assert not readable_entry(corpus / "leak.txt", corpus)  # nor a Snakemake input, nor hashed
    assert readable_entry(corpus / "inside.txt", corpus)


def test_a_name_with_a_tab_or_newline_is_rejected_and_the_ledger_stays_one_row_per_line(tmp_path):
    _write(tmp_path, "good.txt", _article("2023-03-01"))
    _write(tmp_path, "tab\there.txt", _article("2023-04-01", BODY_2))
    _write(tmp_path, "new\nline.txt", _article("2023-05-01", BODY_2 + "又一句。"))
    ledger = _ledger(_ingest(tmp_path))
    assert ledger["reason"].to_dict() == {"good": "", "new_line": "bad_name", "tab_here": "bad_name"}
    assert ledger.loc["tab_here", "file"] == "tab_here.txt"
    text = ledger.reset_index().to_csv(sep="\t", index=False)
    assert len(text.splitlines()) == 4  # header and three rows: no field holds a tab or a newline


@pytest.mark.parametrize(("max_date", "reason"), [("2023-03-31", "bad_date"), ("2023-04-01", "")])
def test_max_date_is_the_latest_acceptable_date(tmp_path, max_date, reason):
    _write(tmp_path, "a.txt", _article("2023-04-01"))
    _write(tmp_path, "b.txt", _article("2022-01-01", BODY_2))
    ledger = _ledger(_ingest(tmp_path, max_date=max_date))
    assert ledger.loc["a", "reason"] == reason
    assert ledger.loc["b", "reason"] == ""


def test_without_max_date_the_run_date_is_the_limit(tmp_path):
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    _write(tmp_path, "a.txt", _article(tomorrow))
    _write(tmp_path, "b.txt", _article("2022-01-01", BODY_2))
    assert _ledger(_ingest(tmp_path)).loc["a", "reason"] == "bad_date"
    assert _ledger(_ingest(tmp_path, max_date=tomorrow)).loc["a", "reason"] == ""


def test_provenance_records_the_latest_acceptable_date():
    from zhengfa_trends.provenance import build_provenance, latest_included_date

    # not the run's date (two runs on different days must agree) but the corpus's latest date
    assert build_provenance({}, {"corpus": {"max_date": None}}, 2, "2024-06-30")["max_date"] == "2024-06-30"
    assert (
        build_provenance({}, {"corpus": {"max_date": "2024-12-31"}}, 2, "2024-06-30")["max_date"]
        == "2024-12-31"
    )
    # a year or a month counts to its last day; text that is no date is skipped
    assert latest_included_date(["2021-05-08", "2023", "2022-11-30"]) == "2023-12-31"
    assert latest_included_date(["2023-02", "2022-12-31"]) == "2023-02-28"
    assert latest_included_date(["2023-12", "nan"]) == "2023-12-31"
    assert latest_included_date([]) is None
