"""Binomial and multinomial sampling.

Binomial samples use inversion (summing geometric waiting times) when count * min(p, 1-p) <= 10,
and Hormann's BTRS transformed rejection ("The generation of binomial random variates", 1993)
otherwise; multinomial samples are a chain of conditional binomials.
"""
import numpy as np

from jaxlike import dtypes, lax
from jaxlike import numpy as jnp
from jaxlike.random._jit import jit_per_mode
from jaxlike.random.samplers import (float_dtype, optional_shape, shape_of, single_key, split_keys,
                                     uniform_body)
from jaxlike.source_info import user_line

# log(k!) - Stirling's approximation of it, for k = 0..9 (beyond, its series in 1/(k+1)).
STIRLING_TAIL = (0.0810614667953272, 0.0413406959554092, 0.0276779256849983, 0.02079067210376509,
                 0.0166446911898211, 0.0138761288230707, 0.0118967099458917, 0.0104112652619720,
                 0.00925546218271273, 0.00833056343336287)


def _stirling_tail(k):
    table = jnp.asarray(np.array(STIRLING_TAIL, k.dtype))
    small = jnp.less_equal(k, 9)
    k_clipped = lax.clamp(lax.full((), 0, k.dtype), k, lax.full((), 9, k.dtype))
    kp1 = jnp.add(k, 1)
    kp1_sq = jnp.multiply(kp1, kp1)
    series = jnp.divide(jnp.subtract(1.0 / 12, jnp.divide(jnp.subtract(1.0 / 360, jnp.divide(1.0 / 1260, kp1_sq)),
                                                          kp1_sq)), kp1)
    return jnp.where(small, jnp.take(table, k_clipped.astype(dtypes.default_int())), series)


def _binomial_inversion(key, count, prob, max_iters):
    """Counts successes as the number of geometric waiting times that fit in `count` trials."""
    log1m_prob = lax.log1p(lax.neg(prob))

    def step(carry):
        i, num_geom, geom_sum, key = carry
        subkey, key = split_keys(key, 2)
        num_geom = lax.select(jnp.less_equal(geom_sum, count), jnp.add(num_geom, 1), num_geom)
        u = uniform_body(subkey, prob.shape, prob.dtype)
        geom = lax.ceil(jnp.divide(lax.log(u), log1m_prob))
        return i + 1, num_geom, jnp.add(geom_sum, geom), key

    def running(carry):
        i, _, geom_sum, _ = carry
        return lax.bitwise_and(jnp.any(jnp.less_equal(geom_sum, count)), jnp.less(i, max_iters))

    zeros = lax.full_like(prob, 0)
    k = lax.while_loop(running, step, (0, zeros, zeros, key))[1]
    return jnp.subtract(k, 1)


def _btrs(key, count, prob, shape, max_iters):
    """Hormann's BTRS: transformed rejection with a squeeze and Stirling-based acceptance bound."""
    stddev = lax.sqrt(jnp.multiply(jnp.multiply(count, prob), jnp.subtract(1, prob)))
    b = jnp.add(1.15, jnp.multiply(2.53, stddev))
    a = jnp.add(jnp.add(-0.0873, jnp.multiply(0.0248, b)), jnp.multiply(0.01, prob))
    c = jnp.add(jnp.multiply(count, prob), 0.5)
    v_r = jnp.subtract(0.92, jnp.divide(4.2, b))
    r = jnp.divide(prob, jnp.subtract(1, prob))
    alpha = jnp.multiply(jnp.add(2.83, jnp.divide(5.1, b)), stddev)
    m = lax.floor(jnp.multiply(jnp.add(count, 1), prob))

    def step(carry):
        i, k_out, accepted, key = carry
        key, key_u, key_v = split_keys(key, 3)
        u = jnp.subtract(uniform_body(key_u, shape, prob.dtype), 0.5)
        v = uniform_body(key_v, shape, prob.dtype)
        us = jnp.subtract(0.5, lax.abs(u))
        accept_fast = lax.bitwise_and(jnp.greater_equal(us, 0.07), jnp.less_equal(v, v_r))
        k = lax.floor(jnp.add(jnp.multiply(jnp.add(jnp.divide(jnp.multiply(2, a), us), b), u), c))
        reject = lax.bitwise_or(jnp.less(k, 0), jnp.greater(k, count))
        v = lax.log(jnp.divide(jnp.multiply(v, alpha), jnp.add(jnp.divide(a, jnp.multiply(us, us)), b)))
        bound = _btrs_log_bound(count, r, m, k)
        accept = lax.bitwise_or(accept_fast, lax.bitwise_and(lax.bitwise_not(reject), jnp.less_equal(v, bound)))
        return i + 1, lax.select(accept, k, k_out), lax.bitwise_or(accepted, accept), key

    def running(carry):
        i, _, accepted, _ = carry
        return lax.bitwise_and(jnp.any(lax.bitwise_not(accepted)), jnp.less(i, max_iters))

    carry = (0, lax.full_like(prob, -1), lax.full(shape, False, np.bool_), key)
    return lax.while_loop(running, step, carry)[1]


def _btrs_log_bound(count, r, m, k):
    """log of the ratio of the binomial pmf at k to that at its mode m, by Stirling's formula."""
    terms = [
        jnp.multiply(jnp.add(m, 0.5), lax.log(jnp.divide(jnp.add(m, 1),
                                                          jnp.multiply(r, jnp.add(jnp.subtract(count, m), 1))))),
        jnp.multiply(jnp.add(count, 1), lax.log(jnp.divide(jnp.add(jnp.subtract(count, m), 1),
                                                            jnp.add(jnp.subtract(count, k), 1)))),
        jnp.multiply(jnp.add(k, 0.5), lax.log(jnp.divide(jnp.multiply(r, jnp.add(jnp.subtract(count, k), 1)),
                                                          jnp.add(k, 1)))),
    ]
    bound = jnp.add(jnp.add(terms[0], terms[1]), terms[2])
    bound = jnp.add(jnp.add(bound, _stirling_tail(m)), _stirling_tail(jnp.subtract(count, m)))
    return jnp.subtract(jnp.subtract(bound, _stirling_tail(k)), _stirling_tail(jnp.subtract(count, k)))


@jit_per_mode(static_argnums=(3, 4))
def _binomial(key, count, prob, shape, dtype):
    prob = jnp.broadcast_to(prob, shape)
    count = jnp.broadcast_to(lax.convert_element_type(count, prob.dtype), shape)
    p_below_half = jnp.less(prob, 0.5)
    q = lax.select(p_below_half, prob, jnp.subtract(1.0, prob))
    count_nan_or_negative = lax.bitwise_or(lax.ne(count, count), jnp.less(count, 0.0))
    count_inf = jnp.equal(lax.abs(count), np.inf)
    q_is_nan = lax.ne(q, q)
    q_negative = jnp.less(q, 0.0)
    q = lax.select(lax.bitwise_or(q_is_nan, q_negative), lax.full_like(q, 0.01), q)
    use_inversion = lax.bitwise_or(count_nan_or_negative, jnp.less_equal(jnp.multiply(count, q), 10.0))
    count = lax.floor(count)  # as NumPy does for a float count
    # Elements that use the other method get parameters on which it stops at once.
    count_inversion = lax.select(use_inversion, count, lax.full_like(count, 0.0))
    count_btrs = lax.select(use_inversion, lax.full_like(count, 1e4), count)
    q_btrs = lax.select(use_inversion, lax.full_like(q, 0.5), q)
    max_iters = float(np.finfo(dtype).max)
    # Sampling happens in p's dtype; only the result takes `dtype`.
    samples = lax.select(use_inversion, _binomial_inversion(key, count_inversion, q, max_iters),
                         _btrs(key, count_btrs, q_btrs, shape, max_iters))
    invalid = lax.bitwise_or(lax.bitwise_or(q_negative, q_is_nan), count_nan_or_negative)
    samples = lax.select(invalid, lax.full_like(samples, np.nan), samples)
    samples = lax.select(lax.bitwise_and(count_inf, lax.bitwise_not(invalid)), lax.full_like(samples, np.inf),
                         samples)
    keep = lax.bitwise_or(lax.bitwise_or(p_below_half, count_nan_or_negative), lax.bitwise_or(q_is_nan, count_inf))
    return lax.convert_element_type(lax.select(keep, samples, jnp.subtract(count, samples)), dtype)


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
    inexact = dtypes.result_type(n, p, dtypes.default_float()) if not dtypes.is_inexact(
        dtypes.result_type(n, p)) else dtypes.result_type(n, p)
    n, p = n.astype(inexact), p.astype(inexact)
    if shape is None:
        shape = p.shape
    elif tuple(shape)[-1:] != p.shape[-1:]:
        raise ValueError(f"multinomial: shape {tuple(shape)} must end with the number of categories "
                         f"{p.shape[-1]}.{user_line()}")
    return _multinomial(key, n, p, tuple(shape), dtype, unroll)


@jit_per_mode(static_argnums=(3, 4, 5))
def _multinomial(key, n, p, shape, dtype, unroll):
    n = jnp.broadcast_to(n, shape[:-1])
    p = jnp.moveaxis(jnp.broadcast_to(p, shape), -1, 0)
    remaining = lax.cumsum(p, 0, reverse=True)
    ratios = jnp.divide(p, jnp.where(jnp.equal(remaining, 0), 1, remaining))
    keys = split_keys(key, ratios.shape[0])

    def draw(left, ratio_and_key):
        ratio, k = ratio_and_key
        clipped = jnp.minimum(jnp.maximum(ratio, 0), 1)
        count = _binomial(k, left, clipped, left.shape, left.dtype)
        return jnp.subtract(left, count), count

    _, counts = lax.scan(draw, n, (ratios, jnp.stack(keys)), unroll=unroll)
    return jnp.moveaxis(counts, 0, -1).astype(dtype)
