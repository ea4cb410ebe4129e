"""Content-addressed caches in one SQLite file each (the cleaning and the segmentation cache).

An entry's key hashes the content it was computed from and a fingerprint of every setting (and
code version) that affects the result, so an entry is valid exactly as long as neither changed: no
bookkeeping of "which documents are new" is needed, and a corpus of 20,000+ documents costs one table
row each instead of one Snakemake job or one small file each.  One file instead of one per document,
because creating thousands of small files is slow on some file systems (0.7 ms each on the benchmark
machines); new entries are written in one transaction, so an interrupted run leaves the cache as it
was.  A cache file that cannot be read is started afresh.  Python's built-in ``sqlite3`` only.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import sqlite3
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger(__name__)


class ContentCache:
    """Text payloads keyed by content hash, tagged with the settings fingerprint they were made under.

    Parameters
    ----------
    folder : path
        Cache folder (created on demand); the entries live in ``folder/<file_name>``.
    fingerprint : str
        Hex digest of the settings the entries depend on.
    file_name : str
    """

    def __init__(self, folder: str | Path, fingerprint: str, file_name: str):
        self.base = Path(folder)
        self.fingerprint = fingerprint
        self.path = self.base / file_name
        self._pending: list[tuple[str, str, int, str]] = []
        self._connection: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            self.base.mkdir(parents=True, exist_ok=True)
            try:
                self._connection = self._open()
            except sqlite3.DatabaseError as error:
                log.warning("cache %s is unreadable (%s): starting a new one", self.path, error)
                self.path.unlink(missing_ok=True)
                self._connection = self._open()
        return self._connection

    def _open(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path)
        connection.execute(
            "CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, "
            "n_items INTEGER NOT NULL, payload TEXT NOT NULL)"
        )
        connection.execute("SELECT count(*) FROM entries").fetchone()  # fails early on a damaged file
        return connection

    def key(self, parts: Iterable[str]) -> str:
        """Key of an entry computed from ``parts`` (strings) under these settings."""
        digest = hashlib.sha256(self.fingerprint.encode("ascii"))
        for part in parts:
            digest.update(b"\x1e")
            digest.update(part.encode("utf-8"))
        return digest.hexdigest()

    def get_payload(self, key: str) -> tuple[int, str] | None:
        """``(n_items, payload)`` of an entry, or None."""
        row = self._connect().execute("SELECT n_items, payload FROM entries WHERE key = ?", (key,)).fetchone()
        return None if row is None else (int(row[0]), row[1])

    def put_payload(self, key: str, n_items: int, payload: str) -> None:
        """Queue an entry; :meth:`flush` writes the queued entries."""
        self._pending.append((key, self.fingerprint, n_items, payload))

    def flush(self) -> None:
        """Write the queued entries in one transaction (all or nothing)."""
        if not self._pending:
            return
        connection = self._connect()
        with connection:
            connection.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?)", self._pending)
        self._pending = []

    def count(self) -> int:
        """Number of stored entries made under these settings."""
        query = "SELECT count(*) FROM entries WHERE fingerprint = ?"
        return int(self._connect().execute(query, (self.fingerprint,)).fetchone()[0])

    def prune(self) -> int:
        """Delete the entries made under other settings (they can never be hit again); return how many.

        Without this the cache would grow with every settings edit.  Folders left in the cache folder
        by an earlier one-file-per-document layout are removed too.
        """
        for child in self.base.iterdir() if self.base.is_dir() else ():
            if child.is_dir():
                shutil.rmtree(child)
        connection = self._connect()
        with connection:
            removed = connection.execute("DELETE FROM entries WHERE fingerprint != ?", (self.fingerprint,))
        if removed.rowcount:
            connection.execute("VACUUM")
        return removed.rowcount

    def close(self) -> None:
        """Write what is queued and close the file."""
        self.flush()
        if self._connection is not None:
            self._connection.close()
            self._connection = None
