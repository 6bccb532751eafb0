"""Structured control flow: cond, switch, while_loop, fori_loop, scan, map, associative_scan.

The primitives `cond`, `while` and `scan` carry jaxprs (constants as explicit operands) and
define every rule by re-tracing those jaxprs through the transform at hand; each primitive
sits in its own module with all its rules.
"""
from jaxlike.lax.control_flow.conditionals import cond, cond_p, switch
from jaxlike.lax.control_flow.loops import fori_loop, while_loop, while_p
from jaxlike.lax.control_flow.scans import scan, scan_p
from jaxlike.lax.control_flow.mapping import map
from jaxlike.lax.cumulative import associative_scan  # written with slicing and concatenation, no primitive

__all__ = ["cond", "switch", "while_loop", "fori_loop", "scan", "map", "associative_scan", "cond_p", "while_p",
           "scan_p"]
