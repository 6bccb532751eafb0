"""vmap: run a function written for one example over a batch axis."""
import functools
import inspect

from jaxlike import core, tree_util
from jaxlike.array import as_operand
from jaxlike.source_info import user_line
from jaxlike.transforms import batching


def _is_axis_leaf(x):
    return x is None


def broadcast_prefix(prefix, tree, what):
    """One entry of `prefix` (a tree prefix of `tree`, None and ints as leaves) per leaf of `tree`."""
    prefix_leaves, prefix_def = tree_util.tree_flatten(prefix, is_leaf=_is_axis_leaf)
    try:
        subtrees = prefix_def.flatten_up_to(tree)
    except (ValueError, TypeError) as e:
        raise ValueError(f"vmap {what} specification must be a tree prefix of the corresponding value, got "
                         f"specification {prefix!r} for value tree {tree_util.tree_structure(tree)}.{user_line()}"
                         ) from e
    out = []
    for axis, sub in zip(prefix_leaves, subtrees):
        out.extend([axis] * len(tree_util.tree_leaves(sub)))
    return out


def vmap(fun, in_axes=0, out_axes=0, axis_name=None, axis_size=None, spmd_axis_name=None):
    """jax.vmap: map `fun` over array axes (in_axes) and stack results along out_axes."""
    if not callable(fun):
        raise TypeError(f"vmap expects a callable, got {type(fun).__name__}.")
    if isinstance(in_axes, list):
        in_axes = tuple(in_axes)
    if not isinstance(in_axes, (int, tuple, type(None))):
        raise TypeError(f"vmap in_axes must be an int, None, or a tuple of entries corresponding to the positional "
                        f"arguments passed to the function, but got {in_axes!r}.{user_line()}")
    _check_axes_spec(in_axes, "in_axes")
    _check_axes_spec(out_axes, "out_axes")

    @functools.wraps(fun)
    def vmapped(*args, **kwargs):
        if isinstance(in_axes, tuple) and len(in_axes) != len(args):
            raise ValueError(f"vmap in_axes must be an int, None, or a tuple of entries corresponding to the "
                             f"positional arguments passed to the function, but got len(in_axes)={len(in_axes)}, "
                             f"len(args)={len(args)}.{user_line()}")
        axes_spec = (in_axes if isinstance(in_axes, tuple) else (in_axes,) * len(args), 0)  # kwargs: axis 0
        leaves, in_tree = tree_util.tree_flatten((args, kwargs))
        axes = broadcast_prefix(axes_spec, (args, kwargs), "in_axes")
        leaves = [x if ax is None else as_operand(x) for x, ax in zip(leaves, axes)]
        size = _axis_size(leaves, axes, axis_size, lambda: _leaf_names(fun, args, kwargs))
        trace = batching.BatchTrace(core.current_trace(), size, axis_name)
        ins = [x if ax is None else trace.wrap(x, ax % x.ndim) for x, ax in zip(leaves, axes)]
        try:
            with core.set_current_trace(trace):
                a, k = tree_util.tree_unflatten(in_tree, ins)
                out = fun(*a, **k)
            out_leaves, out_tree = tree_util.tree_flatten(out)
            out_axes_flat = broadcast_prefix(out_axes, out, "out_axes")
            with core.set_current_trace(trace.parent):
                results = [_place_output(trace, o, ax, size) for o, ax in zip(out_leaves, out_axes_flat)]
        finally:
            trace.invalidate()
        return tree_util.tree_unflatten(out_tree, results)
    return vmapped


def _check_axes_spec(spec, what):
    for leaf in tree_util.tree_leaves(spec, is_leaf=_is_axis_leaf):
        if leaf is not None and (not isinstance(leaf, int) or isinstance(leaf, bool)):
            raise TypeError(f"vmap {what} must be an int, None, or (nested) container with those types as "
                            f"leaves, but got {leaf!r}.{user_line()}")


def _leaf_names(fun, args, kwargs):
    """A readable name per leaf of (args, kwargs): 'argument x', 'argument p['a'][0]', 'keyword argument y'."""
    try:
        params = [p.name for p in inspect.signature(fun).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    names = []
    for path, _ in tree_util.tree_leaves_with_path((args, kwargs)):
        where, key, rest = path[0].idx, path[1], tree_util.keystr(path[2:])
        if where == 0:
            i = key.idx
            names.append(f"argument {params[i] if i < len(params) else i}{rest}")
        else:
            names.append(f"keyword argument {key.key}{rest}")
    return names


def _axis_size(leaves, axes, axis_size, leaf_names):
    """The common size of the mapped axes (or axis_size), with an error naming each argument's shape."""
    sizes = {}
    for i, (x, ax) in enumerate(zip(leaves, axes)):
        if ax is None:
            continue
        ndim = x.ndim
        if not -ndim <= ax < ndim:
            raise ValueError(f"vmap was requested to map its argument along axis {ax}, which implies that its rank "
                             f"should be at least {(ax + 1) if ax >= 0 else -ax}, but is only {ndim} (its shape is "
                             f"{x.shape}).{user_line()}")
        sizes[i] = x.shape[ax % ndim]
    if not sizes:
        if axis_size is None:
            raise ValueError(f"vmap must have at least one non-None value in in_axes, or be given axis_size."
                             f"{user_line()}")
        return axis_size
    distinct = set(sizes.values()) | ({axis_size} if axis_size is not None else set())
    if len(distinct) == 1:
        return distinct.pop()
    names = leaf_names()
    lines = [f"  * one axis had size {s}: axis {axes[i]} of {names[i]} of shape {leaves[i].shape} "
             f"({leaves[i].aval.str_short()})" for i, s in sizes.items()]
    if axis_size is not None:
        lines.append(f"  * axis_size={axis_size} was given")
    raise ValueError("vmap got inconsistent sizes for array axes to be mapped:\n" + "\n".join(lines) + user_line())


def _place_output(trace, out, out_axis, size):
    val, bdim = trace.lift(out)
    if out_axis is None:
        if bdim is not None:
            raise ValueError(f"vmap has mapped output but out_axes is None (output shape "
                             f"{tuple(val.shape[:bdim]) + tuple(val.shape[bdim + 1:])}); use out_axes=0, or return "
                             f"a value that does not depend on the mapped inputs.{user_line()}")
        return val
    val = as_operand(val)
    if bdim is None:
        val = batching.bdim_at_front(val, None, size)
        bdim = 0
    ndim = val.ndim
    if not -ndim <= out_axis < ndim:
        raise ValueError(f"vmap out_axes={out_axis} is out of bounds for an output of rank {ndim - 1} (its batched "
                         f"shape would have rank {ndim}; valid out_axes are {-ndim} to {ndim - 1}).{user_line()}")
    return batching.moveaxis(val, bdim, out_axis % ndim)
