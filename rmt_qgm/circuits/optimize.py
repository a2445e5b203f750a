"""Multi-start local optimisation with certification of every result.

One start: theta0 uniform in [0, 2 pi)^p from the start's own Generator; the compiled L-BFGS of
:mod:`rmt_qgm.circuits.lbfgs` with the exact adjoint gradient down to max|grad| <= LBFGS_GTOL (1e-11),
BLAS limited to one thread (threadpoolctl); then the exact Hessian at that point. If the gradient is
still above GRAD_TOL, Newton steps (eigen-decomposition, pseudo-inverse below a relative cutoff,
backtracking on |grad|) follow, each with a fresh Hessian; the eigenvalues used for certification are
always those of the final point. Certification:

- ``certified``: max_i |dF/dtheta_i| <= GRAD_TOL (1e-8);
- the Hessian eigenvalues decide the kind. With scale = max(1, max|lambda|) and
  tol = EIG_REL_TOL * scale (1e-6), ``index`` = #{lambda < -tol}; index 0 with all |lambda| > tol is a
  ``minimum``; index 0 with some |lambda| <= tol is ``degenerate`` (flat directions: e.g. the manifolds
  of global minima when gamma >= 1); index > 0 is a ``saddle``.

Records hold F, index, kind, grad_norm, certified, the 3 smallest Hessian eigenvalues, iterations and
seconds. Work is split by (instance, start) and every start has its own seed, so results do not depend
on the number of worker processes.

Batched multi-start (:func:`optimise_batch`, issue 22): the starts of one instance run the same L-BFGS
in lock-step (:func:`rmt_qgm.circuits.batch.lbfgs_batch`), each then certified exactly as above.

Second-order endgame (``endgame=True``, issue 22): L-BFGS hands a start over when max|grad| <=
ENDGAME_GTOL or when it stalls (max|grad| not reduced by the factor STALL_FACTOR within STALL_WINDOW
iterations); :func:`trust_region_newton` then finishes it with the exact Hessian. The model of the step
s from theta is m(s) = F + g.s + s.Hs/2; with H = V diag(w) V^T and gt = V^T g the trust-region
subproblem min m(s), |s| <= Delta is solved in the eigenbasis (Nocedal & Wright, 2nd ed., §4.3):
s(mu) = -sum_i gt_i / (w_i + mu) v_i with mu = 0 if w > 0 and |s(0)| <= Delta, else the mu >
max(0, -w_min) with |s(mu)| = Delta (the "hard case" adds a multiple of the lowest eigenvector).
Eigen-directions with |w_i| <= cut = max(1e-10 scale, min(EIG_REL_TOL scale, 10 max|grad|)) are left
out of the step: near a degenerate minimum (gamma >= 1) the curvature off the flat manifold is
O(|grad|), so those eigenvalues, often slightly negative, are unresolved and sent the step far along
flat directions (linear instead of quadratic convergence).
Steps are accepted when the actual decrease is at least ETA of the predicted one; where the predicted
decrease is below the rounding of F (1e-14 (|F| + 1)) the step is accepted when it lowers max|grad|.
Delta: x 1/4 when the ratio is below 1/4, x 2 when above 3/4 and the step reached the boundary.

``endgame="cg"`` finishes with the truncated-Newton trust region of :mod:`.newton_cg` instead
(Steihaug-CG on exact Hessian-vector products, preconditioned by an occasionally refreshed exact
Hessian): the same hand-over, acceptance rule and certification, fewer exact Hessians (issue 22:
n = 8, gamma = 1). ``endgame=True`` (or "exact") is the exact-Hessian trust region above. With "cg" the
certification's exact Hessian comes from :func:`rmt_qgm.circuits.newton_cg.hessian_blas` (the same formula
with the dense gates as BLAS matrix products, 2x faster at n = 8, p = 512; same tolerances and rule), and
the hand-over's stall window is CG_STALL_WINDOW.
"""
from __future__ import annotations

import time
from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from ..errors import UserInputError
from ..hamiltonians import Hamiltonian
from .ansatz import Circuit
from .batch import lbfgs_batch
from .lbfgs import SWITCHED, lbfgs
from .trust_region import next_radius, step_ratio

GRAD_TOL = 1e-8
EIG_REL_TOL = 1e-6
LBFGS_GTOL = 1e-11
LBFGS_MEMORY = 30
KIND_CODES = {"minimum": 0, "degenerate": 1, "saddle": 2}
#: endgame hand-over (module docstring)
ENDGAME_GTOL = 1e-6
STALL_WINDOW = 100
#: the stall window of the hand-over to the truncated-Newton endgame ("cg")
CG_STALL_WINDOW = 100
STALL_FACTOR = 0.1
TR_MAX_ITER = 200
#: steps of the truncated-Newton endgame: its steps cost ~1 loss+gradient and a few products, not a Hessian, and at
#: n = 8, gamma = 1 (paper-fig1) 3 of 52 instances needed 180-200 steps, one of them not converging within 200
#: (2026-12-08, benchmarks/results/bench_circuits_column8_20261208_run1.json)
CG_MAX_ITER = 400
TR_ETA = 1e-4
#: endgame choices: exact-Hessian trust region, Hessian-free Steihaug-CG trust region
ENDGAMES = ("exact", "cg")


@dataclass
class StartRecord:
    F: float
    index: int
    kind: str
    grad_norm: float
    certified: bool
    min_eigs: np.ndarray
    iterations: int
    seconds: float
    theta: np.ndarray
    endgame_steps: int = 0        # trust-region Newton iterations (included in ``iterations``)
    hvps: int = 0                 # Hessian-vector products of the Hessian-free endgame


def classify(eigs: np.ndarray) -> tuple[int, str]:
    """(index, kind) from Hessian eigenvalues (module docstring for the tolerance)."""
    scale = max(1.0, float(np.max(np.abs(eigs)))) if eigs.size else 1.0
    tol = EIG_REL_TOL * scale
    index = int(np.sum(eigs < -tol))
    if index > 0:
        return index, "saddle"
    if np.any(np.abs(eigs) <= tol):
        return 0, "degenerate"
    return 0, "minimum"


def newton_polish(circuit: Circuit, psi0: np.ndarray, ham: Hamiltonian, theta: np.ndarray,
                  max_iter: int = 20) -> tuple[np.ndarray, int]:
    """Newton iterations on grad F = 0 with a pseudo-inverse Hessian and backtracking on |grad|."""
    f, g = circuit.loss_and_grad(theta, psi0, ham)
    gn = np.max(np.abs(g))
    it = 0
    while it < max_iter and gn > 1e-12:
        hs = circuit.hessian(theta, psi0, ham)
        w, v = np.linalg.eigh(hs)
        cut = 1e-10 * max(1.0, np.max(np.abs(w)))
        coef = v.T @ g
        keep = np.abs(w) > cut
        step = -(v[:, keep] @ (coef[keep] / w[keep]))
        accepted = False
        for alpha in (1.0, 0.5, 0.25, 0.1):
            trial = theta + alpha * step
            f2, g2 = circuit.loss_and_grad(trial, psi0, ham)
            gn2 = np.max(np.abs(g2))
            if gn2 < gn:
                theta, g, gn = trial, g2, gn2
                accepted = True
                break
        it += 1
        if not accepted:
            break
    return theta, it


def _certify(circuit: Circuit, psi0: np.ndarray, ham: Hamiltonian, theta: np.ndarray,
             max_newton: int = 20, hessian=None) -> tuple[np.ndarray, float, np.ndarray, np.ndarray, int]:
    """Exact Hessian at theta; Newton steps only while max|grad| > GRAD_TOL.

    Returns (theta, F, grad, Hessian eigenvalues at the returned theta, Newton steps taken). The
    eigenvalues always belong to the returned point, so one Hessian suffices when L-BFGS already
    reached the gradient tolerance (the usual case). ``hessian(circuit, theta, psi0, ham)``: the exact
    Hessian's kernel (default :meth:`Circuit.hessian`; the "cg" endgame passes the same formula's BLAS
    kernel :func:`rmt_qgm.circuits.newton_cg.hessian_blas`).
    """
    f, g = circuit.loss_and_grad(theta, psi0, ham)
    it = 0
    while True:
        hs = circuit.hessian(theta, psi0, ham) if hessian is None else hessian(circuit, theta, psi0, ham)
        w, v = np.linalg.eigh(hs)
        gn = np.max(np.abs(g))
        if gn <= GRAD_TOL or it >= max_newton:
            return theta, f, g, w, it
        cut = 1e-10 * max(1.0, np.max(np.abs(w)))
        coef = v.T @ g
        keep = np.abs(w) > cut
        step = -(v[:, keep] @ (coef[keep] / w[keep]))
        it += 1
        for alpha in (1.0, 0.5, 0.25, 0.1):
            trial = theta + alpha * step
            f2, g2 = circuit.loss_and_grad(trial, psi0, ham)
            if np.max(np.abs(g2)) < gn:
                theta, f, g = trial, f2, g2
                break
        else:
            return theta, f, g, w, it


def _tr_step(w: np.ndarray, v: np.ndarray, g: np.ndarray, delta: float, cut: float = 0.0) -> np.ndarray:
    """Solution of min g.s + s.Hs/2 over |s| <= delta, H = v diag(w) v^T (module docstring), in the span
    of the eigenvectors with |w_i| > cut (the others are unresolved at this distance: no step along them)."""
    keep = np.abs(w) > cut
    if not np.any(keep):
        return np.zeros_like(g)
    w, v = w[keep], v[:, keep]
    gt = v.T @ g
    scale = max(1.0, float(np.max(np.abs(w))))
    lo = max(0.0, -float(w[0]))
    if w[0] > 0.0:
        st = -gt / w
        if np.linalg.norm(st) <= delta:
            return v @ st

    def norm(mu):
        return float(np.linalg.norm(gt / (w + mu)))

    mu_lo = lo * (1.0 + 1e-12) + 1e-300
    if norm(mu_lo) <= delta:
        # hard case: |s(mu)| cannot reach delta for mu > -w_min; go to the boundary along v_min
        st = np.zeros_like(gt)
        mask = w + lo > 1e-12 * scale
        st[mask] = -gt[mask] / (w[mask] + lo)
        rest = delta ** 2 - float(st @ st)
        st[0] += np.sqrt(max(rest, 0.0))
        return v @ st
    mu_hi = max(mu_lo, 1e-300) * 2.0 + float(np.linalg.norm(gt)) / delta
    while norm(mu_hi) > delta:
        mu_hi *= 2.0
    for _ in range(100):                      # bisection on the monotone |s(mu)|
        mu = 0.5 * (mu_lo + mu_hi)
        if norm(mu) > delta:
            mu_lo = mu
        else:
            mu_hi = mu
        if mu_hi - mu_lo <= 1e-12 * mu_hi:
            break
    return v @ (-gt / (w + mu_hi))


def trust_region_newton(circuit: Circuit, psi0: np.ndarray, ham: Hamiltonian, theta: np.ndarray,
                        gtol: float = LBFGS_GTOL, max_iter: int = TR_MAX_ITER,
                        delta: float | None = None) -> tuple[np.ndarray, float, np.ndarray, int]:
    """Trust-region Newton on F with the exact Hessian (module docstring) until max|grad| <= gtol.

    The first radius (``delta=None``) is |s_N| capped at 0.5, s_N = -sum_i gt_i / |w_i| v_i over the
    eigenvalues |w_i| > 1e-10 max(1, max|w|) (a Newton step with curvature magnitudes), so a tiny
    negative eigenvalue near a degenerate minimum does not send the first step to a far boundary.
    Returns (theta, F, grad, iterations); an iteration costs one loss+gradient, and one Hessian after
    each accepted step (a rejected step only shrinks the radius)."""
    f, g = circuit.loss_and_grad(theta, psi0, ham)
    gn = float(np.max(np.abs(g)))
    it = 0
    w = v = None
    while it < max_iter and gn > gtol:
        if w is None:
            w, v = np.linalg.eigh(circuit.hessian(theta, psi0, ham))
            if delta is None:
                gt = v.T @ g
                keep = np.abs(w) > 1e-10 * max(1.0, float(np.max(np.abs(w))))
                delta = min(0.5, max(float(np.linalg.norm(gt[keep] / np.abs(w[keep]))), 1e-12))
        # eigenvalues below ~|grad| are not resolved (near a degenerate minimum the off-manifold
        # curvature is O(|grad|)), and below EIG_REL_TOL they count as flat in classify()
        scale = max(1.0, float(np.max(np.abs(w))))
        cut = max(1e-10 * scale, min(EIG_REL_TOL * scale, 10.0 * gn))
        s = _tr_step(w, v, g, delta, cut)
        sn = float(np.linalg.norm(s))
        st = v.T @ s
        pred = -(float(g @ s) + 0.5 * float(st @ (w * st)))
        trial = theta + s
        f2, g2 = circuit.loss_and_grad(trial, psi0, ham)
        gn2 = float(np.max(np.abs(g2)))
        it += 1
        ratio, ok = step_ratio(f, f2, gn, gn2, pred, TR_ETA)
        delta = next_radius(delta, ratio, sn, sn >= 0.99 * delta)
        if ok:
            theta, f, g, gn = trial, f2, g2, gn2
            w = v = None
        elif delta < 1e-14:
            break
    return theta, f, g, it


def _record(circuit: Circuit, psi0: np.ndarray, ham: Hamiltonian, theta: np.ndarray, iterations: int,
            t0: float, hessian=None) -> StartRecord:
    """Certify theta (:func:`_certify`, ``hessian`` its kernel) and build its record; seconds = now - t0."""
    theta, f, g, eigs, newton_it = _certify(circuit, psi0, ham, theta, hessian=hessian)
    gn = float(np.max(np.abs(g)))
    index, kind = classify(eigs)
    three = np.full(3, np.nan)
    three[:min(3, eigs.size)] = eigs[:3]
    return StartRecord(F=float(f), index=index, kind=kind, grad_norm=gn, certified=gn <= GRAD_TOL,
                       min_eigs=three, iterations=int(iterations) + newton_it,
                       seconds=time.perf_counter() - t0, theta=circuit.wrap(theta))


def _endgame_kind(endgame: bool | str | None) -> str | None:
    """None (no endgame), "exact" (``True`` or "exact") or "cg"."""
    if endgame is False or endgame is None or endgame == "none":
        return None
    if endgame is True:
        return "exact"
    if endgame not in ENDGAMES:
        raise UserInputError(f"endgame must be one of {', '.join(ENDGAMES)}, none, or a bool; got {endgame!r}")
    return endgame


def endgame_param(endgame: bool | str | None) -> bool | str:
    """The ``endgame`` parameter as a simulation records it: False, True (the exact-Hessian trust region,
    as before the Hessian-free one existed) or "cg" (:mod:`.newton_cg`)."""
    kind = _endgame_kind(endgame)
    return False if kind is None else (True if kind == "exact" else kind)


def _finish(circuit: Circuit, psi0: np.ndarray, ham: Hamiltonian, theta: np.ndarray,
            kind: str) -> tuple[np.ndarray, int, int]:
    """Run the endgame ``kind`` from theta: (theta, outer iterations, Hessian-vector products)."""
    if kind == "cg":
        from .newton_cg import newton_cg_trust_region, supported
        if supported(circuit):
            theta, _, _, it, n_hv, _ = newton_cg_trust_region(circuit, psi0, ham, theta, gtol=LBFGS_GTOL,
                                                              max_iter=CG_MAX_ITER, eta=TR_ETA,
                                                              eig_rel_tol=EIG_REL_TOL)
            return theta, it, n_hv
    theta, _, _, it = trust_region_newton(circuit, psi0, ham, theta)
    return theta, it, 0


def _cert_hessian(endgame: bool | str | None):
    """The certification's exact-Hessian kernel: the BLAS one of :mod:`.newton_cg` with the "cg" endgame
    (same formula, same certification rule; 2.2x faster at n = 8, p = 512), else :meth:`Circuit.hessian`."""
    if _endgame_kind(endgame) == "cg":
        from .newton_cg import hessian_blas
        return hessian_blas
    return None


def _switch_args(endgame: bool | str) -> tuple[float, int, float]:
    kind = _endgame_kind(endgame)
    if kind is None:
        return 0.0, 0, STALL_FACTOR
    return ENDGAME_GTOL, CG_STALL_WINDOW if kind == "cg" else STALL_WINDOW, STALL_FACTOR


def optimise_start(circuit: Circuit, psi0: np.ndarray, ham: Hamiltonian,
                   rng: np.random.Generator, maxiter: int = 20000,
                   limit_threads: bool = True, endgame: bool = False) -> StartRecord:
    """One certified local optimisation from a uniform random start (module docstring).

    ``limit_threads=False`` skips the threadpoolctl context, for callers that already hold one
    around a batch of starts. ``endgame=True``: trust-region Newton once L-BFGS hands over.
    """
    t0 = time.perf_counter()
    theta0 = rng.uniform(0.0, 2.0 * np.pi, circuit.n_params)
    with threadpool_limits(limits=1) if limit_threads else nullcontext():
        theta, _, _, it, _, status = lbfgs(circuit.ops, theta0, np.ascontiguousarray(psi0, dtype=np.complex128),
                                           circuit.dense, circuit.diags, ham.xmasks, ham.coeffs,
                                           LBFGS_MEMORY, maxiter, LBFGS_GTOL, *_switch_args(endgame))
        it, tr_it, n_hv = int(it), 0, 0
        if status == SWITCHED:
            theta, tr_it, n_hv = _finish(circuit, psi0, ham, theta, _endgame_kind(endgame))
        rec = _record(circuit, psi0, ham, theta, it + tr_it, t0, hessian=_cert_hessian(endgame))
        rec.endgame_steps = tr_it
        rec.hvps = n_hv
        return rec


def optimise_batch(circuit: Circuit, psi0: np.ndarray, ham: Hamiltonian,
                   rngs: list[np.random.Generator], width: int = 32, maxiter: int = 20000,
                   limit_threads: bool = True, endgame: bool = False) -> list[StartRecord]:
    """Certified local optimisations of len(rngs) starts of one instance, ``width`` in lock-step.

    Start j draws theta0 from rngs[j] exactly as :func:`optimise_start`; the L-BFGS iteration is the
    same per start (:func:`rmt_qgm.circuits.batch.lbfgs_batch`), then each start is certified (and,
    with ``endgame``, finished by trust-region Newton) on its own. A record's ``seconds`` is its
    share of the batched L-BFGS time plus its own certification time.
    """
    t0 = time.perf_counter()
    theta0 = np.array([r.uniform(0.0, 2.0 * np.pi, circuit.n_params) for r in rngs]).reshape(len(rngs), -1)
    psi = np.ascontiguousarray(psi0, dtype=np.complex128)
    out = []
    with threadpool_limits(limits=1) if limit_threads else nullcontext():
        theta, _, _, its, _, status = lbfgs_batch(circuit.ops, theta0, psi, circuit.dense, circuit.diags,
                                                  ham.xmasks, ham.coeffs, LBFGS_MEMORY, maxiter,
                                                  LBFGS_GTOL, max(1, int(width)), *_switch_args(endgame))
        share = (time.perf_counter() - t0) / max(1, len(rngs))
        for j in range(len(rngs)):
            t1 = time.perf_counter()
            th, it, tr_it, n_hv = theta[j], int(its[j]), 0, 0
            if status[j] == SWITCHED:
                th, tr_it, n_hv = _finish(circuit, psi, ham, th, _endgame_kind(endgame))
            rec = _record(circuit, psi, ham, th, it + tr_it, t1, hessian=_cert_hessian(endgame))
            rec.seconds += share
            rec.endgame_steps = tr_it
            rec.hvps = n_hv
            out.append(rec)
    return out
