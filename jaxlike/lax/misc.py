"""Miscellaneous primitives (filled in below)."""
__all__ = []
