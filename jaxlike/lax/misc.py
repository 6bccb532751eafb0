"""top_k, stop_gradient and cumlogsumexp.

(reduce_precision, population_count and clz live with the elementwise primitives.)
"""
import functools
import operator

import numpy as np

from jaxlike import dtypes
from jaxlike.core import Primitive, ShapedArray, get_aval
from jaxlike.lax.base import operands, shape_error
from jaxlike.transforms import ad, batching

__all__ = ['top_k', 'stop_gradient', 'cumlogsumexp', 'top_k_p', 'stop_gradient_p']


# ---- top_k ------------------------------------------------------------------------------------
top_k_p = Primitive("top_k", multiple_results=True)  # along the last axis; top_k moves `axis` there


@top_k_p.def_abstract_eval
def _top_k_abstract_eval(x, *, k):
    if x.ndim == 0:
        raise shape_error("top_k operand must have at least one dimension, got a scalar.")
    if not 0 <= k <= x.shape[-1]:
        raise shape_error(f"top_k: k must be between 0 and the size of the reduced axis ({x.shape[-1]}), got "
                          f"k={k} for operand shape {x.shape}.")
    if dtypes.kind(x.dtype) not in "biuf":
        raise shape_error(f"top_k does not accept dtype {x.dtype.name}.")
    shape = x.shape[:-1] + (k,)
    return [ShapedArray(shape, x.dtype, x.weak_type), ShapedArray(shape, np.int32)]


def _take_along_last(x, indices):
    """x[..., indices[..., j]] by a gather that pairs all leading axes as batching dimensions."""
    from jaxlike.lax.slicing import GatherDimensionNumbers, gather
    from jaxlike.lax.structural import expand_dims
    rank = get_aval(x).ndim
    leading = tuple(range(rank - 1))
    dnums = GatherDimensionNumbers(offset_dims=(), collapsed_slice_dims=(rank - 1,), start_index_map=(rank - 1,),
                                   operand_batching_dims=leading, start_indices_batching_dims=leading)
    return gather(x, expand_dims(indices, (rank,)), dnums, (1,) * rank, indices_are_sorted=False,
                  unique_indices=True, mode="promise_in_bounds")


def _top_k_jvp(primals, tangents, *, k):
    (x,), (t,) = primals, tangents
    values, indices = top_k_p.bind(x, k=k)
    index_tangent = ad.Zero(ad.tangent_aval(get_aval(indices)))
    if type(t) is ad.Zero:
        return [values, indices], [ad.Zero(ad.tangent_aval(get_aval(values))), index_tangent]
    return [values, indices], [_take_along_last(t, indices), index_tangent]


def _top_k_batch(vals, dims, *, k):
    (x,), (d,) = vals, dims
    if d == get_aval(x).ndim - 1:  # keep the batch axis off the reduced (last) axis
        x, d = batching.moveaxis(x, d, 0), 0
    return top_k_p.bind(x, k=k), [d, d]


top_k_p.jvp = _top_k_jvp
top_k_p.batch = _top_k_batch


def top_k(operand, k, *, axis=-1):
    """lax.top_k: the k largest entries along `axis` (descending; ties by lower index) and their int32 indices."""
    from jaxlike.lax.structural import canonicalize_axis
    (operand,) = operands(operand)
    k = operator.index(k)
    if operand.aval.ndim == 0:
        raise TypeError("top_k operand must have at least one dimension, got a scalar.")
    axis = canonicalize_axis("top_k", axis, operand.aval.ndim)
    last = operand.aval.ndim - 1
    if axis == last:
        return tuple(top_k_p.bind(operand, k=k))
    values, indices = top_k_p.bind(batching.moveaxis(operand, axis, last), k=k)
    return batching.moveaxis(values, last, axis), batching.moveaxis(indices, last, axis)


# ---- stop_gradient ---------------------------------------------------------------------------------
stop_gradient_p = Primitive("stop_gradient")
stop_gradient_p.def_abstract_eval(lambda x: x)
stop_gradient_p.def_impl(lambda x: x)  # nothing to compute
batching.defvectorized(stop_gradient_p)


def _stop_gradient_jvp(primals, tangents):
    (x,) = primals
    return stop_gradient_p.bind(x), ad.Zero(ad.tangent_aval(get_aval(x)))


stop_gradient_p.jvp = _stop_gradient_jvp


def stop_gradient(x):
    """lax.stop_gradient: the identity, with zero derivative (applied to every leaf of a pytree)."""
    from jaxlike import tree_util

    def stop(leaf):
        (leaf,) = operands(leaf)
        if not dtypes.is_inexact(leaf.aval.dtype):
            return leaf
        return stop_gradient_p.bind(leaf)
    return tree_util.tree_map(stop, x)


# ---- cumlogsumexp ---------------------------------------------------------------------------------
def _logaddexp(a, b):
    """log(exp(a) + exp(b)) without overflow; its derivative is the softmax weights of (a, b)."""
    from jaxlike.lax.elementwise import add, exp, is_finite, log, max, select, sub
    from jaxlike.lax.structural import full_like
    top = stop_gradient(max(a, b))
    top = select(is_finite(top), top, full_like(top, 0))  # infinities take care of themselves
    return add(top, log(add(exp(sub(a, top)), exp(sub(b, top)))))


def _cumlogsumexp_scan(operand, axis, reverse):
    from jaxlike.lax.cumulative import associative_scan
    return associative_scan(_logaddexp, operand, reverse=reverse, axis=axis)


@functools.cache
def _compiled_scan():
    """The scan under jit: one executable per signature, rather than one per step of the scan when eager."""
    from jaxlike.transforms.jit import jit
    return jit(_cumlogsumexp_scan, static_argnames=("axis", "reverse"))


def cumlogsumexp(operand, axis=0, reverse=False):
    """lax.cumlogsumexp: running log(sum(exp(x))) along `axis` (from the end if `reverse`), computed stably."""
    from jaxlike.lax.structural import canonicalize_axis
    (operand,) = operands(operand)
    if not dtypes.is_float(operand.aval.dtype):
        raise TypeError(f"cumlogsumexp requires a floating-point operand, got {operand.aval.dtype.name}.")
    axis = canonicalize_axis("cumlogsumexp", axis, operand.aval.ndim)
    return _compiled_scan()(operand, axis=axis, reverse=bool(reverse))
