"""Lowering of the miscellaneous primitives."""
