"""validation/circuit_model_cache.py: a cached circuit-model replicate is reused while the sources or the
model's fingerprint are unchanged, and recomputed when the model's numbers change."""
import pytest

from validation import circuit_model_cache as cmc


@pytest.fixture
def fake(monkeypatch, tmp_path):
    """A cache in tmp_path and a stand-in predict_raw whose output is ``state["offset"] + n + p`` (calls counted)."""
    import importlib
    # the module itself: once rmt_qgm.theory has lazily exported its function ``predict``, the attribute
    # rmt_qgm.theory.predict is that function, and ``import rmt_qgm.theory.predict as tp`` would bind it
    tp = importlib.import_module("rmt_qgm.theory.predict")
    state = {"offset": 0.0, "calls": 0, "source": "a" * 64}

    def predict(n, p, hamiltonian="fidelity", model="circuit", seed=0, n_mc=8000, ladder="auto"):
        assert ladder == cmc.LADDER                  # the cache's entries are plain-ladder predictions
        state["calls"] += 1
        return {"minima": {"median": state["offset"] + n + p + 1e-15 * seed, "pdf": [[0.0, 1.0]]}}
    monkeypatch.setattr(tp, "predict_raw", predict)
    monkeypatch.setattr(cmc, "CIRCUIT_CACHE", str(tmp_path))
    monkeypatch.setattr(cmc, "source_hash", lambda: state["source"])
    cmc.model_fingerprint.cache_clear()
    yield state
    cmc.model_fingerprint.cache_clear()


def test_entry_reused_while_sources_unchanged(fake):
    m = cmc.circuit_minima(4, 8, "fidelity", 1)
    calls = fake["calls"]
    assert cmc.circuit_minima(4, 8, "fidelity", 1) == m and fake["calls"] == calls


def test_edited_sources_with_the_same_numbers_keep_the_cache(fake):
    cmc.circuit_minima(4, 8, "fidelity", 1)
    fake["source"] = "b" * 64                      # a refactor: other sources, same numbers
    cmc.model_fingerprint.cache_clear()
    calls = fake["calls"]
    cmc.circuit_minima(4, 8, "fidelity", 1)
    # only the fingerprint probes ran, not the row itself
    assert fake["calls"] - calls == len(cmc.FINGERPRINT_PROBES)


def test_changed_numbers_invalidate_the_cache(fake):
    old = cmc.circuit_minima(4, 8, "fidelity", 1)
    fake["source"] = "c" * 64
    fake["offset"] = 1e-6                          # the model's output moves in the 7th digit
    cmc.model_fingerprint.cache_clear()
    new = cmc.circuit_minima(4, 8, "fidelity", 1)
    assert new["median"] == pytest.approx(old["median"] + 1e-6, abs=1e-12)
    assert cmc.known_fingerprints()["c" * 64] != cmc.known_fingerprints()["a" * 64]


def test_fingerprint_ignores_last_bit_noise(fake):
    fp = cmc.model_fingerprint()
    fake["offset"] = 1e-14                         # below 12 significant digits of n + p
    cmc.model_fingerprint.cache_clear()
    assert cmc.model_fingerprint() == fp
