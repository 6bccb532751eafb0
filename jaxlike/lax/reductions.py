"""Reductions over axes: reduce_sum/prod/max/min/and/or/xor, argmax/argmin, and the generic lax.reduce."""
import numpy as np

from jaxlike import dtypes
from jaxlike.core import Primitive, ShapedArray
from jaxlike.lax.base import operands, shape_error

_as_operands = operands
from jaxlike.transforms import ad

__all__ = ['reduce_sum', 'reduce_prod', 'reduce_max', 'reduce_min', 'reduce_and', 'reduce_or', 'reduce_xor',
           'argmax', 'argmin', 'reduce']

_KIND_NAMES = {"b": "bool", "i": "signed integer", "u": "unsigned integer", "f": "floating", "c": "complex"}


def _reduced_shape(shape, axes):
    return tuple(s for i, s in enumerate(shape) if i not in axes)


def _check_axes(name, x, axes):
    for a in axes:
        if not 0 <= a < x.ndim:
            raise shape_error(f"{name}: axis {a} is out of bounds for an array of rank {x.ndim} "
                              f"(shape {x.shape}).")
    if len(set(axes)) != len(axes):
        raise shape_error(f"{name}: duplicate axes {axes}.")


def _check_kind(name, dtype, allowed_kinds):
    if dtypes.kind(dtype) not in allowed_kinds:
        wanted = " or ".join(_KIND_NAMES[k] for k in allowed_kinds)
        raise shape_error(f"{name} does not accept dtype {np.dtype(dtype).name}; it accepts {wanted} types.")


def _reduce_abstract_eval(name, allowed_kinds):
    def rule(x, axes):
        _check_axes(name, x, axes)
        _check_kind(name, x.dtype, allowed_kinds)
        return ShapedArray(_reduced_shape(x.shape, axes), x.dtype, x.weak_type)
    return rule


def _shift(axis, bdim):
    return axis if axis < bdim else axis + 1


def _reduce_batch(prim):
    def rule(vals, dims, axes, **params):
        (x,), (d,) = vals, dims
        new_axes = tuple(_shift(a, d) for a in axes)
        out_dim = d - sum(1 for a in new_axes if a < d)
        return prim.bind(x, axes=new_axes, **params), out_dim
    return rule


def _reduction_primitive(name, allowed_kinds):
    prim = Primitive(name)
    prim.def_abstract_eval(_reduce_abstract_eval(name, allowed_kinds))
    prim.batch = _reduce_batch(prim)
    return prim


def _canonical_axes(name, operand, axes):
    from jaxlike.lax.structural import canonicalize_axes
    return tuple(sorted(canonicalize_axes(name, tuple(axes), operand.aval.ndim)))


def _reducer(prim):
    def reduce_fn(operand, axes):
        (operand,) = operands(operand)
        axes = _canonical_axes(prim.name, operand, axes)
        if not axes:
            return operand
        return prim.bind(operand, axes=axes)
    reduce_fn.__name__ = reduce_fn.__qualname__ = prim.name
    return reduce_fn


def _kept_dims(ndim, axes):
    return tuple(i for i in range(ndim) if i not in axes)


# ---- reduce_sum -----------------------------------------------------------------------------
reduce_sum_p = _reduction_primitive("reduce_sum", "iufc")


def _reduce_sum_transpose(ct, x, axes):
    from jaxlike.lax.structural import broadcast_in_dim
    shape = x.aval.shape
    return [broadcast_in_dim(ct, shape, _kept_dims(len(shape), axes))]


ad.deflinear(reduce_sum_p, _reduce_sum_transpose)
reduce_sum = _reducer(reduce_sum_p)
reduce_sum.__doc__ = "lax.reduce_sum: sum over `axes`."

# ---- reduce_max / reduce_min ----------------------------------------------------------------
reduce_max_p = _reduction_primitive("reduce_max", "biuf")
reduce_min_p = _reduction_primitive("reduce_min", "biuf")


def _chooser_jvp(prim):
    """JAX's rule: the tangent at the extremum, averaged over the locations that attain it."""
    def rule(primals, tangents, axes):
        from jaxlike.lax.elementwise import convert_element_type, div, eq, mul
        from jaxlike.lax.structural import broadcast_in_dim
        (x,), (t,) = primals, tangents
        ans = prim.bind(x, axes=axes)
        shape = x.aval.shape
        at_extremum = eq(x, broadcast_in_dim(ans, shape, _kept_dims(len(shape), axes)))
        location = convert_element_type(at_extremum, t.aval.dtype)
        counts = reduce_sum(location, axes)
        return ans, div(reduce_sum(mul(ad.instantiate(t), location), axes), counts)
    return rule


reduce_max_p.jvp = _chooser_jvp(reduce_max_p)
reduce_min_p.jvp = _chooser_jvp(reduce_min_p)
reduce_max = _reducer(reduce_max_p)
reduce_max.__doc__ = "lax.reduce_max: maximum over `axes` (NaN propagates)."
reduce_min = _reducer(reduce_min_p)
reduce_min.__doc__ = "lax.reduce_min: minimum over `axes` (NaN propagates)."

# ---- reduce_prod ----------------------------------------------------------------------------
reduce_prod_p = _reduction_primitive("reduce_prod", "iufc")


def _reduce_prod_jvp(primals, tangents, axes):
    """d prod = sum_i t_i * prod_{j != i} x_j, with the products of the others from exclusive cumprods
    (exact when some x_j are zero, unlike prod / x_i)."""
    from jaxlike.lax.elementwise import mul
    (x,), (t,) = primals, tangents
    ans = reduce_prod_p.bind(x, axes=axes)
    xs, ts = _axes_to_front(x, axes), _axes_to_front(ad.instantiate(t), axes)
    return ans, reduce_sum(mul(ts, _products_of_others(xs)), (0,))


def _axes_to_front(x, axes):
    """`x` with its `axes` moved to the front and merged into one leading axis."""
    from jaxlike.lax.structural import reshape, transpose
    shape = x.aval.shape
    kept = _kept_dims(len(shape), axes)
    size = int(np.prod([shape[a] for a in axes], dtype=np.int64))
    x = transpose(x, tuple(axes) + kept)
    return reshape(x, (size,) + tuple(shape[k] for k in kept))


def _products_of_others(x):
    """out[i] = prod_{j != i} x[j] along axis 0."""
    from jaxlike.lax.cumulative import cumprod
    from jaxlike.lax.elementwise import mul
    from jaxlike.lax.structural import full, pad
    one = full((), 1, x.aval.dtype)
    rest = ((0, 0, 0),) * (x.aval.ndim - 1)
    before = cumprod(pad(x, one, ((1, -1, 0),) + rest), axis=0)
    after = cumprod(pad(x, one, ((-1, 1, 0),) + rest), axis=0, reverse=True)
    return mul(before, after)


reduce_prod_p.jvp = _reduce_prod_jvp
reduce_prod = _reducer(reduce_prod_p)
reduce_prod.__doc__ = "lax.reduce_prod: product over `axes`."

# ---- reduce_and / reduce_or / reduce_xor ----------------------------------------------------
reduce_and_p = _reduction_primitive("reduce_and", "biu")
reduce_or_p = _reduction_primitive("reduce_or", "biu")
reduce_xor_p = _reduction_primitive("reduce_xor", "biu")
for _p in (reduce_and_p, reduce_or_p, reduce_xor_p):
    ad.defnondifferentiable(_p)
reduce_and = _reducer(reduce_and_p)
reduce_and.__doc__ = "lax.reduce_and: bitwise/logical AND over `axes`."
reduce_or = _reducer(reduce_or_p)
reduce_or.__doc__ = "lax.reduce_or: bitwise/logical OR over `axes`."
reduce_xor = _reducer(reduce_xor_p)
reduce_xor.__doc__ = "lax.reduce_xor: bitwise/logical XOR over `axes`."


# ---- argmax / argmin ------------------------------------------------------------------------
def _argminmax_abstract_eval(name):
    def rule(x, axes, index_dtype):
        _check_axes(name, x, axes)
        if len(axes) != 1:
            raise shape_error(f"{name} reduces exactly one axis, got axes {axes}.")
        _check_kind(name, x.dtype, "biuf")
        if not dtypes.is_integer(index_dtype):
            raise shape_error(f"{name}: index_dtype must be an integer type, got {np.dtype(index_dtype).name}.")
        return ShapedArray(_reduced_shape(x.shape, axes), index_dtype)
    return rule


argmax_p = Primitive("argmax")
argmin_p = Primitive("argmin")
for _p in (argmax_p, argmin_p):
    _p.def_abstract_eval(_argminmax_abstract_eval(_p.name))
    _p.batch = _reduce_batch(_p)
    ad.defnondifferentiable(_p)


def _arg_reducer(prim, doc):
    def fn(operand, axis, index_dtype):
        from jaxlike.lax.structural import canonicalize_axis
        (operand,) = operands(operand)
        axis = canonicalize_axis(prim.name, axis, operand.aval.ndim)
        index_dtype = dtypes.canonicalize_dtype(dtypes.check_user_dtype(index_dtype))
        return prim.bind(operand, axes=(axis,), index_dtype=index_dtype)
    fn.__name__ = fn.__qualname__ = prim.name
    fn.__doc__ = doc
    return fn


argmax = _arg_reducer(argmax_p, "lax.argmax: index of the first maximum along `axis`; the first NaN wins.")
argmin = _arg_reducer(argmin_p, "lax.argmin: index of the first minimum along `axis`; the first NaN wins.")


# ---- lax.reduce -----------------------------------------------------------------------------
def _monoids():
    from jaxlike.lax import elementwise as ew
    table = {ew.add: reduce_sum, ew.mul: reduce_prod, ew.max: reduce_max, ew.min: reduce_min}
    for name, fn in (("bitwise_and", reduce_and), ("bitwise_or", reduce_or), ("bitwise_xor", reduce_xor),
                     ("and_", reduce_and), ("or_", reduce_or), ("xor", reduce_xor)):
        if hasattr(ew, name):
            table[getattr(ew, name)] = fn
    return table


def reduce(operands, init_values, computation, dimensions):  # noqa: F811 (JAX's parameter name)
    """lax.reduce for the monoids JAX recognises (add, mul, max, min, and, or, xor): reduce, then fold in init."""
    from jaxlike import tree_util
    leaves, tree = tree_util.tree_flatten(operands)
    inits, _ = tree_util.tree_flatten(init_values)
    reducer = _monoids().get(computation)
    if reducer is None or len(leaves) != 1:
        raise NotImplementedError("lax.reduce supports one operand with computation lax.add, lax.mul, lax.max, "
                                  "lax.min or a bitwise and/or/xor; use the reduce_* functions directly.")
    (x,), (init,) = _as_operands(leaves[0]), inits
    from jaxlike.lax.elementwise import convert_element_type
    out = computation(reducer(x, dimensions), convert_element_type(init, x.aval.dtype))
    return tree_util.tree_unflatten(tree, [out])
