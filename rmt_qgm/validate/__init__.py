"""Validation of the theory against sampling, exhaustive enumeration and circuit Monte Carlo (issue 4).

- :mod:`.checks`: the check functions; each returns a :class:`CheckResult` (statistic, threshold, pass).
- :mod:`.registry`: every check of the quick and full suites as a registered :class:`Check` object, with
  its expected outcome (pass, or known failure with reason and reference), and the exit rule.
- :mod:`.report`: report.json, report.md, the critical-count figure and the lines ``rmt-qgm validate`` prints.
- :mod:`.runner`: :func:`run_validation`.
"""
from .checks import (CheckResult, _count_check, check_complexity_log_potential, check_critical_count_circuit,
                     check_critical_count_spherical, check_critical_count_whrf, check_distinct_minima,
                     check_hessian_at_minima, check_minima_distribution, check_optimiser_minima,
                     check_point_law_circuit, check_point_law_whrf, check_predict_default, check_spherical_edge,
                     check_spherical_log_potential, check_transition, check_transition_spectrum, ks_critical)
from .registry import (KNOWN_FAIL, PASS, SUITES, UNEXPECTED_FAIL, UNEXPECTED_PASS, Check, Known, classify,
                       exit_code, make_check, suite)
from .report import summary_lines
from .runner import run_check, run_validation

__all__ = ["KNOWN_FAIL", "PASS", "SUITES", "UNEXPECTED_FAIL", "UNEXPECTED_PASS", "Check", "CheckResult", "Known",
           "_count_check", "check_complexity_log_potential", "check_critical_count_circuit",
           "check_critical_count_spherical", "check_critical_count_whrf", "check_distinct_minima",
           "check_hessian_at_minima", "check_minima_distribution", "check_optimiser_minima",
           "check_point_law_circuit", "check_point_law_whrf", "check_predict_default", "check_spherical_edge",
           "check_spherical_log_potential", "check_transition", "check_transition_spectrum", "classify",
           "exit_code", "ks_critical", "make_check", "run_check", "run_validation", "suite", "summary_lines"]
