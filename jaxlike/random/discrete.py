"""Samplers of counts: Poisson, binomial and multinomial.

Poisson samples use Knuth's product of uniforms for lam < 10 and Hormann's PTRS transformed
rejection otherwise. Binomial samples use inversion (summing geometric waiting times) when count * min(p, 1-p) <= 10,
and Hormann's BTRS transformed rejection ("The generation of binomial random variates", 1993)
otherwise; multinomial samples are a chain of conditional binomials.
"""
import numpy as np

from jaxlike import dtypes, lax
from jaxlike import numpy as jnp
from jaxlike.random._jit import jitted
from jaxlike.random._common import (float_dtype, int_dtype, optional_shape, shape_of, single_key,
                                    split_keys)
from jaxlike.random.samplers import uniform_body
from jaxlike.source_info import user_line

__all__ = ["poisson", "binomial", "multinomial"]


# ---- Poisson -------------------------------------------------------------------------------------
def _poisson_knuth(key, lam, shape, dtype, max_iters):
    """Knuth's method: count uniforms until their product falls below exp(-lam) (good for small lam)."""
    def step(carry):
        i, k, key, log_prod = carry
        key, subkey = split_keys(key, 2)
        k = lax.select(log_prod > -lam, k + 1, k)
        u = uniform_body(subkey, shape, np.dtype(np.float32))
        return i + 1, k, key, log_prod + lax.log(u)

    def running(carry):
        i, _, _, log_prod = carry
        return jnp.any(log_prod > -lam) & (i < max_iters)

    carry = (0, lax.full(shape, 0, dtype), key, lax.full(shape, 0, np.float32))
    return lax.while_loop(running, step, carry)[1] - 1


def _poisson_rejection(key, lam, shape, dtype, max_iters):
    """Hormann's transformed rejection with squeeze (PTRS, 1993), for lam >= 10."""
    log_lam = lax.log(lam)
    b = 0.931 + 2.53 * lax.sqrt(lam)
    a = -0.059 + 0.02483 * b
    inv_alpha = 1.1239 + 1.1328 / (b - 3.4)
    v_r = 0.9277 - 3.6224 / (b - 2)

    def step(carry):
        i, k_out, accepted, key = carry
        key, key_u, key_v = split_keys(key, 3)
        u = uniform_body(key_u, shape, lam.dtype) - 0.5
        v = uniform_body(key_v, shape, lam.dtype)
        u_shifted = 0.5 - lax.abs(u)
        k = lax.floor((2 * a / u_shifted + b) * u + lam + 0.43)
        s = lax.log(v * inv_alpha / (a / (u_shifted * u_shifted) + b))
        t = -lam + k * log_lam - lax.lgamma(k + 1)
        accept_fast = (u_shifted >= 0.07) & (v <= v_r)
        reject = (k < 0) | ((u_shifted < 0.013) & (v > u_shifted))
        accept = accept_fast | (~reject & (s <= t))
        return i + 1, lax.select(accept, k, k_out), accepted | accept, key

    def running(carry):
        i, _, accepted, _ = carry
        return jnp.any(~accepted) & (i < max_iters)

    carry = (0, lax.full(shape, -1, lam.dtype), lax.full(shape, False, np.bool_), key)
    k = lax.while_loop(running, step, carry)[1]
    return lax.convert_element_type(k, dtype)


@jitted(static_argnums=(2, 3))
def _poisson(key, lam, shape, dtype):
    use_knuth = (lam != lam) | (lam < 10)
    lam_knuth = lax.select(use_knuth, lam, lax.full_like(lam, 0))
    # Elements that use the other method get a parameter on which it stops at once.
    lam_rejection = lax.select(use_knuth, lax.full_like(lam, 1e5), lam)
    max_iters = int(np.iinfo(dtype).max)
    result = lax.select(use_knuth, _poisson_knuth(key, lam_knuth, shape, dtype, max_iters),
                        _poisson_rejection(key, lam_rejection, shape, dtype, max_iters))
    return lax.select(lam == 0, lax.full_like(result, 0), result)


def poisson(key, lam, shape=None, dtype=None):
    """Poisson samples with rate `lam` (computed in float32, as JAX does), of integer `dtype`."""
    key = single_key("poisson", key)
    dtype = int_dtype("poisson", dtype)
    lam = lax.convert_element_type(jnp.asarray(lam), np.float32)
    shape = optional_shape("poisson", shape, lam.shape)
    return _poisson(key, jnp.broadcast_to(lam, shape), shape, dtype)


# ---- binomial and multinomial ----------------------------------------------------------------
# log(k!) - Stirling's approximation of it, for k = 0..9 (beyond, its series in 1/(k+1)).
STIRLING_TAIL = (0.0810614667953272, 0.0413406959554092, 0.0276779256849983, 0.02079067210376509,
                 0.0166446911898211, 0.0138761288230707, 0.0118967099458917, 0.0104112652619720,
                 0.00925546218271273, 0.00833056343336287)


def _stirling_tail(k):
    table = jnp.asarray(np.array(STIRLING_TAIL, k.dtype))
    k_clipped = lax.clamp(lax.full((), 0, k.dtype), k, lax.full((), 9, k.dtype))
    kp1_sq = (k + 1) * (k + 1)
    series = (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1_sq) / kp1_sq) / (k + 1)
    return jnp.where(k <= 9, jnp.take(table, k_clipped.astype(dtypes.default_int())), series)


def _binomial_inversion(key, count, prob, max_iters):
    """Counts successes as the number of geometric waiting times that fit in `count` trials."""
    log1m_prob = lax.log1p(-prob)

    def step(carry):
        i, num_geom, geom_sum, key = carry
        subkey, key = split_keys(key, 2)
        num_geom = lax.select(geom_sum <= count, num_geom + 1, num_geom)
        u = uniform_body(subkey, prob.shape, prob.dtype)
        geom = lax.ceil(lax.log(u) / log1m_prob)
        return i + 1, num_geom, geom_sum + geom, key

    def running(carry):
        i, _, geom_sum, _ = carry
        return jnp.any(geom_sum <= count) & (i < max_iters)

    zeros = lax.full_like(prob, 0)
    return lax.while_loop(running, step, (0, zeros, zeros, key))[1] - 1


def _btrs(key, count, prob, shape, max_iters):
    """Hormann's BTRS: transformed rejection with a squeeze and a Stirling-based acceptance bound."""
    stddev = lax.sqrt(count * prob * (1 - prob))
    b = 1.15 + 2.53 * stddev
    a = -0.0873 + 0.0248 * b + 0.01 * prob
    c = count * prob + 0.5
    v_r = 0.92 - 4.2 / b
    r = prob / (1 - prob)
    alpha = (2.83 + 5.1 / b) * stddev
    m = lax.floor((count + 1) * prob)

    def step(carry):
        i, k_out, accepted, key = carry
        key, key_u, key_v = split_keys(key, 3)
        u = uniform_body(key_u, shape, prob.dtype) - 0.5
        v = uniform_body(key_v, shape, prob.dtype)
        us = 0.5 - lax.abs(u)
        accept_fast = (us >= 0.07) & (v <= v_r)
        k = lax.floor((2 * a / us + b) * u + c)
        reject = (k < 0) | (k > count)
        v = lax.log(v * alpha / (a / (us * us) + b))
        accept = accept_fast | (~reject & (v <= _btrs_log_bound(count, r, m, k)))
        return i + 1, lax.select(accept, k, k_out), accepted | accept, key

    def running(carry):
        i, _, accepted, _ = carry
        return jnp.any(~accepted) & (i < max_iters)

    carry = (0, lax.full_like(prob, -1), lax.full(shape, False, np.bool_), key)
    return lax.while_loop(running, step, carry)[1]


def _btrs_log_bound(count, r, m, k):
    """log of the ratio of the binomial pmf at k to that at its mode m, by Stirling's formula."""
    bound = ((m + 0.5) * lax.log((m + 1) / (r * (count - m + 1)))
             + (count + 1) * lax.log((count - m + 1) / (count - k + 1))
             + (k + 0.5) * lax.log(r * (count - k + 1) / (k + 1)))
    return (bound + _stirling_tail(m) + _stirling_tail(count - m)
            - _stirling_tail(k) - _stirling_tail(count - k))


@jitted(static_argnums=(3, 4))
def _binomial(key, count, prob, shape, dtype):
    prob = jnp.broadcast_to(prob, shape)
    count = jnp.broadcast_to(lax.convert_element_type(count, prob.dtype), shape)
    # Sample the count of the likelier outcome's complement: q = min(p, 1 - p).
    p_below_half = prob < 0.5
    q = lax.select(p_below_half, prob, 1.0 - prob)
    count_nan_or_negative = (count != count) | (count < 0.0)
    count_inf = lax.abs(count) == np.inf
    q_is_nan = q != q
    q_negative = q < 0.0
    q = lax.select(q_is_nan | q_negative, lax.full_like(q, 0.01), q)
    use_inversion = count_nan_or_negative | (count * q <= 10.0)
    count = lax.floor(count)  # as NumPy does for a float count
    # Elements that use the other method get parameters on which it stops at once.
    count_inversion = lax.select(use_inversion, count, lax.full_like(count, 0.0))
    count_btrs = lax.select(use_inversion, lax.full_like(count, 1e4), count)
    q_btrs = lax.select(use_inversion, lax.full_like(q, 0.5), q)
    max_iters = float(np.finfo(dtype).max)
    # Sampling happens in p's dtype; only the result takes `dtype`.
    samples = lax.select(use_inversion, _binomial_inversion(key, count_inversion, q, max_iters),
                         _btrs(key, count_btrs, q_btrs, shape, max_iters))
    invalid = q_negative | q_is_nan | count_nan_or_negative
    samples = lax.select(invalid, lax.full_like(samples, np.nan), samples)
    samples = lax.select(count_inf & ~invalid, lax.full_like(samples, np.inf), samples)
    keep = p_below_half | count_nan_or_negative | q_is_nan | count_inf
    return lax.convert_element_type(lax.select(keep, samples, count - samples), dtype)


def binomial(key, n, p, shape=None, dtype=None):
    """Binomial(n, p) samples (as floats of `dtype`, as JAX returns them)."""
    key = single_key("binomial", key)
    dtype = float_dtype("binomial", dtype)
    shape = optional_shape("binomial", shape, shape_of(n), shape_of(p))
    p = jnp.asarray(p)
    p = p if dtypes.is_inexact(p.dtype) else p.astype(dtypes.default_float())
    return _binomial(key, n, p, shape, dtype)


def multinomial(key, n, p, *, shape=None, dtype=None, unroll=1):
    """Multinomial counts of `n` trials over the categories of `p`'s last axis."""
    key = single_key("multinomial", key)
    dtype = float_dtype("multinomial", dtype)
    n, p = jnp.asarray(n), jnp.asarray(p)
    common = dtypes.result_type(n, p)
    common = common if dtypes.is_inexact(common) else dtypes.default_float()
    n, p = n.astype(common), p.astype(common)
    if shape is None:
        shape = p.shape
    elif tuple(shape)[-1:] != p.shape[-1:]:
        raise ValueError(f"multinomial: shape {tuple(shape)} must end with the number of categories "
                         f"{p.shape[-1]}.{user_line()}")
    return _multinomial(key, n, p, tuple(shape), dtype, unroll)


@jitted(static_argnums=(3, 4, 5))
def _multinomial(key, n, p, shape, dtype, unroll):
    n = jnp.broadcast_to(n, shape[:-1])
    p = jnp.moveaxis(jnp.broadcast_to(p, shape), -1, 0)
    remaining = lax.cumsum(p, 0, reverse=True)
    # Category i takes Binomial(trials left, p_i / (p_i + ... + p_last)) of the remaining trials.
    ratios = p / jnp.where(remaining == 0, 1, remaining)
    keys = split_keys(key, ratios.shape[0])

    def draw(left, ratio_and_key):
        ratio, k = ratio_and_key
        count = _binomial(k, left, jnp.minimum(jnp.maximum(ratio, 0), 1), left.shape, left.dtype)
        return left - count, count

    _, counts = lax.scan(draw, n, (ratios, jnp.stack(keys)), unroll=unroll)
    return jnp.moveaxis(counts, 0, -1).astype(dtype)
