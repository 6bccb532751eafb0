"""Lowering of jaxlike IR to StableHLO text, one rule per primitive.

A rule is `rule(ctx, *operands, **params)`: operands are SSA value names, `ctx.avals_in` and
`ctx.avals_out` their abstract values; it emits ops through `ctx` and returns the result names
(a list for multiple-result primitives). Rules are registered by primitive name in the modules
of this package, one per family of primitives, mirroring jaxlike/lax.
"""
from xla_bridge.lowering.core import (FunctionBuilder, LoweredModule, RuleContext, element_type, lower_jaxpr,
                                      lower_jaxpr_module, lowering_rules, register, tensor_type)
from xla_bridge.lowering import rules_elementwise, rules_structural, rules_reductions, rules_indexing  # noqa: F401
from xla_bridge.lowering import rules_calls, rules_dot, rules_sort, rules_cumulative, rules_random, rules_control_flow  # noqa: F401
from xla_bridge.lowering import rules_linalg, rules_fft  # noqa: F401
from xla_bridge.lowering import rules_convolution, rules_windowed, rules_special, rules_misc  # noqa: F401

__all__ = ["FunctionBuilder", "LoweredModule", "RuleContext", "lower_jaxpr", "lower_jaxpr_module",
           "lowering_rules", "register", "tensor_type", "element_type"]
