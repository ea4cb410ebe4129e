"""Periods and facets: theme and topic shares grouped beside the calendar year.

- **Periods** (``trends.periods``): ``auto`` cuts the years into contiguous bins of about equal
  numbers of documents (at most eight, each with at least ``trends.min_docs`` documents where the
  corpus allows); an explicit list ``[[first, last, label], …]`` (e.g. the five-year plans) names them.
- **Facets** (``trends.facet``): a ledger column such as ``source`` (or a table corpus's
  ``province``); shares per facet value and year (or period).  Values with fewer than
  ``trends.facet_min_docs`` documents, and those beyond the ``trends.facet_max_values`` largest,
  are pooled as ``其他``; documents without a value are ``未知``.

Every share here is computed by the yearly functions of :mod:`zhengfa_trends.trends` (the same
ratio of sums, the same bootstrap over documents, the same ``small_n`` rule): a period is passed to
them as if it were a year, a facet value as the subset of its documents.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from . import features, trends
from .config import ConfigError
from .periods import Period, explicit_periods, period_label

log = logging.getLogger(__name__)

OTHER = "其他"
UNKNOWN = "未知"
MAX_AUTO_PERIODS = 8
PERIOD_COLUMNS = ["period", "first", "last"]


def auto_periods(
    doc_years: Sequence[int], min_docs: int, max_periods: int = MAX_AUTO_PERIODS
) -> list[Period]:
    """Contiguous periods of about equal numbers of documents.

    As many periods as the corpus allows, up to ``max_periods``, with at least ``min_docs``
    documents each where there are enough documents (``total // min_docs``), and never more than
    there are years with documents.  Cuts fall between years (a year is never split) at the year
    boundaries closest to equal shares of the documents.  The periods cover every year from the
    first to the last, including years without documents.

    Parameters
    ----------
    doc_years : sequence of int
        The year of every included document.
    min_docs : int
    max_periods : int

    Returns
    -------
    list of Period
    """
    counts = pd.Series(list(doc_years), dtype="int64").value_counts().sort_index()
    if counts.empty:
        return []
    years = counts.index.to_numpy()
    total = int(counts.sum())
    n = max(1, min(max_periods, len(years), total // max(min_docs, 1)))
    cumulative = counts.cumsum().to_numpy()
    cuts: list[int] = []  # index of the last year of every period but the last
    for i in range(1, n):
        target = total * i / n
        low = cuts[-1] + 1 if cuts else 0
        # leave at least one year for each remaining period
        high = len(years) - (n - i) - 1
        candidates = np.arange(low, high + 1)
        best = candidates[np.argmin(np.abs(cumulative[candidates] - target))]
        cuts.append(int(best))
    starts = [0, *[c + 1 for c in cuts]]
    ends = [*cuts, len(years) - 1]
    periods = []
    for index, (start, end) in enumerate(zip(starts, ends, strict=True)):
        first = int(years[start])
        # A period runs up to the year before the next period's first year (gaps included).
        last = int(years[starts[index + 1]]) - 1 if index + 1 < len(starts) else int(years[end])
        periods.append(Period(first, last, period_label(first, last)))
    return periods


def resolve_periods(spec, doc_years: Sequence[int], min_docs: int) -> list[Period] | None:
    """``None`` (no periods), the ``auto`` periods of ``doc_years`` (``min_docs``: config
    ``trends.min_docs``), or the explicit list."""
    if spec is None or spec == "none":
        return None
    if spec == "auto":
        return auto_periods(doc_years, min_docs=min_docs)
    return explicit_periods(spec)


def periods_table(periods: Sequence[Period], doc_years: Sequence[int]) -> pd.DataFrame:
    """``period, first, last, n_docs``: the periods and how many documents each holds."""
    years = pd.Series(list(doc_years), dtype="int64")
    return pd.DataFrame(
        [
            {
                "period": p.label,
                "first": p.first,
                "last": p.last,
                "n_docs": int(years.between(p.first, p.last).sum()),
            }
            for p in periods
        ],
        columns=["period", "first", "last", "n_docs"],
    )


def _period_index(years: pd.Series, periods: Sequence[Period]) -> pd.Series:
    """The number of each year's period (-1 outside every period)."""
    index = pd.Series(-1, index=years.index, dtype="int64")
    for number, period in enumerate(periods):
        index[(years >= period.first) & (years <= period.last)] = number
    return index


def _as_periods(frame: pd.DataFrame, periods: Sequence[Period], what: str) -> pd.DataFrame:
    """``frame`` with its ``year`` replaced by the number of its period (rows outside dropped)."""
    number = _period_index(frame["year"].astype(int), periods)
    outside = number < 0
    if outside.any():
        log.warning(
            "%s: %d passages of %d documents lie outside every period of trends.periods and are left out of the period tables",
            what,
            int(outside.sum()),
            frame.loc[outside, "doc_id"].nunique() if "doc_id" in frame else 0,
        )
    return frame.loc[~outside].assign(year=number[~outside])


def _period_columns(
    table: pd.DataFrame, periods: Sequence[Period], key_columns: Sequence[str]
) -> pd.DataFrame:
    """Turn the ``year`` (= period number) column of a result into ``period, first, last``."""
    number = table.pop("year").astype(int)
    position = list(table.columns).index(key_columns[-1]) + 1 if key_columns else 0
    for offset, (name, values) in enumerate(
        (
            ("period", [periods[i].label for i in number]),
            ("first", [periods[i].first for i in number]),
            ("last", [periods[i].last for i in number]),
        )
    ):
        table.insert(position + offset, name, values)
    return table


def theme_share_by_period(
    tokens: pd.DataFrame, themes: Mapping[str, Sequence[str]], periods: Sequence[Period], **options
) -> pd.DataFrame:
    """Keyword-theme shares per period (columns of ``theme_share_by_year`` with ``period, first,
    last`` in place of ``year``); ``options`` are those of :func:`trends.theme_share_by_year`."""
    table = trends.theme_share_by_year(_as_periods(tokens, periods, "themes"), themes, **options)
    return _period_columns(table, periods, ["theme"])


def topic_share_by_period(
    passage_topics: pd.DataFrame, k: int, labels: Mapping[int, str], periods: Sequence[Period], **bootstrap
) -> pd.DataFrame:
    """Topic shares per period (columns of ``topic_share_by_year`` with ``period, first, last``)."""
    table = trends.topic_share_by_year(_as_periods(passage_topics, periods, "topics"), k, labels, **bootstrap)
    return _period_columns(table, periods, ["k", "topic", "label"])


def top_terms_by_period(tokens: pd.DataFrame, periods: Sequence[Period], n_terms: int) -> pd.DataFrame:
    """TF-IDF top terms of each period, each period's passages pooled (``period, first, last, rank, term, score``)."""
    table = features.top_terms_by_year(_as_periods(tokens, periods, "TF-IDF"), n_terms=n_terms)
    return _period_columns(table, periods, [])


def keyness_by_period(tokens: pd.DataFrame, periods: Sequence[Period], **options) -> pd.DataFrame:
    """G² keyness of each period against the other periods (columns of ``keyness_by_year``)."""
    table = features.keyness_by_year(_as_periods(tokens, periods, "keyness"), **options)
    return _period_columns(table, periods, [])


def facet_values(
    ledger: pd.DataFrame, column: str, *, min_docs: int, max_values: int
) -> tuple[dict[str, str], list[str]]:
    """The facet value of every included document, small values pooled as ``其他``.

    Parameters
    ----------
    ledger : DataFrame
        ``documents.tsv`` (``doc_id``, ``included`` and the facet column).
    column : str
        A ledger column (``source``, or a table corpus's facet such as ``province``).
    min_docs : int
        Values with fewer documents are pooled as ``其他`` (config ``trends.facet_min_docs``).
    max_values : int
        Config ``trends.facet_max_values``.
        At most this many values are kept (the ones with the most documents; ties by name);
        the rest are pooled as ``其他``.

    Returns
    -------
    (mapping doc_id → value, values in display order: most documents first, 其他 and 未知 last)

    Raises
    ------
    ConfigError
        If ``column`` is not a column of the ledger (one line listing the columns there are).
    """
    if column not in ledger.columns:
        raise ConfigError(
            f"config key 'trends.facet': '{column}' is not a column of the ledger "
            f"(columns: {', '.join(map(str, ledger.columns))})"
        )
    included = ledger[ledger["included"] == "yes"]
    raw = included[column].astype("string").str.strip().fillna("").replace("", UNKNOWN)
    counts = raw[raw != UNKNOWN].value_counts()
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    kept = [value for value, n in ranked if n >= min_docs][:max_values]
    pooled = raw.where(raw.isin(kept) | (raw == UNKNOWN), OTHER)
    n_pooled = int((pooled == OTHER).sum())
    if n_pooled:
        log.info(
            "facet %s: %d documents of %d values pooled as %s (fewer than %d documents, or beyond the %d largest)",
            column,
            n_pooled,
            len(counts) - len(kept),
            OTHER,
            min_docs,
            max_values,
        )
    order = kept + [v for v in (OTHER, UNKNOWN) if (pooled == v).any()]
    return dict(zip(included["doc_id"].astype(str), pooled.astype(str), strict=True)), order


def _by_facet(
    frame: pd.DataFrame, doc_facet: Mapping[str, str], order: Sequence[str], compute
) -> pd.DataFrame:
    values = frame["doc_id"].astype(str).map(doc_facet)
    parts = []
    for value in order:
        subset = frame[values == value]
        if subset.empty:
            continue
        part = compute(subset)
        part.insert(0, "facet_value", value)
        parts.append(part)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def theme_share_by_facet(
    tokens: pd.DataFrame,
    themes: Mapping[str, Sequence[str]],
    facet: str,
    doc_facet: Mapping[str, str],
    order: Sequence[str],
    periods: Sequence[Period] | None = None,
    **options,
) -> pd.DataFrame:
    """Keyword-theme shares per facet value and year (or period, when ``periods`` are given).

    Columns: ``facet, facet_value`` and those of the yearly (or period) theme table.
    """

    def compute(subset):
        if periods:
            return theme_share_by_period(subset, themes, periods, **options)
        return trends.theme_share_by_year(subset, themes, **options)

    table = _by_facet(tokens, doc_facet, order, compute)
    table.insert(0, "facet", facet)
    return table


def topic_share_by_facet(
    passage_topics: pd.DataFrame,
    k: int,
    labels: Mapping[int, str],
    facet: str,
    doc_facet: Mapping[str, str],
    order: Sequence[str],
    periods: Sequence[Period] | None = None,
    **bootstrap,
) -> pd.DataFrame:
    """Topic shares per facet value and year (or period): ``facet, facet_value`` + the topic table's columns."""

    def compute(subset):
        if periods:
            return topic_share_by_period(subset, k, labels, periods, **bootstrap)
        return trends.topic_share_by_year(subset, k, labels, **bootstrap)

    table = _by_facet(passage_topics, doc_facet, order, compute)
    table.insert(0, "facet", facet)
    return table


def _with_topic_ids(table: pd.DataFrame, yearly: pd.DataFrame) -> pd.DataFrame:
    """Add the stable ``topic_id`` (from topic_share_by_year.tsv) after the ``topic`` column."""
    if "topic_id" not in yearly.columns or table.empty:
        return table
    return trends.insert_topic_ids(table, yearly.drop_duplicates(["k", "topic"]))


def summarise_groups_step(
    inputs: Mapping,
    outputs: Mapping,
    ks: Sequence[int],
    trend_options: Mapping,
    themes: Mapping[str, Sequence[str]],
    n_terms: int,
    keyness_options: Mapping,
) -> None:
    """Rule ``summarise_groups``: the period and facet tables that ``trends.periods`` and
    ``trends.facet`` ask for.

    ``inputs``: ``tokens``, ``ledger``, ``chosen_k``, ``topic_shares`` (topic_share_by_year.tsv,
    for the labels and stable ids) and the per-K list ``passage_topics``.  ``outputs``: any of
    ``periods, theme_periods, topic_periods, top_terms_periods, keyness_periods`` (periods) and
    ``theme_facets, topic_facets`` (facet).
    """
    # The yearly steps' option helpers: the group tables count and resample exactly as they do.
    from .config import bootstrap_options, theme_options
    from .io import read_tokens, read_tsv, write_tsv
    from .keywords import normalise_themes
    from .topics import read_chosen_k

    themes = normalise_themes(themes)
    tokens = read_tokens(inputs["tokens"])
    ledger = read_tsv(inputs["ledger"], dtype={"doc_id": str})
    included = ledger[ledger["included"] == "yes"]
    doc_years = included["year"].astype(int).to_list()
    periods = resolve_periods(trend_options["periods"], doc_years, trend_options["min_docs"])
    k = read_chosen_k(inputs["chosen_k"])
    passage_topics = read_tsv(inputs["passage_topics"][list(ks).index(k)], dtype={"doc_id": str})
    yearly_topics = read_tsv(inputs["topic_shares"])
    yearly_topics = yearly_topics[yearly_topics["k"] == k]
    labels = dict(zip(yearly_topics["topic"].astype(int), yearly_topics["label"].astype(str), strict=False))
    bootstrap = bootstrap_options(trend_options)
    if periods and "periods" in outputs:
        table = periods_table(periods, doc_years)
        log.info("periods: %s", ", ".join(f"{r.period} ({r.n_docs} documents)" for r in table.itertuples()))
        write_tsv(table, outputs["periods"])
        write_tsv(
            theme_share_by_period(tokens, themes, periods, **theme_options(trend_options)),
            outputs["theme_periods"],
        )
        write_tsv(
            _with_topic_ids(
                topic_share_by_period(passage_topics, k, labels, periods, **bootstrap), yearly_topics
            ),
            outputs["topic_periods"],
        )
        write_tsv(top_terms_by_period(tokens, periods, n_terms=n_terms), outputs["top_terms_periods"])
        write_tsv(
            keyness_by_period(
                tokens,
                periods,
                min_freq=keyness_options["min_freq"],
                n_terms=keyness_options["n_terms"],
                min_g2=keyness_options["min_g2"],
            ),
            outputs["keyness_periods"],
        )
    facet = trend_options["facet"]
    if facet and "theme_facets" in outputs:
        doc_facet, order = facet_values(
            ledger,
            facet,
            min_docs=trend_options["facet_min_docs"],
            max_values=trend_options["facet_max_values"],
        )
        log.info("facet %s: %d values (%s)", facet, len(order), ", ".join(order))
        write_tsv(
            theme_share_by_facet(
                tokens, themes, facet, doc_facet, order, periods, **theme_options(trend_options)
            ),
            outputs["theme_facets"],
        )
        write_tsv(
            _with_topic_ids(
                topic_share_by_facet(
                    passage_topics, k, labels, facet, doc_facet, order, periods, **bootstrap
                ),
                yearly_topics,
            ),
            outputs["topic_facets"],
        )
