"""Step 2: w, d_i w, d_i d_j w (i < j) are orthonormal and d_i^2 w = -w (docs/theory.md §2.2).

Claim. For w(theta) = (cos t1, sin t1) x ... x (cos tp, sin tp): each factor v = (cos t, sin t) has
|v| = 1, v . v' = 0, v'' = -v, |v'| = 1. Inner products of tensor products factorise, so the set
{w} u {d_i w} u {d_i d_j w, i < j} is orthonormal for every p (each member differs from the others in
at least one factor, where v and v' are orthogonal). Checked symbolically for p = 2, 3.
"""
import itertools

import sympy as sp


def _basis(p):
    th = sp.symbols(f"t1:{p + 1}", real=True)

    def w_of(orders):
        vec = sp.Matrix([1])
        for j in range(p):
            base = sp.Matrix([sp.cos(th[j]), sp.sin(th[j])])
            fac = base.diff(th[j], orders[j]) if orders[j] else base
            vec = sp.kronecker_product(vec, fac)
        return vec
    return th, w_of


def _on_torus(p, th):
    """Exact reduction of a trigonometric polynomial in th to its normal form: cos/sin -> symbols c, s and
    the remainder modulo {c_j^2 + s_j^2 - 1} (a Groebner basis: pairwise coprime leading terms), which is 0
    exactly when the expression vanishes identically. Equivalent to sympy.simplify == 0 for these entries
    and ~30x faster (p = 3: 0.2 s instead of ~10 s)."""
    c, s = sp.symbols(f"c1:{p + 1}"), sp.symbols(f"s1:{p + 1}")
    to_cs = {**{sp.cos(th[j]): c[j] for j in range(p)}, **{sp.sin(th[j]): s[j] for j in range(p)}}
    circle = [c[j] ** 2 + s[j] ** 2 - 1 for j in range(p)]

    def reduce(e):
        e = sp.expand(sp.sympify(e).subs(to_cs))
        return e if e.is_number else sp.reduced(e, circle, *c, *s)[1]
    return reduce


def _check(p):
    th, w_of = _basis(p)
    reduce = _on_torus(p, th)
    vecs = [w_of([0] * p)]
    for i in range(p):
        vecs.append(w_of([1 if k == i else 0 for k in range(p)]))
    for i, j in itertools.combinations(range(p), 2):
        vecs.append(w_of([1 if k in (i, j) else 0 for k in range(p)]))
    G = sp.Matrix(len(vecs), len(vecs), lambda a, b: reduce((vecs[a].T * vecs[b])[0]))
    assert G == sp.eye(len(vecs))
    for i in range(p):
        d2 = w_of([2 if k == i else 0 for k in range(p)])
        assert (d2 + vecs[0]).applyfunc(reduce) == sp.zeros(2 ** p, 1)
    # the reduction can fail: |w|^2 with one factor's sin dropped is not 1 on the torus
    assert reduce(sp.cos(th[0]) ** 2) != 1


def test_p2():
    _check(2)


def test_p3():
    _check(3)


if __name__ == "__main__":
    from _run import run_module
    run_module(__name__)
