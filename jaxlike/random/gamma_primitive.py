"""Gamma sampling as the primitive `random_gamma`, with implicit-reparameterisation gradients.

Each sample draws with Marsaglia and Tsang's rejection method ("A simple method for generating
gamma variables", 2000) from its own key, split from the caller's key. Its derivative with
respect to the shape `a` is that of the inverse CDF, dx/da = -(dP(a, x)/da) / p(a, x), with the
regularised incomplete gamma P differentiated through its power series (x small) or its
continued fraction (x large).
"""
import math

import numpy as np

from jaxlike import dtypes, lax
from jaxlike import numpy as jnp
from jaxlike.core import Primitive, ShapedArray, get_aval
from jaxlike.lax.base import shape_error
from jaxlike.random import prng
from jaxlike.transforms import batching
from jaxlike.transforms.ad import defjvp2
from jaxlike.transforms.vmap import vmap

# Marsaglia-Tsang's squeeze constant: accept at once when u < 1 - 0.0331 x^4.
SQUEEZE = 0.0331
MAX_GRAD_ITERATIONS = 2000


# ---- one sample ----------------------------------------------------------------------------------
def gamma_one(key, alpha, log_space):
    """One Gamma(alpha, 1) sample (its log if `log_space`) from one raw key."""
    from jaxlike.random._common import split_keys
    from jaxlike.random.samplers import exponential_body, normal_body, uniform_body
    dtype = get_aval(alpha).dtype
    zero, one = lax.full((), 0, dtype), lax.full((), 1, dtype)
    # For alpha < 1 sample Gamma(alpha + 1) and scale by U**(1/alpha).
    boost_mask = lax.ge(alpha, one)
    alpha_orig = alpha
    alpha = lax.select(boost_mask, alpha, lax.add(alpha, one))
    d = lax.sub(alpha, lax.full((), 1 / 3, dtype))
    c = lax.div(lax.full((), 1 / 3, dtype), lax.sqrt(d))

    def rejected(state):
        _, x_sq, v, u = state
        squeeze = lax.ge(u, lax.sub(one, lax.mul(lax.full((), SQUEEZE, dtype), lax.mul(x_sq, x_sq))))
        bound = lax.add(lax.mul(x_sq, lax.full((), 0.5, dtype)), lax.mul(d, lax.add(lax.sub(one, v), lax.log(v))))
        return lax.bitwise_and(squeeze, lax.ge(lax.log(u), bound))

    def propose(state):
        key = state[0]
        key, x_key, u_key = split_keys(key, 3)

        def next_normal(kxv):
            k, sub = split_keys(kxv[0], 2)
            x = normal_body(sub, (), dtype)
            return k, x, lax.add(one, lax.mul(x, c))
        _, x, v = lax.while_loop(lambda kxv: lax.le(kxv[2], zero), next_normal,
                                 (x_key, zero, lax.full((), -1, dtype)))
        u = uniform_body(u_key, (), dtype)
        return key, lax.mul(x, x), lax.mul(lax.mul(v, v), v), u

    key, boost_key = split_keys(key, 2)
    # The initial state is rejected, so that the loop draws at least one proposal.
    _, _, v, _ = lax.while_loop(rejected, propose, (key, zero, one, lax.full((), 2, dtype)))
    if log_space:
        log_u = lax.neg(exponential_body(boost_key, (), dtype))
        log_boost = lax.select(lax.bitwise_or(boost_mask, lax.eq(log_u, zero)), zero,
                               lax.mul(log_u, lax.div(one, alpha_orig)))
        return lax.add(lax.add(lax.log(d), lax.log(v)), log_boost)
    u = lax.sub(one, uniform_body(boost_key, (), dtype))
    boost = lax.select(boost_mask, one, lax.pow(u, lax.div(one, alpha_orig)))
    return lax.mul(lax.mul(d, v), boost)


def random_gamma_impl(key, a, *, log_space):
    """Gamma samples for each element of `a`; the leading axes of `a` match the batch shape of `key`."""
    key_batch_ndim = get_aval(key).ndim - 1
    a_shape = get_aval(a).shape
    if math.prod(a_shape) == 0:
        return lax.full(a_shape, 0, get_aval(a).dtype)
    per_key = math.prod(a_shape[key_batch_ndim:])
    num_keys = math.prod(a_shape[:key_batch_ndim])
    keys = lax.reshape(key, (num_keys, 2))
    keys = vmap(lambda k: prng.split_key_data(k, (per_key,)))(keys)
    keys = lax.reshape(keys, (num_keys * per_key, 2))
    alphas = lax.reshape(a, (num_keys * per_key,))
    samples = vmap(lambda k, x: gamma_one(k, x, log_space))(keys, alphas)
    return lax.reshape(samples, a_shape)


# ---- the primitive -------------------------------------------------------------------------------
random_gamma_p = Primitive("random_gamma")
random_gamma_p.lowering_impl = random_gamma_impl  # xla_bridge lowers it by tracing this


@random_gamma_p.def_abstract_eval
def _random_gamma_abstract_eval(key, a, *, log_space):
    if key.dtype != prng.UINT32 or key.shape[-1:] != (2,):
        raise shape_error(f"random_gamma needs uint32[..., 2] key data, got {key.str_short()}.")
    if not dtypes.is_float(a.dtype):
        raise shape_error(f"random_gamma needs a floating shape parameter, got {a.str_short()}.")
    if a.shape[:key.ndim - 1] != key.shape[:-1]:
        raise shape_error(f"random_gamma: the key batch shape {key.shape[:-1]} must prefix a's shape {a.shape}.")
    return ShapedArray(a.shape, a.dtype)


def _random_gamma_batch(vals, dims, *, log_space):
    key, a = vals
    key_dim, a_dim = dims
    size = batching.axis_size_of(vals, dims)
    key = batching.bdim_at_front(key, key_dim, size)
    a = batching.bdim_at_front(a, a_dim, size)
    return random_gamma_p.bind(key, a, log_space=log_space), 0


random_gamma_p.batch = _random_gamma_batch


def _random_gamma_jvp(tangent, sample, key, a, *, log_space):
    return lax.mul(tangent, gamma_sample_grad(sample, a, log_space))


defjvp2(random_gamma_p, None, _random_gamma_jvp)


def gamma_sample_grad(sample, a, log_space):
    """d(sample)/da for Gamma(a) samples (of log-samples if `log_space`)."""
    if not log_space:
        return random_gamma_grad(a, sample)
    x = lax.exp(sample)
    # exp of a very negative log-sample rounds to 0; the smallest normal float stands in for it.
    x = lax.select(lax.eq(x, lax.full_like(x, 0)), lax.full_like(x, dtypes.finfo(get_aval(x).dtype).tiny), x)
    return lax.div(random_gamma_grad(a, x), x)


# ---- d x / d a of a Gamma(a) sample x ---------------------------------------------------------------
def random_gamma_grad(a, x):
    """d x / d a for a Gamma(a, 1) sample x, holding its CDF value fixed (JAX's lax.random_gamma_grad)."""
    a, x = jnp.broadcast_arrays(jnp.asarray(a), jnp.asarray(x))
    dtype = a.dtype
    zero = lax.full_like(x, 0)
    log_x = lax.log(x)
    log_density_scale = lax.sub(lax.sub(lax.mul(a, log_x), x), lax.lgamma(a))  # log(x^a e^-x / Gamma(a))
    use_fraction = lax.bitwise_and(lax.gt(x, lax.full_like(x, 1)), lax.gt(x, a))
    domain_error = lax.bitwise_or(lax.lt(x, zero), lax.le(a, zero))
    is_nan = lax.bitwise_or(lax.ne(a, a), lax.ne(x, x))
    underflow = lax.lt(log_density_scale, lax.full_like(x, -np.log(dtypes.finfo(dtype).max)))
    enabled = lax.bitwise_not(lax.bitwise_or(lax.bitwise_or(lax.eq(x, zero), domain_error),
                                             lax.bitwise_or(underflow, is_nan)))
    series = _series_sample_grad(a, x, log_x, lax.bitwise_and(enabled, lax.bitwise_not(use_fraction)))
    fraction = _continued_fraction_sample_grad(a, x, log_x, lax.bitwise_and(enabled, use_fraction))
    out = lax.select(use_fraction, fraction, series)
    out = lax.select(lax.eq(x, zero), zero, out)
    return lax.select(lax.bitwise_or(domain_error, is_nan), lax.full_like(x, np.nan), out)


def _series_sample_grad(a, x, log_x, enabled):
    """From P(a, x) = x^a e^-x / Gamma(a+1) * sum_n x^n / ((a+1)...(a+n)): dx/da = -(dS + S dlogpre) x / a."""
    eps = lax.full_like(x, dtypes.finfo(get_aval(x).dtype).epsneg)
    one = lax.full_like(x, 1)

    def running(state):
        i, go = state[0], state[1]
        return lax.bitwise_and(lax.reduce_or(go, tuple(range(go.ndim))), lax.lt(i, MAX_GRAD_ITERATIONS))

    def step(state):
        i, go, r, term, total, dterm, dtotal = state
        r = lax.add(r, one)
        ratio = lax.div(x, r)
        dterm_next = lax.sub(lax.mul(dterm, ratio), lax.div(lax.mul(term, x), lax.mul(r, r)))
        term_next = lax.mul(term, ratio)
        total_next, dtotal_next = lax.add(total, term_next), lax.add(dtotal, dterm_next)
        keep = lambda new, old: lax.select(go, new, old)  # noqa: E731
        r, term, total, dterm, dtotal = (keep(r, state[2]), keep(term_next, term), keep(total_next, total),
                                         keep(dterm_next, dterm), keep(dtotal_next, dtotal))
        go = lax.bitwise_and(go, lax.gt(lax.div(term, total), eps))
        return i + 1, go, r, term, total, dterm, dtotal

    zero = lax.full_like(x, 0)
    state = (0, enabled, a, one, one, zero, zero)
    _, _, _, _, total, _, dtotal = lax.while_loop(running, step, state)
    dlog_prefactor = lax.sub(log_x, lax.digamma(lax.add(a, one)))
    return lax.neg(lax.div(lax.mul(lax.add(dtotal, lax.mul(total, dlog_prefactor)), x), a))


def _continued_fraction_sample_grad(a, x, log_x, enabled):
    """From Q(a, x) = x^a e^-x / Gamma(a) * CF (Legendre's continued fraction, by its convergents p/q, as
    in Cephes' igamc), carrying d/da of every term: dx/da = x (dCF + CF dlogpre)."""
    dtype = get_aval(x).dtype
    eps = lax.full_like(x, dtypes.finfo(dtype).epsneg)
    big = lax.full_like(x, 2.0 ** (dtypes.finfo(dtype).nmant + 1))
    one, zero = lax.full_like(x, 1), lax.full_like(x, 0)

    def running(state):
        i, go = state[0], state[1]
        return lax.bitwise_and(lax.reduce_or(go, tuple(range(go.ndim))), lax.lt(i, MAX_GRAD_ITERATIONS))

    def step(state):
        i, go, old = state[0], state[1], state[2:]
        n, y, z, p2, p1, q2, q1, dp2, dp1, dq2, dq1, ratio, dratio = old
        n, y, z = n + one, y + one, z + 2
        yn, dyn = y * n, -n  # y = n + 1 - a, z = x + 2n + 2 - a: both have d/da = -1
        p0, q0 = p1 * z - p2 * yn, q1 * z - q2 * yn
        dp0 = dp1 * z - p1 - dp2 * yn - p2 * dyn
        dq0 = dq1 * z - q1 - dq2 * yn - q2 * dyn
        usable = q0 != zero
        safe_q0 = lax.select(usable, q0, one)
        new_ratio = lax.select(usable, p0 / safe_q0, ratio)
        new_dratio = lax.select(usable, (dp0 - new_ratio * dq0) / safe_q0, dratio)
        change = lax.select(usable, lax.abs((ratio - new_ratio) / new_ratio), one)
        # Rescale the convergents (their ratios are unchanged) before they overflow.
        scale = lax.select(lax.abs(p0) > big, one / big, one)
        p1, p0, q1, q0, dp1, dp0, dq1, dq0 = (v * scale for v in (p1, p0, q1, q0, dp1, dp0, dq1, dq0))
        new = (n, y, z, p1, p0, q1, q0, dp1, dp0, dq1, dq0, new_ratio, new_dratio)
        kept = tuple(lax.select(go, nv, ov) for nv, ov in zip(new, old))
        return (i + 1, lax.bitwise_and(go, change > eps)) + kept

    y = one - a
    z = x + y + one
    p2, p1, q2, q1 = one, x + one, x, z * x
    dp2, dp1, dq2, dq1 = zero, zero, zero, -x  # d(z x)/da = -x
    ratio = p1 / q1
    dratio = (dp1 - ratio * dq1) / q1
    state = (0, enabled, zero, y, z, p2, p1, q2, q1, dp2, dp1, dq2, dq1, ratio, dratio)
    out = lax.while_loop(running, step, state)
    ratio, dratio = out[-2], out[-1]
    dlog_prefactor = lax.sub(log_x, lax.digamma(a))
    return lax.mul(x, lax.add(dratio, lax.mul(ratio, dlog_prefactor)))
