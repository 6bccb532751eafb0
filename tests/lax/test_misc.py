"""lax.top_k, lax.stop_gradient and lax.cumlogsumexp."""
import jax
import numpy as np
import pytest

import jaxlike
import jaxlike.numpy as jnp
from jaxlike import lax
from testing_utils import assert_same, check_grads

RNG = np.random.default_rng(3)


def operand(dtype=np.float32):
    x = RNG.standard_normal((3, 4, 7)).astype(dtype)
    x[0, 0, 1] = x[0, 0, 3]  # a tie: the lower index comes first
    x[1, 1, 2] = np.nan
    x[2, 3, 5] = np.inf
    return x


# ---- top_k ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("axis", [-1, 1, 0])
def test_top_k_values(axis):
    x = operand()
    assert_same(lax.top_k(x, 3, axis=axis), jax.lax.top_k(x, 3, axis=axis))


def test_top_k_dtypes_and_jit(x64):
    ints = RNG.integers(-5, 5, (4, 9)).astype(np.int32)
    assert_same(lax.top_k(ints, 4), jax.lax.top_k(ints, 4))
    x = operand(np.float64 if x64 else np.float32)
    assert_same(jaxlike.jit(lambda v: lax.top_k(v, 2))(x), jax.lax.top_k(x, 2))
    assert_same(lax.top_k(x, 0), jax.lax.top_k(x, 0))


def test_top_k_derivatives():
    x = RNG.standard_normal((3, 7))

    def loss(lib):
        return lambda v: (lib.lax.top_k(v, 3)[0] ** 2).sum()
    assert_same(jaxlike.grad(loss(jaxlike))(x.astype(np.float32)), jax.grad(loss(jax))(x.astype(np.float32)))
    check_grads(lambda v: lax.top_k(v, 3)[0], [x], order=2)


@pytest.mark.parametrize("in_axis", [0, 1, 2])
def test_vmap_top_k(in_axis):
    x = operand()
    values, indices = jaxlike.vmap(lambda v: lax.top_k(v, 2), in_axis)(x)
    examples = [jax.lax.top_k(np.take(x, i, in_axis), 2) for i in range(x.shape[in_axis])]
    np.testing.assert_array_equal(np.asarray(values), np.stack([np.asarray(e[0]) for e in examples]))
    np.testing.assert_array_equal(np.asarray(indices), np.stack([np.asarray(e[1]) for e in examples]))


def test_top_k_errors():
    with pytest.raises(TypeError, match="k must be between 0 and the size"):
        lax.top_k(np.ones((2, 3), np.float32), 4)
    with pytest.raises(TypeError, match="at least one dimension"):
        lax.top_k(np.float32(1.0), 1)


# ---- stop_gradient -----------------------------------------------------------------------------------
def test_stop_gradient():
    x = np.float32(3.0)
    assert float(jaxlike.grad(lambda v: lax.stop_gradient(v) * v)(x)) == 3.0
    assert float(jaxlike.grad(lambda v: lax.stop_gradient(v * v))(x)) == 0.0
    assert float(jaxlike.jit(jaxlike.grad(lambda v: lax.stop_gradient(v) * v ** 2))(x)) == 18.0
    tree = {"a": np.ones(2, np.float32), "b": np.arange(3)}
    out = lax.stop_gradient(tree)
    assert out["b"].dtype == np.asarray(jax.lax.stop_gradient(tree)["b"]).dtype
    assert_same(out, jax.lax.stop_gradient(tree))
    xs = np.arange(4.0, dtype=np.float32)
    assert_same(jaxlike.vmap(jaxlike.grad(lambda v: lax.stop_gradient(v) * v))(xs), xs)
    _, tangent = jaxlike.jvp(lambda v: lax.stop_gradient(v) + v, (xs,), (np.ones(4, np.float32),))
    assert_same(tangent, np.ones(4, np.float32))


# ---- cumlogsumexp ----------------------------------------------------------------------------------------
def logits(dtype=np.float32):
    x = RNG.standard_normal((5, 6)).astype(dtype) * 30
    x[0, :2] = -np.inf
    return x


@pytest.mark.parametrize("reverse", [False, True])
def test_cumlogsumexp_values(reverse):
    x = logits()
    assert_same(lax.cumlogsumexp(x, 1, reverse), jax.lax.cumlogsumexp(x, 1, reverse), rtol=1e-5, atol=1e-5)
    assert_same(lax.cumlogsumexp(x, 0, reverse), jax.lax.cumlogsumexp(x, 0, reverse), rtol=1e-5, atol=1e-5)


def test_cumlogsumexp_float64(enable_x64):
    x = logits(np.float64)
    assert_same(lax.cumlogsumexp(x, 1), jax.lax.cumlogsumexp(x, 1), rtol=1e-12, atol=1e-12)


def test_cumlogsumexp_grad_and_vmap():
    x, weights = logits(), np.arange(6.0, dtype=np.float32)

    def loss(lib):
        return lambda v: (lib.lax.cumlogsumexp(v, 1, True) * weights).sum()
    # (jax.jit: jax differentiates its scan op by op otherwise, which takes seconds)
    assert_same(jaxlike.jit(jaxlike.grad(loss(jaxlike)))(x), jax.jit(jax.grad(loss(jax)))(x), rtol=1e-5, atol=1e-5)
    xs = RNG.standard_normal((4, 5)).astype(np.float32)
    assert_same(jaxlike.vmap(lax.cumlogsumexp)(xs), jax.vmap(jax.lax.cumlogsumexp)(xs), rtol=1e-5)
    with pytest.raises(TypeError, match="floating-point"):
        lax.cumlogsumexp(jnp.arange(3))


@pytest.mark.slow
def test_cumlogsumexp_check_grads():
    check_grads(lambda v: lax.cumlogsumexp(v, axis=1), [RNG.standard_normal((3, 5))], order=2)
