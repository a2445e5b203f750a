"""``rmt-qgm calibrate``: the package's (G3) calibration (rmt_qgm/data/basin_law_g3.json) is rebuilt from the fit
points it stores (rmt_qgm/calibration.py); the rebuild reproduces the shipped coefficients, and a perturbed point
or coefficient makes ``--check`` fail."""
from __future__ import annotations

import json
import os
import shutil

import numpy as np
import pytest

from rmt_qgm import calibration as C
from rmt_qgm.cli import main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def copy(tmp_path):
    path = tmp_path / "basin_law_g3.json"
    shutil.copy(C.CALIBRATION_FILE, path)
    return str(path)


def _edit(path, fn):
    with open(path, encoding="utf-8") as fh:
        cal = json.load(fh)
    fn(cal)
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(cal, fh)


def test_rebuild_reproduces_the_shipped_coefficients():
    cal = C.load()
    new = C.rebuild(cal)
    assert C.differences(new, cal) == []
    assert new["points"] == cal["points"] == len(cal["fit_points"]) == 36
    assert new["hamiltonians"] == cal["hamiltonians"] and new["df"] == cal["df"]
    np.testing.assert_allclose(new["beta"], cal["beta"], rtol=1e-9)
    assert C.calibrate(check=True)[0] == 0


def test_the_shipped_points_are_the_studys_measured_points():
    # the points the package refits are the calibration rows of validation/basin_ceiling_law.py's committed results
    with open(os.path.join(ROOT, "validation", "results", "basin_ceiling_law", "summary.json"), encoding="utf-8") as fh:
        rows = [q for q in json.load(fh)["calibration"] if None not in q["alpha_range"]]
    pts = C.load()["fit_points"]
    assert [(q["n"], q["p"], q["hamiltonian"], q["alpha"]) for q in pts] == \
        [(q["n"], q["p"], q["hamiltonian"], q["alpha"]) for q in rows]


def test_check_fails_on_a_perturbed_point_and_calibrate_rewrites_it(copy):
    _edit(copy, lambda cal: cal["fit_points"][5].update(alpha=cal["fit_points"][5]["alpha"] * 1.01))
    code, lines = C.calibrate(check=True, path=copy)
    assert code == 1 and any(line.startswith("rebuilt coefficients differ") and "beta" in line for line in lines)
    with open(copy, encoding="utf-8") as fh:
        assert C.differences(C.rebuild(json.load(fh)), C.load()) != []     # --check wrote nothing
    assert C.calibrate(path=copy)[0] == 0                                  # without --check: rebuilt and written
    assert C.calibrate(check=True, path=copy)[0] == 0
    assert C.differences(C.load(copy), C.load()) != []                      # the refit moved the coefficients


def test_check_fails_on_a_perturbed_coefficient_and_dropped_point(copy):
    _edit(copy, lambda cal: cal["beta"].__setitem__(3, cal["beta"][3] * (1 + 1e-6)))
    assert C.calibrate(check=True, path=copy)[0] == 1
    shutil.copy(C.CALIBRATION_FILE, copy)
    _edit(copy, lambda cal: cal["fit_points"].pop())
    code, lines = C.calibrate(check=True, path=copy)
    assert code == 1 and any("points" in line for line in lines)


def test_last_bit_noise_is_not_a_difference(copy):
    _edit(copy, lambda cal: cal["beta"].__setitem__(0, float(np.nextafter(cal["beta"][0], 2.0))))
    assert C.calibrate(check=True, path=copy)[0] == 0
    with open(copy, encoding="utf-8") as fh:
        before = fh.read()
    assert C.calibrate(path=copy)[0] == 0
    with open(copy, encoding="utf-8") as fh:
        assert fh.read() == before                                          # nothing rewritten


def test_cli(copy, monkeypatch, capsys):
    assert main(["calibrate", "--check"]) == 0
    assert "36 fit points" in capsys.readouterr().out
    monkeypatch.setattr(C, "CALIBRATION_FILE", copy)
    _edit(copy, lambda cal: cal["fit_points"][0].update(alpha=cal["fit_points"][0]["alpha"] * 2))
    assert main(["calibrate", "--check"]) == 1
    assert main(["calibrate"]) == 0 and main(["calibrate", "--check"]) == 0
