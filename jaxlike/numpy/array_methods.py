"""Operators and methods of Array and tracers, forwarded to jaxlike.numpy functions."""
from jaxlike.array import Array
from jaxlike.core import Tracer


def _swap(fn):
    def swapped(self, other):
        return fn(other, self)
    return swapped


def _defer_to_others(fn):
    """Returns NotImplemented for operands jnp cannot take, so Python tries the other side."""
    def method(self, other):
        if not _is_operand(other):
            return NotImplemented
        return fn(self, other)
    method.__name__ = fn.__name__
    return method


def _is_operand(x):
    import numpy as np
    return isinstance(x, (Array, Tracer, bool, int, float, complex, np.ndarray, np.generic, list, tuple))


def install(jnp):
    """Attaches operators and methods to Array and Tracer."""
    binary = {
        "add": jnp.add, "sub": jnp.subtract, "mul": jnp.multiply, "truediv": jnp.true_divide,
        "floordiv": getattr(jnp, "floor_divide", None), "mod": getattr(jnp, "remainder", None),
        "pow": getattr(jnp, "power", None), "matmul": getattr(jnp, "matmul", None),
        "and": getattr(jnp, "bitwise_and", None), "or": getattr(jnp, "bitwise_or", None),
        "xor": getattr(jnp, "bitwise_xor", None), "lshift": getattr(jnp, "left_shift", None),
        "rshift": getattr(jnp, "right_shift", None), "divmod": getattr(jnp, "divmod", None),
    }
    methods = {}
    for name, fn in binary.items():
        if fn is None:
            continue
        methods[f"__{name}__"] = _defer_to_others(fn)
        methods[f"__r{name}__"] = _defer_to_others(_swap(fn))
    comparisons = {"eq": jnp.equal, "ne": jnp.not_equal, "lt": jnp.less, "le": jnp.less_equal,
                   "gt": jnp.greater, "ge": jnp.greater_equal}
    for name, fn in comparisons.items():
        methods[f"__{name}__"] = _defer_to_others(fn)
    methods["__neg__"] = jnp.negative
    methods["__pos__"] = jnp.positive
    methods["__abs__"] = jnp.abs
    if hasattr(jnp, "invert"):
        methods["__invert__"] = jnp.invert
    if hasattr(jnp, "_getitem"):
        methods["__getitem__"] = jnp._getitem
    for name in getattr(jnp, "_ARRAY_METHODS", ()):
        methods[name] = getattr(jnp, "_method_" + name, None) or getattr(jnp, name)
    for cls in (Array, Tracer):
        for name, fn in methods.items():
            if fn is not None:
                setattr(cls, name, fn)
    for cls in (Array, Tracer):
        for prop, fn in getattr(jnp, "_ARRAY_PROPERTIES", {}).items():
            setattr(cls, prop, property(fn))
