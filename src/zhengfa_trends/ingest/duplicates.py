"""Near duplicates: character shingles, MinHash signatures and an LSH index of earlier documents.

A re-scraped copy of an article differs from the original in page chrome, spacing and punctuation;
its Han-character 5-gram set is nearly the same.  :class:`NearDuplicateIndex` finds the few earlier
documents that may be that similar, and :func:`jaccard` decides.
"""

from __future__ import annotations

import re
from array import array

import numpy as np

from ..clean import han_only

SHINGLE_CHARS = 5
MINHASH_BINS = 128
_MASK57 = np.uint64((1 << 57) - 1)


def _mix64(values: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads polynomial shingle hashes over all 64 bits."""
    values = values + np.uint64(0x9E3779B97F4A7C15)
    values = (values ^ (values >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    values = (values ^ (values >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))


def shingle_text(text: str) -> str:
    """What shingles are taken of: the Han characters of ``text`` (else its non-space characters).

    Spacing, punctuation, digits and Latin letters (where re-scraped copies differ most) are left out.
    """
    return han_only(text) or re.sub(r"\s+", "", text)


def shingle_hashes(text: str, k: int = SHINGLE_CHARS, chunk: int = 1 << 18) -> np.ndarray:
    """Sorted unique 64-bit hashes of the character ``k``-grams of :func:`shingle_text`.

    Vectorised over code points in chunks, so a 10 MB document needs no per-shingle Python objects.
    A text shorter than ``k`` characters is one shingle.
    """
    chars = shingle_text(text)
    if not chars:
        return np.zeros(0, dtype=np.uint64)
    points = np.frombuffer(chars.encode("utf-32-le"), dtype="<u4")
    k = min(k, len(points))
    n_shingles = len(points) - k + 1
    parts = []
    for start in range(0, n_shingles, chunk):
        stop = min(start + chunk, n_shingles)
        window = points[start : stop + k - 1].astype(np.uint64)
        hashes = np.zeros(stop - start, dtype=np.uint64)
        for j in range(k):
            hashes = hashes * np.uint64(1_000_003) + window[j : j + stop - start]
        parts.append(_sorted_unique(_mix64(hashes)))
    return _sorted_unique(np.concatenate(parts)) if len(parts) > 1 else parts[0]


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """Sorted unique values (np.unique's hash path is many times slower on millions of uint64)."""
    values = np.sort(values)
    if len(values) < 2:
        return values
    keep = np.empty(len(values), dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Jaccard similarity of two sorted unique hash arrays."""
    if len(a) == 0 and len(b) == 0:
        return 1.0
    common = len(np.intersect1d(a, b, assume_unique=True))
    return common / (len(a) + len(b) - common)


def minhash_signature(hashes: np.ndarray, bins: int = MINHASH_BINS) -> np.ndarray:
    """One-permutation MinHash with rotation densification (Shrivastava & Li 2014).

    Each shingle hash falls into one of ``bins`` bins by its top bits; a bin keeps the minimum of
    the remaining 57 bits.  An empty bin borrows the value of the next non-empty bin to its right,
    plus ``distance * 2**57`` so that only equal borrowings agree.  Two documents agree in a bin
    with probability close to the Jaccard similarity of their shingle sets; one hash per shingle
    keeps this linear in the text length.  Deterministic (no random seeds involved).
    """
    shift = np.uint64(64 - int(bins).bit_length() + 1)
    signature = np.full(bins, np.iinfo(np.uint64).max, dtype=np.uint64)
    if len(hashes) == 0:
        return signature
    np.minimum.at(signature, (hashes >> shift).astype(np.intp), hashes & _MASK57)
    empty = signature == np.iinfo(np.uint64).max
    if empty.any():
        filled = np.flatnonzero(~empty)
        positions = np.flatnonzero(empty)
        # the next filled bin to the right, circularly
        nxt = filled[np.searchsorted(filled, positions) % len(filled)]
        distance = (nxt - positions) % bins
        signature[positions] = signature[nxt] + distance.astype(np.uint64) * np.uint64(1 << 57)
    return signature


def lsh_rows(threshold: float, bins: int = MINHASH_BINS, recall: float = 0.999) -> int:
    """Rows per LSH band: the most (fewest candidates) that still find a pair at ``threshold``.

    A pair with Jaccard similarity ``s`` becomes a candidate with probability
    ``1 - (1 - s**rows) ** (bins / rows)``; the largest power of two ``rows`` for which that is at
    least ``recall`` at ``s = threshold`` is chosen (8 rows x 16 bands at the default 0.9).
    """
    best = 1
    rows = 1
    while rows <= bins:
        if 1 - (1 - threshold**rows) ** (bins // rows) >= recall:
            best = rows
        rows *= 2
    return best


class NearDuplicateIndex:
    """Earlier documents whose shingle sets may be similar to a new one (MinHash LSH).

    Signatures are cut into bands; documents sharing a whole band land in the same bucket.  Only
    documents sharing a bucket are candidates, so looking a document up costs the number of
    bands plus its (few) candidates, not the size of the corpus.  Candidates must then be
    verified with the exact :func:`jaccard`.

    Documents that share a band but whose signatures agree in fewer than ``threshold - margin`` of
    the bins are dropped before that check.  Corpora written from a common stock of sentences
    (templates, synthetic benchmarks) share bands by the thousand at similarities far below the
    threshold; the agreement share estimates the Jaccard similarity with a standard error of at most
    ``0.5 / sqrt(bins)`` (0.044 for 128 bins), so the default margin of 0.2 loses no true pair.
    """

    def __init__(self, threshold: float, bins: int = MINHASH_BINS, margin: float = 0.2):
        self.threshold = threshold
        self.bins = bins
        self.rows = lsh_rows(threshold, bins)
        self.min_agreement = max(0.0, threshold - margin)
        # One dict per band: the band's bytes -> the numbers of the documents holding them (a typed
        # array, which numpy reads without copying, so a bucket of thousands costs no Python ints).
        self.buckets: list[dict[bytes, array]] = [{} for _ in range(bins // self.rows)]
        # Row i: document i's signature (grown by doubling), so that all candidates of a document are
        # compared in one array operation; and the low byte of each of its bins, compared first: a
        # candidate can agree in no more bins than its low bytes do, and reading 1 byte per bin
        # instead of 8 is what makes thousands of band sharers per document cheap to rule out.
        self.signatures = np.zeros((64, bins), dtype=np.uint64)
        self.low_bytes = np.zeros((64, bins), dtype=np.uint8)
        self.size = 0

    def _keys(self, signature: np.ndarray) -> list[bytes]:
        raw = signature.tobytes()
        step = self.rows * signature.itemsize
        return [raw[start : start + step] for start in range(0, len(raw), step)]

    def _agreeing(self, numbers: np.ndarray, rows: np.ndarray, values: np.ndarray) -> np.ndarray:
        agreement = (rows[numbers] == values).sum(axis=1) / self.bins
        return numbers[agreement >= self.min_agreement]

    def candidates(self, signature: np.ndarray) -> list[int]:
        """Numbers of the added documents sharing a band with ``signature`` and agreeing in enough
        bins to be possibly similar, earliest first."""
        found = [
            np.frombuffer(members, dtype=np.int64)
            for bucket, key in zip(self.buckets, self._keys(signature), strict=True)
            if (members := bucket.get(key)) is not None
        ]
        if not found:
            return []
        numbers = _sorted_unique(np.concatenate(found))
        del found  # the views pin the buckets' arrays (an array cannot grow while viewed)
        numbers = self._agreeing(numbers, self.low_bytes, signature.astype(np.uint8))
        if len(numbers):
            numbers = self._agreeing(numbers, self.signatures, signature)
        return numbers.tolist()

    def add(self, signature: np.ndarray) -> int:
        """Add a document; return its number (0, 1, …)."""
        number = self.size
        for bucket, key in zip(self.buckets, self._keys(signature), strict=True):
            members = bucket.get(key)
            if members is None:
                bucket[key] = array("q", (number,))
            else:
                members.append(number)
        if number == len(self.signatures):
            self.signatures = np.concatenate((self.signatures, np.zeros_like(self.signatures)))
            self.low_bytes = np.concatenate((self.low_bytes, np.zeros_like(self.low_bytes)))
        self.signatures[number] = signature
        self.low_bytes[number] = signature.astype(np.uint8)
        self.size += 1
        return number
