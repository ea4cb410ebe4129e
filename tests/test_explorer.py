"""The explorer page: built by the real workflow on the default corpus, then used in headless Chromium.

The browser tests need Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them);
they are skipped, with that reason, only where the binaries are missing.  Network access of the
browser is cut (a dead proxy, every host name unresolvable) and every request it made is checked
to be a ``file:`` or ``data:`` one.  Set ``ZHENGFA_TRENDS_README_FIGURES=1`` to also write the
screenshot to ``docs/figures/explorer.png`` (the README's copy).
"""

from __future__ import annotations

import base64
import gzip
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from zhengfa_trends.io import read_tsv

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
pytestmark = pytest.mark.workflow
# Light LDA settings: the page, not the model, is under test (still two seeds, for stability).
CONFIG = {
    "lda": {"k": [4], "seeds": [1, 2], "passes": 3, "iterations": 30},
    "trends": {"bootstrap": 200, "periods": "auto"},
    "figures": {"formats": ["png"]},
    "explorer": {"passages_per_cell": 3},
}
THEME = "数字政法"


def _snakemake(project: Path, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "snakemake", "--cores", "2", *args, "--configfile", "test.yaml"]
    return subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    """A copy of the project with the default corpus, run up to results/explorer.html."""
    project = tmp_path_factory.mktemp("explorer") / "project"
    for part in ("Snakefile", "workflow", "scripts", "config", "data"):
        source, target = REPO / part, project / part
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target)
    (project / "test.yaml").write_text(yaml.safe_dump(CONFIG, allow_unicode=True), encoding="utf-8")
    result = _snakemake(project, "results/explorer.html")
    assert result.returncode == 0, result.stderr[-3000:]
    return project


def _payload(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="explorer-data">(.*?)</script>', html, re.S)
    assert match, "the page has no data block"
    return json.loads(match.group(1))


def test_page_is_one_file_with_everything_inline(run):
    html_path = run / "results/explorer.html"
    html = html_path.read_text(encoding="utf-8")
    assert html_path.stat().st_size <= 5_000_000
    outside = re.sub(r"<script\b[^>]*>.*?</script>", "", html, flags=re.S)
    tags = re.findall(r"<(?:script|link|img|iframe|object|embed|source)\b[^>]*>", outside)
    assert tags == []  # outside the inline scripts: no element that could load anything
    assert re.findall(r"<script\b[^>]*>", html) == [
        '<script type="application/gzip" id="plotly-gzip">',
        '<script type="application/json" id="explorer-data">',
        "<script>",
    ]
    # plotly.js: the pip package's bundle, gzip-compressed and base64-encoded, not executed as it is
    from plotly.offline import get_plotlyjs

    packed = re.search(r'<script type="application/gzip" id="plotly-gzip">(.*?)</script>', html, re.S)
    assert gzip.decompress(base64.b64decode(packed.group(1))).decode("utf-8") == get_plotlyjs()
    payload = _payload(html)
    # the font: one @font-face whose only source is an inline WOFF, the body's first font
    style = html[html.index("<style>") : html.index("</style>")]
    family = payload["provenance"]["font"]["family"]
    urls = re.findall(r"url\(([^,)]*)", style)
    assert urls == ["data:font/woff;base64"]
    assert re.search(r'body \{[^}]*font: 14px/1\.5 "' + re.escape(family) + '",', style)
    woff = base64.b64decode(re.search(r"url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)", style).group(1))
    assert woff[:4] == b"wOFF"
    from fontTools.ttLib import TTFont

    from zhengfa_trends.plotting import cjk_font_path

    covered = set(TTFont(io.BytesIO(woff)).getBestCmap())
    full = set(TTFont(cjk_font_path(), lazy=True).getBestCmap())
    shown = {ord(c) for record in payload["passages"] for c in record[2]}
    shown |= {ord(c) for term in payload["terms"]["terms"] for c in term}
    shown |= {ord(c) for c in "Themes and topics over time 主题 政法 λ θ"}
    assert shown & full <= covered  # every character the font has and the page shows is embedded
    assert len(covered) < len(full) / 10  # a subset, not the whole font
    assert payload["provenance"]["font"]["bytes"] == len(woff)
    provenance = json.loads((run / "results/provenance.json").read_text(encoding="utf-8"))
    assert payload["provenance"]["config_sha256"] == provenance["config_sha256"]
    assert payload["provenance"]["documents_included"] == 5
    assert payload["provenance"]["versions"]["plotly.js (inline)"]
    assert payload["provenance"]["versions"]["fontTools (font subset)"]
    assert payload["years"] == [2021, 2022, 2023, 2024, 2025, 2026]
    assert payload["docs_per_year"] == [1, 1, 1, 1, 0, 1]


def test_page_numbers_and_evidence_follow_the_result_tables(run):
    results = run / "results"
    payload = _payload((results / "explorer.html").read_text(encoding="utf-8"))
    shares = read_tsv(results / "trends/theme_share_by_year.tsv")
    digital = shares[shares["theme"] == THEME].set_index("year")
    series = payload["themes"]["series"][THEME]
    for i, year in enumerate(payload["years"]):
        if year in digital.index:
            assert series["share"][i] == pytest.approx(digital.at[year, "share"])
            assert series["ci_high"][i] == pytest.approx(digital.at[year, "ci_high"])
        else:
            assert series["share"][i] is None  # 2025: no documents, a gap
    keywords = payload["themes"]["keywords"][THEME]
    documents = payload["documents"]
    assert payload["facets"] == ["source"]  # no bookkeeping column (chars_*, sha256 …) beside a passage
    assert {"法治日报 interview"} <= {d["facets"].get("source") for d in documents}
    for year, cell in payload["evidence"]["themes"][THEME].items():
        assert 1 <= len(cell) <= 3
        counts = [hits for _, hits in cell]
        assert counts == sorted(counts, reverse=True)
        for number, _ in cell:
            doc_index, _, text = payload["passages"][number]
            assert documents[doc_index]["date"].startswith(year)
            assert any(word in text for word in keywords)
    topics = read_tsv(results / "lda/chosen_topics.tsv")
    k = payload["topics"]["k"]
    assert k == int((results / "lda/chosen_k.txt").read_text(encoding="utf-8").split("\t")[0])
    for topic in payload["topics"]["list"]:
        # λ = 1 ranks by φ, so every top term of topics.tsv is among the slider's candidates.
        top = topics.loc[topics["topic"] == topic["topic"], "term"].head(10)
        assert set(top) <= set(topic["terms"])
        assert 0 < topic["stability"] <= 1
    for theme in payload["themes"]["names"]:  # a theme's keyword tokens are split over the topics
        carried = sum(topic["themes"][theme] for topic in payload["topics"]["list"])
        assert carried == pytest.approx(1, abs=1e-3)
    periods = read_tsv(results / "trends/theme_share_by_period.tsv")
    shown = payload["periods"]["themes"]
    assert len(shown["rows"]) == len(periods)
    assert shown["columns"][:2] == ["theme", "period"]
    assert [row[0] for row in shown["rows"]] == list(periods["theme"])
    terms = payload["terms"]
    tokens = read_tsv(results / "tokens/tokens.tsv", dtype={"doc_id": str})
    assert sum(terms["year_tokens"]) == int(tokens["n_tokens"].sum())
    i = terms["terms"].index("枫桥经验")
    expected = tokens.groupby("year")["tokens"].agg(lambda s: sum(t.split().count("枫桥经验") for t in s))
    assert terms["counts"][i] == [int(expected[y]) for y in payload["term_years"]]


def test_two_builds_give_identical_bytes(run, tmp_path, monkeypatch):
    # The rule's step again, in this process, from the same result files: the same bytes.
    from zhengfa_trends.explorer import explorer_step

    monkeypatch.chdir(run)
    inputs = {
        "documents": "results/corpus/documents.tsv",
        "passages": "results/corpus/passages.tsv",
        "tokens": "results/tokens/tokens.tsv",
        "theme_shares": "results/trends/theme_share_by_year.tsv",
        "topic_shares": "results/trends/topic_share_by_year.tsv",
        "theme_topics": "results/trends/theme_topics.tsv",
        "chosen_k": "results/lda/chosen_k.txt",
        "topic_ids": "results/lda/topic_ids.tsv",
        "keyness": "results/tfidf/keyness_by_year.tsv",
        "provenance": "results/provenance.json",
        "stability": "results/lda/topic_stability.tsv",
        "passage_topics": ["results/lda/k4/passage_topics.tsv"],
        "topic_word": ["results/lda/k4/topic_word.npy"],
        "vocabulary": ["results/lda/k4/vocabulary.txt"],
        "period_shares": "results/trends/theme_share_by_period.tsv",
        "topic_period_shares": "results/trends/topic_share_by_period.tsv",
    }
    config = yaml.safe_load((REPO / "config/config.yaml").read_text(encoding="utf-8"))
    options = {**config["explorer"], **CONFIG["explorer"]}
    explorer_step(inputs, config["themes"], options, tmp_path / "again.html")
    assert (tmp_path / "again.html").read_bytes() == (run / "results/explorer.html").read_bytes()


# ---------------------------------------------------------------- in the browser


@pytest.fixture(scope="module")
def browser():
    if not (Path(CHROMIUM).is_file() and Path(CHROMEDRIVER).is_file()):
        pytest.skip("chromium and chromedriver are not installed (apt-get install chromium chromium-driver)")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--no-first-run",
        "--window-size=1400,2300",
        "--proxy-server=http://127.0.0.1:9",  # a dead port: any request that escapes fails
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def page(run, browser):
    browser.get((run / "results/explorer.html").as_uri())
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 30).until(
        lambda d: d.execute_script("return document.body.getAttribute('data-ready')") == "true"
    )
    return browser


def _click(driver, css: str) -> None:
    element = driver.find_element("css selector", css)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    element.click()


def _evidence(driver) -> list[dict]:
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('#evidence .passage')).map(p => ({"
        "year: p.getAttribute('data-year'), doc: p.getAttribute('data-doc'),"
        "meta: p.querySelector('.meta').textContent, text: p.querySelector('p').textContent,"
        "marks: Array.from(p.querySelectorAll('mark')).map(m => m.textContent)}));"
    )


@pytest.mark.browser
def test_clicking_a_theme_and_a_year_lists_that_years_passages(run, page):
    shares = read_tsv(run / "results/trends/theme_share_by_year.tsv")
    digital = shares[(shares["theme"] == THEME) & (shares["n_hits"] > 0)]
    # a year other than the theme's peak (the page opens on the peak year of the first theme)
    year = int(digital.sort_values(["share", "year"]).iloc[0]["year"])
    keywords = set(
        _payload((run / "results/explorer.html").read_text(encoding="utf-8"))["themes"]["keywords"][THEME]
    )
    _click(page, '#topic-grid button[data-topic="1"]')  # first something else, so that the theme click counts
    _click(page, f'#theme-grid button[data-theme="{THEME}"]')
    _click(page, f'#theme-grid button[data-year="{year}"]')
    shown = _evidence(page)
    assert shown, "no passage listed"
    assert len(shown) <= 3
    ledger = read_tsv(run / "results/corpus/documents.tsv", dtype={"doc_id": str}).set_index("doc_id")
    for passage in shown:
        assert passage["year"] == str(year)
        document = ledger.loc[passage["doc"]]  # title, date and source of the document beside its passage
        assert passage["meta"].startswith(
            f"{document['title']} · {document['date']} · source: {document['source']}"
        )
        assert passage["marks"] and set(passage["marks"]) <= keywords
        assert any(word in passage["text"] for word in keywords)
    assert page.find_elements("css selector", '#theme-periods table[data-periods="themes"] tr')
    title = page.find_element("id", "evidence-title").text
    assert title.startswith(f"{THEME} · {year}")
    row = page.find_element("css selector", f'#theme-grid tr[data-key="{THEME}"]')
    assert "selected" in row.get_attribute("class")


@pytest.mark.browser
def test_a_topic_cell_a_slider_and_a_term_search(run, page):
    _click(page, '#topic-grid td.cell[data-key="0"][data-year="2022"]')
    shown = _evidence(page)
    assert shown and {p["year"] for p in shown} == {"2022"}
    card = page.find_element("css selector", '.topic-card[data-topic-card="0"]')
    assert "selected" in card.get_attribute("class")
    ranking = "return Array.from(document.querySelectorAll('#topic-terms-chart .ytick text')).map(t => t.textContent)"
    at_default = page.execute_script(ranking)
    page.execute_script(
        "const s = document.getElementById('lambda'); s.value = '0'; s.dispatchEvent(new Event('input'));"
    )
    assert page.find_element("id", "lambda-value").text == "0.00"
    assert page.execute_script(ranking) != at_default  # λ = 0 ranks by lift: another order
    page.execute_script(  # back to the default λ (for the screenshot)
        "const s = document.getElementById('lambda'); s.value = '0.6'; s.dispatchEvent(new Event('input'));"
    )
    assert page.execute_script(ranking) == at_default
    keyness = read_tsv(run / "results/tfidf/keyness_by_year.tsv").sort_values(["g2"], ascending=False).iloc[0]
    search = page.find_element("id", "term-search")
    search.clear()
    search.send_keys(str(keyness["term"]))
    _click(page, f'#term-suggestions button[data-term="{keyness["term"]}"]')
    cell = page.find_element("css selector", f'#term-keyness tr[data-year="{int(keyness["year"])}"] td.g2')
    assert cell.text == f"+{keyness['g2']:.2f}"  # the page's G² is the keyness table's
    first = page.execute_script(
        "return Array.from(document.querySelectorAll('#term-first .passage mark')).map(m => m.textContent)"
    )
    assert first and set(first) == {keyness["term"]}
    # the yearly frequency: one bar per year with documents, the term's count per 10,000 tokens
    payload = _payload((run / "results/explorer.html").read_text(encoding="utf-8"))
    terms = payload["terms"]
    i = terms["terms"].index(keyness["term"])
    bars = page.execute_script("return document.getElementById('term-chart').data[0]")
    assert bars["x"] == payload["term_years"]
    expected = [1e4 * c / n for c, n in zip(terms["counts"][i], terms["year_tokens"], strict=True)]
    assert bars["y"] == pytest.approx(expected)
    # the first passages: the earliest ones holding the term, from its first year with a count
    first_year = payload["term_years"][next(j for j, c in enumerate(terms["counts"][i]) if c)]
    years = page.execute_script(
        "return Array.from(document.querySelectorAll('#term-first .passage')).map(p => p.dataset.year)"
    )
    assert years and years[0] == str(first_year) and years == sorted(years)


@pytest.mark.browser
def test_the_embedded_font_is_loaded_and_used(run, page):
    family = _payload((run / "results/explorer.html").read_text(encoding="utf-8"))["provenance"]["font"][
        "family"
    ]
    faces = page.execute_script(
        "return Array.from(document.fonts).map(f => [f.family.replace(/[\"']/g, ''), f.status]);"
    )
    assert faces == [[family, "loaded"]]  # the one @font-face, loaded from its data: URL
    assert page.execute_script(f"return document.fonts.check('12px \"{family}\"', '数字政法');")
    for css in ("body", "#evidence .passage p", "#theme-chart .legendtext", "#topic-terms-chart .ytick text"):
        used = page.execute_script(
            "return getComputedStyle(document.querySelector(arguments[0])).fontFamily", css
        )
        assert used.replace("'", '"').startswith(f'"{family}"'), (css, used)
    note = page.find_element("id", "font-note").text
    assert "Noto Sans CJK SC" in note and "embedded" in note


@pytest.mark.browser
def test_trends_show_intervals_counts_and_hover_values_and_highlight_everywhere(run, page):
    payload = _payload((run / "results/explorer.html").read_text(encoding="utf-8"))
    names = payload["themes"]["names"]
    i, j = names.index(THEME), payload["years"].index(2024)
    series = payload["themes"]["series"][THEME]
    trace = page.execute_script(f"return document.getElementById('theme-chart').data[{i}]")
    assert trace["name"] == THEME
    assert trace["error_y"]["array"][j] == pytest.approx(series["ci_high"][j] - series["share"][j], abs=1e-6)
    assert trace["error_y"]["arrayminus"][j] == pytest.approx(
        series["share"][j] - series["ci_low"][j], abs=1e-6
    )
    ticks = page.execute_script(
        "return Array.from(document.querySelectorAll('#theme-chart .xtick text')).map(t => t.textContent)"
    )
    assert ticks[0] == "2021n=1"  # the year and its number of documents under it
    page.execute_script(f"Plotly.Fx.hover('theme-chart', [{{curveNumber: {i}, pointNumber: {j}}}]);")
    hover = page.execute_script("return document.querySelector('#theme-chart .hoverlayer').textContent")
    level = round(100 * payload["settings"]["level"])
    assert f"2024: {series['share'][j]:.3f}" in hover
    assert f"{level} % interval {series['ci_low'][j]:.3f} – {series['ci_high'][j]:.3f}" in hover
    assert f"documents {series['n_docs'][j]} · passages {series['n_passages'][j]}" in hover
    page.execute_script("Plotly.Fx.unhover('theme-chart');")
    # a theme picked in the table: its line stands out, its row is marked, the topics carrying it too
    _click(page, f'#theme-grid button[data-theme="{THEME}"]')
    opacity = page.execute_script("return document.getElementById('theme-chart').data.map(t => t.opacity)")
    assert opacity == [1 if name == THEME else 0.25 for name in names]
    carriers = {str(t["topic"]) for t in payload["topics"]["list"] if t["themes"].get(THEME, 0) >= 0.2}
    marked = page.execute_script(
        "return Array.from(document.querySelectorAll('.topic-card.carries')).map(c => c.dataset.topicCard)"
    )
    assert carriers and set(marked) == carriers
    # a topic picked on its card: its line, its table row and its detail view
    _click(page, '.topic-card[data-topic-card="1"]')
    opacity = page.execute_script("return document.getElementById('topic-chart').data.map(t => t.opacity)")
    assert opacity == [1 if t == 1 else 0.25 for t in range(payload["topics"]["k"])]
    row = page.find_element("css selector", '#topic-grid tr[data-key="1"]')
    assert "selected" in row.get_attribute("class")
    # a year picked: shaded in both charts
    _click(page, '#topic-grid button[data-year="2023"]')
    for chart in ("theme-chart", "topic-chart"):
        shapes = page.execute_script(f"return document.getElementById('{chart}').layout.shapes")
        assert [(s["x0"], s["x1"]) for s in shapes] == [pytest.approx((2022.6, 2023.4))]


@pytest.mark.browser
def test_topic_detail_shows_label_stable_id_stability_and_themes(run, page):
    payload = _payload((run / "results/explorer.html").read_text(encoding="utf-8"))
    topic = payload["topics"]["list"][1]
    _click(page, '.topic-card[data-topic-card="1"]')
    title = page.find_element("id", "topic-title").text
    assert title == f"T{topic['id']} {topic['label']}".strip()
    meta = page.find_element("id", "topic-meta").text
    assert f"stable id {topic['id']}" in meta and f"stability across seeds {topic['stability']:.3f}" in meta
    rows = page.execute_script(
        "return Array.from(document.querySelectorAll('#topic-themes tr')).slice(1)"
        ".map(r => [r.cells[0].textContent, r.cells[1].textContent])"
    )
    expected = sorted(topic["themes"].items(), key=lambda item: -item[1])
    assert rows == [[name, f"{round(100 * share)} %"] for name, share in expected]


@pytest.mark.browser
def test_no_console_error_no_network_and_a_screenshot(run, page, tmp_path):
    _click(page, f'#theme-grid td.cell[data-key="{THEME}"][data-year="2026"]')
    page.execute_script("window.scrollTo(0, 0)")
    severe = [entry for entry in page.get_log("browser") if entry["level"] == "SEVERE"]
    assert severe == []
    footer = page.find_element("id", "provenance").text
    payload = _payload((run / "results/explorer.html").read_text(encoding="utf-8"))
    assert payload["provenance"]["config_sha256"] in footer
    assert "corpus: 5 documents included of 5 listed" in footer
    for name, version in payload["provenance"]["versions"].items():
        assert f"{name} {version}" in footer
    resources = page.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    requested = []
    for entry in page.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            requested.append(message["params"]["request"]["url"])
    assert requested, "the performance log recorded no request at all (not even the page)"
    outside = [url for url in requested + resources if not url.startswith(("file:", "data:"))]
    assert outside == []
    shot = tmp_path / "explorer.png"
    assert page.save_screenshot(str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("ZHENGFA_TRENDS_README_FIGURES") == "1":
        shutil.copy(shot, REPO / "docs/figures/explorer.png")
