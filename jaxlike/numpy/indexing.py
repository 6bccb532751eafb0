"""NumPy indexing with lax: x[idx], x.at[idx] updates, take, nonzero and the index helpers.

An index is parsed into terms over the operand's axes (static slices, integers, integer arrays,
new axes). Basic indices become lax.slice (+ rev, + dynamic_slice for traced integers); anything
with an integer array becomes one gather, and `.at[...]` updates the matching scatter. Out of
bounds, as in JAX: gathers clamp (or fill with mode='fill'), scatters drop the update.
"""
import builtins
import operator
from typing import NamedTuple

import numpy as np

from jaxlike import dtypes, lax
from jaxlike.array import Array, host_array
from jaxlike.core import Tracer, get_aval
from jaxlike.errors import ConcretizationTypeError, NonConcreteBooleanIndexError
from jaxlike.lax.slicing import GatherDimensionNumbers, GatherScatterMode, ScatterDimensionNumbers
from jaxlike.numpy._core import asarray_operand, broadcast_shapes, broadcast_to_shape, canonicalize_axis, \
    promote_dtypes
from jaxlike.source_info import user_line

__all__ = ['take', 'take_along_axis', 'put', 'place', 'nonzero', 'argwhere', 'flatnonzero', 'compress', 'extract',
           'select', 'choose', 'diag_indices', 'diag_indices_from', 'tril_indices', 'triu_indices',
           'tril_indices_from', 'triu_indices_from', 'unravel_index', 'ravel_multi_index']


# ---- parsing an index into terms -----------------------------------------------------------
class _NewAxis(NamedTuple):
    """None / np.newaxis: a new unit axis in the result."""


class _Gap(NamedTuple):
    """Where an ellipsis stood: it separates advanced indices even when it covers no axis (as in NumPy)."""


class _Slice(NamedTuple):
    """A static slice of one axis: `size` elements from `start` in steps of `step`."""

    start: int
    step: int
    size: int


class _Int(NamedTuple):
    """An integer index of one axis: a Python int, or a 0-d integer array (possibly traced)."""

    value: object


class _IntArray(NamedTuple):
    """An integer array index (ndim >= 1) of one axis: a NumPy array or a jaxlike array/tracer."""

    value: object


class _Parsed(NamedTuple):
    terms: list
    shape: tuple  # the operand's shape, with the unit axes scalar booleans index
    bool_axes: tuple  # where those unit axes were inserted


def _parse_index(shape, idx):
    """The index `idx` of an array of `shape` as a list of terms (see above)."""
    entries = [_classify(e) for e in _as_tuple(idx)]
    entries = _expand_ellipsis(entries, len(shape))
    shape, terms, bool_axes, axis = list(shape), [], [], 0
    for entry in entries:
        if entry is None:
            terms.append(_NewAxis())
        elif isinstance(entry, _Gap):
            terms.append(entry)
        elif isinstance(entry, builtins.slice):
            terms.append(_static_slice(entry, shape[axis]))
            axis += 1
        elif isinstance(entry, (_Int, _IntArray)):
            if isinstance(entry, _Int) and shape[axis] == 0:
                raise IndexError(f"index is out of bounds for axis {axis} with size 0.{user_line()}")
            terms.append(entry)
            axis += 1
        elif entry.ndim == 0:  # a scalar boolean indexes a new unit axis: [0] keeps it, [] empties it
            shape.insert(axis, 1)
            bool_axes.append(axis)
            terms.append(_IntArray(np.zeros(1 if entry else 0, np.int32)))
            axis += 1
        else:
            _check_mask_shape(entry, shape, axis)
            terms.extend(_IntArray(nz) for nz in np.nonzero(entry))
            axis += entry.ndim
    return _Parsed(terms, tuple(shape), tuple(bool_axes))


def _as_tuple(idx):
    if isinstance(idx, tuple):
        return idx
    if isinstance(idx, (list, range)):
        # JAX rejects all non-tuple sequences (NumPy's heuristics for them are ambiguous).
        if any(_is_multi_index_part(e) for e in idx):
            fix = "arr[tuple(seq)]"
        else:
            fix = "arr[array(seq)]"
        raise TypeError(f"Using a non-tuple sequence for multidimensional indexing is not allowed; use `{fix}` "
                        f"instead of `arr[seq]`.{user_line()}")
    return (idx,)


def _is_multi_index_part(e):
    return (isinstance(e, (builtins.slice, list, tuple)) or e is None or e is Ellipsis
            or (_is_array_like(e) and np.ndim(e) != 0 if not isinstance(e, Tracer) else e.ndim != 0))


def _is_array_like(x):
    return isinstance(x, (Array, Tracer, np.ndarray, np.generic))


def _classify(e):
    """One index entry as None, Ellipsis, a slice, _Int, _IntArray or a concrete NumPy boolean array."""
    if e is None or e is Ellipsis or isinstance(e, builtins.slice):
        return e
    if isinstance(e, (bool, np.bool_)):
        return np.asarray(e)
    if isinstance(e, (int, np.integer)):
        return _Int(operator.index(e))
    if isinstance(e, (list, tuple)):
        e = _sequence_to_array(e)
    if isinstance(e, (float, complex, str, bytes)) or not _is_array_like(e):
        dtype = np.asarray(e).dtype if isinstance(e, (float, complex)) else None
        if dtype is not None:
            raise TypeError(f"Indexer must have integer or boolean type, got indexer with type {dtype.name}."
                            f"{user_line()}")
        raise IndexError(f"Only integers, slices (`:`), ellipsis (`...`), None (`jnp.newaxis`) and integer or "
                         f"boolean arrays are valid indices; got {e!r:.60} of type {type(e).__name__}.{user_line()}")
    dtype = np.dtype(e.dtype)
    if dtype == np.bool_:
        return _concrete_mask(e)
    if not dtypes.is_integer(dtype):
        raise TypeError(f"Indexer must have integer or boolean type, got indexer with type {dtype.name}."
                        f"{user_line()}")
    if isinstance(e, (np.ndarray, np.generic)):
        e = np.asarray(e)
        return _Int(int(e)) if e.ndim == 0 else _IntArray(e)
    return _Int(e) if e.ndim == 0 else _IntArray(e)


def _sequence_to_array(seq):
    """A list inside an index tuple is an array index (traced elements make a traced array)."""
    from jaxlike.numpy.creation import asarray
    if _holds_arrays(seq):
        return asarray(seq)
    value = np.asarray(seq)
    return value.astype(np.int32) if value.size == 0 else value  # [] indexes nothing, as in NumPy


def _holds_arrays(seq):
    return any(isinstance(e, (Array, Tracer)) or (isinstance(e, (list, tuple)) and _holds_arrays(e)) for e in seq)


def _concrete_mask(mask):
    """The NumPy value of a boolean index, which must be known while tracing."""
    if isinstance(mask, (np.ndarray, np.generic)):
        return np.asarray(mask)
    value = mask if isinstance(mask, Array) else mask.to_concrete_value()
    if value is None:
        raise NonConcreteBooleanIndexError(
            f"Array boolean indices must be concrete; got a traced boolean mask {mask.aval.str_short()}. The number "
            "of selected elements (the result's shape) would depend on traced values. Use jnp.where(mask, x, y) to "
            "select elementwise, or pass a static `size` to jnp.nonzero / jnp.where(mask, size=...) to get a "
            f"fixed number of indices.{user_line()}")
    return np.asarray(value)


def _expand_ellipsis(entries, ndim):
    ellipses = [i for i, e in enumerate(entries) if e is Ellipsis]
    if len(ellipses) > 1:
        raise IndexError(f"an index can only have a single ellipsis ('...').{user_line()}")
    used = builtins.sum(_axes_used(e) for e in entries)
    if used > ndim:
        raise IndexError(f"Too many indices: array is {ndim}-dimensional, but {used} were indexed.{user_line()}")
    fill = [builtins.slice(None)] * (ndim - used)
    if not ellipses:
        return entries + fill
    at = ellipses[0]
    return entries[:at] + [_Gap()] + fill + entries[at + 1:]


def _axes_used(entry):
    if entry is None or entry is Ellipsis:
        return 0
    if isinstance(entry, np.ndarray):  # a boolean mask covers its ndim axes; a scalar one adds an axis
        return entry.ndim
    return 1


def _check_mask_shape(mask, shape, axis):
    covered = tuple(shape[axis:axis + mask.ndim])
    if mask.shape != covered:
        raise IndexError(f"boolean index did not match shape of indexed array in index {axis}: got {mask.shape}, "
                         f"expected {covered}.{user_line()}")


def _static_slice(s, size):
    try:
        start, stop, step = (None if v is None else operator.index(v) for v in (s.start, s.stop, s.step))
    except (TypeError, ConcretizationTypeError):
        raise IndexError(
            f"Array slice indices must have static start/stop/step to be used with NumPy indexing syntax; found "
            f"{s}. To index a statically sized array at a dynamic position, use lax.dynamic_slice or "
            f"lax.dynamic_update_slice (arrays cannot have traced sizes).{user_line()}") from None
    if step == 0:
        raise ValueError(f"slice step cannot be zero.{user_line()}")
    start, stop, step = builtins.slice(start, stop, step).indices(size)
    return _Slice(start, step, len(range(start, stop, step)))


# ---- shapes of the result -------------------------------------------------------------------
def _has_arrays(terms):
    return any(isinstance(t, _IntArray) for t in terms)


def _advanced_shape(terms):
    shapes = [np.shape(t.value) if isinstance(t.value, np.ndarray) else t.value.shape
              for t in terms if isinstance(t, _IntArray)]
    shapes += [() for t in terms if isinstance(t, _Int)]
    try:
        return broadcast_shapes(*shapes)
    except ValueError:
        raise ValueError(f"Incompatible shapes for broadcasting: the index arrays have shapes "
                         f"{', '.join(map(str, shapes))}.{user_line()}") from None


def _layout(terms):
    """The result's axes in order: 'adv' (the broadcast advanced indices), slice terms, and new axes.

    As in NumPy, advanced indices separated by a slice, None or an ellipsis put their axes first;
    adjacent ones put them where the first of them stands.
    """
    if not _has_arrays(terms):
        return [t for t in terms if isinstance(t, (_Slice, _NewAxis))]
    positions = [k for k, t in enumerate(terms) if isinstance(t, (_Int, _IntArray))]
    adjacent = positions == list(range(positions[0], positions[0] + len(positions)))
    rest = [t if isinstance(t, (_Slice, _NewAxis)) else "adv" if k == positions[0] else None
            for k, t in enumerate(terms)]
    if adjacent:
        return [t for t in rest if t is not None]
    return ["adv"] + [t for t in rest if t is not None and t != "adv"]


def _result_shape(terms):
    adv = _advanced_shape(terms) if _has_arrays(terms) else ()
    shape = []
    for item in _layout(terms):
        shape.extend(adv if item == "adv" else (1,) if isinstance(item, _NewAxis) else (item.size,))
    return tuple(shape)


# ---- x[idx] --------------------------------------------------------------------------------
def _getitem(arr, idx):
    """arr[idx] with NumPy's indexing rules; out-of-bounds integer indices are clamped, as in JAX."""
    return _take_index(arr, idx)


def _take_index(arr, idx, *, mode=None, fill_value=None, indices_are_sorted=False, unique_indices=False,
                normalize=True):
    arr = asarray_operand(arr)
    mode = GatherScatterMode.from_any("promise_in_bounds" if mode is None else mode)
    if mode is not GatherScatterMode.FILL_OR_DROP:
        fill_value = None
    parsed = _parse_index(arr.aval.shape, idx)
    x = _insert_bool_axes(arr, parsed)
    terms, shape = parsed.terms, parsed.shape
    out_shape = _result_shape(terms)
    if 0 in out_shape:
        return lax.full_like(arr, 0, shape=out_shape)
    if not _has_arrays(terms) and _basic_take_possible(terms, shape, mode, normalize):
        return _basic_take(x, terms, shape, normalize)
    plan = _gather_plan(shape, terms, normalize)
    if plan is None:
        return lax.reshape(x, out_shape)
    out = lax.gather(x, plan.indices, plan.dnums, plan.slice_sizes, mode=mode, fill_value=fill_value,
                     indices_are_sorted=indices_are_sorted or plan.sorted,
                     unique_indices=unique_indices or plan.unique)
    return lax.reshape(out, out_shape)


def _insert_bool_axes(arr, parsed):
    return lax.reshape(arr, parsed.shape) if parsed.bool_axes else arr


def _basic_take_possible(terms, shape, mode, normalize):
    """Slices and integers need no gather unless an integer may be out of bounds in fill mode."""
    if mode is not GatherScatterMode.FILL_OR_DROP:
        return True
    ints = [(t, n) for t, n in zip(_axis_terms(terms), shape) if isinstance(t, _Int)]
    return all(_static_in_bounds(t.value, n, normalize) for t, n in ints)


def _static_in_bounds(value, size, normalize):
    return isinstance(value, int) and (-size if normalize else 0) <= value < size


def _axis_terms(terms):
    return [t for t in terms if not isinstance(t, (_NewAxis, _Gap))]


def _static_int(value, size, normalize):
    """A static integer index, wrapped if negative and clamped into range (JAX clamps gathers)."""
    if normalize and value < 0:
        value += size
    return builtins.min(builtins.max(value, 0), size - 1)


def _basic_take(x, terms, shape, normalize):
    """Slices (static), integers (static or traced) and new axes: slice, rev, dynamic_slice, reshape."""
    starts, limits, strides, reversed_axes, dynamic = [], [], [], [], {}
    for axis, (t, n) in enumerate(zip(_axis_terms(terms), shape)):
        if isinstance(t, _Slice):
            first, last = t.start, t.start + (t.size - 1) * t.step
            low, high = (first, last) if t.step > 0 else (last, first)
            starts.append(low if t.size else 0)
            limits.append(high + 1 if t.size else 0)
            strides.append(builtins.abs(t.step) if t.size else 1)
            if t.step < 0:
                reversed_axes.append(axis)
        elif isinstance(t.value, int):
            i = _static_int(t.value, n, normalize)
            starts.append(i), limits.append(i + 1), strides.append(1)
        else:
            starts.append(0), limits.append(n), strides.append(1)
            dynamic[axis] = t.value
    y = lax.rev(lax.slice(x, starts, limits, strides), reversed_axes)
    if dynamic:
        y = _dynamic_index(y, dynamic, normalize)
    return lax.reshape(y, _result_shape(terms))


def _dynamic_index(y, dynamic, normalize):
    """y with its axes in `dynamic` cut to size 1 at those traced positions (clamped)."""
    from jaxlike.lax.slicing import dynamic_slice_p
    shape = y.aval.shape
    starts, sizes = [], []
    for axis, n in enumerate(shape):
        if axis in dynamic:
            starts.append(_index_values(dynamic[axis], n, normalize, np.int32))
            sizes.append(1)
        else:
            starts.append(lax.full((), 0, np.int32))
            sizes.append(n)
    return dynamic_slice_p.bind(y, *starts, slice_sizes=tuple(sizes))


# ---- the gather/scatter plan ------------------------------------------------------------------
class _Plan(NamedTuple):
    indices: object  # batch shape + (number of indexed axes,)
    dnums: GatherDimensionNumbers
    slice_sizes: tuple
    unique: bool
    sorted: bool


def _gather_plan(shape, terms, normalize):
    """The gather that computes x[terms] (without new axes), or None when no axis is indexed."""
    index_dtype = np.dtype(np.int64 if builtins.max(shape, default=0) >= 2 ** 31 else np.int32)
    adv_shape = _advanced_shape(terms) if _has_arrays(terms) else ()
    batch_shape, adv_axes, strided_axis, offset_dims, position = [], (), {}, [], 0
    for item in _layout(terms):
        if isinstance(item, _NewAxis):
            continue
        if item == "adv":
            adv_axes = tuple(range(len(batch_shape), len(batch_shape) + len(adv_shape)))
            batch_shape.extend(adv_shape)
            position += len(adv_shape)
        elif item.step == 1:
            offset_dims.append(position)
            position += 1
        else:
            strided_axis[id(item)] = len(batch_shape)
            batch_shape.append(item.size)
            position += 1
    batch_shape = tuple(batch_shape)
    components, start_index_map, collapsed, slice_sizes = [], [], [], []
    for axis, (t, n) in enumerate(zip(_axis_terms(terms), shape)):
        if isinstance(t, _Slice) and t.step == 1:
            slice_sizes.append(t.size)
            if t.size != n:
                components.append(_constant_component(t.start, batch_shape, index_dtype))
                start_index_map.append(axis)
            continue
        if isinstance(t, _Slice):
            steps = t.start + t.step * np.arange(t.size, dtype=np.int64)
            component = _place(steps.astype(index_dtype), batch_shape, (strided_axis[id(t)],))
        else:
            value = _broadcast_index(_index_values(t.value, n, normalize, index_dtype), adv_shape)
            component = _place(value, batch_shape, adv_axes)
        components.append(component)
        start_index_map.append(axis)
        collapsed.append(axis)
        slice_sizes.append(1)
    if not components:
        return None
    dnums = GatherDimensionNumbers(offset_dims=tuple(offset_dims), collapsed_slice_dims=tuple(collapsed),
                                   start_index_map=tuple(start_index_map))
    no_arrays = not _has_arrays(terms)
    ascending = all(t.step > 0 for t in terms if isinstance(t, _Slice))
    return _Plan(_stack_components(components, index_dtype), dnums, tuple(slice_sizes), no_arrays,
                 no_arrays and ascending)


def _is_host(x):
    return isinstance(x, (np.ndarray, np.generic, int))


def _wrap_negative(value, size):
    """Negative entries of a signed integer array count from the end."""
    dtype = value.aval.dtype
    if dtypes.kind(dtype) != "i":
        return value
    return lax.select(lax.lt(value, lax.full((), 0, dtype)), lax.add(value, lax.full((), size, dtype)), value)


def _index_values(value, size, normalize, dtype):
    """Integer index values as `dtype`, negative ones wrapped (if `normalize`) before any narrowing."""
    if _is_host(value):
        value = np.asarray(value).astype(np.int64)
        if normalize:
            value = np.where(value < 0, value + size, value)
        info = np.iinfo(dtype)
        return np.clip(value, info.min, info.max).astype(dtype)
    if value.aval.dtype.itemsize < 4:
        value = lax.convert_element_type(value, np.int32)
    if normalize:
        value = _wrap_negative(value, size)
    return lax.convert_element_type(value, dtype)


def _broadcast_index(value, shape):
    if _is_host(value):
        return np.broadcast_to(value, shape)
    return broadcast_to_shape(value, shape)


def _place(value, batch_shape, axes):
    """`value` (shaped like the axes `axes` of the batch shape) broadcast to the whole batch shape."""
    if _is_host(value):
        full_shape = [1] * len(batch_shape)
        for a, s in zip(axes, np.shape(value)):
            full_shape[a] = s
        return np.broadcast_to(np.reshape(value, full_shape), batch_shape)
    return lax.broadcast_in_dim(value, batch_shape, axes)


def _constant_component(start, batch_shape, dtype):
    return np.full(batch_shape, start, dtype)


def _stack_components(components, dtype):
    """The index array: components stacked along a new last axis (a host constant when possible)."""
    if all(_is_host(c) for c in components):
        return host_array(np.stack(components, axis=-1).astype(dtype))
    columns = []
    for c in components:
        c = host_array(np.asarray(c)) if _is_host(c) else c
        columns.append(lax.expand_dims(c, (c.aval.ndim,)))
    return lax.concatenate(columns, len(columns[0].aval.shape) - 1)


# ---- x.at[idx] -----------------------------------------------------------------------------
def _scatter_update(arr, idx, values, kind, *, mode=None, indices_are_sorted=False, unique_indices=False,
                    normalize=True, func=None):
    """arr with `values` combined (by `kind`) into the elements arr[idx]; out-of-bounds updates dropped."""
    arr = asarray_operand(arr)
    dtype, weak = arr.aval.dtype, arr.aval.weak_type
    mode = GatherScatterMode.from_any(mode)
    parsed = _parse_index(arr.aval.shape, idx)
    terms, shape = parsed.terms, parsed.shape
    out_shape = _result_shape(terms)
    if 0 in out_shape:
        return arr
    x = _insert_bool_axes(arr, parsed)
    if kind == "apply":
        y = None
    else:
        x, y = promote_dtypes(x, values)
        y = broadcast_to_shape(y, out_shape)
        y = lax.reshape(y, _gather_shape(terms))
        if kind == "sub":
            y, kind = lax.neg(y), "add"
    if _basic_update_possible(terms, shape, normalize):
        out = _basic_update(x, terms, shape, y, kind, func)
    else:
        out = _general_update(x, terms, shape, y, kind, func, mode, indices_are_sorted, unique_indices, normalize)
    if parsed.bool_axes:
        out = lax.reshape(out, arr.aval.shape)
    return lax.convert_element_type(out, dtype, weak_type=weak)


def _is_new(item):
    return isinstance(item, _NewAxis)


def _gather_shape(terms):
    """The result shape without its new axes (the shape a gather or scatter sees)."""
    adv = _advanced_shape(terms) if _has_arrays(terms) else ()
    shape = []
    for item in _layout(terms):
        if not _is_new(item):
            shape.extend(adv if item == "adv" else (item.size,))
    return tuple(shape)


def _basic_update_possible(terms, shape, normalize):
    """Unit-step slices and in-bounds static integers update one window: no scatter needed."""
    for t, n in zip(_axis_terms(terms), shape):
        if isinstance(t, _IntArray) or (isinstance(t, _Slice) and builtins.abs(t.step) != 1):
            return False
        if isinstance(t, _Int) and not _static_in_bounds(t.value, n, normalize):
            return False
    return True


_WINDOW_COMBINE = {"set": lambda w, y: y, "add": lax.add, "mul": lax.mul, "min": lax.min, "max": lax.max}


def _basic_update(x, terms, shape, y, kind, func):
    starts, sizes, reversed_axes = [], [], []
    for axis, (t, n) in enumerate(zip(_axis_terms(terms), shape)):
        if isinstance(t, _Slice):
            low = t.start if t.step > 0 else t.start - (t.size - 1)
            starts.append(low), sizes.append(t.size)
            if t.step < 0:
                reversed_axes.append(axis)
        else:
            starts.append(t.value + n if t.value < 0 else t.value), sizes.append(1)
    window = lax.slice(x, starts, [s + n for s, n in zip(starts, sizes)])
    if kind == "apply":
        new = lax.convert_element_type(func(window), window.aval.dtype)
    else:
        new = _WINDOW_COMBINE[kind](window, lax.rev(lax.reshape(y, tuple(sizes)), reversed_axes))
    return lax.dynamic_update_slice(x, new, starts)


_SCATTERS = {"set": lax.scatter, "add": lax.scatter_add, "mul": lax.scatter_mul, "min": lax.scatter_min,
             "max": lax.scatter_max}


def _general_update(x, terms, shape, y, kind, func, mode, indices_are_sorted, unique_indices, normalize):
    plan = _gather_plan(shape, terms, normalize)
    dn = plan.dnums
    dnums = ScatterDimensionNumbers(update_window_dims=dn.offset_dims, inserted_window_dims=dn.collapsed_slice_dims,
                                    scatter_dims_to_operand_dims=dn.start_index_map)
    flags = dict(indices_are_sorted=indices_are_sorted or plan.sorted, unique_indices=unique_indices or plan.unique,
                 mode=mode)
    if kind == "apply":
        return lax.scatter_apply(x, plan.indices, func, dnums, update_shape=_gather_shape(terms), **flags)
    return _SCATTERS[kind](x, plan.indices, y, dnums, **flags)


class _IndexUpdateHelper:
    """x.at: `x.at[idx]` names the elements an update or a get acts on."""

    __slots__ = ("array",)

    def __init__(self, array):
        self.array = array

    def __getitem__(self, index):
        return _IndexUpdateRef(self.array, index)

    def __repr__(self):
        return f"_IndexUpdateHelper({self.array!r})"


class _IndexUpdateRef:
    """x.at[idx]: each method returns an updated copy of x (JAX's functional in-place updates)."""

    __slots__ = ("array", "index")

    def __init__(self, array, index):
        self.array, self.index = array, index

    def __repr__(self):
        return f"_IndexUpdateRef({self.array!r}, {self.index!r})"

    def get(self, *, indices_are_sorted=False, unique_indices=False, mode=None, fill_value=None,
            wrap_negative_indices=True):
        """x[idx], with out-of-bounds handling per `mode` ('clip', 'fill' with `fill_value`, 'promise_in_bounds')."""
        return _take_index(self.array, self.index, mode=mode, fill_value=fill_value,
                           indices_are_sorted=indices_are_sorted, unique_indices=unique_indices,
                           normalize=wrap_negative_indices)

    def _update(self, values, kind, indices_are_sorted, unique_indices, mode, wrap_negative_indices, func=None):
        return _scatter_update(self.array, self.index, values, kind, mode=mode, indices_are_sorted=indices_are_sorted,
                               unique_indices=unique_indices, normalize=wrap_negative_indices, func=func)

    def set(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None, wrap_negative_indices=True):
        """x[idx] = values (for repeated indices, one of the values wins)."""
        return self._update(values, "set", indices_are_sorted, unique_indices, mode, wrap_negative_indices)

    def add(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None, wrap_negative_indices=True):
        """x[idx] += values (repeated indices accumulate)."""
        return self._update(values, "add", indices_are_sorted, unique_indices, mode, wrap_negative_indices)

    def subtract(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None,
                 wrap_negative_indices=True):
        """x[idx] -= values (repeated indices accumulate)."""
        return self._update(values, "sub", indices_are_sorted, unique_indices, mode, wrap_negative_indices)

    def multiply(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None,
                 wrap_negative_indices=True):
        """x[idx] *= values (repeated indices accumulate)."""
        return self._update(values, "mul", indices_are_sorted, unique_indices, mode, wrap_negative_indices)

    mul = multiply

    def divide(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None,
               wrap_negative_indices=True):
        """x[idx] /= values: x divided by the product of the values scattered onto ones."""
        from jaxlike.numpy.ufuncs import true_divide
        return true_divide(self.array, self._onto_ones(values, indices_are_sorted, unique_indices, mode,
                                                       wrap_negative_indices))

    def power(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None,
              wrap_negative_indices=True):
        """x[idx] **= values: x to the power of the product of the values scattered onto ones."""
        from jaxlike.numpy import ufuncs
        return ufuncs.power(self.array, self._onto_ones(values, indices_are_sorted, unique_indices, mode,
                                                        wrap_negative_indices))

    def _onto_ones(self, values, indices_are_sorted, unique_indices, mode, wrap_negative_indices):
        ones = lax.full_like(asarray_operand(self.array), 1)
        return _scatter_update(ones, self.index, values, "mul", mode=mode, indices_are_sorted=indices_are_sorted,
                               unique_indices=unique_indices, normalize=wrap_negative_indices)

    def min(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None, wrap_negative_indices=True):
        """x[idx] = minimum(x[idx], values)."""
        return self._update(values, "min", indices_are_sorted, unique_indices, mode, wrap_negative_indices)

    def max(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None, wrap_negative_indices=True):
        """x[idx] = maximum(x[idx], values)."""
        return self._update(values, "max", indices_are_sorted, unique_indices, mode, wrap_negative_indices)

    def apply(self, func, *, indices_are_sorted=False, unique_indices=False, mode=None, wrap_negative_indices=True):
        """x[idx] = func(x[idx]) for an elementwise func, applied once per (possibly repeated) index."""
        return self._update(None, "apply", indices_are_sorted, unique_indices, mode, wrap_negative_indices,
                            func=func)


def _at(arr):
    """x.at: the helper behind x.at[idx].set(...), .add(...), .get(...) and friends."""
    return _IndexUpdateHelper(arr)


# ---- take and friends -----------------------------------------------------------------------
def _integer_indices(indices, name):
    indices = asarray_operand(indices)
    if not dtypes.is_integer(indices.aval.dtype):
        raise TypeError(f"{name} requires integer indices, got {indices.aval.str_short()}.{user_line()}")
    return indices


def take(a, indices, axis=None, out=None, mode=None, unique_indices=False, indices_are_sorted=False,
         fill_value=None):
    """jnp.take: elements of `a` at `indices` along `axis` (flattened if None); mode 'fill' by default."""
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.take is not supported.")
    a = asarray_operand(a)
    indices = _integer_indices(indices, "take")
    if axis is None:
        a, axis = lax.reshape(a, (a.aval.size,)), 0
    axis = canonicalize_axis(axis, a.aval.ndim)
    size = a.aval.shape[axis]
    normalize = True
    if mode is None or mode == "fill":
        gather_mode = "fill"
    elif mode == "raise":
        raise NotImplementedError("The 'raise' mode to jnp.take is not supported.")
    elif mode == "wrap":
        indices, gather_mode = _floor_mod(indices, size), "promise_in_bounds"
    elif mode == "clip":
        gather_mode, normalize = "clip", False
    else:
        raise ValueError(f"Invalid mode '{mode}' for np.take; expected 'fill', 'clip', 'wrap' or 'raise'.")
    index = (builtins.slice(None),) * axis + (indices,)
    return _take_index(a, index, mode=gather_mode, fill_value=fill_value, normalize=normalize,
                       unique_indices=unique_indices, indices_are_sorted=indices_are_sorted)


def _floor_mod(x, n):
    """x mod n with the sign of n (Python's %), for integer arrays and a positive static n."""
    if n == 0:
        return x
    divisor = lax.full_like(x, n)
    r = lax.rem(x, divisor)
    if dtypes.kind(x.aval.dtype) == "u":
        return r
    return lax.select(lax.lt(r, lax.full_like(r, 0)), lax.add(r, divisor), r)


def take_along_axis(arr, indices, axis=-1, mode=None, fill_value=None):
    """jnp.take_along_axis: out[..., i, ...] = arr[..., indices[..., i, ...], ...] along `axis` (mode 'fill')."""
    arr = asarray_operand(arr)
    indices = _integer_indices(indices, "take_along_axis")
    if axis is None:
        if indices.aval.ndim != 1:
            raise ValueError(f"take_along_axis with axis=None requires 1-D indices, got shape "
                             f"{indices.aval.shape}.{user_line()}")
        arr, axis = lax.reshape(arr, (arr.aval.size,)), 0
    ndim = arr.aval.ndim
    if indices.aval.ndim != ndim:
        raise ValueError(f"indices and arr must have the same number of dimensions; {indices.aval.ndim} vs {ndim}."
                         f"{user_line()}")
    axis = canonicalize_axis(axis, ndim)
    others = [d for d in range(ndim) if d != axis]
    common = broadcast_shapes(tuple(arr.aval.shape[d] for d in others), tuple(indices.aval.shape[d] for d in others))
    arr_shape, idx_shape = list(arr.aval.shape), list(indices.aval.shape)
    for d, size in zip(others, common):
        arr_shape[d], idx_shape[d] = size, size
    arr = broadcast_to_shape(arr, tuple(arr_shape))
    indices = broadcast_to_shape(indices, tuple(idx_shape))
    indices = _index_values(indices, arr.aval.shape[axis], True, np.int32)
    indices = lax.expand_dims(indices, (ndim,))
    dnums = GatherDimensionNumbers(offset_dims=(), collapsed_slice_dims=(axis,), start_index_map=(axis,),
                                   operand_batching_dims=tuple(others), start_indices_batching_dims=tuple(others))
    gather_mode = "fill" if mode is None else mode
    return lax.gather(arr, indices, dnums, (1,) * ndim, mode=gather_mode, fill_value=fill_value)


def put(a, ind, v, mode=None, *, inplace=True):
    """jnp.put: a copy of `a` with `v` written at the flat indices `ind` (clipped by default; inplace=False)."""
    if inplace:
        raise ValueError("jax.numpy.put cannot modify arrays in-place, because JAX arrays are immutable. Pass "
                         "inplace=False to instead return an updated array.")
    a = asarray_operand(a)
    flat = lax.reshape(a, (a.aval.size,))
    ind = _integer_indices(ind, "put")
    ind = lax.reshape(ind, (ind.aval.size,))
    v = asarray_operand(v)
    v = lax.reshape(v, (v.aval.size,))
    if not flat.aval.size or not ind.aval.size or not v.aval.size:
        return a
    if v.aval.size != ind.aval.size:  # NumPy repeats v cyclically over the indices
        v = _take_index(v, np.arange(ind.aval.size) % v.aval.size)
    scatter_mode = None
    if mode is None or mode == "clip":  # JAX's default for put clips (NumPy's would raise)
        ind = lax.clamp(lax.full_like(ind, 0), ind, lax.full_like(ind, flat.aval.size - 1))
        scatter_mode = "promise_in_bounds"
    elif mode == "wrap":
        ind, scatter_mode = _floor_mod(ind, flat.aval.size), "promise_in_bounds"
    elif mode == "raise":
        raise NotImplementedError("The 'raise' mode to jnp.put is not supported.")
    else:
        raise ValueError(f"Invalid mode {mode!r} for jnp.put; expected 'clip', 'wrap' or 'raise'.")
    out = _scatter_update(flat, (ind,), v, "set", mode=scatter_mode)
    return lax.reshape(out, a.aval.shape)


def place(arr, mask, vals, *, inplace=True):
    """jnp.place: a copy of `arr` with the elements where `mask` is true set from `vals` (repeated cyclically)."""
    if inplace:
        raise ValueError("jax.numpy.place cannot modify arrays in-place, because JAX arrays are immutable. Pass "
                         "inplace=False to instead return an updated array.")
    arr = asarray_operand(arr)
    mask = np.asarray(_concrete_mask(asarray_operand(mask))).astype(bool).ravel()
    positions = np.nonzero(mask)[0]
    flat = lax.reshape(arr, (arr.aval.size,))
    vals = asarray_operand(vals)
    vals = lax.reshape(vals, (vals.aval.size,))
    if not positions.size:
        return arr
    if not vals.aval.size:
        raise ValueError("Cannot place values from an empty array into a nonempty selection.")
    vals = _take_index(vals, (np.arange(positions.size) % vals.aval.size,))
    return lax.reshape(_scatter_update(flat, (positions,), vals, "set"), arr.aval.shape)


# ---- nonzero and friends -------------------------------------------------------------------
def nonzero(a, *, size=None, fill_value=None):
    """jnp.nonzero: per-axis indices of the nonzero elements; `size` (static) pads or truncates to `size`."""
    a = asarray_operand(a)
    if a.aval.ndim == 0:
        raise ValueError("Calling nonzero on 0d arrays is not allowed. Use jnp.atleast_1d(scalar).nonzero() "
                         f"instead.{user_line()}")
    index_dtype = dtypes.default_int()
    if size is None:
        value = _concrete_value(a, "The size argument of jnp.nonzero must be statically specified to use "
                                   "jnp.nonzero within JAX transformations.")
        return tuple(host_array(i.astype(index_dtype)) for i in np.nonzero(value))
    size = operator.index(size)
    mask = _nonzero_mask(a)
    if a.aval.size == 0 or size == 0:
        return tuple(lax.full((size,), 0, index_dtype) for _ in a.aval.shape)
    flat = lax.reshape(lax.convert_element_type(mask, index_dtype), (a.aval.size,))
    counts_before = lax.cumsum(flat)  # the k-th nonzero element is the first position where this reaches k+1
    slots = lax.scatter_add(lax.full((size,), 0, index_dtype), lax.expand_dims(counts_before, (1,)),
                            lax.full((a.aval.size,), 1, index_dtype),
                            ScatterDimensionNumbers((), (0,), (0,)), mode="drop")
    flat_indices = lax.cumsum(slots)
    out = []
    stride = a.aval.size
    for dim in a.aval.shape:
        stride //= dim
        out.append(lax.rem(lax.div(flat_indices, lax.full_like(flat_indices, stride)),
                           lax.full_like(flat_indices, dim)))
    if fill_value is not None:
        fills = fill_value if isinstance(fill_value, tuple) else (fill_value,) * a.aval.ndim
        if len(fills) != a.aval.ndim or any(np.ndim(f) != 0 for f in fills):
            raise ValueError(f"fill_value must be a scalar or a tuple of length {a.aval.ndim}; got {fill_value}.")
        found = lax.reduce_sum(flat, (0,))
        padding = lax.ge(lax.iota(index_dtype, size), lax.broadcast_in_dim(found, (size,), ()))
        out = [lax.select(padding, lax.full((size,), f, index_dtype), o) for f, o in zip(fills, out)]
    return tuple(out)


def _nonzero_mask(a):
    if a.aval.dtype == np.bool_:
        return a
    return lax.ne(a, lax.full_like(a, 0))


def _concrete_value(x, message):
    if isinstance(x, Array):
        return np.asarray(x)
    value = x.to_concrete_value() if isinstance(x, Tracer) else x
    if value is None:
        raise ConcretizationTypeError(f"{message} (got a traced array {x.aval.str_short()}).{user_line()}")
    return np.asarray(value)


def flatnonzero(a, *, size=None, fill_value=None):
    """jnp.flatnonzero: indices of the nonzero elements of ravel(a)."""
    a = asarray_operand(a)
    return nonzero(lax.reshape(a, (a.aval.size,)), size=size, fill_value=fill_value)[0]


def argwhere(a, *, size=None, fill_value=None):
    """jnp.argwhere: (N, a.ndim) indices of the nonzero elements of `a`, one row per element."""
    a = asarray_operand(a)
    scalar = a.aval.ndim == 0
    if scalar:
        a = lax.reshape(a, (1,))
    columns = nonzero(a, size=size, fill_value=fill_value)
    out = lax.concatenate([lax.expand_dims(c, (1,)) for c in columns], 1)
    return lax.slice(out, (0, 0), (out.aval.shape[0], 0)) if scalar else out


def compress(condition, a, axis=None, *, size=None, fill_value=0, out=None):
    """jnp.compress: the slices of `a` along `axis` where the 1-D `condition` is true (padded to `size`)."""
    from jaxlike.numpy.manipulation import moveaxis
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.compress is not supported.")
    condition = asarray_operand(condition)
    if condition.aval.ndim != 1:
        raise ValueError(f"condition must be a 1D array, got shape {condition.aval.shape}.{user_line()}")
    condition = _nonzero_mask(condition)
    a = asarray_operand(a)
    if axis is None:
        a, axis = lax.reshape(a, (a.aval.size,)), 0
    axis = canonicalize_axis(axis, a.aval.ndim)
    a = moveaxis(a, axis, 0)
    n, m = a.aval.shape[0], condition.aval.shape[0]
    if m > n:
        extra = lax.slice(condition, (n,), (m,))
        if isinstance(extra, Tracer) or np.asarray(extra).any():
            raise ValueError(f"condition contains entries that are out of bounds.{user_line()}")
        condition = lax.slice(condition, (0,), (n,))
    elif m < n:
        a = lax.slice_in_dim(a, 0, m, axis=0)
    if size is None:
        result = _take_index(a, (_concrete_mask(condition),))
    else:
        (rows,) = nonzero(condition, size=size)
        result = _take_index(a, (rows,))
        found = lax.reduce_sum(lax.convert_element_type(condition, np.int32), (0,))
        keep = lax.lt(lax.iota(np.int32, size), lax.broadcast_in_dim(found, (size,), ()))
        keep = lax.broadcast_in_dim(keep, result.aval.shape, (0,))
        fill = lax.convert_element_type(asarray_operand(fill_value), result.aval.dtype)
        result = lax.select(keep, result, lax.broadcast_in_dim(fill, result.aval.shape, ()))
    return moveaxis(result, 0, axis)


def extract(condition, arr, *, size=None, fill_value=0):
    """jnp.extract: the elements of ravel(arr) where ravel(condition) is true."""
    condition, arr = asarray_operand(condition), asarray_operand(arr)
    return compress(lax.reshape(condition, (condition.aval.size,)), lax.reshape(arr, (arr.aval.size,)), size=size,
                    fill_value=fill_value)


def select(condlist, choicelist, default=0):
    """jnp.select: per element, the choice of the first true condition, else `default`."""
    from jaxlike.numpy.ufuncs import where
    if len(condlist) != len(choicelist):
        raise ValueError(f"condlist must have length equal to choicelist ({len(condlist)} vs {len(choicelist)}).")
    if len(condlist) == 0:
        raise ValueError("condlist must be non-empty")
    choices = promote_dtypes(default, *choicelist)
    out = choices[0]
    for condition, choice in zip(reversed(condlist), reversed(choices[1:])):
        out = where(condition, choice, out)
    return out


def choose(a, choices, out=None, mode="raise"):
    """jnp.choose: per element, choices[a] (a broadcast with the choices)."""
    from jaxlike.numpy.manipulation import broadcast_arrays
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.choose is not supported.")
    a = _integer_indices(a, "choose")
    n = len(choices)
    if mode == "raise":
        value = _concrete_value(a, "jnp.choose with mode='raise' needs concrete indices; use mode='wrap' or "
                                   "mode='clip' inside transformations")
        if np.any((value < 0) | (value >= n)):
            raise ValueError("invalid entry in choice array")
    elif mode == "wrap":
        a = _floor_mod(a, n)
    elif mode == "clip":
        a = lax.clamp(lax.full_like(a, 0), a, lax.full_like(a, n - 1))
    else:
        raise ValueError(f"mode={mode!r} not understood. Must be 'raise', 'wrap', or 'clip'")
    a, *cases = broadcast_arrays(a, *promote_dtypes(*choices))
    return lax.select_n(lax.convert_element_type(a, np.int32), *cases)


# ---- index helpers --------------------------------------------------------------------------
def _host_indices(values):
    return host_array(np.asarray(values).astype(dtypes.default_int()))


def diag_indices(n, ndim=2):
    """jnp.diag_indices: `ndim` copies of arange(n), indexing the main diagonal."""
    n, ndim = operator.index(n), operator.index(ndim)
    if n < 0:
        raise ValueError(f"n argument to diag_indices must be nonnegative, got {n}")
    if ndim < 0:
        raise ValueError(f"ndim argument to diag_indices must be nonnegative, got {ndim}")
    return (_host_indices(np.arange(n)),) * ndim


def diag_indices_from(arr):
    """jnp.diag_indices_from: diag_indices for a square array of any rank >= 2."""
    shape = get_aval(asarray_operand(arr)).shape
    if len(shape) < 2:
        raise ValueError("input array must be at least 2-d")
    if len(set(shape)) != 1:
        raise ValueError("All dimensions of input must be of equal length")
    return diag_indices(shape[0], len(shape))


def tril_indices(n, k=0, m=None):
    """jnp.tril_indices: the (row, col) indices of the lower triangle of an (n, m) array."""
    return tuple(_host_indices(i) for i in np.tril_indices(operator.index(n), operator.index(k),
                                                           None if m is None else operator.index(m)))


def triu_indices(n, k=0, m=None):
    """jnp.triu_indices: the (row, col) indices of the upper triangle of an (n, m) array."""
    return tuple(_host_indices(i) for i in np.triu_indices(operator.index(n), operator.index(k),
                                                           None if m is None else operator.index(m)))


def _matrix_shape(arr, name):
    shape = get_aval(asarray_operand(arr)).shape
    if len(shape) != 2:
        raise ValueError(f"{name} requires a 2-D array, got shape {shape}.")
    return shape


def tril_indices_from(arr, k=0):
    """jnp.tril_indices_from: tril_indices for the shape of a 2-D `arr`."""
    n, m = _matrix_shape(arr, "tril_indices_from")
    return tril_indices(n, k, m)


def triu_indices_from(arr, k=0):
    """jnp.triu_indices_from: triu_indices for the shape of a 2-D `arr`."""
    n, m = _matrix_shape(arr, "triu_indices_from")
    return triu_indices(n, k, m)


def unravel_index(indices, shape):
    """jnp.unravel_index: flat indices to per-axis indices (negative wrap once; out-of-bounds clamp, as JAX)."""
    indices = _integer_indices(indices, "unravel_index")
    try:
        shape = tuple(operator.index(s) for s in shape)
    except TypeError:
        shape = (operator.index(shape),)
    total = int(np.prod(shape, dtype=np.int64))
    if total == 0:
        raise ValueError("Cannot unravel indices into an empty shape.")
    flat = _wrap_negative(indices, total)
    flat = lax.clamp(lax.full_like(flat, 0), flat, lax.full_like(flat, total - 1))
    out = []
    for size in reversed(shape):
        out.append(lax.rem(flat, lax.full_like(flat, size)))
        flat = lax.div(flat, lax.full_like(flat, size))
    return tuple(reversed(out))


def ravel_multi_index(multi_index, dims, mode="raise", order="C"):
    """jnp.ravel_multi_index: per-axis indices to flat indices into an array of shape `dims`."""
    dims = tuple(operator.index(d) for d in dims)
    if len(multi_index) != len(dims):
        raise ValueError(f"parameter multi_index must be a sequence of length {len(dims)}, got {len(multi_index)}.")
    indices = [_integer_indices(i, "ravel_multi_index") for i in multi_index]
    if mode == "raise":
        for i, d in zip(indices, dims):
            value = _concrete_value(i, "ravel_multi_index with mode='raise' needs concrete indices; use mode='wrap' "
                                       "or mode='clip' inside transformations")
            if np.any((value < 0) | (value >= d)):
                raise ValueError("invalid entry in coordinates array")
    elif mode == "clip":
        indices = [lax.clamp(lax.full_like(i, 0), i, lax.full_like(i, d - 1)) for i, d in zip(indices, dims)]
    elif mode == "wrap":
        indices = [_floor_mod(i, d) for i, d in zip(indices, dims)]
    else:
        raise ValueError(f"invalid mode={mode!r}. Expected 'raise', 'wrap', or 'clip'")
    if order == "F":
        strides = np.cumprod((1,) + dims[:-1])
    elif order == "C":
        strides = np.cumprod((1,) + dims[1:][::-1])[::-1]
    else:
        raise ValueError(f"invalid order={order!r}. Expected 'C' or 'F'")
    from jaxlike.numpy.ufuncs import add, multiply
    result = lax.full((), 0, indices[0].aval.dtype if indices else dtypes.default_int())
    for i, stride in zip(indices, strides):
        result = add(result, multiply(i, int(stride)))
    return result
