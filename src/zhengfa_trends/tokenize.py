"""Segmentation with jieba: an own ``jieba.Tokenizer`` per process, a 政法 user dictionary, stopwords.

Nothing here touches jieba's global default tokenizer, so the user dictionary of one analysis
never leaks into another in the same process.
"""

from __future__ import annotations

import logging
import multiprocessing
import re
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

_HAN = re.compile(r"[\u4e00-\u9fff]")
_NUMERIC = re.compile(r"^[\d.,%％·\-~～]+$|^[零一二三四五六七八九十百千万亿两几]+$")
_USERDICT_LINE = re.compile(r"^(\S+)(?:\s+(\d+))?(?:\s+([A-Za-z]+))?$")


def read_word_list(paths: Iterable[Path | str]) -> list[str]:
    """Read one-word-per-line files, skipping blank lines and ``#`` comments, in file order."""
    words: list[str] = []
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                words.append(line)
    return words


def read_user_dictionary(paths: Iterable[Path | str]) -> list[tuple[str, int | None, str | None]]:
    """Parse jieba user-dictionary files (``word [freq] [POS]``; ``#`` comments allowed).

    Raises
    ------
    ValueError
        Naming the file and line of an entry that does not parse.
    """
    entries = []
    for path in paths:
        for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            match = _USERDICT_LINE.match(line)
            if not match:
                raise ValueError(f"{path}:{number}: not a 'word [freq] [POS]' line: {line!r}")
            word, freq, tag = match.groups()
            entries.append((word, int(freq) if freq else None, tag))
    return entries


@dataclass
class SegmenterSettings:
    """Everything that decides how a passage becomes tokens (hashed for the segmentation cache)."""

    user_dictionary: list[tuple[str, int | None, str | None]] = field(default_factory=list)
    stopwords: frozenset[str] = frozenset()
    min_chars: int = 2
    han_only: bool = True
    hmm: bool = True


class Segmenter:
    """jieba segmentation with an own ``jieba.Tokenizer`` and token filtering.

    Parameters
    ----------
    settings : SegmenterSettings

    Examples
    --------
    >>> seg = Segmenter(SegmenterSettings(user_dictionary=[("数字政法", 200000, "n")]))
    >>> "数字政法" in seg.tokens("推进数字政法建设")
    True
    """

    def __init__(self, settings: SegmenterSettings):
        import jieba

        self.settings = settings
        self._tokenizer = jieba.Tokenizer()
        # Loading the main dictionary is lazy in jieba; do it now so that forked workers share it.
        self._tokenizer.initialize()
        for word, freq, tag in settings.user_dictionary:
            self._tokenizer.add_word(word, freq, tag)

    def raw_tokens(self, text: str) -> list[str]:
        """All jieba tokens of ``text``, unfiltered."""
        return self._tokenizer.lcut(text, HMM=self.settings.hmm)

    def keep(self, token: str) -> bool:
        """True if a token survives the filters (length, stopwords, numbers, non-Han)."""
        settings = self.settings
        if len(token) < settings.min_chars or token in settings.stopwords:
            return False
        if settings.han_only:
            return bool(_HAN.search(token))
        return bool(token.strip()) and not _NUMERIC.match(token) and any(ch.isalnum() for ch in token)

    def tokens(self, text: str) -> list[str]:
        """Filtered tokens of ``text``."""
        keep = self.keep
        return [t for t in self._tokenizer.lcut(text, HMM=self.settings.hmm) if keep(t)]


# A worker process's segmenter: set in the parent before the pool forks, so every worker shares
# the loaded dictionary instead of reading it again.
_WORKER_SEGMENTER: Segmenter | None = None


def _segment_chunk(texts: Sequence[str]) -> list[str]:
    assert _WORKER_SEGMENTER is not None
    return [" ".join(_WORKER_SEGMENTER.tokens(text)) for text in texts]


def segment_texts(
    texts: Sequence[str], settings: SegmenterSettings, workers: int = 1, chunk_chars: int = 2_000_000
) -> list[str]:
    """Segment many texts; return each one's filtered tokens joined by single spaces.

    With ``workers > 1`` and more than ``chunk_chars`` characters in all, the texts are cut into
    chunks of about ``chunk_chars`` characters and segmented in forked worker processes; the
    output order is the input order whatever the number of workers.

    Parameters
    ----------
    texts : sequence of str
    settings : SegmenterSettings
    workers : int
        Worker processes (1 = in this process).
    chunk_chars : int
        Characters per chunk handed to a worker.

    Returns
    -------
    list of str
    """
    global _WORKER_SEGMENTER
    _WORKER_SEGMENTER = Segmenter(settings)
    total = sum(len(t) for t in texts)
    if workers <= 1 or total <= chunk_chars or "fork" not in multiprocessing.get_all_start_methods():
        return _segment_chunk(texts)
    chunk_chars = min(chunk_chars, max(50_000, total // (workers * 4)))
    chunks: list[list[str]] = [[]]
    size = 0
    for text in texts:
        if size >= chunk_chars:
            chunks.append([])
            size = 0
        chunks[-1].append(text)
        size += len(text)
    log.info(
        "segmenting %d texts (%d chars) in %d chunks on %d workers", len(texts), total, len(chunks), workers
    )
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        results = pool.map(_segment_chunk, chunks)
        return [joined for chunk in results for joined in chunk]
