"""The heart: abstract values, primitives, traces, tracers and the current-trace context.

Every array operation is `prim.bind(*args, **params)`, which hands the primitive to the
current trace. The base trace (EvalTrace) runs it on the device; each transform installs a
trace of its own whose tracers wrap the values of the trace beneath (its `parent`). A trace
treats tracers it did not create as constants, so nested transforms never confuse their
perturbations.
"""
import threading

import numpy as np

from jaxlike import dtypes
from jaxlike.errors import (ConcretizationTypeError, TracerArrayConversionError, TracerBoolConversionError,
                            TracerIntegerConversionError, UnexpectedTracerError)
from jaxlike.source_info import user_line


class ShapedArray:
    """The abstract value of an array: shape, dtype and whether its dtype is weak (from a Python scalar)."""

    __slots__ = ("shape", "dtype", "weak_type", "_hash")
    array_abstraction_level = 1

    def __init__(self, shape, dtype, weak_type=False):
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)
        self.weak_type = bool(weak_type)
        self._hash = hash((self.shape, self.dtype, self.weak_type))

    ndim = property(lambda self: len(self.shape))

    @property
    def size(self):
        return int(np.prod(self.shape, dtype=np.int64))

    def __eq__(self, other):
        return (type(other) is ShapedArray and self.shape == other.shape and self.dtype == other.dtype
                and self.weak_type == other.weak_type)

    def __hash__(self):
        return self._hash

    def update(self, shape=None, dtype=None, weak_type=None):
        return ShapedArray(self.shape if shape is None else shape, self.dtype if dtype is None else dtype,
                           self.weak_type if weak_type is None else weak_type)

    def strip_weak_type(self):
        return self if not self.weak_type else ShapedArray(self.shape, self.dtype, False)

    def str_short(self):
        return f"{dtypes.short_name(self.dtype)}[{','.join(map(str, self.shape))}]"

    def __repr__(self):
        weak = ", weak_type=True" if self.weak_type else ""
        return f"ShapedArray({self.str_short()}{weak})"


class AbstractToken:
    """The abstract value of an ordering token (side effects)."""

    shape, dtype, weak_type = (), np.dtype(np.bool_), False

    def str_short(self):
        return "Token"


def aval_of_python_scalar(value):
    return ShapedArray((), dtypes.python_scalar_dtype(value), weak_type=not isinstance(value, bool))


def get_aval(x):
    """The ShapedArray of an array, tracer, Python scalar or NumPy value."""
    aval = getattr(x, "aval", None)
    if aval is not None:
        return aval
    if isinstance(x, (bool, int, float, complex)) and not isinstance(x, np.generic):
        return aval_of_python_scalar(x)
    if isinstance(x, (np.ndarray, np.generic)):
        dtype = dtypes.canonicalize_dtype(x.dtype)
        if dtype not in dtypes.all_dtypes:
            raise TypeError(f"NumPy array of dtype {x.dtype} is not a valid jaxlike array type.{user_line()}")
        return ShapedArray(np.shape(x), dtype)
    raise TypeError(f"Value {_short_repr(x)} of type {type(x).__name__} is not a valid jaxlike type: expected an "
                    f"array, a Python or NumPy scalar, or a NumPy array.{user_line()}")


def _short_repr(x):
    text = repr(x)
    return text if len(text) < 60 else text[:57] + "..."


def is_valid_operand(x):
    return hasattr(x, "aval") or isinstance(x, (bool, int, float, complex, np.ndarray, np.generic))


class Primitive:
    """An operation with its rules: abstract eval, eager impl, JVP, transpose, batching.

    Lowering rules live in xla_bridge, keyed by `name`.
    """

    multiple_results = False

    def __init__(self, name, multiple_results=False):
        self.name = name
        self.multiple_results = multiple_results
        self.abstract_eval = None
        self.jvp = None
        self.transpose = None
        self.batch = None
        self.partial_eval = None  # only call-like primitives need their own
        self.differentiable = True
        self.impl = self._eager_impl
        all_primitives.setdefault(name, self)

    def bind(self, *args, **params):
        return _context.trace.process_primitive(self, args, params)

    def _eager_impl(self, *args, **params):
        return eager_impl_hook(self, args, params)

    def def_abstract_eval(self, fn):
        self.abstract_eval = fn
        return fn

    def def_impl(self, fn):
        self.impl = fn
        return fn

    def __repr__(self):
        return self.name


all_primitives = {}
eager_impl_hook = None  # set by jaxlike.dispatch: runs one primitive on the device


class Trace:
    """Base class of traces. A trace processes the primitives bound while it is current."""

    name = "trace"

    def __init__(self, parent=None):
        self.parent = parent
        self.alive = True

    def process_primitive(self, prim, args, params):
        raise NotImplementedError

    def invalidate(self):
        self.alive = False

    def __repr__(self):
        return f"{type(self).__name__}"


class EvalTrace(Trace):
    """The base trace: runs each primitive at once."""

    name = "eval"

    def process_primitive(self, prim, args, params):
        return prim.impl(*args, **params)


class _TraceContext(threading.local):
    def __init__(self):
        self.trace = EvalTrace()


_context = _TraceContext()


def current_trace():
    return _context.trace


def eval_trace():
    """A fresh base trace (for code that must run eagerly regardless of transforms)."""
    return EvalTrace()


class set_current_trace:
    """Context manager that makes `trace` current for the primitives bound inside it."""

    __slots__ = ("trace", "saved")

    def __init__(self, trace):
        self.trace = trace

    def __enter__(self):
        self.saved = _context.trace
        _context.trace = self.trace

    def __exit__(self, *exc):
        _context.trace = self.saved


class Tracer:
    """A value being traced by a transform. Subclasses hold what their trace needs."""

    __slots__ = ("_trace",)
    __array_priority__ = 100

    @property
    def aval(self):
        raise NotImplementedError

    shape = property(lambda self: self.aval.shape)
    dtype = property(lambda self: self.aval.dtype)
    ndim = property(lambda self: len(self.aval.shape))
    size = property(lambda self: self.aval.size)
    weak_type = property(lambda self: self.aval.weak_type)

    def __len__(self):
        if not self.aval.shape:
            raise TypeError("len() of unsized object (a 0-d traced array)")
        return self.aval.shape[0]

    def to_concrete_value(self):
        """The concrete value behind this tracer if its trace knows one (JVP of a concrete primal), else None."""
        return None

    def _describe(self):
        return f"traced array with shape {self.aval.str_short()} (traced by {self._trace.name})"

    def __bool__(self):
        value = self.to_concrete_value()
        if value is None:
            raise TracerBoolConversionError(
                f"Attempted boolean conversion of a {self._describe()}. Its truth value is not known while tracing: "
                "a Python `if`, `while`, `and`, `or`, `not` or `assert` depends on a traced value. Use "
                "jaxlike.lax.cond or jnp.where for branches, lax.while_loop or lax.fori_loop for loops, or mark "
                f"the argument static with static_argnums/static_argnames.{user_line()}")
        return bool(value)

    def _concrete_scalar(self, kind, error):
        value = self.to_concrete_value()
        if value is None:
            raise error(
                f"Attempted {kind} conversion of a {self._describe()}; its value is not known while tracing. "
                f"Keep the value as an array, or mark the argument static with static_argnums.{user_line()}")
        return value

    def __int__(self):
        return int(self._concrete_scalar("int()", ConcretizationTypeError))

    def __float__(self):
        return float(self._concrete_scalar("float()", ConcretizationTypeError))

    def __complex__(self):
        return complex(self._concrete_scalar("complex()", ConcretizationTypeError))

    def __index__(self):
        if not dtypes.is_integer(self.aval.dtype) and self.aval.dtype != np.bool_:
            raise TypeError(f"Only integer arrays can be used as an index, got {self.aval.str_short()}.{user_line()}")
        return int(self._concrete_scalar("__index__", TracerIntegerConversionError))

    def __array__(self, dtype=None, copy=None):
        raise TracerArrayConversionError(
            f"The numpy.ndarray conversion method __array__() was called on a {self._describe()}. NumPy cannot "
            "see traced values: use jaxlike.numpy functions instead of numpy ones inside transformed functions, "
            f"or jaxlike.pure_callback to call host code.{user_line()}")

    def tolist(self):
        return self.__array__()

    def __iter__(self):
        if not self.aval.shape:
            raise TypeError("iteration over a 0-d traced array")
        return (self[i] for i in range(self.aval.shape[0]))

    def __hash__(self):
        raise TypeError(f"unhashable type: traced array ({self.aval.str_short()}). Arrays are not hashable; "
                        f"use a Python value or static_argnums for values that key a cache.{user_line()}")

    def __repr__(self):
        return f"Traced<{self.aval.str_short()}>with<{self._trace.name}>"

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self


def check_alive(tracer):
    """Raises UnexpectedTracerError if a tracer outlived its transform (a leaked tracer)."""
    if not tracer._trace.alive:
        raise UnexpectedTracerError(
            f"Encountered a tracer ({tracer.aval.str_short()}) created by a {tracer._trace.name} transform that "
            "has already finished: the value leaked out of a transformed function, for example by being stored "
            "in a global or an object attribute, or returned through a side channel. Return it from the "
            f"transformed function instead.{user_line()}")


def leaked_tracer_error(x):
    """The error for a tracer that reached a trace that does not know it."""
    if not x._trace.alive:
        check_alive(x)
    return UnexpectedTracerError(
        f"A tracer ({x.aval.str_short()}, from a {x._trace.name} transform) reached code running outside that "
        f"transform. Pass it through the transform's inputs and outputs instead of closing over it.{user_line()}")


def concrete_or_error(x, context=""):
    """The concrete value of `x` (an array or scalar) or a ConcretizationTypeError naming `context`."""
    if isinstance(x, Tracer):
        value = x.to_concrete_value()
        if value is None:
            what = f" in {context}" if context else ""
            raise ConcretizationTypeError(
                f"A concrete value is required{what}, but got a {x._describe()}. Pass it as a static argument "
                f"(static_argnums/static_argnames) or use a Python value.{user_line()}")
        return value
    return x
