"""lax.map: a function applied over the leading axis of a pytree, written with scan (and vmap)."""
from jaxlike import tree_util
from jaxlike.core import get_aval
from jaxlike.lax.control_flow.common import flatten_operands
from jaxlike.lax.control_flow.scans import scan
from jaxlike.source_info import user_line

__all__ = ["map"]


def map(f, xs, *, batch_size=None):
    """lax.map: stack `f(x)` for each slice `x` of `xs` along its leading axis; with `batch_size`,
    `f` is vmapped over chunks of that many slices (the remainder in one last vmap)."""
    if batch_size is None:
        _, ys = scan(lambda _, x: ((), f(x)), (), xs)
        return ys
    if not isinstance(batch_size, int) or batch_size <= 0:
        raise ValueError(f"lax.map: batch_size must be a positive integer, got {batch_size!r}.{user_line()}")
    return _map_in_batches(f, xs, batch_size)


def _map_in_batches(f, xs, batch_size):
    from jaxlike.lax.structural import concatenate, reshape, slice_axis
    from jaxlike.transforms.vmap import vmap
    leaves, tree = flatten_operands(xs)
    n = get_aval(leaves[0]).shape[0] if leaves else 0
    num_batches, remainder = divmod(n, batch_size)
    cut = num_batches * batch_size
    chunked = [reshape(slice_axis(x, 0, 0, cut), (num_batches, batch_size) + get_aval(x).shape[1:]) for x in leaves]
    _, ys = scan(lambda _, x: ((), vmap(f)(x)), (), tree_util.tree_unflatten(tree, chunked))
    ys = tree_util.tree_map(lambda y: reshape(y, (cut,) + get_aval(y).shape[2:]), ys)
    if not remainder:
        return ys
    rest = vmap(f)(tree_util.tree_unflatten(tree, [slice_axis(x, 0, cut, n) for x in leaves]))
    return tree_util.tree_map(lambda a, b: concatenate([a, b], 0), ys, rest)
