"""Exact finite-size Kac–Rice for the randomized (Haar) circuit ansatz (derivations/step_13).

Model (the simulator's ``randomized`` ansatz): psi(theta) = U_p(theta_p) ... U_1(theta_1) psi0 with
U_k(t) = exp(-i t G_k), G_k = V_k Z_1 V_k^dagger = 2 P_k - I (P_k a Haar-random rank-d/2 projector), psi0
Haar, F = <psi|H|psi>. No Gaussian surrogate is made.

1. Stationarity. U_k(a + b) = U_k(a) U_k(b), and (G_1..G_k, state) has a law invariant under conjugation by
   any fixed unitary, so the law of (F, grad F, Hess F) at theta equals that at theta = 0; F is pi-periodic.
   Kac–Rice per [0, pi)^p is therefore pi^p E[|det Hess| 1{index k} 1{F in B} | grad = 0] p_grad(0).
2. At theta = 0 (gate order 1..p): d_k psi = -i G_k psi0, d_k^2 psi = -psi0, d_k d_l psi = -G_l G_k psi0
   (k < l), so
       g_k = 2 Im <psi0|H G_k psi0>,
       Hess_kk = 2 <v_k|H|v_k> - 2F,   Hess_kl = 2 Re[<v_k|H|v_l> - <psi0|H G_l v_k>]  (k < l),
   with v_k = G_k psi0.
3. Law of v_k given psi0: v_k = (2c_k - 1) psi0 + 2 sqrt(c_k(1 - c_k)) eta_k with c_k = <psi0|P_k|psi0>
   ~ Beta(d/2, d/2) and eta_k uniform on the unit sphere of psi0^perp (real dimension D = 2d - 2),
   independent. Hence g_k = 4 sqrt(c_k(1 - c_k)) Im<b|eta_k>, b = (H - F) psi0, and given (psi0, c_k)
       p_{g_k}(0) = kappa_D / (4 sqrt(c_k(1 - c_k)) |b|),  kappa_D = Gamma(D/2) / (sqrt(pi) Gamma((D-1)/2)),
   the density at 0 of one coordinate of a uniform point on S^(D-1). The g_k are independent given psi0.
4. Conditioning on g = 0: eta_k uniform on the great subsphere {Im<b|eta> = 0}. A sample of G_k given
   g_k = 0 is W G_k W^dagger for an unconditioned G_k and a unitary W fixing psi0 that maps its eta_k to an
   independent uniform point of the subsphere (the law of G_k is invariant under the stabiliser of psi0).

Monte Carlo over psi0 uses the same tilted angular-central-Gaussian ladder and balance-heuristic weights as
:mod:`.spherical` (low losses are exponentially rare under Haar psi0). Each draw is one i.i.d. term; the
standard errors are sample s.d. / sqrt(draws). Opt-in (``focus=k``): a pilot run locates the losses carrying
the index-k weight and the draws come from a defensive mixture of the ladder and tilts aimed at that range,
weighted by the balance heuristic over the actual shares of draws (still exactly unbiased).
"""
from __future__ import annotations

import math
import time

import numpy as np
from scipy.special import gammaln, logsumexp

from ...checks import check_choice, check_float, check_int
from ...seeding import generator
from ..distributions import AffineUnits
from .spherical import _typical_f, tilt_ladder
from ..kacrice.draws import MIN_DRAWS, KacRiceDraws


def _haar_isometries(rng: np.random.Generator, shape: tuple, d: int, r: int) -> np.ndarray:
    """Orthonormal bases (d x r) of Haar-random r-dimensional subspaces of C^d."""
    z = rng.standard_normal(shape + (d, r)) + 1j * rng.standard_normal(shape + (d, r))
    q, _ = np.linalg.qr(z)
    return q


def _apply_g(Q: np.ndarray, x: np.ndarray) -> np.ndarray:
    """G x = 2 Q Q^dagger x - x for batches Q (..., d, r) and x (..., d, m)."""
    return 2.0 * Q @ (np.conj(np.swapaxes(Q, -1, -2)) @ x) - x


class _Setup:
    """Constants of one (spectrum, p) problem shared by every draw."""

    def __init__(self, spectrum: np.ndarray, p: int):
        self.s_H = np.asarray(spectrum, dtype=float)
        d = self.s_H.size
        if d < 2 or d % 2:
            raise ValueError(f"spectrum must have an even length d = 2^n >= 2; got {d}")
        self.p, self.d, self.r = p, d, d // 2
        self.a = np.concatenate([self.s_H, self.s_H])      # real form: Re and Im parts of psi0
        self.D2 = 2 * d
        self.kvec = self.a - self.a.min()
        Dperp = 2 * d - 2
        self.log_kappa = gammaln(Dperp / 2) - 0.5 * math.log(math.pi) - gammaln((Dperp - 1) / 2)
        self.chunk = max(1, min(256, int(2e6 // (p * d * self.r + p * p * d + 1))))   # keeps a chunk's Q in cache
        self.chunk_reduced = max(1, min(512, int(4e6 // (8 * p * d + p * p + 1))))   # a few (s, p, d) arrays
        self.iu = np.triu_indices(p, 1)


def _schedule(lams: np.ndarray, counts, chunk: int, cyclic: bool):
    """(level index, chunk size) in drawing order: level by level (the dense sampler's order), or, with ``cyclic``
    (equal counts only), one chunk of every level per cycle, so that stopping after any whole cycle keeps the
    shares of draws equal (the balance heuristic's pi_l = 1/L stays exact)."""
    if not cyclic:
        for li, per in enumerate(counts):
            for s0 in range(0, per, chunk):
                yield li, min(chunk, per - s0), False
        return
    per = int(counts[0])
    c = min(chunk, max(1, per))
    for s0 in range(0, per, c):
        for li in range(len(counts)):
            yield li, min(c, per - s0), li == len(counts) - 1      # True: a cycle ends here


def _draw_levels(S: _Setup, rng: np.random.Generator, lams: np.ndarray, counts, log_pi: np.ndarray | None,
                 progress=None, sampler: str = "dense", deadline: float | None = None, min_draws: int = 0):
    """``counts[l]`` draws of psi0 from tilt level ``lams[l]`` for every l (in this order, chunk by chunk),
    each with its Kac–Rice weight. The importance weight is the balance heuristic over the mixture of all
    levels, log_iw = -logsumexp_l (log pi_l + log q_l/p(F)), with ``log_pi`` the log shares of draws (None:
    equal shares 1/L, the default ladder). ``progress(k)``, if given, is called after each chunk of k draws.
    ``sampler``: how the gates are drawn given psi0 (:data:`SAMPLERS`). ``deadline`` (a time.perf_counter() value;
    reduced sampler with equal shares only): the levels are drawn in cycles and drawing stops after the first whole
    cycle that ends past the deadline once ``min_draws`` draws are taken (the estimate stays exactly unbiased:
    equal shares). Returns lists (F, logw, index, Hessian eigenvalues) of chunks."""
    p, d, D2, s_H, a, kvec = S.p, S.d, S.D2, S.s_H, S.a, S.kvec
    iu, log_kappa = S.iu, S.log_kappa
    chunk, gates = (S.chunk, _gates_dense) if sampler == "dense" else (S.chunk_reduced, _gates_reduced)
    L = lams.size
    half_logdet = 0.5 * np.log1p(2.0 * np.outer(lams, kvec)).sum(axis=1)
    fs, logws, idxs, eigs = [], [], [], []
    cyclic = sampler != "dense" and log_pi is None and len(set(int(c) for c in counts)) == 1
    taken = 0
    sds = [1.0 / np.sqrt(1.0 + 2.0 * lam * kvec) for lam in lams]
    for li, s, cycle_end in _schedule(lams, counts, chunk, cyclic):
        sd = sds[li]
        x = rng.standard_normal((s, D2)) * sd
        x /= np.linalg.norm(x, axis=1)[:, None]
        psi = x[:, :d] + 1j * x[:, d:]                                     # (s, d), unit
        F = np.einsum("sd,d,sd->s", np.conj(psi), s_H, psi).real
        log_q_over_p = half_logdet[None, :] - 0.5 * D2 * np.log1p(2.0 * np.outer(F - a.min(), lams))
        if log_pi is None:
            log_iw = -(logsumexp(log_q_over_p, axis=1) - math.log(L))
        else:
            log_iw = -logsumexp(log_q_over_p + log_pi[None, :], axis=1)
        b = (s_H[None, :] - F[:, None]) * psi                             # (H - F) psi0, b perp psi0
        bn = np.linalg.norm(b, axis=1)
        u = 1j * b / bn[:, None]                                           # real direction of Im<b|.>
        amp, Hess, cross = gates(S, rng, psi, F, u)
        Hess[:, iu[0], iu[1]] -= 2.0 * cross[:, iu[0], iu[1]]
        Hess[:, iu[1], iu[0]] = Hess[:, iu[0], iu[1]]
        ev = np.linalg.eigvalsh(Hess)
        with np.errstate(divide="ignore"):
            logdet = np.log(np.abs(ev)).sum(axis=1)
        log_pg0 = p * log_kappa - np.log(2.0 * amp).sum(axis=1) - p * np.log(bn)
        fs.append(F)
        logws.append(p * math.log(math.pi) + log_pg0 + logdet + log_iw)
        idxs.append((ev < 0).sum(axis=1))
        eigs.append(ev)
        if progress is not None:
            progress(s)
        taken += s
        if cycle_end and deadline is not None and taken >= min_draws and time.perf_counter() > deadline:
            break
    return fs, logws, idxs, eigs


def _gates_dense(S: _Setup, rng: np.random.Generator, psi: np.ndarray, F: np.ndarray, u: np.ndarray):
    """The gates given psi0 (module docstring, steps 3-4), each drawn in full: G_k = 2 Q_k Q_k^dagger - I with
    Q_k a Haar isometry (d x d/2), rotated by W so that g_k = 0. Cost O(p d^3) per draw (the isometries' QR).
    Returns (amp_k = 2 sqrt(c_k (1 - c_k)), Hess without the cross term, cross[k, l] = Re<psi0|H G_l v_k>)."""
    p, d, r, s_H = S.p, S.d, S.r, S.s_H
    s = psi.shape[0]
    Q = _haar_isometries(rng, (s, p), d, r)                            # (s, p, d, r)
    Qh_psi = np.einsum("spdr,sd->spr", np.conj(Q), psi)
    c = np.einsum("spr,spr->sp", np.conj(Qh_psi), Qh_psi).real         # <psi0|P_k|psi0>
    v = 2.0 * np.einsum("spdr,spr->spd", Q, Qh_psi) - psi[:, None, :]  # G_k psi0
    amp = 2.0 * np.sqrt(np.clip(c * (1.0 - c), 1e-300, None))
    e = (v - (2.0 * c - 1.0)[..., None] * psi[:, None, :]) / amp[..., None]
    # target: uniform on the unit sphere of psi0^perp intersected with {Re<u|.> = 0}
    z = rng.standard_normal((s, p, d)) + 1j * rng.standard_normal((s, p, d))
    z -= np.einsum("sd,spd->sp", np.conj(psi), z)[..., None] * psi[:, None, :]
    z -= np.einsum("sd,spd->sp", np.conj(u), z).real[..., None] * u[:, None, :]
    e2 = z / np.linalg.norm(z, axis=2)[..., None]
    # W: unitary on span{e, e2}, identity elsewhere, W e = e2 (fixes psi0)
    alpha = np.einsum("spd,spd->sp", np.conj(e), e2)
    w2 = e2 - alpha[..., None] * e
    beta = np.linalg.norm(w2, axis=2)
    u2 = w2 / np.maximum(beta, 1e-300)[..., None]
    E = np.stack([e, u2], axis=-1)                                     # (s, p, d, 2)
    M = np.zeros((s, p, 2, 2), dtype=complex)
    M[..., 0, 0], M[..., 1, 0] = alpha - 1.0, beta
    M[..., 0, 1], M[..., 1, 1] = -beta, np.conj(alpha) - 1.0
    Q = Q + E @ (M @ (np.conj(np.swapaxes(E, -1, -2)) @ Q))
    v = (2.0 * c - 1.0)[..., None] * psi[:, None, :] + amp[..., None] * e2   # G'_k psi0
    Hv = v * s_H[None, None, :]
    Hess = 2.0 * np.einsum("skd,sld->skl", np.conj(v), Hv).real
    Hess[:, np.arange(p), np.arange(p)] -= 2.0 * F[:, None]
    # <psi0|H G_l v_k> for k < l
    Hpsi = s_H[None, :] * psi
    VT = np.swapaxes(v, 1, 2)                                          # (s, d, p): columns v_k
    cross = np.zeros((s, p, p))
    for l in range(1, p):
        GlV = _apply_g(Q[:, l], VT[:, :, :l])                          # (s, d, l): G_l v_k, k < l
        cross[:, :l, l] = np.einsum("sd,sdk->sk", np.conj(Hpsi), GlV).real
    return amp, Hess, cross


def _re_inner(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Re<a_k|b_l> for batches (s, p, d) of complex vectors, as one real batched matrix product (BLAS); numpy's
    complex matmul on a transposed view is an order of magnitude slower."""
    ar = np.concatenate([a.real, a.imag], axis=2)
    br = np.concatenate([b.real, b.imag], axis=2)
    return np.matmul(ar, np.ascontiguousarray(np.swapaxes(br, 1, 2)))


def _gates_reduced(S: _Setup, rng: np.random.Generator, psi: np.ndarray, F: np.ndarray, u: np.ndarray):
    """The same law as :func:`_gates_dense`, drawn without forming any gate (docs/theory.md §11.6).

    Given psi0, gate k enters only through P_k psi0 = w_k and, for the cross terms, through G_l (H psi0). With
    c_k = <psi0|P_k|psi0> ~ Beta(d/2, d/2) and e2_k uniform on the unit sphere of psi0^perp ∩ {Re<u|.> = 0}
    (the conditioning on g_k = 0, as in the dense sampler), w_k = c_k psi0 + sqrt(c_k (1 - c_k)) e2_k. Given
    P psi0 = w, a Haar projector of rank r = d/2 is P = w^ w^dagger + P~ with w^ = w/|w| in its range,
    k^ = (psi0 - w)/|psi0 - w| in its kernel and P~ a Haar projector of rank r - 1 on span{psi0, w}^perp (the
    law given w is invariant under the unitaries fixing psi0 and w, which act transitively there). Hence, for
    y = H psi0 with y_perp its part in that complement,
        P_l y = w^ <w^|y> + |y_perp| (c' y^ + sqrt(c'(1 - c')) eta),  c' ~ Beta(r - 1, d - r - 1),
    eta uniform on the unit sphere of span{psi0, w, y_perp}^perp, and cross[k, l] = Re<G_l y|v_k>. Cost
    O(d p^2 + p^3) per draw instead of O(p d^3); exact, not an approximation."""
    p, d, r, s_H = S.p, S.d, S.r, S.s_H
    s = psi.shape[0]
    c = rng.beta(r, r, size=(s, p))
    amp = 2.0 * np.sqrt(np.clip(c * (1.0 - c), 1e-300, None))
    z = rng.standard_normal((s, p, d)) + 1j * rng.standard_normal((s, p, d))
    z -= np.einsum("sd,spd->sp", np.conj(psi), z)[..., None] * psi[:, None, :]
    z -= np.einsum("sd,spd->sp", np.conj(u), z).real[..., None] * u[:, None, :]
    e2 = z / np.linalg.norm(z, axis=2)[..., None]
    v = (2.0 * c - 1.0)[..., None] * psi[:, None, :] + amp[..., None] * e2        # G'_k psi0
    Hv = v * s_H[None, None, :]
    Hess = 2.0 * _re_inner(v, Hv)
    Hess[:, np.arange(p), np.arange(p)] -= 2.0 * F[:, None]
    y = s_H[None, :] * psi                                                       # H psi0, (s, d)
    sc, s1c = np.sqrt(c)[..., None], np.sqrt(1.0 - c)[..., None]
    w_hat = sc * psi[:, None, :] + s1c * e2                                      # in range(P'_l)
    k_hat = s1c * psi[:, None, :] - sc * e2                                      # in ker(P'_l)
    yw = np.einsum("spd,sd->sp", np.conj(w_hat), y)
    yk = np.einsum("spd,sd->sp", np.conj(k_hat), y)
    y_perp = y[:, None, :] - yw[..., None] * w_hat - yk[..., None] * k_hat
    y_n = np.linalg.norm(y_perp, axis=2)
    Py = yw[..., None] * w_hat
    if d > 2:                                    # d = 2: the complement is {0}, P~ = 0
        y_hat = y_perp / np.maximum(y_n, 1e-300)[..., None]
        c2 = rng.beta(r - 1, d - r - 1, size=(s, p)) if r > 1 else np.zeros((s, p))
        g = rng.standard_normal((s, p, d)) + 1j * rng.standard_normal((s, p, d))
        for basis in (w_hat, k_hat, y_hat):
            g -= np.einsum("spd,spd->sp", np.conj(basis), g)[..., None] * basis
        eta = g / np.linalg.norm(g, axis=2)[..., None]
        Py = Py + y_n[..., None] * (c2[..., None] * y_hat + np.sqrt(c2 * (1.0 - c2))[..., None] * eta)
    Gy = 2.0 * Py - y[:, None, :]                                                # G'_l H psi0, (s, p, d)
    cross = _re_inner(v, Gy)                                                     # [k, l] = Re<v_k|G_l H psi0>
    return amp, Hess, cross


#: how the gates are drawn given psi0: "dense" (every gate in full, O(p d^3) per draw; the sampler of the
#: cached study results) or "reduced" (the same law from the few vectors the Kac–Rice terms touch, O(d p^2 + p^3))
SAMPLERS = ("dense", "reduced")


def tilt_for_typical_f(k: np.ndarray, target: float) -> float:
    """The tilt lam whose typical loss ``_typical_f(k, lam)`` (k = a - a.min(), loss measured from E0) equals
    ``target``, by bisection on lam >= 0 if target <= mean(k), else on (-1/(2 max k), 0); the typical loss
    decreases with lam on both. Same search as :func:`.spherical.tilt_ladder` for targets <= mean(k); above
    the mean that function's update is reversed (it returns lam ~ 0 or ~ -1/(2 max k) instead)."""
    if target <= k.mean():      # lam >= 0: bracket, then bisection
        lo, hi = 0.0, 1.0
        while _typical_f(k, hi) > target and hi < 1e12:
            hi *= 4
    else:                       # lam in (-1/(2 kmax), 0)
        lo, hi = -0.5 / k.max() * (1 - 1e-9), 0.0
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if _typical_f(k, mid) > target else (lo, mid)
    return 0.5 * (lo + hi)


#: the plain ladder's lowest typical loss, in t = (F - E0) / (Ebar - E0) (:func:`.spherical.tilt_ladder`)
LADDER_FLOOR_T = 0.01
#: the deep levels' lowest typical loss, in t (``kac_rice_circuit(..., deep_levels=k)``)
DEEP_FLOOR_T = 1e-6


def deep_ladder(a: np.ndarray, levels: int, floor_t: float = DEEP_FLOOR_T) -> np.ndarray:
    """Tilts whose typical losses are geometrically spaced in t from LADDER_FLOOR_T / 3 down to ``floor_t``:
    the losses below the plain ladder's floor, where the local minima sit near the transition (the Kac–Rice
    density of minima behaves as f^((p_c - p)/2 - 1) as f = F - E0 -> 0 before the Hessian's sign cuts it off;
    docs/studies/circuit_model.md, "Near the transition")."""
    k = np.asarray(a, dtype=float) - np.min(a)
    ts = np.geomspace(LADDER_FLOOR_T / 3, floor_t, max(1, int(levels)))
    return np.unique(np.array([tilt_for_typical_f(k, t * k.mean()) for t in ts]))


def floor_share(kr: KacRiceDraws, spectrum: np.ndarray, index: int = 0) -> float:
    """Share of the index-``index`` Kac–Rice weight carried by draws below the plain ladder's floor
    (t < LADDER_FLOOR_T). Near 0: the plain ladder covers the law. Large: the law reaches losses the plain ladder
    barely samples, so its estimate is dominated by a few heavy draws (use ``deep_levels``). NaN without any
    index-``index`` draw."""
    sel = (kr.index == index) & np.isfinite(kr.logw)
    if not np.any(sel):
        return float("nan")
    w = np.exp(kr.logw[sel] - kr.logw[sel].max())
    t = AffineUnits.for_spectrum(spectrum).to_t(kr.f[sel])
    return float(w[t < LADDER_FLOOR_T].sum() / w.sum())


def focused_ladder(a: np.ndarray, f_lo: float, f_hi: float, levels: int, floor_t: float = LADDER_FLOOR_T) -> np.ndarray:
    """Tilts whose typical losses are evenly spaced over [f_lo, f_hi] (absolute loss values; clipped to the
    range :func:`.spherical.tilt_ladder` covers, or down to ``floor_t`` in t if that is lower).
    ``a``: spectrum (real form or not; only its values count)."""
    k = np.asarray(a, dtype=float) - np.min(a)
    kmax, mean = k.max(), k.mean()
    lo_t, hi_t = min(LADDER_FLOOR_T, floor_t) * mean, kmax - 0.01 * (kmax - mean)
    t_lo = float(np.clip(f_lo - np.min(a), lo_t, hi_t))
    t_hi = float(np.clip(f_hi - np.min(a), lo_t, hi_t))
    targets = np.linspace(t_lo, t_hi, max(1, int(levels))) if t_hi > t_lo else np.array([t_lo])
    return np.unique(np.array([tilt_for_typical_f(k, t) for t in targets]))


def _split(total: int, parts: int) -> np.ndarray:
    """``total`` draws split over ``parts`` levels as evenly as possible (deterministic)."""
    n = np.full(parts, total // parts, dtype=int)
    n[: total % parts] += 1
    return n


def _weighted_quantiles(x: np.ndarray, logw: np.ndarray, qs) -> np.ndarray:
    order = np.argsort(x)
    w = np.exp(logw[order] - np.max(logw))
    cw = np.cumsum(w) - 0.5 * w
    return np.interp(qs, cw / w.sum(), x[order])


def kac_rice_circuit(spectrum: np.ndarray, p: int, *, seed: int = 0, n_mc: int = 4000,
                     levels: int = 24, return_eigenvalues: bool = False, focus: int | None = None,
                     pilot: float = 0.2, defensive: float = 0.25, focus_levels: int | None = None,
                     focus_quantiles: tuple[float, float] = (0.005, 0.995), margin: float = 0.25,
                     deep_levels: int = 0, progress=None, sampler: str = "dense", deadline: float | None = None,
                     ladder_version: int | None = None):
    """Expected critical points by index per [0, pi)^p of the randomized circuit ansatz with Hamiltonian
    eigenvalues ``spectrum`` (length d = 2^n), from ``n_mc`` importance-weighted draws (module docstring).

    With ``return_eigenvalues`` also returns the Hessian eigenvalues of every draw (array [draws, p], aligned
    with ``kr.f``), for conditional Hessian statistics at critical points of a given index and value.

    Focused ladder (opt-in, ``focus`` = a Hessian index, normally 0; default None = the plain ladder, whose
    numbers are unchanged). A pilot run of the plain estimator (``pilot * n_mc`` draws, own RNG stream) gives
    the loss range carrying the index-``focus`` weight (weighted ``focus_quantiles``, widened on each side by
    ``margin`` times its width plus 1 % of the spectral width). The pilot draws are then discarded and
    ``n_mc`` fresh draws (own RNG stream) are taken from a defensive mixture: a fraction ``defensive`` spread
    over the plain ladder, the rest over ``focus_levels`` (default ``levels``) tilts whose typical losses are
    evenly spaced over that range (:func:`focused_ladder`). The balance-heuristic weight uses the actual
    shares pi_l = n_l / N of the levels, so the estimate stays exactly unbiased (the design depends on the
    pilot only). Cost is (1 + pilot) times the plain run's.

    Deep levels (opt-in, ``deep_levels`` = k > 0; default 0 = the plain ladder): k more tilts with typical
    losses from t = LADDER_FLOOR_T / 3 down to t = DEEP_FLOOR_T (:func:`deep_ladder`) join the ladder (and the
    pilot's), and a focused ladder may reach down to DEEP_FLOOR_T. Near the transition the minima sit below the
    plain ladder's floor t = 0.01, which then finds them rarely (:func:`floor_share`). Still exactly unbiased.

    ``progress(k)`` (optional) is called after every chunk of k draws (for a progress bar).

    ``sampler`` (:data:`SAMPLERS`): "dense" (default; draws every gate, the numbers of the cached studies) or
    "reduced" (the same law at O(d p^2 + p^3) per draw instead of O(p d^3), :func:`_gates_reduced`; its own
    random streams, so other numbers from the same seed). ``deadline`` (reduced sampler, plain or deep ladder): a
    time.perf_counter() value after which drawing stops at the next whole cycle over the levels (a safety net for
    a slow host, so that a time budget holds: the result's ``n_draws`` says how many were taken, possibly fewer than
    MIN_DRAWS, and that many as ``n_mc`` reproduces it).

    ``ladder_version``: the plain ladder's version (:func:`.spherical.tilt_ladder`; None: CORRECTED_LADDER, or the
    version pinned by :func:`.spherical.ladder_version`; the cached studies pin LEGACY_LADDER)."""
    p = check_int("params", p, 1)
    n_mc = check_int("n_mc", n_mc, 10)
    deep_levels = check_int("deep_levels", deep_levels, 0, 200)
    check_choice("sampler", sampler, SAMPLERS)
    tag = "" if sampler == "dense" else "-reduced"
    S = _Setup(spectrum, p)
    lams = tilt_ladder(np.sort(S.a), levels, ladder_version)
    if deep_levels:
        lams = np.concatenate([lams, deep_ladder(S.a, deep_levels)])
    L = lams.size
    if sampler == "dense":
        return _run(S, seed, n_mc, lams, L, levels, return_eigenvalues, focus, pilot, defensive, focus_levels,
                    focus_quantiles, margin, deep_levels, progress, sampler, tag, None)
    from threadpoolctl import threadpool_limits
    with threadpool_limits(1):     # many small BLAS calls: one thread each (oversubscription costs ~10x here)
        return _run(S, seed, n_mc, lams, L, levels, return_eigenvalues, focus, pilot, defensive, focus_levels,
                    focus_quantiles, margin, deep_levels, progress, sampler, tag, deadline)


def _run(S, seed, n_mc, lams, L, levels, return_eigenvalues, focus, pilot, defensive, focus_levels, focus_quantiles,
         margin, deep_levels, progress, sampler, tag, deadline):
    """The draws of :func:`kac_rice_circuit` (its arguments, checked)."""
    p = S.p
    if focus is None:
        per = max(1, n_mc // L)
        rng = generator(seed, "circuit-kacrice" + tag, p, S.d)
        fs, logws, idxs, eigs = _draw_levels(S, rng, lams, [per] * L, None, progress, sampler, deadline)
    else:
        focus = check_int("focus", focus, 0)
        pilot = check_float("pilot", pilot, 0.0, 1.0, open_min=True, open_max=True)
        defensive = check_float("defensive", defensive, 0.0, 1.0)
        margin = check_float("margin", margin, 0.0)
        n_pilot = max(L, int(round(pilot * n_mc)))
        pf, pw, pidx, _ = _draw_levels(S, generator(seed, "circuit-kacrice-pilot" + tag, focus, p, S.d), lams,
                                       [max(1, n_pilot // L)] * L, None, None, sampler)
        pf, pw, pidx = np.concatenate(pf), np.concatenate(pw), np.concatenate(pidx)
        sel = (pidx == focus) & np.isfinite(pw)
        width = float(S.a.max() - S.a.min())
        if np.any(sel):
            q_lo, q_hi = _weighted_quantiles(pf[sel], pw[sel], focus_quantiles)
            m = margin * (q_hi - q_lo) + 0.01 * width
            foc = focused_ladder(S.a, q_lo - m, q_hi + m, focus_levels or levels,
                                 DEEP_FLOOR_T if deep_levels else LADDER_FLOOR_T)
        else:                   # no index-focus draw in the pilot: nothing to focus on
            foc = lams
        n_def = min(n_mc, max(L, int(round(defensive * n_mc)))) if defensive > 0 else 0   # >= 1 per level
        counts = np.concatenate([_split(n_def, L), _split(n_mc - n_def, foc.size)])
        mix = np.concatenate([lams, foc])
        keep = counts > 0
        mix, counts = mix[keep], counts[keep]
        log_pi = np.log(counts / counts.sum())
        rng = generator(seed, "circuit-kacrice-focus" + tag, focus, p, S.d)
        fs, logws, idxs, eigs = _draw_levels(S, rng, mix, counts, log_pi, progress, sampler)
    kr = KacRiceDraws.from_draws(p, np.concatenate(fs), np.concatenate(logws), np.concatenate(idxs))
    if focus is None and kr.n_draws < per * L:
        kr.stopped_at_deadline = True
    return (kr, np.concatenate(eigs)) if return_eigenvalues else kr


def minima_kernel_weights(kr: KacRiceDraws, F: np.ndarray, bandwidth: float) -> tuple[np.ndarray, np.ndarray]:
    """Weights of the index-0 draws for conditioning on "local minimum at loss F": row i is proportional to
    w_j exp(-(F_i - f_j)^2 / (2 bandwidth^2)) over the index-0 draws j (Kac–Rice weight times a Gaussian
    kernel), normalised to sum 1. Returns (weights [len(F), index-0 draws], Kish effective sample size)."""
    sel = kr.index == 0
    w = np.exp(kr.logw[sel] - kr.logw[sel].max())
    K = np.exp(-0.5 * ((np.asarray(F, dtype=float)[:, None] - kr.f[sel][None, :]) / bandwidth) ** 2) * w[None, :]
    tot = K.sum(axis=1, keepdims=True)
    K = K / np.maximum(tot, 1e-300)
    return K, 1.0 / np.maximum((K * K).sum(axis=1), 1e-300)


def conditional_mean_at_minima(kr: KacRiceDraws, values: np.ndarray, F: np.ndarray,
                               bandwidth: float) -> tuple[np.ndarray, np.ndarray]:
    """E[values | local minimum at loss F] by Gaussian-kernel regression over the index-0 draws
    (:func:`minima_kernel_weights`). Returns (estimate, Kish effective sample size) for each F."""
    K, ess = minima_kernel_weights(kr, F, bandwidth)
    return K @ np.asarray(values)[kr.index == 0], ess


#: ladders of ``predict --model circuit``: auto = plain, redone with deep levels when the plain one fails
LADDERS = ("auto", "plain", "deep")
#: auto: redo with deep levels when more than this share of the minima's Kac–Rice weight lies below the plain
#: ladder's floor (:func:`floor_share`)
FLOOR_SHARE_MAX = 0.1
#: deep levels added by ladder="deep" (or by auto)
DEEP_LEVELS = 8


def predict_model(n_qubits: int, n_params: int, hamiltonian: str, *, seed: int = 0, n_mc: int = 2000,
                  dps: int = 30, ladder: str = "auto", return_draws: bool = False, progress=None,
                  sampler: str = "dense", deadline: float | None = None):
    """``predict --model circuit``: the exact finite-size law of the randomized (Haar) ansatz.

    Counts by index and the local-minimum law from :func:`kac_rice_circuit` with ``max(n_mc, MIN_DRAWS)``
    draws; transition as in the spherical model (the inertia bound holds for circuits). Valid for the
    ``randomized`` ansatz with Haar psi0 only; other ansatz families have other laws at a point.

    ``ladder``: "plain" = the tilt ladder down to t = 0.01; "deep" = plus DEEP_LEVELS levels down to
    t = 1e-6 (``kac_rice_circuit(..., deep_levels=DEEP_LEVELS)``); "auto" (default) = plain, redone deep when
    the plain run has no local-minimum draw at p < p_c or more than FLOOR_SHARE_MAX of the minima's weight
    below t = 0.01 (near the transition; docs/studies/circuit_model.md). The result's ``sampling`` block says which
    ladder was used, why, and the final run's floor share.

    ``sampler``: "dense" (the cached studies' numbers) or "reduced" (same law, far cheaper; :data:`SAMPLERS`).
    ``deadline`` (reduced sampler): :func:`kac_rice_circuit`'s safety net; with ladder "auto" the plain run gets
    half of the time left and a deep rerun the rest.
    ``return_draws``: return (result, the final run's :class:`KacRiceDraws`). ``progress(k)``: called after
    every chunk of k draws (the deep rerun of "auto" counts again).
    """
    import time

    from ...hamiltonians import parse_hamiltonian
    from .spherical import prediction_from_draws, spectral_transition

    t0 = time.perf_counter()
    ham = parse_hamiltonian(hamiltonian, n_qubits)
    p = check_int("params", n_params, 1)
    check_choice("ladder", ladder, LADDERS)
    draws = max(n_mc, MIN_DRAWS)
    reason = None
    if ladder != "deep":
        # auto may need a deep rerun near the transition (gamma >= 0.6, as the cost model assumes): half the time each
        first = deadline if deadline is None or ladder != "auto" or p < 0.6 * 2 * ham.dim else (
            time.perf_counter() + 0.5 * (deadline - time.perf_counter()))
        kr = kac_rice_circuit(ham.spectrum, p, seed=seed, n_mc=draws, progress=progress, sampler=sampler,
                              deadline=first)
        share = floor_share(kr, ham.spectrum)
        if ladder == "auto":
            if np.isnan(share) and p < spectral_transition(ham.spectrum)["params_c"]:
                reason = "the plain ladder has no local-minimum draw below the transition (p < p_c)"
            elif share > FLOOR_SHARE_MAX:
                reason = (f"{share:.0%} of the plain ladder's local-minimum weight lies below its floor "
                          f"t = {LADDER_FLOOR_T:g} (> {FLOOR_SHARE_MAX:.0%})")
    deep = ladder == "deep" or reason is not None
    if deep:
        kr = kac_rice_circuit(ham.spectrum, p, seed=seed, n_mc=draws, deep_levels=DEEP_LEVELS, progress=progress,
                              sampler=sampler, deadline=deadline)
        share = floor_share(kr, ham.spectrum)
    out = prediction_from_draws(kr, ham, "circuit",
                                {"value": 2 * ham.dim, "rule": "none: exact law of the randomized (Haar) "
                                                               "circuit ansatz, no surrogate field"}, seed, dps, t0)
    out["ansatz"] = "randomized"
    from ..asymptotics.small_loss import small_loss_exponent
    out["transition"]["minima_density_exponent_at_E0"] = small_loss_exponent(ham.spectrum, p)
    warn = None
    if not deep and share > FLOOR_SHARE_MAX:
        warn = (f"{share:.0%} of the local-minimum weight lies below the plain ladder's floor t = "
                f"{LADDER_FLOOR_T:g}: the law is under-sampled there; use ladder='deep' (--ladder deep)")
    out["sampling"] = {"ladder": "deep" if deep else "plain", "requested": ladder, "auto_reason": reason,
                       **({"sampler": sampler} if sampler != "dense" else {}),
                       "deep_levels": DEEP_LEVELS if deep else 0, "floor_t": LADDER_FLOOR_T,
                       "floor_share_minima": share, "warning": warn}
    return (out, kr) if return_draws else out
