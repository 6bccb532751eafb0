"""Shared helpers for defining primitives: operand conversion, shape errors, elementwise rules."""
import numpy as np

from jaxlike import dtypes
from jaxlike.array import as_operand
from jaxlike.core import Primitive, ShapedArray
from jaxlike.source_info import user_line


def shape_error(message):
    """A TypeError naming the user's line (lax shape/dtype rules raise these)."""
    return TypeError(message + user_line())


def operands(*xs):
    """Converts Python/NumPy scalars among `xs` to arrays; a scalar takes the dtype of the first array."""
    arrays = [x for x in xs if hasattr(x, "aval")]
    if len(arrays) == len(xs):
        return xs
    if not arrays:
        return tuple(as_operand(x) for x in xs)
    like = arrays[0].aval
    out = []
    for x in xs:
        if hasattr(x, "aval"):
            out.append(x)
        elif isinstance(x, (bool, int, float, complex)) and not isinstance(x, np.generic):
            out.append(weak_scalar(x, like.dtype))
        else:
            out.append(as_operand(x))
    return tuple(out)


def weak_scalar(value, dtype):
    """A weakly-typed 0-d array holding a Python scalar as `dtype`."""
    from jaxlike.array import Array
    dtype = np.dtype(dtype)
    if dtype == np.bool_ and not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"Cannot use the Python scalar {value!r} as a boolean operand.{user_line()}")
    if dtypes.is_integer(dtype) and isinstance(value, (float, complex)):
        raise TypeError(f"Cannot combine a Python {type(value).__name__} ({value!r}) with an integer array "
                        f"({dtype.name}) in a lax operation; lax does not promote. Use jnp functions, or convert "
                        f"explicitly.{user_line()}")
    return Array._from_host(np.asarray(value).astype(dtype), ShapedArray((), dtype, weak_type=True))


_KIND_NAMES = {"b": "bool", "i": "signed integer", "u": "unsigned integer", "f": "floating", "c": "complex"}


def elementwise_abstract_eval(name, allowed_kinds, out_dtype=None):
    """Shape/dtype rule of an n-ary elementwise primitive: equal shapes, equal dtypes of allowed kinds."""
    def rule(*avals, **params):
        first = avals[0]
        shape = broadcast_scalar_shapes(name, avals)
        for a in avals[1:]:
            if a.dtype != first.dtype:
                types = ", ".join(x.dtype.name for x in avals)
                raise shape_error(f"lax.{name} requires arguments to have the same dtypes, got {types}. "
                                  "(jnp functions promote; lax ones do not.)")
        if dtypes.kind(first.dtype) not in allowed_kinds:
            wanted = " or ".join(_KIND_NAMES[k] for k in allowed_kinds)
            raise shape_error(f"lax.{name} does not accept dtype {first.dtype.name}; it accepts {wanted} types.")
        dtype = first.dtype if out_dtype is None else out_dtype(first.dtype)
        weak = all(a.weak_type for a in avals) and (out_dtype is None)
        return ShapedArray(shape, dtype, weak)
    return rule


def broadcast_scalar_shapes(name, avals):
    """The common shape of elementwise operands: rank-0 operands broadcast, all others must agree."""
    shapes = {a.shape for a in avals if a.shape != ()}
    if len(shapes) > 1:
        raise shape_error(f"{name} got incompatible shapes for broadcasting: "
                          f"{', '.join(str(a.shape) for a in avals)}.")
    return shapes.pop() if shapes else ()


def unbroadcast(ct, x):
    """Sums a cotangent down to the shape of `x` when `x` was a rank-0 operand broadcast by the primitive."""
    from jaxlike.core import get_aval
    from jaxlike.lax.reductions import reduce_sum
    if ct is None or type(ct).__name__ == "Zero":
        return ct
    target = x.aval.shape
    ct_shape = get_aval(ct).shape
    if target == ct_shape:
        return ct
    return reduce_sum(ct, tuple(range(len(ct_shape))))


def elementwise_primitive(name, allowed_kinds, out_dtype=None):
    prim = Primitive(name)
    prim.def_abstract_eval(elementwise_abstract_eval(name, allowed_kinds, out_dtype))
    return prim


NUMBER = "iufc"
INEXACT = "fc"
FLOAT = "f"
INTEGER = "iu"
INTEGER_OR_BOOL = "biu"
ANY = "biufc"
REAL = "biuf"
