"""Compiling the random functions once per signature, as JAX jits its samplers."""
import functools

from jaxlike import dtypes
from jaxlike.transforms.jit import jit


def jit_per_mode(fn=None, *, static_argnums=()):
    """jit(fn) whose cache also keys on 64-bit mode, since the traced body depends on it."""
    if fn is None:
        return functools.partial(jit_per_mode, static_argnums=static_argnums)
    static = (0,) + tuple(i + 1 for i in static_argnums)

    def with_mode(x64, *args):
        return fn(*args)
    with_mode.__name__ = fn.__name__
    jitted = jit(with_mode, static_argnums=static)

    @functools.wraps(fn)
    def call(*args):
        return jitted(dtypes.x64_enabled(), *args)
    return call
