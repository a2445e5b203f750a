"""float64 numba kernels of :mod:`.spherical` and :mod:`.minima_complexity`.

Notation of those modules: a_j = E_j - f and nu_j the levels and weights of the shifted spectral law,
g = gamma, s the semicircle variance, K(w) = sum_j nu_j a_j / (1 - g w a_j) + s w + 1/w.

The kernels replaced numpy code (and scipy.optimize.brentq calls) operation for operation, so the numbers
did not move: every sum is numpy's pairwise summation (:func:`psum`), :func:`brent` is brentq's iteration,
and :func:`profile_newton` makes the BLAS/LAPACK calls numpy made (bitwise equal where numba's BLAS, from
scipy, uses the same kernels as numpy's, as on the machines measured). fastmath is off everywhere;
error_model="numpy" gives inf/nan instead of exceptions, as numpy does.
"""
from __future__ import annotations

import numpy as np
from numba import njit

_KPRIME, _GIBBS = 0, 1          # which function :func:`brent` solves
BRENT_OK, BRENT_SIGN, BRENT_MAXITER, BRENT_NAN = 0, 1, 2, 3


@njit(cache=True)
def _block(x, lo, n):
    """numpy's pairwise_sum of x[lo:lo+n] for n <= 128: 8 accumulators, combined as a tree, then the rest."""
    if n < 8:
        r = 0.0
        for i in range(lo, lo + n):
            r += x[i]
        return r
    r0, r1, r2, r3 = x[lo], x[lo + 1], x[lo + 2], x[lo + 3]
    r4, r5, r6, r7 = x[lo + 4], x[lo + 5], x[lo + 6], x[lo + 7]
    i = 8
    while i < n - n % 8:
        j = lo + i
        r0 += x[j]
        r1 += x[j + 1]
        r2 += x[j + 2]
        r3 += x[j + 3]
        r4 += x[j + 4]
        r5 += x[j + 5]
        r6 += x[j + 6]
        r7 += x[j + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += x[lo + i]
        i += 1
    return res


@njit(cache=True)
def psum(x: np.ndarray) -> float:
    """sum_j x_j with numpy's pairwise summation, so it equals ``x.sum()`` bitwise: blocks of at most 128
    (:func:`_block`), split in two halves (rounded to a multiple of 8) above that, halves added.

    The split tree is walked with an explicit stack (numba cannot cache recursive functions)."""
    n = x.size
    if n <= 128:
        return 0.0 + _block(x, 0, n)
    los = np.empty(128, np.int64)
    ns = np.empty(128, np.int64)
    split = np.zeros(128, np.bool_)
    vals = np.empty(128)
    top, nv = 0, 0
    los[0], ns[0] = 0, n
    while top >= 0:
        lo, m = los[top], ns[top]
        if m <= 128:                              # leaf
            vals[nv] = _block(x, lo, m)
            nv += 1
            top -= 1
        elif not split[top]:                      # push right half, then left half (done first)
            split[top] = True
            h = m // 2
            h -= h % 8
            los[top + 1], ns[top + 1], split[top + 1] = lo + h, m - h, False
            los[top + 2], ns[top + 2], split[top + 2] = lo, h, False
            top += 2
        else:                                     # both halves done: left + right
            vals[nv - 2] = vals[nv - 2] + vals[nv - 1]
            nv -= 1
            top -= 1
    return 0.0 + vals[0]


@njit(cache=True, error_model="numpy")
def kprime_rest(w: float, a: np.ndarray, nu: np.ndarray, g: float, buf: np.ndarray) -> float:
    """P(w) = sum_j nu_j g a_j^2 / (1 - g w a_j)^2, the s-independent part of K'(w) = P(w) + s - 1/w^2."""
    for j in range(a.size):
        den = 1.0 - g * (w * a[j])
        buf[j] = nu[j] * g * (a[j] * a[j]) / (den * den)
    return psum(buf)


@njit(cache=True, error_model="numpy")
def kfun(w: float, a: np.ndarray, nu: np.ndarray, g: float, s: float, buf: np.ndarray) -> float:
    """K(w) = sum_j nu_j a_j / (1 - g a_j w) + s w + 1/w (the edge value K(w*))."""
    for j in range(a.size):
        buf[j] = nu[j] * a[j] / (1.0 - g * a[j] * w)
    return psum(buf) + s * w + 1.0 / w


@njit(cache=True, error_model="numpy")
def _k_cauchy(w, a, nu, g, s, buf):
    """K(w) as in :func:`kfun` with g (w a_j) in the denominator (the order of the numpy G(z) solver)."""
    for j in range(a.size):
        buf[j] = nu[j] * a[j] / (1.0 - g * (w * a[j]))
    return psum(buf) + s * w + 1.0 / w


@njit(cache=True, error_model="numpy")
def gibbs_h(b: float, c: np.ndarray, nu: np.ndarray, buf: np.ndarray) -> float:
    """h(beta) = sum_j nu_j c_j / (1 + beta c_j) (c_j = E_j - f: the Haar-typical spread has mean f iff h = 0)."""
    for j in range(c.size):
        buf[j] = nu[j] * c[j] / (1 + b * c[j])
    return psum(buf)


@njit(cache=True, error_model="numpy")
def _fval(kind, x, p, q, g, s, buf):
    """K'(x) = P(x) + s - 1/x^2 (kind 0; p, q = a, nu) or h(x) (kind 1; p, q = c, nu)."""
    if kind == _KPRIME:
        return kprime_rest(x, p, q, g, buf) + s - 1.0 / (x * x)
    return gibbs_h(x, p, q, buf)


@njit(cache=True, error_model="numpy")
def brent(kind: int, xa: float, xb: float, p: np.ndarray, q: np.ndarray, g: float, s: float,
          buf: np.ndarray) -> tuple[float, int]:
    """Root in [xa, xb] of K'(w) (kind 0; p, q = a, nu) or h(beta) (kind 1; p, q = c, nu) by Brent's method.

    Same iteration, arithmetic and stopping rule as scipy.optimize.brentq(xtol=1e-300, rtol=1e-15,
    maxiter=100): inverse quadratic or linear interpolation when it shortens the step enough, else bisection;
    stop when half the bracket is below (xtol + rtol |x|) / 2. Returns (root, status) with status one of
    BRENT_OK, BRENT_SIGN (no sign change), BRENT_MAXITER, BRENT_NAN.
    """
    xtol, rtol = 1e-300, 1e-15
    xpre, xcur = xa, xb
    xblk = fblk = spre = scur = 0.0
    fpre = _fval(kind, xpre, p, q, g, s, buf)
    fcur = _fval(kind, xcur, p, q, g, s, buf)
    if np.isnan(fpre) or np.isnan(fcur):
        return np.nan, BRENT_NAN
    if fpre * fcur > 0:
        return np.nan, BRENT_SIGN
    if fpre == 0:
        return xpre, BRENT_OK
    if fcur == 0:
        return xcur, BRENT_OK
    for _ in range(100):
        if fpre * fcur < 0:
            xblk, fblk = xpre, fpre
            spre = scur = xcur - xpre
        if abs(fblk) < abs(fcur):                 # keep the best estimate in xcur
            xpre, xcur, xblk = xcur, xblk, xcur
            fpre, fcur, fblk = fcur, fblk, fcur
        delta = (xtol + rtol * abs(xcur)) / 2
        sbis = (xblk - xcur) / 2
        if fcur == 0 or abs(sbis) < delta:
            return xcur, BRENT_OK
        if abs(spre) > delta and abs(fcur) < abs(fpre):
            if xpre == xblk:                      # secant
                stry = -fcur * (xcur - xpre) / (fcur - fpre)
            else:                                 # inverse quadratic
                dpre = (fpre - fcur) / (xpre - xcur)
                dblk = (fblk - fcur) / (xblk - xcur)
                stry = -fcur * (fblk * dblk - fpre * dpre) / (dblk * dpre * (fblk - fpre))
            if 2 * abs(stry) < min(abs(spre), 3 * abs(sbis) - delta):
                spre, scur = scur, stry
            else:
                spre = scur = sbis
        else:
            spre = scur = sbis
        xpre, fpre = xcur, fcur
        if abs(scur) > delta:
            xcur += scur
        else:
            xcur += delta if sbis > 0 else -delta
        fcur = _fval(kind, xcur, p, q, g, s, buf)
        if np.isnan(fcur):
            return np.nan, BRENT_NAN
    return xcur, BRENT_MAXITER


@njit(cache=True, error_model="numpy")
def kprime_table(grid: np.ndarray, a: np.ndarray, nu: np.ndarray, g: float) -> np.ndarray:
    """P(w_i) (:func:`kprime_rest`) on a scan grid: K'(w_i) = P(w_i) + s - 1/w_i^2 for every s at once."""
    buf = np.empty(a.size)
    out = np.empty(grid.size)
    for i in range(grid.size):
        out[i] = kprime_rest(grid[i], a, nu, g, buf)
    return out


@njit(cache=True, error_model="numpy")
def wstar(grid: np.ndarray, table: np.ndarray, a: np.ndarray, nu: np.ndarray, g: float,
          s: float) -> tuple[float, int, int]:
    """w*: the first zero of K'(w) = P(w) + s - 1/w^2 along ``grid`` (w going down from 0-), then Brent in
    (grid[i], grid[i - 1]), i the first grid point where K' > 0.

    ``table``: P on the grid (:func:`kprime_table`), or an empty array to evaluate K' on the fly up to the
    first positive value. Returns (w*, i, status): status BRENT_* of the solve, or -1 when K' < 0 on the
    whole grid (no edge below 0), -2 when K' > 0 at the first grid point (grid too coarse).
    """
    buf = np.empty(a.size)
    for i in range(grid.size):
        w = grid[i]
        rest = table[i] if table.size else kprime_rest(w, a, nu, g, buf)
        if rest + s - 1.0 / (w * w) > 0:
            if i == 0:
                return np.nan, i, -2
            root, status = brent(_KPRIME, grid[i], grid[i - 1], a, nu, g, s, buf)
            return root, i, status
    return np.nan, -1, -1


@njit(cache=True, error_model="numpy")
def gibbs_beta(c: np.ndarray, nu: np.ndarray, u: np.ndarray) -> tuple[float, float, float, int]:
    """beta solving h(beta) = 0 (:func:`gibbs_h`) in (-1/c_max, -1/c_min): first h < 0 on the grid
    lo + (hi - lo) u, then Brent. Returns (beta, bracket_left, bracket_right, status); status -1: no h < 0."""
    buf = np.empty(c.size)
    lo, hi = -1.0 / c[-1], -1.0 / c[0]
    for i in range(u.size):
        b = lo + (hi - lo) * u[i]
        if gibbs_h(b, c, nu, buf) < 0:
            bl = lo + (hi - lo) * u[i - 1 if i > 0 else u.size - 1]
            beta, status = brent(_GIBBS, bl, b, c, nu, 0.0, 0.0, buf)
            return beta, bl, b, status
    return np.nan, np.nan, np.nan, -1


@njit(cache=True, error_model="numpy")
def rho2_of_beta(b: float, c: np.ndarray, nu: np.ndarray) -> float:
    """rho^2 = sum_j nu_j c_j^2 / (1 + beta c_j) / sum_j nu_j / (1 + beta c_j) (the Haar-typical spread)."""
    num = np.empty(c.size)
    den = np.empty(c.size)
    for j in range(c.size):
        num[j] = nu[j] * (c[j] * c[j]) / (1 + b * c[j])
        den[j] = nu[j] / (1 + b * c[j])
    return psum(num) / psum(den)


@njit(cache=True, error_model="numpy")
def _cauchy_step(w, lo, hi, z, a, nu, g, s, buf, buf2):
    """One safeguarded Newton step for K(w) = z on the bracket (lo, hi): returns (w, lo, hi, converged)."""
    for j in range(a.size):
        den = 1.0 - g * (w * a[j])
        buf[j] = nu[j] * a[j] / den
        buf2[j] = nu[j] * g * (a[j] * a[j]) / (den * den)
    Kw = psum(buf) + s * w + 1.0 / w
    dK = psum(buf2) + s - 1.0 / (w * w)
    if Kw > z:
        lo = w
    else:
        hi = w
    step = (Kw - z) / dK
    if not np.isfinite(step):
        step = 0.0
    conv = abs(step) <= 4e-15 * abs(w)
    wn = w - step
    if not conv and not (min(lo, hi) < wn < max(lo, hi)):
        wn = 0.5 * (lo + hi)
    return wn, lo, hi, conv


_STEPS = 100


@njit(cache=True, error_model="numpy")
def _advance(k, upto, hist, hconv, count, cyc, z, a, nu, g, s, buf, buf2):
    """Step z_k on until its state after ``upto`` steps is known: stored (count[k] >= upto) or on a cycle."""
    while count[k] < upto and cyc[k] < 0:
        t = count[k]
        w, lo, hi, hconv[k, t] = _cauchy_step(hist[k, t, 0], hist[k, t, 1], hist[k, t, 2], z[k], a, nu, g, s,
                                              buf, buf2)
        hist[k, t + 1, 0], hist[k, t + 1, 1], hist[k, t + 1, 2] = w, lo, hi
        count[k] = t + 1
        for j in range(t + 1):
            if hist[k, j, 0] == w and hist[k, j, 1] == lo and hist[k, j, 2] == hi:
                cyc[k] = j
                break


@njit(cache=True, error_model="numpy")
def cauchy_left(a: np.ndarray, nu: np.ndarray, g: float, s: float, z: np.ndarray, ws: float) -> np.ndarray:
    """G(z_k) for real z_k left of the edge: the root w in (w*, 0) of K(w) = z_k (K decreases there).

    The bracket's right end starts at w*/2 and halves until K <= z; then safeguarded Newton steps
    (:func:`_cauchy_step`) for all z_k together, until every z_k converges at the same step (|step| <=
    4e-15 |w|) or after 100 steps, as the vectorised numpy version did: each z_k ends in its state after T
    steps, T the same for all. Each z_k is stepped only as far as needed to know T and that state: a z_k
    whose state (w, lo, hi) repeats is periodic from then on and its later states are read off the cycle
    (same numbers, without stepping converged z_k along with the slowest one).
    """
    m, n = z.size, a.size
    buf = np.empty(n)
    buf2 = np.empty(n)
    hist = np.empty((m, _STEPS + 1, 3))          # (w, lo, hi) after t steps, t = 0 .. count[k]
    hconv = np.zeros((m, _STEPS), np.bool_)     # converged flag of step t (taken from state t)
    count = np.zeros(m, np.int64)
    cyc = np.full(m, -1)                        # first state of the cycle, -1 if none found (yet)
    mean = psum(nu * a)
    for k in range(m):
        lo, hi = ws, ws / 2
        for _ in range(200):
            if _k_cauchy(hi, a, nu, g, s, buf) > z[k]:
                hi /= 2
            else:
                break
        guess = 1.0 / (z[k] - mean)                     # G(z) ~ 1/(z - mean) away from the edge
        w = guess if min(lo, hi) < guess < max(lo, hi) else 0.5 * (lo + hi)
        hist[k, 0, 0], hist[k, 0, 1], hist[k, 0, 2] = w, lo, hi
    T = 0                                          # the step after which all z_k have converged together
    while T < _STEPS - 1:
        done = True
        for k in range(m):
            _advance(k, T + 1, hist, hconv, count, cyc, z, a, nu, g, s, buf, buf2)
            if not hconv[k, _state_index(T, cyc[k], count[k])]:
                done = False
                break
        if done:
            break
        T += 1
    out = np.empty(m)
    for k in range(m):
        _advance(k, T + 1, hist, hconv, count, cyc, z, a, nu, g, s, buf, buf2)
        out[k] = hist[k, _state_index(T + 1, cyc[k], count[k]), 0]
    return out


@njit(cache=True)
def _state_index(t, c, last):
    """Where the state after t steps is stored: t itself, or its place on the cycle that starts at state c
    and returns to it at state ``last`` (the states stored are 0 .. last)."""
    if t < last or c < 0:
        return t
    return c + (t - c) % (last - c)


@njit(cache=True, error_model="numpy")
def _phi(x0, x1, c, d, nu, q):
    """(1/2) sum_j nu_j log q_j with q_j = 1 + x0 c_j + x1 d_j (-inf if some q_j <= 0); q: scratch."""
    for j in range(c.size):
        q[j] = 1 + x0 * c[j] + x1 * d[j]
        if q[j] <= 0:
            return -np.inf
    for j in range(c.size):
        q[j] = nu[j] * np.log(q[j])
    return 0.5 * psum(q)


@njit(cache=True, error_model="numpy")
def profile_newton(c: np.ndarray, nu: np.ndarray, rho2: float) -> tuple[float, float, float]:
    """Maximise phi(a, b) = (1/2) sum_j nu_j log(1 + a c_j + b (c_j^2 - rho2)) (concave) by damped Newton
    from (0, 0): step halving until phi does not fall (-inf outside the domain), until |grad| < 1e-13.

    Gradient 0.5 V (nu/q) and Hessian -0.5 V diag(nu/q^2) V^T with V = [c; c^2 - rho2], through BLAS and
    LAPACK as the numpy version did. Returns (phi, a, b); raises LinAlgError when the Hessian is singular
    or not finite.
    """
    n = c.size
    d = c ** 2 - rho2
    V = np.empty((2, n))
    V[0] = c
    V[1] = d
    half_V = 0.5 * V
    VT = np.ascontiguousarray(V.T)
    r = np.empty(n)                       # nu / q
    W = np.empty((2, n))                  # -0.5 V diag(nu / q^2)
    scratch = np.empty(n)
    A = B = val = 0.0
    for _ in range(200):
        for j in range(n):
            q = 1 + A * c[j] + B * d[j]
            r[j] = nu[j] / q
            w2 = nu[j] / (q * q)
            W[0, j] = -0.5 * (c[j] * w2)
            W[1, j] = -0.5 * (d[j] * w2)
        grad = np.dot(half_V, r)
        step = -np.linalg.solve(np.dot(W, VT), grad)
        t = 1.0
        while True:
            na, nb = A + t * step[0], B + t * step[1]
            nv = _phi(na, nb, c, d, nu, scratch)
            if nv >= val - 1e-15 * abs(val):
                break
            t /= 2
            if t < 1e-12:
                break
        A, B, val = na, nb, nv
        if not (np.isfinite(A) and np.isfinite(B)):
            break
        if max(abs(grad[0]), abs(grad[1])) < 1e-13:
            break
    return val, A, B
