"""Backends and devices: CPU always, GPU when a CUDA/ROCm PJRT plugin is installed.

The platform order comes from config `jax_platforms` (env JAXLIKE_PLATFORMS or JAX_PLATFORMS),
e.g. "cpu" or "cuda,cpu"; by default GPU first when present, as JAX does.
"""
import functools

import jax

from jaxlike.config import config

_ALIASES = {"cuda": "gpu", "rocm": "gpu", "gpu": "gpu", "cpu": "cpu", "tpu": "tpu"}
_DEFAULT_ORDER = ("gpu", "tpu", "cpu")


@functools.lru_cache(maxsize=None)
def _platform_devices(platform):
    try:
        return tuple(jax.devices(platform))
    except RuntimeError:
        return ()


def _requested_platforms():
    spec = config.read("jax_platform_name") or config.read("jax_platforms")
    if not spec:
        return _DEFAULT_ORDER
    names = [p.strip().lower() for p in spec.split(",") if p.strip()]
    unknown = [n for n in names if n not in _ALIASES]
    if unknown:
        raise ValueError(f"Unknown platform(s) {unknown} in jax_platforms/JAXLIKE_PLATFORMS={spec!r}; "
                         f"use a comma-separated list of {sorted(_ALIASES)}.")
    return tuple(_ALIASES[n] for n in names)


def available_platforms():
    return tuple(p for p in ("cpu", "gpu", "tpu") if _platform_devices(p))


def devices(backend=None):
    """Devices of `backend` ('cpu', 'gpu', 'cuda', 'tpu'), or of the default platform."""
    if backend is None:
        for platform in _requested_platforms():
            found = _platform_devices(platform)
            if found:
                return list(found)
        raise RuntimeError(f"No devices found for platforms {_requested_platforms()}; available: "
                           f"{available_platforms()}.")
    platform = _ALIASES.get(str(backend).lower())
    if platform is None:
        raise ValueError(f"Unknown backend {backend!r}; use one of {sorted(_ALIASES)}.")
    found = _platform_devices(platform)
    if not found:
        raise RuntimeError(f"Backend {backend!r} is not available here (available: {available_platforms()}). "
                           "For GPUs, install jaxlib's CUDA plugin (e.g. pip install 'jax[cuda13]').")
    return list(found)


local_devices = devices


_default = None


def default_device():
    """The first device of the default platform."""
    global _default
    if _default is None:
        _default = devices()[0]
    return _default


def _reset_default(name, value):
    global _default
    if name in ("jax_platforms", "jax_platform_name"):
        _default = None


config.on_change(_reset_default)


def platform_of(device):
    return "gpu" if device.platform in ("cuda", "rocm", "gpu") else device.platform
