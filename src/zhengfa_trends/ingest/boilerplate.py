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
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

#: Columns of results/corpus/boilerplate.tsv.
BOILERPLATE_COLUMNS = ["scope", "n_docs", "share", "line"]
# Longer lines are never page furniture (and are not counted, which bounds the memory of the count).
MAX_LINE_CHARS = 500
# The key of a line that is never counted (blank, or longer than MAX_LINE_CHARS); no line's key.
NOT_COUNTED = 0


def line_key(line: str) -> int:
    """A clean line as compared across documents: the 64-bit digest of the line without whitespace.

    Digests, not the lines, are counted: a corpus's distinct lines would otherwise be held twice.
    ``str.split`` drops exactly the characters ``\\s`` matches (both use Unicode's whitespace
    property); the digest is never :data:`NOT_COUNTED`.
    """
    digest = hashlib.blake2b("".join(line.split()).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little") or 1


def line_keys(paragraphs: Sequence[str]) -> np.ndarray:
    """The :func:`line_key` of each line of a document (uint64), :data:`NOT_COUNTED` for a blank line
    or one longer than :data:`MAX_LINE_CHARS`."""
    return np.fromiter(
        (
            line_key(line) if len(line) <= MAX_LINE_CHARS and line.strip() else NOT_COUNTED
            for line in paragraphs
        ),
        dtype=np.uint64,
        count=len(paragraphs),
    )


@dataclass
class Boilerplate:
    """The boilerplate lines of a corpus: for the corpus as a whole and for each source.

    ``corpus`` and each ``by_source[source]`` map a line key to ``(n_docs, share, line)``: the
    documents of that scope holding it, their share of the scope's documents, and the line as first
    seen (for the report).
    """

    corpus: dict[int, tuple[int, float, str]] = field(default_factory=dict)
    by_source: dict[str, dict[int, tuple[int, float, str]]] = field(default_factory=dict)

    def keys_for(self, source: str) -> set[int]:
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
    documents: Sequence[Sequence[str]], keys: Sequence[np.ndarray], min_share: float, min_docs: int
) -> dict[int, tuple[int, float, str]]:
    """Lines found in at least ``min_docs`` of ``documents`` and at least ``min_share`` of them
    (``keys``: each document's :func:`line_keys`)."""
    total = len(documents)
    if total < min_docs:
        return {}
    # How many documents hold each key: sort all (key, document) pairs by key, the documents
    # staying in order within a key, and count the distinct pairs per key.
    owners = np.repeat(np.arange(total), [len(k) for k in keys])
    flat = np.concatenate(keys) if total else np.zeros(0, dtype=np.uint64)
    counted = flat != NOT_COUNTED
    flat, owners = flat[counted], owners[counted]
    order = np.argsort(flat, kind="stable")
    flat, owners = flat[order], owners[order]
    del order, counted
    if not len(flat):
        return {}
    first_pair = np.ones(len(flat), dtype=bool)
    first_pair[1:] = (flat[1:] != flat[:-1]) | (owners[1:] != owners[:-1])
    pair_keys = flat[first_pair]
    del flat, owners, first_pair
    starts = np.flatnonzero(np.r_[True, pair_keys[1:] != pair_keys[:-1]])
    n_docs = np.diff(np.r_[starts, len(pair_keys)])
    common = (n_docs >= min_docs) & (n_docs / total >= min_share)
    frequent = dict(zip(pair_keys[starts[common]].tolist(), n_docs[common].tolist(), strict=True))
    if not frequent:
        return {}
    wanted = np.fromiter(frequent, dtype=np.uint64, count=len(frequent))
    found: dict[int, tuple[int, float, str]] = {}
    for paragraphs, doc_keys in zip(documents, keys, strict=True):  # each line as first seen, for the report
        for position in np.flatnonzero(np.isin(doc_keys, wanted)).tolist():
            key = int(doc_keys[position])
            if key not in found:
                found[key] = (frequent[key], frequent[key] / total, paragraphs[position])
        if len(found) == len(frequent):
            break
    return found


def find_boilerplate(
    documents: Sequence[tuple[str, Sequence[str]]],
    min_share: float,
    min_docs: int,
    keys: Sequence[np.ndarray] | None = None,
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
    keys : sequence of numpy.ndarray, optional
        Each document's :func:`line_keys` (computed here if not given).

    Returns
    -------
    Boilerplate
    """
    if keys is None:
        keys = [line_keys(paragraphs) for _, paragraphs in documents]
    result = Boilerplate(
        corpus=_frequent([paragraphs for _, paragraphs in documents], keys, min_share, min_docs)
    )
    sources: dict[str, list[int]] = {}
    for number, (source, _) in enumerate(documents):
        if source:
            sources.setdefault(source, []).append(number)
    for source, members in sources.items():
        if len(members) == len(documents):
            continue  # the corpus scope already says it all
        # a line that is boilerplate of the whole corpus is listed there only
        member_lines = [documents[number][1] for number in members]
        member_keys = [keys[number] for number in members]
        found = {
            key: value
            for key, value in _frequent(member_lines, member_keys, min_share, min_docs).items()
            if key not in result.corpus
        }
        if found:
            result.by_source[source] = found
    return result


def remove_boilerplate(
    paragraphs: Sequence[str], keys: set[int], paragraph_keys: np.ndarray | None = None
) -> tuple[list[str], int]:
    """``paragraphs`` without the lines whose key is in ``keys``, and the number of characters removed
    (``paragraph_keys``: their :func:`line_keys`, computed here if not given)."""
    if not keys:
        return list(paragraphs), 0
    if paragraph_keys is None:
        paragraph_keys = line_keys(paragraphs)
    kept = []
    removed = 0
    for line, key in zip(paragraphs, paragraph_keys.tolist(), strict=True):
        if key in keys:
            removed += len(line)
        else:
            kept.append(line)
    return kept, removed
