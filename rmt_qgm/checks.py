"""Validation of user-facing parameters: each failure is one line naming the parameter and its range."""
from __future__ import annotations

import numbers
import os
from typing import Any, Iterable

import numpy as np

from .errors import UserInputError

#: Largest qubit count the dense state-vector engine accepts (a 2^n complex128 vector plus work
#: space). Above it memory, not code, is the limit; see :func:`check_qubits`.
MAX_QUBITS = 26


def check_int(name: str, value: Any, minimum: int | None = 1, maximum: int | None = None) -> int:
    """Return ``value`` as int, or raise UserInputError naming ``name`` and the allowed range."""
    rng = _range_text(minimum, maximum)
    if isinstance(value, bool) or value is None:
        raise UserInputError(f"{name} must be an integer {rng}, got {value!r}")
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            raise UserInputError(f"{name} must be an integer {rng}, got {value!r}") from None
    if isinstance(value, numbers.Integral):
        ivalue = int(value)
    elif isinstance(value, numbers.Real) and float(value).is_integer():
        ivalue = int(value)
    else:
        raise UserInputError(f"{name} must be an integer {rng}, got {value!r}")
    if (minimum is not None and ivalue < minimum) or (maximum is not None and ivalue > maximum):
        raise UserInputError(f"{name} must be an integer {rng}, got {ivalue}")
    return ivalue


def check_float(name: str, value: Any, minimum: float | None = None, maximum: float | None = None,
                open_min: bool = False, open_max: bool = False) -> float:
    """Return ``value`` as a finite float in the given (optionally open) range, else UserInputError."""
    lo = "(" if open_min else "["
    hi = ")" if open_max else "]"
    rng = f"in {lo}{'-inf' if minimum is None else minimum}, {'inf' if maximum is None else maximum}{hi}"
    try:
        fvalue = float(value)
    except (TypeError, ValueError):
        raise UserInputError(f"{name} must be a real number {rng}, got {value!r}") from None
    if isinstance(value, bool) or not np.isfinite(fvalue):
        raise UserInputError(f"{name} must be a finite real number {rng}, got {value!r}")
    if minimum is not None and (fvalue < minimum or (open_min and fvalue == minimum)):
        raise UserInputError(f"{name} must be a real number {rng}, got {fvalue}")
    if maximum is not None and (fvalue > maximum or (open_max and fvalue == maximum)):
        raise UserInputError(f"{name} must be a real number {rng}, got {fvalue}")
    return fvalue


def check_choice(name: str, value: Any, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices``, else UserInputError listing them."""
    choices = list(choices)
    if value not in choices:
        raise UserInputError(f"{name} must be one of {', '.join(choices)}; got {value!r}")
    return value


def state_bytes(n_qubits: int) -> int:
    """Bytes of one complex128 state vector on n qubits."""
    return 16 * (2 ** n_qubits)


def check_qubits(value: Any, name: str = "qubits", maximum: int = MAX_QUBITS,
                 states_needed: int = 4) -> int:
    """Validate a qubit count, and say how much memory a too-large one would need.

    ``states_needed`` is the number of simultaneous 2^n complex vectors the caller works with.
    """
    n = check_int(name, value, minimum=1)
    if n > maximum:
        need = states_needed * state_bytes(n)
        raise UserInputError(
            f"{name} must be an integer in [1, {maximum}]: n = {n} needs about {need:,} bytes "
            f"({need / 2**30:.1f} GiB) for {states_needed} state vectors")
    return n


def check_readable_file(name: str, path: Any) -> str:
    """Return ``path`` if it names a readable regular file, else UserInputError."""
    p = os.fspath(path) if path is not None else ""
    if not p or not os.path.isfile(p):
        raise UserInputError(f"{name}: file not found: {p!r}")
    if not os.access(p, os.R_OK):
        raise UserInputError(f"{name}: file is not readable: {p!r}")
    return p


def check_writable_dir(name: str, path: Any) -> str:
    """Create ``path`` if needed and check that it is a writable directory, else UserInputError."""
    p = os.fspath(path)
    try:
        os.makedirs(p, exist_ok=True)
    except OSError as exc:
        raise UserInputError(f"{name}: cannot create output directory {p!r}: {exc.strerror}") from None
    if not os.path.isdir(p) or not os.access(p, os.W_OK):
        raise UserInputError(f"{name}: output directory is not writable: {p!r}")
    return p


def _range_text(minimum: int | None, maximum: int | None) -> str:
    if minimum is not None and maximum is not None:
        return f"in [{minimum}, {maximum}]"
    if minimum is not None:
        return f">= {minimum}"
    if maximum is not None:
        return f"<= {maximum}"
    return ""
