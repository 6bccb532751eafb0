"""jaxlike.Array: device residency, transfers of every dtype, repr, conversions, immutability."""
import pickle

import jax
import jax.numpy as jjnp
import ml_dtypes
import numpy as np
import pytest

import jaxlike
import jaxlike.numpy as jnp
from testing_utils import x64_mode

TRANSFER_DTYPES = [np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64,
                   np.float16, ml_dtypes.bfloat16, np.float32, np.float64, np.complex64, np.complex128,
                   ml_dtypes.float8_e4m3fn, ml_dtypes.float8_e5m2, ml_dtypes.int4]


@pytest.mark.parametrize("dtype", TRANSFER_DTYPES, ids=lambda d: np.dtype(d).name)
def test_device_round_trip_every_dtype(dtype):
    value = (np.arange(12).reshape(3, 4) % 5).astype(dtype)
    jax_x64 = jax.config.jax_enable_x64
    with x64_mode(True):
        x = jaxlike.device_put(value)
        assert x._buf is not None, "device_put must place the value in a device buffer"
        assert x.dtype == np.dtype(dtype)
        back = np.asarray(jaxlike.device_get(x))
    assert back.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(back.astype(np.float64) if back.dtype.kind not in "bc" else back,
                                  value.astype(np.float64) if value.dtype.kind not in "bc" else value)
    assert jax.config.jax_enable_x64 == jax_x64


def test_64bit_values_are_canonicalised_without_x64():
    x = jaxlike.device_put(np.arange(3, dtype=np.float64))
    assert x.dtype == np.float32


def test_computation_results_live_on_the_device():
    x = jnp.ones((2, 3))
    y = x + x
    assert y._buf is not None and y._host is None
    assert y.device == jaxlike.devices()[0]
    assert y.devices() == {jaxlike.devices()[0]}


@pytest.mark.parametrize("make", [lambda m: m.array([1.0, 2.5]), lambda m: m.array([[1, 2], [3, 4]]),
                                  lambda m: m.array(3.0), lambda m: m.array([True, False])])
def test_repr_matches_jax(make):
    assert repr(make(jnp)) == repr(make(jjnp))
    assert str(make(jnp)) == str(make(jjnp))


def test_arrays_are_immutable_and_unhashable():
    x = jnp.ones(3)
    with pytest.raises(TypeError):
        x[0] = 2.0
    with pytest.raises(TypeError, match="unhashable"):
        hash(x)


def test_numpy_input_is_copied_not_aliased():
    value = np.ones(4, np.float32)
    x = jaxlike.device_put(value)
    value[:] = 7
    np.testing.assert_array_equal(np.asarray(x), np.ones(4))


def test_scalar_conversions():
    x = jnp.array(2.5)
    assert float(x) == 2.5 and int(jnp.array(3)) == 3 and complex(x) == 2.5
    assert bool(jnp.array(True)) and x.item() == 2.5
    assert jnp.array([[1, 2]]).tolist() == [[1, 2]]
    with pytest.raises(TypeError, match="scalar"):
        float(jnp.ones(3))
    with pytest.raises(ValueError, match="ambiguous"):
        bool(jnp.ones(3))


def test_block_until_ready_and_properties():
    x = jnp.zeros((2, 5), jnp.int32)
    assert x.block_until_ready() is x
    assert (x.shape, x.ndim, x.size, x.dtype, x.nbytes, x.itemsize) == ((2, 5), 2, 10, np.int32, 40, 4)
    assert len(x) == 2


def test_pickle_round_trip():
    x = jnp.array([1.5, 2.5])
    y = pickle.loads(pickle.dumps(x))
    assert isinstance(y, jaxlike.Array)
    np.testing.assert_array_equal(np.asarray(y), np.asarray(x))
    assert y.dtype == x.dtype


def test_direct_construction_is_refused():
    with pytest.raises(TypeError, match="asarray"):
        jaxlike.Array(np.ones(3))


def test_block_until_ready_pytree():
    tree = {"a": jnp.ones(2), "b": [jnp.zeros(3), 1]}
    assert jaxlike.block_until_ready(tree) is tree
