"""Special functions: incomplete gamma and beta, zeta, scaled Bessel functions; values, edges, derivatives.

The incomplete-gamma kernels are while loops that take XLA seconds to compile, so the quick tests
share one (4, 8) shape (the eager executable cache then serves values, vmap and gradients alike)
and compare with SciPy; the comparisons with jax itself, which compiles its own, are `slow`.
"""
import jax
import numpy as np
import pytest
import scipy.special as sp

import jaxlike
from jaxlike import lax
from testing_utils import assert_same, check_grads, x64_mode

RNG = np.random.default_rng(5)
SHAPE = (4, 8)


def gamma_args(dtype=np.float32):
    """Shape parameters and points spanning both expansions, with the edge cases JAX defines."""
    a = RNG.uniform(0.05, 12.0, SHAPE)
    x = RNG.uniform(0.0, 25.0, SHAPE)
    a.flat[:8] = [1.0, 2.0, 0.0, -1.0, 3.0, np.nan, 0.5, 50.0]
    x.flat[:8] = [0.0, np.inf, 1.0, 1.0, -1.0, 1.0, 1e-3, 40.0]
    return a.astype(dtype), x.astype(dtype)


def test_igamma_and_igammac_values():
    a, x = gamma_args()
    with np.errstate(invalid="ignore"):
        p, q = sp.gammainc(a.astype(np.float64), x.astype(np.float64)), sp.gammaincc(a.astype(np.float64),
                                                                                     x.astype(np.float64))
    p.flat[2], q.flat[2] = np.nan, np.nan  # a = 0, x = 1: NaN for P in SciPy; JAX (and we) follow XLA's conventions
    ours_p, ours_q = lax.igamma(a, x), lax.igammac(a, x)
    assert ours_p.dtype == ours_q.dtype == np.float32 and ours_p.shape == SHAPE
    np.testing.assert_allclose(np.asarray(ours_p).ravel()[3:], p.ravel()[3:], rtol=3e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(ours_q).ravel()[3:], q.ravel()[3:], rtol=3e-5, atol=1e-6)
    np.testing.assert_array_equal(np.asarray(ours_p).ravel()[:3], [0.0, 1.0, 1.0])  # x = 0, x = inf, a = 0
    np.testing.assert_array_equal(np.asarray(ours_q).ravel()[:3], [1.0, 0.0, 0.0])


def test_igamma_grad_a_against_finite_differences():
    a, x = gamma_args()
    ours = np.asarray(lax.igamma_grad_a(a, x)).ravel()[8:]
    a64, x64 = a.astype(np.float64).ravel()[8:], x.astype(np.float64).ravel()[8:]
    eps = 1e-6
    expected = (sp.gammainc(a64 + eps, x64) - sp.gammainc(a64 - eps, x64)) / (2 * eps)
    np.testing.assert_allclose(ours, expected, rtol=2e-4, atol=2e-6)


def test_igamma_derivatives_and_vmap():
    a, x = gamma_args()
    keep = (slice(1, None), slice(None))  # rows without edge cases
    a, x = np.where(np.isfinite(a) & (a > 0), a, 1.0), np.where(np.isfinite(x) & (x > 0), x, 1.0)
    a, x = a.astype(np.float32), x.astype(np.float32)
    ga, gx = jaxlike.grad(lambda a, x: lax.igamma(a, x).sum(), argnums=(0, 1))(a, x)
    np.testing.assert_allclose(np.asarray(ga), np.asarray(lax.igamma_grad_a(a, x)), rtol=1e-6)
    density = np.exp((a - 1) * np.log(x.astype(np.float64)) - x - sp.gammaln(a))
    np.testing.assert_allclose(np.asarray(gx)[keep], density[keep], rtol=1e-4, atol=1e-7)
    gcx = jaxlike.grad(lambda x: lax.igammac(a, x).sum())(x)
    np.testing.assert_allclose(np.asarray(gcx), -np.asarray(gx), rtol=1e-6)
    # vmap binds the same primitive on the same (4, 8) operands: rows of the batched result are the examples
    rows = jaxlike.vmap(lax.igamma)(a, x)
    np.testing.assert_array_equal(np.asarray(rows), np.asarray(lax.igamma(a, x)))
    with pytest.raises(NotImplementedError, match="igamma_grad_a"):
        jaxlike.grad(lambda a: lax.igamma_grad_a(a, x).sum())(a)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["igamma", "igammac", "igamma_grad_a", "random_gamma_grad"])
def test_igamma_family_matches_jax(name, x64):
    dtype = np.float64 if x64 else np.float32
    a, x = gamma_args(dtype)
    tol = 1e-10 if x64 else 3e-5
    assert_same(getattr(lax, name)(a, x), getattr(jax.lax, name)(a, x), rtol=tol, atol=tol * 1e-2)


@pytest.mark.slow
def test_igamma_under_jit_and_grad_matches_jax():
    a, x = gamma_args()
    a, x = np.abs(np.nan_to_num(a, posinf=2.0)) + 0.1, np.abs(np.nan_to_num(x, posinf=2.0)) + 0.1

    def loss(lib):
        return lambda a, x: (lib.lax.igamma(a, x) * lib.lax.igammac(a, x)).sum()
    assert_same(jaxlike.jit(jaxlike.grad(loss(jaxlike), argnums=(0, 1)))(a, x),
                jax.grad(loss(jax), argnums=(0, 1))(a, x), rtol=1e-4, atol=1e-6)


# ---- Bessel functions --------------------------------------------------------------------------------
BESSEL_POINTS = [0.0, 1e-8, -0.3, 1.0, 7.99, 8.0, 8.01, -20.0, 100.0, 700.0, -1e4, np.inf]


@pytest.mark.parametrize("name,reference", [("bessel_i0e", sp.i0e), ("bessel_i1e", sp.i1e)])
def test_bessel_values(name, reference, x64):
    dtype = np.float64 if x64 else np.float32
    x = np.concatenate([BESSEL_POINTS, RNG.uniform(-30, 30, 20)]).astype(dtype)
    ours = getattr(lax, name)(x)
    assert ours.dtype == dtype
    np.testing.assert_allclose(np.asarray(ours), reference(x.astype(np.float64)), rtol=1e-13 if x64 else 2e-6,
                               atol=1e-300 if x64 else 1e-37)
    assert_same(ours, getattr(jax.lax, name)(x), rtol=1e-13 if x64 else 2e-6, atol=0)


def test_bessel_half_precision_and_jit():
    x = np.linspace(-10, 10, 9).astype(np.float16)
    assert_same(lax.bessel_i0e(x), jax.lax.bessel_i0e(x))
    y = np.linspace(-10, 10, 9).astype(np.float32)
    assert_same(jaxlike.jit(lambda v: lax.bessel_i0e(v) + lax.bessel_i1e(v))(y),
                jax.lax.bessel_i0e(y) + jax.lax.bessel_i1e(y), rtol=2e-6)


def test_bessel_derivatives():
    x = np.array([-3.0, -0.4, 0.7, 2.5, 9.0, 12.0])
    check_grads(lax.bessel_i0e, [x], order=2)
    check_grads(lax.bessel_i1e, [x], order=2)
    assert float(jaxlike.grad(lax.bessel_i1e)(0.0)) == 0.5
    xs = np.array([0.0, 0.5, -2.0, 9.0], np.float32)
    assert_same(jaxlike.vmap(jaxlike.grad(lax.bessel_i0e))(xs), jax.vmap(jax.grad(jax.lax.bessel_i0e))(xs),
                rtol=1e-6)


# ---- zeta and betainc --------------------------------------------------------------------------------
def test_zeta(x64):
    dtype = np.float64 if x64 else np.float32
    s, q = RNG.uniform(1.1, 8.0, 12).astype(dtype), RNG.uniform(0.1, 5.0, 12).astype(dtype)
    ours = lax.zeta(s, q)
    np.testing.assert_allclose(np.asarray(ours), sp.zeta(s, q), rtol=1e-12 if x64 else 1e-5)
    assert_same(ours, jax.lax.zeta(s, q), rtol=1e-12 if x64 else 1e-5)
    if x64:
        check_grads(lambda q: lax.zeta(s, q), [q], order=1)
        with pytest.raises(ValueError, match="with respect to x"):
            jaxlike.grad(lambda s: lax.zeta(s, q).sum())(s)


def betainc_args(dtype):
    a, b, x = RNG.uniform(0.1, 10, 24), RNG.uniform(0.1, 10, 24), RNG.uniform(0, 1, 24)
    edges = [(1.0, 1.0, 0.0), (1.0, 1.0, 1.0), (0.0, 1.0, 0.5), (-1.0, 1.0, 0.5), (2.0, 0.0, 0.5),
             (2.0, 3.0, 1.5), (np.nan, 1.0, 0.5), (0.5, 0.5, 0.5)]
    ea, eb, ex = map(np.array, zip(*edges))
    return [np.concatenate([u, v]).astype(dtype) for u, v in ((a, ea), (b, eb), (x, ex))]


def test_betainc(x64):
    dtype = np.float64 if x64 else np.float32
    a, b, x = betainc_args(dtype)
    ours = lax.betainc(a, b, x)
    assert_same(ours, jax.lax.betainc(a, b, x), rtol=1e-11 if x64 else 5e-5, atol=1e-13 if x64 else 1e-6)
    with np.errstate(invalid="ignore"):
        expected = sp.betainc(a[:24].astype(np.float64), b[:24].astype(np.float64), x[:24].astype(np.float64))
    np.testing.assert_allclose(np.asarray(ours)[:24], expected, rtol=1e-11 if x64 else 5e-5, atol=1e-6)


def test_betainc_derivatives(enable_x64):
    a, b = np.array([0.7, 2.0, 5.5]), np.array([1.5, 3.0, 0.9])
    x = np.array([0.2, 0.5, 0.8])
    check_grads(lambda x: lax.betainc(a, b, x), [x], order=1, rtol=1e-4)
    with pytest.raises(ValueError, match="with respect to a and b"):
        jaxlike.grad(lambda a: lax.betainc(a, b, x).sum())(a)


def test_special_errors_and_lowering():
    with pytest.raises(TypeError, match="igamma does not accept dtype int32"):
        lax.igamma(np.ones(3, np.int32), np.ones(3, np.int32))
    with pytest.raises(TypeError, match="same dtypes"):
        lax.zeta(np.ones(3, np.float32), np.ones(3, np.float16))
    with x64_mode(False):
        text = jaxlike.jit(lax.zeta).lower(np.ones(3, np.float32), np.ones(3, np.float32)).as_text()
    assert "chlo.zeta" in text
