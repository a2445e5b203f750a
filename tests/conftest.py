"""Shared test helpers.

``cli_inprocess``: the CLI run in this process (``rmt_qgm.cli.main``, what ``python -m rmt_qgm.cli`` runs),
returning what ``subprocess.run(..., capture_output=True, text=True)`` would: ``returncode``, ``stdout``,
``stderr``. A subprocess costs 1-3 s of interpreter start-up and imports per call (the package's modules are
compiled from source each time when PYTHONDONTWRITEBYTECODE is set), which made the CLI's input-error tests
about a fifth of the default suite. What the subprocess would have shown is kept:

- output on both the Python streams and the file descriptors 1 and 2 (``capfd``);
- an uncaught exception (a traceback in a subprocess) propagates and fails the calling test;
- a warning that Python's default filters would print on stderr in a fresh interpreter (everything but
  Deprecation/PendingDeprecation/Import/Resource warnings) is appended to ``stderr`` as one line, so the
  "exactly one line on stderr" assertions see it as they would in a subprocess.

The real entry point (``python -m rmt_qgm.cli``: interpreter start-up, ``__main__``, exit status) is still run
as a subprocess by a few tests: tests/test_cli_errors.py (argparse-level and UserInputError paths),
tests/test_cli_commands.py (SIGINT), tests/test_sweep.py (SIGINT/SIGKILL and resume), tests/test_figures.py
and tests/test_algebra.py (one bad input each).
"""
from __future__ import annotations

import subprocess
import warnings

import pytest

#: categories Python's default warning filters do not print (outside __main__)
_SILENT_BY_DEFAULT = (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning)


@pytest.fixture
def cli_inprocess(capfd):
    """A callable ``run(args) -> subprocess.CompletedProcess`` (module docstring)."""
    from rmt_qgm.cli import main

    def run(args):
        args = [str(a) for a in args]
        capfd.readouterr()                                     # drop anything printed before the call
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("default")
            for cat in _SILENT_BY_DEFAULT:
                warnings.simplefilter("ignore", cat)
            try:
                code = main(args)
            except SystemExit as exc:                          # argparse's --help/--version exit directly
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out, err = capfd.readouterr()
        for w in caught:
            err += warnings.formatwarning(w.message, w.category, w.filename, w.lineno).replace("\n", " ") + "\n"
        return subprocess.CompletedProcess(["rmt-qgm", *args], code, out, err)
    return run
