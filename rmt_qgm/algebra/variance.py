"""Loss and gradient variance of deep structured circuits from the dynamical Lie algebra.

Loss l(U) = Tr(U rho U^dagger O), rho = |psi0><psi0|, U Haar-distributed on the dynamical Lie group e^(i g)
(the limit of deep circuits of the generators file). g = z + g_1 + ... + g_m (centre, simple ideals;
:mod:`.dla`). For a Hermitian H let H_a be its orthogonal projection (Hilbert-Schmidt) onto g_a and

    P_a(H) = Tr(H_a^2) = sum_j Tr(B_j H)^2          ({B_j} an orthonormal basis of g_a, Tr(B_j B_k) = delta),

the g_a-purity ([R24] = Ragone et al., arXiv 2309.09342). Then ([R24] Theorem 1, Eq. (10);
docs/theory.md §10.2), if O or rho (less its multiple of the identity) lies in i g:

    Var_U[l] = sum_a P_a(rho) P_a(O) / dim g_a                                      (published)

(the centre contributes to the mean only). For the derivative with respect to the angle of gate k, in the
middle of a deep circuit whose two sides are independent and Haar on the group, derived here
(docs/theory.md §10.2; Schur's lemma on each ideal, whose adjoint representation is absolutely irreducible):

    Var[d l / d theta_k] = sum_a P_a(rho) P_a(O) ||ad_(G_k)|_(g_a)||_F^2 / (dim g_a)^2,

with ad_G = [G, .]_H = -i[G, .] and ||.||_F its Frobenius norm on g_a in any orthonormal basis (for
su(2^n) and a Pauli word G: 2 d^2, and the formula is the familiar 2-design value).

The ideals are found numerically (:func:`ideal_bases`): the centre is the common kernel of ad_(G_k); for
more than one simple ideal, the root vectors of a random regular element (eigenvectors of i ad_h) are
grouped by the connected components of their roots (the same components as :mod:`.dla`), and an ideal is
spanned by its root vectors and the dual vectors of its roots in the Cartan subalgebra. One simple ideal
needs no decomposition: it is the orthogonal complement of the centre.
"""
from __future__ import annotations

import math
import time

import numpy as np
import scipy.sparse as sp

from ..errors import UserInputError
from .dla import LieBasis, _ad_on_words, _basis_vectors, lie_closure, parse_state, structure
from .pauli import PauliSum, key_of

#: Largest algebra dimension decomposed into several simple ideals (dense d x d eigenproblems).
VARIANCE_DECOMPOSE_MAX_DIM = 1500
#: Residual fraction below which O (or rho) counts as inside i g.
IN_ALGEBRA_TOL = 1e-9


# ------------------------------------------------------------------------------------- coordinates

def _word_index(basis: LieBasis) -> tuple[np.ndarray, np.ndarray]:
    keys = key_of(basis.x, basis.z, basis.n)
    order = np.argsort(keys)
    return keys[order], order


def word_coords(basis: LieBasis, ps: PauliSum) -> tuple[np.ndarray, float]:
    """Coordinates <e_j, H> (normalised Hilbert-Schmidt, <P, Q> = Tr(PQ)/2^n) of a Pauli sum H on the basis
    e_j of g, and the squared norm of H outside span{e_j} (the part of H not in g)."""
    skeys, order = _word_index(basis)
    k = ps.keys
    pos = np.minimum(np.searchsorted(skeys, k), max(skeys.size - 1, 0))
    hit = skeys[pos] == k if skeys.size else np.zeros(k.size, dtype=bool)
    vec = np.zeros(basis.x.size)
    vec[order[pos[hit]]] = ps.c[hit]
    outside = float(np.sum(ps.c[~hit] ** 2))
    if basis.is_pauli:
        return vec, outside
    a = basis.coeffs @ vec
    outside += float(vec @ vec - a @ a)
    return a, max(outside, 0.0)


def state_coords(basis: LieBasis, psi: np.ndarray) -> np.ndarray:
    """Coordinates <e_j, rho> = <psi|e_j|psi> / 2^n of rho = |psi><psi| on the basis of g; with them
    P_a(rho) = 2^n sum_j (projection on g_a)_j^2 ([R24]; module docstring)."""
    d = psi.size
    out = np.empty(basis.dim)
    for lo in range(0, basis.dim, 1024):
        hi = min(basis.dim, lo + 1024)
        g, _ = _basis_vectors(basis, psi, lo, hi)
        out[lo:hi] = np.real(g @ psi.conj()) / d
    return out


def ad_matrix(basis: LieBasis, ps: PauliSum) -> np.ndarray:
    """ad_H = [H, .]_H in the (orthonormal) basis coordinates of g, dense d x d; H a Pauli sum in g."""
    src, tx, tz, val = _ad_on_words(basis.x, basis.z, ps.x, ps.z, ps.c)
    skeys, order = _word_index(basis)
    tk = key_of(tx, tz, basis.n)
    pos = np.minimum(np.searchsorted(skeys, tk), skeys.size - 1)
    hit = skeys[pos] == tk
    W = basis.x.size
    m = sp.csr_matrix((val[hit], (order[pos[hit]], src[hit])), shape=(W, W))
    if basis.is_pauli:
        return m.toarray()
    b = basis.coeffs
    return b @ np.asarray(m @ b.T)


def ad_frobenius2(basis: LieBasis, ps: PauliSum) -> float:
    """||ad_H||_F^2 on g (orthonormal basis). For a Pauli basis the terms P_t w of one column are distinct
    words, so it is sum over basis words w and anticommuting terms t of (2 c_t)^2, without a dense matrix."""
    if basis.is_pauli:
        _, _, _, val = _ad_on_words(basis.x, basis.z, ps.x, ps.z, ps.c)
        return float(np.sum(val ** 2))
    return float(np.sum(ad_matrix(basis, ps) ** 2))


def _element(basis: LieBasis, coords: np.ndarray) -> PauliSum:
    if basis.is_pauli:
        return PauliSum.from_arrays(basis.n, basis.x, basis.z, coords, drop_tol=1e-14 * np.abs(coords).max())
    w = coords @ basis.coeffs
    return PauliSum.from_arrays(basis.n, basis.x, basis.z, w, drop_tol=1e-14 * np.abs(w).max())


# ---------------------------------------------------------------------------------------- ideals

def ideal_bases(basis: LieBasis, st: dict | None = None, seed: int = 0) -> dict:
    """Orthonormal bases (columns, in the basis coordinates of g) of the centre and of each simple ideal.

    Returns {"centre": d x c, "ideals": [(record, d x dim_a)]} with the records of :func:`.dla.structure`
    (matched by dimension); for a Pauli basis with one simple ideal the centre and the ideal are given as
    1-D index arrays of basis words instead (:func:`project`). Raises UserInputError when several ideals must be separated in an algebra of
    dimension above ``VARIANCE_DECOMPOSE_MAX_DIM``."""
    st = structure(basis) if st is None else st
    d = basis.dim
    recs = [t for t in st["ideals"]]
    known = all(t.get("simple") is True for t in recs)        # dla may leave large non-Pauli algebras undecomposed
    if basis.is_pauli and len(recs) <= 1 and known:
        # word-spanned centre and ideal: index arrays (a dense d x d selector would not fit at su(2^8))
        centre_idx = np.array(st.get("centre_words", []), dtype=np.int64)
        rest = np.setdiff1d(np.arange(d), centre_idx)
        return {"centre": centre_idx, "ideals": [(recs[0], rest)] if recs else []}
    if d > VARIANCE_DECOMPOSE_MAX_DIM and (len(recs) > 1 or not known):
        raise UserInputError(f"variance: separating the simple ideals of an algebra of dimension {d} "
                             f"needs dim <= {VARIANCE_DECOMPOSE_MAX_DIM}")
    ads = [ad_matrix(basis, g) for g in basis.generators]
    _, s, vt = np.linalg.svd(np.vstack(ads), full_matrices=True)
    top = s.max() if s.size else 0.0
    rank_ad = int(np.sum(s > 1e-9 * max(top, 1e-300)))
    centre = vt[rank_ad:].T
    v = vt[:rank_ad].T                                         # semisimple part
    if len(recs) <= 1 and known:
        return {"centre": centre, "ideals": [(recs[0], v)] if recs else []}
    from .dla import _ideal_record, _root_components_dense
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 30]))
    d_ss = v.shape[1]
    for _ in range(6):
        hc = rng.standard_normal(d_ss)
        adh = v.T @ ad_matrix(basis, _element(basis, v @ hc)) @ v
        lam, u = np.linalg.eigh(1j * adh)
        scale = np.abs(lam).max()
        zero = np.abs(lam) < 1e-7 * scale
        nz = np.sort(lam[~zero])
        if nz.size > 1 and np.min(np.diff(nz)) < 1e-7 * scale:
            continue
        w2, y = np.linalg.eigh(-(adh @ adh))
        r_ss = int(zero.sum())
        tb = y[:, np.argsort(w2)[:r_ss]]                        # Cartan subalgebra (real, orthonormal)
        uz = u[:, ~zero]
        roots = np.empty((uz.shape[1], r_ss))
        for j in range(r_ss):
            adt = v.T @ ad_matrix(basis, _element(basis, v @ tb[:, j])) @ v
            roots[:, j] = np.real(np.einsum("ia,ij,ja->a", uz.conj(), 1j * adt, uz))
        comps = _root_components_dense(roots, 1e-6)
        spans = []
        own = []
        for idx, rk in comps:
            vecs = np.hstack([uz[:, idx].real, uz[:, idx].imag, tb @ roots[idx].T])
            uu, ss, _ = np.linalg.svd(vecs, full_matrices=False)
            spans.append(uu[:, ss > 1e-8 * ss.max()])
            sq = np.sum(roots[idx] ** 2, axis=1)
            lengths: dict[float, int] = {}
            for val in sq / sq.max():                       # as dla._structure_general
                key = min((1.0, 0.5, 1.0 / 3.0), key=lambda t: abs(t - val))
                key = key if abs(key - val) <= 1e-4 else round(float(val), 6)
                lengths[key] = lengths.get(key, 0) + 1
            own.append(_ideal_record(int(idx.size), int(rk), lengths, "numerical-roots"))
        if sum(q.shape[1] for q in spans) != d_ss or any(q.shape[1] != r["dim"] for q, r in zip(spans, own)):
            continue
        if not known:
            order = np.argsort([-q.shape[1] for q in spans], kind="stable")
            return {"centre": centre, "ideals": [(own[i], v @ spans[i]) for i in order]}
        spans.sort(key=lambda q: -q.shape[1])
        dims = sorted((t["dim"] for t in recs), reverse=True)
        if [q.shape[1] for q in spans] != dims:
            continue
        ideals = []
        used = set()
        for q in spans:
            j = next(i for i, t in enumerate(recs) if t["dim"] == q.shape[1] and i not in used)
            used.add(j)
            ideals.append((recs[j], v @ q))
        return {"centre": centre, "ideals": ideals}
    raise RuntimeError("variance: no regular element separated the simple ideals")  # pragma: no cover


def project(sel: np.ndarray, coords: np.ndarray) -> np.ndarray:
    """Coordinates of a vector of g on a subspace given as orthonormal columns or as word indices."""
    return coords[sel] if sel.ndim == 1 else sel.T @ coords


def subspace_dim(sel: np.ndarray) -> int:
    """Dimension of a subspace given as in :func:`project` (dim g_a in the formulas of the module docstring)."""
    return int(sel.size if sel.ndim == 1 else sel.shape[1])


# -------------------------------------------------------------------------------------- prediction

def hamiltonian_pauli_sum(spec: str, n: int) -> PauliSum:
    """The Hamiltonian spec as a Pauli sum (diagonal specs by a Walsh-Hadamard transform:
    coefficient of Z^z = 2^-n sum_b h_b (-1)^|b & z|)."""
    from ..hamiltonians import parse_hamiltonian
    h = parse_hamiltonian(spec, n)
    if h.pauli_terms is not None:
        return PauliSum.from_terms(h.pauli_terms, n)
    if not h.is_diagonal:   # pragma: no cover - every non-Pauli spec is diagonal
        raise UserInputError(f"--observable {spec!r}: not a Pauli sum")
    c = h.diagonal().astype(float).copy()
    m = 1
    while m < c.size:                                         # fast Walsh-Hadamard transform
        c = c.reshape(-1, 2, m)
        a, b = c[:, 0, :].copy(), c[:, 1, :].copy()
        c[:, 0, :], c[:, 1, :] = a + b, a - b
        c = c.reshape(-1)
        m *= 2
    c /= c.size
    z = np.arange(c.size, dtype=np.uint64)
    return PauliSum.from_arrays(n, np.zeros(c.size, dtype=np.uint64), z, c, drop_tol=1e-14 * max(np.abs(c).max(), 1e-300))


def predict_variance(generators: list[PauliSum], n: int, psi0: str | None, observable: PauliSum,
                     seed: int = 0, basis: LieBasis | None = None) -> dict:
    """Var[l] and Var[d l / d theta_k] (k over the generator lines) for deep circuits, per simple ideal
    (module docstring; [R24] Theorem 1 and the gradient formula derived in docs/theory.md §10.2).

    ``applicable`` is False (and the predictions None) unless O or rho, less its identity part, lies in i g
    (up to ``IN_ALGEBRA_TOL`` of its squared norm)."""
    basis = lie_closure(generators, n) if basis is None else basis
    st = structure(basis)
    psi, label = parse_state(psi0, n)
    dd = 2 ** n
    ident = PauliSum.word("I" * n)
    o0 = observable + ident.scaled(-float(observable.c[(observable.x == 0) & (observable.z == 0)].sum()))
    o_coords, o_out = word_coords(basis, o0)
    r_coords = state_coords(basis, psi)
    # rho - I/d: squared normalised HS norm (1 - 1/d)/d; its part in g: ||r_coords||^2 minus the identity's
    i_coords, _ = word_coords(basis, ident)
    r0 = r_coords - i_coords * (1.0 / dd)
    rho_norm2 = (1.0 - 1.0 / dd) / dd
    rho_out = max(rho_norm2 - float(r0 @ r0), 0.0)
    o_norm2 = float(np.sum(o0.c ** 2))
    o_in = o_out <= IN_ALGEBRA_TOL * max(o_norm2, 1e-300)
    rho_in = rho_out <= IN_ALGEBRA_TOL * rho_norm2
    ib = ideal_bases(basis, st, seed=seed)
    comps = []
    var_l = 0.0
    var_g = np.zeros(len(generators))
    single = len(ib["ideals"]) == 1
    gad = [] if single else [ad_matrix(basis, g) for g in generators]
    for rec, q in ib["ideals"]:
        dim_a = subspace_dim(q)
        p_rho = dd * float(np.sum(project(q, r0) ** 2))
        p_o = dd * float(np.sum(project(q, o_coords) ** 2))
        if single:      # ad_G vanishes on the centre: the whole Frobenius norm is the ideal's
            fro = np.array([ad_frobenius2(basis, g) for g in generators])
        else:
            fro = np.array([float(np.sum((a @ q) ** 2)) for a in gad])
        comps.append({"type": rec["type"], "dim": int(dim_a), "P_rho": p_rho, "P_O": p_o,
                      "var_loss": p_rho * p_o / dim_a, "ad_frobenius2": fro.tolist()})
        var_l += p_rho * p_o / dim_a
        var_g += p_rho * p_o * fro / dim_a ** 2
    p_o_centre = dd * float(np.sum(project(ib["centre"], o_coords) ** 2)) if ib["centre"].size else 0.0
    p_rho_centre = dd * float(np.sum(project(ib["centre"], r0) ** 2)) if ib["centre"].size else 0.0
    applicable = bool(o_in or rho_in)
    from .jaws import jaws_components
    jaws = jaws_components(basis, ib["ideals"], o_coords, psi, observable=o0, seed=seed)
    jaws["observable_in_algebra"] = bool(o_in)
    return {"jaws": jaws, "n": n, "psi0": label, "dla_dim": basis.dim, "centre_dim": st["centre_dim"],
            "ideals": comps, "P_rho_centre": p_rho_centre, "P_O_centre": p_o_centre,
            "observable_in_algebra": bool(o_in), "state_in_algebra": bool(rho_in),
            "observable_outside_fraction": o_out / max(o_norm2, 1e-300),
            "applicable": applicable,
            "var_loss": var_l if applicable else None,
            "var_grad": var_g.tolist() if applicable else None}


# ---------------------------------------------------------------------------------------- sampling

def sample_variance(generators: list[PauliSum], psi0: np.ndarray, observable_dense: np.ndarray, p: int,
                    samples: int, seed: int = 0, grad_gate: int | None = None) -> dict:
    """Sampled Var[l] and Var[d l / d theta_k] over circuits of p gates with theta uniform on [0, 2 pi)^p.

    ``grad_gate``: the gate k differentiated (default the middle one, p // 2 rounded to the start of a
    period). Standard errors of the sample variances from the fourth central moments:
    se(s^2) = sqrt((m4 - s^4) / N)."""
    from .gates import loss_and_gradient, prepare_gates
    if samples < 2:
        raise UserInputError(f"--samples must be >= 2; got {samples}")
    gates = prepare_gates(generators)
    L = len(gates)
    k = (p // 2) - (p // 2) % L if grad_gate is None else grad_gate
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 31]))
    ls = np.empty(samples)
    gs = np.empty(samples)
    for s in range(samples):
        th = rng.uniform(0.0, 2.0 * math.pi, p)
        f, g = loss_and_gradient(gates, th, psi0, observable_dense)
        ls[s], gs[s] = f, g[k]

    def var_se(x):
        c = x - x.mean()
        v = float(c @ c / (x.size - 1))
        m4 = float(np.mean(c ** 4))
        return v, math.sqrt(max(m4 - v * v, 0.0) / x.size)

    vl, sel = var_se(ls)
    vg, seg = var_se(gs)
    return {"p": int(p), "samples": int(samples), "grad_gate": int(k), "generator_line": int(k % L),
            "mean_loss": float(ls.mean()), "var_loss": vl, "var_loss_se": sel, "var_grad": vg, "var_grad_se": seg}


def analyse_variance(generators: list[PauliSum], n: int, psi0: str | None, observable: str, samples: int = 0,
                     depth: int | None = None, seed: int = 0) -> dict:
    """``rmt-qgm variance``: the prediction, and with ``samples`` > 0 the sampled values at ``depth`` gates
    (default 20 (dim g + L), capped at 4000) with their z-scores."""
    from threadpoolctl import threadpool_limits
    from ..hamiltonians import parse_hamiltonian
    t0 = time.perf_counter()
    with threadpool_limits(1):
        try:
            obs = hamiltonian_pauli_sum(observable, n)
        except UserInputError as exc:
            raise UserInputError(f"--observable: {str(exc).splitlines()[0]}") from None
        res = predict_variance(generators, n, psi0, obs, seed=seed)
        res["observable"] = observable
        res["generators"] = len(generators)
        if samples:
            psi, _ = parse_state(psi0, n)
            p = depth if depth is not None else min(4000, 20 * (res["dla_dim"] + len(generators)))
            smp = sample_variance(generators, psi, parse_hamiltonian(observable, n).to_dense(), p, samples, seed)
            res["sampled"] = smp
            if res["applicable"]:
                line = smp["generator_line"]
                tiny = 1e-12 * max(float(np.sum(np.abs(obs.c))) ** 2, 1e-300)   # rounding level of a variance

                def z(diff, se):
                    return 0.0 if abs(diff) <= tiny and se <= tiny else diff / max(se, tiny)
                res["z_loss"] = z(smp["var_loss"] - res["var_loss"], smp["var_loss_se"])
                res["z_grad"] = z(smp["var_grad"] - res["var_grad"][line], smp["var_grad_se"])
    res["seconds"] = round(time.perf_counter() - t0, 3)
    return res


def format_variance(res: dict) -> str:
    """Text summary of :func:`analyse_variance`."""
    lines = [f"{res['generators']} generator(s) on {res['n']} qubit(s), psi0={res['psi0']}, O = {res['observable']}: "
             f"DLA dim {res['dla_dim']}, centre {res['centre_dim']}"]
    for c in res["ideals"]:
        lines.append(f"  {c['type']:>10} dim {c['dim']:>6}: P(rho) {c['P_rho']:.6g}  P(O) {c['P_O']:.6g}  "
                     f"Var[l] part {c['var_loss']:.6g}")
    if not res["applicable"]:
        lines.append(f"  neither O nor rho lies in i g (fraction of O outside: {res['observable_outside_fraction']:.3g}): "
                     "the deep-circuit formula does not apply")
    else:
        lines.append(f"  predicted Var[l] = {res['var_loss']:.6g}; Var[dl/dtheta_k] by generator line: "
                     + ", ".join(f"{v:.4g}" for v in res["var_grad"]))
    if "sampled" in res:
        s = res["sampled"]
        lines.append(f"  sampled ({s['samples']} circuits of {s['p']} gates): Var[l] = {s['var_loss']:.6g} "
                     f"+- {s['var_loss_se']:.2g}, Var[dl/dtheta_{s['grad_gate']}] = {s['var_grad']:.6g} +- "
                     f"{s['var_grad_se']:.2g}" + (f"  (z = {res['z_loss']:.2f}, {res['z_grad']:.2f})"
                                                  if "z_loss" in res else ""))
    if "jaws" in res:
        from .jaws import format_jaws
        lines.extend(format_jaws(res["jaws"]))
    lines.append(f"  {res['seconds']:.2f} s")
    return "\n".join(lines)
