"""Kac–Rice machinery shared by the models: importance-weighted draws of a Kac–Rice expectation
(:mod:`.draws`) and the exhaustive enumeration of critical points of sampled fields that checks the counts
(:mod:`.enumerate`; docs/theory.md §5.3)."""
