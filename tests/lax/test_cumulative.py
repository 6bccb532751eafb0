"""lax cumulative reductions (cumsum, cumprod, cummax, cummin) and associative_scan."""
import jax
import numpy as np
import pytest

import jaxlike
import jaxlike.numpy as jnp
from jaxlike import lax
from testing_utils import assert_same, check_grads

RNG = np.random.default_rng(2)
X = RNG.normal(size=(3, 5)).astype(np.float32)
I = RNG.integers(-3, 4, size=(3, 5)).astype(np.int32)
NAMES = ["cumsum", "cumprod", "cummax", "cummin"]


def check(ours, theirs, *args, eager=True, jit=True):
    expected = theirs(*args)
    if eager:
        assert_same(ours(*args), expected)
    if jit:
        assert_same(jaxlike.jit(ours)(*args), expected)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("axis,reverse", [(0, False), (-1, True)])
def test_cumulative_values(name, axis, reverse):
    jax_axis = axis % 2  # jax.lax requires a nonnegative axis; jaxlike also takes negative ones
    check(lambda x: getattr(lax, name)(x, axis, reverse), lambda x: getattr(jax.lax, name)(x, jax_axis, reverse), X,
          jit=reverse)
    if axis == -1:
        check(lambda x: getattr(lax, name)(x, axis, reverse), lambda x: getattr(jax.lax, name)(x, jax_axis, reverse), I,
              jit=False)


@pytest.mark.parametrize("name", NAMES)
def test_cumulative_x64_and_special_values(name, x64):
    x = np.array([1.0, np.nan, -np.inf, 2.0, 0.0, 3.0])
    check(lambda x: getattr(lax, name)(x, 0), lambda x: getattr(jax.lax, name)(x, 0), x, eager=False)


def test_cumulative_of_empty_and_complex():
    e = np.zeros((0, 2), np.float32)
    check(lambda x: lax.cumsum(x, 0), lambda x: jax.lax.cumsum(x, 0), e, eager=False)
    c = (X + 1j * X[::-1]).astype(np.complex64)
    check(lambda x: lax.cumprod(x, 1), lambda x: jax.lax.cumprod(x, 1), c)


def test_cumulative_errors():
    with pytest.raises(ValueError, match="axis 2 is out of bounds for an array of rank 2"):
        lax.cumsum(X, 2)
    with pytest.raises(TypeError, match="cummax does not accept dtype bool"):
        lax.cummax(X > 0, 0)


# ---- derivatives ----------------------------------------------------------------------------
def test_cumulative_grads():
    x = RNG.normal(size=(2, 5))
    check_grads(lambda x: lax.cumsum(x, 1, reverse=True), [x])
    check_grads(jaxlike.jit(lambda x: lax.cumprod(x, 1)), [x], order=1)  # jit: one compile, not one per scan op
    check_grads(jaxlike.jit(lambda x: lax.cummax(x, 0)), [x], order=1)


def test_cumsum_transpose_is_reversed_cumsum():
    ct = RNG.normal(size=X.shape).astype(np.float32)
    _, vjp = jaxlike.vjp(lambda x: lax.cumsum(x, 1), X)
    assert_same(vjp(jnp.asarray(ct))[0], jax.lax.cumsum(ct, 1, reverse=True))


@pytest.mark.parametrize("name", ["cumprod", "cummax", "cummin"])
def test_grads_with_zeros_and_ties_match_jax(name):
    x = np.array([[2.0, 0.0, 3.0, 3.0, 0.0], [1.0, 1.0, -1.0, 4.0, 4.0]], np.float32)
    w = RNG.normal(size=x.shape).astype(np.float32)
    ours = jaxlike.jit(jaxlike.grad(lambda x: jnp.sum(getattr(lax, name)(x, 1) * w)))(x)
    theirs = jax.jit(jax.grad(lambda x: jax.numpy.sum(getattr(jax.lax, name)(x, 1) * w)))(x)
    assert_same(ours, theirs)


# ---- vmap -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name,bdim", [("cumsum", 0), ("cumprod", 2), ("cummax", 1), ("cummin", 0)])
def test_vmap_cumulative(name, bdim):
    x = RNG.normal(size=(2, 3, 4)).astype(np.float32)
    f = lambda x: getattr(lax, name)(x, 1, reverse=True)  # noqa: E731
    expected = np.stack([np.asarray(f(np.take(x, i, bdim))) for i in range(x.shape[bdim])])
    np.testing.assert_allclose(jaxlike.vmap(f, bdim)(x), expected, rtol=1e-6)


# ---- associative_scan -----------------------------------------------------------------------
@pytest.mark.parametrize("n", [0, 2, 5, 8])
def test_associative_scan_lengths(n):
    x = np.arange(1, n + 1, dtype=np.float32)
    scans = jaxlike.jit(lambda x: (lax.associative_scan(lax.add, x),
                                   lax.associative_scan(lax.mul, x / 4, reverse=True)))
    sums, products = scans(x)
    np.testing.assert_allclose(sums, np.cumsum(x))
    np.testing.assert_allclose(products, np.cumprod((x / 4)[::-1])[::-1], rtol=1e-6)


def test_associative_scan_pytree_and_axis():
    a = RNG.normal(size=(2, 6)).astype(np.float32)
    b = RNG.normal(size=(2, 6)).astype(np.float32)

    def combine(x, y):
        return {"s": lax.add(x["s"], y["s"]), "m": lax.max(x["m"], y["m"])}
    out = jaxlike.jit(lambda a, b: lax.associative_scan(combine, {"s": a, "m": b}, axis=1))(a, b)
    theirs = jax.jit(lambda a, b: jax.lax.associative_scan(
        lambda x, y: {"s": x["s"] + y["s"], "m": jax.numpy.maximum(x["m"], y["m"])}, {"s": a, "m": b}, axis=1))(a, b)
    assert_same(out, theirs)
