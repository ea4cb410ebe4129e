"""A full disk or a read-only results folder stops a step with one ``zhengfa-trends:`` line naming
the path, no traceback (issue 14).  The disk is a real one: a 64 KiB tmpfs, or a read-only bind
mount, in a private mount namespace (``unshare -rm``)."""

from __future__ import annotations

import errno
import shutil
import subprocess
import sys

import pytest

from zhengfa_trends.log import storage_message

STEP = """
import pandas as pd
from zhengfa_trends.io import write_tsv
from zhengfa_trends.log import run_script
table = pd.DataFrame({"doc_id": [f"doc{i}" for i in range(20000)], "text": ["政法工作" * 10] * 20000})
run_script(None, lambda: write_tsv(table, "out/big.tsv"))
"""


def _in_namespace(tmp_path, mount: str) -> subprocess.CompletedProcess:
    if shutil.which("unshare") is None:
        pytest.skip("unshare (util-linux) is not installed")
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("private mount namespaces are not allowed here")
    (tmp_path / "out").mkdir()
    script = f"{mount} && {sys.executable} -c '{STEP}'"
    return subprocess.run(
        ["unshare", "-rm", "sh", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )


def test_a_full_disk_stops_with_one_line_naming_the_file(tmp_path):
    result = _in_namespace(tmp_path, "mount -t tmpfs -o size=64k tmpfs out")
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("zhengfa-trends: no space left on the device while writing out/big.tsv: ")
    assert "Traceback" not in result.stderr


def test_a_read_only_results_folder_stops_with_one_line(tmp_path):
    result = _in_namespace(tmp_path, "mount --bind -o ro out out")
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("zhengfa-trends: the file system is read-only while writing out/big.tsv")


def test_other_os_errors_are_not_dressed_up():
    assert storage_message(OSError(errno.EIO, "Input/output error", "x")) is None
    message = storage_message(OSError(errno.ENOSPC, "No space left on device"), ["results/lda/k2/a.npy"])
    assert message.startswith("no space left on the device while writing results/lda/k2: free space")
