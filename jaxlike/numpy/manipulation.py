"""Array manipulation of jaxlike.numpy: reshaping, transposing, joining, splitting, padding, tiling."""
import builtins
import math
import operator

import numpy as np

from jaxlike import dtypes, lax
from jaxlike.core import concrete_or_error, get_aval
from jaxlike.lax.structural import slice_axis
from jaxlike.numpy import _core
from jaxlike.numpy._core import (asarray_operand, broadcast_to_shape, canonicalize_axes, canonicalize_axis,
                                  promote_dtypes)
from jaxlike.source_info import user_line

__all__ = ['reshape', 'ravel', 'transpose', 'permute_dims', 'matrix_transpose', 'moveaxis', 'swapaxes', 'squeeze',
           'expand_dims', 'concatenate', 'concat', 'stack', 'hstack', 'vstack', 'dstack', 'column_stack', 'flip',
           'fliplr', 'flipud', 'rot90', 'pad', 'broadcast_to', 'broadcast_arrays', 'broadcast_shapes', 'tile',
           'repeat', 'roll', 'split', 'array_split', 'hsplit', 'vsplit', 'dsplit', 'atleast_1d', 'atleast_2d',
           'atleast_3d', 'ndim', 'shape', 'size', 'append', 'block']


def _static_int(value, what):
    return operator.index(concrete_or_error(value, what))


def _index_tuple(value):
    """An int or a sequence of ints as a tuple of ints."""
    if isinstance(value, (tuple, list)):
        return tuple(operator.index(v) for v in value)
    return (operator.index(value),)


# ---- reshaping ------------------------------------------------------------------------------
def _resolve_shape(shape, size, in_shape):
    """`shape` with a -1 entry inferred from `size`; a clear error for sizes that don't fit."""
    shape = tuple(operator.index(concrete_or_error(s, "the shape argument of jnp.reshape")) for s in shape)
    unknown = [i for i, s in enumerate(shape) if s == -1]
    if len(unknown) > 1 or any(s < -1 for s in shape):
        raise ValueError(f"cannot reshape array of shape {in_shape} into shape {shape}: at most one dimension "
                         f"may be -1 and the others must be nonnegative.{user_line()}")
    if unknown:
        known = math.prod(s for s in shape if s != -1)
        if known == 0 or size % known:
            raise TypeError(f"cannot reshape array of shape {in_shape} (size {size}) into shape {shape}.{user_line()}")
        shape = tuple(size // known if s == -1 else s for s in shape)
    if math.prod(shape) != size:
        raise TypeError(f"cannot reshape array of shape {in_shape} (size {size}) into shape {shape} "
                        f"(size {math.prod(shape)}).{user_line()}")
    return shape


def reshape(a, shape=None, order="C", *, newshape=None, copy=None):
    """jnp.reshape: same elements in a new shape (order 'C' row-major or 'F' column-major; one -1 inferred)."""
    a = asarray_operand(a)
    if shape is None:
        shape = newshape
    if shape is None:
        raise TypeError("jnp.reshape requires a shape argument.")
    if isinstance(shape, np.ndarray) and shape.ndim == 1:
        shape = tuple(shape)
    elif not isinstance(shape, (tuple, list)):
        shape = (shape,)
    new_shape = _resolve_shape(shape, a.size, a.shape)
    if order == "C":
        return lax.reshape(a, new_shape)
    if order == "F":
        reversed_in = lax.transpose(a, tuple(range(a.ndim))[::-1])
        out = lax.reshape(reversed_in, new_shape[::-1])
        return lax.transpose(out, tuple(range(len(new_shape)))[::-1])
    if order == "A":
        raise NotImplementedError("jnp.reshape does not support order='A'.")
    raise ValueError(f"Unexpected value for 'order' argument: {order}.")


def ravel(a, order="C"):
    """jnp.ravel: the elements as a 1-d array (order 'C' or 'F')."""
    a = asarray_operand(a)
    if order == "K":
        raise NotImplementedError("Ravel not implemented for order='K'.")
    return reshape(a, (a.size,), order)


def transpose(a, axes=None):
    """jnp.transpose: permute axes (reverse them when axes is None)."""
    a = asarray_operand(a)
    if axes is None:
        axes = tuple(range(a.ndim))[::-1]
    axes = _index_tuple(axes)
    if len(axes) != a.ndim:
        raise ValueError(f"axes {axes} don't match array of dimension {a.ndim} (shape {a.shape}).{user_line()}")
    return lax.transpose(a, canonicalize_axes(axes, a.ndim))


def permute_dims(a, /, axes):
    """jnp.permute_dims: the Array API name of transpose."""
    return transpose(a, axes)


def matrix_transpose(x, /):
    """jnp.matrix_transpose: swap the last two axes."""
    x = asarray_operand(x)
    if x.ndim < 2:
        raise ValueError(f"x must be at least two-dimensional for matrix_transpose; got ndim={x.ndim}.")
    return swapaxes(x, -1, -2)


def moveaxis(a, source, destination):
    """jnp.moveaxis: move axes `source` to positions `destination`, the others keeping their order."""
    a = asarray_operand(a)
    source = tuple(canonicalize_axis(s, a.ndim) for s in _index_tuple(source))
    destination = tuple(canonicalize_axis(d, a.ndim) for d in _index_tuple(destination))
    if len(source) != len(destination):
        raise ValueError(f"Inconsistent number of elements: {len(source)} vs {len(destination)}.{user_line()}")
    perm = [i for i in range(a.ndim) if i not in source]
    for dest, src in sorted(zip(destination, source)):
        perm.insert(dest, src)
    return lax.transpose(a, tuple(perm))


def swapaxes(a, axis1, axis2):
    """jnp.swapaxes: exchange two axes."""
    a = asarray_operand(a)
    perm = list(range(a.ndim))
    i, j = canonicalize_axis(axis1, a.ndim), canonicalize_axis(axis2, a.ndim)
    perm[i], perm[j] = perm[j], perm[i]
    return lax.transpose(a, tuple(perm))


def squeeze(a, axis=None):
    """jnp.squeeze: remove size-1 axes (all of them when axis is None)."""
    a = asarray_operand(a)
    if axis is None:
        axes = tuple(i for i, s in enumerate(a.shape) if s == 1)
    else:
        axes = canonicalize_axes(_index_tuple(axis), a.ndim)
        bad = [ax for ax in axes if a.shape[ax] != 1]
        if bad:
            raise ValueError(f"cannot select an axis to squeeze out which has size not equal to one, got "
                             f"shape={a.shape} and dimensions={tuple(axes)}.{user_line()}")
    return lax.squeeze(a, axes)


def expand_dims(a, axis):
    """jnp.expand_dims: insert size-1 axes at positions `axis` of the result."""
    a = asarray_operand(a)
    axes = _index_tuple(axis)
    out_ndim = a.ndim + len(axes)
    canonicalize_axes(axes, out_ndim)  # raises AxisError / repeated-axis errors as NumPy does
    return lax.expand_dims(a, axes)


# ---- joining --------------------------------------------------------------------------------
def _as_array_list(name, arrays):
    if _core.is_array(arrays) or isinstance(arrays, np.ndarray):
        arr = asarray_operand(arrays)
        return [lax.squeeze(slice_axis(arr, 0, i, i + 1), (0,)) for i in range(arr.shape[0])]
    arrays = [asarray_operand(a) for a in arrays]
    if not arrays:
        raise ValueError(f"Need at least one array to {name}.{user_line()}")
    return arrays


def _with_dtype(arrays, dtype):
    if dtype is None:
        return promote_dtypes(*arrays)
    dtype = _core.check_dtype_arg(dtype)
    return [lax.convert_element_type(a, dtype) for a in arrays]


def concatenate(arrays, axis=0, dtype=None):
    """jnp.concatenate: join arrays along an existing axis (all raveled first when axis is None)."""
    arrays = _as_array_list("concatenate", arrays)
    if axis is None:
        return concatenate([ravel(a) for a in arrays], 0, dtype)
    if arrays[0].ndim == 0:
        raise ValueError(f"Zero-dimensional arrays cannot be concatenated.{user_line()}")
    axis = canonicalize_axis(axis, arrays[0].ndim)
    arrays = _with_dtype(arrays, dtype)
    _check_concatenate_shapes(arrays, axis)
    return lax.concatenate(arrays, axis)


def _check_concatenate_shapes(arrays, axis):
    first = arrays[0].shape
    for a in arrays[1:]:
        if a.ndim != len(first) or any(x != y for i, (x, y) in enumerate(zip(a.shape, first)) if i != axis):
            shapes = ", ".join(str(x.shape) for x in arrays)
            raise ValueError(f"jnp.concatenate: all input array dimensions except for the concatenation axis "
                             f"({axis}) must match exactly, got shapes {shapes}.{user_line()}")


concat = concatenate


def stack(arrays, axis=0, out=None, dtype=None):
    """jnp.stack: join equally shaped arrays along a new axis."""
    arrays = _as_array_list("stack", arrays)
    shapes = {a.shape for a in arrays}
    if len(shapes) > 1:
        raise ValueError(f"All input arrays must have the same shape, got {', '.join(str(a.shape) for a in arrays)}."
                         f"{user_line()}")
    axis = canonicalize_axis(axis, arrays[0].ndim + 1)
    arrays = _with_dtype(arrays, dtype)
    return lax.concatenate([lax.expand_dims(a, (axis,)) for a in arrays], axis)


def vstack(tup, dtype=None):
    """jnp.vstack: concatenate along axis 0 after atleast_2d."""
    return concatenate([atleast_2d(a) for a in _as_array_list("vstack", tup)], 0, dtype)


def hstack(tup, dtype=None):
    """jnp.hstack: concatenate along axis 1 (axis 0 for 1-d inputs) after atleast_1d."""
    arrays = [atleast_1d(a) for a in _as_array_list("hstack", tup)]
    return concatenate(arrays, 0 if arrays[0].ndim == 1 else 1, dtype)


def dstack(tup, dtype=None):
    """jnp.dstack: concatenate along axis 2 after atleast_3d."""
    return concatenate([atleast_3d(a) for a in _as_array_list("dstack", tup)], 2, dtype)


def column_stack(tup):
    """jnp.column_stack: 1-d inputs become columns, then concatenate along axis 1."""
    arrays = [a if a.ndim >= 2 else transpose(atleast_2d(a)) for a in _as_array_list("column_stack", tup)]
    return concatenate(arrays, 1)


def append(arr, values, axis=None):
    """jnp.append: concatenate `values` after `arr` (both raveled when axis is None)."""
    if axis is None:
        return concatenate([ravel(arr), ravel(values)], 0)
    return concatenate([arr, values], axis)


def block(arrays):
    """jnp.block: assemble an array from nested lists of blocks (innermost lists join along the last axis)."""
    depth, ndim = _block_depth(arrays), _block_max_ndim(arrays)
    target = builtins.max(depth, ndim)
    return _block(arrays, depth, target)


def _block_depth(arrays):
    if isinstance(arrays, list):
        if not arrays:
            raise ValueError("jnp.block: lists cannot be empty.")
        depths = {_block_depth(a) for a in arrays}
        if len(depths) > 1:
            raise ValueError("jnp.block: list depths are mismatched.")
        return 1 + depths.pop()
    return 0


def _block_max_ndim(arrays):
    if isinstance(arrays, list):
        return builtins.max(_block_max_ndim(a) for a in arrays)
    return get_aval(asarray_operand(arrays)).ndim


def _block(arrays, depth, target):
    if depth == 0:
        a = asarray_operand(arrays)
        return lax.reshape(a, (1,) * (target - a.ndim) + a.shape)
    parts = [_block(a, depth - 1, target) for a in arrays]
    return concatenate(parts, axis=-depth)


# ---- flipping and rotating ------------------------------------------------------------------
def flip(m, axis=None):
    """jnp.flip: reverse the order of elements along `axis` (all axes when None)."""
    m = asarray_operand(m)
    axes = tuple(range(m.ndim)) if axis is None else canonicalize_axes(_index_tuple(axis), m.ndim)
    return lax.rev(m, axes)


def fliplr(m):
    """jnp.fliplr: reverse axis 1."""
    m = asarray_operand(m)
    if m.ndim < 2:
        raise ValueError(f"fliplr requires an array of at least 2 dimensions, got shape {m.shape}.{user_line()}")
    return flip(m, 1)


def flipud(m):
    """jnp.flipud: reverse axis 0."""
    m = asarray_operand(m)
    if m.ndim < 1:
        raise ValueError(f"flipud requires an array of at least 1 dimension.{user_line()}")
    return flip(m, 0)


def rot90(m, k=1, axes=(0, 1)):
    """jnp.rot90: rotate by 90 degrees k times in the plane of `axes` (from the first towards the second)."""
    m = asarray_operand(m)
    if m.ndim < 2:
        raise ValueError(f"rot90 requires its first argument to have ndim at least two, but got shape {m.shape}."
                         f"{user_line()}")
    ax1, ax2 = canonicalize_axis(axes[0], m.ndim), canonicalize_axis(axes[1], m.ndim)
    if ax1 == ax2:
        raise ValueError("Axes must be different")
    k = operator.index(k) % 4
    if k == 0:
        return m
    if k == 2:
        return lax.rev(m, (ax1, ax2))
    perm = list(range(m.ndim))
    perm[ax1], perm[ax2] = perm[ax2], perm[ax1]
    if k == 1:
        return lax.transpose(lax.rev(m, (ax2,)), tuple(perm))
    return lax.rev(lax.transpose(m, tuple(perm)), (ax2,))


# ---- broadcasting ---------------------------------------------------------------------------
def broadcast_shapes(*shapes):
    """jnp.broadcast_shapes: the NumPy broadcast of shapes."""
    shapes = [(s,) if isinstance(s, (int, np.integer)) else tuple(s) for s in shapes]
    return _core.broadcast_shapes(*shapes)


def broadcast_to(array, shape):
    """jnp.broadcast_to: broadcast `array` to `shape` by NumPy rules."""
    from jaxlike.lax.structural import canonical_shape
    array = asarray_operand(array)
    shape = canonical_shape(shape)
    try:
        compatible = _core.broadcast_shapes(array.shape, shape) == shape
    except ValueError:
        compatible = False
    if not compatible:
        raise ValueError(f"Incompatible shapes for broadcasting: {array.shape} and requested shape {shape}."
                         f"{user_line()}")
    return broadcast_to_shape(array, shape)


def broadcast_arrays(*args):
    """jnp.broadcast_arrays: broadcast all arguments to their common shape."""
    arrays = [asarray_operand(a) for a in args]
    shape = _core.broadcast_shapes(*[a.shape for a in arrays])
    return [broadcast_to_shape(a, shape) for a in arrays]


# ---- tiling and repeating -------------------------------------------------------------------
def tile(A, reps):
    """jnp.tile: repeat the whole array `reps` times along each axis."""
    A = asarray_operand(A)
    reps = _index_tuple(reps) if isinstance(reps, (tuple, list)) else (operator.index(reps),)
    ndim = builtins.max(A.ndim, len(reps))
    reps = (1,) * (ndim - len(reps)) + reps
    shape = (1,) * (ndim - A.ndim) + A.shape
    interleaved = tuple(d for s in shape for d in (1, s))
    target = tuple(d for r, s in zip(reps, shape) for d in (r, s))
    out = broadcast_to_shape(lax.reshape(A, interleaved), target)
    return lax.reshape(out, tuple(r * s for r, s in zip(reps, shape)))


def repeat(a, repeats, axis=None, *, total_repeat_length=None):
    """jnp.repeat: repeat each element `repeats` times along `axis` (raveled when None); repeats must be
    static unless total_repeat_length is given."""
    a = asarray_operand(a)
    if axis is None:
        a, axis = ravel(a), 0
    axis = canonicalize_axis(axis, builtins.max(a.ndim, 1))
    static = _concrete_repeats(repeats, total_repeat_length is None)
    if static is None:
        return _repeat_traced(a, asarray_operand(repeats), axis, total_repeat_length)
    if static.ndim == 0 and a.ndim and total_repeat_length is None:
        return _repeat_uniform(a, int(static), axis)
    if a.ndim == 0:
        if static.size != 1:
            raise ValueError("`repeat` with a scalar parameter `a` is only implemented for scalar values of the "
                             "parameter `repeats`.")
        count = int(static.reshape(())) if total_repeat_length is None else total_repeat_length
        return broadcast_to_shape(a, (count,))
    counts = np.broadcast_to(static.ravel(), (a.shape[axis],)).astype(np.int64)
    if np.any(counts < 0):
        raise ValueError(f"jnp.repeat: repeats may not contain negative values, got {static}.")
    source = np.repeat(np.arange(a.shape[axis]), counts)
    if total_repeat_length is not None:
        source = _fit_length(source, total_repeat_length)
    return take_static(a, source, axis)


def _concrete_repeats(repeats, required):
    from jaxlike.array import concrete_value
    value = concrete_value(repeats) if _core.is_array(repeats) else np.asarray(repeats)
    if value is None and required:
        concrete_or_error(repeats, "jnp.repeat's repeats: when jit-compiling jnp.repeat, the total number of "
                          "repeats must be static; pass a static `repeats` or a static `total_repeat_length`")
    return None if value is None else np.asarray(value)


def _repeat_uniform(a, count, axis):
    if count < 0:
        raise ValueError(f"jnp.repeat: repeats may not be negative, got {count}.")
    expanded = lax.expand_dims(a, (axis + 1,))
    shape = a.shape[:axis + 1] + (count,) + a.shape[axis + 1:]
    out = broadcast_to_shape(expanded, shape)
    return lax.reshape(out, a.shape[:axis] + (a.shape[axis] * count,) + a.shape[axis + 1:])


def _fit_length(source, length):
    """JAX's total_repeat_length: extra entries are dropped, missing ones repeat the last index."""
    if len(source) >= length:
        return source[:length]
    last = source[-1] if len(source) else 0
    return np.concatenate([source, np.full(length - len(source), last, source.dtype)])


def _repeat_traced(a, repeats, axis, length):
    """Traced repeats: output position j reads the element whose running repeat count first exceeds j."""
    n = a.shape[axis]
    repeats = broadcast_to_shape(ravel(repeats), (n,))
    ends = lax.cumsum(lax.convert_element_type(repeats, np.int32), 0)
    positions = lax.iota(np.int32, length)
    # source[j] = #{i : ends[i] <= j}, clipped to n - 1 (positions past the total repeat the last element)
    passed = lax.le(lax.broadcast_in_dim(ends, (length, n), (1,)), lax.broadcast_in_dim(positions, (length, n), (0,)))
    source = lax.reduce_sum(lax.convert_element_type(passed, np.int32), (1,))
    source = lax.min(source, lax.full((), n - 1, np.int32))
    return take_along_axis_traced(a, source, axis)


def take_static(a, indices, axis):
    """a taken at the static integer `indices` along `axis`, as slices of consecutive runs, concatenated."""
    indices = np.asarray(indices, dtype=np.int64).ravel()
    if indices.size == 0:
        return slice_axis(a, axis, 0, 0)
    breaks = np.flatnonzero(np.diff(indices) != 1) + 1
    runs = np.split(indices, breaks)
    parts = [slice_axis(a, axis, int(r[0]), int(r[-1]) + 1) for r in runs]
    return parts[0] if len(parts) == 1 else lax.concatenate(parts, axis)


def take_along_axis_traced(a, indices, axis):
    """a[..., indices, ...] along `axis` for a traced 1-d `indices` (via jnp.take when available)."""
    import jaxlike.numpy as jnp
    take = getattr(jnp, "take", None)
    if take is not None:
        return take(a, indices, axis=axis)
    # Fallback without gather: a one-hot selection summed over the source axis.
    n, m = a.shape[axis], indices.shape[0]
    moved = moveaxis(a, axis, -1)
    hit = lax.eq(lax.broadcast_in_dim(indices, (m, n), (0,)), lax.broadcasted_iota(indices.dtype, (m, n), 1))
    values = lax.broadcast_in_dim(moved, moved.shape[:-1] + (m, n), tuple(range(moved.ndim - 1)) + (moved.ndim,))
    mask = lax.broadcast_in_dim(hit, values.shape, (values.ndim - 2, values.ndim - 1))
    picked = lax.select(mask, values, lax.full(values.shape, 0, values.dtype))
    reduce = lax.reduce_or if a.dtype == np.bool_ else lax.reduce_sum
    out = reduce(picked, (values.ndim - 1,))
    return moveaxis(out, -1, axis)


# ---- rolling and splitting ------------------------------------------------------------------
def roll(a, shift, axis=None):
    """jnp.roll: shift elements cyclically along `axis` (of the raveled array when None)."""
    a = asarray_operand(a)
    if axis is None:
        return reshape(roll(ravel(a), shift, 0), a.shape)
    axes = tuple(canonicalize_axis(ax, a.ndim) for ax in _index_tuple(axis))
    from jaxlike.array import concrete_value
    shifts = concrete_value(shift) if _core.is_array(shift) else np.asarray(shift)
    if shifts is None:
        return _roll_traced(a, asarray_operand(shift), axes)
    for ax, s in zip(*np.broadcast_arrays(np.asarray(axes), np.asarray(shifts, dtype=np.int64))):
        a = _roll_static(a, int(s), int(ax))
    return a


def _roll_static(a, shift, axis):
    n = a.shape[axis]
    if n == 0:
        return a
    start = (-shift) % n
    if start == 0:
        return a
    return lax.concatenate([slice_axis(a, axis, start, n), slice_axis(a, axis, 0, start)], axis)


def _roll_traced(a, shift, axes):
    dynamic_slice = getattr(lax, "dynamic_slice_in_dim", None)
    if dynamic_slice is None:
        raise NotImplementedError("jnp.roll with a traced shift needs lax.dynamic_slice_in_dim; pass a static shift.")
    count = builtins.max(len(axes), shift.size)
    shifts = broadcast_to_shape(ravel(lax.convert_element_type(shift, np.int32)), (count,))
    for i, ax in enumerate(np.broadcast_to(np.asarray(axes), (count,))):
        ax, n = int(ax), a.shape[int(ax)]
        if n == 0:
            continue
        start = _mod(lax.neg(lax.reshape(slice_axis(shifts, 0, i, i + 1), ())), n)
        a = dynamic_slice(lax.concatenate([a, a], ax), start, n, axis=ax)
    return a


def _mod(x, n):
    r = lax.sub(x, lax.mul(lax.div(x, lax.full((), n, x.dtype)), lax.full((), n, x.dtype)))
    return lax.select(lax.lt(r, lax.full((), 0, x.dtype)), lax.add(r, lax.full((), n, x.dtype)), r)


def _split_sizes(op, size, indices_or_sections):
    from jaxlike.array import concrete_value
    value = concrete_value(indices_or_sections) if _core.is_array(indices_or_sections) else indices_or_sections
    if value is None:
        concrete_or_error(indices_or_sections, f"jnp.{op}'s indices_or_sections")
    if isinstance(value, (tuple, list)) or np.ndim(value) > 0:
        bounds = [0] + [builtins.min(builtins.max(int(i) if int(i) >= 0 else int(i) + size, 0), size)
                        for i in np.asarray(value).ravel()] + [size]
        return [(lo, builtins.max(lo, hi)) for lo, hi in zip(bounds[:-1], bounds[1:])]
    sections = operator.index(int(np.asarray(value)))
    if sections <= 0:
        raise ValueError(f"jnp.{op}: number of sections must be larger than 0, got {sections}.")
    part, rest = divmod(size, sections)
    if rest and op != "array_split":
        raise ValueError(f"array split does not result in an equal division: rest is {rest}.{user_line()}")
    sizes = [part + 1] * rest + [part] * (sections - rest)
    starts = np.cumsum([0] + sizes[:-1])
    return [(int(s), int(s) + n) for s, n in zip(starts, sizes)]


def _split(op, ary, indices_or_sections, axis):
    ary = asarray_operand(ary)
    axis = canonicalize_axis(_static_int(axis, f"jnp.{op}'s axis"), ary.ndim)
    return [slice_axis(ary, axis, lo, hi) for lo, hi in _split_sizes(op, ary.shape[axis], indices_or_sections)]


def split(ary, indices_or_sections, axis=0):
    """jnp.split: equal sections (an int that divides the axis) or split points (a sequence)."""
    return _split("split", ary, indices_or_sections, axis)


def array_split(ary, indices_or_sections, axis=0):
    """jnp.array_split: like split, but an int need not divide the axis (the first parts get one more)."""
    return _split("array_split", ary, indices_or_sections, axis)


def hsplit(ary, indices_or_sections):
    """jnp.hsplit: split along axis 1 (axis 0 for 1-d arrays)."""
    ary = asarray_operand(ary)
    return _split("hsplit", ary, indices_or_sections, 0 if ary.ndim == 1 else 1)


def vsplit(ary, indices_or_sections):
    """jnp.vsplit: split along axis 0 (arrays of at least 2 dimensions)."""
    ary = asarray_operand(ary)
    if ary.ndim < 2:
        raise ValueError("vsplit only works on arrays of 2 or more dimensions")
    return _split("vsplit", ary, indices_or_sections, 0)


def dsplit(ary, indices_or_sections):
    """jnp.dsplit: split along axis 2 (arrays of at least 3 dimensions)."""
    ary = asarray_operand(ary)
    if ary.ndim < 3:
        raise ValueError("dsplit only works on arrays of 3 or more dimensions")
    return _split("dsplit", ary, indices_or_sections, 2)


# ---- atleast_nd and shape queries -----------------------------------------------------------
def _atleast(arys, fn):
    out = [fn(asarray_operand(a)) for a in arys]
    return out[0] if len(out) == 1 else out


def atleast_1d(*arys):
    """jnp.atleast_1d: scalars become 1-d arrays."""
    return _atleast(arys, lambda a: lax.reshape(a, (1,)) if a.ndim == 0 else a)


def atleast_2d(*arys):
    """jnp.atleast_2d: prepend axes up to 2 dimensions."""
    return _atleast(arys, lambda a: lax.reshape(a, (1,) * (2 - a.ndim) + a.shape) if a.ndim < 2 else a)


def atleast_3d(*arys):
    """jnp.atleast_3d: 0-d -> (1,1,1), 1-d (n,) -> (1,n,1), 2-d (m,n) -> (m,n,1)."""
    def to_3d(a):
        if a.ndim == 0:
            return lax.reshape(a, (1, 1, 1))
        if a.ndim == 1:
            return lax.reshape(a, (1, a.shape[0], 1))
        if a.ndim == 2:
            return lax.reshape(a, a.shape + (1,))
        return a
    return _atleast(arys, to_3d)


def ndim(a):
    """jnp.ndim: the number of dimensions."""
    return len(shape(a))


def shape(a):
    """jnp.shape: the shape as a tuple."""
    aval = getattr(a, "aval", None)
    return aval.shape if aval is not None else np.shape(a)


def size(a, axis=None):
    """jnp.size: the number of elements (along `axis` when given)."""
    s = shape(a)
    if axis is None:
        return math.prod(s)
    return math.prod(s[canonicalize_axis(ax, len(s))] for ax in _index_tuple(axis))


# ---- pad ------------------------------------------------------------------------------------
def _pairs(values, nd, name):
    """NumPy's pad_width-style broadcasting to ((before, after),) * nd, as static ints or values."""
    from jaxlike.array import concrete_value
    if _core.is_array(values):
        concrete = concrete_value(values)
        if concrete is None:
            concrete_or_error(values, f"the {name} argument of jnp.pad")
        values = concrete
    arr = np.asarray(values)
    if arr.dtype == object:
        raise TypeError(f"`{name}` entries must be the same shape: {values}")
    if arr.shape == (nd, 2):
        pairs = arr
    elif arr.shape == (1, 2):
        pairs = np.broadcast_to(arr, (nd, 2))
    elif arr.shape == (2,):
        pairs = np.broadcast_to(arr[None], (nd, 2))
    elif arr.shape in ((1,), ()):
        pairs = np.broadcast_to(arr.reshape(1, 1), (nd, 2))
    else:
        raise ValueError(f"jnp.pad: {name} with nd={nd} has unsupported shape {arr.shape}. Valid shapes are "
                         f"({nd}, 2), (1, 2), (2,), (1,), or ().")
    return tuple((pairs[i, 0], pairs[i, 1]) for i in range(nd))


def pad(array, pad_width, mode="constant", **kwargs):
    """jnp.pad: pad with mode constant, edge, wrap, reflect, symmetric, linear_ramp, maximum, minimum, mean,
    or empty, as NumPy."""
    array = asarray_operand(array)
    nd = array.ndim
    allowed = {"constant": {"constant_values"}, "edge": set(), "wrap": set(), "empty": set(),
               "reflect": {"reflect_type"}, "symmetric": {"reflect_type"}, "linear_ramp": {"end_values"},
               "maximum": {"stat_length"}, "minimum": {"stat_length"}, "mean": {"stat_length"},
               "median": {"stat_length"}}
    if callable(mode):
        raise NotImplementedError("jnp.pad with a callable mode is not supported.")
    if mode not in allowed:
        raise ValueError(f"Unimplemented padding mode '{mode}' for np.pad.{user_line()}")
    unexpected = set(kwargs) - allowed[mode]
    if unexpected:
        raise ValueError(f"unsupported keyword arguments for mode '{mode}': {sorted(unexpected)}")
    if nd == 0:
        return array
    widths = tuple((operator.index(int(lo)), operator.index(int(hi))) for lo, hi in _pairs(pad_width, nd, "pad_width"))
    if any(lo < 0 or hi < 0 for lo, hi in widths):
        raise ValueError(f"index can't contain negative values, got pad_width {widths}.{user_line()}")
    if mode == "constant":
        return _pad_constant(array, widths, kwargs.get("constant_values", 0))
    if mode == "empty":
        return _pad_constant(array, widths, 0)
    if mode == "linear_ramp":
        _check_nonempty_axes(array, widths, mode)
        return _pad_linear_ramp(array, widths, _pairs(kwargs.get("end_values", 0), nd, "end_values"))
    for axis, (lo, hi) in enumerate(widths):
        if array.shape[axis] == 0:
            if lo or hi:
                raise ValueError(f"can't extend empty axis {axis} using modes other than 'constant' or 'empty'."
                                 f"{user_line()}")
            continue
        if mode == "edge":
            array = _pad_axis_edge(array, axis, lo, hi)
        elif mode == "wrap":
            array = _pad_axis_wrap(array, axis, lo, hi)
        elif mode in ("reflect", "symmetric"):
            reflect_type = kwargs.get("reflect_type", "even")
            if reflect_type not in ("even", "odd"):
                raise ValueError(f"unsupported reflect_type {reflect_type!r}; use 'even' or 'odd'.")
            array = _pad_axis_reflect(array, axis, lo, hi, mode, reflect_type)
        else:
            stat_length = kwargs.get("stat_length")
            lengths = None if stat_length is None else _pairs(stat_length, nd, "stat_length")[axis]
            array = _pad_axis_stat(array, axis, lo, hi, mode, lengths)
    return array


def _check_nonempty_axes(array, widths, mode):
    for axis, (lo, hi) in enumerate(widths):
        if array.shape[axis] == 0 and (lo or hi):
            raise ValueError(f"can't extend empty axis {axis} using modes other than 'constant' or 'empty' (mode "
                             f"{mode!r}).{user_line()}")


def _pad_constant(array, widths, constant_values):
    values = asarray_operand(constant_values)
    values = lax.convert_element_type(values, array.dtype, weak_type=array.weak_type)
    nd = array.ndim
    if values.ndim == 0 or values.shape == (1,):
        return lax.pad(array, lax.reshape(values, ()), [(lo, hi, 0) for lo, hi in widths])
    if values.ndim == 1 and values.shape[-1] != 2:
        raise ValueError(f"jnp.pad: constant_values has unsupported shape {values.shape}. If the shape is 1D or 2D, "
                         "the last dimension must be of size 1 or 2.")
    values = broadcast_to(values, (nd, 2))
    for axis, (lo, hi) in enumerate(widths):
        for side, width in ((0, lo), (1, hi)):
            if width:
                value = lax.reshape(slice_axis(slice_axis(values, 0, axis, axis + 1), 1, side, side + 1), ())
                config = [(0, 0, 0)] * nd
                config[axis] = (width, 0, 0) if side == 0 else (0, width, 0)
                array = lax.pad(array, value, config)
    return array


def _repeat_along(x, axis, count):
    """A size-1 slice `x` broadcast to `count` along `axis`."""
    shape = x.shape[:axis] + (count,) + x.shape[axis + 1:]
    return broadcast_to_shape(x, shape)


def _pad_axis_edge(array, axis, lo, hi):
    n = array.shape[axis]
    before = _repeat_along(slice_axis(array, axis, 0, 1), axis, lo)
    after = _repeat_along(slice_axis(array, axis, n - 1, n), axis, hi)
    return lax.concatenate([before, array, after], axis)


def _pad_axis_wrap(array, axis, lo, hi):
    n = array.shape[axis]
    left_copies, left_rest = divmod(lo, n)
    right_copies, right_rest = divmod(hi, n)
    parts = [slice_axis(array, axis, n - left_rest, n)] if left_rest else []
    parts += [array] * (left_copies + right_copies + 1)
    parts += [slice_axis(array, axis, 0, right_rest)] if right_rest else []
    return lax.concatenate(parts, axis) if len(parts) > 1 else array


def _pad_axis_reflect(array, axis, lo, hi, mode, reflect_type):
    """NumPy's iterative reflection: each round mirrors at most one period of the values next to the edge."""
    n = array.shape[axis]
    offset = 1 if mode == "reflect" and n > 1 else 0  # reflect skips the edge value; symmetric repeats it
    period = n - offset if mode == "reflect" and n > 1 else n
    for before, remaining in ((True, lo), (False, hi)):
        while remaining > 0:
            chunk = builtins.min(remaining, period)
            remaining -= chunk
            size = array.shape[axis]
            if before:
                piece, edge = slice_axis(array, axis, offset, offset + chunk), slice_axis(array, axis, 0, 1)
            else:
                piece = slice_axis(array, axis, size - chunk - offset, size - offset)
                edge = slice_axis(array, axis, size - 1, size)
            piece = lax.rev(piece, (axis,))
            if reflect_type == "odd":
                piece = _odd_reflection(piece, edge)
            array = lax.concatenate([piece, array] if before else [array, piece], axis)
    return array


def _odd_reflection(piece, edge):
    edge = broadcast_to_shape(edge, piece.shape)
    return lax.sub(lax.add(edge, edge), piece)


def _pad_axis_stat(array, axis, lo, hi, mode, lengths):
    from jaxlike.numpy import reductions
    n = array.shape[axis]
    stat = {"maximum": reductions.amax, "minimum": reductions.amin, "mean": reductions.mean,
            "median": getattr(reductions, "median", None)}[mode]
    if stat is None:
        raise NotImplementedError("jnp.pad mode='median' needs jnp.median.")
    if lengths is None:
        before = after = stat(array, axis=axis, keepdims=True)
    else:
        len_before, len_after = (int(v) for v in lengths)
        if len_before == 0 or len_after == 0:
            raise ValueError("stat_length of 0 yields no value for padding")
        len_before, len_after = builtins.min(len_before, n), builtins.min(len_after, n)
        before = stat(slice_axis(array, axis, 0, len_before), axis=axis, keepdims=True)
        after = stat(slice_axis(array, axis, n - len_after, n), axis=axis, keepdims=True)
    before, after = (_stat_to_dtype(s, array) for s in (before, after))
    return lax.concatenate([_repeat_along(before, axis, lo), array, _repeat_along(after, axis, hi)], axis)


def _stat_to_dtype(stat, array):
    if dtypes.is_integer(array.dtype) and dtypes.is_inexact(stat.dtype):
        stat = _round_half_even(stat)
    return lax.convert_element_type(stat, array.dtype, weak_type=array.weak_type)


def _round_half_even(x):
    import jaxlike.numpy as jnp
    rounder = getattr(jnp, "round", None)
    if rounder is not None:
        return rounder(x)
    return lax.round(x, 1) if hasattr(lax, "round") else x


def _pad_linear_ramp(array, widths, end_values):
    from jaxlike.numpy.ranges import linspace
    for axis, (lo, hi) in enumerate(widths):
        n = array.shape[axis]
        edges = (lax.squeeze(slice_axis(array, axis, 0, 1), (axis,)),
                 lax.squeeze(slice_axis(array, axis, n - 1, n), (axis,)))
        ramps = []
        for (end, edge, width) in zip(end_values[axis], edges, (lo, hi)):
            ramp = linspace(end, edge, width, endpoint=False, dtype=array.dtype, axis=axis)
            ramps.append(lax.convert_element_type(ramp, array.dtype, weak_type=array.weak_type))
        array = lax.concatenate([ramps[0], array, lax.rev(ramps[1], (axis,))], axis)
    return array
