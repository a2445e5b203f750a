"""Reproducible, resumable parameter sweeps (docs/sweeps.md).

- :mod:`.config`: the TOML config, validated before any work starts, expanded into tasks;
- :mod:`.task`: one task = one circuit instance; its identity hash and its seed;
- :mod:`.task_store`: the append-only store (one atomic file pair per finished task, a manifest);
- :mod:`.executors`: a local process pool or a Dask distributed cluster;
- :mod:`.runner`: the loop that runs the pending tasks, records failures, retries dead workers;
- :mod:`.report`: one table and the standard figures from a store.
"""
from .config import SweepConfig, load_config
from .report import sweep_report
from .runner import run_sweep

__all__ = ["SweepConfig", "load_config", "run_sweep", "sweep_report"]
