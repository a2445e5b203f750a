"""Exact Hessian of F = <psi|H|psi> by one forward sweep of a block of dressed-generator states.

Formula (the same as :mod:`.kernels`, module docstring): with U_{>k} the gates after rotation k,
Gt_k = U_{>k} P_k U_{>k}^dagger, J_k = -i Gt_k psi and lambda = H psi (final frame),

    Hess_ij = 2 Re[ <J_i|H|J_j> + <K_j|J_i> ]   (i < j),   Hess_ii = 2 Re[ <J_i|H|J_i> - F ],
    <K_j|J_i> = <i P_j lambda_j | J_i^(j)>,

where lambda_j = U_{>j}^dagger lambda and J_i^(j) = U_{>j}^dagger J_i = (gates i+1..j)(-i P_i psi_i) are
both in the frame just after gate j. Algorithm:

1. backward sweep of lambda, storing w_j = i P_j lambda_j (p x 2^n);
2. forward sweep of psi with the block B = [J_0^(l), ..., J_(m-1)^(l)] of the m columns created so far:
   every gate l acts on psi and on all columns at once; at rotation j the row C[j, :j] = Re <w_j|B> is
   accumulated in the same pass over the amplitude pairs, then the new column -i P_j psi_j joins B;
3. at the end B = J (final frame); Re J^dagger H J by two real matrix products (BLAS).

Coefficient-carrying diagonal gates exp(-i theta_k D) (OP_PDIAG, :mod:`.kernels`) enter with P_k replaced
by D: w_k = i D lambda_k, new column -i D psi_k, and since D^2 != I the diagonal term is
Hess_kk = 2 Re[<J_k|H|J_k> - <lambda_k|D^2 psi_k>] = 2 (Re <J_k|H|J_k> + Re <w_k|J_k>) (for a Pauli word
Re <w_k|J_k> = -F, the formula above); C[k, k] holds Re <w_k|J_k> for these k. Fixed Clifford rotations
(OP_FROT) act on the block like a rotation at angle pi/4 and add no column.

The block is stored split (real and imaginary parts, 2^n x p each), so every inner loop runs over the
columns with unit stride and no complex shuffles. Time O(p^2 2^n) as before, but one pass over memory
per gate instead of 2p vector sweeps (benchmarks/bench_circuits.py: n = 8, p = 512).
"""
from __future__ import annotations

import numpy as np
from numba import njit

from ..hamiltonians import apply_grouped as _apply_h
from .kernels import (OP_DENSE, OP_FROT, OP_PDIAG, OP_ROT, PHASE_MEMO, PHASE_TABLE, _FROT_R, _base_phase,
                      _high_bit, _memo_phase, _parity, _table_phases, apply_op, apply_pauli, forward)


@njit(cache=True)
def _scaled_pauli_split(x, xm, zm, scale, work, out_r, out_i):
    """out_r + i out_i = scale * P x (P = (xm, zm); scale = +-i, so the product is exact); work: scratch."""
    apply_pauli(x, xm, zm, work)
    for y in range(x.shape[0]):
        v = scale * work[y]
        out_r[y] = v.real
        out_i[y] = v.imag


@njit(cache=True)
def _scaled_diag_split(x, d, scale, out_r, out_i):
    """out_r + i out_i = scale * D x, D = diag(Re d), scale = +-i."""
    for y in range(x.shape[0]):
        v = scale * (d[y].real * x[y])
        out_r[y] = v.real
        out_i[y] = v.imag


@njit(cache=True, fastmath=True)
def _pdiag_block(Br, Bi, m, d, t, wr, wi, acc, diags, tab):
    """Columns [0, m) of B <- exp(-i t D) B, and acc[:m] = Re <w|B> after the gate (D = diag(Re d); tab: the
    gate's phase table, :func:`.kernels._table_phases`)."""
    for i in range(m):
        acc[i] = 0.0
    vals = np.empty(PHASE_MEMO)
    phs = np.empty(PHASE_MEMO, dtype=np.complex128)
    tphs = np.empty(PHASE_TABLE, dtype=np.complex128)
    table = _table_phases(diags, tab, t, tphs) > 0
    used = 0
    for y in range(Br.shape[0]):
        if table:
            ph = tphs[int(d[y].imag)]
        else:
            ph, used = _memo_phase(d[y].real, t, vals, phs, used)
        fr = ph.real
        fi = ph.imag
        ar, ai = wr[y], wi[y]
        for i in range(m):
            xr, xi = Br[y, i], Bi[y, i]
            nr = fr * xr - fi * xi
            ni = fr * xi + fi * xr
            Br[y, i] = nr
            Bi[y, i] = ni
            acc[i] += ar * nr + ai * ni


@njit(cache=True)
def _lambda_columns(ops, theta, psi, lam, dense, diags, p):
    """w_j = i P_j lambda_j for every rotation j (frame after gate j), split into (real, imaginary)."""
    dim = psi.shape[0]
    wr = np.empty((p, dim))
    wi = np.empty((p, dim))
    b = lam.copy()
    work = np.empty_like(b)
    for l in range(ops.shape[0] - 1, -1, -1):
        op = ops[l]
        if op[0] == OP_ROT:
            _scaled_pauli_split(b, op[1], op[2], 1j, work, wr[op[3]], wi[op[3]])
        elif op[0] == OP_PDIAG:
            _scaled_diag_split(b, diags[op[1]], 1j, wr[op[3]], wi[op[3]])
        apply_op(b, op, theta, dense, diags, work, True)
    return wr, wi


@njit(cache=True, fastmath=True)
def _rotate_block(Br, Bi, m, xm, zm, c, s, wr, wi, acc):
    """Columns [0, m) of B <- (c - i s P) B, and acc[:m] = Re <w|B> with w = (wr, wi) after the gate."""
    dim = Br.shape[0]
    ph = _base_phase(xm, zm)
    q = -1j * s * ph                       # the gate is c I + q P; q is real or purely imaginary
    for i in range(m):
        acc[i] = 0.0
    if xm == 0:
        for y in range(dim):
            sg = -1.0 if _parity(y & zm) else 1.0
            fr = c + sg * q.real
            fi = sg * q.imag
            ar, ai = wr[y], wi[y]
            for i in range(m):
                xr, xi = Br[y, i], Bi[y, i]
                nr = fr * xr - fi * xi
                ni = fr * xi + fi * xr
                Br[y, i] = nr
                Bi[y, i] = ni
                acc[i] += ar * nr + ai * ni
        return
    low = _high_bit(xm) - 1
    sx = _parity(xm & zm)
    imaginary = q.real == 0.0
    qv = q.imag if imaginary else q.real
    for h in range(dim >> 1):
        y = ((h & ~low) << 1) | (h & low)
        y2 = y ^ xm
        sb = -1.0 if _parity(y & zm) else 1.0      # (P x)(y2) = ph * sb * x[y]
        sa = -sb if sx else sb                     # (P x)(y)  = ph * sa * x[y2]
        ka = sa * qv
        kb = sb * qv
        w1r, w1i, w2r, w2i = wr[y], wi[y], wr[y2], wi[y2]
        if imaginary:
            for i in range(m):
                ar, ai, br, bi = Br[y, i], Bi[y, i], Br[y2, i], Bi[y2, i]
                nar = c * ar - ka * bi
                nai = c * ai + ka * br
                nbr = c * br - kb * ai
                nbi = c * bi + kb * ar
                Br[y, i] = nar
                Bi[y, i] = nai
                Br[y2, i] = nbr
                Bi[y2, i] = nbi
                acc[i] += w1r * nar + w1i * nai + w2r * nbr + w2i * nbi
        else:
            for i in range(m):
                ar, ai, br, bi = Br[y, i], Bi[y, i], Br[y2, i], Bi[y2, i]
                nar = c * ar + ka * br
                nai = c * ai + ka * bi
                nbr = c * br + kb * ar
                nbi = c * bi + kb * ai
                Br[y, i] = nar
                Bi[y, i] = nai
                Br[y2, i] = nbr
                Bi[y2, i] = nbi
                acc[i] += w1r * nar + w1i * nai + w2r * nbr + w2i * nbi


@njit(cache=True, fastmath=True)
def _dense_block(Br, Bi, m, u, tr, ti):
    """Columns [0, m) of B <- u B (u a fixed dense unitary); tr, ti are work blocks of B's shape."""
    dim = Br.shape[0]
    for y in range(dim):
        for i in range(m):
            tr[y, i] = 0.0
            ti[y, i] = 0.0
        for x in range(dim):
            ur = u[y, x].real
            ui = u[y, x].imag
            for i in range(m):
                tr[y, i] += ur * Br[x, i] - ui * Bi[x, i]
                ti[y, i] += ur * Bi[x, i] + ui * Br[x, i]
    for y in range(dim):
        for i in range(m):
            Br[y, i] = tr[y, i]
            Bi[y, i] = ti[y, i]


@njit(cache=True)
def _diag_block(Br, Bi, m, d):
    for y in range(Br.shape[0]):
        dr, di = d[y].real, d[y].imag
        for i in range(m):
            xr, xi = Br[y, i], Bi[y, i]
            Br[y, i] = dr * xr - di * xi
            Bi[y, i] = dr * xi + di * xr


@njit(cache=True)
def dressed_block(ops, theta, psi0, dense, diags, hx, hc):
    """(Jr, Ji, C, F): J = Jr + i Ji (2^n x p, column k = J_k in the final frame), C[j, i] = Re <K_j|J_i>
    for i < j (zero elsewhere), and F = <psi|H|psi> (module docstring)."""
    p = theta.shape[0]
    psi = forward(ops, theta, psi0, dense, diags)
    dim = psi.shape[0]
    lam = np.empty_like(psi)
    _apply_h(psi, hx, hc, lam)
    f = 0.0
    for y in range(dim):
        f += psi[y].real * lam[y].real + psi[y].imag * lam[y].imag
    wr, wi = _lambda_columns(ops, theta, psi, lam, dense, diags, p)
    Br = np.zeros((dim, p))
    Bi = np.zeros((dim, p))
    need_work = False
    for l in range(ops.shape[0]):
        if ops[l, 0] == OP_DENSE:
            need_work = True
    tr = np.empty((dim, p) if need_work else (1, 1))
    ti = np.empty_like(tr)
    C = np.zeros((p, p))
    zr = np.zeros(dim)                           # OP_FROT: no accumulation (w = 0 into scratch)
    scratch = np.empty(p)
    a = psi0.copy()
    work = np.empty_like(a)
    m = 0
    for l in range(ops.shape[0]):
        op = ops[l]
        apply_op(a, op, theta, dense, diags, work, False)
        if op[0] == OP_ROT:
            k = op[3]
            t = theta[k]
            _rotate_block(Br, Bi, m, op[1], op[2], np.cos(t), np.sin(t), wr[k], wi[k], C[k])
            # new column: -i P_k a (a is psi just after gate k)
            _scaled_pauli_split(a, op[1], op[2], -1j, work, Br[:, k], Bi[:, k])
            m = k + 1
        elif op[0] == OP_PDIAG:
            k = op[3]
            d = diags[op[1]]
            _pdiag_block(Br, Bi, m, d, theta[k], wr[k], wi[k], C[k], diags, op[2])
            _scaled_diag_split(a, d, -1j, Br[:, k], Bi[:, k])
            acc = 0.0
            for y in range(dim):
                acc += wr[k, y] * Br[y, k] + wi[k, y] * Bi[y, k]
            C[k, k] = acc                        # Re <w_k|J_k> (module docstring)
            m = k + 1
        elif op[0] == OP_FROT:
            _rotate_block(Br, Bi, m, op[1], op[2], _FROT_R, _FROT_R * op[3], zr, zr, scratch)
        elif op[0] == OP_DENSE:
            _dense_block(Br, Bi, m, dense[op[1]], tr, ti)
        else:
            _diag_block(Br, Bi, m, diags[op[1]])
    return Br, Bi, C, f


@njit(cache=True, fastmath=True)
def _apply_h_block(Br, Bi, hx, hc):
    """(H B) split, with H in grouped form: (H B)[y, :] = sum_g hc[g, y] B[y ^ hx[g], :]."""
    dim, p = Br.shape
    Hr = np.zeros((dim, p))
    Hi = np.zeros((dim, p))
    for g in range(hx.shape[0]):
        xm = hx[g]
        for y in range(dim):
            cr = hc[g, y].real
            ci = hc[g, y].imag
            if cr == 0.0 and ci == 0.0:
                continue
            src = y ^ xm
            for i in range(p):
                Hr[y, i] += cr * Br[src, i] - ci * Bi[src, i]
                Hi[y, i] += cr * Bi[src, i] + ci * Br[src, i]
    return Hr, Hi


def hessian(ops, theta, psi0, dense, diags, hx, hc) -> np.ndarray:
    """Exact Hessian (module docstring), p x p, symmetric."""
    Br, Bi, C, f = dressed_block(ops, theta, psi0, dense, diags, hx, hc)
    Hr, Hi = _apply_h_block(Br, Bi, hx, hc)
    A = Br.T @ Hr + Bi.T @ Hi                      # Re <J_i|H|J_j>
    A = 0.5 * (A + A.T)                            # symmetric up to rounding: make it exact
    low = np.tril(C, -1)                           # C[j, i], i < j
    hess = 2.0 * (A + low + low.T)
    diag = np.diag(A) - f
    pd = ops[ops[:, 0] == OP_PDIAG, 3]             # coefficient-carrying gates: D^2 != I
    diag[pd] = np.diag(A)[pd] + np.diag(C)[pd]
    hess[np.diag_indices_from(hess)] = 2.0 * diag
    return hess
