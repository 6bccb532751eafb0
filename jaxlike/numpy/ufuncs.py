"""Elementwise functions of jaxlike.numpy, built from lax primitives with NumPy/JAX promotion."""
import numpy as np

from jaxlike import dtypes, lax
from jaxlike.numpy._core import (asarray_operand, broadcast_arrays, promote_and_broadcast, promote_dtypes,
                                  promote_dtypes_inexact)

__all__ = ['add', 'subtract', 'multiply', 'maximum', 'minimum', 'equal', 'not_equal', 'less', 'less_equal', 'greater', 'greater_equal', 'true_divide', 'divide', 'exp', 'log', 'sin', 'cos', 'tanh', 'sqrt', 'negative', 'positive', 'absolute', 'abs', 'where']


def _binary(lax_fn, name, inexact=False, numeric=False, doc=None):
    def fn(x1, x2, /):
        x1, x2 = promote_and_broadcast(x1, x2, inexact=inexact, numeric=numeric)
        return lax_fn(x1, x2)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc or f"jnp.{name}: elementwise, with NumPy broadcasting and JAX dtype promotion."
    return fn


def _unary_inexact(lax_fn, name):
    def fn(x, /):
        (x,) = promote_dtypes_inexact(asarray_operand(x))
        return lax_fn(x)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"jnp.{name}: elementwise; integer inputs are promoted to the default float type."
    return fn


add = _binary(lax.add, "add")
subtract = _binary(lax.sub, "subtract")
multiply = _binary(lax.mul, "multiply")
maximum = _binary(lax.max, "maximum")
minimum = _binary(lax.min, "minimum")
equal = _binary(lax.eq, "equal")
not_equal = _binary(lax.ne, "not_equal")
less = _binary(lax.lt, "less")
less_equal = _binary(lax.le, "less_equal")
greater = _binary(lax.gt, "greater")
greater_equal = _binary(lax.ge, "greater_equal")


def true_divide(x1, x2, /):
    """jnp.true_divide: division promoting integers to the default float type."""
    x1, x2 = promote_and_broadcast(x1, x2, inexact=True)
    return lax.div(x1, x2)


divide = true_divide

exp = _unary_inexact(lax.exp, "exp")
log = _unary_inexact(lax.log, "log")
sin = _unary_inexact(lax.sin, "sin")
cos = _unary_inexact(lax.cos, "cos")
tanh = _unary_inexact(lax.tanh, "tanh")
sqrt = _unary_inexact(lax.sqrt, "sqrt")


def negative(x, /):
    """jnp.negative."""
    x = asarray_operand(x)
    if x.aval.dtype == np.bool_:
        raise TypeError("The numpy boolean negative, the `-` operator, is not supported, use the `~` operator or "
                        "the logical_not function instead.")
    return lax.neg(x)


def positive(x, /):
    return asarray_operand(x)


def absolute(x, /):
    """jnp.absolute (jnp.abs)."""
    x = asarray_operand(x)
    if dtypes.kind(x.aval.dtype) in "bu":
        return x
    return lax.abs(x)


abs = absolute


def where(condition, x=None, y=None, /, *, size=None, fill_value=None):
    """jnp.where(condition, x, y): elementwise choice; the one-argument form is nonzero()."""
    if x is None and y is None:
        from jaxlike.numpy import nonzero
        return nonzero(condition, size=size, fill_value=fill_value)
    if x is None or y is None:
        raise ValueError("Either both or neither of the x and y arguments should be provided to jnp.where.")
    condition = asarray_operand(condition)
    if condition.aval.dtype != np.bool_:
        condition = lax.ne(condition, lax.full_like(condition, 0))
    x, y = promote_dtypes(x, y)
    condition, x, y = broadcast_arrays(condition, x, y, keep_scalars=False)
    return lax.select(condition, x, y)
