"""Lowering of sort: stablehlo.sort with JAX's comparator (a lexicographic total order on the keys)."""
import numpy as np

from xla_bridge.lowering.core import register
from xla_bridge.lowering.rules_reductions import (compare_type, emit_compare, emit_select, region_context,
                                                  scalar_aval)


def _canonical_float(rc, x, aval):
    """-0.0 -> 0.0 and every NaN -> the positive quiet NaN, so that they compare equal in a total order."""
    zero = rc.constant(0, aval.dtype)
    x = emit_select(rc, emit_compare(rc, "EQ", x, zero, aval), zero, x, aval)
    nan = rc.constant(np.nan, aval.dtype)
    return emit_select(rc, emit_compare(rc, "NE", x, x, aval), nan, x, aval)


def _keys(rc, x, aval):
    """The scalar keys (with their avals) that order one operand's element."""
    if aval.dtype.kind == "c":
        part = aval.update(dtype=np.float32 if aval.dtype == np.complex64 else np.float64)
        return [(_canonical_float(rc, rc.op(op, [x], part, operand_avals=[aval]), part), part)
                for op in ("stablehlo.real", "stablehlo.imag")]
    if compare_type(aval.dtype) == "FLOAT":
        return [(_canonical_float(rc, x, aval), aval)]
    return [(x, aval)]


def _compare_kind(aval):
    return "TOTALORDER" if compare_type(aval.dtype) == "FLOAT" else None


def _less_than(rc, lhs_keys, rhs_keys):
    """Lexicographic lhs < rhs: a < b on the last key, folded forward with (a < b) | (a == b & rest)."""
    result = None
    for (a, aval), (b, _) in reversed(list(zip(lhs_keys, rhs_keys))):
        kind = _compare_kind(aval)
        lt = emit_compare(rc, "LT", a, b, aval, kind)
        if result is None:
            result = lt
            continue
        pred = aval.update(dtype=np.bool_)
        eq = emit_compare(rc, "EQ", a, b, aval, kind)
        tail = rc.op("stablehlo.and", [eq, result], pred, operand_avals=[pred, pred])
        result = rc.op("stablehlo.or", [lt, tail], pred, operand_avals=[pred, pred])
    return result


@register("sort")
def _sort(ctx, *xs, dimension, is_stable, num_keys):
    scalars = [scalar_aval(a) for a in ctx.avals_in]
    block_avals = [a for s in scalars for a in (s, s)]  # (lhs_i, rhs_i) for each operand i

    def comparator(builder, args):
        rc = region_context(builder)
        lhs_keys, rhs_keys = [], []
        for i in range(num_keys):
            lhs_keys += _keys(rc, args[2 * i], scalars[i])
            rhs_keys += _keys(rc, args[2 * i + 1], scalars[i])
        return [(_less_than(rc, lhs_keys, rhs_keys), scalars[0].update(dtype=np.bool_))]

    region = ctx.region(block_avals, comparator)
    attrs = f"dimension = {dimension} : i64, is_stable = {'true' if is_stable else 'false'}"
    outs = ctx.op("stablehlo.sort", list(xs), list(ctx.avals_out), attrs, regions=[region])
    return outs if len(xs) > 1 else [outs]
