"""JAWS degrees of freedom r_alpha of the simple components of a dynamical Lie algebra (docs/theory.md §10.3).

[A25] (Anschuetz, arXiv 2408.11901, as summarised in docs/theory.md §8):

    l(rho; theta) - l*  ~>  sum_alpha (I_alpha obar_alpha / r_alpha) Tr_alpha(rho^alpha W^alpha),
    W^alpha ~ W_n^beta(r_alpha, I),     r_alpha = ceil( Tr_alpha(O^alpha)^2 / Tr_alpha((O^alpha)^2) ).

Reading used here (derived, docs/theory.md §10.3). For U Haar on the dynamical Lie group e^(i g),
g = z + g_1 + ... + g_m, U = U_z U_1 ... U_m with independent U_alpha on e^(i g_alpha), and for O - c I in i g,

    l(U) = Tr(rho O_z) + c + sum_alpha l_alpha(U_alpha),    l_alpha = Tr(rho U_alpha^dag O_alpha U_alpha),

O_alpha the Hilbert-Schmidt projection of O on i g_alpha. C^(2^n) splits under g_alpha into isotypic
components W = V (x) C^m (V an irreducible g_alpha-module of dimension n_V, m its multiplicity), told apart by
the ideal's quadratic Casimir sum_a B_a^2; O_alpha acts on W as pi_V(O_alpha) (x) I_m. So on the module V that
carries the input state:

    Tr_alpha = the trace on V (dimension n_alpha = n_V),
    O^alpha  = pi_V(O_alpha) - lambda_min I_V   (the shift by the minimum is the "- l*" of [A25]),
    r_alpha  = ceil( Tr_V(O^alpha)^2 / Tr_V((O^alpha)^2) ),   obar_alpha = w Tr_V(O^alpha) / n_alpha,

w = |P_W psi0|^2 the state's weight on W. When psi0's part in W is a product v (x) u (``pure``), l_alpha - min
l_alpha = w <u'|O^alpha|u'> with u' = pi_V(U_alpha) u, so obar_alpha is its mean; when moreover e^(i g_alpha)
acts on V as the whole SU(V) (beta = 2), SO(V) (beta = 1) or Sp(V) (beta = 4) (``transitive``: dim g_alpha =
n^2 - 1, n(n - 1)/2, n(n + 1)/2), u' is Haar on the sphere of V and the law of l_alpha is the Haar one-point law
of O^alpha on V, which the Wishart form (obar/r) Tr(rho W) approximates as for the randomized ansatz (§3.2). For su(2^n) on C^(2^n) (the Haar-randomized ansatz) V = C^(2^n), O^alpha = O - E0 and
r_alpha is the ``trace_ratio`` rule of docs/theory.md §3.2 (tests/test_jaws.py).

Dense: needs 2^n <= ``JAWS_MAX_DIM_HILBERT`` (n <= 8) and ideals of dimension <= ``JAWS_MAX_IDEAL_DIM``, except
one simple ideal of dimension 4^n - 1 (su(2^n)), which is answered without matrices of the algebra.
"""
from __future__ import annotations

import math

import numpy as np

from .dla import LieBasis
from .pauli import PauliSum

JAWS_MAX_DIM_HILBERT = 256
JAWS_MAX_IDEAL_DIM = 1500
#: relative tolerance for equal Casimir / generic-element eigenvalues and for "weight on a module"
EIG_TOL = 1e-7
WEIGHT_TOL = 1e-10


def _element_dense(basis: LieBasis, coords: np.ndarray) -> np.ndarray:
    """Dense matrix of sum_j coords_j e_j (e_j the basis of g: Pauli words, or rows of basis.coeffs over words)."""
    w = coords if basis.is_pauli else coords @ basis.coeffs
    if not np.any(w):
        return np.zeros((2 ** basis.n, 2 ** basis.n), dtype=np.complex128)
    return PauliSum.from_arrays(basis.n, basis.x, basis.z, w, drop_tol=1e-14 * np.abs(w).max()).to_dense()


def _full_coords(sel: np.ndarray, sub: np.ndarray, dim: int) -> np.ndarray:
    """Coordinates in the basis of g of a vector given in the coordinates of an ideal (columns or indices)."""
    if sel.ndim == 1:
        out = np.zeros(dim)
        out[sel] = sub
        return out
    return sel @ sub


def _cyclic_space(mats: list[np.ndarray], v: np.ndarray, tol: float = 1e-12) -> np.ndarray:
    """Orthonormal columns spanning the smallest subspace containing v and invariant under ``mats``."""
    q = (v / np.linalg.norm(v))[:, None]
    frontier = q
    while frontier.shape[1]:
        cand = np.hstack([m @ frontier for m in mats])
        cand -= q @ (q.conj().T @ cand)
        cand -= q @ (q.conj().T @ cand)
        if not cand.size:
            break
        frontier = _range(cand, tol)
        q = np.hstack([q, frontier])
    return q


def _range(cand: np.ndarray, tol: float) -> np.ndarray:
    """Orthonormal basis of the column space of ``cand`` (columns of norm up to ~1, already orthogonal to the
    space found so far): eigenvectors of the d x d Gram matrix cand cand^dag with eigenvalue above tol times the
    largest (or 1), i.e. singular values above sqrt(tol); cheaper than an SVD of the wide d x (k dim g) matrix.
    New directions have singular values of order 1, rounding residues about 1e-15."""
    g = cand @ cand.conj().T
    w, u = np.linalg.eigh(g)
    return u[:, w > tol * max(1.0, float(w.max()) if w.size else 0.0)]


def _isotypic_parts(mats: list[np.ndarray], x: np.ndarray, qw: np.ndarray):
    """Split a Casimir eigenspace (orthonormal columns qw) into isotypic components V (x) C^m: the top eigenspace
    of a generic element x restricted to what is left (degeneracy m, one copy of its top weight per copy of V)
    generates one component; repeat on its orthogonal complement. Yields (columns of the component, n_V, m,
    columns of one copy V, resolved) with resolved False if dim != n_V m (a non-generic x)."""
    while qw.shape[1]:
        xl, xv = np.linalg.eigh(qw.conj().T @ x @ qw)
        xs = max(float(np.abs(xl).max()), 1e-300)
        top = np.abs(xl - xl[-1]) <= EIG_TOL * xs
        mult = int(top.sum())
        starts = qw @ xv[:, top]
        v_basis = _cyclic_space(mats, starts[:, 0])
        comp = v_basis
        for c in range(1, mult):
            comp = _extend_cyclic(mats, comp, starts[:, c])
        n_v = v_basis.shape[1]
        yield comp, n_v, mult, v_basis, comp.shape[1] == n_v * mult
        rest = qw - comp @ (comp.conj().T @ qw)
        u, sv, _ = np.linalg.svd(rest, full_matrices=False)
        qw = u[:, sv > 0.5]


def _extend_cyclic(mats: list[np.ndarray], q: np.ndarray, v: np.ndarray, tol: float = 1e-12) -> np.ndarray:
    """Orthonormal columns of span(q) + the cyclic space of v (q itself invariant)."""
    v = v - q @ (q.conj().T @ v)
    nv = np.linalg.norm(v)
    if nv <= tol:
        return q
    frontier = (v / nv)[:, None]
    q = np.hstack([q, frontier])
    while frontier.shape[1]:
        cand = np.hstack([m @ frontier for m in mats])
        cand -= q @ (q.conj().T @ cand)
        cand -= q @ (q.conj().T @ cand)
        frontier = _range(cand, tol)
        q = np.hstack([q, frontier])
    return q


def trace_ratio_dof(eigs: np.ndarray) -> int | None:
    """r = ceil(Tr(K)^2 / Tr(K^2)), K = diag(eigs) - min(eigs) ([A25]; None for a flat spectrum)."""
    k = np.asarray(eigs, dtype=float) - float(np.min(eigs))
    s2 = float(np.sum(k * k))
    if s2 <= 1e-24 * max(float(np.max(np.abs(eigs))) ** 2, 1e-300):
        return None
    return int(math.ceil(float(k.sum()) ** 2 / s2 - 1e-9))


def _beta_of(dim_ideal: int, n_v: int) -> int | None:
    """beta when e^(i g_alpha) acts on V as SU(V) (2), SO(V) (1) or Sp(V) (4), by dimension count; else None."""
    if dim_ideal == n_v * n_v - 1:
        return 2
    if n_v >= 3 and dim_ideal == n_v * (n_v - 1) // 2:
        return 1
    if n_v % 2 == 0 and dim_ideal == n_v * (n_v + 1) // 2:
        return 4
    return None


def _module_record(eigs: np.ndarray, weight: float, n_v: int, mult: int, pure: bool, dim_ideal: int,
                   resolved: bool = True) -> dict:
    k = np.sort(np.asarray(eigs, dtype=float))
    r = trace_ratio_dof(k)
    beta = _beta_of(dim_ideal, n_v)
    tr = float(np.sum(k - k[0]))
    return {"n": int(n_v), "multiplicity": int(mult), "weight": float(weight), "pure": bool(pure),
            "beta": beta, "transitive": beta is not None, "resolved": bool(resolved),
            "r": r, "m_real": None if (r is None or beta is None) else int(beta * r),
            "lambda_min": float(k[0]), "lambda_max": float(k[-1]), "trace_K": tr,
            "trace_K2": float(np.sum((k - k[0]) ** 2)), "obar": float(weight * tr / n_v),
            "spectrum": k.tolist() if n_v <= 64 else None}


def ideal_modules(basis: LieBasis, sel: np.ndarray, o_coords: np.ndarray, psi: np.ndarray,
                  seed: int = 0) -> list[dict]:
    """The irreducible modules V of one simple ideal (columns or indices ``sel`` in g) that carry the state,
    with the JAWS quantities of the module docstring. Dense; caller checks the size limits."""
    dim = basis.dim
    dd = psi.size
    nsel = int(sel.size if sel.ndim == 1 else sel.shape[1])
    eye = np.eye(nsel)
    mats = [_element_dense(basis, _full_coords(sel, eye[:, a], dim)) for a in range(nsel)]
    casimir = np.zeros((dd, dd), dtype=np.complex128)
    for b in mats:
        casimir += b @ b
    lam, vec = np.linalg.eigh(casimir)
    scale = max(float(np.abs(lam).max()), 1e-300)
    o_alpha = _element_dense(basis, _full_coords(sel, sel.T @ o_coords if sel.ndim == 2 else o_coords[sel], dim))
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 47]))
    x = sum(g * b for g, b in zip(rng.standard_normal(nsel), mats))
    out = []
    i = 0
    while i < lam.size:
        j = i
        while j < lam.size and lam[j] - lam[i] <= EIG_TOL * scale:
            j += 1
        if lam[i] > EIG_TOL * scale:                             # nontrivial Casimir eigenspace
            for qw, n_v, mult, v_basis, resolved in _isotypic_parts(mats, x, vec[:, i:j]):
                comp = qw.conj().T @ psi
                w = float(np.real(comp.conj() @ comp))
                if w <= WEIGHT_TOL:
                    continue
                eigs = np.linalg.eigvalsh(v_basis.conj().T @ o_alpha @ v_basis)
                n_state = _cyclic_space(mats, qw @ comp).shape[1]
                out.append(_module_record(eigs, w, n_v, mult, n_state == n_v, nsel, resolved=resolved))
        i = j
    out.sort(key=lambda t: -t["weight"])
    return out


def jaws_components(basis: LieBasis, ideals: list, o_coords: np.ndarray, psi: np.ndarray,
                    observable: PauliSum | None = None, seed: int = 0) -> dict:
    """Per simple ideal: the modules carrying psi0 and the JAWS r_alpha of the heaviest one (module docstring).

    ``ideals``: the (record, sel) pairs of :func:`.variance.ideal_bases`; ``o_coords``: coordinates of O less its
    identity part on the basis of g (:func:`.variance.word_coords`). Returns {"components": [...], "note": ...};
    a component is None-valued (with ``reason``) where the dense computation is out of range."""
    dd = psi.size
    comps = []
    for rec, sel in ideals:
        nsel = int(sel.size if sel.ndim == 1 else sel.shape[1])
        entry = {"type": rec.get("type"), "dim": nsel}
        if len(ideals) == 1 and nsel == dd * dd - 1:
            # su(2^n) on C^(2^n): V = C^(2^n), m = 1, O^alpha = O - E0 (its traceless part shifted)
            if observable is None:
                entry.update({"modules": None, "reason": "no observable"})
                comps.append(entry)
                continue
            eigs = np.linalg.eigvalsh(observable.to_dense()) if dd <= 4096 else None
            if eigs is None:
                entry.update({"modules": None, "reason": f"2^n = {dd} too large for the spectrum of O"})
            else:
                entry["modules"] = [_module_record(eigs, 1.0, dd, 1, True, nsel)]
        elif dd > JAWS_MAX_DIM_HILBERT or nsel > JAWS_MAX_IDEAL_DIM:
            entry.update({"modules": None, "reason": f"dense decomposition needs 2^n <= {JAWS_MAX_DIM_HILBERT} and "
                                                     f"dim g_alpha <= {JAWS_MAX_IDEAL_DIM}"})
        else:
            entry["modules"] = ideal_modules(basis, sel, o_coords, psi, seed=seed)
        mods = entry.get("modules")
        if mods:
            top = mods[0]
            entry.update({"r_alpha": top["r"], "n_alpha": top["n"], "beta": top["beta"], "obar": top["obar"],
                          "weight": top["weight"], "single_module": len(mods) == 1 and abs(top["weight"] - 1.0) < 1e-8,
                          "pure": top["pure"], "transitive": top["transitive"]})
        elif mods is not None:
            entry.update({"r_alpha": None, "n_alpha": None, "beta": None, "obar": 0.0, "weight": 0.0,
                          "reason": "the input state lies in the ideal's trivial modules: l_alpha is constant"})
        comps.append(entry)
    return {"components": comps,
            "note": "JAWS degrees of freedom r_alpha = ceil(Tr_V(O^alpha)^2 / Tr_V((O^alpha)^2)) on the irreducible "
                    "module V of each simple ideal that carries psi0 (the heaviest if several), O^alpha = the ideal's "
                    "part of O on V shifted to minimum 0 (docs/theory.md §10.3; arXiv 2408.11901)"}


def format_jaws(jaws: dict) -> list[str]:
    """Text lines of :func:`jaws_components`."""
    lines = []
    for c in jaws["components"]:
        if c.get("modules") is None:
            lines.append(f"  JAWS {c['type']} dim {c['dim']}: not computed ({c.get('reason')})")
        elif not c["modules"]:
            lines.append(f"  JAWS {c['type']} dim {c['dim']}: psi0 in trivial modules only (constant part)")
        else:
            mods = ", ".join(f"n={m['n']} x{m['multiplicity']} w={m['weight']:.3g} r={m['r']} beta={m['beta']}"
                             + ("" if m["pure"] else " (mixed)") for m in c["modules"])
            lines.append(f"  JAWS {c['type']} dim {c['dim']}: r_alpha = {c['r_alpha']} on modules {mods}")
    return lines
