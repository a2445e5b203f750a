"""Step 5: Kac–Rice assembly and its constants for the isotropic WHRF (docs/theory.md §5.1–5.2, §5.4).

Claim. E N_k(B) = Vol * int_B p_t(t) p_grad(0 | t) E[|det Hess| 1{k} | t, grad = 0] dt with
Vol = pi^p (fundamental domain [0, pi)^p), p_grad(0 | t) = (2 pi 4t/m)^(-p/2) (grad | t ~ N(0, 4t/m I) in
units sigma^2 = 1/m) and |det Hess| = 2^p |det M(t)|, so the prefactor is pi^p (m / 8 pi)^(p/2) 2^p t^(-p/2).
For p = 1 (no Z term; W ~ chi^2_(m-1)/m): D_0 = E[(W - t)_+], D_1 = E[(t - W)_+], and the counts are
exactly E N_0 = E N_1 = 1 per [0, pi) for every m (a field a . w with w = (cos t, sin t) and F = |X w|^2 is a
single harmonic in 2t). Evaluated in mpmath at 30 digits against the exact value 1, to 1e-25 (so at
most 5 of the 30 digits lost).
"""
import sympy as sp

from rmt_qgm.theory.models.whrf import exact_counts_p1, log_prefactor


def test_prefactor_symbolic():
    p, m, t = sp.symbols("p m t", positive=True)
    vol = sp.pi ** p
    density0 = (2 * sp.pi * 4 * t / m) ** (-p / 2)
    assembled = sp.simplify(vol * density0 * 2 ** p)
    target = sp.pi ** p * (m / (8 * sp.pi)) ** (p / 2) * 2 ** p * t ** (-p / 2)
    assert sp.simplify(sp.expand_power_base(sp.powsimp(assembled / target, force=True), force=True)) == 1
    # the engine's log prefactor (t^(-p/2) kept separately)
    for pv, mv in ((1, 6), (3, 10), (8, 32)):
        assert abs(log_prefactor(mv, pv) - float(sp.log(target.subs({p: pv, m: mv, t: 1})))) < 1e-12


def test_p1_counts_are_one():
    # One evaluation per m gives both counts. The exact value is known (1), so the error against it bounds
    # the digits lost directly: |N_k - 1| < 1e-25 at 30 digits means at most 5 lost. (A with_digits_lost
    # wrapper cannot measure this here: exact_counts_p1 sets its own precision, so its "2 dps" recomputation
    # ran at 30 digits again, and its digits_lost <= 5 could not fail.)
    for m in (2, 3, 5, 8, 20, 64):
        n0, n1 = exact_counts_p1(m, 30)
        for k, r in enumerate((n0, n1)):
            assert abs(r - 1) < 1e-25, (m, k, r)


if __name__ == "__main__":
    from _run import run_module
    run_module(__name__)
