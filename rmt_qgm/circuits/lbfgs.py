"""Compiled L-BFGS on a circuit loss: the whole optimisation runs inside one numba call.

Why: at n = 6, p = 64 one adjoint loss+gradient costs about 0.27 ms, and scipy's L-BFGS-B added about
0.1 ms of Python overhead per iteration. Running the iteration in numba removes that overhead; the
objective is the same kernel (`kernels.loss_and_grad`), with every operation kind it takes (also the
coefficient-carrying gates of generators files). numba's on-disk cache does not see changes to that kernel
(it keys this module on this file only): a change there needs a change here or a cleared cache.

Algorithm (Nocedal & Wright, *Numerical Optimization*, 2nd ed.):

- direction d = -H_k g from the two-loop recursion (Alg. 7.4) over the last ``m`` pairs
  (s, y), with initial scaling H_0 = (s.y / y.y) I (eq. 7.20); a pair is stored only if
  s.y > 1e-12 |s| |y| (keeps H_k positive definite);
- step length by a bracketing line search that accepts alpha when either the strong Wolfe conditions
  hold (c1 = 1e-4, c2 = 0.9; eqs. 3.7) or the *approximate Wolfe* conditions of Hager & Zhang
  (SIAM J. Optim. 16, 170 (2005), eq. 4.1):
  (2 delta - 1) phi'(0) >= phi'(alpha) >= sigma phi'(0)  and  phi(alpha) <= phi(0) + eps_f,
  with eps_f = 1e-14 (|phi(0)| + 1). Near a minimum the decrease g.d alpha falls below the rounding of
  F (about 1e-16 |F|), so the Armijo test alone stalls at |g| ~ 1e-9; the derivative-based test keeps
  converging until the gradient itself reaches its rounding floor.
- stop when max_i |g_i| <= gtol, after ``maxiter`` iterations, or when two line searches in a row
  fail (status codes below);
- endgame hand-over (off by default, status SWITCHED): stop when max|g| <= switch_gtol, or, with
  stall_window = w > 0, when after w iterations max|g| is still above stall_factor times its value w
  iterations earlier (the slow plateaus near gamma ~ 1); :mod:`.optimize` then finishes with
  trust-region Newton steps on the exact Hessian.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from .kernels import loss_and_grad

CONVERGED = 0
MAXITER = 1
LINE_SEARCH_FAILED = 2
#: handed to the second-order endgame (:mod:`.optimize`): max|g| <= switch_gtol, or a stalled window
SWITCHED = 3

C1 = 1e-4
C2 = 0.9
HZ_DELTA = 0.1
HZ_SIGMA = 0.9


@njit(cache=True)
def _dot(a, b):
    acc = 0.0
    for i in range(a.shape[0]):
        acc += a[i] * b[i]
    return acc


@njit(cache=True)
def _maxabs(a):
    acc = 0.0
    for i in range(a.shape[0]):
        v = abs(a[i])
        if v > acc:
            acc = v
    return acc


@njit(cache=True)
def _line_search(ops, psi0, dense, diags, hx, hc, x, f0, g0, d, alpha0, max_evals):
    """Bracketing search on phi(a) = F(x + a d) (module docstring); returns (ok, a, f, g, evals)."""
    dphi0 = _dot(g0, d)
    eps_f = 1e-14 * (abs(f0) + 1.0)
    lo = 0.0
    dlo = dphi0
    hi = np.inf
    dhi = 0.0
    a = alpha0
    xn = np.empty_like(x)
    evals = 0
    best_a = 0.0
    best_f = f0
    best_g = g0.copy()
    while evals < max_evals:
        for i in range(x.shape[0]):
            xn[i] = x[i] + a * d[i]
        f, g = loss_and_grad(ops, xn, psi0, dense, diags, hx, hc)
        evals += 1
        dphi = _dot(g, d)
        armijo = f <= f0 + C1 * a * dphi0
        approx = (f <= f0 + eps_f) and ((2.0 * HZ_DELTA - 1.0) * dphi0 >= dphi)
        if armijo and f < best_f:
            best_a, best_f, best_g = a, f, g
        if not (armijo or approx):
            hi, dhi = a, dphi
        elif abs(dphi) <= -C2 * dphi0:
            return True, a, f, g, evals                      # strong Wolfe
        elif approx and dphi >= HZ_SIGMA * dphi0 and dphi <= 0.0:
            return True, a, f, g, evals                      # approximate Wolfe
        elif dphi < 0.0:
            lo, dlo = a, dphi                                # still descending: go further
        else:
            hi, dhi = a, dphi                                # overshot the 1-d minimum
        if hi == np.inf:
            a = 2.0 * a
        else:
            # secant on phi' between lo and hi, safeguarded to the middle 80 % of the bracket
            width = hi - lo
            cand = lo + 0.5 * width
            if dhi > dlo and dhi > 0.0:
                cand = lo - dlo * width / (dhi - dlo)
            lo_safe = lo + 0.1 * width
            hi_safe = hi - 0.1 * width
            if cand < lo_safe:
                cand = lo_safe
            if cand > hi_safe:
                cand = hi_safe
            a = cand
            if width <= 1e-16 * (1.0 + hi):
                break
    if best_a > 0.0:
        return True, best_a, best_f, best_g, evals
    return False, 0.0, f0, g0, evals


@njit(cache=True)
def lbfgs(ops, theta0, psi0, dense, diags, hx, hc, m, maxiter, gtol, switch_gtol=0.0, stall_window=0,
          stall_factor=0.1):
    """Minimise F from theta0 (module docstring). Returns (theta, F, grad, iterations, evals, status)."""
    p = theta0.shape[0]
    x = theta0.copy()
    f, g = loss_and_grad(ops, x, psi0, dense, diags, hx, hc)
    evals = 1
    S = np.zeros((m, p))
    Y = np.zeros((m, p))
    rho = np.zeros(m)
    alpha = np.zeros(m)
    n_pairs = 0
    head = 0                       # slot of the next pair to write
    gamma = 1.0
    fails = 0
    it = 0
    d = np.empty(p)
    status = MAXITER
    ref_g = _maxabs(g)
    ref_it = 0
    while it < maxiter:
        gmax = _maxabs(g)
        if gmax <= gtol:
            status = CONVERGED
            break
        if gmax <= switch_gtol:
            status = SWITCHED
            break
        if stall_window > 0 and it - ref_it >= stall_window:
            if gmax > stall_factor * ref_g:
                status = SWITCHED
                break
            ref_g = gmax
            ref_it = it
        # two-loop recursion
        for i in range(p):
            d[i] = -g[i]
        for j in range(n_pairs):
            slot = (head - 1 - j) % m
            alpha[slot] = rho[slot] * _dot(S[slot], d)
            for i in range(p):
                d[i] -= alpha[slot] * Y[slot, i]
        for i in range(p):
            d[i] *= gamma
        for j in range(n_pairs - 1, -1, -1):
            slot = (head - 1 - j) % m
            beta = rho[slot] * _dot(Y[slot], d)
            for i in range(p):
                d[i] += (alpha[slot] - beta) * S[slot, i]
        if _dot(d, g) >= 0.0:      # not a descent direction (rounding): restart from steepest descent
            n_pairs = 0
            for i in range(p):
                d[i] = -g[i]
        a0 = 1.0
        if n_pairs == 0:
            a0 = min(1.0, 1.0 / max(_maxabs(g), 1e-300))
        ok, a, f_new, g_new, ne = _line_search(ops, psi0, dense, diags, hx, hc, x, f, g, d, a0, 40)
        evals += ne
        it += 1
        if not ok:
            fails += 1
            n_pairs = 0
            if fails >= 2:
                status = LINE_SEARCH_FAILED
                break
            continue
        fails = 0
        sy = 0.0
        yy = 0.0
        ss = 0.0
        for i in range(p):
            si = a * d[i]
            yi = g_new[i] - g[i]
            S[head, i] = si
            Y[head, i] = yi
            sy += si * yi
            yy += yi * yi
            ss += si * si
            x[i] += si
        f = f_new
        g = g_new
        if sy > 1e-12 * np.sqrt(ss * yy):
            rho[head] = 1.0 / sy
            gamma = sy / yy
            head = (head + 1) % m
            if n_pairs < m:
                n_pairs += 1
    return x, f, g, it, evals, status
