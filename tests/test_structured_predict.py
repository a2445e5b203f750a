"""Issue 20, item 4: ``predict --generators-file`` (rmt_qgm/theory/models/jaws.py, docs/theory.md §10.4): the JAWS
sum of Wishart fields through the weighted WHRF, against the isotropic WHRF's own Kac–Rice for a flat weight
list, the JAWS optimum against the ground energy where the group is all of SU(2^n), and its refusals."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest

from rmt_qgm.cli import main
from rmt_qgm.algebra.generators import preset_generators, write_generators
from rmt_qgm.theory.models.weighted import kac_rice_weighted
from rmt_qgm.theory.models.whrf import expected_counts
from rmt_qgm.theory.predict import predict
from rmt_qgm.theory.models.jaws import jaws_field, jaws_tilts

#: z bound for two independent Monte Carlo estimates (|z| > 4: probability ~6e-5 under the null)
Z_MAX = 4.0


@pytest.fixture(autouse=True)
def _one_blas_thread():
    from threadpoolctl import threadpool_limits
    with threadpool_limits(1):
        yield


def _gens_file(tmp_path, preset, n):
    gens, header = preset_generators(preset, n)
    path = tmp_path / f"{preset.replace(':', '_')}_{n}.txt"
    write_generators(str(path), gens, header)
    return str(path)


@pytest.mark.parametrize("m,p", [(12, 4), (10, 6)])
def test_flat_weights_reproduce_isotropic_whrf_counts(m, p):
    """A flat weight list of length m is the isotropic WHRF(m, p): the weighted model with the JAWS ladder
    (real_form=False) and the WHRF's own quadrature Kac–Rice (rmt_qgm/theory/models/whrf.py) give the same expected
    numbers of local minima and of index-1 saddles, within 4 combined standard errors."""
    kr = kac_rice_weighted(np.full(m, 0.37), p, seed=3, n_mc=4000, real_form=False, tilts=jaws_tilts(np.full(m, 0.37)))
    ref = expected_counts(m, p, seed=4, n_mc=3000)
    for k in (0, 1):
        z = (kr.counts[k] - ref.counts[k]) / math.hypot(kr.stderr[k], ref.stderr[k])
        assert abs(z) < Z_MAX, (k, kr.counts[k], kr.stderr[k], ref.counts[k], ref.stderr[k])


def test_su_d_optimum_is_ground_energy_and_dof(tmp_path):
    """local:xy-zz-ring closes to su(8) at n = 3: every state is reachable, so the JAWS optimum l* is the ground
    energy and the group average is Tr H / d; D = 2 r with r the trace_ratio rule (docs/theory.md §3.2)."""
    from rmt_qgm.hamiltonians import parse_hamiltonian
    from rmt_qgm.theory.models.whrf_dof import dof_trace_ratio
    gens, _ = preset_generators("local:xy-zz-ring", 3)
    for spec in ("heisenberg", "randspec:2"):
        ham = parse_hamiltonian(spec, 3)
        fld = jaws_field(gens, 3, spec)
        assert fld["observable_in_algebra"]
        assert fld["l_star"] == pytest.approx(ham.ground_energy, abs=1e-9)
        assert fld["mean_loss"] == pytest.approx(ham.spectrum.mean(), abs=1e-9)
        assert fld["D"] == dof_trace_ratio(ham.spectrum)


def test_components_sum_to_the_mean_offset(tmp_path):
    """hva:tfim-line at n = 4 with its own Hamiltonian: D = sum beta r, sum of the weights = mean - l*, and
    l* >= E0 (the ground state need not be reachable)."""
    gens, _ = preset_generators("hva:tfim-line", 4)
    fld = jaws_field(gens, 4, "tfim:1.0")
    assert fld["observable_in_algebra"]
    assert fld["D"] == sum(c["beta"] * c["r"] for c in fld["components"])
    assert float(np.sum(fld["mu"])) == pytest.approx(fld["mean_loss"] - fld["l_star"], rel=1e-12)
    assert fld["l_star"] >= fld["ground_energy"] - 1e-9


def test_predict_laws_and_regimes(tmp_path):
    f = _gens_file(tmp_path, "local:xy-zz-ring", 3)
    res = predict(3, 4, "heisenberg", generators_file=f)
    d = res.to_dict()
    assert d["model"] == "jaws" and d["dof"]["value"] == 12
    lo = d["dof"]["l_star"]
    assert lo < d["minima"]["q10"] < d["minima"]["median"] < d["minima"]["q90"] < d["dof"]["mean_loss"]
    assert d["optimiser_minima"]["median"] is not None
    assert "deep circuits" in d["regime"] and d["minima"]["provenance"]["model"] == "jaws"
    over = predict(3, 12, "heisenberg", generators_file=f).to_dict()            # p >= D
    assert over["minima"]["available"] is False
    assert over["optimiser_minima"]["median"] == pytest.approx(lo)
    # heisenberg is not in so(8) of the x-zz line: no law
    g = _gens_file(tmp_path, "local:x-zz-line", 4)
    out = predict(4, 5, "heisenberg", generators_file=g).to_dict()
    assert out["minima"]["available"] is False and "not in i g" in out["minima"]["reason"]


def test_cli_structured_predict_and_errors(tmp_path, capsys):
    f = _gens_file(tmp_path, "hva:tfim-line", 4)
    assert main(["predict", "-n", "4", "-p", "3", "-g", f, "-H", "tfim:1.0", "--json", "--no-progress"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["model"] == "jaws" and d["dof"]["components"]
    bad = tmp_path / "bad.txt"
    bad.write_text("XX\n")
    for argv in (["predict", "-n", "4", "-p", "3", "-g", str(bad)],
                 ["predict", "-p", "3", "-g", f],
                 ["predict", "-n", "4", "-p", "3", "-g", f, "--model", "circuit"],
                 ["predict", "-n", "4", "-p", "3", "-g", f, "-H", "nonsense"],
                 ["predict", "-n", "9", "-p", "3", "-g", f],
                 ["predict", "-n", "4", "-p", "3", "--psi0", "plus"]):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1, (argv, err)


@pytest.mark.slow
@pytest.mark.parametrize("preset,n,spec", [("hva:tfim-line", 4, "tfim:1.0"), ("local:x-zz-line", 4, "tfim:0.6")])
def test_group_average_against_sampled_deep_circuits(preset, n, spec):
    """lbar (identity and centre parts of O; -0.25 for the tfim line, where the centre contributes) against the
    sample mean of deep random circuits of the generators (|z| < 4 with the sample's own standard error)."""
    from rmt_qgm.algebra.dla import parse_state
    from rmt_qgm.algebra.variance import sample_variance
    from rmt_qgm.hamiltonians import parse_hamiltonian
    gens, _ = preset_generators(preset, n)
    fld = jaws_field(gens, n, spec)
    psi, _ = parse_state("zero", n)
    smp = sample_variance(gens, psi, parse_hamiltonian(spec, n).to_dense(), 12 * len(gens) * n, 200, seed=7)
    z = (smp["mean_loss"] - fld["mean_loss"]) / math.sqrt(smp["var_loss"] / smp["samples"])
    assert abs(z) < Z_MAX, (smp["mean_loss"], fld["mean_loss"], z)
    assert fld["l_star"] <= fld["mean_loss"]
