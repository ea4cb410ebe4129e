"""The explorer's data assembly and page rendering on small inline tables (no workflow, no browser)."""

from __future__ import annotations

import base64
import io
import json
import re
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from zhengfa_trends.explorer.data import (
    ExplorerOptions,
    PassagePool,
    chronological_passages,
    period_table,
    term_table,
    topic_terms,
    yearly_term_counts,
)
from zhengfa_trends.explorer.render import (
    font_face,
    font_subset,
    json_for_script,
    page_characters,
    render_html,
)


def _corpus(n_docs: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``n_docs`` one-passage documents, one a year from 2001; document i holds 共同 and 词i."""
    documents = pd.DataFrame(
        {"doc_id": [f"d{i:03d}" for i in range(n_docs)], "date": [f"{2001 + i}-01-01" for i in range(n_docs)]}
    )
    passages = pd.DataFrame(
        {
            "doc_id": documents["doc_id"],
            "year": [2001 + i for i in range(n_docs)],
            "passage_no": 0,
            "text": [f"共同 词{i}" for i in range(n_docs)],
        }
    )
    tokens = passages.assign(tokens=[f"共同 词{i}" for i in range(n_docs)], n_tokens=2)
    return documents, passages, tokens


def test_first_appearances_are_the_earliest_passages_and_bounded():
    documents, passages, tokens = _corpus(40)
    # listed in reverse: the reading order comes from the dates, not the row order
    documents = documents.iloc[::-1].reset_index(drop=True)
    pool = PassagePool(chronological_passages(passages, documents))
    years = sorted(tokens["year"])
    per_year = yearly_term_counts(tokens, years)
    total = sum(per_year, start=Counter())
    options = ExplorerOptions(first_passages=2, max_first_passages=10, max_terms=1000)
    table = term_table(tokens, per_year, total, pool, options)
    first = dict(zip(table["terms"], table["first"], strict=True))
    quoted = {number for numbers in table["first"] for number in numbers}
    assert len(quoted) == 10  # the bound, although 40 passages hold a first appearance
    records, doc_ids = pool.records()
    assert [records[n][2] for n in first["共同"]] == ["共同 词0", "共同 词1"]  # the two earliest
    assert [records[n][2] for n in first["词9"]] == ["共同 词9"]
    assert first["词10"] == []  # past the bound: no passage quoted
    assert table["counts"][table["terms"].index("词10")] == [int(y == 2011) for y in years]
    assert table["terms"][0] == "共同" and sum(table["counts"][0]) == 40
    assert doc_ids == [f"d{i:03d}" for i in range(10)]  # only the quoted documents are listed


def test_relevance_candidates_hold_the_top_terms_at_both_ends_of_lambda():
    vocabulary = ["常见", "专属", "其他", "少见"]
    # topic 0: 常见 is its most probable term; 专属 is rare in the corpus but concentrated here
    topic_word = np.array([[0.5, 0.3, 0.15, 0.05], [0.6, 0.01, 0.3, 0.09]])
    counts = {"常见": 1000, "专属": 10, "其他": 400, "少见": 50}
    terms = topic_terms(topic_word, vocabulary, counts, np.array([100.0, 200.0]), n_terms=1)
    assert terms[0]["terms"][0] == "常见"  # sorted by φ
    assert {"常见", "专属"} <= set(terms[0]["terms"])  # λ = 1 picks 常见, λ = 0 (lift) picks 专属
    log_phi, log_p = np.array(terms[0]["log_phi"]), np.array(terms[0]["log_p"])
    lift = log_phi - log_p
    assert terms[0]["terms"][int(np.argmax(lift))] == "专属"
    assert terms[0]["in_topic"][0] == 50.0  # φ × the topic's tokens


def test_period_tables_keep_their_column_order():
    shares = pd.DataFrame(
        {
            "theme": ["数字政法"],
            "period": ["2021–2023"],
            "first": [2021],
            "last": [2023],
            "share": [3.123456789],
            "ci_low": [1.0],
            "ci_high": [5.0],
            "ci_unit": ["documents"],
            "n_docs": [4],
            "small_n": [False],
        }
    )
    table = period_table(shares, "theme")
    assert table["columns"] == [
        "theme",
        "period",
        "first",
        "last",
        "share",
        "ci_low",
        "ci_high",
        "n_docs",
        "small_n",
    ]
    assert table["rows"] == [["数字政法", "2021–2023", 2021, 2023, 3.123457, 1.0, 5.0, 4, False]]


def test_passage_text_cannot_close_the_data_script():
    hostile = "正文</script><script>alert(1)</script><!-- 注释"
    payload = {"passages": [[0, 0, hostile]], "provenance": {"versions": {}}}
    text = json_for_script(payload)
    assert "<" not in text
    assert json.loads(text)["passages"][0][2] == hostile
    html = render_html(payload)
    match = re.search(r'<script type="application/json" id="explorer-data">(.*?)</script>', html, re.S)
    assert json.loads(match.group(1))["passages"][0][2] == hostile
    assert "<script>alert(1)" not in html


def test_the_font_subset_holds_the_page_characters_and_the_same_bytes_every_time():
    from fontTools.ttLib import TTFont

    from zhengfa_trends.plotting import cjk_font_path

    characters = page_characters(["枫桥经验 数字政法\n\t", "λ θ"])
    assert "\n" not in characters and "\t" not in characters
    assert {"枫", "桥", "λ", "A", "~", " ", "−"} <= set(characters)
    data = font_subset(characters)
    assert data[:4] == b"wOFF"
    assert font_subset(characters) == data  # no time stamp or other run-dependent byte
    font = TTFont(io.BytesIO(data))
    source = TTFont(cjk_font_path(), lazy=True)
    assert font["head"].modified == source["head"].modified  # the font's own date, not the run's
    box = ("xMin", "yMin", "xMax", "yMax")  # not recomputed: the full font's, a superset of the subset's
    assert [getattr(font["head"], name) for name in box] == [getattr(source["head"], name) for name in box]
    assert {ord(c) for c in "枫桥经验数字政法λθA~"} <= set(font.getBestCmap())
    assert ord("鬱") not in font.getBestCmap()  # only what the page shows
    assert len(font.getGlyphOrder()) <= len(characters) + 1  # no regional variants pulled in
    rule, info = font_face(characters)
    assert rule.count("url(") == 1
    assert base64.b64decode(re.search(r"base64,([^)]+)\)", rule).group(1)) == data
    assert info["bytes"] == len(data) and info["characters"] == len(characters)


def test_quoted_texts_read_in_chunks_are_those_of_the_whole_table(tmp_path):
    """The explorer reads passages.tsv without its texts and fetches the quoted ones in chunks
    (a large corpus's texts take gigabytes): the same texts as the whole table, in page order."""
    from zhengfa_trends.explorer.data import passage_texts_reader
    from zhengfa_trends.io import read_tsv, write_tsv

    documents, passages, tokens = _corpus(25)
    passages.loc[7, "text"] = '带"引号"\t和制表符'  # quoted by the TSV writer
    path = tmp_path / "passages.tsv"
    write_tsv(passages, path)
    whole = read_tsv(path, dtype={"doc_id": str, "text": str})["text"]
    texts = passage_texts_reader(path, chunk_rows=4)  # 7 chunks, the last one short
    rows = [24, 0, 7, 13, 12, 3]
    assert texts(rows) == {row: whole[row] for row in rows}
    assert texts(rows)[7] == '带"引号"\t和制表符'
    # a pool without the texts quotes the same records as one with them
    ids_only = read_tsv(path, usecols=["doc_id", "passage_no"], dtype={"doc_id": str})
    with_text = PassagePool(chronological_passages(passages, documents))
    without = PassagePool(chronological_passages(ids_only, documents), texts=texts)
    for pool in (with_text, without):
        for row in rows:
            pool.ref(row)
    assert without.records() == with_text.records()
    assert [record[2] for record in without.records()[0]] == [whole[row] for row in rows]


@pytest.mark.parametrize("chunk", [1, 7, 1000, 50_000])
def test_topic_token_totals_have_the_bits_of_the_whole_product(chunk):
    """Summed a chunk at a time, each topic's tokens equal the sum of the whole passages × K product."""

    from zhengfa_trends.explorer.data import topic_token_totals

    rng = np.random.default_rng(3)
    theta = rng.dirichlet(np.ones(6), size=2_345)
    tokens = rng.integers(0, 300, size=2_345).astype(float)
    expected = (theta * tokens[:, None]).sum(axis=0)
    assert topic_token_totals(theta, tokens, chunk=chunk).tobytes() == expected.tobytes()
    assert topic_token_totals(theta[:0], tokens[:0]).tolist() == [0.0] * 6


def _token_table(n: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``n`` passages of several documents over four years: theme keywords, repeated terms,
    passages without tokens; documents dated out of row order."""
    rng = np.random.default_rng(5)
    words = ["数字政法", "智慧法院", "枫桥经验", "基层治理", "共同", "法治", "改革", "建设", "数字化"]
    doc_of = np.sort(rng.integers(0, n // 3 + 1, size=n))
    passages = pd.DataFrame(
        {
            "doc_id": [f"d{d:03d}" for d in doc_of],
            "passage_no": pd.Series(doc_of).groupby(doc_of).cumcount().to_numpy(),
        }
    )
    passages["year"] = 2018 + (doc_of * 7) % 4
    texts = [" ".join(rng.choice(words, size=rng.integers(0, 9))) for _ in range(n)]
    tokens = passages.assign(tokens=texts, n_tokens=[len(t.split()) for t in texts])
    documents = pd.DataFrame({"doc_id": sorted(set(passages["doc_id"]))})
    documents["year"] = documents["doc_id"].map(dict(zip(passages["doc_id"], passages["year"], strict=False)))
    documents["date"] = [f"{y}-{(i * 5) % 12 + 1:02d}-01" for i, y in enumerate(documents["year"])]
    return documents, passages, tokens


THEMES = {"数字政法": ["数字政法", "智慧法院", "数字化"], "基层治理": ["枫桥经验", "基层治理"]}


@pytest.mark.parametrize("chunk_rows", [1, 3, 10_000])
def test_token_summary_read_in_chunks_is_that_of_the_whole_table(tmp_path, chunk_rows):
    """tokens.tsv summed chunk by chunk gives the whole table's theme hits, token counts per year
    and passage tokens; the quoted token strings and the term table are those of the whole table."""
    from functools import partial

    from zhengfa_trends.explorer.data import rows_of_chunks, summarise_tokens, token_chunks
    from zhengfa_trends.features import yearly_term_counts as counts_by_year
    from zhengfa_trends.io import read_token_chunks, read_tokens, write_tsv
    from zhengfa_trends.trends import count_theme_hits

    documents, passages, tokens = _token_table(60)
    path = tmp_path / "tokens.tsv"
    write_tsv(tokens[["doc_id", "passage_no", "year", "n_tokens", "tokens"]], path)
    whole = read_tokens(path)
    assert (whole["tokens"] == "").any()  # passages without tokens are read as well
    chunks = partial(read_token_chunks, path, chunk_rows)
    summary = summarise_tokens(chunks(), passages, THEMES)
    assert summary.hits.tolist() == count_theme_hits(whole["tokens"], THEMES).to_numpy().tolist()
    assert summary.counts == counts_by_year(whole)
    assert list(summary.counts) == sorted(summary.counts)
    assert summary.n_tokens.tolist() == whole["n_tokens"].tolist()
    assert summary.years.tolist() == whole["year"].tolist()
    assert summarise_tokens(token_chunks(whole)(), passages, THEMES).counts == summary.counts
    rows = [59, 0, 17, 3, 3]
    assert rows_of_chunks(chunks(), "tokens", rows) == {row: whole.at[row, "tokens"] for row in rows}
    with pytest.raises(ValueError, match="different passages"):
        summarise_tokens(chunks(), passages.iloc[::-1].reset_index(drop=True), THEMES)
    with pytest.raises(ValueError, match="different passages"):
        summarise_tokens(chunks(), passages.iloc[:-1], THEMES)

    years = sorted(summary.counts)
    per_year = [summary.counts[y] for y in years]
    total = sum(per_year, start=Counter())
    options = ExplorerOptions(first_passages=2, max_first_passages=4, max_terms=1000)
    tables = []
    for block in (None, 1, 3, 1000):  # the whole table, then token strings fetched block by block
        pool = PassagePool(chronological_passages(passages, documents))
        for row in (40, 7, 52):  # passages quoted as evidence before the term table
            pool.ref(row)
        source = whole if block is None else (lambda r: rows_of_chunks(chunks(), "tokens", r))
        table = term_table(
            source, per_year, total, pool, options, **({} if block is None else {"block": block})
        )
        tables.append((table, dict(pool.used)))
    assert all(table == tables[0] for table in tables[1:])
    assert any(tables[0][0]["first"])


def _old_topic_evidence(theta, passage_tokens, years, order, per_cell):
    """The ranking as it was computed from the whole θ: (passage row, θ) per topic and year."""
    out = {}
    for topic in range(theta.shape[1]):
        mass = theta[:, topic] * passage_tokens
        cells = {}
        for year in np.unique(years):
            rows = np.flatnonzero((years == year) & (mass > 0))
            ranked = rows[np.lexsort((order[rows], -np.round(mass[rows], 9)))][:per_cell]
            cells[str(int(year))] = [[int(r), round(float(theta[r, topic]), 4)] for r in ranked]
        out[str(topic)] = cells
    return out


@pytest.mark.parametrize("chunk_rows", [1, 3, 10_000])
def test_passage_topics_read_in_chunks_give_what_the_whole_table_gives(tmp_path, chunk_rows):
    """θ, tokens and years read chunk by chunk have the bits of the whole passage_topics table;
    the topic totals and each topic × year cell's best passages summed over the chunks are those
    of the whole θ (ties of θ × tokens broken by reading order); a table in another passage order
    raises and is read whole and reordered."""
    from zhengfa_trends.explorer.data import (
        MisalignedPassages,
        PassageTopics,
        read_passage_topics,
        summarise_topics,
        topic_evidence,
        topic_token_totals,
    )
    from zhengfa_trends.io import read_tsv, write_tsv

    documents, passages, tokens = _token_table(40)
    rng = np.random.default_rng(2)
    theta = rng.dirichlet(np.ones(4), size=len(passages))
    theta[5:9] = theta[4]  # equal θ × tokens where the tokens are equal too: reading order decides
    theta[11, 2] = 0.0
    table = tokens[["doc_id", "passage_no", "year", "n_tokens"]].copy()
    for i in range(4):
        table[f"topic_{i}"] = theta[:, i]
    path = tmp_path / "passage_topics.tsv"
    write_tsv(table, path)
    expected = PassageTopics.from_table(read_tsv(path, dtype={"doc_id": str}), passages, 4)
    chunks = list(read_passage_topics(path, passages, 4, chunk_rows=chunk_rows))
    assert len(chunks) == -(-len(passages) // chunk_rows)
    for name in ("theta", "n_tokens", "years"):
        joined = np.concatenate([getattr(chunk, name) for chunk in chunks])
        assert joined.tobytes() == getattr(expected, name).tobytes(), name
        assert joined.dtype == getattr(expected, name).dtype

    pool = PassagePool(chronological_passages(passages, documents))
    order = pool.passages["order"].to_numpy()
    summary = summarise_topics(iter(chunks), order, 4, per_cell=3)
    assert expected.theta.flags.f_contiguous  # as pandas gives θ: its columns summed pairwise
    whole = topic_token_totals(expected.theta, expected.n_tokens)
    assert summary.topic_tokens.tobytes() == whole.tobytes()
    for head in (1, 7, 13):  # blocks of as many passages, each summed pairwise with the total so far
        again = summarise_topics(iter(chunks), order, 4, per_cell=3, head_rows=head).topic_tokens
        assert again.tobytes() == topic_token_totals(expected.theta, expected.n_tokens, chunk=head).tobytes()
    evidence = topic_evidence(summary, None, None, pool, per_cell=3)
    numbers = {number: row for row, number in pool.used.items()}
    as_rows = {
        t: {y: [[numbers[n], v] for n, v in cell] for y, cell in cells.items()}
        for t, cells in evidence.items()
    }
    assert as_rows == _old_topic_evidence(expected.theta, expected.n_tokens, expected.years, order, 3)
    assert all(len(cell) == 3 for cells in evidence.values() for cell in cells.values())

    shuffled = tmp_path / "shuffled.tsv"
    write_tsv(read_tsv(path, dtype={"doc_id": str}).iloc[::-1], shuffled)
    with pytest.raises(MisalignedPassages):
        list(read_passage_topics(shuffled, passages, 4, chunk_rows=chunk_rows))
    (reordered,) = read_passage_topics(shuffled, passages, 4, whole=True)
    assert reordered.theta.tobytes() == expected.theta.tobytes()
