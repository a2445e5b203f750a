"""Simulation API: certified local minima of random circuits, and evaluation of one circuit.

``run_simulation`` draws ``instances`` random circuits of an ansatz family and runs ``starts``
certified local optimisations on each (:mod:`rmt_qgm.circuits.optimize`). Seeds are keyed by identity:
instance i's circuit and initial state come from ``generator(seed, "instance", i, "circuit" | "psi0")``
and start j from ``generator(seed, "instance", i, "start", j)``, so the numbers do not depend on the
number of workers. gamma = p / 2^(n+1).

A local minimum here is a certified critical point (max |grad| <= 1e-8) with Hessian index 0 (kind
``minimum`` or ``degenerate``). It counts as global when F - E0 <= GLOBAL_REL_TOL * (Ebar - E0).
Optimiser-found minima are basin-weighted samples, not a uniform sample of all minima (docs/theory.md §6.3).

``batch = B > 0`` runs the starts of an instance B at a time in lock-step
(:func:`rmt_qgm.circuits.optimize.optimise_batch`: the shared gates become matrix-matrix products);
tasks are then chunks of 2B starts, so the results still do not depend on the number of workers.
``batch = 0`` (default) is the one-start-at-a-time path.

``generators_file`` (issue 20): the circuit of a generators file, gate k = exp(-i theta_k G_(k mod L)) with
G any real Pauli sum, compiled to exact coefficient-carrying gates (:mod:`rmt_qgm.circuits.structured`);
certification as above (angles are reported modulo each gate's period, where it has one); the batched path
takes it too. ``endgame=True`` finishes starts whose L-BFGS
stalls or nears convergence with trust-region Newton steps on the exact Hessian (same module).
"""
from __future__ import annotations

import itertools
import os
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import threadpool_limits

from . import gamma_of
from .checks import check_choice, check_int, check_qubits
from .circuits.ansatz import ANSATZE, build_circuit, initial_state
from .circuits.optimize import KIND_CODES, endgame_param, optimise_batch, optimise_start
from .errors import UserInputError
from .hamiltonians import parse_hamiltonian
from .interrupt import deferred_sigint, ignore_sigint
from .seeding import canonical_json, generator
from .spec import parse_psi0, parse_pauli_string

GLOBAL_REL_TOL = 1e-6
#: tasks (chunks of starts) submitted per worker process at a time
IN_FLIGHT_PER_WORKER = 8


@dataclass
class SimulationResult:
    """Per-start records of a simulation plus its parameters; see :func:`run_simulation`."""

    params: dict
    records: dict = field(repr=False)
    seconds: float = 0.0

    def arrays(self) -> dict[str, np.ndarray]:
        return dict(self.records)

    def summary(self) -> dict:
        r = self.records
        mins = r["certified"].astype(bool) & (r["index"] == 0)
        F = np.sort(r["F"][mins])
        E0, Eb = self.params["E0"], self.params["Ebar"]
        glob = F - E0 <= GLOBAL_REL_TOL * (Eb - E0)

        def q(x):
            return float(np.quantile(F, x)) if F.size else float("nan")

        return {
            "gamma": self.params["gamma"], "n_qubits": self.params["n_qubits"],
            "n_params": self.params["n_params"], "ansatz": self.params["ansatz"],
            "hamiltonian": self.params["hamiltonian"], "E0": E0, "Ebar": Eb,
            "units": "F = <psi|H|psi> (raw loss)",
            "minima": {"F": F.tolist(), "certified": int(mins.sum()), "median": q(0.5), "q10": q(0.1),
                       "q90": q(0.9), "frac_global": float(glob.mean()) if F.size else float("nan"),
                       "degenerate": int((mins & (r["kind"] == KIND_CODES["degenerate"])).sum())},
            "saddles": int((r["certified"].astype(bool) & (r["index"] > 0)).sum()),
            "uncertified": int((~r["certified"].astype(bool)).sum()),
            "starts_total": int(r["F"].size),
            "seconds": self.seconds,
        }


def _instance_objects(params: dict, i: int):
    seed = params["seed"]
    if params.get("generator_lines") is not None:       # a generators file: the same circuit in every instance
        from .algebra.generators import parse_generator_line
        from .circuits.structured import generator_circuit
        n = params["n_qubits"]
        circuit = generator_circuit(n, params["n_params"],
                                    [parse_generator_line(g, n, "generators") for g in params["generator_lines"]])
    else:
        circuit = build_circuit(params["ansatz"], params["n_qubits"], params["n_params"],
                                generator(seed, "instance", i, "circuit"), params["generators"])
    psi0 = initial_state(parse_psi0(params["psi0"]), params["n_qubits"],
                         generator(seed, "instance", i, "psi0"))
    return circuit, psi0


_INSTANCE_CACHE: dict = {}


def _cached_instance(params: dict, i: int):
    """(Hamiltonian, circuit, psi0) of instance i, kept for the next chunk of the same instance."""
    key = (canonical_json(params), i)
    if key not in _INSTANCE_CACHE:
        _INSTANCE_CACHE.clear()                 # one instance at a time: bounded memory
        ham = parse_hamiltonian(params["hamiltonian"], params["n_qubits"])
        _INSTANCE_CACHE[key] = (ham, *_instance_objects(params, i))
    return _INSTANCE_CACHE[key]


def _run_chunk(params: dict, i: int, starts: list[int]) -> list[tuple]:
    out = []
    endgame = params.get("endgame", False)
    # once per chunk (entering the context costs ~1 ms); the circuit's construction inside it too: its Haar
    # unitaries' QR on two BLAS threads in each of two workers cost 2x the CPU (n = 8, p = 512: 27 s, not 12 s)
    with threadpool_limits(limits=1):
        ham, circuit, psi0 = _cached_instance(params, i)
        if params.get("batch", 0):
            rngs = [generator(params["seed"], "instance", i, "start", j) for j in starts]
            recs = optimise_batch(circuit, psi0, ham, rngs, width=params["batch"], limit_threads=False,
                                  endgame=endgame)
            return [(i, j, rec) for j, rec in zip(starts, recs)]
        for j in starts:
            rec = optimise_start(circuit, psi0, ham, generator(params["seed"], "instance", i, "start", j),
                                 limit_threads=False, endgame=endgame)
            out.append((i, j, rec))
    return out


def _validate(n_qubits, n_params, ansatz, hamiltonian, starts, instances, seed, psi0, generators,
              workers, batch=0, endgame=False, generators_file=None) -> dict:
    n = check_qubits(n_qubits, "qubits")
    p = check_int("params", n_params, 1)
    if generators_file is not None:
        return _validate_generators_file(n, p, ansatz, hamiltonian, starts, instances, seed, psi0, generators,
                                         workers, batch, endgame, generators_file)
    check_choice("ansatz", ansatz, ANSATZE)
    ham = parse_hamiltonian(hamiltonian, n)
    psi = parse_psi0(psi0)
    if generators is not None:
        if ansatz != "pauli":
            raise UserInputError("generators can only be given with ansatz pauli")
        gens = [parse_pauli_string(g, n, name="generators").label() for g in generators]
        if len(gens) != p:
            raise UserInputError(f"generators must list exactly params = {p} Pauli words; got {len(gens)}")
    else:
        gens = None
    return {"n_qubits": n, "n_params": p, "gamma": gamma_of(n, p), "ansatz": ansatz,
            "hamiltonian": ham.spec, "starts": check_int("starts", starts, 1),
            "instances": check_int("instances", instances, 1), "seed": check_int("seed", seed, 0),
            "psi0": str(psi), "generators": gens, "workers": check_int("workers", workers, 1),
            "E0": ham.ground_energy, "Ebar": ham.mean_energy, "batch": check_int("batch", batch, 0),
            "endgame": endgame_param(endgame)}


def _validate_generators_file(n, p, ansatz, hamiltonian, starts, instances, seed, psi0, generators, workers,
                              batch, endgame, generators_file) -> dict:
    """Parameters of a generators-file simulation (ansatz ``generators``; module docstring)."""
    from .algebra.generators import read_generators
    if ansatz not in ("generators", "randomized"):   # randomized: the API's default, i.e. not chosen
        raise UserInputError(f"ansatz: a generators file is its own circuit; leave ansatz unset (got {ansatz!r})")
    if generators is not None:
        raise UserInputError("generators: give Pauli words or a generators file, not both")
    lines = [g.to_string() for g in read_generators(generators_file, n)]
    ham = parse_hamiltonian(hamiltonian, n)
    return {"n_qubits": n, "n_params": p, "gamma": gamma_of(n, p), "ansatz": "generators",
            "hamiltonian": ham.spec, "starts": check_int("starts", starts, 1),
            "instances": check_int("instances", instances, 1), "seed": check_int("seed", seed, 0),
            "psi0": str(parse_psi0(psi0)), "generators": None, "generators_file": str(generators_file),
            "generator_lines": lines, "workers": check_int("workers", workers, 1),
            "E0": ham.ground_energy, "Ebar": ham.mean_energy, "batch": check_int("batch", batch, 0),
            "endgame": endgame_param(endgame)}


def run_simulation(n_qubits: int, n_params: int, ansatz: str = "randomized",
                   hamiltonian: str = "fidelity", starts: int = 8, instances: int = 1, seed: int = 0,
                   psi0: str | None = "haar", generators: list[str] | None = None, workers: int = 1,
                   progress: bool = False, batch: int = 0, endgame: bool = False,
                   generators_file: str | None = None) -> SimulationResult:
    """Certified multi-start local optimisation of ``instances`` random circuits (module docstring).

    ``generators_file``: the circuit of a generators file (:mod:`rmt_qgm.algebra.generators`; gate k =
    exp(-i theta_k G_(k mod L)), exact for any real Pauli sum, :mod:`rmt_qgm.circuits.structured`); every
    instance has the same circuit and its own initial state (psi0 haar) and starts."""
    params = _validate(n_qubits, n_params, ansatz, hamiltonian, starts, instances, seed, psi0,
                       generators, workers, batch, endgame, generators_file)
    t0 = time.perf_counter()
    n_starts = params["starts"]
    chunk = max(1, min(n_starts, 2 * params["batch"] if params["batch"] else 4))
    tasks = [(i, list(range(s, min(s + chunk, n_starts))))
             for i in range(params["instances"]) for s in range(0, n_starts, chunk)]
    total = params["instances"] * n_starts
    bar = None
    if progress:
        from tqdm import tqdm
        bar = tqdm(total=total, desc="starts", unit="start", dynamic_ncols=True)
    results: list[tuple] = []
    try:
        with deferred_sigint() as stop:
            if params["workers"] == 1:
                for i, js in tasks:
                    # one start (or one batch) at a time, so Ctrl-C is honoured promptly
                    for js1 in ([js] if params["batch"] else [[j] for j in js]):
                        stop.check()
                        part = _run_chunk(params, i, js1)
                        results.extend(part)
                        if bar:
                            bar.update(len(part))
                stop.check()
            else:
                n_proc = min(params["workers"], os.cpu_count() or 1, len(tasks))
                with ProcessPoolExecutor(max_workers=n_proc, initializer=ignore_sigint) as pool:
                    # a bounded number of tasks in flight: wait() visits every pending future, so submitting
                    # all tasks at once costs O(tasks^2) in this process (10^4 tasks: the parent used half a
                    # core); results do not depend on the order, as every start has its own seed
                    queue = iter(tasks)
                    pending = set()

                    def refill():
                        for i, js in itertools.islice(queue, IN_FLIGHT_PER_WORKER * n_proc - len(pending)):
                            pending.add(pool.submit(_run_chunk, params, i, js))

                    try:
                        refill()
                        while pending:
                            done, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                            for fut in done:
                                part = fut.result()
                                results.extend(part)
                                if bar:
                                    bar.update(len(part))
                            refill()
                            stop.check()
                    except BaseException:
                        for f in pending:
                            f.cancel()
                        raise
    finally:
        if bar:
            bar.close()
    results.sort(key=lambda r: (r[0], r[1]))
    recs = [r[2] for r in results]
    p = params["n_params"]
    records = {
        "instance": np.array([r[0] for r in results], dtype=np.int64),
        "start": np.array([r[1] for r in results], dtype=np.int64),
        "F": np.array([x.F for x in recs]),
        "index": np.array([x.index for x in recs], dtype=np.int64),
        "kind": np.array([KIND_CODES[x.kind] for x in recs], dtype=np.int64),
        "grad_norm": np.array([x.grad_norm for x in recs]),
        "certified": np.array([x.certified for x in recs], dtype=bool),
        "min_eigs": np.array([x.min_eigs for x in recs]).reshape(-1, 3),
        "iterations": np.array([x.iterations for x in recs], dtype=np.int64),
        "endgame_steps": np.array([x.endgame_steps for x in recs], dtype=np.int64),
        "seconds": np.array([x.seconds for x in recs]),
        "theta": np.array([x.theta for x in recs]).reshape(-1, p),
    }
    return SimulationResult(params, records, time.perf_counter() - t0)


def evaluate_circuit(n_qubits: int, generators: list[str], hamiltonian: str, theta: np.ndarray,
                     psi0: str | None = "zero") -> dict:
    """Loss, adjoint gradient and exact Hessian of prod_k exp(-i theta_k P_k) |psi0>."""
    n = check_qubits(n_qubits, "qubits")
    spec = parse_psi0(psi0)
    if spec.kind == "haar":
        raise UserInputError("psi0 for evaluate must be zero or random:SEED (a single circuit has no "
                             "instance seed)")
    if not generators:
        raise UserInputError("generators must list at least one Pauli word")
    circuit = build_circuit("pauli", n, len(generators), None, list(generators))
    ham = parse_hamiltonian(hamiltonian, n)
    theta = np.asarray(theta, dtype=float).ravel()
    if theta.size != len(generators) or not np.all(np.isfinite(theta)):
        raise UserInputError(f"theta must hold {len(generators)} finite angles (one per generator); "
                             f"got {theta.size}")
    state0 = initial_state(spec, n, None)
    f, g = circuit.loss_and_grad(theta, state0, ham)
    return {"loss": f, "gradient": g.tolist(), "hessian": circuit.hessian(theta, state0, ham).tolist(),
            "n_qubits": n, "n_params": len(generators), "gamma": gamma_of(n, len(generators)),
            "hamiltonian": ham.spec, "psi0": str(spec)}


def evaluate_generators_file(n_qubits: int, generators_file: str, hamiltonian: str, theta: np.ndarray,
                             psi0: str | None = "zero") -> dict:
    """Loss, adjoint gradient and exact Hessian of the generators-file circuit prod_k exp(-i theta_k
    G_(k mod L)) |psi0> with p = len(theta) gates (:mod:`rmt_qgm.circuits.structured`)."""
    from .algebra.generators import read_generators
    from .circuits.structured import circuit_forms, generator_circuit
    n = check_qubits(n_qubits, "qubits")
    spec = parse_psi0(psi0)
    if spec.kind == "haar":
        raise UserInputError("psi0 for evaluate must be zero or random:SEED (a single circuit has no "
                             "instance seed)")
    gens = read_generators(generators_file, n)
    theta = np.asarray(theta, dtype=float).ravel()
    if theta.size < 1 or not np.all(np.isfinite(theta)):
        raise UserInputError(f"theta must hold at least one finite angle (gate k uses generator line k mod "
                             f"{len(gens)}); got {theta.size} value(s)")
    ham = parse_hamiltonian(hamiltonian, n)
    circuit = generator_circuit(n, theta.size, gens)
    state0 = initial_state(spec, n, None)
    f, g = circuit.loss_and_grad(theta, state0, ham)
    return {"loss": f, "gradient": g.tolist(), "hessian": circuit.hessian(theta, state0, ham).tolist(),
            "n_qubits": n, "n_params": int(theta.size), "gamma": gamma_of(n, int(theta.size)),
            "hamiltonian": ham.spec, "psi0": str(spec), "generators_file": str(generators_file),
            "generator_lines": len(gens), "gate_forms": circuit_forms(gens)}
