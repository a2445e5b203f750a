"""Spec parsing: Pauli strings and sums round-trip, malformed input is rejected with one clear line."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from rmt_qgm.errors import UserInputError
from rmt_qgm.spec import (format_pauli_sum, parse_pauli_string, parse_pauli_sum, parse_psi0)

words = st.text(alphabet="IXYZ", min_size=1, max_size=8)


@given(words)
def test_pauli_string_round_trip(word):
    p = parse_pauli_string(word)
    assert p.label() == word
    assert p.n == len(word)
    assert p.ny == word.count("Y")


@settings(max_examples=60)
@given(st.integers(1, 6).flatmap(lambda n: st.lists(
    st.tuples(st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False),
              st.text(alphabet="IXYZ", min_size=n, max_size=n)), min_size=1, max_size=6)))
def test_pauli_sum_round_trip(terms):
    text = "".join(("-" if c < 0 else ("+" if i else "")) + f"{abs(c)!r}*{w}"
                   for i, (c, w) in enumerate(terms))
    parsed = parse_pauli_sum(text)
    assert [(c, w.label()) for c, w in parsed] == [(float(c), w) for c, w in terms]
    again = parse_pauli_sum(format_pauli_sum(parsed))
    assert again == parsed


def test_pauli_sum_forms():
    terms = parse_pauli_sum("0.5*ZZI+1.0*XII-0.3*YYZ")
    assert [(c, w.label()) for c, w in terms] == [(0.5, "ZZI"), (1.0, "XII"), (-0.3, "YYZ")]
    assert [(c, w.label()) for c, w in parse_pauli_sum("ZZ - XI + 1e-3*YY")] == [
        (1.0, "ZZ"), (-1.0, "XI"), (1e-3, "YY")]


@pytest.mark.parametrize("bad", ["", "0.5*ZQI", "0.5*", "ZZ+XXX", "abc", "0.5**ZZ"])
def test_malformed_pauli_sum(bad):
    with pytest.raises(UserInputError) as err:
        parse_pauli_sum(bad)
    assert "\n" not in str(err.value)


def test_pauli_string_wrong_length():
    with pytest.raises(UserInputError, match="exactly 3 letters"):
        parse_pauli_string("XX", n=3)


def test_bitmask_action_matches_definition():
    # P|b> = i^ny (-1)^popcount(b & zmask) |b ^ xmask>, checked against explicit 2x2 matrices
    mats = {"I": np.eye(2), "X": np.array([[0, 1], [1, 0]]), "Y": np.array([[0, -1j], [1j, 0]]),
            "Z": np.diag([1, -1])}
    for word in ["XYZ", "YIY", "ZZI", "IXI"]:
        p = parse_pauli_string(word)
        dense = np.array([[1]])
        for c in reversed(word):  # qubit k is bit k: qubit 0 is the last kron factor
            dense = np.kron(dense, mats[c])
        for b in range(8):
            col = dense[:, b]
            target = b ^ p.xmask
            phase = (1j ** p.ny) * (-1) ** bin(b & p.zmask).count("1")
            assert np.isclose(col[target], phase)
            assert np.isclose(np.abs(col).sum(), 1.0)


def test_psi0():
    assert parse_psi0(None).kind == "haar"
    assert parse_psi0("zero").kind == "zero"
    s = parse_psi0("random:17")
    assert (s.kind, s.seed) == ("random", 17)
    for bad in ["random:", "random:-1", "plus", "random:x"]:
        with pytest.raises(UserInputError, match="psi0"):
            parse_psi0(bad)
