"""Weighted WHRF for a general spectrum and its finite-size Kac–Rice count (docs/theory.md §6.1).

Model. f = F - E0 = sum_k mu_k x_k(theta)^2 with x = X w(theta), X a 2d x 2^p matrix of i.i.d. N(0, 1)
entries (the overall scale is fixed below) and mu >= 0 the spectrum of K = H - E0 in real form (each
eigenvalue of H twice). As for the isotropic field, x, u_i = d_i x, v_ij = d_i d_j x are independent
N(0, I) and d_i^2 x = -x (derivations/step_02), so with b = diag(mu) x:

  d_i f = 2 b.u_i,   d_i d_j f = 2 [u_i^T diag(mu) u_j + b.v_ij] (i != j),   d_i^2 f = 2 u_i^T diag(mu) u_i - 2 f.

Given x, grad f ~ N(0, 4 |b|^2 I_p); at grad f = 0 the u_i lie in b-perp and b.v_ij = |b| Z_ij, so
Hess f = 2 [U_perp^T diag(mu) U_perp - f I + |b| Z]  (it reduces to docs/theory.md §4 for constant mu), and

  E N_k(f in B) = pi^p E_x[ 1{f in B} (2 pi)^(-p/2) |b|^(-p) |det(U_perp^T diag(mu) U_perp - f I + |b| Z)| 1{k} ].

Scale: the field is rescaled so that E f = Tr K / d, the Haar mean of F - E0 (docs/theory.md §3.2), i.e. the
reported loss is E0 + f Tr(K) / (d sum_k mu_k); counts do not depend on the scale.

Monte Carlo: x from a ladder of Gaussians tilted by exp(-lam x^T diag(mu) x) (low f is rare), weighted by
p(x) / mean_l q_l(x) = 1 / mean_l [prod_k (1 + 2 lam_l mu_k)^(1/2) exp(-lam_l f)], a function of f only.
"""
from __future__ import annotations

import math
import numpy as np
from scipy.special import logsumexp

from ...checks import check_int
from ...seeding import generator
from .spherical import real_form_spectrum, tilt_ladder
from ..laws.transition import minima_ceiling, spectral_transition
from ..kacrice.draws import MIN_DRAWS, MIN_ESS, KacRiceDraws


#: Weighted-WHRF Kac–Rice result (importance-weighted draws, f = F - E0 unscaled).
WeightedKacRice = KacRiceDraws


def kac_rice_weighted(spectrum: np.ndarray, p: int, *, seed: int = 0, n_mc: int = MIN_DRAWS,
                      levels: int = 24, real_form: bool = True, tilts: np.ndarray | None = None) -> WeightedKacRice:
    """Finite-size Kac–Rice of the weighted WHRF for the eigenvalues ``spectrum`` of H (module doc).
    ``real_form`` False: ``spectrum`` is already the list of weights mu, one per real Gaussian amplitude (the
    JAWS sum of Wishart fields, docs/theory.md §10.4). ``tilts``: the ladder's lam >= 0 instead of the default."""
    p = check_int("params", p, 1)
    n_mc = check_int("n_mc", n_mc, 10)
    if real_form:
        mu = real_form_spectrum(spectrum)
        mu = mu - mu.min()
    else:
        mu = np.sort(np.asarray(spectrum, dtype=float))
    D = mu.size
    # tilts chosen like the spherical model's: their typical f / |x|^2 spans the spectrum
    lams = tilt_ladder(mu, levels) if tilts is None else np.asarray(tilts, dtype=float)
    lams = lams[lams >= 0]                     # f = x^T diag(mu) x: only downward tilts are proper here
    L = lams.size
    per = max(1, n_mc // L)
    rng = generator(seed, "weighted-kacrice", p, D)
    half_logdet = 0.5 * np.log1p(2.0 * np.outer(lams, mu)).sum(axis=1)
    const = p * math.log(math.pi) - 0.5 * p * math.log(2 * math.pi)
    fs, logws, idxs = [], [], []
    for lam in lams:
        sd = 1.0 / np.sqrt(1.0 + 2.0 * lam * mu)
        for s0 in range(0, per, 256):
            s = min(256, per - s0)
            x = rng.standard_normal((s, D)) * sd
            f = (x * x) @ mu
            log_iw = -(logsumexp(half_logdet[None, :] - np.outer(f, lams), axis=1) - math.log(L))
            b = mu[None, :] * x
            bn = np.linalg.norm(b, axis=1)
            bh = b / bn[:, None]
            U = rng.standard_normal((s, D, p))
            U -= bh[:, :, None] * np.einsum("sd,sdp->sp", bh, U)[:, None, :]
            C = np.einsum("sdi,d,sdj->sij", U, mu, U) - f[:, None, None] * np.eye(p)
            z = np.triu(rng.standard_normal((s, p, p)), 1)
            ev = np.linalg.eigvalsh(C + bn[:, None, None] * (z + z.transpose(0, 2, 1)))
            with np.errstate(divide="ignore"):
                logdet = np.log(np.abs(ev)).sum(axis=1)
            fs.append(f)
            logws.append(const + logdet - p * np.log(bn) + log_iw)
            idxs.append((ev < 0).sum(axis=1))
    return KacRiceDraws.from_draws(p, np.concatenate(fs), np.concatenate(logws), np.concatenate(idxs))


def predict_model(n_qubits: int, n_params: int, hamiltonian: str, *, seed: int = 0, n_mc: int = 2000,
                  dps: int = 30, return_draws: bool = False):
    """``predict`` for the weighted WHRF (module docstring): minima law in raw F, counts by index.
    ``return_draws``: also return the draws with their values in raw loss units F - E0."""
    import time

    from ... import gamma_of
    from ...hamiltonians import parse_hamiltonian
    from ..distributions import AffineUnits, LocalMinimaDistribution

    t0 = time.perf_counter()
    ham = parse_hamiltonian(hamiltonian, n_qubits)
    p = check_int("params", n_params, 1)
    kr = kac_rice_weighted(ham.spectrum, p, seed=seed, n_mc=max(n_mc, MIN_DRAWS))
    mu = real_form_spectrum(ham.spectrum) - ham.ground_energy
    # scale: E f = sum mu (unscaled, x ~ N(0, I)) -> Haar mean Tr K / d
    scale = (mu.sum() / mu.size) / mu.sum()
    units = AffineUnits.for_hamiltonian(ham)
    fs = kr.f * scale
    hi = float(np.quantile(fs, 0.999))
    edges = kr.adaptive_edges(0, 0.0, hi / scale) * scale
    centres, rho = kr.density(0, edges / scale)
    centres = centres * scale
    dist = LocalMinimaDistribution(centres / units.scale, rho / scale * units.scale, units,
                                   name=f"local minima, weighted WHRF (n={ham.n}, p={p})")
    Fg, dens = dist.grid()
    ess = kr.effective_sample_size(0)
    out = {
        "gamma": gamma_of(ham.n, p), "model": "weighted", "n_qubits": ham.n, "n_params": p,
        "hamiltonian": ham.spec,
        "dof": {"value": 2 * ham.dim, "rule": "dimension (all 2d real amplitudes, weighted by the spectrum)"},
        "transition": {**spectral_transition(ham.spectrum),
                       "minima_ceiling_F": minima_ceiling(ham.spectrum, p)},
        "minima": {"units": units.units, "support": list(dist.support()), "q10": float(dist.ppf(0.1)),
                   "median": dist.median(), "q90": float(dist.ppf(0.9)), "mode": dist.mode(),
                   "mean": dist.mean(), "pdf": [[float(a), float(b)] for a, b in zip(Fg, dens)],
                   "weighting": "uniform over critical points (Kac–Rice), not basin-weighted",
                   "effective_sample_size": ess, "reliable": ess >= MIN_ESS,
                   "warning": None if ess >= MIN_ESS else "effective sample size below 30: quantiles not reliable"},
        "critical_points": {"expected_counts_by_index": kr.counts.tolist(), "stderr_by_index": kr.stderr.tolist(),
                            "euler": kr.euler, "euler_stderr": kr.euler_stderr, "domain": "[0, pi)^p",
                            "n_mc": kr.n_draws},
        "asymptotic": {"threshold": None, "edge": None, "note": "not derived for the weighted model yet"},
        "dps": dps, "digits_lost": 0, "seed": seed, "seconds": time.perf_counter() - t0,
    }
    if return_draws:
        import dataclasses
        return out, dataclasses.replace(kr, f=kr.f * scale + ham.ground_energy)
    return out
