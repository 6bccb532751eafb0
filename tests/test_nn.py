"""jaxlike.nn: coverage of jax.nn's names, activations (values and JAX's derivative conventions), the
softmax family, standardize, one_hot, dot_product_attention and the initializers."""
import pathlib

import jax
import numpy as np
import pytest

import jaxlike
import jaxlike.numpy as jnp
from jaxlike import nn
from testing_utils import assert_same, check_grads

RNG = np.random.default_rng(2)


def oracle(fn, *args):
    """jax's value under jax.jit: compiled once, where jax's op-by-op mode would compile every operation."""
    return jax.jit(fn)(*args)


API_LIST = pathlib.Path("/work/shared/api/jax.nn.txt")

# Kinks and saturation points of the activations, and values large enough to overflow a naive formula.
POINTS = np.array([-30.0, -8.0, -6.0, -3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0, 6.0, 8.0, 30.0], np.float32)
ACTIVATIONS = ["identity", "relu", "relu6", "squareplus", "softplus", "sparse_plus", "soft_sign", "sigmoid",
               "sparse_sigmoid", "silu", "swish", "mish", "log_sigmoid", "elu", "leaky_relu", "hard_tanh", "celu",
               "selu", "gelu", "hard_sigmoid", "hard_silu", "hard_swish", "tanh", "log1mexp"]


def test_jax_nn_coverage():
    names = [n.strip() for n in API_LIST.read_text().split() if n.strip()]
    present = [n for n in names if hasattr(nn, n)]
    missing = sorted(set(names) - set(present))
    coverage = len(present) / len(names)
    print(f"jaxlike.nn covers {len(present)}/{len(names)} names of jax.nn ({coverage:.0%}); missing: {missing}")
    assert coverage >= 0.9, missing


def points_for(name):
    return np.abs(POINTS) + 0.25 if name == "log1mexp" else POINTS


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_values_and_gradients(name):
    x = points_for(name)
    assert_same(getattr(nn, name)(x), oracle(getattr(jax.nn, name), x), rtol=2e-6, atol=1e-6)
    if name == "identity":
        return

    def loss(lib):
        return lambda v: lib.numpy.sum(getattr(lib.nn, name)(v) * np.arange(len(v), dtype=np.float32))
    assert_same(jaxlike.grad(loss(jaxlike))(x), oracle(jax.grad(loss(jax)), x), rtol=2e-6, atol=1e-6)


def test_activation_dtypes_and_parameters(enable_x64):
    x = np.linspace(-4, 4, 7)
    for fn, args in ((nn.relu, ()), (nn.gelu, (False,)), (nn.elu, (0.5,)), (nn.leaky_relu, (0.2,)),
                     (nn.celu, (2.0,)), (nn.squareplus, (1.0,)), (nn.softplus, ())):
        theirs = getattr(jax.nn, fn.__name__)
        assert_same(fn(x, *args), oracle(lambda v: theirs(v, *args), x), rtol=1e-6, err_msg=fn.__name__)
    ints = np.arange(-3, 4)
    assert_same(nn.relu(ints), oracle(jax.nn.relu, ints))
    assert_same(nn.gelu(ints), oracle(jax.nn.gelu, ints), rtol=2e-6)
    y = np.arange(12.0).reshape(3, 4)
    assert_same(nn.glu(y, axis=1), oracle(lambda v: jax.nn.glu(v, axis=1), y))


def test_relu_derivative_conventions():
    """JAX's custom JVPs: relu'(0) = 0; relu6' is 0 at both kinks."""
    assert float(jaxlike.grad(nn.relu)(0.0)) == 0.0
    assert float(jaxlike.grad(nn.relu6)(0.0)) == 0.0 and float(jaxlike.grad(nn.relu6)(6.0)) == 0.0
    assert float(jaxlike.grad(nn.relu6)(3.0)) == 1.0
    xs = np.array([-1.0, 0.0, 2.0], np.float32)
    assert_same(jaxlike.vmap(jaxlike.grad(nn.relu))(xs), oracle(jax.vmap(jax.grad(jax.nn.relu)), xs))
    assert_same(jaxlike.grad(jaxlike.grad(nn.silu))(0.7), oracle(jax.grad(jax.grad(jax.nn.silu)), 0.7), rtol=1e-6)


# ---- softmax family ----------------------------------------------------------------------------------
def logits():
    x = RNG.standard_normal((3, 5)).astype(np.float32) * 40
    x[0, 0] = -np.inf
    return x


@pytest.mark.parametrize("axis", [-1, 0, (0, 1)])
def test_softmax_and_log_softmax(axis):
    x = logits()
    for name in ("softmax", "log_softmax"):
        assert_same(getattr(nn, name)(x, axis=axis), oracle(lambda v: getattr(jax.nn, name)(v, axis=axis), x),
                    rtol=1e-5, atol=1e-6)
    where = RNG.random((3, 5)) > 0.3
    where[:, 1] = True
    for name in ("softmax", "log_softmax"):
        assert_same(getattr(nn, name)(x, axis=axis, where=where),
                    oracle(lambda v, w: getattr(jax.nn, name)(v, axis=axis, where=w), x, where), rtol=1e-5, atol=1e-6)


def test_softmax_derivatives():
    x = RNG.standard_normal((2, 4))
    check_grads(lambda v: nn.softmax(v, axis=-1), [x], order=2)
    xf = x.astype(np.float32)
    weights = np.arange(8.0, dtype=np.float32).reshape(2, 4)

    def loss(lib):
        return lambda v: lib.numpy.sum(lib.nn.softmax(v) * weights)
    assert_same(jaxlike.jit(jaxlike.grad(loss(jaxlike)))(xf), oracle(jax.grad(loss(jax)), xf), rtol=1e-5, atol=1e-6)
    assert_same(jaxlike.vmap(nn.softmax)(xf), oracle(jax.vmap(jax.nn.softmax), xf), rtol=1e-6)


@pytest.mark.parametrize("option", ["b", "sign", "where", pytest.param("plain", marks=pytest.mark.slow),
                                    pytest.param("keepdims", marks=pytest.mark.slow)])
def test_logsumexp_options(option):
    x = logits()
    b = RNG.standard_normal((3, 5)).astype(np.float32)
    where = RNG.random((3, 5)) > 0.2
    kwargs = {"plain": dict(), "keepdims": dict(axis=0, keepdims=True), "b": dict(axis=1, b=b),
              "sign": dict(axis=1, b=b, return_sign=True), "where": dict(axis=1, where=where)}[option]
    assert_same(nn.logsumexp(x, **kwargs), oracle(lambda v: jax.nn.logsumexp(v, **kwargs), x), rtol=1e-5, atol=1e-6)
    if option == "where":
        assert_same(nn.logmeanexp(x, axis=1, where=where, keepdims=True),
                    oracle(lambda v: jax.nn.logmeanexp(v, axis=1, where=where, keepdims=True), x), rtol=1e-5)
    if option == "b":
        assert_same(nn.logmeanexp(x, axis=1), oracle(lambda v: jax.nn.logmeanexp(v, axis=1), x), rtol=1e-5)
        ints = np.arange(6).reshape(2, 3)
        assert_same(nn.logsumexp(ints, axis=1), oracle(lambda v: jax.nn.logsumexp(v, axis=1), ints), rtol=1e-6)
        assert_same(jaxlike.grad(lambda v: nn.logsumexp(v, axis=1, b=b).sum())(x),
                    oracle(jax.grad(lambda v: jax.nn.logsumexp(v, axis=1, b=b).sum()), x), rtol=1e-5, atol=1e-6)


def test_standardize():
    x = RNG.standard_normal((3, 6)).astype(np.float32) * 3 + 1
    where = RNG.random((3, 6)) > 0.3
    for kwargs in (dict(axis=0), dict(algorithm="stable", where=where), dict(mean=0.5, variance=2.0, epsilon=1e-3)):
        assert_same(nn.standardize(x, **kwargs), oracle(lambda v: jax.nn.standardize(v, **kwargs), x), rtol=1e-5,
                    atol=1e-5, err_msg=str(list(kwargs)))
    with pytest.raises(ValueError, match="Unknown algorithm"):
        nn.standardize(x, algorithm="slow")


def test_one_hot(x64):
    labels = np.array([[0, 2, 5], [-1, 1, 3]])
    for kwargs in (dict(), dict(axis=0), dict(axis=1), dict(dtype=np.int32), dict(dtype=jnp.bfloat16)):
        assert_same(nn.one_hot(labels, 4, **kwargs), oracle(lambda v: jax.nn.one_hot(v, 4, **kwargs), labels),
                    err_msg=str(kwargs))
    assert_same(jaxlike.jit(lambda v: nn.one_hot(v, 3))(labels), jax.nn.one_hot(labels, 3))


# ---- attention ----------------------------------------------------------------------------------------
def attention_inputs(batch=2, t=5, s=6, heads=4, kv_heads=2, dim=8):
    q = RNG.standard_normal((batch, t, heads, dim)).astype(np.float32)
    k = RNG.standard_normal((batch, s, kv_heads, dim)).astype(np.float32)
    v = RNG.standard_normal((batch, s, kv_heads, dim)).astype(np.float32)
    return q, k, v


ATTENTION_OPTIONS = {
    "plain": dict(),
    "bias": dict(bias=RNG.standard_normal((1, 4, 5, 6)).astype(np.float32)),
    "mask": dict(mask=RNG.random((2, 1, 5, 6)) > 0.3),
    "causal": dict(is_causal=True, scale=0.5),
    "seq_lengths": dict(query_seq_lengths=np.array([3, 5], np.int32),
                        key_value_seq_lengths=np.array([6, 2], np.int32)),
    "local_window": dict(local_window_size=(1, 2), implementation="xla"),
    "residual": dict(is_causal=True, return_residual=True),
}


@pytest.mark.parametrize("option", list(ATTENTION_OPTIONS))
def test_dot_product_attention(option):
    q, k, v = attention_inputs()
    kwargs = ATTENTION_OPTIONS[option]
    assert_same(nn.dot_product_attention(q, k, v, **kwargs),
                oracle(lambda q, k, v: jax.nn.dot_product_attention(q, k, v, **kwargs), q, k, v), rtol=1e-5, atol=1e-5)


def test_dot_product_attention_gradients_jit_and_rank3():
    q, k, v = attention_inputs()

    def loss(lib):
        return lambda q, k, v: lib.numpy.sum(lib.nn.dot_product_attention(q, k, v, is_causal=True) ** 2)
    assert_same(jaxlike.jit(jaxlike.grad(loss(jaxlike), argnums=(0, 1, 2)))(q, k, v),
                oracle(jax.grad(loss(jax), argnums=(0, 1, 2)), q, k, v), rtol=1e-4, atol=1e-5)
    assert_same(nn.dot_product_attention(q[0], k[0], v[0]), oracle(jax.nn.dot_product_attention, q[0], k[0], v[0]),
                rtol=1e-5, atol=1e-5)


def test_dot_product_attention_errors():
    q, k, v = attention_inputs(heads=3)
    with pytest.raises(ValueError, match="multiple of key/value heads"):
        nn.dot_product_attention(q, k, v)
    with pytest.raises(ValueError, match="value shape"):
        nn.dot_product_attention(*attention_inputs()[:2], v[:, :3])
    with pytest.raises(NotImplementedError, match="cudnn"):
        nn.dot_product_attention(*attention_inputs(), implementation="cudnn")


def test_scaled_matmul_and_dot_general():
    a, b = RNG.standard_normal((2, 3, 64)).astype(np.float32), RNG.standard_normal((2, 4, 64)).astype(np.float32)
    a_scales, b_scales = RNG.random((2, 3, 2)).astype(np.float32), RNG.random((2, 4, 2)).astype(np.float32)
    expected = np.einsum("bmk,bnk->bmn", a * np.repeat(a_scales, 32, -1), b * np.repeat(b_scales, 32, -1))
    np.testing.assert_allclose(np.asarray(nn.scaled_matmul(a, b, a_scales, b_scales)), expected, rtol=1e-5,
                               atol=1e-5)
    dn = (((2,), (2,)), ((0,), (0,)))
    assert_same(nn.scaled_dot_general(a, b, dn), jax.nn.scaled_dot_general(a, b, dn), rtol=1e-5, atol=1e-5)
    assert nn.get_scaled_dot_general_config("mxfp8").block_size == 32


# ---- initializers ----------------------------------------------------------------------------------------------
INITIALIZERS = [("glorot_uniform", ()), ("glorot_normal", ()), ("xavier_normal", ()), ("lecun_uniform", ()),
                ("lecun_normal", ()), ("he_uniform", ()), ("he_normal", ()), ("kaiming_uniform", ()),
                ("normal", (0.5,)), ("uniform", (0.3,)), ("truncated_normal", (0.2,)), ("constant", (1.5,)),
                ("orthogonal", (2.0,)), ("delta_orthogonal", ())]


@pytest.mark.parametrize("name,args", INITIALIZERS, ids=[n for n, _ in INITIALIZERS])
def test_initializers_match_jax(name, args):
    shape = (3, 3, 4, 5) if name == "delta_orthogonal" else (6, 4, 5)
    ours = getattr(nn.initializers, name)(*args)(jaxlike.random.PRNGKey(3), shape)
    # (jax eager: its samplers are compiled per shape once and shared by the initializers; a jitted
    # initializer would compile jax's threefry afresh for each)
    theirs = getattr(jax.nn.initializers, name)(*args)(jax.random.PRNGKey(3), shape)
    assert_same(ours, theirs, rtol=1e-5, atol=1e-6)


VARIANCE_SCALING = {
    "fan_geo_avg_uniform": ((2.0, "fan_geo_avg", "uniform"), dict(in_axis=(0, 1))),
    "fan_out_normal_bf16": ((1.0, "fan_out", "normal"), dict(dtype=jnp.bfloat16)),
    "complex_truncated": ((0.5, "fan_in", "truncated_normal"), dict(batch_axis=0, dtype=np.complex64)),
    "complex_uniform": ((1.0, "fan_avg", "uniform"), dict(dtype=np.complex64)),
}


@pytest.mark.parametrize("case", [c if c == "fan_geo_avg_uniform" else pytest.param(c, marks=pytest.mark.slow)
                                  for c in VARIANCE_SCALING])
def test_variance_scaling_options(case):
    args, kwargs = VARIANCE_SCALING[case]
    ours = nn.initializers.variance_scaling(*args, **kwargs)(jaxlike.random.PRNGKey(3), (6, 4, 5))
    theirs = jax.nn.initializers.variance_scaling(*args, **kwargs)(jax.random.PRNGKey(3), (6, 4, 5))
    assert_same(ours, theirs, rtol=1e-5, atol=1e-6)


def test_initializer_constants_and_errors():
    key_ours, key_jax = jaxlike.random.PRNGKey(7), jax.random.PRNGKey(7)
    assert_same(nn.initializers.zeros(key_ours, (2, 3)), jax.nn.initializers.zeros(key_jax, (2, 3)))
    assert_same(nn.initializers.ones(key_ours, (2,), np.int32), jax.nn.initializers.ones(key_jax, (2,), np.int32))
    with pytest.raises(ValueError, match="invalid mode"):
        nn.initializers.variance_scaling(1.0, "fan_sideways", "normal")(key_ours, (2, 3))
    with pytest.raises(ValueError, match="at least a 2D shape"):
        nn.initializers.orthogonal()(key_ours, (3,))
