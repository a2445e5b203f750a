"""rmt_qgm/theory/models/circuit_cache.py: a cached circuit-model replicate is reused while the sources or the
model's fingerprint are unchanged, and recomputed when the model's numbers change; the studies' cache
(validation/circuit_model_cache.py) is valid under the current sources and reproduces its stored entries."""
import pytest

from rmt_qgm.theory.models import circuit_cache as cc
from rmt_qgm.theory.models.spherical import CORRECTED_LADDER, LEGACY_LADDER


@pytest.fixture
def fake(monkeypatch, tmp_path):
    """A cache in tmp_path and a stand-in replicate whose output is ``state["offset"] + n + p`` (calls counted)."""
    state = {"offset": 0.0, "calls": 0, "source": "a" * 64}

    def replicate(n, p, ham, seed, n_mc, version):
        state["calls"] += 1
        return {"median": state["offset"] + n + p + 1e-15 * seed + 10 * version, "pdf": [[0.0, 1.0]]}
    monkeypatch.setattr(cc, "replicate", replicate)
    monkeypatch.setattr(cc, "source_hash", lambda: state["source"])
    cc.model_fingerprint.cache_clear()
    state["cache"] = cc.ReplicateCache(str(tmp_path), LEGACY_LADDER)
    yield state
    cc.model_fingerprint.cache_clear()


def test_entry_reused_while_sources_unchanged(fake):
    m = fake["cache"].minima(4, 8, "fidelity", 1)
    calls = fake["calls"]
    assert fake["cache"].minima(4, 8, "fidelity", 1) == m and fake["calls"] == calls


def test_edited_sources_with_the_same_numbers_keep_the_cache(fake):
    fake["cache"].minima(4, 8, "fidelity", 1)
    fake["source"] = "b" * 64                      # a refactor: other sources, same numbers
    cc.model_fingerprint.cache_clear()
    calls = fake["calls"]
    fake["cache"].minima(4, 8, "fidelity", 1)
    # only the fingerprint probes ran, not the row itself
    assert fake["calls"] - calls == len(cc.FINGERPRINT_PROBES)


def test_changed_numbers_invalidate_the_cache(fake):
    old = fake["cache"].minima(4, 8, "fidelity", 1)
    fake["source"] = "c" * 64
    fake["offset"] = 1e-6                          # the model's output moves in the 7th digit
    cc.model_fingerprint.cache_clear()
    new = fake["cache"].minima(4, 8, "fidelity", 1)
    assert new["median"] == pytest.approx(old["median"] + 1e-6, abs=1e-12)
    known = fake["cache"].known_fingerprints()
    assert known["c" * 64] != known["a" * 64]


def test_fingerprint_ignores_last_bit_noise(fake):
    fp = cc.model_fingerprint(LEGACY_LADDER)
    fake["offset"] = 1e-14                         # below FINGERPRINT_DIGITS significant digits of n + p
    cc.model_fingerprint.cache_clear()
    assert cc.model_fingerprint(LEGACY_LADDER) == fp


def test_an_entry_of_another_ladder_version_is_not_reused(fake, tmp_path):
    fake["cache"].minima(4, 8, "fidelity", 1)
    other = cc.ReplicateCache(str(tmp_path), CORRECTED_LADDER)
    calls = fake["calls"]
    assert other.minima(4, 8, "fidelity", 1)["median"] == pytest.approx(4 + 8 + 20, abs=1e-12)
    assert fake["calls"] > calls


def test_bad_version_is_refused(tmp_path):
    with pytest.raises(ValueError, match="version"):
        cc.ReplicateCache(str(tmp_path), 3)


def test_the_studies_cache_is_valid_and_reproduces_a_stored_entry():
    # the committed entries count as valid under the current sources (their fingerprint is recorded), and the
    # current code reproduces one of them from its seed (last-bit differences between hosts aside)
    from validation import artefacts
    from validation import circuit_model_cache as cmc
    f = cmc._cache_file(4, 4, "fidelity", 4026)
    entry = artefacts.load_json(f)
    assert cmc.CACHE.entry_valid(entry)
    new = cc.replicate(4, 4, "fidelity", 4026, entry["n_mc"], LEGACY_LADDER)
    for k in ("median", "q10", "q90", "mean"):
        assert new[k] == pytest.approx(entry["minima"][k], rel=1e-9)
