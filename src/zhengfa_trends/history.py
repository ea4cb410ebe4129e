"""What the previous run left behind, and what changed since: topic identities and changes.tsv.

A finished run stores its state under ``results/history/`` (the ledger, the yearly shares, the
chosen LDA model's parameters and the run's own change records).  The next run matches its topics to
the stored ones, so a topic keeps its id when its word distribution is still there, lists what
changed, and, in ``freeze`` mode, reuses the stored model to give new documents topic shares without
touching the past numbers.

The history survives a crash at any point.  Its layout::

    results/history/HISTORY              marker: the rules' declared input (rule start_history)
    results/history/CURRENT              name of the stored state ("state-<id>")
    results/history/state-<id>/          documents.tsv, the shares, changes.tsv, run.json, model/
    results/history/manifest.json        rule record_run's declared output: the state's file hashes

A new state is written complete into a staging folder, renamed to ``state-<id>``, and only then made
current by replacing ``CURRENT`` (one atomic rename of a file); the previous state stays until that
moment.  ``<id>`` hashes the run's inputs, so a run whose state is already current (it was killed
after the swap, and resumed) reuses that state's own change records instead of comparing the run
with itself.  Only these names are ever deleted in the folder; anything else is left alone.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import topics
from .faults import checkpoint
from .io import read_tsv, tsv_text, write_tsv
from .topics import match_topics

log = logging.getLogger(__name__)

MODEL_FILES = ("lambda.npy", "alpha.npy", "vocabulary.txt", "passage_topics.tsv", "topic_ids.tsv")
RUN_FILES = ("documents.tsv", "theme_share_by_year.tsv", "topic_share_by_year.tsv")
TOPIC_ID_COLUMNS = ["k", "topic", "topic_id", "label", "similarity", "status"]
CHANGE_COLUMNS = ["change", "key", "year", "before", "after", "detail"]
POINTER = "CURRENT"
# The history folder's marker: written once, when the folder is made (rule start_history), and
# never again.  The rules that read the stored state (fit_lda in freeze mode, summarise_topics,
# record_run) declare it as an ancient() input: the read is in the DAG and ordered after the
# folder exists, yet the state record_run stores at the end of a run does not make the next
# run's readers out of date (workflow/rules/record.smk says why).
MARKER = "HISTORY"
MARKER_TEXT = (
    "zhengfa-trends history folder: CURRENT names the state the last run stored (state-<id>/),\n"
    "which the next run compares with.  Delete the whole folder to start afresh.\n"
)
# Rule record_run's declared output in the history folder: which state is current and the sha256 of
# each of its files (the state itself lives in state-<id>/, which Snakemake cannot declare: the next
# run reads it, so as an input of this run it would close a cycle).
MANIFEST = "manifest.json"
STATE_NAME = re.compile(r"^state-[0-9a-f]{16}$")
# Everything the history code may create or delete in the history folder; the layout before the
# CURRENT pointer kept the state's files directly in the folder (LEGACY_NAMES).
_OWN_NAME = re.compile(r"^(?:CURRENT|CURRENT\.tmp|HISTORY\.tmp|state-[0-9a-f]{16}|\.staging-[0-9a-f]{16})$")
LEGACY_NAMES = (*RUN_FILES, "model")


def history_folder(marker: str | Path) -> Path:
    """The history folder of a marker file (a rule's declared input ``<history_dir>/HISTORY``)."""
    return Path(marker).parent


def start_history(marker: str | Path) -> None:
    """Create the history folder (if need be) and its marker file (rule ``start_history``).

    A folder of an earlier layout, or one whose marker was deleted, keeps its stored state.
    """
    path = Path(marker)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.tmp")
    _write_synced(temporary, MARKER_TEXT.encode("utf-8"))
    os.replace(temporary, path)


def state_folder(history_dir: str | Path) -> Path | None:
    """The folder of the stored state (the one ``CURRENT`` names), or None before the first run.

    A history folder of the layout before ``CURRENT`` (the state's files directly in it) is its own
    state folder.
    """
    history = Path(history_dir)
    pointer = history / POINTER
    if pointer.is_file():
        name = pointer.read_text(encoding="utf-8").strip()
        folder = history / name
        return folder if STATE_NAME.match(name) and folder.is_dir() else None
    if all((history / name).is_file() for name in RUN_FILES):
        return history
    return None


def run_state_id(paths: Sequence[str | Path]) -> str:
    """Hex id of a run's state: sha256 over the bytes of the files it is made from, in order."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(hashlib.sha256(Path(path).read_bytes()).digest())
    return digest.hexdigest()


def stored_changes(history_dir: str | Path, state_id: str) -> bytes | None:
    """The change records of the stored state if it is the state ``state_id`` (else None).

    A run killed after its state became current, and then resumed, finds its own state stored:
    its change records are the ones it wrote then (comparing the run with itself would list nothing).
    """
    folder = state_folder(history_dir)
    if folder is None or not (folder / "run.json").is_file() or not (folder / "changes.tsv").is_file():
        return None
    try:
        stored = json.loads((folder / "run.json").read_text(encoding="utf-8")).get("state")
    except (ValueError, AttributeError):
        return None
    return (folder / "changes.tsv").read_bytes() if stored == state_id else None


@dataclass(frozen=True)
class StoredModel:
    """The chosen LDA model of the previous run."""

    folder: Path  # the history folder (documents.tsv and the shares of that run are beside model/)
    k: int
    topic_word_lambda: np.ndarray  # (k, V) variational parameters
    alpha: np.ndarray
    vocabulary: list[str]
    passage_topics: pd.DataFrame
    topic_ids: pd.DataFrame

    @property
    def topic_word(self) -> np.ndarray:
        """Topic-word distributions (rows of lambda normalised)."""
        return self.topic_word_lambda / self.topic_word_lambda.sum(axis=1, keepdims=True)


def current_topics(topic_ids: pd.DataFrame) -> pd.DataFrame:
    """The rows of a topic-id table that are topics of the model (vanished topics have ``topic`` -1)."""
    return topic_ids[topic_ids["topic"] >= 0]


def load_model(history_dir: str | Path) -> StoredModel | None:
    """The stored model, or None if the previous run left none (first run, or history deleted)."""
    state = state_folder(history_dir)
    if state is None:
        return None
    folder = state / "model"
    if not all((folder / name).is_file() for name in MODEL_FILES):
        return None
    lam = np.load(folder / "lambda.npy", allow_pickle=False)
    return StoredModel(
        folder=state,
        k=lam.shape[0],
        topic_word_lambda=lam,
        alpha=np.load(folder / "alpha.npy", allow_pickle=False),
        vocabulary=(folder / "vocabulary.txt").read_text(encoding="utf-8").splitlines(),
        passage_topics=read_tsv(folder / "passage_topics.tsv", dtype={"doc_id": str}),
        topic_ids=read_tsv(folder / "topic_ids.tsv"),
    )


def stored_k(history_dir: str | Path) -> int | None:
    """K of the stored model, if any (read at workflow start for ``freeze`` mode)."""
    model = load_model(history_dir)
    return model.k if model is not None else None


def frozen_run(tokens: pd.DataFrame, ledger: pd.DataFrame, stored: StoredModel, seed: int, n_terms: int):
    """``freeze`` mode: keep the stored model; only passages of new or changed documents are inferred.

    Passages of documents whose content hash (``ledger`` against the stored run's ledger) is
    unchanged keep their stored topic shares exactly, so every number of the past years stays as
    published.  Scores are not recomputed (NaN).

    Returns
    -------
    zhengfa_trends.topics.LdaRun
    """
    from .gensim_imports import Dictionary

    # Word ids must be the stored model's column order (building from documents would sort them).
    dictionary = Dictionary()
    dictionary.token2id = {word: i for i, word in enumerate(stored.vocabulary)}
    dictionary.id2token = dict(enumerate(stored.vocabulary))
    if len(dictionary.token2id) != len(stored.vocabulary):
        raise ValueError(
            f"{stored.folder}: the stored vocabulary repeats words; delete that folder and refit"
        )
    model = topics.model_from_parameters(stored.topic_word_lambda, stored.alpha, dictionary, seed)
    previous_ledger = read_tsv(stored.folder / "documents.tsv", dtype={"doc_id": str})
    unchanged = set(
        pd.merge(ledger, previous_ledger, on=["doc_id", "sha256"], how="inner")["doc_id"].astype(str)
    )
    columns = [f"topic_{i}" for i in range(stored.k)]
    old = stored.passage_topics.set_index(["doc_id", "passage_no"])[columns]
    keys = list(zip(tokens["doc_id"], tokens["passage_no"], strict=True))
    reuse = np.array([doc in unchanged and (doc, number) in old.index for doc, number in keys], dtype=bool)
    theta = np.zeros((len(tokens), stored.k))
    if reuse.any():
        theta[reuse] = old.loc[[keys[i] for i in np.flatnonzero(reuse)]].to_numpy(dtype=float)
    if (~reuse).any():
        new_bows = [dictionary.doc2bow(tokens["tokens"].iloc[i].split()) for i in np.flatnonzero(~reuse)]
        theta[~reuse] = topics.passage_topics(model, new_bows)
    log.info(
        "frozen LDA K=%d: %d passages reused, %d inferred", stored.k, int(reuse.sum()), int((~reuse).sum())
    )
    terms = topics.topic_terms(model, n_terms)
    return topics.LdaRun(
        terms=terms,
        passage_topics=topics.passage_topic_table(tokens, theta),
        scores=topics.unscored(stored.k, seed),
        stability=topics.stability_table(
            topics.relevance_labels(stored.topic_word_lambda, stored.vocabulary), stored.k, float("nan")
        ),
        topic_word_lambda=stored.topic_word_lambda,
        alpha=stored.alpha,
        vocabulary=stored.vocabulary,
    )


def align_to_vocabulary(topic_word: np.ndarray, vocabulary: list[str], target: list[str]) -> np.ndarray:
    """Re-express topic-word rows over another vocabulary (absent words get 0, rows renormalised)."""
    index = {word: i for i, word in enumerate(vocabulary)}
    aligned = np.zeros((topic_word.shape[0], len(target)))
    for j, word in enumerate(target):
        i = index.get(word)
        if i is not None:
            aligned[:, j] = topic_word[:, i]
    sums = aligned.sum(axis=1, keepdims=True)
    return np.divide(aligned, sums, out=np.zeros_like(aligned), where=sums > 0)


def assign_topic_ids(
    topic_word: np.ndarray,
    vocabulary: list[str],
    labels: Mapping[int, str],
    previous: StoredModel | None,
    min_similarity: float,
) -> pd.DataFrame:
    """Stable topic ids: a topic matched to a previous topic with similarity ≥ ``min_similarity``
    keeps that topic's id; the others get new ids; previous topics left unmatched are ``vanished``.

    Matching is Hungarian on the cosine similarity of word distributions over the current
    vocabulary.  Without a previous model, topic ``i`` gets id ``i``.

    Returns
    -------
    DataFrame
        :data:`TOPIC_ID_COLUMNS`; one row per current topic, plus one per vanished topic
        (``topic`` = -1).
    """
    k = topic_word.shape[0]
    rows = []
    if previous is None:
        for topic in range(k):
            rows.append((k, topic, topic, labels.get(topic, ""), np.nan, "first_run"))
        return pd.DataFrame(rows, columns=TOPIC_ID_COLUMNS)
    previous_ids = current_topics(previous.topic_ids).sort_values("topic")
    previous_id_of = dict(zip(previous_ids["topic"], previous_ids["topic_id"], strict=True))
    previous_words = align_to_vocabulary(previous.topic_word, previous.vocabulary, vocabulary)
    match, similarity = match_topics(topic_word, previous_words)
    next_id = int(max(previous.topic_ids["topic_id"].max(), -1)) + 1
    used = set()
    for topic in range(k):
        if match[topic] >= 0 and similarity[topic] >= min_similarity:
            topic_id = int(previous_id_of[int(match[topic])])
            status = "matched"
            used.add(int(match[topic]))
        else:
            topic_id = next_id
            next_id += 1
            status = "new"
        rows.append((k, topic, topic_id, labels.get(topic, ""), round(float(similarity[topic]), 6), status))
    for old_topic, old_id in previous_id_of.items():
        if old_topic not in used:
            old_label = previous.topic_ids.loc[previous.topic_ids["topic"] == old_topic, "label"].iloc[0]
            rows.append((previous.k, -1, int(old_id), old_label, np.nan, "vanished"))
    return pd.DataFrame(rows, columns=TOPIC_ID_COLUMNS)


def label_topic_ids(
    ids: pd.DataFrame, labels: Mapping[int, str], hand: Mapping, k: int
) -> tuple[pd.DataFrame, dict[int, str]]:
    """The topic-id table with its final labels, and the chosen model's labels by topic number.

    ``labels`` are the relevance labels by topic number; ``hand`` (``lda.labels``: topic id → name)
    replaces the label of each id it names (:func:`~zhengfa_trends.topics.with_hand_labels`).  A
    hand label whose id is not a topic of this K-topic model is warned about, and so is every new
    and every vanished topic id.
    """
    current = current_topics(ids)
    id_of = dict(zip(current["topic"].astype(int), current["topic_id"].astype(int), strict=True))
    labels = topics.with_hand_labels(labels, id_of, hand)
    unknown = sorted(int(key) for key in hand if int(key) not in id_of.values())
    if unknown:
        log.warning(
            "lda.labels names topic ids %s, which are not topics of the chosen model (K=%d, ids %s)",
            ", ".join(map(str, unknown)),
            k,
            ", ".join(str(v) for v in sorted(id_of.values())),
        )
    ids = ids.copy()
    is_current = ids["topic"] >= 0
    ids.loc[is_current, "label"] = ids.loc[is_current, "topic"].map(labels)
    for row in ids.itertuples(index=False):
        if row.status in ("new", "vanished"):
            log.warning("topic id %s is %s (%s)", row.topic_id, row.status, row.label)
    return ids, labels


def _share_changes(kind: str, key_column: str, before: pd.DataFrame | None, after: pd.DataFrame) -> list:
    rows = []
    columns = [key_column, "year", "share"]
    before = before[columns] if before is not None and not before.empty else pd.DataFrame(columns=columns)
    merged = pd.merge(
        before.rename(columns={"share": "before"}),
        after[columns].rename(columns={"share": "after"}),
        on=[key_column, "year"],
        how="outer",
        sort=True,
    )
    for row in merged.itertuples(index=False):
        key, year, old, new = row
        if pd.isna(old) or pd.isna(new) or abs(float(old) - float(new)) > 1e-9:
            rows.append((kind, _key_text(key), int(year), old, new, ""))
    return rows


# Ledger columns that follow from a document's content or from the ones compared (a change there is
# reported as "content differs" or as the field it follows from), or that say whether it is used.
DERIVED_COLUMNS = frozenset(
    {"doc_id", "sha256", "year", "encoding", "date_source", "included", "reason", "passages"}
)


def _text(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _field_changes(before: Mapping, after: Mapping) -> list[tuple[str, str, str]]:
    """``(field, before, after)`` of each ledger field of a kept document that differs between runs:
    date, title, source, file and any further column (a table's facets), in column order."""
    changes = []
    for name in after:
        if name in DERIVED_COLUMNS or name.startswith("chars_") or name not in before:
            continue
        old, new = _text(before[name]), _text(after[name])
        if old != new:
            changes.append((name, old, new))
    return changes


def _key_text(key) -> str:
    """A key as written in changes.tsv: a topic id read back as a float (4.0) is written 4."""
    if isinstance(key, float | np.floating) and float(key).is_integer():
        return str(int(key))
    return str(key)


def compare_runs(
    previous_documents: pd.DataFrame | None,
    documents: pd.DataFrame,
    previous_themes: pd.DataFrame | None,
    themes: pd.DataFrame,
    previous_topics: pd.DataFrame | None,
    topics: pd.DataFrame,
    topic_ids: pd.DataFrame,
    previous_k: int | None = None,
    k: int | None = None,
) -> pd.DataFrame:
    """Everything that changed against the previous run, as one long table (:data:`CHANGE_COLUMNS`).

    Rows: ``document_added`` / ``document_removed`` / ``document_changed`` (detail ``content
    differs`` when the content hash differs, and one row per changed ledger field — date, title,
    source, file, facet columns — with the field as detail and its ``before`` and ``after``),
    ``year_added`` / ``year_removed``, ``k_changed`` (the chosen number of topics differs from the
    previous run's: every topic share may move), ``theme_share`` and ``topic_share`` (only where a
    yearly share differs; ``before`` empty for a new year), and one ``topic_id`` row per topic with
    its match.  Without a previous run every document and year is "added".
    """
    rows: list = []
    now = documents[documents["included"] == "yes"]
    then = (
        previous_documents[previous_documents["included"] == "yes"]
        if previous_documents is not None
        else now.iloc[0:0]
    )
    now_hash = dict(zip(now["doc_id"], now["sha256"], strict=True))
    then_hash = dict(zip(then["doc_id"], then["sha256"], strict=True))
    now_year = dict(zip(now["doc_id"], now["year"], strict=True))
    then_year = dict(zip(then["doc_id"], then["year"], strict=True))
    now_rows = now.set_index("doc_id").to_dict("index")
    then_rows = then.set_index("doc_id").to_dict("index")
    for doc_id in sorted(set(now_hash) | set(then_hash)):
        if doc_id not in then_hash:
            rows.append(("document_added", doc_id, int(now_year[doc_id]), None, None, ""))
        elif doc_id not in now_hash:
            rows.append(("document_removed", doc_id, int(then_year[doc_id]), None, None, ""))
        else:
            if now_hash[doc_id] != then_hash[doc_id]:
                rows.append(
                    ("document_changed", doc_id, int(now_year[doc_id]), None, None, "content differs")
                )
            for name, old, new in _field_changes(then_rows[doc_id], now_rows[doc_id]):
                rows.append(("document_changed", doc_id, int(now_year[doc_id]), old, new, name))
    years_now, years_then = set(now_year.values()), set(then_year.values())
    rows += [("year_added", "", int(y), None, None, "") for y in sorted(years_now - years_then)]
    rows += [("year_removed", "", int(y), None, None, "") for y in sorted(years_then - years_now)]
    if previous_k is not None and k is not None and int(previous_k) != int(k):
        rows.append(
            (
                "k_changed",
                "",
                None,
                int(previous_k),
                int(k),
                "chosen number of topics differs from the previous run",
            )
        )
    rows += _share_changes("theme_share", "theme", previous_themes, themes)
    rows += _share_changes("topic_share", "topic_id", previous_topics, topics)
    for row in topic_ids.itertuples(index=False):
        detail = f"topic {row.topic} of K={row.k}" if row.topic >= 0 else f"previous K={row.k}"
        rows.append(
            (
                "topic_id",
                _key_text(row.topic_id),
                None,
                None,
                row.similarity,
                f"{row.status}: {detail} ({row.label})",
            )
        )
    table = pd.DataFrame(rows, columns=CHANGE_COLUMNS)
    table["year"] = table["year"].astype("Int64")
    return table


# The chosen model's files stored with the state, and the rule input (one file per K) each comes from.
MODEL_INPUTS = {
    "lambda.npy": "topic_lambda",
    "alpha.npy": "alpha",
    "vocabulary.txt": "vocabulary",
    "passage_topics.tsv": "passage_topics",
}


def record_changes(
    history_dir: str | Path, k: int, run: Mapping[str, str | Path], model_files: Mapping, changes_out
) -> dict:
    """Compare this run with the stored previous one and write changes.tsv.

    ``run`` holds the paths ``documents``, ``theme_shares``, ``topic_shares``, ``topic_ids`` and
    ``chosen_k`` of this run; ``model_files`` the chosen model's files (:data:`MODEL_INPUTS`).
    If the stored state is already this run's (a run killed after storing it, then resumed), its
    stored change records are written again instead of comparing the run with itself.

    Returns
    -------
    dict
        The arguments of :func:`save_state`, which the caller runs once every record of the run is
        written.
    """
    history_dir = Path(history_dir)
    state_id = run_state_id(
        [
            run["documents"],
            run["theme_shares"],
            run["topic_shares"],
            run["topic_ids"],
            run["chosen_k"],
            *model_files.values(),
        ]
    )
    topic_shares = read_tsv(run["topic_shares"])
    topic_shares = topic_shares[topic_shares["k"] == k]
    topic_ids = read_tsv(run["topic_ids"])
    state = {
        "history_dir": history_dir,
        "documents": run["documents"],
        "theme_shares": run["theme_shares"],
        "topic_shares": topic_shares,
        "model_files": dict(model_files),
        "topic_ids": topic_ids,
        "changes": changes_out,
        "state_id": state_id,
    }
    stored = stored_changes(history_dir, state_id)
    if stored is not None:
        log.info("this run's state is already stored (a resumed run): its change records are reused")
        Path(changes_out).write_bytes(stored)
        return state
    previous_state = state_folder(history_dir)

    def previous(name):
        path = previous_state / name if previous_state is not None else None
        return read_tsv(path, dtype={"doc_id": str}) if path is not None and path.is_file() else None

    changes = compare_runs(
        previous("documents.tsv"),
        read_tsv(run["documents"], dtype={"doc_id": str}),
        previous("theme_share_by_year.tsv"),
        read_tsv(run["theme_shares"]),
        previous("topic_share_by_year.tsv"),
        topic_shares,
        topic_ids,
        previous_k=stored_k(history_dir),
        k=k,
    )
    write_tsv(changes, changes_out)
    counts = changes["change"].value_counts()
    log.info(
        "changes: %s",
        ", ".join(
            f"{name} {int(counts.get(name, 0))}"
            for name in ("document_added", "document_removed", "year_added", "k_changed")
        ),
    )
    return state


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def save_state(
    history_dir: str | Path,
    documents: str | Path,
    theme_shares: str | Path,
    topic_shares: pd.DataFrame,
    model_files: Mapping[str, str | Path],
    topic_ids: pd.DataFrame,
    changes: str | Path | None = None,
    state_id: str | None = None,
) -> None:
    """Store this run's state for the next run, so that a crash at any point loses nothing.

    The state is written complete into ``.staging-<id>``, renamed to ``state-<id>``, and made
    current by replacing ``CURRENT`` (the one step that switches; until then the previous state is
    the current one, untouched).  Then the states and leftovers of earlier runs are deleted; files
    the history code did not make are left alone and reported in one warning.

    Parameters
    ----------
    changes : path, optional
        This run's changes.tsv (stored with the state: a resumed run reuses it).
    state_id : str, optional
        :func:`run_state_id` of the run's inputs (default: of the stored files).
    """
    history = Path(history_dir)
    history.mkdir(parents=True, exist_ok=True)
    if state_id is None:
        state_id = run_state_id([documents, theme_shares, *model_files.values()])
    current = state_folder(history)
    if stored_changes(history, state_id) is not None:  # already stored (a resumed run)
        _prune_history(history, keep=current.name)
        return
    # The name depends on the state it replaces too, so it is never the current state's name.
    previous_name = current.name if current is not None and current != history else ""
    name = "state-" + hashlib.sha256(f"{state_id}\x1e{previous_name}".encode("ascii")).hexdigest()[:16]
    final = history / name
    staging = history / f".staging-{name[6:]}"
    if staging.exists():
        shutil.rmtree(staging)
    (staging / "model").mkdir(parents=True)
    _write_synced(staging / "documents.tsv", Path(documents).read_bytes())
    _write_synced(staging / "theme_share_by_year.tsv", Path(theme_shares).read_bytes())
    _write_synced(staging / "topic_share_by_year.tsv", tsv_text(topic_shares).encode("utf-8"))
    for model_name, path in model_files.items():
        _write_synced(staging / "model" / model_name, Path(path).read_bytes())
    ids_text = tsv_text(current_topics(topic_ids)).encode("utf-8")
    _write_synced(staging / "model" / "topic_ids.tsv", ids_text)
    if changes is not None:
        _write_synced(staging / "changes.tsv", Path(changes).read_bytes())
    _write_synced(staging / "run.json", json.dumps({"state": state_id}).encode("ascii"))
    _sync_folder(staging)
    _sync_folder(staging / "model")
    checkpoint("record_run")  # staged: the previous state is still the current one
    if final.exists():  # made by a run killed before its swap: not current, same content
        shutil.rmtree(final)
    staging.rename(final)
    _sync_folder(history)
    checkpoint("record_run")  # renamed, not yet current
    _write_synced(history / f"{POINTER}.tmp", (name + "\n").encode("ascii"))
    os.replace(history / f"{POINTER}.tmp", history / POINTER)
    _sync_folder(history)
    checkpoint("record_run")  # current: the run is recorded
    _prune_history(history, keep=name)


def write_manifest(history_dir: str | Path, path: str | Path) -> None:
    """Write the manifest of the current state to ``path``: the state's name and each file's sha256.

    Raises
    ------
    FileNotFoundError
        If no state is stored (the manifest is written after :func:`save_state`).
    """
    state = state_folder(history_dir)
    if state is None:
        raise FileNotFoundError(f"history folder {history_dir} holds no stored state")
    files = {
        str(file.relative_to(state)): hashlib.sha256(file.read_bytes()).hexdigest()
        for file in sorted(state.rglob("*"))
        if file.is_file()
    }
    text = json.dumps({"state": state.name, "files": files}, indent=2, sort_keys=True) + "\n"
    _write_synced(Path(path), text.encode("utf-8"))


def _prune_history(history: Path, keep: str) -> None:
    """Delete the earlier states and leftovers (own names only); report anything else once."""
    foreign = []
    for child in sorted(history.iterdir()):
        if child.name in (keep, POINTER, MANIFEST, MARKER):
            continue
        if _OWN_NAME.match(child.name):
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
        elif child.name in RUN_FILES and child.is_file():
            child.unlink()  # the layout before CURRENT
        elif child.name == "model" and child.is_dir() and not child.is_symlink():
            for model_name in MODEL_FILES:
                (child / model_name).unlink(missing_ok=True)
            if any(child.iterdir()):
                foreign.append("model/" + ", model/".join(sorted(p.name for p in child.iterdir())))
            else:
                child.rmdir()
        else:
            foreign.append(child.name)
    if foreign:
        log.warning(
            "history folder %s holds %d entries it did not make (left alone): %s",
            history,
            len(foreign),
            ", ".join(foreign[:5]) + (", …" if len(foreign) > 5 else ""),
        )
