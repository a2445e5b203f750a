"""Step 8: the asymptotic left edge and the threshold t_e(gamma) (docs/theory.md §5.6).

Claim. With R(G) = 1/(1 - gamma G) + gamma t G the spectral edges of W + sqrt(t) Z are z(G) = R(G) + 1/G at
R'(G) = 1/G^2. Requiring the left edge of M(t) = W + sqrt(t) Z - t to be 0 (z(G) = t) and eliminating t
between the two equations gives 2 gamma (gamma - 1) G^2 - 3 gamma G + 1 = 0 and
t_e(gamma) = 16 (1 - gamma)^3 (q - gamma) / [(q + 3 gamma)(q + 4 - gamma)^2], q = sqrt(gamma (gamma + 8)),
with t_e -> 1 (gamma -> 0) and t_e ~ (4/27)(1 - gamma)^3 (gamma -> 1). Dropping Z (t-term of R) gives the
Marchenko–Pastur edge (1 - sqrt gamma)^2.
"""
import mpmath as mp
import sympy as sp


def test_elimination_gives_quadratic():
    g, t, G = sp.symbols("gamma t G")
    R = 1 / (1 - g * G) + g * t * G
    e1 = sp.diff(R, G) - 1 / G ** 2          # edge condition
    e2 = R + 1 / G - t                       # left edge of M(t) at 0
    tsol = sp.solve(e1, t)[0]
    reduced = sp.factor(sp.together(e2.subs(t, tsol)))
    num = sp.numer(reduced)
    quad = 2 * g * (g - 1) * G ** 2 - 3 * g * G + 1
    assert sp.rem(sp.Poly(num, G), sp.Poly(quad, G)).is_zero


def test_closed_form_solves_edge_equations():
    from rmt_qgm.theory.asymptotics.whrf import edge_threshold
    with mp.workdps(50):
        for gam in ("0.01", "0.1", "0.25", "0.5", "0.75", "0.95"):
            gm = mp.mpf(gam)
            # root of the quadratic on the branch G < 0
            a, b, c = 2 * gm * (gm - 1), -3 * gm, mp.mpf(1)
            roots = [(-b + s * mp.sqrt(b * b - 4 * a * c)) / (2 * a) for s in (1, -1)]
            G = max(r for r in roots if r < 0)
            t = (1 / G ** 2 - gm / (1 - gm * G) ** 2) / gm
            assert abs(1 / (1 - gm * G) + gm * t * G + 1 / G - t) < mp.mpf(10) ** -40
            assert abs(edge_threshold(float(gam), dps=50).value - t) < mp.mpf(10) ** -14


def test_limits():
    g = sp.symbols("gamma", positive=True)
    q = sp.sqrt(g * (g + 8))
    te = 16 * (1 - g) ** 3 * (q - g) / ((q + 3 * g) * (q + 4 - g) ** 2)
    assert sp.limit(te, g, 0) == 1
    assert sp.limit(te / (1 - g) ** 3, g, 1) == sp.Rational(4, 27)
    # MP edge: R = 1/(1 - gamma G) alone, edge at G = (1 - 1/sqrt(gamma)) / gamma ... = (1 - sqrt g)^2
    G = sp.symbols("G")
    R = 1 / (1 - g * G)
    roots = sp.solve(sp.diff(R, G) - 1 / G ** 2, G)
    edges = [sp.simplify(R.subs(G, r) + 1 / r) for r in roots]
    assert any(sp.simplify(e - (1 - sp.sqrt(g)) ** 2) == 0 for e in edges)
    assert any(sp.simplify(e - (1 + sp.sqrt(g)) ** 2) == 0 for e in edges)


if __name__ == "__main__":
    from _run import run_module
    run_module(__name__)
