"""Slicing, gathers and scatters: slice, dynamic_slice, dynamic_update_slice, gather and the scatters.

Each primitive sits with its shape rule, JVP, transpose (all are linear in operand/updates, except
the extremal and multiplicative scatters in their updates) and batching rule. Batching of gathers
and scatters uses StableHLO's operand/indices batching dims, so a batched operand, batched indices
or both map onto one gather or scatter.
"""
import builtins
import enum
from typing import NamedTuple

import numpy as np

from jaxlike import dtypes
from jaxlike.core import Primitive, ShapedArray, get_aval
from jaxlike.lax.base import operands, shape_error
from jaxlike.transforms import ad, batching
from jaxlike.transforms.ad import Zero, is_undefined_primal

__all__ = ['slice', 'dynamic_slice', 'dynamic_update_slice', 'gather', 'scatter', 'scatter_add', 'scatter_mul',
           'scatter_min', 'scatter_max', 'scatter_apply', 'GatherDimensionNumbers', 'ScatterDimensionNumbers',
           'GatherScatterMode', 'slice_in_dim', 'index_in_dim', 'dynamic_slice_in_dim', 'dynamic_index_in_dim',
           'dynamic_update_slice_in_dim', 'dynamic_update_index_in_dim']


# ---- small helpers ------------------------------------------------------------------------
def _aval(x):
    """The aval of an operand, tracer or UndefinedPrimal."""
    return x.aval if hasattr(x, "aval") else get_aval(x)


def _zeros(aval):
    from jaxlike.lax.structural import full
    return full(aval.shape, 0, aval.dtype)


def _shift(dims, by=1):
    return tuple(d + by for d in dims)


def _as_array(x):
    """An array operand for `x`; sequences of numbers become NumPy-backed constants."""
    from jaxlike.array import as_operand
    if isinstance(x, (list, tuple)):
        x = np.asarray(x)
    return as_operand(x)


def _tangent_zero(out):
    return Zero(ad.tangent_aval(get_aval(out)))


# ---- slice --------------------------------------------------------------------------------
slice_p = Primitive("slice")


def _ceil_div(a, b):
    return -(-a // b)


@slice_p.def_abstract_eval
def _slice_abstract_eval(x, start_indices, limit_indices, strides):
    n = x.ndim
    if len(start_indices) != n or len(limit_indices) != n or (strides is not None and len(strides) != n):
        raise shape_error(f"slice: start_indices {start_indices}, limit_indices {limit_indices} and strides "
                          f"{strides} must each have one entry per dimension of the operand (shape {x.shape}).")
    strides = strides or (1,) * n
    for d, (start, limit, stride, size) in enumerate(zip(start_indices, limit_indices, strides, x.shape)):
        if not 0 <= start <= limit <= size:
            raise shape_error(f"slice: dimension {d} of an operand of shape {x.shape} needs 0 <= start <= limit "
                              f"<= {size}, got start {start} and limit {limit}.")
        if stride < 1:
            raise shape_error(f"slice: strides must be positive, got {strides}.")
    shape = tuple(_ceil_div(limit - start, stride)
                  for start, limit, stride in zip(start_indices, limit_indices, strides))
    return ShapedArray(shape, x.dtype, x.weak_type)


def _slice_transpose(ct, x, start_indices, limit_indices, strides):
    from jaxlike.lax.structural import full, pad
    aval = x.aval
    if any(s == 0 for s in ct.aval.shape):
        return [_zeros(aval)]
    strides = strides or (1,) * aval.ndim
    config = tuple((start, size - (start + (n - 1) * stride + 1), stride - 1)
                   for start, stride, size, n in zip(start_indices, strides, aval.shape, ct.aval.shape))
    return [pad(ct, full((), 0, ct.aval.dtype), config)]


def _slice_batch(vals, dims, start_indices, limit_indices, strides):
    (x,), (d,) = vals, dims
    size = get_aval(x).shape[d]
    start = start_indices[:d] + (0,) + start_indices[d:]
    limit = limit_indices[:d] + (size,) + limit_indices[d:]
    strides = None if strides is None else strides[:d] + (1,) + strides[d:]
    return slice_p.bind(x, start_indices=start, limit_indices=limit, strides=strides), d


ad.deflinear(slice_p, _slice_transpose)
slice_p.batch = _slice_batch


def slice(operand, start_indices, limit_indices, strides=None):  # noqa: A001 (JAX's name)
    """lax.slice: the static window operand[start:limit:stride] in every dimension."""
    (operand,) = operands(operand)
    start = tuple(int(s) for s in start_indices)
    limit = tuple(int(s) for s in limit_indices)
    if strides is not None:
        strides = tuple(int(s) for s in strides)
        if all(s == 1 for s in strides):
            strides = None
    if strides is None and start == (0,) * len(start) and limit == operand.aval.shape:
        return operand
    return slice_p.bind(operand, start_indices=start, limit_indices=limit, strides=strides)


# ---- dynamic_slice ------------------------------------------------------------------------
dynamic_slice_p = Primitive("dynamic_slice")


def _check_start_indices(name, x, start_indices):
    if len(start_indices) != x.ndim:
        raise shape_error(f"{name}: got {len(start_indices)} start indices for an operand of shape {x.shape}; "
                          "pass one scalar index per dimension.")
    for i in start_indices:
        if i.shape != () or not dtypes.is_integer(i.dtype):
            raise shape_error(f"{name}: start indices must be integer scalars, got {i.str_short()}.")


@dynamic_slice_p.def_abstract_eval
def _dynamic_slice_abstract_eval(x, *start_indices, slice_sizes):
    _check_start_indices("dynamic_slice", x, start_indices)
    if len(slice_sizes) != x.ndim or any(not 0 <= s <= d for s, d in zip(slice_sizes, x.shape)):
        raise shape_error(f"dynamic_slice: slice_sizes {slice_sizes} must have one entry per dimension of the "
                          f"operand (shape {x.shape}), each between 0 and that dimension's size.")
    return ShapedArray(slice_sizes, x.dtype, x.weak_type)


def _dynamic_slice_jvp(primals, tangents, slice_sizes):
    x, *idx = primals
    out = dynamic_slice_p.bind(x, *idx, slice_sizes=slice_sizes)
    if type(tangents[0]) is Zero:
        return out, _tangent_zero(out)
    return out, dynamic_slice_p.bind(tangents[0], *idx, slice_sizes=slice_sizes)


def _dynamic_slice_transpose(ct, x, *idx, slice_sizes):
    return [dynamic_update_slice_p.bind(_zeros(x.aval), ct, *idx)] + [None] * len(idx)


def _dynamic_slice_batch(vals, dims, slice_sizes):
    x, *idx = vals
    x_dim, *idx_dims = dims
    if all(d is None for d in idx_dims):
        size = get_aval(x).shape[x_dim]
        idx.insert(x_dim, _index_zero(idx))
        sizes = slice_sizes[:x_dim] + (size,) + slice_sizes[x_dim:]
        return dynamic_slice_p.bind(x, *idx, slice_sizes=sizes), x_dim
    # Per-example starts: one gather of the whole batch (clamped as dynamic_slice clamps).
    size = batching.axis_size_of(vals, dims)
    n = len(idx)
    dnums = GatherDimensionNumbers(offset_dims=tuple(range(n)), collapsed_slice_dims=(),
                                   start_index_map=tuple(range(n)))
    return _gather_batch([x, _stack_scalars(idx, idx_dims, size)], [x_dim, 0], dimension_numbers=dnums,
                         slice_sizes=slice_sizes, indices_are_sorted=True, unique_indices=True,
                         mode=GatherScatterMode.CLIP, fill_value=None)


def _index_zero(idx):
    from jaxlike.lax.structural import full
    return full((), 0, get_aval(idx[0]).dtype if idx else np.int32)


def _stack_scalars(scalars, dims, size):
    """A (size, n) index array whose column k holds scalar k (batched or broadcast)."""
    from jaxlike.lax.structural import broadcast_in_dim, concatenate
    columns = [broadcast_in_dim(s, (size, 1), () if d is None else (0,)) for s, d in zip(scalars, dims)]
    return concatenate(columns, 1) if len(columns) > 1 else columns[0]


dynamic_slice_p.jvp = _dynamic_slice_jvp
dynamic_slice_p.transpose = _dynamic_slice_transpose
dynamic_slice_p.batch = _dynamic_slice_batch


def _index_dtype(indices):
    """int64 when some index array is 64-bit (in x64 mode), else int32."""
    arrays = [i for i in indices if hasattr(i, "aval") or isinstance(i, (np.ndarray, np.generic))]
    wide = any(get_aval(i).dtype.itemsize == 8 for i in arrays)
    return np.dtype(np.int64 if wide else np.int32)


def _start_indices(operand, start_indices):
    """Scalar start index arrays of one dtype, negative ones counted from the end (as JAX does)."""
    from jaxlike.lax.elementwise import add, convert_element_type, lt, select
    from jaxlike.lax.structural import full, reshape
    if isinstance(start_indices, np.ndarray):
        start_indices = list(start_indices)
    elif hasattr(start_indices, "aval"):
        vector = start_indices
        start_indices = [reshape(slice(vector, (k,), (k + 1,)), ()) for k in range(vector.aval.shape[0])]
    start_indices = list(start_indices)
    if len(start_indices) != operand.aval.ndim:
        raise TypeError(f"Length of start indices ({len(start_indices)}) must match the rank of the operand "
                        f"(shape {operand.aval.shape}).")
    dtype = _index_dtype(start_indices)
    out = []
    for i, size in zip(start_indices, operand.aval.shape):
        if isinstance(i, (int, np.integer)) and not isinstance(i, (bool, np.bool_)):
            i = int(i)
            out.append(full((), i + size if i < 0 else i, dtype))
            continue
        i = _as_array(i)
        if not dtypes.is_integer(i.aval.dtype) or i.aval.shape != ():
            raise TypeError(f"start indices must be integer scalars, got {i.aval.str_short()}.")
        i = convert_element_type(i, dtype)
        i = select(lt(i, full((), 0, dtype)), add(i, full((), size, dtype)), i)
        out.append(i)
    return out


def dynamic_slice(operand, start_indices, slice_sizes):
    """lax.dynamic_slice: a window of static `slice_sizes` at traced starts, clamped to stay in bounds."""
    (operand,) = operands(operand)
    idx = _start_indices(operand, start_indices)
    sizes = tuple(int(s) for s in slice_sizes)
    return dynamic_slice_p.bind(operand, *idx, slice_sizes=sizes)


# ---- dynamic_update_slice -----------------------------------------------------------------
dynamic_update_slice_p = Primitive("dynamic_update_slice")


@dynamic_update_slice_p.def_abstract_eval
def _dynamic_update_slice_abstract_eval(x, update, *start_indices):
    _check_start_indices("dynamic_update_slice", x, start_indices)
    if update.ndim != x.ndim or any(u > s for u, s in zip(update.shape, x.shape)):
        raise shape_error(f"dynamic_update_slice: the update (shape {update.shape}) must have the operand's rank "
                          f"and fit inside it (shape {x.shape}).")
    if update.dtype != x.dtype:
        raise shape_error(f"dynamic_update_slice: the update's dtype {update.dtype.name} must equal the "
                          f"operand's dtype {x.dtype.name}.")
    return ShapedArray(x.shape, x.dtype, x.weak_type)


def _dynamic_update_slice_jvp(primals, tangents):
    x, update, *idx = primals
    out = dynamic_update_slice_p.bind(x, update, *idx)
    tx, tu = tangents[:2]
    if type(tx) is Zero and type(tu) is Zero:
        return out, _tangent_zero(out)
    return out, dynamic_update_slice_p.bind(ad.instantiate(tx), ad.instantiate(tu), *idx)


def _dynamic_update_slice_transpose(ct, x, update, *idx):
    update_aval = _aval(update)
    ct_x = ct_update = None
    if is_undefined_primal(x):
        ct_x = dynamic_update_slice_p.bind(ct, _zeros(update_aval.update(dtype=ct.aval.dtype)), *idx)
    if is_undefined_primal(update):
        ct_update = dynamic_slice_p.bind(ct, *idx, slice_sizes=update_aval.shape)
    return [ct_x, ct_update] + [None] * len(idx)


def _dynamic_update_slice_batch(vals, dims):
    x, update, *idx = vals
    x_dim, update_dim, *idx_dims = dims
    size = batching.axis_size_of(vals, dims)
    x = batching.bdim_at_front(x, x_dim, size)
    update = batching.bdim_at_front(update, update_dim, size)
    if all(d is None for d in idx_dims):
        return dynamic_update_slice_p.bind(x, update, _index_zero(idx), *idx), 0
    # Per-example starts: one scatter over the batch, clamped as dynamic_update_slice clamps.
    n = len(idx)
    dnums = ScatterDimensionNumbers(update_window_dims=tuple(range(n)), inserted_window_dims=(),
                                    scatter_dims_to_operand_dims=tuple(range(n)))
    return _scatter_batch(scatter_p)([x, _stack_scalars(idx, idx_dims, size), update], [0, 0, 0],
                                     dimension_numbers=dnums, indices_are_sorted=True, unique_indices=True,
                                     mode=GatherScatterMode.CLIP)


dynamic_update_slice_p.jvp = _dynamic_update_slice_jvp
dynamic_update_slice_p.transpose = _dynamic_update_slice_transpose
dynamic_update_slice_p.batch = _dynamic_update_slice_batch


def dynamic_update_slice(operand, update, start_indices):
    """lax.dynamic_update_slice: `update` written at traced starts, clamped so it fits in `operand`."""
    operand, update = operands(operand, update)
    idx = _start_indices(operand, start_indices)
    return dynamic_update_slice_p.bind(operand, update, *idx)


# ---- modes and dimension numbers -----------------------------------------------------------
class GatherScatterMode(enum.Enum):
    """How gathers and scatters treat out-of-bounds indices."""

    CLIP = 1  # clamp indices so the whole window is in bounds
    FILL_OR_DROP = 2  # gathers fill out-of-bounds windows with fill_value; scatters drop them
    PROMISE_IN_BOUNDS = 3  # the caller promises in-bounds indices (XLA clamps gathers, drops scatters)

    @staticmethod
    def from_any(s):
        """A mode from a GatherScatterMode, 'clip', 'fill', 'drop', 'promise_in_bounds' or None (fill/drop)."""
        if isinstance(s, GatherScatterMode):
            return s
        if s == "clip":
            return GatherScatterMode.CLIP
        if s is None or s == "fill" or s == "drop":
            return GatherScatterMode.FILL_OR_DROP
        if s == "promise_in_bounds":
            return GatherScatterMode.PROMISE_IN_BOUNDS
        raise ValueError(f'Unknown gather mode "{s}"; expected "clip", "fill", "drop" or "promise_in_bounds".')

    def __repr__(self):
        return f"GatherScatterMode.{self.name}"


class GatherDimensionNumbers(NamedTuple):
    """How a gather's indices and output map onto its operand (XLA's GatherDimensionNumbers)."""

    offset_dims: tuple
    collapsed_slice_dims: tuple
    start_index_map: tuple
    operand_batching_dims: tuple = ()
    start_indices_batching_dims: tuple = ()


class ScatterDimensionNumbers(NamedTuple):
    """How a scatter's indices and updates map onto its operand (XLA's ScatterDimensionNumbers)."""

    update_window_dims: tuple
    inserted_window_dims: tuple
    scatter_dims_to_operand_dims: tuple
    operand_batching_dims: tuple = ()
    scatter_indices_batching_dims: tuple = ()


def _canonical_dnums(cls, dnums):
    return cls(*(tuple(int(d) for d in field) for field in dnums))


def _check_dims(name, what, dims, bound, must_be_sorted=True):
    if len(set(dims)) != len(dims):
        raise shape_error(f"{name}: {what} {dims} has repeated entries.")
    if must_be_sorted and list(dims) != sorted(dims):
        raise shape_error(f"{name}: {what} {dims} must be sorted.")
    for d in dims:
        if not 0 <= d < bound:
            raise shape_error(f"{name}: {what} {dims} has an entry out of range [0, {bound}).")


def _check_indices(name, indices, index_vector_len, what):
    if not dtypes.is_integer(indices.dtype):
        raise shape_error(f"{name}: indices must have an integer dtype, got {indices.str_short()}.")
    if indices.ndim < 1:
        raise shape_error(f"{name}: indices must have at least one dimension (the last one holds the index "
                          f"vectors), got shape {indices.shape}.")
    if indices.shape[-1] != index_vector_len:
        raise shape_error(f"{name}: the last dimension of the indices (shape {indices.shape}) must have size "
                          f"len({what}) = {index_vector_len}.")


def _check_batching_dims(name, operand, indices, operand_dims, indices_dims, indices_name):
    _check_dims(name, "operand_batching_dims", operand_dims, operand.ndim)
    _check_dims(name, indices_name, indices_dims, indices.ndim - 1, must_be_sorted=False)
    if len(operand_dims) != len(indices_dims) or any(
            operand.shape[a] != indices.shape[b] for a, b in zip(operand_dims, indices_dims)):
        raise shape_error(f"{name}: operand_batching_dims {operand_dims} (operand shape {operand.shape}) and "
                          f"{indices_name} {indices_dims} (indices shape {indices.shape}) must pair up dimensions "
                          "of equal size.")


# ---- gather -------------------------------------------------------------------------------
gather_p = Primitive("gather")


@gather_p.def_abstract_eval
def _gather_abstract_eval(operand, indices, *, dimension_numbers, slice_sizes, indices_are_sorted,
                          unique_indices, mode, fill_value):
    dn, name = dimension_numbers, "gather"
    _check_indices(name, indices, len(dn.start_index_map), "start_index_map")
    _check_dims(name, "collapsed_slice_dims", dn.collapsed_slice_dims, operand.ndim)
    _check_dims(name, "start_index_map", dn.start_index_map, operand.ndim, must_be_sorted=False)
    _check_batching_dims(name, operand, indices, dn.operand_batching_dims, dn.start_indices_batching_dims,
                         "start_indices_batching_dims")
    if set(dn.start_index_map) & set(dn.operand_batching_dims) or \
            set(dn.collapsed_slice_dims) & set(dn.operand_batching_dims):
        raise shape_error(f"gather: operand_batching_dims {dn.operand_batching_dims} may not appear in "
                          "start_index_map or collapsed_slice_dims.")
    if len(slice_sizes) != operand.ndim or any(not 0 <= s <= d for s, d in zip(slice_sizes, operand.shape)):
        raise shape_error(f"gather: slice_sizes {slice_sizes} must have one entry per operand dimension (operand "
                          f"shape {operand.shape}), each between 0 and that dimension's size.")
    for d in dn.collapsed_slice_dims + dn.operand_batching_dims:
        if slice_sizes[d] > 1:
            raise shape_error(f"gather: slice_sizes[{d}] = {slice_sizes[d]}, but collapsed and batching "
                              "dimensions must have slice size 1.")
    window = [slice_sizes[d] for d in range(operand.ndim)
              if d not in dn.collapsed_slice_dims and d not in dn.operand_batching_dims]
    if len(window) != len(dn.offset_dims):
        raise shape_error(f"gather: offset_dims {dn.offset_dims} must have one entry per operand dimension that "
                          f"is neither collapsed nor batching ({len(window)} for operand shape {operand.shape}).")
    out_rank = len(dn.offset_dims) + indices.ndim - 1
    _check_dims(name, "offset_dims", dn.offset_dims, out_rank)
    windows, batch = iter(window), iter(indices.shape[:-1])
    shape = tuple(next(windows) if i in dn.offset_dims else next(batch) for i in range(out_rank))
    return ShapedArray(shape, operand.dtype, operand.weak_type)


def _gather_jvp(primals, tangents, **params):
    operand, indices = primals
    out = gather_p.bind(operand, indices, **params)
    if type(tangents[0]) is Zero:
        return out, _tangent_zero(out)
    return out, gather_p.bind(tangents[0], indices, **dict(params, fill_value=0))


def _gather_transpose(ct, operand, indices, *, dimension_numbers, slice_sizes, indices_are_sorted,
                      unique_indices, mode, fill_value):
    dn = dimension_numbers
    scatter_dnums = ScatterDimensionNumbers(
        update_window_dims=dn.offset_dims, inserted_window_dims=dn.collapsed_slice_dims,
        scatter_dims_to_operand_dims=dn.start_index_map, operand_batching_dims=dn.operand_batching_dims,
        scatter_indices_batching_dims=dn.start_indices_batching_dims)
    zeros = _zeros(operand.aval.update(dtype=ct.aval.dtype))
    out = scatter_add_p.bind(zeros, indices, ct, dimension_numbers=scatter_dnums,
                             indices_are_sorted=indices_are_sorted, unique_indices=unique_indices, mode=mode)
    return [out, None]


def _gather_batch(vals, dims, *, dimension_numbers, slice_sizes, **params):
    operand, indices = vals
    operand_dim, indices_dim = dims
    dn = dimension_numbers
    if indices_dim is None:  # the batch axis becomes one more window dimension, taken whole
        operand = batching.moveaxis(operand, operand_dim, 0)
        dn = GatherDimensionNumbers(
            offset_dims=(0,) + _shift(dn.offset_dims), collapsed_slice_dims=_shift(dn.collapsed_slice_dims),
            start_index_map=_shift(dn.start_index_map), operand_batching_dims=_shift(dn.operand_batching_dims),
            start_indices_batching_dims=dn.start_indices_batching_dims)
        slice_sizes = (get_aval(operand).shape[0],) + tuple(slice_sizes)
    elif operand_dim is None:  # the batch axis becomes the leading batch dimension of the indices
        indices = batching.moveaxis(indices, indices_dim, 0)
        dn = dn._replace(offset_dims=_shift(dn.offset_dims),
                         start_indices_batching_dims=_shift(dn.start_indices_batching_dims))
    else:  # both batched: pair the two batch axes as batching dimensions
        operand = batching.moveaxis(operand, operand_dim, 0)
        indices = batching.moveaxis(indices, indices_dim, 0)
        dn = GatherDimensionNumbers(
            offset_dims=_shift(dn.offset_dims), collapsed_slice_dims=_shift(dn.collapsed_slice_dims),
            start_index_map=_shift(dn.start_index_map),
            operand_batching_dims=(0,) + _shift(dn.operand_batching_dims),
            start_indices_batching_dims=(0,) + _shift(dn.start_indices_batching_dims))
        slice_sizes = (1,) + tuple(slice_sizes)
    return gather_p.bind(operand, indices, dimension_numbers=dn, slice_sizes=tuple(slice_sizes), **params), 0


gather_p.jvp = _gather_jvp
gather_p.transpose = _gather_transpose
gather_p.batch = _gather_batch


def _canonical_fill_value(fill_value, dtype):
    """A hashable Python scalar, or None for the dtype's default (NaN, or the integer extreme)."""
    if fill_value is None:
        return None
    if hasattr(fill_value, "aval"):
        from jaxlike.core import concrete_or_error
        fill_value = concrete_or_error(fill_value, "the fill_value of a gather")
    value = np.asarray(fill_value)
    if value.ndim != 0:
        raise ValueError(f"fill_value must be a scalar, got shape {value.shape}.")
    value = value.item()
    if isinstance(value, float) and value != value and dtypes.is_inexact(dtype):
        return None  # NaN is the default for inexact dtypes; None keeps the cache key stable
    return value


def gather(operand, start_indices, dimension_numbers, slice_sizes, *, unique_indices=False,
           indices_are_sorted=False, mode=None, fill_value=None):
    """lax.gather: XLA's Gather; out-of-bounds windows per `mode` (default: promise_in_bounds, which clamps)."""
    (operand,) = operands(operand)
    indices = _as_array(start_indices)
    mode = GatherScatterMode.from_any("promise_in_bounds" if mode is None else mode)
    dnums = _canonical_dnums(GatherDimensionNumbers, dimension_numbers)
    fill = _canonical_fill_value(fill_value, operand.aval.dtype) if mode is GatherScatterMode.FILL_OR_DROP else None
    return gather_p.bind(operand, indices, dimension_numbers=dnums, slice_sizes=tuple(int(s) for s in slice_sizes),
                         indices_are_sorted=bool(indices_are_sorted), unique_indices=bool(unique_indices),
                         mode=mode, fill_value=fill)


# ---- scatters -----------------------------------------------------------------------------
_SCATTER_KINDS = {"scatter_add": "iufc", "scatter_mul": "iufc", "scatter_min": "biuf", "scatter_max": "biuf"}


def _scatter_abstract_eval(name):
    def rule(operand, indices, updates, *, dimension_numbers, indices_are_sorted, unique_indices, mode):
        dn = dimension_numbers
        if dtypes.kind(operand.dtype) not in _SCATTER_KINDS.get(name, "biufc"):
            raise shape_error(f"{name} does not accept dtype {operand.dtype.name}.")
        sdod = dn.scatter_dims_to_operand_dims
        _check_indices(name, indices, len(sdod), "scatter_dims_to_operand_dims")
        if updates.dtype != operand.dtype:
            raise shape_error(f"{name}: updates dtype {updates.dtype.name} must equal the operand dtype "
                              f"{operand.dtype.name}.")
        _check_dims(name, "inserted_window_dims", dn.inserted_window_dims, operand.ndim)
        _check_dims(name, "scatter_dims_to_operand_dims", sdod, operand.ndim, must_be_sorted=False)
        _check_batching_dims(name, operand, indices, dn.operand_batching_dims, dn.scatter_indices_batching_dims,
                             "scatter_indices_batching_dims")
        window_dims = [d for d in range(operand.ndim)
                       if d not in dn.inserted_window_dims and d not in dn.operand_batching_dims]
        if len(window_dims) != len(dn.update_window_dims) or \
                updates.ndim != len(dn.update_window_dims) + indices.ndim - 1:
            raise shape_error(f"{name}: updates of shape {updates.shape} do not fit operand {operand.shape} and "
                              f"indices {indices.shape} with update_window_dims {dn.update_window_dims} and "
                              f"inserted_window_dims {dn.inserted_window_dims}.")
        _check_dims(name, "update_window_dims", dn.update_window_dims, updates.ndim)
        scatter_shape = tuple(s for i, s in enumerate(updates.shape) if i not in dn.update_window_dims)
        if scatter_shape != indices.shape[:-1]:
            raise shape_error(f"{name}: the scatter dimensions of updates (shape {updates.shape}) must match the "
                              f"leading dimensions of the indices (shape {indices.shape}).")
        for w, d in zip(dn.update_window_dims, window_dims):
            if updates.shape[w] > operand.shape[d]:
                raise shape_error(f"{name}: update window dimension {w} (size {updates.shape[w]}) is larger "
                                  f"than operand dimension {d} (size {operand.shape[d]}).")
        return ShapedArray(operand.shape, operand.dtype, operand.weak_type)
    return rule


def _inverse_gather(dn, operand_shape, updates_shape):
    """Dimension numbers and slice sizes of the gather that reads back what a scatter wrote."""
    gather_dnums = GatherDimensionNumbers(
        offset_dims=dn.update_window_dims, collapsed_slice_dims=dn.inserted_window_dims,
        start_index_map=dn.scatter_dims_to_operand_dims, operand_batching_dims=dn.operand_batching_dims,
        start_indices_batching_dims=dn.scatter_indices_batching_dims)
    windows = iter(updates_shape[w] for w in dn.update_window_dims)
    slice_sizes = tuple(1 if d in dn.inserted_window_dims or d in dn.operand_batching_dims else next(windows)
                        for d in range(len(operand_shape)))
    return gather_dnums, slice_sizes


def _gather_back(x, indices, updates_shape, dimension_numbers, indices_are_sorted, unique_indices, mode,
                 fill_value=0):
    """The values of `x` at the windows a scatter with these parameters touches."""
    gather_dnums, slice_sizes = _inverse_gather(dimension_numbers, _aval(x).shape, updates_shape)
    return gather_p.bind(x, indices, dimension_numbers=gather_dnums, slice_sizes=slice_sizes,
                         indices_are_sorted=indices_are_sorted, unique_indices=unique_indices, mode=mode,
                         fill_value=fill_value)


def _batched_scatter_dnums(dn, indices_batched):
    """Dimension numbers of a scatter whose operand (and updates) gained a leading batch axis."""
    if not indices_batched:  # the batch axis is one more window dimension, written whole
        return ScatterDimensionNumbers(
            update_window_dims=(0,) + _shift(dn.update_window_dims),
            inserted_window_dims=_shift(dn.inserted_window_dims),
            scatter_dims_to_operand_dims=_shift(dn.scatter_dims_to_operand_dims),
            operand_batching_dims=_shift(dn.operand_batching_dims),
            scatter_indices_batching_dims=dn.scatter_indices_batching_dims)
    return ScatterDimensionNumbers(  # the leading axes of operand and indices pair up as batching dimensions
        update_window_dims=_shift(dn.update_window_dims),
        inserted_window_dims=_shift(dn.inserted_window_dims),
        scatter_dims_to_operand_dims=_shift(dn.scatter_dims_to_operand_dims),
        operand_batching_dims=(0,) + _shift(dn.operand_batching_dims),
        scatter_indices_batching_dims=(0,) + _shift(dn.scatter_indices_batching_dims))


def _scatter_batch(prim):
    def rule(vals, dims, *, dimension_numbers, **params):
        operand, indices, updates = vals
        operand_dim, indices_dim, updates_dim = dims
        size = batching.axis_size_of(vals, dims)
        operand = batching.bdim_at_front(operand, operand_dim, size)
        updates = batching.bdim_at_front(updates, updates_dim, size)
        if indices_dim is not None:
            indices = batching.moveaxis(indices, indices_dim, 0)
        dn = _batched_scatter_dnums(dimension_numbers, indices_dim is not None)
        return prim.bind(operand, indices, updates, dimension_numbers=dn, **params), 0
    return rule


def _scatter_primitive(name):
    prim = Primitive(name)
    prim.def_abstract_eval(_scatter_abstract_eval(name))
    prim.batch = _scatter_batch(prim)
    return prim


scatter_p = _scatter_primitive("scatter")
scatter_add_p = _scatter_primitive("scatter_add")
scatter_mul_p = _scatter_primitive("scatter_mul")
scatter_min_p = _scatter_primitive("scatter_min")
scatter_max_p = _scatter_primitive("scatter_max")


# scatter_add: linear in operand and updates together.
def _scatter_add_jvp(primals, tangents, **params):
    operand, indices, updates = primals
    out = scatter_add_p.bind(operand, indices, updates, **params)
    t_operand, _, t_updates = tangents
    if type(t_operand) is Zero and type(t_updates) is Zero:
        return out, _tangent_zero(out)
    return out, scatter_add_p.bind(ad.instantiate(t_operand), indices, ad.instantiate(t_updates), **params)


def _scatter_add_transpose(ct, operand, indices, updates, *, dimension_numbers, indices_are_sorted,
                           unique_indices, mode):
    ct_updates = None
    if is_undefined_primal(updates):
        ct_updates = _gather_back(ct, indices, updates.aval.shape, dimension_numbers, indices_are_sorted,
                                  unique_indices, mode)
    return [ct if is_undefined_primal(operand) else None, None, ct_updates]


scatter_add_p.jvp = _scatter_add_jvp
scatter_add_p.transpose = _scatter_add_transpose


# scatter_mul: linear in the operand; its updates' derivative needs unique indices (as in JAX).
def _scatter_mul_jvp(primals, tangents, **params):
    from jaxlike.lax.elementwise import mul
    operand, indices, updates = primals
    out = scatter_mul_p.bind(operand, indices, updates, **params)
    t_operand, _, t_updates = tangents
    tangent = _tangent_zero(out)
    if type(t_operand) is not Zero:
        tangent = scatter_mul_p.bind(t_operand, indices, updates, **params)
    if type(t_updates) is not Zero:
        if not params["unique_indices"]:
            raise NotImplementedError("scatter_mul gradients with respect to the updates are only implemented "
                                      "for unique_indices=True (as in JAX).")
        spread = scatter_add_p.bind(_zeros(_aval(operand)), indices, t_updates, **params)
        tangent = ad.add_tangents(tangent, mul(operand, spread))
    return out, tangent


def _scatter_mul_transpose(ct, operand, indices, updates, **params):
    if is_undefined_primal(updates):
        raise NotImplementedError("scatter_mul is not linear in its updates.")
    return [scatter_mul_p.bind(ct, indices, updates, **params), None, None]


scatter_mul_p.jvp = _scatter_mul_jvp
scatter_mul_p.transpose = _scatter_mul_transpose


# scatter_min / scatter_max: the tangent at a position is the mean of the tangents of every
# contender (operand and updates) that attains the result there, as for lax.min/max at ties.
def _scatter_extremal_jvp(prim):
    def rule(primals, tangents, **params):
        from jaxlike.lax.elementwise import convert_element_type, div, eq, select
        operand, indices, updates = primals
        out = prim.bind(operand, indices, updates, **params)
        t_operand, _, t_updates = tangents
        if type(t_operand) is Zero and type(t_updates) is Zero:
            return out, _tangent_zero(out)
        operand_aval, updates_aval = _aval(operand), _aval(updates)
        t_operand, t_updates = ad.instantiate(t_operand), ad.instantiate(t_updates)
        dn, sorted_, unique, mode = (params["dimension_numbers"], params["indices_are_sorted"],
                                     params["unique_indices"], params["mode"])
        out_at_updates = _gather_back(out, indices, updates_aval.shape, dn, sorted_, unique, mode)
        operand_wins, update_wins = eq(operand, out), eq(updates, out_at_updates)
        dtype = operand_aval.dtype
        winners = scatter_add_p.bind(convert_element_type(operand_wins, dtype), indices,
                                     convert_element_type(update_wins, dtype), **params)
        total = scatter_add_p.bind(select(operand_wins, t_operand, _zeros(operand_aval)), indices,
                                   select(update_wins, t_updates, _zeros(updates_aval)), **params)
        return out, div(total, winners)
    return rule


scatter_min_p.jvp = _scatter_extremal_jvp(scatter_min_p)
scatter_max_p.jvp = _scatter_extremal_jvp(scatter_max_p)


# scatter (overwrite): with unique indices it is linear in operand and updates together; otherwise
# (as JAX does) each update gets an id, the ids are scattered, and only the updates whose id survived
# (and the operand elements nobody overwrote) are added, so primal and tangent agree on the winner.
def _scatter_jvp(primals, tangents, **params):
    operand, indices, updates = primals
    t_operand, _, t_updates = tangents
    if type(t_operand) is Zero and type(t_updates) is Zero:
        out = scatter_p.bind(operand, indices, updates, **params)
        return out, _tangent_zero(out)
    t_operand, t_updates = ad.instantiate(t_operand), ad.instantiate(t_updates)
    if params["unique_indices"]:
        out = scatter_p.bind(operand, indices, updates, **params)
        return out, scatter_p.bind(t_operand, indices, t_updates, **params)
    return _scatter_jvp_by_ids(operand, indices, updates, t_operand, t_updates, params)


def _scatter_jvp_by_ids(operand, indices, updates, t_operand, t_updates, params):
    from jaxlike.lax.elementwise import add, eq, select
    from jaxlike.lax.structural import broadcast_in_dim, full, iota, reshape
    dn = params["dimension_numbers"]
    operand_aval, updates_aval = _aval(operand), _aval(updates)
    ids_shape = tuple(1 if i in dn.update_window_dims else s for i, s in enumerate(updates_aval.shape))
    count = int(np.prod(ids_shape, dtype=np.int64))
    id_dtype = np.dtype(np.uint32 if count < 2 ** 32 - 1 or not dtypes.x64_enabled() else np.uint64)
    ids = add(reshape(iota(id_dtype, count), ids_shape), full((), 1, id_dtype))
    ids = broadcast_in_dim(ids, updates_aval.shape, tuple(range(len(ids_shape))))
    no_id = full(operand_aval.shape, 0, id_dtype)
    scattered_ids = scatter_p.bind(no_id, indices, ids, **params)
    surviving = eq(ids, _gather_back(scattered_ids, indices, updates_aval.shape, dn, params["indices_are_sorted"],
                                     params["unique_indices"], params["mode"]))
    untouched = eq(scattered_ids, no_id)
    add_params = dict(params)

    def combine(x, u):
        return scatter_add_p.bind(select(untouched, x, _zeros(_aval(x))), indices,
                                  select(surviving, u, _zeros(_aval(u))), **add_params)
    return combine(operand, updates), combine(t_operand, t_updates)


def _scatter_transpose(ct, operand, indices, updates, *, dimension_numbers, indices_are_sorted, unique_indices,
                       mode):
    if not unique_indices:
        raise NotImplementedError("scatter transpose is only implemented where unique_indices=True.")
    params = dict(dimension_numbers=dimension_numbers, indices_are_sorted=indices_are_sorted,
                  unique_indices=unique_indices, mode=mode)
    updates_aval = _aval(updates)
    ct_operand = ct_updates = None
    if is_undefined_primal(operand):
        ct_operand = scatter_p.bind(ct, indices, _zeros(updates_aval.update(dtype=ct.aval.dtype)), **params)
    if is_undefined_primal(updates):
        ct_updates = _gather_back(ct, indices, updates_aval.shape, dimension_numbers, indices_are_sorted,
                                  unique_indices, mode)
    return [ct_operand, None, ct_updates]


scatter_p.jvp = _scatter_jvp
scatter_p.transpose = _scatter_transpose


def _scatter_binder(prim, doc):
    def scatter_fn(operand, scatter_indices, updates, dimension_numbers, *, indices_are_sorted=False,
                   unique_indices=False, mode=None):
        operand, updates = operands(operand, updates)
        indices = _as_array(scatter_indices)
        dnums = _canonical_dnums(ScatterDimensionNumbers, dimension_numbers)
        return prim.bind(operand, indices, updates, dimension_numbers=dnums,
                         indices_are_sorted=bool(indices_are_sorted), unique_indices=bool(unique_indices),
                         mode=GatherScatterMode.from_any(mode))
    scatter_fn.__name__ = prim.name
    scatter_fn.__doc__ = doc
    return scatter_fn


scatter = _scatter_binder(scatter_p, "lax.scatter: write `updates` into windows of `operand` (last write wins; "
                                     "out-of-bounds windows dropped by default).")
scatter_add = _scatter_binder(scatter_add_p, "lax.scatter_add: add `updates` into windows of `operand`.")
scatter_mul = _scatter_binder(scatter_mul_p, "lax.scatter_mul: multiply windows of `operand` by `updates`.")
scatter_min = _scatter_binder(scatter_min_p, "lax.scatter_min: elementwise min of windows of `operand` and "
                                             "`updates`.")
scatter_max = _scatter_binder(scatter_max_p, "lax.scatter_max: elementwise max of windows of `operand` and "
                                             "`updates`.")


# ---- scatter_apply ------------------------------------------------------------------------
# `func` runs on each element a window touches, once per update (so twice for a repeated index),
# as the scatter's combiner: XLA's scatter with an update computation that ignores the update.
scatter_apply_p = Primitive("scatter_apply")


@scatter_apply_p.def_abstract_eval
def _scatter_apply_abstract_eval(operand, indices, *, update_jaxpr, update_shape, **params):
    updates = ShapedArray(update_shape, operand.dtype)
    return _scatter_abstract_eval("scatter_apply")(operand, indices, updates, **params)


def _scatter_apply_jvp(primals, tangents, **params):
    raise NotImplementedError("scatter_apply (x.at[idx].apply(f)) is not differentiable, as in JAX; "
                              "write x.at[idx].set(f(x[idx])) to differentiate it.")


def _scatter_apply_batch(vals, dims, *, update_shape, dimension_numbers, **params):
    operand, indices = vals
    operand_dim, indices_dim = dims
    size = batching.axis_size_of(vals, dims)
    operand = batching.bdim_at_front(operand, operand_dim, size)
    if indices_dim is not None:
        indices = batching.moveaxis(indices, indices_dim, 0)
    dn = _batched_scatter_dnums(dimension_numbers, indices_dim is not None)
    return scatter_apply_p.bind(operand, indices, update_shape=(size,) + tuple(update_shape), dimension_numbers=dn,
                                **params), 0


scatter_apply_p.jvp = _scatter_apply_jvp
scatter_apply_p.batch = _scatter_apply_batch


def scatter_apply(operand, scatter_indices, func, dimension_numbers, *, update_shape=(), indices_are_sorted=False,
                  unique_indices=False, mode=None):
    """lax.scatter_apply: `func` applied to the elements of `operand` that the scatter windows touch."""
    from jaxlike.lax.elementwise import convert_element_type
    from jaxlike.tracing import trace_to_jaxpr
    (operand,) = operands(operand)
    indices = _as_array(scatter_indices)
    dtype = operand.aval.dtype
    scalar = ShapedArray((), dtype)
    update_jaxpr = trace_to_jaxpr(lambda x: [convert_element_type(func(x), dtype)], [scalar], name="scatter_apply")
    return scatter_apply_p.bind(operand, indices, update_jaxpr=update_jaxpr,
                                update_shape=tuple(int(s) for s in update_shape),
                                dimension_numbers=_canonical_dnums(ScatterDimensionNumbers, dimension_numbers),
                                indices_are_sorted=bool(indices_are_sorted), unique_indices=bool(unique_indices),
                                mode=GatherScatterMode.from_any(mode))


# ---- helpers along one axis ----------------------------------------------------------------
def _axis(operand, axis):
    ndim = _aval(operand).ndim
    if not -ndim <= axis < builtins.max(ndim, 1):
        raise ValueError(f"axis {axis} is out of bounds for an array of rank {ndim}.")
    return axis % ndim


def slice_in_dim(operand, start_index, limit_index, stride=1, axis=0):
    """lax.slice_in_dim: operand[start:limit:stride] along `axis` (negative or None bounds as in Python)."""
    (operand,) = operands(operand)
    shape = operand.aval.shape
    axis = _axis(operand, axis)
    size = shape[axis]
    start = 0 if start_index is None else int(start_index)
    limit = size if limit_index is None else int(limit_index)
    start = start + size if start < 0 else start
    limit = limit + size if limit < 0 else limit
    starts, limits, strides = [0] * len(shape), list(shape), [1] * len(shape)
    starts[axis], limits[axis], strides[axis] = start, limit, int(stride)
    return slice(operand, starts, limits, strides)


def index_in_dim(operand, index, axis=0, keepdims=True):
    """lax.index_in_dim: operand[index] along `axis` (a static index; negative counts from the end)."""
    from jaxlike.lax.structural import squeeze
    (operand,) = operands(operand)
    axis = _axis(operand, axis)
    size = operand.aval.shape[axis]
    index = int(index)
    wrapped = index + size if index < 0 else index
    if not 0 <= wrapped < size:
        raise IndexError(f"index {index} is out of bounds for axis {axis} with size {size}")
    out = slice_in_dim(operand, wrapped, wrapped + 1, 1, axis)
    return out if keepdims else squeeze(out, (axis,))


def dynamic_slice_in_dim(operand, start_index, slice_size, axis=0):
    """lax.dynamic_slice_in_dim: a window of `slice_size` at a traced start along `axis` (clamped)."""
    (operand,) = operands(operand)
    axis = _axis(operand, axis)
    shape = operand.aval.shape
    starts = [0] * len(shape)
    starts[axis] = start_index
    sizes = list(shape)
    sizes[axis] = int(slice_size)
    return dynamic_slice(operand, starts, sizes)


def dynamic_index_in_dim(operand, index, axis=0, keepdims=True):
    """lax.dynamic_index_in_dim: operand[index] along `axis` at a traced index (clamped)."""
    from jaxlike.lax.structural import squeeze
    out = dynamic_slice_in_dim(operand, index, 1, axis)
    return out if keepdims else squeeze(out, (_axis(operand, axis),))


def dynamic_update_slice_in_dim(operand, update, start_index, axis):
    """lax.dynamic_update_slice_in_dim: `update` written at a traced start along `axis` (clamped)."""
    (operand,) = operands(operand)
    axis = _axis(operand, axis)
    starts = [0] * operand.aval.ndim
    starts[axis] = start_index
    return dynamic_update_slice(operand, update, starts)


def dynamic_update_index_in_dim(operand, update, index, axis):
    """lax.dynamic_update_index_in_dim: `update` written as operand[index] along `axis`."""
    from jaxlike.lax.structural import expand_dims
    (operand,) = operands(operand)
    axis = _axis(operand, axis)
    operand, update = operands(operand, update)
    if update.aval.ndim == operand.aval.ndim - 1:
        update = expand_dims(update, (axis,))
    return dynamic_update_slice_in_dim(operand, update, index, axis)
