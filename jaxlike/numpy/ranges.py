"""Ranges, grids and diagonals of jaxlike.numpy: arange, linspace, eye, tri, meshgrid, diag, trace, ..."""
import builtins
import math
import operator

import numpy as np

from jaxlike import dtypes, lax
from jaxlike.core import concrete_or_error
from jaxlike.lax.structural import slice_axis
from jaxlike.numpy._core import asarray_operand, broadcast_to_shape, canonicalize_axis, check_dtype_arg, is_array
from jaxlike.source_info import user_line

__all__ = ['arange', 'linspace', 'logspace', 'geomspace', 'eye', 'identity', 'tri', 'tril', 'triu', 'meshgrid',
           'indices', 'diag', 'diagonal', 'diagflat', 'trace']


def _to_inexact(dtype):
    from jaxlike.numpy.reductions import to_inexact_dtype
    return to_inexact_dtype(dtype)


def _python_value(x, what):
    """A concrete scalar argument as a Python/NumPy scalar."""
    from jaxlike.array import concrete_value
    if is_array(x):
        value = concrete_value(x)
        if value is None:
            concrete_or_error(x, what)
        x = value
    if np.ndim(x) != 0:
        raise ValueError(f"jax.numpy.arange: arguments must be scalars; got {x!r}.{user_line()}")
    return x.item() if isinstance(x, (np.ndarray, np.generic)) else x


# ---- arange / linspace / logspace / geomspace -----------------------------------------------
def arange(start, stop=None, step=None, dtype=None, *, device=None):
    """jnp.arange: evenly spaced values in [start, stop); Python ints give the default int type,
    floats the default float type. Arguments must be static."""
    dtype_args = [x for x in (start, stop, step) if x is not None]
    dtype = check_dtype_arg(dtype) if dtype is not None else dtypes.result_type(*dtype_args)
    name = "stop" if stop is None and step is None else "start"
    start = _python_value(start, f"the jnp.arange argument '{name}'")
    stop = None if stop is None else _python_value(stop, "the jnp.arange argument 'stop'")
    step = None if step is None else _python_value(step, "the jnp.arange argument 'step'")
    if any(isinstance(v, complex) for v in (start, stop, step)):
        raise ValueError("Passing complex start/stop/step to jnp.arange is not supported.")
    if stop is None:
        start, stop = 0, start
    if step is not None:
        if step == 0:
            raise ValueError("jnp.arange: step must not be zero.")
        working = np.dtype(np.float32) if dtypes.is_float(dtype) and dtype.itemsize < 4 else dtype
        size = builtins.max(0, int(np.ceil((stop - start) / step)))
        values = lax.add(_scalar(start, working), lax.mul(_scalar(step, working), lax.iota(working, size)))
        return lax.convert_element_type(values, dtype)
    size = builtins.max(0, int(np.ceil(stop - start)))
    if start == 0:
        return lax.iota(dtype, size)
    return lax.add(_scalar(start, dtype), lax.iota(dtype, size))


def _scalar(value, dtype):
    return lax.full((), value, dtype)


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, *, device=None):
    """jnp.linspace: `num` evenly spaced values from start to stop (array endpoints insert a new `axis`)."""
    num = operator.index(concrete_or_error(num, "the 'num' argument of jnp.linspace"))
    if num < 0:
        raise ValueError(f"Number of samples, {num}, must be non-negative.")
    start, stop = asarray_operand(start), asarray_operand(stop)
    dtype = _to_inexact(dtypes.result_type(start, stop)) if dtype is None else check_dtype_arg(dtype)
    work = _to_inexact(dtype)
    start, stop = lax.convert_element_type(start, work), lax.convert_element_type(stop, work)
    from jaxlike.numpy._core import broadcast_shapes
    bounds = broadcast_shapes(start.shape, stop.shape)
    start, stop = broadcast_to_shape(start, bounds), broadcast_to_shape(stop, bounds)
    axis = canonicalize_axis(axis, len(bounds) + 1)
    shape_with_axis = bounds[:axis] + (1,) + bounds[axis:]
    divisions = num - 1 if endpoint else num
    if num > 1:
        delta = lax.div(lax.sub(stop, start), _scalar(divisions, work))
        real = dtypes.real_dtype(work)
        fraction = lax.div(lax.iota(real, divisions), _scalar(divisions, real))
        fraction = lax.convert_element_type(fraction, work)
        fraction = lax.broadcast_in_dim(fraction, bounds[:axis] + (divisions,) + bounds[axis:], (axis,))
        # start*(1 - t) + stop*t reproduces both endpoints exactly in floating point
        lo = broadcast_to_shape(lax.reshape(start, shape_with_axis), fraction.shape)
        hi = broadcast_to_shape(lax.reshape(stop, shape_with_axis), fraction.shape)
        one = lax.full_like(fraction, 1)
        out = lax.add(lax.mul(lo, lax.sub(one, fraction)), lax.mul(hi, fraction))
        if endpoint:
            out = lax.concatenate([out, lax.reshape(stop, shape_with_axis)], axis)
    elif num == 1:
        delta = lax.full((), np.nan, work) if endpoint else lax.sub(stop, start)
        out = lax.reshape(start, shape_with_axis)
    else:
        delta = lax.full((), np.nan, work)
        out = lax.full(bounds[:axis] + (0,) + bounds[axis:], 0, work)
    if dtypes.is_integer(dtype) and not dtypes.is_integer(out.dtype):
        out = _floor(out)
    out = lax.convert_element_type(out, dtype)
    return (out, delta) if retstep else out


def _floor(x):
    if hasattr(lax, "floor"):
        return lax.floor(x)
    truncated = lax.convert_element_type(lax.convert_element_type(x, np.int64 if x.dtype == np.float64 else np.int32),
                                         x.dtype)
    return lax.select(lax.gt(truncated, x), lax.sub(truncated, lax.full_like(x, 1)), truncated)


def _power(base, exponent):
    """base ** exponent elementwise (jnp.power when present, else exp(exponent * log(base)))."""
    import jaxlike.numpy as jnp
    if hasattr(jnp, "power"):
        return jnp.power(base, exponent)
    base, exponent = asarray_operand(base), asarray_operand(exponent)
    base = lax.convert_element_type(base, exponent.dtype)
    base, exponent = _broadcast_pair(base, exponent)
    return lax.exp(lax.mul(exponent, lax.log(base)))


def _broadcast_pair(x, y):
    from jaxlike.numpy._core import broadcast_shapes
    shape = broadcast_shapes(x.shape, y.shape)
    return broadcast_to_shape(x, shape), broadcast_to_shape(y, shape)


def logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0):
    """jnp.logspace: base ** linspace(start, stop)."""
    start, stop = asarray_operand(start), asarray_operand(stop)
    dtype = _to_inexact(dtypes.result_type(start, stop)) if dtype is None else check_dtype_arg(dtype)
    work = _to_inexact(dtype)
    lin = linspace(lax.convert_element_type(start, work), lax.convert_element_type(stop, work), num,
                   endpoint=endpoint, axis=axis)
    return lax.convert_element_type(_power(base, lin), dtype)


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """jnp.geomspace: a geometric progression from start to stop (same signs)."""
    start, stop = asarray_operand(start), asarray_operand(stop)
    dtype = _to_inexact(dtypes.result_type(start, stop)) if dtype is None else check_dtype_arg(dtype)
    work = _to_inexact(dtype)
    start, stop = lax.convert_element_type(start, work), lax.convert_element_type(stop, work)
    start, stop = _broadcast_pair(start, stop)
    sign = lax.sign(start)
    log10 = math.log(10.0)
    log_start = lax.div(lax.log(lax.div(start, sign)), lax.full_like(start, log10))
    log_stop = lax.div(lax.log(lax.div(stop, sign)), lax.full_like(stop, log10))
    res = logspace(log_start, log_stop, num, endpoint=endpoint, base=10.0, dtype=work, axis=0)
    res = lax.mul(broadcast_to_shape(sign, res.shape), res)
    axis = canonicalize_axis(axis, res.ndim)
    if axis:
        res = lax.transpose(res, tuple(range(1, axis + 1)) + (0,) + tuple(range(axis + 1, res.ndim)))
    return lax.convert_element_type(res, dtype)


# ---- eye / identity / tri / tril / triu -----------------------------------------------------
def _dim(value, what):
    value = operator.index(concrete_or_error(value, what))
    if value < 0:
        raise ValueError(f"negative dimensions are not allowed, got {value} for {what}.{user_line()}")
    return value


def _diagonal_mask(n, m, k):
    """A bool (n, m) array, true where column - row == k (k may be traced)."""
    k = asarray_operand(k)
    if k.ndim != 0 or not dtypes.is_integer(k.dtype):
        raise ValueError(f"k must be a scalar integer; got {k}.")
    rows, cols = lax.broadcasted_iota(k.dtype, (n, m), 0), lax.broadcasted_iota(k.dtype, (n, m), 1)
    return lax.eq(lax.add(rows, lax.convert_element_type(k, k.dtype)), cols)


def eye(N, M=None, k=0, dtype=None, *, device=None):
    """jnp.eye: ones on the k-th diagonal of an N x M array (default float dtype)."""
    dtype = dtypes.default_float() if dtype is None else check_dtype_arg(dtype)
    n = _dim(N, "argument 'N' of jnp.eye()")
    m = n if M is None else _dim(M, "argument 'M' of jnp.eye()")
    return lax.convert_element_type(_diagonal_mask(n, m, k), dtype)


def identity(n, dtype=None):
    """jnp.identity: the n x n identity matrix."""
    return eye(n, dtype=dtype)


def _tri_mask(n, m, k):
    rows = lax.broadcasted_iota(np.int32, (n, m), 0)
    cols = lax.broadcasted_iota(np.int32, (n, m), 1)
    return lax.le(cols, lax.add(rows, lax.full((), operator.index(k), np.int32)))


def tri(N, M=None, k=0, dtype=None):
    """jnp.tri: ones at and below the k-th diagonal (float32 by default, as JAX)."""
    dtype = np.dtype(np.float32) if dtype is None else check_dtype_arg(dtype)
    n = _dim(N, "argument 'N' of jnp.tri()")
    m = n if M is None else _dim(M, "argument 'M' of jnp.tri()")
    return lax.convert_element_type(_tri_mask(n, m, k), dtype)


def _masked_triangle(name, m, k, keep_lower):
    m = asarray_operand(m)
    if m.ndim < 2:
        raise ValueError(f"Argument to jax.numpy.{name} must be at least 2D, got shape {m.shape}.{user_line()}")
    mask = _tri_mask(m.shape[-2], m.shape[-1], k if keep_lower else operator.index(k) - 1)
    mask = lax.broadcast_in_dim(mask, m.shape, (m.ndim - 2, m.ndim - 1))
    zeros = lax.full(m.shape, 0, m.dtype)
    return lax.select(mask, m, zeros) if keep_lower else lax.select(mask, zeros, m)


def tril(m, k=0):
    """jnp.tril: zero the elements above the k-th diagonal (of the last two axes)."""
    return _masked_triangle("tril", m, k, keep_lower=True)


def triu(m, k=0):
    """jnp.triu: zero the elements below the k-th diagonal (of the last two axes)."""
    return _masked_triangle("triu", m, k, keep_lower=False)


# ---- meshgrid / indices ---------------------------------------------------------------------
def meshgrid(*xi, copy=True, sparse=False, indexing="xy"):
    """jnp.meshgrid: coordinate arrays from 1-d vectors ('xy' swaps the first two output axes)."""
    args = [asarray_operand(x) for x in xi]
    if not copy:
        raise ValueError("jax.numpy.meshgrid only supports copy=True")
    if indexing not in ("xy", "ij"):
        raise ValueError(f"Valid values for indexing are 'xy' and 'ij', got {indexing}")
    if any(a.ndim != 1 for a in args):
        raise ValueError(f"Arguments to jax.numpy.meshgrid must be 1D, got shapes {[a.shape for a in args]}")
    swap = indexing == "xy" and len(args) >= 2
    if swap:
        args[0], args[1] = args[1], args[0]
    full_shape = tuple(a.shape[0] for a in args)
    out = []
    for i, a in enumerate(args):
        shape = tuple(s if j == i else 1 for j, s in enumerate(full_shape)) if sparse else full_shape
        out.append(lax.broadcast_in_dim(a, shape, (i,)))
    if swap:
        out[0], out[1] = out[1], out[0]
    return out


def indices(dimensions, dtype=None, sparse=False):
    """jnp.indices: index grids of an array of shape `dimensions` (stacked, or a tuple if sparse)."""
    dtype = dtypes.default_int() if dtype is None else check_dtype_arg(dtype)
    dims = tuple(operator.index(concrete_or_error(d, "the dimensions argument of jnp.indices")) for d in dimensions)
    out = []
    for i, d in enumerate(dims):
        shape = tuple(d if j == i else 1 for j in range(len(dims))) if sparse else dims
        out.append(lax.broadcast_in_dim(lax.iota(dtype, d), shape, (i,)))
    if sparse:
        return tuple(out)
    if not out:
        return lax.full((0,), 0, dtype)
    return lax.concatenate([lax.expand_dims(o, (0,)) for o in out], 0)


# ---- diagonals ------------------------------------------------------------------------------
def diagonal(a, offset=0, axis1=0, axis2=1):
    """jnp.diagonal: the offset diagonal of the (axis1, axis2) planes, as the last axis."""
    from jaxlike.numpy.manipulation import moveaxis
    a = asarray_operand(a)
    if a.ndim < 2:
        raise ValueError(f"diagonal requires an array of at least two dimensions, got shape {a.shape}.{user_line()}")
    offset = operator.index(concrete_or_error(offset, "the 'offset' argument of jnp.diagonal()"))
    ax1, ax2 = canonicalize_axis(axis1, a.ndim), canonicalize_axis(axis2, a.ndim)
    if ax1 == ax2:
        raise ValueError(f"axis1 and axis2 cannot be the same, got {axis1} and {axis2}.{user_line()}")
    a = moveaxis(a, (ax1, ax2), (-2, -1))
    rows, cols = a.shape[-2], a.shape[-1]
    if offset >= 0:
        a = slice_axis(a, a.ndim - 1, builtins.min(offset, cols), cols)
    else:
        a = slice_axis(a, a.ndim - 2, builtins.min(-offset, rows), rows)
    size = builtins.min(a.shape[-2], a.shape[-1])
    a = slice_axis(slice_axis(a, a.ndim - 2, 0, size), a.ndim - 1, 0, size)
    flat = lax.reshape(a, a.shape[:-2] + (size * size,))
    # In the row-major flattening of a size x size block the diagonal is every (size+1)-th element.
    return slice_axis(flat, flat.ndim - 1, 0, size * size, size + 1) if size else flat


def diag(v, k=0):
    """jnp.diag: the k-th diagonal of a 2-d array, or a 2-d array with a 1-d `v` on its k-th diagonal."""
    v = asarray_operand(v)
    k = operator.index(concrete_or_error(k, "the 'k' argument of jnp.diag()"))
    if v.ndim == 2:
        return diagonal(v, offset=k)
    if v.ndim != 1:
        raise ValueError(f"diag input must be 1d or 2d, got shape {v.shape}.{user_line()}")
    n = v.shape[0] + abs(k)
    zero = lax.full((), 0, v.dtype)
    padded = lax.pad(v, zero, ((builtins.max(0, -k), builtins.max(0, k), 0),))
    values = lax.broadcast_in_dim(padded, (n, n), (0,))
    return lax.select(_diagonal_mask(n, n, k), values, lax.full((n, n), 0, v.dtype))


def diagflat(v, k=0):
    """jnp.diagflat: a 2-d array with the flattened input on its k-th diagonal."""
    v = asarray_operand(v)
    return diag(lax.reshape(v, (v.size,)), k)


def trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    """jnp.trace: the sum along the offset diagonal of the (axis1, axis2) planes."""
    from jaxlike.numpy.reductions import sum as _sum
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.trace is not supported.")
    return _sum(diagonal(a, offset, axis1, axis2), axis=-1, dtype=dtype)
