"""Content-addressed caches in one SQLite file each (the cleaning and the segmentation cache).

An entry's key hashes the content it was computed from and a fingerprint of every setting (and
code version) that affects the result, so an entry is valid exactly as long as neither changed: no
bookkeeping of "which documents are new" is needed, and a corpus of 20,000+ documents costs one table
row each instead of one Snakemake job or one small file each.  One file instead of one per document,
because creating thousands of small files is slow on some file systems (0.7 ms each on the benchmark
machines); new entries are written in one transaction, so an interrupted run leaves the cache as it
was.  Python's built-in ``sqlite3`` only.

A cache never serves what it cannot vouch for:

* every entry carries a checksum of its key, item count and payload; an entry that fails it is a
  miss (recomputed, and replaced when the new entries are written);
* a file SQLite cannot read (a damaged page: "database disk image is malformed") or cannot write
  (read-only, "attempt to write a readonly database") is set aside — renamed to
  ``<name>.damaged-<n>``, never deleted — and a new file is started; the entries of the old file
  that can still be read and pass their checksum are carried over;
* each of these is reported once per cache and run, with the file's path.

The results of a run are therefore those of a cold run, whatever happened to the cache file.
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
import sqlite3
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger(__name__)

# Names a cache folder may hold that belong to the caches: their SQLite files (with SQLite's own
# journal files) and the files set aside after damage.  Everything else is foreign and left alone.
OWN_NAME = re.compile(r"^[A-Za-z0-9_]+\.sqlite(?:-journal|-wal|-shm|\.damaged-\d+)?$")
# The one-file-per-document layout of earlier versions: <fingerprint[:16]>/<key[:2]>/<key>.txt.
_LEGACY_FOLDER = re.compile(r"^[0-9a-f]{16}$")
_LEGACY_SUBFOLDER = re.compile(r"^[0-9a-f]{2}$")
_LEGACY_FILE = re.compile(r"^[0-9a-f]+\.txt$")
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, "
    "n_items INTEGER NOT NULL, payload TEXT NOT NULL, checksum TEXT NOT NULL)"
)
_COLUMNS = ["key", "fingerprint", "n_items", "payload", "checksum"]


class CacheUnusable(Exception):
    """A cache file could not be opened, read or written even after it was set aside."""


def entry_checksum(key: str, n_items: int, payload: str) -> str:
    """sha256 over an entry's key, item count and payload (stored beside them, checked on read)."""
    digest = hashlib.sha256(key.encode("utf-8"))
    digest.update(b"\x1e%d\x1e" % n_items)
    digest.update(payload.encode("utf-8"))
    return digest.hexdigest()


def _is_legacy_folder(path: Path) -> bool:
    """True for a folder of the earlier one-file-per-document layout (and nothing else in it)."""
    if not (path.is_dir() and not path.is_symlink() and _LEGACY_FOLDER.match(path.name)):
        return False
    for sub in path.iterdir():
        if not (sub.is_dir() and not sub.is_symlink() and _LEGACY_SUBFOLDER.match(sub.name)):
            return False
        if not all(f.is_file() and _LEGACY_FILE.match(f.name) for f in sub.iterdir()):
            return False
    return True


class ContentCache:
    """Text payloads keyed by content hash, tagged with the settings fingerprint they were made under.

    Parameters
    ----------
    folder : path
        Cache folder (created on demand); the entries live in ``folder/<file_name>``.
    fingerprint : str
        Hex digest of the settings the entries depend on.
    file_name : str
        Must match :data:`OWN_NAME` (``<word>.sqlite``), so that pruning knows the file as its own.
    """

    def __init__(self, folder: str | Path, fingerprint: str, file_name: str):
        if not OWN_NAME.match(file_name) or not file_name.endswith(".sqlite"):
            raise ValueError(f"cache file name {file_name!r} is not of the form <word>.sqlite")
        self.base = Path(folder)
        self.fingerprint = fingerprint
        self.path = self.base / file_name
        self._pending: list[tuple[str, str, int, str, str]] = []
        self._connection: sqlite3.Connection | None = None
        self._disabled = False  # set aside and could not be replaced: works as no cache
        self._bad_entries = 0

    # --- opening and setting aside -----------------------------------------------------------

    def _connect(self) -> sqlite3.Connection | None:
        if self._disabled:
            return None
        if self._connection is None:
            try:
                self.base.mkdir(parents=True, exist_ok=True)
                self._connection = self._open()
            except (sqlite3.Error, OSError) as error:
                self._set_aside(error, salvage=False)
        return self._connection

    def _open(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path)
        # Undecodable text is a damaged entry (it fails its checksum), not an error of the whole file.
        connection.text_factory = lambda data: data.decode("utf-8", "replace")
        try:
            columns = [row[1] for row in connection.execute("PRAGMA table_info(entries)")]
            if columns and columns != _COLUMNS:
                # An earlier layout without checksums: its entries cannot be verified.
                log.info("cache %s: entries of an earlier layout (no checksums) removed", self.path)
                with connection:
                    connection.execute("DROP TABLE entries")
            connection.execute(_SCHEMA)
            connection.execute("SELECT count(*) FROM entries").fetchone()  # fails early on a damaged file
        except BaseException:
            connection.close()
            raise
        return connection

    def _set_aside(self, error: Exception, salvage: bool = True) -> None:
        """Rename the unusable file to ``<name>.damaged-<n>``, start a new one, carry over good entries.

        If even a new file cannot be made (read-only folder, full disk), the cache is off for the
        rest of this run: lookups miss, writes are dropped, and the results are still correct.
        """
        old = self._connection
        self._connection = None
        target = None
        try:
            if old is not None:
                old.close()
            if self.path.exists():
                number = 1
                while (self.path.parent / f"{self.path.name}.damaged-{number}").exists():
                    number += 1
                target = self.path.parent / f"{self.path.name}.damaged-{number}"
            if target is not None:
                self.path.rename(target)
                for suffix in ("-journal", "-wal", "-shm"):
                    journal = self.path.with_name(self.path.name + suffix)
                    if journal.exists():
                        journal.rename(target.with_name(target.name + suffix))
            self.base.mkdir(parents=True, exist_ok=True)
            self._connection = self._open()
        except (sqlite3.Error, OSError) as second:
            log.warning(
                "cache %s cannot be used (%s; then %s): this run works without it", self.path, error, second
            )
            self._connection = None
            self._disabled = True
            return
        carried = self._salvage(target) if salvage and target is not None else 0
        log.warning(
            "cache %s could not be used (%s): set aside as %s, a new one started (%d readable entries "
            "carried over; the others are recomputed)",
            self.path,
            error,
            target.name if target is not None else "nothing to set aside",
            carried,
        )

    def _salvage(self, damaged: Path) -> int:
        """Copy the entries of a damaged file that can be read and pass their checksum; return how many."""
        good = []
        try:
            source = sqlite3.connect(f"file:{damaged}?mode=ro", uri=True)
        except sqlite3.Error:
            return 0
        try:
            last = source.execute("SELECT max(rowid) FROM entries").fetchone()[0] or 0
            for rowid in range(1, min(int(last), 10_000_000) + 1):
                try:
                    row = source.execute(
                        f"SELECT {', '.join(_COLUMNS)} FROM entries WHERE rowid = ?", (rowid,)
                    ).fetchone()
                except sqlite3.Error:
                    continue
                if row is not None and _valid(row):
                    good.append(tuple(row))
        except sqlite3.Error:
            pass
        finally:
            source.close()
        if good and self._connection is not None:
            try:
                with self._connection:
                    self._connection.executemany(
                        "INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?)", good
                    )
            except sqlite3.Error:
                return 0
        return len(good)

    def _query(self, sql: str, parameters: tuple = ()) -> list:
        """Rows of a read query; a damaged file is set aside and the query answered by the new one."""
        for _attempt in range(2):
            connection = self._connect()
            if connection is None:
                return []
            try:
                return connection.execute(sql, parameters).fetchall()
            except sqlite3.DatabaseError as error:
                self._set_aside(error)
        return []

    # --- entries -----------------------------------------------------------------------------

    def key(self, parts: Iterable[str]) -> str:
        """Key of an entry computed from ``parts`` (strings) under these settings."""
        digest = hashlib.sha256(self.fingerprint.encode("ascii"))
        for part in parts:
            digest.update(b"\x1e")
            digest.update(part.encode("utf-8"))
        return digest.hexdigest()

    def get_payload(self, key: str) -> tuple[int, str] | None:
        """``(n_items, payload)`` of an entry, or None (missing, or failing its checksum)."""
        rows = self._query(f"SELECT {', '.join(_COLUMNS)} FROM entries WHERE key = ?", (key,))
        if not rows:
            return None
        row = rows[0]
        if row[1] != self.fingerprint or not _valid(row):
            if row[1] == self.fingerprint:
                self._bad_entries += 1  # reported once, by close()
            return None
        return int(row[2]), row[3]

    def put_payload(self, key: str, n_items: int, payload: str) -> None:
        """Queue an entry; :meth:`flush` writes the queued entries."""
        self._pending.append((key, self.fingerprint, n_items, payload, entry_checksum(key, n_items, payload)))

    def flush(self) -> None:
        """Write the queued entries in one transaction (all or nothing).

        A file that cannot be written (read-only, damaged) is set aside and the entries go to a new
        one; if that fails too they are dropped (the cache is only a shortcut).
        """
        if not self._pending:
            return
        for _attempt in range(2):
            connection = self._connect()
            if connection is None:
                break
            try:
                with connection:
                    connection.executemany(
                        "INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?)", self._pending
                    )
                break
            except sqlite3.DatabaseError as error:  # OperationalError (read-only, full) is a subclass
                self._set_aside(error)
        self._pending = []

    def count(self) -> int:
        """Number of stored entries made under these settings."""
        rows = self._query("SELECT count(*) FROM entries WHERE fingerprint = ?", (self.fingerprint,))
        return int(rows[0][0]) if rows else 0

    def prune(self) -> int:
        """Delete the entries made under other settings (they can never be hit again); return how many.

        Without this the cache would grow with every settings edit.  Only the cache's own things are
        deleted: rows of its table, and folders of the earlier one-file-per-document layout.  Any
        other file or folder in the cache folder is left alone and reported in one warning.
        """
        foreign = []
        for child in sorted(self.base.iterdir()) if self.base.is_dir() else ():
            if _is_legacy_folder(child):
                shutil.rmtree(child)
            elif not OWN_NAME.match(child.name) or not child.is_file():
                foreign.append(child.name)
        if foreign:
            log.warning(
                "cache folder %s holds %d entries it did not make (left alone): %s",
                self.base,
                len(foreign),
                ", ".join(foreign[:5]) + (", …" if len(foreign) > 5 else ""),
            )
        for _attempt in range(2):
            connection = self._connect()
            if connection is None:
                return 0
            try:
                with connection:
                    removed = connection.execute(
                        "DELETE FROM entries WHERE fingerprint != ?", (self.fingerprint,)
                    ).rowcount
                if removed:
                    connection.execute("VACUUM")
                return removed
            except sqlite3.DatabaseError as error:
                self._set_aside(error)
        return 0

    def close(self) -> None:
        """Write what is queued and close the file."""
        self.flush()
        if self._bad_entries:
            log.warning(
                "cache %s: %d entries failed their checksum and were recomputed", self.path, self._bad_entries
            )
        self._bad_entries = 0
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _valid(row) -> bool:
    key, _fingerprint, n_items, payload, checksum = row
    try:
        return checksum == entry_checksum(key, int(n_items), payload)
    except (TypeError, ValueError, AttributeError):
        return False
