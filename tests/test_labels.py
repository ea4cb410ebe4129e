"""Topic labels: relevance ranking and hand labels carried across runs by the stable topic ids."""

from __future__ import annotations

import numpy as np
import pandas as pd

from zhengfa_trends import history, steps
from zhengfa_trends.io import read_tsv, write_tsv
from zhengfa_trends.topics import relevance_labels, with_hand_labels

VOCABULARY = ["发展", "建设", "数据", "平台", "网格", "调解", "会议"]
# Expected word counts per topic: 发展 and 建设 are frequent in both topics, so probability alone
# would label both topics 发展·建设; relevance picks the words that set each topic apart.
LAMBDA = np.array(
    [
        [30.0, 25.0, 24.0, 18.0, 1.0, 1.0, 2.0],
        [30.0, 25.0, 1.0, 1.0, 24.0, 18.0, 2.0],
        [30.0, 25.0, 1.0, 1.0, 1.0, 1.0, 40.0],
    ]
)


def test_relevance_labels_prefer_the_words_that_set_a_topic_apart():
    by_probability = relevance_labels(LAMBDA, VOCABULARY, n=2, weight=1.0)
    assert by_probability == {0: "发展·建设", 1: "发展·建设", 2: "会议·发展"}
    assert relevance_labels(LAMBDA, VOCABULARY, n=2) == {0: "数据·平台", 1: "网格·调解", 2: "会议·发展"}
    assert relevance_labels(LAMBDA, VOCABULARY)[0] == "数据·平台·发展"


def test_hand_labels_win_by_topic_id():
    labels = with_hand_labels({0: "a·b", 1: "c·d"}, {0: 7, 1: 3}, {3: "基层治理", 9: "unused"})
    assert labels == {0: "a·b", 1: "基层治理"}


def _model_inputs(folder, lam, name):
    paths = {}
    for key, value in (("topic_lambda", lam), ("topic_word", lam / lam.sum(axis=1, keepdims=True))):
        paths[key] = folder / f"{name}_{key}.npy"
        np.save(paths[key], value, allow_pickle=False)
    paths["vocabulary"] = folder / f"{name}_vocabulary.txt"
    paths["vocabulary"].write_text("".join(w + "\n" for w in VOCABULARY), encoding="utf-8")
    return {key: [str(path)] for key, path in paths.items()}


def test_hand_labels_follow_the_topic_ids_into_the_next_run(tmp_path):
    chosen = tmp_path / "chosen_k.txt"
    chosen.write_text("3\tfixed in config (lda.chosen_k)\n", encoding="utf-8")
    options = {"labels": {1: "基层治理"}, "match_similarity": 0.5}
    marker = tmp_path / "history" / history.MARKER
    first = {**_model_inputs(tmp_path, LAMBDA, "first"), "history": marker}
    labels = steps.align_topics_step(chosen, [3], first, options, tmp_path / "ids1.tsv")
    assert labels == {0: "数据·平台·发展", 1: "基层治理", 2: "会议·发展·建设"}
    ids = read_tsv(tmp_path / "ids1.tsv")
    assert ids["label"].tolist() == ["数据·平台·发展", "基层治理", "会议·发展·建设"]
    # Store the run as record_run does, then refit: the same topics come back in the other order.
    np.save(tmp_path / "alpha.npy", np.array([0.3, 0.3, 0.3]), allow_pickle=False)
    passage_topics = pd.DataFrame({"doc_id": ["a"], "passage_no": [0], "year": [2021], "n_tokens": [3]})
    write_tsv(passage_topics.assign(topic_0=0.4, topic_1=0.3, topic_2=0.3), tmp_path / "pt.tsv")
    write_tsv(pd.DataFrame({"doc_id": ["a"], "included": ["yes"]}), tmp_path / "documents.tsv")
    write_tsv(pd.DataFrame({"theme": ["x"], "year": [2021], "share": [1.0]}), tmp_path / "themes.tsv")
    model_files = {
        "lambda.npy": first["topic_lambda"][0],
        "alpha.npy": tmp_path / "alpha.npy",
        "vocabulary.txt": first["vocabulary"][0],
        "passage_topics.tsv": tmp_path / "pt.tsv",
    }
    history.save_state(
        marker.parent,
        tmp_path / "documents.tsv",
        tmp_path / "themes.tsv",
        pd.DataFrame({"topic_id": [0], "year": [2021], "share": [0.5]}),
        model_files,
        ids,
    )
    second = {**_model_inputs(tmp_path, LAMBDA[[1, 2, 0]] * 1.1, "second"), "history": marker}
    labels = steps.align_topics_step(chosen, [3], second, options, tmp_path / "ids2.tsv")
    ids = read_tsv(tmp_path / "ids2.tsv")
    assert ids["topic_id"].tolist() == [1, 2, 0]
    assert ids["status"].tolist() == ["matched"] * 3
    # Topic 0 of the refit is the old topic 1 (id 1): the hand label moves with the id.
    assert labels == {0: "基层治理", 1: "会议·发展·建设", 2: "数据·平台·发展"}
    assert ids["label"].tolist() == ["基层治理", "会议·发展·建设", "数据·平台·发展"]
