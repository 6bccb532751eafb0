"""Device-level user API: devices, device_put, device_get, block_until_ready."""
import numpy as np

import xla_bridge
from jaxlike import tree_util
from jaxlike.array import Array, as_operand, host_array
from jaxlike.core import Tracer


def devices(backend=None):
    """jax.devices: the devices of `backend` (default: the default platform's)."""
    return xla_bridge.devices(backend)


def local_devices(process_index=None, backend=None):
    return xla_bridge.devices(backend)


def device_count(backend=None):
    return len(xla_bridge.devices(backend))


local_device_count = device_count


def default_backend():
    """The platform name of the default device ('cpu' or 'gpu')."""
    return xla_bridge.platform_of(xla_bridge.default_device())


def process_index():
    return 0


def process_count():
    return 1


def _put_leaf(x, device):
    if isinstance(x, Tracer):
        return x
    if not isinstance(x, Array):
        x = host_array(x) if isinstance(x, (np.ndarray, np.generic)) else as_operand(x)
    if device is None:
        x._materialize()
        return x
    if x._buf is not None and xla_bridge.device_of(x._buf) == device:
        return Array._from_buffer(x._buf, x.aval, device)
    out = Array._from_host(x._value(), x.aval, device)
    out._materialize(device)
    return out


def device_put(x, device=None, *, src=None, donate=False, may_alias=None):
    """jax.device_put: move arrays (a pytree) to `device`; a device given here commits them to it."""
    if device is not None and not hasattr(device, "client"):
        device = getattr(device, "_device", None) or next(iter(device.device_set))
    return tree_util.tree_map(lambda leaf: _put_leaf(leaf, device), x)


def device_get(x):
    """jax.device_get: NumPy values for the arrays of a pytree."""
    return tree_util.tree_map(lambda leaf: np.asarray(leaf) if isinstance(leaf, Array) else leaf, x)


def block_until_ready(x):
    """jax.block_until_ready: wait for every array of a pytree to be computed."""
    for leaf in tree_util.tree_leaves(x):
        if isinstance(leaf, Array):
            leaf.block_until_ready()
    return x
