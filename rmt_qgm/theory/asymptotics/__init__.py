"""Large-size asymptotics (docs/theory.md §5.6–§5.7, §13, §19):

- :mod:`.whrf` the isotropic WHRF's spectral edges and levels, :mod:`.whrf_complexity` its complexity of minima;
- :mod:`.spherical` the normalised-state model for any spectrum (free additive convolution), with numba kernels
  in :mod:`.free_kernels`;
- :mod:`.minima_complexity` the index-0 complexity and the asymptotic levels for any spectrum,
  :mod:`.critical_complexity` the total complexity and typical index;
- :mod:`.small_loss` the power law of minima just above the ground energy;
- :mod:`.tracy_widom` the GOE Tracy–Widom law F_1 used at the finite-size edge.
"""
