"""Array creation: array, asarray, zeros, ones, full and friends."""
import numpy as np

from jaxlike import dtypes, lax
from jaxlike.array import Array, host_array
from jaxlike.core import Tracer, get_aval
from jaxlike.numpy._core import check_dtype_arg, is_array
from jaxlike.source_info import user_line

__all__ = ['array', 'asarray', 'zeros', 'ones', 'full', 'zeros_like', 'ones_like', 'full_like', 'empty', 'empty_like']


def _contains_traced(obj):
    if is_array(obj):
        return True
    if isinstance(obj, (list, tuple)):
        return any(_contains_traced(o) for o in obj)
    return False


def _host_dtype(value, obj):
    """The dtype jnp.array gives a host value: Python scalars and lists take the default types."""
    if isinstance(obj, (np.ndarray, np.generic)):
        return dtypes.canonicalize_dtype(value.dtype)
    kind = value.dtype.kind
    if kind == "b":
        return np.dtype(np.bool_)
    if kind in "iu":
        if not _fits(value, dtypes.default_int()):
            raise OverflowError(f"Python int too large to convert to {dtypes.default_int().name}.{user_line()}")
        return dtypes.default_int()
    if kind == "f":
        return dtypes.default_float()
    if kind == "c":
        return dtypes.default_complex()
    raise TypeError(f"jnp.array cannot convert a value of dtype {value.dtype} ({type(obj).__name__}); expected "
                    f"numbers, booleans, arrays or nested lists of them.{user_line()}")


def _fits(value, dtype):
    info = np.iinfo(dtype)
    return value.size == 0 or (value.min() >= info.min and value.max() <= info.max)


def array(object, dtype=None, copy=True, order="K", ndmin=0, *, device=None):
    """jnp.array: an Array from an array, scalar, or nested sequence."""
    dtype = check_dtype_arg(dtype)
    if hasattr(object, "__jax_array__"):
        object = object.__jax_array__()
    if is_array(object):
        out = object if dtype is None else lax.convert_element_type(object, dtype)
    elif isinstance(object, (list, tuple)) and _contains_traced(object):
        from jaxlike.numpy.manipulation import stack
        out = stack([array(o) for o in object])
        if dtype is not None:
            out = lax.convert_element_type(out, dtype)
    else:
        if isinstance(object, (bool, int, float, complex)) and dtype is None:
            from jaxlike.array import as_operand
            out = as_operand(object)
        else:
            try:
                value = np.asarray(object)
            except ValueError as e:
                raise ValueError(f"jnp.array could not convert the input: {e}{user_line()}") from None
            target = dtype if dtype is not None else _host_dtype(value, object)
            out = host_array(value.astype(target) if value.dtype != target else value, target)
    if ndmin and out.ndim < ndmin:
        out = lax.reshape(out, (1,) * (ndmin - out.ndim) + out.shape)
    if device is not None:
        from jaxlike.api import device_put
        out = device_put(out, device)
    return out


def asarray(a, dtype=None, order=None, *, copy=None, device=None):
    """jnp.asarray: like array, without copying an Array of the right dtype."""
    if isinstance(a, (Array, Tracer)) and (dtype is None or np.dtype(dtype) == a.dtype) and device is None:
        return a
    return array(a, dtype=dtype, copy=copy, device=device)


def _creation_dtype(dtype):
    return dtypes.default_float() if dtype is None else check_dtype_arg(dtype)


def zeros(shape, dtype=None, *, device=None):
    """jnp.zeros."""
    return lax.full(shape, 0, _creation_dtype(dtype))


def ones(shape, dtype=None, *, device=None):
    """jnp.ones."""
    return lax.full(shape, 1, _creation_dtype(dtype))


def full(shape, fill_value, dtype=None, *, device=None):
    """jnp.full: dtype from fill_value unless given (weak types become the default types)."""
    if dtype is None:
        fill = array(fill_value)
        if fill.ndim:
            from jaxlike.numpy._core import broadcast_to_shape
            from jaxlike.lax.structural import canonical_shape
            return broadcast_to_shape(fill, canonical_shape(shape))
        return lax.full(shape, fill, fill.dtype)
    fill = array(fill_value, dtype=dtype)
    if fill.ndim:
        from jaxlike.numpy._core import broadcast_to_shape
        from jaxlike.lax.structural import canonical_shape
        return broadcast_to_shape(fill, canonical_shape(shape))
    return lax.full(shape, fill, check_dtype_arg(dtype))


def _like(a, dtype, shape):
    aval = get_aval(a) if not isinstance(a, (list, tuple)) else get_aval(array(a))
    return (aval.shape if shape is None else shape), (aval.dtype if dtype is None else check_dtype_arg(dtype)), aval


def zeros_like(a, dtype=None, shape=None, *, device=None):
    shape, dtype, _ = _like(a, dtype, shape)
    return lax.full(shape, 0, dtype)


def ones_like(a, dtype=None, shape=None, *, device=None):
    shape, dtype, _ = _like(a, dtype, shape)
    return lax.full(shape, 1, dtype)


def full_like(a, fill_value, dtype=None, shape=None, *, device=None):
    shape, dtype, _ = _like(a, dtype, shape)
    return full(shape, fill_value, dtype)


def empty(shape, dtype=None, *, device=None):
    return zeros(shape, dtype)


def empty_like(prototype, dtype=None, shape=None, *, device=None):
    return zeros_like(prototype, dtype, shape)
