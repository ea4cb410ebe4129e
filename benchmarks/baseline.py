"""The researcher's one-script alternative to the workflow, as the yardstick of the benchmark.

For every ``.txt`` file of a folder: read it, ``jieba.lcut`` it (jieba's global tokenizer with its
default dictionary, tokens shorter than two characters dropped), fit a scikit-learn
``TfidfVectorizer`` on the documents, fit a gensim ``LdaModel`` (K topics, ``passes`` passes, fixed
``random_state``, single process, otherwise gensim's defaults) on the documents' token lists via a
gensim ``Dictionary``, average the documents' topic shares per year (year from ``metadata.tsv``,
else from the ``发布时间:YYYY-MM-DD`` line) and draw one matplotlib line plot (PNG).

It deliberately does none of the workflow's work beyond that (no cleaning, no passages, no
stopwords, no user dictionary, no intervals, no caching): it is the fastest honest script a
researcher would write for the same question.  Wall time per phase is printed, and written as JSON
with ``--json``.

Usage::

    python benchmarks/baseline.py CORPUS/docs [--metadata CORPUS/metadata.tsv] [--k 10] [--passes 5]
        [--seed 20240601] [--out baseline.png] [--json timings.json]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

_T0 = time.perf_counter()

import jieba  # noqa: E402
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from gensim.corpora import Dictionary  # noqa: E402
from gensim.models import LdaModel  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402

IMPORT_SECONDS = time.perf_counter() - _T0

DATE_LINE = re.compile(r"(?:发布时间|發布時間)\s*[:：]\s*(\d{4})-\d{1,2}-\d{1,2}")


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def read_metadata_years(path: Path | None) -> dict[str, int]:
    """``doc_id -> year`` for the metadata rows that have a date."""
    if path is None or not path.is_file():
        return {}
    table = pd.read_csv(path, sep="\t", dtype=str).fillna("")
    return {row.doc_id: int(row.date[:4]) for row in table.itertuples() if row.date[:4].isdigit()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="folder of .txt articles")
    parser.add_argument("--metadata", type=Path, help="metadata.tsv (default: in the folder or its parent)")
    parser.add_argument("--k", type=int, default=10, help="number of LDA topics (default 10)")
    parser.add_argument("--passes", type=int, default=5, help="LDA passes (default 5)")
    parser.add_argument("--seed", type=int, default=20240601, help="LDA random_state")
    # The default is outside the repository: a run from the repository root left the PNG there.
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(tempfile.gettempdir()) / "zf-baseline" / "baseline_topic_trends.png",
        help="PNG to write (default: zf-baseline/baseline_topic_trends.png in the temp folder)",
    )
    parser.add_argument("--json", type=Path, help="write the phase timings and counts here")
    args = parser.parse_args(argv)

    phases: dict[str, float] = {"imports": IMPORT_SECONDS}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        phases[name] = now - clock
        clock = now

    # 1. read
    metadata = args.metadata
    if metadata is None:
        candidates = [args.folder / "metadata.tsv", args.folder.parent / "metadata.tsv"]
        metadata = next((p for p in candidates if p.is_file()), None)
    meta_years = read_metadata_years(metadata)
    files = sorted(args.folder.glob("*.txt"))
    texts, years = [], []
    n_bytes = 0
    for path in files:
        data = path.read_bytes()
        n_bytes += len(data)
        text = data.decode("utf-8", errors="replace")
        year = meta_years.get(path.stem)
        if year is None:
            match = DATE_LINE.search(text)
            year = int(match.group(1)) if match else None
        if year is None:
            continue
        texts.append(text)
        years.append(year)
    lap("read")

    # 2. segment (global jieba, default dictionary; loading it is part of the cost)
    jieba.setLogLevel(60)
    jieba.initialize()
    lap("jieba_init")
    docs = [[w for w in jieba.lcut(text) if len(w.strip()) > 1] for text in texts]
    lap("segment")

    # 3. TF-IDF on the documents
    vectorizer = TfidfVectorizer(analyzer=_identity)
    matrix = vectorizer.fit_transform(docs)
    top_terms = vectorizer.get_feature_names_out()[matrix.mean(axis=0).A1.argsort()[::-1][:10]]
    lap("tfidf")

    # 4. LDA on the documents' token lists
    dictionary = Dictionary(docs)
    corpus = [dictionary.doc2bow(doc) for doc in docs]
    lda = LdaModel(
        corpus=corpus, id2word=dictionary, num_topics=args.k, passes=args.passes, random_state=args.seed
    )
    lap("lda")

    # 5. yearly mean topic share
    shares = pd.DataFrame(
        [
            dict(lda.get_document_topics(bow, minimum_probability=0.0), year=year)
            for bow, year in zip(corpus, years, strict=True)
        ]
    ).fillna(0.0)
    by_year = shares.groupby("year").mean().sort_index()
    lap("shares")

    # 6. one line plot
    fig, ax = plt.subplots(figsize=(8, 5))
    for topic in range(args.k):
        if topic in by_year:
            ax.plot(by_year.index, by_year[topic], marker="o", label=f"topic {topic}")
    ax.set_xlabel("year")
    ax.set_ylabel("mean topic share")
    ax.legend(fontsize="small", ncol=2)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out, dpi=150)
    plt.close(fig)
    lap("plot")

    total = time.perf_counter() - _T0
    for name, seconds in phases.items():
        print(f"{name:>10}: {seconds:8.2f} s")
    print(f"{'total':>10}: {total:8.2f} s")
    mb = n_bytes / 1e6
    seg = phases["segment"]
    print(
        f"{len(files)} files ({mb:.2f} MB), {len(texts)} dated, {sum(map(len, docs))} tokens, "
        f"vocabulary {len(dictionary)}; segmentation {mb / seg if seg else float('nan'):.2f} MB/s"
    )
    print("top TF-IDF terms:", " ".join(top_terms))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "phases": phases,
                    "total": total,
                    "files": len(files),
                    "documents": len(texts),
                    "bytes": n_bytes,
                    "tokens": sum(map(len, docs)),
                    "vocabulary": len(dictionary),
                    "years": sorted(set(years)),
                },
                ensure_ascii=False,
                indent=1,
            ),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
