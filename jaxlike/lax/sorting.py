"""sort: a stable multi-operand sort along one axis, ordered lexicographically by its first num_keys operands.

Floats are ordered totally as in JAX: -inf < ... < -0.0 == 0.0 < ... < inf < NaN (all NaNs equal), and
complex numbers by (real, imag). Its derivative permutes the tangents like the primal; the permutation is
applied with sort itself (keyed by the inverse permutation), so sort's transpose is a sort too.
"""
import numpy as np

from jaxlike import dtypes
from jaxlike.core import Primitive, ShapedArray
from jaxlike.lax.base import operands, shape_error
from jaxlike.transforms import ad, batching

__all__ = ['sort', 'sort_key_val']

sort_p = Primitive("sort", multiple_results=True)


@sort_p.def_abstract_eval
def _sort_abstract_eval(*avals, dimension, is_stable, num_keys):
    if not avals:
        raise shape_error("sort requires at least one operand.")
    shape = avals[0].shape
    if any(a.shape != shape for a in avals):
        raise shape_error(f"sort requires all operands to have the same shape, got "
                          f"{', '.join(str(a.shape) for a in avals)}.")
    if not 0 <= dimension < len(shape):
        raise shape_error(f"sort: dimension {dimension} is out of bounds for operands of rank {len(shape)} "
                          f"(shape {shape}).")
    if not 1 <= num_keys <= len(avals):
        raise shape_error(f"sort: num_keys={num_keys} must be between 1 and the number of operands "
                          f"({len(avals)}).")
    return [ShapedArray(a.shape, a.dtype, a.weak_type) for a in avals]


def _index_dtype(shape, dimension):
    return np.dtype(np.int32) if shape[dimension] < 2 ** 31 else np.dtype(np.int64)


def _positions(shape, dimension):
    from jaxlike.lax.structural import broadcasted_iota
    return broadcasted_iota(_index_dtype(shape, dimension), shape, dimension)


def _permute(xs, destination, dimension):
    """Each x with its element i moved to position destination[i] along `dimension` (a permutation)."""
    return sort_p.bind(destination, *xs, dimension=dimension, is_stable=False, num_keys=1)[1:]


def _sort_jvp(primals, tangents, dimension, is_stable, num_keys):
    shape = primals[0].aval.shape
    positions = _positions(shape, dimension)
    *out, source = sort_p.bind(*primals, positions, dimension=dimension, is_stable=is_stable, num_keys=num_keys)
    destination = _permute([positions], source, dimension)[0]  # the inverse permutation
    live = [i for i, t in enumerate(tangents) if type(t) is not ad.Zero]
    moved = dict(zip(live, _permute([tangents[i] for i in live], destination, dimension)))
    out_tangents = [moved.get(i, ad.Zero(ad.tangent_aval(p.aval))) for i, p in enumerate(primals)]
    return out, out_tangents


def _sort_transpose(cts, *args, dimension, is_stable, num_keys):
    keys = args[:num_keys]
    if any(ad.is_undefined_primal(k) for k in keys):
        raise TypeError("sort is not linear in its keys; only the operands after the keys can be transposed.")
    wanted = [i for i, (x, ct) in enumerate(zip(args, cts))
              if i >= num_keys and ad.is_undefined_primal(x) and type(ct) is not ad.Zero]
    out = [None] * len(args)
    if not wanted:
        return out
    shape = keys[0].aval.shape
    source = sort_p.bind(*keys, _positions(shape, dimension), dimension=dimension, is_stable=True,
                         num_keys=num_keys)[-1]
    for i, ct in zip(wanted, _permute([cts[i] for i in wanted], source, dimension)):
        out[i] = ct
    return out


def _sort_batch(vals, dims, dimension, is_stable, num_keys):
    size = batching.axis_size_of(vals, dims)
    xs = [batching.bdim_at_front(x, d, size) for x, d in zip(vals, dims)]
    outs = sort_p.bind(*xs, dimension=dimension + 1, is_stable=is_stable, num_keys=num_keys)
    return outs, [0] * len(outs)


sort_p.jvp = _sort_jvp
sort_p.transpose = _sort_transpose
sort_p.batch = _sort_batch


def sort(operand, dimension=-1, is_stable=True, num_keys=1):
    """lax.sort: sort one array, or a sequence of arrays lexicographically by the first `num_keys`."""
    from jaxlike.lax.structural import canonicalize_axis
    single = hasattr(operand, "aval") or not isinstance(operand, (list, tuple))
    xs = operands(*([operand] if single else operand))
    if not xs:
        raise shape_error("sort requires at least one operand.")
    for x in xs:
        if dtypes.kind(x.aval.dtype) not in "biufc":
            raise shape_error(f"sort does not accept dtype {x.aval.dtype.name}.")
    dimension = canonicalize_axis("sort", dimension, xs[0].aval.ndim)
    outs = sort_p.bind(*xs, dimension=dimension, is_stable=bool(is_stable), num_keys=int(num_keys))
    return outs[0] if single else type(operand)(outs) if isinstance(operand, tuple) else list(outs)


def sort_key_val(keys, values, dimension=-1, is_stable=True):
    """lax.sort_key_val: sort `keys` along `dimension`, permuting `values` alike."""
    sorted_keys, sorted_values = sort((keys, values), dimension=dimension, is_stable=is_stable, num_keys=1)
    return sorted_keys, sorted_values
