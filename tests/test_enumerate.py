"""Enumerator: exactness on known fields, periodicity, deduplication, derivative formulas."""
import numpy as np

from rmt_qgm.circuits.ansatz import build_circuit, initial_state
from rmt_qgm.hamiltonians import parse_hamiltonian
from rmt_qgm.spec import parse_psi0
from rmt_qgm.theory.kacrice.enumerate import (CircuitField, RayleighField, WHRFField, enumerate_critical_points,
                                      hypertoroidal_basis)


def fd_check(field, p, rng):
    th = rng.uniform(0, 3, (1, p))
    f, g, h = field.derivs(th)
    e = 1e-6
    E = np.eye(p)
    gfd = np.array([(field.derivs(th + e * E[i])[0] - field.derivs(th - e * E[i])[0]) / (2 * e)
                    for i in range(p)]).ravel()
    hfd = np.array([(field.derivs(th + e * E[i])[1] - field.derivs(th - e * E[i])[1]) / (2 * e)
                    for i in range(p)]).reshape(p, p)
    assert np.abs(g - gfd).max() < 1e-7 and np.abs(h - hfd).max() < 1e-6


def test_derivatives_and_orthonormal_basis():
    rng = np.random.default_rng(0)
    fd_check(WHRFField.sample(7, 3, rng), 3, rng)
    fd_check(RayleighField.sample(np.arange(8.0), 3, rng), 3, rng)
    w, dw, d2w = hypertoroidal_basis(rng.uniform(0, 6, (1, 3)))
    vecs = [w[0]] + [dw[0, i] for i in range(3)] + [d2w[0, i, j] for i in range(3) for j in range(i + 1, 3)]
    G = np.array(vecs) @ np.array(vecs).T
    assert np.allclose(G, np.eye(len(vecs)), atol=1e-12)
    assert np.allclose(d2w[0, 1, 1], -w[0])


def test_p1_harmonic_has_one_min_one_max():
    rng = np.random.default_rng(1)
    for _ in range(10):
        cs = enumerate_critical_points(WHRFField.sample(5, 1, rng), rng=rng)
        assert list(cs.counts_by_index) == [1, 1] and cs.complete


def test_points_are_critical_and_unique_mod_pi():
    rng = np.random.default_rng(2)
    field = WHRFField.sample(6, 2, rng)
    cs = enumerate_critical_points(field, rng=rng)
    F, g, _ = field.derivs(cs.points)
    assert np.abs(g).max() < 1e-9
    assert np.all((cs.points >= 0) & (cs.points < np.pi))
    F2, _, _ = field.derivs(cs.points + np.pi * np.array([1, 2]))
    assert np.allclose(F, F2)
    d = np.abs(np.mod(cs.points[:, None] - cs.points[None] + np.pi / 2, np.pi) - np.pi / 2).max(-1)
    assert np.all(d[~np.eye(len(d), dtype=bool)] > 1e-6)
    assert cs.euler == 0


def test_circuit_field_enumeration_euler():
    rng = np.random.default_rng(3)
    ham = parse_hamiltonian("randspec:1", 2)
    circ = build_circuit("randomized", 2, 2, rng)
    psi0 = initial_state(parse_psi0("haar"), 2, rng)
    cs = enumerate_critical_points(CircuitField(circ, psi0, ham), grid_per_dim=12, rng=rng)
    assert cs.euler == 0 and cs.counts_by_index[0] >= 1


def test_freezing_converged_starts_changes_nothing(monkeypatch):
    # enumerate_critical_points stops iterating starts whose max |grad| < FREEZE_GRAD; with FREEZE_GRAD = 0
    # every start takes all ``iters`` Newton steps (the former loop). Same critical set either way.
    import rmt_qgm.theory.kacrice.enumerate as E
    from rmt_qgm.seeding import generator
    for m, p, grid in ((6, 1, None), (6, 2, None), (8, 3, 7)):
        field = WHRFField.sample(m, p, generator(5, "freeze", p))
        fast = enumerate_critical_points(field, grid_per_dim=grid, rng=generator(6, "freeze", p))
        monkeypatch.setattr(E, "FREEZE_GRAD", 0.0)
        full = enumerate_critical_points(field, grid_per_dim=grid, rng=generator(6, "freeze", p))
        monkeypatch.undo()
        assert np.array_equal(fast.counts_by_index, full.counts_by_index) and fast.euler == 0
        np.testing.assert_allclose(fast.points, full.points, rtol=0, atol=1e-9)
        np.testing.assert_allclose(fast.values, full.values, rtol=0, atol=1e-12)
