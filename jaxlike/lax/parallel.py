"""Collectives over named axes (psum, pmean, pmax, pmin, axis_index), given meaning by vmap's axis_name.

Under `vmap(..., axis_name="i")` the batch axis *is* the named axis: a collective over "i"
reduces across batch members. Outside any transform that binds the name, they raise NameError.
"""
from jaxlike import tree_util
from jaxlike.core import Primitive, ShapedArray
from jaxlike.lax.base import operands
from jaxlike.source_info import user_line
from jaxlike.transforms import ad, batching

__all__ = ["psum", "pmean", "pmax", "pmin", "axis_index", "psum_p", "pmax_p", "pmin_p", "axis_index_p"]


def _names(axis_name):
    return tuple(axis_name) if isinstance(axis_name, (tuple, list)) else (axis_name,)


def _unbound(prim):
    def impl(*args, axis_name, **params):
        raise NameError(f"unbound axis name: {axis_name!r}. {prim.name} needs an enclosing transform that names "
                        f"the axis, e.g. jaxlike.vmap(f, axis_name={_names(axis_name)[0]!r}).{user_line()}")
    return impl


def _remaining(axis_name, handled):
    rest = tuple(n for n in _names(axis_name) if n != handled)
    return rest


def _reduction_collective(prim, reduce_fn, unbatched_fn):
    """The vmap rule: reduce over the batch axis for our name; other names are handled by outer traces."""
    def rule(trace, vals, dims, axis_name):
        (x,), (d,) = vals, dims
        out = reduce_fn(x, d) if d is not None else unbatched_fn(x, trace.axis_size)
        rest = _remaining(axis_name, trace.axis_name)
        if rest:
            out = prim.bind(out, axis_name=rest)
        return out, None
    return rule


def _make_reduction(name, reduce_fn, unbatched_fn):
    prim = Primitive(name)
    prim.def_abstract_eval(lambda x, axis_name: x)
    prim.def_impl(_unbound(prim))
    prim.batch_collective = _reduction_collective(prim, reduce_fn, unbatched_fn)
    prim.batch = lambda vals, dims, axis_name: (prim.bind(*vals, axis_name=axis_name), dims[0])
    prim.requires_axis_env = True
    return prim


def _sum_over(x, d):
    from jaxlike.lax.reductions import reduce_sum
    return reduce_sum(x, (d,))


def _times_size(x, size):
    from jaxlike.lax.elementwise import mul
    return mul(x, size) if x.aval.dtype.kind != "b" else x


def _max_over(x, d):
    from jaxlike.lax.reductions import reduce_max
    return reduce_max(x, (d,))


def _min_over(x, d):
    from jaxlike.lax.reductions import reduce_min
    return reduce_min(x, (d,))


psum_p = _make_reduction("psum", _sum_over, _times_size)
ad.deflinear(psum_p, lambda ct, x, axis_name: [psum_p.bind(ct, axis_name=axis_name)])
pmax_p = _make_reduction("pmax", _max_over, lambda x, size: x)
pmin_p = _make_reduction("pmin", _min_over, lambda x, size: x)


def _extremum_jvp(prim):
    """The tangent at the members attaining the extremum, averaged over ties (as max's JVP does)."""
    def rule(primals, tangents, axis_name):
        from jaxlike.lax.elementwise import convert_element_type, div, eq, select_n
        from jaxlike.lax.structural import full_like
        (x,), (t,) = primals, tangents
        out = prim.bind(x, axis_name=axis_name)
        hits = eq(x, out)
        zero = full_like(t, 0)
        picked = psum_p.bind(select_n(hits, zero, t), axis_name=axis_name)
        count = psum_p.bind(convert_element_type(hits, t.aval.dtype), axis_name=axis_name)
        return out, div(picked, count)
    prim.jvp = rule


_extremum_jvp(pmax_p)
_extremum_jvp(pmin_p)


def psum(x, axis_name, *, axis_index_groups=None):
    """lax.psum: sum of x over the named mapped axis (x may be a pytree)."""
    _check_groups(axis_index_groups)
    return tree_util.tree_map(lambda leaf: psum_p.bind(*operands(leaf), axis_name=_names(axis_name)), x)


def pmean(x, axis_name, *, axis_index_groups=None):
    """lax.pmean: mean of x over the named mapped axis."""
    from jaxlike.lax.elementwise import convert_element_type, div
    _check_groups(axis_index_groups)
    names = _names(axis_name)

    def mean(leaf):
        (leaf,) = operands(leaf)
        total = psum_p.bind(leaf, axis_name=names)
        count = psum_p.bind(*operands(1), axis_name=names)
        return div(total, convert_element_type(count, total.aval.dtype))
    return tree_util.tree_map(mean, x)


def pmax(x, axis_name, *, axis_index_groups=None):
    """lax.pmax: maximum of x over the named mapped axis."""
    _check_groups(axis_index_groups)
    return tree_util.tree_map(lambda leaf: pmax_p.bind(*operands(leaf), axis_name=_names(axis_name)), x)


def pmin(x, axis_name, *, axis_index_groups=None):
    """lax.pmin: minimum of x over the named mapped axis."""
    _check_groups(axis_index_groups)
    return tree_util.tree_map(lambda leaf: pmin_p.bind(*operands(leaf), axis_name=_names(axis_name)), x)


def _check_groups(groups):
    if groups is not None:
        raise NotImplementedError("axis_index_groups is not supported under vmap (JAX does not support it there "
                                  "either).")


# ---- axis_index ---------------------------------------------------------------------------------
axis_index_p = Primitive("axis_index")
axis_index_p.requires_axis_env = True


@axis_index_p.def_abstract_eval
def _axis_index_abstract_eval(*, axis_name):
    import numpy as np
    return ShapedArray((), np.int32)


axis_index_p.def_impl(_unbound(axis_index_p))
ad.defnondifferentiable(axis_index_p)


def _axis_index_collective(trace, vals, dims, axis_name):
    import numpy as np
    from jaxlike.lax.structural import iota
    return iota(np.int32, trace.axis_size), 0


axis_index_p.batch_collective = _axis_index_collective
axis_index_p.batch = lambda vals, dims, axis_name: (axis_index_p.bind(axis_name=axis_name), None)


def axis_index(axis_name):
    """lax.axis_index: this batch member's position along the named mapped axis."""
    return axis_index_p.bind(axis_name=axis_name)
