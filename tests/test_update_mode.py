"""lda.mode update: the stored model is trained on (warm start) instead of fitted anew."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from gensim.corpora import Dictionary

from zhengfa_trends.topics import LdaSettings, continue_lda, fit_lda, perplexity_per_pass

SETTINGS = LdaSettings(passes=5, no_below=1, no_above=1.0, update_passes=2)
LAW = [f"法{i}" for i in range(12)]  # the words of one planted topic
TECH = [f"技{i}" for i in range(12)]  # and of the other


def _passages(n: int, seed: int, extra: str | None = None) -> list[list[str]]:
    """``n`` passages, each drawn from one planted topic; ``extra`` joins every law passage."""
    rng = np.random.default_rng(seed)
    passages = []
    for i in range(n):
        words = LAW if i % 2 == 0 else TECH
        passage = list(rng.choice(words, size=30))
        if extra and words is LAW:
            passage += [extra] * 3
        passages.append(passage)
    return passages


@dataclasses.dataclass
class Stored:
    topic_word_lambda: np.ndarray
    vocabulary: list[str]


def _stored_model(seed: int = 3):
    old = _passages(60, seed=1)
    dictionary = Dictionary(old)
    model = fit_lda([dictionary.doc2bow(p) for p in old], dictionary, 2, seed, SETTINGS)
    vocabulary = [dictionary[i] for i in range(len(dictionary))]
    return Stored(model.state.get_lambda().copy(), vocabulary), model


def _grown_corpus():
    passages = _passages(60, seed=1) + _passages(8, seed=2, extra="新词")
    dictionary = Dictionary(passages)
    return dictionary, [dictionary.doc2bow(p) for p in passages]


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


def _over(vocabulary: list[str], dictionary: Dictionary, topic_word: np.ndarray) -> np.ndarray:
    """Rows of ``topic_word`` (over ``dictionary``) restricted to ``vocabulary``'s words, in its order."""
    return topic_word[:, [dictionary.token2id[w] for w in vocabulary]]


def test_continuing_keeps_each_topic_in_its_place_and_learns_the_new_word():
    stored, old_model = _stored_model()
    dictionary, corpus = _grown_corpus()
    model = continue_lda(corpus, dictionary, stored, 2, 3, SETTINGS)
    old_topics = old_model.get_topics()
    new_topics = _over(stored.vocabulary, dictionary, model.get_topics())
    # topic i of the continued model is topic i of the stored one (no renumbering, no drift)
    for topic in range(2):
        assert _cosine(new_topics[topic], old_topics[topic]) > 0.99
        assert _cosine(new_topics[topic], old_topics[1 - topic]) < 0.2
    # the word the stored model never saw is learned by the law topic only
    law = int(np.argmax([old_topics[t][stored.vocabulary.index("法0")] for t in range(2)]))
    weight = model.get_topics()[:, dictionary.token2id["新词"]]
    # its share of the law passages' words: 4 passages × 3 of 30 × 34 + 12 words
    planted = 12 / (34 * 30 + 12)
    assert planted / 2 < weight[law] < planted * 1.5
    assert weight[1 - law] < weight[law] / 10  # the other topic: about the prior alone


def test_continuing_is_reproducible_and_trains_update_passes_passes():
    stored, _ = _stored_model()
    dictionary, corpus = _grown_corpus()
    heldout = corpus[::5]
    first = continue_lda(corpus, dictionary, stored, 2, 3, SETTINGS, callbacks=[perplexity_per_pass(heldout)])
    second = continue_lda(corpus, dictionary, stored, 2, 3, SETTINGS)
    np.testing.assert_array_equal(first.get_topics(), second.get_topics())
    assert len(first.metrics["heldout_perplexity"]) == SETTINGS.update_passes == 2
    # a model started from the stored one is not the model a new fit of the same passes gives
    fresh = fit_lda(corpus, dictionary, 2, 3, dataclasses.replace(SETTINGS, passes=2))
    assert not np.allclose(fresh.get_topics(), first.get_topics())


def test_a_stored_model_of_another_k_is_refused():
    stored, _ = _stored_model()
    dictionary, corpus = _grown_corpus()
    with pytest.raises(ValueError, match="the stored model has K=2, not 3"):
        continue_lda(corpus, dictionary, stored, 3, 3, SETTINGS)
