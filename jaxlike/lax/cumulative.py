"""Cumulative reductions along one axis (cumsum, cumprod, cummax, cummin) and lax.associative_scan."""
from jaxlike import dtypes
from jaxlike.core import Primitive, ShapedArray
from jaxlike.lax.base import operands, shape_error
from jaxlike.transforms import ad

__all__ = ['cumsum', 'cumprod', 'cummax', 'cummin', 'associative_scan']


def _cumulative_abstract_eval(name):
    def rule(x, axis, reverse):
        if not 0 <= axis < x.ndim:
            raise shape_error(f"{name}: axis {axis} is out of bounds for an array of rank {x.ndim} "
                              f"(shape {x.shape}).")
        if dtypes.kind(x.dtype) not in "iufc":
            raise shape_error(f"{name} does not accept dtype {x.dtype.name}. Accepted dtypes are subtypes of "
                              "number.")
        return ShapedArray(x.shape, x.dtype, x.weak_type)
    return rule


def _cumulative_batch(prim):
    def rule(vals, dims, axis, reverse):
        (x,), (d,) = vals, dims
        return prim.bind(x, axis=axis + (axis >= d), reverse=reverse), d
    return rule


def _cumulative_primitive(name):
    prim = Primitive(name)
    prim.def_abstract_eval(_cumulative_abstract_eval(name))
    prim.batch = _cumulative_batch(prim)
    return prim


def _cumulative_fn(prim, doc):
    def fn(operand, axis=0, reverse=False):
        from jaxlike.lax.structural import canonicalize_axis
        (operand,) = operands(operand)
        axis = canonicalize_axis(prim.name, axis, operand.aval.ndim)
        return prim.bind(operand, axis=axis, reverse=bool(reverse))
    fn.__name__ = fn.__qualname__ = prim.name
    fn.__doc__ = doc
    return fn


def _scan_jvp(combine_name):
    """JAX's rule: differentiate the parallel prefix scan, which is exact (e.g. cumprod through zeros)."""
    def rule(primals, tangents, axis, reverse):
        from jaxlike.lax import elementwise
        combine = getattr(elementwise, combine_name)
        (x,), (t,) = primals, tangents

        def scan(v):
            return [associative_scan(combine, v, reverse=reverse, axis=axis)]
        (out,), (out_t,) = ad.jvp_flat(scan, [x], [ad.instantiate(t)])
        return out, out_t
    return rule


cumsum_p = _cumulative_primitive("cumsum")
ad.deflinear(cumsum_p, lambda ct, x, axis, reverse: [cumsum(ct, axis=axis, reverse=not reverse)])
cumsum = _cumulative_fn(cumsum_p, "lax.cumsum: running sum along `axis` (from the end if `reverse`).")

cumprod_p = _cumulative_primitive("cumprod")
cumprod_p.jvp = _scan_jvp("mul")
cumprod = _cumulative_fn(cumprod_p, "lax.cumprod: running product along `axis` (from the end if `reverse`).")

cummax_p = _cumulative_primitive("cummax")
cummax_p.jvp = _scan_jvp("max")
cummax = _cumulative_fn(cummax_p, "lax.cummax: running maximum along `axis` (from the end if `reverse`).")

cummin_p = _cumulative_primitive("cummin")
cummin_p.jvp = _scan_jvp("min")
cummin = _cumulative_fn(cummin_p, "lax.cummin: running minimum along `axis` (from the end if `reverse`).")


# ---- associative_scan -----------------------------------------------------------------------
def associative_scan(fn, elems, reverse=False, axis=0):
    """lax.associative_scan: all prefix combinations of `elems` (a pytree of arrays) along `axis`, by
    the parallel (odd/even) prefix scan; `fn` must be associative."""
    from jaxlike import tree_util
    from jaxlike.lax.structural import canonicalize_axis, rev
    leaves, tree = tree_util.tree_flatten(elems)
    leaves = list(operands(*leaves))
    if not leaves:
        return elems
    axis = canonicalize_axis("associative_scan", axis, leaves[0].aval.ndim)
    lengths = {x.aval.shape[axis] for x in leaves}
    if len(lengths) != 1:
        raise ValueError(f"associative_scan: array inputs must have the same size along axis {axis}, got "
                         f"shapes {[x.aval.shape for x in leaves]}.")

    def combine(a, b):
        out = fn(tree_util.tree_unflatten(tree, a), tree_util.tree_unflatten(tree, b))
        return tree_util.tree_leaves(out)

    if reverse:
        leaves = [rev(x, (axis,)) for x in leaves]
    out = _prefix_scan(combine, leaves, axis)
    if reverse:
        out = [rev(x, (axis,)) for x in out]
    return tree_util.tree_unflatten(tree, out)


def _prefix_scan(combine, elems, axis):
    from jaxlike.lax.structural import concatenate, slice_axis
    n = elems[0].aval.shape[axis]
    if n < 2:
        return elems
    pairs = combine([slice_axis(e, axis, 0, n - 1, 2) for e in elems], [slice_axis(e, axis, 1, n, 2) for e in elems])
    odd = _prefix_scan(combine, pairs, axis)  # results at positions 1, 3, 5, ...
    later_evens = [slice_axis(e, axis, 2, n, 2) for e in elems]
    if n % 2 == 0:
        odd_before = [slice_axis(o, axis, 0, o.aval.shape[axis] - 1) for o in odd]
        even = combine(odd_before, later_evens)
    else:
        even = combine(odd, later_evens)
    even = [concatenate([slice_axis(e, axis, 0, 1), r], axis) for e, r in zip(elems, even)]
    return [_interleave(e, o, axis) for e, o in zip(even, odd)]


def _interleave(even, odd, axis):
    """[even0, odd0, even1, odd1, ...] along `axis` (even has as many elements as odd, or one more)."""
    from jaxlike.lax.structural import concatenate, full, pad, reshape, slice_axis
    n_even, n_odd = even.aval.shape[axis], odd.aval.shape[axis]
    if n_even > n_odd:  # pad odd to the same length; the extra element is cut off below
        config = [(0, 0, 0)] * odd.aval.ndim
        config[axis] = (0, 1, 0)
        odd = pad(odd, full((), 0, odd.aval.dtype), config)
    shape = even.aval.shape
    split = shape[:axis + 1] + (1,) + shape[axis + 1:]
    both = concatenate([reshape(even, split), reshape(odd, split)], axis + 1)
    merged = reshape(both, shape[:axis] + (2 * n_even,) + shape[axis + 1:])
    return slice_axis(merged, axis, 0, n_even + n_odd) if n_even > n_odd else merged
