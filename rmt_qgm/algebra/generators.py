"""Generators files: the circuit format of structured circuits (issue 20), and named presets.

Format: one Hermitian generator per line, a real Pauli sum in the Hamiltonian spec's syntax
(``0.5*ZZII+XIII-0.3*IIYY``; character k acts on qubit k; :func:`rmt_qgm.spec.parse_pauli_sum`). ``#``
starts a comment; blank lines are ignored. With L generator lines, gate k of a circuit (k = 0, 1, ...) is
exp(-i theta_k G_(k mod L)), so the file is one period of the circuit and the number of parameters p may
be anything. Generators need not square to the identity (sums of Paulis are allowed). Repeated words on a
line are merged; a line whose terms cancel is an error (a zero generator), as is a complex coefficient
(the generator would not be Hermitian).

Presets (``rmt-qgm circuit --preset NAME --qubits N [--layers L]``) write the same format. Fixed Clifford
gates are absorbed (:mod:`rmt_qgm.algebra.clifford`): the generators after a fixed gate are conjugated
by it, and the observable of the circuit becomes W^dagger O W, W the product of all fixed gates (the
file's header says which W). The default ``--layers`` of a preset with fixed gates is the period of the
conjugation pattern (the file then describes the circuit exactly for any p, up to that final W); without
fixed gates it is 1 (one line per distinct gate).
"""
from __future__ import annotations

import os
import re
import numpy as np

from ..errors import UserInputError
from ..spec import parse_pauli_sum
from .clifford import absorb_cliffords, conjugate_by_sequence
from .pauli import PauliSum
from .presets import PRESETS

#: signs of a complex coefficient: 1j, 0.5j, 2e-3J, j*, i*, *1j, (0.5+1j)
_COMPLEX_HINT = re.compile(r"(\d|\.)\s*[jJ](?![a-zA-Z])|(^|[\s*+\-(])[iIjJ]\s*\*|\*\s*[iIjJ](?![a-zA-Z])"
                           r"|\([^)]*[jJ][^)]*\)")


def parse_generator_line(text: str, n: int, where: str) -> PauliSum:
    """One generator line (comment already stripped) -> PauliSum; errors name ``where``."""
    body = text.strip()
    try:
        terms = parse_pauli_sum(body, n, name=where)
    except UserInputError as exc:
        if _COMPLEX_HINT.search(body):
            raise UserInputError(f"{where}: non-real coefficient in {body!r}: a generator must be Hermitian, "
                                 f"a Pauli sum with real coefficients") from None
        raise UserInputError(str(exc).splitlines()[0]) from None
    for c, _ in terms:
        if not np.isfinite(c):
            raise UserInputError(f"{where}: coefficient {c} is not finite in {body!r}")
    ps = PauliSum.from_terms(terms, n)
    if ps.is_zero:
        raise UserInputError(f"{where}: the generator {body!r} is zero (its terms cancel)")
    return ps


def read_generators(path, n: int) -> list[PauliSum]:
    """Read a generators file for ``n`` qubits (module docstring). Every problem is a UserInputError of one
    line naming the file (and the line)."""
    p = os.fspath(path) if path is not None else ""
    if not p:
        raise UserInputError("generators file: no path given")
    if not os.path.exists(p):
        raise UserInputError(f"generators file not found: {p!r}")
    if not os.path.isfile(p):
        raise UserInputError(f"generators file {p!r} is not a regular file")
    try:
        with open(p, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
    except UnicodeDecodeError:
        raise UserInputError(f"generators file {p!r} is not UTF-8 text") from None
    except OSError as exc:
        raise UserInputError(f"generators file {p!r} cannot be read: {exc.strerror}") from None
    gens = []
    for i, line in enumerate(lines, start=1):
        body = line.split("#", 1)[0].strip()
        if not body:
            continue
        gens.append(parse_generator_line(body, n, f"{p} line {i}"))
    if not gens:
        raise UserInputError(f"generators file {p!r} holds no generator (every line is blank or a comment)")
    return gens


def format_generators(gens: list[PauliSum], header: list[str] | None = None) -> str:
    """The file text: optional ``#`` header lines, then one generator per line."""
    out = [f"# {h}" if h else "#" for h in (header or [])]
    out += [g.to_string() for g in gens]
    return "\n".join(out) + "\n"


def write_generators(path, gens: list[PauliSum], header: list[str] | None = None) -> str:
    """Write a generators file atomically (temporary file + rename). Returns the path."""
    p = os.fspath(path)
    d = os.path.dirname(os.path.abspath(p))
    if not os.path.isdir(d):
        raise UserInputError(f"--out: directory does not exist: {d!r}")
    tmp = f"{p}.tmp{os.getpid()}"
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(format_generators(gens, header))
        os.replace(tmp, p)
    except OSError as exc:
        try:
            os.remove(tmp)
        except OSError:
            pass
        raise UserInputError(f"--out: cannot write {p!r}: {exc.strerror}") from None
    return p


# ---------------------------------------------------------------------------------------------- presets

def _word(n: int, paulis: dict[int, str]) -> PauliSum:
    chars = ["I"] * n
    for q, c in paulis.items():
        chars[q] = c
    return PauliSum.word("".join(chars))


def _sum(parts: list[PauliSum]) -> PauliSum:
    out = parts[0]
    for p in parts[1:]:
        out = out + p
    return out


def _bonds(n: int, ring: bool) -> list[tuple[int, int]]:
    bonds = [(i, i + 1) for i in range(n - 1)]
    if ring and n > 2:
        bonds.append((n - 1, 0))
    return bonds


def _ladder(gate: str, n: int) -> list[tuple[str, tuple[int, ...]]]:
    return [(gate, (q, q + 1)) for q in range(n - 1)]


def _hea_ops(n: int, layers: int, rots: str, ent: str) -> list:
    ops: list = []
    for _ in range(layers):
        for r in rots:
            for q in range(n):
                ops.append(("rot", _word(n, {q: r})))
        ops.extend(_ladder(ent, n))
    return ops


def clifford_period(n: int, ent: str, rots: str, cap: int = 64) -> int:
    """Smallest m >= 1 with the ladder^m acting trivially (up to sign) on the rotation words: the period of
    the absorbed generators of a hardware-efficient preset (``cap`` if none is found below it)."""
    if n == 1:
        return 1
    base = [_word(n, {q: r}) for r in rots for q in range(n)]
    gates = _ladder(ent, n)
    cur = list(base)
    for m in range(1, cap + 1):
        cur = [conjugate_by_sequence(g, gates, dagger=True) for g in cur]
        if all(np.array_equal(a.keys, b.keys) for a, b in zip(cur, base)):
            return m
    return cap


def preset_generators(name: str, n: int, layers: int | None = None) -> tuple[list[PauliSum], list[str]]:
    """Generators of a named preset and the header lines that describe it (module docstring)."""
    if name not in PRESETS:
        raise UserInputError(f"--preset must be one of {', '.join(PRESETS)}; got {name!r}")
    pre = PRESETS[name]
    if n < pre.min_qubits:
        raise UserInputError(f"--preset {name} needs --qubits >= {pre.min_qubits}; got {n}")
    header = [f"rmt-qgm generators file: preset {name}, n = {n}", pre.description,
              "gate k = exp(-i theta_k G_(k mod L)), G_j the j-th generator line (L lines)"]
    if pre.has_fixed_gates:
        rots = {"hea:ry-cz": "Y", "hea:ry-rz-cz": "YZ", "hea:ry-cx": "Y"}[name]
        ent = "cx" if name == "hea:ry-cx" else "cz"
        period = clifford_period(n, ent, rots)
        L = period if layers is None else layers
        gens, _ = absorb_cliffords(_hea_ops(n, L, rots, ent))
        header.append(f"{L} layer(s) of {len(rots) * n} rotations; the conjugation pattern has period "
                      f"{period} layer(s)" + ("" if L % period == 0 else
                                               " (L is not a multiple of it: exact only for p <= "
                                               f"{L * len(rots) * n})"))
        header.append(f"fixed {ent.upper()} ladders absorbed: after m ladders the observable is "
                      f"W^dagger O W with W = ladder^m")
        return gens, header
    L = 1 if layers is None else layers
    ring = name.endswith("-ring")
    bonds = _bonds(n, ring)
    if name in ("hva:tfim-ring", "hva:tfim-line", "qaoa:maxcut-ring", "qaoa:maxcut-line"):
        layer = [_sum([_word(n, {a: "Z", b: "Z"}) for a, b in bonds]), _sum([_word(n, {q: "X"}) for q in range(n)])]
    elif name == "hva:xxz-ring":
        even = [bd for bd in bonds if bd[0] % 2 == 0 and bd != (n - 1, 0)]
        odd = [bd for bd in bonds if bd not in even]
        layer = [_sum([_word(n, {a: "Z", b: "Z"}) for a, b in even]),
                 _sum([_word(n, {a: "Z", b: "Z"}) for a, b in odd]),
                 _sum([_word(n, {a: "X", b: "X"}) + _word(n, {a: "Y", b: "Y"}) for a, b in even]),
                 _sum([_word(n, {a: "X", b: "X"}) + _word(n, {a: "Y", b: "Y"}) for a, b in odd])]
    elif name == "local:x-zz-line":
        layer = [_word(n, {q: "X"}) for q in range(n)] + [_word(n, {a: "Z", b: "Z"}) for a, b in bonds]
    elif name == "local:xy-zz-ring":
        layer = ([_word(n, {q: "X"}) for q in range(n)] + [_word(n, {q: "Y"}) for q in range(n)]
                 + [_word(n, {a: "Z", b: "Z"}) for a, b in bonds])
    else:  # pragma: no cover - PRESETS and this table are kept in step
        raise AssertionError(name)
    header.append(f"{L} layer(s) of {len(layer)} generator(s)")
    return layer * L, header
