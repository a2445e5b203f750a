"""OpenQASM circuits of rotations and Clifford gates -> generators files (issue 20, "Circuits as users write
them"; ``rmt-qgm circuit --from-qasm FILE``).

Parsing is the reference OpenQASM parser (the ``openqasm3`` package with its ANTLR grammar, the ``qasm``
extra), which reads OpenQASM 3 and the OpenQASM 2 programs that are valid OpenQASM 3 (``OPENQASM 2.0;``,
``qreg``/``creg``, ``measure q -> c``). This module only walks the syntax tree and takes this subset:

- parameterised rotations ``rx ry rz`` (one qubit) and ``rxx ryy rzz`` (two qubits), each its own
  parameter: R(phi) = exp(-i phi/2 P) with P the Pauli word, so the generators-file gate
  exp(-i theta_k P) has theta_k = phi/2 (a unit-coefficient word: the simulator's one-pass rotation);
- fixed Clifford gates ``cx`` (also ``CX``, ``cnot``) ``cz h s sdg x y z`` (``id`` and ``barrier`` are
  skipped), absorbed as in :mod:`.clifford`: with W_k the product of the fixed gates before rotation k,
  generator k becomes W_k^dagger P_k W_k (a signed Pauli word), and the observable O becomes W^dagger O W
  with W the product of all fixed gates; the initial state is unchanged;
- qubit registers are numbered in declaration order (qubit k of the generators file = bit k); a gate on
  whole registers is applied to each index in turn (OpenQASM 2 broadcasting);
- ``include`` of ``qelib1.inc`` or ``stdgates.inc``, classical and ``input`` declarations, barriers, and
  measurements after the last gate are accepted and ignored (the loss is an expectation value).

Everything else (other gates, gate definitions, ``reset``, gate modifiers, classical control, a gate after
a measurement) is refused with one line naming the source line. Angles that are constant expressions
(numbers, ``pi``, + - * /) are returned as theta = phi/2 (``--theta-out``); symbolic angles give NaN.
"""
from __future__ import annotations

import contextlib
import io
import math
import os

from ..errors import UserInputError
from .clifford import absorb_cliffords, conjugate_by_sequence
from ..spec import parse_pauli_sum
from .pauli import MAX_MASK_QUBITS, PauliSum

ROTATIONS = {"rx": "X", "ry": "Y", "rz": "Z", "rxx": "XX", "ryy": "YY", "rzz": "ZZ"}
FIXED = {"cx": "cx", "CX": "cx", "cnot": "cx", "cz": "cz", "h": "h", "s": "s", "sdg": "sdg", "x": "x", "y": "y",
         "z": "z"}
SKIPPED = {"id"}
INCLUDES = {"qelib1.inc", "stdgates.inc"}
SUPPORTED = "rotations rx ry rz rxx ryy rzz; fixed Clifford gates cx cz h s sdg x y z"


def _load_parser():
    try:
        import openqasm3
        from openqasm3 import ast
    except ImportError:  # pragma: no cover - depends on the environment
        raise UserInputError("--from-qasm needs the OpenQASM parser: pip install 'rmt_qgm[qasm]' "
                             "(openqasm3[parser])") from None
    return openqasm3, ast


def _const(expr, ast) -> float | None:
    """Value of a constant angle expression, None if it is symbolic."""
    if isinstance(expr, (ast.FloatLiteral, ast.IntegerLiteral)):
        return float(expr.value)
    if isinstance(expr, ast.Identifier):
        return math.pi if expr.name in ("pi", "π") else None
    if isinstance(expr, ast.UnaryExpression) and expr.op.name == "-":
        v = _const(expr.expression, ast)
        return None if v is None else -v
    if isinstance(expr, ast.BinaryExpression) and expr.op.name in ("+", "-", "*", "/"):
        a, b = _const(expr.lhs, ast), _const(expr.rhs, ast)
        if a is None or b is None:
            return None
        if expr.op.name == "/" and b == 0.0:
            return None
        return {"+": a + b, "-": a - b, "*": a * b, "/": a / b if b else float("nan")}[expr.op.name]
    return None


def parse_qasm(text: str, where: str = "qasm"):
    """OpenQASM source -> (n, ops, angles): ``ops`` in circuit order as :func:`.clifford.absorb_cliffords`
    takes them (``("rot", PauliSum)`` or ``(gate, qubits)``), ``angles`` the rotation angles phi (NaN if
    symbolic). Errors: UserInputError of one line naming ``where`` and the line."""
    openqasm3, ast = _load_parser()
    said = io.StringIO()
    try:
        with contextlib.redirect_stderr(said):    # ANTLR prints syntax errors itself: keep them for the one line
            prog = openqasm3.parse(text)
    except Exception as exc:          # QASM3ParsingError and the parser's own failures
        msg = (said.getvalue().strip() or str(exc).strip() or type(exc).__name__).splitlines()[0]
        raise UserInputError(f"{where}: not valid OpenQASM: {msg}") from None
    regs: dict[str, tuple[int, int]] = {}
    n = 0
    ops: list = []
    angles: list[float] = []
    measured = False

    def line(node) -> str:
        sp = getattr(node, "span", None)
        return f"{where} line {sp.start_line}" if sp is not None else where

    def qubits_of(arg, node) -> list[int]:
        if isinstance(arg, ast.Identifier):
            if arg.name not in regs:
                raise UserInputError(f"{line(node)}: unknown qubit register {arg.name!r}")
            off, size = regs[arg.name]
            return list(range(off, off + size))
        if isinstance(arg, ast.IndexedIdentifier):
            name = arg.name.name
            if name not in regs:
                raise UserInputError(f"{line(node)}: unknown qubit register {name!r}")
            off, size = regs[name]
            if len(arg.indices) != 1 or not isinstance(arg.indices[0], list) or len(arg.indices[0]) != 1 \
                    or not isinstance(arg.indices[0][0], ast.IntegerLiteral):
                raise UserInputError(f"{line(node)}: only single integer qubit indices like {name}[0] are supported")
            i = int(arg.indices[0][0].value)
            if not 0 <= i < size:
                raise UserInputError(f"{line(node)}: qubit index {name}[{i}] outside the register (size {size})")
            return [off + i]
        raise UserInputError(f"{line(node)}: unsupported qubit operand")

    for st in prog.statements:
        if isinstance(st, ast.Include):
            if st.filename not in INCLUDES:
                raise UserInputError(f"{line(st)}: include {st.filename!r} is not supported (only "
                                     f"{', '.join(sorted(INCLUDES))}; gates are taken from the list {SUPPORTED})")
            continue
        if isinstance(st, ast.QubitDeclaration):
            size = 1 if st.size is None else st.size
            if not isinstance(size, (int, ast.IntegerLiteral)):
                raise UserInputError(f"{line(st)}: register size must be an integer literal")
            size = int(size.value if isinstance(size, ast.IntegerLiteral) else size)
            if size < 1 or st.qubit.name in regs:
                raise UserInputError(f"{line(st)}: bad or repeated qubit register {st.qubit.name!r}")
            regs[st.qubit.name] = (n, size)
            n += size
            continue
        if isinstance(st, (ast.ClassicalDeclaration, ast.QuantumBarrier, ast.IODeclaration)):
            continue                  # classical bits, barriers, ``input angle t;`` (symbolic angles)
        if isinstance(st, ast.QuantumMeasurementStatement):
            measured = True
            continue
        if isinstance(st, ast.QuantumGate):
            name = st.name.name
            if st.modifiers:
                raise UserInputError(f"{line(st)}: gate modifiers (ctrl @, inv @, pow @) are not supported")
            if measured:
                raise UserInputError(f"{line(st)}: gate {name!r} after a measurement: mid-circuit measurements "
                                     "are not supported")
            if name in SKIPPED:
                continue
            nq = len(ROTATIONS[name]) if name in ROTATIONS else (2 if FIXED.get(name) in ("cx", "cz") else 1)
            if name not in ROTATIONS and name not in FIXED:
                raise UserInputError(f"{line(st)}: unsupported gate {name!r} (supported: {SUPPORTED})")
            want_args = 1 if name in ROTATIONS else 0
            if len(st.arguments) != want_args:
                raise UserInputError(f"{line(st)}: gate {name!r} takes {want_args} angle argument(s); "
                                     f"got {len(st.arguments)}")
            if len(st.qubits) != nq:
                raise UserInputError(f"{line(st)}: gate {name!r} acts on {nq} qubit(s); got {len(st.qubits)}")
            lists = [qubits_of(q, st) for q in st.qubits]
            width = max(len(x) for x in lists)
            if any(len(x) not in (1, width) for x in lists):
                raise UserInputError(f"{line(st)}: registers of different sizes in one gate")
            for b in range(width):
                qs = tuple(x[b] if len(x) > 1 else x[0] for x in lists)
                if len(set(qs)) != len(qs):
                    raise UserInputError(f"{line(st)}: gate {name!r} on a repeated qubit {qs}")
                if name in ROTATIONS:
                    ops.append(("rot", qs, ROTATIONS[name]))
                    v = _const(st.arguments[0], ast)
                    angles.append(float("nan") if v is None else v)
                else:
                    ops.append((FIXED[name], qs))
            continue
        kind = type(st).__name__
        raise UserInputError(f"{line(st)}: {kind} is not supported (supported: {SUPPORTED})")
    if n == 0:
        raise UserInputError(f"{where}: no qubit register declared")
    if not angles:
        raise UserInputError(f"{where}: no parameterised rotation (supported: {SUPPORTED})")
    out = []
    for op in ops:
        if op[0] == "rot":
            chars = ["I"] * n
            for q, c in zip(op[1], op[2]):
                chars[q] = c
            out.append(("rot", PauliSum.word("".join(chars))))
        else:
            out.append(op)
    return n, out, angles


def read_qasm(path) -> tuple[int, list, list[float]]:
    """:func:`parse_qasm` of a file (errors name the file)."""
    p = os.fspath(path)
    if not os.path.isfile(p):
        raise UserInputError(f"--from-qasm: file not found: {p!r}")
    try:
        with open(p, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise UserInputError(f"--from-qasm: cannot read {p!r}: {exc}") from None
    return parse_qasm(text, p)


def qasm_generators(path, observable: str | None = None):
    """(n, generators, header lines, theta, observable W^dagger O W or None) of an OpenQASM file (module
    docstring); theta_k = phi_k / 2; ``observable`` a Pauli sum in the spec syntax (``0.5*ZZI+XII``)."""
    n, ops, angles = read_qasm(path)
    if n > MAX_MASK_QUBITS:
        raise UserInputError(f"--from-qasm: the file declares {n} qubits; at most {MAX_MASK_QUBITS}")
    gens, fixed = absorb_cliffords(ops)
    header = [f"rmt-qgm generators file from OpenQASM {os.path.basename(os.fspath(path))}, n = {n}",
              f"{len(gens)} rotation(s), each its own parameter: gate k = exp(-i theta_k G_k), theta_k = "
              f"(QASM angle)/2; p = {len(gens)} runs the circuit once",
              f"{len(fixed)} fixed Clifford gate(s) absorbed: G_k = W_k^dagger P_k W_k; the observable of the "
              f"circuit becomes W^dagger O W, W the product of all of them"]
    obs = None
    if observable is not None:
        o = PauliSum.from_terms(parse_pauli_sum(observable, n, name="--observable"), n)
        obs = conjugate_by_sequence(o, fixed, dagger=True)
        header.append(f"observable W^dagger O W = {obs.to_string()}")
    return n, gens, header, [a / 2.0 for a in angles], obs
