"""Shape-changing primitives: broadcast_in_dim, reshape, transpose, iota, squeeze, rev, concatenate, pad."""
from operator import index as operator_index

import numpy as np

from jaxlike import dtypes
from jaxlike.core import Primitive, ShapedArray
from jaxlike.lax.base import operands, shape_error

_as_operands = operands
from jaxlike.transforms import ad, batching

__all__ = ['broadcast_in_dim', 'broadcast', 'full', 'full_like', 'reshape', 'transpose', 'iota', 'broadcasted_iota',
           'squeeze', 'expand_dims', 'collapse', 'broadcast_to_rank', 'rev', 'concatenate', 'pad']

# ---- broadcast_in_dim -----------------------------------------------------------------------
broadcast_in_dim_p = Primitive("broadcast_in_dim")


@broadcast_in_dim_p.def_abstract_eval
def _broadcast_in_dim_abstract_eval(x, shape, broadcast_dimensions):
    if len(broadcast_dimensions) != x.ndim:
        raise shape_error(f"broadcast_in_dim: broadcast_dimensions {broadcast_dimensions} must have one entry "
                          f"per operand dimension (operand shape {x.shape}).")
    for i, d in enumerate(broadcast_dimensions):
        if not 0 <= d < len(shape) or x.shape[i] not in (1, shape[d]):
            raise shape_error(f"broadcast_in_dim: cannot broadcast operand of shape {x.shape} to {shape} with "
                              f"broadcast_dimensions {broadcast_dimensions}.")
    if list(broadcast_dimensions) != sorted(set(broadcast_dimensions)):
        raise shape_error(f"broadcast_in_dim: broadcast_dimensions {broadcast_dimensions} must be strictly "
                          "increasing.")
    return ShapedArray(shape, x.dtype, x.weak_type)


def _broadcast_in_dim_transpose(ct, x, shape, broadcast_dimensions):
    from jaxlike.lax.reductions import reduce_sum
    in_shape = x.aval.shape
    summed = tuple(d for d in range(len(shape)) if d not in broadcast_dimensions)
    expanded = tuple(i for i, d in enumerate(broadcast_dimensions) if in_shape[i] == 1 and shape[d] != 1)
    ct = reduce_sum(ct, summed) if summed else ct
    if expanded:
        ct = reduce_sum(ct, expanded)
        ct = reshape(ct, in_shape)
    return [ct]


def _broadcast_in_dim_batch(vals, dims, shape, broadcast_dimensions):
    (x,), (d,) = vals, dims
    x = batching.moveaxis(x, d, 0)
    size = x.aval.shape[0]
    new_dims = (0,) + tuple(b + 1 for b in broadcast_dimensions)
    return broadcast_in_dim_p.bind(x, shape=(size,) + tuple(shape), broadcast_dimensions=new_dims), 0


ad.deflinear(broadcast_in_dim_p, _broadcast_in_dim_transpose)
broadcast_in_dim_p.batch = _broadcast_in_dim_batch


def broadcast_in_dim(operand, shape, broadcast_dimensions):
    """lax.broadcast_in_dim: place operand's dims at `broadcast_dimensions` of an array of `shape`."""
    (operand,) = operands(operand)
    shape, broadcast_dimensions = tuple(int(s) for s in shape), tuple(int(d) for d in broadcast_dimensions)
    if operand.aval.shape == shape and broadcast_dimensions == tuple(range(len(shape))):
        return operand
    return broadcast_in_dim_p.bind(operand, shape=shape, broadcast_dimensions=broadcast_dimensions)


def broadcast(operand, sizes):
    """lax.broadcast: prepend dimensions of `sizes`."""
    (operand,) = operands(operand)
    n = len(sizes)
    return broadcast_in_dim(operand, tuple(sizes) + operand.aval.shape, tuple(range(n, n + operand.aval.ndim)))


def canonical_shape(shape):
    """A shape as a tuple of Python ints (accepting an int or any sequence of ints)."""
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    try:
        return tuple(int(operator_index(s)) for s in shape)
    except TypeError:
        raise TypeError(f"Shapes must be sequences of integers, got {shape!r}. (Shapes are static: they "
                        "cannot depend on traced values.)") from None


def full(shape, fill_value, dtype=None):
    """lax.full: an array of `shape` filled with `fill_value`."""
    from jaxlike.array import Array, as_operand, host_array
    from jaxlike.lax.elementwise import convert_element_type
    shape = canonical_shape(shape)
    fill = as_operand(fill_value)
    if fill.aval.shape != ():
        raise shape_error(f"full: fill_value must be a scalar, got shape {fill.aval.shape}.")
    if dtype is not None:
        dtype = dtypes.canonicalize_dtype(dtypes.check_user_dtype(dtype))
        if isinstance(fill, Array) and fill._host is not None:  # a constant: convert it on the host
            fill = host_array(fill._host.astype(dtype), dtype)
        else:
            fill = convert_element_type(fill, dtype)
    return broadcast_in_dim(fill, shape, ())


def full_like(x, fill_value, dtype=None, shape=None):
    """lax.full_like: like `x` (shape, dtype, weak type) filled with `fill_value`."""
    from jaxlike.core import get_aval
    aval = get_aval(x)
    out = full(aval.shape if shape is None else shape, fill_value, aval.dtype if dtype is None else dtype)
    if dtype is None and aval.weak_type:
        from jaxlike.lax.elementwise import convert_element_type
        out = convert_element_type(out, aval.dtype, weak_type=True)
    return out


# ---- reshape --------------------------------------------------------------------------------
reshape_p = Primitive("reshape")


@reshape_p.def_abstract_eval
def _reshape_abstract_eval(x, new_sizes, dimensions):
    if int(np.prod(new_sizes, dtype=np.int64)) != x.size:
        raise shape_error(f"reshape: cannot reshape array of shape {x.shape} (size {x.size}) into shape "
                          f"{new_sizes} (size {int(np.prod(new_sizes, dtype=np.int64))}).")
    if dimensions is not None:
        raise shape_error("reshape: the `dimensions` argument is not supported; transpose first.")
    return ShapedArray(new_sizes, x.dtype, x.weak_type)


def _reshape_batch(vals, dims, new_sizes, dimensions):
    (x,), (d,) = vals, dims
    x = batching.moveaxis(x, d, 0)
    return reshape_p.bind(x, new_sizes=(x.aval.shape[0],) + tuple(new_sizes), dimensions=None), 0


ad.deflinear(reshape_p, lambda ct, x, new_sizes, dimensions: [reshape(ct, x.aval.shape)])
reshape_p.batch = _reshape_batch


def reshape(operand, new_sizes, dimensions=None):
    """lax.reshape: same elements in row-major order, new shape."""
    (operand,) = operands(operand)
    new_sizes = tuple(int(s) for s in new_sizes)
    if dimensions is not None and tuple(dimensions) != tuple(range(operand.aval.ndim)):
        operand = transpose(operand, dimensions)
    if operand.aval.shape == new_sizes:
        return operand
    return reshape_p.bind(operand, new_sizes=new_sizes, dimensions=None)


# ---- transpose ------------------------------------------------------------------------------
transpose_p = Primitive("transpose")


@transpose_p.def_abstract_eval
def _transpose_abstract_eval(x, permutation):
    if sorted(permutation) != list(range(x.ndim)):
        raise shape_error(f"transpose permutation {permutation} is not a permutation of the axes of an array "
                          f"of shape {x.shape}.")
    return ShapedArray(tuple(x.shape[p] for p in permutation), x.dtype, x.weak_type)


def _transpose_transpose(ct, x, permutation):
    return [transpose(ct, tuple(np.argsort(permutation)))]


def _transpose_batch(vals, dims, permutation):
    (x,), (d,) = vals, dims
    perm = (d,) + tuple(p if p < d else p + 1 for p in permutation)
    return transpose_p.bind(x, permutation=perm), 0


ad.deflinear(transpose_p, _transpose_transpose)
transpose_p.batch = _transpose_batch


def transpose(operand, permutation):
    """lax.transpose: permute the axes."""
    (operand,) = operands(operand)
    permutation = tuple(int(p) for p in permutation)
    if permutation == tuple(range(len(permutation))) and len(permutation) == operand.aval.ndim:
        return operand
    return transpose_p.bind(operand, permutation=permutation)


def _axis_error(message):
    """A ValueError naming the user's line (bad axis arguments; JAX raises ValueError for these)."""
    from jaxlike.source_info import user_line
    return ValueError(message + user_line())


def canonicalize_axis(name, axis, ndim):
    """`axis` in [0, ndim), accepting negative axes; an error naming the axis and the rank otherwise."""
    axis = operator_index(axis)
    if not -ndim <= axis < ndim:
        raise _axis_error(f"{name}: axis {axis} is out of bounds for an array of rank {ndim}.")
    return axis % ndim


def canonicalize_axes(name, axes, ndim):
    """A tuple of distinct axes in [0, ndim)."""
    if isinstance(axes, (int, np.integer)):
        axes = (axes,)
    out = tuple(canonicalize_axis(name, a, ndim) for a in axes)
    if len(set(out)) != len(out):
        raise _axis_error(f"{name}: duplicate axes {tuple(axes)}.")
    return out


# ---- iota -----------------------------------------------------------------------------------
iota_p = Primitive("iota")


@iota_p.def_abstract_eval
def _iota_abstract_eval(*, dtype, shape, dimension):
    if dtypes.kind(dtype) not in "iufc":
        raise shape_error(f"iota does not accept dtype {np.dtype(dtype).name}; it accepts numeric types.")
    if any(s < 0 for s in shape):
        raise shape_error(f"iota: shape {shape} has negative dimensions.")
    if not 0 <= dimension < len(shape):
        raise _axis_error(f"iota: dimension {dimension} is out of bounds for shape {shape}.")
    return ShapedArray(shape, dtype)


ad.defnondifferentiable(iota_p)
iota_p.batch = lambda vals, dims, **params: (iota_p.bind(**params), None)  # no operands: never batched


def broadcasted_iota(dtype, shape, dimension):
    """lax.broadcasted_iota: 0, 1, 2, ... along `dimension` of an array of `shape`."""
    dtype = dtypes.canonicalize_dtype(dtypes.check_user_dtype(dtype))
    shape = canonical_shape(shape)
    dimension = canonicalize_axis("broadcasted_iota", dimension, len(shape))
    return iota_p.bind(dtype=dtype, shape=shape, dimension=dimension)


def iota(dtype, size):
    """lax.iota: the vector 0, 1, ..., size-1 of `dtype`."""
    return broadcasted_iota(dtype, (operator_index(size),), 0)


# ---- squeeze / expand_dims / collapse --------------------------------------------------------
squeeze_p = Primitive("squeeze")


@squeeze_p.def_abstract_eval
def _squeeze_abstract_eval(x, dimensions):
    for d in dimensions:
        if x.shape[d] != 1:
            raise _axis_error(f"squeeze: cannot squeeze out axis {d} of an array of shape {x.shape}: its size is "
                              f"{x.shape[d]}, not 1.")
    return ShapedArray(tuple(s for i, s in enumerate(x.shape) if i not in dimensions), x.dtype, x.weak_type)


def _squeeze_batch(vals, dims, dimensions):
    (x,), (d,) = vals, dims
    shifted = tuple(a + (a >= d) for a in dimensions)  # the batch axis stays where it is
    return squeeze_p.bind(x, dimensions=shifted), d - sum(a < d for a in shifted)


ad.deflinear(squeeze_p, lambda ct, x, dimensions: [reshape(ct, x.aval.shape)])
squeeze_p.batch = _squeeze_batch


def squeeze(array, dimensions):
    """lax.squeeze: remove the size-1 axes `dimensions`."""
    (array,) = operands(array)
    dimensions = tuple(sorted(canonicalize_axes("squeeze", dimensions, array.aval.ndim)))
    if not dimensions:
        return array
    return squeeze_p.bind(array, dimensions=dimensions)


def expand_dims(array, dimensions):
    """lax.expand_dims: insert size-1 axes at `dimensions` (positions in the result)."""
    (array,) = operands(array)
    out_ndim = array.aval.ndim + len(dimensions)
    dims = sorted(canonicalize_axes("expand_dims", dimensions, out_ndim))
    shape = list(array.aval.shape)
    for d in dims:
        shape.insert(d, 1)
    return reshape(array, shape)


def collapse(operand, start_dimension, stop_dimension=None):
    """lax.collapse: merge axes [start_dimension, stop_dimension) into one."""
    (operand,) = operands(operand)
    shape = operand.aval.shape
    stop = len(shape) if stop_dimension is None else stop_dimension
    start, stop = slice(start_dimension, stop).indices(len(shape))[:2]
    size = int(np.prod(shape[start:stop], dtype=np.int64))
    return reshape(operand, shape[:start] + (size,) + shape[stop:])


def broadcast_to_rank(x, rank):
    """lax.broadcast_to_rank: prepend size-1 axes up to `rank`."""
    (x,) = operands(x)
    ndim = x.aval.ndim
    if ndim > rank:
        raise shape_error(f"broadcast_to_rank: an array of rank {ndim} cannot be broadcast to rank {rank}.")
    return reshape(x, (1,) * (rank - ndim) + x.aval.shape)


# ---- rev ------------------------------------------------------------------------------------
rev_p = Primitive("rev")


@rev_p.def_abstract_eval
def _rev_abstract_eval(x, dimensions):
    return x


def _rev_batch(vals, dims, dimensions):
    (x,), (d,) = vals, dims
    return rev_p.bind(x, dimensions=tuple(a + (a >= d) for a in dimensions)), d


ad.deflinear(rev_p, lambda ct, x, dimensions: [rev(ct, dimensions)])
rev_p.batch = _rev_batch


def rev(operand, dimensions):
    """lax.rev: reverse the order of elements along `dimensions`."""
    (operand,) = operands(operand)
    dimensions = tuple(sorted(canonicalize_axes("rev", dimensions, operand.aval.ndim)))
    if not dimensions:
        return operand
    return rev_p.bind(operand, dimensions=dimensions)


# ---- concatenate ----------------------------------------------------------------------------
concatenate_p = Primitive("concatenate")


@concatenate_p.def_abstract_eval
def _concatenate_abstract_eval(*xs, dimension):
    if not xs:
        raise shape_error("concatenate requires at least one operand.")
    first = xs[0]
    if not 0 <= dimension < first.ndim:
        raise _axis_error(f"concatenate: dimension {dimension} is out of bounds for operands of rank {first.ndim}.")
    shapes = ", ".join(str(x.shape) for x in xs)
    if any(x.dtype != first.dtype for x in xs):
        raise shape_error(f"concatenate requires operands of the same dtype, got "
                          f"{', '.join(x.dtype.name for x in xs)}.")
    for x in xs:
        if x.ndim != first.ndim or any(a != b for i, (a, b) in enumerate(zip(x.shape, first.shape))
                                       if i != dimension):
            raise shape_error(f"concatenate: operand shapes must be equal except along dimension {dimension}, "
                              f"got shapes {shapes}.")
    size = sum(x.shape[dimension] for x in xs)
    shape = first.shape[:dimension] + (size,) + first.shape[dimension + 1:]
    return ShapedArray(shape, first.dtype, all(x.weak_type for x in xs))


def _concatenate_transpose(ct, *xs, dimension):
    out, start = [], 0
    for x in xs:
        size = x.aval.shape[dimension]
        if ad.is_undefined_primal(x):
            out.append(None if type(ct) is ad.Zero else slice_axis(ct, dimension, start, start + size))
        else:
            out.append(None)
        start += size
    return out


def _concatenate_batch(vals, dims, dimension):
    size = batching.axis_size_of(vals, dims)
    xs = [batching.bdim_at_front(x, d, size) for x, d in zip(vals, dims)]
    return concatenate_p.bind(*xs, dimension=dimension + 1), 0


ad.deflinear(concatenate_p, _concatenate_transpose)
concatenate_p.batch = _concatenate_batch


def concatenate(operands, dimension):  # noqa: F811 (JAX's parameter name shadows the helper here)
    """lax.concatenate: join arrays of equal dtype along `dimension`."""
    xs = _as_operands(*operands)
    if not xs:
        raise shape_error("concatenate requires at least one operand.")
    dimension = canonicalize_axis("concatenate", dimension, xs[0].aval.ndim)
    if len(xs) == 1:
        return xs[0]
    return concatenate_p.bind(*xs, dimension=dimension)


# ---- pad ------------------------------------------------------------------------------------
pad_p = Primitive("pad")


def _padded_size(size, low, high, interior):
    return low + high + size + max(size - 1, 0) * interior


@pad_p.def_abstract_eval
def _pad_abstract_eval(x, padding_value, padding_config):
    if padding_value.shape != ():
        raise shape_error(f"pad: padding_value must be a scalar, got shape {padding_value.shape}.")
    if padding_value.dtype != x.dtype:
        raise shape_error(f"pad: operand and padding_value must have the same dtype, got {x.dtype.name} and "
                          f"{padding_value.dtype.name}.")
    if len(padding_config) != x.ndim:
        raise shape_error(f"pad: padding_config {padding_config} must have one (low, high, interior) triple per "
                          f"dimension of the operand (shape {x.shape}).")
    if any(interior < 0 for _, _, interior in padding_config):
        raise shape_error(f"pad: interior padding must be nonnegative, got padding_config {padding_config}.")
    shape = tuple(_padded_size(s, *cfg) for s, cfg in zip(x.shape, padding_config))
    if any(s < 0 for s in shape):
        raise shape_error(f"pad: padding_config {padding_config} applied to shape {x.shape} gives the negative "
                          f"shape {shape}.")
    return ShapedArray(shape, x.dtype, x.weak_type)


def _pad_transpose(ct, x, padding_value, padding_config):
    from jaxlike.lax.elementwise import sub
    from jaxlike.lax.reductions import reduce_sum
    if type(ct) is ad.Zero:
        return [None, None]
    ct_x = _unpad(ct, padding_config)
    ct_pad = None
    if ad.is_undefined_primal(padding_value):  # every output element not from the operand came from the value
        every = tuple(range(ct.aval.ndim))
        ct_pad = sub(reduce_sum(ct, every), reduce_sum(ct_x, every))
    return [ct_x if ad.is_undefined_primal(x) else None, ct_pad]


def _unpad(ct, padding_config):
    """The part of a pad's cotangent that came from the operand: undo edges, then take every (interior+1)-th."""
    undo = tuple((-low, -high, 0) for low, high, _ in padding_config)
    ct = pad(ct, _zero_scalar(ct.aval.dtype), undo)  # cut edges are zero cotangent; negative edges are cut
    for axis, (_, _, interior) in enumerate(padding_config):
        if interior:
            ct = slice_axis(ct, axis, 0, ct.aval.shape[axis], interior + 1)
    return ct


def _pad_batch(vals, dims, padding_config):
    from jaxlike.lax.elementwise import select
    (x, value), (xd, vd) = vals, dims
    size = batching.axis_size_of(vals, dims)
    x = batching.bdim_at_front(x, xd, size)
    config = ((0, 0, 0),) + tuple(padding_config)
    if vd is None:
        return pad_p.bind(x, value, padding_config=config), 0
    # A per-example padding value: pad with zeros, then select the value where the padding is.
    padded = pad_p.bind(x, _zero_scalar(x.aval.dtype), padding_config=config)
    ones = full(x.aval.shape, True, np.bool_)
    mask = pad_p.bind(ones, _zero_scalar(np.bool_), padding_config=config)
    values = broadcast_in_dim(value, padded.aval.shape, (0,))
    return select(mask, padded, values), 0


ad.deflinear(pad_p, _pad_transpose)
pad_p.batch = _pad_batch


def pad(operand, padding_value, padding_config):
    """lax.pad: (low, high, interior) padding per axis with `padding_value`; negative low/high cut."""
    operand, padding_value = operands(operand, padding_value)
    config = tuple((operator_index(lo), operator_index(hi), operator_index(it)) for lo, hi, it in padding_config)
    if all(c == (0, 0, 0) for c in config) and len(config) == operand.aval.ndim:
        return operand
    return pad_p.bind(operand, padding_value, padding_config=config)


def _zero_scalar(dtype):
    return full((), 0, dtype)


def slice_axis(x, axis, start, stop, stride=1):
    """x[..., start:stop:stride, ...] along one axis (0 <= start <= stop <= size), from pad and reshape."""
    ndim, size = x.aval.ndim, x.aval.shape[axis]
    if (start, stop) != (0, size):
        config = [(0, 0, 0)] * ndim
        config[axis] = (-start, stop - size, 0)
        x = pad(x, _zero_scalar(x.aval.dtype), config)
    if stride == 1:
        return x
    length = stop - start
    count = -(-length // stride)
    shape = x.aval.shape
    if count * stride != length:  # round up to whole groups of `stride`, then keep the first of each group
        config = [(0, 0, 0)] * ndim
        config[axis] = (0, count * stride - length, 0)
        x = pad(x, _zero_scalar(x.aval.dtype), config)
    x = reshape(x, shape[:axis] + (count, stride) + shape[axis + 1:])
    config = [(0, 0, 0)] * (ndim + 1)
    config[axis + 1] = (0, 1 - stride, 0)
    x = pad(x, _zero_scalar(x.aval.dtype), config)
    return reshape(x, shape[:axis] + (count,) + shape[axis + 1:])
