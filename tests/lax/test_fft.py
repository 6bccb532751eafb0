"""lax.fft against jax.lax.fft: values, dtypes, transposes (vjp conventions), batching and errors."""
import jax
import numpy as np
import pytest
from testing_utils import assert_same, check_grads

import jaxlike
from jaxlike import lax

CASES = [  # (fft_type, input shape, fft_lengths)
    ("FFT", (2, 8), (8,)),
    ("IFFT", (2, 3, 4), (3, 4)),
    ("RFFT", (2, 8), (8,)),
    ("RFFT", (2, 3, 5), (3, 5)),
    ("IRFFT", (2, 5), (8,)),
    ("IRFFT", (2, 3, 3), (3, 5)),
]
IDS = [f"{t}-{'x'.join(map(str, n))}" for t, _, n in CASES]


def _input(fft_type, shape, x64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    if fft_type != "RFFT":
        x = x + 1j * rng.standard_normal(shape)
    real = np.float64 if x64 else np.float32
    return x.astype(real if fft_type == "RFFT" else np.result_type(real, np.complex64))


@pytest.mark.parametrize("fft_type,shape,lengths", CASES, ids=IDS)
def test_fft_matches_jax(x64, fft_type, shape, lengths):
    x = _input(fft_type, shape, x64)
    tol = 1e-10 if x64 else 1e-5
    assert_same(lax.fft(x, fft_type, lengths), jax.lax.fft(x, fft_type, lengths), rtol=tol, atol=tol)


def test_fft_of_three_axes_and_of_real_input():
    x = np.random.default_rng(1).standard_normal((2, 3, 4, 5)).astype(np.float32)
    assert_same(lax.fft(x, lax.FftType.FFT, (3, 4, 5)), jax.lax.fft(x, jax.lax.FftType.FFT, (3, 4, 5)),
                rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("fft_type,shape,lengths", CASES, ids=IDS)
def test_fft_vjp_matches_jax(enable_x64, fft_type, shape, lengths):
    x = _input(fft_type, shape, True)
    out, vjp = jaxlike.vjp(lambda v: lax.fft(v, fft_type, lengths), x)
    ct = np.random.default_rng(2).standard_normal(out.shape) * (1 + 0.5j if out.dtype.kind == "c" else 1)
    ct = ct.astype(out.dtype)
    _, jax_vjp = jax.vjp(lambda v: jax.lax.fft(v, fft_type, lengths), x)
    assert_same(vjp(ct), jax_vjp(ct), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("fft_type,lengths", [("RFFT", (6,)), ("IRFFT", (6,)), ("IRFFT", (7,)), ("FFT", (6,))])
def test_fft_derivatives(enable_x64, fft_type, lengths):
    shape = (2, lengths[-1] // 2 + 1) if fft_type == "IRFFT" else (2, lengths[-1])
    check_grads(lambda v: lax.fft(v, fft_type, lengths), [_input(fft_type, shape, True)], order=1)


def test_vmap_moves_the_batch_axis_out_of_the_transformed_axes():
    x = np.random.default_rng(3).standard_normal((8, 2)).astype(np.float32)  # batch on the last axis
    out = jaxlike.vmap(lambda v: lax.fft(v, "RFFT", (8,)), in_axes=1)(x)
    assert_same(out, jax.vmap(lambda v: jax.lax.fft(v, "RFFT", (8,)), in_axes=1)(x), rtol=1e-5, atol=1e-5)


def test_jit_matches_eager():
    x = _input("FFT", (2, 8), False)
    f = lambda v: lax.fft(lax.fft(v, "FFT", (8,)), "IFFT", (8,))  # noqa: E731
    assert_same(jaxlike.jit(f)(x), f(x), rtol=1e-6, atol=1e-6)


def test_fft_type_names_and_integer_input():
    x = np.arange(8, dtype=np.int32)
    assert_same(lax.fft(x, "fft", (8,)), jax.lax.fft(x, "FFT", (8,)), rtol=1e-5, atol=1e-5)
    assert lax.fft(x, lax.FftType.RFFT, (8,)).dtype == np.complex64


def test_errors():
    with pytest.raises(ValueError, match=r"trailing dimensions"):
        lax.fft(np.ones((2, 8), np.complex64), "FFT", (4,))
    with pytest.raises(ValueError, match="real valued"):
        lax.fft(np.ones(8, np.complex64), "RFFT", (8,))
    with pytest.raises(ValueError, match="1 to 3"):
        lax.fft(np.ones((2, 2, 2, 2), np.complex64), "FFT", (2, 2, 2, 2))
    with pytest.raises(ValueError, match="Unknown FFT type"):
        lax.fft(np.ones(8, np.complex64), "DCT", (8,))
