"""Dtypes: JAX's type-promotion lattice with weak types, and 32/64-bit canonicalisation."""
import functools

import ml_dtypes
import numpy as np

from jaxlike.config import config
from jaxlike.source_info import user_line

bool_ = np.dtype(np.bool_)
int4, uint4 = np.dtype(ml_dtypes.int4), np.dtype(ml_dtypes.uint4)
int2, uint2 = np.dtype(ml_dtypes.int2), np.dtype(ml_dtypes.uint2)
int8, int16, int32, int64 = (np.dtype(t) for t in (np.int8, np.int16, np.int32, np.int64))
uint8, uint16, uint32, uint64 = (np.dtype(t) for t in (np.uint8, np.uint16, np.uint32, np.uint64))
bfloat16 = np.dtype(ml_dtypes.bfloat16)
float16, float32, float64 = np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)
complex64, complex128 = np.dtype(np.complex64), np.dtype(np.complex128)

_FLOAT8_NAMES = ("float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz", "float8_e4m3b11fnuz",
                 "float8_e3m4", "float8_e4m3", "float8_e8m0fnu", "float4_e2m1fn")
small_float_types = tuple(np.dtype(getattr(ml_dtypes, n)) for n in _FLOAT8_NAMES if hasattr(ml_dtypes, n))
float8_e4m3fn = np.dtype(ml_dtypes.float8_e4m3fn)
float8_e5m2 = np.dtype(ml_dtypes.float8_e5m2)

signed_ints = (int2, int4, int8, int16, int32, int64)
unsigned_ints = (uint2, uint4, uint8, uint16, uint32, uint64)
floats = (*small_float_types, bfloat16, float16, float32, float64)
complexes = (complex64, complex128)
all_dtypes = (bool_, *signed_ints, *unsigned_ints, *floats, *complexes)
_ml_extended = frozenset((int2, int4, uint2, uint4, bfloat16, *small_float_types))

# Weak (Python-scalar) kinds are nodes of the lattice; they are not dtypes.
WEAK_INT, WEAK_FLOAT, WEAK_COMPLEX = "int*", "float*", "complex*"

_64_TO_32 = {int64: int32, uint64: uint32, float64: float32, complex128: complex64}


class TypePromotionError(ValueError):
    """Raised when two dtypes have no implicit promotion (e.g. two different float8 types)."""


def x64_enabled():
    return config.read("jax_enable_x64")


def canonicalize_dtype(dtype):
    """The dtype arrays of `dtype` get: 64-bit types become 32-bit unless x64 is enabled."""
    dtype = np.dtype(dtype)
    if x64_enabled():
        return dtype
    return _64_TO_32.get(dtype, dtype)


def default_int():
    return int64 if x64_enabled() else int32


def default_uint():
    return uint64 if x64_enabled() else uint32


def default_float():
    return float64 if x64_enabled() else float32


def default_complex():
    return complex128 if x64_enabled() else complex64


def python_scalar_dtype(value):
    """The canonical dtype of a Python scalar (bool, int, float or complex)."""
    if isinstance(value, bool):
        return bool_
    if isinstance(value, int):
        return default_int()
    if isinstance(value, float):
        return default_float()
    if isinstance(value, complex):
        return default_complex()
    raise TypeError(f"{type(value).__name__} is not a Python scalar")


def kind(dtype):
    """One of 'b', 'i', 'u', 'f', 'c' for a dtype, counting ml_dtypes' extended types."""
    dtype = np.dtype(dtype)
    if dtype in (int2, int4):
        return "i"
    if dtype in (uint2, uint4):
        return "u"
    if dtype in _ml_extended:
        return "f"
    return {"b": "b", "i": "i", "u": "u", "f": "f", "c": "c"}.get(dtype.kind, "V")


def is_float(dtype):
    return kind(dtype) == "f"


def is_complex(dtype):
    return kind(dtype) == "c"


def is_inexact(dtype):
    return kind(dtype) in "fc"


def is_integer(dtype):
    return kind(dtype) in "iu"


def _weak_node(dtype):
    return {"b": bool_, "i": WEAK_INT, "u": WEAK_INT, "f": WEAK_FLOAT, "c": WEAK_COMPLEX}[kind(dtype)]


def _lattice(x64):
    upper = {
        bool_: [WEAK_INT],
        WEAK_INT: [uint8, uint2, uint4, int8, int2, int4],
        uint2: [], uint4: [], int2: [], int4: [],
        uint8: [int16, uint16], uint16: [int32, uint32],
        uint32: [int64, uint64] if x64 else [int32, uint64],
        uint64: [WEAK_FLOAT],
        int8: [int16], int16: [int32], int32: [int64], int64: [WEAK_FLOAT],
        WEAK_FLOAT: [*small_float_types, bfloat16, float16, WEAK_COMPLEX],
        **{t: [] for t in small_float_types},
        bfloat16: [float32], float16: [float32], float32: [float64, complex64], float64: [complex128],
        WEAK_COMPLEX: [complex64], complex64: [complex128], complex128: [],
    }
    return upper


@functools.lru_cache(maxsize=2)
def _upper_bounds(x64):
    upper = _lattice(x64)
    closure = {}
    for node in upper:
        seen, stack = {node}, [node]
        while stack:
            for nxt in upper[stack.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        closure[node] = frozenset(seen)
    return closure


def _least_upper_bound(nodes):
    bounds = _upper_bounds(x64_enabled())
    common = frozenset.intersection(*(bounds[n] for n in nodes))
    # The least element of the common bounds is the one every other bound lies above.
    for candidate in common:
        if bounds[candidate] >= common:
            return candidate
    names = ", ".join(repr(_node_name(n)) for n in nodes)
    raise TypePromotionError(
        f"Input dtypes ({names}) have no available implicit dtype promotion path. 8-bit floats do not "
        "promote implicitly; convert explicitly, e.g. x.astype('float32').")


def _node_name(node):
    return node if isinstance(node, str) else np.dtype(node).name


def _to_node(dtype, weak):
    return _weak_node(dtype) if weak else np.dtype(dtype)


def _from_node(node):
    if node == WEAK_INT:
        return default_int(), True
    if node == WEAK_FLOAT:
        return default_float(), True
    if node == WEAK_COMPLEX:
        return default_complex(), True
    return node, False


def promote_types(a, b):
    """The dtype both `a` and `b` promote to, by JAX's lattice (without canonicalising)."""
    a, b = np.dtype(a), np.dtype(b)
    node = _least_upper_bound([a, b])
    if isinstance(node, str):  # only reached for two weak kinds, which can't happen for real dtypes
        node = _from_node(node)[0]
    return np.dtype(node)


def result_type_with_weak(*pairs):
    """Promotes (dtype, weak_type) pairs; returns the canonical result (dtype, weak_type)."""
    if not pairs:
        raise ValueError("at least one array or dtype is required")
    return _cached_result_type(pairs, x64_enabled())


@functools.lru_cache(maxsize=4096)
def _cached_result_type(pairs, x64):
    nodes = {_to_node(dt, weak) for dt, weak in pairs}
    node = next(iter(nodes)) if len(nodes) == 1 else _least_upper_bound(list(nodes))
    if isinstance(node, str):
        dtype, weak = _from_node(node)
        return dtype, weak
    return canonicalize_dtype(node), False


def dtype_of(x):
    """(dtype, weak_type) of an array, tracer, Python scalar, numpy value or dtype-like."""
    aval = getattr(x, "aval", None)
    if aval is not None:
        return aval.dtype, aval.weak_type
    if isinstance(x, (bool, int, float, complex)):
        return python_scalar_dtype(x), not isinstance(x, bool)
    if isinstance(x, (np.ndarray, np.generic)):
        return canonicalize_dtype(x.dtype), False
    if isinstance(x, type) and x in (bool, int, float, complex):
        return python_scalar_dtype(x()), False
    if hasattr(x, "dtype"):
        return canonicalize_dtype(x.dtype), False
    return canonicalize_dtype(np.dtype(x)), False


def result_type(*args, return_weak_type_flag=False):
    """jnp.result_type: JAX's promotion of arrays, scalars and dtypes."""
    dtype, weak = result_type_with_weak(*(dtype_of(a) for a in args))
    return (dtype, weak) if return_weak_type_flag else dtype


def issubdtype(a, b):
    """np.issubdtype that also places bfloat16, float8 and int4 types where JAX does."""
    if b in _ABSTRACT:
        try:
            a_kind = kind(np.dtype(a))
        except TypeError:
            return issubclass(a, b) if isinstance(a, type) else False
        return a_kind in _ABSTRACT[b]
    try:
        return np.dtype(a) == np.dtype(b)
    except TypeError:
        return False


_ABSTRACT = {
    np.generic: "biufc", np.number: "iufc", np.integer: "iu", np.signedinteger: "i",
    np.unsignedinteger: "u", np.inexact: "fc", np.floating: "f", np.complexfloating: "c", np.bool_: "b",
}


def finfo(dtype):
    """Machine limits of a floating-point dtype (ml_dtypes.finfo, which knows bfloat16 and float8)."""
    return ml_dtypes.finfo(canonicalize_dtype(dtype) if np.dtype(dtype) in _64_TO_32 else dtype)


def iinfo(dtype):
    return ml_dtypes.iinfo(dtype)


def real_dtype(dtype):
    """The float dtype holding the real part of `dtype`."""
    dtype = np.dtype(dtype)
    return {complex64: float32, complex128: float64}.get(dtype, dtype)


def complex_dtype(dtype):
    dtype = np.dtype(dtype)
    return complex128 if dtype == float64 else complex64


def short_name(dtype):
    """JAX's short dtype names in printed types: f32, i64, u8, bool, bf16, c64."""
    dtype = np.dtype(dtype)
    if dtype == bool_:
        return "bool"
    if dtype == bfloat16:
        return "bf16"
    if dtype in small_float_types:
        return dtype.name.replace("float", "f")
    k = kind(dtype)
    bits = dtype.itemsize * 8 if dtype not in (int4, uint4, int2, uint2) else int(dtype.name[-1])
    return f"{'c' if k == 'c' else k}{bits}" if k != "u" else f"u{bits}"


def check_user_dtype(dtype):
    """Validates a user-given dtype, raising a TypeError that says what is accepted."""
    if dtype is None:
        return None
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"Unknown dtype {dtype!r}: pass a numpy dtype, a jaxlike.numpy dtype object "
                        f"(e.g. jnp.float32) or a dtype name such as 'float32'.{user_line()}") from None
    if dt not in all_dtypes:
        raise TypeError(f"dtype {dt} is not supported by jaxlike; supported dtypes: "
                        f"{', '.join(sorted({d.name for d in all_dtypes}))}.{user_line()}")
    return dt
