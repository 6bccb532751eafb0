"""Compiling the random functions once per signature, as JAX jits its samplers."""
import functools

from jaxlike.transforms.jit import jit


def jitted(fn=None, *, static_argnums=()):
    """jit(fn, static_argnums=...), usable as a decorator with arguments."""
    if fn is None:
        return functools.partial(jitted, static_argnums=static_argnums)
    return jit(fn, static_argnums=static_argnums)
