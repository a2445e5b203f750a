"""The trust-region step test and radius update shared by the simulator's two second-order endgames (the exact
Hessian one in :mod:`.optimize`, the truncated-Newton one in :mod:`.newton_cg`); Nocedal & Wright, Numerical
Optimization, Alg. 4.1."""
from __future__ import annotations


def step_ratio(f: float, f2: float, gn: float, gn2: float, pred: float, eta: float) -> tuple[float, bool]:
    """(ratio, accepted) of a step from loss f (gradient max-norm gn) to f2 (gn2) whose model predicted the
    decrease ``pred``: ratio = (f - f2) / pred, accepted when ratio >= eta. Where the predicted decrease is at
    rounding level (pred <= 1e-14 (|f| + 1)) the ratio means nothing: the step is accepted (ratio 1) iff it lowers
    the gradient's max-norm without raising f beyond rounding, else rejected (ratio 0)."""
    if pred <= 1e-14 * (abs(f) + 1.0):
        ok = gn2 < gn and f2 <= f + 1e-14 * (abs(f) + 1.0)
        return (1.0 if ok else 0.0), ok
    ratio = (f - f2) / pred
    return ratio, ratio >= eta


def next_radius(delta: float, ratio: float, step_norm: float, at_boundary: bool) -> float:
    """The trust radius after a step of length ``step_norm``: a quarter of the step when the model was poor
    (ratio < 1/4), doubled when it was good (ratio > 3/4) and the step reached the boundary, else unchanged."""
    if ratio < 0.25:
        return 0.25 * step_norm
    if ratio > 0.75 and at_boundary:
        return 2.0 * delta
    return delta
