"""jnp reductions vs jax.numpy: values, shapes, dtypes (x32 and x64), options, gradients, vmap, errors."""
import jax
import jax.numpy as jjnp
import numpy as np
import pytest
from hypothesis import given, strategies as st

import jaxlike
import jaxlike.numpy as jnp
from testing_utils import assert_same, check_grads

RNG = np.random.default_rng(5)
F = RNG.normal(size=(3, 4)).astype(np.float32)
I8 = RNG.integers(-4, 5, size=(3, 4)).astype(np.int8)
U8 = RNG.integers(0, 5, size=(3, 4)).astype(np.uint8)
B = RNG.random((3, 4)) < 0.5
NANS = F.copy()
NANS[0, 1] = NANS[2, :] = np.nan


def check(name, *args, eager=True, jit=True, **kwargs):
    """jnp.<name>(*args, **kwargs) matches jax.numpy eagerly and under jit."""
    expected = jax.jit(lambda *a: getattr(jjnp, name)(*a, **kwargs))(*args)  # the oracle, compiled once
    if eager:
        assert_same(getattr(jnp, name)(*args, **kwargs), expected, err_msg=f"{name} {kwargs}")
    if jit:
        assert_same(jaxlike.jit(lambda *a: getattr(jnp, name)(*a, **kwargs))(*args), expected,
                    err_msg=f"jit {name} {kwargs}")


def check_types(name, *args, **kwargs):
    """Result shapes, dtypes and weak types agree with jax.numpy (traced only: nothing is compiled)."""
    ours = jaxlike.eval_shape(lambda *a: getattr(jnp, name)(*a, **kwargs), *args)
    theirs = jax.eval_shape(lambda *a: getattr(jjnp, name)(*a, **kwargs), *args)
    for o, t in zip(jax.tree_util.tree_leaves(ours), jax.tree_util.tree_leaves(theirs)):
        assert (o.shape, o.dtype, o.weak_type) == (t.shape, t.dtype, t.weak_type), f"{name} {kwargs}: {o} vs {t}"


BASIC = ["sum", "prod", "max", "min", "mean", "var", "std", "any", "all", "ptp", "count_nonzero", "amax", "amin",
         "nansum", "nanprod", "nanmax", "nanmin", "nanmean", "nanvar", "nanstd", "argmax", "argmin", "nanargmax",
         "cumsum", "cumprod", "nancumsum", "average"]
TYPE_INPUTS = [np.float32, np.float16, np.int8, np.uint32, np.int64, np.bool_, np.complex64]


@pytest.mark.parametrize("name", BASIC)
def test_result_types(name, x64):
    for dtype in TYPE_INPUTS:
        if (name in ("ptp",) and dtype == np.bool_) or (dtype == np.complex64 and name in (
                "max", "min", "amax", "amin", "ptp", "nanmax", "nanmin", "argmax", "argmin", "nanargmax")):
            continue
        x = np.zeros((2, 3), dtype)
        for kwargs in ({}, {"axis": 0, "keepdims": True}):
            if name.startswith(("cum", "nancum")) and "keepdims" in kwargs:
                continue
            check_types(name, x, **kwargs)
    check_types(name, 1.5) if not name.startswith(("cum", "nancum", "arg", "nanarg")) else None


VALUE_CASES = [(name, "f32") for name in ("sum", "prod", "max", "min", "mean", "var", "std", "ptp", "any",
                                          "count_nonzero")]
VALUE_CASES += [(name, "i8") for name in ("sum", "prod", "mean", "var", "all")]
VALUE_CASES += [(name, "bool") for name in ("sum", "max", "any", "count_nonzero")]
VALUE_INPUTS = {"f32": F, "i8": I8, "bool": B}


@pytest.mark.parametrize("name,x", VALUE_CASES, ids=[f"{n}-{x}" for n, x in VALUE_CASES])
def test_basic_reduction_values(name, x):
    x = VALUE_INPUTS[x]
    check(name, x, jit=False)
    if name in ("sum", "mean", "var", "max", "all") or x.dtype == np.bool_:
        check(name, x, axis=1, keepdims=True, eager=False)


@pytest.mark.parametrize("name", ["sum", "var", "argmax", "cumsum"])
def test_values_in_x64(name, enable_x64):
    check(name, RNG.normal(size=(3, 4)), axis=0, eager=False)
    check(name, U8, eager=False)


@pytest.mark.parametrize("name", ["sum", "prod", "mean", "std"])
def test_dtype_argument(name):
    check(name, I8, dtype=np.float32, axis=0, eager=name == "sum")


def test_sum_of_float16_accumulates_in_float32():
    x = np.full(4096, 0.1, np.float16)
    check("sum", x)
    check("mean", x)


@pytest.mark.parametrize("name", ["sum", "prod", "max", "min"])
def test_initial_and_where(name):
    where = RNG.random((3, 4)) < 0.6
    check(name, F, axis=1, initial=2.0, where=where)
    check(name, I8, initial=3)


def test_mean_var_with_where():
    where = RNG.random((3, 4)) < 0.6
    check("mean", F, axis=0, where=where)
    check("var", F, axis=1, where=where, ddof=1)
    check("any", B, axis=0, where=where)
    check("all", B, where=where)


def test_var_std_options():
    check("var", F, ddof=1, eager=False)
    check("std", F, axis=0, correction=1.5, eager=False)
    check("var", F, axis=1, mean=np.mean(F, axis=1, keepdims=True), eager=False)
    check("var", np.ones(1, np.float32), ddof=1, eager=False)  # count - ddof = 0 gives NaN
    c = (F + 1j * F[::-1]).astype(np.complex64)
    check("var", c, axis=1, eager=False)


def test_empty_max_needs_initial():
    with pytest.raises(ValueError, match="zero-size array to reduction operation max which has no identity"):
        jnp.max(np.zeros((0, 3), np.float32), axis=0)
    check("max", np.zeros((0, 3), np.float32), axis=0, initial=-1.0)


def test_where_must_be_boolean():
    with pytest.raises(ValueError, match="where must be None or a boolean array"):
        jnp.sum(F, where=np.ones((3, 4), np.int32))


def test_bad_axis_names_axis_and_ndim():
    with pytest.raises(ValueError, match="axis 2 is out of bounds for array of dimension 2"):
        jnp.sum(F, axis=2)
    with pytest.raises(ValueError, match="repeated axis"):
        jnp.sum(F, axis=(0, -2))


# ---- argmax / argmin ------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["argmax", "argmin", "nanargmax", "nanargmin"])
def test_arg_reductions(name):
    x = np.array([[1.0, np.nan, 3.0, 3.0], [np.nan, np.nan, np.nan, np.nan], [2.0, -1.0, -1.0, 0.0]], np.float32)
    check(name, x, jit=False)
    check(name, x, axis=0, keepdims=True, eager=False)
    if name == "argmin":
        check(name, I8, axis=-1, keepdims=True, eager=False)


def test_argmax_of_empty_raises():
    with pytest.raises(ValueError, match="attempt to get argmax of an empty sequence"):
        jnp.argmax(np.zeros((2, 0)), axis=1)


# ---- nan-reductions -------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["nansum", "nanprod", "nanmax", "nanmin", "nanmean", "nanvar", "nanstd"])
def test_nan_reductions(name):
    check(name, NANS, jit=False)
    check(name, NANS, axis=1, keepdims=True, eager=False)
    if name in ("nanmean", "nanvar"):
        check(name, I8, axis=0, eager=False)


def test_nan_reductions_options():
    check("nanvar", NANS, axis=1, ddof=1)
    check("nanmax", NANS, axis=1, initial=5.0)
    check("nansum", NANS, dtype=np.float32, where=RNG.random((3, 4)) < 0.5)


# ---- average --------------------------------------------------------------------------------
def test_average():
    w = RNG.uniform(0.5, 2.0, size=(3, 4)).astype(np.float32)
    check("average", F)
    check("average", F, axis=1, weights=w)
    check("average", F, axis=0, weights=w[:, 0], returned=True)
    check("average", I8, axis=(0, 1), keepdims=True)
    check("average", F, axis=(1, 0), weights=w.T)
    with pytest.raises(ValueError, match="Axis must be specified"):
        jnp.average(F, weights=w[0])


# ---- cumulative -----------------------------------------------------------------------------
CUMULATIVE_CASES = [("cumsum", "f32"), ("cumsum", "i8"), ("cumsum", "bool"), ("cumprod", "f32"), ("cumprod", "i8"),
                    ("nancumsum", "f32"), ("nancumprod", "f32"), ("nancumsum", "bool")]


@pytest.mark.parametrize("name,x", CUMULATIVE_CASES, ids=[f"{n}-{x}" for n, x in CUMULATIVE_CASES])
def test_cumulative(name, x):
    x = {"f32": NANS, "i8": I8, "bool": B}[x]
    check(name, x, jit=False)
    check(name, x, axis=1, eager=False)
    if name == "cumsum":
        check(name, x, axis=0, dtype=np.float32, eager=False)


def test_cumulative_sum_and_prod():
    check("cumulative_sum", I8, axis=1)
    check("cumulative_sum", F[0], include_initial=True)
    check("cumulative_prod", F, axis=0, include_initial=True)
    check("cumsum", B, axis=0, dtype=np.bool_)
    with pytest.raises(ValueError, match="axis was not set"):
        jnp.cumulative_sum(F)


# ---- gradients ------------------------------------------------------------------------------
def test_grads_of_reductions():
    x = RNG.normal(size=(2, 3))
    check_grads(jaxlike.jit(lambda x: jnp.var(x, axis=1)), [x])
    check_grads(jaxlike.jit(lambda x: (jnp.std(x), jnp.nanmean(x, axis=0), jnp.average(x, 1, x * x))), [x], order=1)


def _grads_match(ours_fn, jax_fn, x):
    assert_same(jaxlike.jit(jaxlike.grad(ours_fn))(x), jax.jit(jax.grad(jax_fn))(x))


def test_grad_of_max_with_ties_matches_jax():
    x = np.array([[1.0, 4.0, 4.0, 2.0], [3.0, 3.0, 3.0, 3.0]], np.float32)
    _grads_match(lambda x: jnp.sum(jnp.max(x, axis=1) * np.array([1.0, 2.0], np.float32)),
                 lambda x: jjnp.sum(jjnp.max(x, axis=1) * np.array([1.0, 2.0], np.float32)), x)
    _grads_match(lambda x: jnp.min(x), lambda x: jjnp.min(x), x)
    _grads_match(lambda x: jnp.nanmax(x), lambda x: jjnp.nanmax(x), np.where(x > 3.5, np.nan, x).astype(np.float32))


def test_grad_of_prod_with_zeros_matches_jax():
    x = np.array([[2.0, 0.0, 3.0], [0.0, 0.0, 1.0], [1.0, 2.0, 4.0]], np.float32)
    _grads_match(lambda x: jnp.sum(jnp.prod(x, axis=1)), lambda x: jjnp.sum(jjnp.prod(x, axis=1)), x)
    _grads_match(lambda x: jnp.prod(x), lambda x: jjnp.prod(x), x)


# ---- vmap -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name,bdim", [("sum", 0), ("max", 1), ("argmax", 1), ("var", 2), ("cumsum", 1),
                                       ("nanmean", 0)])
def test_vmap_reductions(name, bdim):
    x = RNG.normal(size=(3, 4, 2)).astype(np.float32)
    expected = jax.jit(jax.vmap(lambda x: getattr(jjnp, name)(x, axis=0), bdim))(x)
    vmapped = jaxlike.vmap(lambda x: getattr(jnp, name)(x, axis=0), bdim)
    assert_same((vmapped if name == "sum" else jaxlike.jit(vmapped))(x), expected, rtol=1e-5, atol=1e-6)


# ---- properties -----------------------------------------------------------------------------
@st.composite
def _reduction_case(draw):
    shape = draw(st.sampled_from([(), (3,), (2, 3), (2, 1, 3)]))
    dtype = draw(st.sampled_from([np.float32, np.int32, np.bool_]))
    seed = draw(st.integers(0, 2 ** 16))
    x = np.random.default_rng(seed).integers(-3, 4, size=shape).astype(dtype)
    axis = draw(st.one_of(st.none(), st.integers(-len(shape), len(shape) - 1))) if shape else None
    return x, axis, draw(st.booleans())


@given(_reduction_case(), st.sampled_from(["sum", "prod", "max", "min", "mean", "any", "all", "argmin"]))
def test_reductions_property(case, name):
    x, axis, keepdims = case
    kwargs = {"axis": axis, "keepdims": keepdims}
    assert_same(getattr(jnp, name)(x, **kwargs), getattr(jjnp, name)(x, **kwargs), err_msg=f"{name} {kwargs}")
