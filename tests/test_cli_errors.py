"""Bad input on every command: one line on stderr naming the parameter, exit code 2, no traceback.

Every case runs in process (tests/conftest.py ``cli_inprocess``: ~0.1 s instead of 1-3 s of interpreter start-up
per case); ``SUBPROCESS_CASES`` also run through ``python -m rmt_qgm.cli``: an argparse-level error and a
command's own input check, each seen by a real interpreter's exit status and stderr."""
import subprocess
import sys

import pytest

CASES = [
    (["simulate", "--qubits", "0", "--params", "3"], "--qubits"),
    (["simulate", "--qubits", "x", "--params", "3"], "--qubits"),
    (["simulate", "--qubits", "3", "--params", "-1"], "--params"),
    (["simulate", "--qubits", "3", "--params", "2.5"], "--params"),
    (["simulate", "--qubits", "3", "--params", "2", "--ansatz", "nope"], "--ansatz"),
    (["simulate", "--qubits", "3", "--params", "2", "--batch", "-1"], "--batch"),
    (["simulate", "--qubits", "3", "--params", "2", "--starts", "0"], "--starts"),
    (["simulate", "--qubits", "3", "--params", "2", "--instances", "-2"], "--instances"),
    (["simulate", "--qubits", "3", "--params", "2", "--workers", "0"], "--workers"),
    (["simulate", "--qubits", "3"], "--params"),
    (["evaluate", "--qubits", "2", "--generators", "XZ", "--theta-file", "/nonexistent/theta.txt"],
     "--theta-file"),
    (["evaluate", "--qubits", "2", "--generators", "", "--theta-file", "x"], "--generators"),
    (["predict", "--params", "0", "--qubits", "3"], "--params"),
    (["predict", "--params", "4"], "--qubits"),
    (["predict", "--params", "4", "--qubits", "3", "--model", "bogus"], "--model"),
    (["predict", "--params", "4", "--qubits", "3", "--dps", "10"], "--dps"),
    (["frobnicate"], "invalid choice"),
    (["simulate", "--qubits", "2", "--params", "2", "--hamiltonian", "pauli:0.5*ZQ"], "Pauli"),
    (["simulate", "--qubits", "2", "--params", "2", "--hamiltonian", "diag:1,2,3"], "2^n = 4"),
    (["simulate", "--qubits", "2", "--params", "2", "--hamiltonian", "diag:@/no/such/file"], "not found"),
    (["simulate", "--qubits", "40", "--params", "2"], "bytes"),
    (["simulate", "--qubits", "2", "--params", "2", "--psi0", "plus"], "psi0"),
    (["simulate", "--qubits", "2", "--params", "2", "--ansatz", "pauli", "--generators", "XQ,ZZ"],
     "generators"),
    (["predict", "--params", "4", "--qubits", "2", "--hamiltonian", "diag:1,2"], "2^n = 4"),
]


#: the cases also run as a subprocess (the real entry point): argparse's error, a command's input check
SUBPROCESS_CASES = [CASES[16], CASES[0]]


def run_cli(args, **kw):
    return subprocess.run([sys.executable, "-m", "rmt_qgm.cli", *args], capture_output=True, text=True,
                          timeout=120, **kw)


def _one_line_exit_2(r, name):
    assert r.returncode == 2, r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, r.stderr
    assert name in lines[0]
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("args,name", CASES)
def test_bad_input_one_line_exit_2(args, name, cli_inprocess):
    _one_line_exit_2(cli_inprocess(args), name)


@pytest.mark.parametrize("args,name", SUBPROCESS_CASES)
def test_bad_input_one_line_exit_2_subprocess(args, name):
    _one_line_exit_2(run_cli(args), name)


def test_unwritable_out(tmp_path, cli_inprocess):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = cli_inprocess(["simulate", "--qubits", "2", "--params", "2", "--out", str(blocker / "sub")])
    assert r.returncode == 2 and "--out" in r.stderr and "Traceback" not in r.stderr
