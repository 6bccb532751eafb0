"""Gamma sampling as the primitive `random_gamma`, with implicit-reparameterisation gradients.

Each sample draws with Marsaglia and Tsang's rejection method ("A simple method for generating
gamma variables", 2000) from its own key, split from the caller's key. Its derivative with
respect to the shape `a` is that of the inverse CDF, dx/da = -(dP(a, x)/da) / p(a, x), which is
`lax.random_gamma_grad`.
"""
import math

from jaxlike import dtypes, lax
from jaxlike.core import Primitive, ShapedArray, get_aval
from jaxlike.lax.base import shape_error
from jaxlike.random import prng
from jaxlike.transforms import batching
from jaxlike.transforms.ad import defjvp2
from jaxlike.transforms.vmap import vmap

# Marsaglia-Tsang's squeeze constant: accept at once when u < 1 - 0.0331 x^4.
SQUEEZE = 0.0331


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
        return lax.random_gamma_grad(a, sample)
    x = lax.exp(sample)
    # exp of a very negative log-sample rounds to 0; the smallest normal float stands in for it.
    x = lax.select(lax.eq(x, lax.full_like(x, 0)), lax.full_like(x, dtypes.finfo(get_aval(x).dtype).tiny), x)
    return lax.div(lax.random_gamma_grad(a, x), x)
