"""Device buffers (jaxlib arrays used as containers): host to device and back, any dtype.

Buffers are made with jaxlib's batched_device_put and `enable_x64=True`, so 64-bit data keeps
its type without touching jax's global x64 flag.
"""
import numpy as np
import jaxlib.xla_client as xc
from jax.sharding import SingleDeviceSharding

_COPY = xc.HostBufferSemantics.IMMUTABLE_ONLY_DURING_CALL
_shardings = {}


def sharding_of(device):
    """The single-device sharding of `device` (cached)."""
    sharding = _shardings.get(device)
    if sharding is None:
        sharding = _shardings[device] = SingleDeviceSharding(device)
    return sharding


def from_host(value, aval, device):
    """Copies a NumPy value (already of aval's dtype and shape) to a buffer on `device`."""
    value = np.ascontiguousarray(value)
    return xc.batched_device_put(aval, sharding_of(device), [value], [device], True, False, _COPY, True)


def to_host(buffer):
    """The buffer's contents as a NumPy array (read-only)."""
    value, _ = buffer._single_device_array_to_np_array_did_copy()
    return value


def block_until_ready(buffer):
    buffer.block_until_ready()
    return buffer


def device_of(buffer):
    return next(iter(buffer.sharding.device_set))


def copy_to_device(buffer, device):
    """Moves a buffer to another device (through the host when the platforms differ)."""
    if device_of(buffer) == device:
        return buffer
    value = to_host(buffer)
    return from_host(value, buffer.aval, device)
