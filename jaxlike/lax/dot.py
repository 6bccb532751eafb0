"""dot_general: tensor contraction with batch dimensions, and lax.dot on top of it."""
import enum

import ml_dtypes
import numpy as np

from jaxlike import dtypes
from jaxlike.core import Primitive, ShapedArray
from jaxlike.lax.base import operands, shape_error
from jaxlike.transforms import ad, batching

__all__ = ['Precision', 'dot_general', 'dot']


class Precision(enum.Enum):
    """lax.Precision: how precisely XLA computes a contraction (DEFAULT, HIGH, HIGHEST)."""

    DEFAULT = 0
    HIGH = 1
    HIGHEST = 2

    @classmethod
    def _missing_(cls, value):
        names = {"default": cls.DEFAULT, "fastest": cls.DEFAULT, "bfloat16": cls.DEFAULT,
                 "high": cls.HIGH, "bfloat16_3x": cls.HIGH, "tensorfloat32": cls.HIGH,
                 "highest": cls.HIGHEST, "float32": cls.HIGHEST}
        if isinstance(value, str) and value.lower() in names:
            return names[value.lower()]
        return None

    def __repr__(self):
        return f"Precision.{self.name}"


def canonicalize_precision(precision):
    """None, or a pair of Precisions (one per operand), from None, one precision or a pair."""
    if precision is None:
        return None
    if isinstance(precision, (Precision, str)):
        p = Precision(precision)
        return (p, p)
    if isinstance(precision, (tuple, list)) and len(precision) == 2:
        return tuple(None if p is None else Precision(p) for p in precision)
    raise ValueError(f"precision argument must be None, a Precision, a string naming one, or a pair of them; "
                     f"got {precision!r}.")


# ---- shape and dtype rules ------------------------------------------------------------------
def _free_dims(ndim, contract, batch):
    return [i for i in range(ndim) if i not in contract and i not in batch]


def _check_dimension_numbers(lhs, rhs, dimension_numbers):
    (lc, rc), (lb, rb) = dimension_numbers
    shapes = f"(lhs shape {lhs.shape}, rhs shape {rhs.shape})"
    for side, aval, contract, batch in (("lhs", lhs, lc, lb), ("rhs", rhs, rc, rb)):
        if not all(0 <= d < aval.ndim for d in contract + batch):
            raise shape_error(f"dot_general requires {side} dimension numbers to be nonnegative and less than the "
                              f"rank of the {side}, got {side}_batch of {batch} and {side}_contracting of "
                              f"{contract} for {side} of rank {aval.ndim} {shapes}.")
        if len(set(contract)) != len(contract) or len(set(batch)) != len(batch) or set(contract) & set(batch):
            raise shape_error(f"dot_general requires distinct {side} dimensions, got {side}_batch {batch} and "
                              f"{side}_contracting {contract} {shapes}.")
    if len(lb) != len(rb) or len(lc) != len(rc):
        raise shape_error(f"dot_general requires equal numbers of lhs and rhs batch and contracting dimensions, "
                          f"got dimension_numbers {dimension_numbers} {shapes}.")
    for what, ld, rd in (("batch", lb, rb), ("contracting", lc, rc)):
        lsizes, rsizes = tuple(lhs.shape[d] for d in ld), tuple(rhs.shape[d] for d in rd)
        if lsizes != rsizes:
            raise shape_error(f"dot_general requires {what} dimensions to have the same shape, got {lsizes} and "
                              f"{rsizes} {shapes}.")


def _type_rank(dtype):
    """XLA's order for picking the result type of a mixed-type dot: complex, exponent, mantissa, bits, signed."""
    dtype = np.dtype(dtype)
    real = dtypes.real_dtype(dtype)
    if dtypes.is_float(real):
        info = ml_dtypes.finfo(real)
        return (dtypes.is_complex(dtype), info.maxexp, info.nmant, info.bits, True)
    bits = 1 if dtype == np.bool_ else ml_dtypes.iinfo(dtype).bits
    return (False, -1, -1, bits, dtypes.kind(dtype) != "u")


def _bit_width(dtype):
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return 1
    return ml_dtypes.finfo(dtype).bits if dtypes.is_inexact(dtype) else ml_dtypes.iinfo(dtype).bits


def _dot_result_dtype(lhs, rhs, preferred_element_type):
    lrank, rrank = _type_rank(lhs.dtype), _type_rank(rhs.dtype)
    if lrank == rrank and lhs.dtype != rhs.dtype:
        raise shape_error(f"dot_general argument type error: {lhs.dtype.name}, {rhs.dtype.name}.")
    result = lhs.dtype if lrank >= rrank else rhs.dtype
    if preferred_element_type is None or preferred_element_type == result:
        return result
    if not dtypes.is_float(result) and _bit_width(preferred_element_type) < _bit_width(result):
        raise shape_error(f"`preferred_element_type` must not be narrower than the original type, got "
                          f"preferred_element_type of {np.dtype(preferred_element_type).name} for result type of "
                          f"{result.name}.")
    return np.dtype(preferred_element_type)


def _dot_general_shape(lhs_shape, rhs_shape, dimension_numbers):
    (lc, rc), (lb, rb) = dimension_numbers
    batch = tuple(lhs_shape[d] for d in lb)
    lhs_free = tuple(lhs_shape[d] for d in _free_dims(len(lhs_shape), lc, lb))
    rhs_free = tuple(rhs_shape[d] for d in _free_dims(len(rhs_shape), rc, rb))
    return batch + lhs_free + rhs_free


dot_general_p = Primitive("dot_general")


@dot_general_p.def_abstract_eval
def _dot_general_abstract_eval(lhs, rhs, dimension_numbers, precision, preferred_element_type):
    _check_dimension_numbers(lhs, rhs, dimension_numbers)
    dtype = _dot_result_dtype(lhs, rhs, preferred_element_type)
    weak = lhs.weak_type and rhs.weak_type and preferred_element_type is None
    return ShapedArray(_dot_general_shape(lhs.shape, rhs.shape, dimension_numbers), dtype, weak)


# ---- transpose ------------------------------------------------------------------------------
def _transpose_lhs(ct, x, y, dimension_numbers, precision, preferred_element_type, swap_ans=False):
    """Cotangent of x in out = dot_general(x, y): contract ct's y-free dims with y's free dims."""
    from jaxlike.lax.elementwise import convert_element_type
    from jaxlike.lax.structural import transpose
    (x_contract, y_contract), (x_batch, y_batch) = dimension_numbers
    x_aval, y_ndim = x.aval, y.aval.ndim
    x_free = _free_dims(x_aval.ndim, x_contract, x_batch)
    y_free = _free_dims(y_ndim, y_contract, y_batch)
    n_batch = len(x_batch)
    ct_batch = tuple(range(n_batch))
    y_free_start = n_batch if swap_ans else n_batch + len(x_free)
    ct_y_free = tuple(range(y_free_start, y_free_start + len(y_free)))
    dims = ((ct_y_free, tuple(y_free)), (ct_batch, tuple(y_batch)))
    # product's axes: x's batch dims, x's free dims, then x's contracting dims in the order of y's (sorted).
    x_contract_in_y_order = [x_contract[i] for i in np.argsort(y_contract)]
    layout = list(x_batch) + x_free + x_contract_in_y_order
    swapped_layout = list(x_batch) + x_contract_in_y_order + x_free
    if not y_free and swapped_layout == sorted(swapped_layout) and layout != swapped_layout:
        # An outer product (nothing summed): with y first it comes out in x's layout, saving a transpose
        # of the whole result (per-example weight gradients), and every element is the same single product.
        swapped_precision = None if precision is None else precision[::-1]
        product = dot_general(y, ct, ((tuple(y_free), ct_y_free), (tuple(y_batch), ct_batch)),
                              precision=swapped_precision, preferred_element_type=preferred_element_type)
        layout = swapped_layout
    else:
        product = dot_general(ct, y, dims, precision=precision, preferred_element_type=preferred_element_type)
    out = transpose(product, tuple(int(i) for i in np.argsort(layout)))
    if out.aval.dtype != x_aval.dtype:
        out = convert_element_type(out, x_aval.dtype, weak_type=x_aval.weak_type)
    return out


def _transpose_rhs(ct, x, y, dimension_numbers, precision, preferred_element_type):
    (x_contract, y_contract), (x_batch, y_batch) = dimension_numbers
    swapped = ((y_contract, x_contract), (y_batch, x_batch))
    swapped_precision = None if precision is None else precision[::-1]
    return _transpose_lhs(ct, y, x, swapped, swapped_precision, preferred_element_type, swap_ans=True)


ad.defbilinear(dot_general_p, _transpose_lhs, _transpose_rhs)


# ---- batching -------------------------------------------------------------------------------
def _bump(dims, at):
    return tuple(d + (d >= at) for d in dims)


def _dot_general_batch(vals, dims, dimension_numbers, precision, preferred_element_type):
    (lhs, rhs), (ld, rd) = vals, dims
    (lc, rc), (lb, rb) = dimension_numbers
    params = dict(precision=precision, preferred_element_type=preferred_element_type)
    if ld is not None and rd is not None:  # both batched: a new leading batch dimension
        lhs, rhs = batching.moveaxis(lhs, ld, 0), batching.moveaxis(rhs, rd, 0)
        new = ((_bump(lc, 0), _bump(rc, 0)), ((0,) + _bump(lb, 0), (0,) + _bump(rb, 0)))
        return dot_general_p.bind(lhs, rhs, dimension_numbers=new, **params), 0
    if ld is not None:  # the batch axis becomes a free dimension of lhs
        lc, lb = _bump(lc, ld), _bump(lb, ld)
        out_dim = len(lb) + _free_dims(lhs.aval.ndim, lc, lb).index(ld)
        return dot_general_p.bind(lhs, rhs, dimension_numbers=((lc, rc), (lb, rb)), **params), out_dim
    rc, rb = _bump(rc, rd), _bump(rb, rd)
    lhs_free = len(_free_dims(lhs.aval.ndim, lc, lb))
    out_dim = len(lb) + lhs_free + _free_dims(rhs.aval.ndim, rc, rb).index(rd)
    return dot_general_p.bind(lhs, rhs, dimension_numbers=((lc, rc), (lb, rb)), **params), out_dim


dot_general_p.batch = _dot_general_batch


# ---- public functions -----------------------------------------------------------------------
def _dims_tuple(dims):
    if isinstance(dims, (int, np.integer)):
        return (int(dims),)
    return tuple(int(d) for d in dims)


def dot_general(lhs, rhs, dimension_numbers, precision=None, preferred_element_type=None):
    """lax.dot_general: contract lhs/rhs over ((lhs_contract, rhs_contract), (lhs_batch, rhs_batch));
    the result has the batch dims, then lhs's free dims, then rhs's free dims."""
    lhs, rhs = operands(lhs, rhs)
    try:
        (lc, rc), (lb, rb) = dimension_numbers
    except (TypeError, ValueError):
        raise TypeError(f"dot_general: dimension_numbers must be ((lhs_contracting, rhs_contracting), "
                        f"(lhs_batch, rhs_batch)), got {dimension_numbers!r}.") from None
    dimension_numbers = ((_dims_tuple(lc), _dims_tuple(rc)), (_dims_tuple(lb), _dims_tuple(rb)))
    if preferred_element_type is not None:
        preferred_element_type = dtypes.canonicalize_dtype(dtypes.check_user_dtype(preferred_element_type))
    return dot_general_p.bind(lhs, rhs, dimension_numbers=dimension_numbers,
                              precision=canonicalize_precision(precision),
                              preferred_element_type=preferred_element_type)


def dot(lhs, rhs, precision=None, preferred_element_type=None, *, dimension_numbers=None):
    """lax.dot: vector/matrix products (lhs's last axis with rhs's first), or dot_general's dimension_numbers."""
    lhs, rhs = operands(lhs, rhs)
    if dimension_numbers is None:
        lshape, rshape = lhs.aval.shape, rhs.aval.shape
        if not (1 <= len(lshape) <= 2 and 1 <= len(rshape) <= 2 and lshape[-1] == rshape[0]):
            raise TypeError(f"lax.dot: incompatible shapes for a vector/matrix product: lhs {lshape}, rhs "
                            f"{rshape}. Pass dimension_numbers for other contractions.")
        dimension_numbers = (((len(lshape) - 1,), (0,)), ((), ()))
    return dot_general(lhs, rhs, dimension_numbers, precision, preferred_element_type)
