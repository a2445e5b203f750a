"""Landscape models and their critical-point statistics (docs/theory.md §3–6)."""
