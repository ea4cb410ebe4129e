"""Keyword suggestions from seeded word vectors (PPMI + SVD, Word2Vec): content and byte-identical reruns."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from zhengfa_trends.io import write_tsv
from zhengfa_trends.suggest import (
    SUGGESTION_COLUMNS,
    SuggestionSettings,
    cooccurrence_matrix,
    ppmi_svd_vectors,
    randomized_svd,
    theme_suggestions,
    train_word_vectors,
    unit_vectors,
)

THEMES = {"数字": ["数字政法", "大数据"], "基层": ["网格员"]}
SETTINGS = SuggestionSettings(n_terms=5, vector_size=16, min_count=2, epochs=5)
WORD2VEC = dataclasses.replace(SETTINGS, method="word2vec")


def _tokens() -> pd.DataFrame:
    rows = []
    for i in range(60):
        year = 2020 + i % 3
        rows.append((year, "数字政法 大数据 平台 数据共享 智慧法院建设 信息化 改革"))
        rows.append((year, "网格员 调解 矛盾 社区 走访 平安 改革"))
    return pd.DataFrame(rows, columns=["year", "tokens"])


@pytest.mark.parametrize("method", ["ppmi_svd", "word2vec"])
def test_suggestions_are_new_terms_with_yearly_frequencies(method):
    settings = dataclasses.replace(SETTINGS, method=method)
    table = theme_suggestions(_tokens(), THEMES, "contains", settings)
    assert list(table.columns) == SUGGESTION_COLUMNS
    assert table["theme"].drop_duplicates().tolist() == ["数字", "基层"]
    terms = table.drop_duplicates(["theme", "term"])
    assert terms.groupby("theme", sort=False).size().to_dict() == {"数字": 5, "基层": 5}
    keywords = {w for words in THEMES.values() for w in words}
    assert not set(terms["term"]) & keywords
    assert table["year"].drop_duplicates().tolist() == [2020, 2021, 2022]
    assert (table.groupby(["theme", "term"])["freq"].sum() > 0).all()
    assert table.loc[table["term"] == "改革", "freq"].unique().tolist() == [40]
    # A token that already counts for a keyword (contains mode) is measured, not suggested.
    blocked = theme_suggestions(_tokens(), {"数字": ["数字政法", "法院"]}, "contains", settings)
    assert "智慧法院建设" not in set(blocked["term"])


def test_negative_sampling_is_a_setting_and_hierarchical_softmax_the_default():
    assert SuggestionSettings().negative == 0
    softmax = theme_suggestions(_tokens(), THEMES, "contains", WORD2VEC)
    sampled = theme_suggestions(_tokens(), THEMES, "contains", dataclasses.replace(WORD2VEC, negative=5))
    # Other vectors, the same shape of table.
    assert not softmax["similarity"].equals(sampled["similarity"])
    assert sampled.drop_duplicates(["theme", "term"]).groupby("theme").size().tolist() == [5, 5]


@pytest.mark.parametrize(("method", "negative"), [("ppmi_svd", 0), ("word2vec", 0), ("word2vec", 5)])
def test_suggestions_are_byte_identical_across_processes(tmp_path, method, negative):
    write_tsv(_tokens(), tmp_path / "tokens.tsv")
    script = (
        "import sys, pandas as pd\n"
        "from zhengfa_trends.io import write_tsv\n"
        "from zhengfa_trends.suggest import SuggestionSettings, theme_suggestions\n"
        "tokens = pd.read_csv(sys.argv[1], sep='\\t')\n"
        f"settings = SuggestionSettings(n_terms=5, vector_size=16, min_count=2, epochs=5, negative={negative}, method={method!r})\n"
        "write_tsv(theme_suggestions(tokens, {'数字': ['数字政法', '大数据'], '基层': ['网格员']}, 'contains', settings), sys.argv[2])\n"
    )
    outputs = []
    for run, hash_seed in enumerate(("1", "2")):
        out = tmp_path / f"suggestions_{run}.tsv"
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        subprocess.run(
            [sys.executable, "-c", script, str(tmp_path / "tokens.tsv"), str(out)], check=True, env=env
        )
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert outputs[0].count(b"\n") == 1 + 10 * 3


def test_cooccurrences_are_window_weighted_within_a_passage_over_kept_words():
    # a b c | a b (two passages): 1 for neighbours, (window - d + 1) / window farther out, nothing
    # across the passage boundary; symmetric.
    words, counts = cooccurrence_matrix([["a", "b", "c"], ["a", "b"]], min_count=1, window=2)
    assert words == ["a", "b", "c"]  # by count, then code point
    dense = counts.toarray()
    assert dense.tolist() == [[0.0, 2.0, 0.5], [2.0, 0.0, 1.0], [0.5, 1.0, 0.0]]
    # A rare word is dropped before windowing, as Word2Vec drops it: x between a and b does not
    # push b out of a's window.
    words, counts = cooccurrence_matrix([["a", "x", "b"], ["a", "b"]], min_count=2, window=1)
    assert words == ["a", "b"]
    assert counts.toarray().tolist() == [[0.0, 2.0], [2.0, 0.0]]


def _two_topic_sentences() -> list[list[str]]:
    # 法院 and 检察院 share their contexts, as do 农田 and 粮食; the two groups share none.
    sentences = []
    for i in range(40):
        court = ["法院", "检察院"][i % 2]
        farm = ["农田", "粮食"][i % 2]
        sentences.append(["依法", court, "审理", "案件", "公正"][: 3 + i % 3])
        sentences.append(["司法", "改革", court, "办案"])
        sentences.append(["建设", farm, "增产", "丰收", "农民"][: 3 + i % 3])
        sentences.append(["保护", "耕地", farm, "安全"])
    sentences.extend([["孤词"]] * 3)  # never beside another word
    return sentences


def test_ppmi_svd_puts_words_of_shared_contexts_together_and_drops_context_free_words():
    vectors = ppmi_svd_vectors(_two_topic_sentences(), SuggestionSettings(vector_size=8, min_count=2))
    assert "孤词" not in vectors.key_to_index  # no positive association, no vector
    assert vectors.vectors.shape == (len(vectors.index_to_key), 8)
    unit = unit_vectors(vectors)
    similarity = unit @ unit.T
    at = vectors.key_to_index
    assert similarity[at["法院"], at["检察院"]] > 0.9
    assert similarity[at["农田"], at["粮食"]] > 0.9
    assert abs(similarity[at["法院"], at["农田"]]) < 0.2


def test_ppmi_svd_on_too_few_words_gives_few_or_no_vectors():
    settings = SuggestionSettings(vector_size=100, min_count=2)
    empty = ppmi_svd_vectors([["孤词"], ["孤词"]], settings)
    assert empty.index_to_key == [] and empty.vectors.shape[0] == 0
    few = train_word_vectors(["甲 乙 丙", "甲 乙 丙", ""], settings)
    # Fewer dimensions than asked for: a 3-word matrix has at most 2 beyond the trivial.
    assert few.index_to_key == ["丙", "乙", "甲"] and few.vectors.shape == (3, 2)
    table = theme_suggestions(
        pd.DataFrame({"year": [2020, 2021], "tokens": ["孤词", "孤词"]}),
        {"数字": ["孤词"]},
        "contains",
        settings,
    )
    assert table.empty and list(table.columns) == SUGGESTION_COLUMNS


def test_ppmi_svd_is_the_default_and_needs_no_gensim():
    assert SuggestionSettings().method == "ppmi_svd"
    script = (
        "import sys, pandas as pd\n"
        "from zhengfa_trends.suggest import SuggestionSettings, theme_suggestions\n"
        "tokens = pd.DataFrame({'year': [2020] * 40, 'tokens': ['数字政法 大数据 平台 数据共享'] * 40})\n"
        "table = theme_suggestions(tokens, {'数字': ['数字政法']}, 'contains', SuggestionSettings(n_terms=2))\n"
        "print(len(table), 'gensim' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["2", "False"]


def test_randomized_svd_finds_the_leading_singular_triplets_reproducibly():
    from scipy.sparse import csr_matrix
    from scipy.sparse.linalg import svds

    rng = np.random.default_rng(3)
    # Rank 6 and sparse (sparse factors), plus sparse noise three orders smaller: the leading 6
    # stand far above the rest.
    factors = [rng.standard_normal(shape) * (rng.random(shape) < 0.3) for shape in ((300, 6), (6, 250))]
    noise = 1e-3 * rng.standard_normal((300, 250)) * (rng.random((300, 250)) < 0.05)
    matrix = csr_matrix(factors[0] @ np.diag([40, 30, 20, 12, 8, 5]) @ factors[1] + noise)
    left, singular = randomized_svd(matrix, 6, seed=1)
    exact_left, exact, _ = svds(matrix, 6, v0=np.ones(250))
    order = np.argsort(exact)[::-1]
    np.testing.assert_allclose(singular, exact[order], rtol=1e-6)
    assert np.all(np.diff(singular) <= 0)
    # The same subspace: |cos| between matching singular vectors is 1.
    np.testing.assert_allclose(np.abs(np.sum(left * exact_left[:, order], axis=0)), 1.0, atol=1e-6)
    np.testing.assert_allclose(left.T @ left, np.eye(6), atol=1e-10)
    again, _ = randomized_svd(matrix, 6, seed=1)
    assert np.array_equal(left, again)
    other, _ = randomized_svd(matrix, 6, seed=2)
    assert not np.array_equal(left, other)
