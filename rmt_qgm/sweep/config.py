"""Sweep configuration: a TOML file, validated in full before any work starts.

Format (every axis takes one value or a list; the grid is their Cartesian product)::

    seed = 7                   # root seed (integer >= 0), required
    retries = 2                # optional: re-runs of a task whose worker died (default 2)

    [axes]
    qubits = [3, 4]            # n
    gamma = [0.25, 0.5, 1.0]   # or: params = [8, 16]  (exactly one of gamma / params)
    ansatz = "randomized"      # randomized | pauli | hea
    hamiltonian = ["fidelity", "projector:2"]
    psi0 = "haar"              # optional (default haar)
    starts = 8                 # optimisation starts per instance
    instances = 3              # circuit instances per grid point (an integer count, not a list)

``gamma`` is converted to p = round(gamma 2^(n+1)) parameters; the task records the exact gamma of
its p. Every error names the key and the allowed values, in one line.
"""
from __future__ import annotations

import itertools
import os
import sys

if sys.version_info >= (3, 11):
    import tomllib
else:                                   # pragma: no cover - Python 3.10
    import tomli as tomllib
from dataclasses import dataclass, field
from typing import Any

from ..checks import check_choice, check_float, check_int, check_qubits
from ..circuits.ansatz import ANSATZE
from ..errors import UserInputError
from ..hamiltonians import parse_hamiltonian
from ..seeding import identity_hash
from ..spec import parse_psi0
from .task import Task

TOP_KEYS = ("seed", "retries", "axes")
AXES = ("qubits", "gamma", "params", "ansatz", "hamiltonian", "psi0", "starts", "instances")
MAX_TASKS = 1_000_000


@dataclass(frozen=True)
class SweepConfig:
    """A validated sweep: root seed, retry limit, the axes as given, and the expanded task list."""

    seed: int
    retries: int
    axes: dict[str, Any]
    tasks: tuple[Task, ...] = field(repr=False)

    @property
    def config_hash(self) -> str:
        """Identity of the sweep: the hash of its seed and axes (retries do not change results)."""
        return identity_hash({"seed": self.seed, "axes": self.axes})


def _as_list(name: str, value: Any) -> list:
    items = value if isinstance(value, list) else [value]
    if not items:
        raise UserInputError(f"axes.{name} is an empty list: the grid would be empty; give at least one value")
    return items


def parse_config(data: dict) -> SweepConfig:
    """Validate a parsed TOML document and expand it into tasks (module docstring)."""
    unknown = sorted(set(data) - set(TOP_KEYS))
    if unknown:
        raise UserInputError(f"config: unknown key {unknown[0]!r}; allowed top-level keys: {', '.join(TOP_KEYS)}")
    if "seed" not in data:
        raise UserInputError("config: seed is required (an integer >= 0)")
    seed = check_int("seed", data["seed"], 0)
    retries = check_int("retries", data.get("retries", 2), 0, 100)
    axes = data.get("axes")
    if not isinstance(axes, dict):
        raise UserInputError("config: an [axes] table is required, with qubits, gamma or params, ansatz, "
                             "hamiltonian, starts, instances")
    unknown = sorted(set(axes) - set(AXES))
    if unknown:
        raise UserInputError(f"axes: unknown axis {unknown[0]!r}; allowed axes: {', '.join(AXES)}")
    for required in ("qubits", "ansatz", "hamiltonian", "starts", "instances"):
        if required not in axes:
            raise UserInputError(f"axes.{required} is required")
    if ("gamma" in axes) == ("params" in axes):
        raise UserInputError("axes: give exactly one of gamma (p = round(gamma 2^(n+1))) or params")

    qubits = [check_qubits(q, "axes.qubits") for q in _as_list("qubits", axes["qubits"])]
    ansatze = [check_choice("axes.ansatz", a, ANSATZE) for a in _as_list("ansatz", axes["ansatz"])]
    hams = [str(h) for h in _as_list("hamiltonian", axes["hamiltonian"])]
    psi0s = [str(parse_psi0(str(s))) for s in _as_list("psi0", axes.get("psi0", "haar"))]
    starts = [check_int("axes.starts", s, 1) for s in _as_list("starts", axes["starts"])]
    if isinstance(axes["instances"], list):
        raise UserInputError("axes.instances must be one integer >= 1 (a count of instances), not a list")
    instances = check_int("axes.instances", axes["instances"], 1)
    if "gamma" in axes:
        sizes = [("gamma", check_float("axes.gamma", g, 0.0, None, open_min=True))
                 for g in _as_list("gamma", axes["gamma"])]
    else:
        sizes = [("params", check_int("axes.params", p, 1)) for p in _as_list("params", axes["params"])]

    for n, h in itertools.product(qubits, hams):       # every Hamiltonian parses at every n
        try:
            parse_hamiltonian(h, n)
        except UserInputError as exc:
            raise UserInputError(f"axes.hamiltonian at qubits = {n}: {exc}") from None

    tasks = []
    for n, (kind, size), ans, h, psi, s in itertools.product(qubits, sizes, ansatze, hams, psi0s, starts):
        p = int(round(size * 2 ** (n + 1))) if kind == "gamma" else size
        if p < 1:
            raise UserInputError(f"axes.gamma = {size} gives p = {p} parameters at qubits = {n}; "
                                 f"need gamma >= {0.5 / 2 ** (n + 1):.3g} for p >= 1")
        for i in range(instances):
            tasks.append(Task.make(n_qubits=n, n_params=p, ansatz=ans, hamiltonian=h, psi0=psi,
                                   starts=s, instance=i, root_seed=seed))
            if len(tasks) > MAX_TASKS:
                raise UserInputError(f"config: the grid has more than {MAX_TASKS:,} tasks; split the sweep")
    ids = [t.identity for t in tasks]
    if len(set(ids)) != len(ids):
        raise UserInputError("axes: the grid lists the same task twice (repeated axis values, or two gamma "
                             "values that round to the same p); remove the repeats")
    canon = {k: v for k, v in axes.items()}
    return SweepConfig(seed=seed, retries=retries, axes=canon, tasks=tuple(tasks))


def load_config(path: str) -> SweepConfig:
    """Read and validate a sweep TOML file (one-line UserInputError on any problem)."""
    if not os.path.isfile(path):
        raise UserInputError(f"CONFIG: file not found: {path!r}")
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise UserInputError(f"CONFIG: {path!r} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise UserInputError(f"CONFIG: cannot read {path!r}: {exc.strerror}") from None
    return parse_config(data)
