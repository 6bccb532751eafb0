"""Helpers shared by the samplers: argument checks, key splitting inside jitted bodies, small lax idioms."""
import numpy as np

from jaxlike import dtypes, lax
from jaxlike.core import concrete_or_error, get_aval
from jaxlike.random import prng
from jaxlike.random.keys import key_data_of
from jaxlike.source_info import user_line


# ---- argument checks -----------------------------------------------------------------------------
def canonical_shape(name, shape):
    """A tuple of non-negative Python ints for a shape argument (an int or a sequence of ints)."""
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    try:
        shape = tuple(int(concrete_or_error(d, f"the shape argument of {name}")) for d in shape)
    except TypeError as e:
        if "concrete" in str(e):
            raise
        raise TypeError(f"{name}: shape must be a sequence of integers, got {shape!r}.{user_line()}") from None
    if any(d < 0 for d in shape):
        raise ValueError(f"{name}: shape must have non-negative dimensions, got {shape}.{user_line()}")
    return shape


def check_shape(name, shape, *param_shapes):
    """JAX's rule: parameter shapes broadcast with `shape`, and the broadcast result is `shape` itself."""
    if not param_shapes:
        return
    result = broadcast_shapes(name, tuple(shape), *param_shapes)
    if result != tuple(shape):
        raise ValueError(f"{name} parameter shapes must be broadcast-compatible with shape argument, and the result "
                         f"of broadcasting the shapes must equal the shape argument, but got result {result} for "
                         f"shape argument {tuple(shape)}.{user_line()}")


def broadcast_shapes(name, *shapes):
    """NumPy's broadcast of `shapes`, or a ValueError naming the sampler and the shapes."""
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        raise ValueError(f"{name}: the shapes {', '.join(map(str, shapes))} of the shape argument and the parameters "
                         f"do not broadcast together.{user_line()}") from None


def float_dtype(name, dtype, allow_complex=False):
    """The canonical float dtype to sample in (the default float when None), or a ValueError."""
    dtype = dtypes.default_float() if dtype is None else np.dtype(dtypes.check_user_dtype(dtype))
    kinds = "float or complex" if allow_complex else "float"
    if not (dtypes.is_float(dtype) or (allow_complex and dtypes.is_complex(dtype))):
        raise ValueError(f"dtype argument to `{name}` must be a {kinds} dtype, got {dtype}.{user_line()}")
    return dtypes.canonicalize_dtype(dtype)


def int_dtype(name, dtype):
    """The canonical integer dtype to sample in (the default int when None), or a TypeError."""
    dtype = dtypes.default_int() if dtype is None else np.dtype(dtypes.check_user_dtype(dtype))
    if not dtypes.is_integer(dtype):
        raise TypeError(f"{name} only accepts integer dtypes, got {dtype}; pass e.g. dtype=jnp.int32."
                        f"{user_line()}")
    return dtypes.canonicalize_dtype(dtype)


def single_key(name, key):
    return key_data_of(name, key)[0]


def shape_of(x):
    return tuple(np.shape(x)) if not hasattr(x, "aval") else get_aval(x).shape


def optional_shape(name, shape, *param_shapes):
    """`shape` checked against the parameters' shapes, or their broadcast shape when None."""
    if shape is None:
        return broadcast_shapes(name, *param_shapes) if param_shapes else ()
    shape = canonical_shape(name, shape)
    check_shape(name, shape, *param_shapes)
    return shape


# ---- key helpers used inside the bodies ----------------------------------------------------------
def split_keys(key, num):
    """`num` raw keys derived from `key`, as a list."""
    keys = prng.split_key_data(key, (num,))
    return [lax.index_in_dim(keys, i, axis=0, keepdims=False) for i in range(num)]


def const(x, value):
    """A constant of `x`'s dtype (so that lax arithmetic needs no promotion)."""
    return lax.full((), value, get_aval(x).dtype)
