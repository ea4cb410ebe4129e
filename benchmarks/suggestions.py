"""Keyword suggestions: what a cheaper Word2Vec costs in CPU time and in suggestions a researcher can use.

Quality is **held-out keyword recall**.  A theme's keywords that occur at least ``min_count`` times
in the corpus are split, at random, into seeds (half, rounded down, at least one) and held-out
keywords; the words nearest to the seeds' mean unit vector are ranked exactly as the job ranks its
suggestions (:func:`zhengfa_trends.suggest.nearest_terms`: seeds and the tokens that already count
for a seed in ``contains`` mode left out), and a held-out keyword is found when it is among the
first 20 (``recall@20``, the job's ``n_terms``) or 100 (``recall@100``, a smoother reading).  A
held-out keyword that a seed already counts for (大数据平台 when 大数据 is a seed) is not asked
for; one that the model has no vector for (rarer than ``min_count`` in its sample) is a miss.
Each model is scored on the same ``--splits`` seeded splits of every theme (paired comparisons),
pooled over themes and splits; the spread that matters is over Word2Vec seeds (``--seeds``: the
seed of the vectors and of the passage sample), since two settings that differ by less than the
reference setting differs from itself across seeds do not differ.

Beside recall, ``overlap@20`` compares the lists the job would publish (every keyword a seed,
config themes): the share of a model's 20 terms per theme that a model of the reference setting
(:data:`BEFORE`, the job's settings until 2026-12) with another seed also lists (for the reference
itself: seed against seed, its own noise).

Themes: the config's three 政法 themes plus four of a provincial government work report
(:data:`REPORT_THEMES`, listed before any model was trained: ecology, rural revitalisation,
livelihood, opening up), so that the real corpus, where the 政法 keywords are rare, has enough
held-out keywords; a theme with fewer than two keywords in a corpus is not scored there.

Run (tokens.tsv of a workflow run, e.g. ``snakemake --cores 2 all -- results/tokens/tokens.tsv``)::

    python benchmarks/suggestions.py --corpus synthetic-2000=/tmp/sg4/p2000/results/tokens/tokens.tsv \\
        --corpus reports=/tmp/sg4/pprov/results/tokens/tokens.tsv --corpus default=... \\
        --out benchmarks/SUGGESTIONS.tsv

writes one row per (corpus, setting, Word2Vec seed) to ``--out`` and the summary (median CPU s,
recall mean and sd over seeds, overlap) to ``<out stem>_SUMMARY.tsv``, and prints it as Markdown
(``--append``: a further round added to ``--out``).  CPU time is the process's (every thread) for
sampling, vocabulary and training.  ``--job-attempts 3 --settings before,sg-hs-e5 --out
benchmarks/SUGGESTIONS_JOB_CPU.tsv`` times the whole job instead (a fresh process per attempt,
settings in turn).
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from gensim.models import Word2Vec  # noqa: F401  (imported here, so no model's CPU time includes it)
from threadpoolctl import threadpool_limits

from zhengfa_trends.io import read_tokens
from zhengfa_trends.keywords import KeywordMatcher, normalise_themes
from zhengfa_trends.log import BLAS_THREADS_PER_JOB
from zhengfa_trends.suggest import (
    SuggestionSettings,
    nearest_terms,
    train_word_vectors,
    unit_vectors,
    word_order,
)

ROOT = Path(__file__).resolve().parent.parent

# Themes of a provincial government work report, written down from the reports' usual sections
# before any model was trained; the words a corpus lacks are dropped per corpus.
REPORT_THEMES = {
    "生态环境": "生态环境 污染防治 碳达峰 碳中和 绿色发展 生态保护 环境保护 节能降碳 新能源 生态文明 污染 减排 低碳 "
    "绿色低碳 清洁能源 森林 湿地 河湖 水土保持 蓝天 碧水 净土".split(),
    "乡村振兴": "乡村振兴 农业 农村 农民 粮食 耕地 高标准农田 种业 农产品 脱贫 和美乡村 粮食安全 农民增收 乡村 "
    "村集体 种植 养殖 畜牧".split(),
    "民生保障": "养老 医疗 医保 社保 就业 托育 教育 住房 保障性住房 义务教育 养老服务 低保 社会保障 社会救助 "
    "残疾人 困难群众 看病".split(),
    "对外开放": "对外开放 外贸 外资 进出口 自贸试验区 一带一路 跨境电商 口岸 开放型经济 中欧班列 出口 进口 "
    "自由贸易 招商引资 外商投资".split(),
}

# The job's settings until 2026-12 (skip-gram, negative sampling with 5 noise words, 10 epochs):
# the reference every other setting is compared with.
BEFORE = {"method": "word2vec", "negative": 5, "epochs": 10}

# name -> overrides: SuggestionSettings fields or further gensim Word2Vec arguments (``sample``,
# ``hs`` …).  Each is complete (it does not depend on the schema's defaults of the day); the first
# is the reference.
SETTINGS = {
    "before": BEFORE,
    "cbow": {**BEFORE, "sg": 0},
    "cbow-e5": {**BEFORE, "sg": 0, "epochs": 5},
    "sg-e5": {**BEFORE, "epochs": 5},
    "sg-p5000": {**BEFORE, "max_passages": 5000},
    "sg-sample1e-4": {**BEFORE, "sample": 1e-4},
    "sg-neg2": {**BEFORE, "negative": 2},
    "sg-dim50": {**BEFORE, "vector_size": 50},
    "sg-hs": {**BEFORE, "negative": 0},
    # Second round: combinations of the first round's settings that kept their recall.
    "sg-hs-e5": {"method": "word2vec", "negative": 0, "epochs": 5},  # the defaults since 2026-12
    "sg-hs-dim50": {**BEFORE, "negative": 0, "vector_size": 50},
    "sg-hs-dim50-e5": {"method": "word2vec", "negative": 0, "epochs": 5, "vector_size": 50},
    "sg-dim50-e5": {**BEFORE, "vector_size": 50, "epochs": 5},
    "cbow-hs": {**BEFORE, "sg": 0, "negative": 0},
    # Third round, with five seeds: the best of the second and one step cheaper.
    "sg-hs-e3": {"method": "word2vec", "negative": 0, "epochs": 3},
    # Fourth round: the count-based method (no training loop) against the Word2Vec defaults; the
    # method's default since 2026-12 is ppmi-svd-p1.
    "ppmi-svd": {"method": "ppmi_svd", "eigenvalue_power": 0.5},
    "ppmi-svd-p0": {"method": "ppmi_svd", "eigenvalue_power": 0.0},
    "ppmi-svd-p1": {"method": "ppmi_svd", "eigenvalue_power": 1.0},
    "ppmi-svd-dim300": {"method": "ppmi_svd", "eigenvalue_power": 0.5, "vector_size": 300},
    "ppmi-svd-dim50": {"method": "ppmi_svd", "eigenvalue_power": 0.5, "vector_size": 50},
    "ppmi-svd-w2": {"method": "ppmi_svd", "eigenvalue_power": 0.5, "window": 2},
    "ppmi-svd-w2-p1": {"method": "ppmi_svd", "eigenvalue_power": 1.0, "window": 2},
    "ppmi-svd-s": {"method": "ppmi_svd", "eigenvalue_power": 0.5, "sample": 1e-3},
    "ppmi-svd-s-p1": {"method": "ppmi_svd", "eigenvalue_power": 1.0, "sample": 1e-3},
    "ppmi-svd-cs1": {"method": "ppmi_svd", "eigenvalue_power": 0.5, "context_smoothing": 1.0},
}

RECALL_AT = (20, 100)
SPLIT_SEED = 20261202


def read_themes(config: Path) -> dict[str, list[str]]:
    """The config's themes and :data:`REPORT_THEMES`, normalised as the workflow normalises them."""
    themes = yaml.safe_load(config.read_text(encoding="utf-8"))["themes"]
    return normalise_themes({**themes, **REPORT_THEMES})


def evaluation_splits(
    themes: dict[str, list[str]], counts: Counter, min_count: int, n_splits: int
) -> list[tuple[str, list[str], list[str]]]:
    """(theme, seeds, held-out) for every theme with at least two keywords in the corpus, ``n_splits`` each.

    The splits depend on the corpus and the theme only, so every setting and seed is scored on the
    same ones.
    """
    splits = []
    for number, (theme, words) in enumerate(themes.items()):
        present = [w for w in words if counts[w] >= min_count]
        if len(present) < 2:
            continue
        for split in range(n_splits):
            rng = np.random.default_rng([SPLIT_SEED, number, split])
            shuffled = [present[i] for i in rng.permutation(len(present))]
            n_seeds = max(1, len(present) // 2)
            splits.append((theme, shuffled[:n_seeds], shuffled[n_seeds:]))
    return splits


def heldout_ranks(vectors, unit, tie_break, splits, mode: str = "contains") -> list[list[float]]:
    """Per split, the rank (1 = nearest) of every held-out keyword that is asked for (inf: not found)."""
    words = list(vectors.index_to_key)
    ranks = []
    for _, seeds, heldout in splits:
        matcher = KeywordMatcher(seeds, mode)
        asked = [w for w in heldout if matcher.match(w) < 0]
        rows = [vectors.key_to_index[w] for w in seeds if w in vectors.key_to_index]
        if not rows:
            ranks.append([np.inf] * len(asked))
            continue
        eligible = np.array([matcher.match(w) < 0 for w in words], dtype=bool)
        order, _ = nearest_terms(unit, rows, eligible, tie_break, None)
        position = {words[i]: rank for rank, i in enumerate(order, 1)}
        ranks.append([float(position.get(w, np.inf)) for w in asked])
    return ranks


def published_lists(vectors, unit, tie_break, themes, n_terms: int, mode: str = "contains") -> dict[str, set]:
    """The terms the job would list per config theme (every keyword a seed)."""
    words = list(vectors.index_to_key)
    keywords = list(dict.fromkeys(w for ws in themes.values() for w in ws))
    matcher = KeywordMatcher(keywords, mode)
    eligible = np.array([matcher.match(w) < 0 for w in words], dtype=bool)
    lists = {}
    for theme, theme_words in themes.items():
        rows = [vectors.key_to_index[w] for w in theme_words if w in vectors.key_to_index]
        if rows:
            order, _ = nearest_terms(unit, rows, eligible, tie_break, n_terms)
            lists[theme] = {words[i] for i in order}
    return lists


def split_options(overrides: dict) -> tuple[dict, dict]:
    """Overrides split into SuggestionSettings fields and further gensim arguments."""
    fields = {f.name for f in dataclasses.fields(SuggestionSettings)}
    return (
        {k: v for k, v in overrides.items() if k in fields},
        {k: v for k, v in overrides.items() if k not in fields},
    )


def run_corpus(name: str, path: Path, themes, config_themes, settings_names, seeds, n_splits) -> list[dict]:
    tokens = read_tokens(path, columns=["year"])
    token_strings = tokens["tokens"].tolist()
    counts = Counter(t for joined in token_strings for t in joined.split())
    base = SuggestionSettings()
    splits = evaluation_splits(themes, counts, base.min_count, n_splits)
    scored_themes = sorted({theme for theme, _, _ in splits})
    print(
        f"{name}: {len(token_strings)} passages, {sum(counts.values())} tokens, "
        f"themes scored: {', '.join(scored_themes)}",
        file=sys.stderr,
    )
    rows, lists = [], {}
    for setting in settings_names:
        fields, gensim_options = split_options(SETTINGS[setting])
        for seed in seeds:
            settings = dataclasses.replace(base, seed=seed, **fields)
            cpu, wall = time.process_time(), time.perf_counter()
            vectors = train_word_vectors(token_strings, settings, **gensim_options)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            unit = unit_vectors(vectors)
            tie_break = word_order(list(vectors.index_to_key))
            ranks = heldout_ranks(vectors, unit, tie_break, splits)
            pooled = np.array([r for split in ranks for r in split])
            per_split = [np.mean(np.array(r) <= 20) for r in ranks if r]
            lists[setting, seed] = published_lists(vectors, unit, tie_break, config_themes, base.n_terms)
            row = {
                "corpus": name,
                "setting": setting,
                "overrides": " ".join(f"{k}={v}" for k, v in SETTINGS[setting].items()) or "-",
                "seed": seed,
                "cpu_s": round(cpu, 3),
                "wall_s": round(wall, 3),
                "vocabulary": len(vectors.index_to_key),
                "asked": len(pooled),
                **{f"recall_at_{k}": round(float(np.mean(pooled <= k)), 4) for k in RECALL_AT},
                "split_sd_recall_at_20": round(float(np.std(per_split)), 4),
                "themes_scored": len(scored_themes),
            }
            rows.append(row)
            print(
                f"  {setting:14s} seed {seed}: {cpu:6.2f} CPU s, recall@20 {row['recall_at_20']:.3f}, "
                f"recall@100 {row['recall_at_100']:.3f}",
                file=sys.stderr,
            )
    reference = settings_names[0]
    for row in rows:
        mine = lists[row["setting"], row["seed"]]
        shares = [
            len(mine[theme] & lists[reference, other][theme]) / base.n_terms
            for other in seeds
            if not (row["setting"] == reference and other == row["seed"])
            for theme in mine
            if theme in lists[reference, other]
        ]
        row["overlap_at_20"] = round(statistics.fmean(shares), 4) if shares else float("nan")
    return rows


def summarise(raw: pd.DataFrame) -> pd.DataFrame:
    """Per corpus and setting: median CPU s (and its ratio to the reference's), recall mean and sd over seeds.

    CPU: every reading (all rounds); recall and overlap: one row per seed, the last round's (its
    overlap compares with the most reference seeds).
    """
    seeds = raw.drop_duplicates(["corpus", "setting", "seed"], keep="last")
    reference = raw["setting"].iloc[0]
    order = {name: i for i, name in enumerate(SETTINGS)}
    out = []
    for corpus in dict.fromkeys(raw["corpus"]):
        mine = raw[raw["corpus"] == corpus]
        base = mine.loc[mine["setting"] == reference, "cpu_s"].median()
        for setting in sorted(dict.fromkeys(mine["setting"]), key=lambda name: order.get(name, len(order))):
            cpu = mine.loc[mine["setting"] == setting, "cpu_s"]
            group = seeds[(seeds["corpus"] == corpus) & (seeds["setting"] == setting)]
            out.append(
                {
                    "corpus": corpus,
                    "setting": setting,
                    "overrides": " ".join(f"{k}={v}" for k, v in SETTINGS.get(setting, {}).items()),
                    "seeds": len(group),
                    "cpu_readings": len(cpu),
                    "cpu_s_median": round(cpu.median(), 2),
                    "cpu_ratio": round(cpu.median() / base, 3),
                    **{
                        f"{stat}_recall_at_{k}": round(getattr(group[f"recall_at_{k}"], stat)(), 4)
                        for k in RECALL_AT
                        for stat in ("mean", "std")
                    },
                    "split_sd_recall_at_20": round(group["split_sd_recall_at_20"].mean(), 4),
                    "overlap_at_20": round(group["overlap_at_20"].mean(), 3),
                    "asked": int(group["asked"].iloc[0]),
                    "vocabulary": int(group["vocabulary"].median()),
                }
            )
    return pd.DataFrame(out)


def markdown(summary: pd.DataFrame) -> str:
    lines = [
        "| corpus | setting | overrides | seeds | CPU s (median) | × before | recall@20 mean ± sd | recall@100 mean ± sd | overlap@20 |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in summary.itertuples():
        lines.append(
            f"| {r.corpus} | {r.setting} | {r.overrides} | {r.seeds} | {r.cpu_s_median:.2f} | {r.cpu_ratio:.2f} | "
            f"{r.mean_recall_at_20:.3f} ± {r.std_recall_at_20:.3f} | "
            f"{r.mean_recall_at_100:.3f} ± {r.std_recall_at_100:.3f} | {r.overlap_at_20:.2f} |"
        )
    return "\n".join(lines)


JOB = """
import dataclasses, json, sys, yaml
from zhengfa_trends import suggest
from zhengfa_trends.steps import suggest_keywords_step
config = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
overrides = json.loads(sys.argv[4])
fields = {f.name for f in dataclasses.fields(suggest.SuggestionSettings)}
# The job takes config keys only: a further argument must be the module's own value.
assert overrides.pop("eigenvalue_power", suggest.EIGENVALUE_POWER) == suggest.EIGENVALUE_POWER, overrides
assert set(overrides) <= fields, overrides
options = dict(config["suggestions"], **overrides)
from zhengfa_trends.log import run_script  # as the job runs: its BLAS threads, its logging
run_script(None, lambda: suggest_keywords_step(
    sys.argv[2], sys.argv[3], config["themes"], config["trends"]["keyword_match"], options
))
"""


def job_cpu(corpora: list[tuple[str, Path]], names: list[str], attempts: int, config: Path, scratch: Path):
    """The whole job (a fresh process: imports, reading, training, writing) per setting, in turn.

    Returns rows (attempt, corpus, setting, cpu_s, wall_s, load_1min); CPU is the child's user +
    system time.
    """
    import json
    import resource
    import subprocess

    scratch.mkdir(parents=True, exist_ok=True)
    rows = []
    for attempt in range(1, attempts + 1):
        for corpus, path in corpora:
            for name in names:
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                wall = time.perf_counter()
                out = scratch / f"{corpus}-{name}.tsv"
                command = [
                    sys.executable,
                    "-c",
                    JOB,
                    str(config),
                    str(path),
                    str(out),
                    json.dumps(SETTINGS[name]),
                ]
                subprocess.run(command, check=True, stderr=subprocess.DEVNULL)
                wall = time.perf_counter() - wall
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
                load = Path("/proc/loadavg").read_text().split()[0]
                rows.append((attempt, corpus, name, round(cpu, 2), round(wall, 2), load))
                print(*rows[-1], sep="\t", file=sys.stderr, flush=True)
    return pd.DataFrame(rows, columns=["attempt", "corpus", "setting", "cpu_s", "wall_s", "load_1min"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus", action="append", required=True, help="NAME=path/to/tokens.tsv (repeatable)"
    )
    parser.add_argument(
        "--config", type=Path, default=ROOT / "config" / "config.yaml", help="themes from here"
    )
    parser.add_argument(
        "--settings", default=",".join(SETTINGS), help="comma-separated names; the first is the reference"
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3], help="Word2Vec seeds")
    parser.add_argument("--splits", type=int, default=10, help="seeded seed/held-out splits per theme")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "SUGGESTIONS.tsv")
    parser.add_argument(
        "--append", action="store_true", help="keep the rows of --out that this run does not measure again"
    )
    parser.add_argument(
        "--job-attempts",
        type=int,
        default=0,
        help="instead of the models: time the whole job per setting, in turn, this many times (--out: its rows)",
    )
    args = parser.parse_args(argv)
    # As in the job (zhengfa_trends.log.run_script): one BLAS thread.
    threadpool_limits(limits=BLAS_THREADS_PER_JOB, user_api="blas")

    names = args.settings.split(",")
    unknown = [n for n in names if n not in SETTINGS]
    if unknown:
        parser.error(f"unknown setting(s): {', '.join(unknown)} (known: {', '.join(SETTINGS)})")
    if args.job_attempts:
        corpora = [(name, Path(path)) for name, _, path in (spec.partition("=") for spec in args.corpus)]
        table = job_cpu(corpora, names, args.job_attempts, args.config, args.out.parent / "suggestions-job")
        table.to_csv(args.out, sep="\t", index=False, lineterminator="\n")
        print(table.groupby(["corpus", "setting"], sort=False)["cpu_s"].median().to_string())
        return 0
    config_themes = normalise_themes(yaml.safe_load(args.config.read_text(encoding="utf-8"))["themes"])
    themes = read_themes(args.config)
    rows = []
    for spec in args.corpus:
        name, _, path = spec.partition("=")
        rows += run_corpus(name, Path(path), themes, config_themes, names, args.seeds, args.splits)
    raw = pd.DataFrame(rows)
    raw.insert(0, "round", 1)
    if args.append and args.out.is_file():
        # A further round: the earlier rows stay (a setting measured again adds CPU readings; its
        # recall, deterministic per seed, is the same).
        earlier = pd.read_csv(args.out, sep="\t", keep_default_na=False)
        raw["round"] = earlier["round"].max() + 1
        raw = pd.concat([earlier, raw], ignore_index=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    raw.to_csv(args.out, sep="\t", index=False, lineterminator="\n")
    summary = summarise(raw)
    summary.to_csv(
        args.out.with_name(args.out.stem + "_SUMMARY.tsv"), sep="\t", index=False, lineterminator="\n"
    )
    print(markdown(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
