"""Tests of zhengfa_trends.sparse_lda: the CSR corpus, the vectorised vocabulary and E-step.

Every fast path is checked against the gensim code it replaces, on the default corpus's passages.
"""

from __future__ import annotations

import numpy as np
import pytest
from gensim.corpora import Dictionary
from gensim.models import LdaModel

from zhengfa_trends.sparse_lda import BatchedLdaModel, BowCorpus, BowRow, bow_corpus, bow_matrix


@pytest.fixture(scope="module")
def token_lists(default_tokens):
    return [t.split() for t in default_tokens["tokens"]]


def gensim_bow(token_lists, no_below, no_above, keep_n):
    dictionary = Dictionary(token_lists)
    dictionary.filter_extremes(no_below=no_below, no_above=no_above, keep_n=keep_n)
    dictionary.compactify()
    return dictionary, [dictionary.doc2bow(tokens) for tokens in token_lists]


@pytest.mark.parametrize(("no_below", "no_above", "keep_n"), [(2, 0.5, 20000), (1, 1.0, None), (2, 0.5, 40)])
def test_bow_corpus_matches_gensim_dictionary(token_lists, no_below, no_above, keep_n):
    expected_dictionary, expected_corpus = gensim_bow(token_lists, no_below, no_above, keep_n)
    dictionary, corpus = bow_corpus(token_lists, no_below, no_above, keep_n)
    assert dictionary.token2id == expected_dictionary.token2id
    assert dictionary.dfs == expected_dictionary.dfs
    assert dictionary.cfs == expected_dictionary.cfs
    assert (dictionary.num_docs, dictionary.num_pos, dictionary.num_nnz) == (
        expected_dictionary.num_docs,
        expected_dictionary.num_pos,
        expected_dictionary.num_nnz,
    )
    assert len(corpus) == len(expected_corpus)
    assert [list(bow) for bow in corpus] == expected_corpus


@pytest.mark.parametrize("chunk_passages", [1, 7, 50])
@pytest.mark.parametrize(("no_below", "no_above", "keep_n"), [(2, 0.5, 20000), (2, 0.5, 40)])
def test_bow_corpus_in_chunks_equals_one_block(token_lists, chunk_passages, no_below, no_above, keep_n):
    # Blocks of fewer passages than the corpus must give the same dictionary and the same CSR
    # arrays (values and dtypes) as one block holding every passage.
    assert len(token_lists) > 50
    whole_dictionary, whole = bow_corpus(token_lists, no_below, no_above, keep_n, len(token_lists))
    dictionary, corpus = bow_corpus(iter(token_lists), no_below, no_above, keep_n, chunk_passages)
    for attribute in ("token2id", "dfs", "cfs", "num_docs", "num_pos", "num_nnz"):
        assert getattr(dictionary, attribute) == getattr(whole_dictionary, attribute)
    assert corpus.matrix.shape == whole.matrix.shape
    for attribute in ("data", "indices", "indptr"):
        expected, got = getattr(whole.matrix, attribute), getattr(corpus.matrix, attribute)
        assert got.dtype == expected.dtype
        np.testing.assert_array_equal(got, expected)


def test_bow_corpus_keep_n_keeps_most_frequent():
    token_lists = [["乙", "甲"], ["甲", "丙"], ["甲", "乙"], ["丁", "丙"]]
    dictionary, corpus = bow_corpus(token_lists, 1, 1.0, 2)
    # 甲 is in 3 passages; 乙 and 丙 in 2 (乙 wins the tie: lower gensim id); 丁 in 1.
    assert dictionary.token2id == {"乙": 0, "甲": 1}
    assert [list(bow) for bow in corpus] == [[(0, 1), (1, 1)], [(1, 1)], [(0, 1), (1, 1)], []]


def test_bow_corpus_of_nothing():
    dictionary, corpus = bow_corpus([], 1, 1.0, None)
    assert len(dictionary) == 0
    assert len(corpus) == 0
    dictionary, corpus = bow_corpus([[], []], 1, 1.0, None)
    assert len(dictionary) == 0
    assert [list(bow) for bow in corpus] == [[], []]


def test_bow_corpus_sequence_protocol():
    _, corpus = bow_corpus([["政法", "政法", "法院"], ["法院"], ["检察"]], 1, 1.0, None)
    assert len(corpus) == 3
    assert isinstance(corpus[0], BowRow)
    assert corpus[0] == [(0, 2), (1, 1)]
    assert len(corpus[0]) == 2
    assert corpus[-1] == [(2, 1)]
    assert [list(bow) for bow in corpus[1:]] == [[(1, 1)], [(2, 1)]]
    assert [list(bow) for bow in corpus[np.array([2, 0])]] == [[(2, 1)], [(0, 2), (1, 1)]]
    with pytest.raises(IndexError):
        corpus[3]


def test_bow_matrix_from_rows_and_lists():
    _, corpus = bow_corpus([["政法", "政法", "法院"], ["法院"], ["检察"]], 1, 1.0, None)
    from_rows = bow_matrix([corpus[2], corpus[0]], 3)
    from_lists = bow_matrix([[(2, 1)], [(0, 2), (1, 1)]], 3)
    expected = np.array([[0, 0, 1], [2, 1, 0]], dtype=float)
    np.testing.assert_array_equal(from_rows.toarray(), expected)
    np.testing.assert_array_equal(from_lists.toarray(), expected)
    np.testing.assert_array_equal(bow_matrix([[], [(1, 3)]], 3).toarray(), [[0, 0, 0], [0, 3, 0]])


@pytest.fixture(scope="module")
def gensim_pair(token_lists):
    """The same LDA trained by gensim's loop and by the batched E-step (K=4, seed 3, 4 passes)."""
    dictionary, corpus = gensim_bow(token_lists, 2, 0.5, 20000)
    settings = dict(id2word=dictionary, num_topics=4, random_state=3, passes=4, iterations=50, chunksize=30)
    plain = LdaModel(corpus=corpus, eval_every=None, dtype=np.float64, **settings)
    batched = BatchedLdaModel(corpus=corpus, eval_every=None, dtype=np.float64, **settings)
    return corpus, plain, batched


def test_batched_training_equals_gensim(gensim_pair):
    _, plain, batched = gensim_pair
    np.testing.assert_allclose(batched.get_topics(), plain.get_topics(), rtol=0, atol=1e-9)
    np.testing.assert_allclose(batched.alpha, plain.alpha)


def test_batched_inference_equals_gensim(gensim_pair):
    corpus, plain, batched = gensim_pair
    # Same model state and same random start: only the E-step code differs.
    batched.state = plain.state
    batched.sync_state()
    plain.random_state = np.random.RandomState(11)
    batched.random_state = np.random.RandomState(11)
    expected_gamma, expected_sstats = plain.inference(corpus, collect_sstats=True)
    gamma, sstats = batched.inference(corpus, collect_sstats=True)
    np.testing.assert_allclose(gamma, expected_gamma, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(sstats, expected_sstats, rtol=1e-9, atol=1e-9)


def test_batched_inference_of_empty_document_is_alpha(gensim_pair):
    _, _, batched = gensim_pair
    gamma, _ = batched.inference([[], [(0, 2)]])
    np.testing.assert_allclose(gamma[0], batched.alpha)
    assert not np.allclose(gamma[1], batched.alpha)


def test_batched_inference_on_bow_corpus_rows(token_lists, gensim_pair):
    corpus, _, batched = gensim_pair
    _, fast_corpus = bow_corpus(token_lists, 2, 0.5, 20000)
    batched.random_state = np.random.RandomState(5)
    from_lists, _ = batched.inference(corpus[:20])
    batched.random_state = np.random.RandomState(5)
    from_matrix, _ = batched.inference(fast_corpus[:20])
    np.testing.assert_allclose(from_matrix, from_lists)
    assert isinstance(fast_corpus[:20], BowCorpus)


def test_dense_and_gathered_phinorm_agree(gensim_pair, monkeypatch):
    import zhengfa_trends.sparse_lda as sparse_lda

    corpus, plain, batched = gensim_pair
    batched.state = plain.state
    batched.sync_state()
    results = []
    for limit in (sparse_lda.DENSE_PHINORM_ENTRIES, 0):  # the default picks dense here; 0 forces gathering
        monkeypatch.setattr(sparse_lda, "DENSE_PHINORM_ENTRIES", limit)
        batched.random_state = np.random.RandomState(4)
        results.append(batched.inference(corpus, collect_sstats=True))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-12)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-12)


def test_the_start_up_self_check_passes_on_the_installed_gensim(monkeypatch):
    import zhengfa_trends.sparse_lda as sparse_lda

    monkeypatch.setattr(sparse_lda, "_SELF_CHECKED", False)
    sparse_lda.self_check()
    assert sparse_lda._SELF_CHECKED


def test_a_gensim_whose_e_step_changed_stops_the_fit_with_one_line(monkeypatch, capsys):
    """A gensim release with another E-step (here: its inference scaled by 1 %) is caught before fitting."""
    import zhengfa_trends.sparse_lda as sparse_lda
    from zhengfa_trends.log import run_script

    original = LdaModel.inference

    def changed(self, chunk, collect_sstats=False):
        gamma, sstats = original(self, chunk, collect_sstats)
        return gamma * 1.01, sstats

    monkeypatch.setattr(LdaModel, "inference", changed)
    monkeypatch.setattr(sparse_lda, "_SELF_CHECKED", False)
    with pytest.raises(SystemExit) as stop:
        run_script(None, sparse_lda.self_check)
    message = str(stop.value)
    assert message.startswith("zhengfa-trends: the fast LDA E-step does not match gensim ")
    assert "\n" not in message
    assert not sparse_lda._SELF_CHECKED


def test_bow_corpus_rows_are_views_of_the_whole_matrix(token_lists):
    # corpus[positions] keeps the positions, not a copy of the rows: its documents are rows of the
    # whole corpus (one source object, so bow_matrix gathers them at once), its matrix the rows'.
    _, corpus = bow_corpus(token_lists, 2, 0.5, 20000)
    positions = np.array([5, 1, 2, 30, 31, 7])
    view = corpus[positions]
    assert view.matrix is not corpus.matrix and len(view) == len(positions)
    assert view.base is corpus
    copy = corpus.matrix[positions]
    for attribute in ("data", "indices", "indptr"):
        np.testing.assert_array_equal(getattr(view.matrix, attribute), getattr(copy, attribute))
    assert [list(bow) for bow in view] == [list(corpus[int(i)]) for i in positions]
    assert all(bow.corpus is corpus for bow in view)
    assert list(view[-1]) == list(corpus[7])
    nested = view[1:4]  # a view of a view: positions in the whole corpus
    assert nested.rows.tolist() == [1, 2, 30] and nested.base is corpus
    assert [list(bow) for bow in corpus[2:5]] == [list(corpus[i]) for i in (2, 3, 4)]
    np.testing.assert_array_equal(bow_matrix(list(view), corpus.matrix.shape[1]).toarray(), copy.toarray())
    with pytest.raises(IndexError):
        view[len(positions)]


def test_training_on_a_view_equals_training_on_a_copy(token_lists):
    # data.train is a view of the whole corpus: the fitted model must be the one a copy of the
    # rows gives (the same chunks of the same counts).
    dictionary, corpus = bow_corpus(token_lists, 2, 0.5, 20000)
    rows = np.flatnonzero(np.arange(len(corpus)) % 5 != 0)
    settings = dict(id2word=dictionary, num_topics=3, random_state=2, passes=2, chunksize=16, eval_every=None)
    on_view = BatchedLdaModel(corpus=corpus[rows], dtype=np.float64, **settings)
    on_copy = BatchedLdaModel(corpus=BowCorpus(corpus.matrix[rows]), dtype=np.float64, **settings)
    np.testing.assert_array_equal(on_view.get_topics(), on_copy.get_topics())
