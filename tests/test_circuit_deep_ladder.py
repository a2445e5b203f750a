"""Deep tilt levels of the exact circuit Kac–Rice (``kac_rice_circuit(..., deep_levels=k)``) and the ladder
choice of ``predict(..., model="circuit", ladder=...)``.

Near the transition the local minima sit at losses t = (F − E0)/(Ē − E0) below the plain ladder's floor
t = 0.01; deep levels reach t = 1e-6. Both ladders are exactly unbiased importance samplers, so their counts
must agree within their standard errors; the deep one must put many more local-minimum draws below the floor.
"""
import numpy as np
import pytest
from scipy.special import logsumexp

from rmt_qgm.errors import UserInputError
from rmt_qgm.hamiltonians import parse_hamiltonian
from rmt_qgm.theory.models import circuit as ck
from rmt_qgm.theory.predict import predict_raw as predict   # the circuit model's own result
from rmt_qgm.theory.models.spherical import _typical_f


def _spec(name, n):
    return parse_hamiltonian(name, n).spectrum


# n = 3, projector:2: p_c = 2 (d - d0) = 12, so p = 10 is just below the transition
NEAR = (3, 10, "projector:2")


def _below_floor(kr, spec):
    t = (kr.f - spec.min()) / (spec.mean() - spec.min())
    return int(((kr.index == 0) & (t < ck.LADDER_FLOOR_T)).sum())


def test_zero_deep_levels_is_the_plain_ladder():
    spec = _spec("randspec:1", 3)
    a = ck.kac_rice_circuit(spec, 3, seed=2, n_mc=600)
    b = ck.kac_rice_circuit(spec, 3, seed=2, n_mc=600, deep_levels=0)
    assert np.array_equal(a.f, b.f) and np.array_equal(a.logw, b.logw) and np.array_equal(a.index, b.index)


def test_deep_levels_span_the_low_losses():
    spec = _spec("projector:2", 4)
    k = np.concatenate([spec, spec]) - spec.min()
    lams = ck.deep_ladder(spec, 8)
    t = np.array([_typical_f(k, lam) for lam in lams]) / k.mean()
    assert lams.size == 8
    assert t.max() == pytest.approx(ck.LADDER_FLOOR_T / 3, rel=1e-6)
    assert t.min() == pytest.approx(ck.DEEP_FLOOR_T, rel=1e-6)


def test_deep_and_plain_ladders_agree_near_the_transition():
    n, p, name = NEAR
    spec = _spec(name, n)
    plain = ck.kac_rice_circuit(spec, p, seed=1, n_mc=8000)
    deep = ck.kac_rice_circuit(spec, p, seed=101, n_mc=8000, deep_levels=8)
    # independent unbiased estimates: z = difference / combined s.e. is ~N(0, 1) for each index; three indices
    # at |z| < 3.3 (two-sided 0.1 % each) keep the family-wise false-alarm rate below 0.3 %
    for k in range(3):
        z = (plain.counts[k] - deep.counts[k]) / np.hypot(plain.stderr[k], deep.stderr[k])
        assert abs(z) < 3.3, (k, plain.counts[k], deep.counts[k])
    # what the deep levels are for: local-minimum draws below the plain floor (observed 15-20x; ask for 5x)
    assert _below_floor(deep, spec) >= 5 * max(1, _below_floor(plain, spec))


def test_floor_share_is_a_weight_share():
    n, p, name = NEAR
    spec = _spec(name, n)
    kr = ck.kac_rice_circuit(spec, p, seed=3, n_mc=3000)
    # against an independent computation: log-sum-exp of the weights below / of all, per index, with
    # t = (F - E0)/(Ebar - E0) from the spectrum directly (index 0 ~0.31, index 1 ~0.01 on this draw)
    t = (kr.f - spec.min()) / (spec.mean() - spec.min())
    for k in (0, 1):
        sel = kr.index == k
        want = np.exp(logsumexp(kr.logw[sel & (t < ck.LADDER_FLOOR_T)]) - logsumexp(kr.logw[sel]))
        assert ck.floor_share(kr, spec, index=k) == pytest.approx(want, rel=1e-9), k
    assert 0.0 < ck.floor_share(kr, spec) < 1.0                 # both parts of the ratio are exercised
    assert np.isnan(ck.floor_share(kr, spec, index=p + 1))      # no draw of that index


def test_auto_ladder_goes_deep_exactly_when_the_plain_floor_share_is_large():
    n, p, name = NEAR
    plain = predict(n, p, hamiltonian=name, model="circuit", seed=0, n_mc=8000, ladder="plain")
    auto = predict(n, p, hamiltonian=name, model="circuit", seed=0, n_mc=8000)
    share = plain["sampling"]["floor_share_minima"]
    assert (auto["sampling"]["ladder"] == "deep") == (share > ck.FLOOR_SHARE_MAX)
    assert auto["sampling"]["ladder"] == "deep"                  # this row is near p_c (share 0.16-0.40 seen)
    assert "below its floor" in auto["sampling"]["auto_reason"]
    assert plain["sampling"]["warning"] and "ladder='deep'" in plain["sampling"]["warning"]
    assert auto["sampling"]["warning"] is None


def test_auto_ladder_stays_plain_far_from_the_transition():
    auto = predict(3, 4, hamiltonian="fidelity", model="circuit", seed=0, n_mc=8000)
    plain = predict(3, 4, hamiltonian="fidelity", model="circuit", seed=0, n_mc=8000, ladder="plain")
    assert auto["sampling"]["ladder"] == "plain" and auto["sampling"]["auto_reason"] is None
    assert auto["minima"] == plain["minima"]


def test_ladder_bad_input(capsys):
    with pytest.raises(UserInputError, match="ladder"):
        predict(3, 4, model="circuit", ladder="deepest")
    with pytest.raises(UserInputError, match="ladder"):
        predict(3, 4, model="spherical", ladder="deep")
    with pytest.raises(UserInputError, match="deep_levels"):
        ck.kac_rice_circuit(_spec("fidelity", 2), 2, n_mc=100, deep_levels=-1)
    # the CLI in process (what `python -m rmt_qgm.cli` runs; a subprocess cost ~3 s of start-up and imports)
    from rmt_qgm.cli import main
    capsys.readouterr()
    try:
        code = main(["predict", "-n", "3", "-p", "4", "--model", "circuit", "--ladder", "bottom"])
    except SystemExit as exc:                                   # argparse-level errors exit directly
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2 and "--ladder" in err and "Traceback" not in err
