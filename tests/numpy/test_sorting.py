"""jnp sorting and searching vs jax.numpy: sort, argsort, lexsort, partition, searchsorted."""
import jax
import jax.numpy as jjnp
import numpy as np
import pytest

import jaxlike
import jaxlike.numpy as jnp
from testing_utils import assert_same, check_grads

RNG = np.random.default_rng(8)
TIES = RNG.integers(0, 4, size=(3, 6)).astype(np.float32)
TIES[0, 2] = np.nan
INTS = RNG.integers(-3, 3, size=(3, 6)).astype(np.int32)


def check(name, x, *static, eager=True, jit=True, **kwargs):
    expected = jax.jit(lambda x: getattr(jjnp, name)(x, *static, **kwargs))(x)  # the oracle, compiled once
    if eager:
        assert_same(getattr(jnp, name)(x, *static, **kwargs), expected, err_msg=f"{name} {static} {kwargs}")
    if jit:
        assert_same(jaxlike.jit(lambda x: getattr(jnp, name)(x, *static, **kwargs))(x), expected)


@pytest.mark.parametrize("kwargs", [{}, {"axis": 0}, {"axis": None}, {"descending": True},
                                    {"axis": 0, "descending": True, "stable": False}])
def test_sort_argsort(kwargs):
    check("sort", TIES, eager=not kwargs, **kwargs)
    check("argsort", TIES, eager=not kwargs, **kwargs)
    check("argsort", INTS, eager=False, **kwargs)


def test_sort_argsort_dtypes(x64):
    check("argsort", INTS, eager=False)
    check("sort", INTS.astype(np.uint8), axis=0, eager=False)
    check("argsort", TIES, dtype=np.int16, eager=False)
    with pytest.raises(TypeError, match="'kind' argument to sort is not supported"):
        jnp.sort(TIES, kind="quicksort")


def test_lexsort_and_sort_complex():
    keys = (INTS[0], INTS[1], TIES[2])
    expected = jjnp.lexsort(keys)
    assert_same(jnp.lexsort(keys), expected)
    assert_same(jaxlike.jit(lambda a, b, c: jnp.lexsort((a, b, c)))(*keys), expected)
    check("lexsort", INTS, axis=0, eager=False)
    check("sort_complex", INTS[0], eager=False)


def test_partition_puts_kth_in_place():
    for kth in (0, 3, -1):
        ours = np.asarray(jnp.partition(TIES[1], kth))
        expected = np.sort(TIES[1])[kth]
        assert ours[kth] == expected
        assert (ours[:kth % 6] <= expected).all() and (ours[kth % 6:] >= expected).all()
        idx = np.asarray(jnp.argpartition(INTS[1], kth))
        assert INTS[1][idx][kth] == np.sort(INTS[1])[kth]
    with pytest.raises(ValueError, match="out of bounds"):
        jnp.partition(TIES[1], 6)


SEARCH_CASES = [("scan", "left"), ("scan", "right"), ("sort", "right"), ("compare_all", "left")]


@pytest.mark.parametrize("method,side", SEARCH_CASES)
def test_searchsorted(method, side):
    a = np.array([-np.inf, -1.0, 0.0, 0.0, 2.5, 2.5, 7.0, np.nan], np.float32)
    v = np.array([[0.0, -0.0, 2.5, 8.0], [np.nan, -np.inf, np.inf, -5.0]], np.float32)
    expected = jjnp.searchsorted(a, v, side=side, method=method)
    if side == "left":
        assert_same(jnp.searchsorted(a, v, side=side, method=method), expected)
    assert_same(jaxlike.jit(lambda a, v: jnp.searchsorted(a, v, side=side, method=method))(a, v), expected)


def test_searchsorted_ints_sorter_and_errors():
    a = np.array([5, 1, 3, 3, 9], np.int32)
    sorter = np.argsort(a, kind="stable").astype(np.int32)
    assert_same(jnp.searchsorted(a, np.array([3, 4, 10]), sorter=sorter),
                jjnp.searchsorted(a, np.array([3, 4, 10]), sorter=sorter))
    assert_same(jnp.searchsorted(np.sort(a), 3.5), jjnp.searchsorted(np.sort(a), 3.5))
    with pytest.raises(ValueError, match="a should be 1-dimensional"):
        jnp.searchsorted(INTS, 1)
    with pytest.raises(ValueError, match="invalid value for keyword 'side'"):
        jnp.searchsorted(a, 1, side="middle")


def test_sort_grads_and_vmap():
    x = RNG.permutation(12).reshape(3, 4) + 0.5
    check_grads(jaxlike.jit(lambda x: jnp.sort(x, axis=None, descending=True)), [x])
    w = RNG.normal(size=(3, 6)).astype(np.float32)
    ours = jaxlike.jit(jaxlike.grad(lambda x: jnp.sum(jnp.sort(x, axis=0) * w)))(INTS.astype(np.float32))
    assert_same(ours, jax.jit(jax.grad(lambda x: jjnp.sum(jjnp.sort(x, axis=0) * w)))(INTS.astype(np.float32)))
    for f in (lambda x: jnp.argsort(x, descending=True), lambda x: jnp.searchsorted(np.arange(4.0), x)):
        np.testing.assert_array_equal(jaxlike.vmap(f, 1)(TIES), np.stack([np.asarray(f(TIES[:, i])) for i in range(6)]))
