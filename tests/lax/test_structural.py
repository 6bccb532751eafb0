"""lax structural primitives: iota, squeeze, expand_dims, rev, concatenate, pad (values, derivatives, vmap, errors)."""
import jax
import numpy as np
import pytest

import jaxlike
import jaxlike.numpy as jnp
from jaxlike import lax
from testing_utils import assert_same, check_grads

RNG = np.random.default_rng(0)
X = RNG.normal(size=(3, 4)).astype(np.float32)
X3 = RNG.normal(size=(2, 3, 4)).astype(np.float32)


def check(ours, theirs, *args, eager=True, jit=True):
    """ours(*args) matches theirs(*args) eagerly and under jaxlike.jit (values, shapes, dtypes)."""
    expected = theirs(*args)
    if eager:
        assert_same(ours(*args), expected)
    if jit:
        assert_same(jaxlike.jit(ours)(*args), expected)


# ---- iota ------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.int32, np.float32, np.uint8, np.complex64])
def test_iota(dtype):
    check(lambda: lax.iota(dtype, 5), lambda: jax.lax.iota(dtype, 5))
    check(lambda: lax.broadcasted_iota(dtype, (2, 3), 1), lambda: jax.lax.broadcasted_iota(dtype, (2, 3), 1))


@pytest.mark.filterwarnings("ignore:Explicitly requested dtype")
def test_iota_64_bit_types(x64):
    for dtype in (np.int64, np.float64):
        check(lambda: lax.broadcasted_iota(dtype, (2, 3), 0), lambda: jax.lax.broadcasted_iota(dtype, (2, 3), 0),
              jit=False)


def test_broadcasted_iota_negative_dimension():
    assert_same(lax.broadcasted_iota(np.int32, (2, 3), -2), jax.lax.broadcasted_iota(np.int32, (2, 3), 0))


def test_iota_rejects_bad_dimension():
    with pytest.raises(ValueError, match="axis 2 is out of bounds for an array of rank 2"):
        lax.broadcasted_iota(np.int32, (2, 3), 2)


# ---- squeeze / expand_dims / collapse / rev ------------------------------------------------
def test_squeeze_and_expand_dims():
    x = X.reshape(3, 1, 4, 1)
    check(lambda x: lax.squeeze(x, (1, -1)), lambda x: jax.lax.squeeze(x, (1, -1)), x)
    check(lambda x: lax.expand_dims(x, (0, -1)), lambda x: jax.lax.expand_dims(x, (0, -1)), X)
    check(lambda x: lax.collapse(x, 1, 3), lambda x: jax.lax.collapse(x, 1, 3), X3)


def test_squeeze_rejects_axis_of_size_other_than_one():
    with pytest.raises(ValueError, match=r"cannot squeeze out axis 0 .* shape \(3, 4\)"):
        lax.squeeze(X, (0,))


@pytest.mark.parametrize("dims", [(0,), (1,), (0, 2), (-1,)])
def test_rev(dims):
    canonical = tuple(d % 3 for d in dims)  # jaxlike also accepts negative dimensions
    check(lambda x: lax.rev(x, dims), lambda x: jax.lax.rev(x, canonical), X3, jit=len(dims) == 2)


def test_bad_axis_names_axis_and_rank():
    with pytest.raises(ValueError, match="axis 3 is out of bounds for an array of rank 3"):
        lax.rev(X3, (3,))


# ---- concatenate ----------------------------------------------------------------------------
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_concatenate(dim):
    a = RNG.normal(size=(2, 3, 4)).astype(np.float32)
    b = RNG.normal(size=(2, 3, 4)).astype(np.float32)
    canonical = dim % 3  # jaxlike also accepts a negative dimension
    check(lambda a, b: lax.concatenate([a, b, a], dim), lambda a, b: jax.lax.concatenate([a, b, a], canonical), a, b,
          jit=dim == 1)


def test_concatenate_ints_and_bools():
    i = np.arange(6, dtype=np.int32).reshape(2, 3)
    check(lambda i: lax.concatenate([i, i], 0), lambda i: jax.lax.concatenate([i, i], 0), i)
    b = i > 2
    check(lambda b: lax.concatenate([b, b], 1), lambda b: jax.lax.concatenate([b, b], 1), b, jit=False)


def test_concatenate_errors_name_shapes():
    with pytest.raises(TypeError, match=r"\(3, 4\), \(2, 5\)"):
        lax.concatenate([X, np.zeros((2, 5), np.float32)], 0)
    with pytest.raises(TypeError, match="same dtype"):
        lax.concatenate([X, np.zeros((3, 4), np.int32)], 0)


# ---- pad ------------------------------------------------------------------------------------
PAD_CONFIGS = [((1, 2, 0), (0, 0, 0)), ((-1, 1, 1), (2, -2, 0)), ((0, 0, 2), (-1, -1, 1)), ((-2, -1, 0), (1, 0, 3))]


@pytest.mark.parametrize("config", PAD_CONFIGS)
def test_pad(config):
    check(lambda x: lax.pad(x, np.float32(-7.0), config), lambda x: jax.lax.pad(x, np.float32(-7.0), config), X,
          jit=config == PAD_CONFIGS[1])


def test_pad_int_with_python_scalar():
    i = np.arange(6, dtype=np.int32).reshape(2, 3)
    config = ((1, 0, 1), (0, 2, 0))
    check(lambda i: lax.pad(i, 9, config), lambda i: jax.lax.pad(i, np.int32(9), config), i)


def test_pad_errors():
    with pytest.raises(TypeError, match="negative shape"):
        lax.pad(X, 0.0, ((-4, 0, 0), (0, 0, 0)))
    with pytest.raises(TypeError, match="interior padding must be nonnegative"):
        lax.pad(X, 0.0, ((0, 0, -1), (0, 0, 0)))
    with pytest.raises(TypeError, match="one .low, high, interior. triple per dimension"):
        lax.pad(X, 0.0, ((0, 0, 0),))


@pytest.mark.parametrize("config", PAD_CONFIGS)
def test_pad_vjp_matches_jax(config):
    """The transpose handles negative low/high (cut elements) and interior padding, for operand and value."""
    ct = RNG.normal(size=jax.eval_shape(lambda x: jax.lax.pad(x, 0.0, config), X).shape).astype(np.float32)
    theirs = jax.jit(lambda ct: jax.vjp(lambda x, v: jax.lax.pad(x, v, config), X, np.float32(0.5))[1](ct))(ct)
    _, ours = jaxlike.vjp(lambda x, v: lax.pad(x, v, config), X, np.float32(0.5))
    assert_same(ours(jnp.asarray(ct)), theirs)


# ---- derivatives ----------------------------------------------------------------------------
def test_structural_grads():
    x = RNG.normal(size=(2, 3, 1)).astype(np.float64)
    check_grads(lambda x: lax.squeeze(x, (2,)), [x], order=1)
    check_grads(lambda x: lax.expand_dims(x, (1,)), [x], order=1)
    check_grads(lambda x: lax.rev(x, (0, 1)), [x], order=1)
    check_grads(lambda x, y: lax.concatenate([x, y, x], 1), [x, x[:, :2] * 2])
    check_grads(lambda x, v: lax.pad(x, v, ((1, -1, 1), (-1, 2, 0), (0, 0, 0))), [x, np.float64(0.3)])


# ---- vmap -----------------------------------------------------------------------------------
def _stacked(f, *args, in_axes):
    """f applied per example along in_axes, stacked on axis 0 (the oracle for vmap)."""
    size = next(a.shape[ax] for a, ax in zip(args, in_axes) if ax is not None)
    outs = [f(*[a if ax is None else np.take(a, i, ax) for a, ax in zip(args, in_axes)]) for i in range(size)]
    return np.stack([np.asarray(o) for o in outs])


@pytest.mark.parametrize("in_axes", [(0, None), (None, 1), (2, 0), (1, 2)])
def test_vmap_concatenate_mixed(in_axes):
    a, b = (RNG.normal(size=(3, 3, 3) if ax is not None else (3, 3)).astype(np.float32) for ax in in_axes)
    f = lambda a, b: lax.concatenate([a, b], 1)  # noqa: E731
    np.testing.assert_array_equal(jaxlike.vmap(f, in_axes)(a, b), _stacked(f, a, b, in_axes=in_axes))


@pytest.mark.parametrize("in_axes", [(0, None), (1, 0), (None, 0)])
def test_vmap_pad_with_batched_padding_value(in_axes):
    x = RNG.normal(size=(4, 4) if in_axes[0] is not None else (4,)).astype(np.float32)
    v = RNG.normal(size=(4,)).astype(np.float32) if in_axes[1] is not None else np.float32(2.0)
    config = ((1, -1, 1),)
    f = lambda x, v: lax.pad(x, v, config)  # noqa: E731
    np.testing.assert_array_equal(jaxlike.vmap(f, in_axes)(x, v), _stacked(f, x, v, in_axes=in_axes))


@pytest.mark.parametrize("axis", [0, 2])
def test_vmap_rev_squeeze_expand(axis):
    x = RNG.normal(size=(2, 3, 4)).astype(np.float32).reshape(2, 3, 4)
    for f in (lambda x: lax.rev(x, (0,)), lambda x: lax.expand_dims(x, (1,)),
              lambda x: lax.squeeze(lax.expand_dims(x, (0,)), (0,))):
        np.testing.assert_array_equal(jaxlike.vmap(f, axis)(x), _stacked(f, x, in_axes=(axis,)))


def test_vmap_of_grad_of_pad():
    xs = RNG.normal(size=(3, 2, 2))
    f = lambda x: jnp.sum(lax.pad(x, 1.0, ((1, 0, 1), (0, -1, 0))) * lax.pad(x, 1.0, ((1, 0, 1), (0, -1, 0))))  # noqa
    g = lambda x: jax.numpy.sum(jax.lax.pad(x, 1.0, ((1, 0, 1), (0, -1, 0))) ** 2)  # noqa: E731
    assert_same(jaxlike.vmap(jaxlike.grad(f))(xs.astype(np.float32)),
                jax.jit(jax.vmap(jax.grad(g)))(xs.astype(np.float32)))
