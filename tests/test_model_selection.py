"""Tests of model selection: topic matching, seed stability, the K rule, held-out split, coherence,
the ``fit_lda`` step and K selection (rule ``summarise_topics``) end to end, and the theme-to-topic links."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from zhengfa_trends import kgrid, steps, topics
from zhengfa_trends.config import defaults
from zhengfa_trends.io import read_tokens, read_tsv, write_tsv
from zhengfa_trends.trends import theme_topic_shares

# --------------------------------------------------------------------------- topic matching


def _topic_word(k: int = 5, v: int = 50, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    matrix = rng.random((k, v))
    return matrix / matrix.sum(axis=1, keepdims=True)


def test_match_topics_identity():
    reference = _topic_word()
    match, similarity = topics.match_topics(reference, reference.copy())
    assert match.tolist() == [0, 1, 2, 3, 4]
    assert np.abs(similarity - 1.0).max() < 1e-12


def test_match_topics_recovers_inverse_permutation():
    reference = _topic_word()
    permutation = np.array([3, 0, 4, 1, 2])
    other = reference[permutation]  # other topic j is reference topic permutation[j]
    match, similarity = topics.match_topics(reference, other)
    assert match.tolist() == [1, 3, 4, 0, 2]
    assert match.tolist() == np.argsort(permutation).tolist()
    assert np.abs(similarity - 1.0).max() < 1e-12


def test_match_topics_fewer_other_topics():
    reference = _topic_word()
    other = reference[[4, 1, 2]]
    match, similarity = topics.match_topics(reference, other)
    assert match.tolist() == [-1, 1, 2, -1, 0]
    assert similarity[0] == 0.0
    assert similarity[3] == 0.0
    assert np.abs(similarity[[1, 2, 4]] - 1.0).max() < 1e-12


# --------------------------------------------------------------------------- seed stability


def test_seed_stability_single_model_is_nan():
    stability = topics.seed_stability([_topic_word()])
    assert stability.shape == (5,)
    assert np.isnan(stability).all()


def test_seed_stability_identical_models_is_one():
    reference = _topic_word()
    stability = topics.seed_stability([reference, reference.copy(), reference.copy()])
    assert stability.shape == (5,)
    np.testing.assert_allclose(stability, 1.0, atol=1e-12)


def test_seed_stability_noisy_copy_between_zero_and_one():
    reference = _topic_word()
    rng = np.random.default_rng(1)
    noisy = reference + rng.random(reference.shape) * 0.05
    noisy /= noisy.sum(axis=1, keepdims=True)
    stability = topics.seed_stability([reference, noisy])
    assert stability.shape == (5,)
    assert ((stability > 0) & (stability < 1)).all()
    # Mild noise keeps every topic close to its partner, and a shuffled copy is still recognised.
    assert (stability > 0.9).all()
    np.testing.assert_allclose(topics.seed_stability([reference, noisy[[2, 0, 1, 4, 3]]]), stability)


# --------------------------------------------------------------------------- choose_k


def _selection(rows: list[tuple[int, int, float, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["k", "seed", "c_npmi", "u_mass", "stability"])


NAN = float("nan")
# The workflow's own choice arguments (lda.chosen_k, lda.min_stability), from the schema.
CHOOSE_DEFAULTS = {
    "fixed_k": defaults()["lda"]["chosen_k"],
    "min_stability": defaults()["lda"]["min_stability"],
}


def test_choose_k_fixed_k_wins():
    selection = _selection([(3, 1, 0.30, -1.0, 0.9), (4, 1, 0.10, -2.0, 0.9)])
    k, reason = topics.choose_k(selection, fixed_k=4, min_stability=0.5)
    assert k == 4
    assert "fixed" in reason


def test_choose_k_best_c_npmi_among_stable_k():
    # K=5 has the best c_npmi but is unstable (mean 0.3 < 0.5), so K=4 wins over K=3.
    selection = _selection(
        [
            (3, 1, 0.05, -1.0, 0.8),
            (3, 2, 0.07, -1.1, 0.8),
            (4, 1, 0.10, -1.5, 0.7),
            (4, 2, 0.12, -1.6, 0.7),
            (5, 1, 0.40, -0.5, 0.3),
            (5, 2, 0.42, -0.6, 0.3),
        ]
    )
    k, reason = topics.choose_k(selection, fixed_k=None, min_stability=0.5)
    assert k == 4
    assert "c_npmi" in reason
    assert "stability >= 0.5" in reason
    # With the threshold lowered, the unstable K is allowed and wins.
    assert topics.choose_k(selection, fixed_k=None, min_stability=0.2)[0] == 5


def test_choose_k_uses_mean_over_seeds():
    # Seed 1 of K=3 alone beats K=4, but K=4 has the better mean (0.15 vs 0.10).
    selection = _selection(
        [(3, 1, 0.20, -1.0, 0.9), (3, 2, 0.00, -1.0, 0.9), (4, 1, 0.15, -1.0, 0.9), (4, 2, 0.15, -1.0, 0.9)]
    )
    assert topics.choose_k(selection, **CHOOSE_DEFAULTS)[0] == 4


def test_choose_k_all_nan_stability_falls_back_to_all_k():
    selection = _selection([(3, 1, 0.05, -1.0, NAN), (4, 1, 0.20, -2.0, NAN), (5, 1, 0.10, -3.0, NAN)])
    k, reason = topics.choose_k(selection, fixed_k=None, min_stability=0.5)
    assert k == 4
    assert "c_npmi" in reason
    assert "all K" in reason


def test_choose_k_no_stable_k_falls_back_to_all_k():
    selection = _selection([(3, 1, 0.05, -1.0, 0.1), (4, 1, 0.20, -2.0, 0.2)])
    k, reason = topics.choose_k(selection, fixed_k=None, min_stability=0.5)
    assert k == 4
    assert "all K" in reason


def test_choose_k_all_nan_c_npmi_falls_back_to_u_mass():
    selection = _selection([(3, 1, NAN, -4.0, 0.9), (4, 1, NAN, -1.5, 0.9), (5, 1, NAN, -2.0, 0.9)])
    k, reason = topics.choose_k(selection, **CHOOSE_DEFAULTS)
    assert k == 4
    assert "u_mass" in reason
    assert "c_npmi" not in reason


def test_choose_k_ties_go_to_smaller_k():
    selection = _selection([(5, 1, 0.25, -1.0, 0.9), (3, 1, 0.25, -2.0, 0.9), (4, 1, 0.10, -0.5, 0.9)])
    assert topics.choose_k(selection, **CHOOSE_DEFAULTS)[0] == 3
    tied_u_mass = _selection([(6, 1, NAN, -1.0, 0.9), (4, 1, NAN, -1.0, 0.9), (5, 1, NAN, -3.0, 0.9)])
    assert topics.choose_k(tied_u_mass, **CHOOSE_DEFAULTS)[0] == 4


# --------------------------------------------------------------------------- held-out split


def test_heldout_mask_seeded_and_reproducible():
    first = topics.heldout_mask(200, 0.1, seed=5)
    assert first.dtype == bool
    assert first.shape == (200,)
    assert first.sum() == 20
    np.testing.assert_array_equal(first, topics.heldout_mask(200, 0.1, seed=5))
    assert not np.array_equal(first, topics.heldout_mask(200, 0.1, seed=6))


def test_heldout_mask_requested_count():
    assert topics.heldout_mask(50, 0.2, seed=0).sum() == 10
    assert topics.heldout_mask(7, 0.5, seed=0).sum() == 4  # round(3.5) = 4
    assert topics.heldout_mask(1000, 0.333, seed=0).sum() == 333


def test_heldout_mask_never_holds_out_everything():
    for n in (2, 3, 10):
        mask = topics.heldout_mask(n, 1.0, seed=0)
        assert mask.sum() == n - 1
    assert topics.heldout_mask(1, 1.0, seed=0).tolist() == [False]
    assert topics.heldout_mask(0, 0.5, seed=0).shape == (0,)


def test_heldout_mask_share_zero_holds_out_nothing():
    assert not topics.heldout_mask(100, 0.0, seed=0).any()
    assert not topics.heldout_mask(100, 0.004, seed=0).any()  # rounds to 0 passages


# --------------------------------------------------------------------------- coherence


@pytest.mark.filterwarnings("ignore:Mean of empty slice:RuntimeWarning")
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_coherence_degenerate_corpus_gives_nan_not_exception():
    texts = [["政法", "政法"], ["政法", "政法"], ["政法", "政法"]]
    settings = topics.LdaSettings(passes=2, iterations=20, no_below=1, no_above=1.0)
    dictionary, corpus = topics.build_bow(texts, settings)
    assert len(dictionary) == 1
    model = topics.fit_lda(corpus, dictionary, 2, 1, settings)
    scores = topics.coherence_scores(model, texts, dictionary, corpus)
    assert set(scores) == {"c_v", "c_npmi", "u_mass"}
    assert all(isinstance(value, float) for value in scores.values())
    # One word gives no word pairs: the pairwise measures are undefined.
    assert math.isnan(scores["c_npmi"])
    assert math.isnan(scores["u_mass"])


def test_coherence_measures_argument():
    texts = [["政法", "建设"], ["政法", "建设"], ["平安", "建设"]]
    settings = topics.LdaSettings(passes=2, iterations=20, no_below=1, no_above=1.0)
    dictionary, corpus = topics.build_bow(texts, settings)
    model = topics.fit_lda(corpus, dictionary, 2, 1, settings)
    scores = topics.coherence_scores(model, texts, dictionary, corpus, measures=("u_mass",))
    assert list(scores) == ["u_mass"]
    assert math.isfinite(scores["u_mass"])


def test_coherence_default_corpus_u_mass_negative(default_tokens):
    settings = topics.LdaSettings(passes=5)
    texts = [t.split() for t in default_tokens["tokens"]]
    dictionary, corpus = topics.build_bow(texts, settings)
    model = topics.fit_lda(corpus, dictionary, 3, 1, settings)
    scores = topics.coherence_scores(model, texts, dictionary, corpus)
    assert set(scores) == {"c_v", "c_npmi", "u_mass"}
    assert math.isfinite(scores["u_mass"])
    assert scores["u_mass"] < 0
    assert 0 <= scores["c_v"] <= 1
    assert -1 <= scores["c_npmi"] <= 1


# --------------------------------------------------------------------------- fit_lda step, K selection

LDA_OUTPUTS = {
    "topics": "topics.tsv",
    "passage_topics": "passage_topics.tsv",
    "scores": "scores.tsv",
    "stability": "stability.tsv",
    "topic_word": "topic_word.npy",
    "vocabulary": "vocabulary.txt",
    "topic_lambda": "lambda.npy",
    "alpha": "alpha.npy",
    "convergence": "convergence.tsv",
}
LDA_OPTIONS = {**defaults()["lda"], "passes": 3, "iterations": 50, "n_terms": 10}
SEEDS = [1, 2]


def _run_lda(tokens_path, folder, k: int) -> dict:
    """The workflow's jobs for one K: fit_lda (first seed), fit_lda_seed (the others), the gather."""
    folder.mkdir(parents=True, exist_ok=True)
    outputs = {name: folder / file for name, file in LDA_OUTPUTS.items()}
    reported = {name: path for name, path in outputs.items() if name not in ("scores", "stability")}
    seed_scores = [folder / f"seed{seed}.scores.tsv" for seed in SEEDS]
    seed_topic_word = [folder / f"seed{seed}.topic_word.npy" for seed in SEEDS]
    first = {"seed_scores": seed_scores[0], "seed_topic_word": seed_topic_word[0]}
    # the ledger is read in freeze mode only
    steps.lda_step(tokens_path, None, k, SEEDS[0], {**reported, **first}, LDA_OPTIONS)
    for seed, scores, topic_word in zip(SEEDS[1:], seed_scores[1:], seed_topic_word[1:], strict=True):
        steps.lda_seed_step(tokens_path, k, seed, {"scores": scores, "topic_word": topic_word}, LDA_OPTIONS)
    ((scores, stability),) = steps.gather_seeds_step(
        {
            "topic_lambda": [outputs["topic_lambda"]],
            "vocabulary": [outputs["vocabulary"]],
            "seed_scores": seed_scores,
            "seed_topic_word": seed_topic_word,
        },
        [k],
        SEEDS,
    )
    # summarise_topics_step writes every K's stability in one table, and the scores in model_selection
    write_tsv(scores, outputs["scores"])
    write_tsv(stability, outputs["stability"])
    return outputs


@pytest.fixture(scope="module")
def lda_runs(tmp_path_factory, default_tokens):
    root = tmp_path_factory.mktemp("lda")
    tokens_path = root / "tokens.tsv"
    write_tsv(default_tokens[["doc_id", "passage_no", "year", "n_tokens", "tokens"]], tokens_path)
    return {
        "tokens": tokens_path,
        2: _run_lda(tokens_path, root / "k2", 2),
        3: _run_lda(tokens_path, root / "k3", 3),
        "3_again": _run_lda(tokens_path, root / "k3_again", 3),
    }


def test_one_job_per_seed_gives_the_tables_of_all_seeds_in_one_process(lda_runs):
    tokens = read_tokens(lda_runs["tokens"])
    run = topics.fit_k(tokens, 3, SEEDS, topics.LdaSettings.from_config(LDA_OPTIONS))
    folder = lda_runs[3]["scores"].parent
    write_tsv(run.scores, folder / "one_process_scores.tsv")
    write_tsv(run.stability, folder / "one_process_stability.tsv")
    write_tsv(run.passage_topics, folder / "one_process_passage_topics.tsv")
    assert (folder / "one_process_scores.tsv").read_bytes() == lda_runs[3]["scores"].read_bytes()
    assert (folder / "one_process_stability.tsv").read_bytes() == lda_runs[3]["stability"].read_bytes()
    assert (folder / "one_process_passage_topics.tsv").read_bytes() == lda_runs[3][
        "passage_topics"
    ].read_bytes()


def test_other_seeds_in_the_reported_job_give_the_files_of_their_own_jobs(lda_runs, tmp_path):
    """lda.fit_jobs: per_k (one job per K) writes the same bytes as per_seed (fit_lda_seed jobs)."""
    outputs = {
        name: tmp_path / file for name, file in LDA_OUTPUTS.items() if name not in ("scores", "stability")
    }
    outputs["seed_scores"] = tmp_path / "seed1.scores.tsv"
    outputs["seed_topic_word"] = tmp_path / "seed1.topic_word.npy"
    outputs["other_scores"] = [tmp_path / "seed2.scores.tsv"]
    outputs["other_topic_words"] = [tmp_path / "seed2.topic_word.npy"]
    steps.lda_step(lda_runs["tokens"], None, 3, SEEDS[0], outputs, LDA_OPTIONS, other_seeds=SEEDS[1:])
    separate = lda_runs[3]["scores"].parent
    for name in (
        "seed1.scores.tsv",
        "seed2.scores.tsv",
        "seed1.topic_word.npy",
        "seed2.topic_word.npy",
        "topic_word.npy",
    ):
        assert (tmp_path / name).read_bytes() == (separate / name).read_bytes(), name
    assert read_tsv(tmp_path / "seed2.scores.tsv")["seed"].tolist() == [2]


def test_lda_step_writes_all_outputs(lda_runs):
    for name, path in lda_runs[3].items():
        assert path.is_file(), name
        assert path.stat().st_size > 0, name


def test_lda_step_scores_table(lda_runs):
    scores = read_tsv(lda_runs[3]["scores"])
    assert list(scores.columns) == ["k", "seed", "c_v", "c_npmi", "u_mass", "perplexity", "stability"]
    assert len(scores) == 2
    assert scores["k"].tolist() == [3, 3]
    assert scores["seed"].tolist() == SEEDS
    assert scores["stability"].nunique() == 1
    assert ((scores["stability"] > 0) & (scores["stability"] <= 1)).all()
    assert (scores["perplexity"] > 1).all()
    assert np.isfinite(scores["u_mass"]).all()


def test_lda_step_convergence_table_has_one_row_per_pass_ending_at_the_scored_perplexity(lda_runs):
    convergence = read_tsv(lda_runs[3]["convergence"])
    assert list(convergence.columns) == ["k", "seed", "pass", "perplexity"]
    assert convergence["pass"].tolist() == list(range(1, LDA_OPTIONS["passes"] + 1))
    assert set(convergence["k"]) == {3} and set(convergence["seed"]) == {SEEDS[0]}
    assert (convergence["perplexity"] > 1).all()
    # The last pass's perplexity is the model's held-out perplexity in scores.tsv.
    scores = read_tsv(lda_runs[3]["scores"])
    reported = scores.loc[scores["seed"] == SEEDS[0], "perplexity"].item()
    assert convergence["perplexity"].iloc[-1] == pytest.approx(reported, rel=1e-5)


def test_lda_step_stability_table(lda_runs):
    stability = read_tsv(lda_runs[3]["stability"])
    assert list(stability.columns) == ["k", "topic", "label", "stability"]
    assert stability["topic"].tolist() == [0, 1, 2]
    # Labelled like every other table: by relevance, not by the raw top terms of topics.tsv.
    lam = np.load(lda_runs[3]["topic_lambda"], allow_pickle=False)
    vocabulary = lda_runs[3]["vocabulary"].read_text(encoding="utf-8").splitlines()
    assert stability["label"].tolist() == list(topics.relevance_labels(lam, vocabulary).values())
    assert ((stability["stability"] > 0) & (stability["stability"] <= 1)).all()
    scores = read_tsv(lda_runs[3]["scores"])
    # The model's stability is the mean of the per-topic stabilities.
    assert abs(stability["stability"].mean() - scores["stability"].iloc[0]) < 1e-5


def test_lda_step_topic_word_matches_vocabulary(lda_runs):
    vocabulary = lda_runs[3]["vocabulary"].read_text(encoding="utf-8").splitlines()
    topic_word = np.load(lda_runs[3]["topic_word"], allow_pickle=False)
    assert topic_word.dtype == np.float64
    assert topic_word.shape == (3, len(vocabulary))
    np.testing.assert_allclose(topic_word.sum(axis=1), 1.0, atol=1e-9)
    assert len(set(vocabulary)) == len(vocabulary)
    terms = read_tsv(lda_runs[3]["topics"])
    assert set(terms["term"]) <= set(vocabulary)


def test_lda_step_passage_topics(lda_runs, default_tokens):
    table = read_tsv(lda_runs[3]["passage_topics"], dtype={"doc_id": str})
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
    np.testing.assert_allclose(table[["topic_0", "topic_1", "topic_2"]].sum(axis=1), 1.0, atol=1e-5)


def test_lda_step_is_byte_identical_on_rerun(lda_runs):
    for name in LDA_OUTPUTS:
        first, second = lda_runs[3][name], lda_runs["3_again"][name]
        assert first.read_bytes() == second.read_bytes(), name


def test_lda_step_coherence_uses_every_passage_of_a_small_corpus(lda_runs):
    # coherence_passages defaults to 5000, far more than the 78 passages: all of them are scored.
    tokens = read_tokens(lda_runs["tokens"])
    settings = topics.LdaSettings.from_config(LDA_OPTIONS)
    texts = [t.split() for t in tokens["tokens"]]
    dictionary, corpus = topics.build_bow(texts, settings)
    heldout = topics.heldout_mask(len(corpus), 0.1, 0)  # the defaults heldout_share, split_seed
    train = [corpus[i] for i in np.flatnonzero(~heldout)]
    model = topics.fit_lda(train, dictionary, 3, SEEDS[0], settings)
    expected = topics.coherence_scores(model, texts, dictionary, corpus)
    scores = read_tsv(lda_runs[3]["scores"]).iloc[0]
    for measure in ("c_v", "c_npmi", "u_mass"):
        assert scores[measure] == pytest.approx(expected[measure], abs=1e-5), measure


@pytest.fixture(scope="module")
def selected(lda_runs, tmp_path_factory):
    folder = tmp_path_factory.mktemp("select")
    outputs = {
        "selection": folder / "model_selection.tsv",
        "chosen_k": folder / "chosen_k.txt",
        "chosen_topics": folder / "chosen_topics.tsv",
    }
    steps.select_k_step(
        [lda_runs[2]["scores"], lda_runs[3]["scores"]],
        [lda_runs[2]["topics"], lda_runs[3]["topics"]],
        [2, 3],
        outputs,
        defaults()["lda"],
    )
    return outputs


def test_select_k_step(selected, lda_runs):
    selection = read_tsv(selected["selection"])
    assert list(selection.columns) == [
        "k",
        "seed",
        "c_v",
        "c_npmi",
        "u_mass",
        "perplexity",
        "stability",
        "chosen",
    ]
    assert selection["k"].tolist() == [2, 2, 3, 3]
    assert selection["chosen"].dtype == bool
    chosen_ks = selection.loc[selection["chosen"], "k"].unique().tolist()
    assert len(chosen_ks) == 1
    chosen = chosen_ks[0]
    assert selection.loc[selection["k"] == chosen, "chosen"].all()

    # The rule, recomputed here: best mean c_npmi among the Ks with mean stability >= 0.5.
    means = selection.groupby("k")[["c_npmi", "stability"]].mean()
    stable = means[means["stability"] >= 0.5]
    pool = stable if not stable.empty else means
    assert chosen == int(pool["c_npmi"].idxmax())

    text = selected["chosen_k"].read_text(encoding="utf-8")
    assert text.startswith(f"{chosen}\t")
    assert "c_npmi" in text
    assert topics.read_chosen_k(selected["chosen_k"]) == chosen

    chosen_topics = read_tsv(selected["chosen_topics"])
    assert list(chosen_topics.columns) == ["k", "topic", "rank", "term", "weight"]
    assert (chosen_topics["k"] == chosen).all()
    assert chosen_topics["topic"].nunique() == chosen
    original = read_tsv(lda_runs[chosen]["topics"])
    pd.testing.assert_frame_equal(chosen_topics.drop(columns="k"), original)


def test_select_k_step_fixed_k(lda_runs, tmp_path):
    outputs = {
        "selection": tmp_path / "model_selection.tsv",
        "chosen_k": tmp_path / "chosen_k.txt",
        "chosen_topics": tmp_path / "chosen_topics.tsv",
    }
    steps.select_k_step(
        [lda_runs[2]["scores"], lda_runs[3]["scores"]],
        [lda_runs[2]["topics"], lda_runs[3]["topics"]],
        [2, 3],
        outputs,
        {**defaults()["lda"], "chosen_k": 3},
    )
    assert topics.read_chosen_k(outputs["chosen_k"]) == 3
    assert read_tsv(outputs["selection"])["chosen"].tolist() == [False, False, True, True]
    assert (read_tsv(outputs["chosen_topics"])["k"] == 3).all()


# --------------------------------------------------------------------------- theme → topic links

VOCABULARY = ["数据", "治理", "平安"]
TOPIC_WORD = np.array([[0.6, 0.1, 0.3], [0.1, 0.6, 0.3]])


def _theme_topic_inputs():
    tokens = pd.DataFrame(
        {
            "doc_id": ["a", "a", "b", "c"],
            "passage_no": [0, 1, 0, 0],
            "year": [2021, 2021, 2022, 2022],
            "tokens": ["数据 平安", "治理 平安", "数据 治理", "治理 网格"],
        }
    )
    passage_topics = tokens[["doc_id", "passage_no", "year"]].assign(
        n_tokens=2, topic_0=[1.0, 0.0, 1.0, 0.5], topic_1=[0.0, 1.0, 0.0, 0.5]
    )
    return tokens, passage_topics


def test_theme_topic_shares():
    tokens, passage_topics = _theme_topic_inputs()
    themes = {
        "data": ["数据"],  # only in passages whose theta is (1, 0)
        "mixed": ["治理", "平安"],
        "oov": ["网格"],  # outside the LDA vocabulary: split by theta alone
        "absent": ["区块链", "人工智能"],
    }
    table = theme_topic_shares(tokens, passage_topics, TOPIC_WORD, VOCABULARY, themes, {0: "t0", 1: "t1"})
    assert list(table.columns) == ["theme", "k", "topic", "label", "share", "keyword_tokens"]
    assert table["theme"].tolist() == ["data", "data", "mixed", "mixed", "oov", "oov", "absent", "absent"]
    assert (table["k"] == 2).all()
    assert table["label"].tolist() == ["t0", "t1"] * 4
    shares = {(r.theme, r.topic): r.share for r in table.itertuples()}
    counts = table.groupby("theme", sort=False)["keyword_tokens"].first().to_dict()

    assert shares[("data", 0)] == 1.0
    assert shares[("data", 1)] == 0.0
    assert counts["data"] == 2
    # mixed: 平安 in p0 → (1, 0); 治理, 平安 in p1 → (0, 1) each; 治理 in p2 → (1, 0);
    # 治理 in p3: (0.5·0.1, 0.5·0.6) → (1/7, 6/7).  Mass (2 + 1/7, 2 + 6/7) / 5 = (3/7, 4/7).
    assert shares[("mixed", 0)] == pytest.approx(3 / 7, abs=1e-6)
    assert shares[("mixed", 1)] == pytest.approx(4 / 7, abs=1e-6)
    assert counts["mixed"] == 5
    assert shares[("oov", 0)] == 0.5
    assert shares[("oov", 1)] == 0.5
    assert counts["oov"] == 1
    assert shares[("absent", 0)] == 0.0
    assert shares[("absent", 1)] == 0.0
    assert counts["absent"] == 0
    for theme in ("data", "mixed", "oov"):
        assert table.loc[table["theme"] == theme, "share"].sum() == pytest.approx(1.0, abs=1e-6)


def test_heldout_perplexity_of_a_uniform_model_is_the_vocabulary_size():
    from gensim.corpora import Dictionary

    vocabulary = [f"词{i}" for i in range(12)]
    dictionary = Dictionary([vocabulary])
    model = topics.model_from_parameters(np.ones((3, 12)), np.full(3, 1 / 3), dictionary, seed=0)
    bows = [dictionary.doc2bow(["词1", "词2", "词2"]), dictionary.doc2bow(["词5"]), []]
    assert topics.heldout_perplexity(model, bows) == pytest.approx(12.0)
    assert np.isnan(topics.heldout_perplexity(model, [[]]))


def test_heldout_perplexity_rewards_a_model_that_knows_the_words():
    from gensim.corpora import Dictionary

    dictionary = Dictionary([["甲", "乙", "丙", "丁"]])
    lam = np.array([[100.0, 100.0, 0.01, 0.01], [0.01, 0.01, 100.0, 100.0]])
    model = topics.model_from_parameters(lam, np.array([0.5, 0.5]), dictionary, seed=0)
    bows = [dictionary.doc2bow(["甲", "乙", "甲"]), dictionary.doc2bow(["丙", "丁"])]
    assert topics.heldout_perplexity(model, bows) < 2.5  # close to the 2 equally likely words per topic


def test_choose_k_takes_the_smallest_k_within_one_standard_error():
    # K=4 has the best mean (-0.295) but its seeds differ by 0.02 (SE 0.01): K=3 (-0.300) is within
    # one SE of it, so the smaller K is chosen; with seeds that agree, the best K is chosen.
    noisy = _selection(
        [
            (3, 1, -0.29, -1.0, 0.9),
            (3, 2, -0.31, -1.0, 0.9),
            (4, 1, -0.285, -1.0, 0.9),
            (4, 2, -0.305, -1.0, 0.9),
        ]
    )
    choice = topics.choose_k_band(noisy, None, 0.5)
    assert (choice.k, choice.best_k) == (3, 4)
    assert choice.best_se == pytest.approx(0.01)
    assert choice.threshold == pytest.approx(-0.305)
    assert "within one standard error" in choice.reason
    back = topics.KChoice.from_text(choice.to_text())  # chosen_k.txt: floats to 6 digits
    assert (back.k, back.reason, back.measure, back.best_k) == (3, choice.reason, "c_npmi", 4)
    assert back.threshold == pytest.approx(choice.threshold, rel=1e-5)
    tight = _selection(
        [
            (3, 1, -0.30, -1.0, 0.9),
            (3, 2, -0.30, -1.0, 0.9),
            (4, 1, -0.294, -1.0, 0.9),
            (4, 2, -0.296, -1.0, 0.9),
        ]
    )
    assert topics.choose_k_band(tight, None, 0.5).k == 4


def test_k_grid_step_writes_the_grid_of_the_real_passage_count(tmp_path):
    stats = tmp_path / "stats.json"
    stats.write_text('{"engine": "rjieba", "passages": 78, "reused": 0, "segmented": 5}', encoding="utf-8")
    assert kgrid.k_grid_step(stats, {"chosen_k": None}, tmp_path / "grid.txt") == [3, 4, 5, 6, 7]
    assert (tmp_path / "grid.txt").read_text(encoding="utf-8") == "passages\t78\nk\t3,4,5,6,7\n"
    assert kgrid.read_k_grid(tmp_path / "grid.txt") == (78, [3, 4, 5, 6, 7])
    kgrid.k_grid_step(stats, {"chosen_k": 9}, tmp_path / "grid.txt")  # a fixed chosen_k is added
    assert kgrid.read_k_grid(tmp_path / "grid.txt") == (78, [3, 4, 5, 6, 7, 9])


def test_auto_k_grid_follows_the_corpus_size():
    assert topics.auto_k_grid(78) == [3, 4, 5, 6, 7]
    assert topics.auto_k_grid(150) == [3, 4, 5, 6, 8, 9, 12, 15]
    assert topics.auto_k_grid(150_000) == [3, 4, 6, 9, 13, 19, 28, 40]
    assert topics.auto_k_grid(12) == [2]
    assert topics.auto_k_grid(51, [9]) == [3, 4, 5, 9]


def test_theme_topic_shares_reuses_the_occurrences(monkeypatch):
    """The keyword occurrences are found once and serve every K: given them, theme_topic_shares
    needs no tokens and gives the table it gives from the tokens."""
    from zhengfa_trends import trends

    tokens, passage_topics = _theme_topic_inputs()
    themes = {"data": ["数据"], "mixed": ["治理", "平安"], "oov": ["网格"]}
    labels = {0: "t0", 1: "t1"}
    expected = theme_topic_shares(tokens, passage_topics, TOPIC_WORD, VOCABULARY, themes, labels)
    occurrences = trends.theme_occurrences(tokens, themes)
    calls = []
    original = trends.KeywordMatcher.occurrences
    monkeypatch.setattr(
        trends.KeywordMatcher, "occurrences", lambda self, t: calls.append(1) or original(self, t)
    )
    for _ in range(3):  # as for three Ks
        table = theme_topic_shares(
            None, passage_topics, TOPIC_WORD, VOCABULARY, themes, labels, occurrences=occurrences
        )
        pd.testing.assert_frame_equal(table, expected)
    assert calls == []


def test_theme_topic_shares_in_chunks_equal_one_array(monkeypatch):
    """Posteriors made a few occurrences at a time give exactly the shares of one whole array."""
    from zhengfa_trends import trends

    rng = np.random.default_rng(3)
    vocabulary = ["数据", "治理", "平安", "网格", "法治"]
    tokens = pd.DataFrame(
        {"tokens": [" ".join(rng.choice(vocabulary + ["其他"], size=12)) for _ in range(200)]}
    )
    theta = rng.dirichlet(np.ones(4), size=200)
    passage_topics = pd.DataFrame(theta, columns=[f"topic_{i}" for i in range(4)])
    topic_word = rng.dirichlet(np.ones(4), size=4)[:, :4]
    topic_word = np.hstack([topic_word, rng.random((4, 1))])
    themes = {"a": ["数据", "网格"], "b": ["治理", "平安", "法治", "其他"]}
    whole = theme_topic_shares(tokens, passage_topics, topic_word, vocabulary, themes, {})
    monkeypatch.setattr(trends, "OCCURRENCE_CHUNK", 7)
    chunked = theme_topic_shares(tokens, passage_topics, topic_word, vocabulary, themes, {})
    pd.testing.assert_frame_equal(chunked, whole, check_exact=True)


def test_occurrences_found_part_by_part_are_those_of_the_whole_table(tmp_path):
    """summarise_topics reads tokens.tsv in chunks for the keyword occurrences: the rows are
    numbered over the whole table and the occurrences are those of one read."""
    from zhengfa_trends import io, trends

    tokens, _ = _theme_topic_inputs()
    path = tmp_path / "tokens.tsv"
    io.write_tsv(tokens.assign(n_tokens=2), path)
    themes = {"data": ["数据"], "mixed": ["治理", "平安"]}
    whole = trends.theme_occurrences(io.read_tokens(path), themes)
    (rows, keywords, words), n_passages = trends.theme_occurrences_in_parts(
        io.read_token_chunks(path, 3, columns=[]), themes
    )
    assert n_passages == 4
    assert rows.tolist() == whole[0].tolist() and rows.tolist()[-1] == 3  # the second chunk's row
    assert keywords.tolist() == whole[1].tolist() and words == list(whole[2])
