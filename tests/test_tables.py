"""Tables as corpora: every format built here, every row checked in the ledger (issue 13, item 1)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from zhengfa_trends.files import CorpusError, corpus_folder, list_table_files
from zhengfa_trends.ingest import IngestOptions, ingest_corpus
from zhengfa_trends.ingest.selection import Selection
from zhengfa_trends.ingest.tables import TableColumns, TableError, read_table, table_date

# Paragraphs long enough to be passages; each article differs (no duplicates among them).
BODY = (
    "全省政法机关坚持以人民为中心的发展思想,持续推进平安建设和法治建设,"
    "不断提升群众的获得感、幸福感和安全感,推动数字政法建设取得新进展。"
)
COLUMNS = TableColumns(text="content", title="title", date="year", facets=("province",))
HEADER = ["province", "year", "title", "content"]


# Characters the distinct part of each article is drawn from (seeded by its number).
HAN = "政法机关人民法院检察院公安司法行政平安建设法治社会治理基层矛盾纠纷化解数字科技创新应用改革服务群众"


def _article(n: int, extra: str = "") -> str:
    import random

    own = "".join(random.Random(n).choices(HAN, k=120))
    return f"第{n}篇报告。{BODY}\n{own[:60]},{extra}{own[60:]}。\n"


def _rows(n: int = 3) -> list[dict]:
    provinces = ["上海市", "云南省", "北京市", "吉林省", "四川省"]
    return [
        {
            "province": provinces[i],
            "year": 2020 + i,
            "title": f"{2020 + i}年{provinces[i]}政府工作报告",
            "content": _article(i),
        }
        for i in range(n)
    ]


def _ingest(tables, columns=COLUMNS, **kwargs):
    return ingest_corpus(
        None,
        None,
        IngestOptions(),
        tables=[Path(t) for t in tables],
        columns=columns,
        **{"workers": 1, "cache_dir": None, **kwargs},
    )


def _csv(path: Path, rows: list[dict], encoding="utf-8-sig", sep=",") -> Path:
    import csv

    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER, delimiter=sep)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _check_three(documents, files):
    assert documents["file"].tolist() == files
    assert documents["included"].tolist() == ["yes"] * 3
    assert documents["year"].tolist() == [2020, 2021, 2022]
    assert documents["province"].tolist() == ["上海市", "云南省", "北京市"]
    assert documents["title"].tolist() == [
        f"{2020 + i}年{p}政府工作报告" for i, p in enumerate(["上海市", "云南省", "北京市"])
    ]
    assert documents["date_source"].tolist() == ["column:year"] * 3
    # ids derive from the text: stable when rows are appended or reordered
    assert all(doc_id.startswith(f"{Path(files[0].split(':')[0]).stem}_") for doc_id in documents["doc_id"])


def test_csv_with_bom_and_multiline_text(tmp_path):
    result = _ingest([_csv(tmp_path / "reports.csv", _rows())])
    documents = result.documents
    _check_three(documents, ["reports.csv:row 2", "reports.csv:row 3", "reports.csv:row 4"])
    assert list(documents.columns[:9]) == [
        "doc_id",
        "file",
        "encoding",
        "date",
        "year",
        "date_source",
        "title",
        "source",
        "province",
    ]
    assert documents["encoding"].tolist() == ["utf-8-sig"] * 3
    assert result.passages["doc_id"].nunique() == 3
    assert "数字政法" in " ".join(result.passages["text"])


def test_tsv_in_gb18030(tmp_path):
    path = _csv(tmp_path / "reports.tsv", _rows(), encoding="gb18030", sep="\t")
    documents = _ingest([path]).documents
    _check_three(documents, ["reports.tsv:row 2", "reports.tsv:row 3", "reports.tsv:row 4"])
    assert documents["encoding"].tolist() == ["gb18030"] * 3


def test_csv_in_gb18030(tmp_path):
    documents = _ingest([_csv(tmp_path / "gb.csv", _rows(), encoding="gb18030")]).documents
    assert documents["encoding"].tolist() == ["gb18030"] * 3
    assert documents["province"].tolist() == ["上海市", "云南省", "北京市"]


def test_jsonl_with_one_broken_line(tmp_path):
    lines = [json.dumps(row, ensure_ascii=False) for row in _rows()]
    lines.insert(1, '{"province": "坏行", "content": "没有结尾')
    path = tmp_path / "reports.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    documents = _ingest([path]).documents
    assert documents["file"].tolist() == [f"reports.jsonl:line {n}" for n in (1, 2, 3, 4)]
    assert documents["reason"].tolist() == ["", "bad_row", "", ""]
    assert documents["included"].tolist() == ["yes", "no", "yes", "yes"]
    assert documents.loc[documents["reason"] == "", "province"].tolist() == ["上海市", "云南省", "北京市"]


def test_ndjson_and_json_array_and_wrapper(tmp_path):
    rows = _rows()
    (tmp_path / "a.ndjson").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8"
    )
    (tmp_path / "b.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    for name in ("a.ndjson", "b.json"):
        documents = _ingest([tmp_path / name]).documents
        assert documents["included"].tolist() == ["yes"] * 3, name
        assert documents["year"].tolist() == [2020, 2021, 2022]
    (tmp_path / "c.json").write_text(json.dumps({"data": rows}, ensure_ascii=False), encoding="utf-8")
    assert _ingest([tmp_path / "c.json"]).documents["file"].tolist() == [f"c.json:row {n}" for n in (1, 2, 3)]


def test_xlsx_with_excel_dates_and_numbers(tmp_path):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["province", "date", "title", "content"])
    sheet.append(["上海市", dt.datetime(2020, 3, 5), "上海报告", _article(0)])  # an Excel date cell
    sheet.append(["云南省", 2021, "云南报告", _article(1)])  # an integer year
    sheet.append([None, None, None, None])  # an empty sheet row is no record
    sheet.append(["北京市", "2022年1月18日", "北京报告", _article(2)])
    sheet.append(["吉林省", 44927, "吉林报告", _article(3)])  # an Excel serial number (2023-01-01)
    path = tmp_path / "reports.xlsx"
    workbook.save(path)
    columns = TableColumns(text="content", title="title", date="date", facets=("province",))
    documents = _ingest([path], columns).documents
    assert documents["file"].tolist() == [f"reports.xlsx:row {n}" for n in (2, 3, 5, 6)]
    assert documents["date"].tolist() == ["2020-03-05", "2021", "2022-01-18", "2023-01-01"]
    assert documents["included"].tolist() == ["yes"] * 4


def test_parquet_with_date_column(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = _rows()
    table = pa.table(
        {
            "province": [r["province"] for r in rows],
            "published": [dt.date(2020, 1, 2), dt.date(2021, 6, 30), None],
            "title": [r["title"] for r in rows],
            "content": [r["content"] for r in rows],
        }
    )
    path = tmp_path / "reports.parquet"
    pq.write_table(table, path)
    columns = TableColumns(text="content", title="title", date="published", facets=("province",))
    documents = _ingest([path], columns).documents
    assert documents["date"].tolist() == ["2020-01-02", "2021-06-30", "2022"]
    # an empty date cell: the date comes from the text, here the year of the title column
    assert documents["date_source"].tolist()[:2] == ["column:published"] * 2
    assert documents["date_source"].iloc[2] == "title:标题年份"


def test_mixed_date_formats_in_one_column(tmp_path):
    dates = ["2020", "2021-03", "2022-01-05", "2023年3月5日", "20240102", "March 2024", "2024/5/6 10:30:00"]
    rows = [
        {"province": "甲", "year": value, "title": f"报告{i}", "content": _article(i)}
        for i, value in enumerate(dates)
    ]
    documents = _ingest([_csv(tmp_path / "mixed.csv", rows)]).documents
    assert documents["date"].tolist() == [
        "2020",
        "2021-03",
        "2022-01-05",
        "2023-03-05",
        "2024-01-02",
        "March 2024",
        "2024-05-06",
    ]
    assert documents["reason"].tolist() == ["", "", "", "", "", "bad_date", ""]
    assert documents["date_source"].iloc[5] == "column:year unparseable"


def test_table_date_values():
    assert table_date(2024) == ("2024", 2024)
    assert table_date(2024.0) == ("2024", 2024)
    assert table_date("2024") == ("2024", 2024)
    assert table_date(45356) == ("2024-03-05", 2024)
    assert table_date(dt.datetime(2024, 3, 5, 9, 30)) == ("2024-03-05", 2024)
    assert table_date("2024-03-05T09:30:00Z") == ("2024-03-05", 2024)
    assert table_date("") == ""
    assert table_date(None) == ""
    assert table_date("2024-13-01") is None
    assert table_date(12) is None


def test_empty_text_repeated_id_and_same_text(tmp_path):
    rows = _rows(3)
    rows[1]["content"] = "   "
    rows.append(dict(rows[0]))  # the same text again
    for i, row in enumerate(rows):
        row["id"] = ["r1", "r2", "r3", "r1"][i]
    rows.append({**_rows(4)[3], "id": "r3"})  # another text under an id already used
    path = tmp_path / "ids.csv"
    import csv

    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*HEADER, "id"])
        writer.writeheader()
        writer.writerows(rows)
    columns = TableColumns(text="content", doc_id="id", date="year", facets=("province",))
    documents = _ingest([path], columns).documents
    assert documents["doc_id"].tolist() == ["r1", "r2", "r3", "r1~", "r3~"]
    assert documents["reason"].tolist() == [
        "",
        "empty",
        "",
        "repeated_id:ids.csv:row 2",
        "repeated_id:ids.csv:row 4",
    ]
    assert documents["included"].tolist() == ["yes", "no", "yes", "no", "no"]


def test_ids_without_id_column_survive_appending(tmp_path):
    rows = _rows(3)
    first = _ingest([_csv(tmp_path / "t.csv", rows[:2])]).documents["doc_id"].tolist()
    again = _ingest([_csv(tmp_path / "t.csv", [rows[2], *rows[:2]])]).documents["doc_id"].tolist()
    assert again[1:] == first
    # the same text twice: the second copy is a duplicate of the first
    documents = _ingest([_csv(tmp_path / "t.csv", [rows[0], rows[0]])]).documents
    assert documents["reason"].tolist() == ["", f"duplicate_of:{first[0]}"]


def test_csv_row_with_wrong_field_count_is_bad_row(tmp_path):
    path = _csv(tmp_path / "t.csv", _rows(3))
    text = path.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    path.write_text("".join(text) + "多余,的,一,行,字段\n", encoding="utf-8")
    documents = _ingest([path]).documents
    assert documents["reason"].tolist()[-1] == "bad_row"
    assert (documents["included"] == "yes").sum() == 3


def test_missing_text_column_stops_with_one_line(tmp_path):
    path = _csv(tmp_path / "t.csv", _rows(2))
    with pytest.raises(TableError) as raised:
        _ingest([path], TableColumns(text="full_text"))
    message = str(raised.value)
    assert "\n" not in message
    assert "'full_text'" in message and "corpus.columns.text" in message
    assert "province, year, title, content" in message
    with pytest.raises(TableError, match="corpus.columns.facets"):
        _ingest([path], TableColumns(text="content", facets=("issuer",)))


def test_missing_text_key_in_jsonl_stops(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text(json.dumps({"body": "x", "year": 2020}) + "\n", encoding="utf-8")
    with pytest.raises(TableError, match="no column 'content'.*its columns: body, year"):
        _ingest([path])


def test_unreadable_spreadsheet_is_one_ledger_row(tmp_path):
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    good = _csv(tmp_path / "good.csv", _rows(2))
    documents = _ingest([tmp_path / "broken.xlsx", good]).documents
    assert documents["file"].tolist() == ["broken.xlsx", "good.csv:row 2", "good.csv:row 3"]
    assert documents["reason"].tolist() == ["unreadable", "", ""]
    with pytest.raises(CorpusError, match=r"no document in table .*broken.xlsx.*1 unreadable"):
        _ingest([tmp_path / "broken.xlsx"])


def test_large_csv_is_read_in_chunks(tmp_path):
    rows = [
        {"province": "甲", "year": 2020 + i % 5, "title": f"报告{i}", "content": _article(i, f"编号{i}。")}
        for i in range(250)
    ]
    path = _csv(tmp_path / "big.csv", rows)
    info, chunks = read_table(path, COLUMNS, chunk_rows=100)
    sizes = [len(chunk) for chunk in chunks]
    assert sizes == [100, 100, 50]
    documents = _ingest([path], workers=2).documents
    assert len(documents) == 250 and (documents["included"] == "yes").all()


def test_folder_and_table_in_one_ledger(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text("发布时间:2019-04-01\n" + _article(9), encoding="utf-8")
    table = _csv(tmp_path / "t.csv", _rows(2))
    documents = ingest_corpus(
        folder, None, IngestOptions(), tables=[table], columns=COLUMNS, workers=1, cache_dir=None
    ).documents
    assert documents["file"].tolist() == ["a.txt", "t.csv:row 2", "t.csv:row 3"]
    assert documents["province"].tolist() == ["", "上海市", "云南省"]
    assert (documents["included"] == "yes").all()


def test_selection_include_exclude(tmp_path):
    rows = _rows(3)
    rows[1]["title"] = "关于2021年政府工作报告的决议"
    selection = Selection.from_config({"title": "政府工作报告"}, {"title": "决议"}, ("province",))
    documents = _ingest([_csv(tmp_path / "t.csv", rows)], selection=selection).documents
    assert documents["reason"].tolist() == ["", "filtered_out", ""]
    only = Selection.from_config({"province": "^上海"}, None, ("province",))
    documents = _ingest([_csv(tmp_path / "t.csv", rows)], selection=only).documents
    assert documents["reason"].tolist() == ["", "filtered_out", "filtered_out"]


def test_selection_config_errors_name_the_key():
    with pytest.raises(CorpusError, match=r"config key 'corpus.include.issuer'"):
        Selection.from_config({"issuer": "x"}, None, ("province",))
    with pytest.raises(CorpusError, match=r"config key 'corpus.exclude.title'.*not a regular expression"):
        Selection.from_config(None, {"title": "("}, ())
    assert Selection.from_config({}, {}, ()) is None


def test_table_files_from_globs_and_lists(tmp_path):
    for name in ("b.csv", "a.csv"):
        _csv(tmp_path / name, _rows(1))
    assert [p.name for p in list_table_files(str(tmp_path / "*.csv"))] == ["a.csv", "b.csv"]
    assert [p.name for p in list_table_files([str(tmp_path / "b.csv"), str(tmp_path / "a.csv")])] == [
        "b.csv",
        "a.csv",
    ]
    with pytest.raises(CorpusError, match="no file matches"):
        list_table_files(str(tmp_path / "*.jsonl"))
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(CorpusError, match="save it as .xlsx"):
        list_table_files(str(tmp_path / "old.xls"))
    assert corpus_folder(None, None) == "data/corpus"
    assert corpus_folder(None, "t.csv") is None
    assert corpus_folder("mine", "t.csv") == "mine"


@pytest.mark.workflow
def test_workflow_reads_a_table_alone_and_reruns_when_it_changes(tmp_path):
    """Snakemake's plan: corpus.table without corpus.dir reads no folder; an edited table re-runs the ingest."""
    import shutil
    import subprocess
    import sys

    import yaml

    repo = Path(__file__).resolve().parents[1]
    project = tmp_path / "project"
    for part in ("Snakefile", "workflow", "scripts", "config", "data/dictionaries"):
        source, target = repo / part, project / part
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target)
    table = _csv(project / "reports.csv", _rows(3))
    config = {
        "corpus": {
            "table": "reports.csv",
            "columns": {"text": "content", "date": "year", "facets": ["province"]},
        }
    }
    (project / "t.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")

    def dry_run(*extra):
        command = [sys.executable, "-m", "snakemake", "-n", "--cores", "1", "--configfile", "t.yaml", *extra]
        return subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=600)

    # no data/corpus folder in this copy: a table-only config must not need one
    plan = dry_run("--forcerun", "ingest_corpus", "--until", "ingest_corpus", "--quiet", "rules")
    assert plan.returncode == 0, plan.stderr
    assert "ingest_corpus" in plan.stdout
    # ingest inputs: the table (so editing it re-runs the ingest), and no folder file
    detail = dry_run("--until", "ingest_corpus")
    assert detail.returncode == 0, detail.stderr
    assert "input: reports.csv" in detail.stdout
    config["corpus"]["table"] = "missing/*.csv"
    (project / "t.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    stopped = dry_run()
    assert stopped.returncode != 0
    assert "zhengfa-trends: corpus.table: no file matches missing/*.csv" in stopped.stderr
    assert table.is_file()
