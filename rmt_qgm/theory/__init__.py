"""Landscape models and their critical-point statistics (THEORY.md sections 3-6)."""
