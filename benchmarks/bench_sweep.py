"""Sweep throughput: 2 local workers against 1, and a 2-worker Dask LocalCluster, in one run.

Usage: python benchmarks/bench_sweep.py [--quick]

The same config (n = 5 randomized / hea circuits, 12 starts per task) runs into three fresh stores;
each figure is tasks per second including executor start-up. The stores are also compared bitwise.
Prints JSON.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time

CONFIG = """
seed = 2026
[axes]
qubits = 5
params = [24, 40, 64]
ansatz = ["randomized", "hea"]
hamiltonian = "fidelity"
starts = 12
instances = {instances}
"""


def _timed(cfg, out, **kw):
    from rmt_qgm.sweep import run_sweep
    t = time.perf_counter()
    o = run_sweep(cfg, out, **kw)
    return o.finished, time.perf_counter() - t


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer tasks")
    a = ap.parse_args(argv)
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
    from test_sweep import assert_same_store
    from rmt_qgm.sweep import run_sweep
    with tempfile.TemporaryDirectory() as tmp:
        cfg = os.path.join(tmp, "bench.toml")
        with open(cfg, "w") as fh:
            fh.write(CONFIG.format(instances=2 if a.quick else 8))
        warm = os.path.join(tmp, "warm.toml")
        with open(warm, "w") as fh:
            fh.write(CONFIG.format(instances=1).replace("params = [16, 24, 32]", "params = 4"))
        run_sweep(warm, os.path.join(tmp, "warm"), workers=1)          # numba cache warm
        n1, s1 = _timed(cfg, os.path.join(tmp, "w1"), workers=1)
        n2, s2 = _timed(cfg, os.path.join(tmp, "w2"), workers=2)
        result = {"case": "sweep tasks/s (n=5, p in 24..64, 12 starts per task)", "tasks": n1,
                  "local_1_worker_tasks_per_s": n1 / s1, "local_2_workers_tasks_per_s": n2 / s2,
                  "speedup_2_vs_1": (n2 / s2) / (n1 / s1)}
        try:
            from distributed import LocalCluster
        except ImportError:
            result["dask"] = "not installed (pip install 'rmt_qgm[dask]')"
        else:
            t = time.perf_counter()
            with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cl:
                o = run_sweep(cfg, os.path.join(tmp, "dk"), scheduler=cl.scheduler_address)
            sd = time.perf_counter() - t
            result["dask_2_workers_tasks_per_s (cluster start-up included)"] = o.finished / sd
            result["dask_vs_local_2"] = (o.finished / sd) / (n2 / s2)
            assert_same_store(os.path.join(tmp, "w1"), os.path.join(tmp, "dk"))
        assert_same_store(os.path.join(tmp, "w1"), os.path.join(tmp, "w2"))
        result["stores_bitwise_identical"] = True
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
