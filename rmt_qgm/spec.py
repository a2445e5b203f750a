"""Parsing of spec strings: Pauli strings and sums, initial states.

Qubit convention (used everywhere in the package): character ``k`` of a Pauli string acts on qubit
``k``, and qubit ``k`` is bit ``k`` (value 2^k) of a computational-basis index. So ``"XZI"`` is X on
qubit 0 and Z on qubit 1, and |0...0> is basis index 0.

A Pauli string is stored in bitmask form ``(xmask, zmask)``: X sets the x bit, Z the z bit, Y both.
With ``ny`` the number of Y factors, P|b> = i^ny (-1)^popcount(b & zmask) |b XOR xmask>.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import UserInputError

PAULI_CHARS = "IXYZ"


@dataclass(frozen=True)
class PauliString:
    """A Pauli string on ``n`` qubits in bitmask form (see the module docstring)."""

    n: int
    xmask: int
    zmask: int

    @property
    def ny(self) -> int:
        """Number of Y factors."""
        return bin(self.xmask & self.zmask).count("1")

    @property
    def is_identity(self) -> bool:
        return self.xmask == 0 and self.zmask == 0

    def label(self) -> str:
        """The string form, character k acting on qubit k."""
        out = []
        for k in range(self.n):
            x = (self.xmask >> k) & 1
            z = (self.zmask >> k) & 1
            out.append("IXZY"[x + 2 * z])
        return "".join(out)

    def __str__(self) -> str:
        return self.label()


def parse_pauli_string(text: str, n: int | None = None, name: str = "pauli string") -> PauliString:
    """Parse e.g. ``"XZIY"``. If ``n`` is given the length must be ``n``."""
    s = text.strip().upper()
    if not s or any(c not in PAULI_CHARS for c in s):
        raise UserInputError(
            f"{name} must be a non-empty word over the letters I, X, Y, Z; got {text!r}")
    if n is not None and len(s) != n:
        raise UserInputError(f"{name} must have exactly {n} letters (one per qubit); got {text!r} "
                             f"with {len(s)}")
    xmask = zmask = 0
    for k, c in enumerate(s):
        if c in "XY":
            xmask |= 1 << k
        if c in "ZY":
            zmask |= 1 << k
    return PauliString(len(s), xmask, zmask)


_TERM = re.compile(r"""^\s*(?:(?P<coef>[+-]?\s*(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*\*\s*)?
                       (?P<sign>[+-])?\s*(?P<word>[IXYZixyz]+)\s*$""", re.VERBOSE)


def parse_pauli_sum(text: str, n: int | None = None, name: str = "hamiltonian") -> list[tuple[float, PauliString]]:
    """Parse a real Pauli sum such as ``"0.5*ZZI+1.0*XII-0.3*YYZ"`` into ``[(coef, PauliString)]``.

    Coefficients are optional (``"ZZI - XII"``) and may use scientific notation. All words must have
    the same length, equal to ``n`` when given. Repeated words are kept as separate terms.
    """
    body = text.strip()
    if not body:
        raise UserInputError(f"{name}: empty Pauli sum; expected e.g. 0.5*ZZI+1.0*XII")
    # split at + or - that start a new term (not those inside an exponent such as 1e-3)
    pieces = re.split(r"(?<![eE*])(?=[+-])", body)
    terms: list[tuple[float, PauliString]] = []
    for piece in pieces:
        if not piece.strip():
            continue
        m = _TERM.match(piece)
        if not m:
            raise UserInputError(
                f"{name}: malformed Pauli term {piece.strip()!r}; expected COEF*WORD with WORD over "
                f"I, X, Y, Z, e.g. 0.5*ZZI+1.0*XII-0.3*YYZ")
        coef = float(m.group("coef").replace(" ", "")) if m.group("coef") else 1.0
        if m.group("sign") == "-":
            coef = -coef
        elif m.group("coef") is None and piece.strip().startswith("-"):
            coef = -coef
        word = parse_pauli_string(m.group("word"), n, name=f"{name} term")
        terms.append((coef, word))
    lengths = {w.n for _, w in terms}
    if len(lengths) != 1:
        raise UserInputError(f"{name}: all Pauli words must have the same length; got lengths "
                             f"{sorted(lengths)}")
    return terms


def format_pauli_sum(terms: list[tuple[float, PauliString]]) -> str:
    """Inverse of :func:`parse_pauli_sum` (exact for coefficients, via ``repr`` of floats)."""
    out = []
    for i, (c, w) in enumerate(terms):
        sign = "-" if c < 0 or (c == 0 and str(c).startswith("-")) else "+"
        mag = repr(abs(float(c)))
        if i == 0:
            out.append(("-" if sign == "-" else "") + f"{mag}*{w.label()}")
        else:
            out.append(f"{sign}{mag}*{w.label()}")
    return "".join(out)


@dataclass(frozen=True)
class Psi0Spec:
    """Initial-state spec: ``kind`` is ``"haar"`` (from the instance seed), ``"zero"`` or ``"random"``."""

    kind: str
    seed: int | None = None

    def __str__(self) -> str:
        return f"random:{self.seed}" if self.kind == "random" else self.kind


def parse_psi0(text: str | None) -> Psi0Spec:
    """Parse ``haar`` (default: Haar state from the instance seed), ``zero`` or ``random:SEED``."""
    if text is None or text.strip().lower() in ("", "haar"):
        return Psi0Spec("haar")
    s = text.strip().lower()
    if s == "zero":
        return Psi0Spec("zero")
    if s.startswith("random:"):
        seed_txt = s.split(":", 1)[1]
        if seed_txt.isdigit():
            return Psi0Spec("random", int(seed_txt))
    raise UserInputError(f"psi0 must be one of haar, zero, random:SEED (SEED a non-negative integer); "
                         f"got {text!r}")
