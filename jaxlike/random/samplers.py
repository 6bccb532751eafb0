"""Samplers with JAX's signatures whose outputs equal JAX's, bit for bit, for the same key.

Each public sampler checks its arguments, then calls a jitted body that receives raw key data
(uint32[2]) and static shapes and dtypes, as JAX's samplers do. The bodies are written with
`lax` and `jaxlike.numpy` only, so grad, vmap and jit see through them. Every float sampler
starts from `uniform_body`: random mantissa bits under a fixed exponent.
"""
import math

import numpy as np

from jaxlike import dtypes, lax
from jaxlike import numpy as jnp
from jaxlike.core import get_aval
from jaxlike.random import prng
from jaxlike.random._common import (broadcast_shapes, canonical_shape, check_shape, const, float_dtype, int_dtype,
                                    optional_shape, shape_of, single_key, split_keys)
from jaxlike.random._jit import jitted
from jaxlike.source_info import user_line

__all__ = ["uniform", "normal", "randint", "bernoulli", "gumbel", "categorical", "exponential",
           "truncated_normal", "laplace", "logistic", "cauchy", "rademacher", "maxwell", "double_sided_maxwell",
           "weibull_min", "pareto", "geometric", "rayleigh", "wald", "lognormal", "triangular"]


# ---- uniform and normal --------------------------------------------------------------------------
def uniform_body(key, shape, dtype, minval=0.0, maxval=1.0):
    """Uniform floats in [minval, maxval): random mantissa bits under the exponent of 1.0, minus 1."""
    finfo = dtypes.finfo(dtype)
    nbits, nmant = finfo.bits, finfo.nmant
    rng_bits = 8 if nmant < 8 else nbits  # narrow floats still draw at least a byte
    uint_dtype = prng.UINT_DTYPES[nbits]
    bits = prng.random_bits_from_key_data(key, rng_bits, shape)
    if rng_bits != nbits:
        bits = lax.convert_element_type(bits, uint_dtype)
    one_bits = int(np.array(1.0, dtype).view(uint_dtype))
    mantissa = lax.shift_right_logical(bits, lax.full((), rng_bits - nmant, uint_dtype))
    floats = lax.bitcast_convert_type(lax.bitwise_or(mantissa, lax.full((), one_bits, uint_dtype)), dtype)
    floats = floats - lax.full((), 1, dtype)
    minval = lax.broadcast_to_rank(lax.convert_element_type(minval, dtype), len(shape))
    maxval = lax.broadcast_to_rank(lax.convert_element_type(maxval, dtype), len(shape))
    return jnp.maximum(minval, lax.reshape(floats * (maxval - minval) + minval, shape))


@jitted(static_argnums=(1, 2))
def _uniform(key, shape, dtype, minval, maxval):
    return uniform_body(key, shape, dtype, minval, maxval)


def uniform(key, shape=(), dtype=None, minval=0.0, maxval=1.0):
    """Uniform floats in [minval, maxval) of `shape` and `dtype` (default float)."""
    key = single_key("uniform", key)
    shape = canonical_shape("uniform", shape)
    dtype = float_dtype("uniform", dtype)
    check_shape("uniform", shape, shape_of(minval), shape_of(maxval))
    return _uniform(key, shape, dtype, minval, maxval)


def normal_real_body(key, shape, dtype):
    """Standard normals by inverting the CDF: sqrt(2) * erf_inv(u) for u uniform in (-1, 1)."""
    low = np.nextafter(np.array(-1.0, dtype), np.array(0.0, dtype), dtype=dtype)
    u = uniform_body(key, shape, dtype, low, 1.0)
    return lax.mul(lax.full((), np.sqrt(2), dtype), lax.erf_inv(u))


def normal_body(key, shape, dtype):
    if dtypes.is_complex(dtype):  # independent real and imaginary parts, each of variance 1/2
        key_re, key_im = split_keys(key, 2)
        real_dtype = dtypes.real_dtype(dtype)
        re = lax.convert_element_type(normal_real_body(key_re, shape, real_dtype), dtype)
        im = lax.convert_element_type(normal_real_body(key_im, shape, real_dtype), dtype)
        return (re + lax.full((), 1j, dtype) * im) / lax.full((), np.sqrt(2), dtype)
    return normal_real_body(key, shape, dtype)


_normal = jitted(normal_body, static_argnums=(1, 2))


def normal(key, shape=(), dtype=None):
    """Standard normal floats (or complex normals with independent parts) of `shape` and `dtype`."""
    key = single_key("normal", key)
    shape = canonical_shape("normal", shape)
    dtype = float_dtype("normal", dtype, allow_complex=True)
    return _normal(key, shape, dtype)


# ---- integers ------------------------------------------------------------------------------------
def _convert_and_clip_integer(x, dtype):
    """`x` (an integer array) clipped to the range of integer `dtype`, then converted to it."""
    x_dtype = get_aval(x).dtype
    if x_dtype != dtype:
        low = max(int(np.iinfo(dtype).min), int(np.iinfo(x_dtype).min))
        high = min(int(np.iinfo(dtype).max), int(np.iinfo(x_dtype).max))
        x = lax.clamp(typed_full((), low, x_dtype), x, typed_full((), high, x_dtype))
    return lax.convert_element_type(x, dtype)


def _as_integer(x):
    x = jnp.asarray(x)
    return x if dtypes.is_integer(x.dtype) else x.astype(dtypes.default_int())


@jitted(static_argnums=(1, 4))
def _randint(key, shape, minval, maxval, dtype):
    minval, maxval = _as_integer(minval), _as_integer(maxval)
    dtype_max = _convert_and_clip_integer(typed_full((), np.iinfo(dtype).max, dtype), maxval.dtype)
    maxval_out_of_range = jnp.broadcast_to(lax.gt(maxval, dtype_max), shape)
    # Narrow integers are sampled in 32 bits, so that the span never overflows.
    nbits = max(np.iinfo(dtype).bits, 32)
    wide = np.dtype(f"{dtype.kind}{nbits // 8}")
    minval = _widened_bound(minval, dtype, wide, shape)
    maxval = _widened_bound(maxval, dtype, wide, shape)
    unsigned = prng.UINT_DTYPES[nbits]
    # Twice the bits the dtype needs, combined modulo the span, to make the bias small.
    key_high, key_low = split_keys(key, 2)
    high_bits = prng.random_bits_from_key_data(key_high, nbits, shape)
    low_bits = prng.random_bits_from_key_data(key_low, nbits, shape)
    span = lax.convert_element_type(maxval - minval, unsigned)
    empty = maxval <= minval
    span = jnp.where(empty, typed_full((), 1, unsigned), span)  # an empty range gives minval
    # maxval beyond the dtype's range means the range ends at the dtype's max, inclusive.
    span = jnp.where(maxval_out_of_range & ~empty, span + typed_full((), 1, unsigned), span)
    # 2**nbits mod span, computed without overflow as ((2**(nbits/2) mod span)**2) mod span.
    multiplier = lax.rem(typed_full(shape, 2 ** (nbits // 2), unsigned), span)
    multiplier = lax.rem(lax.mul(multiplier, multiplier), span)
    offset = lax.rem(lax.rem(high_bits, span) * multiplier + lax.rem(low_bits, span), span)
    return lax.convert_element_type(minval + lax.convert_element_type(offset, wide), dtype)


def _widened_bound(bound, dtype, wide, shape):
    return jnp.broadcast_to(lax.convert_element_type(_convert_and_clip_integer(bound, dtype), wide), shape)


def typed_full(shape, value, dtype):
    """lax.full with a fill value given exactly in `dtype` (Python ints beyond int32 included)."""
    return lax.full(shape, np.array(value, dtype), dtype)


def randint(key, shape, minval, maxval, dtype=None):
    """Uniform integers in [minval, maxval) of `shape` and integer `dtype` (default int)."""
    key = single_key("randint", key)
    shape = canonical_shape("randint", shape)
    dtype = int_dtype("randint", dtype)
    check_shape("randint", shape, shape_of(minval), shape_of(maxval))
    return _randint(key, shape, minval, maxval, dtype)


# ---- Bernoulli, Gumbel, categorical -------------------------------------------------------------
def _check_mode(name, mode):
    if mode is None:
        return "low"
    if mode not in ("low", "high"):
        raise ValueError(f"{name}: mode must be 'low' or 'high', got {mode!r}.{user_line()}")
    return mode


@jitted(static_argnums=(2, 3))
def _bernoulli(key, p, shape, mode):
    dtype = get_aval(p).dtype
    if mode == "high":  # two uniforms for 2*nmant bits of resolution near zero
        both = uniform_body(key, (2,) + shape, dtype)
        u1, u2 = lax.index_in_dim(both, 0, keepdims=False), lax.index_in_dim(both, 1, keepdims=False)
        u2 = u2 * lax.full((), 2.0 ** -dtypes.finfo(dtype).nmant, dtype)
        return u2 < p - u1
    return uniform_body(key, shape, dtype) < p


def bernoulli(key, p=0.5, shape=None, mode="low"):
    """Booleans that are True with probability `p`, of `shape` (default: p's shape)."""
    key = single_key("bernoulli", key)
    p = jnp.asarray(p)
    if not dtypes.is_float(p.dtype):
        raise TypeError(f"bernoulli probability `p` must have a floating dtype, got {p.dtype}.{user_line()}")
    p = lax.convert_element_type(p, dtypes.canonicalize_dtype(p.dtype))
    shape = optional_shape("bernoulli", shape, p.shape)
    return _bernoulli(key, p, shape, _check_mode("bernoulli", mode))


def gumbel_body(key, shape, dtype, mode="low"):
    """Standard Gumbel samples: -log(-log(u))."""
    finfo = dtypes.finfo(dtype)
    if mode == "high":
        both = uniform_body(key, (2,) + shape, dtype)
        high, low = lax.index_in_dim(both, 0, keepdims=False), lax.index_in_dim(both, 1, keepdims=False)
        # Below 1/2, refine the uniform with the second one's bits: log1p(-x) then keeps its precision.
        refined = high + low * lax.full((), 2.0 ** -finfo.nmant, dtype) + lax.full((), finfo.tiny, dtype)
        x = jnp.where(high >= lax.full((), 0.5, dtype), high, refined)
        return -lax.log(-lax.log1p(-x))
    u = uniform_body(key, shape, dtype, finfo.tiny, 1.0)
    return -lax.log(-lax.log(u))


_gumbel = jitted(gumbel_body, static_argnums=(1, 2, 3))


def gumbel(key, shape=(), dtype=None, mode=None):
    """Standard Gumbel samples of `shape` and `dtype`."""
    key = single_key("gumbel", key)
    shape = canonical_shape("gumbel", shape)
    dtype = float_dtype("gumbel", dtype)
    return _gumbel(key, shape, dtype, _check_mode("gumbel", mode))


def categorical(key, logits, axis=-1, shape=None, replace=True, mode=None):
    """Indices drawn from the categorical distributions with `logits` along `axis`."""
    key = single_key("categorical", key)
    logits = jnp.asarray(logits)
    ndim = logits.ndim
    if not -ndim <= axis < ndim:
        raise ValueError(f"categorical: axis {axis} is out of bounds for logits of shape {logits.shape}."
                         f"{user_line()}")
    axis = axis - ndim if axis >= 0 else axis
    batch_shape = tuple(np.delete(logits.shape, axis))
    shape = optional_shape("categorical", shape, batch_shape)
    mode = _check_mode("categorical", mode)
    if not replace:
        return _categorical_without_replacement(key, logits, axis, shape, mode)
    return _categorical(key, logits, axis, shape, mode)


@jitted(static_argnums=(2, 3, 4))
def _categorical(key, logits, axis, shape, mode):
    ndim = logits.ndim
    batch_ndim = ndim - 1
    prefix = shape[:len(shape) - batch_ndim]
    noise_shape = list(shape[len(shape) - batch_ndim:])
    noise_shape.insert(axis % ndim, logits.shape[axis])
    noise = gumbel_body(key, prefix + tuple(noise_shape), logits.dtype, mode)
    expanded = lax.expand_dims(logits, tuple(range(len(prefix)))) if prefix else logits
    return jnp.argmax(noise + expanded, axis=axis)  # the Gumbel-max trick


def _categorical_without_replacement(key, logits, axis, shape, mode):
    batch_ndim = logits.ndim - 1
    prefix = shape[:len(shape) - batch_ndim]
    draws = math.prod(prefix)
    if draws > logits.shape[axis]:
        raise ValueError(f"categorical with replace=False cannot take {draws} samples from {logits.shape[axis]} "
                         f"categories.{user_line()}")
    return _categorical_top_k(key, logits, axis, shape, mode)


@jitted(static_argnums=(2, 3, 4))
def _categorical_top_k(key, logits, axis, shape, mode):
    ndim = logits.ndim
    batch_ndim = ndim - 1
    prefix = shape[:len(shape) - batch_ndim]
    perturbed = logits + gumbel_body(key, logits.shape, logits.dtype, mode)  # Gumbel top-k
    moved = jnp.moveaxis(perturbed, axis % ndim, -1)
    _, indices = lax.top_k(moved, math.prod(prefix))
    indices = jnp.moveaxis(indices, -1, 0)
    return lax.reshape(indices, shape)


# ---- transforms of one uniform or normal ---------------------------------------------------------
def _unary_sampler(name, body):
    """A sampler `name(key, shape=(), dtype=None)` whose jitted body is `body(key, shape, dtype)`."""
    compiled = jitted(body, static_argnums=(1, 2))

    def sampler(key, shape=(), dtype=None):
        key_data = single_key(name, key)
        return compiled(key_data, canonical_shape(name, shape), float_dtype(name, dtype))
    sampler.__name__ = sampler.__qualname__ = name
    return sampler


def exponential_body(key, shape, dtype):
    u = uniform_body(key, shape, dtype)
    return -lax.log1p(-u)  # log(1 - u): u = 0 is possible, u = 1 is not


def _laplace_body(key, shape, dtype):
    u = uniform_body(key, shape, dtype, -1.0 + dtypes.finfo(dtype).epsneg, 1.0)
    return lax.sign(u) * lax.log1p(-lax.abs(u))


def _logistic_body(key, shape, dtype):
    x = uniform_body(key, shape, dtype, dtypes.finfo(dtype).tiny, 1.0)
    return lax.log(x / (1 - x))


def _cauchy_body(key, shape, dtype):
    u = uniform_body(key, shape, dtype, dtypes.finfo(dtype).eps, 1.0)
    return lax.tan(const(u, np.pi) * (u - 0.5))


def maxwell_body(key, shape, dtype):
    samples = normal_body(key, shape + (3,), dtype)
    return lax.sqrt(jnp.sum(samples * samples, axis=-1))


exponential = _unary_sampler("exponential", exponential_body)
exponential.__doc__ = "Standard exponential samples (rate 1) of `shape` and `dtype`."
laplace = _unary_sampler("laplace", _laplace_body)
laplace.__doc__ = "Standard Laplace samples of `shape` and `dtype`."
logistic = _unary_sampler("logistic", _logistic_body)
logistic.__doc__ = "Standard logistic samples of `shape` and `dtype`."
cauchy = _unary_sampler("cauchy", _cauchy_body)
cauchy.__doc__ = "Standard Cauchy samples of `shape` and `dtype`."
maxwell = _unary_sampler("maxwell", maxwell_body)
maxwell.__doc__ = "Maxwell samples (norms of 3-d standard normals) of `shape` and `dtype`."


def rademacher_body(key, shape, dtype):
    float_dtype = dtypes.default_float()  # bernoulli(key, 0.5)'s
    coins = lax.convert_element_type(uniform_body(key, shape, float_dtype) < lax.full((), 0.5, float_dtype), dtype)
    return 2 * coins - 1


_rademacher = jitted(rademacher_body, static_argnums=(1, 2))


def rademacher(key, shape=(), dtype=None):
    """-1 or +1 with equal probability, of `shape` and integer `dtype` (default int)."""
    key = single_key("rademacher", key)
    shape = canonical_shape("rademacher", shape)
    dtype = dtypes.default_int() if dtype is None else dtypes.canonicalize_dtype(dtypes.check_user_dtype(dtype))
    return _rademacher(key, shape, dtype)


@jitted(static_argnums=(1, 2))
def _truncated_normal(key, shape, dtype, lower, upper):
    sqrt2 = lax.full((), np.sqrt(2), dtype)
    lower = lax.convert_element_type(lower, dtype)
    upper = lax.convert_element_type(upper, dtype)
    # The normal CDF is (1 + erf(x / sqrt2)) / 2: draw erf(x / sqrt2) uniformly between its bounds.
    u = uniform_body(key, shape, dtype, lax.erf(lower / sqrt2), lax.erf(upper / sqrt2))
    out = sqrt2 * lax.erf_inv(u)
    # Rounding (or u == a) could leave the open interval (lower, upper): clamp to just inside it.
    low = lax.nextafter(lax.stop_gradient(lower), lax.full_like(lower, np.inf))
    high = lax.nextafter(lax.stop_gradient(upper), lax.full_like(upper, -np.inf))
    return jnp.minimum(jnp.maximum(out, low), high)


def truncated_normal(key, lower, upper, shape=None, dtype=None):
    """Standard normals conditioned on lying in (lower, upper)."""
    key = single_key("truncated_normal", key)
    dtype = float_dtype("truncated_normal", dtype)
    shape = optional_shape("truncated_normal", shape, shape_of(lower), shape_of(upper))
    return _truncated_normal(key, shape, dtype, lower, upper)


# ---- samplers with parameters --------------------------------------------------------------------
@jitted(static_argnums=(3, 4))
def _double_sided_maxwell(key, loc, scale, shape, dtype):
    maxwell_key, sign_key = split_keys(key, 2)
    magnitudes = maxwell_body(maxwell_key, shape, dtype)
    signs = rademacher_body(sign_key, shape, dtype)
    return signs * magnitudes * scale + loc


def double_sided_maxwell(key, loc, scale, shape=(), dtype=None):
    """Double-sided Maxwell samples with location `loc` and scale `scale`."""
    key = single_key("double_sided_maxwell", key)
    dtype = float_dtype("double_sided_maxwell", dtype)
    shape = canonical_shape("double_sided_maxwell", shape)
    param_shape = broadcast_shapes("double_sided_maxwell", shape_of(loc), shape_of(scale))
    shape = (shape or param_shape) + param_shape
    return _double_sided_maxwell(key, loc, scale, shape, dtype)


@jitted(static_argnums=(3, 4))
def _weibull_min(key, scale, concentration, shape, dtype):
    u = uniform_body(key, shape, dtype)
    concentration = lax.convert_element_type(concentration, dtype)
    exponent = jnp.broadcast_to(1.0 / concentration, shape)
    return lax.pow(-lax.log1p(-u), exponent) * scale  # the inverse CDF


def weibull_min(key, scale, concentration, shape=(), dtype=None):
    """Weibull samples with `scale` and `concentration`."""
    key = single_key("weibull_min", key)
    dtype = float_dtype("weibull_min", dtype)
    shape = canonical_shape("weibull_min", shape)
    return _weibull_min(key, scale, concentration, shape, dtype)


@jitted(static_argnums=(2, 3))
def _pareto(key, b, shape, dtype):
    b = lax.convert_element_type(b, dtype)
    e = exponential_body(key, shape, dtype)
    return lax.exp(e / b)


def pareto(key, b, shape=None, dtype=None):
    """Pareto samples with shape parameter `b`."""
    key = single_key("pareto", key)
    dtype = float_dtype("pareto", dtype)
    shape = optional_shape("pareto", shape, shape_of(b))
    return _pareto(key, b, shape, dtype)


@jitted(static_argnums=(2, 3))
def _geometric(key, p, shape, dtype):
    u = uniform_body(key, shape, get_aval(p).dtype)
    failures = lax.floor(lax.log(u) / lax.log1p(-p))
    return lax.convert_element_type(failures + 1, dtype)


def geometric(key, p, shape=None, dtype=None):
    """Geometric samples (trials up to the first success, from 1) with success probability `p`."""
    key = single_key("geometric", key)
    dtype = int_dtype("geometric", dtype)
    p = jnp.asarray(p)
    p = lax.convert_element_type(p, dtypes.canonicalize_dtype(p.dtype) if dtypes.is_float(p.dtype)
                                 else dtypes.default_float())
    shape = optional_shape("geometric", shape, p.shape)
    return _geometric(key, p, shape, dtype)


@jitted(static_argnums=(2, 3))
def _rayleigh(key, scale, shape, dtype):
    u = uniform_body(key, shape, dtype)
    scale = jnp.broadcast_to(lax.convert_element_type(scale, dtype), shape)
    return scale * lax.sqrt(lax.log(u) * -2)


def rayleigh(key, scale, shape=None, dtype=None):
    """Rayleigh samples with `scale`."""
    key = single_key("rayleigh", key)
    dtype = float_dtype("rayleigh", dtype)
    shape = optional_shape("rayleigh", shape, shape_of(scale))
    return _rayleigh(key, scale, shape, dtype)


@jitted(static_argnums=(2, 3))
def _wald(key, mean, shape, dtype):
    normal_key, uniform_key = split_keys(key, 2)
    mean = jnp.broadcast_to(lax.convert_element_type(mean, dtype), shape)
    v = normal_body(normal_key, shape, dtype)
    z = uniform_body(uniform_key, shape, dtype)
    y = lax.integer_pow(v, 2)
    y_sq = lax.integer_pow(y, 2)
    mean_sq = lax.integer_pow(mean, 2)
    # Michael, Schucany and Haas (1976): the smaller root of a quadratic, or its reflection mean**2 / x.
    sqrt_term = lax.sqrt(4 * mean * y + mean_sq * y_sq)
    x = mean + mean_sq * y / 2 - mean / 2 * sqrt_term
    return lax.select(z <= mean / (mean + x), x, mean_sq / x)


def wald(key, mean, shape=None, dtype=None):
    """Wald (inverse Gaussian) samples with `mean` and unit shape."""
    key = single_key("wald", key)
    dtype = float_dtype("wald", dtype)
    shape = optional_shape("wald", shape, shape_of(mean))
    return _wald(key, mean, shape, dtype)


@jitted(static_argnums=(2, 3))
def _lognormal(key, sigma, shape, dtype):
    sigma = lax.convert_element_type(sigma, dtype)
    return lax.exp(normal_body(key, shape, dtype) * sigma)


def lognormal(key, sigma=np.float32(1), shape=None, dtype=None):
    """Log-normal samples: exp(sigma * standard normal)."""
    key = single_key("lognormal", key)
    dtype = float_dtype("lognormal", dtype)
    shape = optional_shape("lognormal", shape, shape_of(sigma))
    return _lognormal(key, sigma, shape, dtype)


@jitted(static_argnums=(4, 5))
def _triangular(key, left, mode, right, shape, dtype):
    left, mode, right = (lax.convert_element_type(x, dtype) for x in (left, mode, right))
    mode_cdf = (mode - left) / (right - left)
    u = uniform_body(key, shape, dtype)
    below_mode = left + lax.sqrt(u * (right - left) * (mode - left))
    above_mode = right - lax.sqrt((1 - u) * (right - left) * (right - mode))
    return jnp.where(u < mode_cdf, below_mode, above_mode)


def triangular(key, left, mode, right, shape=None, dtype=None):
    """Triangular samples on [left, right] with peak at `mode`."""
    key = single_key("triangular", key)
    dtype = float_dtype("triangular", dtype)
    shape = optional_shape("triangular", shape, shape_of(left), shape_of(mode), shape_of(right))
    return _triangular(key, left, mode, right, shape, dtype)
