"""Analysis helpers shared by the validation checks (:mod:`rmt_qgm.validate`) and the paper figures
(:mod:`rmt_qgm.figures`), so that neither imports the other.

- :func:`hessians_at_minima`: exact Hessian eigenvalues at the certified minima of a circuit run.
- :func:`whrf_minimum_hessian_draws`: the isotropic WHRF's Kac–Rice conditional Hessian law at a local
  minimum of value t (docs/theory.md §4, §5.1–5.5).
- :func:`whrf_critical_count_fields` and :func:`compare_counts`: exhaustive enumeration of sampled WHRF
  fields and its comparison with finite-size Kac–Rice counts by index (z-scores; docs/theory.md §5.2, §5.3).

Seed keys are those the callers used before these helpers moved here, so every number is unchanged.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .seeding import generator


def hessians_at_minima(res, with_instances: bool = False):
    """Exact Hessian eigenvalues (rows) and F at every certified minimum of a randomized-circuit run.

    Circuits and initial states are rebuilt from the documented seed keys of :mod:`rmt_qgm.simulate`
    (``generator(seed, "instance", i, "circuit" | "psi0")``); the loss at the stored angles must
    reproduce the recorded F, else the point is skipped. ``with_instances`` also returns the instance
    index of each row.
    """
    from .circuits.ansatz import build_circuit, initial_state
    from .hamiltonians import parse_hamiltonian
    from .spec import parse_psi0
    P = res.params
    a = res.arrays()
    sel = a["certified"].astype(bool) & (a["index"] == 0)
    ham = parse_hamiltonian(P["hamiltonian"], P["n_qubits"])
    eigs, Fs, insts = [], [], []
    for i in np.unique(a["instance"][sel]):
        circ = build_circuit(P["ansatz"], P["n_qubits"], P["n_params"],
                             generator(P["seed"], "instance", int(i), "circuit"), P["generators"])
        psi0 = initial_state(parse_psi0(P["psi0"]), P["n_qubits"], generator(P["seed"], "instance", int(i), "psi0"))
        for k in np.nonzero(sel & (a["instance"] == i))[0]:
            th = a["theta"][k]
            F = circ.loss(th, psi0, ham)
            if abs(F - a["F"][k]) > 1e-8 * max(1.0, abs(F)):
                continue
            eigs.append(np.linalg.eigvalsh(circ.hessian(th, psi0, ham)))
            Fs.append(F)
            insts.append(int(i))
    p = P["n_params"]
    if with_instances:
        return np.array(eigs).reshape(-1, p), np.array(Fs), np.array(insts, dtype=np.int64)
    return np.array(eigs).reshape(-1, p), np.array(Fs)


def whrf_minimum_hessian_draws(m: int, p: int, t_values: np.ndarray, rng: np.random.Generator,
                               draws: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Eigenvalues of M(t) = W - t I + sqrt(t) Z with Kac–Rice weights at local minima, for each t.

    At a critical point of the isotropic WHRF(m, p) with value t, Hess t / 2 = M(t) (pointlaw, docs/theory.md §4);
    the Kac–Rice conditional law of the Hessian at a local minimum is p(M) |det M| 1{M > 0} / norm
    (docs/theory.md §5.1–5.5). One set of ``draws`` (W, Z) is reused for every t (common random numbers).
    Returns (eigenvalues [len(t), draws, p], weights [len(t), draws] normalised to sum 1 per t (all zero
    where no draw is positive definite), effective sample size per t).
    """
    from .theory.models.whrf_pointlaw import sample_wz
    W, Z = sample_wz(m, p, rng, draws)
    eye = np.eye(p)
    ev_all = np.empty((len(t_values), draws, p))
    w_all = np.zeros((len(t_values), draws))
    ess = np.zeros(len(t_values))
    for j, t in enumerate(t_values):
        ev = np.linalg.eigvalsh(W - t * eye + math.sqrt(max(t, 0.0)) * Z)
        pd = np.all(ev > 0, axis=1)
        ev_all[j] = ev
        if pd.any():
            logdet = np.log(np.abs(ev)).sum(axis=1)
            w = np.where(pd, np.exp(logdet - logdet[pd].max()), 0.0)
            w_all[j] = w / w.sum()
            ess[j] = 1.0 / np.sum(w_all[j] ** 2)
    return ev_all, w_all, ess


@dataclass
class CountComparison:
    """Mean critical-point counts by Hessian index over enumerated fields against Kac–Rice.

    ``z[k] = |mean_k - KR_k| / sqrt(se_k^2 + se_KR_k^2)``; ``euler_zero``: every field satisfies the Euler
    identity (the enumeration is complete).
    """

    enumerated_mean: np.ndarray
    enumerated_se: np.ndarray
    kac_rice: np.ndarray
    kac_rice_se: np.ndarray
    z: np.ndarray
    euler_zero: bool
    fields: int


def compare_counts(sets, counts, stderr) -> CountComparison:
    """Compare the critical-point sets ``sets`` of enumerated fields with Kac–Rice ``counts`` ± ``stderr``."""
    C = np.array([s.counts_by_index for s in sets], dtype=float)
    mean, se = C.mean(0), C.std(0, ddof=1) / np.sqrt(len(C))
    counts, stderr = np.asarray(counts, dtype=float), np.asarray(stderr, dtype=float)
    z = np.abs(mean - counts) / np.sqrt(se ** 2 + stderr ** 2)
    return CountComparison(mean, se, counts, stderr, z, all(s.euler == 0 for s in sets), len(sets))


def whrf_critical_count_fields(m: int, p: int, fields: int, seed: int):
    """Critical points of ``fields`` sampled isotropic WHRF(m, p) fields (exhaustive enumeration, seed keys
    ``generator(seed, "count-whrf", m, p, i)``) and the finite-size Kac–Rice counts (Monte Carlo, 4000 draws).

    Returns (list of critical-point sets, :class:`rmt_qgm.theory.models.whrf` result with ``counts``, ``stderr``).
    """
    from .theory.kacrice.enumerate import WHRFField, enumerate_critical_points
    from .theory.models.whrf import expected_counts
    sets = []
    for i in range(fields):
        rng = generator(seed, "count-whrf", m, p, i)
        sets.append(enumerate_critical_points(WHRFField.sample(m, p, rng), rng=rng))
    return sets, expected_counts(m, p, seed=seed, n_mc=4000)
