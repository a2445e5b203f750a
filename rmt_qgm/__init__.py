"""rmt_qgm: random-matrix theory of variational-circuit loss landscapes.

Conventions (docs/theory.md §1.2): gamma = p / 2**(n+1); gates are exp(-i theta G) with G^2 = I, so
losses are pi-periodic in every angle; loss values are the raw F = <psi|H|psi>.
"""
from importlib.metadata import PackageNotFoundError, version as _version

try:
    __version__ = _version("rmt_qgm")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.1.0"

from .errors import UserInputError  # noqa: E402

__all__ = ["UserInputError", "__version__", "gamma_of"]


def gamma_of(n_qubits: int, n_params: int) -> float:
    """gamma = p / 2^(n+1): the project's order parameter (docs/theory.md §1.2, §2.1)."""
    return n_params / float(2 ** (n_qubits + 1))
