"""Progress bars (tqdm, on stderr) for work expected to take longer than PROGRESS_AFTER seconds."""
from __future__ import annotations

import sys
import threading
import time

#: work expected to take longer than this shows a progress bar
PROGRESS_AFTER = 2.0


class DrawProgress:
    """``progress(k)`` callback of the Monte Carlo models: counts draws on a bar (a rerun, e.g. the circuit model's
    deep ladder, extends the total). A no-op when disabled or when the estimate is short."""

    def __init__(self, estimate: float, enabled: bool, desc: str, draws: int):
        self.bar, self.draws = None, draws
        if enabled and estimate > PROGRESS_AFTER:
            from tqdm import tqdm
            self.bar = tqdm(total=draws, desc=desc, unit="draw", leave=False, file=sys.stderr)

    def __call__(self, k: int) -> None:
        if self.bar is None:
            return
        if self.bar.n + k > self.bar.total:
            self.bar.total += self.draws
        self.bar.update(k)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class TimedProgress:
    """A bar that advances with elapsed time against the estimate, for work without a loop to count (a context
    manager)."""

    def __init__(self, estimate: float, enabled: bool, desc: str):
        self.bar, self._stop = None, threading.Event()
        if enabled and estimate > PROGRESS_AFTER:
            from tqdm import tqdm
            self.bar = tqdm(total=round(estimate, 1), desc=f"{desc} (estimated {estimate:.0f} s)", unit="s",
                            leave=False, file=sys.stderr, bar_format="{l_bar}{bar}| {elapsed}")
            threading.Thread(target=self._tick, daemon=True).start()

    def _tick(self) -> None:
        t0 = time.perf_counter()
        while not self._stop.wait(0.5):
            self.bar.n = min(time.perf_counter() - t0, self.bar.total)
            self.bar.refresh()

    def __enter__(self) -> "TimedProgress":
        return self

    def __exit__(self, *exc) -> bool:
        self._stop.set()
        if self.bar is not None:
            self.bar.close()
        return False
