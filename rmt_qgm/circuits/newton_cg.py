"""Preconditioned truncated-Newton (Steihaug-CG) trust region for the endgame (issue 22).

Why: at n = 8, p = 512 one exact Hessian costs about 35 loss+gradients with the compiled kernel of :mod:`.hessian`
(about 20 with :func:`hessian_blas`), and the exact-Hessian trust region of :mod:`.optimize` takes one per accepted
step (about 30 per instance at gamma = 1). A Hessian-vector product costs about one loss+gradient
(:func:`hvp_stored`), so a step is cheaper when it needs few of them. Measured on paper-fig1's n = 8, gamma = 1 column
(every instance certified at the global minimum; phase splits, the variants tried and not adopted, and how the
column's time depends on the host): docs/studies/column8_throughput.md.

Stall refresh (STALL_REFRESH). With the BLAS Hessian's rounding, instance 7 ended uncertified (max|grad|
2e-8, F 1.8e-9) as the kept radius had before: CG solved the model exactly, but the gradient left lay along
eigen-directions cut at the larger gradient where H_0 had been taken, the steps shrank to 1e-14 and the
trust radius collapsed. When the radius collapses above the gradient tolerance at a point other than
H_0's, H_0 and the cut are now taken anew at that point and the radius restarts from the Newton length;
instance 7 then reaches max|grad| 3e-12, F 8e-23 (103 steps, 12 Hessians). A collapse at H_0's own point
still stops the endgame (the certification then decides).

Best point. Near a degenerate minimum (gamma >= 1) accepted steps lower F while max|grad| moves up and down by
factors of 10^2-10^3, so an endgame stopped before the tolerance (the step cap, CG_MAX_ITER of :mod:`.optimize`, or a
collapse at H_0's own point) returns the accepted point of smallest max|grad|, from which the certification's Newton
steps start, not the last one (paper-fig1's n = 8, gamma = 1 instance 43 once ended uncertified at F = 2.7e-10
after 200 steps; the same instance converged in 145 steps in another run: the path depends on rounding).

Method. The trust-region subproblem min g.s + s.Hs/2 over |s|_M <= Delta is solved by Steihaug-Toint
CG (Nocedal & Wright, *Numerical Optimization*, 2nd ed., Alg. 7.2) in the metric M = |H_0| of an exact
Hessian H_0 = V diag(w) V^T taken at an earlier point (§7.2 and §4.5 "scaling": CG on
T^T H T with T = V_K diag(|w_K|^-1/2), s = T s_hat, |s|_M = |s_hat|). K keeps the eigen-directions with
|w_i| > cut = max(1e-10 scale, min(EIG_REL_TOL scale, 10 max|grad|)), the directions the exact-Hessian
trust region steps along (:func:`rmt_qgm.circuits.optimize.trust_region_newton`: near a degenerate
minimum at gamma >= 1 the others are unresolved), with max|grad| taken as the larger of its current value
and its value where H_0 was computed (H_0's small eigenvalues were unresolved there). With H_0 = H, T^T H T = diag(sign w): CG
ends in one product (a positive-definite H gives the Newton step; a negative curvature goes to the
boundary along the |H|-scaled descent direction). As the point moves, T^T H T stays close to that, so CG
needs few products; when a solve does not reach its residual within CG_MAX products, H_0 is refreshed
(one exact Hessian) for the next step, and Delta restarts from the last accepted step's length in the
new metric (REFRESH_RADIUS): with the old Delta, often grown past the truncated steps, the refreshed
model's first steps overshot (ratios -20 to -5000 at n = 8, two or three rejections) and the radius then
took several steps to grow back; with the reset there is usually one rejection (ratios -0.3 to -70). ``precondition=False`` is plain Steihaug-CG in the Euclidean
metric, never forming a Hessian (kept for comparison: at gamma ~ 1 the Hessian's spectrum reaches down to
0, and CG then needs 100-200 products per step at n = 6).

CG stops at |r| <= eta |g_hat| with the forcing term eta = min(1/2, sqrt|g_hat|) (§7.1: superlinear
convergence). Steps are accepted and Delta updated as in the exact-Hessian trust region (ratio >= ETA;
where the predicted decrease is below the rounding of F, a step is accepted when it lowers max|grad|);
Steihaug's iterates grow in norm (Thm. 7.3), so after a rejection the shorter step is read off the same
CG path without new products (:class:`_CGPath`).

Kernels (same formulas as :mod:`.kernels`): :func:`loss_grad_states` is the adjoint loss+gradient that
also stores psi_k and lambda_k after every rotation k; :func:`hvp_stored` then needs only the two tangents
(forward psi_dot, backward lambda_dot): two dense products per fixed gate instead of the four of
:func:`rmt_qgm.circuits.kernels.hvp`. Every operation kind of :mod:`.kernels` is supported
(:func:`supported`): the parameterised gates OP_ROT (a Pauli word, P^2 = I) and OP_PDIAG (a real diagonal
generator D of a generators file, D^2 != I), the fixed gates through ``apply_op``; the derivative formulas are
the same with P_k replaced by D_k (the recursion applies D_k twice where a second derivative needs D_k^2, so
D^2 != I needs no special case; tests/test_newton_cg.py checks it against :meth:`Circuit.hessian`). The BLAS Hessian (:func:`hessian_blas`) takes OP_ROT, OP_DENSE and OP_DIAG only and
hands other circuits to :meth:`Circuit.hessian`. numba's on-disk cache keys these
kernels on this file only: a change to a kernel they call in :mod:`.kernels` needs a change here or a
cleared cache.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from ..hamiltonians import Hamiltonian
from ..hamiltonians import apply_grouped as _apply_h
from .ansatz import Circuit
from .hessian import _apply_h_block, _lambda_columns
from .kernels import (OP_DENSE, OP_DIAG, OP_FROT, OP_PDIAG, OP_ROT, _base_phase, _parity, _real_inner,
                      apply_diag_generator, apply_op, apply_pauli, diag_inner, forward, pauli_inner)
from .trust_region import next_radius, step_ratio

#: CG products per subproblem before the preconditioner's Hessian is refreshed (and the step truncated)
CG_MAX = 10
#: first trust radius of the unpreconditioned variant (the preconditioned one starts from the Newton step)
CG_DELTA0 = 0.5
#: trust radius after a preconditioner refresh: this multiple of the last accepted step's length in the
#: refreshed metric |H_0| (None: keep Delta, which was measured in the old metric)
REFRESH_RADIUS = 1.0
#: when the trust radius collapses (< 1e-14) above the gradient tolerance and H_0 is from an earlier point,
#: refresh H_0 here and restart the radius instead of stopping (False: stop, as before)
STALL_REFRESH = True


#: operation kinds of the Hessian-free kernels (:func:`loss_grad_states`, :func:`hvp_stored`)
CG_KINDS = (OP_ROT, OP_DENSE, OP_DIAG, OP_PDIAG, OP_FROT)
#: operation kinds of :func:`hessian_blas` (its row update knows Pauli rotations, dense and diagonal gates only)
BLAS_KINDS = (OP_ROT, OP_DENSE, OP_DIAG)


def supported(circuit: Circuit) -> bool:
    """True if the circuit has only the operation kinds the kernels below implement."""
    return bool(np.all(np.isin(circuit.ops[:, 0], CG_KINDS)))


@njit(cache=True)
def loss_grad_states(ops, theta, psi0, dense, diags, hx, hc):
    """(F, grad, PS, LS): the adjoint loss+gradient (:func:`rmt_qgm.circuits.kernels.loss_and_grad`)
    plus, for every parameterised gate k (OP_ROT or OP_PDIAG), psi_k and lambda_k in the frame just after gate k
    (rows k of PS, LS)."""
    p = theta.shape[0]
    dim = psi0.shape[0]
    PS = np.empty((p, dim), dtype=np.complex128)
    LS = np.empty((p, dim), dtype=np.complex128)
    psi = psi0.copy()
    work = np.empty_like(psi)
    for l in range(ops.shape[0]):
        op = ops[l]
        apply_op(psi, op, theta, dense, diags, work, False)
        if op[0] == OP_ROT or op[0] == OP_PDIAG:
            PS[op[3]] = psi
    lam = np.empty_like(psi)
    _apply_h(psi, hx, hc, lam)
    f = _real_inner(psi, lam)
    grad = np.zeros(p)
    for l in range(ops.shape[0] - 1, -1, -1):
        op = ops[l]
        if op[0] == OP_ROT:
            k = op[3]
            LS[k] = lam
            grad[k] = 2.0 * pauli_inner(lam, PS[k], op[1], op[2]).imag
        elif op[0] == OP_PDIAG:
            k = op[3]
            LS[k] = lam
            grad[k] = 2.0 * diag_inner(lam, PS[k], diags[op[1]]).imag
        apply_op(lam, op, theta, dense, diags, work, True)
    return f, grad, PS, LS


@njit(cache=True)
def hvp_stored(ops, theta, dense, diags, hx, hc, PS, LS, v):
    """Exact Hessian-vector product Hess @ v from the states of :func:`loss_grad_states` at theta.

    Forward tangent psi_dot: U_l psi_dot at every gate, plus v_k (-i P_k) psi_k at rotation k (zero
    before the first rotation); backward lambda_dot: from H psi_dot, plus v_k i P_k lambda_k at rotation
    k, then U_l^dagger. (Hess v)_k = 2 Im(<lambda_dot_k|P_k psi_k> + <lambda_k|P_k psi_dot_k>) with the
    tangents just after rotation k (the recursion of :func:`rmt_qgm.circuits.kernels.hvp`); an OP_PDIAG gate the
    same with D_k in place of P_k."""
    p = v.shape[0]
    dim = PS.shape[1]
    dpsi = np.zeros(dim, dtype=np.complex128)
    DS = np.empty((p, dim), dtype=np.complex128)
    work = np.empty_like(dpsi)
    tmp = np.empty_like(dpsi)
    first = -1
    for l in range(ops.shape[0]):
        op = ops[l]
        if op[0] == OP_ROT or op[0] == OP_PDIAG:
            if first < 0:
                first = l
            k = op[3]
            apply_op(dpsi, op, theta, dense, diags, work, False)
            if op[0] == OP_ROT:
                apply_pauli(PS[k], op[1], op[2], tmp)
            else:
                apply_diag_generator(PS[k], diags[op[1]], tmp)
            vk = v[k]
            for y in range(dim):
                dpsi[y] += -1j * vk * tmp[y]
            DS[k] = dpsi
        elif first >= 0:
            apply_op(dpsi, op, theta, dense, diags, work, False)
    out = np.zeros(p)
    if first < 0:
        return out
    dlam = np.empty_like(dpsi)
    _apply_h(dpsi, hx, hc, dlam)
    for l in range(ops.shape[0] - 1, first - 1, -1):
        op = ops[l]
        if op[0] == OP_ROT or op[0] == OP_PDIAG:
            k = op[3]
            if op[0] == OP_ROT:
                out[k] = 2.0 * (pauli_inner(dlam, PS[k], op[1], op[2])
                                + pauli_inner(LS[k], DS[k], op[1], op[2])).imag
            else:
                d = diags[op[1]]
                out[k] = 2.0 * (diag_inner(dlam, PS[k], d) + diag_inner(LS[k], DS[k], d)).imag
            if l == first:
                break
            if op[0] == OP_ROT:
                apply_pauli(LS[k], op[1], op[2], tmp)
            else:
                apply_diag_generator(LS[k], diags[op[1]], tmp)
            vk = v[k]
            for y in range(dim):
                dlam[y] += 1j * vk * tmp[y]
        apply_op(dlam, op, theta, dense, diags, work, True)
    return out


@njit(cache=True, fastmath=True)
def _rotate_rows(B, m, xm, zm, c, s, w, acc):
    """Rows [0, m) of B (each a state) <- (c - i s P) row, and acc[:m] = Re <w|row> after the gate."""
    dim = B.shape[1]
    q = -1j * s * _base_phase(xm, zm)        # the gate is c I + q P
    for i in range(m):
        x = B[i]
        a = 0.0
        if xm == 0:
            for y in range(dim):
                v = x[y] * (c - q if _parity(y & zm) else c + q)
                x[y] = v
                a += w[y].real * v.real + w[y].imag * v.imag
        else:
            for y in range(dim):
                y2 = y ^ xm
                if y2 < y:
                    continue
                # (P x)(y) = ph (-1)^parity(y2 & zm) x[y2], (P x)(y2) = ph (-1)^parity(y & zm) x[y]
                ka = -q if _parity(y2 & zm) else q
                kb = -q if _parity(y & zm) else q
                u, v = x[y], x[y2]
                nu = c * u + ka * v
                nv = c * v + kb * u
                x[y] = nu
                x[y2] = nv
                a += w[y].real * nu.real + w[y].imag * nu.imag + w[y2].real * nv.real + w[y2].imag * nv.imag
        acc[i] = a


def hessian_rows_ok(circuit: Circuit) -> bool:
    """True if :func:`hessian_blas` applies: operations of BLAS_KINDS only, rotation k the k-th rotation."""
    rot = circuit.ops[circuit.ops[:, 0] == OP_ROT, 3]
    return bool(np.all(np.isin(circuit.ops[:, 0], BLAS_KINDS))) and bool(np.array_equal(rot, np.arange(circuit.n_params)))


def hessian_blas(circuit: Circuit, theta: np.ndarray, psi0: np.ndarray, ham: Hamiltonian) -> np.ndarray:
    """Exact Hessian by the formula and algorithm of :mod:`.hessian` (:func:`rmt_qgm.circuits.hessian.hessian`),
    with the block of dressed states stored as rows (row k = J_k, p x 2^n complex): a fixed dense gate U
    then acts on the m rows made so far as one matrix product B[:m] U^T (BLAS zgemm) instead of the
    compiled triple loop, the O(p^2 4^n) part of the Hessian (n = 8, p = 512: 1.9 s instead of 4.3 s on
    one core). Same exact Hessian up to rounding (tests/test_newton_cg.py). Circuits outside
    :func:`hessian_rows_ok` use :meth:`Circuit.hessian`."""
    if not hessian_rows_ok(circuit):
        return circuit.hessian(theta, psi0, ham)
    ops, dense, diags, hx, hc = circuit.ops, circuit.dense, circuit.diags, ham.xmasks, ham.coeffs
    theta = np.ascontiguousarray(theta, dtype=np.float64)
    psi0 = np.ascontiguousarray(psi0, dtype=np.complex128)
    p = theta.shape[0]
    psi = forward(ops, theta, psi0, dense, diags)
    dim = psi.shape[0]
    lam = np.empty_like(psi)
    _apply_h(psi, hx, hc, lam)
    f = float(np.vdot(psi, lam).real)
    wr, wi = _lambda_columns(ops, theta, psi, lam, dense, diags, p)
    w = wr + 1j * wi
    B = np.zeros((p, dim), dtype=np.complex128)
    Bn = np.zeros_like(B)
    C = np.zeros((p, p))
    a = psi0.copy()
    work = np.empty_like(a)
    m = 0
    for op in ops:
        kind = op[0]
        if kind == OP_DENSE:
            u = dense[op[1]]
            if m:
                np.matmul(B[:m], u.T, out=Bn[:m])
                B, Bn = Bn, B
            a = u @ a
        elif kind == OP_ROT:
            k = int(op[3])
            t = theta[k]
            apply_op(a, op, theta, dense, diags, work, False)
            _rotate_rows(B, m, op[1], op[2], np.cos(t), np.sin(t), w[k], C[k])
            B[k] = -1j * apply_pauli(a, op[1], op[2], work)      # new row -i P_k psi_k
            m = k + 1
        else:
            d = diags[op[1]]
            if m:
                B[:m] *= d
            a = a * d
    Br, Bi = np.ascontiguousarray(B.real.T), np.ascontiguousarray(B.imag.T)
    Hr, Hi = _apply_h_block(Br, Bi, hx, hc)
    A = Br.T @ Hr + Bi.T @ Hi                      # Re <J_i|H|J_j>
    A = 0.5 * (A + A.T)
    low = np.tril(C, -1)
    hess = 2.0 * (A + low + low.T)
    hess[np.diag_indices_from(hess)] = 2.0 * (np.diag(A) - f)
    return hess


class _CGPath:
    """One Steihaug-CG run: iterates z_j with H z_j, directions d_j with H d_j, and how CG ended
    ("converged", "negative" curvature, "boundary", "iterations"), so that the step for any radius up
    to the one CG ran with is read off without new products (module docstring)."""

    def __init__(self, g: np.ndarray):
        self.g = g
        self.z = [np.zeros_like(g)]
        self.hz = [np.zeros_like(g)]
        self.d: list[np.ndarray] = []
        self.hd: list[np.ndarray] = []
        self.end = "iterations"

    def step(self, delta: float) -> tuple[np.ndarray, float, bool]:
        """(s, predicted decrease -(g.s + s.Hs/2), whether s is on the boundary |s| = delta)."""
        j_bound = None
        for j in range(len(self.z) - 1):
            if np.linalg.norm(self.z[j + 1]) >= delta:
                j_bound = j
                break
        if j_bound is None and self.end == "negative":
            j_bound = len(self.d) - 1
        if j_bound is None:
            s, hs = self.z[-1], self.hz[-1]
            return s, -(float(self.g @ s) + 0.5 * float(s @ hs)), False
        z, hz, d, hd = self.z[j_bound], self.hz[j_bound], self.d[j_bound], self.hd[j_bound]
        a, b, c = float(d @ d), 2.0 * float(z @ d), float(z @ z) - delta ** 2
        tau = (-b + np.sqrt(max(b * b - 4.0 * a * c, 0.0))) / (2.0 * a)      # |z + tau d| = delta
        s, hs = z + tau * d, hz + tau * hd
        return s, -(float(self.g @ s) + 0.5 * float(s @ hs)), True


def steihaug(hv, g: np.ndarray, delta: float, tol: float, max_iter: int) -> tuple[_CGPath, int]:
    """Steihaug-Toint CG on H s = -g inside |s| <= delta (module docstring): stops at |r| <= tol, on a
    direction of non-positive curvature, when an iterate leaves the region, or after max_iter products.
    Returns the path and the number of products hv(.) used."""
    path = _CGPath(g)
    r = g.copy()
    d = -r
    rr = float(r @ r)
    if np.sqrt(rr) <= tol:
        path.end = "converged"
        return path, 0
    for k in range(max_iter):
        hd = hv(d)
        dhd = float(d @ hd)
        path.d.append(d)
        path.hd.append(hd)
        if dhd <= 0.0:
            path.end = "negative"
            return path, k + 1
        alpha = rr / dhd
        z = path.z[-1] + alpha * d
        path.z.append(z)
        path.hz.append(path.hz[-1] + alpha * hd)
        if np.linalg.norm(z) >= delta:
            path.end = "boundary"
            return path, k + 1
        r = r + alpha * hd
        rr_new = float(r @ r)
        if np.sqrt(rr_new) <= tol:
            path.end = "converged"
            return path, k + 1
        d = -r + (rr_new / rr) * d
        rr = rr_new
    return path, max_iter


def newton_cg_trust_region(circuit: Circuit, psi0: np.ndarray, ham: Hamiltonian, theta: np.ndarray, *,
                           gtol: float, max_iter: int, eta: float, eig_rel_tol: float, precondition: bool = True,
                           cg_max: int = CG_MAX, trace: list | None = None
                           ) -> tuple[np.ndarray, float, np.ndarray, int, int, int]:
    """Truncated-Newton trust region (module docstring) from theta until max|grad| <= gtol.

    ``gtol``, ``max_iter``, ``eta`` (acceptance ratio) and ``eig_rel_tol`` (the cut) are those of the
    exact-Hessian trust region (:mod:`.optimize` passes its LBFGS_GTOL, CG_MAX_ITER, TR_ETA, EIG_REL_TOL).

    Returns (theta, F, grad, iterations, Hessian-vector products, exact Hessians), theta the last point, or,
    when max|grad| > gtol at the end, the accepted point of smallest max|grad|; an iteration costs
    one loss+gradient, plus the CG products after an accepted step, plus an exact Hessian when the
    preconditioner is refreshed. Unpreconditioned: at most p products per subproblem. ``trace``: a list
    that receives (max|g|, max|g| at the trial, ratio, |s_hat|, Delta, boundary, CG end, CG products so
    far, accepted) per iteration."""
    ops, dense, diags, hx, hc = circuit.ops, circuit.dense, circuit.diags, ham.xmasks, ham.coeffs
    psi0 = np.ascontiguousarray(psi0, dtype=np.complex128)
    theta = np.ascontiguousarray(theta, dtype=np.float64)
    f, g, PS, LS = loss_grad_states(ops, theta, psi0, dense, diags, hx, hc)
    gn = float(np.max(np.abs(g)))
    it = n_hv = n_hess = 0
    w = V = T = None
    refresh = precondition
    delta = None if precondition else CG_DELTA0
    path = None
    s_last = None
    here = False                          # H_0 was taken at the current point
    best = (gn, theta, f, g)              # the accepted point of smallest max|grad| (returned if not converged)
    while it < max_iter and gn > gtol:
        if path is None:
            fresh = False
            if refresh:
                w, V = np.linalg.eigh(hessian_blas(circuit, theta, psi0, ham))
                n_hess += 1
                refresh = False
                fresh = n_hess > 1
                gn_ref = gn
                here = True
            if precondition:
                # the cut at the gradient where H_0 was taken: its smaller eigenvalues were unresolved there
                scale = max(1.0, float(np.max(np.abs(w))))
                keep = np.abs(w) > max(1e-10 * scale, min(eig_rel_tol * scale, 10.0 * max(gn, gn_ref)))
                T = V[:, keep] / np.sqrt(np.abs(w[keep]))
                gh = T.T @ g
                if fresh and REFRESH_RADIUS is not None and s_last is not None:
                    # Delta is a length in the old metric, often grown past the (truncated) steps taken;
                    # kept, the first step of the refreshed model overshot (ratio -20 to -5000 at n = 8)
                    d_new = float(np.linalg.norm(np.sqrt(np.abs(w[keep])) * (V[:, keep].T @ s_last)))
                    delta = max(REFRESH_RADIUS * d_new, 1e-12)
                if delta is None:           # the Newton step with |w| (|s_hat| = |g_hat|), |s| capped at 0.5
                    delta = float(np.linalg.norm(gh)) * min(1.0, 0.5 / max(float(np.linalg.norm(T @ gh)), 1e-300))
                    delta = max(delta, 1e-12)
            else:
                gh = g

            def hv(x, th=theta, ps=PS, ls=LS, T=T):
                u = x if T is None else T @ x
                y = hvp_stored(ops, th, dense, diags, hx, hc, ps, ls, np.ascontiguousarray(u))
                return y if T is None else T.T @ y

            ghn = float(np.linalg.norm(gh))
            path, k = steihaug(hv, gh, delta, min(0.5, np.sqrt(ghn)) * ghn,
                               cg_max if precondition else max(1, circuit.n_params))
            n_hv += k
            if precondition and path.end == "iterations":
                refresh = True
        sh, pred, boundary = path.step(delta)
        sn = float(np.linalg.norm(sh))
        trial = theta + (sh if T is None else T @ sh)
        f2, g2, PS2, LS2 = loss_grad_states(ops, trial, psi0, dense, diags, hx, hc)
        gn2 = float(np.max(np.abs(g2)))
        it += 1
        ratio, ok = step_ratio(f, f2, gn, gn2, pred, eta)
        if trace is not None:             # diagnostics: one row per iteration
            trace.append((gn, gn2, ratio, sn, delta, boundary, path.end, len(path.d), ok))
        delta = next_radius(delta, ratio, sn, boundary)
        if ok:
            s_last = trial - theta
            theta, f, g, gn, PS, LS = trial, f2, g2, gn2, PS2, LS2
            path = None
            here = False
            if gn < best[0]:
                best = (gn, theta, f, g)
        elif delta < 1e-14:
            if not precondition or here or not STALL_REFRESH:
                break
            # the model of a stale H_0 has nothing left to give (typically: the gradient left is along
            # eigen-directions cut at H_0's larger gradient): H_0 and the cut anew here, radius from the start
            refresh, delta, s_last, path = True, None, None, None
    if gn > gtol and best[0] < gn:
        # not converged (max_iter, or a collapse at H_0's own point): near a degenerate minimum the accepted steps
        # lower F while max|grad| goes up and down by 10^2-10^3 (gamma = 1), so the last point can be far
        # worse than one passed; the certification starts from the best
        _, theta, f, g = best
    return theta, f, g, it, n_hv, n_hess

