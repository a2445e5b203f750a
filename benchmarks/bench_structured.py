"""Generators-file circuits in the simulator (issue 20, item 5): cost of the exact coefficient-carrying gates
against the pauli ansatz's rotations, in the same run; prints JSON.

Cases (n = 8 and 10, p gates, 64-term random Pauli-sum H, loss + adjoint gradient; exact Hessian at n = 8):
- ``pauli``: p random Pauli words through ``--ansatz pauli`` (the reference);
- ``unit-words``: the same words as a generators file (form ``rotation``: the same kernel operations);
- ``scaled-words``: the same words with coefficient 0.7 (form ``clifford``: one fixed rotation, one
  diagonal gate, one fixed rotation; three passes over the state);
- ``zz-ring``: sum_i Z_i Z_(i+1) (form ``diagonal``: one pass, whatever the number of terms);
- ``x-sum``: sum_i X_i (form ``clifford``, n fixed rotations each side: 2n + 1 passes);
- ``dense``: X_0 + Z_0 Z_1 (words that do not commute: two dense 2^n x 2^n products, O(4^n)).

Timings are medians of repeats after a warm-up, BLAS limited to one thread; ``per_gate_vs_rotation`` is
(time per gate) / (time per gate of ``pauli``). Run:  python benchmarks/bench_structured.py [--quick]
[--out F]. Recorded: benchmarks/results/bench_structured.json (with the load average: shared host).
"""
from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np
from threadpoolctl import threadpool_limits

from rmt_qgm.algebra.generators import parse_generator_line
from rmt_qgm.circuits.ansatz import build_circuit
from rmt_qgm.circuits.structured import circuit_forms, generator_circuit
from rmt_qgm.hamiltonians import parse_hamiltonian, random_pauli_sum


def timeit(fn, repeats):
    fn()
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return float(np.median(ts))


def _word(n, chars):
    w = ["I"] * n
    for q, c in chars.items():
        w[q] = c
    return "".join(w)


def cases(n, p, rng):
    words = []
    for _ in range(p):
        code = int(rng.integers(1, 4 ** n))
        words.append("".join("IXYZ"[(code >> (2 * q)) & 3] for q in range(n)))
    zz = "+".join(_word(n, {i: "Z", (i + 1) % n: "Z"}) for i in range(n))
    xs = "+".join(_word(n, {i: "X"}) for i in range(n))
    dense = _word(n, {0: "X"}) + "+" + _word(n, {0: "Z", 1: "Z"})
    return {
        "unit-words": words,
        "scaled-words": [f"0.7*{w}" for w in words],
        "zz-ring": [zz],
        "x-sum": [xs],
        "dense": [dense],
    }, words


def run(n, p, repeats, hessian_p, rng):
    ham = parse_hamiltonian(random_pauli_sum(n, 64, rng), n)
    psi0 = rng.standard_normal(2 ** n) + 1j * rng.standard_normal(2 ** n)
    psi0 /= np.linalg.norm(psi0)
    theta = rng.uniform(0, 2 * np.pi, p)
    lines, words = cases(n, p, rng)
    ref = build_circuit("pauli", n, p, None, words)
    t_ref = timeit(lambda: ref.loss_and_grad(theta, psi0, ham), repeats)
    out = {"n": n, "p": p, "pauli": {"loss_grad_s": t_ref}}
    th_h = theta[:hessian_p]
    t_ref_h = None
    if hessian_p:
        ref_h = build_circuit("pauli", n, hessian_p, None, words[:hessian_p])
        t_ref_h = timeit(lambda: ref_h.hessian(th_h, psi0, ham), max(1, repeats // 4))
        out["pauli"]["hessian_s"] = t_ref_h
    for name, ls in lines.items():
        gens = [parse_generator_line(t, n, name) for t in ls]
        c = generator_circuit(n, p, gens)
        t = timeit(lambda: c.loss_and_grad(theta, psi0, ham), repeats if name != "dense" else max(1, repeats // 4))
        row = {"form": circuit_forms(gens[:1])[0], "kernel_ops_per_gate": c.ops.shape[0] / p,
               "loss_grad_s": t, "per_gate_vs_rotation": t / t_ref}
        if hessian_p:
            ch = generator_circuit(n, hessian_p, gens)
            row["hessian_s"] = timeit(lambda: ch.hessian(th_h, psi0, ham), max(1, repeats // 4))
            row["hessian_vs_pauli"] = row["hessian_s"] / t_ref_h
        out[name] = row
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    rng = np.random.default_rng(2020)
    rows = []
    with threadpool_limits(limits=1):
        if a.quick:
            rows.append(run(6, 64, 5, 32, rng))
        else:
            rows.append(run(8, 512, 20, 128, rng))
            rows.append(run(10, 512, 10, 0, rng))
    res = {"benchmark": "bench_structured", "load_average": os.getloadavg(), "rows": rows}
    text = json.dumps(res, indent=1)
    print(text)
    if a.out:
        with open(a.out, "w") as fh:
            fh.write(text + "\n")


if __name__ == "__main__":
    main()
