"""lax.reduce_window and the windowed reduction primitives: values, padding, dilation, derivatives, vmap."""
import jax
import numpy as np
import pytest

import jaxlike
from jaxlike import lax
from testing_utils import assert_same, check_grads

RNG = np.random.default_rng(11)

# name: keyword arguments of reduce_window for a (2, 7, 8, 3) operand
WINDOWS = {
    "pool_same": dict(window_dimensions=(1, 3, 3, 1), window_strides=(1, 2, 2, 1), padding="SAME"),
    "pool_valid": dict(window_dimensions=(1, 2, 2, 1), window_strides=(1, 2, 2, 1), padding="VALID"),
    "dilated": dict(window_dimensions=(1, 3, 2, 1), window_strides=(1, 1, 2, 1),
                    padding=((0, 0), (1, 2), (2, 0), (0, 0)), base_dilation=(1, 2, 1, 1), window_dilation=(1, 1, 2, 1)),
}
MONOIDS = {"add": (0.0, "add"), "max": (-np.inf, "max"), "min": (np.inf, "min")}


def operand(dtype=np.float32):
    x = RNG.standard_normal((2, 7, 8, 3)).astype(dtype)
    x[0, 0, 0, 0] = x[0, 0, 1, 0]  # a tie inside a window
    return x


def window_fn(lib, monoid, window, init=None):
    default_init, name = MONOIDS[monoid]
    init = default_init if init is None else init
    return lambda x: lib.lax.reduce_window(x, init, getattr(lib.lax, name), **WINDOWS[window])


@pytest.mark.parametrize("window", list(WINDOWS))
@pytest.mark.parametrize("monoid", list(MONOIDS))
def test_reduce_window_values(monoid, window):
    x = operand()
    expected = window_fn(jax, monoid, window)(x)
    assert_same(window_fn(jaxlike, monoid, window)(x), expected)
    if window == "pool_same":
        assert_same(jaxlike.jit(window_fn(jaxlike, monoid, window))(x), expected)


def test_reduce_window_float64_and_integers(enable_x64):
    x = operand(np.float64)
    assert_same(window_fn(jaxlike, "add", "pool_same")(x), window_fn(jax, "add", "pool_same")(x), rtol=1e-12)
    ints = RNG.integers(-50, 50, (2, 7, 8, 3)).astype(np.int32)
    lowest, zero = np.int32(np.iinfo(np.int32).min), np.int32(0)
    assert_same(window_fn(jaxlike, "max", "pool_same", lowest)(ints), window_fn(jax, "max", "pool_same", lowest)(ints))
    assert_same(window_fn(jaxlike, "add", "pool_valid", zero)(ints), window_fn(jax, "add", "pool_valid", zero)(ints))


@pytest.mark.parametrize("computation,init", [("add", 1.0), ("mul", 1.0), ("max", 0.5)])
def test_reduce_window_general_computations(computation, init):
    """Non-identity initial values and computations other than the monoids (XLA skips padding elements)."""
    x = operand()[:, :5, :6]
    kwargs = dict(window_dimensions=(1, 3, 2, 1), window_strides=(1, 2, 1, 1), padding="SAME")
    ours = lax.reduce_window(x, init, getattr(lax, computation), **kwargs)
    assert_same(ours, jax.lax.reduce_window(x, init, getattr(jax.lax, computation), **kwargs), rtol=1e-5, atol=1e-5)


def test_reduce_window_recognises_equivalent_computations():
    x = operand()
    expected = window_fn(jax, "max", "pool_valid")(x)
    assert_same(lax.reduce_window(x, -np.inf, jaxlike.numpy.maximum, **WINDOWS["pool_valid"]), expected)
    assert_same(lax.reduce_window(x, -np.inf, lambda a, b: lax.max(b, a), **WINDOWS["pool_valid"]), expected)


def test_reduce_window_pytree_operands():
    x, y = operand(), operand()

    def add_pairs(a, b):
        return (a[0] + b[0], a[1] * b[1])
    kwargs = dict(window_dimensions=(1, 2, 2, 1), window_strides=(1, 1, 2, 1), padding="VALID")
    ours = lax.reduce_window((x, y), (0.0, 1.0), add_pairs, **kwargs)
    theirs = jax.lax.reduce_window((x, y), (0.0, 1.0), add_pairs, **kwargs)
    assert_same(ours, theirs, rtol=1e-5, atol=1e-5)


# ---- derivatives ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("monoid,window", [("add", "dilated"), ("max", "pool_same"), ("min", "pool_valid"),
                                           pytest.param("max", "pool_valid", marks=pytest.mark.slow),
                                           pytest.param("add", "pool_same", marks=pytest.mark.slow)])
def test_reduce_window_grads_match_jax(monoid, window):
    x = operand()

    def loss(lib):
        return lambda x: lib.numpy.sum(window_fn(lib, monoid, window)(x) ** 2)
    assert_same(jaxlike.jit(jaxlike.grad(loss(jaxlike)))(x), jax.grad(loss(jax))(x), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("monoid", ["add", "max"])
def test_reduce_window_check_grads(monoid):
    x = RNG.standard_normal((2, 5, 4))  # distinct values: max is differentiable here
    init, name = MONOIDS[monoid]
    check_grads(lambda x: lax.reduce_window(x, init, getattr(lax, name), (1, 2, 3), (1, 2, 1), "SAME",
                                            base_dilation=(1, 1, 2), window_dilation=(1, 2, 1)), [x], order=2)


def test_max_pool_gradient_with_window_dilation():
    """JAX has no VJP for a dilated max window; ours routes each cotangent to the window's first maximum."""
    x = np.array([[3.0, 1.0, 3.0, 2.0, 0.0, 5.0]], np.float32)
    grad = jaxlike.grad(lambda x: lax.reduce_window(x, -np.inf, lax.max, (1, 2), (1, 1), "VALID",
                                                    window_dilation=(1, 2)).sum())(x)
    # windows {0,2}: tie -> 0; {1,3}: 3; {2,4}: 2; {3,5}: 5
    np.testing.assert_array_equal(np.asarray(grad), [[1.0, 0.0, 1.0, 1.0, 0.0, 1.0]])


# ---- vmap, shapes, errors ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("monoid,axis", [("max", 0), ("add", 2), ("min", 4)])
def test_vmap_reduce_window(monoid, axis):
    xs = np.stack([operand() for _ in range(3)], axis=axis)
    f = window_fn(jaxlike, monoid, "pool_same")
    examples = [np.asarray(f(np.take(xs, i, axis))) for i in range(3)]
    np.testing.assert_allclose(np.asarray(jaxlike.vmap(f, axis)(xs)), np.stack(examples), rtol=1e-6)


def test_reduce_window_shape_tuple():
    args = ((7, 8), (3, 2), (2, 1), ((1, 2), (0, 1)), (1, 2), (2, 1))
    assert lax.reduce_window_shape_tuple(*args) == tuple(jax.lax.reduce_window_shape_tuple(*args))


def test_reduce_window_errors():
    x = operand()
    with pytest.raises(TypeError, match="window_dimensions .* one entry per dimension"):
        lax.reduce_window(x, 0.0, lax.add, (2, 2), (1, 1), "VALID")
    with pytest.raises(TypeError, match="window_strides must be positive"):
        lax.reduce_window(x, 0.0, lax.add, (1, 2, 2, 1), (1, 0, 1, 1), "VALID")
    with pytest.raises(ValueError, match="Unknown padding type"):
        lax.reduce_window(x, 0.0, lax.add, (1, 2, 2, 1), (1, 1, 1, 1), "FULL")


def test_reduce_window_lowering():
    text = jaxlike.jit(window_fn(jaxlike, "max", "pool_same")).lower(operand()).as_text()
    assert '"stablehlo.reduce_window"' in text and "stablehlo.maximum" in text
    assert "window_dimensions = array<i64: 1, 3, 3, 1>" in text and "padding = dense<" in text
