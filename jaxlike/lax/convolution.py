"""conv_general_dilated: N-d convolution with strides, padding, dilations and feature/batch groups.

Like a dot_general, a convolution is bilinear: its JVP is two convolutions, and its transposes
are convolutions too. The cotangent of the input convolves the output cotangent with the kernel
flipped in space (input and output features swapped, strides becoming input dilation); the
cotangent of the kernel convolves the input with the output cotangent, batch and feature roles
exchanged. vmap folds the mapped axis into the batch dimension or into the feature groups.
"""
import operator
from typing import NamedTuple

import numpy as np

from jaxlike import dtypes
from jaxlike.core import Primitive, ShapedArray
from jaxlike.lax.base import operands, shape_error
from jaxlike.lax.dot import canonicalize_precision
from jaxlike.transforms import ad, batching

__all__ = ['ConvDimensionNumbers', 'conv_dimension_numbers', 'conv_general_permutations', 'conv_general_dilated',
           'conv', 'conv_with_general_padding', 'conv_transpose', 'conv_general_shape_tuple', 'conv_shape_tuple',
           'conv_transpose_shape_tuple', 'conv_general_dilated_patches', 'padtype_to_pads',
           'conv_general_dilated_p']


class ConvDimensionNumbers(NamedTuple):
    """lax.ConvDimensionNumbers: where (batch, feature, *spatial) sit in lhs and out, (out, in, *spatial) in rhs."""

    lhs_spec: tuple
    rhs_spec: tuple
    out_spec: tuple


# ---- dimension numbers ------------------------------------------------------------------------
def conv_general_permutations(dimension_numbers):
    """lax.conv_general_permutations: the specs of string layouts like ('NHWC', 'HWIO', 'NHWC').

    Spatial dimensions pair up by letter, in the order they appear in the kernel's layout."""
    lhs, rhs, out = dimension_numbers
    for name, spec, pair in (("lhs", lhs, "NC"), ("rhs", rhs, "OI"), ("out", out, "NC")):
        if not isinstance(spec, str):
            raise TypeError(f"conv dimension_numbers must be three strings, got {dimension_numbers!r}.")
        if spec.count(pair[0]) != 1 or spec.count(pair[1]) != 1:
            raise TypeError(f"conv_general_dilated {name} spec must contain exactly one '{pair[0]}' and one "
                            f"'{pair[1]}', got {spec!r}.")
        if len(set(spec)) != len(spec):
            raise TypeError(f"conv_general_dilated {name} spec must not repeat a letter, got {spec!r}.")
    spatial = [set(lhs) - set("NC"), set(rhs) - set("OI"), set(out) - set("NC")]
    if not spatial[0] == spatial[1] == spatial[2]:
        raise TypeError(f"conv_general_dilated spatial dimensions must use the same letters in lhs, rhs and out, "
                        f"got {dimension_numbers!r}.")

    def spec_of(layout, pair):
        letters = [c for c in rhs if c not in "OI"]
        return (layout.index(pair[0]), layout.index(pair[1])) + tuple(layout.index(c) for c in letters)
    return spec_of(lhs, "NC"), spec_of(rhs, "OI"), spec_of(out, "NC")


def conv_dimension_numbers(lhs_shape, rhs_shape, dimension_numbers):
    """lax.conv_dimension_numbers: a ConvDimensionNumbers from None (NC..., OI..., NC...), strings or specs."""
    ndim = len(lhs_shape)
    if len(rhs_shape) != ndim:
        raise TypeError(f"conv_general_dilated lhs and rhs must have the same rank, got lhs shape {tuple(lhs_shape)} "
                        f"and rhs shape {tuple(rhs_shape)}.")
    if ndim < 2:
        raise TypeError(f"conv_general_dilated needs operands of rank at least 2, got lhs shape {tuple(lhs_shape)}.")
    if dimension_numbers is None:
        default = tuple(range(ndim))
        return ConvDimensionNumbers(default, default, default)
    if isinstance(dimension_numbers, ConvDimensionNumbers):
        specs = dimension_numbers
    elif len(dimension_numbers) == 3 and all(isinstance(s, str) for s in dimension_numbers):
        for spec in dimension_numbers:
            if len(spec) != ndim:
                raise TypeError(f"conv_general_dilated layout {spec!r} has {len(spec)} letters but the operands "
                                f"have rank {ndim} (lhs shape {tuple(lhs_shape)}, rhs shape {tuple(rhs_shape)}).")
        specs = conv_general_permutations(dimension_numbers)
    elif len(dimension_numbers) == 3:
        specs = dimension_numbers
    else:
        raise TypeError(f"conv dimension_numbers must be None, a ConvDimensionNumbers or a triple of layout "
                        f"strings, got {dimension_numbers!r}.")
    specs = ConvDimensionNumbers(*(tuple(operator.index(d) for d in spec) for spec in specs))
    for name, spec in zip(("lhs_spec", "rhs_spec", "out_spec"), specs):
        if sorted(spec) != list(range(ndim)):
            raise TypeError(f"conv_general_dilated {name} {spec} must be a permutation of range({ndim}).")
    return specs


# ---- shapes and padding -------------------------------------------------------------------------
def _dilate(size, dilation):
    return 0 if size == 0 else 1 + dilation * (size - 1)


def _window_output_size(size, window, stride):
    """Positions of a window of `window` elements in `size` elements at `stride` (0 if it does not fit)."""
    return 0 if size < window else (size - window) // stride + 1


def padtype_to_pads(in_shape, window_shape, window_strides, padding):
    """lax.padtype_to_pads: explicit (low, high) pairs for 'VALID', 'SAME' or 'SAME_LOWER' padding."""
    if not isinstance(padding, str):
        return tuple((operator.index(lo), operator.index(hi)) for lo, hi in padding)
    kind = padding.upper()
    if kind == "VALID":
        return ((0, 0),) * len(in_shape)
    if kind not in ("SAME", "SAME_LOWER"):
        raise ValueError(f"Unknown padding type {padding!r}: expected 'SAME', 'SAME_LOWER', 'VALID' or a sequence "
                         "of (low, high) pairs.")
    pads = []
    for size, window, stride in zip(in_shape, window_shape, window_strides):
        out = -(-size // stride)
        total = max(0, (out - 1) * stride + window - size)
        small, large = total // 2, total - total // 2
        pads.append((small, large) if kind == "SAME" else (large, small))
    return tuple(pads)


def _spatial(shape, spec):
    return tuple(shape[d] for d in spec[2:])


def conv_general_shape_tuple(lhs_shape, rhs_shape, window_strides, padding, dimension_numbers):
    """lax.conv_general_shape_tuple: the output shape of an undilated conv_general_dilated."""
    dnums = conv_dimension_numbers(lhs_shape, rhs_shape, dimension_numbers)
    n = len(lhs_shape) - 2
    padding = padtype_to_pads(_spatial(lhs_shape, dnums.lhs_spec), _spatial(rhs_shape, dnums.rhs_spec),
                              window_strides, padding)
    return _conv_output_shape(lhs_shape, rhs_shape, tuple(window_strides), padding, (1,) * n, (1,) * n, dnums, 1)


def conv_shape_tuple(lhs_shape, rhs_shape, strides, pads, batch_group_count=1):
    """lax.conv_shape_tuple: the output shape of lax.conv in NC.../OI... layout."""
    ndim = len(lhs_shape)
    dnums = conv_dimension_numbers(lhs_shape, rhs_shape, None)
    pads = padtype_to_pads(lhs_shape[2:], rhs_shape[2:], strides, pads)
    return _conv_output_shape(lhs_shape, rhs_shape, tuple(strides), pads, (1,) * (ndim - 2), (1,) * (ndim - 2), dnums,
                              batch_group_count)


def conv_transpose_shape_tuple(lhs_shape, rhs_shape, window_strides, padding, dimension_numbers):
    """lax.conv_transpose_shape_tuple: the output shape of a transposed convolution with explicit padding."""
    dnums = conv_dimension_numbers(lhs_shape, rhs_shape, dimension_numbers)
    spatial = []
    for size, k, s, (lo, hi) in zip(_spatial(lhs_shape, dnums.lhs_spec), _spatial(rhs_shape, dnums.rhs_spec),
                                    window_strides, padding):
        spatial.append(max(0, s * (size - 1) + 1 + lo + hi - k + 1))
    out = [0] * len(lhs_shape)
    out[dnums.out_spec[0]] = lhs_shape[dnums.lhs_spec[0]]
    out[dnums.out_spec[1]] = rhs_shape[dnums.rhs_spec[0]]
    for d, size in zip(dnums.out_spec[2:], spatial):
        out[d] = size
    return tuple(out)


def _conv_output_shape(lhs_shape, rhs_shape, strides, padding, lhs_dilation, rhs_dilation, dnums, batch_group_count):
    lhs_spec, rhs_spec, out_spec = dnums
    out = [0] * len(lhs_shape)
    out[out_spec[0]] = lhs_shape[lhs_spec[0]] // batch_group_count
    out[out_spec[1]] = rhs_shape[rhs_spec[0]]
    for i, d in enumerate(out_spec[2:]):
        lo, hi = padding[i]
        size = _dilate(lhs_shape[lhs_spec[2 + i]], lhs_dilation[i]) + lo + hi
        window = _dilate(rhs_shape[rhs_spec[2 + i]], rhs_dilation[i])
        out[d] = _window_output_size(size, window, strides[i])
    return tuple(out)


# ---- the primitive ----------------------------------------------------------------------------------
conv_general_dilated_p = Primitive("conv_general_dilated")


def _check_conv(lhs, rhs, window_strides, padding, lhs_dilation, rhs_dilation, dnums, feature_group_count,
                batch_group_count):
    shapes = f"(lhs shape {lhs.shape}, rhs shape {rhs.shape})"
    if lhs.ndim != rhs.ndim or lhs.ndim < 2:
        raise shape_error(f"conv_general_dilated needs lhs and rhs of equal rank >= 2 {shapes}.")
    n = lhs.ndim - 2
    for name, values in (("window_strides", window_strides), ("padding", padding), ("lhs_dilation", lhs_dilation),
                         ("rhs_dilation", rhs_dilation)):
        if len(values) != n:
            raise shape_error(f"conv_general_dilated {name} must have one entry per spatial dimension ({n}), got "
                              f"{values} {shapes}.")
    for name, values in (("window_strides", window_strides), ("lhs_dilation", lhs_dilation),
                         ("rhs_dilation", rhs_dilation)):
        if any(v < 1 for v in values):
            raise shape_error(f"conv_general_dilated {name} must be positive, got {values}.")
    if feature_group_count < 1 or batch_group_count < 1:
        raise shape_error(f"conv_general_dilated feature_group_count and batch_group_count must be positive, got "
                          f"{feature_group_count} and {batch_group_count}.")
    if feature_group_count > 1 and batch_group_count > 1:
        raise shape_error(f"conv_general_dilated takes at most one of feature_group_count > 1 and "
                          f"batch_group_count > 1, got {feature_group_count} and {batch_group_count}.")
    lhs_spec, rhs_spec, _ = dnums
    batch, features = lhs.shape[lhs_spec[0]], lhs.shape[lhs_spec[1]]
    out_features, in_features = rhs.shape[rhs_spec[0]], rhs.shape[rhs_spec[1]]
    if features % feature_group_count or features // feature_group_count != in_features:
        raise shape_error(f"conv_general_dilated lhs feature dimension size divided by feature_group_count must "
                          f"equal the rhs input feature dimension size, got {features} // {feature_group_count} "
                          f"!= {in_features} {shapes}.")
    for name, count in (("feature_group_count", feature_group_count), ("batch_group_count", batch_group_count)):
        if out_features % count:
            raise shape_error(f"conv_general_dilated rhs output feature dimension size ({out_features}) must be a "
                              f"multiple of {name} ({count}) {shapes}.")
    if batch % batch_group_count:
        raise shape_error(f"conv_general_dilated lhs batch dimension size ({batch}) must be a multiple of "
                          f"batch_group_count ({batch_group_count}) {shapes}.")
    if lhs.dtype != rhs.dtype:
        raise shape_error(f"conv_general_dilated requires lhs and rhs to have the same dtype, got "
                          f"{lhs.dtype.name} and {rhs.dtype.name}. (Convert one of them explicitly.)")
    if dtypes.kind(lhs.dtype) not in "iufc":
        raise shape_error(f"conv_general_dilated does not accept dtype {lhs.dtype.name}.")


@conv_general_dilated_p.def_abstract_eval
def _conv_abstract_eval(lhs, rhs, *, window_strides, padding, lhs_dilation, rhs_dilation, dimension_numbers,
                        feature_group_count, batch_group_count, precision, preferred_element_type):
    _check_conv(lhs, rhs, window_strides, padding, lhs_dilation, rhs_dilation, dimension_numbers,
                feature_group_count, batch_group_count)
    shape = _conv_output_shape(lhs.shape, rhs.shape, window_strides, padding, lhs_dilation, rhs_dilation,
                               dimension_numbers, batch_group_count)
    dtype = lhs.dtype if preferred_element_type is None else np.dtype(preferred_element_type)
    weak = lhs.weak_type and rhs.weak_type and preferred_element_type is None
    return ShapedArray(shape, dtype, weak)


# ---- transposes ---------------------------------------------------------------------------------------
def _swap_first_two(spec):
    return (spec[1], spec[0]) + tuple(spec[2:])


def _split_axis(x, axis, major):
    """Splits axis `axis` of x into (major, size // major) in place."""
    from jaxlike.lax.structural import reshape
    shape = list(x.aval.shape)
    shape[axis:axis + 1] = [major, shape[axis] // major]
    return reshape(x, tuple(shape))


def _merge_axis_into(x, src, dst):
    """Removes axis `src` and folds it into axis `dst` (numbered without `src`) as its major part."""
    from jaxlike.lax.structural import reshape, transpose
    ndim = x.aval.ndim
    perm = [i for i in range(ndim) if i != src]
    perm.insert(dst, src)
    x = transpose(x, tuple(perm))
    shape = list(x.aval.shape)
    shape[dst:dst + 2] = [shape[dst] * shape[dst + 1]]
    return reshape(x, tuple(shape))


def _as_dtype(x, dtype):
    from jaxlike.lax.elementwise import convert_element_type
    return x if x.aval.dtype == dtype else convert_element_type(x, dtype)


def _lhs_transpose_padding(in_sizes, kernel_sizes, strides, out_sizes, padding, lhs_dilation, rhs_dilation):
    """Padding that makes a stride-1 conv of the (stride-dilated) cotangent land back on the input."""
    pads = []
    for size, k, s, out, (lo, _), ld, rd in zip(in_sizes, kernel_sizes, strides, out_sizes, padding, lhs_dilation,
                                                rhs_dilation):
        before = _dilate(k, rd) - lo - 1
        after = _dilate(size, ld) + _dilate(k, rd) - 1 - _dilate(out, s) - before
        pads.append((before, after))
    return tuple(pads)


def _rhs_transpose_padding(in_sizes, kernel_sizes, strides, out_sizes, padding, lhs_dilation, rhs_dilation):
    """Padding that makes the input convolved with the cotangent come out the kernel's size."""
    pads = []
    for size, k, s, out, (lo, _), ld, rd in zip(in_sizes, kernel_sizes, strides, out_sizes, padding, lhs_dilation,
                                                rhs_dilation):
        pads.append((lo, _dilate(out, s) - _dilate(size, ld) + _dilate(k, rd) - lo - 1))
    return tuple(pads)


def _conv_transpose_lhs(ct, lhs, rhs, *, window_strides, padding, lhs_dilation, rhs_dilation, dimension_numbers,
                        feature_group_count, batch_group_count, precision, preferred_element_type):
    from jaxlike.lax.structural import rev
    if type(ct) is ad.Zero:
        return None
    lhs_aval = lhs.aval
    lhs_spec, rhs_spec, out_spec = dimension_numbers
    ct = _as_dtype(ct, rhs.aval.dtype)
    groups = max(feature_group_count, batch_group_count)
    kernel = rhs
    if groups > 1:  # the transposed kernel's output features are (group, input feature)
        kernel = _split_axis(kernel, rhs_spec[0], groups)
        kernel = _merge_axis_into(kernel, rhs_spec[0], rhs_spec[1])
    padding_t = _lhs_transpose_padding(_spatial(lhs_aval.shape, lhs_spec), _spatial(kernel.aval.shape, rhs_spec),
                                       window_strides, _spatial(ct.aval.shape, out_spec), padding, lhs_dilation,
                                       rhs_dilation)
    out = conv_general_dilated_p.bind(
        ct, rev(kernel, tuple(rhs_spec[2:])), window_strides=lhs_dilation, padding=padding_t,
        lhs_dilation=window_strides, rhs_dilation=rhs_dilation,
        dimension_numbers=ConvDimensionNumbers(out_spec, _swap_first_two(rhs_spec), lhs_spec),
        feature_group_count=groups, batch_group_count=1, precision=precision,
        preferred_element_type=preferred_element_type)
    if batch_group_count > 1:  # features came out as (group, feature): the groups belong to the batch
        out = _split_axis(out, lhs_spec[1], batch_group_count)
        out = _merge_axis_into(out, lhs_spec[1], lhs_spec[0])
    return _as_dtype(out, lhs_aval.dtype)


def _conv_transpose_rhs(ct, lhs, rhs, *, window_strides, padding, lhs_dilation, rhs_dilation, dimension_numbers,
                        feature_group_count, batch_group_count, precision, preferred_element_type):
    from jaxlike.lax.structural import full
    if type(ct) is ad.Zero:
        return None
    rhs_aval = rhs.aval
    if ct.aval.size == 0:
        return full(rhs_aval.shape, 0, rhs_aval.dtype)
    lhs_spec, rhs_spec, out_spec = dimension_numbers
    ct = _as_dtype(ct, lhs.aval.dtype)
    # Feature groups of the forward conv become batch groups of this one, and vice versa.
    padding_t = _rhs_transpose_padding(_spatial(lhs.aval.shape, lhs_spec), _spatial(rhs_aval.shape, rhs_spec),
                                       window_strides, _spatial(ct.aval.shape, out_spec), padding, lhs_dilation,
                                       rhs_dilation)
    out = conv_general_dilated_p.bind(
        lhs, ct, window_strides=rhs_dilation, padding=padding_t, lhs_dilation=lhs_dilation,
        rhs_dilation=window_strides,
        dimension_numbers=ConvDimensionNumbers(_swap_first_two(lhs_spec), _swap_first_two(out_spec),
                                               _swap_first_two(rhs_spec)),
        feature_group_count=batch_group_count, batch_group_count=feature_group_count, precision=precision,
        preferred_element_type=preferred_element_type)
    return _as_dtype(out, rhs_aval.dtype)


ad.defbilinear(conv_general_dilated_p, _conv_transpose_lhs, _conv_transpose_rhs)


# ---- batching ------------------------------------------------------------------------------------------
def _fold_in(x, bdim, axis, groups=1):
    """Moves the batch axis `bdim` of x into `axis` (numbered without it), inside each of `groups` groups."""
    from jaxlike.lax.structural import reshape, transpose
    x = batching.moveaxis(x, bdim, 0)
    size = x.aval.shape[0]
    if groups == 1:
        return _merge_axis_into(x, 0, axis)
    x = _split_axis(x, axis + 1, groups)  # (B, ..., G, S/G, ...)
    perm = list(range(1, x.aval.ndim))
    perm.insert(axis + 1, 0)  # (..., G, B, S/G, ...)
    x = transpose(x, tuple(perm))
    shape = list(x.aval.shape)
    shape[axis:axis + 3] = [shape[axis] * size * shape[axis + 2]]
    return reshape(x, tuple(shape))


def _fold_out(x, axis, size, groups=1):
    """Inverse of _fold_in: splits the batch of `size` out of `axis` and returns x with it first."""
    from jaxlike.lax.structural import reshape
    shape = list(x.aval.shape)
    inner = shape[axis] // (groups * size)
    shape[axis:axis + 1] = [groups, size, inner]
    x = reshape(x, tuple(shape))
    x = batching.moveaxis(x, axis + 1, 0)
    shape = list(x.aval.shape)
    shape[axis + 1:axis + 3] = [groups * inner]
    return reshape(x, tuple(shape))


def _conv_batch(vals, dims, **params):
    (lhs, rhs), (ld, rd) = vals, dims
    lhs_spec, rhs_spec, out_spec = params["dimension_numbers"]
    fgc, bgc = params["feature_group_count"], params["batch_group_count"]
    size = batching.axis_size_of(vals, dims)
    bind = conv_general_dilated_p.bind
    if ld is not None and rd is not None:
        # Each example is its own group: stack the groups (and the kernels' output features) example-major.
        rhs = _fold_in(rhs, rd, rhs_spec[0])
        if bgc > 1:
            lhs = _fold_in(lhs, ld, lhs_spec[0])
            out = bind(lhs, rhs, **dict(params, batch_group_count=bgc * size))
        else:
            lhs = _fold_in(lhs, ld, lhs_spec[1])
            out = bind(lhs, rhs, **dict(params, feature_group_count=fgc * size))
        return _fold_out(out, out_spec[1], size), 0
    if ld is not None:
        out = bind(_fold_in(lhs, ld, lhs_spec[0], bgc), rhs, **params)
        return _fold_out(out, out_spec[0], size), 0
    groups = max(fgc, bgc)
    out = bind(lhs, _fold_in(rhs, rd, rhs_spec[0], groups), **params)
    return _fold_out(out, out_spec[1], size, groups), 0


conv_general_dilated_p.batch = _conv_batch


# ---- public functions -------------------------------------------------------------------------------------
def _ints(values, n, default=1):
    if values is None:
        return (default,) * n
    return tuple(operator.index(v) for v in values)


def _canonical_padding(padding, lhs_shape, rhs_shape, dnums, strides, lhs_dilation, rhs_dilation):
    n = len(lhs_shape) - 2
    if isinstance(padding, str):
        if any(d != 1 for d in lhs_dilation):
            raise ValueError(f"conv_general_dilated: string padding {padding!r} is not defined with lhs_dilation "
                             f"{lhs_dilation}; give explicit (low, high) padding, or use lax.conv_transpose.")
        kernel = tuple(_dilate(k, d) for k, d in zip(_spatial(rhs_shape, dnums.rhs_spec), rhs_dilation))
        return padtype_to_pads(_spatial(lhs_shape, dnums.lhs_spec), kernel, strides, padding)
    try:
        pads = tuple((operator.index(lo), operator.index(hi)) for lo, hi in padding)
    except (TypeError, ValueError):
        raise ValueError(f"conv padding must be 'SAME', 'SAME_LOWER', 'VALID' or a sequence of {n} (low, high) "
                         f"integer pairs, got {padding!r}.") from None
    if len(pads) != n:
        raise ValueError(f"conv padding must have one (low, high) pair per spatial dimension ({n}), got {padding!r}.")
    return pads


def conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation=None, rhs_dilation=None,
                         dimension_numbers=None, feature_group_count=1, batch_group_count=1, precision=None,
                         preferred_element_type=None):
    """lax.conv_general_dilated: N-d convolution (cross-correlation) with strides, padding, input and kernel
    dilation, layouts given by dimension_numbers, and feature or batch groups."""
    lhs, rhs = operands(lhs, rhs)
    lhs_shape, rhs_shape = lhs.aval.shape, rhs.aval.shape
    dnums = conv_dimension_numbers(lhs_shape, rhs_shape, dimension_numbers)
    n = len(lhs_shape) - 2
    strides, lhs_dilation, rhs_dilation = _ints(window_strides, n), _ints(lhs_dilation, n), _ints(rhs_dilation, n)
    if len(rhs_dilation) == n and len(strides) == n:
        padding = _canonical_padding(padding, lhs_shape, rhs_shape, dnums, strides, lhs_dilation, rhs_dilation)
    if preferred_element_type is not None:
        preferred_element_type = dtypes.canonicalize_dtype(dtypes.check_user_dtype(preferred_element_type))
    return conv_general_dilated_p.bind(
        lhs, rhs, window_strides=strides, padding=tuple(padding), lhs_dilation=lhs_dilation,
        rhs_dilation=rhs_dilation, dimension_numbers=dnums, feature_group_count=operator.index(feature_group_count),
        batch_group_count=operator.index(batch_group_count), precision=canonicalize_precision(precision),
        preferred_element_type=preferred_element_type)


def conv(lhs, rhs, window_strides, padding, precision=None, preferred_element_type=None):
    """lax.conv: convolution in NC.../OI... layout with strides and 'SAME'/'VALID' or explicit padding."""
    return conv_general_dilated(lhs, rhs, window_strides, padding, precision=precision,
                                preferred_element_type=preferred_element_type)


def conv_with_general_padding(lhs, rhs, window_strides, padding, lhs_dilation, rhs_dilation, precision=None,
                              preferred_element_type=None):
    """lax.conv_with_general_padding: lax.conv with explicit padding and input/kernel dilation."""
    return conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation=lhs_dilation,
                                rhs_dilation=rhs_dilation, precision=precision,
                                preferred_element_type=preferred_element_type)


_TRANSPOSE_LAYOUTS = {2: ("NC", "IO", "NC"), 3: ("NHC", "HIO", "NHC"), 4: ("NHWC", "HWIO", "NHWC"),
                      5: ("NHWDC", "HWDIO", "NHWDC")}


def _conv_transpose_padding(kernel, stride, padding):
    """The padding of the fractionally strided conv meant by a forward conv's 'SAME', 'VALID' or (lo, hi) padding."""
    if padding == "SAME":
        total = kernel + stride - 2
        before = kernel - 1 if stride > kernel - 1 else -(-total // 2)
    elif padding == "VALID":
        total = kernel + stride - 2 + max(kernel - stride, 0)
        before = kernel - 1
    elif isinstance(padding, tuple):  # the forward conv's (lo, hi): pad by what the kernel overhangs
        before, after = kernel - padding[0] - 1, kernel - padding[1] - 1
        total = before + after
    else:
        raise ValueError(f"conv_transpose padding must be 'SAME', 'VALID' or explicit pairs, got {padding!r}.")
    return before, total - before


def conv_transpose(lhs, rhs, strides, padding, rhs_dilation=None, dimension_numbers=None, transpose_kernel=False,
                   precision=None, preferred_element_type=None, use_consistent_padding=False):
    """lax.conv_transpose: the 'deconvolution' (gradient of a strided conv), as a fractionally strided conv;
    with transpose_kernel the kernel is flipped and its in/out features swapped, as in that gradient."""
    from jaxlike.lax.structural import rev, transpose
    lhs, rhs = operands(lhs, rhs)
    ndim = lhs.aval.ndim
    if dimension_numbers is None:
        if ndim not in _TRANSPOSE_LAYOUTS:
            raise ValueError(f"conv_transpose has no default layout for rank-{ndim} operands; pass dimension_numbers.")
        dimension_numbers = _TRANSPOSE_LAYOUTS[ndim]
    dnums = conv_dimension_numbers(lhs.aval.shape, rhs.aval.shape, dimension_numbers)
    n = ndim - 2
    rhs_dilation = _ints(rhs_dilation, n)
    if use_consistent_padding or isinstance(padding, str):
        kernel = [_dilate(k, d) for k, d in zip(_spatial(rhs.aval.shape, dnums.rhs_spec), rhs_dilation)]
        forward = [padding.upper()] * n if isinstance(padding, str) else [tuple(p) for p in padding]
        padding = tuple(_conv_transpose_padding(k, s, p) for k, s, p in zip(kernel, strides, forward))
    if transpose_kernel:
        rhs = rev(rhs, tuple(dnums.rhs_spec[2:]))
        perm = list(range(ndim))
        perm[dnums.rhs_spec[0]], perm[dnums.rhs_spec[1]] = perm[dnums.rhs_spec[1]], perm[dnums.rhs_spec[0]]
        rhs = transpose(rhs, tuple(perm))
    return conv_general_dilated(lhs, rhs, (1,) * n, padding, lhs_dilation=strides, rhs_dilation=rhs_dilation,
                                dimension_numbers=dnums, precision=precision,
                                preferred_element_type=preferred_element_type)


def conv_general_dilated_patches(lhs, filter_shape, window_strides, padding, lhs_dilation=None, rhs_dilation=None,
                                 dimension_numbers=None, precision=None, preferred_element_type=None):
    """lax.conv_general_dilated_patches: the patches a conv with `filter_shape` would see, stacked along the
    feature dimension (input feature major, then filter positions), by a grouped conv with one-hot kernels."""
    from jaxlike.array import Array
    (lhs,) = operands(lhs)
    ndim = lhs.aval.ndim
    lhs_spec, _, out_spec = conv_dimension_numbers(lhs.aval.shape, lhs.aval.shape, dimension_numbers)
    features = lhs.aval.shape[lhs_spec[1]]
    window = int(np.prod(filter_shape))
    one_hot = np.eye(window, dtype=lhs.aval.dtype).reshape((window, 1) + tuple(filter_shape))
    kernel = np.tile(one_hot, (features,) + (1,) * (ndim - 1))  # (features * window, 1, *filter_shape)
    kernel = Array._from_host(kernel, ShapedArray(kernel.shape, kernel.dtype))
    dnums = ConvDimensionNumbers(lhs_spec, tuple(range(ndim)), out_spec)
    return conv_general_dilated(lhs, kernel, window_strides, padding, lhs_dilation, rhs_dilation, dnums,
                                feature_group_count=features, precision=precision,
                                preferred_element_type=preferred_element_type)
