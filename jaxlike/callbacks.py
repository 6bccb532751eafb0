"""Host callbacks from traced code: pure_callback and the debug callbacks (debug.print, debug.callback).

Compiled code calls back into Python through XLA's host-callback custom call. Under vmap a
callback runs once per batch member (pure_callback may instead take the whole batch, per
`vmap_method`); under differentiation debug callbacks see primal values only.
"""
import numpy as np

from jaxlike import core, tree_util
from jaxlike.array import Array, as_operand, host_array
from jaxlike.core import Primitive, ShapedArray, get_aval
from jaxlike.source_info import user_line
from jaxlike.transforms import ad, batching

__all__ = ["pure_callback", "debug_callback", "debug_print"]


class _HostFunction:
    """A host function in params: hashable by identity; takes and returns flat lists of NumPy arrays.

    With `result_avals`, its results are checked against the declared shapes and dtypes.
    """

    __slots__ = ("fn", "name", "result_avals")

    def __init__(self, fn, name, result_avals=None):
        self.fn, self.name, self.result_avals = fn, name, result_avals

    def __call__(self, *args):
        results = self.fn(*args)
        if self.result_avals is not None:
            results = _check_results(results, self.result_avals, f"pure_callback {self.name}")
        return results

    def __repr__(self):
        return self.name


def _host_values(args):
    return [np.asarray(a) for a in args]


def _check_results(results, result_avals, name):
    results = list(results)
    if len(results) != len(result_avals):
        raise RuntimeError(f"{name} returned {len(results)} values, but {len(result_avals)} were declared.")
    out = []
    for i, (r, aval) in enumerate(zip(results, result_avals)):
        r = np.asarray(r)
        if r.shape != aval.shape or r.dtype != aval.dtype:
            raise RuntimeError(f"{name} result #{i} has shape {r.shape} and dtype {r.dtype}, but "
                               f"{aval.str_short()} was declared in result_shape_dtypes.")
        out.append(r)
    return out


# ---- pure_callback ------------------------------------------------------------------------------
pure_callback_p = Primitive("pure_callback", multiple_results=True)
pure_callback_p.def_abstract_eval(lambda *avals, callback, result_avals, vmap_method: list(result_avals))


@pure_callback_p.def_impl
def _pure_callback_impl(*args, callback, result_avals, vmap_method):
    results = callback(*_host_values(args))
    return [host_array(r, aval.dtype) for r, aval in zip(results, result_avals)]


def _pure_callback_jvp(primals, tangents, **params):
    raise ValueError("Pure callbacks do not support JVP. Use jaxlike.custom_jvp (or custom_vjp) around the "
                     "callback to define its derivative." + user_line())


def _pure_callback_batch(vals, dims, callback, result_avals, vmap_method):
    size = batching.axis_size_of(vals, dims)
    method = vmap_method or "sequential"
    if method == "sequential":
        vals = [batching.bdim_at_front(v, d, size) if d is not None else v for v, d in zip(vals, dims)]
        mapped = [d is not None for d in dims]

        def looped(*args):
            per_member = [callback(*[a[i] if m else a for a, m in zip(args, mapped)]) for i in range(size)]
            return [np.stack([np.asarray(r[k]) for r in per_member]) for k in range(len(result_avals))]
    elif method in ("expand_dims", "broadcast_all"):
        vals = [_expand(v, d, size, method == "broadcast_all") for v, d in zip(vals, dims)]
        looped = callback.fn
    else:
        raise ValueError(f"vmap_method must be one of 'sequential', 'expand_dims' or 'broadcast_all', got "
                         f"{vmap_method!r}." + user_line())
    batched_avals = tuple(a.update(shape=(size,) + a.shape) for a in result_avals)
    outs = pure_callback_p.bind(*vals, callback=_HostFunction(looped, f"vmap({callback!r})", batched_avals),
                                result_avals=batched_avals, vmap_method=vmap_method)
    return outs, [0] * len(outs)


def _expand(v, d, size, broadcast):
    from jaxlike import lax
    if d is None:
        aval = get_aval(v)
        return batching.bdim_at_front(v, None, size) if broadcast else lax.reshape(v, (1,) + aval.shape)
    return batching.moveaxis(v, d, 0)


pure_callback_p.jvp = _pure_callback_jvp
pure_callback_p.batch = _pure_callback_batch


def pure_callback(callback, result_shape_dtypes, *args, sharding=None, vmap_method=None, **kwargs):
    """jax.pure_callback: call a side-effect-free host function from traced code."""
    leaves, in_tree = tree_util.tree_flatten((args, kwargs))
    leaves = [as_operand(x) for x in leaves]
    res_leaves, res_tree = tree_util.tree_flatten(result_shape_dtypes)
    result_avals = tuple(ShapedArray(np.shape(r) if not hasattr(r, "shape") else r.shape, np.dtype(r.dtype))
                         for r in res_leaves)
    name = getattr(callback, "__name__", "callback")

    def flat_callback(*host_args):
        a, k = tree_util.tree_unflatten(in_tree, host_args)
        return tree_util.tree_leaves(callback(*a, **k))

    outs = pure_callback_p.bind(*leaves, callback=_HostFunction(flat_callback, name, result_avals),
                                result_avals=result_avals, vmap_method=vmap_method)
    return tree_util.tree_unflatten(res_tree, outs)


# ---- debug callbacks ----------------------------------------------------------------------------
debug_callback_p = Primitive("debug_callback", multiple_results=True)
debug_callback_p.def_abstract_eval(lambda *avals, callback: [])


@debug_callback_p.def_impl
def _debug_callback_impl(*args, callback):
    callback(*_host_values(args))
    return []


def _debug_callback_jvp(primals, tangents, callback):
    return debug_callback_p.bind(*primals, callback=callback), []


def _debug_callback_batch(vals, dims, callback):
    size = batching.axis_size_of(vals, dims)
    vals = [batching.bdim_at_front(v, d, size) if d is not None else v for v, d in zip(vals, dims)]
    mapped = [d is not None for d in dims]

    def per_member(*args):
        for i in range(size):
            callback(*[a[i] if m else a for a, m in zip(args, mapped)])
        return []
    return debug_callback_p.bind(*vals, callback=_HostFunction(per_member, f"vmap({callback!r})")), []


debug_callback_p.jvp = _debug_callback_jvp
debug_callback_p.batch = _debug_callback_batch
debug_callback_p.transpose = lambda cts, *args, callback: [None] * len(args)


def debug_callback(callback, *args, ordered=False, partitioned=False, **kwargs):
    """jax.debug.callback: call a host function for its side effect, from traced code."""
    leaves, in_tree = tree_util.tree_flatten((args, kwargs))
    leaves = [as_operand(x) for x in leaves]

    def flat_callback(*host_args):
        a, k = tree_util.tree_unflatten(in_tree, host_args)
        callback(*a, **k)
        return []

    debug_callback_p.bind(*leaves, callback=_HostFunction(flat_callback, getattr(callback, "__name__", "callback")))


def debug_print(fmt, *args, ordered=False, **kwargs):
    """jax.debug.print: print `fmt.format(*args, **kwargs)` with the runtime values, from traced code."""
    def show(*a, **k):
        print(fmt.format(*a, **k))
    debug_callback(show, *args, ordered=ordered, **kwargs)
