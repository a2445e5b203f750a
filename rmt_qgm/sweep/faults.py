"""Fault-injecting task bodies, for testing the sweep runner's failure handling (tests/test_sweep.py).

They are ordinary importable functions so that pool workers can unpickle them. Each wraps
:func:`rmt_qgm.sweep.task.run_task`; the marker directory comes from ``RMT_QGM_FAULT_DIR``.
"""
from __future__ import annotations

import os

from .task import Task, run_task


def raise_on_instance_1(task: Task):
    """Raise ValueError for every task with instance == 1; run the others."""
    if task.as_dict()["instance"] == 1:
        raise ValueError(f"injected failure for task {task.name}")
    return run_task(task)


def die_once(task: Task):
    """Kill the worker process the first time each instance-0 task runs; run normally afterwards."""
    marker = os.path.join(os.environ["RMT_QGM_FAULT_DIR"], task.name)
    if task.as_dict()["instance"] == 0 and not os.path.exists(marker):
        open(marker, "w").close()
        os._exit(17)
    return run_task(task)


def always_die(task: Task):
    """Kill the worker process every time (the runner must give up after its retry limit)."""
    os._exit(17)
