"""Issue 20, item 5: the simulator runs any generators file (rmt_qgm.circuits.structured).

Loss, adjoint gradient, exact Hessian and Hessian-vector product of exp(-i theta G) circuits with G real Pauli
sums (G^2 != I) against an independent dense-matrix computation (scipy expm of each G, derivatives by
inserting -i G after a gate) and against finite differences; the compiled forms and their cost; periods;
certified minima through ``simulate``; ``evaluate``; bad input at the CLI. The generator sets are written
for this file (not used elsewhere in the repository).
"""
from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.linalg import expm

from rmt_qgm.algebra.generators import parse_generator_line, write_generators
from rmt_qgm.circuits import kernels as K
from rmt_qgm.circuits.structured import (circuit_forms, compile_generator, diagonalising_rotations,
                                         generator_circuit)
from rmt_qgm.hamiltonians import parse_hamiltonian
from rmt_qgm.simulate import evaluate_generators_file, run_simulation

EPS = np.finfo(float).eps

# every form: clifford (one word, c != 1), diagonal sum, clifford (commuting sum), dense (non-commuting),
# rotation (one word, c = 1), dense (two anticommuting words), clifford (one word, c = -1)
LINES3 = ["0.7*XYI", "ZIZ-0.4*IZI+1.3*ZZZ", "XXI+YYI", "0.5*XIZ+IYY-0.3*ZZX", "XIY", "XZI+0.6*ZZI", "-1*IIY"]
FORMS3 = ["clifford", "diagonal", "clifford", "dense", "rotation", "dense", "clifford"]
HAM3 = "pauli:0.5*ZZI+XIX-0.2*YYZ+IIZ"
# n = 4: commuting sums (three non-diagonal words with one x-part; sum_i X_i), a diagonal and two mixed lines
LINES4 = ["XXYY+YYXX-0.5*ZZZZ+0.8*XYXY", "0.3*ZIII+IZII-IIZI", "YIIX+0.2*IXYI", "XIII+IXII+IIXI+IIIX",
          "ZXZI-0.7*IZXZ"]
HAM4 = "pauli:XZII+0.4*IYYI-0.9*ZIIZ+0.3*IIIX"


def gens_of(n, lines):
    return [parse_generator_line(t, n, "test") for t in lines]


def rand_state(n, seed):
    rng = np.random.default_rng(seed)
    v = rng.standard_normal(2 ** n) + 1j * rng.standard_normal(2 ** n)
    return v / np.linalg.norm(v)


class DenseReference:
    """F, gradient and Hessian from dense matrices: the gates by scipy expm, the derivatives by inserting
    -i G_k after gate k (exp(-i t G) commutes with G), every second derivative as its own product."""

    def __init__(self, gens, p, psi0, ham_dense):
        self.G = [g.to_dense() for g in gens]
        self.p, self.psi0, self.H = p, psi0, ham_dense

    def _run(self, theta, insert=()):
        psi = self.psi0.copy()
        for k in range(self.p):
            g = self.G[k % len(self.G)]
            psi = expm(-1j * theta[k] * g) @ psi
            for j in insert:
                if j == k:
                    psi = -1j * (g @ psi)
        return psi

    def loss(self, theta):
        psi = self._run(theta)
        return float(np.real(np.vdot(psi, self.H @ psi)))

    def grad(self, theta):
        psi = self._run(theta)
        return np.array([2 * np.real(np.vdot(self._run(theta, (k,)), self.H @ psi)) for k in range(self.p)])

    def hessian(self, theta):
        psi = self._run(theta)
        d1 = [self._run(theta, (k,)) for k in range(self.p)]
        h = np.empty((self.p, self.p))
        for i in range(self.p):
            for j in range(self.p):
                d2 = self._run(theta, (i, j) if i != j else (i, i))
                h[i, j] = 2 * np.real(np.vdot(d1[i], self.H @ d1[j]) + np.vdot(psi, self.H @ d2))
        return h


def _setup(n, lines, ham_spec, p, seed):
    gens = gens_of(n, lines)
    circ = generator_circuit(n, p, gens)
    ham = parse_hamiltonian(ham_spec, n)
    psi0 = rand_state(n, seed)
    ref = DenseReference(gens, p, psi0, ham.to_dense())
    theta = np.random.default_rng(seed + 1).uniform(0, 2 * np.pi, p)
    return gens, circ, ham, psi0, ref, theta


def _rounding_tol(circ, ham, gens):
    """Rounding bound of kernel vs dense reference: each of the L operations (and the reference's expm) moves
    every amplitude by a few eps times the operator norms; the Hessian sums p^2 such terms. We allow
    100 x eps x L x dim x ||H|| x (1 + max ||G||)^2: a factor ~10 above the accumulated bound."""
    hnorm = float(np.max(np.abs(np.linalg.eigvalsh(ham.to_dense()))))
    gnorm = max(float(np.sum(np.abs(g.c))) for g in gens)
    return 100 * EPS * circ.ops.shape[0] * circ.dim * hnorm * (1 + gnorm) ** 2


@pytest.mark.parametrize("n,lines,ham_spec,p", [(3, LINES3, HAM3, 11), (4, LINES4, HAM4, 9)])
def test_against_dense_reference(n, lines, ham_spec, p):
    gens, circ, ham, psi0, ref, theta = _setup(n, lines, ham_spec, p, seed=20 + n)
    tol = _rounding_tol(circ, ham, gens)
    f, g = circ.loss_and_grad(theta, psi0, ham)
    assert abs(f - ref.loss(theta)) <= tol
    assert abs(circ.loss(theta, psi0, ham) - f) <= tol
    state = circ.state(theta, psi0)
    assert np.max(np.abs(state - ref._run(theta))) <= tol
    assert np.max(np.abs(g - ref.grad(theta))) <= tol
    hess = circ.hessian(theta, psi0, ham)
    assert np.allclose(hess, hess.T, atol=0)
    href = ref.hessian(theta)
    assert np.max(np.abs(hess - href)) <= tol
    # the D^2 != I diagonal term matters: the G^2 = I formula 2 Re <J_k|H|J_k> - 2 F is far off there
    psi = ref._run(theta)
    pd = [k for k in range(p) if abs(np.vdot(psi, ham.to_dense() @ psi)) >= 0 and
          not np.allclose(gens[k % len(gens)].to_dense() @ gens[k % len(gens)].to_dense(), np.eye(2 ** n))]
    d1 = [ref._run(theta, (k,)) for k in pd]
    g2_formula = np.array([2 * np.real(np.vdot(d, ham.to_dense() @ d)) - 2 * f for d in d1])
    assert pd and np.max(np.abs(g2_formula - np.diag(href)[pd])) > 1e3 * tol
    v = np.random.default_rng(5).standard_normal(p)
    assert np.max(np.abs(circ.hvp(theta, psi0, ham, v) - hess @ v)) <= tol * np.sum(np.abs(v))


def test_against_finite_differences():
    """Central differences of F (for the gradient) and of the exact gradient (for the Hessian) with step h:
    truncation <= h^2/6 max|d^3 F| with |d^3 F| <= ||H|| (2 g)^3 (every derivative brings a commutator with
    some G, g = max ||G|| <= sum |c|), rounding ~ eps |F| / h."""
    n, p = 3, 9
    gens, circ, ham, psi0, ref, theta = _setup(n, LINES3, HAM3, p, seed=7)
    h = 1e-4
    hnorm = float(np.max(np.abs(np.linalg.eigvalsh(ham.to_dense()))))
    g = max(float(np.sum(np.abs(x.c))) for x in gens)
    trunc = h * h / 6 * hnorm * (2 * g) ** 3
    tol_g = trunc + 10 * EPS * hnorm / h
    tol_h = h * h / 6 * hnorm * (2 * g) ** 4 + 10 * EPS * hnorm * 2 * g / h
    f, grad = circ.loss_and_grad(theta, psi0, ham)
    hess = circ.hessian(theta, psi0, ham)
    for k in range(p):
        e = np.zeros(p)
        e[k] = h
        fd = (circ.loss(theta + e, psi0, ham) - circ.loss(theta - e, psi0, ham)) / (2 * h)
        assert abs(fd - grad[k]) <= tol_g
        col = (circ.loss_and_grad(theta + e, psi0, ham)[1] - circ.loss_and_grad(theta - e, psi0, ham)[1]) / (2 * h)
        assert np.max(np.abs(col - hess[:, k])) <= tol_h


def test_forms_and_cost():
    """The compiled form of each line, and the cost: a single Pauli string takes O(2^n) passes (one
    rotation, or one diagonal gate between one rotation pair), a diagonal sum one pass, a commuting sum at
    most 2 (non-diagonal words) + 1, a non-commuting sum two dense products."""
    gens = gens_of(3, LINES3)
    assert circuit_forms(gens) == FORMS3
    for g, form in zip(gens, FORMS3):
        ops = np.array(compile_generator(g).ops)
        nondiag = int(np.sum(g.x != 0))
        if g.num_terms == 1:
            assert len(ops) in (1, 3) and not np.any(ops[:, 0] == K.OP_DENSE)
        if form == "diagonal":
            assert len(ops) == 1 and ops[0, 0] == K.OP_PDIAG
        if form == "clifford":
            assert len(ops) <= 2 * nondiag + 1
        assert (form == "dense") == bool(np.any(ops[:, 0] == K.OP_DENSE))
    # words sharing one x-part need one rotation whatever their number; sum_i X_i needs one per qubit
    nfrot = [sum(1 for o in compile_generator(g).ops if o[0] == K.OP_FROT) for g in gens_of(4, LINES4)]
    assert nfrot[0] == 2 and nfrot[3] == 8


@pytest.mark.parametrize("line", ["XXYY+YYXX-0.5*ZZZZ+0.8*XYXY", "XIII+IXII+IIXI+IIIX", "0.3*YXZI",
                                  "XXII+ZZII+YYII-IIXX+0.5*IIZZ", "XZXI+ZIZI+YZYI"])
def test_diagonalising_rotations(line):
    """W G W^dagger = diag(D) for the Clifford W of the construction (dense check)."""
    g = parse_generator_line(line, 4, "test")
    qs, d = diagonalising_rotations(g)
    w = np.eye(16, dtype=complex)
    for x, z in qs:
        q = parse_generator_line(_word_label(x, z, 4), 4, "q").to_dense()
        w = expm(-1j * np.pi / 4 * q) @ w
    m = w @ g.to_dense() @ w.conj().T
    assert np.max(np.abs(m - np.diag(d))) <= 100 * EPS * np.sum(np.abs(g.c))


def test_diagonalising_rotations_refuses_anticommuting_words():
    with pytest.raises(ValueError):
        diagonalising_rotations(parse_generator_line("XZXI+IYIY", 4, "test"))


def _word_label(x, z, n):
    return "".join("IXZY"[((x >> q) & 1) + 2 * ((z >> q) & 1)] for q in range(n))


def test_periods():
    """F is pi-periodic in an angle whose generator has even integer eigenvalue gaps, 2 pi-periodic with integer
    gaps, and the generator 0.7 XYI is neither (F moves when theta_0 moves by pi or 2 pi)."""
    gens, circ, ham, psi0, ref, theta = _setup(3, LINES3, HAM3, 7, seed=3)
    per = circ.periods
    assert np.isinf(per[0]) and per[4] == np.pi and per[6] == np.pi and per[2] == np.pi
    f0 = circ.loss(theta, psi0, ham)
    scale = 10 * EPS * circ.ops.shape[0] * float(np.max(np.abs(np.linalg.eigvalsh(ham.to_dense()))))
    for k in range(7):
        e = np.zeros(7)
        if np.isfinite(per[k]):
            e[k] = per[k]
            assert abs(circ.loss(theta + e, psi0, ham) - f0) <= scale
    e = np.zeros(7)
    e[0] = np.pi
    assert abs(circ.loss(theta + e, psi0, ham) - f0) > 1e-3
    wrapped = circ.wrap(theta + 3 * np.pi)
    assert abs(circ.loss(wrapped, psi0, ham) - circ.loss(theta + 3 * np.pi, psi0, ham)) <= scale


def test_single_words_match_pauli_ansatz(tmp_path):
    """A file of unit-coefficient Pauli words is the pauli ansatz: same starts, same records."""
    words = ["XZY", "ZZI", "IYX", "YIZ", "XXX", "ZIY"]
    f = write_generators(tmp_path / "g.txt", gens_of(3, words))
    kw = dict(hamiltonian=HAM3, starts=3, instances=2, seed=11, psi0="haar")
    a = run_simulation(3, 6, generators_file=f, **kw)
    b = run_simulation(3, 6, ansatz="pauli", generators=words, **kw)
    assert np.array_equal(a.records["F"], b.records["F"])
    assert np.array_equal(a.records["index"], b.records["index"])


def test_simulate_certified_minima_dense_check(tmp_path):
    """simulate on a file with every form: the records are certified critical points; at each recorded theta
    the dense reference agrees on F, its gradient is below the certification level (1e-8 plus rounding) and
    its Hessian's smallest eigenvalue matches the recorded one."""
    n, p = 3, 8
    f = write_generators(tmp_path / "g.txt", gens_of(n, LINES3))
    res = run_simulation(n, p, hamiltonian=HAM3, starts=4, instances=1, seed=2, psi0="random:4",
                         generators_file=f, endgame=True)
    r = res.records
    assert res.params["ansatz"] == "generators" and res.params["generator_lines"]
    assert r["certified"].all()
    gens = gens_of(n, LINES3)
    ham = parse_hamiltonian(HAM3, n)
    ref = DenseReference(gens, p, rand_state_spec(n, 4), ham.to_dense())
    circ = generator_circuit(n, p, gens)
    tol = _rounding_tol(circ, ham, gens)
    for j in range(r["F"].size):
        th = r["theta"][j]
        assert abs(ref.loss(th) - r["F"][j]) <= tol
        assert np.max(np.abs(ref.grad(th))) <= 1e-8 + tol
        eig = np.linalg.eigvalsh(ref.hessian(th))
        assert abs(eig[0] - r["min_eigs"][j, 0]) <= tol
    s = res.summary()
    assert s["minima"]["certified"] + s["saddles"] == r["F"].size
    assert np.all(np.asarray(s["minima"]["F"]) >= s["E0"] - tol)


def rand_state_spec(n, seed):
    from rmt_qgm.circuits.ansatz import initial_state
    from rmt_qgm.spec import parse_psi0
    return initial_state(parse_psi0(f"random:{seed}"), n, None)


def test_overparameterised_reaches_global_minimum(tmp_path):
    """A deep circuit of a file whose DLA is su(8) (XY ring plus ZZ, with a non-commuting line) reaches the
    ground energy from most starts: the certified minima of an overparameterised circuit are global."""
    n, p = 3, 80
    lines = ["0.9*XII+IXI", "IYI+0.4*IIY-0.2*YII", "ZZI+0.5*IZZ", "XIZ+0.3*ZIX"]
    f = write_generators(tmp_path / "g.txt", gens_of(n, lines))
    res = run_simulation(n, p, hamiltonian=HAM3, starts=4, seed=1, psi0="zero", generators_file=f, endgame=True)
    s = res.summary()
    assert s["minima"]["certified"] >= 3
    assert s["minima"]["frac_global"] >= 0.75


# ------------------------------------------------------------------------------------------------ CLI

def test_cli_evaluate_generators_file(tmp_path, cli_inprocess):
    n, p = 3, 9
    f = write_generators(tmp_path / "g.txt", gens_of(n, LINES3))
    theta = np.random.default_rng(9).uniform(0, 6, p)
    tf = tmp_path / "theta.txt"
    np.savetxt(tf, theta)
    r = cli_inprocess(["evaluate", "-n", n, "-g", f, "--theta-file", tf, "-H", HAM3, "--psi0", "random:4"])
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    api = evaluate_generators_file(n, f, HAM3, np.loadtxt(tf), psi0="random:4")
    assert out["loss"] == api["loss"] and out["n_params"] == p and out["gate_forms"] == FORMS3
    ref = DenseReference(gens_of(n, LINES3), p, rand_state_spec(n, 4), parse_hamiltonian(HAM3, n).to_dense())
    th = np.loadtxt(tf)
    assert np.max(np.abs(np.array(out["hessian"]) - ref.hessian(th))) <= 1e-10


def test_cli_simulate_generators_file(tmp_path, cli_inprocess):
    f = write_generators(tmp_path / "g.txt", gens_of(3, LINES3))
    r = cli_inprocess(["simulate", "-n", 3, "-p", 7, "-g", f, "-H", HAM3, "--starts", 2, "--json", "--no-progress"])
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    assert s["ansatz"] == "generators" and s["starts_total"] == 2


def test_cli_generators_file_takes_the_cg_endgame(tmp_path, cli_inprocess):
    """--endgame cg with a generators file (the Hessian-free kernels take coefficient-carrying gates): runs and
    certifies (before 2026-12-07 it was refused)."""
    f = write_generators(tmp_path / "g.txt", gens_of(3, LINES3))
    r = cli_inprocess(["simulate", "-n", 3, "-p", 7, "-g", f, "-H", HAM3, "--starts", 2, "--endgame", "cg",
                       "--json", "--no-progress"])
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    assert s["ansatz"] == "generators" and s["starts_total"] == 2 and s["minima"]["certified"] + s["saddles"] == 2
    assert s["uncertified"] == 0


@pytest.mark.parametrize("content,extra,needle", [
    ("1j*XXI\n", [], "non-real coefficient"),
    ("XXII\n", [], "XXII"),
    ("# only a comment\n\n", [], "holds no generator"),
    ("XXI\n", ["--ansatz", "pauli"], "--ansatz"),
    ("XXI\n", ["--batch", "-1"], "--batch"),
    ("XXI\n", ["--generators", "XXI"], "--generators"),
])
def test_cli_bad_generators_file(tmp_path, cli_inprocess, content, extra, needle):
    f = tmp_path / "g.txt"
    f.write_text(content)
    r = cli_inprocess(["simulate", "-n", 3, "-p", 4, "-g", f, "--no-progress", *extra])
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in r.stderr
    tf = tmp_path / "t.txt"
    tf.write_text("0.1 0.2\n")
    if not extra:
        r = cli_inprocess(["evaluate", "-n", 3, "-g", f, "--theta-file", tf])
        assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and needle in r.stderr


def test_cli_evaluate_bad_theta(tmp_path, cli_inprocess):
    f = write_generators(tmp_path / "g.txt", gens_of(3, LINES3))
    tf = tmp_path / "t.txt"
    tf.write_text("0.1 nan\n")
    r = cli_inprocess(["evaluate", "-n", 3, "-g", f, "--theta-file", tf])
    assert r.returncode == 2 and "--theta-file" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_workers_do_not_change_records(tmp_path):
    """The generators file travels with the parameters to worker processes: 1 and 2 workers, same records."""
    f = write_generators(tmp_path / "g.txt", gens_of(3, LINES3[:4]))
    kw = dict(hamiltonian=HAM3, starts=4, instances=2, seed=3, psi0="haar", generators_file=f)
    a = run_simulation(3, 6, workers=1, **kw)
    b = run_simulation(3, 6, workers=2, **kw)
    assert np.array_equal(a.records["F"], b.records["F"]) and np.array_equal(a.records["theta"], b.records["theta"])
