"""zhengfa_trends.coherence against gensim's CoherenceModel: same numbers, to rounding."""

from __future__ import annotations

import numpy as np
import pytest
from gensim.models.coherencemodel import CoherenceModel
from gensim.topic_coherence.text_analysis import WordOccurrenceAccumulator

from zhengfa_trends.coherence import coherence, sliding_window_counts
from zhengfa_trends.topics import LdaSettings, build_bow, coherence_scores, fit_lda

MEASURES = ("c_v", "c_npmi", "u_mass")


def gensim_scores(model, texts, dictionary, corpus):
    scores = {}
    for measure in MEASURES:
        if measure == "u_mass":
            cm = CoherenceModel(model=model, corpus=list(corpus), dictionary=dictionary, coherence=measure)
        else:
            cm = CoherenceModel(
                model=model, texts=texts, dictionary=dictionary, coherence=measure, processes=1
            )
        scores[measure] = float(cm.get_coherence())
    return scores


@pytest.fixture(scope="module")
def passage_model(default_tokens):
    texts = [t.split() for t in default_tokens["tokens"]]
    dictionary, corpus = build_bow(texts, LdaSettings(no_below=2, no_above=0.5))
    model = fit_lda(corpus, dictionary, 4, 2, LdaSettings(passes=5))
    return model, texts, dictionary, corpus


def test_passage_coherence_equals_gensim(passage_model):
    model, texts, dictionary, corpus = passage_model
    ours = coherence_scores(model, texts, dictionary, corpus)
    expected = gensim_scores(model, texts, dictionary, corpus)
    assert ours.keys() == expected.keys()
    for measure in MEASURES:
        assert ours[measure] == pytest.approx(expected[measure], rel=1e-9, abs=1e-12), measure


def test_long_texts_slide_the_c_v_window_like_gensim(default_tokens, passage_model):
    # Whole documents (hundreds of tokens) as texts: the 110-token c_v window slides, and with it
    # gensim's rule that a token leaving the window is unmarked even if it occurs again inside.
    model, _, dictionary, corpus = passage_model
    documents = [
        " ".join(group["tokens"]).split() for _, group in default_tokens.groupby("doc_id", sort=True)
    ]
    assert max(len(d) for d in documents) > 500
    texts = [*documents, []]  # an empty text is one (empty) window for gensim
    ours = coherence(
        model.get_topics(), [dictionary[i] for i in range(len(dictionary))], texts, None, ("c_v", "c_npmi")
    )
    for measure in ("c_v", "c_npmi"):
        cm = CoherenceModel(model=model, texts=texts, dictionary=dictionary, coherence=measure, processes=1)
        assert ours[measure] == pytest.approx(cm.get_coherence(), rel=1e-9, abs=1e-12), measure


def test_sliding_window_counts_follow_gensims_update_rule():
    # Windows of 3 over a b a c: [a b a], [b a c].  Sliding out the first a unmarks a although the
    # second a is still inside, so gensim counts a in one window only.
    occurrences, co_occurrences, n_windows = sliding_window_counts(
        [["a", "b", "a", "c"], [], ["x"]], ["a", "b", "c"], 3
    )
    assert n_windows == 4  # 2 + one empty text + one short text
    assert occurrences.tolist() == [1, 2, 1]
    assert co_occurrences.tolist() == [[1, 1, 0], [1, 2, 1], [0, 1, 1]]


def test_sliding_window_counts_equal_gensims_accumulator(default_tokens):
    texts = [t.split() for t in default_tokens["tokens"]][:40]
    texts.append(" ".join(default_tokens["tokens"].iloc[:30]).split())  # one long text
    dictionary, _ = build_bow(texts, LdaSettings(no_below=1, no_above=1.0))
    words = sorted(dictionary.token2id)[:60]
    ids = [dictionary.token2id[w] for w in words]
    for window in (2, 10, 110):
        accumulator = WordOccurrenceAccumulator(ids, dictionary).accumulate(texts, window)
        occurrences, co_occurrences, n_windows = sliding_window_counts(texts, words, window)
        assert n_windows == accumulator.num_docs
        assert occurrences.tolist() == [accumulator[i] for i in ids]
        some = ids[:15]
        assert [[co_occurrences[a, b] for b in range(15)] for a in range(15)] == [
            [accumulator[i, j] for j in some] for i in some
        ]


def test_a_top_word_missing_from_the_texts_gives_nan(passage_model, caplog):
    model, texts, dictionary, corpus = passage_model
    scores = coherence_scores(model, [texts[0][:3]], dictionary, corpus)
    assert np.isnan(scores["c_v"]) and np.isnan(scores["c_npmi"])
    assert np.isfinite(scores["u_mass"])
    assert "undefined" in caplog.text
