"""jaxlike.Array: an immutable array living in a device buffer."""
import numpy as np

import xla_bridge
from jaxlike import dtypes
from jaxlike.core import ShapedArray
from jaxlike.errors import ConcretizationTypeError


class Array:
    """An immutable, device-resident array (JAX's jax.Array).

    A value made on the host (a Python scalar, a NumPy array) keeps its host copy and is moved
    to the device the first time a device computation reads it.
    """

    __slots__ = ("aval", "_buf", "_host", "_device", "__weakref__")
    __array_priority__ = 100

    def __init__(self, *args, **kwargs):
        raise TypeError("jaxlike.Array cannot be constructed directly; use jaxlike.numpy.asarray or "
                        "jaxlike.device_put.")

    # -- construction ---------------------------------------------------------------------
    @staticmethod
    def _from_buffer(buf, aval, device=None):
        x = object.__new__(Array)
        x.aval, x._buf, x._host, x._device = aval, buf, None, device
        return x

    @staticmethod
    def _from_host(value, aval, device=None):
        """An array holding `value` (converted to aval.dtype) on the host until a device needs it."""
        x = object.__new__(Array)
        x.aval, x._buf, x._device = aval, None, device
        value = np.asarray(value)
        x._host = value if value.dtype == aval.dtype else value.astype(aval.dtype)
        x._host.flags.writeable = False  # np.asarray(array) gives a read-only view, as in JAX
        return x

    def _materialize(self, device=None):
        """The device buffer, transferring the host value to `device` (or the default device) first."""
        if self._buf is None:
            device = self._device or device or xla_bridge.default_device()
            if self.aval.shape == ():
                self._buf = _scalar_buffer(self._host, self.aval, device)
            else:
                self._buf = xla_bridge.from_host(self._host, self.aval, device)
        return self._buf

    # -- properties -----------------------------------------------------------------------
    shape = property(lambda self: self.aval.shape)
    dtype = property(lambda self: self.aval.dtype)
    ndim = property(lambda self: len(self.aval.shape))
    size = property(lambda self: self.aval.size)
    weak_type = property(lambda self: self.aval.weak_type)

    @property
    def itemsize(self):
        return self.aval.dtype.itemsize

    @property
    def nbytes(self):
        return self.aval.size * self.aval.dtype.itemsize

    @property
    def device(self):
        """The device holding this array."""
        if self._buf is not None:
            return xla_bridge.device_of(self._buf)
        return self._device or xla_bridge.default_device()

    def devices(self):
        return {self.device}

    @property
    def committed(self):
        return self._device is not None

    @property
    def sharding(self):
        return xla_bridge.buffers.sharding_of(self.device)

    # -- host access ----------------------------------------------------------------------
    def _value(self):
        if self._host is None:
            if self._buf is None or self._buf.is_deleted():
                raise RuntimeError("Array has been deleted: it was donated to a jitted call (donate_argnums) or "
                                   "deleted explicitly. Keep a copy, or don't donate arrays you use again.")
            self._host = xla_bridge.to_host(self._buf)
        return self._host

    def __array__(self, dtype=None, copy=None):
        value = self._value()
        if dtype is not None and np.dtype(dtype) != value.dtype:
            return value.astype(dtype)
        if copy:
            return value.copy()
        return value

    def block_until_ready(self):
        if self._buf is not None:
            xla_bridge.block_until_ready(self._buf)
        return self

    def copy_to_host_async(self):
        if self._buf is not None and self._host is None:
            self._buf.copy_to_host_async()

    def is_deleted(self):
        return self._host is None and (self._buf is None or self._buf.is_deleted())

    def delete(self):
        self._buf = None
        self._host = None

    def item(self, *args):
        return self._value().item(*args)

    def tolist(self):
        return self._value().tolist()

    def tobytes(self, order="C"):
        return self._value().tobytes(order)

    def to_py(self):
        return self._value()

    def __bool__(self):
        if self.size != 1:
            raise ValueError(f"The truth value of an array with more than one element is ambiguous "
                             f"(shape {self.shape}). Use a.any() or a.all().")
        return bool(self._value())

    def __int__(self):
        return int(self._scalar("int"))

    def __float__(self):
        return float(self._scalar("float"))

    def __complex__(self):
        return complex(self._scalar("complex"))

    def __index__(self):
        if not (dtypes.is_integer(self.dtype) or self.dtype == np.bool_):
            raise TypeError(f"Only integer scalar arrays can be converted to a scalar index, got {self.dtype}.")
        return int(self._scalar("index"))

    def _scalar(self, what):
        if self.size != 1:
            raise TypeError(f"Only scalar arrays can be converted to Python {what}s; this array has shape "
                            f"{self.shape}.")
        return self._value().reshape(())[()]

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of unsized object (a 0-d array)")
        return self.shape[0]

    def __iter__(self):
        if not self.shape:
            raise TypeError("iteration over a 0-d array")
        return (self[i] for i in range(self.shape[0]))

    def __hash__(self):
        raise TypeError("unhashable type: 'jaxlike.Array'. Use a Python value, or a tuple of Python values, "
                        "where a hashable key is needed.")

    def __repr__(self):
        body = np.array2string(self._value(), separator=", ", prefix="Array(")
        weak = ", weak_type=True" if self.weak_type else ""
        return f"Array({body}, dtype={self.dtype.name}{weak})"

    def __str__(self):
        return str(self._value())

    def __format__(self, spec):
        if self.ndim == 0:
            return format(self._value()[()], spec)
        return format(str(self), spec)

    def __reduce__(self):
        return (_rebuild, (self._value(), self.aval.weak_type))

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def to_concrete_value(self):
        return self


_scalar_buffers = {}


def _scalar_buffer(value, aval, device):
    """Device buffers of scalar constants (`x * 2.0`) are shared: arrays are immutable, so reuse is safe."""
    key = (value.tobytes(), aval, device)
    buf = _scalar_buffers.get(key)
    if buf is None:
        if len(_scalar_buffers) >= 1024:
            _scalar_buffers.clear()
        buf = _scalar_buffers[key] = xla_bridge.from_host(value, aval, device)
    return buf


def _rebuild(value, weak_type):
    return Array._from_host(value, ShapedArray(value.shape, value.dtype, weak_type))


def host_array(value, dtype=None, weak_type=False):
    """An Array holding a NumPy value (canonicalised like JAX: 64-bit -> 32-bit without x64)."""
    value = np.array(value)  # a private copy: later changes to the caller's array must not show through
    target = dtypes.canonicalize_dtype(value.dtype if dtype is None else dtype)
    if target not in dtypes.all_dtypes:
        raise TypeError(f"Arrays of dtype {value.dtype} are not supported by jaxlike (object, string or "
                        "structured data). Convert to a numeric dtype first.")
    return Array._from_host(value, ShapedArray(value.shape, target, weak_type))


def as_operand(x):
    """Arrays and tracers pass through; Python scalars become weakly typed arrays, NumPy values arrays."""
    if hasattr(x, "aval"):
        return x
    if isinstance(x, (bool, int, float, complex)):
        dtype = dtypes.python_scalar_dtype(x)
        _check_int_range(x, dtype)
        return Array._from_host(np.asarray(x, dtype), ShapedArray((), dtype, not isinstance(x, bool)))
    if isinstance(x, (np.ndarray, np.generic)):
        return host_array(x)
    if isinstance(x, (list, tuple)):
        raise TypeError(f"A {type(x).__name__} is not an array operand here; wrap it with jnp.asarray.")
    raise TypeError(f"Value {x!r:.60} of type {type(x).__name__} is not a valid jaxlike array operand.")


def _check_int_range(x, dtype):
    if isinstance(x, int) and not isinstance(x, bool):
        info = np.iinfo(dtype)
        if not info.min <= x <= info.max:
            raise OverflowError(f"Python int {x} is too large to convert to {dtype.name}"
                                + ("" if dtype == np.int64 else "; enable 64-bit mode with "
                                   "jaxlike.config.update('jax_enable_x64', True) for larger integers") + ".")


def concrete_value(x):
    """Host NumPy value of a concrete array, or None for a tracer without one."""
    if isinstance(x, Array):
        return x._value()
    if hasattr(x, "to_concrete_value"):
        value = x.to_concrete_value()
        return None if value is None else concrete_value(value)
    return np.asarray(x)


def require_concrete(x, what):
    value = concrete_value(x)
    if value is None:
        from jaxlike.core import concrete_or_error
        concrete_or_error(x, what)
        raise ConcretizationTypeError(what)
    return value
