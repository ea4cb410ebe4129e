"""gensim LDA on a sparse (CSR) bag-of-words matrix.

* :class:`BowCorpus`: the passages × terms count matrix behind gensim's corpus protocol (a sequence
  of bag-of-words documents), so gensim code can iterate it while this module's code works on the
  matrix directly;
* :func:`bow_corpus`: builds the vocabulary (a gensim ``Dictionary``, the same ids and filtering as
  ``Dictionary(texts).filter_extremes(...)`` followed by ``compactify()``) and the count matrix in
  one vectorised pass instead of a ``doc2bow`` call per passage;
* :class:`BatchedLdaModel`: a gensim ``LdaModel`` whose E-step is vectorised over a chunk.

gensim's ``LdaModel.inference`` updates one document at a time in a Python loop; on short passages
the loop overhead dominates (profiled in ``benchmarks/PROFILE.md``).  :func:`batched_inference`
computes the same fixed-point iteration (Hoffman, Blei & Bach 2010, with the Lee & Seung trick
gensim uses) for every document of the chunk at once with sparse matrix products:

* the same random start (``random_state.gamma(100, 1/100)``, drawn in the same order);
* the same per-document stopping rule (mean absolute change of γ below ``gamma_threshold``, at most
  ``iterations`` updates); a converged document is frozen while the others go on;
* the same sufficient statistics for the M-step.

Everything else (M-step, α and η, online blending, passes, seeding) is gensim's own code: the model
is a gensim ``LdaModel``, trained in one process.  Results agree with gensim's loop to floating-point
rounding (``tests/test_sparse_lda.py`` compares both).

This module imports gensim, so import it only where a model is fitted or applied.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import chain, islice

import numpy as np
from scipy import sparse
from scipy.special import psi

from .gensim_imports import Dictionary, LdaModel

# Once fewer than this share of the working set is still iterating, the working set is compacted to
# the active documents (amortises the row gathers against the work saved on converged documents).
COMPACT_BELOW = 0.5
# Up to this many rows × terms, phinorm is computed as a dense product (32 MB of float64).
DENSE_PHINORM_ENTRIES = 1 << 22


class BowRow:
    """One document of a :class:`BowCorpus`: iterates as gensim ``(term id, count)`` pairs."""

    __slots__ = ("corpus", "index")

    def __init__(self, corpus: BowCorpus, index: int):
        self.corpus = corpus
        self.index = index

    def _slice(self):
        matrix = self.corpus.matrix
        start, stop = matrix.indptr[self.index], matrix.indptr[self.index + 1]
        return matrix.indices[start:stop], matrix.data[start:stop]

    def __len__(self) -> int:
        matrix = self.corpus.matrix
        return int(matrix.indptr[self.index + 1] - matrix.indptr[self.index])

    def __iter__(self):
        ids, counts = self._slice()
        return iter(list(zip(ids.tolist(), counts.tolist(), strict=True)))

    def __eq__(self, other) -> bool:
        return list(self) == list(other)

    def __repr__(self) -> str:
        return f"BowRow({list(self)!r})"


class BowCorpus(Sequence):
    """Passages × terms word counts (CSR) as a gensim corpus: a sequence of :class:`BowRow`.

    Indexing with an int gives one document; with a slice or an array of positions, a
    :class:`BowCorpus` of those rows.  That is a view, not a copy: it keeps the positions of its
    rows in the whole matrix (``rows``), and its documents are rows of the whole corpus (``base``),
    so a training set of nearly every passage costs an index array, not a second count matrix.
    Its :attr:`matrix` is gathered from the whole one when asked for (a chunk at a time in
    training and inference).
    """

    def __init__(
        self, matrix: sparse.csr_matrix, rows: np.ndarray | None = None, base: BowCorpus | None = None
    ):
        self._matrix = matrix
        self.rows = None if rows is None else np.asarray(rows, dtype=np.int64)
        self.base = self if rows is None else (base if base is not None else BowCorpus(matrix))

    @property
    def matrix(self) -> sparse.csr_matrix:
        """The count matrix of these rows (of a view: gathered from the whole matrix)."""
        return self._matrix if self.rows is None else self._matrix[self.rows]

    def __len__(self) -> int:
        return self._matrix.shape[0] if self.rows is None else len(self.rows)

    def __getitem__(self, key):
        if isinstance(key, int | np.integer):
            if not -len(self) <= key < len(self):
                raise IndexError(key)
            index = int(key) % len(self)
            return BowRow(self.base, index if self.rows is None else int(self.rows[index]))
        positions = np.arange(len(self))[key] if isinstance(key, slice) else np.asarray(key)
        rows = positions if self.rows is None else self.rows[positions]
        return BowCorpus(self._matrix, rows, self.base)

    def __iter__(self):
        if self.rows is None:
            return (BowRow(self, i) for i in range(len(self)))
        return (BowRow(self.base, i) for i in self.rows.tolist())


def bow_corpus(
    token_lists: Iterable[Sequence[str]],
    no_below: int,
    no_above: float,
    keep_n: int | None,
    chunk_passages: int = 50_000,
) -> tuple[Dictionary, BowCorpus]:
    """Vocabulary and count matrix of tokenised passages, filtered as gensim's ``filter_extremes``.

    Term ids are those gensim's ``Dictionary(token_lists)`` would give (by the first passage a term
    occurs in, then by the term itself), kept terms are those ``filter_extremes(no_below,
    no_above, keep_n)`` keeps (document frequency at least ``no_below`` and at most
    ``int(no_above * passages)``; of those, the ``keep_n`` most frequent, ties by id) and ids are
    then made contiguous in the same order, as ``compactify`` does.

    ``token_lists`` is read once, so it may be a generator (e.g. splitting each passage's token
    string on the fly): only one passage's tokens exist as Python strings at a time.
    """
    codes_of: dict[str, int] = {}
    passages = iter(token_lists)
    first_seen = np.zeros(0, dtype=np.int64)
    blocks: list[sparse.csr_matrix] = []
    n_docs = num_pos = 0
    # The count matrix is built ``chunk_passages`` passages at a time: one code, row and count per
    # token of the whole corpus (three int64 arrays, plus scipy's copies while it converts them)
    # made this the memory peak of the job building it.  Each block is canonical (sorted, summed) CSR.
    # Counts are int32 (a term's count in one passage): half the bytes of int64, the same values.
    while True:
        lengths: list[int] = []

        def codes_of_tokens(lengths=lengths):
            for tokens in islice(passages, chunk_passages):
                lengths.append(len(tokens))
                for token in tokens:
                    yield codes_of.setdefault(token, len(codes_of))

        codes = np.fromiter(codes_of_tokens(), dtype=np.int64)
        if not lengths:
            break
        rows = np.repeat(np.arange(len(lengths)), lengths)
        first_seen = np.concatenate(
            [first_seen, np.full(len(codes_of) - len(first_seen), np.iinfo(np.int64).max)]
        )
        np.minimum.at(first_seen, codes, rows + n_docs)
        block = sparse.csr_matrix(
            (np.ones(len(codes), dtype=np.int32), (rows, codes)),
            shape=(len(lengths), len(codes_of)),
        )
        block.sum_duplicates()
        blocks.append(block)
        n_docs += len(lengths)
        num_pos += len(codes)
        del codes, rows, block
    words = np.array(list(codes_of), dtype=str) if codes_of else np.zeros(0, dtype=str)
    doc_freq = np.zeros(len(words), dtype=np.int64)
    num_nnz = 0
    for block in blocks:
        doc_freq[: block.shape[1]] += np.bincount(block.indices, minlength=block.shape[1])
        num_nnz += block.nnz
    # gensim's id order: first passage of occurrence, then the term (it sorts each passage's new terms).
    gensim_order = np.lexsort((words, first_seen))
    keep = (doc_freq >= no_below) & (doc_freq <= int(no_above * n_docs))
    kept = gensim_order[keep[gensim_order]]
    if keep_n is not None:
        kept = kept[np.argsort(-doc_freq[kept], kind="stable")][:keep_n]
        gensim_id = np.empty(len(words), dtype=np.int64)
        gensim_id[gensim_order] = np.arange(len(words))
        kept = kept[np.argsort(gensim_id[kept])]
    # each passage a kept term occurs in is one entry of its column
    matrix = _kept_columns(blocks, kept, int(doc_freq[kept].sum()), len(words), n_docs)
    # num_docs, num_pos and num_nnz as gensim counts them: over all passages, before filtering.
    dictionary = filtered_dictionary(words[kept], doc_freq[kept], matrix, n_docs, num_pos, num_nnz)
    return dictionary, BowCorpus(matrix)


def _kept_columns(
    blocks: list[sparse.csr_matrix], kept: np.ndarray, n_kept: int, n_words: int, n_docs: int
) -> sparse.csr_matrix:
    """The blocks' rows stacked, with only the columns ``kept`` (renumbered in that order), sorted.

    The same matrix as stacking the blocks and indexing ``[:, kept]``, assembled block by block
    into arrays allocated once: every block is released as soon as its rows are copied, so the
    memory peak is about one copy of the counts, not the three of stacking and then indexing.
    ``n_kept`` is the number of entries in the kept columns (their passage frequencies summed).
    """
    new_id = np.full(n_words, -1, dtype=np.int64)
    new_id[kept] = np.arange(len(kept))
    indices = np.empty(n_kept, dtype=np.int64 if max(len(kept), n_kept) >= 2**31 else np.int32)
    data = np.empty(n_kept, dtype=np.int32)
    indptr = np.zeros(n_docs + 1, dtype=np.int64)
    position = row = 0
    for number, block in enumerate(blocks):
        blocks[number] = None  # released once copied
        ids = new_id[block.indices]
        mask = ids >= 0
        row_ends = np.concatenate(([0], np.cumsum(mask)))[block.indptr]
        part = sparse.csr_matrix((block.data[mask], ids[mask], row_ends), shape=(block.shape[0], len(kept)))
        part.sort_indices()
        end = position + part.nnz
        indices[position:end] = part.indices
        data[position:end] = part.data
        indptr[row + 1 : row + 1 + block.shape[0]] = part.indptr[1:] + position
        position, row = end, row + block.shape[0]
        del block, ids, mask, part
    blocks.clear()
    matrix = sparse.csr_matrix((data, indices, indptr), shape=(n_docs, len(kept)))
    matrix.has_sorted_indices = True
    return matrix


def filtered_dictionary(
    terms: Sequence[str],
    doc_freq: Sequence[int],
    matrix: sparse.csr_matrix,
    num_docs: int,
    num_pos: int,
    num_nnz: int,
) -> Dictionary:
    """The gensim ``Dictionary`` of a filtered vocabulary: ``terms`` in id order, their passage
    frequencies, their corpus frequencies from the passages × terms ``matrix``, and gensim's
    corpus counts (taken before filtering, as gensim keeps them)."""
    dictionary = Dictionary()
    dictionary.token2id = {str(term): i for i, term in enumerate(terms)}
    dictionary.dfs = {i: int(df) for i, df in enumerate(doc_freq)}
    dictionary.cfs = {i: int(cf) for i, cf in enumerate(np.asarray(matrix.sum(axis=0)).ravel())}
    dictionary.num_docs = num_docs
    dictionary.num_pos = num_pos
    dictionary.num_nnz = num_nnz
    return dictionary


def bow_matrix(chunk, n_terms: int, dtype=np.float64) -> sparse.csr_matrix:
    """Documents × terms CSR matrix of gensim bag-of-words documents.

    Rows of one :class:`BowCorpus` are taken from its matrix directly; other documents (lists of
    ``(id, count)``) are converted.
    """
    if isinstance(chunk, BowCorpus):
        return chunk.matrix.astype(dtype)
    if chunk and all(isinstance(doc, BowRow) for doc in chunk):
        source = chunk[0].corpus
        if all(doc.corpus is source for doc in chunk):
            return source.matrix[[doc.index for doc in chunk]].astype(dtype)
    lengths = np.fromiter((len(doc) for doc in chunk), dtype=np.int64, count=len(chunk))
    indptr = np.concatenate(([0], np.cumsum(lengths)))
    pairs = np.fromiter(
        chain.from_iterable(chain.from_iterable(chunk)), dtype=np.float64, count=2 * indptr[-1]
    )
    pairs = pairs.reshape(-1, 2)
    return sparse.csr_matrix(
        (pairs[:, 1].astype(dtype), pairs[:, 0].astype(np.int64), indptr), shape=(len(chunk), n_terms)
    )


def _exp_dirichlet_expectation(gamma: np.ndarray) -> np.ndarray:
    """``exp(E[log θ])`` row-wise for Dirichlet parameters ``gamma`` (as gensim's, vectorised)."""
    return np.exp(psi(gamma) - psi(gamma.sum(axis=1, keepdims=True)))


class _WorkingSet:
    """Rows of the count matrix being iterated, and how to get ``phinorm`` for their non-zeros.

    ``phinorm[d, w] = Σ_k exp E[log θ_dk] · exp E[log β_kw]`` is needed at every non-zero.  When the
    rows × terms product is small it is computed densely with one matrix product and read at the
    non-zeros (fast BLAS); otherwise β's column is gathered once per non-zero and reused.
    """

    def __init__(self, counts: sparse.csr_matrix, ids, exp_elog_beta: np.ndarray, beta_t: np.ndarray):
        self.matrix = counts if ids is None else counts[ids]
        self.rows = np.repeat(np.arange(self.matrix.shape[0]), np.diff(self.matrix.indptr))
        self.exp_elog_beta = exp_elog_beta
        self.dense = self.matrix.shape[0] * exp_elog_beta.shape[1] <= DENSE_PHINORM_ENTRIES
        if self.dense:
            self.flat = self.rows * exp_elog_beta.shape[1] + self.matrix.indices
        else:
            self.beta_nz = beta_t[self.matrix.indices]

    def phinorm(self, exp_theta: np.ndarray, eps: float) -> np.ndarray:
        """``phinorm`` at every non-zero, for the rows' ``exp E[log θ]`` (one row per matrix row)."""
        if self.dense:
            return (exp_theta @ self.exp_elog_beta).ravel().take(self.flat) + eps
        return np.einsum("ij,ij->i", exp_theta[self.rows], self.beta_nz) + eps


def batched_inference(
    counts: sparse.csr_matrix,
    exp_elog_beta: np.ndarray,
    alpha: np.ndarray,
    gamma: np.ndarray,
    iterations: int,
    gamma_threshold: float,
    collect_sstats: bool = False,
):
    """Variational E-step for all documents of ``counts`` at once.

    Parameters
    ----------
    counts : scipy.sparse.csr_matrix
        Documents × terms word counts.
    exp_elog_beta : numpy.ndarray
        ``exp(E[log β])``, topics × terms.
    alpha : numpy.ndarray
        Document-topic prior, one value per topic.
    gamma : numpy.ndarray
        Starting variational parameters, documents × topics (updated in place and returned).
    iterations, gamma_threshold
        At most ``iterations`` updates per document; a document stops once the mean absolute change
        of its γ falls below ``gamma_threshold``.
    collect_sstats : bool
        Also return the M-step's sufficient statistics (topics × terms); else ``None``.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray or None)
        ``gamma`` and the sufficient statistics.
    """
    dtype = gamma.dtype
    eps = np.finfo(dtype).eps
    beta_t = np.ascontiguousarray(exp_elog_beta.T)  # terms × topics: rows gathered per non-zero
    exp_theta = _exp_dirichlet_expectation(gamma)
    # The working set: documents whose rows are computed each iteration.  It may still hold
    # documents that have converged (``live`` False): their updates are computed but not kept.
    work_ids = np.arange(counts.shape[0])
    work = _WorkingSet(counts, None, exp_elog_beta, beta_t)
    live = np.ones(work_ids.size, dtype=bool)
    for _ in range(iterations):
        if not live.any():
            break
        theta_w = exp_theta[work_ids]
        matrix = work.matrix
        phinorm = work.phinorm(theta_w, eps)
        ratio = sparse.csr_matrix((matrix.data / phinorm, matrix.indices, matrix.indptr), shape=matrix.shape)
        new_gamma = alpha + theta_w * (ratio @ beta_t)
        positions = np.flatnonzero(live)
        ids = work_ids[positions]
        updated = new_gamma[positions]
        change = np.abs(updated - gamma[ids]).mean(axis=1)
        gamma[ids] = updated
        exp_theta[ids] = _exp_dirichlet_expectation(updated)
        live[positions[change < gamma_threshold]] = False
        n_live = int(live.sum())
        if 0 < n_live < COMPACT_BELOW * work_ids.size:
            work_ids = work_ids[live]
            work = _WorkingSet(counts, work_ids, exp_elog_beta, beta_t)
            live = np.ones(n_live, dtype=bool)
    if not collect_sstats:
        return gamma, None
    phinorm = _WorkingSet(counts, None, exp_elog_beta, beta_t).phinorm(exp_theta, eps)
    ratio = sparse.csr_matrix((counts.data / phinorm, counts.indices, counts.indptr), shape=counts.shape)
    sstats = np.asarray((ratio.T @ exp_theta).T, dtype=dtype) * exp_elog_beta
    return gamma, sstats


class BatchedLdaModel(LdaModel):
    """A gensim ``LdaModel`` whose ``inference`` is :func:`batched_inference` (see module docstring)."""

    def inference(self, chunk, collect_sstats=False):
        """Estimate γ (and optionally the sufficient statistics) for a chunk of bag-of-words documents.

        Same contract as :meth:`gensim.models.LdaModel.inference`.
        """
        if not isinstance(chunk, BowCorpus):
            chunk = list(chunk)
        gamma = self.random_state.gamma(100.0, 1.0 / 100.0, (len(chunk), self.num_topics))
        gamma = gamma.astype(self.dtype, copy=False)
        counts = bow_matrix(chunk, self.num_terms, self.dtype)
        return batched_inference(
            counts,
            self.expElogbeta,
            np.asarray(self.alpha, dtype=self.dtype),
            gamma,
            self.iterations,
            self.gamma_threshold,
            collect_sstats,
        )


class EngineMismatch(RuntimeError):
    """The batched E-step no longer computes what the installed gensim's ``LdaModel.inference`` does."""


_SELF_CHECKED = False


def self_check(tolerance: float = 1e-9) -> None:
    """Compare :func:`batched_inference` with the installed gensim's E-step on a tiny corpus, once.

    The batched E-step mirrors gensim internals (``inference``, the random start, ``state.sstats``);
    a gensim release that changes them would make every fitted model silently different from
    gensim's.  This takes a few milliseconds (12 passages, 8 terms, K = 3) and runs once per process.

    Raises
    ------
    EngineMismatch
        One line naming the gensim version and the largest difference.
    """
    global _SELF_CHECKED
    if _SELF_CHECKED:
        return
    import gensim

    words = ["政法", "法院", "检察", "公安", "司法", "改革", "平安", "治理"]
    rng = np.random.RandomState(0)
    texts = [[words[i] for i in rng.randint(0, len(words), size=rng.randint(3, 12))] for _ in range(12)]
    dictionary = Dictionary(texts)
    corpus = [dictionary.doc2bow(text) for text in texts]
    plain = LdaModel(id2word=dictionary, num_topics=3, random_state=1, dtype=np.float64)
    batched = BatchedLdaModel(id2word=dictionary, num_topics=3, random_state=1, dtype=np.float64)
    batched.state = plain.state
    plain.sync_state()  # exp(E[log β]) from λ for both (a new model's is from the raw statistics)
    batched.sync_state()
    plain.random_state, batched.random_state = np.random.RandomState(2), np.random.RandomState(2)
    expected = plain.inference(corpus, collect_sstats=True)
    found = batched.inference(corpus, collect_sstats=True)
    difference = max(float(np.max(np.abs(a - b))) for a, b in zip(expected, found, strict=True))
    if not difference <= tolerance:
        raise EngineMismatch(
            f"the fast LDA E-step does not match gensim {gensim.__version__}'s (largest difference "
            f"{difference:.3g} on a 12-passage check): install the gensim version pyproject.toml allows "
            "(pip install -e .) or report this; no model was fitted"
        )
    _SELF_CHECKED = True
