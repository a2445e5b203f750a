"""Circuit-engine benchmarks against peers measured in the same run; prints JSON.

Cases (issue 2):
- loss + gradient, Pauli generators, 64-term random Pauli-sum H, (n=8, p=512) and (n=10, p=2048):
  rmt_qgm adjoint kernel vs qulacs ``ParametricQuantumCircuit.backprop`` and vs a plain numpy adjoint
  implementation (written below);
- exact Hessian at (n=8, p=512): rmt_qgm vs a central finite-difference Hessian from qulacs backprop
  (2p gradient calls; qulacs has no exact Hessian);
- certified local minima per second at (n=6, gamma=0.5 -> p=64, randomized ansatz, fidelity loss) with
  2 workers, batched path (``batch``, issue 22) and single-start path, vs the same L-BFGS loop driven by
  qulacs (dense Haar gates + parametric RZ) without certification, 2 processes;
- second-order endgame (issue 22): iterations and seconds per start with and without it at n = 6,
  gamma = 0.75, 1, 1.25 (``--cases endgame``);
- seconds per instance (one start) at gamma = 1: n = 7 with and without the endgame
  (``--cases instance7``), n = 8 on paper-fig1's own first instances (seed 0) with the exact-Hessian
  endgame and the truncated-Newton one (``endgame="cg"``, ``--cases instance8``, about 20 minutes; the plain
  path's 4-28 minutes per instance, issue 22, are too long for a benchmark run on a shared host), wall and
  CPU seconds per instance and the minima of both;
- paper-fig1's whole n = 8, gamma = 1 column (52 instances, one start each, endgame "cg", 2 workers) against the
  issue-22 target of 30 minutes, with every minimum compared to the archived plain-path store
  (``--cases column8``, about 30 minutes on 2 idle cores; ``--column-instances K`` for the first K;
  ``--column-partial FILE`` writes each instance's record as it completes, and a rerun resumes from it);
- whether the dense kernels of the randomized ansatz at n = 8, p = 512 (0.5 GB of gates) slow down when two
  processes run them at once (``--cases contention``, one minute);
- loss + gradient at (n=12, p=8192), Pauli generators, against the same peers (``--cases lossgrad12``), and
  certified minima per second at (n=8, gamma=0.5 -> p=256) as the n = 6 case (``--cases minima8``, a few
  minutes); the rate at (n=8, gamma=1) is the column's (``column8``: certified minima per wall second);
- the exact Hessian at (n=10, p=2048) and (n=12, p=8192), seconds and peak memory (``--cases hessian_large``).

Every timing is the median of repeats after a warm-up (numba compiles on first call). BLAS threads are
limited to 1 (threadpoolctl). Run:  python benchmarks/bench_circuits.py [--quick] [--cases ...] [--out F]\nRecorded runs: benchmarks/results/bench_circuits_*.json (with the host's load average: shared hosts).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from threadpoolctl import threadpool_limits
from tqdm import tqdm

from rmt_qgm.circuits.ansatz import build_circuit, initial_state
from rmt_qgm.hamiltonians import parse_hamiltonian, random_pauli_sum
from rmt_qgm.spec import parse_psi0


def timeit(fn, repeats):
    fn()
    ts = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return float(np.median(ts))


def numpy_adjoint(circ, ham, theta, psi0):
    """Plain numpy adjoint loss + gradient for Pauli-rotation circuits (the baseline)."""
    dim = circ.dim
    y = np.arange(dim)
    gates = []
    for op in circ.ops:
        xm, zm = int(op[1]), int(op[2])
        src = y ^ xm
        par = np.array([bin(int(s) & zm).count("1") & 1 for s in src]) if zm else np.zeros(dim, int)
        ph = (1j ** bin(xm & zm).count("1")) * (1 - 2 * par)
        gates.append((src, ph, int(op[3])))
    H = ham

    def P(v, g):
        return g[1] * v[g[0]]

    psi = psi0.copy()
    for g in gates:
        t = theta[g[2]]
        psi = np.cos(t) * psi - 1j * np.sin(t) * P(psi, g)
    lam = H.apply(psi)
    f = np.vdot(psi, lam).real
    grad = np.empty(len(gates))
    for g in reversed(gates):
        grad[g[2]] = 2 * np.vdot(lam, P(psi, g)).imag
        t = theta[g[2]]
        psi = np.cos(t) * psi + 1j * np.sin(t) * P(psi, g)
        lam = np.cos(t) * lam + 1j * np.sin(t) * P(lam, g)
    return f, grad


def qulacs_pauli(circ, ham, theta):
    import qulacs
    n = circ.n
    qc = qulacs.ParametricQuantumCircuit(n)
    for k, g in enumerate(circ.generators):
        idx = [q for q in range(n) if g[q] != "I"]
        qc.add_parametric_multi_Pauli_rotation_gate(idx, ["IXYZ".index(g[q]) for q in idx], -2 * theta[k])
    obs = qulacs.Observable(n)
    for coef, w in ham.pauli_terms:
        obs.add_operator(coef, " ".join(f"{c} {q}" for q, c in enumerate(w.label()) if c != "I"))
    return qc, obs


def pauli_case(n, p, rng):
    """Random Pauli-generator circuit, 64-term random Pauli-sum H, random angles, |0...0>."""
    circ = build_circuit("pauli", n, p, rng)
    ham = parse_hamiltonian(random_pauli_sum(n, 64, rng), n)
    return circ, ham, rng.uniform(0, 2 * np.pi, p), initial_state(parse_psi0("zero"), n, None)


def case_loss_grad(n, p, repeats, rng):
    circ, ham, theta, psi0 = pauli_case(n, p, rng)
    ours = timeit(lambda: circ.loss_and_grad(theta, psi0, ham), repeats)
    qc, obs = qulacs_pauli(circ, ham, theta)
    peer = timeit(lambda: qc.backprop(obs), repeats)
    base = timeit(lambda: numpy_adjoint(circ, ham, theta, psi0), max(1, repeats // 5))
    g_ours = circ.loss_and_grad(theta, psi0, ham)[1]
    agree = float(max(np.abs(g_ours + 2 * np.array(qc.backprop(obs))).max(),
                      np.abs(g_ours - numpy_adjoint(circ, ham, theta, psi0)[1]).max()))
    return {"case": f"loss+grad n={n} p={p}", "rmt_qgm_s": ours, "qulacs_backprop_s": peer,
            "numpy_adjoint_s": base, "speedup_vs_qulacs": peer / ours, "speedup_vs_numpy": base / ours,
            "max_grad_disagreement": agree}


def case_hessian(n, p, repeats, rng):
    circ, ham, theta, psi0 = pauli_case(n, p, rng)
    ours = timeit(lambda: circ.hessian(theta, psi0, ham), repeats)
    qc, obs = qulacs_pauli(circ, ham, theta)
    h = 1e-5

    def fd():
        out = np.empty((p, p))
        for k in range(p):
            qc.set_parameter(k, -2 * (theta[k] + h))
            gp = np.array(qc.backprop(obs))
            qc.set_parameter(k, -2 * (theta[k] - h))
            gm = np.array(qc.backprop(obs))
            qc.set_parameter(k, -2 * theta[k])
            out[k] = -2 * (gp - gm) / (2 * h)
        return out

    t = time.perf_counter()
    hfd = fd()
    peer = time.perf_counter() - t
    err = float(np.abs(circ.hessian(theta, psi0, ham) - hfd).max())
    return {"case": f"exact Hessian n={n} p={p}", "rmt_qgm_s": ours,
            "qulacs_fd_hessian_s": peer, "speedup_vs_qulacs_fd": peer / ours,
            "max_abs_diff_vs_fd": err, "target_s": 0.25}


def _large_hessian(args):
    """(seconds, peak RSS GiB, max |H - H^T|) of one exact Hessian of a Pauli circuit at (n, p), in a fresh process
    (so that the peak RSS is this Hessian's)."""
    n, p = args
    rng = np.random.default_rng(12)
    circ, ham, theta, psi0 = pauli_case(n, p, rng)
    with threadpool_limits(1):
        t = time.perf_counter()
        hess = circ.hessian(theta, psi0, ham)
        sec = time.perf_counter() - t
    return sec, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2 ** 20, float(np.abs(hess - hess.T).max())


def case_large_hessian(sizes=((10, 2048), (12, 8192))):
    """Exact Hessian at n = 10-12, p = 2^(n+1) (issue 22 item 3): seconds and peak memory of one call, each in its
    own process (numba's cache warm; the first call's compile/load is inside the time). No peer: a finite-difference
    Hessian from qulacs at these sizes needs 2p gradients (hours)."""
    out = []
    for n, p in sizes:
        with ProcessPoolExecutor(1) as pool:
            sec, rss, asym = pool.submit(_large_hessian, (n, p)).result()
        out.append({"case": f"exact Hessian n={n} p={p} (Pauli generators, 64-term Pauli-sum H)", "rmt_qgm_s": sec,
                    "peak_rss_gib": rss, "hessian_gib": p * p * 8 / 2 ** 30, "max_asymmetry": asym,
                    "memory_limit_gib (issue 22)": 8})
    return out


def _qulacs_starts(args):
    """L-BFGS from uniform starts on the randomized model built in qulacs (no certification)."""
    import qulacs
    from scipy.optimize import minimize
    n, p, seed, n_starts = args
    from rmt_qgm.seeding import generator
    circ = build_circuit("randomized", n, p, generator(seed, "instance", 0, "circuit"))
    psi0 = initial_state(parse_psi0("haar"), n, generator(seed, "instance", 0, "psi0"))
    qc = qulacs.ParametricQuantumCircuit(n)
    allq = list(range(n))
    prep = np.linalg.qr(np.column_stack([psi0, np.eye(2 ** n)[:, 1:]]))[0]
    prep = prep * (np.vdot(prep[:, 0], psi0) / abs(np.vdot(prep[:, 0], psi0)))  # column 0 = psi0
    qc.add_dense_matrix_gate(allq, prep)
    qc.add_dense_matrix_gate(allq, circ.dense[0])
    for k in range(p):
        qc.add_parametric_RZ_gate(0, 0.0)
        qc.add_dense_matrix_gate(allq, circ.dense[k + 1])
    # fidelity loss I - |0><0| with |0><0| = prod_q (I + Z_q)/2, expanded into 2^n Z-strings
    obs = qulacs.Observable(n)
    obs.add_operator(1.0, "")
    for mask in range(2 ** n):
        word = " ".join(f"Z {q}" for q in range(n) if (mask >> q) & 1)
        obs.add_operator(-1.0 / 2 ** n, word)
    state = qulacs.QuantumState(n)
    rng = generator(seed, "qulacs-peer")

    def fun(th):
        for k in range(p):
            qc.set_parameter(k, -2 * th[k])        # qulacs RZ(phi) = exp(+i phi Z / 2)
        state.set_zero_state()
        qc.update_quantum_state(state)
        f = obs.get_expectation_value(state)
        # backprop differentiates from the circuit's own initial state |0...0>: prepend psi0 prep
        g = -2.0 * np.array(qc.backprop(obs))
        return f, g

    ham = parse_hamiltonian("fidelity", n)
    th0 = rng.uniform(0, 2 * np.pi, p)
    f_q, g_q = fun(th0)
    f_o, g_o = circ.loss_and_grad(th0, psi0, ham)
    disagreement = max(abs(f_q - f_o), float(np.abs(g_q - g_o).max()))
    found = 0
    with threadpool_limits(1):
        for _ in range(n_starts):
            res = minimize(fun, rng.uniform(0, 2 * np.pi, p), jac=True, method="L-BFGS-B",
                           options={"maxiter": 20000, "gtol": 1e-10, "ftol": 1e-15, "maxcor": 30})
            found += int(res.success or res.status == 2)
    return found, disagreement


def case_minima_rate(n, p, starts, workers, batch=128):
    """Sustained rate over 2 instances x ``starts`` starts, for the single-start path (batch=0) and the
    batched path (batch=B), both certified; worker start-up (process pool, numba cache load) is inside
    the timed region, so short runs understate the rate. Peer: the same L-BFGS loop driven by qulacs
    (scipy L-BFGS-B), uncertified, min(starts, 12) starts per process."""
    from rmt_qgm.simulate import run_simulation
    run_simulation(n, p, starts=2, instances=1, seed=99, workers=1)           # warm-up / compile
    run_simulation(n, p, starts=2, instances=1, seed=99, workers=1, batch=2)
    rates = {}
    cpu = {}
    for b in (0, batch):
        c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        res = run_simulation(n, p, ansatz="randomized", hamiltonian="fidelity", starts=starts,
                             instances=2, seed=1, workers=workers, batch=b)
        rates[b] = (res.summary()["minima"]["certified"], time.perf_counter() - t, res.arrays())
        c1 = resource.getrusage(resource.RUSAGE_CHILDREN)      # the pool's workers, reaped at its end
        cpu[b] = (c1.ru_utime - c0.ru_utime) + (c1.ru_stime - c0.ru_stime)
    t = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        parts = list(pool.map(_qulacs_starts, [(n, p, 1 + w, min(starts, 12)) for w in range(workers)]))
    peer_found = sum(x[0] for x in parts)
    peer_s = time.perf_counter() - t
    peer_rate = peer_found / peer_s
    ours_rate = rates[batch][0] / rates[batch][1]
    single_rate = rates[0][0] / rates[0][1]
    fa, fb = rates[0][2]["F"], rates[batch][2]["F"]
    return {"case": f"certified minima/s n={n} p={p} randomized fidelity workers={workers}",
            "batch": batch, "rmt_qgm_minima_per_s": ours_rate, "rmt_qgm_certified_minima": rates[batch][0],
            "rmt_qgm_seconds": rates[batch][1], "rmt_qgm_starts": 2 * starts,
            "rmt_qgm_single_start_path_minima_per_s": single_rate,
            "rmt_qgm_single_start_path_certified_minima": rates[0][0],
            "batch_over_single_path": ours_rate / single_rate,
            "same_minimum_batch_vs_single (|dF| <= 1e-9)": float(np.mean(np.abs(fa - fb) <= 1e-9)),
            "worker_cpu_seconds": cpu[batch], "worker_cpu_seconds_single_start_path": cpu[0],
            "minima_per_worker_cpu_s": rates[batch][0] / cpu[batch] if cpu[batch] else None,
            "projection_idle_host_minima_per_s (workers x minima per CPU s; not measured)":
                workers * rates[batch][0] / cpu[batch] if cpu[batch] else None,
            "qulacs_lbfgs_converged_per_s (uncertified)": peer_rate,
            "ratio_vs_qulacs": ours_rate / peer_rate if peer_rate else None,
            **({"goal_per_s": 50, "goal_met": bool(ours_rate >= 50)} if (n, p) == (6, 64) else {}),   # issue 22's goal
            "peer_objective_max_disagreement": max(x[1] for x in parts),
            "load_average_1min_at_end": os.getloadavg()[0], "cpu_count": os.cpu_count()}


def _instance_time(args):
    """One instance, one start; ``fig1`` = True takes paper-fig1's task i (seed 0) instead of seed + i."""
    from rmt_qgm.simulate import run_simulation
    n, p, seed, i, endgame, fig1 = (*args, False) if len(args) == 5 else args
    if fig1:
        from rmt_qgm.paper_fig1 import sweep_config
        seed, i = sweep_config((n,), (p / 2 ** (n + 1),), 0).tasks[i].seed, 0
    t, c = time.perf_counter(), time.process_time()
    res = run_simulation(n, p, ansatz="randomized", hamiltonian="fidelity", starts=1, instances=1,
                         seed=seed + i, workers=1, endgame=endgame)
    r = res.arrays()
    return (time.perf_counter() - t, int(r["iterations"][0]), bool(r["certified"][0]), float(r["F"][0]),
            int(r["index"][0]), int(res.records["endgame_steps"][0]) if "endgame_steps" in res.records else -1,
            time.process_time() - c)


_MODE_NAMES = {False: "lbfgs", True: "endgame", "cg": "endgame_cg"}


def case_instance_time(n, gm, instances, workers=2, endgame_modes=(False, True), fig1=False):
    """Seconds per instance (one start each, as in paper-fig1's columns) at (n, gamma), randomized
    ansatz, fidelity loss, for the plain L-BFGS path and the endgames; instances run in parallel on
    ``workers`` processes, each timed on its own (including its certification Hessian; wall and CPU)."""
    p = int(round(gm * 2 ** (n + 1)))
    _instance_time((n, 8, 0, 0, True))                                  # compile
    _instance_time((n, 8, 0, 0, "cg"))
    out = {"case": f"time per instance n={n} gamma={gm} p={p} randomized fidelity, 1 start"
                   + (" (paper-fig1 seed-0 instances)" if fig1 else ""), "instances": instances}
    for eg in endgame_modes:
        with ProcessPoolExecutor(workers) as pool:
            res = list(pool.map(_instance_time, [(n, p, 7000, i, eg, fig1) for i in range(instances)]))
        out[_MODE_NAMES[eg]] = {
            "seconds": [r[0] for r in res], "seconds_median": float(np.median([r[0] for r in res])),
            "cpu_seconds": [r[6] for r in res], "iterations": [r[1] for r in res],
            "certified": int(sum(r[2] for r in res)), "F": [r[3] for r in res], "index": [r[4] for r in res],
            "newton_steps": [r[5] for r in res], "load_average_1min_after": os.getloadavg()[0]}
    out["load_average_1min_at_end"] = os.getloadavg()[0]
    return out


FIG1_STORE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "validation", "results", "paper-fig1",
                          "paper-fig1-sims")


def _archived_F(store: str, task) -> float | None:
    """F of the archived paper-fig1 run of ``task`` (the plain L-BFGS path), or None if not stored."""
    from rmt_qgm.store import read_result
    from rmt_qgm.sweep.task_store import TaskStore
    path = TaskStore(store).result_path(task.name)
    if not os.path.exists(path):
        return None
    meta, arrays = read_result(path)
    if "F" in arrays and arrays["F"].size:
        return float(arrays["F"][0])
    f = meta["summary"]["minima"]["F"]
    return float(f[0]) if f else None


def case_column8(instances=52, workers=2, store=FIG1_STORE, partial=None):
    """paper-fig1's n = 8, gamma = 1 column as paper-fig1 runs it (one start per instance, endgame "cg"), on
    ``workers`` processes: total wall time (the issue-22 target: 52 instances in <= 30 min on 2 cores), CPU
    per instance, certified count, and |F - F_archived| per instance against the archived store of the plain
    L-BFGS path (``python -m validation.artefacts unpack paper-fig1`` writes it to FIG1_STORE).

    Each instance's record is written to ``partial`` (JSON, atomically) as soon as it completes, so that an
    interrupted run loses no finished instance; a rerun with the same ``partial`` file runs only the missing
    ones (the wall time then covers this run only, and ``resumed`` says how many were taken from the file)."""
    from concurrent.futures import as_completed

    from rmt_qgm.paper_fig1 import sweep_config
    from rmt_qgm.store import atomic_write_json
    tasks = sweep_config((8,), (1.0,), 0).tasks[:instances]
    done: dict[int, list] = {}
    if partial and os.path.exists(partial):
        with open(partial, encoding="utf-8") as fh:
            done = {int(k): v for k, v in json.load(fh)["records"].items() if int(k) < len(tasks)}
    resumed = len(done)
    _instance_time((8, 8, 0, 0, "cg"))                                  # compile / load the numba cache
    with ProcessPoolExecutor(1) as pool:          # this host's speed on the column's kernels, for comparing runs
        calib = pool.submit(_dense_times).result()
    t = time.perf_counter()
    todo = [i for i in range(len(tasks)) if i not in done]
    with ProcessPoolExecutor(workers) as pool:
        futs = {pool.submit(_instance_time, (8, 512, 0, i, "cg", True)): i for i in todo}
        for fut in tqdm(as_completed(futs), total=len(futs), desc="column8", unit="instance"):
            done[futs[fut]] = list(fut.result())
            if partial:
                atomic_write_json(partial, {"case": "column8 partial records (wall, iterations, certified, F, "
                                                    "index, newton_steps, cpu) per paper-fig1 instance",
                                            "records": {str(k): v for k, v in sorted(done.items())}})
    wall = time.perf_counter() - t
    res = [done[i] for i in range(len(tasks))]
    ref = [_archived_F(store, task) if os.path.isdir(store) else None for task in tasks]
    dF = [abs(r[3] - f) if f is not None else None for r, f in zip(res, ref)]
    cpu = [r[6] for r in res]
    known = [d for d in dF if d is not None]
    certified = int(sum(r[2] for r in res))
    return {"case": f"paper-fig1 column n=8 gamma=1 p=512, {len(tasks)} instances, endgame cg, workers={workers}",
            "wall_seconds_total": wall, "resumed": resumed, "target_wall_seconds_for_52": 1800.0,
            "cpu_seconds": cpu, "cpu_seconds_mean": float(np.mean(cpu)),
            "projection_52_on_2_idle_cores_min (52 x mean CPU / 2)": 52 * float(np.mean(cpu)) / 2 / 60,
            "seconds": [r[0] for r in res], "certified": certified,
            "index": [r[4] for r in res], "F": [r[3] for r in res], "F_archived_plain_path": ref,
            "abs_dF_vs_archived": dF, "same_minimum_1e-9": int(sum(d <= 1e-9 for d in known)),
            "compared": len(known), "newton_steps": [r[5] for r in res],
            "certified_minima_per_s (issue 22 item 4: n = 8, gamma = 1, one start per instance)":
                certified / wall if not resumed else None,
            "load_average_1min_at_end": os.getloadavg()[0], "cpu_count": os.cpu_count(),
            "host_calibration_before": {"loss_grad_ms": calib[0], "hessian_blas_s": calib[1],
                                        "what": "one randomized circuit n = 8, p = 512, one process alone, "
                                                "BLAS 1 thread (_dense_times)"}}


def _dense_times(_=None):
    """(loss+grad ms, BLAS Hessian s) of one randomized circuit at n = 8, p = 512 in this process (BLAS 1 thread)."""
    from rmt_qgm.circuits.newton_cg import hessian_blas
    rng = np.random.default_rng(1)
    circ = build_circuit("randomized", 8, 512, rng)
    ham = parse_hamiltonian("fidelity", 8)
    psi0 = initial_state(parse_psi0("haar"), 8, rng)
    th = rng.uniform(0, np.pi, 512)
    with threadpool_limits(1):
        circ.loss_and_grad(th, psi0, ham)
        hessian_blas(circ, th, psi0, ham)
        t = time.perf_counter()
        for _ in range(40):
            circ.loss_and_grad(th, psi0, ham)
        lg = (time.perf_counter() - t) / 40 * 1e3
        t = time.perf_counter()
        for _ in range(2):
            hessian_blas(circ, th, psi0, ham)
    return lg, (time.perf_counter() - t) / 2


def case_contention(workers=2):
    """Do the dense kernels of the randomized ansatz (n = 8, p = 512: 513 Haar unitaries, 0.5 GB) slow down when
    ``workers`` processes run them at once (shared memory bandwidth)? One process alone, then ``workers`` at once."""
    with ProcessPoolExecutor(1) as pool:
        alone = pool.submit(_dense_times).result()
    with ProcessPoolExecutor(workers) as pool:
        together = list(pool.map(_dense_times, range(workers)))
    return {"case": f"dense randomized n=8 p=512: one process alone, then {workers} at once",
            "alone_loss_grad_ms": alone[0], "alone_hessian_blas_s": alone[1],
            "together_loss_grad_ms": [r[0] for r in together], "together_hessian_blas_s": [r[1] for r in together],
            "slowdown_loss_grad": float(np.mean([r[0] for r in together]) / alone[0]),
            "load_average_1min_at_end": os.getloadavg()[0], "cpu_count": os.cpu_count()}


def _endgame_one(args):
    """One start with and without the endgame (same seed); returns the two records' numbers."""
    from rmt_qgm.circuits.optimize import optimise_start
    from rmt_qgm.seeding import generator
    from rmt_qgm.simulate import _instance_objects, _validate
    n, p, seed, j = args
    params = _validate(n, p, "randomized", "fidelity", 1, 1, seed, "haar", None, 1)
    circ, psi0 = _instance_objects(params, 0)
    ham = parse_hamiltonian("fidelity", n)
    out = {}
    for eg in (False, True):
        r = optimise_start(circ, psi0, ham, generator(seed, "instance", 0, "start", j), endgame=eg)
        out[eg] = (r.iterations, r.endgame_steps, r.seconds, r.F, r.certified, r.index)
    return out


def case_endgame(n, gammas, starts, seed=5, workers=2):
    """L-BFGS alone vs L-BFGS + trust-region Newton endgame (exact Hessian) on the same starts of one
    randomized-ansatz instance per gamma (fidelity loss). Per start: iterations (L-BFGS + Newton),
    seconds including certification; 'same_minimum' = |F_plain - F_endgame| <= 1e-9."""
    from rmt_qgm.circuits.optimize import ENDGAME_GTOL, STALL_FACTOR, STALL_WINDOW
    _endgame_one((n, 8, seed, 0))                                    # compile
    rows = []
    for gm in gammas:
        p = int(round(gm * 2 ** (n + 1)))
        with ProcessPoolExecutor(workers) as pool:
            res = list(pool.map(_endgame_one, [(n, p, seed, j) for j in range(starts)]))
        row = {"gamma": gm, "n": n, "p": p, "starts": starts}
        for eg, name in ((False, "lbfgs"), (True, "endgame")):
            it = np.array([r[eg][0] for r in res])
            row[name] = {"iterations_median": float(np.median(it)), "iterations_max": int(it.max()),
                         "newton_steps_median": float(np.median([r[eg][1] for r in res])),
                         "seconds_median": float(np.median([r[eg][2] for r in res])),
                         "seconds_total": float(sum(r[eg][2] for r in res)),
                         "certified": int(sum(r[eg][4] for r in res)),
                         "minima": int(sum(r[eg][4] and r[eg][5] == 0 for r in res))}
        row["time_ratio_lbfgs_over_endgame"] = row["lbfgs"]["seconds_total"] / row["endgame"]["seconds_total"]
        row["same_minimum"] = float(np.mean([abs(r[False][3] - r[True][3]) <= 1e-9 for r in res]))
        rows.append(row)
    return {"case": f"second-order endgame n={n} randomized fidelity", "endgame_gtol": ENDGAME_GTOL,
            "stall_window": STALL_WINDOW, "stall_factor": STALL_FACTOR, "rows": rows,
            "load_average_1min": os.getloadavg()[0]}


CASES = ("lossgrad", "hessian", "minima", "endgame", "instance7", "instance8", "column8", "contention",
         "lossgrad12", "minima8", "hessian_large")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer repeats, skip n=10")
    ap.add_argument("--cases", default="lossgrad,hessian,minima",
                    help=f"comma-separated subset of {','.join(CASES)} (endgame and instance8 take minutes)")
    ap.add_argument("--batch", type=int, default=128, help="batch width of the batched path")
    ap.add_argument("--column-instances", type=int, default=52,
                    help="column8: the first K of paper-fig1's 52 n = 8, gamma = 1 instances")
    ap.add_argument("--column-partial", default=None,
                    help="column8: per-instance records written here as they complete; a rerun resumes from it")
    ap.add_argument("--out", default=None, help="also write the JSON here")
    a = ap.parse_args(argv)
    cases = a.cases.split(",")
    rng = np.random.default_rng(2026)
    reps = 3 if a.quick else 10
    out = []
    with threadpool_limits(1):
        if "lossgrad" in cases:
            out.append(case_loss_grad(8, 512, reps, rng))
            if not a.quick:
                out.append(case_loss_grad(10, 2048, reps, rng))
        if "hessian" in cases:
            out.append(case_hessian(8, 512, reps, rng))
        if "lossgrad12" in cases:                 # issue 22 item 4: loss + gradient at n = 12, p = 2^(n+1)
            out.append(case_loss_grad(12, 8192, reps, rng))
    if "minima" in cases:
        out.append(case_minima_rate(6, 64, 24 if a.quick else 200, 2, a.batch))
    if "hessian_large" in cases:                  # issue 22 item 3: a few minutes
        out.extend(case_large_hessian())
    if "minima8" in cases:                        # issue 22 item 4: (8, gamma = 0.5), a few minutes
        out.append(case_minima_rate(8, 256, 2 if a.quick else 4, 2, a.batch))
    if "endgame" in cases:
        out.append(case_endgame(6, (0.75, 1.0, 1.25), 4 if a.quick else 8))
    if "instance7" in cases:
        out.append(case_instance_time(7, 1.0, 2))
    if "instance8" in cases:                      # the plain path takes 4-28 min per instance here
        out.append(case_instance_time(8, 1.0, 2, endgame_modes=(True, "cg"), fig1=True))
    if "column8" in cases:                        # about 30 min on 2 idle cores: the whole paper-fig1 column
        out.append(case_column8(a.column_instances, partial=a.column_partial))
    if "contention" in cases:
        out.append(case_contention())
    text = json.dumps(out, indent=2)
    print(text)
    if a.out:
        with open(a.out, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
