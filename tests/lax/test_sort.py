"""lax.sort and sort_key_val: total order (NaNs last, -0.0 == 0.0), multi-operand keys, derivatives, vmap."""
import jax
import numpy as np
import pytest

import jaxlike
import jaxlike.numpy as jnp
from jaxlike import lax
from testing_utils import assert_same, check_grads

RNG = np.random.default_rng(4)


def check(ours, theirs, *args, eager=True, jit=True):
    expected = theirs(*args)
    if eager:
        assert_same(ours(*args), expected)
    if jit:
        assert_same(jaxlike.jit(ours)(*args), expected)


SPECIAL = np.array([3.0, np.nan, -0.0, 0.0, -np.nan, -np.inf, 1.0, np.inf, 0.0, -0.0, -2.5, np.nan], np.float32)


def test_sort_total_order_bitwise():
    """NaNs (of either sign) go last; -0.0 and 0.0 tie, so a stable sort keeps their order."""
    ours, theirs = np.asarray(lax.sort(SPECIAL)), np.asarray(jax.lax.sort(SPECIAL))
    np.testing.assert_array_equal(ours.view(np.uint32), theirs.view(np.uint32))
    ours = np.asarray(jaxlike.jit(lambda x: lax.sort(x))(SPECIAL))
    np.testing.assert_array_equal(ours.view(np.uint32), theirs.view(np.uint32))


@pytest.mark.parametrize("dtype", [np.float32, np.int32, np.uint8, np.bool_, np.float64, np.int64])
@pytest.mark.parametrize("dimension", [0, 1, -1])
def test_sort_dtypes_and_dimensions(dtype, dimension, x64):
    x = (RNG.integers(0, 5, size=(4, 5)) if dtype != np.bool_ else RNG.random((4, 5)) < 0.5).astype(dtype)
    jax_dim = dimension % 2  # jax.lax.sort requires a nonnegative dimension
    check(lambda x: lax.sort(x, dimension), lambda x: jax.lax.sort(x, jax_dim), x, jit=dtype == np.float32)


def test_sort_complex_lexicographic():
    c = np.array([1 + 2j, 1 - 1j, np.nan + 0j, 0j, -1j, 1 + 1j, complex(0, np.nan)], np.complex64)
    check(lambda x: lax.sort(x), lambda x: jax.lax.sort(x), c)


def test_sort_multiple_operands_and_num_keys():
    k1 = np.array([2, 1, 2, 1, 0, 2], np.int32)
    k2 = np.array([0.5, 0.1, -1.0, 0.1, 3.0, np.nan], np.float32)
    v = np.arange(6, dtype=np.float32)
    for num_keys in (1, 2):
        check(lambda a, b, c: lax.sort((a, b, c), num_keys=num_keys),
              lambda a, b, c: jax.lax.sort((a, b, c), num_keys=num_keys), k1, k2, v)
    check(lambda k, v: lax.sort_key_val(k, v), lambda k, v: jax.lax.sort_key_val(k, v), k2, v)


def test_sort_returns_structure_like_input():
    out = lax.sort([np.array([2, 1]), np.array([0.0, 1.0])])
    assert isinstance(out, list) and len(out) == 2
    assert isinstance(lax.sort((np.array([2, 1]),)), tuple)


def test_unstable_sort_values():
    x = RNG.integers(0, 3, size=(20,)).astype(np.float32)
    check(lambda x: lax.sort(x, is_stable=False), lambda x: jax.lax.sort(x, is_stable=False), x)


# ---- derivatives ----------------------------------------------------------------------------
def test_sort_grads():
    x = RNG.permutation(12).reshape(3, 4) + RNG.uniform(0, 0.1, size=(3, 4))  # distinct values
    check_grads(lambda x: lax.sort(x, 0), [x])
    check_grads(lambda k, v: lax.sort_key_val(k, v, 1)[1], [x, RNG.normal(size=(3, 4))])


def test_sort_jvp_and_vjp_match_jax():
    x = np.array([[3.0, 1.0, 2.0, 1.0], [0.0, -1.0, 5.0, 4.0]], np.float32)
    t = RNG.normal(size=x.shape).astype(np.float32)
    assert_same(jaxlike.jvp(lambda x: lax.sort(x, 1), (x,), (t,)), jax.jvp(lambda x: jax.lax.sort(x, 1), (x,), (t,)))
    _, ours = jaxlike.vjp(lambda x: lax.sort(x, 0), x)
    _, theirs = jax.vjp(lambda x: jax.lax.sort(x, 0), x)
    assert_same(ours(jnp.asarray(t)), theirs(t))


def test_grad_through_values_sorted_by_constant_keys():
    keys = np.array([3, 0, 2, 1], np.int32)
    v = RNG.normal(size=4).astype(np.float32)
    w = np.arange(4, dtype=np.float32)
    ours = jaxlike.jit(jaxlike.grad(lambda v: jnp.sum(lax.sort_key_val(keys, v)[1] * w)))(v)
    theirs = jax.jit(jax.grad(lambda v: jax.numpy.sum(jax.lax.sort_key_val(keys, v)[1] * w)))(v)
    assert_same(ours, theirs)


# ---- vmap -----------------------------------------------------------------------------------
@pytest.mark.parametrize("in_axes", [(0, 0), (1, None), (None, 0)])
def test_vmap_sort_mixed_operands(in_axes):
    keys = RNG.integers(0, 4, size=(3, 5) if in_axes[0] is not None else (5,)).astype(np.float32)
    if in_axes[0] == 1:
        keys = RNG.integers(0, 4, size=(5, 3)).astype(np.float32)
    vals = RNG.normal(size=(3, 5) if in_axes[1] is not None else (5,)).astype(np.float32)
    f = lambda k, v: lax.sort_key_val(k, v)  # noqa: E731
    size = 3
    examples = [f(keys if in_axes[0] is None else np.take(keys, i, in_axes[0]),
                  vals if in_axes[1] is None else np.take(vals, i, in_axes[1])) for i in range(size)]
    ours = jaxlike.vmap(f, in_axes)(keys, vals)
    for o, e in zip(ours, zip(*examples)):
        np.testing.assert_array_equal(o, np.stack([np.asarray(x) for x in e]))


def test_vmap_of_grad_of_sort():
    xs = RNG.normal(size=(3, 5)).astype(np.float32)
    w = np.arange(5, dtype=np.float32)
    assert_same(jaxlike.vmap(jaxlike.grad(lambda x: jnp.sum(lax.sort(x) * w)))(xs),
                jax.jit(jax.vmap(jax.grad(lambda x: jax.numpy.sum(jax.lax.sort(x) * w))))(xs))


# ---- errors ---------------------------------------------------------------------------------
def test_sort_errors():
    with pytest.raises(TypeError, match=r"same shape, got \(3,\), \(4,\)"):
        lax.sort((np.zeros(3), np.zeros(4)))
    with pytest.raises(TypeError, match="num_keys=3 must be between 1 and the number of operands"):
        lax.sort((np.zeros(3), np.zeros(3)), num_keys=3)
    with pytest.raises(ValueError, match="axis 1 is out of bounds for an array of rank 1"):
        lax.sort(np.zeros(3), 1)
