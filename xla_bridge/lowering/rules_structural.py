"""Lowering of shape-changing primitives."""
from xla_bridge.lowering.core import register


def _i64_array(values):
    return f"array<i64: {', '.join(str(int(v)) for v in values)}>" if len(values) else "array<i64>"


@register("broadcast_in_dim")
def _broadcast_in_dim(ctx, x, shape, broadcast_dimensions):
    return ctx.op("stablehlo.broadcast_in_dim", [x], ctx.avals_out[0],
                  f"broadcast_dimensions = {_i64_array(broadcast_dimensions)}")


@register("reshape")
def _reshape(ctx, x, new_sizes, dimensions):
    return ctx.op("stablehlo.reshape", [x], ctx.avals_out[0])


@register("transpose")
def _transpose(ctx, x, permutation):
    return ctx.op("stablehlo.transpose", [x], ctx.avals_out[0], f"permutation = {_i64_array(permutation)}")


@register("iota")
def _iota(ctx, *, dtype, shape, dimension):
    return ctx.op("stablehlo.iota", [], ctx.avals_out[0], f"iota_dimension = {dimension} : i64", operand_avals=[])


@register("squeeze")
def _squeeze(ctx, x, dimensions):
    return ctx.op("stablehlo.reshape", [x], ctx.avals_out[0])


@register("rev")
def _rev(ctx, x, dimensions):
    return ctx.op("stablehlo.reverse", [x], ctx.avals_out[0], f"dimensions = {_i64_array(dimensions)}")


@register("concatenate")
def _concatenate(ctx, *xs, dimension):
    return ctx.op("stablehlo.concatenate", list(xs), ctx.avals_out[0], f"dimension = {dimension} : i64")


@register("pad")
def _pad(ctx, x, padding_value, padding_config):
    low, high, interior = zip(*padding_config) if padding_config else ((), (), ())
    attrs = (f"edge_padding_low = {_i64_array(low)}, edge_padding_high = {_i64_array(high)}, "
             f"interior_padding = {_i64_array(interior)}")
    return ctx.op("stablehlo.pad", [x, padding_value], ctx.avals_out[0], attrs)
