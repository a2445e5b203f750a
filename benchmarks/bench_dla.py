"""Timings of ``rmt-qgm dla`` (issue 20, item 1) with the PennyLane peer when it is installed; prints JSON.

Cases (the whole ``dla`` analysis: closure, centre and simple ideals, orbit dimension at psi0 = zero):

- ``hea:ry-cz`` at n = 10 (nearest-neighbour hardware-efficient, CZ ladders absorbed)   target <= 10 s
- ``hva:tfim-ring`` at n = 10 (two generators that are Pauli sums)                      target <= 10 s
- ``local:xy-zz-ring`` at n = 6: 18 local generators closing to su(64), dimension 4095  target <= 15 s
  (the issue's anchor: PennyLane 0.45 ``qml.lie_closure`` needs 152 s there)
- extras without a target: su(64) from the RY-RZ-CZ HEA, so(256) from the RY-CNOT HEA at n = 8, the XXZ
  ring HVA at n = 6 (general-sum engine), and with ``--large`` so(1024) (dimension 523776) at n = 10.

Each case runs twice in the process: ``first_call_s`` includes loading the numba kernels from the cache
(compiling them if the cache is cold), ``seconds`` is the second call. The peer is PennyLane's
``qml.lie_closure`` on the same generators (an optional extra, never a dependency of this package): if
``pennylane`` is not importable the peer fields say "peer unavailable".

Run:  python benchmarks/bench_dla.py [--large] [--out FILE.json]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time

from rmt_qgm.algebra.dla import analyse_dla
from rmt_qgm.algebra.generators import preset_generators

CASES = [
    ("hea:ry-cz", 10, 10.0),
    ("hva:tfim-ring", 10, 10.0),
    ("local:xy-zz-ring", 6, 15.0),
    ("hea:ry-rz-cz", 6, None),
    ("hea:ry-cx", 8, None),
    ("hva:xxz-ring", 6, None),
]
LARGE = [("hea:ry-cx", 10, None)]


def _peer(gens, n: int) -> dict:
    try:
        import pennylane as qml
    except Exception:  # noqa: BLE001 - any import failure means no peer
        return {"peer": "peer unavailable (pennylane is not installed)"}
    ops = []
    for g in gens:
        terms = []
        for c, lab in zip(g.c, g.labels()):
            word = {q: ch for q, ch in enumerate(lab) if ch != "I"}
            terms.append((float(c), qml.pauli.PauliWord(word)))
        ps = qml.pauli.PauliSentence({w: c for c, w in terms})
        ops.append(ps)
    t0 = time.perf_counter()
    basis = qml.lie_closure(ops, pauli=True)
    dt = time.perf_counter() - t0
    return {"peer": f"pennylane {qml.__version__} qml.lie_closure(pauli=True)", "peer_seconds": dt,
            "peer_dim": len(basis)}


def run_case(name: str, n: int, target, with_peer: bool) -> dict:
    gens, _ = preset_generators(name, n)
    t0 = time.perf_counter()
    analyse_dla(gens, n, "zero")
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    res = analyse_dla(gens, n, "zero")
    dt = time.perf_counter() - t0
    row = {"case": f"{name} n={n}", "generators": len(gens), "dim": res["dim"],
           "ideals": [t["type"] for t in res["ideals"]][:12], "centre_dim": res["centre_dim"],
           "orbit_dim": res["orbit_dim"], "orbit_method": res["orbit_method"], "seconds": dt,
           "first_call_s": first, "timings": res["timings"]}
    if target is not None:
        row["target_s"] = target
        row["meets_target"] = dt <= target
    if with_peer:
        peer = _peer(gens, n)
        row.update(peer)
        if "peer_seconds" in peer:
            t0 = time.perf_counter()
            from rmt_qgm.algebra.dla import lie_closure
            lie_closure(gens, n)
            row["closure_only_s"] = time.perf_counter() - t0
            row["speedup_vs_peer"] = peer["peer_seconds"] / max(dt, 1e-9)
    return row


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--large", action="store_true", help="also so(1024) at n = 10 (minutes)")
    ap.add_argument("--out", default=None, help="also write the JSON here")
    a = ap.parse_args(argv)
    rows = []
    for name, n, target in CASES + (LARGE if a.large else []):
        rows.append(run_case(name, n, target, with_peer=target is not None))
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    out = {"benchmark": "dla", "python": platform.python_version(), "machine": platform.machine(),
           "cpus": os.cpu_count(), "load_avg": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
           "cases": rows}
    text = json.dumps(out, indent=1)
    print(text)
    if a.out:
        with open(a.out, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
