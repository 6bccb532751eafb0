"""Permutations and choices: shuffles are stable sorts by random keys; weighted choices use the CDF or Gumbel top-k."""
import math

import numpy as np

from jaxlike import dtypes, lax
from jaxlike import numpy as jnp
from jaxlike.core import concrete_or_error, get_aval
from jaxlike.random import prng
from jaxlike.random._common import canonical_shape, shape_of, single_key, split_keys
from jaxlike.random._jit import jitted
from jaxlike.random.samplers import _check_mode, _randint, gumbel_body, uniform_body
from jaxlike.source_info import user_line

__all__ = ["permutation", "choice"]


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


_shuffle = jitted(shuffle_body, static_argnums=(2,))


@jitted(static_argnums=(2,))
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
    elif p is None:  # without replacement: the head of a permutation
        permuted = permutation(key, arr, axis) if arr.ndim else permutation(key, n_inputs)
        return lax.slice_in_dim(permuted, 0, n_draws, axis=axis if arr.ndim else 0).reshape(out_shape)
    elif replace:
        indices = _choice_by_cdf(key, p, shape)
    else:
        indices = _choice_top_k(key, p, n_draws, mode)
    result = indices if arr.ndim == 0 else jnp.take(arr, indices, axis=axis)
    return result.reshape(out_shape)


@jitted(static_argnums=(2,))
def _choice_by_cdf(key, p, shape):
    cumulative = jnp.cumsum(p)
    total = lax.index_in_dim(cumulative, -1, keepdims=False)
    r = total * (1 - uniform_body(key, shape, cumulative.dtype))  # in (0, total]: zero weights are never drawn
    return jnp.searchsorted(cumulative, r).astype(dtypes.default_int())


@jitted(static_argnums=(2, 3))
def _choice_top_k(key, p, k, mode):
    perturbed = gumbel_body(key, p.shape, p.dtype, mode) + lax.log(p)  # Gumbel top-k: k draws without replacement
    return lax.top_k(perturbed, k)[1].astype(dtypes.default_int())
