"""Landscape models and their finite-size Kac–Rice laws of local minima, one module per model.

- :mod:`.whrf` the isotropic Wishart hypertoroidal random field (docs/theory.md §4–§5), with its point law
  (:mod:`.whrf_pointlaw`) and degrees-of-freedom rules (:mod:`.whrf_dof`);
- :mod:`.weighted` the weighted WHRF for a general spectrum (§6.1);
- :mod:`.spherical` the normalised-state (spherical) model (§6.2);
- :mod:`.circuit` the exact model of the randomized circuit ansatz (§9);
- :mod:`.edge` the finite-size edge law of the normalised-state model at any size (§19);
- :mod:`.circuit_edge` the circuit edge law, with the circuit's own Hessian (§20).
"""
