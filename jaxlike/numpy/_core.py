"""The machinery every jaxlike.numpy function uses: dtype promotion, broadcasting, argument checks."""
import builtins

import numpy as np

from jaxlike import dtypes, lax
from jaxlike.array import Array, as_operand, host_array
from jaxlike.config import config
from jaxlike.core import Tracer, get_aval
from jaxlike.source_info import user_line


def is_array(x):
    return isinstance(x, (Array, Tracer))


def asarray_operand(x):
    """An Array/tracer for `x`; lists and tuples of numbers become arrays as in jnp.asarray."""
    if is_array(x):
        return x
    if isinstance(x, (list, tuple)):
        from jaxlike.numpy.creation import asarray
        return asarray(x)
    return as_operand(x)


_PYTHON_SCALARS = (bool, int, float, complex)


def _dtype_pair(x):
    if type(x) in _PYTHON_SCALARS:
        return dtypes.python_scalar_dtype(x), type(x) is not bool
    return x.aval.dtype, x.aval.weak_type


def promote_dtypes(*args):
    """Converts args to their common dtype by JAX's lattice (weak types respected)."""
    args = [a if type(a) in _PYTHON_SCALARS else asarray_operand(a) for a in args]
    if len(args) < 2:
        return [asarray_operand(a) for a in args]
    dtype, weak = dtypes.result_type_with_weak(*[_dtype_pair(a) for a in args])
    out = []
    for a in args:
        if type(a) in _PYTHON_SCALARS:
            out.append(scalar_constant(a, dtype, weak))
        elif a.aval.dtype == dtype and a.aval.weak_type == weak:
            out.append(a)
        else:
            out.append(lax.convert_element_type(a, dtype, weak_type=weak))
    return out


_scalar_avals = {}


def scalar_constant(value, dtype, weak):
    """A Python scalar as a 0-d constant of `dtype` (range-checked for integers, as JAX does)."""
    aval = _scalar_avals.get((dtype, weak))
    if aval is None:
        from jaxlike.core import ShapedArray
        aval = _scalar_avals[(dtype, weak)] = ShapedArray((), dtype, weak)
    if type(value) is int and dtypes.is_integer(dtype):
        info = np.iinfo(dtype)
        if not info.min <= value <= info.max:
            raise OverflowError(f"Python int {value} too large to convert to {dtype.name}.{user_line()}")
    elif type(value) in (float, complex) and not dtypes.is_inexact(dtype) or (
            type(value) is complex and not dtypes.is_complex(dtype)):
        return lax.convert_element_type(as_operand(value), dtype, weak_type=weak)
    return Array._from_host(np.array(value, dtype=dtype), aval)


def promote_dtypes_inexact(*args):
    """Promotes, then converts integers and bools to the default float type (as jnp does for sqrt, exp...)."""
    arrays = promote_dtypes(*args)
    dtype = arrays[0].aval.dtype
    if dtypes.is_inexact(dtype):
        return arrays
    weak = arrays[0].aval.weak_type
    # JAX: 64-bit integers become the default float; narrower integers and bools become float32.
    target = dtypes.default_float() if dtype.itemsize == 8 else dtypes.float32
    return [lax.convert_element_type(a, target, weak_type=weak) for a in arrays]


def promote_dtypes_numeric(*args):
    arrays = promote_dtypes(*args)
    if arrays[0].aval.dtype == np.bool_:
        return [lax.convert_element_type(a, dtypes.default_int(), weak_type=False) for a in arrays]
    return arrays


def broadcast_shapes(*shapes, names=None):
    """NumPy broadcasting of shapes, with an error naming the shapes."""
    ndim = builtins.max((len(s) for s in shapes), default=0)
    result = []
    for i in range(-ndim, 0):
        size = 1
        for s in shapes:
            d = s[i] if len(s) >= -i else 1
            if d != 1:
                if size != 1 and d != size:
                    raise ValueError(f"Incompatible shapes for broadcasting: "
                                     f"{', '.join(str(tuple(x)) for x in shapes)}.{user_line()}")
                size = d
        result.append(size)
    return tuple(result)


def broadcast_to_shape(x, shape):
    aval = get_aval(x)
    if aval.shape == tuple(shape):
        return x
    nlead = len(shape) - aval.ndim
    if nlead < 0:
        raise ValueError(f"Cannot broadcast an array of shape {aval.shape} to shape {shape}.{user_line()}")
    dims = tuple(range(nlead, len(shape)))
    if aval.ndim and any(a != 1 and a != s for a, s in zip(aval.shape, shape[nlead:])):
        raise ValueError(f"Incompatible shapes for broadcasting: {aval.shape} to {tuple(shape)}.{user_line()}")
    squeeze_needed = [i for i, (a, s) in enumerate(zip(aval.shape, shape[nlead:])) if a == 1 and s != 1]
    if squeeze_needed:
        kept = [i for i in range(aval.ndim) if i not in squeeze_needed]
        x = lax.reshape(x, tuple(aval.shape[i] for i in kept))
        dims = tuple(nlead + i for i in kept)
    return lax.broadcast_in_dim(x, tuple(shape), dims)


def broadcast_arrays(*arrays, keep_scalars=True):
    """Broadcasts to a common shape; rank-0 operands stay as they are unless keep_scalars=False."""
    shapes = [get_aval(a).shape for a in arrays]
    nonscalar = {s for s in shapes if s != ()} if keep_scalars else set(shapes)
    if len(nonscalar) <= 1:
        return list(arrays)
    rank_check([s for s in shapes if s != ()])
    shape = broadcast_shapes(*shapes)
    # Rank-0 operands stay as they are: elementwise primitives broadcast them, as in JAX.
    return [a if keep_scalars and get_aval(a).shape == () else broadcast_to_shape(a, shape) for a in arrays]


def rank_check(shapes):
    mode = config.read("jax_numpy_rank_promotion")
    if mode != "allow" and len({len(s) for s in shapes}) > 1:
        message = (f"Operands could not be broadcast together with shapes {', '.join(map(str, shapes))} and "
                   "rank promotion set to '" + mode + "'.")
        if mode == "raise":
            raise ValueError(message + user_line())
        import warnings
        warnings.warn(message, stacklevel=4)


def promote_and_broadcast(*args, inexact=False, numeric=False):
    arrays = promote_dtypes_inexact(*args) if inexact else (
        promote_dtypes_numeric(*args) if numeric else promote_dtypes(*args))
    return broadcast_arrays(*arrays)


def canonicalize_axis(axis, ndim, name="axis"):
    axis = int(axis)
    if not -ndim <= axis < builtins.max(ndim, 1):
        from jaxlike.errors import JaxlikeError
        raise AxisError(f"{name} {axis} is out of bounds for array of dimension {ndim}.{user_line()}")
    return axis % ndim if ndim else 0


def canonicalize_axes(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (int, np.integer)):
        return (canonicalize_axis(axis, ndim),)
    axes = tuple(canonicalize_axis(a, ndim) for a in axis)
    if len(set(axes)) != len(axes):
        raise ValueError(f"repeated axis in {tuple(axis)}.{user_line()}")
    return axes


class AxisError(ValueError, IndexError):
    """An axis argument out of range (numpy.exceptions.AxisError's role)."""


def check_dtype_arg(dtype):
    if dtype is None:
        return None
    return dtypes.canonicalize_dtype(dtypes.check_user_dtype(dtype))


def host_constant(value, dtype):
    return host_array(np.asarray(value, dtype=dtype), dtype)
