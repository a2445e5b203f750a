"""Deferred Ctrl-C: stop between units of work, never inside a compiled kernel.

A SIGINT that lands inside a numba kernel surfaces as ``SystemError`` instead of ``KeyboardInterrupt``.
:class:`deferred_sigint` records the first SIGINT and lets the running unit (one optimisation start,
one sweep task) finish; callers poll :attr:`requested` between units and raise ``KeyboardInterrupt``
themselves. A second SIGINT interrupts at once. Worker processes ignore SIGINT
(:func:`ignore_sigint`, a pool initializer); the parent decides.
"""
from __future__ import annotations

import signal
import threading


def ignore_sigint() -> None:
    """Pool initializer: workers leave SIGINT to the parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class deferred_sigint:
    """Context manager recording SIGINT (main thread only; elsewhere it is a no-op)."""

    def __init__(self) -> None:
        self.requested = False
        self._previous = None

    def _handler(self, signum, frame):
        if self.requested:                       # second Ctrl-C: stop now
            raise KeyboardInterrupt
        self.requested = True

    def __enter__(self) -> "deferred_sigint":
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handler)
        return self

    def __exit__(self, *exc) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)

    def check(self) -> None:
        """Raise KeyboardInterrupt if a SIGINT was recorded."""
        if self.requested:
            raise KeyboardInterrupt
