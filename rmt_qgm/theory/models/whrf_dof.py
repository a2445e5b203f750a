"""Degrees-of-freedom rules for an isotropic WHRF surrogate (docs/theory.md §3.2).

With K = H - E0 >= 0, d = 2^n and mu the eigenvalues of K, each rule returns a real count m_real:

- ``dimension``:   m_real = 2^(n+1), the real dimension of the state space;
- ``trace_ratio``: r = ceil(Tr(K)^2 / Tr(K^2)) complex degrees of freedom, m_real = 2 r
  (arXiv 2408.11901 as summarised in docs/theory.md §8, beta = 2);
- ``haar_moment``: m = Tr(K)^2 / Tr((K - kbar)^2) complex (docs/theory.md §3.2 rule 3), m_real = 2 round(m).

Scale for all rules: sigma^2 = Tr(K) / (d m_real), so the WHRF reproduces E[F - E0] = Tr K / d.
"""
from __future__ import annotations

import math

import numpy as np

from ...checks import check_choice

DOF_RULES = ("dimension", "trace_ratio", "haar_moment")


def dof_dimension(n: int) -> int:
    return 2 ** (n + 1)


def dof_trace_ratio(spectrum: np.ndarray) -> int:
    k = np.asarray(spectrum, dtype=float) - np.min(spectrum)
    return 2 * int(math.ceil(k.sum() ** 2 / np.sum(k ** 2) - 1e-12))


def dof_haar_moment(spectrum: np.ndarray) -> int:
    k = np.asarray(spectrum, dtype=float) - np.min(spectrum)
    var = np.sum((k - k.mean()) ** 2)
    if var == 0:
        raise ValueError("haar_moment rule: the spectrum is flat")
    return 2 * max(1, int(round(k.sum() ** 2 / var)))


def dof_for(rule: str, n: int, spectrum: np.ndarray) -> int:
    """m_real under the named rule."""
    check_choice("dof_rule", rule, DOF_RULES)
    if rule == "dimension":
        return dof_dimension(n)
    if rule == "trace_ratio":
        return dof_trace_ratio(spectrum)
    return dof_haar_moment(spectrum)
