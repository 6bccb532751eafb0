"""jaxlike.random keys, the threefry2x32 primitive, and transforms of key operations, against jax.random."""
import jax
import jax.random as jr
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jaxlike
import jaxlike.numpy as jnp
import jaxlike.random as random
from jaxlike.random import prng
from testing_utils import assert_same

examples = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
uint32s = st.integers(0, 2 ** 32 - 1)
int64s = st.integers(-2 ** 63, 2 ** 63 - 1)


# ---- threefry2x32: an independent reference from the Random123 paper ---------------------------------
ROTATIONS = (13, 15, 26, 6, 17, 29, 16, 24)


def threefry_reference(key1, key2, x1, x2):
    """Threefry-2x32 with 20 rounds, in NumPy (Salmon et al., SC'11)."""
    mask = 0xFFFFFFFF
    ks = (key1, key2, key1 ^ key2 ^ 0x1BD11BDA)
    x1, x2 = (int(x1) + ks[0]) & mask, (int(x2) + ks[1]) & mask
    for group in range(5):
        for rot in ROTATIONS[4 * (group % 2):4 * (group % 2) + 4]:
            x1 = (x1 + x2) & mask
            x2 = (((x2 << rot) | (x2 >> (32 - rot))) & mask) ^ x1
        x1 = (x1 + ks[(group + 1) % 3]) & mask
        x2 = (x2 + ks[(group + 2) % 3] + group + 1) & mask
    return x1, x2


@pytest.mark.parametrize("key,count,expected", [
    ((0, 0), (0, 0), (0x6B200159, 0x99BA4EFE)),
    ((0xFFFFFFFF, 0xFFFFFFFF), (0xFFFFFFFF, 0xFFFFFFFF), (0x1CB996FC, 0xBB002BE7)),
    ((0x13198A2E, 0x03707344), (0x243F6A88, 0x85A308D3), (0xC4923A9C, 0x483DF7A0)),
])
def test_threefry_known_answers(key, count, expected):
    out = prng.threefry2x32(*(np.uint32(v) for v in key + count))
    assert tuple(int(o) for o in out) == expected


threefry_jit = jaxlike.jit(prng.threefry2x32)


@examples
@given(key1=uint32s, key2=uint32s, start=uint32s)
def test_threefry_matches_reference(key1, key2, start):
    x1 = (np.arange(6, dtype=np.uint64) + start).astype(np.uint32)
    x2 = (x1 * np.uint32(2654435761)).astype(np.uint32)
    out1, out2 = threefry_jit(np.uint32(key1), np.uint32(key2), x1, x2)
    expected = [threefry_reference(key1, key2, int(a), int(b)) for a, b in zip(x1, x2)]
    np.testing.assert_array_equal(np.asarray(out1), [e[0] for e in expected])
    np.testing.assert_array_equal(np.asarray(out2), [e[1] for e in expected])


def test_threefry_is_one_equation():
    jaxpr = jaxlike.make_jaxpr(lambda k: random.split(k, 5))(random.PRNGKey(0))
    assert str(jaxpr).count("threefry2x32") == 1


def test_threefry_batching_and_errors():
    keys = random.split(random.PRNGKey(3), 4)
    counts = np.arange(12, dtype=np.uint32).reshape(4, 3)
    batched = jaxlike.vmap(lambda k, c: prng.threefry2x32(k[0], k[1], c, c))(keys, counts)
    for i in range(4):
        single = prng.threefry2x32(keys[i][0], keys[i][1], counts[i], counts[i])
        np.testing.assert_array_equal(np.asarray(batched[0][i]), np.asarray(single[0]))
        np.testing.assert_array_equal(np.asarray(batched[1][i]), np.asarray(single[1]))
    with pytest.raises(TypeError, match="uint32"):
        prng.threefry2x32(np.int32(0), np.uint32(0), counts, counts)


# ---- seeds -----------------------------------------------------------------------------------------------
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=int64s)
def test_prngkey_python_int_seeds(x64, seed):
    assert_same(random.PRNGKey(seed), jr.PRNGKey(seed))
    assert_same(random.key_data(random.key(seed)), jr.key_data(jr.key(seed)))


@pytest.mark.parametrize("seed", [np.int8(-1), np.uint8(200), np.int32(-7), np.uint32(2 ** 32 - 1),
                                  np.int64(-2 ** 40 + 5), np.uint64(2 ** 64 - 1)], ids=lambda s: type(s).__name__)
def test_prngkey_numpy_seeds(x64, seed):
    assert_same(random.PRNGKey(seed), jr.PRNGKey(seed))


def test_prngkey_under_jit_and_vmap():
    seeds = np.arange(-3, 5, dtype=np.int32)
    assert_same(jaxlike.jit(random.PRNGKey)(np.int32(-9)), jr.PRNGKey(np.int32(-9)))
    assert_same(jaxlike.vmap(random.PRNGKey)(seeds), jax.vmap(jr.PRNGKey)(seeds))


# ---- typed keys ----------------------------------------------------------------------------------------------
def test_typed_key_shape_dtype_and_round_trip():
    k = random.key(42)
    assert k.shape == () and k.ndim == 0 and str(k.dtype) == "key<fry>"
    assert random.key_dtype() == k.dtype and random.key_impl(k) == "threefry2x32"
    data = random.key_data(k)
    assert data.shape == (2,) and data.dtype == np.uint32
    keys = random.split(k, (2, 3))
    assert keys.shape == (2, 3) and random.key_data(keys).shape == (2, 3, 2)
    back = random.wrap_key_data(random.key_data(keys))
    assert back.shape == (2, 3)
    assert_same(random.key_data(back), jr.key_data(jr.split(jr.key(42), (2, 3))))
    assert_same(random.key_data(keys[1, 2]), jr.key_data(jr.split(jr.key(42), (2, 3))[1, 2]))
    assert keys.reshape(6).shape == (6,) and len(list(keys.reshape(6))) == 6
    assert random.clone(k) is k and "key<fry>" in repr(k)


def test_typed_keys_pass_through_jit_and_vmap():
    keys = random.split(random.key(0), 4)
    out = jaxlike.jit(lambda ks: jaxlike.vmap(lambda k: random.split(k, 3))(ks))(keys)
    assert out.shape == (4, 3)
    expected = jax.jit(lambda ks: jax.vmap(lambda k: jr.split(k, 3))(ks))(jr.split(jr.key(0), 4))
    assert_same(random.key_data(out), jr.key_data(expected))
    assert jaxlike.vmap(lambda k: random.key_data(k))(keys).shape == (4, 2)
    assert jaxlike.jit(lambda k: k)(random.key(1)).shape == ()


# ---- split, fold_in, bits --------------------------------------------------------------------------------
@examples
@given(seed=uint32s, data=st.integers(-2 ** 31, 2 ** 32 - 1))
def test_split_and_fold_in(seed, data):
    key, jkey = random.PRNGKey(seed), jr.PRNGKey(seed)
    assert_same(random.split(key), jr.split(jkey))
    assert_same(random.split(key, 5), jr.split(jkey, 5))
    assert_same(random.key_data(random.split(random.key(seed), (2, 2))), jr.key_data(jr.split(jr.key(seed), (2, 2))))
    folded = np.int64(data).astype(np.uint32)
    assert_same(random.fold_in(key, folded), jr.fold_in(jkey, folded))


def test_split_zero_and_vmapped_fold_in():
    assert random.split(random.PRNGKey(0), 0).shape == (0, 2)
    keys = random.split(random.PRNGKey(1), 3)
    data = np.arange(3, dtype=np.int32)
    assert_same(jaxlike.vmap(random.fold_in)(keys, data), jax.vmap(jr.fold_in)(jr.split(jr.PRNGKey(1), 3), data))


@pytest.mark.parametrize("dtype", ["uint8", "uint16", "uint32", "uint64", None])
def test_bits(x64, dtype):
    for seed in (0, 12345):
        assert_same(random.bits(random.key(seed), (3, 5), dtype), jr.bits(jr.key(seed), (3, 5), dtype))
    assert_same(random.bits(random.PRNGKey(7), (), dtype), jr.bits(jr.PRNGKey(7), (), dtype))


def test_large_counter_space_uses_both_words():
    hi, lo = prng.iota_2x32_shape((3, 4))
    np.testing.assert_array_equal(np.asarray(lo), np.arange(12).reshape(3, 4))
    np.testing.assert_array_equal(np.asarray(hi), 0)
    text = jaxlike.jit(lambda: prng.iota_2x32_shape((2 ** 16, 2 ** 16 + 1))).lower().as_text()
    assert "ui64" in text  # indices beyond 2**32 need the high word


# ---- gradients through samplers -------------------------------------------------------------------------------
def test_grad_through_uniform_and_normal():
    def ours(lo, scale):
        return (random.uniform(random.PRNGKey(0), (5,), minval=lo, maxval=4.0) * scale
                + scale * random.normal(random.PRNGKey(1), (5,))).sum()

    def theirs(lo, scale):
        return (jr.uniform(jr.PRNGKey(0), (5,), minval=lo, maxval=4.0) * scale
                + scale * jr.normal(jr.PRNGKey(1), (5,))).sum()
    assert_same(jaxlike.grad(ours, argnums=(0, 1))(1.0, 2.0), jax.grad(theirs, argnums=(0, 1))(1.0, 2.0))


@pytest.mark.parametrize("sampler", ["gamma", pytest.param("loggamma", marks=pytest.mark.slow)])
def test_gamma_implicit_gradient(sampler):
    alphas = np.array([0.05, 0.3, 1.0, 2.5, 7.0, 40.0, 300.0], np.float32)
    ours = jaxlike.jit(jaxlike.vmap(jaxlike.grad(lambda a, k: getattr(random, sampler)(k, a))))(
        alphas, random.split(random.key(5), alphas.size))
    theirs = jax.jit(jax.vmap(jax.grad(lambda a, k: getattr(jr, sampler)(k, a))))(
        alphas, jr.split(jr.key(5), alphas.size))
    assert_same(ours, theirs, rtol=1e-4, atol=1e-6)


def test_gamma_grad_matches_finite_differences():
    from scipy import special, stats
    a, q = 3.0, 0.3
    x = stats.gamma.ppf(q, a)
    eps = 1e-6
    expected = (stats.gamma.ppf(q, a + eps) - stats.gamma.ppf(q, a - eps)) / (2 * eps)
    assert special.gammainc(a, x) == pytest.approx(q)
    ours = jaxlike.jit(jaxlike.lax.random_gamma_grad)(np.float32(a), np.float32(x))
    np.testing.assert_allclose(float(ours), expected, rtol=1e-4)


# ---- errors name the problem and the user's line --------------------------------------------------------------
@pytest.mark.parametrize("call,error,match", [
    (lambda: random.uniform(jnp.zeros(2)), TypeError, "expected dtype uint32"),
    (lambda: random.uniform(np.zeros(3, np.uint32)), TypeError, r"ending with \(2,\)"),
    (lambda: random.normal(0, (2,)), TypeError, "Expected a PRNG key"),
    (lambda: random.normal([0, 0]), TypeError, "Expected a PRNG key"),
    (lambda: random.normal(random.split(random.key(0)), (2,)), ValueError, "single key"),
    (lambda: random.randint(random.key(0), (2,), 0, 5, dtype=jnp.float32), TypeError, "integer dtypes"),
    (lambda: random.uniform(random.key(0), (2,), dtype=jnp.int32), ValueError, "float dtype"),
    (lambda: random.bits(random.key(0), (2,), dtype=jnp.float32), ValueError, "unsigned int dtype"),
    (lambda: random.key(1.5), TypeError, "must be an integer"),
    (lambda: random.PRNGKey(np.arange(2)), TypeError, "scalar seed"),
    (lambda: random.PRNGKey(2 ** 64), OverflowError, "64 bits"),
    (lambda: random.uniform(random.key(0), (3,), minval=np.zeros(4)), ValueError, "do not broadcast"),
    (lambda: random.gamma(random.key(0), np.ones((2, 3)), (3,)), ValueError, "must equal the shape"),
    (lambda: random.choice(random.key(0), 3, (5,), replace=False), ValueError, "larger sample"),
    (lambda: random.key(0, impl="rbg"), NotImplementedError, "threefry2x32"),
    (lambda: random.wrap_key_data(np.zeros(2, np.int32)), TypeError, "uint32"),
], ids=["float-key", "key-shape", "int-as-key", "list-as-key", "batched-key", "randint-float", "uniform-int",
        "bits-float", "float-seed", "array-seed", "huge-seed", "param-shape", "param-rank", "choice-too-many", "impl",
        "wrap-int32"])
def test_errors_are_typed_and_name_the_line(call, error, match):
    with pytest.raises(error, match=match) as info:
        call()
    assert "test_random.py" in str(info.value)
