"""Run a suite of registered checks and write its reports (``rmt-qgm validate``)."""
from __future__ import annotations

import time
from typing import Sequence

from ..checks import check_choice, check_int, check_writable_dir
from .checks import CheckResult
from .registry import Check, classify, exit_code, suite
from .report import write_reports


def run_check(check: Check, seed: int = 0, workers: int = 1) -> CheckResult:
    """Run one registered check and record on its result the key, expectation and outcome."""
    r = check(seed=seed, workers=workers)
    if r.name != check.name:
        raise RuntimeError(f"check {check.key} returned a result named {r.name!r}")
    r.check_id, r.expected, r.reason, r.ref = check.key, check.expected, check.reason, check.ref
    r.outcome = classify(check.expected, bool(r.passed))
    return r


def run_validation(mode: str = "quick", out: str = "validation_report", workers: int = 1, seed: int = 0,
                   checks: Sequence[Check] | None = None) -> tuple[list[CheckResult], bool]:
    """Run the checks of ``mode`` (quick | full; or ``checks`` instead of the registered suite) and write
    report.json, report.md and figures into ``out``.

    Returns (results, ok): ``ok`` is True when no check failed unexpectedly (:func:`registry.exit_code` is
    0): a registered known failure that fails is fine, one that passes is flagged in the reports but fine.
    The quick suite has no known failures, so there ``ok`` means every check passed.
    """
    check_choice("mode", mode, ("quick", "full"))
    workers = check_int("workers", workers, 1)
    seed = check_int("seed", seed, 0)
    out = check_writable_dir("--out", out)
    t0 = time.perf_counter()
    results = [run_check(c, seed, workers) for c in (suite(mode) if checks is None else checks)]
    write_reports(results, mode, seed, time.perf_counter() - t0, out)
    return results, exit_code(r.outcome for r in results) == 0
