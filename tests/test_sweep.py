"""Sweeps: bad configs, reproducibility across workers / executors / interruptions, faults.

Cost: every run_sweep starts a process pool (even with workers=1: ~2 s of worker start-up and imports), so
the uninterrupted single-worker reference stores are built once per module (fixtures ``small_ref`` and
``longer_ref``) and compared against read-only; each test still builds the store it checks itself. Input
errors go through the CLI in process (``_main``); the interruption tests run it as a subprocess and resume in
process."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from rmt_qgm.errors import UserInputError
from rmt_qgm.store import read_result
from rmt_qgm.sweep import faults, load_config, run_sweep, sweep_report
from rmt_qgm.sweep.task_store import TaskStore

SMALL = """
seed = 11
[axes]
qubits = [2, 3]
gamma = [0.5, 1.0]
ansatz = "randomized"
hamiltonian = ["fidelity", "projector:2"]
starts = 3
instances = 2
"""
# 40 tasks of ~0.1-0.3 s each: long enough to interrupt in the middle
LONGER = """
seed = 5
[axes]
qubits = 4
params = [12, 16, 20, 24]
ansatz = ["randomized", "hea"]
hamiltonian = "fidelity"
starts = 6
instances = 5
"""


def _write(tmp_path, text, name="cfg.toml"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def _main(capsys, *args) -> tuple[int, str]:
    """The CLI in process (rmt_qgm.cli.main, what ``python -m rmt_qgm.cli`` runs): (exit code, stderr).
    Used for input errors, where a subprocess per case cost ~1-3 s of interpreter start-up and imports; the
    subprocess path is exercised by the interruption tests. An uncaught exception (a traceback from the
    subprocess) fails the calling test here too."""
    from rmt_qgm.cli import main
    capsys.readouterr()
    try:
        code = main(list(args))
    except SystemExit as exc:                                   # argparse-level errors exit directly
        code = exc.code
    return code, capsys.readouterr().err


def store_contents(root) -> dict[str, dict[str, np.ndarray]]:
    """name -> numeric arrays of every finished task (checksums verified by read_result)."""
    tasks_dir = os.path.join(root, "tasks")
    out = {}
    for f in sorted(os.listdir(tasks_dir)):
        if f.endswith(".json") and not f.startswith("."):
            meta, arrays = read_result(os.path.join(tasks_dir, f))
            out[f[:-5]] = arrays
    return out


def assert_same_store(a, b):
    ca, cb = store_contents(a), store_contents(b)
    assert sorted(ca) == sorted(cb)
    for name in ca:
        assert sorted(ca[name]) == sorted(cb[name]), name
        for k in ca[name]:
            x, y = ca[name][k], cb[name][k]
            assert x.dtype == y.dtype and x.shape == y.shape
            assert x.tobytes() == y.tobytes(), (name, k)        # bitwise


@pytest.fixture(scope="module")
def small_ref(tmp_path_factory):
    """SMALL run uninterrupted with one worker: the reference store (read only)."""
    d = tmp_path_factory.mktemp("small_ref")
    ref = str(d / "ref")
    run_sweep(_write(d, SMALL), ref, workers=1)
    return ref


@pytest.fixture(scope="module")
def longer_ref(tmp_path_factory):
    """LONGER run uninterrupted with one worker: the reference of both interruption tests (read only)."""
    d = tmp_path_factory.mktemp("longer_ref")
    ref = str(d / "ref")
    run_sweep(_write(d, LONGER), ref, workers=1)
    return ref


@pytest.mark.parametrize("text,needle", [
    (SMALL.replace("starts = 3", "starts = 3\nbogus = 1"), "unknown axis 'bogus'"),
    (SMALL.replace("qubits = [2, 3]", "qubits = []"), "axes.qubits is an empty list"),
    (SMALL.replace("starts = 3", "starts = -3"), "axes.starts must be an integer"),
    (SMALL.replace("instances = 2", "instances = 0"), "axes.instances must be an integer"),
    (SMALL.replace("seed = 11", "seed = 11\nworkers = 3"), "unknown key 'workers'"),
    (SMALL.replace("gamma = [0.5, 1.0]", "gamma = [0.5]\nparams = [3]"), "exactly one of gamma"),
    (SMALL.replace('ansatz = "randomized"', 'ansatz = "qaoa"'), "axes.ansatz must be one of"),
    (SMALL.replace('"projector:2"', '"diag:1,2"'), "axes.hamiltonian at qubits = 2"),
    (SMALL.replace("gamma = [0.5, 1.0]", "gamma = [0.001]"), "axes.gamma = 0.001 gives p = 0"),
    ("seed = 1\n[axes\n", "is not valid TOML"),
])
def test_bad_config_is_one_line_exit_2(tmp_path, capsys, text, needle):
    out = tmp_path / "store"
    code, err = _main(capsys, "sweep", _write(tmp_path, text), "--out", str(out))
    assert code == 2, err
    assert needle in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not out.exists()                                     # checked before any work


def test_unwritable_out_and_store_misuse(tmp_path, capsys):
    cfg = _write(tmp_path, SMALL)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, err = _main(capsys, "sweep", cfg, "--out", str(blocker / "sub"))
    assert code == 2 and "--out" in err and "Traceback" not in err
    code, err = _main(capsys, "sweep", str(tmp_path / "missing.toml"), "--out", str(tmp_path / "s"))
    assert code == 2 and "file not found" in err
    out = str(tmp_path / "s")
    run_sweep(cfg, out)
    with pytest.raises(UserInputError, match="already holds a sweep"):
        run_sweep(cfg, out)
    other = _write(tmp_path, SMALL.replace("seed = 11", "seed = 12"), "other.toml")
    code, err = _main(capsys, "sweep", other, "--out", out, "--resume")
    assert code == 2 and "different config" in err
    code, err = _main(capsys, "sweep", cfg, "--out", out, "--workers", "0")
    assert code == 2 and "workers" in err


def test_same_store_with_1_and_2_workers_and_resume_is_a_no_op(tmp_path, small_ref):
    cfg = _write(tmp_path, SMALL)
    a, b = str(tmp_path / "a"), str(tmp_path / "b")
    shutil.copytree(small_ref, a)                               # the 1-worker store (resumed below: a copy)
    ob = run_sweep(cfg, b, workers=2)
    assert len(store_contents(a)) == ob.finished == len(load_config(cfg).tasks) == 16
    assert_same_store(a, b)
    again = run_sweep(cfg, a, resume=True)
    assert again.skipped == 16 and again.finished == 0
    s = sweep_report(a)
    assert s["finished"] == 16 and s["missing"] == 0 and s["grid_points"] == 8
    for path in s["written"]:
        assert os.path.getsize(path) > 0
    grid = np.genfromtxt(os.path.join(a, "report", "grid.csv"), delimiter=",", names=True, dtype=None,
                         encoding="utf-8")
    assert len(grid) == 8 and np.all(grid["instances_done"] == 2)


def _wait_for_tasks(root, k, proc, timeout=120):
    tasks_dir = os.path.join(root, "tasks")
    t0 = time.time()
    while time.time() - t0 < timeout:
        if os.path.isdir(tasks_dir) and sum(f.endswith(".json") for f in os.listdir(tasks_dir)) >= k:
            return
        assert proc.poll() is None, "sweep ended before it could be interrupted"
        time.sleep(0.05)
    raise AssertionError("no progress")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_interrupt_then_resume_equals_uninterrupted(tmp_path, sig, longer_ref, cli_inprocess):
    cfg = _write(tmp_path, LONGER)
    cut = str(tmp_path / "cut")
    n_tasks = len(load_config(cfg).tasks)
    proc = subprocess.Popen([sys.executable, "-m", "rmt_qgm.cli", "sweep", cfg, "--out", cut, "--workers", "2",
                             "--no-progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    _wait_for_tasks(cut, 3, proc)
    if sig == signal.SIGKILL:
        os.killpg(proc.pid, signal.SIGKILL)                     # parent and workers, at an arbitrary moment
        proc.communicate(timeout=60)
    else:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 130, err
        assert "--resume" in err and "Traceback" not in err
    stored = len(store_contents(cut))
    assert 3 <= stored < n_tasks, stored                        # really interrupted mid-run
    # the resume in process (tests/conftest.py; the interrupted run above is the subprocess)
    r = cli_inprocess(["sweep", cfg, "--out", cut, "--workers", "2", "--resume", "--no-progress", "--json"])
    assert r.returncode == 0, r.stderr
    assert_same_store(longer_ref, cut)
    names = {t.name for t in load_config(cfg).tasks}
    assert set(store_contents(cut)) == names                    # none missing, none extra


def test_failed_tasks_are_recorded_and_the_sweep_goes_on(tmp_path):
    cfg = _write(tmp_path, SMALL)
    out = str(tmp_path / "s")
    o = run_sweep(cfg, out, workers=2, task_fn=faults.raise_on_instance_1)
    assert o.failed == 8 and o.finished == 8
    fails = TaskStore(out).failures()
    assert len(fails) == 8 and all("injected failure" in f["error"] for f in fails)
    assert sweep_report(out, figures=False)["failed_unresolved"] == 8
    o2 = run_sweep(cfg, out, workers=2, resume=True)              # failed tasks are retried on resume
    assert o2.skipped == 8 and o2.finished == 8 and o2.failed == 0
    assert sweep_report(out, figures=False)["failed_unresolved"] == 0


def test_dead_workers_are_retried_with_a_limit(tmp_path, monkeypatch, small_ref):
    monkeypatch.setenv("RMT_QGM_FAULT_DIR", str(tmp_path))
    cfg = _write(tmp_path, SMALL)
    out = str(tmp_path / "s")
    o = run_sweep(cfg, out, workers=2, task_fn=faults.die_once)
    assert o.failed == 0 and o.finished == 16 and o.retried >= 8
    assert_same_store(out, small_ref)
    cfg1 = _write(tmp_path, SMALL.replace("qubits = [2, 3]", "qubits = 2").replace(
        'hamiltonian = ["fidelity", "projector:2"]', 'hamiltonian = "fidelity"').replace(
        "gamma = [0.5, 1.0]", "gamma = 0.5") .replace("seed = 11", "seed = 11\nretries = 1"), "one.toml")
    o = run_sweep(cfg1, str(tmp_path / "dead"), workers=1, task_fn=faults.always_die)
    assert o.finished == 0 and o.failed == 2
    fails = TaskStore(str(tmp_path / "dead")).failures()
    assert all(f["attempt"] == 2 and "gave up after 2 attempts" in f["error"] for f in fails)


def test_dask_local_cluster_gives_the_same_store(tmp_path, small_ref):
    distributed = pytest.importorskip("distributed")
    cfg = _write(tmp_path, SMALL)
    dk = str(tmp_path / "dask")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        o = run_sweep(cfg, dk, scheduler=cluster.scheduler_address)
    assert o.finished == 16 and o.failed == 0
    assert_same_store(small_ref, dk)
