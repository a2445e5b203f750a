"""One sweep task: one circuit instance with its starts; its identity and its seed.

identity = SHA-256 of the canonical JSON of the task's parameters (``TASK_FORMAT``, qubits, params,
ansatz, hamiltonian, psi0, starts, instance) other than ``METHOD_PARAMS``. The root seed is not part
of the identity; the task's seed is ``SeedSequence(root_seed, spawn_key=key_words(identity))``
(:mod:`rmt_qgm.seeding`), reduced to a 128-bit integer that seeds :func:`rmt_qgm.simulate.run_simulation`.
Nothing depends on the order of execution, the worker count or the executor.

``METHOD_PARAMS`` (``endgame``: how L-BFGS is finished, :mod:`rmt_qgm.circuits.optimize`) say how a task
is computed, not what it draws (the minima agree within tolerance: tests/test_newton_cg.py): they are passed to the simulation and recorded
in each result's metadata (``task``), but are in neither the identity nor the seed, like the worker count.
So a task with an endgame has the same circuits, starts and store entry as without, and a store's
finished tasks are kept whichever endgame computed them.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..seeding import identity_hash, key_words

TASK_FORMAT = 1
TIMING_ARRAYS = ("seconds",)       # wall-clock arrays: kept in the JSON, never in the numeric NPZ
#: parameters that choose the optimiser, not the draws: in neither the identity nor the seed (module docstring)
METHOD_PARAMS = ("endgame",)


@dataclass(frozen=True)
class Task:
    """Parameters of one task plus its identity and derived seed."""

    params: tuple[tuple[str, Any], ...]
    identity: str
    seed: int

    @classmethod
    def make(cls, *, root_seed: int, **params: Any) -> "Task":
        body = {"task_format": TASK_FORMAT, **{k: v for k, v in params.items() if k not in METHOD_PARAMS}}
        ident = identity_hash(body)
        ss = np.random.SeedSequence(int(root_seed), spawn_key=key_words(ident))
        words = ss.generate_state(4, np.uint32)
        seed = int.from_bytes(words.astype("<u4").tobytes(), "little")
        return cls(params=tuple(sorted(params.items())), identity=ident, seed=seed)

    @property
    def name(self) -> str:
        """File stem in the store: the first 20 hex digits of the identity."""
        return self.identity[:20]

    def as_dict(self) -> dict[str, Any]:
        return dict(self.params)


def run_task(task: Task) -> tuple[dict, dict[str, np.ndarray]]:
    """Run one task in this process: (metadata, numeric arrays). Bitwise reproducible arrays."""
    from ..simulate import run_simulation
    t0 = time.perf_counter()
    p = task.as_dict()
    res = run_simulation(p["n_qubits"], p["n_params"], ansatz=p["ansatz"], hamiltonian=p["hamiltonian"],
                         starts=p["starts"], instances=1, seed=task.seed, psi0=p["psi0"], workers=1,
                         endgame=p.get("endgame", False))
    arrays = res.arrays()
    timing = {k: arrays.pop(k).tolist() for k in TIMING_ARRAYS if k in arrays}
    summary = res.summary()
    summary.pop("seconds", None)
    meta = {"task": p, "identity": task.identity, "task_seed": str(task.seed), "summary": summary,
            "timing": timing, "task_seconds": time.perf_counter() - t0}
    return meta, arrays


def warm_up() -> None:
    """Load (or compile) the numba kernels once per worker process."""
    run_task(Task.make(root_seed=0, n_qubits=2, n_params=2, ansatz="randomized", hamiltonian="fidelity",
                       psi0="haar", starts=1, instance=0))
