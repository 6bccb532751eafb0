"""Dtype promotion, weak types and x64 canonicalisation against JAX."""
import warnings

import jax
import jax.numpy as jjnp
import ml_dtypes
import numpy as np
import pytest
from hypothesis import given, strategies as st

import jaxlike
import jaxlike.numpy as jnp
from jaxlike import dtypes

ALL = [np.dtype(d) for d in dtypes.all_dtypes]
SCALARS = [True, 3, 2.5, 1 + 2j]


def _jax_result(a, b):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return jjnp.result_type(a, b)
    except Exception:
        return "error"


def _our_result(a, b):
    try:
        return dtypes.result_type(a, b)
    except dtypes.TypePromotionError:
        return "error"


def test_promotion_table_matches_jax(x64):
    mismatches = []
    for a in ALL:
        for b in ALL + SCALARS:
            ours, theirs = _our_result(a, b), _jax_result(a, b)
            if str(ours) != str(theirs):
                mismatches.append((a, b, ours, theirs))
    assert not mismatches, mismatches[:10]


@pytest.mark.parametrize("a", SCALARS)
@pytest.mark.parametrize("b", SCALARS)
def test_python_scalar_promotion_is_weak_like_jax(a, b, x64):
    ours = jnp.add(a, b)
    theirs = jjnp.add(a, b)
    assert ours.dtype == theirs.dtype
    assert ours.weak_type == theirs.weak_type


@pytest.mark.parametrize("dtype", ["int8", "uint8", "int16", "float16", "bfloat16", "float32", "int32", "uint32"])
@pytest.mark.parametrize("scalar", [2, 2.5, 1j])
def test_array_with_python_scalar_keeps_array_dtype(dtype, scalar, x64):
    x = jnp.ones((3,), dtype)
    jx = jjnp.ones((3,), dtype)
    ours, theirs = x * scalar, jx * scalar
    assert ours.dtype == theirs.dtype, (dtype, scalar)
    assert ours.weak_type == theirs.weak_type


def test_float8_types_do_not_promote():
    with pytest.raises(dtypes.TypePromotionError, match="float8"):
        dtypes.result_type(ml_dtypes.float8_e4m3fn, ml_dtypes.float8_e5m2)


def test_canonicalisation_follows_x64_flag():
    with jaxlike.enable_x64(False):
        assert dtypes.canonicalize_dtype(np.float64) == np.float32
        assert jnp.array(np.arange(3)).dtype == np.int32
        assert jnp.array(1.5).dtype == np.float32
    with jaxlike.enable_x64(True):
        assert dtypes.canonicalize_dtype(np.float64) == np.float64
        assert jnp.array(np.arange(3)).dtype == np.int64
        assert jnp.array(1.5).dtype == np.float64


def test_x64_flag_does_not_touch_jax_config():
    before = jax.config.jax_enable_x64
    jaxlike.config.update("jax_enable_x64", not before)
    try:
        assert jax.config.jax_enable_x64 == before
    finally:
        jaxlike.config.update("jax_enable_x64", False)


@given(st.sampled_from(ALL), st.sampled_from(ALL))
def test_promote_types_is_commutative(a, b):
    assert str(_our_result(a, b)) == str(_our_result(b, a))


def test_unknown_dtype_is_a_clear_type_error():
    with pytest.raises(TypeError, match="Unknown dtype"):
        jnp.zeros(3, dtype="float33")
    with pytest.raises(TypeError, match="not supported"):
        jnp.zeros(3, dtype=object)


def test_short_names_match_jaxpr_conventions():
    assert dtypes.short_name(np.float32) == "f32"
    assert dtypes.short_name(np.int64) == "i64"
    assert dtypes.short_name(np.uint8) == "u8"
    assert dtypes.short_name(np.bool_) == "bool"
    assert dtypes.short_name(ml_dtypes.bfloat16) == "bf16"
    assert dtypes.short_name(np.complex64) == "c64"
