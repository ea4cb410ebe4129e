"""Segmentation with jieba: an own ``jieba.Tokenizer`` per process, a 政法 user dictionary, stopwords.

Nothing here touches jieba's global default tokenizer, so the user dictionary of one analysis
never leaks into another in the same process.
"""

from __future__ import annotations

import collections
import gc
import logging
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .cache import ContentCache
from .config import schema_field
from .keywords import normalise_themes
from .shards import ROW, cache_file_name
from .workers import WorkerPool, fork_available, ordered_map

log = logging.getLogger(__name__)

_HAN = re.compile(r"[\u4e00-\u9fff]")
_NUMERIC = re.compile(r"^[\d.,%％·\-~～]+$|^[零一二三四五六七八九十百千万亿两几]+$")
# Segmentation engines: jieba is the reference; rjieba (jieba-rs) runs the same algorithm on the same
# dictionary about 15-20 times faster and is used only behind an identity check (check_engine_identity).
ENGINES = ("jieba", "rjieba")
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
    # Defaults: the config schema's segment section (workflow/schemas/config.schema.yaml).
    min_chars: int = schema_field("segment.min_chars")
    han_only: bool = schema_field("segment.han_only")
    hmm: bool = schema_field("segment.hmm")
    engine: str = schema_field("segment.engine")


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
        if settings.engine not in ENGINES:
            raise ValueError(f"segment.engine must be one of {', '.join(ENGINES)}, not {settings.engine!r}")
        self.settings = settings
        if settings.engine == "rjieba":
            import rjieba

            # jieba-rs: jieba's algorithm (DAG + max-probability route + HMM) and its dictionary, in Rust.
            self._tokenizer = rjieba.Jieba()
            hmm = settings.hmm
            self._cut = lambda text: self._tokenizer.cut(text, hmm)
        else:
            import jieba

            self._tokenizer = jieba.Tokenizer()
            # Loading the main dictionary is lazy in jieba; do it now so that forked workers share it.
            self._tokenizer.initialize()
            hmm = settings.hmm
            self._cut = lambda text: self._tokenizer.lcut(text, HMM=hmm)
        for word, freq, tag in settings.user_dictionary:
            self._tokenizer.add_word(word, freq, tag)

    def raw_tokens(self, text: str) -> list[str]:
        """All tokens of ``text`` from the engine, unfiltered."""
        return self._cut(text)

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
        return [t for t in self._cut(text) if keep(t)]


def engine_mismatches(
    texts: Sequence[str], settings: SegmenterSettings, sample: int = 200
) -> list[tuple[int, list[str], list[str]]]:
    """Passages where ``settings.engine`` and the reference (jieba) give different filtered tokens.

    A sample of at most ``sample`` texts, evenly spaced through ``texts`` (no randomness, so the same
    corpus is always checked on the same passages), is segmented by both engines.

    Returns
    -------
    list of (index, reference_tokens, engine_tokens)
        Empty when the engine is jieba itself or every sampled passage agrees.
    """
    if settings.engine == "jieba" or not texts:
        return []
    from dataclasses import replace

    indices = _sample_indices(len(texts), sample)
    engine = Segmenter(settings)
    reference = Segmenter(replace(settings, engine="jieba"))
    mismatches = []
    for index in indices:
        expected, got = reference.tokens(texts[index]), engine.tokens(texts[index])
        if expected != got:
            mismatches.append((index, expected, got))
    return mismatches


def _sample_indices(n: int, sample: int) -> range:
    """At most ``sample`` indices evenly spaced through ``range(n)``, from 0."""
    return range(0, n, max(1, -(-n // sample)))


def _mismatches_task(task: tuple[list[str], SegmenterSettings]) -> list[tuple[int, list[str], list[str]]]:
    texts, settings = task
    return engine_mismatches(texts, settings, sample=len(texts))


def verified_settings(
    texts: Sequence[str], settings: SegmenterSettings, sample: int = 200, pool: WorkerPool | None = None
) -> SegmenterSettings:
    """``settings``, or the same settings with the jieba engine if the configured engine disagrees.

    The fast engine is trusted only as far as it reproduces jieba: one passage of the sample that
    differs sends the whole run back to jieba, with a warning naming the first difference.

    With ``pool`` the check runs in one of its workers, which is sent the sampled texts only: the
    reference jieba dictionary (about 300 MB of Python objects, not all returned to the system when
    freed) then never grows this process.
    """
    if pool is None or settings.engine == "jieba" or not texts:
        mismatches = engine_mismatches(texts, settings, sample)
    else:
        indices = _sample_indices(len(texts), sample)
        found = next(pool.ordered_map(_mismatches_task, [([texts[i] for i in indices], settings)]))
        mismatches = [(indices[i], expected, got) for i, expected, got in found]
    if not mismatches:
        return settings
    from dataclasses import replace

    index, expected, got = mismatches[0]
    only_jieba = [t for t in expected if t not in got][:5]
    only_engine = [t for t in got if t not in expected][:5]
    log.warning(
        "segment.engine %s differs from jieba on %d of the checked passages (first: passage %d, jieba %s, "
        "%s %s); this run segments with jieba",
        settings.engine,
        len(mismatches),
        index,
        only_jieba,
        settings.engine,
        only_engine,
    )
    return replace(settings, engine="jieba")


# A worker process's segmenter: set in the parent before the pool forks, so every worker shares
# the loaded dictionary instead of reading it again.
_WORKER_SEGMENTER: Segmenter | None = None


def _segment_chunk(texts: Sequence[str]) -> list[str]:
    assert _WORKER_SEGMENTER is not None
    return [" ".join(_WORKER_SEGMENTER.tokens(text)) for text in texts]


def segment_texts(
    texts: Sequence[str], settings: SegmenterSettings, *, workers: int, chunk_chars: int
) -> list[str]:
    """Segment many texts; return each one's filtered tokens joined by single spaces.

    With ``workers > 1`` and more than ``chunk_chars`` characters in all, the texts are cut into
    chunks (of at most ``chunk_chars`` characters, about 40 per worker) and segmented in forked
    worker processes; the output order is the input order whatever the number of workers.

    Parameters
    ----------
    texts : sequence of str
    settings : SegmenterSettings
    workers : int
        Worker processes (1 = in this process); ``segment.workers`` in the workflow.
    chunk_chars : int
        Corpora above this many characters use the workers; also the largest chunk
        (``segment.chunk_chars``).

    Returns
    -------
    list of str
    """
    global _WORKER_SEGMENTER
    _WORKER_SEGMENTER = Segmenter(settings)
    total = sum(len(t) for t in texts)
    if workers <= 1 or total <= chunk_chars or not fork_available():
        return _segment_chunk(texts)
    # Small chunks (about 40 per worker, at least 20,000 characters) keep both workers busy to the end.
    chunk_chars = min(chunk_chars, max(20_000, total // (workers * 40)))
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
    # Move everything allocated so far (the jieba dictionary: millions of objects) out of the
    # garbage collector's reach before forking.  Otherwise each worker's collector walks those
    # objects, writing to their headers, and the kernel copies every page they sit on:
    # seconds of system time per worker, more the more modules the parent has imported.
    gc.freeze()
    try:
        # Workers that end with the step: Ctrl-C or an error kills them (zhengfa_trends.workers).
        results = ordered_map(_segment_chunk, chunks, workers)
        return [joined for chunk in results for joined in chunk]
    finally:
        gc.unfreeze()


def _engine_version(engine: str) -> str:
    from importlib.metadata import version

    return version(engine)


def settings_fingerprint(settings: SegmenterSettings) -> str:
    """sha256 of everything that decides segmentation: dictionaries, stopwords, filters, jieba version
    and the segmentation code (:func:`zhengfa_trends.codehash.code_digest`).

    Part of every segmentation-cache key, so editing the user dictionary or the stopwords
    re-segments every document, while adding a document re-segments only that one.
    """
    import hashlib
    import json

    import jieba

    from .codehash import code_digest

    payload = {
        "jieba": jieba.__version__,
        # the code that turns passages into cached token lines (an edit misses the cache)
        "code": code_digest([f"{__name__}:segment_texts", f"{__name__}:SegmentationCache"]),
        "engine": settings.engine,
        "engine_version": _engine_version(settings.engine),
        "user_dictionary": [list(entry) for entry in settings.user_dictionary],
        "stopwords": sorted(settings.stopwords),
        "min_chars": settings.min_chars,
        "han_only": settings.han_only,
        "hmm": settings.hmm,
    }
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


class SegmentationCache(ContentCache):
    """Each document's segmented passages, keyed by its passage texts and the segmenter settings.

    Editing the user dictionary or the stopwords changes the fingerprint, so every document is
    segmented again; adding a document segments only that one.  See :mod:`zhengfa_trends.cache`.

    Parameters
    ----------
    folder : path
        Cache folder; the entries live in ``folder/tokens.sqlite`` (a segmentation shard has its own
        file, :func:`zhengfa_trends.shards.cache_file_name`).
    fingerprint : str
        :func:`settings_fingerprint` of the segmenter settings.
    file_name : str
        The cache file in ``folder``.
    """

    FILE_NAME = "tokens.sqlite"

    def __init__(self, folder: str | Path, fingerprint: str, file_name: str = FILE_NAME):
        super().__init__(folder, fingerprint, file_name)

    def get(self, key: str, n_passages: int) -> list[str] | None:
        """The cached token lines of a document, or None (missing or not matching ``n_passages``)."""
        entry = self.get_payload(key)
        if entry is None or entry[0] != n_passages:
            return None
        lines = entry[1].split("\n")[:-1]
        return lines if len(lines) == n_passages else None

    def put(self, key: str, token_lines: Sequence[str]) -> None:
        """Queue a document's token lines; :meth:`flush` writes the queued entries."""
        self.put_payload(key, len(token_lines), "".join(line + "\n" for line in token_lines))


def segment_documents(
    doc_ids: Sequence[str],
    texts: Sequence[str],
    settings: SegmenterSettings,
    cache: SegmentationCache | None = None,
    *,
    workers: int,
    chunk_chars: int,
) -> tuple[list[str], dict[str, int]]:
    """Segment passages grouped by document, reusing cached documents.

    Parameters
    ----------
    doc_ids, texts : sequences of equal length
        Passages in order; consecutive passages of one document share its id.
    settings : SegmenterSettings
    cache : SegmentationCache or None
    workers, chunk_chars : see :func:`segment_texts`

    Returns
    -------
    (token_lines, stats)
        Space-joined tokens per passage in input order, and ``{"segmented": n, "reused": m}``
        counted in documents.
    """
    spans: list[tuple[str, int, int]] = []
    start = 0
    for index in range(1, len(doc_ids) + 1):
        if index == len(doc_ids) or doc_ids[index] != doc_ids[start]:
            spans.append((doc_ids[start], start, index))
            start = index
    output: list[str | None] = [None] * len(texts)
    missing: list[tuple[str | None, int, int]] = []
    for _doc_id, begin, end in spans:
        key = cache.key(texts[begin:end]) if cache is not None else None
        cached = cache.get(key, end - begin) if cache is not None else None
        if cached is None:
            missing.append((key, begin, end))
        else:
            output[begin:end] = cached
    if missing:
        todo = [texts[i] for _, begin, end in missing for i in range(begin, end)]
        done = iter(segment_texts(todo, settings, workers=workers, chunk_chars=chunk_chars))
        for key, begin, end in missing:
            lines = [next(done) for _ in range(begin, end)]
            output[begin:end] = lines
            if cache is not None:
                cache.put(key, lines)
        if cache is not None:
            cache.flush()
    stats = {"segmented": len(missing), "reused": len(spans) - len(missing)}
    return [line if line is not None else "" for line in output], stats


# Segmenters of a worker of a WorkerPool, by the parent's token for their settings: the pool is
# forked before the settings are known (they depend on the passages), so each worker builds its
# own segmenter on its first task and reuses it.
_POOL_SEGMENTERS: dict[str, Segmenter] = {}


def _segment_task(task: tuple[str, SegmenterSettings, Sequence[str]]) -> list[str]:
    token, settings, texts = task
    segmenter = _POOL_SEGMENTERS.get(token)
    if segmenter is None:
        _POOL_SEGMENTERS.clear()
        segmenter = _POOL_SEGMENTERS[token] = Segmenter(settings)
    return [" ".join(segmenter.tokens(text)) for text in texts]


def stream_documents(
    doc_ids: Sequence[str],
    texts: Sequence[str],
    settings: SegmenterSettings,
    cache: SegmentationCache | None = None,
    *,
    chunk_chars: int,
    pool: WorkerPool | None = None,
    stats: dict[str, int] | None = None,
) -> Iterator[list[str]]:
    """The token lines of :func:`segment_documents`, yielded in input order a batch of documents at a time.

    Documents are taken in order and cut into batches of about ``chunk_chars`` characters (a batch
    ends after the document that reaches it, cached or not); each batch's uncached passages
    go to a worker of ``pool`` (in this process without one), and at most the pool's window of
    batches is in memory at once, so neither every result nor every chunk is held.  The lines
    are those of :func:`segment_documents` for any ``chunk_chars`` and any pool.

    Parameters
    ----------
    doc_ids, texts, settings, cache : see :func:`segment_documents`
    chunk_chars : int
        Characters to segment per batch (the pool's task size).
    pool : WorkerPool or None
    stats : dict or None
        Filled with ``{"segmented": n, "reused": m}`` (documents) once the iterator is exhausted.

    Yields
    ------
    list of str
        Space-joined tokens of consecutive passages; together, one per passage.
    """
    token = f"{os.getpid()}:{id(settings)}"
    counts = {"segmented": 0, "reused": 0}
    batches: collections.deque = collections.deque()  # per submitted task: its documents

    def tasks() -> Iterator[tuple[str, SegmenterSettings, list[str]]]:
        documents: list[tuple[str | None, int, int, list[str] | None]] = []
        todo: list[str] = []
        size = 0
        start = 0
        n = len(doc_ids)
        for index in range(1, n + 1):
            if index < n and doc_ids[index] == doc_ids[start]:
                continue
            document = texts[start:index]
            key = cache.key(document) if cache is not None else None
            cached = cache.get(key, index - start) if cache is not None else None
            documents.append((key, start, index, cached))
            if cached is None:
                todo.extend(document)
            # Cached documents count too: a batch's lines are held until it is written.
            size += sum(len(text) for text in document)
            start = index
            if size >= chunk_chars or index == n:
                batches.append(documents)
                yield token, settings, todo
                documents, todo, size = [], [], 0

    results = pool.ordered_map(_segment_task, tasks()) if pool is not None else map(_segment_task, tasks())
    for segmented in results:
        documents = batches.popleft()
        done = iter(segmented)
        lines: list[str] = []
        for key, begin, end, cached in documents:
            if cached is None:
                new = [next(done) for _ in range(begin, end)]
                if cache is not None:
                    cache.put(key, new)
                lines.extend(new)
                counts["segmented"] += 1
            else:
                lines.extend(cached)
                counts["reused"] += 1
        yield lines
    if cache is not None:
        cache.flush()
    if stats is not None:
        stats.update(counts)


# Frequency given to theme keywords in the segmenter, so each keyword is one token.
THEME_KEYWORD_FREQ = 200000


def segmenter_settings(
    user_dictionaries: Sequence[str | Path],
    stopwords: Sequence[str | Path],
    themes: Mapping[str, Sequence[str]],
    options: Mapping,
) -> SegmenterSettings:
    """Segmenter settings from dictionary files, stopword files, the theme keywords (each one token)
    and the ``segment`` config section."""
    entries = read_user_dictionary(user_dictionaries)
    entries += [
        (word, THEME_KEYWORD_FREQ, "n") for words in normalise_themes(themes).values() for word in words
    ]
    return SegmenterSettings(
        user_dictionary=entries,
        stopwords=frozenset(read_word_list(stopwords)),
        min_chars=options["min_chars"],
        han_only=options["han_only"],
        hmm=options["hmm"],
        engine=options["engine"],
    )


def segment_passages(
    passages, settings: SegmenterSettings, cache: SegmentationCache | None, *, workers: int, chunk_chars: int
):
    """The tokens table of passages.tsv rows: ``doc_id, passage_no, year, n_tokens, tokens``.

    Returns
    -------
    (DataFrame, dict)
        The tokens table (the passages' order) and ``{"segmented", "reused"}`` in documents.
    """
    joined, stats = segment_documents(
        passages["doc_id"].to_list(),
        passages["text"].to_list(),
        settings,
        cache=cache,
        workers=workers,
        chunk_chars=chunk_chars,
    )
    tokens = passages[["doc_id", "passage_no", "year"]].copy()
    tokens["n_tokens"] = [len(t.split()) for t in joined]
    tokens["tokens"] = joined
    return tokens, stats


def prune_segmentation_caches(folder: str | Path, fingerprint: str, n_shards: int) -> None:
    """Remove the entries made under other settings from every segmentation-cache file of ``folder``.

    The files of other shard counts are pruned too (and kept: switching back to that count reuses them).
    """
    base = Path(folder)
    names = [cache_file_name(i, n_shards) for i in range(n_shards)]
    others = [*base.glob("tokens.sqlite"), *base.glob("tokens_*of*.sqlite")]
    names += sorted(p.name for p in others if p.name not in names)
    for name in names:
        if not (base / name).is_file():
            continue
        store = SegmentationCache(base, fingerprint, name)
        removed = store.prune()
        store.close()
        if removed:
            log.info("segmentation cache %s: %d entries of earlier settings removed", name, removed)


class PassageTexts:
    """The passage texts as a sequence of str made from the column only a slice at a time.

    pandas keeps a ``str`` column as UTF-8 (Arrow); a list of Python strings of every text holds
    them again, at two to four bytes per character (Han text: two).  Only what is asked for
    (a document's passages, the engine check's sample) is made into Python strings.
    """

    def __init__(self, column):
        self.column = column.reset_index(drop=True)

    def __len__(self) -> int:
        return len(self.column)

    def __getitem__(self, item):
        if isinstance(item, slice):
            return self.column.iloc[item].to_list()
        return self.column.iloc[item]

    def chars(self) -> int:
        """Characters of all texts."""
        return int(self.column.str.len().sum())


def token_tables(meta, rows, batches, with_row: bool, counter: list[int]):
    """The tokens table in parts, one per batch of token lines: the passages ``rows`` of ``meta``
    (doc_id, passage_no, year) in order, with ``n_tokens`` and ``tokens`` (and ``row`` first for a
    shard); ``counter[0]`` counts the rows."""
    for lines in batches:
        start = counter[0]
        selected = rows[start : start + len(lines)]
        table = meta.iloc[selected].copy()
        table["n_tokens"] = [len(line.split()) for line in lines]
        table["tokens"] = lines
        if with_row:
            table.insert(0, ROW, selected)
        counter[0] += len(lines)
        yield table
