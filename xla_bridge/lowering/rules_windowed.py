"""Lowering of the windowed reductions to stablehlo.reduce_window with a scalar region."""
from xla_bridge.lowering.core import register
from xla_bridge.lowering.rules_convolution import padding_attr
from xla_bridge.lowering.rules_reductions import emit_binary, highest, lowest, region_context, scalar_aval
from xla_bridge.lowering.rules_structural import _i64_array

_WINDOW_MONOIDS = {
    "reduce_window_sum": ("stablehlo.add", lambda dtype: 0),
    "reduce_window_max": ("stablehlo.maximum", lowest),
    "reduce_window_min": ("stablehlo.minimum", highest),
}


def window_attrs(window_dimensions, window_strides, padding, base_dilation, window_dilation):
    attrs = [f"window_dimensions = {_i64_array(window_dimensions)}",
             f"window_strides = {_i64_array(window_strides)}",
             f"base_dilations = {_i64_array(base_dilation)}",
             f"window_dilations = {_i64_array(window_dilation)}"]
    if padding:
        attrs.append(f"padding = {padding_attr(padding)}")
    return ", ".join(attrs)


def _reduce_window_rule(op_name, identity):
    def rule(ctx, x, *, window_dimensions, window_strides, padding, base_dilation, window_dilation):
        aval = ctx.avals_in[0]
        scalar = scalar_aval(aval)
        init = ctx.constant(identity(aval.dtype), aval.dtype)
        region = ctx.region([scalar, scalar], lambda builder, args: [
            (emit_binary(region_context(builder), op_name, args[0], args[1], scalar), scalar)])
        attrs = window_attrs(window_dimensions, window_strides, padding, base_dilation, window_dilation)
        return ctx.op("stablehlo.reduce_window", [x, init], ctx.avals_out[0], attrs, operand_avals=[aval, scalar],
                      regions=[region])
    return rule


for _name, (_op, _identity) in _WINDOW_MONOIDS.items():
    register(_name)(_reduce_window_rule(_op, _identity))
