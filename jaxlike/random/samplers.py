"""Samplers with JAX's signatures whose outputs equal JAX's, bit for bit, for the same key.

Each public sampler checks its arguments, then calls a jitted body that receives raw key data
(uint32[2]) and static shapes and dtypes, as JAX's samplers do. The bodies are written with
`lax` and `jaxlike.numpy` only, so grad, vmap and jit see through them.
"""
import math

import numpy as np

from jaxlike import dtypes, lax
from jaxlike import numpy as jnp
from jaxlike.core import concrete_or_error, get_aval
from jaxlike.random import prng
from jaxlike.random._jit import jit_per_mode
from jaxlike.random.keys import key_data_of
from jaxlike.source_info import user_line

__all__ = ["uniform", "normal", "randint", "bernoulli", "gumbel", "categorical", "exponential",
           "truncated_normal", "laplace", "logistic", "cauchy", "rademacher", "maxwell", "double_sided_maxwell",
           "weibull_min", "pareto", "geometric", "rayleigh", "wald", "lognormal", "triangular", "gamma", "loggamma",
           "beta", "dirichlet", "chisquare", "f", "t", "generalized_normal", "ball", "permutation", "choice",
           "poisson", "multivariate_normal", "orthogonal"]


# ---- argument checks -----------------------------------------------------------------------------
def canonical_shape(name, shape):
    """A tuple of non-negative Python ints for a shape argument (an int or a sequence of ints)."""
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    try:
        shape = tuple(int(concrete_or_error(d, f"the shape argument of {name}")) for d in shape)
    except TypeError as e:
        if "concrete" in str(e):
            raise
        raise TypeError(f"{name}: shape must be a sequence of integers, got {shape!r}.{user_line()}") from None
    if any(d < 0 for d in shape):
        raise ValueError(f"{name}: shape must have non-negative dimensions, got {shape}.{user_line()}")
    return shape


def check_shape(name, shape, *param_shapes):
    """JAX's rule: parameter shapes broadcast with `shape`, and the broadcast result is `shape` itself."""
    if not param_shapes:
        return
    try:
        result = np.broadcast_shapes(shape, *param_shapes)
    except ValueError:
        result = None
    if result != tuple(shape):
        raise ValueError(f"{name} parameter shapes must be broadcast-compatible with shape argument, and the result "
                         f"of broadcasting the shapes must equal the shape argument, but got result {result} for "
                         f"shape argument {tuple(shape)} (parameter shapes {', '.join(map(str, param_shapes))})."
                         f"{user_line()}")


def float_dtype(name, dtype, allow_complex=False):
    """The canonical float dtype to sample in (the default float when None), or a ValueError."""
    dtype = dtypes.default_float() if dtype is None else np.dtype(dtypes.check_user_dtype(dtype))
    kinds = "float or complex" if allow_complex else "float"
    if not (dtypes.is_float(dtype) or (allow_complex and dtypes.is_complex(dtype))):
        raise ValueError(f"dtype argument to `{name}` must be a {kinds} dtype, got {dtype}.{user_line()}")
    return dtypes.canonicalize_dtype(dtype)


def int_dtype(name, dtype):
    """The canonical integer dtype to sample in (the default int when None), or a TypeError."""
    dtype = dtypes.default_int() if dtype is None else np.dtype(dtypes.check_user_dtype(dtype))
    if not dtypes.is_integer(dtype):
        raise TypeError(f"{name} only accepts integer dtypes, got {dtype}; pass e.g. dtype=jnp.int32."
                        f"{user_line()}")
    return dtypes.canonicalize_dtype(dtype)


def single_key(name, key):
    return key_data_of(name, key)[0]


def shape_of(x):
    return tuple(np.shape(x)) if not hasattr(x, "aval") else get_aval(x).shape


def optional_shape(name, shape, *param_shapes):
    """`shape` checked against the parameters' shapes, or their broadcast shape when None."""
    if shape is None:
        return tuple(np.broadcast_shapes(*param_shapes)) if param_shapes else ()
    shape = canonical_shape(name, shape)
    check_shape(name, shape, *param_shapes)
    return shape


# ---- key helpers used inside the bodies ----------------------------------------------------------
def split_keys(key, num):
    """`num` raw keys derived from `key`, as a list."""
    keys = prng.split_key_data(key, (num,))
    return [lax.index_in_dim(keys, i, axis=0, keepdims=False) for i in range(num)]


def stop_gradient(x):
    """lax.stop_gradient; a custom_jvp stand-in while jaxlike.lax has none (remove it once it does)."""
    stop = getattr(lax, "stop_gradient", None)
    return stop(x) if stop is not None else _zero_tangent(x)


def _make_zero_tangent():
    from jaxlike.transforms.custom_derivatives import custom_jvp

    @custom_jvp
    def zero_tangent(x):
        return x

    @zero_tangent.defjvp
    def _jvp(primals, tangents):
        return primals[0], jnp.zeros_like(primals[0])
    return zero_tangent


_zero_tangent = _make_zero_tangent()


def top_k_indices(x, k):
    """Indices of the k largest entries along the last axis (lax.top_k's; a stable sort stands in while
    jaxlike.lax has no top_k)."""
    top_k = getattr(lax, "top_k", None)
    if top_k is not None:
        return top_k(x, k)[1]
    positions = lax.broadcasted_iota(np.int32, get_aval(x).shape, get_aval(x).ndim - 1)
    _, order = lax.sort((lax.neg(x), positions), dimension=-1, is_stable=True, num_keys=1)
    return lax.slice_in_dim(order, 0, k, axis=-1)


def const(x, value):
    """A constant of `x`'s dtype (so that lax arithmetic needs no promotion)."""
    return lax.full((), value, get_aval(x).dtype)


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
    floats = lax.sub(floats, lax.full((), 1, dtype))
    minval = lax.broadcast_to_rank(lax.convert_element_type(minval, dtype), len(shape))
    maxval = lax.broadcast_to_rank(lax.convert_element_type(maxval, dtype), len(shape))
    scaled = jnp.add(jnp.multiply(floats, jnp.subtract(maxval, minval)), minval)
    return jnp.maximum(minval, lax.reshape(scaled, shape))


@jit_per_mode(static_argnums=(1, 2))
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
        z = lax.add(re, lax.mul(lax.full((), 1j, dtype), im))
        return lax.div(z, lax.full((), np.sqrt(2), dtype))
    return normal_real_body(key, shape, dtype)


_normal = jit_per_mode(normal_body, static_argnums=(1, 2))


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


@jit_per_mode(static_argnums=(1, 4))
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
    span = lax.convert_element_type(jnp.subtract(maxval, minval), unsigned)
    empty = jnp.less_equal(maxval, minval)
    span = jnp.where(empty, typed_full((), 1, unsigned), span)  # an empty range gives minval
    # maxval beyond the dtype's range means the range ends at the dtype's max, inclusive.
    span = jnp.where(lax.bitwise_and(maxval_out_of_range, lax.bitwise_not(empty)),
                     lax.add(span, typed_full((), 1, unsigned)), span)
    # 2**nbits mod span, computed without overflow as ((2**(nbits/2) mod span)**2) mod span.
    multiplier = lax.rem(typed_full(shape, 2 ** (nbits // 2), unsigned), span)
    multiplier = lax.rem(lax.mul(multiplier, multiplier), span)
    offset = lax.add(lax.mul(lax.rem(high_bits, span), multiplier), lax.rem(low_bits, span))
    offset = lax.rem(offset, span)
    return lax.convert_element_type(jnp.add(minval, lax.convert_element_type(offset, wide)), dtype)


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


@jit_per_mode(static_argnums=(2, 3))
def _bernoulli(key, p, shape, mode):
    dtype = get_aval(p).dtype
    if mode == "high":  # two uniforms for 2*nmant bits of resolution near zero
        both = uniform_body(key, (2,) + shape, dtype)
        u1, u2 = lax.index_in_dim(both, 0, keepdims=False), lax.index_in_dim(both, 1, keepdims=False)
        u2 = lax.mul(u2, lax.full((), 2.0 ** -dtypes.finfo(dtype).nmant, dtype))
        return jnp.less(u2, jnp.subtract(p, u1))
    return jnp.less(uniform_body(key, shape, dtype), p)


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
        refined = jnp.add(jnp.add(high, jnp.multiply(low, lax.full((), 2.0 ** -finfo.nmant, dtype))),
                          lax.full((), finfo.tiny, dtype))
        x = jnp.where(jnp.greater_equal(high, lax.full((), 0.5, dtype)), high, refined)
        return lax.neg(lax.log(lax.neg(lax.log1p(lax.neg(x)))))
    u = uniform_body(key, shape, dtype, finfo.tiny, 1.0)
    return lax.neg(lax.log(lax.neg(lax.log(u))))


_gumbel = jit_per_mode(gumbel_body, static_argnums=(1, 2, 3))


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
    shape = optional_shape("categorical", shape, batch_shape) if shape is not None else batch_shape
    mode = _check_mode("categorical", mode)
    if not replace:
        return _categorical_without_replacement(key, logits, axis, shape, mode)
    return _categorical(key, logits, axis, shape, mode)


@jit_per_mode(static_argnums=(2, 3, 4))
def _categorical(key, logits, axis, shape, mode):
    ndim = logits.ndim
    batch_ndim = ndim - 1
    prefix = shape[:len(shape) - batch_ndim]
    noise_shape = list(shape[len(shape) - batch_ndim:])
    noise_shape.insert(axis % ndim, logits.shape[axis])
    noise = gumbel_body(key, prefix + tuple(noise_shape), logits.dtype, mode)
    expanded = lax.expand_dims(logits, tuple(range(len(prefix)))) if prefix else logits
    return jnp.argmax(jnp.add(noise, expanded), axis=axis)


def _categorical_without_replacement(key, logits, axis, shape, mode):
    batch_ndim = logits.ndim - 1
    prefix = shape[:len(shape) - batch_ndim]
    draws = math.prod(prefix)
    if draws > logits.shape[axis]:
        raise ValueError(f"categorical with replace=False cannot take {draws} samples from {logits.shape[axis]} "
                         f"categories.{user_line()}")
    return _categorical_top_k(key, logits, axis, shape, mode)


@jit_per_mode(static_argnums=(2, 3, 4))
def _categorical_top_k(key, logits, axis, shape, mode):
    ndim = logits.ndim
    batch_ndim = ndim - 1
    prefix = shape[:len(shape) - batch_ndim]
    perturbed = jnp.add(logits, gumbel_body(key, logits.shape, logits.dtype, mode))
    moved = jnp.moveaxis(perturbed, axis % ndim, -1)
    indices = top_k_indices(moved, math.prod(prefix))
    indices = jnp.moveaxis(indices, -1, 0)
    return lax.reshape(indices, shape)


# ---- transforms of one uniform or normal ---------------------------------------------------------
def _unary_sampler(name, body):
    """A sampler `name(key, shape=(), dtype=None)` whose jitted body is `body(key, shape, dtype)`."""
    jitted = jit_per_mode(body, static_argnums=(1, 2))

    def sampler(key, shape=(), dtype=None):
        key_data = single_key(name, key)
        return jitted(key_data, canonical_shape(name, shape), float_dtype(name, dtype))
    sampler.__name__ = sampler.__qualname__ = name
    return sampler


def exponential_body(key, shape, dtype):
    u = uniform_body(key, shape, dtype)
    return lax.neg(lax.log1p(lax.neg(u)))  # log(1 - u): u = 0 is possible, u = 1 is not


def _laplace_body(key, shape, dtype):
    u = uniform_body(key, shape, dtype, -1.0 + dtypes.finfo(dtype).epsneg, 1.0)
    return lax.mul(lax.sign(u), lax.log1p(lax.neg(lax.abs(u))))


def _logistic_body(key, shape, dtype):
    x = uniform_body(key, shape, dtype, dtypes.finfo(dtype).tiny, 1.0)
    return lax.log(lax.div(x, lax.sub(const(x, 1), x)))


def _cauchy_body(key, shape, dtype):
    u = uniform_body(key, shape, dtype, dtypes.finfo(dtype).eps, 1.0)
    return lax.tan(lax.mul(const(u, np.pi), lax.sub(u, const(u, 0.5))))


def maxwell_body(key, shape, dtype):
    samples = normal_body(key, shape + (3,), dtype)
    return lax.sqrt(jnp.sum(lax.mul(samples, samples), axis=-1))


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
    coins = lax.convert_element_type(jnp.less(uniform_body(key, shape, dtypes.default_float()),
                                              lax.full((), 0.5, dtypes.default_float())), dtype)
    return lax.sub(lax.mul(const(coins, 2), coins), const(coins, 1))


_rademacher = jit_per_mode(rademacher_body, static_argnums=(1, 2))


def rademacher(key, shape=(), dtype=None):
    """-1 or +1 with equal probability, of `shape` and integer `dtype` (default int)."""
    key = single_key("rademacher", key)
    shape = canonical_shape("rademacher", shape)
    dtype = dtypes.default_int() if dtype is None else dtypes.canonicalize_dtype(dtypes.check_user_dtype(dtype))
    return _rademacher(key, shape, dtype)


@jit_per_mode(static_argnums=(1, 2))
def _truncated_normal(key, shape, dtype, lower, upper):
    sqrt2 = lax.full((), np.sqrt(2), dtype)
    lower = lax.convert_element_type(lower, dtype)
    upper = lax.convert_element_type(upper, dtype)
    a = lax.erf(lax.div(lower, sqrt2))
    b = lax.erf(lax.div(upper, sqrt2))
    u = uniform_body(key, shape, dtype, a, b)
    out = lax.mul(sqrt2, lax.erf_inv(u))
    # Rounding (or u == a) could leave the open interval (lower, upper): clamp to just inside it.
    low = lax.nextafter(stop_gradient(lower), lax.full_like(lower, np.inf))
    high = lax.nextafter(stop_gradient(upper), lax.full_like(upper, -np.inf))
    return jnp.minimum(jnp.maximum(out, low), high)


def truncated_normal(key, lower, upper, shape=None, dtype=None):
    """Standard normals conditioned on lying in (lower, upper)."""
    key = single_key("truncated_normal", key)
    dtype = float_dtype("truncated_normal", dtype)
    shape = optional_shape("truncated_normal", shape, shape_of(lower), shape_of(upper))
    return _truncated_normal(key, shape, dtype, lower, upper)


# ---- samplers with parameters --------------------------------------------------------------------
@jit_per_mode(static_argnums=(3, 4))
def _double_sided_maxwell(key, loc, scale, shape, dtype):
    maxwell_key, sign_key = split_keys(key, 2)
    magnitudes = maxwell_body(maxwell_key, shape, dtype)
    signs = rademacher_body(sign_key, shape, dtype)
    return jnp.add(jnp.multiply(jnp.multiply(signs, magnitudes), scale), loc)


def double_sided_maxwell(key, loc, scale, shape=(), dtype=None):
    """Double-sided Maxwell samples with location `loc` and scale `scale`."""
    key = single_key("double_sided_maxwell", key)
    dtype = float_dtype("double_sided_maxwell", dtype)
    shape = canonical_shape("double_sided_maxwell", shape)
    param_shape = tuple(np.broadcast_shapes(shape_of(loc), shape_of(scale)))
    shape = (shape or param_shape) + param_shape
    return _double_sided_maxwell(key, loc, scale, shape, dtype)


@jit_per_mode(static_argnums=(3, 4))
def _weibull_min(key, scale, concentration, shape, dtype):
    u = uniform_body(key, shape, dtype)
    concentration = lax.convert_element_type(concentration, dtype)
    exponent = jnp.broadcast_to(jnp.divide(1.0, concentration), shape)
    return jnp.multiply(lax.pow(lax.neg(lax.log1p(lax.neg(u))), exponent), scale)


def weibull_min(key, scale, concentration, shape=(), dtype=None):
    """Weibull samples with `scale` and `concentration`."""
    key = single_key("weibull_min", key)
    dtype = float_dtype("weibull_min", dtype)
    shape = canonical_shape("weibull_min", shape)
    return _weibull_min(key, scale, concentration, shape, dtype)


@jit_per_mode(static_argnums=(2, 3))
def _pareto(key, b, shape, dtype):
    b = lax.convert_element_type(b, dtype)
    e = exponential_body(key, shape, dtype)
    return lax.exp(jnp.divide(e, b))


def pareto(key, b, shape=None, dtype=None):
    """Pareto samples with shape parameter `b`."""
    key = single_key("pareto", key)
    dtype = float_dtype("pareto", dtype)
    shape = optional_shape("pareto", shape, shape_of(b)) if shape is not None else shape_of(b)
    return _pareto(key, b, shape, dtype)


@jit_per_mode(static_argnums=(2, 3))
def _geometric(key, p, shape, dtype):
    u = uniform_body(key, shape, get_aval(p).dtype)
    trials = lax.floor(jnp.divide(lax.log(u), lax.log1p(lax.neg(p))))
    return lax.convert_element_type(jnp.add(trials, 1), dtype)


def geometric(key, p, shape=None, dtype=None):
    """Geometric samples (trials up to the first success, from 1) with success probability `p`."""
    key = single_key("geometric", key)
    dtype = int_dtype("geometric", dtype)
    p = jnp.asarray(p)
    p = lax.convert_element_type(p, dtypes.canonicalize_dtype(p.dtype) if dtypes.is_float(p.dtype)
                                 else dtypes.default_float())
    shape = optional_shape("geometric", shape, p.shape) if shape is not None else p.shape
    return _geometric(key, p, shape, dtype)


@jit_per_mode(static_argnums=(2, 3))
def _rayleigh(key, scale, shape, dtype):
    u = uniform_body(key, shape, dtype)
    scale = jnp.broadcast_to(lax.convert_element_type(scale, dtype), shape)
    return lax.mul(scale, lax.sqrt(lax.mul(lax.log(u), const(u, -2))))


def rayleigh(key, scale, shape=None, dtype=None):
    """Rayleigh samples with `scale`."""
    key = single_key("rayleigh", key)
    dtype = float_dtype("rayleigh", dtype)
    shape = optional_shape("rayleigh", shape, shape_of(scale)) if shape is not None else shape_of(scale)
    return _rayleigh(key, scale, shape, dtype)


@jit_per_mode(static_argnums=(2, 3))
def _wald(key, mean, shape, dtype):
    normal_key, uniform_key = split_keys(key, 2)
    mean = jnp.broadcast_to(lax.convert_element_type(mean, dtype), shape)
    v = normal_body(normal_key, shape, dtype)
    z = uniform_body(uniform_key, shape, dtype)
    y = lax.integer_pow(v, 2)
    y_sq = lax.integer_pow(y, 2)
    mean_sq = lax.integer_pow(mean, 2)
    sqrt_term = lax.sqrt(jnp.add(jnp.multiply(jnp.multiply(4, mean), y), jnp.multiply(mean_sq, y_sq)))
    x = jnp.subtract(jnp.add(mean, jnp.divide(jnp.multiply(mean_sq, y), 2)),
                     jnp.multiply(jnp.divide(mean, 2), sqrt_term))
    return lax.select(lax.le(z, jnp.divide(mean, jnp.add(mean, x))), x, jnp.divide(mean_sq, x))


def wald(key, mean, shape=None, dtype=None):
    """Wald (inverse Gaussian) samples with `mean` and unit shape."""
    key = single_key("wald", key)
    dtype = float_dtype("wald", dtype)
    shape = optional_shape("wald", shape, shape_of(mean)) if shape is not None else shape_of(mean)
    return _wald(key, mean, shape, dtype)


@jit_per_mode(static_argnums=(2, 3))
def _lognormal(key, sigma, shape, dtype):
    sigma = lax.convert_element_type(sigma, dtype)
    return lax.exp(jnp.multiply(normal_body(key, shape, dtype), sigma))


def lognormal(key, sigma=np.float32(1), shape=None, dtype=None):
    """Log-normal samples: exp(sigma * standard normal)."""
    key = single_key("lognormal", key)
    dtype = float_dtype("lognormal", dtype)
    shape = optional_shape("lognormal", shape, shape_of(sigma)) if shape is not None else shape_of(sigma)
    return _lognormal(key, sigma, shape, dtype)


@jit_per_mode(static_argnums=(4, 5))
def _triangular(key, left, mode, right, shape, dtype):
    left, mode, right = (lax.convert_element_type(x, dtype) for x in (left, mode, right))
    width = jnp.subtract(right, left)
    fc = jnp.divide(jnp.subtract(mode, left), width)
    u = uniform_body(key, shape, dtype)
    out1 = jnp.add(left, lax.sqrt(jnp.multiply(jnp.multiply(u, width), jnp.subtract(mode, left))))
    out2 = jnp.subtract(right, lax.sqrt(jnp.multiply(jnp.multiply(jnp.subtract(1, u), width),
                                                     jnp.subtract(right, mode))))
    return jnp.where(jnp.less(u, fc), out1, out2)


def triangular(key, left, mode, right, shape=None, dtype=None):
    """Triangular samples on [left, right] with peak at `mode`."""
    key = single_key("triangular", key)
    dtype = float_dtype("triangular", dtype)
    shape = optional_shape("triangular", shape, shape_of(left), shape_of(mode), shape_of(right))
    return _triangular(key, left, mode, right, shape, dtype)


# ---- the gamma family ----------------------------------------------------------------------------
def gamma_body(key, a, shape, dtype, log_space=False):
    from jaxlike.random.gamma_primitive import random_gamma_p
    a = lax.convert_element_type(a, dtype)
    if get_aval(a).shape != shape:
        a = jnp.broadcast_to(a, shape)
    return random_gamma_p.bind(key, a, log_space=log_space)


_gamma = jit_per_mode(gamma_body, static_argnums=(2, 3, 4))


def gamma(key, a, shape=None, dtype=None):
    """Gamma(a, 1) samples (shape parameter `a`), differentiable in `a` by implicit reparameterisation."""
    key = single_key("gamma", key)
    dtype = float_dtype("gamma", dtype)
    shape = optional_shape("gamma", shape, shape_of(a)) if shape is not None else shape_of(a)
    return _gamma(key, a, shape, dtype, False)


def loggamma(key, a, shape=None, dtype=None):
    """Logs of Gamma(a, 1) samples, accurate for small `a` where the samples underflow."""
    key = single_key("loggamma", key)
    dtype = float_dtype("loggamma", dtype)
    shape = optional_shape("loggamma", shape, shape_of(a)) if shape is not None else shape_of(a)
    return _gamma(key, a, shape, dtype, True)


@jit_per_mode(static_argnums=(3, 4))
def _beta(key, a, b, shape, dtype):
    key_a, key_b = split_keys(key, 2)
    log_gamma_a = gamma_body(key_a, a, shape, dtype, log_space=True)
    log_gamma_b = gamma_body(key_b, b, shape, dtype, log_space=True)
    # gamma_a / (gamma_a + gamma_b), scaled by the larger so that neither underflows.
    log_max = lax.max(log_gamma_a, log_gamma_b)
    scaled_a = lax.exp(lax.sub(log_gamma_a, log_max))
    scaled_b = lax.exp(lax.sub(log_gamma_b, log_max))
    return lax.div(scaled_a, lax.add(scaled_a, scaled_b))


def beta(key, a, b, shape=None, dtype=None):
    """Beta(a, b) samples."""
    key = single_key("beta", key)
    dtype = float_dtype("beta", dtype)
    shape = optional_shape("beta", shape, shape_of(a), shape_of(b))
    return _beta(key, a, b, shape, dtype)


@jit_per_mode(static_argnums=(2, 3))
def _dirichlet(key, alpha, shape, dtype):
    log_gammas = gamma_body(key, alpha, shape + get_aval(alpha).shape[-1:], dtype, log_space=True)
    return _softmax(log_gammas, -1)


def _softmax(x, axis):
    unnormalized = lax.exp(jnp.subtract(x, stop_gradient(jnp.max(x, axis, keepdims=True))))
    return jnp.divide(unnormalized, jnp.sum(unnormalized, axis, keepdims=True))


def dirichlet(key, alpha, shape=None, dtype=None):
    """Dirichlet(alpha) samples: the last axis of `alpha` holds the concentrations."""
    key = single_key("dirichlet", key)
    dtype = float_dtype("dirichlet", dtype)
    alpha_shape = shape_of(alpha)
    if len(alpha_shape) < 1:
        raise ValueError(f"dirichlet: alpha must have at least one axis, got shape {alpha_shape}.{user_line()}")
    shape = optional_shape("dirichlet", shape, alpha_shape[:-1]) if shape is not None else alpha_shape[:-1]
    return _dirichlet(key, alpha, shape, dtype)


def chisquare_body(key, df, shape, dtype):
    df = lax.convert_element_type(df, dtype)
    two = lax.full((), 2, dtype)
    log_g = gamma_body(key, jnp.divide(df, two), shape, dtype, log_space=True)
    return lax.mul(lax.exp(log_g), two)


_chisquare = jit_per_mode(chisquare_body, static_argnums=(2, 3))


def chisquare(key, df, shape=None, dtype=None):
    """Chi-square samples with `df` degrees of freedom."""
    key = single_key("chisquare", key)
    dtype = float_dtype("chisquare", dtype)
    shape = optional_shape("chisquare", shape, shape_of(df)) if shape is not None else shape_of(df)
    return _chisquare(key, df, shape, dtype)


@jit_per_mode(static_argnums=(3, 4))
def _f(key, dfnum, dfden, shape, dtype):
    key_den, key_num = split_keys(key, 2)
    chi2_num = chisquare_body(key_num, dfnum, shape, dtype)
    chi2_den = chisquare_body(key_den, dfden, shape, dtype)
    dfnum = jnp.broadcast_to(lax.convert_element_type(dfnum, dtype), shape)
    dfden = jnp.broadcast_to(lax.convert_element_type(dfden, dtype), shape)
    return lax.div(lax.div(chi2_num, dfnum), lax.div(chi2_den, dfden))


def f(key, dfnum, dfden, shape=None, dtype=None):
    """F-distribution samples with `dfnum` and `dfden` degrees of freedom."""
    key = single_key("f", key)
    dtype = float_dtype("f", dtype)
    shape = optional_shape("f", shape, shape_of(dfden), shape_of(dfnum))
    return _f(key, dfnum, dfden, shape, dtype)


@jit_per_mode(static_argnums=(2, 3))
def _t(key, df, shape, dtype):
    df = lax.convert_element_type(df, dtype)
    key_normal, key_gamma = split_keys(key, 2)
    n = normal_body(key_normal, shape, dtype)
    half_df = lax.div(df, lax.full((), 2, dtype))
    g = gamma_body(key_gamma, half_df, shape, dtype)
    return jnp.multiply(n, lax.sqrt(jnp.divide(half_df, g)))


def t(key, df, shape=None, dtype=None):
    """Student's t samples with `df` degrees of freedom."""
    key = single_key("t", key)
    dtype = float_dtype("t", dtype)
    shape = optional_shape("t", shape, shape_of(df)) if shape is not None else shape_of(df)
    return _t(key, df, shape, dtype)


def generalized_normal_body(key, p, shape, dtype):
    gamma_key, sign_key = split_keys(key, 2)
    g = gamma_body(gamma_key, jnp.divide(1, p), shape, dtype)
    r = rademacher_body(sign_key, shape, dtype)
    return jnp.multiply(r, jnp.power(g, jnp.divide(1, p)) if hasattr(jnp, "power") else
                        lax.pow(g, jnp.broadcast_to(lax.convert_element_type(jnp.divide(1, p), dtype), shape)))


_generalized_normal = jit_per_mode(generalized_normal_body, static_argnums=(2, 3))


def generalized_normal(key, p, shape=(), dtype=None):
    """Generalized normal samples with density proportional to exp(-|x|^p)."""
    key = single_key("generalized_normal", key)
    dtype = float_dtype("generalized_normal", dtype)
    shape = canonical_shape("generalized_normal", shape)
    return _generalized_normal(key, p, shape, dtype)


@jit_per_mode(static_argnums=(1, 2, 3, 4))
def _ball(key, d, p, shape, dtype):
    key_g, key_e = split_keys(key, 2)
    g = generalized_normal_body(key_g, lax.full((), p, dtype), shape + (d,), dtype)
    e = exponential_body(key_e, shape, dtype)
    norm = lax.pow(jnp.add(jnp.sum(lax.pow(lax.abs(g), lax.full_like(g, p)), axis=-1), e),
                   lax.full(shape, 1 / p, dtype))
    return jnp.divide(g, lax.expand_dims(norm, (len(shape),)))


def ball(key, d, p=2, shape=(), dtype=None):
    """Points uniform in the unit p-norm ball of dimension `d`."""
    key = single_key("ball", key)
    dtype = float_dtype("ball", dtype)
    shape = canonical_shape("ball", shape)
    d = int(concrete_or_error(d, "the dimension argument of ball"))
    if d < 1:
        raise ValueError(f"ball: the dimension d must be positive, got {d}.{user_line()}")
    return _ball(key, d, float(p), shape, dtype)


# ---- permutations and choices --------------------------------------------------------------------
def _shuffle_rounds(size):
    """Sorting rounds by random 32-bit keys; 3 * log(n) / log(2**32 - 1) of them make ties negligible."""
    return int(np.ceil(3 * np.log(max(1, size)) / np.log(np.iinfo(np.uint32).max)))


def shuffle_body(key, x, axis):
    """`x` shuffled along `axis`: stable sorts by fresh random 32-bit keys."""
    for _ in range(_shuffle_rounds(get_aval(x).size)):
        key, subkey = split_keys(key, 2)
        sort_keys = prng.random_bits_from_key_data(subkey, 32, get_aval(x).shape)
        _, x = lax.sort_key_val(sort_keys, x, axis)
    return x


_shuffle = jit_per_mode(shuffle_body, static_argnums=(2,))


@jit_per_mode(static_argnums=(2,))
def _permute_along(key, x, axis):
    indices = shuffle_body(key, jnp.arange(x.shape[axis]), 0)
    return jnp.take(x, indices, axis=axis, unique_indices=True)


def permutation(key, x, axis=0, independent=False):
    """A random permutation of range(x) (an int), or of `x` along `axis` (each slice alike unless `independent`)."""
    key = single_key("permutation", key)
    if isinstance(x, (list, tuple)):
        raise TypeError(f"permutation requires an array or an integer, got a {type(x).__name__}; convert it "
                        f"with jnp.asarray.{user_line()}")
    x_shape = shape_of(x)
    if not x_shape:
        if not dtypes.is_integer(jnp.asarray(x).dtype):
            raise TypeError(f"x must be an integer or at least 1-dimensional.{user_line()}")
        n = int(concrete_or_error(x, "argument x of jaxlike.random.permutation()"))
        return _shuffle(key, jnp.arange(n), 0)
    axis = _canonical_axis("permutation", axis, len(x_shape))
    x = jnp.asarray(x)
    if independent or x.ndim == 1:
        return _shuffle(key, x, axis)
    return _permute_along(key, x, axis)


def _canonical_axis(name, axis, ndim):
    if not -ndim <= axis < ndim:
        raise ValueError(f"{name}: axis {axis} is out of bounds for an array of rank {ndim}.{user_line()}")
    return axis % ndim


def choice(key, a, shape=(), replace=True, p=None, axis=0, mode=None):
    """Samples from range(a) (an int) or from `a` along `axis`, with or without replacement, weights `p`."""
    key = single_key("choice", key)
    if not isinstance(shape, (tuple, list)):
        raise TypeError(f"shape argument of jaxlike.random.choice must be a sequence, got {shape}.{user_line()}")
    shape = canonical_shape("choice", shape)
    arr = jnp.asarray(a)
    if arr.ndim == 0:
        n_inputs = int(concrete_or_error(a, "The error occurred in jaxlike.random.choice()"))
    else:
        axis = _canonical_axis("choice", axis, arr.ndim)
        n_inputs = arr.shape[axis]
    n_draws = math.prod(shape)
    if n_draws == 0:
        return jnp.zeros(shape, dtype=arr.dtype)
    if n_inputs <= 0:
        raise ValueError(f"a must be greater than 0 unless no samples are taken.{user_line()}")
    if not replace and n_draws > n_inputs:
        raise ValueError(f"Cannot take a larger sample (size {n_draws}) than population (size {n_inputs}) when "
                         f"'replace=False'.{user_line()}")
    if p is not None:
        p = jnp.asarray(p)
        p = p if dtypes.is_inexact(p.dtype) else p.astype(dtypes.default_float())
        if p.shape != (n_inputs,):
            raise ValueError(f"p must be None or a 1D vector with the same size as a.shape[axis]. p has shape "
                             f"{p.shape} and a.shape[axis] is {n_inputs}.{user_line()}")
    mode = _check_mode("choice", mode)
    out_shape = shape if arr.ndim == 0 else arr.shape[:axis] + shape + arr.shape[axis + 1:]
    return _choice(key, arr, shape, replace, p, axis, mode, n_inputs, out_shape)


def _choice(key, arr, shape, replace, p, axis, mode, n_inputs, out_shape):
    n_draws = math.prod(shape)
    if p is None and replace:
        indices = _randint(key, shape, 0, n_inputs, dtypes.default_int())
    elif p is None:
        population = jnp.arange(n_inputs) if arr.ndim == 0 else arr
        permuted = permutation(key, population, axis) if arr.ndim else permutation(key, n_inputs)
        result = lax.slice_in_dim(permuted, 0, n_draws, axis=axis if arr.ndim else 0)
        return result.reshape(out_shape)
    elif replace:
        indices = _choice_by_cdf(key, p, shape)
    else:
        indices = _choice_top_k(key, p, n_draws, mode)
    result = indices if arr.ndim == 0 else jnp.take(arr, indices, axis=axis)
    return result.reshape(out_shape)


@jit_per_mode(static_argnums=(2,))
def _choice_by_cdf(key, p, shape):
    cumulative = jnp.cumsum(p)
    total = lax.index_in_dim(cumulative, -1, keepdims=False)
    r = jnp.multiply(total, jnp.subtract(1, uniform_body(key, shape, cumulative.dtype)))
    return jnp.searchsorted(cumulative, r).astype(dtypes.default_int())


@jit_per_mode(static_argnums=(2, 3))
def _choice_top_k(key, p, k, mode):
    perturbed = jnp.add(gumbel_body(key, p.shape, p.dtype, mode), lax.log(p))
    return top_k_indices(perturbed, k).astype(dtypes.default_int())


# ---- Poisson -------------------------------------------------------------------------------------
def _poisson_knuth(key, lam, shape, dtype, max_iters):
    """Knuth's method: count uniforms until their product falls below exp(-lam) (good for small lam)."""
    def step(carry):
        i, k, key, log_prod = carry
        key, subkey = split_keys(key, 2)
        k = lax.select(lax.gt(log_prod, lax.neg(lam)), lax.add(k, const(k, 1)), k)
        u = uniform_body(subkey, shape, np.dtype(np.float32))
        return i + 1, k, key, lax.add(log_prod, lax.log(u))

    def running(carry):
        i, _, _, log_prod = carry
        pending = jnp.any(lax.gt(log_prod, lax.neg(lam)))
        return lax.bitwise_and(pending, lax.lt(i, max_iters))

    carry = (0, lax.full(shape, 0, dtype), key, lax.full(shape, 0, np.float32))
    k = lax.while_loop(running, step, carry)[1]
    return lax.sub(k, const(k, 1))


def _poisson_rejection(key, lam, shape, dtype, max_iters):
    """Hormann's transformed rejection with squeeze (PTRS, 1993), for lam >= 10."""
    log_lam = lax.log(lam)
    b = jnp.add(0.931, jnp.multiply(2.53, lax.sqrt(lam)))
    a = jnp.add(-0.059, jnp.multiply(0.02483, b))
    inv_alpha = jnp.add(1.1239, jnp.divide(1.1328, jnp.subtract(b, 3.4)))
    v_r = jnp.subtract(0.9277, jnp.divide(3.6224, jnp.subtract(b, 2)))

    def step(carry):
        i, k_out, accepted, key = carry
        key, key_u, key_v = split_keys(key, 3)
        u = jnp.subtract(uniform_body(key_u, shape, lam.dtype), 0.5)
        v = uniform_body(key_v, shape, lam.dtype)
        u_shifted = jnp.subtract(0.5, lax.abs(u))
        k = lax.floor(jnp.add(jnp.add(jnp.multiply(jnp.add(jnp.divide(jnp.multiply(2, a), u_shifted), b), u),
                                      lam), 0.43))
        s = lax.log(jnp.divide(jnp.multiply(v, inv_alpha),
                               jnp.add(jnp.divide(a, jnp.multiply(u_shifted, u_shifted)), b)))
        t = jnp.subtract(jnp.add(lax.neg(lam), jnp.multiply(k, log_lam)), lax.lgamma(jnp.add(k, 1)))
        accept_fast = lax.bitwise_and(jnp.greater_equal(u_shifted, 0.07), jnp.less_equal(v, v_r))
        reject = lax.bitwise_or(jnp.less(k, 0),
                                lax.bitwise_and(jnp.less(u_shifted, 0.013), jnp.greater(v, u_shifted)))
        accept = lax.bitwise_or(accept_fast, lax.bitwise_and(lax.bitwise_not(reject), jnp.less_equal(s, t)))
        return i + 1, lax.select(accept, k, k_out), lax.bitwise_or(accepted, accept), key

    def running(carry):
        i, _, accepted, _ = carry
        return lax.bitwise_and(jnp.any(lax.bitwise_not(accepted)), lax.lt(i, max_iters))

    carry = (0, lax.full(shape, -1, lam.dtype), lax.full(shape, False, np.bool_), key)
    k = lax.while_loop(running, step, carry)[1]
    return lax.convert_element_type(k, dtype)


@jit_per_mode(static_argnums=(2, 3))
def _poisson(key, lam, shape, dtype):
    use_knuth = lax.bitwise_or(lax.ne(lam, lam), lax.lt(lam, const(lam, 10)))
    lam_knuth = lax.select(use_knuth, lam, lax.full_like(lam, 0))
    # Elements that use the other method get a parameter on which it stops at once.
    lam_rejection = lax.select(use_knuth, lax.full_like(lam, 1e5), lam)
    max_iters = int(np.iinfo(dtype).max)
    result = lax.select(use_knuth, _poisson_knuth(key, lam_knuth, shape, dtype, max_iters),
                        _poisson_rejection(key, lam_rejection, shape, dtype, max_iters))
    return lax.select(lax.eq(lam, const(lam, 0)), lax.full_like(result, 0), result)


def poisson(key, lam, shape=None, dtype=None):
    """Poisson samples with rate `lam` (computed in float32, as JAX does), of integer `dtype`."""
    key = single_key("poisson", key)
    dtype = int_dtype("poisson", dtype)
    lam = lax.convert_element_type(jnp.asarray(lam), np.float32)
    shape = optional_shape("poisson", shape, lam.shape) if shape is not None else lam.shape
    return _poisson(key, jnp.broadcast_to(lam, shape), shape, dtype)


# ---- samplers that need linear algebra -----------------------------------------------------------
def _linalg():
    linalg = getattr(jnp, "linalg", None)
    if linalg is None:
        raise NotImplementedError(f"this sampler needs jaxlike.numpy.linalg, which is not available yet."
                                  f"{user_line()}")
    return linalg


@jit_per_mode(static_argnums=(3, 4, 5))
def _multivariate_normal(key, mean, cov, shape, dtype, method):
    linalg = _linalg()
    mean, cov = lax.convert_element_type(mean, dtype), lax.convert_element_type(cov, dtype)
    if method == "svd":
        u, s, _ = linalg.svd(cov)
        factor = jnp.multiply(u, lax.sqrt(lax.expand_dims(s, (s.ndim - 1,))))
    elif method == "eigh":
        w, v = linalg.eigh(cov)
        factor = jnp.multiply(v, lax.sqrt(lax.expand_dims(w, (w.ndim - 1,))))
    else:
        factor = linalg.cholesky(cov)
    samples = normal_body(key, shape + mean.shape[-1:], dtype)
    return jnp.add(mean, jnp.matmul(factor, samples[..., None])[..., 0])


def multivariate_normal(key, mean, cov, shape=None, dtype=None, method="cholesky"):
    """Multivariate normal samples with `mean` [..., n] and covariance `cov` [..., n, n]."""
    key = single_key("multivariate_normal", key)
    if isinstance(mean, (list, tuple)) or isinstance(cov, (list, tuple)):
        raise TypeError(f"multivariate_normal requires arrays for mean and cov, got a list; convert it with "
                        f"jnp.asarray.{user_line()}")
    mean, cov = jnp.asarray(mean), jnp.asarray(cov)
    if dtype is None:  # the parameters' common inexact type
        common = dtypes.result_type(mean, cov)
        dtype = common if dtypes.is_inexact(common) else dtypes.default_float()
    dtype = float_dtype("multivariate_normal", dtype)
    if method not in ("svd", "eigh", "cholesky"):
        raise ValueError(f"method must be one of {{'svd', 'eigh', 'cholesky'}}, got {method!r}.{user_line()}")
    if mean.ndim < 1:
        raise ValueError(f"multivariate_normal requires mean.ndim >= 1, got mean.ndim == {mean.ndim}.{user_line()}")
    if cov.ndim < 2:
        raise ValueError(f"multivariate_normal requires cov.ndim >= 2, got cov.ndim == {cov.ndim}.{user_line()}")
    n = mean.shape[-1]
    if cov.shape[-2:] != (n, n):
        raise ValueError(f"multivariate_normal requires cov.shape == (..., n, n) for n={n}, but got cov.shape == "
                         f"{cov.shape}.{user_line()}")
    shape = optional_shape("normal", shape, mean.shape[:-1], cov.shape[:-2])
    return _multivariate_normal(key, mean, cov, shape, dtype, method)


@jit_per_mode(static_argnums=(1, 2, 3, 4))
def _orthogonal(key, n, m, shape, dtype):
    # QR of a tall normal matrix; a wide result is the transpose of a tall one.
    z = normal_body(key, shape + (max(n, m), min(n, m)), dtype)
    q, r = _linalg().qr(z)
    d = jnp.diagonal(r, 0, -2, -1)
    phases = lax.div(d, lax.convert_element_type(lax.abs(d), d.dtype))
    q = jnp.multiply(q, lax.expand_dims(phases, (d.ndim - 1,)))
    return jnp.swapaxes(q, -1, -2) if n < m else q


def orthogonal(key, n, shape=(), dtype=None, m=None):
    """Random n x m matrices with orthonormal columns or rows (Haar measure), by QR of normals."""
    key = single_key("orthogonal", key)
    dtype = float_dtype("orthogonal", dtype, allow_complex=True)
    shape = canonical_shape("orthogonal", shape)
    n = int(concrete_or_error(n, "The error occurred in jaxlike.random.orthogonal()"))
    m = n if m is None else int(concrete_or_error(m, "The error occurred in jaxlike.random.orthogonal()"))
    return _orthogonal(key, n, m, shape, dtype)
