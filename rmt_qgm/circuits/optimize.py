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
"""
from __future__ import annotations

import time
from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from ..hamiltonians import Hamiltonian
from .ansatz import Circuit
from .lbfgs import lbfgs

GRAD_TOL = 1e-8
EIG_REL_TOL = 1e-6
LBFGS_GTOL = 1e-11
LBFGS_MEMORY = 30
KIND_CODES = {"minimum": 0, "degenerate": 1, "saddle": 2}


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
             max_newton: int = 20) -> tuple[np.ndarray, float, np.ndarray, np.ndarray, int]:
    """Exact Hessian at theta; Newton steps only while max|grad| > GRAD_TOL.

    Returns (theta, F, grad, Hessian eigenvalues at the returned theta, Newton steps taken). The
    eigenvalues always belong to the returned point, so one Hessian suffices when L-BFGS already
    reached the gradient tolerance (the usual case).
    """
    f, g = circuit.loss_and_grad(theta, psi0, ham)
    it = 0
    while True:
        w, v = np.linalg.eigh(circuit.hessian(theta, psi0, ham))
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


def optimise_start(circuit: Circuit, psi0: np.ndarray, ham: Hamiltonian,
                   rng: np.random.Generator, maxiter: int = 20000,
                   limit_threads: bool = True) -> StartRecord:
    """One certified local optimisation from a uniform random start (module docstring).

    ``limit_threads=False`` skips the threadpoolctl context, for callers that already hold one
    around a batch of starts.
    """
    t0 = time.perf_counter()
    theta0 = rng.uniform(0.0, 2.0 * np.pi, circuit.n_params)
    with threadpool_limits(limits=1) if limit_threads else nullcontext():
        theta, _, _, lbfgs_it, _, _ = lbfgs(circuit.ops, theta0, np.ascontiguousarray(psi0, dtype=np.complex128),
                                            circuit.dense, circuit.diags, ham.xmasks, ham.coeffs,
                                            LBFGS_MEMORY, maxiter, LBFGS_GTOL)
        theta, f, g, eigs, newton_it = _certify(circuit, psi0, ham, theta)
    gn = float(np.max(np.abs(g)))
    index, kind = classify(eigs)
    three = np.full(3, np.nan)
    three[:min(3, eigs.size)] = eigs[:3]
    return StartRecord(F=float(f), index=index, kind=kind, grad_norm=gn, certified=gn <= GRAD_TOL,
                       min_eigs=three, iterations=int(lbfgs_it) + newton_it,
                       seconds=time.perf_counter() - t0, theta=np.mod(theta, np.pi))
