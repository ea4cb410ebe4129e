"""Tests of zhengfa_trends.topics: vocabulary, seeded LDA, topic terms and passage topics."""

from __future__ import annotations

import numpy as np
import pytest
from gensim.corpora import Dictionary

from zhengfa_trends import topics
from zhengfa_trends.io import read_tokens, write_tsv, write_tsv_chunks
from zhengfa_trends.topics import (
    LdaSettings,
    build_bow,
    fit_lda,
    passage_topic_columns,
    passage_topic_parts,
    passage_topic_table,
    passage_topics,
    topic_terms,
)

SETTINGS = LdaSettings(passes=5)
K = 3
SEED = 1


@pytest.fixture(scope="session")
def bow(default_tokens):
    return build_bow([t.split() for t in default_tokens["tokens"]], SETTINGS)


@pytest.fixture(scope="session")
def lda_model(bow):
    dictionary, corpus = bow
    return fit_lda(corpus, dictionary, K, SEED, SETTINGS)


def test_topic_terms_table(lda_model, bow):
    dictionary, _ = bow
    terms = topic_terms(lda_model, SETTINGS.n_terms)
    assert list(terms.columns) == ["topic", "rank", "term", "weight"]
    assert len(terms) == K * SETTINGS.n_terms
    assert terms["topic"].tolist() == [t for t in range(K) for _ in range(SETTINGS.n_terms)]
    assert terms["rank"].tolist() == list(range(1, SETTINGS.n_terms + 1)) * K
    assert set(terms["term"]) <= set(dictionary.token2id)
    for _, group in terms.groupby("topic"):
        assert group["weight"].is_monotonic_decreasing
        assert (group["weight"] > 0).all()


def test_topic_terms_n_terms(lda_model):
    assert len(topic_terms(lda_model, 4)) == K * 4


def test_passage_topics_rows_sum_to_one(lda_model, bow):
    _, corpus = bow
    theta = passage_topics(lda_model, corpus)
    assert theta.shape == (len(corpus), K)
    assert np.abs(theta.sum(axis=1) - 1.0).max() < 1e-6
    assert (theta >= 0).all()


def test_empty_passage_is_uniform(lda_model, bow):
    _, corpus = bow
    theta = passage_topics(lda_model, [[], corpus[0], []])
    np.testing.assert_allclose(theta[0], np.full(K, 1 / K))
    np.testing.assert_allclose(theta[2], np.full(K, 1 / K))
    assert np.abs(theta[1] - 1 / K).max() > 1e-3  # a real passage is not uniform


def test_passage_topics_reproducible_for_a_fresh_fit(bow):
    # gensim's inference draws its start values from the model's random state, so the thetas are
    # reproducible for the same seed and the same sequence of calls on a freshly fitted model.
    dictionary, corpus = bow
    first = passage_topics(fit_lda(corpus, dictionary, K, SEED, SETTINGS), corpus)
    second = passage_topics(fit_lda(corpus, dictionary, K, SEED, SETTINGS), corpus)
    np.testing.assert_array_equal(first, second)


def test_same_seed_same_topics(bow):
    dictionary, corpus = bow
    first = topic_terms(fit_lda(corpus, dictionary, K, SEED, SETTINGS), SETTINGS.n_terms)
    second = topic_terms(fit_lda(corpus, dictionary, K, SEED, SETTINGS), SETTINGS.n_terms)
    assert first.equals(second)


def test_passage_topic_table(default_tokens, lda_model, bow):
    _, corpus = bow
    table = passage_topic_table(default_tokens, passage_topics(lda_model, corpus))
    assert list(table.columns) == [
        "doc_id",
        "passage_no",
        "year",
        "n_tokens",
        "topic_0",
        "topic_1",
        "topic_2",
    ]
    assert len(table) == len(default_tokens)
    assert table["doc_id"].tolist() == default_tokens["doc_id"].tolist()


def test_build_bow_filters_rare_terms():
    token_lists = [["政法", "建设", "枫桥经验"], ["政法", "法院"], ["建设", "法院", "检察"], ["智慧法院"]]
    dictionary, corpus = build_bow(token_lists, LdaSettings(no_below=2, no_above=1.0))
    assert sorted(dictionary.token2id) == ["建设", "政法", "法院"]
    assert [sum(count for _, count in bow) for bow in corpus] == [2, 2, 2, 0]
    assert corpus[3] == []


def test_build_bow_filters_common_terms():
    token_lists = [["政法", "建设"], ["政法", "法院"], ["政法", "建设"], ["政法", "法院"]]
    dictionary, _ = build_bow(token_lists, LdaSettings(no_below=1, no_above=0.5))
    assert sorted(dictionary.token2id) == ["建设", "法院"]


def test_default_vocabulary_respects_no_below(bow, default_tokens):
    dictionary, _ = bow
    doc_freq = {dictionary[i]: n for i, n in dictionary.dfs.items()}
    assert min(doc_freq.values()) >= SETTINGS.no_below
    assert max(doc_freq.values()) <= SETTINGS.no_above * len(default_tokens)
    assert "政法工作现代化" in dictionary.token2id


def test_fit_lda_empty_vocabulary_raises():
    with pytest.raises(ValueError, match="vocabulary is empty"):
        fit_lda([[]], Dictionary(), 3, 0, SETTINGS)


def test_fit_lda_vocabulary_emptied_by_filtering_raises():
    dictionary, corpus = build_bow([["政法"], ["法院"]], LdaSettings(no_below=2))
    assert len(dictionary) == 0
    with pytest.raises(ValueError, match="vocabulary is empty"):
        fit_lda(corpus, dictionary, 2, 0, SETTINGS)


def test_perplexity_per_pass_leaves_the_model_unchanged(bow, lda_model):
    from zhengfa_trends.topics import heldout_perplexity, perplexity_per_pass

    dictionary, corpus = bow
    heldout = corpus[np.arange(0, len(corpus), 7)]
    watched = fit_lda(corpus, dictionary, K, SEED, SETTINGS, callbacks=[perplexity_per_pass(heldout)])
    # Same model bit for bit as the fit without the callback ...
    np.testing.assert_array_equal(watched.get_topics(), lda_model.get_topics())
    # ... one value per pass, the last one the perplexity of the finished model.
    values = watched.metrics["heldout_perplexity"]
    assert len(values) == SETTINGS.passes
    assert all(np.isfinite(values)) and min(values) > 1
    assert values[-1] == pytest.approx(heldout_perplexity(watched, heldout), rel=1e-9)


def test_still_falling_flags_a_model_short_of_convergence():
    from zhengfa_trends.topics import still_falling

    # held-out perplexity after passes 6-10 of the benchmark fits (benchmarks/CONVERGENCE.tsv)
    provincial_reports = [1336.1, 1326.6, 1319.4, 1313.8, 1309.4]  # falls 0.4 % per pass
    synthetic_2000 = [212.7, 212.2, 212.0, 211.9, 211.8]  # 0.06 % per pass
    fall = still_falling(provincial_reports)
    assert fall == pytest.approx((1326.6 / 1319.4 + 1319.4 / 1313.8 + 1313.8 / 1309.4 - 3) / 3)
    assert 0.004 < fall < 0.005
    assert still_falling(synthetic_2000) is None
    assert still_falling([300.0, 200.0, 150.0]) is None  # too few passes to judge
    assert still_falling([]) is None


def test_learning_schedule_reaches_gensim_and_defaults_are_gensims():
    """The schedule fields (varied by benchmarks/convergence.py) are what the gensim model trains
    with, and their defaults are gensim's own: the workflow's fits are those of a plain LdaModel."""
    import inspect

    from gensim.models import LdaModel

    from zhengfa_trends.topics import lda_model_arguments

    gensim_defaults = inspect.signature(LdaModel).parameters
    arguments = lda_model_arguments(K, SEED, SETTINGS)
    for name in ("decay", "offset", "update_every", "chunksize"):
        assert arguments[name] == gensim_defaults[name].default
    texts = [["政法", "法院", "检察"], ["公安", "司法", "政法"], ["法院", "公安", "改革"]] * 4
    dictionary, corpus = build_bow(texts, LdaSettings(no_below=1, no_above=1.0))
    batch = LdaSettings(passes=3, decay=0.0, offset=2.0, update_every=0, chunksize=5)
    model = fit_lda(corpus, dictionary, 2, SEED, batch)
    assert (model.decay, model.offset, model.update_every, model.chunksize) == (0.0, 2.0, 0, 5)
    again = fit_lda(corpus, dictionary, 2, SEED, batch)
    np.testing.assert_array_equal(model.get_topics(), again.get_topics())  # deterministic
    online = fit_lda(corpus, dictionary, 2, SEED, LdaSettings(passes=3, no_below=1, no_above=1.0))
    assert not np.allclose(model.get_topics(), online.get_topics())  # the schedule changed the fit


@pytest.mark.parametrize(("part_rows", "chunk"), [(10, 5), (7, 3), (50_000, 2000)])
def test_passage_topics_in_parts_write_the_whole_tables_bytes(
    tmp_path, default_tokens, bow, part_rows, chunk
):
    # fit_lda writes passage_topics.tsv a part at a time: the same inference chunks in the same
    # order (they draw from the model's random state), so the same bytes as one table's write.
    dictionary, corpus = bow
    passages = default_tokens.drop(columns="tokens")
    model = fit_lda(corpus, dictionary, K, SEED, SETTINGS)
    state = model.random_state.get_state()
    write_tsv(passage_topic_table(passages, passage_topics(model, corpus, chunk)), tmp_path / "whole.tsv")
    model.random_state.set_state(state)
    parts = list(passage_topic_parts(model, corpus, passages, part_rows=part_rows, chunk=chunk))
    assert len(parts) == -(-len(corpus) // max(chunk, part_rows // chunk * chunk))
    write_tsv_chunks(iter(parts), tmp_path / "parts.tsv", passage_topic_columns(K))
    assert (tmp_path / "parts.tsv").read_bytes() == (tmp_path / "whole.tsv").read_bytes()


def test_passage_topic_columns_head_an_empty_table(tmp_path, lda_model, default_tokens):
    empty = default_tokens.drop(columns="tokens").iloc[:0]
    write_tsv(passage_topic_table(empty, np.zeros((0, K))), tmp_path / "whole.tsv")
    write_tsv_chunks(
        passage_topic_parts(lda_model, [], empty), tmp_path / "parts.tsv", passage_topic_columns(K)
    )
    assert (tmp_path / "parts.tsv").read_bytes() == (tmp_path / "whole.tsv").read_bytes()


def _same_data(a, b):
    assert a.dictionary.token2id == b.dictionary.token2id
    assert a.dictionary.dfs == b.dictionary.dfs and a.dictionary.cfs == b.dictionary.cfs
    for part in ("corpus", "train", "heldout", "coherence_corpus", "selection"):
        x, y = getattr(a, part), getattr(b, part)
        assert (x is None) == (y is None)
        if x is not None:
            assert (x.matrix != y.matrix).nnz == 0 and x.matrix.shape == y.matrix.shape
    assert a.texts == b.texts


@pytest.mark.parametrize("chunk_rows", [1, 9, 50_000])
@pytest.mark.parametrize("selection_passages", [None, 30])
def test_lda_data_from_file_in_chunks_equals_lda_data(
    tmp_path, default_tokens, chunk_rows, selection_passages
):
    # fit_lda reads tokens.tsv a chunk at a time and keeps only the coherence sample's token lists:
    # the same vocabulary, counts, splits and sample as lda_data of the whole table.
    path = tmp_path / "tokens.tsv"
    write_tsv(default_tokens[["doc_id", "passage_no", "year", "n_tokens", "tokens"]], path)
    settings = LdaSettings(coherence_passages=20, selection_passages=selection_passages)
    expected_passages = read_tokens(path).drop(columns="tokens")
    passages, data = topics.lda_data_from_file(path, settings, chunk_rows=chunk_rows)
    _same_data(data, topics.lda_data(read_tokens(path), settings))
    assert passages.equals(expected_passages)
    assert len(data.texts) == 20


def test_lda_data_from_file_when_the_line_count_is_wrong(tmp_path, default_tokens, monkeypatch):
    # A quoted field holding a line break would make the line count wrong: the sample is then
    # picked from the real number of passages, reading the token strings once more.
    path = tmp_path / "tokens.tsv"
    write_tsv(default_tokens[["doc_id", "passage_no", "year", "n_tokens", "tokens"]], path)
    settings = LdaSettings(coherence_passages=20)
    monkeypatch.setattr(topics, "_count_rows", lambda _path: len(default_tokens) + 3)
    _, data = topics.lda_data_from_file(path, settings, chunk_rows=10)
    _same_data(data, topics.lda_data(read_tokens(path), settings))


@pytest.mark.parametrize("selection_passages", [None, 30])
def test_the_bag_of_words_files_give_the_data_of_tokens_tsv(tmp_path, default_tokens, selection_passages):
    # Rule build_lda_corpus writes the vocabulary, counts and coherence sample once; every fit reads them
    # back: the same data and passages as reading tokens.tsv itself, with an empty passage kept.
    tokens = default_tokens[["doc_id", "passage_no", "year", "n_tokens", "tokens"]].copy()
    tokens.loc[3, ["tokens", "n_tokens"]] = ["", 0]
    path = tmp_path / "tokens.tsv"
    write_tsv(tokens, path)
    settings = LdaSettings(coherence_passages=len(tokens), selection_passages=selection_passages)
    files = {name: tmp_path / "bow" / f"{name}.x" for name in topics.BAG_OF_WORDS_FILES}
    (tmp_path / "bow").mkdir()
    written = topics.write_bag_of_words(path, settings, files, chunk_rows=7)
    passages, data = topics.lda_data_from_bag_of_words(files, settings)
    expected_passages, expected = topics.lda_data_from_file(path, settings)
    _same_data(data, expected)
    assert passages.equals(expected_passages) and list(passages.columns) == [
        "doc_id",
        "passage_no",
        "year",
        "n_tokens",
    ]
    assert data.texts[3] == [] and len(data.texts) == len(tokens)
    assert data.corpus.matrix.dtype == written.corpus.matrix.dtype == np.int32
    assert data.dictionary.num_docs == len(tokens) and data.dictionary.num_pos == expected.dictionary.num_pos
    assert data.dictionary[0] == expected.dictionary[0]
    # the files are bytes of the data alone: written again, they are the same
    again = {name: tmp_path / f"again-{name}" for name in topics.BAG_OF_WORDS_FILES}
    topics.write_bag_of_words(path, settings, again)
    assert all(files[name].read_bytes() == again[name].read_bytes() for name in files)
