"""``predict --generators-file``: minima of structured circuits from the JAWS/Wishart description
(docs/theory.md §10.4).

Deep circuits of the generators (U Haar on the dynamical Lie group e^(i g)) with O - cI in i g have the loss
(docs/theory.md §10.3, Eq. (10.3.1)) l = lbar + sum_alpha l_alpha, one independent term per simple ideal, and
on the module V that carries psi0 ([A25] = arXiv 2408.11901, JAWS display quoted in docs/theory.md §8)

    l - l*  ~>  sum_c (obar_c / r_c) Tr(rho^c W^c),   W^c ~ W^beta_c(r_c, I),   r_c = ceil(Tr(K_c)^2 / Tr(K_c^2)),

c over the (ideal, module) pairs of :func:`rmt_qgm.algebra.jaws.jaws_components`. For a pure rho^c,
Tr(rho^c W^c) is a sum of beta_c r_c squared real Gaussians over beta_c, so l - l* is a weighted sum of
D = sum_c beta_c r_c squared Gaussian fields with weights mu_c = obar_c / (beta_c r_c) (E[l - l*] = sum obar_c).
As a field over the p angles this is the weighted WHRF of docs/theory.md §6.1 with that weight list (the
torus covariance prod_j cos(theta_j - theta_j') of the randomized ansatz assumed for every component: the
approximation this model adds to [A25]); its Kac–Rice law of local minima is
:func:`rmt_qgm.theory.models.weighted.kac_rice_weighted` (``real_form=False``), shifted by l*. At p >= D the
field has a manifold of global minima (the WHRF transition gamma_model = 1, docs/theory.md §5.7, §12.1).

No Kac–Rice code of its own: the WHRF models of :mod:`rmt_qgm.theory.models` answer.
"""
from __future__ import annotations

import time
import numpy as np

from ...errors import UserInputError

#: largest n: the JAWS components need dense 2^n x 2^n matrices (rmt_qgm/algebra/jaws.py)
STRUCTURED_MAX_QUBITS = 8
#: weight on a module below which it does not count as a component
MIN_WEIGHT = 1e-9

VALIDITY = ("deep circuits (the gates' product Haar-distributed on the dynamical Lie group: many layers of the "
            "generators); O - cI in i g (otherwise no law); each component a module of one simple ideal that "
            "carries psi0, counted as independent (several modules of one ideal are driven by the same group "
            "element: approximated as independent); Wishart with r_alpha = ceil(trace ratio) degrees of freedom in "
            "place of the module's own spectrum (exact in law for pure, transitive modules only up to that "
            "rounding and the Gaussian-amplitude approximation of docs/theory.md §3.2); the torus covariance of the "
            "randomized ansatz for every component's Gaussian fields (docs/theory.md §10.4); count-weighted "
            "Kac–Rice, p < D (at p >= D the global minimum answers)")


#: the Monte Carlo ladder's typical f spans [TILT_T_MIN, 1] x E f geometrically in this many levels
TILT_LEVELS = 32
TILT_T_MIN = 1e-4


def jaws_tilts(mu: np.ndarray) -> np.ndarray:
    """Tilts lam >= 0 of the weighted model's ladder (exp(-lam f) on x ~ N(0, I)) whose typical f =
    sum mu_k / (1 + 2 lam mu_k) hits TILT_LEVELS targets from E f = sum mu down to TILT_T_MIN E f (bisection on
    log lam); unlike the default ladder (typical f / |x|^2 across the spectrum) it also spreads a flat or
    two-level weight list, where every level's f / |x|^2 is the same."""
    mu = np.asarray(mu, dtype=float)
    total = float(mu.sum())
    out = [0.0]
    for target in total * np.geomspace(1.0, TILT_T_MIN, TILT_LEVELS)[1:]:
        lo, hi = -30.0, 30.0
        for _ in range(80):
            mid = 0.5 * (lo + hi)
            if float(np.sum(mu / (1.0 + 2.0 * np.exp(mid) * mu))) > target:
                lo = mid
            else:
                hi = mid
        out.append(float(np.exp(0.5 * (lo + hi))))
    return np.array(out)


def jaws_field(generators, n: int, hamiltonian: str, psi0: str = "zero", seed: int = 0) -> dict:
    """The JAWS description of deep circuits of ``generators`` for observable ``hamiltonian`` (module docstring):
    components, the weight list mu, D, the JAWS optimum l*, the group-average loss lbar, the ground energy E0 and
    whether O lies in i g."""
    from ...algebra.dla import lie_closure, parse_state, structure
    from ...algebra.jaws import _element_dense, jaws_components
    from ...algebra.pauli import PauliSum
    from ...algebra.variance import IN_ALGEBRA_TOL, hamiltonian_pauli_sum, ideal_bases, word_coords
    from ...hamiltonians import parse_hamiltonian
    try:
        obs = hamiltonian_pauli_sum(hamiltonian, n)
    except UserInputError as exc:
        raise UserInputError(f"--hamiltonian: {str(exc).splitlines()[0]}") from None
    psi, label = parse_state(psi0, n)
    basis = lie_closure(generators, n)
    st = structure(basis)
    ib = ideal_bases(basis, st, seed=seed)
    idm = (obs.x == 0) & (obs.z == 0)
    c0 = float(obs.c[idm].sum())
    o0 = obs + PauliSum.word("I" * n).scaled(-c0)
    o_coords, o_out = word_coords(basis, o0)
    o_norm2 = float(np.sum(o0.c ** 2))
    in_alg = bool(o_out <= IN_ALGEBRA_TOL * max(o_norm2, 1e-300))
    jaws = jaws_components(basis, ib["ideals"], o_coords, psi, observable=o0, seed=seed)
    centre = ib["centre"]
    if centre.size:
        full = np.zeros(basis.dim)
        if centre.ndim == 1:
            full[centre] = o_coords[centre]
        else:
            full = centre @ (centre.T @ o_coords)
        oz = _element_dense(basis, full)
        mean_centre = float(np.real(psi.conj() @ (oz @ psi)))
    else:
        mean_centre = 0.0
    lbar = c0 + mean_centre
    comps, mu = [], []
    for ideal in jaws["components"]:
        for m in ideal.get("modules") or []:
            if m["r"] is None or m["weight"] <= MIN_WEIGHT or m["obar"] <= 0:
                continue
            beta = m["beta"] if m["beta"] is not None else 2
            dof = beta * m["r"]
            comps.append({"ideal": ideal["type"], "ideal_dim": ideal["dim"], "n": m["n"], "beta": beta,
                          "beta_from_dimension": m["beta"] is not None, "r": m["r"], "m_real": dof,
                          "obar": m["obar"], "weight": m["weight"], "pure": m["pure"], "transitive": m["transitive"],
                          "shared_ideal": len(ideal["modules"]) > 1})
            mu.extend([m["obar"] / dof] * dof)
    ham = parse_hamiltonian(hamiltonian, n)
    obar_sum = float(sum(c["obar"] for c in comps))
    return {"n": n, "psi0": label, "dla_dim": basis.dim, "observable_in_algebra": in_alg,
            "observable_outside_fraction": o_out / max(o_norm2, 1e-300), "components": comps,
            "mu": np.array(mu), "D": int(len(mu)), "mean_loss": lbar, "l_star": lbar - obar_sum,
            "ground_energy": float(ham.ground_energy), "jaws": jaws}


def predict_structured(generators_file: str, n_qubits: int, n_params: int, hamiltonian: str, *,
                       psi0: str = "zero", seed: int = 0, n_mc: int | None = None):
    """``predict(..., generators_file=F)``: a :class:`rmt_qgm.theory.prediction.Prediction` with the JAWS laws
    ``minima`` (count-weighted, Kac–Rice of the weighted WHRF) and ``optimiser_minima`` (that law tilted by the
    fitted basin law (G3), calibrated on randomized circuits only: flagged not reliable)."""
    from ... import gamma_of
    from ...algebra.generators import read_generators
    from ...checks import check_int
    from ..distributions import AffineUnits, LocalMinimaDistribution
    from ..kacrice.draws import MIN_DRAWS, MIN_ESS
    from ..laws.optimiser import optimiser_weighted
    from .weighted import kac_rice_weighted
    from ..prediction import NoLaw, Prediction, Provenance, law_from_distribution, point_law, weighted_median_stderr
    from ..registry import STRUCTURED_MODELS
    t0 = time.perf_counter()
    n = check_int("qubits", n_qubits, 1, STRUCTURED_MAX_QUBITS)
    p = check_int("params", n_params, 1, 10 ** 6)
    seed = check_int("seed", seed, 0)
    draws = MIN_DRAWS if n_mc is None else max(check_int("samples", n_mc, 16), MIN_DRAWS)
    gens = read_generators(generators_file, n)
    fld = jaws_field(gens, n, hamiltonian, psi0, seed)
    lstar, lbar, D = fld["l_star"], fld["mean_loss"], fld["D"]
    src = "docs/theory.md §10.4 (JAWS components §10.3; weighted WHRF §6.1)"
    wt_min = "each local minimum counted once (Kac–Rice)"
    wt_opt = "optimiser-found (basin-weighted: uniform random starts, local optimiser)"
    dof_block = {"value": D, "rule": "jaws (sum over components of beta_alpha r_alpha real degrees of freedom)",
                 "units": "real degrees of freedom", "components": fld["components"],
                 "l_star": lstar, "mean_loss": lbar, "ground_energy": fld["ground_energy"],
                 "observable_in_algebra": fld["observable_in_algebra"], "gamma_model": p / D if D else None}
    warnings = []
    if lstar > fld["ground_energy"] + 1e-9 * max(1.0, abs(fld["ground_energy"])):
        warnings.append(f"the JAWS optimum l* = {lstar:.6g} lies above the ground energy E0 = "
                        f"{fld['ground_energy']:.6g}: the ground state is not reachable from psi0 with these generators")
    if any(not c["pure"] for c in fld["components"]):
        warnings.append("a component's input state is mixed (psi0 entangled across a module and its multiplicity): "
                        "obar is then not E[l] - min l of that component")
    if any(c["shared_ideal"] for c in fld["components"]):
        warnings.append("an ideal drives several modules carrying psi0; they are counted as independent components")
    if any(not c["transitive"] for c in fld["components"]):
        warnings.append("a component's group does not act transitively on its module (beta set to 2): the Haar "
                        "one-point law behind the Wishart form does not hold there")
    units = AffineUnits(lstar, max(lbar - lstar, 1e-300), "F = <psi|H|psi> (raw loss)")
    transition = {"params_c": D, "gamma_model_c": 1.0, "provenance": "derived",
                  "basis": "the sum of Wishart fields has a manifold of global minima at p >= D = sum beta r "
                           "(WHRF transition gamma_model = p / D = 1, docs/theory.md §5.7, §10.4)"}
    critical, sampling = None, None
    regime = f"JAWS/Wishart description of deep structured circuits; valid for: {VALIDITY}"
    details = {"validity": VALIDITY, "l_star": lstar, "mean_loss": lbar, "D": D}
    minima = opt = dist = None
    if not fld["observable_in_algebra"]:
        why = (f"the observable is not in i g + R I (fraction of its norm^2 outside: "
               f"{fld['observable_outside_fraction']:.3g}): the JAWS sum over simple ideals does not describe the loss "
               "(docs/theory.md §10.4)")
        minima, opt = NoLaw(why), NoLaw(why)
    elif D == 0:
        minima = NoLaw("no component carries both the state and the observable: the deep-circuit loss is constant")
        opt = NoLaw(minima.reason)
    elif p >= D:
        minima = NoLaw(f"p = {p} >= D = {D}: the sum of Wishart fields has a manifold of global minima; local minima "
                       "above it are absent or rare (docs/theory.md §10.4)")
        opt = point_law(lstar, weighting=wt_opt, units=units.units, reliable=False,
                        reason="structured circuits switch to the optimum at or after the rank-based prediction, up to "
                               "14 parameters later in docs/theory.md §10.1; not validated for this law",
                        provenance=Provenance("derived", "jaws", src), details=details)
    else:
        kr = kac_rice_weighted(fld["mu"], p, seed=seed, n_mc=draws, real_form=False, tilts=jaws_tilts(fld["mu"]))
        f = kr.f
        hi = float(np.quantile(f, 0.999))
        edges = kr.adaptive_edges(0, 0.0, hi)
        centres, rho = kr.density(0, edges)
        try:
            dist = LocalMinimaDistribution(centres / units.scale, rho * units.scale, units,
                                           name=f"local minima, JAWS sum of Wishart fields (n={n}, p={p}, D={D})")
        except ValueError:
            dist = None
    if dist is None and minima is None:
        why = (f"no local minimum among {kr.n_draws} Kac–Rice draws at p = {p}, D = {D} (too rare to tabulate; "
               "expected number of local minima " + f"{kr.counts[0]:.3g})")
        minima = NoLaw(why)
        opt = point_law(lstar, weighting=wt_opt, units=units.units, reliable=False,
                        reason="no local minima above l* in the draws: the optimiser is expected at the optimum; "
                               "not validated", provenance=Provenance("derived", "jaws", src), details=details)
    elif dist is not None:
        sel = (kr.index == 0) & np.isfinite(kr.logw)
        med = dist.median()
        se = weighted_median_stderr(lstar + f[sel], kr.logw[sel], med, float(dist.pdf(med)))
        ess = kr.effective_sample_size(0)
        reasons = ["fails its declared test against simulated structured circuits (0 of 36 rows within a factor 2; "
                   "circuits reach l* long before p = D: docs/studies/structured_minima.md)"]
        if ess < MIN_ESS:
            reasons.append(f"effective sample size {ess:.0f} < {MIN_ESS}")
        minima = law_from_distribution(dist, weighting=wt_min, E0=lstar, provenance=Provenance("derived", "jaws", src),
                                       median_stderr=se, ess=ess, reliable=False, reason="; ".join(reasons),
                                       details={**details, "relative_stderr_t": se / max(med - lstar, 1e-300)})
        try:
            tilted, a = optimiser_weighted(dist, n, p, hamiltonian)
            opt = law_from_distribution(
                tilted, weighting=wt_opt, E0=lstar, reliable=False,
                reason="the basin law (G3) is calibrated on randomized circuits (docs/theory.md §16.5-16.6); applied "
                       "here outside its calibration",
                provenance=Provenance("fitted", "jaws", f"{src}; docs/theory.md §16.5-16.6 ((B1'), (G3))"),
                details={**details, "alpha_prime": a["alpha"], "law": "minima tilted by (1 - t/t_c)_+^(alpha' p/2)"})
        except ValueError as exc:
            opt = NoLaw(f"the fitted basin law leaves no mass on the JAWS law ({exc})")
        c = kr.counts
        critical = {"expected_counts_by_index": c.tolist(), "stderr_by_index": kr.stderr.tolist(),
                    "euler": kr.euler, "euler_stderr": kr.euler_stderr, "domain": "[0, pi)^p", "n_mc": kr.n_draws}
        sampling = {"draws": kr.n_draws, "draws_planned": draws, "effective_sample_size_minima": ess}
    return Prediction(
        model="jaws", model_reason=f"--generators-file {generators_file}: the JAWS/Wishart description ({src})",
        n_qubits=n, n_params=p, gamma=gamma_of(n, p), hamiltonian=hamiltonian,
        regime=("overparameterised (p >= D)" if D and p >= D else "underparameterised (p < D)") + "; " + regime,
        minima=minima, optimiser_minima=opt, transition=transition, critical_points=critical,
        ansatz=f"generators:{generators_file} (psi0 {fld['psi0']})", sampling=sampling, dof=dof_block,
        models_considered=[{"model": "jaws", "available": True, "why_not": None,
                            "estimated_seconds": STRUCTURED_MODELS["jaws"].estimate_seconds(None, {"n_mc": draws})}],
        warnings=warnings, seed=seed, seconds=time.perf_counter() - t0)
