"""The config id of a run (provenance.json, every figure's stamp): the analysis, not where it ran."""

from __future__ import annotations

import copy

from zhengfa_trends.config import defaults
from zhengfa_trends.provenance import analysis_config, build_provenance, config_digest, figure_stamp


def _config():
    config = copy.deepcopy(defaults())
    config["lda"]["seeds"] = [1, 2]
    return config


def test_how_the_work_is_spread_does_not_change_the_config_id():
    laptop = _config()
    cluster = _config()
    cluster["lda"]["fit_jobs"] = "per_seed"
    cluster["segment"]["shards"] = 8
    cluster["segment"]["workers"] = 16
    cluster["corpus"]["workers"] = 16
    assert config_digest(laptop) == config_digest(cluster)
    assert figure_stamp(laptop) == figure_stamp(cluster)


def test_an_analysis_setting_changes_the_config_id():
    other = _config()
    other["lda"]["passes"] += 1
    assert config_digest(other) != config_digest(_config())
    other = _config()
    other["segment"]["hmm"] = not other["segment"]["hmm"]
    assert config_digest(other) != config_digest(_config())


def test_the_recorded_config_leaves_out_execution_keys_only():
    config = _config()
    recorded = build_provenance({}, config, chosen_k=4)["config"]
    assert "fit_jobs" not in recorded["lda"] and "shards" not in recorded["segment"]
    assert "workers" not in recorded["segment"] and "workers" not in recorded["corpus"]
    assert recorded["lda"]["passes"] == config["lda"]["passes"]
    assert set(recorded) == set(config)
    assert "fit_jobs" in config["lda"]  # the run's own config is not changed
    assert analysis_config(config) == recorded


def test_corpus_file_hashes_come_from_the_ledger_and_unread_files_are_hashed(tmp_path):
    import hashlib

    import pandas as pd

    from zhengfa_trends.files import readable_corpus_files
    from zhengfa_trends.provenance import corpus_file_hashes

    (tmp_path / "a.txt").write_text("政法工作", encoding="utf-8")
    (tmp_path / "scan.jpg").write_bytes(b"\xff\xd8\xff")
    (tmp_path / "sub").mkdir()
    ledger = pd.DataFrame(
        {
            "file": ["a.txt", "scan.jpg", "sub"],
            # the ingest's hash stands for the bytes it read; a file it did not read has none
            "sha256": ["ledger-hash-of-a", None, None],
        }
    )
    files = readable_corpus_files(tmp_path)
    assert [p.name for p in files] == ["a.txt", "scan.jpg"]
    hashes = corpus_file_hashes(files, ledger)
    assert hashes == {
        str(tmp_path / "a.txt"): "ledger-hash-of-a",
        str(tmp_path / "scan.jpg"): hashlib.sha256(b"\xff\xd8\xff").hexdigest(),
    }
    recorded = build_provenance({"documents": hashes, "style": []}, _config(), chosen_k=3)["inputs"]
    assert recorded["documents"] == hashes and recorded["style"] == {}
