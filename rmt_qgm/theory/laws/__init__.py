"""Laws that sit on top of the models (docs/theory.md §7, §9):

- :mod:`.transition` where the trainability transition sits for any spectrum (γ_c = 1 − d0/2^n);
- :mod:`.basin` and :mod:`.optimiser` from the Kac–Rice law of minima to the law of optimiser-found minima
  (basin weighting; the (G3) law is fitted, with its calibration in rmt_qgm/data);
- :mod:`.published` published formulas as named comparison curves.
"""
