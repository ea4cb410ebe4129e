"""Topic identities across runs, the changes table, and the stored state of a run."""

from __future__ import annotations

import hashlib
import json
import logging

import numpy as np
import pandas as pd
import pytest

from zhengfa_trends import history
from zhengfa_trends.config import default
from zhengfa_trends.io import write_tsv

VOCABULARY = [f"词{i}" for i in range(30)]
MATCH = default("lda.match_similarity")


def _topics(seed: int, k: int = 4) -> np.ndarray:
    rng = np.random.default_rng(seed)
    words = rng.gamma(0.3, size=(k, len(VOCABULARY)))
    return words / words.sum(axis=1, keepdims=True)


def _stored(tmp_path, topic_word, topic_ids) -> history.StoredModel:
    return history.StoredModel(
        folder=tmp_path,
        k=topic_word.shape[0],
        topic_word_lambda=topic_word * 100,
        alpha=np.full(topic_word.shape[0], 0.25),
        vocabulary=list(VOCABULARY),
        passage_topics=pd.DataFrame(),
        topic_ids=topic_ids,
    )


def _ids(k, ids):
    return pd.DataFrame({"k": k, "topic": range(k), "topic_id": ids, "label": [f"t{i}" for i in range(k)]})


def test_first_run_ids_are_the_topic_numbers():
    table = history.assign_topic_ids(_topics(0), VOCABULARY, {}, None, MATCH)
    assert table["topic_id"].tolist() == [0, 1, 2, 3]
    assert set(table["status"]) == {"first_run"}


def test_permuted_topics_keep_their_previous_ids(tmp_path):
    previous = _topics(1)
    stored = _stored(tmp_path, previous, _ids(4, [10, 11, 12, 13]))
    order = [2, 0, 3, 1]
    table = history.assign_topic_ids(previous[order], VOCABULARY, {}, stored, MATCH)
    assert table["topic_id"].tolist() == [12, 10, 13, 11]
    assert set(table["status"]) == {"matched"}
    assert np.allclose(table["similarity"], 1.0)


def test_a_new_topic_gets_a_fresh_id_and_the_lost_one_is_reported_vanished(tmp_path):
    previous = _topics(2)
    stored = _stored(tmp_path, previous, _ids(4, [0, 1, 2, 5]))
    current = previous.copy()
    current[3] = 0.0
    current[3, :3] = 1 / 3  # a topic unlike any previous one
    table = history.assign_topic_ids(current, VOCABULARY, {}, stored, min_similarity=0.5)
    current_rows = table[table["topic"] >= 0]
    assert current_rows["topic_id"].tolist()[:3] == [0, 1, 2]
    assert current_rows.iloc[3]["status"] == "new"
    assert current_rows.iloc[3]["topic_id"] == 6  # one past the largest id ever given
    vanished = table[table["status"] == "vanished"]
    assert vanished["topic_id"].tolist() == [5]


def test_matching_works_across_different_vocabularies(tmp_path):
    previous = _topics(3)
    stored = _stored(tmp_path, previous, _ids(4, [0, 1, 2, 3]))
    grown = [*VOCABULARY, "新词"]
    current = np.hstack([previous[[1, 0, 2, 3]], np.zeros((4, 1))])
    table = history.assign_topic_ids(current, grown, {}, stored, MATCH)
    assert table["topic_id"].tolist() == [1, 0, 2, 3]


def test_align_to_vocabulary_reorders_and_fills_missing_words():
    rows = np.array([[0.5, 0.3, 0.2]])
    aligned = history.align_to_vocabulary(rows, ["a", "b", "c"], ["c", "x", "a"])
    assert aligned.tolist() == [[pytest.approx(0.2 / 0.7), 0.0, pytest.approx(0.5 / 0.7)]]


def _ledger(rows):
    return pd.DataFrame(rows, columns=["doc_id", "year", "included", "sha256"])


def test_compare_runs_lists_documents_years_and_changed_shares():
    before_docs = _ledger([("a", 2021, "yes", "h1"), ("b", 2022, "yes", "h2"), ("c", 2022, "yes", "h3")])
    after_docs = _ledger([("a", 2021, "yes", "h1"), ("b", 2022, "yes", "h2x"), ("d", 2026, "yes", "h4")])
    themes_before = pd.DataFrame({"theme": ["数字政法"] * 2, "year": [2021, 2022], "share": [1.0, 2.0]})
    themes_after = pd.DataFrame(
        {"theme": ["数字政法"] * 3, "year": [2021, 2022, 2026], "share": [1.0, 2.5, 7.0]}
    )
    topics = pd.DataFrame({"topic_id": [0], "year": [2021], "share": [0.5]})
    ids = pd.DataFrame(
        {"k": [2], "topic": [0], "topic_id": [0], "label": ["x"], "similarity": [0.9], "status": ["matched"]}
    )
    changes = history.compare_runs(before_docs, after_docs, themes_before, themes_after, topics, topics, ids)
    by_change = {c: g for c, g in changes.groupby("change")}
    assert by_change["document_added"]["key"].tolist() == ["d"]
    assert by_change["document_removed"]["key"].tolist() == ["c"]
    assert by_change["document_changed"]["key"].tolist() == ["b"]
    assert by_change["year_added"]["year"].tolist() == [2026]
    assert "year_removed" not in by_change
    theme = by_change["theme_share"].set_index("year")
    assert sorted(theme.index) == [2022, 2026]  # 2021 did not change
    assert theme.loc[2022, "before"] == 2.0 and theme.loc[2022, "after"] == 2.5
    assert pd.isna(theme.loc[2026, "before"])
    assert "topic_share" not in by_change
    assert by_change["topic_id"]["detail"].iloc[0].startswith("matched")


def test_saved_state_loads_back(tmp_path, caplog):
    folder = tmp_path / "run"
    folder.mkdir()
    documents = folder / "documents.tsv"
    write_tsv(_ledger([("a", 2021, "yes", "h1")]), documents)
    themes = folder / "themes.tsv"
    write_tsv(pd.DataFrame({"theme": ["t"], "year": [2021], "share": [1.0]}), themes)
    lam = _topics(4, k=2) * 50
    np.save(folder / "lambda.npy", lam)
    np.save(folder / "alpha.npy", np.array([0.5, 0.5]))
    (folder / "vocabulary.txt").write_text("".join(w + "\n" for w in VOCABULARY), encoding="utf-8")
    write_tsv(
        pd.DataFrame(
            {
                "doc_id": ["a"],
                "passage_no": [0],
                "year": [2021],
                "n_tokens": [3],
                "topic_0": [0.4],
                "topic_1": [0.6],
            }
        ),
        folder / "passage_topics.tsv",
    )
    ids = pd.DataFrame(
        {
            "k": [2, 2, 3],
            "topic": [0, 1, -1],
            "topic_id": [0, 1, 7],
            "label": ["a", "b", "c"],
            "similarity": [1, 1, None],
            "status": ["matched", "matched", "vanished"],
        }
    )
    store = tmp_path / "history"
    assert history.load_model(store) is None
    history.save_state(
        store,
        documents,
        themes,
        pd.DataFrame({"topic_id": [0], "year": [2021], "share": [0.4]}),
        {name: folder / name for name in ("lambda.npy", "alpha.npy", "vocabulary.txt", "passage_topics.tsv")},
        ids,
    )
    stored = history.load_model(store)
    assert stored.k == 2
    assert np.array_equal(stored.topic_word_lambda, lam)
    assert stored.vocabulary == VOCABULARY
    assert stored.topic_ids["topic_id"].tolist() == [0, 1]  # vanished rows are not carried over
    assert history.stored_k(store) == 2

    # The manifest (rule record_run's declared output in the history folder) names the state and
    # hashes its files; saving the next state keeps it and calls it nothing foreign.
    manifest_path = store / history.MANIFEST
    history.write_manifest(store, manifest_path)
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    state = history.state_folder(store)
    assert manifest["state"] == state.name
    assert (
        manifest["files"]["model/lambda.npy"]
        == hashlib.sha256((state / "model/lambda.npy").read_bytes()).hexdigest()
    )
    assert "documents.tsv" in manifest["files"] and "topic_share_by_year.tsv" in manifest["files"]
    with caplog.at_level(logging.WARNING, logger="zhengfa_trends"):
        history.save_state(
            store,
            documents,
            themes,
            pd.DataFrame({"topic_id": [0], "year": [2022], "share": [0.5]}),
            {
                name: folder / name
                for name in ("lambda.npy", "alpha.npy", "vocabulary.txt", "passage_topics.tsv")
            },
            ids,
        )
    assert manifest_path.is_file()
    assert not [r for r in caplog.records if "did not make" in r.getMessage()]
    with pytest.raises(FileNotFoundError, match="no stored state"):
        history.write_manifest(tmp_path / "empty", tmp_path / "manifest.json")


def test_a_document_whose_metadata_changed_gets_one_row_per_field():
    columns = ["doc_id", "file", "date", "year", "title", "source", "province", "included", "sha256"]
    before = pd.DataFrame(
        [
            ("a", "a.txt", "2021-03-02", 2021, "政法工作会议", "人民网", "浙江", "yes", "h1"),
            ("b", "b.txt", "2022-01-05", 2022, "平安建设", "新华网", "江苏", "yes", "h2"),
        ],
        columns=columns,
    )
    after = before.copy()
    after.loc[0, ["date", "year"]] = ["2022-03-02", 2022]  # metadata.tsv moved it to 2022
    after.loc[1, ["title", "province"]] = ["平安中国建设", "上海"]
    themes = pd.DataFrame({"theme": ["t"], "year": [2021], "share": [1.0]})
    topics = pd.DataFrame({"topic_id": [0], "year": [2021], "share": [0.5]})
    ids = pd.DataFrame(columns=["k", "topic", "topic_id", "label", "similarity", "status"])
    changes = history.compare_runs(before, after, themes, themes, topics, topics, ids)
    changed = changes[changes["change"] == "document_changed"]
    assert changed[["key", "year", "detail", "before", "after"]].values.tolist() == [
        ["a", 2022, "date", "2021-03-02", "2022-03-02"],
        ["b", 2022, "title", "平安建设", "平安中国建设"],
        ["b", 2022, "province", "江苏", "上海"],
    ]
    assert "content differs" not in set(changed["detail"])


def test_a_changed_k_is_a_row_and_topic_keys_are_integers(tmp_path):
    docs = _ledger([("a", 2021, "yes", "h1")])
    themes = pd.DataFrame({"theme": ["数字政法"], "year": [2021], "share": [1.0]})
    # Read back from a TSV with an empty topic_id (another K), topic ids come as floats.
    write_tsv(
        pd.DataFrame({"topic_id": [4, None], "year": [2021, 2021], "share": [0.5, 0.1]}), tmp_path / "b.tsv"
    )
    before = pd.read_csv(tmp_path / "b.tsv", sep="\t").dropna()
    assert before["topic_id"].dtype == float
    after = pd.DataFrame({"topic_id": [4], "year": [2021], "share": [0.7]})
    ids = pd.DataFrame(
        {
            "k": [5],
            "topic": [0],
            "topic_id": [4.0],
            "label": ["x"],
            "similarity": [0.9],
            "status": ["matched"],
        }
    )
    changes = history.compare_runs(docs, docs, themes, themes, before, after, ids, previous_k=4, k=5)
    k_rows = changes[changes["change"] == "k_changed"]
    assert k_rows[["before", "after"]].values.tolist() == [[4, 5]]
    assert changes.loc[changes["change"] == "topic_share", "key"].tolist() == ["4"]
    assert changes.loc[changes["change"] == "topic_id", "key"].tolist() == ["4"]
    write_tsv(changes, tmp_path / "changes.tsv")
    lines = (tmp_path / "changes.tsv").read_text(encoding="utf-8").splitlines()
    assert "k_changed\t\t\t4\t5\tchosen number of topics differs from the previous run" in lines
    assert "topic_share\t4\t2021\t0.5\t0.7\t" in lines
    same = history.compare_runs(docs, docs, themes, themes, before, after, ids, previous_k=5, k=5)
    assert "k_changed" not in set(same["change"])
    first = history.compare_runs(None, docs, None, themes, None, after, ids, previous_k=None, k=5)
    assert "k_changed" not in set(first["change"])
