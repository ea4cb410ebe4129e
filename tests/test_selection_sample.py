"""lda.selection_passages: on a large corpus the K x seed grid learns from a seeded sample and is
compared on those models; each K's reported model then learns from every training passage
(gensim's online update) — issue 17."""

from __future__ import annotations

import numpy as np
import pytest

from zhengfa_trends import steps, topics
from zhengfa_trends.config import defaults
from zhengfa_trends.io import read_tokens, read_tsv, write_tsv

# the five default articles: 78 passages, 70 of them for training; a "large" corpus from 40 on
OPTIONS = {**defaults()["lda"], "passes": 4, "iterations": 50, "selection_passages": 40, "full_passes": 2}


@pytest.fixture(scope="module")
def tokens_path(tmp_path_factory, default_tokens):
    path = tmp_path_factory.mktemp("selection") / "tokens.tsv"
    write_tsv(default_tokens[["doc_id", "passage_no", "year", "n_tokens", "tokens"]], path)
    return path


def test_the_plan_says_sample_and_training_passages_only_above_the_limit():
    settings = topics.LdaSettings.from_config(OPTIONS)
    assert topics.selection_plan(78, settings) == (40, 70)  # 8 of 78 held out
    assert topics.selection_plan(44, settings) is None  # 40 training passages: not more than 40
    assert topics.selection_plan(78, topics.LdaSettings(selection_passages=None)) is None
    assert topics.selection_plan(78, topics.LdaSettings()) is None  # the default: 20,000
    assert topics.selection_plan(40_000, topics.LdaSettings()) == (20_000, 38_000)
    text = topics.selection_text(78, settings)
    assert text.startswith("selection\t") and text.endswith("\n")
    assert "sample of 40 of the 70 training passages (4 passes); the scores and the seed stability" in text
    assert "then each K's reported model (the first seed's) learned from all 70 (2 more passes" in text
    assert topics.selection_text(44, settings) == ""


def test_the_grid_compares_sample_models_and_only_the_reported_one_learns_from_every_passage(tokens_path):
    settings = topics.LdaSettings.from_config(OPTIONS)
    data = topics.lda_data(read_tokens(tokens_path), settings)
    assert len(data.train) == 70 and len(data.selection) == 40
    train_rows = {tuple(map(tuple, bow)) for bow in data.train}
    assert all(tuple(map(tuple, bow)) in train_rows for bow in data.selection)  # a sample of train
    model, scores, grid_topic_word = topics.fit_seed(data, 3, 1, settings, watch_convergence=True)
    # gensim counts the passages of the first pass of each training call (its learning rate's
    # clock): the sample's 40, then all 70
    assert model.num_updates == 40 + 70
    assert len(model.metrics["heldout_perplexity"]) == 4 + 2  # the curve goes on over both
    # the scores and the stability's topic-word rows are those of the sample's model, the same
    # model for the reported seed as for the others
    sample_model = topics.fit_lda(data.selection, data.dictionary, 3, 1, settings)
    np.testing.assert_array_equal(grid_topic_word, sample_model.get_topics())
    assert scores["perplexity"].iloc[0] == round(topics.heldout_perplexity(sample_model, data.heldout), 6)
    assert not np.array_equal(model.get_topics(), grid_topic_word)  # the reported model learned on
    # another seed serves the comparison alone: the sample's passes, none over every passage
    other, other_scores, other_grid = topics.fit_seed(data, 3, 2, settings, reported=False)
    assert other.num_updates == 40
    np.testing.assert_array_equal(other_grid, other.get_topics())
    # (a fresh model: inference draws from the model's random state, which scoring advanced)
    other_sample = topics.fit_lda(data.selection, data.dictionary, 3, 2, settings)
    assert other_scores["perplexity"].iloc[0] == round(
        topics.heldout_perplexity(other_sample, data.heldout), 6
    )
    assert scores["perplexity"].iloc[0] > 1
    again, scores_again, _ = topics.fit_seed(
        topics.lda_data(read_tokens(tokens_path), settings), 3, 1, settings
    )
    np.testing.assert_array_equal(again.get_topics(), model.get_topics())  # seeded: the same model
    assert scores_again.equals(scores)


def test_below_the_limit_nothing_changes(tokens_path):
    settings = topics.LdaSettings.from_config({**OPTIONS, "selection_passages": None})
    data = topics.lda_data(read_tokens(tokens_path), settings)
    assert data.selection is None
    model, _, grid_topic_word = topics.fit_seed(data, 3, 1, settings)
    assert model.num_updates == 70
    np.testing.assert_array_equal(grid_topic_word, model.get_topics())  # one model: the grid's
    with_default = topics.LdaSettings.from_config({**OPTIONS, "selection_passages": 20_000})
    same, _, _ = topics.fit_seed(topics.lda_data(read_tokens(tokens_path), with_default), 3, 1, with_default)
    np.testing.assert_array_equal(same.get_topics(), model.get_topics())


def _paths(folder, files: dict) -> dict:
    return {name: folder / file for name, file in files.items()}


def test_chosen_k_txt_says_how_the_grid_learned(tokens_path, tmp_path):
    folder = tmp_path
    outputs = _paths(
        folder,
        {
            "topics": "topics.tsv",
            "passage_topics": "passage_topics.tsv",
            "topic_word": "topic_word.npy",
            "vocabulary": "vocabulary.txt",
            "topic_lambda": "lambda.npy",
            "alpha": "alpha.npy",
            "convergence": "convergence.tsv",
            "seed_scores": "seed1.scores.tsv",
            "seed_topic_word": "seed1.topic_word.npy",
        },
    )
    steps.lda_step(tokens_path, None, 3, 1, outputs, OPTIONS)
    convergence = read_tsv(outputs["convergence"])
    assert convergence["pass"].tolist() == [1, 2, 3, 4, 5, 6]
    summary = _paths(
        folder,
        {
            "selection": "model_selection.tsv",
            "chosen_k": "chosen_k.txt",
            "chosen_topics": "chosen_topics.tsv",
            "topic_ids": "topic_ids.tsv",
            "stability": "topic_stability.tsv",
            "topic_shares": "topic_share_by_year.tsv",
            "theme_topics": "theme_topics.tsv",
        },
    )
    inputs = {
        "tokens": tokens_path,
        "seed_scores": [outputs["seed_scores"]],
        "seed_topic_word": [outputs["seed_topic_word"]],
        **{name: [outputs[name]] for name in ("topics", "topic_word", "topic_lambda", "vocabulary")},
        "passage_topics": [outputs["passage_topics"]],
        "history": folder / "history" / "HISTORY",  # no previous run stored there
    }
    options = {**OPTIONS, "chosen_k": None, "labels": {}}
    trends = {**defaults()["trends"], "bootstrap": 0}
    steps.summarise_topics_step(inputs, [3], [1], summary, options, trends, {"数字政法": ["数字化"]})
    lines = summary["chosen_k"].read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("3\t")
    assert lines[-1].startswith(
        "selection\tevery fit of the K x seed grid learned from a seeded sample of 40"
    )
    assert topics.read_chosen_k(summary["chosen_k"]) == 3
