"""Reductions of jaxlike.numpy: sum, prod, max, min, mean, var, std, any, all, argmax, cumsum, nan-variants."""
import builtins
import math
import operator

import numpy as np

from jaxlike import dtypes, lax
from jaxlike.core import concrete_or_error
from jaxlike.numpy._core import (asarray_operand, broadcast_to_shape, canonicalize_axes, canonicalize_axis,
                                  check_dtype_arg)
from jaxlike.source_info import user_line

__all__ = ['sum', 'prod', 'max', 'min', 'amax', 'amin', 'mean', 'var', 'std', 'any', 'all', 'argmax', 'argmin',
           'cumsum', 'cumprod', 'cumulative_sum', 'cumulative_prod', 'ptp', 'average', 'count_nonzero', 'nansum',
           'nanmean', 'nanmax', 'nanmin', 'nanprod', 'nanargmax', 'nanargmin', 'nanvar', 'nanstd', 'nancumsum',
           'nancumprod', 'product', 'cumproduct']


# ---- helpers --------------------------------------------------------------------------------
def _axes(axis, ndim):
    axis = concrete_or_error(axis, "the axis argument of a jnp reduction")
    if isinstance(axis, (list, np.ndarray)):
        axis = tuple(axis)
    return canonicalize_axes(axis, ndim)


def _keepdims(out, in_shape, axes):
    return lax.reshape(out, tuple(1 if i in axes else s for i, s in enumerate(in_shape)))


def _promote_integer_dtype(dtype):
    """JAX: sums and products of bools and narrow integers accumulate in the default integer types."""
    if dtype == np.bool_:
        return dtypes.default_int()
    if dtypes.kind(dtype) == "i" and dtype.itemsize < dtypes.default_int().itemsize:
        return dtypes.default_int()
    if dtypes.kind(dtype) == "u" and dtype.itemsize < dtypes.default_uint().itemsize:
        return dtypes.default_uint()
    return dtype


def _upcast_f16(dtype):
    return np.dtype(np.float32) if dtype in (dtypes.float16, dtypes.bfloat16) else dtype


def to_inexact_dtype(dtype):
    """JAX's float type for a dtype: bools and integers up to 32 bits -> float32, 64-bit integers -> float64."""
    if dtypes.is_inexact(dtype):
        return dtype
    wide = np.dtype(dtype) in (dtypes.int64, dtypes.uint64)
    return dtypes.canonicalize_dtype(np.float64 if wide else np.float32)


_to_inexact = to_inexact_dtype


def _promote_inexact(*arrays):
    """Arrays promoted together, then to JAX's inexact type (weak types kept)."""
    from jaxlike.numpy._core import promote_dtypes
    arrays = promote_dtypes(*arrays)
    dtype = to_inexact_dtype(arrays[0].dtype)
    return [lax.convert_element_type(a, dtype, weak_type=a.weak_type) for a in arrays]


def _identity_value(dtype, value):
    """`value` (0, 1, +-inf) as the reduction identity of `dtype` (min/max finite values where inf won't fit)."""
    if dtype == np.bool_:
        return value > 0
    if dtypes.is_integer(dtype):
        if np.isinf(value):
            info = dtypes.iinfo(dtype)
            return info.min if value < 0 else info.max
        return value
    if np.isinf(value) and not np.isinf(np.array(value).astype(dtype).astype(np.float64)):
        info = dtypes.finfo(dtype)
        return info.min if value < 0 else info.max
    return value


def _check_where(name, where):
    if where is None:
        return None
    where = asarray_operand(where)
    if where.dtype != np.bool_:
        raise ValueError(f"jnp.{name}: where must be None or a boolean array; got dtype={where.dtype}.")
    return where


def _isnan(x):
    return lax.ne(x, x)


def _select(pred, on_true, on_false):
    """Elementwise choice with NumPy broadcasting of the predicate and the two branches."""
    from jaxlike.numpy.ufuncs import where
    return where(pred, on_true, on_false)


def _to_numeric(a):
    return lax.convert_element_type(a, dtypes.default_int()) if a.dtype == np.bool_ else a


def _to_bool(a):
    if dtypes.is_complex(a.dtype):
        a = lax.real(a)
    return lax.convert_element_type(a, np.bool_)


def _reduction(a, name, reducer, identity, combine, *, axis=None, dtype=None, out=None, keepdims=False,
               initial=None, where=None, has_identity=True, preproc=None, bool_reducer=None, bool_combine=None,
               upcast_f16=False, promote_integers=False):
    """JAX's reduction recipe: preprocess, pick the dtype, mask with `where`, reduce, fold in `initial`."""
    if out is not None:
        raise NotImplementedError(f"The 'out' argument to jnp.{name} is not supported.")
    a = asarray_operand(a)
    where = _check_where(name, where)
    if initial is None and not has_identity and where is not None:
        raise ValueError(f"reduction operation {name} does not have an identity, so to use a where mask one has "
                         "to specify 'initial'")
    a = preproc(a) if preproc else a
    axes = _axes(axis, a.ndim)
    if initial is None and not has_identity and builtins.any(a.shape[d] == 0 for d in axes):
        raise ValueError(f"zero-size array to reduction operation {name} which has no identity{user_line()}")
    if dtype is None:
        result_dtype = _promote_integer_dtype(a.dtype) if promote_integers else a.dtype
    else:
        result_dtype = check_dtype_arg(dtype)
    computation = _upcast_f16(result_dtype) if upcast_f16 and dtypes.is_inexact(result_dtype) else result_dtype
    a = lax.convert_element_type(a, computation)
    if computation == np.bool_:
        reducer, combine = bool_reducer or reducer, bool_combine or combine
    if where is not None:
        a = _select(where, a, lax.full((), _identity_value(computation, identity), computation))
    result = reducer(a, axes)
    if initial is not None:
        initial = lax.convert_element_type(asarray_operand(initial), computation)
        if initial.shape != ():
            raise ValueError(f"initial value must be a scalar. Got array of shape {initial.shape}")
        result = combine(lax.broadcast_in_dim(initial, result.shape, ()), result)
    if keepdims:
        result = _keepdims(result, a.shape, axes)
    return lax.convert_element_type(result, result_dtype)


# ---- sum / prod / max / min / any / all -----------------------------------------------------
def sum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None, promote_integers=True):
    """jnp.sum: bools and narrow integers sum in the default integer type; float16 accumulates in float32."""
    return _reduction(a, "sum", lax.reduce_sum, 0, lax.add, axis=axis, dtype=dtype, out=out, keepdims=keepdims,
                      initial=initial, where=where, preproc=_to_numeric, bool_reducer=lax.reduce_or,
                      bool_combine=_logical_or, upcast_f16=dtype is None, promote_integers=promote_integers)


def prod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None, promote_integers=True):
    """jnp.prod: product over axes, with sum's dtype rules."""
    return _reduction(a, "prod", lax.reduce_prod, 1, lax.mul, axis=axis, dtype=dtype, out=out, keepdims=keepdims,
                      initial=initial, where=where, preproc=_to_numeric, bool_reducer=lax.reduce_and,
                      bool_combine=_logical_and, upcast_f16=dtype is None, promote_integers=promote_integers)


def max(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    """jnp.max: maximum over axes (NaN propagates); empty reductions need `initial`."""
    return _reduction(a, "max", lax.reduce_max, -np.inf, lax.max, axis=axis, out=out, keepdims=keepdims,
                      initial=initial, where=where, has_identity=False)


def min(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    """jnp.min: minimum over axes (NaN propagates); empty reductions need `initial`."""
    return _reduction(a, "min", lax.reduce_min, np.inf, lax.min, axis=axis, out=out, keepdims=keepdims,
                      initial=initial, where=where, has_identity=False)


amax = max
amin = min
product = prod


def _logical_and(x, y):
    return lax.min(x, y)  # on bools, min is AND


def _logical_or(x, y):
    return lax.max(x, y)


def all(a, axis=None, out=None, keepdims=False, *, where=None):
    """jnp.all: whether every element is nonzero (complex values test their real part, as JAX)."""
    return _reduction(a, "all", lax.reduce_and, True, _logical_and, axis=axis, out=out, keepdims=keepdims,
                      where=where, preproc=_to_bool)


def any(a, axis=None, out=None, keepdims=False, *, where=None):
    """jnp.any: whether some element is nonzero."""
    return _reduction(a, "any", lax.reduce_or, False, _logical_or, axis=axis, out=out, keepdims=keepdims,
                      where=where, preproc=_to_bool)


# ---- mean / var / std / average -------------------------------------------------------------
def _count(a, axes, keepdims, where, dtype):
    if where is None:
        return lax.full((), math.prod(a.shape[d] for d in axes), dtype)
    return sum(broadcast_to_shape(where, a.shape), axes, dtype=dtype, keepdims=keepdims)


def mean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=None):
    """jnp.mean: arithmetic mean; integers and bools give the default float type."""
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.mean is not supported.")
    a = asarray_operand(a)
    where = _check_where("mean", where)
    axes = _axes(axis, a.ndim)
    result_dtype = _to_inexact(a.dtype) if dtype is None else check_dtype_arg(dtype)
    computation = _upcast_f16(result_dtype) if dtypes.is_inexact(result_dtype) else result_dtype
    total = sum(a, axes, dtype=computation, keepdims=keepdims, where=where)
    count = _count(a, axes, keepdims, where, computation)
    return lax.convert_element_type(_divide(total, count), result_dtype)


def _divide(x, y):
    from jaxlike.numpy._core import broadcast_arrays
    x, y = broadcast_arrays(x, y)
    return lax.div(x, y)


def _var_dtypes(a_dtype, dtype):
    """(computation dtype, result dtype) of var/std as JAX chooses them."""
    if dtype is not None:
        if not dtypes.is_complex(dtype) and dtypes.is_complex(a_dtype):
            raise ValueError("jax.numpy.var does not yet support real dtype parameters when computing the variance "
                             "of an array of complex values.")
        return _upcast_f16(dtype), dtype
    if not dtypes.is_inexact(a_dtype):
        result = _to_inexact(a_dtype)
        return _upcast_f16(result), result
    return _upcast_f16(a_dtype), dtypes.real_dtype(a_dtype)


def _squared_magnitude(x):
    if dtypes.is_complex(x.dtype):
        return lax.real(lax.mul(x, lax.conj(x)))
    return lax.mul(x, x)


def _correction(ddof, correction):
    if correction is None:
        return ddof
    if ddof:
        raise ValueError("ddof and correction can't be provided simultaneously.")
    return correction


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None, mean=None, correction=None):
    """jnp.var: mean squared deviation, divided by (count - ddof); NaN when that is not positive."""
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.var is not supported.")
    a = asarray_operand(a)
    where = _check_where("var", where)
    dtype = None if dtype is None else check_dtype_arg(dtype)
    computation, result_dtype = _var_dtypes(a.dtype, dtype)
    a = lax.convert_element_type(a, computation)
    axes = _axes(axis, a.ndim)
    a_mean = _mean_fn(a, axes, dtype=computation, keepdims=True, where=where) if mean is None else \
        lax.convert_element_type(asarray_operand(mean), computation)
    centered = _squared_magnitude(lax.sub(a, broadcast_to_shape(a_mean, a.shape)))
    real = centered.dtype
    count = _count(a, axes, keepdims, where, real)
    count = lax.sub(count, lax.full((), _correction(ddof, correction), real))
    total = sum(centered, axes, dtype=real, keepdims=keepdims, where=where)
    result = lax.convert_element_type(_divide(total, count), result_dtype)
    return _select(lax.gt(count, lax.full((), 0, real)), result, lax.full((), np.nan, result_dtype))


_mean_fn = mean


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None, mean=None, correction=None):
    """jnp.std: the square root of var."""
    if dtype is not None and not dtypes.is_inexact(check_dtype_arg(dtype)):
        raise ValueError(f"dtype argument to jnp.std must be inexact; got {dtype}")
    return lax.sqrt(var(a, axis, dtype, out, ddof, keepdims, where=where, mean=mean, correction=correction))


def average(a, axis=None, weights=None, returned=False, keepdims=False):
    """jnp.average: the (weighted) mean; with returned=True also the sum of weights."""
    a = asarray_operand(a)
    axes = _axes(axis, a.ndim)
    if weights is None:
        (a,) = _promote_inexact(a)
        avg = mean(a, axes, keepdims=keepdims)
        weights_sum = lax.full((), math.prod(a.shape[d] for d in axes), avg.dtype)
    else:
        a, weights = _promote_inexact(a, asarray_operand(weights))
        if a.shape != weights.shape:
            if axis is None:
                raise ValueError("Axis must be specified when shapes of a and weights differ.")
            if weights.shape != tuple(a.shape[d] for d in axes):
                raise ValueError(f"Shape of weights must be consistent with shape of a along specified axis: got "
                                 f"weights of shape {weights.shape} for a of shape {a.shape} and axis {axis}.")
            order = tuple(int(i) for i in np.argsort(axes))
            weights = lax.transpose(weights, order) if order != tuple(range(len(axes))) else weights
            weights = lax.broadcast_in_dim(weights, a.shape, tuple(sorted(axes)))
        weights_sum = sum(weights, axes, keepdims=keepdims)
        avg = _divide(sum(lax.mul(a, broadcast_to_shape(weights, a.shape)), axes, keepdims=keepdims), weights_sum)
    if returned:
        return avg, broadcast_to_shape(weights_sum, avg.shape)
    return avg


def ptp(a, axis=None, out=None, keepdims=False):
    """jnp.ptp: max - min over axes."""
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.ptp is not supported.")
    return lax.sub(max(a, axis, keepdims=keepdims), min(a, axis, keepdims=keepdims))


def count_nonzero(a, axis=None, keepdims=False):
    """jnp.count_nonzero: the number of nonzero elements, in the default integer type."""
    a = asarray_operand(a)
    nonzero = lax.ne(a, lax.full((), 0, a.dtype))
    return sum(nonzero, axis, dtype=dtypes.default_int(), keepdims=keepdims)


# ---- argmax / argmin ------------------------------------------------------------------------
def _arg_reduction(name, lax_fn, a, axis, out, keepdims):
    if out is not None:
        raise NotImplementedError(f"The 'out' argument to jnp.{name} is not supported.")
    a = asarray_operand(a)
    if axis is None:
        kept_shape, a, axis = tuple(1 for _ in a.shape), lax.reshape(a, (a.size,)), 0
    else:
        axis = canonicalize_axis(operator.index(axis), a.ndim)
        kept_shape = a.shape[:axis] + (1,) + a.shape[axis + 1:]
    if a.shape[axis] == 0:
        raise ValueError(f"attempt to get {name} of an empty sequence{user_line()}")
    result = lax_fn(a, axis, dtypes.default_int())
    return lax.reshape(result, kept_shape) if keepdims else result


def argmax(a, axis=None, out=None, keepdims=None):
    """jnp.argmax: index of the first maximum (of the flattened array when axis is None); NaN counts as largest."""
    return _arg_reduction("argmax", lax.argmax, a, axis, out, bool(keepdims))


def argmin(a, axis=None, out=None, keepdims=None):
    """jnp.argmin: index of the first minimum; the first NaN wins, as in JAX."""
    return _arg_reduction("argmin", lax.argmin, a, axis, out, bool(keepdims))


def _nan_arg_reduction(name, fn, fill, a, axis, out, keepdims):
    a = asarray_operand(a)
    if not dtypes.is_inexact(a.dtype):
        return fn(a, axis, out, keepdims)
    nan_mask = _isnan(a)
    res = fn(_select(nan_mask, lax.full((), fill, a.dtype), a), axis, out, keepdims)
    all_nan = all(nan_mask, axis, keepdims=bool(keepdims))
    return _select(all_nan, lax.full((), -1, res.dtype), res)


def nanargmax(a, axis=None, out=None, keepdims=None):
    """jnp.nanargmax: argmax ignoring NaNs; -1 where all are NaN."""
    return _nan_arg_reduction("nanargmax", argmax, -np.inf, a, axis, out, keepdims)


def nanargmin(a, axis=None, out=None, keepdims=None):
    """jnp.nanargmin: argmin ignoring NaNs; -1 where all are NaN."""
    return _nan_arg_reduction("nanargmin", argmin, np.inf, a, axis, out, keepdims)


# ---- nan-reductions -------------------------------------------------------------------------
def _nan_reduction(a, fn, fill, nan_if_all_nan, axis, keepdims, where, **kwargs):
    a = asarray_operand(a)
    where = _check_where(fn.__name__, where)
    if not dtypes.is_inexact(a.dtype):
        return fn(a, axis=axis, keepdims=keepdims, where=where, **kwargs)
    nan_mask = _isnan(a)
    out = fn(_select(nan_mask, lax.full((), _identity_value(a.dtype, fill), a.dtype), a), axis=axis,
             keepdims=keepdims, where=where, **kwargs)
    if nan_if_all_nan:
        return _select(all(nan_mask, axis, keepdims=keepdims), lax.full((), np.nan, out.dtype), out)
    return out


def nansum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    """jnp.nansum: sum treating NaNs as zero."""
    return _nan_reduction(a, sum, 0, False, axis, keepdims, where, dtype=dtype, out=out, initial=initial)


def nanprod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    """jnp.nanprod: product treating NaNs as one."""
    return _nan_reduction(a, prod, 1, False, axis, keepdims, where, dtype=dtype, out=out, initial=initial)


def nanmax(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    """jnp.nanmax: max ignoring NaNs (NaN where all are NaN and no initial)."""
    return _nan_reduction(a, max, -np.inf, initial is None, axis, keepdims, where, out=out, initial=initial)


def nanmin(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    """jnp.nanmin: min ignoring NaNs (NaN where all are NaN and no initial)."""
    return _nan_reduction(a, min, np.inf, initial is None, axis, keepdims, where, out=out, initial=initial)


def _not_nan_count(a, axis, keepdims, where, dtype):
    return sum(lax.eq(a, a), axis, dtype=dtype, keepdims=keepdims, where=where)


def nanmean(a, axis=None, dtype=None, out=None, keepdims=False, where=None):
    """jnp.nanmean: mean over the non-NaN elements."""
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.nanmean is not supported.")
    a = asarray_operand(a)
    if not dtypes.is_inexact(a.dtype):
        return mean(a, axis, dtype, keepdims=keepdims, where=where)
    dtype = _to_inexact(a.dtype) if dtype is None else check_dtype_arg(dtype)
    count = _not_nan_count(a, axis, keepdims, _check_where("nanmean", where), dtype)
    return _divide(nansum(a, axis, dtype=dtype, keepdims=keepdims, where=where), count)


def nanvar(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=None, mean=None):
    """jnp.nanvar: var over the non-NaN elements."""
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.nanvar is not supported.")
    a = asarray_operand(a)
    computation, result_dtype = _var_dtypes(a.dtype, None if dtype is None else check_dtype_arg(dtype))
    a = lax.convert_element_type(a, computation)
    axes = _axes(axis, a.ndim)
    a_mean = nanmean(a, axes, dtype=computation, keepdims=True, where=where) if mean is None else \
        lax.convert_element_type(asarray_operand(mean), computation)
    deviation = lax.sub(a, broadcast_to_shape(a_mean, a.shape))
    centered = _squared_magnitude(_select(_isnan(a), lax.full((), 0, a.dtype), deviation))
    count = lax.sub(_not_nan_count(a, axes, keepdims, _check_where("nanvar", where), dtypes.default_int()),
                    lax.full((), operator.index(ddof), dtypes.default_int()))
    empty = lax.le(count, lax.full((), 0, count.dtype))
    total = sum(centered, axes, keepdims=keepdims, where=where)
    divisor = lax.convert_element_type(_select(empty, lax.full((), 1, count.dtype), count), total.dtype)
    result = _select(empty, lax.full((), np.nan, total.dtype), _divide(total, divisor))
    return lax.convert_element_type(result, result_dtype)


def nanstd(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=None, mean=None):
    """jnp.nanstd: the square root of nanvar."""
    return lax.sqrt(nanvar(a, axis, dtype, out, ddof, keepdims, where=where, mean=mean))


# ---- cumulative -----------------------------------------------------------------------------
def _cumulative(name, lax_fn, a, axis, dtype, out, fill_nan=None, promote_integers=False):
    if out is not None:
        raise NotImplementedError(f"The 'out' argument to jnp.{name} is not supported.")
    python_scalar = not _is_array_like(a)
    a = asarray_operand(a)
    if axis is None or (python_scalar and a.ndim == 0):
        a = lax.reshape(a, (a.size,))
    axis = canonicalize_axis(0 if axis is None else axis, a.ndim)
    if fill_nan is not None and dtypes.is_inexact(a.dtype):
        a = _select(_isnan(a), lax.full((), fill_nan, a.dtype), a)
    if dtype is None:
        result = _promote_integer_dtype(a.dtype) if promote_integers or a.dtype == np.bool_ else a.dtype
        computation = result
    else:
        result = check_dtype_arg(dtype)
        if result == np.bool_:
            a = lax.ne(a, lax.full((), 0, a.dtype)) if a.dtype != np.bool_ else a
            computation = _promote_integer_dtype(result)
        else:
            computation = result
    return lax.convert_element_type(lax_fn(lax.convert_element_type(a, computation), axis), result)


def _is_array_like(x):
    return hasattr(x, "aval") or isinstance(x, (np.ndarray, np.generic, list, tuple))


def cumsum(a, axis=None, dtype=None, out=None):
    """jnp.cumsum: running sum along `axis` (of the flattened array when None); bools count as ints."""
    return _cumulative("cumsum", lax.cumsum, a, axis, dtype, out)


def cumprod(a, axis=None, dtype=None, out=None):
    """jnp.cumprod: running product along `axis` (of the flattened array when None)."""
    return _cumulative("cumprod", lax.cumprod, a, axis, dtype, out)


cumproduct = cumprod


def nancumsum(a, axis=None, dtype=None, out=None):
    """jnp.nancumsum: cumsum treating NaNs as zero."""
    return _cumulative("nancumsum", lax.cumsum, a, axis, dtype, out, fill_nan=0)


def nancumprod(a, axis=None, dtype=None, out=None):
    """jnp.nancumprod: cumprod treating NaNs as one."""
    return _cumulative("nancumprod", lax.cumprod, a, axis, dtype, out, fill_nan=1)


def _cumulative_array_api(name, lax_fn, identity, x, axis, dtype, include_initial):
    x = asarray_operand(x)
    if x.ndim == 0:
        raise ValueError(f"The input must be non-scalar to take a {name}, however a scalar value or scalar array "
                         "was given.")
    if axis is None:
        if x.ndim > 1:
            raise ValueError(f"The input array has rank {x.ndim}, however axis was not set to an explicit value. "
                             "The axis argument is only optional for one-dimensional arrays.")
        axis = 0
    axis = canonicalize_axis(axis, x.ndim)
    result = _cumulative(name, lax_fn, x, axis, dtype, None, promote_integers=True)
    if include_initial:
        shape = result.shape[:axis] + (1,) + result.shape[axis + 1:]
        result = lax.concatenate([lax.full(shape, identity, result.dtype), result], axis)
    return result


def cumulative_sum(x, /, *, axis=None, dtype=None, include_initial=False):
    """jnp.cumulative_sum: the Array API cumsum (integers promote; optional leading zero)."""
    return _cumulative_array_api("cumulative sum", lax.cumsum, 0, x, axis, dtype, include_initial)


def cumulative_prod(x, /, *, axis=None, dtype=None, include_initial=False):
    """jnp.cumulative_prod: the Array API cumprod (integers promote; optional leading one)."""
    return _cumulative_array_api("cumulative product", lax.cumprod, 1, x, axis, dtype, include_initial)
