"""Where sweep tasks run: a local process pool (default) or a Dask distributed cluster.

Both expose ``submit(task) -> future``, ``wait_some(futures, timeout) -> [(future, outcome)]`` and
``shutdown()``. An outcome is ``("ok", (meta, arrays))``, ``("error", text)`` for a task that raised,
or ``("lost", text)`` for a task whose worker process died (the runner retries those, with a limit).

- :class:`LocalPool`: ``concurrent.futures.ProcessPoolExecutor``. Workers ignore SIGINT (the parent
  decides) and load the numba kernels once at start. A worker that dies breaks the pool: every task
  in flight comes back ``lost`` and the pool is rebuilt before the next submission.
- :class:`DaskCluster`: ``dask.distributed.Client(address)``; the kernels are loaded once per worker
  with ``client.run``. Dask itself reschedules the tasks of a dead worker (its
  ``distributed.scheduler.allowed-failures`` setting); a task that exhausts it raises ``KilledWorker``,
  recorded here as an error.
"""
from __future__ import annotations

import time
import traceback
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Callable

from ..errors import UserInputError
from ..interrupt import ignore_sigint
from .task import Task, warm_up


def _error_text(exc: BaseException) -> str:
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()


def _init_local_worker() -> None:
    ignore_sigint()
    warm_up()


class LocalPool:
    """A process pool of ``workers`` processes on this machine."""

    def __init__(self, workers: int, task_fn: Callable) -> None:
        self.workers = workers
        self.task_fn = task_fn
        self._pool: ProcessPoolExecutor | None = None

    @property
    def capacity(self) -> int:
        return self.workers

    def _ensure_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.workers, initializer=_init_local_worker)
        return self._pool

    def submit(self, task: Task):
        try:
            return self._ensure_pool().submit(self.task_fn, task)
        except BrokenProcessPool:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
            return self._ensure_pool().submit(self.task_fn, task)

    def wait_some(self, futures, timeout: float) -> list:
        done, _ = wait(list(futures), timeout=timeout, return_when=FIRST_COMPLETED)
        out = []
        broken = False
        for fut in done:
            exc = fut.exception()
            if exc is None:
                out.append((fut, ("ok", fut.result())))
            elif isinstance(exc, BrokenProcessPool):
                broken = True
                out.append((fut, ("lost", "worker process died (BrokenProcessPool)")))
            else:
                out.append((fut, ("error", _error_text(exc))))
        if broken and self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None                   # rebuilt at the next submit
        return out

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class DaskCluster:
    """Tasks on an existing Dask distributed scheduler at ``address`` (optional extra ``dask``)."""

    def __init__(self, address: str, task_fn: Callable, connect_timeout: float = 10.0) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise UserInputError("--scheduler needs dask.distributed: pip install 'rmt_qgm[dask]'") from None
        try:
            self.client = Client(address, timeout=connect_timeout, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise UserInputError(f"--scheduler: cannot connect to Dask scheduler at {address!r}: {exc}") from None
        self.task_fn = task_fn
        self.client.run(warm_up)                # kernels loaded once per worker

    @property
    def capacity(self) -> int:
        info = self.client.scheduler_info()
        return max(1, sum(w.get("nthreads", 1) for w in info.get("workers", {}).values()))

    def submit(self, task: Task):
        return self.client.submit(self.task_fn, task, key=f"rmt-qgm-{task.identity}", pure=False)

    def wait_some(self, futures, timeout: float) -> list:
        from distributed.scheduler import KilledWorker
        futures = list(futures)
        deadline = time.monotonic() + timeout
        while not any(f.status != "pending" for f in futures) and time.monotonic() < deadline:
            time.sleep(0.01)                    # polling: distributed.wait needs a default client
        out = []
        for fut in futures:
            if fut.status == "finished":
                out.append((fut, ("ok", fut.result())))
            elif fut.status in ("error", "cancelled", "lost"):
                exc = fut.exception() if fut.status == "error" else None
                if isinstance(exc, KilledWorker):
                    out.append((fut, ("error", f"worker died on every allowed attempt: {_error_text(exc)}")))
                elif exc is not None:
                    out.append((fut, ("error", _error_text(exc))))
                else:
                    out.append((fut, ("lost", f"Dask future {fut.status}")))
            else:
                continue
            fut.release()
        return out

    def shutdown(self) -> None:
        self.client.close()
