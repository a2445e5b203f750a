"""Figures: every named figure renders in quick mode to PNG, PDF and a numeric CSV; bad names are refused; the
theory drawn is predict's default answer (or a named model), with the transition where predict puts it.

Default suite: the quick builds of minima-vs-gamma, phase-diagram and paper-fig1 (with their content tests), and
every other figure built by its own builder on smaller samples (``tiny``: fewer starts, instances, fields and
draws, n = 4 and 10 for minima-vs-n; same code path, same files, same CSV columns and NaN rules). Slow suite
(``-m slow``): the quick builds of the four others (about 50 s on 2 cores), minima-vs-n's content test, seed
reproducibility at quick size, and the full-size figures."""
import os

import numpy as np
import pytest

from rmt_qgm.errors import UserInputError
from rmt_qgm.figures import FIGURE_NAMES, QUICK_BUDGET, THEORY_MODELS, make_figure

EXPECTED_COLUMNS = {
    "minima-vs-gamma": ["n_qubits", "n_params", "gamma", "row_kind", "instance", "start", "F_min", "theory_model",
                        "predict_budget_s", "opt_q10_F", "opt_median_F", "opt_q90_F", "opt_reliable",
                        "minima_median_F", "minima_reliable", "gamma_c", "params_c"],
    "phase-diagram": ["spectrum", "n_qubits", "row_kind", "n_params", "gamma", "ground_degeneracy", "gamma_c",
                      "params_c", "asym_edge_t", "asym_edge_upper_t", "asym_concentration_t", "mc_q10_t",
                      "mc_median_t", "mc_q90_t", "frac_global", "n_minima", "n_starts"],
    "hessian-spectrum": ["n_qubits", "n_params", "gamma", "bin_left", "bin_right", "empirical_density",
                         "whrf_density", "circuit_model_density"],
    "critical-counts": ["m", "p", "fields", "k", "enumerated_mean", "enumerated_se", "kac_rice", "kac_rice_se",
                        "z"],
    "published-vs-engine": ["m_real", "n_qubits", "n_params", "gamma", "engine_q10_t", "engine_median_t",
                            "engine_q90_t", "engine_mode_t", "t_e", "mp_edge", "natcomm_mode_x",
                            "natcomm_mode_2x", "mc_q10_t", "mc_median_t", "mc_q90_t", "mc_minima"],
    "paper-fig1": ["n_qubits", "gamma", "instances_done", "minima", "saddles", "q10_t", "median_t", "q90_t",
                   "region_lo_t", "region_hi_t", "engine_level_t"],
    "minima-vs-n": ["n_qubits", "n_params", "gamma", "theory_model", "predict_budget_s", "opt_q10_t", "opt_median_t",
                    "opt_q90_t", "opt_reliable", "minima_q10_t", "minima_median_t", "minima_q90_t", "minima_reliable",
                    "mc_q10_t", "mc_median_t", "mc_q90_t", "mc_minima"],
}

_MC_T = ("mc_q10_t", "mc_median_t", "mc_q90_t")
#: where a figure's CSV may hold NaN (the column does not apply to the row; the builders' docstrings say so)
NAN_ALLOWED = {
    "minima-vs-gamma": lambda d: {"F_min": d["row_kind"] == 0, "minima_median_F": d["n_params"] >= d["params_c"]},
    "phase-diagram": lambda d: {c: d["row_kind"] == 0 for c in _MC_T + ("frac_global", "asym_edge_t",
                                                                         "asym_edge_upper_t", "asym_concentration_t")},
    "minima-vs-n": lambda d: {**{c: d["mc_minima"] == 0 for c in _MC_T},
                              **{c: d["opt_reliable"] == 0 for c in ("opt_q10_t", "opt_median_t", "opt_q90_t")}},
}


def _read_csv(path):
    data = np.genfromtxt(path, delimiter=",", names=True, dtype=float)
    return np.atleast_1d(data)


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    """Builds each quick figure once for the module (seed 0) and returns its output directory."""
    out = tmp_path_factory.mktemp("quick-figures")
    built: dict[str, list[str]] = {}

    def get(name):
        if name not in built:
            built[name] = make_figure(name, str(out), quick=True, seed=0, workers=2 if name == "paper-fig1" else 1)
        return out, built[name]
    return get


#: the quick figures built in the default suite; the others' quick builds are slow (TINY below in the default)
QUICK_DEFAULT = ("minima-vs-gamma", "phase-diagram", "paper-fig1")
TINY = tuple(n for n in FIGURE_NAMES if n not in QUICK_DEFAULT)
#: minima-vs-n on two sizes: n = 4 (exact circuit model, simulated) and n = 10 (far beyond the quick budget:
#: the finite-size edge law, under a second; n = 7-8 would run the costlier circuit edge law)
TINY_MVN_QUBITS = (4, 10)


def _tiny_build(name, out, seed=0, csv_only=False):
    """``make_figure(name, quick=True)`` with its samples cut (about 2-4 s a figure instead of 5-20 s): at most 4
    starts x 2 instances per simulated point, 10 enumerated fields per WHRF case, 2000 circuit Kac-Rice / WHRF
    Hessian draws, 500 WHRF Kac-Rice draws,
    n = TINY_MVN_QUBITS for minima-vs-n. ``csv_only``: the builder alone (no PNG/PDF), returning the CSV's bytes."""
    import rmt_qgm.figures as F
    import rmt_qgm.theory.models.circuit as ck
    import rmt_qgm.theory.models.whrf as kacrice
    sim, fields, hess, krc = F._simulate, F.whrf_critical_count_fields, F.whrf_minimum_hessian_draws, ck.kac_rice_circuit
    counts = kacrice.expected_counts
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(kacrice, "expected_counts", lambda m, p, n_mc=4000, **k: counts(m, p, n_mc=min(n_mc, 500), **k))
        mp.setattr(F, "_simulate", lambda n, p, ham, starts, instances, seed, workers:
                   sim(n, p, ham, min(starts, 4), min(instances, 2), seed, workers))
        mp.setattr(F, "whrf_critical_count_fields", lambda m, p, n_fields, seed: fields(m, p, min(n_fields, 10), seed))
        mp.setattr(F, "whrf_minimum_hessian_draws", lambda m, p, t, rng, draws: hess(m, p, t, rng, min(draws, 2000)))
        if name == "hessian-spectrum":                         # its own circuit-model draws (predict's are not cut)
            mp.setattr(ck, "kac_rice_circuit", lambda *a, n_mc=4000, **k: krc(*a, n_mc=min(n_mc, 2000), **k))
        mp.setattr(F, "MVN_QUBITS", TINY_MVN_QUBITS)
        if csv_only:
            data = F._BUILDERS[name](True, seed, 1)
            return F._csv_bytes(data.columns, data.rows)
        return make_figure(name, str(out), quick=True, seed=seed)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """Builds each TINY figure once for the module (seed 0) and returns its output directory."""
    out = tmp_path_factory.mktemp("tiny-figures")
    built: dict[str, list[str]] = {}

    def get(name):
        if name not in built:
            built[name] = _tiny_build(name, out)
        return out, built[name]
    return get


def test_expected_columns_cover_every_figure():
    assert set(EXPECTED_COLUMNS) == set(FIGURE_NAMES)


@pytest.mark.parametrize("name", [n if n in QUICK_DEFAULT else pytest.param(n, marks=pytest.mark.slow)
                                  for n in FIGURE_NAMES])
def test_quick_figure_writes_png_pdf_csv(name, quick):
    _check_files(name, *quick(name))


@pytest.mark.parametrize("name", TINY)
def test_tiny_figure_writes_png_pdf_csv(name, tiny):
    _check_files(name, *tiny(name))


def _check_files(name, out, paths):
    expected = [str(out / f"{name}.{ext}") for ext in ("png", "pdf", "csv")]
    assert [os.path.abspath(p) for p in paths] == [os.path.abspath(p) for p in expected]
    png, pdf, csv = expected
    with open(png, "rb") as fh:
        assert fh.read(8) == b"\x89PNG\r\n\x1a\n"
    with open(pdf, "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    assert not [f for f in os.listdir(out) if f.startswith(".")]      # no temporary files left
    data = _read_csv(csv)
    assert list(data.dtype.names) == EXPECTED_COLUMNS[name]
    assert data.size > 0
    allowed = NAN_ALLOWED.get(name, lambda d: {})(data)
    for c in data.dtype.names:
        bad = ~np.isfinite(data[c]) & ~allowed.get(c, np.zeros(data.size, bool))
        assert not bad.any(), (c, np.flatnonzero(bad)[:5])


def test_minima_vs_gamma_draws_predicts_default_with_the_derived_transition(quick):
    out, _ = quick("minima-vs-gamma")
    d = _read_csv(out / "minima-vs-gamma.csv")
    n = int(d["n_qubits"][0])
    assert np.all(d["n_qubits"] == n)
    assert np.allclose(d["gamma"], d["n_params"] / 2.0 ** (n + 1))
    # the transition is predict's derived gamma_c = 1 - 2^-n (d0 = 1), not the old "gamma >= 1"
    gamma_c = 1 - 2.0 ** -n
    assert np.allclose(d["gamma_c"], gamma_c) and np.all(d["params_c"] == 2 * (2 ** n - 1))
    th = d[d["row_kind"] == 0]
    sim = d[d["row_kind"] == 1]
    over = th["gamma"] >= gamma_c - 1e-12
    assert np.any(over & (th["gamma"] < 1)), "theory grid must test the transition between gamma_c and 1"
    # the model is named per gamma: the exact circuit model where it fits the quick budget, the transition's
    # answer (asymptotic, F = E0 = 0, reliable) from p_c on
    names = [THEORY_MODELS[int(c)] for c in th["theory_model"]]
    assert all(m == "circuit" for m, o in zip(names, over) if not o)
    assert all(m == "asymptotic" for m, o in zip(names, over) if o)
    assert np.all(d["predict_budget_s"] == QUICK_BUDGET)
    assert np.all(th["opt_median_F"][over] == 0) and np.all(th["opt_q90_F"][over] == 0)
    # reliable from p_c + 2 on; at p_c and p_c + 1 the optimiser ends near E0 but not always at it (flagged)
    edge = over & (th["n_params"] < th["params_c"] + 2)
    assert np.all(th["opt_reliable"][over & ~edge] == 1) and np.all(th["opt_reliable"][edge] == 0)
    assert np.all(np.isnan(th["minima_median_F"][over]))            # no count law past p_c
    below = th[~over]
    assert np.all(below["opt_median_F"] > 0)
    assert np.all(below["opt_q10_F"] <= below["opt_median_F"]) and np.all(below["opt_median_F"] <= below["opt_q90_F"])
    assert np.all(np.diff(below["opt_median_F"]) < 0)                 # minima sink as gamma grows
    assert set(np.unique(th["opt_reliable"])) <= {0, 1} and set(np.unique(th["minima_reliable"])) <= {0, 1}
    # every simulated p is on the theory grid, with that grid point's theory repeated
    for p in np.unique(sim["n_params"]):
        row = th[th["n_params"] == p]
        assert row.size == 1
        s = sim[sim["n_params"] == p]
        assert np.all(s["opt_median_F"] == row["opt_median_F"][0])
        assert np.all(s["theory_model"] == row["theory_model"][0])
    assert np.all((sim["F_min"] >= -1e-12) & (sim["F_min"] <= 1 + 1e-12))    # infidelity in [0, 1]
    assert np.any(sim["gamma"] == gamma_c)                            # the data are sampled at the transition
    assert np.median(sim["F_min"][sim["gamma"] >= gamma_c]) < 1e-3    # ... and beyond it minima are (nearly) global
    assert np.all(sim["F_min"][sim["gamma"] >= 1] < 1e-6)


def test_phase_diagram_transition_per_spectrum(quick):
    out, _ = quick("phase-diagram")
    d = _read_csv(out / "phase-diagram.csv")
    n = int(d["n_qubits"][0])
    assert np.allclose(d["gamma_c"], 1 - d["ground_degeneracy"] / 2.0 ** n)
    assert np.all(d["params_c"] == 2 * (2 ** n - d["ground_degeneracy"]))
    assert set(np.unique(d["ground_degeneracy"])) == {1, 2}            # fidelity, randspec:1 | projector:2
    for s in np.unique(d["spectrum"]):
        rows = d[d["spectrum"] == s]
        sim, curve = rows[rows["row_kind"] == 1], rows[rows["row_kind"] == 0]
        assert rows["params_c"][0] in sim["n_params"]                  # simulated at its own p_c
        ok = np.isfinite(curve["asym_concentration_t"])
        assert ok.mean() > 0.8
        g, f = curve["gamma"][ok], curve["asym_concentration_t"][ok]
        assert np.all(f[g >= rows["gamma_c"][0]] == 0)                 # asymptotic levels reach E0 at gamma_c
        assert np.all(np.diff(f[g < rows["gamma_c"][0]]) < 0) and np.all(f[g < rows["gamma_c"][0]] > 0)
        assert np.all(sim["n_minima"] <= sim["n_starts"])
        assert np.all(sim["frac_global"][sim["gamma"] >= 1] == 1)


@pytest.mark.slow        # the edge law at n = 7..20 (about 5-10 s each on 2 cores)
def test_minima_vs_n_switches_model_once_and_simulates_small_n(quick):
    out, _ = quick("minima-vs-n")
    d = _read_csv(out / "minima-vs-n.csv")
    assert list(d["n_qubits"]) == list(range(4, 21))
    names = [THEORY_MODELS[int(c)] for c in d["theory_model"]]
    k = next(i for i, m in enumerate(names) if m != "circuit")
    assert k > 0 and set(names[:k]) == {"circuit"} and set(names[k:]) <= {"edge", "asymptotic"}
    assert "edge" in names[k:]                                          # the finite-size law beyond the budget
    assert np.all(d["predict_budget_s"] == QUICK_BUDGET)
    for law in ("opt", "minima"):
        ok = ~np.isnan(d[f"{law}_median_t"])                            # no optimiser law where (G3) is not trusted
        assert np.all(d[f"{law}_q10_t"][ok] <= d[f"{law}_median_t"][ok])
        assert np.all(d[f"{law}_median_t"][ok] <= d[f"{law}_q90_t"][ok])
    assert not np.any(np.isnan(d["minima_median_t"]))
    asym = d[k:]
    assert np.all(asym["opt_reliable"][asym["n_qubits"] > 7] == 0)     # outside the basin law's qubit counts
    assert np.all((d["mc_minima"] > 0) == (d["n_qubits"] <= 6))
    sim = d[d["mc_minima"] > 0]
    assert np.all(np.abs(sim["mc_median_t"] - sim["opt_median_t"]) < 0.15)   # checked where simulated


def test_minima_vs_n_tiny_switches_model_and_simulates_only_small_n(tiny):
    """minima-vs-n's builder at n = 4 and 10 (the slow test above checks n = 4..20): the exact circuit model where
    it fits the quick budget, the edge law (or the asymptotic levels) beyond; Monte Carlo only at n <= MVN_SIM_MAX."""
    from rmt_qgm.figures import MVN_SIM_MAX
    out, _ = tiny("minima-vs-n")
    d = _read_csv(out / "minima-vs-n.csv")
    assert list(d["n_qubits"]) == list(TINY_MVN_QUBITS)
    names = [THEORY_MODELS[int(c)] for c in d["theory_model"]]
    assert names[0] == "circuit" and names[1] in ("edge", "asymptotic"), names
    assert np.all((d["mc_minima"] > 0) == (d["n_qubits"] <= MVN_SIM_MAX))
    assert np.all(d["predict_budget_s"] == QUICK_BUDGET)
    for law in ("opt", "minima"):
        ok = ~np.isnan(d[f"{law}_median_t"])
        assert np.all(d[f"{law}_q10_t"][ok] <= d[f"{law}_median_t"][ok])
        assert np.all(d[f"{law}_median_t"][ok] <= d[f"{law}_q90_t"][ok])
    assert not np.any(np.isnan(d["minima_median_t"]))


def test_seed_reproducible_csv(tiny):
    """The same seed gives the same CSV bytes (the builder run again against the tiny fixture's file, seed 0);
    another seed gives other numbers. hessian-spectrum: the cheapest builder that draws from all three seeded
    sources (circuit simulation, WHRF draws, circuit-model draws); published-vs-engine at quick size is slow."""
    out, _ = tiny("hessian-spectrum")
    written = (out / "hessian-spectrum.csv").read_bytes()
    assert _tiny_build("hessian-spectrum", None, csv_only=True) == written
    assert _tiny_build("hessian-spectrum", None, seed=3, csv_only=True) != written


@pytest.mark.slow
def test_seed_reproducible_csv_quick(tmp_path):
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


def test_paper_fig1_quick_data_and_cache(quick):
    tmp_path, _ = quick("paper-fig1")
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
    allowed = NAN_ALLOWED.get(name, lambda d: {})(data)
    for c in data.dtype.names:
        assert not np.any(~np.isfinite(data[c]) & ~allowed.get(c, np.zeros(data.size, bool))), c
