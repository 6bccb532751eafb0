"""Windowed reductions: reduce_window_sum / _max / _min (pooling) and the general lax.reduce_window.

The window slides over the operand after it is dilated (base_dilation) and padded with the
reduction's identity; the window itself may be dilated (window_dilation). reduce_window_sum is
linear: its transpose pads the cotangent (strides become interior padding) and sums windows
again. The derivative of a max/min window picks the tangent of the first extreme element of
each window, in window order, which is the element XLA's select-and-scatter picks, so gradients
match JAX's (ties included). It is written with slices of the padded operand, so it transposes,
batches and differentiates again with the rules of those primitives.
"""
import itertools
import operator

import numpy as np

from jaxlike import dtypes
from jaxlike.core import Primitive, ShapedArray, get_aval
from jaxlike.lax.base import operands, shape_error
from jaxlike.lax.convolution import _dilate, _lhs_transpose_padding, _window_output_size, padtype_to_pads
from jaxlike.transforms import ad

__all__ = ['reduce_window', 'reduce_window_sum', 'reduce_window_max', 'reduce_window_min',
           'reduce_window_shape_tuple', 'reduce_window_sum_p', 'reduce_window_max_p', 'reduce_window_min_p']


def reduce_window_shape_tuple(operand_shape, window_dimensions, window_strides, padding, base_dilation=None,
                              window_dilation=None):
    """lax.reduce_window_shape_tuple: the output shape of a windowed reduction."""
    n = len(operand_shape)
    base_dilation = base_dilation or (1,) * n
    window_dilation = window_dilation or (1,) * n
    dims = zip(operand_shape, window_dimensions, window_strides, padding, base_dilation, window_dilation)
    return tuple(_window_output_size(_dilate(size, bd) + lo + hi, _dilate(w, wd), s)
                 for size, w, s, (lo, hi), bd, wd in dims)


def _reduce_window_abstract_eval(name, kinds):
    def rule(x, *, window_dimensions, window_strides, padding, base_dilation, window_dilation):
        for what, values in (("window_dimensions", window_dimensions), ("window_strides", window_strides),
                             ("padding", padding), ("base_dilation", base_dilation),
                             ("window_dilation", window_dilation)):
            if len(values) != x.ndim:
                raise shape_error(f"{name}: {what} {tuple(values)} must have one entry per dimension of the "
                                  f"operand (shape {x.shape}).")
            if what != "padding" and any(v < 1 for v in values):
                raise shape_error(f"{name}: {what} must be positive, got {tuple(values)}.")
        if dtypes.kind(x.dtype) not in kinds:
            raise shape_error(f"{name} does not accept dtype {x.dtype.name}.")
        shape = reduce_window_shape_tuple(x.shape, window_dimensions, window_strides, padding, base_dilation,
                                          window_dilation)
        return ShapedArray(shape, x.dtype, x.weak_type)
    return rule


def _reduce_window_batch(prim):
    """The batch axis gets a window of one element."""
    def rule(vals, dims, *, window_dimensions, window_strides, padding, base_dilation, window_dilation):
        (x,), (d,) = vals, dims

        def insert(values, value):
            return tuple(values[:d]) + (value,) + tuple(values[d:])
        return prim.bind(x, window_dimensions=insert(window_dimensions, 1), window_strides=insert(window_strides, 1),
                         padding=insert(padding, (0, 0)), base_dilation=insert(base_dilation, 1),
                         window_dilation=insert(window_dilation, 1)), d
    return rule


def _window_primitive(name, kinds):
    prim = Primitive(name)
    prim.def_abstract_eval(_reduce_window_abstract_eval(name, kinds))
    prim.batch = _reduce_window_batch(prim)
    return prim


# ---- reduce_window_sum: linear ---------------------------------------------------------------------
reduce_window_sum_p = _window_primitive("reduce_window_sum", "iufc")


def _reduce_window_sum_transpose(ct, x, *, window_dimensions, window_strides, padding, base_dilation,
                                 window_dilation):
    from jaxlike.lax.structural import full, pad
    if type(ct) is ad.Zero:
        return [None]
    in_shape = x.aval.shape
    pads = _lhs_transpose_padding(in_shape, window_dimensions, window_strides, ct.aval.shape, padding,
                                  base_dilation, window_dilation)
    config = tuple((lo, hi, s - 1) for (lo, hi), s in zip(pads, window_strides))
    padded = pad(ct, full((), 0, ct.aval.dtype), config)
    # Each input element gets the cotangents of the windows it fell in; base dilation becomes the stride.
    out = reduce_window_sum_p.bind(padded, window_dimensions=window_dimensions, window_strides=base_dilation,
                                   padding=((0, 0),) * len(in_shape), base_dilation=(1,) * len(in_shape),
                                   window_dilation=window_dilation)
    return [out]


ad.deflinear(reduce_window_sum_p, _reduce_window_sum_transpose)


# ---- reduce_window_max / _min ----------------------------------------------------------------------------
reduce_window_max_p = _window_primitive("reduce_window_max", "biuf")
reduce_window_min_p = _window_primitive("reduce_window_min", "biuf")


def _identity(kind, dtype):
    """The value padding stands for: -inf (or the least value) for max, +inf (or the greatest) for min, 0 for sum."""
    dtype = np.dtype(dtype)
    if kind == "sum":
        return 0
    sign = -1 if kind == "max" else 1
    if dtype == np.bool_:
        return sign > 0
    if dtypes.is_integer(dtype):
        info = dtypes.iinfo(dtype)
        return info.min if sign < 0 else info.max
    return sign * np.inf


def _window_slices(x, pad_value, *, window_dimensions, window_strides, padding, base_dilation, window_dilation):
    """One strided slice of the dilated, padded operand per window position, in window (row-major) order."""
    from jaxlike.lax.slicing import slice as slice_
    from jaxlike.lax.structural import full, pad
    aval = get_aval(x)
    out_shape = reduce_window_shape_tuple(aval.shape, window_dimensions, window_strides, padding, base_dilation,
                                          window_dilation)
    config = tuple((lo, hi, bd - 1) for (lo, hi), bd in zip(padding, base_dilation))
    padded = pad(x, pad_value if hasattr(pad_value, "aval") else full((), pad_value, aval.dtype), config)
    slices = []
    for offset in itertools.product(*(range(w) for w in window_dimensions)):
        start = tuple(k * wd for k, wd in zip(offset, window_dilation))
        limit = tuple(st + (n - 1) * s + 1 if n else st for st, n, s in zip(start, out_shape, window_strides))
        slices.append(slice_(padded, start, limit, window_strides))
    return slices


def _chooser_jvp(prim, kind):
    def rule(primals, tangents, **params):
        from jaxlike.lax.elementwise import gt, lt, select
        (x,), (t,) = primals, tangents
        out = prim.bind(x, **params)
        better = gt if kind == "max" else lt
        values = _window_slices(x, _identity(kind, get_aval(x).dtype), **params)
        tangent_slices = _window_slices(ad.instantiate(t), 0, **params)
        best, tangent = values[0], tangent_slices[0]
        for value, t_k in zip(values[1:], tangent_slices[1:]):
            take = better(value, best)  # strictly better: ties keep the earlier element
            best, tangent = select(take, value, best), select(take, t_k, tangent)
        return out, tangent
    prim.jvp = rule


_chooser_jvp(reduce_window_max_p, "max")
_chooser_jvp(reduce_window_min_p, "min")


# ---- public functions ---------------------------------------------------------------------------------------
def _canonical_params(shape, window_dimensions, window_strides, padding, base_dilation, window_dilation):
    ndim = len(shape)

    def ints(values, default=1):
        return (default,) * ndim if values is None else tuple(operator.index(v) for v in values)
    window_dimensions, window_strides = ints(window_dimensions), ints(window_strides)
    if isinstance(padding, str):
        padding = padtype_to_pads(shape, window_dimensions, window_strides, padding)
    else:
        padding = tuple((operator.index(lo), operator.index(hi)) for lo, hi in padding)
    return dict(window_dimensions=window_dimensions, window_strides=window_strides, padding=padding,
                base_dilation=ints(base_dilation), window_dilation=ints(window_dilation))


def _public(prim):
    def fn(operand, window_dimensions, window_strides=None, padding="VALID", base_dilation=None,
           window_dilation=None):
        (operand,) = operands(operand)
        return prim.bind(operand, **_canonical_params(operand.aval.shape, window_dimensions, window_strides, padding,
                                                      base_dilation, window_dilation))
    fn.__name__ = fn.__qualname__ = prim.name
    return fn


reduce_window_sum = _public(reduce_window_sum_p)
reduce_window_sum.__doc__ = "Sums over sliding windows (lax.reduce_window with lax.add and 0)."
reduce_window_max = _public(reduce_window_max_p)
reduce_window_max.__doc__ = "Maxima over sliding windows, padding counting as -inf (max pooling)."
reduce_window_min = _public(reduce_window_min_p)
reduce_window_min.__doc__ = "Minima over sliding windows, padding counting as +inf."

_MONOID_PRIMITIVES = {"add": ("sum", reduce_window_sum_p), "max": ("max", reduce_window_max_p),
                      "min": ("min", reduce_window_min_p)}


def _monoid_of(computation, aval):
    """'add', 'max' or 'min' if `computation` on two scalars is exactly that one primitive, else None."""
    from jaxlike.tracing import trace_to_jaxpr
    scalar = ShapedArray((), aval.dtype)
    try:
        closed = trace_to_jaxpr(lambda a, b: [computation(a, b)], [scalar, scalar], name="reduce_window")
    except Exception:  # noqa: BLE001  (a computation that cannot be traced on scalars is treated as opaque)
        return None
    jaxpr = closed.jaxpr
    if len(jaxpr.eqns) != 1 or closed.consts:
        return None
    eqn = jaxpr.eqns[0]
    if eqn.primitive.name not in _MONOID_PRIMITIVES or list(eqn.invars) not in (list(jaxpr.invars),
                                                                                list(jaxpr.invars)[::-1]):
        return None
    if list(jaxpr.outvars) != list(eqn.outvars):
        return None
    return eqn.primitive.name


def _is_identity(init_value, kind, dtype):
    from jaxlike.core import Tracer
    if isinstance(init_value, Tracer):
        return False
    value = np.asarray(init_value)
    return value.shape == () and bool(np.asarray(value == np.asarray(_identity(kind, dtype)).astype(value.dtype)))


def reduce_window(operand, init_value, computation, window_dimensions, window_strides=None, padding="VALID",
                  base_dilation=None, window_dilation=None):
    """lax.reduce_window: reduce each window of the (dilated, padded) operand with `computation`, starting from
    `init_value`; padding and base-dilation holes take no part (they act as init_value for a monoid)."""
    from jaxlike import tree_util
    leaves, tree = tree_util.tree_flatten(operand)
    init_leaves, init_tree = tree_util.tree_flatten(init_value)
    if tree != init_tree:
        raise TypeError(f"reduce_window: operands {tree} and init_values {init_tree} must have the same structure.")
    leaves = list(operands(*leaves))
    raw_inits = init_leaves
    init_leaves = [init if hasattr(init, "aval") else _init_array(init, x.aval.dtype)
                   for init, x in zip(raw_inits, leaves)]
    shape = leaves[0].aval.shape
    if any(x.aval.shape != shape for x in leaves):
        raise TypeError(f"reduce_window operands must have the same shape, got {[x.aval.shape for x in leaves]}.")
    if any(get_aval(init).dtype != x.aval.dtype or get_aval(init).shape for init, x in zip(init_leaves, leaves)):
        raise TypeError(f"reduce_window init_values must be scalars of the operands' dtypes, got operand dtypes "
                        f"{[x.aval.dtype.name for x in leaves]} and init_values "
                        f"{[get_aval(i).str_short() for i in init_leaves]}.")
    params = _canonical_params(shape, window_dimensions, window_strides, padding, base_dilation, window_dilation)
    if len(leaves) == 1:
        (x,) = leaves
        monoid = _monoid_of(computation, x.aval)
        if monoid is not None:
            kind, prim = _MONOID_PRIMITIVES[monoid]
            if _is_identity(raw_inits[0], kind, x.aval.dtype):
                return tree_util.tree_unflatten(tree, [prim.bind(x, **params)])
    out = _reduce_window_by_slices(leaves, init_leaves, computation, tree, params)
    return tree_util.tree_unflatten(tree, out)


def _init_array(value, dtype):
    from jaxlike.lax.structural import full
    return full((), value, dtype)


def _reduce_window_by_slices(leaves, inits, computation, tree, params):
    """Any computation (and several operands): fold `computation` over the window positions' slices, starting
    from the initial values. As XLA does, elements of the padding and of the base dilation's holes are skipped."""
    from jaxlike import tree_util
    from jaxlike.lax.elementwise import select
    from jaxlike.lax.structural import broadcast_in_dim, full
    per_leaf = [_window_slices(x, init, **params) for x, init in zip(leaves, inits)]
    valid = _window_slices(full(leaves[0].aval.shape, True, np.bool_), False, **params)
    out_shape = get_aval(per_leaf[0][0]).shape
    acc = [broadcast_in_dim(init, out_shape, ()) for init in inits]
    for position, is_real in enumerate(valid):
        step = [slices[position] for slices in per_leaf]
        result = computation(tree_util.tree_unflatten(tree, acc), tree_util.tree_unflatten(tree, step))
        acc = [select(is_real, new, old) for new, old in zip(tree_util.tree_leaves(result), acc)]
    return acc
