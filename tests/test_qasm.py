"""Issue 20, item 6: OpenQASM circuits of rotations and Clifford gates -> generators files
(rmt_qgm.algebra.qasm, ``rmt-qgm circuit --from-qasm``).

The converted circuit is checked against an independent dense simulation of the OpenQASM program (gate
matrices written here, qubit k = bit k, fixed gates kept in place), and bad programs against the one-line,
exit-2 rule."""
from __future__ import annotations

import numpy as np
import pytest
from scipy.linalg import expm

pytest.importorskip("openqasm3")
pytest.importorskip("antlr4")

from rmt_qgm.algebra.generators import preset_generators, read_generators  # noqa: E402
from rmt_qgm.simulate import evaluate_generators_file  # noqa: E402

EPS = np.finfo(float).eps
I2 = np.eye(2)
X = np.array([[0, 1], [1, 0]], dtype=complex)
Y = np.array([[0, -1j], [1j, 0]])
Z = np.diag([1.0, -1.0]).astype(complex)
H = np.array([[1, 1], [1, -1]]) / np.sqrt(2)
S = np.diag([1, 1j])
ONE = {"x": X, "y": Y, "z": Z, "h": H, "s": S, "sdg": S.conj().T}
PAULI = {"X": X, "Y": Y, "Z": Z}


def on(n, ops):
    """Kronecker product with ops[q] on qubit q (bit q: qubit n-1 is the leftmost factor)."""
    m = np.eye(1)
    for q in range(n - 1, -1, -1):
        m = np.kron(m, ops.get(q, I2))
    return m


def controlled_x(n, c, t):
    d = 2 ** n
    u = np.zeros((d, d))
    for b in range(d):
        u[b ^ (1 << t) if (b >> c) & 1 else b, b] = 1.0
    return u


def dense_program(n, program):
    """U of a list of (name, qubits, angle) in order."""
    u = np.eye(2 ** n, dtype=complex)
    for name, qs, phi in program:
        if name in ONE:
            g = on(n, {qs[0]: ONE[name]})
        elif name == "cx":
            g = controlled_x(n, *qs)
        elif name == "cz":
            g = np.diag([(-1.0) ** (((b >> qs[0]) & (b >> qs[1])) & 1) for b in range(2 ** n)])
        else:
            word = name[1:].upper()
            p = on(n, {q: PAULI[c] for q, c in zip(qs, word)})
            g = expm(-0.5j * phi * p)
        u = g @ u
    return u


def obs_dense(n, terms):
    return sum(c * on(n, {q: PAULI[ch] for q, ch in enumerate(w) if ch != "I"}) for c, w in terms)


PROGRAM = [("ry", (0,), 0.3), ("ry", (1,), -1.1), ("ry", (2,), 0.7), ("ry", (3,), 2.0), ("cx", (0, 1), None),
           ("cz", (1, 2), None), ("rz", (1,), np.pi / 4), ("h", (2,), None), ("rzz", (0, 2), -0.2),
           ("s", (0,), None), ("rxx", (1, 3), 0.7), ("sdg", (3,), None), ("cx", (3, 0), None), ("y", (2,), None),
           ("ryy", (2, 3), 1.3), ("x", (1,), None), ("rx", (3,), -0.45), ("z", (0,), None), ("cz", (0, 3), None)]
QASM = """OPENQASM 2.0;
include "qelib1.inc";
qreg a[2];
qreg b[2];
creg c[4];
ry(0.3) a[0];
ry(-1.1) a[1];
ry(0.7) b[0];
ry(2*1.0) b[1];
cx a[0],a[1];
cz a[1],b[0];
rz(pi/4) a[1];
h b[0];
rzz(-0.2) a[0],b[0];
s a[0];
barrier a;
rxx(0.7) a[1],b[1];
sdg b[1];
cx b[1],a[0];
y b[0];
ryy(1.3) b[0],b[1];
x a[1];
rx(-0.9/2) b[1];
z a[0];
cz a[0],b[1];
measure a -> c[0:1];
"""
OBS = [(1.0, "ZZII"), (0.5, "IIXI"), (-0.7, "YIIZ"), (0.3, "IXYI")]


def test_qasm_against_dense_program(tmp_path, cli_inprocess):
    f = tmp_path / "c.qasm"
    f.write_text(QASM)
    out, th = tmp_path / "g.txt", tmp_path / "theta.txt"
    spec = "".join(f"{c:+g}*{w}" for c, w in OBS).lstrip("+")
    r = cli_inprocess(["circuit", "--from-qasm", f, "--observable", spec, "--out", out, "--theta-out", th])
    assert r.returncode == 0, r.stderr
    obs_line = [ln for ln in r.stdout.splitlines() if ln.startswith("observable")][0]
    obs_w = obs_line.split("=", 1)[1].strip()
    gens = read_generators(out, 4)
    assert len(gens) == 9                                    # one line per rotation
    assert all(g.num_terms == 1 and abs(abs(g.c[0]) - 1.0) == 0.0 for g in gens)   # a Pauli word stays a word
    theta = np.loadtxt(th)
    res = evaluate_generators_file(4, out, "pauli:" + obs_w, theta, psi0="zero")
    u = dense_program(4, PROGRAM)
    psi = u[:, 0]
    f_dense = float(np.real(np.vdot(psi, obs_dense(4, OBS) @ psi)))
    tol = 200 * EPS * len(PROGRAM) * sum(abs(c) for c, _ in OBS)   # rounding of ~L products of unitaries
    assert abs(res["loss"] - f_dense) <= tol
    # dF/dphi_k = (1/2) dF/dtheta_k: central differences of the dense program in one QASM angle
    k_prog = [i for i, (nm, _, _) in enumerate(PROGRAM) if nm.startswith("r")]
    h = 1e-5
    for k, i in enumerate(k_prog[:4]):
        def fphi(d):
            prog = list(PROGRAM)
            nm, qs, phi = prog[i]
            prog[i] = (nm, qs, phi + d)
            v = dense_program(4, prog)[:, 0]
            return float(np.real(np.vdot(v, obs_dense(4, OBS) @ v)))
        fd = (fphi(h) - fphi(-h)) / (2 * h)
        assert abs(fd - 0.5 * res["gradient"][k]) <= 1e-8


def test_hea_in_qasm_is_the_preset(tmp_path):
    """Two layers of RY rotations + CZ ladder written in OpenQASM give the hea:ry-cz preset's lines (its
    period at n = 3 is checked to be 2 layers first)."""
    from rmt_qgm.algebra.generators import clifford_period
    from rmt_qgm.algebra.qasm import qasm_generators
    n = 3
    L = clifford_period(n, "cz", "Y")
    body = []
    for _ in range(L):
        body += [f"ry(0.1) q[{i}];" for i in range(n)] + [f"cz q[{i}],q[{i + 1}];" for i in range(n - 1)]
    f = tmp_path / "hea.qasm"
    f.write_text("OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[3];\n" + "\n".join(body) + "\n")
    _, gens, _, theta, _ = qasm_generators(f)
    pre, _ = preset_generators("hea:ry-cz", n)
    assert [g.to_string() for g in gens] == [g.to_string() for g in pre]
    assert np.allclose(theta, 0.05)


def test_broadcast_and_symbolic_angles(tmp_path):
    from rmt_qgm.algebra.qasm import qasm_generators
    f = tmp_path / "b.qasm"
    f.write_text('OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[3] q;\ninput angle t;\nh q;\nrz(t) q;\n'
                 'rzz(t/2) q[0], q[2];\n')
    n, gens, header, theta, obs = qasm_generators(f)
    assert n == 3 and [g.to_string() for g in gens] == ["1.0*XII", "1.0*IXI", "1.0*IIX", "1.0*XIX"]
    assert np.all(np.isnan(theta)) and obs is None


@pytest.mark.parametrize("text,needle", [
    ("OPENQASM 2.0;\nqreg q[2];\nu3(0,0,0) q[0];\nrx(0.1) q[1];\n", "line 3: unsupported gate 'u3'"),
    ("OPENQASM 2.0;\nqreg q[2];\nrx( q[0];\n", "not valid OpenQASM"),
    ("OPENQASM 2.0;\nqreg q[2];\ngate g a { h a; }\nrx(0.1) q[0];\n", "QuantumGateDefinition is not supported"),
    ("OPENQASM 2.0;\nqreg q[2];\nrx(0.1) q[0];\nreset q[0];\n", "QuantumReset is not supported"),
    ("OPENQASM 2.0;\nqreg q[2];\ncreg c[2];\nrx(0.1) q[0];\nmeasure q[0] -> c[0];\nh q[1];\n", "after a measurement"),
    ('OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[2] q;\nrx(0.1) q[0];\nctrl @ x q[0], q[1];\n', "modifiers"),
    ('OPENQASM 2.0;\ninclude "mygates.inc";\nqreg q[1];\nrx(0.1) q[0];\n', "include 'mygates.inc'"),
    ("OPENQASM 2.0;\nqreg q[2];\nh q[0];\ncx q[0],q[1];\n", "no parameterised rotation"),
    ("OPENQASM 2.0;\nqreg q[2];\nrx(0.1) q[2];\n", "outside the register"),
    ("OPENQASM 2.0;\nqreg q[2];\nrzz(0.1) q[0],q[0];\n", "repeated qubit"),
    ("OPENQASM 2.0;\nqreg q[2];\nrx(0.1,0.2) q[0];\n", "takes 1 angle"),
    ("OPENQASM 2.0;\nqreg q[2];\nrx(0.1) q[0],q[1];\n", "acts on 1 qubit"),
])
def test_bad_qasm_one_line(tmp_path, cli_inprocess, text, needle):
    f = tmp_path / "bad.qasm"
    f.write_text(text)
    r = cli_inprocess(["circuit", "--from-qasm", f])
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in r.stderr, r.stderr


@pytest.mark.parametrize("extra,needle", [(["--qubits", "3"], "--qubits"), (["--layers", "2"], "--layers"),
                                          (["--observable", "ZZZ"], "--observable"),
                                          (["--preset", "hva:tfim-ring"], "not allowed with")])
def test_bad_circuit_options(tmp_path, cli_inprocess, extra, needle):
    f = tmp_path / "c.qasm"
    f.write_text("OPENQASM 2.0;\nqreg q[2];\nrx(0.1) q[0];\n")
    r = cli_inprocess(["circuit", "--from-qasm", f, *extra])
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and needle in r.stderr, r.stderr


def test_preset_still_needs_qubits(cli_inprocess):
    r = cli_inprocess(["circuit", "--preset", "hva:tfim-ring"])
    assert r.returncode == 2 and "--qubits" in r.stderr
    r = cli_inprocess(["circuit", "--preset", "hva:tfim-ring", "-n", "3", "--theta-out", "x"])
    assert r.returncode == 2 and "--from-qasm" in r.stderr
