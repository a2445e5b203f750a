"""Figures: every named figure renders in quick mode to PNG, PDF and a numeric CSV; bad names are refused."""
import os

import numpy as np
import pytest

from rmt_qgm.errors import UserInputError
from rmt_qgm.figures import FIGURE_NAMES, make_figure

EXPECTED_COLUMNS = {
    "minima-vs-gamma": ["n_qubits", "n_params", "gamma", "instance", "start", "F_min", "theory_q10_F",
                        "theory_median_F", "theory_q90_F", "theory_ess", "whrf_median_F", "theory_model"],
    "phase-diagram": ["spectrum", "n_qubits", "n_params", "gamma", "m_trace_ratio", "t_e_dimension",
                      "t_e_trace_ratio", "gamma_c_dimension", "gamma_c_trace_ratio", "mc_q10_t", "mc_median_t",
                      "mc_q90_t", "frac_global", "n_minima", "n_starts"],
    "hessian-spectrum": ["n_qubits", "n_params", "gamma", "bin_left", "bin_right", "empirical_density",
                         "whrf_density", "circuit_model_density"],
    "critical-counts": ["m", "p", "fields", "k", "enumerated_mean", "enumerated_se", "kac_rice", "kac_rice_se",
                        "z"],
    "published-vs-engine": ["m_real", "n_qubits", "n_params", "gamma", "engine_q10_t", "engine_median_t",
                            "engine_q90_t", "engine_mode_t", "t_e", "mp_edge", "natcomm_mode_x",
                            "natcomm_mode_2x", "mc_q10_t", "mc_median_t", "mc_q90_t", "mc_minima"],
    "paper-fig1": ["n_qubits", "gamma", "instances_done", "minima", "saddles", "q10_t", "median_t", "q90_t",
                   "region_lo_t", "region_hi_t", "engine_level_t"],
}


def _read_csv(path):
    data = np.genfromtxt(path, delimiter=",", names=True, dtype=float)
    return np.atleast_1d(data)


def test_expected_columns_cover_every_figure():
    assert set(EXPECTED_COLUMNS) == set(FIGURE_NAMES)


@pytest.mark.parametrize("name", FIGURE_NAMES)
def test_quick_figure_writes_png_pdf_csv(name, tmp_path):
    paths = make_figure(name, str(tmp_path), quick=True, seed=0)
    expected = [str(tmp_path / f"{name}.{ext}") for ext in ("png", "pdf", "csv")]
    assert [os.path.abspath(p) for p in paths] == [os.path.abspath(p) for p in expected]
    png, pdf, csv = expected
    with open(png, "rb") as fh:
        assert fh.read(8) == b"\x89PNG\r\n\x1a\n"
    with open(pdf, "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    assert not [f for f in os.listdir(tmp_path) if f.startswith(".")]      # no temporary files left
    data = _read_csv(csv)
    assert list(data.dtype.names) == EXPECTED_COLUMNS[name]
    assert data.size > 0
    table = np.column_stack([data[c] for c in data.dtype.names])
    assert np.all(np.isfinite(table))


def test_quick_figure_data_are_consistent(tmp_path):
    make_figure("minima-vs-gamma", str(tmp_path), quick=True, seed=0)
    d = _read_csv(tmp_path / "minima-vs-gamma.csv")
    assert np.all(d["theory_q10_F"] <= d["theory_median_F"] + 1e-12)
    assert np.all(d["theory_median_F"] <= d["theory_q90_F"] + 1e-12)
    assert np.allclose(d["gamma"], d["n_params"] / 2.0 ** (d["n_qubits"] + 1))
    assert np.all((d["F_min"] >= -1e-12) & (d["F_min"] <= 1 + 1e-12))    # infidelity in [0, 1]
    # gamma >= 1 rows carry the statement "all minima global" (model code 1) and so do the data
    over = d["gamma"] >= 1
    assert np.all(d["theory_model"][over] == 1) and np.all(d["theory_model"][~over] == 0)
    assert np.all(d["F_min"][over] < 1e-6)


def test_seed_reproducible_csv(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    make_figure("published-vs-engine", str(a), quick=True, seed=3)
    make_figure("published-vs-engine", str(b), quick=True, seed=3)
    assert (a / "published-vs-engine.csv").read_bytes() == (b / "published-vs-engine.csv").read_bytes()


@pytest.mark.parametrize("bad", ["minima", "", "MINIMA-VS-GAMMA", None])
def test_bad_name_is_a_user_error(bad, tmp_path):
    with pytest.raises(UserInputError) as exc:
        make_figure(bad, str(tmp_path), quick=True)
    msg = str(exc.value)
    assert "\n" not in msg and msg.startswith("name")
    for n in FIGURE_NAMES:
        assert n in msg
    assert not os.listdir(tmp_path)


@pytest.mark.parametrize("kw", [{"seed": -1}, {"workers": 0}])
def test_bad_seed_or_workers_is_a_user_error(kw, tmp_path):
    with pytest.raises(UserInputError):
        make_figure("critical-counts", str(tmp_path), quick=True, **kw)


def test_paper_fig1_quick_data_and_cache(tmp_path):
    make_figure("paper-fig1", str(tmp_path), quick=True, seed=0, workers=2)
    d = _read_csv(tmp_path / "paper-fig1.csv")
    assert np.all(d["instances_done"] == 12)
    assert np.all(d["minima"] + d["saddles"] <= d["instances_done"])
    assert np.all(d["region_lo_t"] <= d["region_hi_t"])
    over = d["gamma"] >= 1
    assert np.all(d["median_t"][over] < 1e-6)                            # gamma >= 1: global minima
    assert np.all(d["median_t"][~over] > d["region_lo_t"][~over])        # finite size sits above t_e
    before = (tmp_path / "paper-fig1.csv").read_bytes()
    make_figure("paper-fig1", str(tmp_path), quick=True, seed=0, cached_only=True)   # from the cache
    assert (tmp_path / "paper-fig1.csv").read_bytes() == before


def test_figure_cli_bad_name_exit_2(tmp_path):
    import subprocess
    import sys
    r = subprocess.run([sys.executable, "-m", "rmt_qgm.cli", "figure", "fig9", "--out", str(tmp_path)],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "NAME must be one of" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in FIGURE_NAMES if n != "paper-fig1"])   # paper-fig1: hours
def test_full_figure_writes_png_pdf_csv(name, tmp_path):
    make_figure(name, str(tmp_path), quick=False, seed=0, workers=2)
    data = _read_csv(tmp_path / f"{name}.csv")
    assert list(data.dtype.names) == EXPECTED_COLUMNS[name]
    assert np.all(np.isfinite(np.column_stack([data[c] for c in data.dtype.names])))
