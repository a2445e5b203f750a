"""Numba state-vector kernels: loss, adjoint gradient, exact Hessian, Hessian-vector product.

A circuit is a list of operations ``ops[L, 4]`` (int64) acting on a 2^n complex128 state:

- ``(OP_ROT, xmask, zmask, k)``: the rotation exp(-i theta_k P) = cos(theta_k) I - i sin(theta_k) P for
  the Pauli string P = (xmask, zmask) (``rmt_qgm.spec``); P^2 = I, so F is pi-periodic in theta_k;
- ``(OP_DENSE, j, jh, 0)``: the fixed unitary ``dense[j]`` (2^n x 2^n); if jh > 0, ``dense[jh]`` holds its
  adjoint (conjugate transpose), so the inverse is applied as row dot products (twice as fast as the
  column-wise adjoint when the stack is cache-resident; :func:`rmt_qgm.circuits.ansatz.randomized_circuit`
  stores adjoints for small stacks only);
- ``(OP_DIAG, j, 0, 0)``: the fixed diagonal unitary ``diags[j]``;
- ``(OP_PDIAG, j, tab, k)``: the coefficient-carrying gate exp(-i theta_k D) with the real diagonal generator
  D = Re ``diags[j]`` (any real values: D^2 != I; generators files, :func:`.structured.generator_circuit`);
  tab > 0: its phase table is row tab - 1 of ``diags`` (:func:`_table_phases`), 0: none;
- ``(OP_FROT, xmask, zmask, s)``: the fixed Clifford rotation exp(-i s pi/4 Q), s = +-1, Q = (xmask, zmask)
  (the basis change that makes a commuting Pauli sum diagonal).

Parameter k is used by exactly one parameterised operation (OP_ROT or OP_PDIAG), and these appear in
increasing k. For OP_PDIAG the rotation formulas below hold with P_k replaced by D (the gradient is
2 Im <lambda_k|D psi_k>; d^2/dtheta_k^2 gives -D^2 instead of -I, :mod:`.hessian`).

Formulas (derivations/step_01 for the hypertoroidal expansion; this module's tests check each one
against dense matrices):

- loss F = <psi|H|psi>, psi = U_L ... U_1 psi0;
- adjoint gradient: with lambda = H psi carried backwards together with psi,
  dF/dtheta_k = 2 Re <lambda_k| (-i P_k) psi_k> = 2 Im <lambda_k|P_k psi_k>  (frame after gate k),
  O(L 2^n) time and O(2^n) memory;
- exact Hessian (:mod:`.hessian`): with dressed generators Gt_k = U_{>k} P_k U_{>k}^dagger,
  J_k = -i Gt_k psi and K_k = i Gt_k H psi, for i < j (gate i before gate j)
  d_i d_j psi = (-i Gt_j)(-i Gt_i) psi and
  Hess_ij = 2 Re[ <J_i|H|J_j> + <K_j|J_i> ],  Hess_ii = 2 Re[ <J_i|H|J_i> - <psi|H|psi> ];
- Hessian-vector product: forward tangent psi_dot = sum_j v_j d_j psi and the backward recursion
  mu_(k-1) = R_k^dagger mu_k, mu_dot_(k-1) = R_k^dagger (mu_dot_k + v_k i P_k mu_k), O(L 2^n).
"""
from __future__ import annotations

import numpy as np
from numba import njit

from ..hamiltonians import apply_grouped as _apply_h

OP_ROT = 0
OP_DENSE = 1
OP_DIAG = 2
OP_PDIAG = 3
OP_FROT = 4
#: cos(pi/4) = sin(pi/4): the fixed Clifford rotation exp(-i s pi/4 Q) = R (I - i s Q)
_FROT_R = 0.7071067811865476


@njit(cache=True, inline="always")
def _parity(x):
    x ^= x >> 32
    x ^= x >> 16
    x ^= x >> 8
    x ^= x >> 4
    x ^= x >> 2
    x ^= x >> 1
    return x & 1


@njit(cache=True, inline="always")
def _base_phase(xm, zm):
    """i^ny as a complex number, ny = popcount(xm & zm)."""
    ny = 0
    b = xm & zm
    while b:
        ny += b & 1
        b >>= 1
    r = ny % 4
    if r == 0:
        return 1.0 + 0.0j
    if r == 1:
        return 0.0 + 1.0j
    if r == 2:
        return -1.0 + 0.0j
    return 0.0 - 1.0j


@njit(cache=True)
def apply_pauli(psi, xm, zm, out):
    """out = P psi, (P psi)(y) = i^ny (-1)^popcount((y^xm) & zm) psi(y ^ xm)."""
    ph = _base_phase(xm, zm)
    for y in range(psi.shape[0]):
        src = y ^ xm
        if _parity(src & zm):
            out[y] = -ph * psi[src]
        else:
            out[y] = ph * psi[src]
    return out


@njit(cache=True, fastmath=True)
def rotate(psi, xm, zm, c, s):
    """In place: psi <- (c I - i s P) psi (the gate exp(-i theta P) has c = cos theta, s = sin theta)."""
    dim = psi.shape[0]
    ph = _base_phase(xm, zm)
    mis = -1j * s
    if xm == 0:
        for y in range(dim):
            if _parity(y & zm):
                psi[y] = psi[y] * (c - mis * ph)
            else:
                psi[y] = psi[y] * (c + mis * ph)
        return
    top = _high_bit(xm)
    low = top - 1
    sx = _parity(xm & zm)
    q = mis * ph               # gate: new = c psi + q (sign * psi[partner]); q real or imaginary
    pr = psi.view(np.float64)
    if q.real == 0.0:
        qi = q.imag
        for i in range(dim >> 1):
            y = ((i & ~low) << 1) | (i & low)   # insert a 0 at the position of xm's highest bit
            y2 = y ^ xm
            j, j2 = 2 * y, 2 * y2
            ar, ai, br, bi = pr[j], pr[j + 1], pr[j2], pr[j2 + 1]
            sb = -1.0 if _parity(y & zm) else 1.0      # (P psi)(y2) = ph * sb * psi[y]
            sa = -sb if sx else sb                     # (P psi)(y)  = ph * sa * psi[y2]
            ka = sa * qi
            kb = sb * qi
            pr[j] = c * ar - ka * bi
            pr[j + 1] = c * ai + ka * br
            pr[j2] = c * br - kb * ai
            pr[j2 + 1] = c * bi + kb * ar
    else:
        qr = q.real
        for i in range(dim >> 1):
            y = ((i & ~low) << 1) | (i & low)
            y2 = y ^ xm
            j, j2 = 2 * y, 2 * y2
            ar, ai, br, bi = pr[j], pr[j + 1], pr[j2], pr[j2 + 1]
            sb = -1.0 if _parity(y & zm) else 1.0
            sa = -sb if sx else sb
            ka = sa * qr
            kb = sb * qr
            pr[j] = c * ar + ka * br
            pr[j + 1] = c * ai + ka * bi
            pr[j2] = c * br + kb * ar
            pr[j2 + 1] = c * bi + kb * ai


@njit(cache=True, inline="always")
def _high_bit(x):
    top = 1
    while top <= x:
        top <<= 1
    return top >> 1


@njit(cache=True, fastmath=True)
def unrotate_both_inner(psi, lam, xm, zm, c, s):
    """Fused adjoint step: return Im <lam|P psi>, then undo exp(-i theta P) on psi and lam in place.

    One pass over the amplitude pairs instead of three (inner product + two inverse rotations). The
    coefficient q = i s ph is purely imaginary or purely real; the two loops below are that one case
    split, kept apart so each complex product costs two real multiplications (part of the speed-up
    recorded in benchmarks/bench_circuits.py).
    """
    dim = psi.shape[0]
    ph = _base_phase(xm, zm)
    pis = 1j * s          # inverse rotation: c I + i s P
    acc = 0.0 + 0.0j
    if xm == 0:
        for y in range(dim):
            sg = -1.0 if _parity(y & zm) else 1.0
            a = psi[y]
            la = lam[y]
            acc += np.conj(la) * (sg * a)
            f = c + pis * sg
            psi[y] = f * a
            lam[y] = f * la
        return (acc * ph).imag
    top = _high_bit(xm)
    low = top - 1
    sx = _parity(xm & zm)
    q = pis * ph               # purely imaginary (even number of Y) or purely real (odd)
    pr = psi.view(np.float64)
    lr = lam.view(np.float64)
    acc_re = 0.0
    acc_im = 0.0
    if q.real == 0.0:
        qi = q.imag            # q b = i qi b
        for i in range(dim >> 1):
            y = ((i & ~low) << 1) | (i & low)
            y2 = y ^ xm
            j, j2 = 2 * y, 2 * y2
            ar, ai, br, bi = pr[j], pr[j + 1], pr[j2], pr[j2 + 1]
            lar, lai, lbr, lbi = lr[j], lr[j + 1], lr[j2], lr[j2 + 1]
            sb = -1.0 if _parity(y & zm) else 1.0
            sa = -sb if sx else sb
            acc_re += sa * (lar * br + lai * bi) + sb * (lbr * ar + lbi * ai)
            acc_im += sa * (lar * bi - lai * br) + sb * (lbr * ai - lbi * ar)
            ka = sa * qi
            kb = sb * qi
            pr[j] = c * ar - ka * bi
            pr[j + 1] = c * ai + ka * br
            pr[j2] = c * br - kb * ai
            pr[j2 + 1] = c * bi + kb * ar
            lr[j] = c * lar - ka * lbi
            lr[j + 1] = c * lai + ka * lbr
            lr[j2] = c * lbr - kb * lai
            lr[j2 + 1] = c * lbi + kb * lar
    else:
        qr = q.real            # q b = qr b
        for i in range(dim >> 1):
            y = ((i & ~low) << 1) | (i & low)
            y2 = y ^ xm
            j, j2 = 2 * y, 2 * y2
            ar, ai, br, bi = pr[j], pr[j + 1], pr[j2], pr[j2 + 1]
            lar, lai, lbr, lbi = lr[j], lr[j + 1], lr[j2], lr[j2 + 1]
            sb = -1.0 if _parity(y & zm) else 1.0
            sa = -sb if sx else sb
            acc_re += sa * (lar * br + lai * bi) + sb * (lbr * ar + lbi * ai)
            acc_im += sa * (lar * bi - lai * br) + sb * (lbr * ai - lbi * ar)
            ka = sa * qr
            kb = sb * qr
            pr[j] = c * ar + ka * br
            pr[j + 1] = c * ai + ka * bi
            pr[j2] = c * br + kb * ar
            pr[j2 + 1] = c * bi + kb * ai
            lr[j] = c * lar + ka * lbr
            lr[j + 1] = c * lai + ka * lbi
            lr[j2] = c * lbr + kb * lar
            lr[j2 + 1] = c * lbi + kb * lai
    acc = acc_re + 1j * acc_im
    return (acc * ph).imag


@njit(cache=True)
def pauli_inner(lam, psi, xm, zm):
    """<lam|P psi>."""
    ph = _base_phase(xm, zm)
    acc = 0.0 + 0.0j
    for y in range(psi.shape[0]):
        src = y ^ xm
        v = psi[src]
        if _parity(src & zm):
            v = -v
        acc += np.conj(lam[y]) * v
    return acc * ph


@njit(cache=True, fastmath=True)
def _matvec(u, psi, work):
    dim = psi.shape[0]
    for i in range(dim):
        acc = 0.0 + 0.0j
        for j in range(dim):
            acc += u[i, j] * psi[j]
        work[i] = acc
    for i in range(dim):
        psi[i] = work[i]


@njit(cache=True, fastmath=True)
def _matvec_adj(u, psi, work):
    dim = psi.shape[0]
    for i in range(dim):
        work[i] = 0.0
    for j in range(dim):
        pj = psi[j]
        for i in range(dim):
            work[i] += np.conj(u[j, i]) * pj
    for i in range(dim):
        psi[i] = work[i]


@njit(cache=True, fastmath=True)
def _matvec_adj_pair(u, a, b, wa, wb):
    """a <- u^dagger a and b <- u^dagger b, reading u once (the adjoint sweep moves psi and lambda)."""
    dim = a.shape[0]
    for i in range(dim):
        wa[i] = 0.0
        wb[i] = 0.0
    for j in range(dim):
        aj = a[j]
        bj = b[j]
        for i in range(dim):
            c = np.conj(u[j, i])
            wa[i] += c * aj
            wb[i] += c * bj
    for i in range(dim):
        a[i] = wa[i]
        b[i] = wb[i]


@njit(cache=True, fastmath=True)
def _matvec_pair(u, a, b, wa, wb):
    """a <- u a and b <- u b by row dot products, reading u once."""
    dim = a.shape[0]
    for i in range(dim):
        acc_a = 0.0 + 0.0j
        acc_b = 0.0 + 0.0j
        for j in range(dim):
            x = u[i, j]
            acc_a += x * a[j]
            acc_b += x * b[j]
        wa[i] = acc_a
        wb[i] = acc_b
    for i in range(dim):
        a[i] = wa[i]
        b[i] = wb[i]


#: distinct diagonal values whose phases a diagonal gate remembers (linear search; typical generators have
#: few: a Z-word 2, sum_i Z_i n + 1); further values get their own cos/sin. Used for gates without a phase table.
PHASE_MEMO = 16
#: at most this many distinct values: the circuit carries the gate's phase table (:func:`_table_phases`)
PHASE_TABLE = 64


@njit(cache=True, inline="always")
def _memo_phase(dy, t, vals, phs, used):
    """exp(-i t dy), looked up among the ``used`` remembered values first; returns (phase, used)."""
    for i in range(used):
        if vals[i] == dy:
            return phs[i], used
    ph = np.cos(t * dy) - 1j * np.sin(t * dy)
    if used < vals.shape[0]:
        vals[used] = dy
        phs[used] = ph
        used += 1
    return ph, used


@njit(cache=True, inline="always")
def _table_phases(diags, tab, t, phs):
    """The phase table of an OP_PDIAG gate (op = (OP_PDIAG, j, tab, k)): with tab > 0, row tab - 1 of ``diags``
    holds the m distinct values v_u of D = Re diags[j] in the real parts of its first m entries and m in the
    imaginary part of entry 0, and Im diags[j][y] is the index u of D_y (:func:`.structured.generator_circuit`).
    Sets phs[:m] = exp(-i t v_u) and returns m; returns 0 (no table: the gate looks its values up) when tab <= 0.
    One lookup per amplitude instead of a search among remembered values (benchmarks/bench_structured.py: a
    diagonal gate then costs about one Pauli rotation instead of 3-4)."""
    if tab <= 0:
        return 0
    row = diags[tab - 1]
    m = int(row[0].imag)
    for u in range(m):
        v = row[u].real
        phs[u] = np.cos(t * v) - 1j * np.sin(t * v)
    return m


@njit(cache=True)
def pdiag_gate(psi, d, t, diags, tab):
    """In place: psi <- exp(-i t D) psi, D = diag(Re d) (tab: the gate's phase table, :func:`_table_phases`)."""
    phs = np.empty(PHASE_TABLE, dtype=np.complex128)
    if _table_phases(diags, tab, t, phs):
        for y in range(psi.shape[0]):
            psi[y] = psi[y] * phs[int(d[y].imag)]
        return
    vals = np.empty(PHASE_MEMO)
    phs = np.empty(PHASE_MEMO, dtype=np.complex128)
    used = 0
    for y in range(psi.shape[0]):
        ph, used = _memo_phase(d[y].real, t, vals, phs, used)
        psi[y] = psi[y] * ph


@njit(cache=True)
def unpdiag_both_inner(psi, lam, d, t, diags, tab):
    """Fused adjoint step of exp(-i t D): return Im <lam|D psi>, then undo the gate on psi and lam in place
    (one phase per amplitude for both vectors; tab: the gate's phase table, :func:`_table_phases`)."""
    acc = 0.0
    tphs = np.empty(PHASE_TABLE, dtype=np.complex128)
    if _table_phases(diags, tab, -t, tphs):
        for y in range(psi.shape[0]):
            dv = d[y]
            dy = dv.real
            a, la = psi[y], lam[y]
            acc += dy * (la.real * a.imag - la.imag * a.real)
            ph = tphs[int(dv.imag)]
            psi[y] = a * ph
            lam[y] = la * ph
        return acc
    vals = np.empty(PHASE_MEMO)
    phs = np.empty(PHASE_MEMO, dtype=np.complex128)
    used = 0
    for y in range(psi.shape[0]):
        dy = d[y].real
        a, la = psi[y], lam[y]
        acc += dy * (la.real * a.imag - la.imag * a.real)
        ph, used = _memo_phase(dy, -t, vals, phs, used)
        psi[y] = a * ph
        lam[y] = la * ph
    return acc


@njit(cache=True)
def apply_diag_generator(psi, d, out):
    """out = D psi, D = diag(Re d)."""
    for y in range(psi.shape[0]):
        out[y] = d[y].real * psi[y]
    return out


@njit(cache=True)
def diag_inner(lam, psi, d):
    """<lam|D psi>, D = diag(Re d)."""
    acc = 0.0 + 0.0j
    for y in range(psi.shape[0]):
        acc += np.conj(lam[y]) * (d[y].real * psi[y])
    return acc


@njit(cache=True)
def apply_op(psi, op, theta, dense, diags, work, inverse):
    """Apply one operation (or its inverse) in place."""
    kind = op[0]
    if kind == OP_ROT:
        t = theta[op[3]]
        if inverse:
            rotate(psi, op[1], op[2], np.cos(t), -np.sin(t))
        else:
            rotate(psi, op[1], op[2], np.cos(t), np.sin(t))
    elif kind == OP_DENSE:
        if inverse and op[2] > 0:
            _matvec(dense[op[2]], psi, work)
        elif inverse:
            _matvec_adj(dense[op[1]], psi, work)
        else:
            _matvec(dense[op[1]], psi, work)
    elif kind == OP_PDIAG:
        pdiag_gate(psi, diags[op[1]], -theta[op[3]] if inverse else theta[op[3]], diags, op[2])
    elif kind == OP_FROT:
        s = _FROT_R * op[3]
        rotate(psi, op[1], op[2], _FROT_R, -s if inverse else s)
    else:
        d = diags[op[1]]
        if inverse:
            for y in range(psi.shape[0]):
                psi[y] = psi[y] * np.conj(d[y])
        else:
            for y in range(psi.shape[0]):
                psi[y] = psi[y] * d[y]


@njit(cache=True)
def forward(ops, theta, psi0, dense, diags):
    """psi = U(theta) psi0."""
    psi = psi0.copy()
    work = np.empty_like(psi)
    for l in range(ops.shape[0]):
        apply_op(psi, ops[l], theta, dense, diags, work, False)
    return psi


@njit(cache=True)
def _real_inner(a, b):
    acc = 0.0
    for y in range(a.shape[0]):
        acc += a[y].real * b[y].real + a[y].imag * b[y].imag
    return acc


@njit(cache=True)
def loss(ops, theta, psi0, dense, diags, hx, hc):
    """F(theta) = <psi|H|psi>."""
    psi = forward(ops, theta, psi0, dense, diags)
    lam = np.empty_like(psi)
    _apply_h(psi, hx, hc, lam)
    return _real_inner(psi, lam)


@njit(cache=True)
def loss_and_grad(ops, theta, psi0, dense, diags, hx, hc):
    """(F, dF/dtheta) by the adjoint method: O(L 2^n) time, O(2^n + p) memory."""
    psi = forward(ops, theta, psi0, dense, diags)
    lam = np.empty_like(psi)
    _apply_h(psi, hx, hc, lam)
    f = _real_inner(psi, lam)
    grad = np.zeros(theta.shape[0])
    work = np.empty_like(psi)
    work2 = np.empty_like(psi)
    for l in range(ops.shape[0] - 1, -1, -1):
        op = ops[l]
        if op[0] == OP_ROT:
            t = theta[op[3]]
            grad[op[3]] = 2.0 * unrotate_both_inner(psi, lam, op[1], op[2], np.cos(t), np.sin(t))
        elif op[0] == OP_PDIAG:
            grad[op[3]] = 2.0 * unpdiag_both_inner(psi, lam, diags[op[1]], theta[op[3]], diags, op[2])
        elif op[0] == OP_DENSE and op[2] > 0:
            _matvec_pair(dense[op[2]], psi, lam, work, work2)
        elif op[0] == OP_DENSE:
            _matvec_adj_pair(dense[op[1]], psi, lam, work, work2)
        else:
            apply_op(psi, op, theta, dense, diags, work, True)
            apply_op(lam, op, theta, dense, diags, work, True)
    return f, grad


@njit(cache=True)
def hvp(ops, theta, psi0, dense, diags, hx, hc, v):
    """Exact Hessian-vector product Hess @ v in O(L 2^n) (forward tangent + backward recursion)."""
    dim = psi0.shape[0]
    psi = psi0.copy()
    dpsi = np.zeros(dim, dtype=np.complex128)
    work = np.empty_like(psi)
    tmp = np.empty_like(psi)
    for l in range(ops.shape[0]):
        op = ops[l]
        apply_op(psi, op, theta, dense, diags, work, False)
        apply_op(dpsi, op, theta, dense, diags, work, False)
        if op[0] == OP_ROT:
            vk = v[op[3]]
            apply_pauli(psi, op[1], op[2], tmp)
            for y in range(dim):
                dpsi[y] += -1j * vk * tmp[y]
        elif op[0] == OP_PDIAG:
            vk = v[op[3]]
            apply_diag_generator(psi, diags[op[1]], tmp)
            for y in range(dim):
                dpsi[y] += -1j * vk * tmp[y]
    lam = np.empty_like(psi)
    dlam = np.empty_like(psi)
    _apply_h(psi, hx, hc, lam)
    _apply_h(dpsi, hx, hc, dlam)
    out = np.zeros(v.shape[0])
    for l in range(ops.shape[0] - 1, -1, -1):
        op = ops[l]
        if op[0] == OP_ROT:
            k = op[3]
            # d/dv of 2 Im <lam|P psi> = 2 Im (<dlam|P psi> + <lam|P dpsi>)
            out[k] = 2.0 * (pauli_inner(dlam, psi, op[1], op[2])
                            + pauli_inner(lam, dpsi, op[1], op[2])).imag
            vk = v[k]
            # backward: remove gate k's contribution from the tangent, and add it to dlam
            apply_pauli(psi, op[1], op[2], tmp)
            for y in range(dim):
                dpsi[y] -= -1j * vk * tmp[y]
            apply_pauli(lam, op[1], op[2], tmp)
            for y in range(dim):
                dlam[y] += 1j * vk * tmp[y]
        elif op[0] == OP_PDIAG:
            k = op[3]
            d = diags[op[1]]
            out[k] = 2.0 * (diag_inner(dlam, psi, d) + diag_inner(lam, dpsi, d)).imag
            vk = v[k]
            apply_diag_generator(psi, d, tmp)
            for y in range(dim):
                dpsi[y] -= -1j * vk * tmp[y]
            apply_diag_generator(lam, d, tmp)
            for y in range(dim):
                dlam[y] += 1j * vk * tmp[y]
        apply_op(psi, op, theta, dense, diags, work, True)
        apply_op(dpsi, op, theta, dense, diags, work, True)
        apply_op(lam, op, theta, dense, diags, work, True)
        apply_op(dlam, op, theta, dense, diags, work, True)
    return out
