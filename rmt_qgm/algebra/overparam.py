"""Overparameterisation of structured circuits: QFIM rank against p, and the landscape transition.

Circuit (docs/theory.md §10.1): psi(theta) = R_(p-1) ... R_0 psi0, R_k = exp(-i theta_k G_(k mod L)), the
generators of a generators file. Gates are applied exactly (:mod:`rmt_qgm.algebra.gates`).

**QFIM rank** ([L23] = Larocca et al., arXiv 2109.11676, Definition of overparametrization and Theorem 1;
docs/theory.md §10.1). The quantum Fisher information matrix of the ray is

    Q_ab = 4 Re( <d_a psi|d_b psi> - <d_a psi|psi><psi|d_b psi> ),

whose rank is the real rank of the horizontal tangent vectors (1 - |psi><psi|) d_a psi. With
X_k = M_k^dagger G_k M_k (M_k the first k+1 gates) every tangent vector of the p-gate prefix circuit is
M^dagger d_a psi = -i X_a psi0 in one common frame (:func:`rmt_qgm.algebra.gates.heisenberg_vectors`), so
one pass at one random theta gives the rank r(p) of every prefix: an incremental Gram-Schmidt of the rows
(Re, Im) of (1 - |psi0><psi0|)(-i X_a psi0) / ||G_a||, a new direction kept when its residual exceeds
``tol`` (absolute on that scale). Generic theta (uniform on [0, 2 pi)^p from a seed) gives the maximal
rank with probability 1; ``params_c`` is the smallest p with r(p) = max_p r(p) and ``qfim_rank_max`` that
maximum, which [L23] bounds by the dimension of the orbit of psi0 (``orbit_dim`` of :mod:`.dla`).

**Landscape transition** (docs/theory.md §10.1; the Haar case is §12.1). At a critical point of
F = <psi|H|psi> the theta-Hessian is J^T Hess_O J + sum_i g_i d^2 phi_i (J the Jacobian into the orbit O, g
the gradient of F on O). Two numbers:

    R_opt = rank Hess_O(psi*) = dim O - dim O_opt,   landscape_params_c_rank = min { p : r(p) >= R_opt }

(the dimension count: the p from which the image of a generic p-parameter map can meet O_opt; for
Haar-randomized gates r(p) = p and it is §12.1's 2(d - d0)), and

    reach_params_c = min { p : min_theta F_p(theta) = E_opt }

(where the image of the *fixed* gate sequence first meets O_opt; searched by :func:`reach_depth`). Below
reach_params_c no minimum is at the optimum, so it is a lower bound on the switch of certified minima.
The prediction is ``landscape_params_c`` = max(reach_params_c, landscape_params_c_rank): the switch is not
below the reach (exact), nor, as observed, below the count. Regime "transversal" (reach_params_c >= the
count): the optimum is met where the count allows and the switch is at reach_params_c (sharp: observed, not
derived). Regime "non-transversal" (met earlier: a special optimum, e.g. a basis state reached with Clifford
angles, on a rank-deficient stratum of the circuit map): degenerate minima at other critical points of F on
O (Hessian zero on ker J, positive on im J) can persist at every p and the switch is where their basins fall
below one per batch of starts; the count is then a heuristic that fails when they persist (docs/theory.md
§10.1: 4-14 too early in two cases). Computed here: psi* by multi-start L-BFGS on an overparameterised circuit (p_opt >= 2 params_c),
then Hess_O through the Lie-algebraic form, exact at a critical point: for X, Y in the algebra

    Hess(X, Y) = Re[ 2 <X psi|H|Y psi> - <X H psi|Y psi> - <Y H psi|X psi> ]     (= -<psi|[X,[X,H]]|psi> at X=Y),

evaluated on algebra elements whose tangent vectors form a well-conditioned basis of the orbit's tangent
space at psi* (:func:`orbit_hessian_algebra`; :func:`orbit_hessian` evaluates it on the circuit's own
directions, which equals the theta-Hessian but loses rank where the circuit's Jacobian does).
What is approximate: the optimum is the best of the starts, reach_params_c the first p at which one of the
starts (plus a continuation start) attains it, and the rank of Hess_O counts only quadratic curvature.
"""
from __future__ import annotations

import math
import time

import numpy as np

from ..errors import UserInputError
from .gates import Gate, circuit_state, heisenberg_vectors, loss_and_gradient, prepare_gates
from .pauli import PauliSum

#: Qubit counts ``overparam`` accepts (a d x d unitary is carried through p gates).
OVERPARAM_MAX_QUBITS = 8
#: Residual (on the scale ||G_a|| = 1) above which a tangent direction counts as new.
QFIM_RANK_TOL = 1e-8
#: Relative eigenvalue threshold of the rank of the orbit Hessian at the optimum.
HESSIAN_RANK_TOL = 1e-6
#: What ``landscape_params_c`` is and how far it has been checked (docs/theory.md §10.1).
LANDSCAPE_STATUS = ("max(reach_params_c, landscape_params_c_rank) (docs/theory.md §10.1): reach_params_c a lower "
                    "bound on the switch (derived, up to a missed optimum); held out "
                    "(docs/studies/structured_transition.md) within 2 in 8 of 9 transversal cases and 0 of 7 "
                    "non-transversal ones: the must-show 'within 2' is not met")


class _Rank:
    """Incremental real rank of rows on an absolute scale (two Gram-Schmidt passes), with the residual
    norm of every accepted direction."""

    def __init__(self, length: int, tol: float):
        self.q = np.zeros((0, length))
        self.tol = tol
        self.accepted: list[float] = []
        self.rejected_max = 0.0

    @property
    def rank(self) -> int:
        return self.q.shape[0]

    def add(self, row: np.ndarray) -> bool:
        r = row.copy()
        for _ in range(2):
            if self.rank:
                r -= self.q.T @ (self.q @ r)
        nr = float(np.linalg.norm(r))
        if nr > self.tol:
            self.q = np.vstack([self.q, r / nr])
            self.accepted.append(nr)
            return True
        self.rejected_max = max(self.rejected_max, nr)
        return False


def _horizontal_rows(x_psi: np.ndarray, psi0: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Rows (Re, Im) of (1 - |psi0><psi0|)(-i X_a psi0) / scale_a; x_psi is (p, d)."""
    u = -1j * x_psi / scale[:, None]
    u = u - np.outer(u @ psi0.conj(), psi0)
    return np.hstack([u.real, u.imag])


def qfim_rank_curve(generators: list[PauliSum], psi0: np.ndarray, p_max: int, seed: int = 0,
                    target: int | None = None, tol: float = QFIM_RANK_TOL, gates: list[Gate] | None = None,
                    chunk: int = 64) -> dict:
    """QFIM rank r(p) of the prefix circuits p = 1 .. p_max at one generic theta (module docstring; [L23]).

    Stops early once r(p) reaches ``target`` (e.g. the orbit dimension, which bounds it) and one more period
    L of gates confirms the plateau. Returns ``ranks`` (r(1), r(2), ...), ``qfim_rank_max``, ``params_c``
    (smallest p with r(p) = qfim_rank_max), ``p_evaluated``, the seed, and the smallest accepted / largest
    rejected residual (how clear the rank decisions were)."""
    if p_max < 1:
        raise UserInputError(f"--max-params must be >= 1; got {p_max}")
    gates = prepare_gates(generators) if gates is None else gates
    L = len(gates)
    psi0 = np.ascontiguousarray(psi0, dtype=np.complex128)
    d = psi0.size
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 20]))
    theta = rng.uniform(0.0, 2.0 * math.pi, p_max)
    scale = np.array([gates[k % L].norm_bound for k in range(p_max)])
    tracker = _Rank(2 * d, tol)
    ranks: list[int] = []
    stop_at = p_max
    m_mat = np.eye(d, dtype=np.complex128)
    cur = psi0.copy()
    for lo in range(0, p_max, chunk):
        hi = min(p_max, lo + chunk)
        xs = np.empty((hi - lo, d), dtype=np.complex128)
        for k in range(lo, hi):                       # heisenberg_vectors, resumable
            gk = gates[k % L]
            m_mat = gk.apply(m_mat, theta[k])
            cur = gk.apply(cur, theta[k])
            xs[k - lo] = m_mat.conj().T @ gk.apply_generator(cur)
        rows = _horizontal_rows(xs, psi0, scale[lo:hi])
        for k in range(lo, hi):
            if k < stop_at:
                tracker.add(rows[k - lo])
                ranks.append(tracker.rank)
                if target is not None and tracker.rank >= target and stop_at == p_max:
                    stop_at = min(p_max, k + 1 + L)
        if len(ranks) >= stop_at:
            break
    ranks = ranks[:stop_at]
    rmax = max(ranks)
    return {"ranks": ranks, "qfim_rank_max": int(rmax), "params_c": int(ranks.index(rmax) + 1) if rmax else 0,
            "p_evaluated": len(ranks), "theta_seed": int(seed),
            "smallest_accepted_residual": float(min(tracker.accepted)) if tracker.accepted else None,
            "largest_rejected_residual": float(tracker.rejected_max), "rank_tol": tol}


def optimise_orbit(gates: list[Gate], psi0: np.ndarray, h_dense: np.ndarray, p: int, starts: int, seed: int,
                   gtol: float = 1e-11, maxiter: int = 20000) -> dict:
    """Multi-start L-BFGS of F(theta) = <psi(theta)|H|psi(theta)> with p gates (exact adjoint gradient).

    Returns the best theta, its value, all final values, and how many starts reached the best value within
    1e-7 of the spectral width."""
    from scipy.optimize import minimize
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 21]))
    best = None
    values = []
    for _ in range(starts):
        th0 = rng.uniform(0.0, 2.0 * math.pi, p)
        r = minimize(lambda t: loss_and_gradient(gates, t, psi0, h_dense), th0, jac=True, method="L-BFGS-B",
                     options={"gtol": gtol, "ftol": 1e-15, "maxiter": maxiter, "maxcor": 30})
        values.append(float(r.fun))
        if best is None or r.fun < best.fun:
            best = r
    ev = np.linalg.eigvalsh(h_dense)
    width = max(float(ev[-1] - ev[0]), 1e-300)
    vals = np.array(values)
    return {"theta": np.asarray(best.x), "value": float(best.fun), "values": values,
            "starts_at_best": int(np.sum(vals <= best.fun + 1e-7 * width)), "spectral_width": width,
            "grad_norm": float(np.linalg.norm(loss_and_gradient(gates, best.x, psi0, h_dense)[1]))}


def reach_depth(gates: list[Gate], psi0: np.ndarray, h_dense: np.ndarray, e_opt: float, p_lo: int, p_hi: int,
                starts: int, seed: int, rel_tol: float = 1e-6, gtol: float = 1e-11, maxiter: int = 20000) -> dict:
    """p_reach: the smallest p in [p_lo, p_hi] at which the p-gate sequence attains ``e_opt`` (within ``rel_tol``
    of the spectral width) -- where the image of the circuit map first meets the optimal set O_opt
    (docs/theory.md §10.1). At every p: ``starts`` L-BFGS runs from uniform angles plus one continuation
    start (the best angles of p - 1 with the new gate at angle 0, so the best value found cannot rise with p).
    Below p_reach no minimum of the circuit is at the optimum, so p_reach is a lower bound on the switch of
    certified minima (up to a missed optimum: a search, not a proof). Returns ``reach_params_c`` (None if not
    reached by p_hi) and the best value at every p tried."""
    from scipy.optimize import minimize
    ev = np.linalg.eigvalsh(h_dense)
    width = max(float(ev[-1] - ev[0]), 1e-300)
    fun = lambda t: loss_and_gradient(gates, t, psi0, h_dense)
    prev = None
    best_values: list[float] = []
    for p in range(max(1, p_lo), p_hi + 1):
        rng = np.random.default_rng(np.random.SeedSequence([int(seed), 23, int(p)]))
        inits = [rng.uniform(0.0, 2.0 * math.pi, p) for _ in range(starts)]
        if prev is not None:
            inits.append(np.concatenate([prev, np.zeros(p - prev.size)]))
        best = None
        for th0 in inits:
            r = minimize(fun, th0, jac=True, method="L-BFGS-B",
                         options={"gtol": gtol, "ftol": 1e-15, "maxiter": maxiter, "maxcor": 30})
            if best is None or r.fun < best.fun:
                best = r
        prev = np.asarray(best.x)
        best_values.append(float(best.fun))
        if best.fun <= e_opt + rel_tol * width:
            return {"reach_params_c": int(p), "reach_p_lo": int(max(1, p_lo)), "reach_best_values": best_values,
                    "reach_starts": int(starts) + 1}
    return {"reach_params_c": None, "reach_p_lo": int(max(1, p_lo)), "reach_best_values": best_values,
            "reach_starts": int(starts) + 1}


def orbit_hessian(gates: list[Gate], theta: np.ndarray, psi0: np.ndarray, h_dense: np.ndarray) -> np.ndarray:
    """The Lie-algebraic Hessian form (module docstring) on the directions X_a of the circuit at ``theta``;
    equal to the Hessian of F in theta at a critical point. Returns the p x p real symmetric matrix."""
    d = psi0.size
    u = circuit_state(gates, theta, np.eye(d, dtype=np.complex128))          # the whole circuit
    h_in = u.conj().T @ h_dense @ u                                         # H in the input frame
    chi0 = h_in @ psi0
    xs = heisenberg_vectors(gates, theta, np.stack([psi0, chi0], axis=1))    # (p, d, 2)
    v = xs[:, :, 0].T                                                        # d x p: X_a psi0
    w = xs[:, :, 1].T                                                        # X_a H psi0
    q = 2.0 * (v.conj().T @ h_in @ v) - w.conj().T @ v - v.conj().T @ w
    q = np.real(q)
    return 0.5 * (q + q.T)


def orbit_hessian_algebra(generators: list[PauliSum], psi: np.ndarray, h_dense: np.ndarray, orbit_dim: int,
                          select_tol: float = 1e-3) -> np.ndarray:
    """The Riemannian Hessian of F on the orbit at ``psi`` (a critical point), as the form of the module
    docstring on elements X_j of a basis of the algebra (:func:`.dla.lie_closure`) chosen so that their
    horizontal tangent vectors -i X_j psi form a well-conditioned basis of the tangent space (greedy
    Gram-Schmidt, each kept residual >= ``select_tol`` of its a-priori norm bound). Unlike
    :func:`orbit_hessian` it does not go through the circuit's Jacobian at the optimum, which can lose rank
    there (theta* is not a generic point). Returns the orbit_dim x orbit_dim matrix (fewer rows if fewer
    directions were found)."""
    from .dla import _basis_vectors, lie_closure
    basis = lie_closure(generators, psi0_n(psi))
    psi = np.ascontiguousarray(psi, dtype=np.complex128)
    d = psi.size
    tracker = _Rank(2 * d, select_tol)
    keep: list[int] = []
    scales: list[float] = []
    for lo in range(0, basis.dim, 256):
        hi = min(basis.dim, lo + 256)
        g, bound = _basis_vectors(basis, psi, lo, hi)
        rows = _horizontal_rows(g, psi, bound)
        for j in range(hi - lo):
            if tracker.add(rows[j]):
                keep.append(lo + j)
                scales.append(float(bound[j]))
            if tracker.rank >= orbit_dim:
                break
        if tracker.rank >= orbit_dim:
            break
    hpsi = h_dense @ psi
    v = np.empty((d, len(keep)), dtype=np.complex128)
    w = np.empty((d, len(keep)), dtype=np.complex128)
    for a, (j, sc) in enumerate(zip(keep, scales)):
        v[:, a] = _basis_vectors(basis, psi, j, j + 1)[0][0] / sc
        w[:, a] = _basis_vectors(basis, hpsi, j, j + 1)[0][0] / sc
    q = np.real(2.0 * (v.conj().T @ h_dense @ v) - w.conj().T @ v - v.conj().T @ w)
    return 0.5 * (q + q.T)


def psi0_n(psi: np.ndarray) -> int:
    """Qubit count of a state vector."""
    return int(round(math.log2(psi.size)))


def landscape_transition(generators: list[PauliSum], psi0: np.ndarray, h_dense: np.ndarray, ranks: list[int],
                         params_c: int, starts: int = 8, seed: int = 0, p_opt: int | None = None,
                         ground_energy: float | None = None, reach: bool = True) -> dict:
    """The landscape transition (module docstring; docs/theory.md §10.1).

    ``landscape_params_c_rank`` = min{p : r(p) >= R_opt}, R_opt the rank of the orbit Hessian at the best
    optimum found (the dimension count); ``reach_params_c`` the smallest p at which the gate sequence attains
    the optimum at all (:func:`reach_depth`, searched from p = 1). ``landscape_regime``: "transversal" when
    reach_params_c >= landscape_params_c_rank (the optimum is met no earlier than the dimension count allows),
    "non-transversal" when it is met earlier (a special optimum reached on a rank-deficient stratum, where
    degenerate minima at other critical points of F on the orbit can persist), "unreached" when the search
    did not attain it. ``landscape_params_c`` = max(reach_params_c, landscape_params_c_rank) (None when
    unreached). ``reach=False`` skips the search (landscape_params_c is then the dimension count).

    ``ranks``: r(1), r(2), ... from :func:`qfim_rank_curve`. Returns the optimum, R_opt, the optimal-set
    dimension orbit rank - R_opt, the eigenvalue gap of the rank decision and diagnostics."""
    gates = prepare_gates(generators)
    L = len(gates)
    if max(ranks) == 0:            # psi0 does not move: F is constant on the (zero-dimensional) orbit
        f0 = float(np.real(np.vdot(psi0, h_dense @ psi0)))
        res = {"E_opt": f0, "optimum_grad_norm": 0.0, "p_opt": 0, "starts": 0, "starts_at_optimum": 0,
               "hessian_rank_at_optimum": 0, "optimal_set_dim": 0, "hessian_min_eig": 0.0,
               "hessian_smallest_positive": None, "hessian_largest_zero": None, "hessian_scale": 0.0,
               "landscape_params_c": 0, "landscape_params_c_rank": 0, "reach_params_c": 0,
               "landscape_regime": "transversal"}
        if ground_energy is not None:
            ev = np.linalg.eigvalsh(h_dense)
            res["E0"] = float(ground_energy)
            res["ground_state_reachable"] = bool(f0 <= ground_energy + 1e-7 * max(float(ev[-1] - ev[0]), 1e-300))
        return res
    if p_opt is None:
        p_opt = max(2 * params_c, params_c + 2 * L)
    opt = optimise_orbit(gates, psi0, h_dense, p_opt, starts, seed)
    psi_star = circuit_state(gates, opt["theta"], psi0)
    q = orbit_hessian_algebra(generators, psi_star, h_dense, max(ranks))
    ev = np.linalg.eigvalsh(q)
    top = max(float(np.abs(ev).max()), 1e-300)
    pos = ev > HESSIAN_RANK_TOL * top
    r_opt = int(pos.sum())
    above = float(ev[pos].min()) if r_opt else None
    below = float(np.abs(ev[~pos]).max()) if (~pos).any() else None
    rmax = max(ranks)
    hits = [i + 1 for i, r in enumerate(ranks) if r >= r_opt]
    rank_pc = int(hits[0]) if r_opt > 0 and hits else (0 if r_opt == 0 else None)
    res = {"E_opt": opt["value"], "optimum_grad_norm": opt["grad_norm"], "p_opt": int(p_opt),
           "starts": int(starts), "starts_at_optimum": opt["starts_at_best"],
           "hessian_rank_at_optimum": r_opt, "optimal_set_dim": int(rmax - r_opt),
           "hessian_min_eig": float(ev[0]) / top, "hessian_smallest_positive": above,
           "hessian_largest_zero": below, "hessian_scale": top, "landscape_params_c_rank": rank_pc}
    if reach:
        rd = reach_depth(gates, psi0, h_dense, opt["value"], 1, max(p_opt, len(ranks)), starts, seed)
        res.update(rd)
        pr = rd["reach_params_c"]
        if pr is None:
            regime = "unreached"
        elif rank_pc is None or pr >= rank_pc:
            regime = "transversal"
        else:
            regime = "non-transversal"
        res["landscape_regime"] = regime
        res["landscape_params_c"] = None if pr is None else (pr if rank_pc is None else max(pr, rank_pc))
    else:
        res["landscape_params_c"] = rank_pc
    if ground_energy is not None:
        res["E0"] = float(ground_energy)
        res["ground_state_reachable"] = bool(opt["value"] <= ground_energy + 1e-7 * opt["spectral_width"])
    return res


def analyse_overparam(generators: list[PauliSum], n: int, psi0: str | None = "zero",
                      hamiltonian: str | None = None, seed: int = 0, max_params: int | None = None,
                      starts: int = 8, check_minima: int = 0) -> dict:
    """Everything ``rmt-qgm overparam`` reports: the DLA orbit dimension (:mod:`.dla`), the QFIM rank
    curve, ``qfim_rank_max`` and ``params_c``, and with a Hamiltonian spec the landscape transition.

    ``check_minima`` > 0 (with a Hamiltonian): that many optimiser starts at every p from
    min(landscape_params_c_rank, reach_params_c) - 4 to max(both, params_c) + 4 (:func:`certified_minima`), the
    fraction of certified minima at the optimum against p, and ``measured_params_c``: the smallest p of that
    window from which every certified minimum found is at the optimum (None if there is none)."""
    from threadpoolctl import threadpool_limits
    from .dla import analyse_dla, parse_state
    if n < 1 or n > OVERPARAM_MAX_QUBITS:
        raise UserInputError(f"--qubits must be an integer in [1, {OVERPARAM_MAX_QUBITS}] for overparam; got {n}")
    t0 = time.perf_counter()
    with threadpool_limits(1):
        dla = analyse_dla(generators, n, psi0=psi0)
        psi, label = parse_state(psi0, n)
        orbit = int(dla["orbit_dim"])
        L = len(generators)
        p_max = max_params if max_params is not None else 4 * orbit + 4 * L
        curve = qfim_rank_curve(generators, psi, p_max, seed=seed, target=orbit)
        res = {"n": n, "generators": L, "psi0": label, "dla_dim": dla["dim"], "orbit_dim": orbit,
               "ideals": [t["type"] for t in dla["ideals"]], "centre_dim": dla["centre_dim"],
               "qfim_rank_max": curve["qfim_rank_max"], "params_c": curve["params_c"],
               "rank_equals_orbit_dim": curve["qfim_rank_max"] == orbit,
               "saturated": curve["qfim_rank_max"] == orbit, "p_evaluated": curve["p_evaluated"],
               "max_params": int(p_max), "ranks": curve["ranks"], "theta_seed": seed,
               "rank_decision": {"tol": curve["rank_tol"],
                                 "smallest_accepted_residual": curve["smallest_accepted_residual"],
                                 "largest_rejected_residual": curve["largest_rejected_residual"]}}
        if hamiltonian is not None:
            from ..hamiltonians import parse_hamiltonian
            h = parse_hamiltonian(hamiltonian, n)
            hd = h.to_dense()
            land = landscape_transition(generators, psi, hd, curve["ranks"], curve["params_c"], starts=starts,
                                        seed=seed, ground_energy=h.ground_energy)
            res["hamiltonian"] = h.spec
            res.update(land)
            d = 2 ** n
            spec = h.spectrum                         # the Haar-randomized value 2(d - d0) of §12.1, to compare
            d0 = int(np.sum(spec <= spec[0] + 1e-9 * max(spec[-1] - spec[0], 1e-300)))
            res["haar_params_c"] = 2 * (d - d0)
            res["landscape_status"] = LANDSCAPE_STATUS
            marks = [v for v in (res.get("landscape_params_c_rank"), res.get("reach_params_c")) if v]
            if check_minima and marks:
                rows = [certified_minima(generators, psi, hd, p, check_minima, seed, res["E_opt"])
                        for p in range(max(1, min(marks) - 4), max(max(marks), curve["params_c"]) + 5)]
                res["minima_check"] = [{k: r[k] for k in ("p", "starts", "certified", "at_optimum",
                                                          "fraction_at_optimum")} for r in rows]
                clean = [r["p"] for i, r in enumerate(rows)
                         if all(x["certified"] and x["at_optimum"] == x["certified"] for x in rows[i:])]
                res["measured_params_c"] = clean[0] if clean else None
    res["seconds"] = round(time.perf_counter() - t0, 3)
    return res


def format_overparam(res: dict) -> str:
    """Short text summary of :func:`analyse_overparam`."""
    lines = [f"{res['generators']} generator(s) on {res['n']} qubit(s), psi0={res['psi0']}: DLA dim {res['dla_dim']}"
             f" ({' + '.join(res['ideals']) or 'abelian'}; centre {res['centre_dim']}), orbit dim {res['orbit_dim']}",
             f"  QFIM rank max {res['qfim_rank_max']} at params_c = {res['params_c']} "
             + ("(= orbit dimension)" if res["rank_equals_orbit_dim"] else
                f"(below the orbit dimension {res['orbit_dim']} within {res['p_evaluated']} parameters)")]
    if "landscape_params_c" in res:
        lines.append(f"  H = {res['hamiltonian']}: optimum on the orbit {res['E_opt']:.10g} (E0 = {res['E0']:.10g}, "
                     f"{'reachable' if res['ground_state_reachable'] else 'not reachable'}); "
                     f"{res['starts_at_optimum']}/{res['starts']} starts at p = {res['p_opt']}")
        lines.append(f"  Hessian rank at the optimum {res['hessian_rank_at_optimum']} (optimal set dim "
                     f"{res['optimal_set_dim']}): dimension count min{{p: r(p) >= R_opt}} = "
                     f"{res['landscape_params_c_rank']} (Haar randomized circuits: {res['haar_params_c']})")
        if "reach_params_c" in res:
            lines.append(f"  optimum first attained at p = {res['reach_params_c']} ({res['landscape_regime']}): "
                         f"landscape_params_c = max(reach, count) = {res['landscape_params_c']}"
                         + ("" if res["landscape_regime"] == "transversal" else
                            " (a heuristic in this regime: docs/theory.md §10.1)"))
    if "minima_check" in res:
        lines.append("  certified minima at the optimum: " + ", ".join(
            f"p={r['p']}: {r['at_optimum']}/{r['certified']}" for r in res["minima_check"])
            + f"; measured params_c = {res['measured_params_c']}")
    lines.append(f"  {res['seconds']:.2f} s")
    return "\n".join(lines)


def certified_minima(generators: list[PauliSum], psi0: np.ndarray, h_dense: np.ndarray, p: int, starts: int,
                     seed: int, e_opt: float, grad_tol: float = 1e-6, eig_tol: float = 1e-6) -> dict:
    """Multi-start L-BFGS at p parameters; a final point is a *certified* local minimum when its gradient norm
    is below ``grad_tol`` and the smallest eigenvalue of its Hessian (central differences of the exact
    gradient, step 1e-5) is above -``eig_tol`` times the largest. Returns the counts and the fraction of
    certified minima at ``e_opt`` (within 1e-6 of the spectral width): the check of ``landscape_params_c``."""
    from scipy.optimize import minimize
    gates = prepare_gates(generators)
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 22, int(p)]))
    ev = np.linalg.eigvalsh(h_dense)
    width = max(float(ev[-1] - ev[0]), 1e-300)
    fun = lambda t: loss_and_gradient(gates, t, psi0, h_dense)
    cert, at_opt, values = 0, 0, []
    for _ in range(starts):
        r = minimize(fun, rng.uniform(0.0, 2.0 * math.pi, p), jac=True, method="L-BFGS-B",
                     options={"gtol": 1e-10, "ftol": 1e-15, "maxiter": 20000, "maxcor": 30})
        f, g = fun(r.x)
        if np.linalg.norm(g) > grad_tol:
            continue
        hess = np.empty((p, p))
        for a in range(p):
            e = np.zeros(p)
            e[a] = 1e-5
            hess[a] = (fun(r.x + e)[1] - fun(r.x - e)[1]) / 2e-5
        w = np.linalg.eigvalsh(0.5 * (hess + hess.T))
        if w[0] < -eig_tol * max(abs(w[-1]), 1e-300):
            continue
        cert += 1
        values.append(float(f))
        at_opt += int(f <= e_opt + 1e-6 * width)
    return {"p": int(p), "starts": int(starts), "certified": cert, "at_optimum": at_opt,
            "fraction_at_optimum": at_opt / cert if cert else None, "values": values}
