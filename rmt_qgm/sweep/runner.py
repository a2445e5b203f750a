"""Run the pending tasks of a sweep: bounded submission, atomic storage, failures, retries, Ctrl-C.

The parent process is the only writer of the store. It keeps at most ``capacity`` tasks in flight
(one per worker) and writes each result as soon as it arrives, so a SIGKILL at any moment loses at
most the tasks in flight, never a stored one. A first SIGINT stops submission, waits for the tasks
in flight, stores them, and raises KeyboardInterrupt (the CLI exits 130); a second SIGINT stops at
once. A task that raises is recorded in ``failed/`` and the sweep goes on. A task whose worker died is
resubmitted up to ``retries`` more times, then recorded as failed. ``--resume`` runs the tasks that
have no verified result, including the failed ones.
"""
from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from typing import Callable

from ..checks import check_int, check_writable_dir
from ..interrupt import deferred_sigint
from .config import SweepConfig, load_config
from .executors import DaskCluster, LocalPool
from .task import run_task
from .task_store import TaskStore


@dataclass
class SweepOutcome:
    """What one ``run_sweep`` call did."""

    out: str
    n_tasks: int
    skipped: int
    finished: int
    failed: int
    retried: int
    seconds: float
    interrupted: bool = False

    def summary(self) -> dict:
        return dict(self.__dict__)


def run_sweep(config: str | SweepConfig, out: str, *, workers: int = 1, scheduler: str | None = None,
              resume: bool = False, progress: bool = False,
              task_fn: Callable = run_task) -> SweepOutcome:
    """Run a sweep into the store ``out`` (module docstring; docs/sweeps.md).

    ``config`` is a TOML path or a parsed :class:`SweepConfig`. ``task_fn`` replaces the task body
    (it must be importable by the workers); the default runs :func:`rmt_qgm.sweep.task.run_task`.
    Every argument is checked before any work starts.
    """
    cfg = load_config(config) if isinstance(config, str) else config
    workers = check_int("workers", workers, 1, 1024)
    out = check_writable_dir("--out", out)
    store = TaskStore(out)
    store.open(cfg, resume)
    t0 = time.perf_counter()
    pending = deque(t for t in cfg.tasks if not store.is_finished(t))
    outcome = SweepOutcome(out=out, n_tasks=len(cfg.tasks), skipped=len(cfg.tasks) - len(pending),
                           finished=0, failed=0, retried=0, seconds=0.0)
    if not pending:
        return outcome
    executor = DaskCluster(scheduler, task_fn) if scheduler else LocalPool(workers, task_fn)
    attempts: dict[str, int] = {}
    inflight: dict = {}
    bar = None
    if progress:
        from tqdm import tqdm
        bar = tqdm(total=len(pending), desc="tasks", unit="task", dynamic_ncols=True)
    try:
        with deferred_sigint() as stop:
            capacity = executor.capacity
            while pending or inflight:
                while pending and len(inflight) < capacity and not stop.requested:
                    task = pending.popleft()
                    attempts[task.name] = attempts.get(task.name, 0) + 1
                    inflight[executor.submit(task)] = task
                if not inflight:
                    break
                for fut, (kind, payload) in executor.wait_some(inflight, timeout=0.2):
                    task = inflight.pop(fut)
                    if kind == "ok":
                        meta, arrays = payload
                        store.write(task, meta, arrays, attempts[task.name])
                        outcome.finished += 1
                    elif kind == "lost" and attempts[task.name] <= cfg.retries:
                        outcome.retried += 1
                        pending.appendleft(task)
                        continue
                    else:
                        if kind == "lost":
                            payload = f"{payload}; gave up after {attempts[task.name]} attempts"
                        store.record_failure(task, payload, attempts[task.name])
                        outcome.failed += 1
                    if bar:
                        bar.update(1)
                        bar.set_postfix(failed=outcome.failed, refresh=False)
            outcome.interrupted = stop.requested
    finally:
        if bar:
            bar.close()
        executor.shutdown()
        outcome.seconds = time.perf_counter() - t0
    if outcome.interrupted:
        raise SweepInterrupted(outcome)
    return outcome


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C: the tasks in flight were stored; ``outcome`` says how many."""

    def __init__(self, outcome: SweepOutcome) -> None:
        super().__init__(f"interrupted after storing {outcome.finished} tasks; rerun with --resume")
        self.outcome = outcome
