"""jaxlike.numpy.fft: NumPy's discrete Fourier transforms on top of lax.fft (XLA's FFT).

The transformed axes are moved last, cropped or zero-padded to the requested lengths, and
handed to lax.fft three at a time (XLA's limit); `norm` scales the result as NumPy does.
"""
import math
import operator

import numpy as np

from jaxlike import dtypes, lax
from jaxlike.lax.fft_ops import FftType
from jaxlike.numpy._core import asarray_operand, check_dtype_arg, host_constant
from jaxlike.source_info import user_line

__all__ = ['fft', 'ifft', 'fft2', 'ifft2', 'fftn', 'ifftn', 'rfft', 'irfft', 'rfft2', 'irfft2', 'rfftn', 'irfftn',
           'hfft', 'ihfft', 'fftfreq', 'rfftfreq', 'fftshift', 'ifftshift']

_NORMS = ("backward", "ortho", "forward")


def _norm_factor(lengths, func_name, norm):
    """The factor NumPy's `norm` puts on a transform of these lengths (None: no scaling)."""
    if norm is None or norm == "backward":
        return None
    if norm not in _NORMS:
        raise ValueError(f'Invalid norm value {norm}; should be "backward","ortho" or "forward".')
    size = float(math.prod(lengths))
    inverse = func_name.startswith("i")
    if norm == "ortho":
        return math.sqrt(size) if inverse else 1 / math.sqrt(size)
    return size if inverse else 1 / size


def _scale(x, factor):
    if factor is None or factor == 1:
        return x
    return lax.mul(x, lax.full((), factor, x.aval.dtype))


def _resize_axis(x, axis, size):
    """x cropped or zero-padded at the end of `axis` to `size`."""
    current = x.aval.shape[axis]
    if current == size:
        return x
    config = [(0, 0, 0)] * x.aval.ndim
    config[axis] = (0, size - current, 0)  # a negative high edge crops
    return lax.pad(x, lax.full((), 0, x.aval.dtype), config)


def _move_axes(x, source, destination):
    from jaxlike.numpy.manipulation import moveaxis
    return moveaxis(x, source, destination) if tuple(source) != tuple(destination) else x


def _fft_nd(x, fft_type, lengths):
    """lax.fft over the trailing len(lengths) axes, in chunks of at most three."""
    if len(lengths) <= 3:
        return lax.fft(x, fft_type, lengths)
    n = 2 if len(lengths) == 4 else 3
    ndim = x.aval.ndim
    front = tuple(range(ndim - len(lengths), ndim - n))
    back = tuple(range(ndim - len(lengths) + n, ndim))
    if fft_type in (FftType.RFFT, FftType.FFT):
        x = lax.fft(x, fft_type, lengths[-n:])
        x = _move_axes(x, front, back)
        x = _fft_nd(x, FftType.FFT, lengths[:-n])
        return _move_axes(x, back, front)
    x = _move_axes(x, front, back)
    x = _fft_nd(x, FftType.IFFT, lengths[:-n])
    x = _move_axes(x, back, front)
    return lax.fft(x, fft_type, lengths[-n:])


def _fft_core(func_name, fft_type, a, s, axes, norm):
    full_name = f"jax.numpy.fft.{func_name}"
    a = asarray_operand(a)
    if s is not None:
        s = tuple(operator.index(n) for n in s)
        if any(n <= 0 for n in s):
            raise ValueError(f"Shape should be positive, got s={s}.{user_line()}")
    if s is not None and axes is not None and len(s) != len(axes):
        raise ValueError(f"Shape and axes have different lengths: s={s}, axes={tuple(axes)}.{user_line()}")
    given_axes = axes
    if axes is None:
        axes = range(a.ndim) if s is None else range(a.ndim - len(s), a.ndim)
    axes = tuple(operator.index(ax) for ax in axes)
    if len(set(ax % max(a.ndim, 1) for ax in axes)) != len(axes):
        raise ValueError(f"{full_name} does not support repeated axes. Got axes {axes}.{user_line()}")
    last = tuple(range(a.ndim - len(axes), a.ndim))
    if given_axes is not None:
        a = _move_axes(a, axes, last)
    if s is not None:
        lengths = list(s)
        input_sizes = lengths[:-1] + [lengths[-1] // 2 + 1] if fft_type == FftType.IRFFT else lengths
        for ax, size in zip(last, input_sizes):
            a = _resize_axis(a, ax, size)
    elif fft_type == FftType.IRFFT:
        lengths = [a.aval.shape[ax] for ax in last[:-1]] + ([max(0, 2 * (a.aval.shape[last[-1]] - 1))] if last else [])
    else:
        lengths = [a.aval.shape[ax] for ax in last]
    out = _fft_nd(a, fft_type, tuple(lengths))
    out = _scale(out, _norm_factor(lengths, func_name, norm))
    if given_axes is not None:
        out = _move_axes(out, last, axes)
    return out


def _single_axis(func_name, axis):
    if isinstance(axis, (list, tuple)):
        name = f"jax.numpy.fft.{func_name}"
        raise ValueError(f"{name} does not support multiple axes. Please use {name}n. Got axis = {axis}."
                         f"{user_line()}")
    return None if axis is None else [axis]


def _fft_1d(func_name, fft_type, a, n, axis, norm):
    return _fft_core(func_name, fft_type, a, None if n is None else [n], _single_axis(func_name, axis), norm)


def _fft_2d(func_name, fft_type, a, s, axes, norm):
    if len(axes) != 2:
        raise ValueError(f"jax.numpy.fft.{func_name} only supports 2 axes. Got axes = {axes}.{user_line()}")
    return _fft_core(func_name, fft_type, a, s, axes, norm)


def fft(a, n=None, axis=-1, norm=None):
    """jnp.fft.fft: the 1-d discrete Fourier transform along `axis` (cropped or zero-padded to n)."""
    return _fft_1d("fft", FftType.FFT, a, n, axis, norm)


def ifft(a, n=None, axis=-1, norm=None):
    """jnp.fft.ifft: the 1-d inverse discrete Fourier transform."""
    return _fft_1d("ifft", FftType.IFFT, a, n, axis, norm)


def rfft(a, n=None, axis=-1, norm=None):
    """jnp.fft.rfft: the 1-d transform of real input, keeping the n // 2 + 1 non-negative frequencies."""
    return _fft_1d("rfft", FftType.RFFT, a, n, axis, norm)


def irfft(a, n=None, axis=-1, norm=None):
    """jnp.fft.irfft: the inverse of rfft; the output has n (default 2 * (m - 1)) real points."""
    return _fft_1d("irfft", FftType.IRFFT, a, n, axis, norm)


def hfft(a, n=None, axis=-1, norm=None):
    """jnp.fft.hfft: the transform of a Hermitian-symmetric signal given by its first half (a real result)."""
    a = asarray_operand(a)
    conj_a = lax.conj(a) if dtypes.is_complex(a.aval.dtype) else a
    _single_axis("hfft", axis)
    length = (a.aval.shape[axis] - 1) * 2 if n is None else n
    return _scale(_fft_1d("hfft", FftType.IRFFT, conj_a, n, axis, norm), length)


def ihfft(a, n=None, axis=-1, norm=None):
    """jnp.fft.ihfft: the inverse of hfft (the first half of a Hermitian-symmetric spectrum)."""
    a = asarray_operand(a)
    _single_axis("ihfft", axis)
    length = a.aval.shape[axis] if n is None else n
    return _scale(lax.conj(_fft_1d("ihfft", FftType.RFFT, a, n, axis, norm)), 1 / length)


def fft2(a, s=None, axes=(-2, -1), norm=None):
    """jnp.fft.fft2: the 2-d discrete Fourier transform over `axes`."""
    return _fft_2d("fft2", FftType.FFT, a, s, axes, norm)


def ifft2(a, s=None, axes=(-2, -1), norm=None):
    """jnp.fft.ifft2: the 2-d inverse discrete Fourier transform."""
    return _fft_2d("ifft2", FftType.IFFT, a, s, axes, norm)


def rfft2(a, s=None, axes=(-2, -1), norm=None):
    """jnp.fft.rfft2: the 2-d transform of real input (the last axis halved)."""
    return _fft_2d("rfft2", FftType.RFFT, a, s, axes, norm)


def irfft2(a, s=None, axes=(-2, -1), norm=None):
    """jnp.fft.irfft2: the inverse of rfft2."""
    return _fft_2d("irfft2", FftType.IRFFT, a, s, axes, norm)


def fftn(a, s=None, axes=None, norm=None):
    """jnp.fft.fftn: the n-d discrete Fourier transform over `axes` (all by default)."""
    return _fft_core("fftn", FftType.FFT, a, s, axes, norm)


def ifftn(a, s=None, axes=None, norm=None):
    """jnp.fft.ifftn: the n-d inverse discrete Fourier transform."""
    return _fft_core("ifftn", FftType.IFFT, a, s, axes, norm)


def rfftn(a, s=None, axes=None, norm=None):
    """jnp.fft.rfftn: the n-d transform of real input (the last transformed axis halved)."""
    return _fft_core("rfftn", FftType.RFFT, a, s, axes, norm)


def irfftn(a, s=None, axes=None, norm=None):
    """jnp.fft.irfftn: the inverse of rfftn."""
    return _fft_core("irfftn", FftType.IRFFT, a, s, axes, norm)


def _frequency_args(name, n, d):
    if isinstance(n, (list, tuple)):
        raise ValueError(f"The n argument of jax.numpy.fft.{name} only takes an int. Got n = {list(n)}.")
    if isinstance(d, (list, tuple)):
        raise ValueError(f"The d argument of jax.numpy.fft.{name} only takes a single value. Got d = {list(d)}.")
    return operator.index(n)


def _frequencies(k, n, d, dtype):
    """k / (d * n) computed in `dtype` (the default float type unless given); k is a NumPy integer array."""
    dtype = check_dtype_arg(dtype) if dtype is not None else dtypes.default_float()
    compute = dtype if dtypes.is_inexact(dtype) else dtypes.default_float()
    if isinstance(d, (int, float, np.number)):
        # A constant: computed on the host in `compute`, rounding exactly as the device would.
        from jaxlike.array import host_array
        spacing = np.asarray(d * n, dtype=compute)
        return host_array((k.astype(compute) / spacing).astype(dtype), dtype)
    k = lax.convert_element_type(host_constant(k, np.int32), compute)
    spacing = lax.mul(lax.convert_element_type(asarray_operand(d), compute), lax.full((), n, compute))
    return lax.convert_element_type(lax.div(k, spacing), dtype)


def fftfreq(n, d=1.0, *, dtype=None, device=None):
    """jnp.fft.fftfreq: the sample frequencies [0, 1, ..., -(n // 2), ..., -1] / (d * n) of an n-point FFT."""
    n = _frequency_args("fftfreq", n, d)
    return _frequencies((np.arange(n) + n // 2) % max(n, 1) - n // 2, n, d, dtype)


def rfftfreq(n, d=1.0, *, dtype=None, device=None):
    """jnp.fft.rfftfreq: the non-negative sample frequencies [0, 1, ..., n // 2] / (d * n) of an n-point rfft."""
    n = _frequency_args("rfftfreq", n, d)
    return _frequencies(np.arange(n // 2 + 1), n, d, dtype)


def _shift(x, axes, direction):
    from jaxlike.numpy.manipulation import roll
    x = asarray_operand(x)
    if axes is None:
        axes = tuple(range(x.aval.ndim))
    if isinstance(axes, int):
        return roll(x, direction * (x.aval.shape[axes] // 2), axes)
    axes = tuple(axes)
    return roll(x, [direction * (x.aval.shape[ax] // 2) for ax in axes], axes)


def fftshift(x, axes=None):
    """jnp.fft.fftshift: roll the zero frequency to the centre of `axes` (all by default)."""
    return _shift(x, axes, 1)


def ifftshift(x, axes=None):
    """jnp.fft.ifftshift: the inverse of fftshift."""
    return _shift(x, axes, -1)
