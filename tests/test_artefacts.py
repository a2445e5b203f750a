"""validation/artefacts.py: the studies' raw results as one xz-compressed tar per study, read transparently
(plain file first, then the archive); packing is lossless and deterministic; the results tree stays small."""
from __future__ import annotations

import io
import json
import os

import numpy as np
import pytest

from validation import artefacts as A

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def toy(tmp_path, monkeypatch):
    results, store = tmp_path / "results", tmp_path / "artefacts"
    (results / "toy" / "raw").mkdir(parents=True)
    monkeypatch.setattr(A, "RESULTS", str(results))
    monkeypatch.setattr(A, "RAW", {"toy": ("toy/raw_*.json", "toy/raw/*")})
    monkeypatch.setenv("RMT_QGM_ARTEFACTS", str(store))
    A._CACHE.clear()
    return results


def _write(path, text):
    path.write_text(text, encoding="utf-8")


def test_pack_moves_raw_files_reads_them_back_and_keeps_summaries(toy):
    _write(toy / "toy" / "summary.json", '{"s": 1}')
    _write(toy / "toy" / "raw_a.json", '{"a": [1, 2.5]}')
    buf = io.BytesIO()
    np.savez(buf, x=np.arange(3.0))
    (toy / "toy" / "raw" / "b.npz").write_bytes(buf.getvalue())
    assert A.pack("toy") == (2, 2)
    assert sorted(os.listdir(toy / "toy")) == ["summary.json"]           # raw files gone, the summary stays
    assert A.exists(str(toy / "toy" / "raw_a.json")) and not A.exists(str(toy / "toy" / "raw_c.json"))
    assert A.load_json(str(toy / "toy" / "raw_a.json")) == {"a": [1, 2.5]}
    np.testing.assert_array_equal(A.load_npz(str(toy / "toy" / "raw" / "b.npz"))["x"], np.arange(3.0))
    with pytest.raises(FileNotFoundError):
        A.read_bytes(str(toy / "toy" / "raw_c.json"))
    # a plain file (a new run's output) wins over the archived one; packing it again replaces the member
    _write(toy / "toy" / "raw_a.json", '{"a": "new"}')
    assert A.load_json(str(toy / "toy" / "raw_a.json")) == {"a": "new"}
    first = open(A.archive_path("toy"), "rb").read()
    assert A.pack("toy") == (1, 2)
    assert A.load_json(str(toy / "toy" / "raw_a.json")) == {"a": "new"} and open(A.archive_path("toy"), "rb").read() != first
    assert A.unpack("toy") == 2 and json.loads((toy / "toy" / "raw_a.json").read_text()) == {"a": "new"}


def test_packing_is_deterministic(toy):
    _write(toy / "toy" / "raw_a.json", "[1]")
    A.pack("toy")
    once = open(A.archive_path("toy"), "rb").read()
    A.unpack("toy")
    os.utime(toy / "toy" / "raw_a.json", (1, 1))
    A.pack("toy")
    assert open(A.archive_path("toy"), "rb").read() == once


def test_paths_outside_the_results_are_never_looked_up_in_an_archive(toy, tmp_path):
    assert not A.exists(str(tmp_path / "elsewhere.json"))


def test_the_shipped_archives_hold_the_studies_raw_files():
    m = {s: A.members(s) for s in A.RAW}
    assert len(m["circuit_model_cache"]) >= 400 and len(m["basin_weighting"]) >= 40 and len(m["paper-fig1"]) > 1000
    # read as the studies read them: a circuit-model replicate of the table, an n = 3 enumeration, an array file
    from validation.circuit_model_cache import _cache_file
    from validation.empirical_ci_coverage import OUT
    entry = A.load_json(_cache_file(4, 8, "fidelity", 2026))
    assert entry["n"] == 4 and entry["p"] == 8 and "median" in entry["minima"]
    assert A.load_json(os.path.join(A.RESULTS, "basin_gamma_law", "enum_n3_p4_fidelity.json"))["per_instance"]
    assert A.load_npz(os.path.join(OUT, "n4_p16_fidelity_s4242.npz"))


def test_the_results_tree_stays_small():
    # summaries in git, raw files in the archives (issue 21 item 3: at most 5 MB of results in the tree)
    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(os.path.join(ROOT, "validation", "results"))
                for f in fs)
    assert total <= 5e6, f"validation/results holds {total / 1e6:.1f} MB: pack raw files (python -m validation.artefacts pack)"
