"""The fft primitive (jax.lax.fft): XLA's FFT over the trailing 1 to 3 axes, with its rules.

It is linear for all four types. FFT and IFFT are their own transposes (the DFT matrix is
symmetric). RFFT maps real to complex, so its transpose keeps the real part of a full FFT of
the zero-padded cotangent. IRFFT reads each complex input only through its real-linear part,
weighting the Hermitian-duplicated frequencies twice; its transpose is a scaled, masked RFFT
of the cotangent, conjugated as JAX's convention for complex cotangents asks.

This module is `jaxlike.lax.fft_ops`; `jaxlike.lax.fft` is the function, as in JAX.
"""
import enum
import math
import operator

import numpy as np

from jaxlike import dtypes
from jaxlike.core import Primitive, ShapedArray
from jaxlike.lax.base import operands
from jaxlike.lax.elementwise import conj, convert_element_type, mul, real
from jaxlike.lax.structural import broadcast_in_dim, full, pad
from jaxlike.source_info import user_line
from jaxlike.transforms import ad, batching

__all__ = ['fft', 'fft_p', 'FftType']


class FftType(enum.IntEnum):
    """lax.FftType: forward/inverse complex FFT, real-to-complex and complex-to-real."""

    FFT = 0
    IFFT = 1
    RFFT = 2
    IRFFT = 3


def _error(message):
    return ValueError(message + user_line())


fft_p = Primitive("fft")


@fft_p.def_abstract_eval
def _fft_abstract_eval(x, *, fft_type, fft_lengths):
    rank = len(fft_lengths)
    if not 1 <= rank <= 3:
        raise _error(f"lax.fft takes 1 to 3 FFT dimensions, got fft_lengths={fft_lengths}.")
    if x.ndim < rank:
        raise _error(f"lax.fft: operand of shape {x.shape} has fewer dimensions than fft_lengths={fft_lengths}.")
    lengths = tuple(fft_lengths)
    if fft_type == FftType.RFFT:
        if x.dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
            raise TypeError(f"lax.fft with RFFT needs a float32 or float64 operand, got {x.dtype.name}.{user_line()}")
        _check_trailing(x.shape, lengths, fft_type)
        return ShapedArray(x.shape[:-1] + (lengths[-1] // 2 + 1,), dtypes.complex_dtype(x.dtype))
    if x.dtype not in (np.dtype(np.complex64), np.dtype(np.complex128)):
        raise TypeError(f"lax.fft with {fft_type.name} needs a complex64 or complex128 operand, got "
                        f"{x.dtype.name}.{user_line()}")
    if fft_type == FftType.IRFFT:
        _check_trailing(x.shape, lengths[:-1] + (lengths[-1] // 2 + 1,), fft_type)
        return ShapedArray(x.shape[:-1] + (lengths[-1],), dtypes.real_dtype(x.dtype))
    _check_trailing(x.shape, lengths, fft_type)
    return ShapedArray(x.shape, x.dtype)


def _check_trailing(shape, expected, fft_type):
    trailing = tuple(shape[len(shape) - len(expected):])
    if trailing != tuple(expected):
        raise _error(f"lax.fft ({fft_type.name}): the operand's trailing dimensions {trailing} must be "
                     f"{tuple(expected)} (operand shape {shape}).")


def _frequency_weights(n_out, n, dtype):
    """1 for the zero (and, for even n, the Nyquist) frequency, 2 for the others: how often each RFFT bin
    stands for a pair of conjugate frequencies."""
    weights = np.full((n_out,), 2.0)
    weights[0] = 1.0
    if n % 2 == 0:
        weights[-1] = 1.0
    return weights.astype(dtype)


def _fft_transpose(ct, x, *, fft_type, fft_lengths):
    if type(ct) is ad.Zero:
        return [None]
    if fft_type == FftType.RFFT:
        n_last = fft_lengths[-1]
        nd = ct.aval.ndim
        zero = full((), 0, ct.aval.dtype)
        padded = pad(ct, zero, ((0, 0, 0),) * (nd - 1) + ((0, n_last - ct.aval.shape[-1], 0),))
        return [real(fft_p.bind(padded, fft_type=FftType.FFT, fft_lengths=fft_lengths))]
    if fft_type == FftType.IRFFT:
        spectrum = fft_p.bind(ct, fft_type=FftType.RFFT, fft_lengths=fft_lengths)
        shape = spectrum.aval.shape
        weights = _frequency_weights(shape[-1], fft_lengths[-1], spectrum.aval.dtype) / math.prod(fft_lengths)
        from jaxlike.array import host_array
        scale = broadcast_in_dim(host_array(weights, weights.dtype), shape, (len(shape) - 1,))
        return [conj(mul(spectrum, scale))]
    return [fft_p.bind(ct, fft_type=fft_type, fft_lengths=fft_lengths)]


def _fft_batch(vals, dims, *, fft_type, fft_lengths):
    (x,), (d,) = vals, dims
    return fft_p.bind(batching.moveaxis(x, d, 0), fft_type=fft_type, fft_lengths=fft_lengths), 0


ad.deflinear(fft_p, _fft_transpose)
fft_p.batch = _fft_batch


def _fft_type(fft_type):
    if isinstance(fft_type, str):
        try:
            return FftType[fft_type.upper()]
        except KeyError:
            raise ValueError(f"Unknown FFT type {fft_type!r}; use one of {[t.name for t in FftType]}.") from None
    return FftType(fft_type)


def _float_for_integers(dtype):
    """The real type an FFT computes a non-complex input in: float64 for 64-bit inputs, else float32."""
    return np.dtype(np.float64) if np.dtype(dtype).itemsize == 8 else np.dtype(np.float32)


def fft(x, fft_type, fft_lengths):
    """lax.fft: XLA's FFT of `fft_type` over the trailing len(fft_lengths) axes (FFT, IFFT, RFFT, IRFFT)."""
    (x,) = operands(x)
    fft_type = _fft_type(fft_type)
    fft_lengths = tuple(operator.index(n) for n in fft_lengths)
    dtype = x.aval.dtype
    if fft_type == FftType.RFFT:
        if dtypes.is_complex(dtype):
            raise ValueError(f"only real valued inputs supported for rfft, got {dtype.name}.{user_line()}")
        target = dtype if dtypes.is_float(dtype) else _float_for_integers(dtype)
    else:
        real_type = dtypes.real_dtype(dtype) if dtypes.is_complex(dtype) else _float_for_integers(dtype)
        target = dtypes.complex_dtype(real_type)
    if dtype != target:
        x = convert_element_type(x, target)
    if not fft_lengths:
        return x
    return fft_p.bind(x, fft_type=fft_type, fft_lengths=fft_lengths)
