"""lax reductions: reduce_sum/prod/max/min/and/or/xor, argmax/argmin (values, NaNs, ties, derivatives, vmap)."""
import jax
import numpy as np
import pytest
from hypothesis import given, strategies as st

import jaxlike
import jaxlike.numpy as jnp
from jaxlike import lax
from testing_utils import assert_same, check_grads

RNG = np.random.default_rng(1)
X = RNG.normal(size=(3, 4)).astype(np.float32)
I = RNG.integers(-5, 6, size=(3, 4)).astype(np.int32)
B = RNG.random((3, 4)) < 0.5


def check(ours, theirs, *args, eager=True, jit=True):
    expected = theirs(*args)
    if eager:
        assert_same(ours(*args), expected)
    if jit:
        assert_same(jaxlike.jit(ours)(*args), expected)


ARITHMETIC = ["reduce_sum", "reduce_prod", "reduce_max", "reduce_min"]
LOGICAL = ["reduce_and", "reduce_or", "reduce_xor"]


@pytest.mark.parametrize("name", ARITHMETIC)
@pytest.mark.parametrize("operand,axes", [(X, (0,)), (X, (0, 1)), (I, (1,))], ids=["f32-0", "f32-01", "i32-1"])
def test_arithmetic_reductions(name, operand, axes):
    check(lambda x: getattr(lax, name)(x, axes), lambda x: getattr(jax.lax, name)(x, axes), operand,
          jit=axes == (0, 1))


@pytest.mark.parametrize("name", ["reduce_max", "reduce_min"] + LOGICAL)
def test_bool_reductions(name):
    check(lambda x: getattr(lax, name)(x, (1,)), lambda x: getattr(jax.lax, name)(x, (1,)), B, jit=name in LOGICAL)


@pytest.mark.parametrize("name", LOGICAL)
def test_bitwise_reductions_on_ints(name):
    check(lambda x: getattr(lax, name)(x, (0,)), lambda x: getattr(jax.lax, name)(x, (0,)), I, jit=False)


def test_reductions_in_x64(x64):
    x = RNG.normal(size=(2, 3))
    for name in ARITHMETIC:
        check(lambda x: getattr(lax, name)(x, (1,)), lambda x: getattr(jax.lax, name)(x, (1,)), x, eager=False)


def test_max_min_propagate_nan_and_handle_infinities():
    x = np.array([[1.0, np.nan, -np.inf], [np.inf, 2.0, -1.0]], np.float32)
    for name in ("reduce_max", "reduce_min"):
        check(lambda x: getattr(lax, name)(x, (1,)), lambda x: getattr(jax.lax, name)(x, (1,)), x, jit=False)


def test_empty_reductions_give_identities():
    e = np.zeros((0, 3), np.float32)
    for name in ARITHMETIC:
        check(lambda x: getattr(lax, name)(x, (0,)), lambda x: getattr(jax.lax, name)(x, (0,)), e, eager=False)


# ---- argmax / argmin ------------------------------------------------------------------------
ARG_CASES = {
    "ties": np.array([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0]], np.float32),
    "nans": np.array([[1.0, np.nan, 5.0, np.nan], [np.nan, 0.0, np.nan, 1.0]], np.float32),
    "infs": np.array([[-np.inf, -np.inf, 1.0, np.inf], [np.inf, np.inf, -np.inf, -np.inf]], np.float32),
    "zeros": np.array([[0.0, -0.0, 0.0, -1.0], [-0.0, 0.0, 1.0, 1.0]], np.float32),
    "ints": np.array([[3, 7, 7, -2], [-2, -2, 5, 5]], np.int32),
    "bools": np.array([[False, True, True, False], [False, False, False, False]]),
}


@pytest.mark.parametrize("case", list(ARG_CASES))
@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_argmax_argmin_match_jax(case, name):
    x = ARG_CASES[case]
    for axis in (0, 1):
        check(lambda x: getattr(lax, name)(x, axis, np.int32), lambda x: getattr(jax.lax, name)(x, axis, np.int32), x,
              jit=axis == 1)


@pytest.mark.filterwarnings("ignore:Explicitly requested dtype")
def test_argmax_index_dtype(x64):
    x = ARG_CASES["ties"]
    check(lambda x: lax.argmax(x, 1, np.int64), lambda x: jax.lax.argmax(x, 1, np.int64), x, eager=False)
    check(lambda x: lax.argmin(x, 0, np.uint8), lambda x: jax.lax.argmin(x, 0, np.uint8), x, eager=False)


# ---- derivatives ----------------------------------------------------------------------------
def test_grads_of_smooth_reductions():
    x = RNG.normal(size=(3, 4))
    check_grads(lambda x: lax.reduce_sum(x, (0,)), [x], order=1)
    check_grads(lambda x: lax.reduce_max(x, (1,)), [x])
    check_grads(lambda x: lax.reduce_min(x, (0, 1)), [x], order=1)
    check_grads(lambda x: lax.reduce_prod(x, (1,)), [x], order=1)  # second order: the hessian test below


def test_grad_of_max_with_ties_matches_jax():
    x = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], np.float32)
    ours = jaxlike.grad(lambda x: jnp.sum(lax.reduce_max(x, (1,)) * np.array([1.0, 5.0], np.float32)))(x)
    weights = np.array([1.0, 5.0], np.float32)
    theirs = jax.jit(jax.grad(lambda x: jax.numpy.sum(jax.lax.reduce_max(x, (1,)) * weights)))(x)
    assert_same(ours, theirs)
    ours = jaxlike.grad(lambda x: lax.reduce_min(x, (0, 1)))(x)
    assert_same(ours, jax.grad(lambda x: jax.lax.reduce_min(x, (0, 1)))(x))


def _prod(lib):
    return lambda x: lib.lax.reduce_prod(x, (0,))


PROD_DERIVATIVES = [(jaxlike.jit(t(_prod(jaxlike))), jax.jit(u(_prod(jax))))
                    for t, u in ((jaxlike.grad, jax.grad), (jaxlike.hessian, jax.hessian))]


@pytest.mark.parametrize("x", [np.array([2.0, 0.0, 3.0, -1.5]), np.array([0.0, 4.0, 0.0, 2.0]),
                               np.array([1.5, -2.0, 0.5, 3.0])], ids=["one_zero", "two_zeros", "no_zero"])
def test_grad_and_hessian_of_prod_with_zeros_match_jax(x, enable_x64):
    for ours, theirs in PROD_DERIVATIVES:
        assert_same(ours(x), theirs(x))


def test_grad_of_prod_over_several_axes():
    x = RNG.normal(size=(2, 3, 2))
    x[0, 1, 1] = 0.0
    check_grads(jaxlike.jit(lambda x: lax.reduce_prod(x, (0, 2))), [x], order=1)


def test_integer_and_logical_reductions_have_zero_tangents():
    _, t = jaxlike.jvp(lambda x: lax.convert_element_type(lax.argmax(x, 0, np.int32), np.float32),
                       (X,), (np.ones_like(X),))
    assert_same(t, np.zeros(4, np.float32))


# ---- vmap -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name,bdim", [("reduce_sum", 0), ("reduce_max", 2), ("reduce_prod", 1), ("argmin", 0),
                                       ("argmin", 2)])
def test_vmap_reductions(name, bdim):
    x = RNG.normal(size=(2, 3, 4)).astype(np.float32)
    f = (lambda x: lax.argmin(x, 1, np.int32)) if name == "argmin" else (lambda x: getattr(lax, name)(x, (1,)))
    expected = np.stack([np.asarray(f(np.take(x, i, bdim))) for i in range(x.shape[bdim])])
    np.testing.assert_allclose(jaxlike.vmap(f, bdim)(x), expected, rtol=1e-6)


def test_vmap_of_grad_of_max():
    xs = np.array([[1.0, 3.0, 3.0], [5.0, 2.0, 2.0]], np.float32)
    assert_same(jaxlike.vmap(jaxlike.grad(lambda x: lax.reduce_max(x, (0,))))(xs),
                jax.jit(jax.vmap(jax.grad(lambda x: jax.lax.reduce_max(x, (0,)))))(xs))


# ---- errors ---------------------------------------------------------------------------------
def test_bad_axis_names_axis_and_rank():
    with pytest.raises(ValueError, match="axis 2 is out of bounds for an array of rank 2"):
        lax.reduce_sum(X, (2,))
    with pytest.raises(ValueError, match="axis -3 is out of bounds for an array of rank 2"):
        lax.argmax(X, -3, np.int32)


def test_bad_dtypes():
    with pytest.raises(TypeError, match="reduce_sum does not accept dtype bool"):
        lax.reduce_sum(B, (0,))
    with pytest.raises(TypeError, match="reduce_and does not accept dtype float32"):
        lax.reduce_and(X, (0,))
    with pytest.raises(TypeError, match="index_dtype must be an integer type"):
        lax.argmax(X, 0, np.float32)


# ---- properties -----------------------------------------------------------------------------
@st.composite
def _operand_and_axes(draw):
    shape = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    axes = draw(st.sets(st.integers(0, len(shape) - 1), min_size=1))
    dtype = draw(st.sampled_from([np.float32, np.int32]))
    values = np.random.default_rng(draw(st.integers(0, 2 ** 16))).integers(-3, 4, size=shape).astype(dtype)
    return values, tuple(sorted(axes))


@given(_operand_and_axes(), st.sampled_from(ARITHMETIC))
def test_reductions_match_numpy(operand_axes, name):
    x, axes = operand_axes
    np_fn = {"reduce_sum": np.sum, "reduce_prod": np.prod, "reduce_max": np.max, "reduce_min": np.min}[name]
    np.testing.assert_allclose(getattr(lax, name)(x, axes), np_fn(x, axis=axes).astype(x.dtype), rtol=1e-6)


def test_generic_reduce_recognises_monoids():
    check(lambda x: lax.reduce(x, np.float32(0), lax.add, (0,)),
          lambda x: jax.lax.reduce(x, np.float32(0), jax.lax.add, (0,)), X, jit=False)
    check(lambda x: lax.reduce(x, np.float32(0.5), lax.max, (1,)),
          lambda x: jax.lax.reduce(x, np.float32(0.5), jax.lax.max, (1,)), X, jit=False)
    with pytest.raises(NotImplementedError, match="monoids|lax.add"):
        lax.reduce(X, 0.0, lambda a, b: a, (0,))
