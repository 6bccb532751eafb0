"""jax.nn's activation functions, normalizations and one_hot, written with jaxlike.numpy and lax.

Values, dtypes and derivatives follow JAX: relu and relu6 have custom JVPs (zero slope at the
kinks), softmax has JAX's custom JVP, log-sum-exp style functions shift by a stop_gradient
maximum so they never overflow.
"""
import math
import operator

import numpy as np

from jaxlike import dtypes, lax
from jaxlike import numpy as jnp
from jaxlike.numpy._core import promote_dtypes_inexact
from jaxlike.transforms.custom_derivatives import custom_jvp

__all__ = ['identity', 'relu', 'relu6', 'squareplus', 'softplus', 'sparse_plus', 'soft_sign', 'sigmoid',
           'sparse_sigmoid', 'silu', 'swish', 'mish', 'log_sigmoid', 'elu', 'leaky_relu', 'hard_tanh', 'celu', 'selu',
           'gelu', 'glu', 'hard_sigmoid', 'hard_silu', 'hard_swish', 'tanh', 'log1mexp', 'logsumexp', 'logmeanexp',
           'log_softmax', 'softmax', 'standardize', 'one_hot']

tanh = jnp.tanh


def identity(x):
    """jax.nn.identity: returns its argument as an array."""
    return jnp.asarray(x)


# ---- rectifiers ----------------------------------------------------------------------------------
@custom_jvp
def relu(x):
    """jax.nn.relu: max(x, 0); its derivative at 0 is 0."""
    return jnp.maximum(x, 0)


relu.defjvps(lambda g, ans, x: lax.select(x > 0, g, lax.full_like(g, 0)))


@custom_jvp
def relu6(x):
    """jax.nn.relu6: min(max(x, 0), 6); its derivative is 0 at both kinks."""
    return jnp.minimum(jnp.maximum(x, 0), 6.)


relu6.defjvps(lambda g, ans, x: lax.select((x > 0) & (x < 6), g, lax.full_like(g, 0)))


def leaky_relu(x, negative_slope=1e-2):
    """jax.nn.leaky_relu: x where x >= 0, else negative_slope * x."""
    x = jnp.asarray(x)
    return jnp.where(x >= 0, x, negative_slope * x)


def elu(x, alpha=1.0):
    """jax.nn.elu: x where x > 0, else alpha * (exp(x) - 1)."""
    x = jnp.asarray(x)
    return jnp.where(x > 0, x, alpha * jnp.expm1(jnp.where(x > 0, 0., x)))


def celu(x, alpha=1.0):
    """jax.nn.celu: max(x, 0) + alpha * expm1(min(x, 0) / alpha)."""
    return jnp.maximum(x, 0.0) + alpha * jnp.expm1(jnp.minimum(x, 0.0) / alpha)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(x):
    """jax.nn.selu: scale * elu(x, alpha) with the self-normalizing constants."""
    return _SELU_SCALE * elu(x, _SELU_ALPHA)


def hard_tanh(x):
    """jax.nn.hard_tanh: x clipped to [-1, 1]."""
    x = jnp.asarray(x)
    return jnp.where(x > 1, 1, jnp.where(x < -1, -1, x))


# ---- smooth activations ------------------------------------------------------------------------------
def sigmoid(x):
    """jax.nn.sigmoid: 1 / (1 + exp(-x))."""
    return lax.logistic(x)


def softplus(x):
    """jax.nn.softplus: log(1 + exp(x)), computed without overflow."""
    return jnp.logaddexp(x, 0)


def log_sigmoid(x):
    """jax.nn.log_sigmoid: log(sigmoid(x)) = -softplus(-x)."""
    x = jnp.asarray(x)
    return -softplus(-x)


def soft_sign(x):
    """jax.nn.soft_sign: x / (|x| + 1)."""
    x = jnp.asarray(x)
    return x / (jnp.abs(x) + 1)


def silu(x):
    """jax.nn.silu (swish): x * sigmoid(x)."""
    x = jnp.asarray(x)
    return x * sigmoid(x)


swish = silu


def mish(x):
    """jax.nn.mish: x * tanh(softplus(x))."""
    x = jnp.asarray(x)
    return x * jnp.tanh(softplus(x))


def squareplus(x, b=4):
    """jax.nn.squareplus: (x + sqrt(x^2 + b)) / 2."""
    x, b = jnp.asarray(x), jnp.asarray(b)
    return (x + jnp.sqrt(jnp.square(x) + b)) / 2


def sparse_plus(x):
    """jax.nn.sparse_plus: 0 for x <= -1, x for x >= 1, (x + 1)^2 / 4 between."""
    x = jnp.asarray(x)
    return jnp.where(x <= -1.0, 0.0, jnp.where(x >= 1.0, x, (x + 1.0) ** 2 / 4))


def sparse_sigmoid(x):
    """jax.nn.sparse_sigmoid: (x + 1) / 2 clipped to [0, 1]."""
    return 0.5 * jnp.clip(jnp.asarray(x) + 1.0, 0.0, 2.0)


def hard_sigmoid(x):
    """jax.nn.hard_sigmoid: relu6(x + 3) / 6."""
    return relu6(jnp.asarray(x) + 3.) / 6.


def hard_silu(x):
    """jax.nn.hard_silu (hard_swish): x * hard_sigmoid(x)."""
    x = jnp.asarray(x)
    return x * hard_sigmoid(x)


hard_swish = hard_silu


def gelu(x, approximate=True):
    """jax.nn.gelu: x * Phi(x), by the tanh approximation unless approximate=False."""
    (x,) = promote_dtypes_inexact(x)
    if approximate:
        sqrt_2_over_pi = np.sqrt(2 / np.pi).astype(x.dtype)
        cdf = 0.5 * (1.0 + jnp.tanh(sqrt_2_over_pi * (x + 0.044715 * (x ** 3))))
        return x * cdf
    sqrt_half = np.sqrt(0.5).astype(x.dtype)
    return jnp.asarray(0.5 * x * lax.erfc(-x * sqrt_half), dtype=x.dtype)


def glu(x, axis=-1):
    """jax.nn.glu: the first half of x along `axis` gated by the sigmoid of the second half."""
    x = jnp.asarray(x)
    if x.shape[axis] % 2:
        raise ValueError(f"glu: the size of axis {axis} must be even, got shape {x.shape}.")
    first, second = jnp.split(x, 2, axis)
    return first * sigmoid(second)


@custom_jvp
def log1mexp(x):
    """jax.nn.log1mexp: log(1 - exp(-x)), accurate for small and large x."""
    x = jnp.asarray(x)
    return jnp.where(x < np.log(2.0), jnp.log(-jnp.expm1(-x)), jnp.log1p(-jnp.exp(-x)))


log1mexp.defjvps(lambda g, ans, x: g / jnp.expm1(x))


# ---- normalizations over an axis -----------------------------------------------------------------------------
def _reduced_axes(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    return tuple(operator.index(a) % ndim for a in axes)


def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False, where=None):
    """jax.nn.logsumexp: log(sum(b * exp(a))) over `axis`, stable; optionally with the sign of the sum."""
    if where is not None:
        a = jnp.where(where, a, 0)
    if b is not None:
        a, b = promote_dtypes_inexact(a, b)
        a = jnp.where(b != 0, a, -np.inf)
    else:
        (a,) = promote_dtypes_inexact(a)
    axes = _reduced_axes(axis, a.ndim)
    real = jnp.real(a) if dtypes.is_complex(a.dtype) else a
    top = jnp.max(real, axis=axes, keepdims=keepdims, where=where, initial=-np.inf)
    top = lax.stop_gradient(lax.select(jnp.isfinite(top), top, lax.full_like(top, 0)))
    top_kept = top if keepdims else lax.expand_dims(top, axes)
    exp_a = jnp.exp(jnp.subtract(a, top_kept.astype(a.dtype)))
    if b is not None:
        exp_a = jnp.multiply(exp_a, b)
    total = jnp.sum(exp_a, axis=axes, keepdims=keepdims, where=where)
    sign = lax.sign(total)
    if return_sign or not dtypes.is_complex(a.dtype):
        total = jnp.abs(total)
    out = jnp.add(jnp.log(total), top.astype(total.dtype))
    if return_sign:
        return out, sign
    if b is not None and not dtypes.is_complex(out.dtype):
        out = jnp.where(sign < 0, jnp.asarray(np.nan, dtype=out.dtype), out)
    return out


def logmeanexp(x, axis=None, where=None, keepdims=False):
    """jax.nn.logmeanexp: log(mean(exp(x))) over `axis`, stable."""
    lse = logsumexp(x, axis=axis, where=where, keepdims=keepdims)
    x = jnp.asarray(x)
    axes = _reduced_axes(axis, x.ndim)
    if where is None:
        count = jnp.asarray(math.prod(x.shape[a] for a in axes), dtype=lse.dtype)
    else:
        count = jnp.sum(jnp.broadcast_to(where, x.shape), axis=axes, keepdims=keepdims, dtype=lse.dtype)
    return lse - jnp.log(count)


def log_softmax(x, axis=-1, where=None):
    """jax.nn.log_softmax: x - logsumexp(x) along `axis` (entries outside `where` give -inf)."""
    x = jnp.asarray(x)
    x_max = jnp.max(x, axis, where=where, initial=-np.inf, keepdims=True)
    x_safe = x if where is None else jnp.where(where, x, -np.inf)
    shifted = x_safe - lax.stop_gradient(x_max)
    shifted_logsumexp = jnp.log(jnp.sum(jnp.exp(shifted), axis, where=where, keepdims=True))
    result = shifted - shifted_logsumexp
    if where is not None:
        return jnp.where(where, result, -np.inf)
    return result


def _softmax_value(x, axis, where, initial):
    x_max = jnp.max(x, axis, where=where, initial=initial, keepdims=True)
    x_safe = x if where is None else jnp.where(where, x, initial)
    unnormalized = jnp.exp(x_safe - x_max)
    result = unnormalized / jnp.sum(unnormalized, axis, where=where, keepdims=True)
    if where is not None:
        result = jnp.where(where, result, 0)
    return result


def _softmax_jvp(axis, primals, tangents):
    (x, where, initial), (x_dot, _, _) = primals, tangents
    y = _softmax(x, axis, where, initial)
    return y, y * (x_dot - jnp.sum(y * x_dot, axis, where=where, keepdims=True))


_softmax = custom_jvp(_softmax_value, nondiff_argnums=(1,))
_softmax.defjvp(_softmax_jvp)


def softmax(x, axis=-1, where=None):
    """jax.nn.softmax: exp(x) / sum(exp(x)) along `axis` (0 outside `where`), with JAX's custom JVP
    y * (dx - sum(y * dx))."""
    return _softmax(jnp.asarray(x), _hashable_axis(axis), where, -np.inf)


def _hashable_axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def standardize(x, axis=-1, mean=None, variance=None, epsilon=1e-5, where=None, *, algorithm="fast"):
    """jax.nn.standardize: (x - mean) / sqrt(variance + epsilon) along `axis`."""
    x = jnp.asarray(x)
    if mean is None:
        mean = jnp.mean(x, axis, keepdims=True, where=where)
    if variance is None:
        if algorithm == "stable":
            variance = jnp.mean(jnp.square(jnp.subtract(x, mean)), axis, keepdims=True, where=where)
        elif algorithm == "fast":
            # E[x^2] - E[x]^2 may round below zero; clip so that rsqrt stays finite
            variance = jnp.clip(jnp.mean(jnp.square(x), axis, keepdims=True, where=where) - jnp.square(mean), 0)
        else:
            raise ValueError(f"Unknown algorithm '{algorithm}'. Expected 'fast' or 'stable'.")
    return jnp.subtract(x, mean) * lax.rsqrt(variance + epsilon)


def one_hot(x, num_classes, *, dtype=None, axis=-1):
    """jax.nn.one_hot: x's integers as one-hot vectors of length num_classes along `axis` (out of range: zeros)."""
    try:
        num_classes = operator.index(num_classes)
    except TypeError:
        raise TypeError(f"one_hot: num_classes must be a concrete integer, got {num_classes!r}. The error arose "
                        "in jax.nn.one_hot argument `num_classes`.") from None
    x = jnp.asarray(x)
    dtype = dtypes.default_float() if dtype is None else dtype
    position = operator.index(axis) % (x.ndim + 1)
    lhs = lax.expand_dims(x, (position,))
    rhs_shape = [1] * x.ndim
    rhs_shape.insert(position, num_classes)
    rhs = lax.broadcasted_iota(x.dtype, rhs_shape, position)
    return (lhs == rhs).astype(dtype)
