"""Exhaustive enumeration of the critical points of sampled hypertoroidal fields (docs/theory.md §5.3).

Fields are functions of w(theta) = (cos t_1, sin t_1) x ... x (cos t_p, sin t_p) in R^(2^p):

- :class:`WHRFField`: the isotropic WHRF F = |X w|^2, X an m x 2^p matrix of N(0, 1/m) entries
  (so E F = 1 and t = F);
- :class:`RayleighField`: the spherical model f = (Y w)^T A (Y w) / |Y w|^2, Y a 2d x 2^p Gaussian
  matrix, A = diag(a) (docs/theory.md §6.2);
- :class:`CircuitField`: a circuit's loss, gradient and exact Hessian (period pi as well).

All are pi-periodic in each angle. :func:`enumerate_critical_points` runs damped Newton on grad = 0
from a dense grid of starts over [0, pi)^p (vectorised over starts), keeps points with
max |grad| < ``grad_tol``, deduplicates them modulo pi, and classifies each by its Hessian index.
Completeness is certified per field with the Morse/Euler identity sum_k (-1)^k N_k = chi(T^p) = 0.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...checks import check_int


def hypertoroidal_basis(theta: np.ndarray):
    """w, d_i w, d_i d_j w for a batch of angles theta[S, p]: shapes (S, 2^p), (S, p, 2^p), (S, p, p, 2^p).

    d_i w replaces the i-th factor by (-sin, cos); d_i^2 w = -w (derivations/step_02)."""
    S, p = theta.shape
    c, s = np.cos(theta), np.sin(theta)
    fac = np.stack([c, s], axis=-1)                  # (S, p, 2): factor
    dfac = np.stack([-s, c], axis=-1)                # first derivative of each factor
    d2fac = -fac

    def kron(factors):
        out = factors[0]
        for f in factors[1:]:
            out = (out[:, :, None] * f[:, None, :]).reshape(S, -1)
        return out

    base = [fac[:, i] for i in range(p)]
    w = kron(base)
    dw = np.empty((S, p, 2 ** p))
    d2w = np.empty((S, p, p, 2 ** p))
    for i in range(p):
        fi = list(base)
        fi[i] = dfac[:, i]
        dw[:, i] = kron(fi)
        for j in range(p):
            fij = list(fi)
            fij[j] = d2fac[:, j] if i == j else dfac[:, j]
            d2w[:, i, j] = kron(fij)
    return w, dw, d2w


class WHRFField:
    """Isotropic WHRF F = |X w|^2 with X (m x 2^p) i.i.d. N(0, 1/m)."""

    def __init__(self, X: np.ndarray):
        self.X = X
        self.p = int(np.log2(X.shape[1]))

    @classmethod
    def sample(cls, m: int, p: int, rng: np.random.Generator) -> "WHRFField":
        return cls(rng.standard_normal((m, 2 ** p)) / np.sqrt(m))

    def derivs(self, theta):
        w, dw, d2w = hypertoroidal_basis(np.atleast_2d(theta))
        x = w @ self.X.T
        u = dw @ self.X.T
        v = d2w @ self.X.T
        F = np.einsum("sm,sm->s", x, x)
        g = 2 * np.einsum("sm,sim->si", x, u)
        h = 2 * (np.einsum("sim,sjm->sij", u, u) + np.einsum("sm,sijm->sij", x, v))
        return F, g, h


class RayleighField:
    """Spherical model f = y^T diag(a) y / |y|^2, y = Y w (module docstring)."""

    def __init__(self, Y: np.ndarray, a: np.ndarray):
        self.Y, self.a = Y, np.asarray(a, dtype=float)
        self.p = int(np.log2(Y.shape[1]))

    @classmethod
    def sample(cls, a: np.ndarray, p: int, rng: np.random.Generator) -> "RayleighField":
        return cls(rng.standard_normal((len(a), 2 ** p)), a)

    def derivs(self, theta):
        w, dw, d2w = hypertoroidal_basis(np.atleast_2d(theta))
        y = w @ self.Y.T
        u = dw @ self.Y.T
        v = d2w @ self.Y.T
        D = np.einsum("sd,sd->s", y, y)
        f = np.einsum("sd,d,sd->s", y, self.a, y) / D
        b = (self.a[None, :] - f[:, None]) * y                          # (A - f) y
        g = 2 * np.einsum("sid,sd->si", u, b) / D[:, None]
        uy = np.einsum("sid,sd->si", u, y)
        h = (np.einsum("sijd,sd->sij", v, b)
             + np.einsum("sid,d,sjd->sij", u, self.a, u) - f[:, None, None] * np.einsum("sid,sjd->sij", u, u)
             - g[:, :, None] * uy[:, None, :] - uy[:, :, None] * g[:, None, :])
        return f, g, 2 * h / D[:, None, None]


class CircuitField:
    """A circuit loss as a field: derivs via the adjoint gradient and exact Hessian."""

    def __init__(self, circuit, psi0, ham):
        self.circuit, self.psi0, self.ham = circuit, psi0, ham
        self.p = circuit.n_params

    def derivs(self, theta):
        theta = np.atleast_2d(theta)
        F = np.empty(len(theta))
        g = np.empty(theta.shape)
        h = np.empty((len(theta), self.p, self.p))
        for s, th in enumerate(theta):
            F[s], g[s] = self.circuit.loss_and_grad(th, self.psi0, self.ham)
            h[s] = self.circuit.hessian(th, self.psi0, self.ham)
        return F, g, h


@dataclass
class CriticalSet:
    """Deduplicated critical points of one field."""

    points: np.ndarray        # (N, p) in [0, pi)^p
    values: np.ndarray
    indices: np.ndarray
    min_abs_eig: np.ndarray
    p: int

    @property
    def counts_by_index(self) -> np.ndarray:
        return np.bincount(self.indices, minlength=self.p + 1)

    @property
    def euler(self) -> int:
        c = self.counts_by_index
        return int(np.sum(c * (-1) ** np.arange(self.p + 1)))

    @property
    def complete(self) -> bool:
        """Euler characteristic of the torus recovered (0) and no degenerate point."""
        return self.euler == 0 and bool(np.all(self.min_abs_eig > 1e-8))


#: a Newton start with max |grad| below this is converged and no longer iterated (enumerate_critical_points)
FREEZE_GRAD = 1e-12


def _wrap_dist(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    d = np.abs(np.mod(a - b + np.pi / 2, np.pi) - np.pi / 2)
    return d.max(axis=-1)


def enumerate_critical_points(field, *, grid_per_dim: int | None = None, grad_tol: float = 1e-9,
                              iters: int = 60, rng: np.random.Generator | None = None) -> CriticalSet:
    """All critical points found by Newton from a jittered grid of starts (module docstring)."""
    p = field.p
    g = grid_per_dim or {1: 40, 2: 24, 3: 12, 4: 8}.get(p, 6)
    g = check_int("grid_per_dim", g, 2)
    axes = (np.arange(g) + 0.5) * np.pi / g
    theta = np.stack(np.meshgrid(*([axes] * p), indexing="ij"), axis=-1).reshape(-1, p)
    if rng is not None:
        theta = theta + rng.uniform(-0.25, 0.25, theta.shape) * np.pi / g
    # Newton only on the starts still moving: a start whose max |grad| is below FREEZE_GRAD (1000x under
    # grad_tol's default) is converged and its further steps are rounding noise, so it is frozen. Same
    # critical sets as iterating every start all ``iters`` times (checked on WHRF p = 1-4 and circuit
    # fields: counts, points to 1e-9, values to 1e-12), 3-6x fewer field evaluations.
    active = np.arange(len(theta))
    for _ in range(iters):
        F, grad, hess = field.derivs(theta[active])
        moving = np.abs(grad).max(axis=1) >= FREEZE_GRAD
        active, grad, hess = active[moving], grad[moving], hess[moving]
        if active.size == 0:
            break
        try:
            step = np.linalg.solve(hess, grad[..., None])[..., 0]
        except np.linalg.LinAlgError:
            step = np.einsum("sij,sj->si", np.linalg.pinv(hess), grad)
        norm = np.abs(step).max(axis=1, keepdims=True)
        step = np.where(norm > 0.3, step * 0.3 / np.maximum(norm, 1e-300), step)
        theta[active] = theta[active] - step
    F, grad, hess = field.derivs(theta)
    ok = np.abs(grad).max(axis=1) < grad_tol
    theta, F, hess = np.mod(theta[ok], np.pi), F[ok], hess[ok]
    keep: list[int] = []
    for s in range(len(theta)):
        if not keep or _wrap_dist(theta[keep], theta[s]).min() > 1e-6:
            keep.append(s)
    theta, F, hess = theta[keep], F[keep], hess[keep]
    eig = np.linalg.eigvalsh(hess) if len(hess) else np.zeros((0, p))
    return CriticalSet(theta, F, (eig < 0).sum(axis=1), np.abs(eig).min(axis=1) if len(eig) else eig, p)
