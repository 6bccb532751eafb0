"""Lowering of slicing, gathers and scatters.

XLA's gather clamps start indices and its scatter drops out-of-bounds windows; the other modes
are built here: FILL_OR_DROP gathers select `fill_value` where a window leaves the operand, CLIP
scatters clamp their indices first.
"""
import numpy as np

from xla_bridge.lowering.core import emit_constant, lower_jaxpr_body, register, tensor_type
from xla_bridge.lowering.rules_elementwise import emit_compare
from xla_bridge.lowering.rules_reductions import emit_reduce
from xla_bridge.lowering.rules_structural import _i64_array


def _dims(values):
    return "[" + ", ".join(str(int(v)) for v in values) + "]"


def _bool(flag):
    return "true" if flag else "false"


def _mode_name(mode):
    return getattr(mode, "name", str(mode))


@register("slice")
def _slice(ctx, x, start_indices, limit_indices, strides):
    strides = strides or (1,) * len(start_indices)
    return ctx.op("stablehlo.slice", [x], ctx.avals_out[0],
                  f"start_indices = {_i64_array(start_indices)}, limit_indices = {_i64_array(limit_indices)}, "
                  f"strides = {_i64_array(strides)}")


@register("dynamic_slice")
def _dynamic_slice(ctx, x, *start_indices, slice_sizes):
    return ctx.op("stablehlo.dynamic_slice", [x, *start_indices], ctx.avals_out[0],
                  f"slice_sizes = {_i64_array(slice_sizes)}")


@register("dynamic_update_slice")
def _dynamic_update_slice(ctx, x, update, *start_indices):
    return ctx.op("stablehlo.dynamic_update_slice", [x, update, *start_indices], ctx.avals_out[0])


# ---- gather -------------------------------------------------------------------------------
def _gather_dnums_attr(dn, index_vector_dim):
    fields = (("offset_dims", dn.offset_dims), ("collapsed_slice_dims", dn.collapsed_slice_dims),
              ("operand_batching_dims", dn.operand_batching_dims),
              ("start_indices_batching_dims", dn.start_indices_batching_dims),
              ("start_index_map", dn.start_index_map))
    parts = [f"{name} = {_dims(value)}" for name, value in fields if value]
    parts.append(f"index_vector_dim = {index_vector_dim}")
    return "#stablehlo.gather<" + ", ".join(parts) + ">"


@register("gather")
def _gather(ctx, operand, indices, *, dimension_numbers, slice_sizes, indices_are_sorted, unique_indices, mode,
            fill_value):
    operand_aval, indices_aval = ctx.avals_in
    out_aval = ctx.avals_out[0]
    attrs = (f"dimension_numbers = {_gather_dnums_attr(dimension_numbers, indices_aval.ndim - 1)}, "
             f"slice_sizes = {_i64_array(slice_sizes)}, indices_are_sorted = {_bool(indices_are_sorted)}")
    out = ctx.op("stablehlo.gather", [operand, indices], out_aval, attrs)
    if _mode_name(mode) != "FILL_OR_DROP" or not dimension_numbers.start_index_map or out_aval.size == 0:
        return out
    uppers = [operand_aval.shape[d] - slice_sizes[d] for d in dimension_numbers.start_index_map]
    in_bounds = _windows_in_bounds(ctx, indices, indices_aval, uppers)
    batch_dims = [i for i in range(out_aval.ndim) if i not in dimension_numbers.offset_dims]
    mask_aval = out_aval.update(dtype=np.bool_, weak_type=False)
    mask = ctx.op("stablehlo.broadcast_in_dim", [in_bounds], mask_aval,
                  f"broadcast_dimensions = {_i64_array(batch_dims)}",
                  operand_avals=[indices_aval.update(shape=indices_aval.shape[:-1], dtype=np.bool_)])
    fill = _splat(ctx, _default_fill(out_aval.dtype) if fill_value is None else fill_value, out_aval)
    return ctx.op("stablehlo.select", [mask, out, fill], out_aval, operand_avals=[mask_aval, out_aval, out_aval])


def _splat(ctx, value, aval):
    """A constant like `aval` with every element `value`: one scalar constant, broadcast."""
    scalar = ctx.constant(value, aval.dtype)
    aval = aval.update(weak_type=False)
    return ctx.op("stablehlo.broadcast_in_dim", [scalar], aval, "broadcast_dimensions = array<i64>",
                  operand_avals=[aval.update(shape=())])


def _default_fill(dtype):
    """JAX's fill for out-of-bounds gathers: NaN, the most negative signed int, the largest unsigned, True."""
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return True
    if dtype.kind == "i":
        return np.iinfo(dtype).min
    if dtype.kind == "u":
        return np.iinfo(dtype).max
    return np.nan


def _per_component(ctx, values, indices_aval):
    """A constant of the indices' shape holding values[k] in index-vector component k."""
    dtype = indices_aval.dtype
    info = np.iinfo(dtype)
    vector = np.clip(np.asarray(values, dtype=np.int64), info.min, info.max).astype(dtype)
    name = emit_constant(ctx.builder, vector, dtype)
    return ctx.op("stablehlo.broadcast_in_dim", [name], indices_aval.update(weak_type=False),
                  f"broadcast_dimensions = {_i64_array([indices_aval.ndim - 1])}",
                  operand_avals=[indices_aval.update(shape=vector.shape, weak_type=False)])


def _windows_in_bounds(ctx, indices, indices_aval, uppers):
    """bool[batch shape]: whether every component k of an index vector lies in [0, uppers[k]]."""
    bool_aval = indices_aval.update(dtype=np.bool_, weak_type=False)
    zero = _splat(ctx, 0, indices_aval)
    upper = _per_component(ctx, uppers, indices_aval)
    above = emit_compare(ctx, "GE", indices, zero, indices_aval)
    below = emit_compare(ctx, "LE", indices, upper, indices_aval)
    both = ctx.op("stablehlo.and", [above, below], bool_aval, operand_avals=[bool_aval, bool_aval])
    scalar = bool_aval.update(shape=())
    init = ctx.constant(True, np.bool_)

    def body(builder, lhs, rhs):
        return [builder.emit(f"stablehlo.and {lhs[0]}, {rhs[0]} : {tensor_type(scalar)}")]
    return emit_reduce(ctx, [both], [init], [indices_aval.ndim - 1], body, [bool_aval],
                       [bool_aval.update(shape=indices_aval.shape[:-1])])


# ---- scatters -----------------------------------------------------------------------------
def _scatter_dnums_attr(dn, index_vector_dim):
    fields = (("update_window_dims", dn.update_window_dims), ("inserted_window_dims", dn.inserted_window_dims),
              ("input_batching_dims", dn.operand_batching_dims),
              ("scatter_indices_batching_dims", dn.scatter_indices_batching_dims),
              ("scatter_dims_to_operand_dims", dn.scatter_dims_to_operand_dims))
    parts = [f"{name} = {_dims(value)}" for name, value in fields if value]
    parts.append(f"index_vector_dim = {index_vector_dim}")
    return "#stablehlo.scatter<" + ", ".join(parts) + ">"


def _window_sizes(dn, operand_shape, updates_shape):
    windows = iter(updates_shape[w] for w in dn.update_window_dims)
    return [1 if d in dn.inserted_window_dims or d in dn.operand_batching_dims else next(windows)
            for d in range(len(operand_shape))]


def _clamp_indices(ctx, indices, indices_aval, uppers):
    aval = indices_aval.update(weak_type=False)
    zero = _splat(ctx, 0, aval)
    upper = _per_component(ctx, uppers, aval)
    return ctx.op("stablehlo.clamp", [zero, indices, upper], aval, operand_avals=[aval, aval, aval])


# (combiner for numbers, combiner for booleans); None: the update replaces the old value.
_COMBINERS = {
    "scatter": None,
    "scatter_add": ("stablehlo.add", "stablehlo.or"),
    "scatter_mul": ("stablehlo.multiply", "stablehlo.and"),
    "scatter_min": ("stablehlo.minimum", "stablehlo.and"),
    "scatter_max": ("stablehlo.maximum", "stablehlo.or"),
}


def _emit_scatter(ctx, operand, indices, updates, avals, dn, indices_are_sorted, unique_indices, mode, combine):
    """A stablehlo.scatter whose region computes `combine(builder, old, new) -> name`."""
    operand_aval, indices_aval, updates_aval = avals
    if _mode_name(mode) == "CLIP" and dn.scatter_dims_to_operand_dims:
        windows = _window_sizes(dn, operand_aval.shape, updates_aval.shape)
        uppers = [operand_aval.shape[d] - windows[d] for d in dn.scatter_dims_to_operand_dims]
        indices = _clamp_indices(ctx, indices, indices_aval, uppers)
    scalar = operand_aval.update(shape=(), weak_type=False)
    region = ctx.region([scalar, scalar], lambda builder, args: [(combine(builder, *args), scalar)])
    attrs = (f"scatter_dimension_numbers = {_scatter_dnums_attr(dn, indices_aval.ndim - 1)}, "
             f"indices_are_sorted = {_bool(indices_are_sorted)}, unique_indices = {_bool(unique_indices)}")
    return ctx.op("stablehlo.scatter", [operand, indices, updates], ctx.avals_out[0], attrs,
                  operand_avals=list(avals), regions=[region])


def _scatter_rule(name):
    combiner = _COMBINERS[name]

    def combine(builder, old, new, scalar):
        if combiner is None:
            return new
        op = combiner[1] if scalar.dtype == np.bool_ else combiner[0]
        t = tensor_type(scalar)
        return builder.emit(f'"{op}"({old}, {new}) : ({t}, {t}) -> {t}')

    def rule(ctx, operand, indices, updates, *, dimension_numbers, indices_are_sorted, unique_indices, mode):
        scalar = ctx.avals_in[0].update(shape=(), weak_type=False)
        return _emit_scatter(ctx, operand, indices, updates, ctx.avals_in, dimension_numbers, indices_are_sorted,
                             unique_indices, mode, lambda builder, old, new: combine(builder, old, new, scalar))
    return rule


for _name in _COMBINERS:
    register(_name)(_scatter_rule(_name))


@register("scatter_apply")
def _scatter_apply(ctx, operand, indices, *, update_jaxpr, update_shape, dimension_numbers, indices_are_sorted,
                   unique_indices, mode):
    operand_aval, indices_aval = ctx.avals_in
    updates_aval = operand_aval.update(shape=tuple(update_shape), weak_type=False)
    updates = _splat(ctx, 0, updates_aval)
    jaxpr, consts = update_jaxpr.jaxpr, update_jaxpr.consts
    # The function's closed-over constants become constants inside the region.
    inlined = type(jaxpr)([], list(jaxpr.constvars) + list(jaxpr.invars), jaxpr.outvars, jaxpr.eqns)

    def apply(builder, old, new):
        const_names = [emit_constant(builder, np.asarray(c), c.aval.dtype) for c in consts]
        return lower_jaxpr_body(builder, inlined, const_names + [old])[0]
    return _emit_scatter(ctx, operand, indices, updates, [operand_aval, indices_aval, updates_aval],
                         dimension_numbers, indices_are_sorted, unique_indices, mode, apply)
