"""Samplers that need linear algebra: multivariate_normal (cholesky, eigh or svd) and orthogonal (QR)."""
from jaxlike import dtypes, lax
from jaxlike import numpy as jnp
from jaxlike.core import concrete_or_error
from jaxlike.random._common import canonical_shape, float_dtype, optional_shape, single_key
from jaxlike.random._jit import jitted
from jaxlike.random.samplers import normal_body
from jaxlike.source_info import user_line

__all__ = ["multivariate_normal", "orthogonal"]


@jitted(static_argnums=(3, 4, 5))
def _multivariate_normal(key, mean, cov, shape, dtype, method):
    mean, cov = lax.convert_element_type(mean, dtype), lax.convert_element_type(cov, dtype)
    # Any factor with factor @ factor.T == cov maps standard normals to N(mean, cov).
    if method == "svd":
        u, s, _ = jnp.linalg.svd(cov)
        factor = u * lax.sqrt(s[..., None, :])
    elif method == "eigh":
        w, v = jnp.linalg.eigh(cov)
        factor = v * lax.sqrt(w[..., None, :])
    else:
        factor = jnp.linalg.cholesky(cov)
    samples = normal_body(key, shape + mean.shape[-1:], dtype)
    return mean + jnp.matmul(factor, samples[..., None])[..., 0]


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


@jitted(static_argnums=(1, 2, 3, 4))
def _orthogonal(key, n, m, shape, dtype):
    # QR of a tall normal matrix; a wide result is the transpose of a tall one.
    z = normal_body(key, shape + (max(n, m), min(n, m)), dtype)
    q, r = jnp.linalg.qr(z)
    # Fixing the phases of R's diagonal makes the QR factorisation unique, and Q Haar-distributed.
    d = jnp.diagonal(r, 0, -2, -1)
    q = q * lax.expand_dims(d / lax.convert_element_type(lax.abs(d), d.dtype), (d.ndim - 1,))
    return jnp.swapaxes(q, -1, -2) if n < m else q


def orthogonal(key, n, shape=(), dtype=None, m=None):
    """Random n x m matrices with orthonormal columns or rows (Haar measure), by QR of normals."""
    key = single_key("orthogonal", key)
    dtype = float_dtype("orthogonal", dtype, allow_complex=True)
    shape = canonical_shape("orthogonal", shape)
    n = int(concrete_or_error(n, "The error occurred in jaxlike.random.orthogonal()"))
    m = n if m is None else int(concrete_or_error(m, "The error occurred in jaxlike.random.orthogonal()"))
    return _orthogonal(key, n, m, shape, dtype)
