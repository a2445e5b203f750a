"""CLI commands end to end: simulate and evaluate JSON, result files, interrupt safety."""
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np

from rmt_qgm.store import read_result


# simulate and evaluate run in process (tests/conftest.py cli_inprocess: the same exit code, stdout and stderr
# without 1-3 s of interpreter start-up per call); the SIGINT tests below run `python -m rmt_qgm.cli simulate`.

def test_simulate_json_and_files(tmp_path, cli_inprocess):
    r = cli_inprocess(["simulate", "--qubits", "3", "--params", "4", "--ansatz", "randomized", "--hamiltonian",
                       "fidelity", "--starts", "3", "--instances", "2", "--seed", "4", "--out", str(tmp_path), "--json"])
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    assert s["gamma"] == 4 / 16
    for key in ("F", "certified", "median", "frac_global"):
        assert key in s["minima"]
    assert "seconds" in s and len(s["minima"]["F"]) == s["minima"]["certified"]
    meta, arrays = read_result(str(tmp_path / "simulate.json"))
    assert meta["seed"] == 4 and meta["params"]["n_qubits"] == 3 and "version" in meta
    assert meta["seconds"] > 0 and arrays["F"].shape == (6,)
    assert sorted(os.listdir(tmp_path)) == ["simulate.json", "simulate.npz"]


def test_evaluate_json(tmp_path, cli_inprocess):
    theta = tmp_path / "theta.txt"
    theta.write_text("0.3 0.2\n")
    r = cli_inprocess(["evaluate", "--qubits", "2", "--generators", "YI,IX", "--hamiltonian", "pauli:1.0*ZI+1.0*IZ",
                       "--theta-file", str(theta), "--psi0", "zero", "--json"])
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert abs(out["loss"] - (np.cos(0.6) + np.cos(0.4))) < 1e-12
    assert np.allclose(out["hessian"], np.diag([-4 * np.cos(0.6), -4 * np.cos(0.4)]), atol=1e-12)
    bad = tmp_path / "bad.txt"
    bad.write_text("0.3\n")
    r = cli_inprocess(["evaluate", "--qubits", "2", "--generators", "YI,IX", "--theta-file", str(bad)])
    assert r.returncode == 2 and "--theta-file" in r.stderr and "Traceback" not in r.stderr


import pytest


# one worker at 4 s (inside a kernel on a warm cache) is slow; one worker at 2 s and two workers at 6 s stay default
@pytest.mark.parametrize("workers,delay", [pytest.param("1", 4.0, marks=pytest.mark.slow), ("2", 6.0), ("1", 2.0)])
def test_sigint_leaves_no_partial_file(tmp_path, workers, delay):
    # the signal may land during numba compilation or inside a kernel: all must exit 130 (a signal
    # before the interpreter has started cannot be handled, so the first delay is 2 s)
    out = tmp_path / "run"
    proc = subprocess.Popen([sys.executable, "-m", "rmt_qgm.cli", "simulate", "--qubits", "5", "--params",
                             "40", "--starts", "20000", "--instances", "4", "--out", str(out),
                             "--workers", workers, "--no-progress"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert not out.exists() or os.listdir(out) == []
