"""Batched multi-start: many starts of one circuit advanced in lock-step (issue 22, item 1).

Why: one L-BFGS start at n = 6, p = 64 makes ~140 loss+gradient sweeps, each 3(p + 1) products of a
fixed 2^n x 2^n Haar unitary with one vector. The gates are the same for every start of an instance, so
B starts evaluated together turn each product into one matrix-matrix product U [psi_1 ... psi_B]
(BLAS zgemm, unit-stride column blocks), reading U once per sweep instead of once per start.

Layout: a block X has shape (2^n, B), column b the state of start b (rows = amplitudes), so the
per-start rotations run over amplitude pairs with the columns innermost.

Every operation kind of :mod:`.kernels` is taken: Pauli rotations, dense and diagonal fixed gates, and the
coefficient-carrying diagonal gates and fixed Clifford rotations of generators files (OP_PDIAG, OP_FROT).

Formulas (identical to :mod:`.kernels`, applied column by column; docs/theory.md §2.2 for the ansatz):

- loss F_b = <psi_b|H|psi_b>, psi_b = U_L(theta_b) ... U_1(theta_b) psi0;
- adjoint gradient dF_b/dtheta_bk = 2 Im <lambda_bk| P_k psi_bk>, lambda = H psi carried backwards with
  psi; the backward step applies U^dagger to the block [Psi | Lambda] (2B columns) in one product.

:func:`lbfgs_batch` runs, for every start, exactly the algorithm of :func:`.lbfgs.lbfgs` (two-loop
recursion, the same line search with strong-Wolfe / approximate-Wolfe acceptance, the same stopping
rules and status codes), written as a per-start state machine: each round gathers the one trial point
every running start needs next, evaluates them all in one batched sweep, and advances each start.
Starts enter a window of at most ``width`` running starts in their given order and leave it when they
stop, so a start's result depends only on its own seed and the rounding of the batched products, never
on the number of worker processes.
"""
from __future__ import annotations

import numpy as np
import scipy.linalg.cython_blas  # noqa: F401  (numba's np.dot calls this BLAS: load it before threadpoolctl limits)
from numba import njit

from .kernels import (_FROT_R, OP_DENSE, OP_FROT, OP_PDIAG, OP_ROT, PHASE_MEMO, PHASE_TABLE, _base_phase,
                      _high_bit, _parity, _table_phases)
from .lbfgs import C1, C2, CONVERGED, HZ_DELTA, HZ_SIGMA, LINE_SEARCH_FAILED, MAXITER, SWITCHED, _dot, _maxabs

_WAIT, _INIT, _DIR, _LS, _DONE = 0, 1, 2, 3, 4
#: the forward states are kept for the backward sweep while they fit in this many bytes
STORE_BYTES = 64 * 2**20


@njit(cache=True, fastmath=True)
def _rotate_cols(X, xm, zm, c, s, inverse):
    """Column b of X <- exp(-+ i theta_b P) X[:, b] (c = cos theta, s = sin theta per column)."""
    dim, B = X.shape
    ph = _base_phase(xm, zm)
    sgn = 1.0 if inverse else -1.0          # gate c + sgn i s P
    if xm == 0:
        for y in range(dim):
            sg = -1.0 if _parity(y & zm) else 1.0
            for b in range(B):
                X[y, b] = X[y, b] * (c[b] + (sgn * sg * s[b]) * 1j * ph)
        return
    low = _high_bit(xm) - 1
    sx = _parity(xm & zm)
    for h in range(dim >> 1):
        y = ((h & ~low) << 1) | (h & low)
        y2 = y ^ xm
        sb = -1.0 if _parity(y & zm) else 1.0      # (P x)(y2) = ph * sb * x[y]
        sa = -sb if sx else sb                     # (P x)(y)  = ph * sa * x[y2]
        for b in range(B):
            q = (sgn * s[b]) * 1j * ph
            a0 = X[y, b]
            b0 = X[y2, b]
            X[y, b] = c[b] * a0 + q * sa * b0
            X[y2, b] = c[b] * b0 + q * sb * a0


@njit(cache=True, fastmath=True)
def _inner_unrotate(PL, B, xm, zm, c, s, acc):
    """acc[b] = Im <lam_b|P psi_b> for PL = [Psi | Lam] (2B columns), then both undo exp(-i theta_b P)."""
    dim = PL.shape[0]
    ph = _base_phase(xm, zm)
    for b in range(B):
        acc[b] = 0.0
    if xm == 0:
        for y in range(dim):
            sg = -1.0 if _parity(y & zm) else 1.0
            for b in range(B):
                a = PL[y, b]
                la = PL[y, B + b]
                v = np.conj(la) * (sg * ph * a)
                acc[b] += v.imag
                f = c[b] + (sg * s[b]) * 1j * ph
                PL[y, b] = f * a
                PL[y, B + b] = f * la
        return
    low = _high_bit(xm) - 1
    sx = _parity(xm & zm)
    for h in range(dim >> 1):
        y = ((h & ~low) << 1) | (h & low)
        y2 = y ^ xm
        sb = -1.0 if _parity(y & zm) else 1.0
        sa = -sb if sx else sb
        for b in range(B):
            a0 = PL[y, b]
            b0 = PL[y2, b]
            la = PL[y, B + b]
            lb = PL[y2, B + b]
            v = np.conj(la) * (sa * ph * b0) + np.conj(lb) * (sb * ph * a0)
            acc[b] += v.imag
            q = s[b] * 1j * ph
            PL[y, b] = c[b] * a0 + q * sa * b0
            PL[y2, b] = c[b] * b0 + q * sb * a0
            PL[y, B + b] = c[b] * la + q * sa * lb
            PL[y2, B + b] = c[b] * lb + q * sb * la


@njit(cache=True, fastmath=True)
def _pdiag_cols(X, d, t, inverse, diags, tab):
    """Column c of X <- exp(-+ i t_(c mod B) D) X[:, c], D = diag(Re d), B = t.size (a coefficient-carrying diagonal
    gate, OP_PDIAG; the phases of the few distinct diagonal values are computed once per column: from the gate's
    phase table when it has one, :func:`.kernels._table_phases`)."""
    dim, nc = X.shape
    B = t.shape[0]
    sg = 1.0 if inverse else -1.0
    tph = np.empty((B, PHASE_TABLE), dtype=np.complex128)
    m = 0
    for b in range(B):
        m = _table_phases(diags, tab, -t[b] if inverse else t[b], tph[b])
    if m:
        for y in range(dim):
            u = int(d[y].imag)
            for c in range(nc):
                X[y, c] = X[y, c] * tph[c % B, u]
        return
    vals = np.empty(PHASE_MEMO)
    phs = np.empty((PHASE_MEMO, B), dtype=np.complex128)
    used = 0
    for y in range(dim):
        dy = d[y].real
        u = -1
        for i in range(used):
            if vals[i] == dy:
                u = i
                break
        if u < 0 and used < PHASE_MEMO:
            vals[used] = dy
            for b in range(B):
                phs[used, b] = np.cos(t[b] * dy) + (sg * np.sin(t[b] * dy)) * 1j
            u = used
            used += 1
        if u >= 0:
            for c in range(nc):
                X[y, c] = X[y, c] * phs[u, c % B]
        else:
            for c in range(nc):
                tc = t[c % B]
                X[y, c] = X[y, c] * (np.cos(tc * dy) + (sg * np.sin(tc * dy)) * 1j)


@njit(cache=True, fastmath=True)
def _pdiag_inner(Ps, Lam, d, acc):
    """acc[b] = Im <lam_b|D psi_b> for columns b of Ps (states) and Lam (adjoint states), D = diag(Re d)."""
    dim, B = Lam.shape
    for b in range(B):
        acc[b] = 0.0
    for y in range(dim):
        dy = d[y].real
        for b in range(B):
            la = Lam[y, b]
            a = Ps[y, b]
            acc[b] += dy * (la.real * a.imag - la.imag * a.real)


@njit(cache=True)
def _apply_h_cols(X, hx, hc, out):
    """out = H X column by column, H in grouped form ((H x)(y) = sum_g hc[g, y] x(y ^ hx[g]))."""
    dim, B = X.shape
    for y in range(dim):
        for b in range(B):
            out[y, b] = 0.0
    for g in range(hx.shape[0]):
        xm = hx[g]
        for y in range(dim):
            cg = hc[g, y]
            if cg == 0.0:
                continue
            src = y ^ xm
            for b in range(B):
                out[y, b] += cg * X[src, b]


@njit(cache=True, fastmath=True)
def _inner_unrotate_lam(Ps, Lam, xm, zm, c, s, acc):
    """acc[b] = Im <lam_b|P psi_b> (Ps: the stored states after the gate), then Lam undoes the gate."""
    dim, B = Lam.shape
    ph = _base_phase(xm, zm)
    for b in range(B):
        acc[b] = 0.0
    if xm == 0:
        for y in range(dim):
            sg = -1.0 if _parity(y & zm) else 1.0
            for b in range(B):
                la = Lam[y, b]
                v = np.conj(la) * (sg * ph * Ps[y, b])
                acc[b] += v.imag
                Lam[y, b] = (c[b] + (sg * s[b]) * 1j * ph) * la
        return
    low = _high_bit(xm) - 1
    sx = _parity(xm & zm)
    for h in range(dim >> 1):
        y = ((h & ~low) << 1) | (h & low)
        y2 = y ^ xm
        sb = -1.0 if _parity(y & zm) else 1.0
        sa = -sb if sx else sb
        for b in range(B):
            la = Lam[y, b]
            lb = Lam[y2, b]
            v = np.conj(la) * (sa * ph * Ps[y2, b]) + np.conj(lb) * (sb * ph * Ps[y, b])
            acc[b] += v.imag
            q = s[b] * 1j * ph
            Lam[y, b] = c[b] * la + q * sa * lb
            Lam[y2, b] = c[b] * lb + q * sb * la


@njit(cache=True)
def _adjoint_dense(dense, j, jh, X, work):
    """work = u^dagger X for u = dense[j] (dense[jh] holds u^dagger if jh > 0); returns work."""
    if jh > 0:
        np.dot(dense[jh], X, work)
        return work
    u = dense[j]
    dim, B = X.shape
    # u^dagger X = conj(u^T conj(X)); u^T is a Fortran-ordered view, no copy
    for y in range(dim):
        for b in range(B):
            X[y, b] = np.conj(X[y, b])
    np.dot(u.T, X, work)
    for y in range(dim):
        for b in range(B):
            work[y, b] = np.conj(work[y, b])
    return work


@njit(cache=True)
def loss_and_grad_batch(ops, thetas, psi0, dense, diags, hx, hc, store_bytes=STORE_BYTES):
    """(F[B], G[B, p]) for the B parameter vectors thetas[B, p] (module docstring).

    If the p states after the rotations fit in ``store_bytes`` (p 2^n B 16 bytes), they are kept from
    the forward sweep and only Lambda is moved backwards (2 instead of 3 products per dense gate);
    otherwise psi is carried backwards with Lambda, as in :func:`.kernels.loss_and_grad`.
    """
    B, p = thetas.shape
    dim = psi0.shape[0]
    store = p * dim * B * 16 <= store_bytes
    cs = np.cos(thetas)
    sn = np.sin(thetas)
    Psi = np.empty((dim, B), dtype=np.complex128)
    for y in range(dim):
        for b in range(B):
            Psi[y, b] = psi0[y]
    saved = np.empty((p if store else 0, dim, B), dtype=np.complex128)
    tmp = np.empty((dim, B), dtype=np.complex128)
    cb = np.empty(B)
    sb = np.empty(B)
    tb = np.empty(B)
    fc = np.full(2 * B, _FROT_R)          # the fixed Clifford rotation exp(-i s pi/4 Q) = R (I - i s Q), every column
    fs = np.full(2 * B, _FROT_R)
    for l in range(ops.shape[0]):
        op = ops[l]
        if op[0] == OP_ROT:
            k = op[3]
            for b in range(B):
                cb[b] = cs[b, k]
                sb[b] = sn[b, k]
            _rotate_cols(Psi, op[1], op[2], cb, sb, False)
            if store:
                saved[k] = Psi
        elif op[0] == OP_DENSE:
            np.dot(dense[op[1]], Psi, tmp)
            Psi, tmp = tmp, Psi
        elif op[0] == OP_PDIAG:
            k = op[3]
            for b in range(B):
                tb[b] = thetas[b, k]
            _pdiag_cols(Psi, diags[op[1]], tb, False, diags, op[2])
            if store:
                saved[k] = Psi
        elif op[0] == OP_FROT:
            _rotate_cols(Psi, op[1], op[2], fc[:B], fs[:B] * op[3], False)
        else:
            d = diags[op[1]]
            for y in range(dim):
                for b in range(B):
                    Psi[y, b] = Psi[y, b] * d[y]
    _apply_h_cols(Psi, hx, hc, tmp)
    F = np.zeros(B)
    G = np.zeros((B, p))
    acc = np.empty(B)
    if store:
        Lam = tmp
        work = np.empty((dim, B), dtype=np.complex128)
    else:
        Lam = np.empty((dim, 2 * B), dtype=np.complex128)      # [Psi | Lam]
        work = np.empty((dim, 2 * B), dtype=np.complex128)
    for y in range(dim):
        for b in range(B):
            F[b] += Psi[y, b].real * tmp[y, b].real + Psi[y, b].imag * tmp[y, b].imag
    if not store:
        for y in range(dim):
            for b in range(B):
                Lam[y, B + b] = tmp[y, b]
                Lam[y, b] = Psi[y, b]
    for l in range(ops.shape[0] - 1, -1, -1):
        op = ops[l]
        if op[0] == OP_ROT:
            k = op[3]
            for b in range(B):
                cb[b] = cs[b, k]
                sb[b] = sn[b, k]
            if store:
                _inner_unrotate_lam(saved[k], Lam, op[1], op[2], cb, sb, acc)
            else:
                _inner_unrotate(Lam, B, op[1], op[2], cb, sb, acc)
            for b in range(B):
                G[b, k] = 2.0 * acc[b]
        elif op[0] == OP_DENSE:
            out = _adjoint_dense(dense, op[1], op[2], Lam, work)
            Lam, work = out, Lam
        elif op[0] == OP_PDIAG:
            k = op[3]
            for b in range(B):
                tb[b] = thetas[b, k]
            if store:
                _pdiag_inner(saved[k], Lam, diags[op[1]], acc)
            else:
                _pdiag_inner(Lam[:, :B], Lam[:, B:], diags[op[1]], acc)
            _pdiag_cols(Lam, diags[op[1]], tb, True, diags, op[2])
            for b in range(B):
                G[b, k] = 2.0 * acc[b]
        elif op[0] == OP_FROT:
            nc = Lam.shape[1]
            _rotate_cols(Lam, op[1], op[2], fc[:nc], fs[:nc] * op[3], True)
        else:
            d = diags[op[1]]
            for y in range(dim):
                cd = np.conj(d[y])
                for b in range(Lam.shape[1]):
                    Lam[y, b] = Lam[y, b] * cd
    return F, G


@njit(cache=True)
def _direction(g, S, Y, rho, head, n_pairs, gamma, m, d):
    """d = -H_k g by the two-loop recursion (as in :func:`.lbfgs.lbfgs`); returns n_pairs (0 on restart)."""
    p = g.shape[0]
    alpha = np.zeros(m)
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
    if _dot(d, g) >= 0.0:
        for i in range(p):
            d[i] = -g[i]
        return 0
    return n_pairs


@njit(cache=True)
def lbfgs_batch(ops, theta0, psi0, dense, diags, hx, hc, m, maxiter, gtol, width,
                switch_gtol=0.0, stall_window=0, stall_factor=0.1):
    """L-BFGS of :func:`.lbfgs.lbfgs` for every row of theta0[S, p], ``width`` starts in lock-step.

    Returns (theta[S, p], F[S], grad[S, p], iterations[S], evals[S], status[S]). With the defaults the
    per-start algorithm is exactly that of :func:`.lbfgs.lbfgs`. Endgame hand-over (status SWITCHED):
    a start stops when max|g| <= switch_gtol (> gtol to take effect), or, if stall_window > 0, when
    max|g| at the end of a window of stall_window iterations exceeds stall_factor times its value at
    the window's start (less than a factor 1/stall_factor of progress: the plateaus of gamma ~ 1).
    """
    S_n, p = theta0.shape
    max_evals = 40
    width = max(1, width)
    x = theta0.copy()
    f = np.zeros(S_n)
    g = np.zeros((S_n, p))
    Sm = np.zeros((S_n, m, p))
    Ym = np.zeros((S_n, m, p))
    rho = np.zeros((S_n, m))
    n_pairs = np.zeros(S_n, dtype=np.int64)
    head = np.zeros(S_n, dtype=np.int64)
    gam = np.ones(S_n)
    fails = np.zeros(S_n, dtype=np.int64)
    it = np.zeros(S_n, dtype=np.int64)
    evals = np.zeros(S_n, dtype=np.int64)
    status = np.full(S_n, MAXITER, dtype=np.int64)
    state = np.full(S_n, _WAIT, dtype=np.int64)
    # line-search state
    d = np.zeros((S_n, p))
    xn = np.zeros((S_n, p))
    best_g = np.zeros((S_n, p))
    dphi0 = np.zeros(S_n)
    epsf = np.zeros(S_n)
    lo = np.zeros(S_n)
    dlo = np.zeros(S_n)
    hi = np.zeros(S_n)
    dhi = np.zeros(S_n)
    a = np.zeros(S_n)
    ls_ev = np.zeros(S_n, dtype=np.int64)
    best_a = np.zeros(S_n)
    best_f = np.zeros(S_n)
    # stall window
    ref_g = np.zeros(S_n)
    ref_it = np.zeros(S_n, dtype=np.int64)
    nxt = 0
    running = 0
    idx = np.empty(S_n, dtype=np.int64)
    while True:
        while running < width and nxt < S_n:
            state[nxt] = _INIT
            nxt += 1
            running += 1
        # directions for the starts that need one (the top of the loop of lbfgs())
        for s in range(S_n):
            if state[s] != _DIR:
                continue
            gmax = _maxabs(g[s])
            if it[s] >= maxiter:
                status[s] = MAXITER
                state[s] = _DONE
            elif gmax <= gtol:
                status[s] = CONVERGED
                state[s] = _DONE
            elif gmax <= switch_gtol:
                status[s] = SWITCHED
                state[s] = _DONE
            elif stall_window > 0 and it[s] - ref_it[s] >= stall_window:
                if gmax > stall_factor * ref_g[s]:
                    status[s] = SWITCHED
                    state[s] = _DONE
                else:
                    ref_g[s] = gmax
                    ref_it[s] = it[s]
            if state[s] == _DONE:
                running -= 1
                continue
            n_pairs[s] = _direction(g[s], Sm[s], Ym[s], rho[s], head[s], n_pairs[s], gam[s], m, d[s])
            a0 = 1.0
            if n_pairs[s] == 0:
                a0 = min(1.0, 1.0 / max(gmax, 1e-300))
            dphi0[s] = _dot(g[s], d[s])
            epsf[s] = 1e-14 * (abs(f[s]) + 1.0)
            lo[s] = 0.0
            dlo[s] = dphi0[s]
            hi[s] = np.inf
            dhi[s] = 0.0
            a[s] = a0
            ls_ev[s] = 0
            best_a[s] = 0.0
            best_f[s] = f[s]
            best_g[s] = g[s]
            for i in range(p):
                xn[s, i] = x[s, i] + a0 * d[s, i]
            state[s] = _LS
        nb = 0
        for s in range(S_n):
            if state[s] == _INIT or state[s] == _LS:
                idx[nb] = s
                nb += 1
        if nb == 0:
            if nxt >= S_n:
                break
            continue
        T = np.empty((nb, p))
        for j in range(nb):
            s = idx[j]
            if state[s] == _INIT:
                T[j] = x[s]
            else:
                T[j] = xn[s]
        Fb, Gb = loss_and_grad_batch(ops, T, psi0, dense, diags, hx, hc)
        for j in range(nb):
            s = idx[j]
            fv = Fb[j]
            gv = Gb[j]
            if state[s] == _INIT:
                f[s] = fv
                g[s] = gv
                evals[s] = 1
                ref_g[s] = _maxabs(gv)
                state[s] = _DIR
                continue
            # one step of lbfgs._line_search
            ls_ev[s] += 1
            dphi = _dot(gv, d[s])
            armijo = fv <= f[s] + C1 * a[s] * dphi0[s]
            approx = (fv <= f[s] + epsf[s]) and ((2.0 * HZ_DELTA - 1.0) * dphi0[s] >= dphi)
            if armijo and fv < best_f[s]:
                best_a[s] = a[s]
                best_f[s] = fv
                best_g[s] = gv
            accept = False
            finish = False
            if not (armijo or approx):
                hi[s] = a[s]
                dhi[s] = dphi
            elif abs(dphi) <= -C2 * dphi0[s]:
                accept = True
            elif approx and dphi >= HZ_SIGMA * dphi0[s] and dphi <= 0.0:
                accept = True
            elif dphi < 0.0:
                lo[s] = a[s]
                dlo[s] = dphi
            else:
                hi[s] = a[s]
                dhi[s] = dphi
            acc_a = a[s]
            acc_f = fv
            if not accept:
                if hi[s] == np.inf:
                    a[s] = 2.0 * a[s]
                else:
                    width_b = hi[s] - lo[s]
                    cand = lo[s] + 0.5 * width_b
                    if dhi[s] > dlo[s] and dhi[s] > 0.0:
                        cand = lo[s] - dlo[s] * width_b / (dhi[s] - dlo[s])
                    lo_safe = lo[s] + 0.1 * width_b
                    hi_safe = hi[s] - 0.1 * width_b
                    if cand < lo_safe:
                        cand = lo_safe
                    if cand > hi_safe:
                        cand = hi_safe
                    a[s] = cand
                    if width_b <= 1e-16 * (1.0 + hi[s]):
                        finish = True
                if ls_ev[s] >= max_evals:
                    finish = True
                if not finish:
                    for i in range(p):
                        xn[s, i] = x[s, i] + a[s] * d[s, i]
                    continue
                if best_a[s] > 0.0:
                    accept = True
                    acc_a = best_a[s]
                    acc_f = best_f[s]
                    gv = best_g[s].copy()
            evals[s] += ls_ev[s]
            it[s] += 1
            state[s] = _DIR
            if not accept:
                fails[s] += 1
                n_pairs[s] = 0
                if fails[s] >= 2:
                    status[s] = LINE_SEARCH_FAILED
                    state[s] = _DONE
                    running -= 1
                continue
            fails[s] = 0
            hs = head[s]
            sy = 0.0
            yy = 0.0
            ss = 0.0
            for i in range(p):
                si = acc_a * d[s, i]
                yi = gv[i] - g[s, i]
                Sm[s, hs, i] = si
                Ym[s, hs, i] = yi
                sy += si * yi
                yy += yi * yi
                ss += si * si
                x[s, i] += si
            f[s] = acc_f
            g[s] = gv
            if sy > 1e-12 * np.sqrt(ss * yy):
                rho[s, hs] = 1.0 / sy
                gam[s] = sy / yy
                head[s] = (hs + 1) % m
                if n_pairs[s] < m:
                    n_pairs[s] += 1
    return x, f, g, it, evals, status
