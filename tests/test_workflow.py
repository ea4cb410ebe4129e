"""End-to-end: the real Snakemake workflow on a tiny corpus, in a fresh copy of the project."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
FIGURES = (
    "theme_trends",
    "topic_trends",
    "topic_terms",
    "tfidf_by_year",
    "emerging_terms",
    "model_selection",
)
pytestmark = pytest.mark.workflow

# Four short articles over three years; 2022 has two documents, one of them traditional script
# with converter pinyin debris, and 2023 carries the planted 数字政法 vocabulary.
TINY_CORPUS = {
    "a_2021.txt": "发布时间:2021-03-02\n\n"
    + "坚持和发展新时代枫桥经验,推进矛盾纠纷多元化解,加强基层治理和平安建设。" * 3
    + "\n\n综治中心建设取得新进展,网格化管理覆盖城乡社区,群众安全感持续提升。" * 2,
    "b_2022.txt": "发布时间:2022-05-10\n\n"
    + "深化政法改革,完善执法司法制约监督体系,全面准确落实司法责任制。" * 3
    + "\n\n推进平安建设,坚持和发展新时代枫桥经验,健全社会治理体系。" * 2,
    "c_2022.txt": "發(fā)布時間:2022-09-01\n\n"
    + "深化政法改革,完善執法司法制約監督體系,加強政法隊伍建設。" * 3
    + "\n\n推進平安建設,維護國家安全和社會穩定,提升網(wǎng)格化管理水平。" * 2,
    "d_2023.txt": "发布时间:2023-11-20\n\n"
    + "加快数字政法建设,推动科技手段现代化,建设智慧法院和跨部门协同办案系统。" * 3
    + "\n\n运用大数据和人工智能提升政法工作现代化水平,深化数字化改革。" * 2,
}


def _project_copy(tmp_path: Path) -> Path:
    """What a user's clone holds (minus the default corpus), plus the tiny corpus and a config."""
    project = tmp_path / "project"
    for part in ("Snakefile", "workflow", "scripts", "config", "data/dictionaries"):
        source = REPO / part
        target = project / part
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target)
    corpus = project / "tiny"
    corpus.mkdir()
    for name, text in TINY_CORPUS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    config = {
        "corpus": {"dir": "tiny", "metadata": "tiny/metadata.tsv"},
        # four articles of one passage each: a topic per passage is allowed here (default: 5)
        "lda": {
            "k": [2, 3],
            "seeds": [7],
            "passes": 3,
            "iterations": 50,
            "no_above": 0.9,
            "chosen_k": 2,
            "min_passages_per_topic": 1,
        },
        "trends": {"bootstrap": 200},
        "figures": {"formats": ["png", "pdf", "svg"]},
    }
    (project / "tiny.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return project


def _snakemake(project: Path, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "snakemake", "--cores", "2", "--configfile", "tiny.yaml", *args]
    return subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=600)


def _hashes(
    folder: Path, suffixes=(".tsv", ".json", ".png", ".pdf", ".svg", ".txt", ".npy", ".md")
) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.suffix in suffixes
    }


def test_every_output_is_written(finished_run):
    results = finished_run / "results"
    expected = [
        "corpus/documents.tsv",
        "corpus/passages.tsv",
        "corpus/boilerplate.tsv",
        "tokens/tokens.tsv",
        "tokens/stats.json",
        "tfidf/top_terms_by_year.tsv",
        "lda/k2/topics.tsv",
        "lda/k3/topics.tsv",
        "lda/k2/passage_topics.tsv",
        "lda/topic_stability.tsv",
        "lda/model_selection.tsv",
        "lda/chosen_k.txt",
        "lda/chosen_topics.tsv",
        "tfidf/keyness_by_year.tsv",
        "trends/theme_share_by_year.tsv",
        "trends/topic_share_by_year.tsv",
        "trends/theme_topics.tsv",
        "trends/theme_keyword_hits.tsv",
        "figures/README.md",
        "provenance.json",
        "changes.tsv",
        "lda/topic_ids.tsv",
        "explorer.html",
    ]
    expected += [f"figures/{n}.{f}" for n in FIGURES for f in ("png", "pdf", "svg")]
    missing = [name for name in expected if not (results / name).is_file()]
    assert missing == []


def test_ledger_and_trends_follow_the_tiny_corpus(finished_run):
    results = finished_run / "results"
    documents = pd.read_csv(results / "corpus/documents.tsv", sep="\t")
    assert len(documents) == 4
    assert (documents["included"] == "yes").all()
    assert dict(zip(documents["doc_id"], documents["year"], strict=True)) == {
        "a_2021": 2021,
        "b_2022": 2022,
        "c_2022": 2022,
        "d_2023": 2023,
    }
    themes = pd.read_csv(results / "trends/theme_share_by_year.tsv", sep="\t")
    digital = themes[themes["theme"] == "数字政法"].set_index("year")
    assert digital.loc[2023, "share"] > 0
    assert digital.loc[2021, "share"] == 0
    assert digital.loc[2022, "n_docs"] == 2
    # Two documents are fewer than trends.min_docs (3): no document interval, a flagged passage one.
    assert digital.loc[2022, "ci_unit"] == "passages"
    assert bool(digital.loc[2022, "small_n"]) is True
    hits = pd.read_csv(results / "trends/theme_keyword_hits.tsv", sep="\t")
    assert list(hits.columns) == ["theme", "keyword", "year", "hits"]
    assert hits.groupby(["theme", "year"])["hits"].sum()["数字政法"].to_dict() == digital["n_hits"].to_dict()
    topics = pd.read_csv(results / "trends/topic_share_by_year.tsv", sep="\t")
    assert sorted(topics["k"].unique()) == [2, 3]
    sums = topics.groupby(["k", "year"])["share"].sum()
    assert sums.between(0.999, 1.001).all()


def test_no_pinyin_or_traditional_reaches_tokens(finished_run):
    tokens = pd.read_csv(finished_run / "results/tokens/tokens.tsv", sep="\t")
    text = " ".join(tokens.loc[tokens["doc_id"] == "c_2022", "tokens"])
    assert "网格化" in text.split()
    for forbidden in ("fā", "wǎng", "發", "網", "體", "監"):
        assert forbidden not in text


def test_chosen_k_is_the_configured_one_everywhere(finished_run):
    results = finished_run / "results"
    assert (results / "lda/chosen_k.txt").read_text(encoding="utf-8").startswith("2\t")
    selection = pd.read_csv(results / "lda/model_selection.tsv", sep="\t")
    assert set(selection.loc[selection["chosen"], "k"]) == {2}
    assert set(pd.read_csv(results / "lda/chosen_topics.tsv", sep="\t")["k"]) == {2}
    assert json.loads((results / "provenance.json").read_text(encoding="utf-8"))["chosen_k"] == 2


def test_provenance_names_every_input_config_and_version(finished_run):
    provenance = json.loads((finished_run / "results/provenance.json").read_text(encoding="utf-8"))
    documents = provenance["inputs"]["documents"]
    assert sorted(documents) == [f"tiny/{name}" for name in sorted(TINY_CORPUS)]
    expected_hash = hashlib.sha256((finished_run / "tiny/a_2021.txt").read_bytes()).hexdigest()
    assert documents["tiny/a_2021.txt"] == expected_hash
    assert set(provenance["inputs"]) == {
        "documents",
        "metadata",
        "tables",
        "user_dictionaries",
        "stopwords",
        "style",
    }
    assert provenance["inputs"]["metadata"] == {}
    for package in ("python", "jieba", "gensim", "scikit-learn", "matplotlib", "opencc", "snakemake"):
        assert provenance["versions"][package] not in ("", "not installed")
    assert provenance["config"]["lda"]["k"] == [2, 3]
    assert provenance["seeds"]["lda"] == [7]
    stamp = f"config sha256:{provenance['config_sha256'][:16]}".encode()
    assert stamp in (finished_run / "results/figures/theme_trends.png").read_bytes()
    assert stamp in (finished_run / "results/figures/theme_trends.pdf").read_bytes()


def test_figure_index_lists_every_figure_with_its_caption_and_counts(finished_run):
    index = (finished_run / "results/figures/README.md").read_text(encoding="utf-8")
    assert "Corpus: 4 documents included of 4 files; documents per year: 2021: 1, 2022: 2, 2023: 1." in index
    for name in FIGURES:
        assert f"## {name}" in index
        assert f"`{name}.png`, `{name}.pdf`, `{name}.svg`" in index
    # The caption says how the intervals were made and quotes the configured trends.min_docs.
    assert "intervals of the year's rate over its documents" in index
    assert "drawn for years with at least 3 documents" in index


def test_pdfs_embed_the_cjk_font_as_truetype(finished_run):
    for name in FIGURES:
        pdf = (finished_run / f"results/figures/{name}.pdf").read_bytes()
        assert b"NotoSansCJKsc-Regular" in pdf, name
        assert b"/FontFile2" in pdf, name  # embedded TrueType outlines
        assert b"/Type3" not in pdf, name


def test_report_is_built(finished_run):
    result = _snakemake(finished_run, "--report", "results/report.html")
    assert result.returncode == 0, result.stderr[-3000:]
    html = (finished_run / "results/report.html").read_text(encoding="utf-8")
    assert "theme_trends.png" in html
    assert "Keyword themes by year" in html  # a corpus figure (rule plot_corpus_figures)
    assert "The most distinctive terms of each year" in html
    assert "The highest-weight terms of each LDA topic" in html  # a topic figure (rule plot_topic_figures)
    assert "documents per year" in html.lower()


def test_rerun_has_nothing_to_do(finished_run):
    result = _snakemake(finished_run, "-n")
    assert result.returncode == 0
    assert "Nothing to be done" in result.stdout + result.stderr


def _summary_inputs(project: Path) -> dict[str, list[str]]:
    """Output file -> its rule and input files, from ``snakemake --detailed-summary``."""
    result = _snakemake(project, "--detailed-summary")
    assert result.returncode == 0, result.stderr[-3000:]
    rows = [line.split("\t") for line in result.stdout.splitlines() if "\t" in line]
    header = rows[0]
    rule, inputs = header.index("rule"), header.index("input-file(s)")
    return {row[0]: [row[rule], *filter(None, row[inputs].split(","))] for row in rows[1:]}


def _planned_jobs(project: Path) -> set[str]:
    """The rules ``snakemake -n`` would run (its job-stats table; empty when nothing is to be done)."""
    result = _snakemake(project, "-n")
    assert result.returncode == 0, result.stderr[-3000:]
    text = result.stdout + result.stderr
    if "Job stats:" not in text:
        assert "Nothing to be done" in text
        return set()
    table = text.split("Job stats:")[1].split("\n\n")[0].splitlines()[3:]
    return {line.split()[0] for line in table if line.split() and line.split()[0] != "total"}


def test_the_history_read_is_declared_and_deleting_it_starts_afresh(finished_run, tmp_path):
    """Issue 12: the rules that read the stored state declare the history folder's marker as input
    (ancient: the state this run stores does not make the next run out of date)."""
    project = tmp_path / "project"
    shutil.copytree(finished_run, project, symlinks=True)
    summary = _summary_inputs(project)
    marker = "results/history/HISTORY"
    assert summary[marker][0] == "start_history"
    assert summary["results/lda/topic_ids.tsv"][0] == "summarise_topics"
    assert marker in summary["results/lda/topic_ids.tsv"]
    assert marker in summary["results/changes.tsv"]
    assert summary["results/history/manifest.json"][0] == "record_run"
    assert marker not in summary["results/lda/k2/topics.tsv"]  # refit mode: fit_lda reads no history
    assert _planned_jobs(project) == set()
    shutil.rmtree(project / "results/history")
    planned = _planned_jobs(project)
    assert {"start_history", "summarise_topics", "record_run"} <= planned
    assert not planned & {"ingest_corpus", "segment_passages", "fit_lda", "summarise_terms"}


def test_the_workflow_lints_clean(finished_run):
    result = _snakemake(finished_run, "--lint")
    assert result.returncode == 0, result.stdout[-3000:]
    assert "Congratulations, your workflow is in a good condition!" in result.stdout + result.stderr


def test_two_clean_runs_give_identical_bytes(finished_run, tmp_path):
    project = _project_copy(tmp_path)
    result = _snakemake(project)
    assert result.returncode == 0, result.stderr[-3000:]
    first, second = _hashes(finished_run / "results"), _hashes(project / "results")
    assert len(first) >= 40
    assert first == second


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ({"lda": {"k": [2], "seeds": [1], "topics": 3}}, "lda.topics"),
        ({"lda": {"k": "four", "seeds": [1]}}, "lda.k"),
        ({"lda": {"k": [1, 3], "seeds": [1]}}, "lda.k.0"),
        ({"themes": {"数字政法": []}}, "themes.数字政法"),
        ({"themes": {"数字政法": ["数字政法", " \u3000"]}}, "themes.数字政法"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_config_stops_with_one_line_naming_the_key(finished_run, override, key):
    config = yaml.safe_load((finished_run / "tiny.yaml").read_text(encoding="utf-8"))
    config.update(override)
    (finished_run / "bad.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    command = [sys.executable, "-m", "snakemake", "-n", "--cores", "1", "--configfile", "bad.yaml"]
    result = subprocess.run(command, cwd=finished_run, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("zhengfa-trends: config key ")
    assert f"'{key}'" in lines[0]
    assert "Traceback" not in result.stderr


def test_adding_a_document_reuses_the_others_and_extends_the_years(finished_run, tmp_path):
    # the first run is finished_run's (same copy, same config): a copy of it, not a second run
    project = tmp_path / "project"
    shutil.copytree(finished_run, project, symlinks=True)
    (project / "tiny/e_2024.txt").write_text(
        "发布时间:2024-06-30\n\n" + "推动科技手段现代化,加快数字政法建设,运用区块链和人工智能。" * 4,
        encoding="utf-8",
    )
    result = _snakemake(project)
    assert result.returncode == 0, result.stderr[-3000:]
    stats = json.loads((project / "results/tokens/stats.json").read_text(encoding="utf-8"))
    assert (stats["segmented"], stats["reused"]) == (1, 4)
    themes = pd.read_csv(project / "results/trends/theme_share_by_year.tsv", sep="\t")
    assert sorted(themes["year"].unique()) == [2021, 2022, 2023, 2024]
    assert themes.loc[(themes["theme"] == "科技手段现代化") & (themes["year"] == 2024), "share"].iloc[0] > 0
    changes = pd.read_csv(project / "results/changes.tsv", sep="\t", dtype={"key": str})
    assert changes.loc[changes["change"] == "document_added", "key"].tolist() == ["e_2024"]
    assert changes.loc[changes["change"] == "year_added", "year"].tolist() == [2024]
    # refit: every topic that found its previous self keeps that topic's id
    ids = pd.read_csv(project / "results/lda/topic_ids.tsv", sep="\t")
    assert set(ids["status"]) <= {"matched", "new", "vanished"}
    matched = ids[ids["status"] == "matched"]
    assert (matched["similarity"] >= 0.5).all()
    previous_ids = set(range(2))  # the first run's ids of K=2
    assert set(matched["topic_id"]) <= previous_ids
    assert set(ids.loc[ids["status"] == "new", "topic_id"]).isdisjoint(previous_ids)


def test_auto_k_grid_comes_from_the_real_passage_count(tmp_path):
    # lda.k: auto: checkpoint k_grid writes the grid from the passages segmented (stats.json), and
    # the rules that list every K wait for it; adding a document updates it.
    project = _project_copy(tmp_path)
    config = yaml.safe_load((project / "tiny.yaml").read_text(encoding="utf-8"))
    config["lda"].update({"k": "auto", "chosen_k": None})
    (project / "tiny.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    result = _snakemake(project)
    assert result.returncode == 0, result.stderr[-3000:]
    tokens = pd.read_csv(project / "results/tokens/tokens.tsv", sep="\t")
    grid = (project / "results/lda/k_grid.txt").read_text(encoding="utf-8")
    assert grid == f"passages\t{len(tokens)}\nk\t2\n"  # fewer than 30 passages: K = 2 only
    assert sorted(p.name for p in (project / "results/lda").glob("k[0-9]*")) == ["k2"]
    stability = pd.read_csv(project / "results/lda/topic_stability.tsv", sep="\t")
    assert stability["k"].tolist() == [2, 2]
    result = _snakemake(project, "-n")
    assert result.returncode == 0 and "Nothing to be done" in result.stdout + result.stderr
    (project / "tiny/e_2024.txt").write_text(
        "发布时间:2024-06-30\n\n" + "推动科技手段现代化,加快数字政法建设,运用区块链和人工智能。" * 4,
        encoding="utf-8",
    )
    result = _snakemake(project)
    assert result.returncode == 0, result.stderr[-3000:]
    more = pd.read_csv(project / "results/tokens/tokens.tsv", sep="\t")
    assert len(more) > len(tokens)
    grid = (project / "results/lda/k_grid.txt").read_text(encoding="utf-8")
    assert grid == f"passages\t{len(more)}\nk\t2\n"


def test_update_mode_continues_the_stored_model_after_a_document_is_added(tmp_path):
    import re

    project = _project_copy(tmp_path)
    config = yaml.safe_load((project / "tiny.yaml").read_text(encoding="utf-8"))
    config["lda"]["mode"] = "update"
    (project / "tiny.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    # the first run has nothing stored: it fits the grid (K = 2, 3) and stores K = 2
    assert _snakemake(project).returncode == 0
    assert sorted(pd.read_csv(project / "results/lda/model_selection.tsv", sep="\t")["k"]) == [2, 3]
    (project / "tiny/e_2024.txt").write_text(
        "发布时间:2024-06-30\n\n" + "推动科技手段现代化,加快数字政法建设,运用区块链和人工智能。" * 4,
        encoding="utf-8",
    )
    result = _snakemake(project)
    assert result.returncode == 0, result.stderr[-3000:]
    log_text = (project / "logs/fit_lda/k2.log").read_text(encoding="utf-8")
    match = re.search(r"continuing the stored model \((\d+) of (\d+) words known\) for 2 passes", log_text)
    assert match, log_text[-2000:]
    known, words = map(int, match.groups())
    assert 0 < known < words  # the new article brought words the stored model did not know
    # only the stored K was trained, with one seed; its topics kept their ids
    selection = pd.read_csv(project / "results/lda/model_selection.tsv", sep="\t")
    assert selection["k"].tolist() == [2] and selection["chosen"].tolist() == [True]
    assert (project / "results/lda/chosen_k.txt").read_text(encoding="utf-8").split()[0] == "2"
    ids = pd.read_csv(project / "results/lda/topic_ids.tsv", sep="\t")
    assert ids["status"].tolist() == ["matched", "matched"] and ids["topic_id"].tolist() == [0, 1]
    themes = pd.read_csv(project / "results/trends/theme_share_by_year.tsv", sep="\t")
    assert sorted(themes["year"].unique()) == [2021, 2022, 2023, 2024]
    changes = pd.read_csv(project / "results/changes.tsv", sep="\t", dtype={"key": str})
    assert changes.loc[changes["change"] == "document_added", "key"].tolist() == ["e_2024"]
    assert _snakemake(project, "-n").stdout.count("Nothing to be done") == 1


def test_freeze_mode_extends_without_changing_past_numbers(tmp_path):
    """Issue 6 acceptance: the default corpus without its 2026 article, then with it, in freeze mode."""
    project = _project_copy(tmp_path)
    corpus = project / "default_corpus"
    shutil.copytree(REPO / "data/corpus", corpus)
    article_2026 = next(corpus.glob("003_*.txt"))
    held_back = project / article_2026.name
    article_2026.rename(held_back)
    config = yaml.safe_load((project / "tiny.yaml").read_text(encoding="utf-8"))
    config["corpus"] = {"dir": "default_corpus", "metadata": "default_corpus/metadata.tsv"}
    config["lda"]["mode"] = "freeze"
    (project / "tiny.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    assert _snakemake(project).returncode == 0
    before_topics = pd.read_csv(project / "results/trends/topic_share_by_year.tsv", sep="\t")
    before_themes = pd.read_csv(project / "results/trends/theme_share_by_year.tsv", sep="\t")
    held_back.rename(article_2026)
    result = _snakemake(project)
    assert result.returncode == 0, result.stderr[-3000:]
    stats = json.loads((project / "results/tokens/stats.json").read_text(encoding="utf-8"))
    assert (stats["segmented"], stats["reused"]) == (1, 4)
    after_topics = pd.read_csv(project / "results/trends/topic_share_by_year.tsv", sep="\t")
    after_themes = pd.read_csv(project / "results/trends/theme_share_by_year.tsv", sep="\t")
    assert sorted(after_themes["year"].unique()) == [2021, 2022, 2023, 2024, 2026]
    # K=3 rows (no stable ids) made the first table's topic_id column float; compare K=2 as integers.
    before_k2 = before_topics[before_topics["k"] == 2].reset_index(drop=True).astype({"topic_id": int})
    pd.testing.assert_frame_equal(after_topics[after_topics["year"] < 2026].reset_index(drop=True), before_k2)
    pd.testing.assert_frame_equal(
        after_themes[after_themes["year"] < 2026].reset_index(drop=True), before_themes.reset_index(drop=True)
    )
    ids = pd.read_csv(project / "results/lda/topic_ids.tsv", sep="\t")
    assert ids["status"].tolist() == ["matched", "matched"]
    assert ids["topic_id"].tolist() == [0, 1]
    changes = pd.read_csv(project / "results/changes.tsv", sep="\t", dtype={"key": str})
    assert changes.loc[changes["change"] == "document_added", "key"].tolist() == [article_2026.stem]
    assert changes.loc[changes["change"] == "year_added", "year"].tolist() == [2026]
    assert set(changes.loc[changes["change"] == "topic_share", "year"]) == {2026}


def test_a_killed_run_resumes_to_identical_results(finished_run, tmp_path):
    import os
    import signal
    import time

    project = _project_copy(tmp_path)
    command = [sys.executable, "-m", "snakemake", "--cores", "1", "--configfile", "tiny.yaml"]
    process = subprocess.Popen(
        command, cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 120
    # Kill the whole run (Snakemake and its job) once the first LDA model is being written.
    while not (project / "results/lda").exists() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    # A hard kill leaves Snakemake's lock behind: --unlock, then --rerun-incomplete (README).
    assert _snakemake(project, "--unlock").returncode == 0
    result = _snakemake(project, "--rerun-incomplete")
    assert result.returncode == 0, result.stderr[-3000:]
    assert _hashes(project / "results") == _hashes(finished_run / "results")


def test_default_config_trains_lda_on_every_passage(finished_run):
    # The schema's default is no cap: the reported model learns from every passage that is not held
    # out for perplexity, as the fit's own log line states.
    import re

    schema = yaml.safe_load((REPO / "workflow/schemas/config.schema.yaml").read_text(encoding="utf-8"))
    assert schema["properties"]["lda"]["properties"]["max_train_passages"]["default"] is None
    n_passages = len(pd.read_csv(finished_run / "results/tokens/tokens.tsv", sep="\t"))
    for k in (2, 3):
        log_text = (finished_run / f"logs/fit_lda/k{k}.log").read_text(encoding="utf-8")
        match = re.search(rf"LDA k={k}: (\d+) training / (\d+) held-out passages", log_text)
        assert match, log_text[-2000:]
        train, heldout = map(int, match.groups())
        assert train + heldout == n_passages
        assert 0 <= heldout < train
        assert "max_train_passages" not in log_text


def test_periods_and_a_facet_write_their_tables_and_figures(tmp_path):
    project = _project_copy(tmp_path)
    (project / "tiny/metadata.tsv").write_text(
        "doc_id\tdate\tsource\na_2021\t\t省甲\nb_2022\t\t省乙\nc_2022\t\t省甲\nd_2023\t\t省乙\n",
        encoding="utf-8",
    )
    config = yaml.safe_load((project / "tiny.yaml").read_text(encoding="utf-8"))
    config["trends"].update(periods=[[2021, 2022, "前期"], [2023, 2023, "后期"]], facet="source")
    # short passages: enough of them for K = 2 and 3 (five passages per topic)
    config["passages"] = {"max_chars": 40, "min_chars": 10}
    (project / "tiny.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    result = _snakemake(project)
    assert result.returncode == 0, result.stderr[-3000:]
    trends_dir = project / "results/trends"
    periods = pd.read_csv(trends_dir / "periods.tsv", sep="\t")
    assert periods.to_dict("list") == {
        "period": ["前期", "后期"],
        "first": [2021, 2023],
        "last": [2022, 2023],
        "n_docs": [3, 1],
    }
    themes = pd.read_csv(trends_dir / "theme_share_by_period.tsv", sep="\t")
    assert len(themes) == 3 * 2
    digital = themes[themes["theme"] == "数字政法"].set_index("period")
    assert digital.loc["前期", "share"] == 0 and digital.loc["后期", "share"] > 0
    topics = pd.read_csv(trends_dir / "topic_share_by_period.tsv", sep="\t")
    assert set(topics["k"]) == {2} and len(topics) == 2 * 2
    assert topics.groupby("period")["share"].sum().round(4).tolist() == [1.0, 1.0]
    facets = pd.read_csv(trends_dir / "theme_share_by_facet.tsv", sep="\t")
    assert set(facets["facet"]) == {"source"}
    assert facets.drop_duplicates(["facet_value", "period"])[
        ["facet_value", "period", "n_docs"]
    ].values.tolist() == [
        # both values have two documents: name order
        ["省乙", "前期", 1],
        ["省乙", "后期", 1],
        ["省甲", "前期", 2],
    ]
    assert (trends_dir / "topic_share_by_facet.tsv").is_file()
    for name in ("tfidf_by_period", "emerging_terms_by_period", "facet_trends"):
        for fmt in ("png", "pdf", "svg"):
            assert (project / f"results/figures/{name}.{fmt}").stat().st_size > 0
    index = (project / "results/figures/README.md").read_text(encoding="utf-8")
    assert "## facet_trends" in index and "## tfidf_by_period" in index
    report = _snakemake(project, "--report", "results/report.html")
    assert report.returncode == 0, report.stderr[-3000:]
    html = (project / "results/report.html").read_text(encoding="utf-8")
    assert "facet_trends.png" in html and "emerging_terms_by_period.png" in html


# Twelve themes of two keywords each beside the three default ones (15 in all; theme keywords are
# one token each), for the seventy-year run.
SEVENTY_THEMES = {
    f"主题{number:02d}": words
    for number, words in enumerate(
        [
            ["综治中心", "矛盾纠纷"],
            ["智慧法院", "智慧检务"],
            ["平安建设", "诉源治理"],
            ["依法治国", "法治政府"],
            ["扫黑除恶", "反腐败"],
            ["司法改革", "司法责任制"],
            ["政法队伍", "纪律作风"],
            ["社会治理", "基层治理"],
            ["国家安全", "社会稳定"],
            ["知识产权", "营商环境"],
            ["网络安全", "数据安全"],
            ["生态环境", "环境资源"],
        ]
    )
}


def _seventy_year_corpus(folder: Path) -> dict[int, int]:
    """1954-2023, 1-40 short documents a year (a few years without any), four sources."""
    import random

    rng = random.Random(70)
    words = [w for pair in SEVENTY_THEMES.values() for w in pair] + ["数字政法", "人工智能", "枫桥经验"]
    fillers = ["工作", "机制", "体系", "能力", "建设", "改革", "发展", "制度", "水平", "队伍", "群众", "服务"]
    counts, rows = {}, ["doc_id\tdate\tsource"]
    for year in range(1954, 2024):
        if year in (1960, 1961, 1977, 1999):
            continue
        counts[year] = rng.randint(1, 40)
        for number in range(counts[year]):
            doc_id = f"d{year}_{number:02d}"
            sentences = []
            for _ in range(8):
                first, second = rng.sample(words, 2)
                a, b, c = rng.sample(fillers, 3)
                sentences.append(f"深入推进{first}{a},不断完善{second}{b}和{c}。")
            (folder / f"{doc_id}.txt").write_text("".join(sentences) + "\n", encoding="utf-8")
            source = (
                "稀见报刊"
                if (year, number) in ((1980, 0), (2000, 0))
                else ["人民日报", "法治日报", "地方政法网"][number % 3]
            )
            rows.append(f"{doc_id}\t{year}\t{source}")
    (folder / "metadata.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return counts


def test_seventy_years_fifteen_themes_with_periods_and_a_facet(tmp_path):
    from PIL import Image

    project = _project_copy(tmp_path)
    corpus = project / "seventy"
    corpus.mkdir()
    counts = _seventy_year_corpus(corpus)
    config = yaml.safe_load((project / "tiny.yaml").read_text(encoding="utf-8"))
    config["corpus"] = {"dir": "seventy", "metadata": "seventy/metadata.tsv", "near_duplicate_threshold": 1.0}
    config["themes"] = SEVENTY_THEMES  # added to the three default themes
    config["lda"].update(k=[5], chosen_k=5, passes=2)
    config["trends"].update(periods="auto", facet="source", facet_min_docs=5, bootstrap=100)
    config["figures"]["formats"] = ["png"]
    (project / "tiny.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    result = _snakemake(project)
    assert result.returncode == 0, result.stderr[-3000:]
    ledger = pd.read_csv(project / "results/corpus/documents.tsv", sep="\t", dtype={"doc_id": str})
    included = ledger[ledger["included"] == "yes"]
    assert included.groupby("year").size().to_dict() == counts
    themes = pd.read_csv(project / "results/trends/theme_share_by_year.tsv", sep="\t")
    assert themes["theme"].nunique() == 15 and themes["year"].nunique() == len(counts)
    periods = pd.read_csv(project / "results/trends/periods.tsv", sep="\t")
    assert len(periods) == 8
    assert periods["first"].iloc[0] == 1954 and periods["last"].iloc[-1] == 2023
    assert (periods["first"].iloc[1:].to_numpy() == periods["last"].iloc[:-1].to_numpy() + 1).all()
    assert periods["n_docs"].sum() == sum(counts.values())
    by_period = pd.read_csv(project / "results/trends/theme_share_by_period.tsv", sep="\t")
    assert len(by_period) == 15 * 8
    facets = pd.read_csv(project / "results/trends/theme_share_by_facet.tsv", sep="\t")
    # the two documents of 稀见报刊 are pooled as 其他; per period, as periods are set
    assert set(facets["facet_value"]) == {"人民日报", "法治日报", "地方政法网", "其他"}
    assert facets.loc[facets["facet_value"] == "其他"].drop_duplicates("period")["n_docs"].sum() == 2
    assert set(facets["period"]) == set(periods["period"])
    figures = sorted((project / "results/figures").glob("*.png"))
    assert {p.stem for p in figures} >= {
        *FIGURES,
        "tfidf_by_period",
        "emerging_terms_by_period",
        "facet_trends",
    }
    for path in figures:
        with Image.open(path) as image:
            assert max(image.size) <= 4000, (path.name, image.size)
