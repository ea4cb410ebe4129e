"""Site boilerplate: lines that recur verbatim across many documents are page furniture, not content.

A site's footer (a licence notice, an address, 下载 / 打印 / 【字号：加大 还原 减小】) survives the
per-file cleaning, which sees one page at a time and only knows chrome by its pattern.  Across
the corpus it gives itself away: the same line in a large share of the documents of one source,
or of the whole corpus.  This is a corpus-level pass, so it runs after the per-file (cached)
cleaning and the duplicate checks (so that copies of one article cannot make its lines look
common), on the included documents, before their passages are cut.

Lines are compared after normalisation: the clean line (already simplified and NFKC-normalised by
:func:`zhengfa_trends.clean.clean_text`) without any whitespace.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

#: Columns of results/corpus/boilerplate.tsv.
BOILERPLATE_COLUMNS = ["scope", "n_docs", "share", "line"]
# Longer lines are never page furniture (and are not counted, which bounds the memory of the count).
MAX_LINE_CHARS = 500
_WHITESPACE = re.compile(r"\s+")


def line_key(line: str) -> bytes:
    """A clean line as compared across documents: the 8-byte digest of the line without whitespace.

    Digests, not the lines, are counted: a corpus's distinct lines would otherwise be held twice.
    """
    return hashlib.blake2b(_WHITESPACE.sub("", line).encode("utf-8"), digest_size=8).digest()


@dataclass
class Boilerplate:
    """The boilerplate lines of a corpus: for the corpus as a whole and for each source.

    ``corpus`` and each ``by_source[source]`` map a line key to ``(n_docs, share, line)``: the
    documents of that scope holding it, their share of the scope's documents, and the line as first
    seen (for the report).
    """

    corpus: dict[bytes, tuple[int, float, str]] = field(default_factory=dict)
    by_source: dict[str, dict[bytes, tuple[int, float, str]]] = field(default_factory=dict)

    def keys_for(self, source: str) -> set[bytes]:
        """Keys of the lines removed from a document of ``source``: the corpus's and its source's."""
        return set(self.corpus) | set(self.by_source.get(source, {}))

    def table(self) -> pd.DataFrame:
        """results/corpus/boilerplate.tsv: one row per line and scope (``corpus`` or ``source:<name>``),
        most frequent first."""
        rows = [("corpus", n, share, line) for n, share, line in self.corpus.values()]
        for source in sorted(self.by_source):
            rows += [
                (f"source:{source}", n, share, line) for n, share, line in self.by_source[source].values()
            ]
        table = pd.DataFrame(rows, columns=BOILERPLATE_COLUMNS)
        table["share"] = table["share"].round(4)
        return table.sort_values(
            ["scope", "n_docs", "line"], ascending=[True, False, True], kind="stable"
        ).reset_index(drop=True)


def _frequent(
    documents: Sequence[Sequence[str]], min_share: float, min_docs: int
) -> dict[bytes, tuple[int, float, str]]:
    """Lines found in at least ``min_docs`` of ``documents`` and at least ``min_share`` of them."""
    if len(documents) < min_docs:
        return {}
    counts: Counter[bytes] = Counter()
    for paragraphs in documents:
        counts.update({line_key(line) for line in paragraphs if len(line) <= MAX_LINE_CHARS and line.strip()})
    total = len(documents)
    frequent = {key: n for key, n in counts.items() if n >= min_docs and n / total >= min_share}
    del counts
    found: dict[bytes, tuple[int, float, str]] = {}
    for paragraphs in documents:  # each line as first seen, for the report
        for line in paragraphs:
            if len(line) <= MAX_LINE_CHARS and line.strip():
                key = line_key(line)
                if key in frequent and key not in found:
                    found[key] = (frequent[key], frequent[key] / total, line)
        if len(found) == len(frequent):
            break
    return found


def find_boilerplate(
    documents: Sequence[tuple[str, Sequence[str]]], min_share: float, min_docs: int
) -> Boilerplate:
    """The boilerplate of a corpus.

    Parameters
    ----------
    documents : sequence of (source, paragraphs)
        The included documents in corpus order: each one's source ("" if none) and clean lines.
    min_share : float
        A line is boilerplate in a scope (the corpus, or one source) if at least this share of the
        scope's documents hold it ...
    min_docs : int
        ... and at least this many of them.  It also keeps small corpora untouched: a corpus (or
        source) of fewer documents has no boilerplate.

    Returns
    -------
    Boilerplate
    """
    result = Boilerplate(corpus=_frequent([paragraphs for _, paragraphs in documents], min_share, min_docs))
    sources: dict[str, list[Sequence[str]]] = {}
    for source, paragraphs in documents:
        if source:
            sources.setdefault(source, []).append(paragraphs)
    for source, members in sources.items():
        if len(members) == len(documents):
            continue  # the corpus scope already says it all
        # a line that is boilerplate of the whole corpus is listed there only
        found = {
            key: value
            for key, value in _frequent(members, min_share, min_docs).items()
            if key not in result.corpus
        }
        if found:
            result.by_source[source] = found
    return result


def remove_boilerplate(paragraphs: Sequence[str], keys: set[bytes]) -> tuple[list[str], int]:
    """``paragraphs`` without the lines whose key is in ``keys``, and the number of characters removed."""
    if not keys:
        return list(paragraphs), 0
    kept = []
    removed = 0
    for line in paragraphs:
        if len(line) <= MAX_LINE_CHARS and line_key(line) in keys:
            removed += len(line)
        else:
            kept.append(line)
    return kept, removed
