"""Sorting and searching of jaxlike.numpy: sort, argsort, lexsort, partition, searchsorted."""
import operator

import numpy as np

from jaxlike import dtypes, lax
from jaxlike.core import concrete_or_error
from jaxlike.numpy._core import asarray_operand, canonicalize_axis, check_dtype_arg, promote_dtypes
from jaxlike.source_info import user_line

__all__ = ['sort', 'argsort', 'lexsort', 'partition', 'argpartition', 'searchsorted', 'sort_complex']


def _flatten_for_axis(arr, axis):
    if axis is None:
        return lax.reshape(arr, (arr.size,)), 0
    return arr, canonicalize_axis(axis, arr.ndim)


def _check_unsupported(name, kind, order):
    if kind is not None:
        raise TypeError(f"'kind' argument to {name} is not supported. Use stable=True or stable=False to specify "
                        "sort stability.")
    if order is not None:
        raise TypeError(f"'order' argument to {name} is not supported.")


def _index_dtype(size):
    """The default integer type, or int64 for axes too long for int32 (as JAX)."""
    return dtypes.default_int() if size < 2 ** 31 else np.dtype(np.int64)


def sort(a, axis=-1, *, kind=None, order=None, stable=True, descending=False):
    """jnp.sort: sorted copy along `axis` (flattened when None); NaNs sort to the end."""
    _check_unsupported("sort", kind, order)
    arr, axis = _flatten_for_axis(asarray_operand(a), axis)
    result = lax.sort(arr, dimension=axis, is_stable=stable)
    return lax.rev(result, (axis,)) if descending else result


def argsort(a, axis=-1, *, kind=None, order=None, stable=True, descending=False, dtype=None):
    """jnp.argsort: the indices that sort `a` along `axis` (ties keep their order when stable)."""
    _check_unsupported("argsort", kind, order)
    arr, axis = _flatten_for_axis(asarray_operand(a), axis)
    index_dtype = check_dtype_arg(dtype) if dtype is not None else _index_dtype(arr.shape[axis] if arr.ndim else 1)
    positions = lax.broadcasted_iota(index_dtype, arr.shape, axis)
    if descending and stable:  # reverse first so that equal elements keep their order after the final reverse
        arr, positions = lax.rev(arr, (axis,)), lax.rev(positions, (axis,))
    _, indices = lax.sort_key_val(arr, positions, dimension=axis, is_stable=stable)
    return lax.rev(indices, (axis,)) if descending else indices


def lexsort(keys, axis=-1):
    """jnp.lexsort: indices sorting by the last key first, then the previous ones."""
    keys = [asarray_operand(k) for k in keys]
    if not keys:
        raise TypeError("need sequence of keys with len > 0 in lexsort")
    if len({k.shape for k in keys}) > 1:
        raise ValueError(f"all keys need to be the same shape, got {[k.shape for k in keys]}.")
    shape = keys[0].shape
    if not shape:
        return lax.full((), 0, dtypes.default_int())
    axis = canonicalize_axis(axis, len(shape))
    positions = lax.broadcasted_iota(_index_dtype(shape[axis]), shape, axis)
    return lax.sort((*keys[::-1], positions), dimension=axis, num_keys=len(keys))[-1]


def sort_complex(a):
    """jnp.sort_complex: sort along the last axis, returning a complex array."""
    a = asarray_operand(a)
    result = sort(a)
    target = a.dtype if dtypes.is_complex(a.dtype) else dtypes.complex_dtype(dtypes.default_float()
                                                                               if not dtypes.is_inexact(a.dtype)
                                                                               else a.dtype)
    return lax.convert_element_type(result, target)


def partition(a, kth, axis=-1):
    """jnp.partition: elements smaller than the kth come first (here: a full sort, which satisfies that)."""
    a = asarray_operand(a)
    axis = canonicalize_axis(axis, a.ndim)
    _check_kth(kth, a.shape[axis])
    return lax.sort(a, dimension=axis)


def argpartition(a, kth, axis=-1):
    """jnp.argpartition: indices that partition `a` around its kth element (here: a full stable argsort)."""
    a = asarray_operand(a)
    axis = canonicalize_axis(axis, a.ndim)
    _check_kth(kth, a.shape[axis])
    return argsort(a, axis)


def _check_kth(kth, size):
    kth = operator.index(concrete_or_error(kth, "the 'kth' argument of jnp.partition"))
    if not -size <= kth < size:
        raise ValueError(f"kth(={kth}) out of bounds for an axis of size {size}.{user_line()}")


# ---- searchsorted ---------------------------------------------------------------------------
def searchsorted(a, v, side="left", sorter=None, *, method="scan"):
    """jnp.searchsorted: insertion indices of `v` in the sorted 1-d `a` (NaNs ordered last, as sort does);
    method 'compare_all' compares every pair, the others ('scan', 'scan_unrolled', 'sort') sort `a` with `v`."""
    if side not in ("left", "right"):
        raise ValueError(f"{side!r} is an invalid value for keyword 'side'. Expected one of ['left', 'right'].")
    if method not in ("scan", "scan_unrolled", "sort", "compare_all"):
        raise ValueError(f"method={method!r} not recognized; expected one of 'scan', 'scan_unrolled', 'sort', "
                         "'compare_all'.")
    a, v = asarray_operand(a), asarray_operand(v)
    if a.ndim != 1:
        raise ValueError(f"a should be 1-dimensional, got shape {a.shape}.{user_line()}")
    if sorter is not None:
        from jaxlike.numpy.manipulation import take_along_axis_traced
        a = take_along_axis_traced(a, asarray_operand(sorter), 0)
    a, v = promote_dtypes(a, v)
    dtype = np.dtype(np.int32) if a.shape[0] < 2 ** 31 else np.dtype(np.int64)
    query = lax.reshape(v, (v.size,))
    if method == "compare_all":
        result = _searchsorted_compare_all(a, query, side, dtype)
    else:
        result = _searchsorted_by_sorting(a, query, side, dtype)
    return lax.reshape(result, v.shape)


def _sort_keys(x):
    """Keys ordering x as lax.sort does: floats canonicalised (-0.0 == 0.0, NaN last); complex by (re, im)."""
    if dtypes.is_complex(x.dtype):
        return _sort_keys(lax.real(x)) + _sort_keys(_imag(x))
    return [x]


def _imag(x):
    return lax.imag(x)


def _total_less(x, y, or_equal):
    """x < y (or <=) in sort's total order, elementwise on broadcast-compatible operands of one dtype."""
    result = None
    for kx, ky in reversed(list(zip(_sort_keys(x), _sort_keys(y)))):
        lt, eq = _key_less(kx, ky), _key_equal(kx, ky)
        if result is None:
            result = _or(lt, eq) if or_equal else lt
        else:
            result = _or(lt, _and(eq, result))
    return result


def _key_less(x, y):
    if not dtypes.is_inexact(x.dtype):
        return lax.lt(x, y)
    x_nan, y_nan = lax.ne(x, x), lax.ne(y, y)
    return _or(lax.lt(x, y), _and(lax.eq(x_nan, lax.full((), False, np.bool_)), y_nan))


def _key_equal(x, y):
    if not dtypes.is_inexact(x.dtype):
        return lax.eq(x, y)
    return _or(lax.eq(x, y), _and(lax.ne(x, x), lax.ne(y, y)))


def _and(p, q):
    return lax.min(p, q)


def _or(p, q):
    return lax.max(p, q)


def _searchsorted_compare_all(a, query, side, dtype):
    n, m = a.shape[0], query.shape[0]
    grid_a = lax.broadcast_in_dim(a, (m, n), (1,))
    grid_q = lax.broadcast_in_dim(query, (m, n), (0,))
    before = _total_less(grid_a, grid_q, or_equal=side == "right")
    return lax.reduce_sum(lax.convert_element_type(before, dtype), (1,))


def _rank(x, dtype):
    """rank[i] = position of x[i] in the stable sort of x (the inverse of argsort)."""
    positions = lax.iota(dtype, x.shape[0])
    order = lax.sort_key_val(x, positions, dimension=0)[1]
    return lax.sort_key_val(order, positions, dimension=0)[1]


def _searchsorted_by_sorting(a, query, side, dtype):
    """Sort the query values together with `a` (queries first for 'left', after for 'right'); a query's
    rank among both, minus its rank among the queries alone, counts the elements of `a` before it."""
    work = np.dtype(np.int32) if a.shape[0] + query.shape[0] < 2 ** 31 else np.dtype(np.int64)
    n, m = a.shape[0], query.shape[0]
    if side == "left":
        combined = _rank(lax.concatenate([query, a], 0), work)
        query_ranks = _head(combined, 0, m)
    else:
        combined = _rank(lax.concatenate([a, query], 0), work)
        query_ranks = _head(combined, n, n + m)
    return lax.convert_element_type(lax.sub(query_ranks, _rank(query, work)), dtype)


def _head(x, start, stop):
    from jaxlike.lax.structural import slice_axis
    return slice_axis(x, 0, start, stop)
