"""jnp ranges, grids and diagonals vs jax.numpy: arange, linspace, logspace, geomspace, eye, tri, meshgrid, diag."""
import jax
import jax.numpy as jjnp
import numpy as np
import pytest

import jaxlike
import jaxlike.numpy as jnp
from testing_utils import assert_same, check_grads

RNG = np.random.default_rng(7)
F = RNG.normal(size=(3, 4)).astype(np.float32)
F3 = RNG.normal(size=(2, 3, 4)).astype(np.float32)


def check(name, *args, eager=True, jit=True, **kwargs):
    """jnp.<name>(*args, **kwargs) (all static) matches jax.numpy eagerly and inside jit."""
    expected = jax.jit(lambda: getattr(jjnp, name)(*args, **kwargs))()  # the oracle, compiled once
    if eager:
        assert_same(getattr(jnp, name)(*args, **kwargs), expected, err_msg=f"{name}{args} {kwargs}")
    if jit:
        assert_same(jaxlike.jit(lambda: getattr(jnp, name)(*args, **kwargs))(), expected, err_msg=f"jit {name}{args}")


def check_traced(name, x, *static, eager=True, jit=True, **kwargs):
    """Like check, with the array x traced under jit."""
    expected = jax.jit(lambda x: getattr(jjnp, name)(x, *static, **kwargs))(x)
    if eager:
        assert_same(getattr(jnp, name)(x, *static, **kwargs), expected, err_msg=f"{name} {static} {kwargs}")
    if jit:
        assert_same(jaxlike.jit(lambda x: getattr(jnp, name)(x, *static, **kwargs))(x), expected)


def check_types(name, *args, **kwargs):
    ours = jaxlike.eval_shape(lambda: getattr(jnp, name)(*args, **kwargs))
    theirs = jax.eval_shape(lambda: getattr(jjnp, name)(*args, **kwargs))
    for o, t in zip(jax.tree_util.tree_leaves(ours), jax.tree_util.tree_leaves(theirs)):
        assert (o.shape, o.dtype, o.weak_type) == (t.shape, t.dtype, t.weak_type), f"{name}{args} {kwargs}: {o} vs {t}"


# ---- arange ---------------------------------------------------------------------------------
ARANGE_ARGS = [(5,), (2, 7), (0, 1, 0.25), (5.0,), (10, 0, -3), (1.5, 4), (0,), (3, 1), (-2.5, 2.5, 0.7)]


@pytest.mark.parametrize("args", ARANGE_ARGS, ids=str)
def test_arange(args):
    check("arange", *args, eager=args in ((2, 7), (0, 1, 0.25)))


@pytest.mark.filterwarnings("ignore:Explicitly requested dtype")
def test_arange_dtypes(x64):
    for args in ARANGE_ARGS:
        check_types("arange", *args)
    for dtype in (np.int16, np.float16, np.float32, np.int64, np.uint8):
        check_types("arange", 0, 10, 2, dtype=dtype)
        check_types("arange", np.int8(7), dtype=dtype)
    check("arange", 0, 3, 0.5, dtype=np.float16, eager=False)
    check("arange", np.int16(5), eager=False)


def test_arange_needs_concrete_bounds():
    with pytest.raises(jaxlike.ConcretizationTypeError, match="arange"):
        jaxlike.jit(lambda n: jnp.arange(n))(3)


# ---- linspace / logspace / geomspace --------------------------------------------------------
@pytest.mark.parametrize("kwargs", [{}, {"endpoint": False}, {"num": 1}, {"num": 0}, {"num": 7, "dtype": np.int32},
                                    {"retstep": True}, {"num": 1, "endpoint": False, "retstep": True}])
def test_linspace(kwargs):
    kwargs = {"num": 5, **kwargs}
    check("linspace", -1.0, 3.0, eager=not kwargs or kwargs.get("retstep", False), **kwargs)


def test_linspace_arrays_and_axis():
    start, stop = np.array([0.0, 1.0], np.float32), np.array([[2.0, 5.0], [1.0, -1.0], [0.0, 0.0]], np.float32)
    for axis in (0, 1, -1):
        check("linspace", start, stop, 4, axis=axis, eager=axis == 0)
    check_types("linspace", 0, 10, 5)
    check_types("linspace", np.int8(0), 10, 5)
    check("linspace", 0, 10, 6, dtype=np.int32, endpoint=False, eager=False)


def test_logspace_geomspace():
    check("logspace", 0.0, 2.0, 5)
    check("logspace", 0, 3, 4, base=2.0, endpoint=False, eager=False)
    check("geomspace", 1.0, 16.0, 5)
    check("geomspace", -1.0, -1000.0, 4, eager=False)
    check("geomspace", np.array([1.0, 1000.0]), np.array([27.0, 1.0]), 4, axis=1, eager=False)


def test_linspace_grad():
    check_grads(jaxlike.jit(lambda a, b: jnp.linspace(a, b, 5)), [np.float64(-1.0), np.float64(2.0)])


# ---- eye / tri ------------------------------------------------------------------------------
def test_eye_identity_tri():
    check("eye", 3)
    check("eye", 3, 5, k=2, dtype=np.int32, eager=False)
    check("eye", 4, 2, k=-1, dtype=bool, eager=False)
    check("identity", 3, dtype=np.float16, eager=False)
    check("tri", 3, 4, k=1)
    check("tri", 4, k=-2, dtype=np.int8, eager=False)


def test_creation_types(x64):
    for name, args in (("eye", (2,)), ("identity", (3,)), ("tri", (2, 3)), ("indices", ((2, 3),)),
                       ("linspace", (0, 1, 3)), ("logspace", (0, 1, 3)), ("geomspace", (1, 2, 3))):
        check_types(name, *args)
        check_types(name, *args, dtype=np.int16)


def test_eye_traced_k():
    ours = jaxlike.jit(lambda k: jnp.eye(3, 4, k=k))(np.int32(1))
    assert_same(ours, jjnp.eye(3, 4, k=1))


@pytest.mark.parametrize("name", ["tril", "triu"])
def test_tril_triu(name):
    check_traced(name, F3)
    check_traced(name, F, 1, eager=False)
    check_traced(name, F, -2, eager=False)
    with pytest.raises(ValueError, match="must be at least 2D"):
        getattr(jnp, name)(F[0])


# ---- meshgrid / indices ---------------------------------------------------------------------
@pytest.mark.parametrize("indexing", ["xy", "ij"])
@pytest.mark.parametrize("sparse", [False, True])
def test_meshgrid(indexing, sparse):
    x, y, z = np.arange(3.0), np.arange(4, dtype=np.int32), np.arange(2.0, dtype=np.float32)
    expected = jjnp.meshgrid(x, y, z, indexing=indexing, sparse=sparse)
    assert_same(jnp.meshgrid(x, y, z, indexing=indexing, sparse=sparse), expected)
    assert_same(jaxlike.jit(lambda x, y, z: jnp.meshgrid(x, y, z, indexing=indexing, sparse=sparse))(x, y, z), expected)


def test_indices():
    check("indices", (2, 3))
    check("indices", (2, 3, 1), sparse=True, eager=False)
    check("indices", (3,), dtype=np.float32, eager=False)
    check("indices", (), eager=False)


# ---- diagonals ------------------------------------------------------------------------------
@pytest.mark.parametrize("offset", [0, 1, -2, 5])
def test_diagonal(offset):
    check_traced("diagonal", F, offset, eager=offset == 1)
    check_traced("diagonal", F3, offset, 2, 0, eager=offset == 1)


def test_diag_diagflat_trace():
    v = np.arange(1.0, 4.0, dtype=np.float32)
    for k in (0, -1):
        check_traced("diag", v, k, eager=k == 0)
        check_traced("diag", F, k, eager=False)
    check_traced("diagflat", F[:2, :2], 1)
    check_traced("trace", F)
    check_traced("trace", F3, 1, 0, 2, eager=False)
    check_traced("trace", np.arange(9, dtype=np.int8).reshape(3, 3), eager=False)
    with pytest.raises(ValueError, match="at least two dimensions"):
        jnp.diagonal(v)


def test_diagonal_grads_and_vmap():
    check_grads(jaxlike.jit(lambda x: jnp.diagonal(x, 1)), [RNG.normal(size=(3, 4))])
    check_grads(jaxlike.jit(lambda x: jnp.trace(jnp.tril(x))), [RNG.normal(size=(3, 3))], order=1)
    f = lambda x: jnp.trace(x, -1)  # noqa: E731
    np.testing.assert_allclose(jaxlike.vmap(f, 2)(F3), np.stack([np.asarray(f(F3[..., i])) for i in range(4)]),
                               rtol=1e-6)
