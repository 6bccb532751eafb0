"""jax.nn.initializers: functions `init(key, shape, dtype)` that draw initial weights.

They draw with jaxlike.random, whose bits match jax.random's, so for the same key, shape and
dtype they give JAX's values.
"""
import math
import operator
from typing import Callable

import numpy as np

from jaxlike import dtypes, random
from jaxlike import numpy as jnp

__all__ = ['Initializer', 'zeros', 'ones', 'constant', 'uniform', 'normal', 'truncated_normal', 'variance_scaling',
           'glorot_uniform', 'glorot_normal', 'xavier_uniform', 'xavier_normal', 'lecun_uniform', 'lecun_normal',
           'he_uniform', 'he_normal', 'kaiming_uniform', 'kaiming_normal', 'orthogonal', 'delta_orthogonal']

Initializer = Callable  # init(key, shape, dtype=...) -> Array


def _dtype(dtype):
    return dtypes.default_float() if dtype is None else dtypes.canonicalize_dtype(dtypes.check_user_dtype(dtype))


def _shape(shape):
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(operator.index(s) for s in shape)


def zeros(key, shape, dtype=None):
    """jax.nn.initializers.zeros: an array of zeros."""
    return jnp.zeros(_shape(shape), _dtype(dtype))


def ones(key, shape, dtype=None):
    """jax.nn.initializers.ones: an array of ones."""
    return jnp.ones(_shape(shape), _dtype(dtype))


def constant(value, dtype=None):
    """jax.nn.initializers.constant: an initializer filling arrays with `value`."""
    def init(key, shape, dtype=dtype):
        return jnp.full(_shape(shape), value, dtype=_dtype(dtype))
    return init


def uniform(scale=1e-2, dtype=None):
    """jax.nn.initializers.uniform: uniform values in [0, scale)."""
    def init(key, shape, dtype=dtype):
        dtype = _dtype(dtype)
        return random.uniform(key, _shape(shape), dtype) * jnp.asarray(scale, dtype)
    return init


def normal(stddev=1e-2, dtype=None):
    """jax.nn.initializers.normal: normal values with standard deviation `stddev`."""
    def init(key, shape, dtype=dtype):
        dtype = _dtype(dtype)
        return random.normal(key, _shape(shape), dtype) * jnp.asarray(stddev, dtype)
    return init


def truncated_normal(stddev=1e-2, dtype=None, lower=-2.0, upper=2.0):
    """jax.nn.initializers.truncated_normal: a standard normal truncated to [lower, upper], times `stddev`."""
    def init(key, shape, dtype=dtype):
        dtype = _dtype(dtype)
        return random.truncated_normal(key, lower, upper, _shape(shape), dtype) * jnp.asarray(stddev, dtype)
    return init


def _fans(shape, in_axis, out_axis, batch_axis):
    """(fan_in, fan_out): input/output sizes times the receptive field (every other axis but the batch ones)."""
    if isinstance(in_axis, int) and in_axis == -2 and len(shape) <= 1:
        raise ValueError(f"Can't compute input and output sizes of a {len(shape)}-dimensional weights tensor with "
                         "default in_axis. Must be at least 2D or specify in_axis explicitly.")

    def size(axes):
        return shape[axes] if isinstance(axes, int) else math.prod(shape[a] for a in axes)
    in_size, out_size, batch_size = size(in_axis), size(out_axis), size(batch_axis)
    receptive_field = math.prod(shape) / in_size / out_size / batch_size
    return in_size * receptive_field, out_size * receptive_field


# The standard deviation of a standard normal truncated to (-2, 2), and of a complex one truncated to |z| < 2.
_TRUNCATED_STDDEV = .87962566103423978
_COMPLEX_TRUNCATED_STDDEV = .95311164380491208


def _complex_uniform(key, shape, dtype):
    """Uniform on the unit disc's area scaled to unit variance: radius sqrt(2 u), uniform angle."""
    key_r, key_theta = random.split(key)
    real = dtypes.real_dtype(dtype)
    r = jnp.sqrt(2 * random.uniform(key_r, shape, real)).astype(dtype)
    theta = 2 * np.pi * random.uniform(key_theta, shape, real).astype(dtype)
    return r * jnp.exp(1j * theta)


def _complex_truncated_normal(key, upper, shape, dtype):
    key_r, key_theta = random.split(key)
    real = dtypes.real_dtype(dtype)
    t = (1 - jnp.exp(jnp.asarray(-(upper ** 2), dtype))) * random.uniform(key_r, shape, real).astype(dtype)
    r = jnp.sqrt(-jnp.log(1 - t))
    theta = 2 * np.pi * random.uniform(key_theta, shape, real).astype(dtype)
    return r * jnp.exp(1j * theta)


def variance_scaling(scale, mode, distribution, in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
    """jax.nn.initializers.variance_scaling: variance scale / fan ('fan_in', 'fan_out', 'fan_avg', 'fan_geo_avg'),
    drawn from a 'truncated_normal', 'normal' or 'uniform' distribution."""
    def init(key, shape, dtype=dtype):
        shape, dtype = _shape(shape), _dtype(dtype)
        fan_in, fan_out = _fans(shape, in_axis, out_axis, batch_axis)
        denominators = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2,
                        "fan_geo_avg": (fan_in * fan_out) ** 0.5}
        if mode not in denominators:
            raise ValueError(f"invalid mode for variance scaling initializer: {mode}")
        variance = jnp.asarray(scale / denominators[mode], dtype=dtype)
        complex_ = dtypes.is_complex(dtype)
        if distribution == "truncated_normal":
            if complex_:
                stddev = jnp.sqrt(variance) / jnp.asarray(_COMPLEX_TRUNCATED_STDDEV, dtype)
                return _complex_truncated_normal(key, 2, shape, dtype) * stddev
            stddev = jnp.sqrt(variance) / jnp.asarray(_TRUNCATED_STDDEV, dtype)
            return random.truncated_normal(key, -2, 2, shape, dtype) * stddev
        if distribution == "normal":
            return random.normal(key, shape, dtype) * jnp.sqrt(variance)
        if distribution == "uniform":
            if complex_:
                return _complex_uniform(key, shape, dtype) * jnp.sqrt(variance)
            return random.uniform(key, shape, dtype, -1) * jnp.sqrt(3 * variance)
        raise ValueError(f"invalid distribution for variance scaling initializer: {distribution}")
    return init


def glorot_uniform(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
    """jax.nn.initializers.glorot_uniform (Xavier): variance 1 / fan_avg, uniform."""
    return variance_scaling(1.0, "fan_avg", "uniform", in_axis, out_axis, batch_axis, dtype)


def glorot_normal(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
    """jax.nn.initializers.glorot_normal (Xavier): variance 1 / fan_avg, truncated normal."""
    return variance_scaling(1.0, "fan_avg", "truncated_normal", in_axis, out_axis, batch_axis, dtype)


def lecun_uniform(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
    """jax.nn.initializers.lecun_uniform: variance 1 / fan_in, uniform."""
    return variance_scaling(1.0, "fan_in", "uniform", in_axis, out_axis, batch_axis, dtype)


def lecun_normal(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
    """jax.nn.initializers.lecun_normal: variance 1 / fan_in, truncated normal."""
    return variance_scaling(1.0, "fan_in", "truncated_normal", in_axis, out_axis, batch_axis, dtype)


def he_uniform(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
    """jax.nn.initializers.he_uniform (Kaiming): variance 2 / fan_in, uniform."""
    return variance_scaling(2.0, "fan_in", "uniform", in_axis, out_axis, batch_axis, dtype)


def he_normal(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
    """jax.nn.initializers.he_normal (Kaiming): variance 2 / fan_in, truncated normal."""
    return variance_scaling(2.0, "fan_in", "truncated_normal", in_axis, out_axis, batch_axis, dtype)


xavier_uniform, xavier_normal = glorot_uniform, glorot_normal
kaiming_uniform, kaiming_normal = he_uniform, he_normal


def orthogonal(scale=1.0, column_axis=-1, dtype=None):
    """jax.nn.initializers.orthogonal: a (reshaped) matrix with orthonormal rows or columns, times `scale`."""
    def init(key, shape, dtype=dtype):
        shape, dtype = _shape(shape), _dtype(dtype)
        if len(shape) < 2:
            raise ValueError("orthogonal initializer requires at least a 2D shape")
        if any(d == 0 for d in shape):
            return jnp.zeros(shape, dtype=dtype)
        n_cols = shape[column_axis]
        n_rows = math.prod(shape) // n_cols
        q = random.orthogonal(key, n_rows, (), dtype, n_cols)
        q = jnp.reshape(q, tuple(np.delete(shape, column_axis)) + (n_cols,))
        return jnp.asarray(scale, dtype) * jnp.moveaxis(q, -1, column_axis)
    return init


def delta_orthogonal(scale=1.0, column_axis=-1, dtype=None):
    """jax.nn.initializers.delta_orthogonal: a conv kernel that is an orthogonal matrix at the spatial centre
    and zero elsewhere (for 3-, 4- and 5-d kernels)."""
    def init(key, shape, dtype=dtype):
        shape, dtype = _shape(shape), _dtype(dtype)
        if len(shape) not in (3, 4, 5):
            raise ValueError("Delta orthogonal initializer requires a 3D, 4D or 5D shape.")
        if shape[-1] < shape[-2]:
            raise ValueError("`fan_in` must be less or equal than `fan_out`. ")
        matrix = orthogonal(scale=scale, column_axis=column_axis, dtype=dtype)(key, shape[-2:])
        centre = tuple((k - 1) // 2 for k in shape[:-2])
        return jnp.zeros(shape, dtype=dtype).at[centre].set(matrix)
    return init
