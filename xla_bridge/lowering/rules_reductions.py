"""Lowering of reductions: one stablehlo.reduce with a scalar region per primitive."""
import numpy as np

from xla_bridge.lowering.core import RuleContext, register
from xla_bridge.lowering.rules_structural import _i64_array


def scalar_aval(aval):
    return aval.update(shape=(), weak_type=False)


def region_context(builder):
    """A RuleContext emitting into a region's builder (avals are passed explicitly to each op)."""
    return RuleContext(builder, [], [])


def emit_reduce(ctx, operands, init_values, axes, body_op, operand_avals, out_avals):
    """A stablehlo.reduce of `operands` over `axes`; `body_op(builder, lhs_names, rhs_names)` returns results."""
    scalar_avals = [scalar_aval(a) for a in operand_avals]

    def body(builder, args):
        n = len(operands)
        results = body_op(builder, args[:n], args[n:])
        return list(zip(results, scalar_avals))

    region = ctx.region(scalar_avals + scalar_avals, body)
    results = out_avals if len(out_avals) > 1 else out_avals[0]
    return ctx.op("stablehlo.reduce", list(operands) + list(init_values), results,
                  f"dimensions = {_i64_array(axes)}", operand_avals=list(operand_avals) + scalar_avals,
                  regions=[region])


def compare_type(dtype):
    dtype = np.dtype(dtype)
    if dtype.kind in "fcV" or dtype.name.startswith(("bfloat", "float")):
        return "FLOAT"
    return "SIGNED" if dtype.kind == "i" or dtype.name.startswith("int") else "UNSIGNED"


def emit_compare(ctx, direction, x, y, aval, kind=None):
    """x `direction` y as a bool tensor; `kind` overrides the comparison type (e.g. TOTALORDER)."""
    attrs = (f"comparison_direction = #stablehlo<comparison_direction {direction}>, "
             f"compare_type = #stablehlo<comparison_type {kind or compare_type(aval.dtype)}>")
    return ctx.op("stablehlo.compare", [x, y], aval.update(dtype=np.bool_, weak_type=False), attrs,
                  operand_avals=[aval, aval])


def emit_binary(ctx, op_name, x, y, aval):
    return ctx.op(op_name, [x, y], aval, operand_avals=[aval, aval])


def emit_select(ctx, pred, on_true, on_false, aval):
    return ctx.op("stablehlo.select", [pred, on_true, on_false], aval,
                  operand_avals=[aval.update(dtype=np.bool_), aval, aval])


def lowest(dtype):
    """The identity of max: -inf, or the least finite value for types without infinities, or iinfo.min."""
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return False
    if dtype.kind in "iu" or dtype.name.startswith(("int", "uint")):
        import ml_dtypes
        return ml_dtypes.iinfo(dtype).min
    return _extreme_float(dtype, -1)


def highest(dtype):
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return True
    if dtype.kind in "iu" or dtype.name.startswith(("int", "uint")):
        import ml_dtypes
        return ml_dtypes.iinfo(dtype).max
    return _extreme_float(dtype, 1)


def _extreme_float(dtype, sign):
    import ml_dtypes
    with np.errstate(all="ignore"):
        inf = np.array(sign * np.inf).astype(dtype)
    if np.isinf(inf.astype(np.float64)):
        return inf
    info = ml_dtypes.finfo(dtype)
    return info.max if sign > 0 else info.min


def _all_ones(dtype):
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return True
    return -1 if dtype.kind == "i" or dtype.name.startswith("int") else highest(dtype)


_MONOIDS = {
    "reduce_sum": ("stablehlo.add", lambda dt: 0),
    "reduce_prod": ("stablehlo.multiply", lambda dt: 1),
    "reduce_max": ("stablehlo.maximum", lowest),
    "reduce_min": ("stablehlo.minimum", highest),
    "reduce_and": ("stablehlo.and", _all_ones),
    "reduce_or": ("stablehlo.or", lambda dt: 0),
    "reduce_xor": ("stablehlo.xor", lambda dt: 0),
}


def _monoid_rule(op_name, identity):
    def rule(ctx, x, axes):
        aval = ctx.avals_in[0]
        scalar = scalar_aval(aval)
        init = ctx.constant(identity(aval.dtype), aval.dtype)

        def body(builder, lhs, rhs):
            return [emit_binary(region_context(builder), op_name, lhs[0], rhs[0], scalar)]

        return emit_reduce(ctx, [x], [init], axes, body, [aval], [ctx.avals_out[0]])
    return rule


for _name, (_op, _identity) in _MONOIDS.items():
    register(_name)(_monoid_rule(_op, _identity))


def _argminmax_rule(direction, identity):
    """A variadic reduce over (value, index) preferring NaN, then the better value, then the smaller index."""
    def rule(ctx, x, axes, index_dtype):
        aval, out = ctx.avals_in[0], ctx.avals_out[0]
        index_aval = aval.update(dtype=index_dtype, weak_type=False)
        iota = ctx.op("stablehlo.iota", [], index_aval, f"iota_dimension = {axes[0]} : i64", operand_avals=[])
        inits = [ctx.constant(identity(aval.dtype), aval.dtype), ctx.constant(0, index_dtype)]
        value, index = scalar_aval(aval), scalar_aval(index_aval)
        pred = value.update(dtype=np.bool_)
        is_float = compare_type(aval.dtype) == "FLOAT"

        def body(builder, lhs, rhs):
            rc = region_context(builder)
            (a, i), (b, j) = lhs, rhs
            first = emit_compare(rc, "LT", i, j, index)
            tie = emit_binary(rc, "stablehlo.and", emit_compare(rc, "EQ", a, b, value), first, pred)
            pick_a = emit_binary(rc, "stablehlo.or", emit_compare(rc, direction, a, b, value), tie, pred)
            if is_float:  # NaN beats any number; between NaNs the earlier index wins
                a_nan, b_nan = emit_compare(rc, "NE", a, a, value), emit_compare(rc, "NE", b, b, value)
                pick_a = emit_select(rc, a_nan, emit_select(rc, b_nan, first, a_nan, pred),
                                     emit_select(rc, b_nan, a_nan, pick_a, pred), pred)
            return [emit_select(rc, pick_a, a, b, value), emit_select(rc, pick_a, i, j, index)]

        results = emit_reduce(ctx, [x, iota], inits, axes, body, [aval, index_aval],
                              [out.update(dtype=aval.dtype), out])
        return results[1]
    return rule


register("argmax")(_argminmax_rule("GT", lowest))
register("argmin")(_argminmax_rule("LT", highest))
