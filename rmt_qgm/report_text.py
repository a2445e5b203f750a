"""Plain-text rendering of a :class:`rmt_qgm.theory.prediction.Prediction`: one short table, details on request."""
from __future__ import annotations


def _g(x, digits: int = 4) -> str:
    if x is None:
        return "–"
    try:
        if x != x:            # NaN
            return "n/a"
    except TypeError:
        return str(x)
    return f"{x:.{digits}g}"


def _prov(law: dict) -> str:
    pv = law["provenance"]
    if pv["kind"] == "fitted" and pv.get("calibration"):
        c = pv["calibration"]
        fr = c.get("fit_range") or {}
        q = fr.get("qubits")
        rng = f", n {q[0]}-{q[1]}" if q else ""
        return f"fitted ({c['file'].split('/')[-1]} {c['date']}{rng})"
    return f"{pv['kind']} ({pv['model']})"


def _law_row(label: str, law: dict) -> list[str]:
    if not law.get("available", True):
        return [f"{label:18s} no law: {law['reason']}"]
    se = law.get("median_stderr")
    med = _g(law["median"]) + (f" ± {_g(se, 2)}" if se is not None else "")
    band = f"[{_g(law['q10'])}, {_g(law['q90'])}]"
    rel = "yes" if law["reliable"] else "no"
    rows = [f"{label:18s} {med:22s} {band:22s} {rel:8s} {_prov(law)}"]
    if not law["reliable"] and law.get("reason"):
        rows.append(f"{'':18s} not reliable: {law['reason']}")
    return rows


def prediction_text(pred, details: bool = False) -> str:
    """The text form of ``rmt-qgm predict``."""
    d = pred.to_dict()
    head = f"n = {d['n_qubits']}, p = {d['n_params']}, gamma = p/2^(n+1) = {_g(d['gamma'])}"
    if d["hamiltonian"]:
        head += f", H = {d['hamiltonian']}"
    lines = [head, f"model: {d['model']} — {d['model_reason']}"]
    units = next((d[k]["units"] for k in ("minima", "optimiser_minima") if d[k].get("available", True)), None)
    lines.append(f"{'law':18s} {'median ± s.e.':22s} {'[q10, q90]':22s} {'reliable':8s} provenance"
                 + (f"   ({units})" if units else ""))
    lines += _law_row("minima (all)", d["minima"])
    lines += _law_row("optimiser-found", d["optimiser_minima"])
    tr = d["transition"]
    if tr:
        lines.append(f"transition: p_c = {tr.get('params_c')} (gamma_c = {_g(tr.get('gamma_c'))}); {d['regime']}")
    cp = d.get("critical_points")
    if cp:
        c, rse = cp["expected_counts_by_index"], cp.get("relative_stderr_by_index") or [None] * len(cp["expected_counts_by_index"])
        shown = [f"{_g(x, 3)}" + (f" ± {r:.0%}" if r is not None else "") for x, r in zip(c[:6], rse[:6])]
        more = f", … ({len(c)} indices)" if len(c) > 6 else ""
        lines.append("critical points per [0, pi)^p by index: " + ", ".join(shown) + more)
    for w in d["warnings"]:
        lines.append(f"warning: {w}")
    if details:
        a = d.get("asymptotic") or {}
        if a:
            lines.append(f"asymptotic (2^n -> inf): edge level {_g(a.get('edge'))}, concentration level "
                         f"{_g(a.get('threshold'))}, digits lost {a.get('digits_lost', 0)}")
        s = d.get("sampling") or {}
        if s:
            lines.append("sampling: " + ", ".join(f"{k} {_g(v) if isinstance(v, float) else v}" for k, v in s.items()
                                                  if v is not None))
        lines.append("models considered:")
        for e in d["models_considered"]:
            lines.append(f"  {e['model']:10s} " + (f"estimated {_g(e['estimated_seconds'], 3)} s" if e["available"]
                                                   else f"unavailable: {e['why_not']}"))
        for k in ("minima", "optimiser_minima"):
            det = d[k].get("details") if d[k].get("available", True) else None
            if det:
                lines.append(f"{k} details: " + ", ".join(f"{a}={_g(b) if isinstance(b, float) else b}"
                                                         for a, b in det.items()))
    lines.append(f"seconds {d['seconds']:.1f} (budget {_g(d['budget_seconds'])}), seed {d['seed']}, "
                 f"rmt_qgm {d['version']}; --json for everything, --details for diagnostics")
    return "\n".join(lines)
