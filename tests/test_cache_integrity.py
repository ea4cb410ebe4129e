"""Caches that verify themselves (issue 14): damaged pages, altered payloads, unwritable files and
foreign files in the cache folder never change a result; each is reported once, naming the file."""

from __future__ import annotations

import logging
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from zhengfa_trends.cache import ContentCache
from zhengfa_trends.config import default
from zhengfa_trends.tokenize import SegmentationCache, segment_documents, settings_fingerprint

FINGERPRINT = "f" * 64


def _fill(folder, n=400) -> dict[str, str]:
    """A cache of ``n`` entries (about 300 KiB, so a 4 KiB page in the middle holds entries)."""
    cache = ContentCache(folder, FINGERPRINT, "things.sqlite")
    expected = {}
    for i in range(n):
        key = cache.key([f"document {i}"])
        payload = f"政法 工作 {i} " * 40 + "\n"
        cache.put_payload(key, 1, payload)
        expected[key] = payload
    cache.close()
    return expected


def _served(folder, expected) -> dict[str, str | None]:
    cache = ContentCache(folder, FINGERPRINT, "things.sqlite")
    served = {}
    for key in expected:
        entry = cache.get_payload(key)
        served[key] = None if entry is None else entry[1]
        if entry is None:  # a miss is recomputed and stored, as the ingest and segmentation do
            cache.put_payload(key, 1, expected[key])
    cache.close()
    return served


def _warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_garbage_in_the_middle_of_the_file_is_never_served(tmp_path, caplog):
    expected = _fill(tmp_path)
    path = tmp_path / "things.sqlite"
    size = path.stat().st_size
    assert size > 64 * 1024
    with open(path, "r+b") as handle:
        handle.seek(size // 2 // 4096 * 4096)
        handle.write(bytes((i * 37 + 11) % 256 for i in range(4096)))
    served = _served(tmp_path, expected)
    # Whatever SQLite could still read is served only if it is exactly what was stored.
    assert all(value is None or value == expected[key] for key, value in served.items())
    assert sum(value is None for value in served.values()) > 0
    warnings = _warnings(caplog)
    assert len(warnings) == 1, warnings
    assert str(path) in warnings[0]
    # The next run is served everything, from a healthy file (the damaged one is kept beside it).
    caplog.clear()
    assert _served(tmp_path, expected) == expected
    assert _warnings(caplog) == []
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_an_altered_payload_is_recomputed_with_one_warning(tmp_path, caplog):
    expected = _fill(tmp_path, n=50)
    connection = sqlite3.connect(tmp_path / "things.sqlite")
    with connection:
        # 20 entries altered in place: a token replaced, the count and checksum left as they were.
        connection.execute(
            "UPDATE entries SET payload = replace(payload, '工作', '工厂') "
            "WHERE rowid IN (SELECT rowid FROM entries ORDER BY key LIMIT 20)"
        )
    connection.close()
    served = _served(tmp_path, expected)
    assert sum(value is None for value in served.values()) == 20
    assert all(value is None or value == expected[key] for key, value in served.items())
    warnings = _warnings(caplog)
    assert len(warnings) == 1
    assert "20 entries failed their checksum" in warnings[0]
    assert str(tmp_path / "things.sqlite") in warnings[0]
    assert _served(tmp_path, expected) == expected  # replaced by the recomputed entries


def test_segmentation_after_altered_tokens_equals_a_cold_run(default_ingest, segmenter_settings, tmp_path):
    passages = default_ingest.passages
    ids, texts = passages["doc_id"].to_list(), passages["text"].to_list()
    cold, _ = segment_documents(
        ids, texts, segmenter_settings, workers=1, chunk_chars=default("segment.chunk_chars")
    )
    cache = SegmentationCache(tmp_path, settings_fingerprint(segmenter_settings))
    segment_documents(
        ids, texts, segmenter_settings, cache=cache, workers=1, chunk_chars=default("segment.chunk_chars")
    )
    cache.close()
    connection = sqlite3.connect(cache.path)
    with connection:
        connection.execute("UPDATE entries SET payload = replace(payload, '政法', '攻法')")
    connection.close()
    cache = SegmentationCache(tmp_path, settings_fingerprint(segmenter_settings))
    warm, stats = segment_documents(
        ids, texts, segmenter_settings, cache=cache, workers=1, chunk_chars=default("segment.chunk_chars")
    )
    cache.close()
    assert warm == cold
    assert stats["segmented"] >= 1


UNWRITABLE_RUN = """
import logging, sys
from zhengfa_trends.cache import ContentCache
logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
cache = ContentCache(sys.argv[1], sys.argv[2], "things.sqlite")
assert cache.get_payload(cache.key(["document 0"])) is not None
cache.put_payload(cache.key(["new"]), 1, "新 条目\\n")
cache.close()
"""


@pytest.fixture
def public_tmp():
    """A folder any user can enter (pytest's own are private to root)."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="zhengfa-cache-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_an_unwritable_cache_file_is_set_aside_and_rebuilt(public_tmp):
    import os
    import sys

    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to run the cache as a user who may not write the file")
    folder = public_tmp / "cache"
    _fill(folder, n=20)
    path = folder / "things.sqlite"
    # A user's read-only file in the user's own folder (as root, permissions would not apply).
    os.chown(folder, 65534, 65534)
    os.chown(path, 65534, 65534)
    path.chmod(0o444)
    command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    command += [sys.executable, "-c", UNWRITABLE_RUN, str(folder), FINGERPRINT]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("WARNING")]
    assert len(warnings) == 1, result.stderr
    assert "readonly" in warnings[0] and str(path) in warnings[0]
    assert (folder / "things.sqlite.damaged-1").is_file()  # renamed, not deleted
    again = ContentCache(folder, FINGERPRINT, "things.sqlite")
    assert again.get_payload(again.key(["new"])) == (1, "新 条目\n")
    assert again.count() == 21  # the readable entries were carried over


def test_a_cache_that_cannot_be_replaced_is_skipped_not_fatal(tmp_path, caplog):
    folder = tmp_path / "cache"
    expected = _fill(folder, n=5)
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available here")
    try:
        (folder / "things.sqlite").write_bytes(b"\0" * 8192)  # damaged, and the folder is immutable
    except OSError:
        pass
    try:
        served = _served(folder, expected)
    finally:
        subprocess.run(["chattr", "-i", str(folder)], capture_output=True)
    assert all(value is None or value == expected[key] for key, value in served.items())
    warnings = _warnings(caplog)
    assert len(warnings) == 1 and str(folder / "things.sqlite") in warnings[0]


def test_a_file_deleted_during_the_run_is_replaced(tmp_path, caplog):
    expected = _fill(tmp_path, n=5)
    cache = ContentCache(tmp_path, FINGERPRINT, "things.sqlite")
    assert cache.count() == 5
    (tmp_path / "things.sqlite").unlink()
    cache.put_payload(cache.key(["after"]), 1, "之后\n")
    cache.close()
    again = ContentCache(tmp_path, FINGERPRINT, "things.sqlite")
    assert again.get_payload(again.key(["after"])) == (1, "之后\n")
    assert not any(again.get_payload(key) for key in expected)


def test_prune_deletes_only_its_own_entries_and_reports_foreign_ones(tmp_path, caplog):
    _fill(tmp_path, n=3)
    (tmp_path / "my notes.txt").write_text("keep me", encoding="utf-8")
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "things.sqlite").write_bytes(b"x")
    (tmp_path / "0123456789abcdef").mkdir()  # a hex name, but not the old layout: it holds a PDF
    (tmp_path / "0123456789abcdef" / "paper.pdf").write_bytes(b"%PDF")
    legacy = tmp_path / "fedcba9876543210" / "ab"
    legacy.mkdir(parents=True)
    (legacy / "ab12.txt").write_text("政法\n", encoding="utf-8")
    other = ContentCache(tmp_path, "e" * 64, "things.sqlite")
    assert other.prune() == 3
    other.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "0123456789abcdef",
        "backup",
        "my notes.txt",
        "things.sqlite",
    ]
    assert (tmp_path / "backup" / "things.sqlite").read_bytes() == b"x"
    warnings = _warnings(caplog)
    assert len(warnings) == 1
    assert "3 entries it did not make (left alone): 0123456789abcdef, backup, my notes.txt" in warnings[0]


def test_a_cache_of_the_layout_without_checksums_is_emptied_not_served(tmp_path):
    path = tmp_path / "things.sqlite"
    connection = sqlite3.connect(path)
    with connection:
        connection.execute(
            "CREATE TABLE entries (key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, "
            "n_items INTEGER NOT NULL, payload TEXT NOT NULL)"
        )
        connection.execute("INSERT INTO entries VALUES ('k', ?, 1, 'old')", (FINGERPRINT,))
    connection.close()
    cache = ContentCache(tmp_path, FINGERPRINT, "things.sqlite")
    assert cache.get_payload("k") is None
    assert cache.count() == 0


def test_set_aside_files_are_kept_by_prune(tmp_path):
    _fill(tmp_path, n=2)
    shutil.copy(tmp_path / "things.sqlite", tmp_path / "things.sqlite.damaged-1")
    cache = ContentCache(tmp_path, FINGERPRINT, "things.sqlite")
    cache.prune()
    cache.close()
    assert (tmp_path / "things.sqlite.damaged-1").is_file()
