"""Lowering of cumulative reductions: a stablehlo.reduce_window whose window spans the whole axis,
padded on one side, as JAX emits it (XLA rewrites it into an efficient scan)."""
from xla_bridge.lowering.core import register
from xla_bridge.lowering.rules_reductions import emit_binary, highest, lowest, region_context, scalar_aval
from xla_bridge.lowering.rules_structural import _i64_array

_CUMULATIVE = {
    "cumsum": ("stablehlo.add", lambda dt: 0),
    "cumprod": ("stablehlo.multiply", lambda dt: 1),
    "cummax": ("stablehlo.maximum", lowest),
    "cummin": ("stablehlo.minimum", highest),
}


def _padding_attr(padding):
    rows = ", ".join(f"[{lo}, {hi}]" for lo, hi in padding)
    return f"dense<[{rows}]> : tensor<{len(padding)}x2xi64>"


def _cumulative_rule(op_name, identity):
    def rule(ctx, x, axis, reverse):
        aval = ctx.avals_in[0]
        n = aval.shape[axis]
        if n == 0:
            return x
        scalar = scalar_aval(aval)
        window = [1] * aval.ndim
        window[axis] = n
        padding = [(0, 0)] * aval.ndim
        padding[axis] = (0, n - 1) if reverse else (n - 1, 0)
        init = ctx.constant(identity(aval.dtype), aval.dtype)
        region = ctx.region([scalar, scalar], lambda builder, args: [
            (emit_binary(region_context(builder), op_name, args[0], args[1], scalar), scalar)])
        attrs = (f"window_dimensions = {_i64_array(window)}, window_strides = {_i64_array([1] * aval.ndim)}, "
                 f"padding = {_padding_attr(padding)}")
        return ctx.op("stablehlo.reduce_window", [x, init], ctx.avals_out[0], attrs,
                      operand_avals=[aval, scalar], regions=[region])
    return rule


for _name, (_op, _identity) in _CUMULATIVE.items():
    register(_name)(_cumulative_rule(_op, _identity))
