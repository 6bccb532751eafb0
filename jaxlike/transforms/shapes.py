"""eval_shape and ShapeDtypeStruct: shapes and dtypes of a function's outputs, with no computation."""
import numpy as np

from jaxlike import dtypes, tree_util
from jaxlike.core import ShapedArray, get_aval
from jaxlike.tracing import trace_to_jaxpr


class ShapeDtypeStruct:
    """A shape and a dtype standing in for an array (JAX's jax.ShapeDtypeStruct)."""

    __slots__ = ("shape", "dtype", "weak_type", "sharding")

    def __init__(self, shape, dtype, sharding=None, weak_type=False):
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)
        self.weak_type = weak_type
        self.sharding = sharding

    @property
    def aval(self):
        """The abstract value it stands for; 64-bit dtypes become 32-bit ones unless x64 is on, as in JAX."""
        return ShapedArray(self.shape, dtypes.canonicalize_dtype(self.dtype), self.weak_type)

    ndim = property(lambda self: len(self.shape))
    size = property(lambda self: int(np.prod(self.shape, dtype=np.int64)))

    def __eq__(self, other):
        return (isinstance(other, ShapeDtypeStruct) and self.shape == other.shape and self.dtype == other.dtype
                and self.weak_type == other.weak_type)

    def __hash__(self):
        return hash((self.shape, self.dtype, self.weak_type))

    def __repr__(self):
        weak = ", weak_type=True" if self.weak_type else ""
        return f"ShapeDtypeStruct(shape={self.shape}, dtype={self.dtype.name}{weak})"


def eval_shape(fun, *args, **kwargs):
    """jax.eval_shape: the ShapeDtypeStructs of fun's outputs, traced without running anything."""
    leaves, in_tree = tree_util.tree_flatten((args, kwargs))
    avals = [get_aval(x) for x in leaves]
    out_tree_box = []

    def flat_fun(*flat):
        a, k = tree_util.tree_unflatten(in_tree, flat)
        out_leaves, out_tree = tree_util.tree_flatten(fun(*a, **k))
        out_tree_box.append(out_tree)
        return out_leaves

    closed = trace_to_jaxpr(flat_fun, avals, name="eval_shape")
    return tree_util.tree_unflatten(out_tree_box[0], [ShapeDtypeStruct(a.shape, a.dtype, weak_type=a.weak_type)
                                                      for a in closed.out_avals])
