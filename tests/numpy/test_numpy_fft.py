"""jaxlike.numpy.fft against jax.numpy.fft: values, shapes, dtypes, n/s/axes/norm, gradients and errors.

(Named test_numpy_fft.py because tests/lax/test_fft.py exists and the test folders are not packages.)
"""
import jax
import jax.numpy.fft as jfft
import numpy as np
import pytest
from testing_utils import assert_same, check_grads

import jaxlike
import jaxlike.numpy.fft as fft


def signal(shape, dtype=np.float32, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * rng.standard_normal(shape)
    return x.astype(dtype)


REAL, CPLX = "real", "complex"
CASES = [  # (name, kind of input, shape, keyword arguments)
    ("fft", CPLX, (3, 8), {}),
    ("fft", REAL, (3, 8), {"n": 5, "axis": 0, "norm": "ortho"}),
    ("ifft", CPLX, (3, 8), {"n": 10, "norm": "forward"}),
    ("rfft", REAL, (3, 8), {}),
    ("rfft", REAL, (3, 7), {"n": 9, "norm": "ortho"}),
    ("irfft", CPLX, (3, 5), {}),
    ("irfft", CPLX, (3, 5), {"n": 7, "axis": 0, "norm": "forward"}),
    ("hfft", CPLX, (3, 5), {}),
    ("hfft", CPLX, (3, 5), {"n": 9, "norm": "ortho"}),
    ("ihfft", REAL, (3, 8), {}),
    ("ihfft", REAL, (3, 8), {"n": 6, "norm": "forward"}),
    ("fft2", CPLX, (2, 3, 4), {}),
    ("ifft2", CPLX, (2, 3, 4), {"s": (4, 5), "axes": (0, 2), "norm": "ortho"}),
    ("rfft2", REAL, (2, 3, 4), {}),
    ("irfft2", CPLX, (2, 3, 3), {"s": (3, 4)}),
    ("fftn", CPLX, (2, 3, 4), {"axes": (0, 2)}),
    ("fftn", REAL, (2, 2, 2, 2), {"norm": "forward"}),
    ("ifftn", CPLX, (2, 3, 4), {"s": (3, 3)}),
    ("rfftn", REAL, (2, 3, 4), {"axes": (2, 0)}),
    ("irfftn", CPLX, (2, 3, 3), {}),
    ("irfftn", CPLX, (2, 2, 2, 2), {"norm": "ortho"}),
    ("fftshift", REAL, (3, 4), {}),
    ("fftshift", REAL, (3, 5), {"axes": 1}),
    ("ifftshift", REAL, (3, 5), {"axes": (0, 1)}),
]


def _args(x64):
    real, cplx = (np.float64, np.complex128) if x64 else (np.float32, np.complex64)
    return [signal(shape, real if kind == REAL else cplx, i) for i, (_, kind, shape, _) in enumerate(CASES)]


def _apply(lib, args):
    return [getattr(lib, name)(x, **kwargs) for (name, _, _, kwargs), x in zip(CASES, args)]


@pytest.mark.parametrize("x64", [False, pytest.param(True, marks=pytest.mark.slow)], indirect=True, ids=["x32", "x64"])
def test_matches_jax(x64):
    """Every case, in one jitted function per library (one compilation rather than one per case)."""
    args = _args(x64)
    ours = jaxlike.jit(lambda args: _apply(fft, args))(args)
    theirs = jax.jit(lambda args: _apply(jfft, args))(args)
    tol = 1e-10 if x64 else 1e-4
    for (name, _, shape, kwargs), o, t in zip(CASES, ours, theirs):
        assert_same(o, t, rtol=tol, atol=tol, err_msg=f"{name}{shape} {kwargs}")


def test_eager_matches_jax_in_64_bit(enable_x64):
    x = signal((3, 8), np.float64)
    for name in ("fft", "rfft", "ihfft"):
        assert_same(getattr(fft, name)(x, norm="ortho"), getattr(jfft, name)(x, norm="ortho"), rtol=1e-12, atol=1e-12)
    spectrum = signal((3, 5), np.complex128, 1)
    assert_same(fft.irfft(spectrum, 8), jfft.irfft(spectrum, 8), rtol=1e-12, atol=1e-12)


def test_integer_input_dtypes():
    x = np.arange(8, dtype=np.int32)
    assert_same(fft.fft(x), jfft.fft(x), rtol=1e-5, atol=1e-5)
    assert_same(fft.rfft(x), jfft.rfft(x), rtol=1e-5, atol=1e-5)


def test_frequencies_match_jax(x64):
    for n, d in ((8, 1.0), (7, 0.5)):
        assert_same(fft.fftfreq(n, d), jfft.fftfreq(n, d), rtol=1e-6, atol=1e-7)
        assert_same(fft.rfftfreq(n, d), jfft.rfftfreq(n, d), rtol=1e-6, atol=1e-7)
    assert_same(fft.fftfreq(4, dtype=np.float32), jfft.fftfreq(4, dtype=np.float32))
    spacing = np.asarray(0.25, np.float32)
    assert_same(jaxlike.jit(lambda d: fft.fftfreq(5, d))(spacing), jfft.fftfreq(5, spacing), rtol=1e-6)


def test_grads_match_jax(enable_x64):
    x, z = signal((2, 6), np.float64), signal((2, 4), np.complex128, 1)

    def losses(lib):
        return lambda x, z: (lib.rfft(x, norm="ortho").real.sum() + (abs(lib.irfft(z, 6)) ** 2).sum()
                             + abs(lib.fft2(z * x[:, :4])).sum() + lib.hfft(z, norm="forward").sum()
                             + abs(lib.ihfft(x, 5)).sum())
    ours = jaxlike.jit(jaxlike.grad(losses(fft), (0, 1)))(x, z)
    theirs = jax.grad(losses(jfft), (0, 1))(x, z)
    assert_same(ours, theirs, rtol=1e-10, atol=1e-10)


def test_derivatives_against_finite_differences(enable_x64):
    check_grads(lambda x: fft.rfft(x, n=8, norm="ortho"), [signal((2, 6), np.float64)], order=2)
    check_grads(lambda z: fft.irfftn(z, s=(2, 6)), [signal((2, 4), np.complex128)], order=1)


def test_vmap_matches_loop():
    xs = signal((3, 2, 8))
    out = jaxlike.vmap(lambda x: fft.rfft(x, axis=0), in_axes=2)(xs)
    assert_same(out, jax.vmap(lambda x: jfft.rfft(x, axis=0), in_axes=2)(xs), rtol=1e-5, atol=1e-5)


def test_errors():
    x = signal((3, 8))
    with pytest.raises(ValueError, match="norm"):
        fft.fft(x, norm="bogus")
    with pytest.raises(ValueError, match="multiple axes"):
        fft.fft(x, axis=(0, 1))
    with pytest.raises(ValueError, match="only supports 2 axes"):
        fft.fft2(x, axes=(0,))
    with pytest.raises(ValueError, match="repeated axes"):
        fft.fftn(x, axes=(0, 0))
    with pytest.raises(ValueError, match="different lengths"):
        fft.fftn(x, s=(2,), axes=(0, 1))
    with pytest.raises(ValueError, match="positive"):
        fft.fft(x, n=0)
