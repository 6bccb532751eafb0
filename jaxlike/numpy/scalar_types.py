"""JAX's scalar type objects: `jnp.float32` is a dtype-like and `jnp.float32(x)` makes an Array."""
import numpy as np

from jaxlike import dtypes

_NAMES = ["bool_", "int4", "int8", "int16", "int32", "int64", "uint4", "uint8", "uint16", "uint32", "uint64",
          "bfloat16", "float16", "float32", "float64", "complex64", "complex128", "float8_e4m3fn", "float8_e5m2",
          "float8_e4m3fnuz", "float8_e5m2fnuz", "float8_e4m3b11fnuz", "float8_e3m4", "float8_e4m3",
          "float8_e8m0fnu", "float4_e2m1fn", "int2", "uint2"]


class _ScalarMeta(type):
    """Metaclass of the scalar types: compares and hashes like its NumPy scalar type, calls make arrays."""

    def __hash__(cls):
        return hash(cls.dtype.type)

    def __eq__(cls, other):
        return cls is other or other is cls.dtype.type or (isinstance(other, np.dtype) and other == cls.dtype)

    def __ne__(cls, other):
        return not cls == other

    def __call__(cls, x):
        from jaxlike.numpy.creation import asarray
        return asarray(x, dtype=cls.dtype)

    def __instancecheck__(cls, instance):
        return isinstance(instance, cls.dtype.type)

    def __repr__(cls):
        return f"<class 'jaxlike.numpy.{cls.__name__}'>"


def _make(name, np_type):
    return _ScalarMeta(name, (object,), {"dtype": np.dtype(np_type), "__doc__": f"jnp.{name}: scalar type "
                                         f"of dtype {np.dtype(np_type).name}; calling it makes an Array."})


def _np_type(name):
    if name == "bool_":
        return np.bool_
    if hasattr(np, name):
        return getattr(np, name)
    import ml_dtypes
    return getattr(ml_dtypes, name)


__all__ = []
for _name in _NAMES:
    try:
        _type = _np_type(_name)
    except AttributeError:
        continue
    globals()[_name] = _make(_name, _type)
    __all__.append(_name)
bool = globals()["bool_"]  # noqa: A001  (jnp.bool is the Array API name)
__all__.append("bool")

# The abstract types of NumPy's hierarchy, used with jnp.issubdtype.
generic, number, inexact, floating, complexfloating = np.generic, np.number, np.inexact, np.floating, np.complexfloating
integer, signedinteger, unsignedinteger = np.integer, np.signedinteger, np.unsignedinteger
__all__ += ["generic", "number", "inexact", "floating", "complexfloating", "integer", "signedinteger",
            "unsignedinteger"]


float_ = globals()["float64"]
complex_ = globals()["complex128"]
int_ = globals()["int64"]
uint = globals()["uint64"]
__all__ += ["float_", "complex_", "int_", "uint"]
