"""Operators, methods and properties of Array and tracers (JAX's jax.Array API), forwarded to jaxlike.numpy."""
import numpy as np

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
    return isinstance(x, (Array, Tracer, bool, int, float, complex, np.ndarray, np.generic, list, tuple))


def _operator_methods(jnp):
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
        if fn is not None:
            methods[f"__{name}__"] = _defer_to_others(fn)
            methods[f"__r{name}__"] = _defer_to_others(_swap(fn))
    comparisons = {"eq": jnp.equal, "ne": jnp.not_equal, "lt": jnp.less, "le": jnp.less_equal,
                   "gt": jnp.greater, "ge": jnp.greater_equal}
    for name, fn in comparisons.items():
        methods[f"__{name}__"] = _defer_to_others(fn)
    methods.update(__neg__=jnp.negative, __pos__=jnp.positive, __abs__=jnp.abs)
    if hasattr(jnp, "invert"):
        methods["__invert__"] = jnp.invert
    return methods


# ---- methods with their own argument conventions --------------------------------------------
def _shape_args(args):
    """`x.reshape(2, 3)` and `x.reshape((2, 3))` alike."""
    if len(args) == 1 and (isinstance(args[0], (tuple, list)) or args[0] is None):
        return args[0]
    return args


def _method_reshape(jnp):
    def reshape(self, *args, order="C", shape=None):
        """Array.reshape: jnp.reshape with the shape as varargs or one tuple."""
        return jnp.reshape(self, shape if shape is not None else _shape_args(args), order=order)
    return reshape


def _method_transpose(jnp):
    def transpose(self, *args):
        """Array.transpose: jnp.transpose with the axes as varargs, one tuple, or none."""
        axes = _shape_args(args) if args else None
        return jnp.transpose(self, axes)
    return transpose


def _astype(jnp):
    def astype(self, dtype, copy=False, device=None):
        """Array.astype: convert to `dtype` (complex to real keeps the real part)."""
        from jaxlike import lax
        from jaxlike.numpy._core import check_dtype_arg
        return lax.convert_element_type(self, check_dtype_arg(dtype))
    return astype


def _clip(jnp):
    def clip(self, min=None, max=None):
        """Array.clip: jnp.clip (elementwise max with `min`, then min with `max`)."""
        fn = getattr(jnp, "clip", None)
        if fn is not None:
            return fn(self, min, max)
        out = self
        if min is not None:
            out = jnp.maximum(out, min)
        if max is not None:
            out = jnp.minimum(out, max)
        return out
    return clip


def _conj(jnp):
    fn = getattr(jnp, "conj", None) or getattr(jnp, "conjugate", None)
    if fn is not None:
        return fn

    def conj(self):
        from jaxlike import lax
        return lax.conj(self)
    return conj


def _real(jnp):
    fn = getattr(jnp, "real", None)
    if fn is not None:
        return fn

    def real(self):
        from jaxlike import dtypes, lax
        return lax.real(self) if dtypes.is_complex(self.dtype) else self
    return real


def _imag(jnp):
    fn = getattr(jnp, "imag", None)
    if fn is not None:
        return fn

    def imag(self):
        from jaxlike import dtypes, lax
        if not dtypes.is_complex(self.dtype):
            return lax.full(self.shape, 0, self.dtype)
        return lax.imag(self)
    return imag


def _by_name(jnp, name):
    """A method that calls jnp.<name>(self, ...) looked up at call time (for functions defined elsewhere)."""
    def method(self, *args, **kwargs):
        fn = getattr(jnp, name, None)
        if fn is None:
            raise NotImplementedError(f"Array.{name} needs jnp.{name}, which is not available yet.")
        return fn(self, *args, **kwargs)
    method.__name__ = name
    return method


def _mT(jnp):
    def mT(self):
        """Array.mT: the transpose of the last two axes."""
        if self.ndim < 2:
            raise ValueError(f"x must be at least two-dimensional for matrix_transpose; got ndim={self.ndim}")
        return jnp.swapaxes(self, -1, -2)
    return mT


_FORWARDED = ("all", "any", "argmax", "argmin", "argsort", "cumprod", "cumsum", "diagonal", "dot", "max", "mean",
              "min", "prod", "ptp", "ravel", "repeat", "searchsorted", "sort", "squeeze", "std", "sum", "swapaxes",
              "trace", "var", "nonzero")


def _array_methods(jnp):
    methods = {name: getattr(jnp, name) for name in _FORWARDED if hasattr(jnp, name)}
    methods.update(
        reshape=_method_reshape(jnp), transpose=_method_transpose(jnp), astype=_astype(jnp), clip=_clip(jnp),
        conj=_conj(jnp), conjugate=_conj(jnp), round=_by_name(jnp, "round"), __round__=_by_name(jnp, "round"),
        take=_by_name(jnp, "take"),
        flatten=lambda self, order="C": jnp.ravel(self, order), copy=lambda self, order=None: self,
    )
    return methods


def _array_properties(jnp):
    return {"T": lambda self: jnp.transpose(self), "mT": _mT(jnp), "real": _real(jnp), "imag": _imag(jnp)}


def _indexing_hooks(jnp):
    """__getitem__ and the `at` property from jnp.indexing, installed only once that module defines them."""
    indexing = getattr(jnp, "indexing", None)
    getitem = getattr(indexing, "_getitem", None) or getattr(jnp, "_getitem", None)
    at = getattr(indexing, "_at", None) or getattr(jnp, "_at", None)
    methods = {"__getitem__": getitem} if getitem is not None else {}
    properties = {"at": at} if at is not None else {}
    return methods, properties


def install(jnp):
    """Attaches operators, methods and properties to Array and Tracer."""
    methods = _operator_methods(jnp)
    methods.update(_array_methods(jnp))
    index_methods, index_properties = _indexing_hooks(jnp)
    methods.update(index_methods)
    properties = _array_properties(jnp)
    properties.update(index_properties)
    for cls in (Array, Tracer):
        for name, fn in methods.items():
            setattr(cls, name, fn)
        for name, fn in properties.items():
            setattr(cls, name, property(fn))
