"""Samplers built on Gamma variates: gamma, loggamma, beta, dirichlet, chisquare, f, t, generalized_normal, ball."""
from jaxlike import lax
from jaxlike import numpy as jnp
from jaxlike.core import concrete_or_error, get_aval
from jaxlike.random._common import canonical_shape, float_dtype, optional_shape, shape_of, single_key, split_keys
from jaxlike.random._jit import jitted
from jaxlike.random.gamma_primitive import random_gamma_p
from jaxlike.random.samplers import exponential_body, normal_body, rademacher_body
from jaxlike.source_info import user_line

__all__ = ["gamma", "loggamma", "beta", "dirichlet", "chisquare", "f", "t", "generalized_normal", "ball"]


# ---- the gamma family ----------------------------------------------------------------------------
def gamma_body(key, a, shape, dtype, log_space=False):
    a = lax.convert_element_type(a, dtype)
    if get_aval(a).shape != shape:
        a = jnp.broadcast_to(a, shape)
    return random_gamma_p.bind(key, a, log_space=log_space)


_gamma = jitted(gamma_body, static_argnums=(2, 3, 4))


def gamma(key, a, shape=None, dtype=None):
    """Gamma(a, 1) samples (shape parameter `a`), differentiable in `a` by implicit reparameterisation."""
    key = single_key("gamma", key)
    dtype = float_dtype("gamma", dtype)
    shape = optional_shape("gamma", shape, shape_of(a))
    return _gamma(key, a, shape, dtype, False)


def loggamma(key, a, shape=None, dtype=None):
    """Logs of Gamma(a, 1) samples, accurate for small `a` where the samples underflow."""
    key = single_key("loggamma", key)
    dtype = float_dtype("loggamma", dtype)
    shape = optional_shape("loggamma", shape, shape_of(a))
    return _gamma(key, a, shape, dtype, True)


@jitted(static_argnums=(3, 4))
def _beta(key, a, b, shape, dtype):
    key_a, key_b = split_keys(key, 2)
    log_gamma_a = gamma_body(key_a, a, shape, dtype, log_space=True)
    log_gamma_b = gamma_body(key_b, b, shape, dtype, log_space=True)
    # gamma_a / (gamma_a + gamma_b), both scaled by the larger so that neither underflows.
    log_max = lax.max(log_gamma_a, log_gamma_b)
    scaled_a = lax.exp(log_gamma_a - log_max)
    scaled_b = lax.exp(log_gamma_b - log_max)
    return scaled_a / (scaled_a + scaled_b)


def beta(key, a, b, shape=None, dtype=None):
    """Beta(a, b) samples."""
    key = single_key("beta", key)
    dtype = float_dtype("beta", dtype)
    shape = optional_shape("beta", shape, shape_of(a), shape_of(b))
    return _beta(key, a, b, shape, dtype)


@jitted(static_argnums=(2, 3))
def _dirichlet(key, alpha, shape, dtype):
    # Normalised gammas, computed from their logs: small concentrations would underflow.
    log_gammas = gamma_body(key, alpha, shape + get_aval(alpha).shape[-1:], dtype, log_space=True)
    return _softmax(log_gammas, -1)


def _softmax(x, axis):
    unnormalized = lax.exp(x - lax.stop_gradient(jnp.max(x, axis, keepdims=True)))
    return unnormalized / jnp.sum(unnormalized, axis, keepdims=True)


def dirichlet(key, alpha, shape=None, dtype=None):
    """Dirichlet(alpha) samples: the last axis of `alpha` holds the concentrations."""
    key = single_key("dirichlet", key)
    dtype = float_dtype("dirichlet", dtype)
    alpha_shape = shape_of(alpha)
    if len(alpha_shape) < 1:
        raise ValueError(f"dirichlet: alpha must have at least one axis, got shape {alpha_shape}.{user_line()}")
    shape = optional_shape("dirichlet", shape, alpha_shape[:-1])
    return _dirichlet(key, alpha, shape, dtype)


def chisquare_body(key, df, shape, dtype):
    df = lax.convert_element_type(df, dtype)
    two = lax.full((), 2, dtype)
    log_g = gamma_body(key, df / two, shape, dtype, log_space=True)
    return lax.exp(log_g) * two


_chisquare = jitted(chisquare_body, static_argnums=(2, 3))


def chisquare(key, df, shape=None, dtype=None):
    """Chi-square samples with `df` degrees of freedom."""
    key = single_key("chisquare", key)
    dtype = float_dtype("chisquare", dtype)
    shape = optional_shape("chisquare", shape, shape_of(df))
    return _chisquare(key, df, shape, dtype)


@jitted(static_argnums=(3, 4))
def _f(key, dfnum, dfden, shape, dtype):
    key_den, key_num = split_keys(key, 2)
    chi2_num = chisquare_body(key_num, dfnum, shape, dtype)
    chi2_den = chisquare_body(key_den, dfden, shape, dtype)
    dfnum = jnp.broadcast_to(lax.convert_element_type(dfnum, dtype), shape)
    dfden = jnp.broadcast_to(lax.convert_element_type(dfden, dtype), shape)
    return (chi2_num / dfnum) / (chi2_den / dfden)


def f(key, dfnum, dfden, shape=None, dtype=None):
    """F-distribution samples with `dfnum` and `dfden` degrees of freedom."""
    key = single_key("f", key)
    dtype = float_dtype("f", dtype)
    shape = optional_shape("f", shape, shape_of(dfden), shape_of(dfnum))
    return _f(key, dfnum, dfden, shape, dtype)


@jitted(static_argnums=(2, 3))
def _t(key, df, shape, dtype):
    df = lax.convert_element_type(df, dtype)
    key_normal, key_gamma = split_keys(key, 2)
    n = normal_body(key_normal, shape, dtype)
    half_df = df / lax.full((), 2, dtype)
    g = gamma_body(key_gamma, half_df, shape, dtype)
    return n * lax.sqrt(half_df / g)


def t(key, df, shape=None, dtype=None):
    """Student's t samples with `df` degrees of freedom."""
    key = single_key("t", key)
    dtype = float_dtype("t", dtype)
    shape = optional_shape("t", shape, shape_of(df))
    return _t(key, df, shape, dtype)


def generalized_normal_body(key, p, shape, dtype):
    gamma_key, sign_key = split_keys(key, 2)
    # |x|**p is Gamma(1/p) distributed; the sign is a fair coin.
    g = gamma_body(gamma_key, 1 / p, shape, dtype)
    r = rademacher_body(sign_key, shape, dtype)
    return r * g ** (1 / p)


_generalized_normal = jitted(generalized_normal_body, static_argnums=(2, 3))


def generalized_normal(key, p, shape=(), dtype=None):
    """Generalized normal samples with density proportional to exp(-|x|^p)."""
    key = single_key("generalized_normal", key)
    dtype = float_dtype("generalized_normal", dtype)
    shape = canonical_shape("generalized_normal", shape)
    return _generalized_normal(key, p, shape, dtype)


@jitted(static_argnums=(1, 3, 4))
def _ball(key, d, p, shape, dtype):
    key_g, key_e = split_keys(key, 2)
    g = generalized_normal_body(key_g, p, shape + (d,), dtype)
    e = exponential_body(key_e, shape, dtype)
    # Barthe, Guedon, Mendelson and Naor (2005): g / (|g|_p^p + e)^(1/p) is uniform in the p-ball.
    norm = (jnp.sum(lax.abs(g) ** p, axis=-1) + e) ** (1 / p)
    return g / lax.expand_dims(norm, (len(shape),))


def ball(key, d, p=2, shape=(), dtype=None):
    """Points uniform in the unit p-norm ball of dimension `d`."""
    key = single_key("ball", key)
    dtype = float_dtype("ball", dtype)
    shape = canonical_shape("ball", shape)
    d = int(concrete_or_error(d, "the dimension argument of ball"))
    if d < 1:
        raise ValueError(f"ball: the dimension d must be positive, got {d}.{user_line()}")
    return _ball(key, d, p, shape, dtype)
