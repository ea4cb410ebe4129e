"""The TSV writer's fast layout of share columns writes the bytes of pandas' ``to_csv``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from zhengfa_trends import io


def _pandas(table: pd.DataFrame) -> bytes:
    return table.to_csv(sep="\t", index=False, lineterminator="\n", float_format="%.6g").encode("utf-8")


def _passage_topics(n_rows: int, k: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    theta = rng.dirichlet(np.full(k, 0.1), size=n_rows)
    theta[::97] = 1.0 / k  # empty passages: uniform shares
    table = pd.DataFrame(
        {
            "doc_id": [f"文件{i // 13:05d}" for i in range(n_rows)],
            "passage_no": np.arange(n_rows) % 13,
            "year": 1955 + np.arange(n_rows) % 70,
            "n_tokens": rng.integers(0, 200, n_rows),
        }
    )
    shares = pd.DataFrame(np.round(theta, 6), columns=[f"topic_{i}" for i in range(k)])
    return pd.concat([table, shares], axis=1)


def test_every_six_decimal_share_is_written_as_pandas_writes_it():
    values = np.arange(1_000_001) / 1e6
    table = pd.DataFrame({"label": np.where(np.arange(values.size) % 2, "甲", "b"), "share": values})
    text = io.tsv_bytes(table)
    assert text == _pandas(table)
    lines = text.split(b"\n")
    assert lines[1] == b"b\t0" and lines[2] == "甲\t1e-06".encode()
    assert lines[101] == b"b\t0.0001" and lines[51] == b"b\t5e-05" and lines[-2] == b"b\t1"
    assert lines[123458] == "甲\t0.123457".encode()


def test_a_passage_topic_table_gets_the_bytes_of_pandas():
    table = _passage_topics(30_000, 17)
    assert io.tsv_bytes(table) == _pandas(table)
    assert io.tsv_bytes(table, header=False) == _pandas(table).split(b"\n", 1)[1]


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda t: t.assign(topic_16=t["topic_16"] + 1e-9), id="not-rounded"),
        pytest.param(lambda t: t.assign(topic_0=-0.0), id="negative-zero"),
        pytest.param(lambda t: t.assign(topic_3=np.where(t.index % 5 == 0, np.nan, t["topic_3"])), id="nan"),
        pytest.param(lambda t: t.assign(topic_5=t["topic_5"] * 3), id="above-one"),
        pytest.param(lambda t: t.assign(doc_id=t["doc_id"] + '\t引号"'), id="quoted-ids"),
        pytest.param(
            lambda t: t.assign(doc_id=np.where(t.index == 7, "两\n行", t["doc_id"])), id="line-break"
        ),
        pytest.param(lambda t: t.assign(topic_16=t["topic_16"].astype("float32")), id="float32"),
    ],
)
def test_tables_the_lookup_cannot_take_still_get_the_bytes_of_pandas(spoil):
    table = spoil(_passage_topics(20_000, 17, seed=3))
    assert io.tsv_bytes(table) == _pandas(table)


def test_parts_written_one_after_another_equal_the_whole(tmp_path):
    table = _passage_topics(45_000, 9, seed=5)
    io.write_tsv(table, tmp_path / "whole.tsv")
    parts = (table.iloc[start : start + 20_000] for start in range(0, len(table), 20_000))
    io.write_tsv_chunks(parts, tmp_path / "parts.tsv", list(table.columns))
    assert (tmp_path / "whole.tsv").read_bytes() == (tmp_path / "parts.tsv").read_bytes() == _pandas(table)
    io.write_tsv_chunks(iter(()), tmp_path / "empty.tsv", ["doc_id", "topic_0"])
    assert (tmp_path / "empty.tsv").read_bytes() == b"doc_id\ttopic_0\n"


def test_write_tsv_in_parts_gives_the_bytes_of_the_whole(tmp_path, monkeypatch):
    # Parts of 7 rows (a tail of 3), a share column and a free float: the bytes of one pandas write.
    rng = np.random.default_rng(5)
    table = pd.DataFrame(
        {
            "doc_id": [f"文{i}" for i in range(24)],
            "year": np.arange(24) % 5 + 2021,
            "share": np.round(rng.random(24), 6),
            "value": rng.random(24) * 1e3,
        }
    )
    monkeypatch.setattr(io, "WRITE_ROWS", 7)
    io.write_tsv(table, tmp_path / "parts.tsv")
    io.write_tsv(table.iloc[:0], tmp_path / "empty.tsv")
    assert (tmp_path / "parts.tsv").read_bytes() == io._pandas_tsv(table)
    assert (tmp_path / "parts.tsv").read_text(encoding="utf-8").count("doc_id") == 1
    assert (tmp_path / "empty.tsv").read_bytes() == b"doc_id\tyear\tshare\tvalue\n"
