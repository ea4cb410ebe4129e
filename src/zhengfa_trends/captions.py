"""Figure captions: one text per figure, used by the Snakemake report and results/figures/README.md."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is not imported at run time: Snakemake imports this module at start-up
    import pandas as pd

CAPTIONS = {
    "theme_trends": (
        "Keyword themes by year: each theme's keyword tokens per 1,000 tokens of the year's passages "
        "(all documents of a year pooled). Bands and solid error bars are {level:.0%} intervals of the "
        "year's rate over its documents (ratio estimator, log scale, t quantile; coverage measured in "
        "benchmarks/COVERAGE.md), drawn for years with at least {min_docs} documents. Hollow markers: "
        "fewer than {min_docs} documents; their dotted bars are the same interval over the passages of "
        "those documents, which shows how much the passages vary, not how well the year's rate is known "
        "(the axis stops at 1.6 times the largest share, so long dotted bars may run off the top). "
        "Every calendar year between the first and the last is on the axis (labels thinned to fit, a tick "
        "on every year); a shaded year has no documents and is not interpolated. The grey bars under the "
        "axis are the documents per year. Up to five themes share one panel; more get one panel each, on "
        "shared axes."
    ),
    "topic_trends": (
        "LDA topics by year for the chosen number of topics K: the token-weighted mean topic share of the "
        "year's passages, one panel per topic, titled by its stable id and its label (lda.labels, or its "
        "three most relevant terms: relevance with lambda = 0.6, Sievert & Shirley 2014). Intervals, "
        "markers and the documents-per-year bars as in theme_trends. At most 40 panels: with more topics, the 40 "
        "with the largest mean share are drawn and the title says so."
    ),
    "topic_terms": (
        "The highest-weight terms of each LDA topic of the chosen K (gensim LdaModel, first seed); panels "
        "titled by the topic's stable id and label. With many topics each panel shows fewer terms, so that "
        "the figure stays within 4,000 px; the title says how many."
    ),
    "tfidf_by_year": (
        "The most distinctive terms of each year: TF-IDF (scikit-learn, sublinear TF) with each year's "
        "passages pooled into one document, so a term scores high when frequent in the year and rare in others. "
        "One panel per year up to eight years; beyond, a term × year heatmap of the 40 highest-scoring terms "
        "(blank: not among that year's top terms)."
    ),
    "emerging_terms": (
        "Emerging terms: per year, the terms most over-represented against all other years by "
        "log-likelihood G² (minimum frequency {min_freq}); keyness_by_year.tsv adds the log-ratio effect size. One panel per year "
        "up to eight years; beyond, a term × year heatmap as in tfidf_by_year."
    ),
    "tfidf_by_period": (
        "The most distinctive terms of each period of trends.periods: TF-IDF as in tfidf_by_year, with each "
        "period's passages pooled into one document."
    ),
    "emerging_terms_by_period": (
        "Emerging terms of each period of trends.periods: the terms most over-represented against the other "
        "periods by G² (minimum frequency {min_freq}); with a single period there is nothing to compare against."
    ),
    "facet_trends": (
        "Keyword themes by the facet of trends.facet (a ledger column such as source or province): each facet "
        "value's keyword tokens per 1,000 tokens, by year (or by period when trends.periods is set), with the "
        "intervals and hollow markers of theme_trends; the number of documents of each value is in its title. "
        "Where the corpus covers one year or period, a bar per facet value with its interval. Values with "
        "fewer than trends.facet_min_docs documents, or beyond the trends.facet_max_values largest, are pooled "
        "as 其他; documents without a value are 未知."
    ),
    "model_selection": (
        "Choosing K: topic coherence (c_npmi, c_v, u_mass; higher is better), held-out perplexity (lower is "
        "better) and seed stability (mean best-match cosine similarity of topics across seeds) for each K; "
        "faint points are seeds, lines their means with one standard error; the shaded band runs from one "
        "standard error below the best mean c_npmi to it, and the chosen K (dashed) is the smallest K "
        "inside it. The last panel shows each K's reported model converging: held-out perplexity after "
        "every training pass, in per cent above the last pass (chosen K strong; dotted: 0.5 %)."
    ),
}


def caption(name: str, config: Mapping) -> str:
    """The caption of figure ``name`` with the (validated) config's numbers filled in."""
    trends = config["trends"]
    return CAPTIONS[name].format(
        level=trends["level"],
        bootstrap=trends["bootstrap"],
        min_docs=trends["min_docs"],
        min_freq=config["keyness"]["min_freq"],
    )


def documents_per_year(ledger: pd.DataFrame) -> str:
    """``2021: 1, 2022: 3, …`` from the included rows of documents.tsv."""
    included = ledger[ledger["included"] == "yes"]
    return _year_counts(included["year"].tolist())


def documents_per_year_in(ledger_path) -> str:
    """:func:`documents_per_year` of the documents.tsv at ``ledger_path``, read without pandas.

    Snakemake evaluates this caption parameter in its own process while it plans the jobs (on every
    run, a no-op rerun too), where importing pandas alone would cost more than the whole read.
    """
    import csv
    import sys

    csv.field_size_limit(sys.maxsize)  # a title cell may be long
    with open(ledger_path, encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        years = [row["year"] for row in rows if row["included"] == "yes" and row["year"]]
    return _year_counts(years)


def _year_counts(years) -> str:
    from collections import Counter

    counts = Counter(int(float(year)) for year in years)  # "2021" or, through pandas, 2021.0
    return ", ".join(f"{year}: {n}" for year, n in sorted(counts.items()))


def figure_index(names: list[str], config: Mapping, ledger: pd.DataFrame, formats: list[str]) -> str:
    """Markdown listing every figure with its files and caption (results/figures/README.md)."""
    included = int((ledger["included"] == "yes").sum())
    lines = [
        "# Figures",
        "",
        f"Corpus: {included} documents included of {len(ledger)} files; documents per year: "
        f"{documents_per_year(ledger)}.",
        "",
    ]
    for name in names:
        files = ", ".join(f"`{name}.{fmt}`" for fmt in formats)
        lines += [f"## {name}", "", files, "", caption(name, config), ""]
    return "\n".join(lines)
