"""Coverage of the yearly intervals: how often does a 95 % interval contain the true rate?

Each replicate is one year of a synthetic corpus with a known rate ``r`` (keyword hits per token):

* document lengths ``L_i ~ round(LogNormal(log 1500, sigma))`` (at least 50 tokens): a year mixes
  short notices and long reports;
* each document's own rate ``p_i ~ Gamma(shape = 1/cv², scale = r·cv²)`` (mean ``r``, coefficient
  of variation ``cv``): documents of one year differ in how much they talk about a theme;
* hits ``y_i ~ NegBin(mean L_i p_i, size 5)``: occurrences cluster within a document beyond what
  its own rate explains (Poisson-gamma, overdispersed).

The true rate of the year is ``E[Σy] / E[ΣL] = r`` (rates are drawn independently of lengths), the
estimate ``Σy / ΣL`` as in the workflow.  This generator shares nothing with
``zhengfa_trends.synthetic`` (which plants trends in token text for the tests).

For every setting, the workflow's interval (:func:`zhengfa_trends.trends.ratio_t_interval`, the
function the workflow calls), a percentile bootstrap over documents (the previous method, as
``trends.interval: bootstrap`` computes it) and the ratio_t of before
(:func:`previous_interval`: n/(n-1) variance and degrees of freedom that ignore the counting noise) are computed on the same replicates, all at once with
numpy.  Coverage is the share of replicates whose interval contains ``r``.

Run:  python benchmarks/coverage.py [--replicates 20000] [--boot 1000] [--boot-replicates 1000]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from scipy import stats

from zhengfa_trends.trends import ratio_t_interval

N_DOCS = (3, 5, 10, 30, 100)
RATES = (0.002, 0.01)  # 2 and 10 hits per 1,000 tokens
CVS = (0.5, 1.0)
SIGMAS = (0.5, 0.8)
NB_SIZE = 5.0
MEDIAN_LENGTH = 1500
LEVEL = 0.95


def simulate(rng, replicates: int, n_docs: int, rate: float, cv: float, sigma: float):
    """Hits and lengths of ``replicates`` synthetic years of ``n_docs`` documents each."""
    lengths = np.maximum(50, np.round(rng.lognormal(np.log(MEDIAN_LENGTH), sigma, (replicates, n_docs))))
    shape = 1.0 / cv**2
    doc_rates = rng.gamma(shape, rate / shape, (replicates, n_docs))
    means = lengths * doc_rates
    hits = rng.poisson(rng.gamma(NB_SIZE, means / NB_SIZE)).astype(float)
    return hits, lengths


def harsher_table(replicates: int, seed: int = 20261202) -> list[dict]:
    """Coverage on a second, harsher generator the method was not developed on.

    Document rates log-normal or gamma (cv 0.3 or 0.75), hits negative-binomial with size 2 (more
    clustering within a document), lengths log-normal with σ 0.3 or 1.0 around 600-3,000 tokens,
    rates 1, 5 and 50 per 1,000, and 3, 4, 7, 15 or 50 documents: 120 settings.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for sigma in (0.3, 1.0):
        for dist in ("lognormal", "gamma"):
            for cv in (0.3, 0.75):
                for rate, median in ((0.005, 600), (0.001, 3000), (0.05, 800)):
                    for n_docs in (3, 4, 7, 15, 50):
                        shape = (replicates, n_docs)
                        lengths = np.maximum(30, np.round(rng.lognormal(np.log(median), sigma, shape)))
                        if dist == "gamma":
                            doc_rates = rng.gamma(1 / cv**2, rate * cv**2, shape)
                        else:
                            s2 = np.log(1 + cv**2)
                            doc_rates = rate * np.exp(rng.normal(-s2 / 2, np.sqrt(s2), shape))
                        hits = rng.poisson(rng.gamma(2.0, lengths * doc_rates / 2.0)).astype(float)
                        low, high = ratio_t_interval(hits, lengths, LEVEL)
                        old_low, old_high = previous_interval(hits, lengths, LEVEL)
                        rows.append(
                            {
                                "sigma": sigma,
                                "rates": dist,
                                "cv": cv,
                                "rate": rate * 1000,
                                "n_docs": n_docs,
                                "ratio_t": float(np.mean((low <= rate) & (rate <= high))),
                                "previous": float(np.mean((old_low <= rate) & (rate <= old_high))),
                            }
                        )
    return rows


def previous_interval(hits, lengths, level: float):
    """The ratio_t of before (to compare): variance n/(n-1) Σ aᵢ²(rᵢ - R)², log scale, t quantile at
    the Bell-McCaffrey df under the working model that every document's rate is equally variable
    (no counting noise), from O(n) sums."""
    n = hits.shape[-1]
    total = lengths.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = hits.sum(axis=-1) / total
        a = lengths / total[..., None]
        variance = (((hits - ratio[..., None] * lengths) / total[..., None]) ** 2).sum(axis=-1) * n / (n - 1)
        u = a**2 * n / (n - 1)
        big_s, p, q, r = u.sum(axis=-1), (a * u).sum(axis=-1), (a * a).sum(axis=-1), (u * u).sum(axis=-1)
        trace = big_s - 2 * p + big_s * q
        trace_sq = (
            r
            + 2 * (big_s * (a * a * u).sum(axis=-1) - 2 * (a * u * u).sum(axis=-1))
            + (big_s * q - p) ** 2
            - 2 * q * (big_s * p - r)
            + p**2
        )
        quantile = stats.t.ppf(0.5 + level / 2, trace**2 / trace_sq)
        factor = np.exp(quantile * np.sqrt(variance) / ratio)
        low, high = ratio / factor, ratio * factor
    zero = ratio == 0
    return np.where(zero, 0.0, low), np.where(zero, -np.log((1 - level) / 2) / total, high)


def percentile_bootstrap(rng, hits, lengths, n_boot: int, level: float, chunk: int = 20):
    """Percentile bootstrap of Σy/ΣL resampling documents, for every replicate (rows) at once."""
    replicates, n = hits.shape
    low, high = np.empty(replicates), np.empty(replicates)
    tail = (1 - level) / 2
    for start in range(0, replicates, chunk):
        part = slice(start, min(start + chunk, replicates))
        m = part.stop - part.start
        draws = rng.integers(0, n, size=(m, n_boot, n))
        rows = np.arange(m)[:, None, None]
        y = hits[part][rows, draws].sum(axis=-1)
        w = lengths[part][rows, draws].sum(axis=-1)
        ratios = y / w
        low[part] = np.quantile(ratios, tail, axis=1)
        high[part] = np.quantile(ratios, 1 - tail, axis=1)
    return low, high


def coverage_table(replicates: int, n_boot: int, boot_replicates: int, seed: int = 20261201) -> list[dict]:
    """One row per setting: coverage and median relative width of both intervals.

    The bootstrap (the costly one) runs on the first ``boot_replicates`` replicates only.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for sigma in SIGMAS:
        for cv in CVS:
            for rate in RATES:
                for n_docs in N_DOCS:
                    hits, lengths = simulate(rng, replicates, n_docs, rate, cv, sigma)
                    low, high = ratio_t_interval(hits, lengths, LEVEL)
                    alt_low, alt_high = previous_interval(hits, lengths, LEVEL)
                    first = slice(0, min(boot_replicates, replicates))
                    boot_low, boot_high = percentile_bootstrap(
                        rng, hits[first], lengths[first], n_boot, LEVEL
                    )
                    truth_above = float(np.mean(high < rate))
                    estimate = hits.sum(axis=1) / lengths.sum(axis=1)
                    rows.append(
                        {
                            "sigma": sigma,
                            "cv": cv,
                            "rate": rate * 1000,
                            "n_docs": n_docs,
                            "ratio_t": float(np.mean((low <= rate) & (rate <= high))),
                            "bootstrap": float(np.mean((boot_low <= rate) & (rate <= boot_high))),
                            "above": truth_above,
                            "below": float(np.mean(low > rate)),
                            "previous": float(np.mean((alt_low <= rate) & (rate <= alt_high))),
                            "width_t": float(np.median((high - low) / rate)),
                            "width_boot": float(np.median((boot_high - boot_low) / rate)),
                            "zero_years": float(np.mean(estimate == 0)),
                        }
                    )
                    print(rows[-1], flush=True)
    return rows


def report(
    rows: list[dict], harsher: list[dict], replicates: int, n_boot: int, boot_replicates: int, seconds: float
) -> str:
    """COVERAGE.md: the tables and what they show."""
    t_values = [row["ratio_t"] for row in rows]
    boot_values = [row["bootstrap"] for row in rows]
    alt_values = [row["previous"] for row in rows]
    se = np.sqrt(LEVEL * (1 - LEVEL) / replicates)
    lines = [
        "# Coverage of the yearly 95 % intervals",
        "",
        "Written by `python benchmarks/coverage.py` "
        f"({replicates} replicates per setting for ratio_t, the first {boot_replicates} of them for the "
        f"bootstrap with {n_boot} resamples each; {seconds:.0f} s on the shared 2-core machine).",
        "",
        "Each replicate is one synthetic year with a known rate of keyword hits per token: document",
        "lengths log-normal around 1,500 tokens (σ = 0.5 or 0.8 on the log scale, i.e. 95 % of documents",
        "between 0.37× and 2.7×, or 0.2× and 4.8× the median), each document's own rate gamma-distributed",
        "around the year's rate (coefficient of variation cv = 0.5 or 1), hits negative-binomial",
        "(size 5) around length × document rate. The true rate is the year's expected pooled rate; the",
        "estimate is Σ hits / Σ tokens, as in `theme_share_by_year.tsv`. The generator is not",
        "`zhengfa_trends.synthetic` (docstring of `benchmarks/coverage.py`).",
        "",
        "* **ratio_t** (the workflow's interval, `trends.interval: ratio_t`): the ratio as a weighted",
        "  mean of the document rates rᵢ with weights aᵢ = Lᵢ/ΣL; Bell and McCaffrey's (2002)",
        "  bias-reduced variance Σ aᵢ²(rᵢ - R)²/(1 - aᵢ), on the log scale, t quantile at their",
        "  degrees of freedom under the working model Var(rᵢ) = τ² + R(1-R)/Lᵢ: counting noise (each",
        "  token counts or not, so long documents' rates are more precise) plus a between-document",
        "  variance τ² estimated by moments. Fewer df when a few long documents carry the weight, more",
        "  when counting noise dominates.",
        "* **previous ratio_t** (the method before, `previous_interval` here): variance",
        "  n/(n-1) Σ aᵢ²(rᵢ - R)², df under the working model that every document's rate is equally",
        "  variable.",
        "* **bootstrap**: percentile bootstrap resampling documents (`trends.interval: bootstrap`).",
        "",
        f"Monte-Carlo standard error of a coverage near 95 %: ±{se * 100:.2f} points for ratio_t, "
        f"±{np.sqrt(LEVEL * (1 - LEVEL) / boot_replicates) * 100:.1f} for the bootstrap. "
        "`truth above` is the share of replicates whose whole ratio_t interval lies below the true rate, "
        "`truth below` the share whose interval lies above it (2.5 % each for a balanced 95 % interval).",
        "",
        "| length σ | doc cv | rate /1,000 | documents | ratio_t coverage | truth above | truth below "
        "| bootstrap coverage | previous ratio_t | ratio_t width / rate | bootstrap width / rate |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['sigma']} | {row['cv']} | {row['rate']:g} | {row['n_docs']} | "
            f"{row['ratio_t'] * 100:.2f} % | {row['above'] * 100:.2f} % | {row['below'] * 100:.2f} % | "
            f"{row['bootstrap'] * 100:.1f} % | {row['previous'] * 100:.2f} % | "
            f"{row['width_t']:.2f} | {row['width_boot']:.2f} |"
        )
    lines += [
        "",
        f"**ratio_t**: {min(t_values) * 100:.2f}–{max(t_values) * 100:.2f} % over all {len(rows)} settings "
        "(from 3 documents, the default `trends.min_docs`, up); "
        f"{sum(0.93 <= v <= 0.97 for v in t_values)} of {len(rows)} settings within 93–97 %. "
        f"**bootstrap**: {min(boot_values) * 100:.1f}–{max(boot_values) * 100:.1f} %: it undercovers badly at "
        "small n (resampling three documents cannot show how much a fourth would differ) and still "
        "misses at 100 documents when lengths vary a lot.",
        "",
        "The price of honest coverage is width: with 3 documents the ratio_t interval is several "
        "times the rate wide; that is what three documents can say about a year.",
        "",
        "## Why the degrees of freedom know the counting noise",
        "",
        "The previous ratio_t covered "
        f"{min(alt_values) * 100:.2f}–{max(alt_values) * 100:.2f} % "
        f"({sum(0.93 <= v <= 0.97 for v in alt_values)} of {len(rows)} settings within 93–97 %): above the band "
        "at a low rate (2 per 1,000) with little between-document variation (cv 0.5) and 3–10 "
        "documents, where counting noise is a large part of the variance. Its df assumed every "
        "document's rate equally variable, so it counted too few effective documents and its t "
        "quantile was too large. The working model with counting noise is what Bell and "
        "McCaffrey's df is computed under, and their bias-reduced variance is unbiased under the "
        "same kind of model (rates less variable for long documents). Nothing in it is fitted to "
        "this table.",
        "",
        "Left as it is: the misses are unbalanced (`truth above` "
        f"{min(r['above'] for r in rows) * 100:.1f}–{max(r['above'] for r in rows) * 100:.1f} %, `truth below` "
        f"{min(r['below'] for r in rows) * 100:.1f}–{max(r['below'] for r in rows) * 100:.1f} %): a "
        "year whose documents happen to sit low gets a low estimate and a small variance together. "
        "Exploratory runs (same generator, another seed, 10,000 replicates) of transforms more "
        "skewed than the log, r^λ with λ < 0, balance the tails, but their upper bound is infinite "
        "whenever t·|λ|·√V/R ≥ 1 (at 3 documents in 22–68 % of the replicates for λ = -1/3), and a "
        "λ estimated from each year's data (1/3 for counting noise, -1/3 for gamma-distributed "
        "rates, removing the first-order skewness of the studentised ratio) covered 91–95 %: at "
        "3–5 documents the estimate is too noisy. A skewness-corrected centre (Johnson 1978) on "
        "the log scale moved coverage by less than 0.2 points.",
        "",
        "## A harsher generator",
        "",
        "The method was developed on the table above. On a second generator it was not developed on "
        "(`harsher_table`: document rates log-normal or gamma with cv 0.3 or 0.75, negative-binomial "
        "hits of size 2, lengths log-normal with σ 0.3 or 1.0, rates 1, 5 and 50 per 1,000, 3 to 50 "
        f"documents; {len(harsher)} settings, {replicates} replicates each) ratio_t covers "
        f"{min(h['ratio_t'] for h in harsher) * 100:.2f}–{max(h['ratio_t'] for h in harsher) * 100:.2f} % "
        f"({sum(0.93 <= h['ratio_t'] <= 0.97 for h in harsher)} of {len(harsher)} within 93–97 %), the previous "
        f"ratio_t {min(h['previous'] for h in harsher) * 100:.2f}–{max(h['previous'] for h in harsher) * 100:.2f} % "
        f"({sum(0.93 <= h['previous'] <= 0.97 for h in harsher)} of {len(harsher)}). The settings where either "
        "is outside the band:",
        "",
        "| length σ | document rates | cv | rate /1,000 | documents | ratio_t coverage | previous ratio_t |",
        "|---|---|---|---|---|---|---|",
        *(
            f"| {h['sigma']} | {h['rates']} | {h['cv']} | {h['rate']:g} | {h['n_docs']} | "
            f"{h['ratio_t'] * 100:.2f} % | {h['previous'] * 100:.2f} % |"
            for h in harsher
            if not (0.93 <= h["ratio_t"] <= 0.97 and 0.93 <= h["previous"] <= 0.97)
        ),
        "",
        "Below the band (both methods alike): strongly varying documents (cv 0.75) of similar "
        "length (σ 0.3) with clustered hits, mostly 7–50 documents: the misses pile up on the side "
        "of the truth above the interval, as described above, and no df fixes that. Above it: "
        "very unequal lengths (σ 1.0) with similar documents (cv 0.3) at 4–15 documents, where a "
        "few long documents carry the year; the counting-noise df helps at low rates and costs at "
        "the high rate (50 per 1,000), where the bias-reduced variance inflates the long "
        "documents' residuals.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=20000)
    parser.add_argument("--boot", type=int, default=1000)
    parser.add_argument("--boot-replicates", type=int, default=1000)
    parser.add_argument("--out", default=str(Path(__file__).with_name("COVERAGE.md")))
    args = parser.parse_args()
    started = time.perf_counter()
    rows = coverage_table(args.replicates, args.boot, args.boot_replicates)
    harsher = harsher_table(args.replicates)
    seconds = time.perf_counter() - started
    text = report(rows, harsher, args.replicates, args.boot, args.boot_replicates, seconds)
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
