"""``rmt-qgm demo``: the default prints both laws and a verdict and writes its files; ``--compare`` the models."""
import csv
import json

import numpy as np
import pytest

from rmt_qgm import demo
from rmt_qgm.cli import main


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    text = demo.run_demo(str(out), seed=0)
    return out, text


def test_default_prints_both_laws_and_a_verdict(default_run):
    out, text = default_run
    lines = text.splitlines()
    assert any(l.startswith("  agree = ") and "+- 2 s.e." in l for l in lines)      # the rule is printed
    opt = [l for l in lines if l.startswith("  optimiser_minima")]
    mins = [l for l in lines if l.startswith("  minima")]
    assert len(opt) == 1 and len(mins) == 1
    assert "predicted median F = " in opt[0] and "simulated " in opt[0] and "[95% " in opt[0]
    assert opt[0].rstrip().endswith(("-> AGREE", "-> DISAGREE"))
    assert "not comparable" in mins[0] and "no verdict" in mins[0]
    assert all(w in l for l in opt + mins for w in ("q10", "q90")) and any("derived" in l for l in mins)
    assert "model comparison" not in text                                            # --compare only


def test_default_files(default_run):
    out, text = default_run
    assert sorted(p.name for p in out.iterdir()) == ["demo.json", "minima.csv", "minima.png"]
    meta = json.loads((out / "demo.json").read_text())
    for key in ("version", "params", "seed", "seconds", "created", "simulation", "prediction", "agreement"):
        assert key in meta
    assert meta["params"]["n_qubits"] == 4 and meta["params"]["n_params"] == 8
    pred = meta["prediction"]
    for law in ("minima", "optimiser_minima"):
        assert pred[law]["available"] and pred[law]["provenance"]["kind"] in ("derived", "fitted")
        assert len(pred[law]["pdf"]) > 10
    ag = meta["agreement"]
    assert isinstance(ag["agree"], bool) and ag["law"] == "optimiser_minima"
    lo, hi = ag["simulated"]["ci95"]
    assert lo <= ag["simulated"]["median"] <= hi and ag["simulated"]["instances"] == demo.DEMO["instances"]
    assert ("-> AGREE" in text) == ag["agree"]
    with open(out / "minima.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    sources = {r["source"] for r in rows}
    assert sources == {"simulation", "prediction:minima", "prediction:optimiser_minima"}
    assert sum(r["source"] == "simulation" for r in rows) == meta["simulation"]["minima"]["certified"]
    assert (out / "minima.png").stat().st_size > 10_000


def test_bootstrap_is_instance_level_and_seeded():
    F = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
    inst = np.array([0, 0, 1, 1, 2, 2])
    a = demo.bootstrap_median(F, inst, seed=3, resamples=400)
    assert a == demo.bootstrap_median(F, inst, seed=3, resamples=400)
    assert a["median"] == pytest.approx(0.35) and a["instances"] == 3
    assert 0.1 <= a["ci95"][0] <= a["median"] <= a["ci95"][1] <= 0.6
    # one instance: resampling instances cannot move the median
    b = demo.bootstrap_median(F[:2], inst[:2], seed=3, resamples=50)
    assert b["ci95"] == [pytest.approx(0.15), pytest.approx(0.15)]
    assert demo.bootstrap_median(F[:0], inst[:0], seed=3)["ci95"] is None


def test_agreement_rule():
    sim = {"median": 0.42, "ci95": [0.40, 0.44]}
    law = {"available": True, "median": 0.50, "median_stderr": 0.03}
    assert demo.agreement(law, sim)["agree"] is True                   # band [0.44, 0.56] meets [0.40, 0.44]
    assert demo.agreement(dict(law, median_stderr=0.02), sim)["agree"] is False   # band [0.46, 0.54]
    assert demo.agreement(dict(law, median=0.43, median_stderr=None), sim)["agree"] is True   # point: band = median
    assert demo.agreement({"available": False, "reason": "x"}, sim)["agree"] is None
    assert demo.agreement(law, {"median": None, "ci95": None})["agree"] is None


def test_cli_compare_prints_three_models(tmp_path, monkeypatch, capsys):
    # a smaller simulation: this test is about the comparison block
    monkeypatch.setitem(demo.DEMO, "instances", 2)
    monkeypatch.setitem(demo.DEMO, "starts", 2)
    assert main(["demo", "--out", str(tmp_path), "--compare"]) == 0
    text = capsys.readouterr().out
    assert "model comparison (--compare)" in text
    for model in ("whrf", "spherical", "circuit"):
        assert any(l.strip().startswith(f"{model}") and "median F = " in l for l in text.splitlines()), model
    meta = json.loads((tmp_path / "demo.json").read_text())
    assert set(meta["model_comparison"]) == {"whrf", "spherical", "circuit"}
