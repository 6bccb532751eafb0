"""jnp products vs jax.numpy: dot, vdot, vecdot, matmul, inner, outer, tensordot, kron, cross."""
import jax
import jax.numpy as jjnp
import ml_dtypes
import numpy as np
import pytest

import jaxlike
import jaxlike.numpy as jnp
from testing_utils import assert_same, check_grads

RNG = np.random.default_rng(9)


def rand(*shape, dtype=np.float32):
    if np.dtype(dtype).kind in "iub":
        return RNG.integers(0 if dtype in (np.uint8, np.bool_) else -3, 4, size=shape).astype(dtype)
    return RNG.normal(size=shape).astype(dtype)


def check(name, *args, eager=True, jit=True, **kwargs):
    expected = jax.jit(lambda *a: getattr(jjnp, name)(*a, **kwargs))(*args)  # the oracle, compiled once
    if eager:
        assert_same(getattr(jnp, name)(*args, **kwargs), expected, rtol=1e-5, atol=1e-5, err_msg=f"{name} {kwargs}")
    if jit:
        assert_same(jaxlike.jit(lambda *a: getattr(jnp, name)(*a, **kwargs))(*args), expected, rtol=1e-5,
                    atol=1e-5, err_msg=f"jit {name}")


def check_types(name, *args, **kwargs):
    ours = jaxlike.eval_shape(lambda *a: getattr(jnp, name)(*a, **kwargs), *args)
    theirs = jax.eval_shape(lambda *a: getattr(jjnp, name)(*a, **kwargs), *args)
    assert (ours.shape, ours.dtype, ours.weak_type) == (theirs.shape, theirs.dtype, theirs.weak_type), \
        f"{name} {[np.shape(a) for a in args]}: {ours} vs {theirs}"


MATMUL_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((5, 2, 3), (3, 4)), ((1, 2, 3), (5, 3, 4)),
                 ((5, 1, 2, 3), (1, 6, 3, 4)), ((1, 2, 3), (1, 3, 4)), ((3,), (2, 3, 4)), ((2, 1, 3), (3,))]


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
def test_matmul_shapes(shapes):
    check("matmul", rand(*shapes[0]), rand(*shapes[1]), eager=shapes == ((1, 2, 3), (5, 3, 4)))


@pytest.mark.parametrize("name", ["dot", "matmul", "inner", "tensordot", "vdot", "outer", "kron"])
def test_products_dtypes(name, x64):
    pairs = [(np.float32, np.float32), (np.int32, np.float32), (np.int8, np.uint8), (np.bool_, np.bool_),
             (np.float16, np.float32), (ml_dtypes.bfloat16, ml_dtypes.bfloat16), (np.complex64, np.float32),
             (np.int64, np.int32)]
    shapes = {"dot": ((2, 3), (3, 4)), "matmul": ((2, 3), (3, 4)), "inner": ((2, 3), (4, 3)),
              "tensordot": ((2, 3), (2, 3)), "vdot": ((2, 3), (3, 2)), "outer": ((2,), (3,)), "kron": ((2, 2), (2, 3))}
    for ta, tb in pairs:
        if name == "kron" and ta == np.bool_:
            continue  # jax's kron multiplies with lax.mul, which rejects bools
        a, b = rand(*shapes[name][0], dtype=ta), rand(*shapes[name][1], dtype=tb)
        check_types(name, a, b)
    check_types(name, rand(*shapes[name][0], dtype=np.int32), 2.0) if name in ("dot", "kron", "outer") else None
    if not x64:
        a, b = rand(*shapes[name][0], dtype=np.int32), rand(*shapes[name][1], dtype=np.float32)
        check(name, a, b, eager=False)


def test_dot_and_friends_values():
    a, b, v = rand(2, 3, 4), rand(5, 4, 2), rand(4)
    check("dot", a, b)
    check("dot", a, v, eager=False)
    check("dot", 3.0, a, eager=False)
    check("vdot", (a + 1j * a).astype(np.complex64), a)
    check("inner", a, rand(2, 4))
    check("inner", 2.0, v, eager=False)
    check("outer", a[0], v)
    check("tensordot", a, rand(4, 5, 3), axes=([1, 2], [2, 0]))
    check("tensordot", a, rand(4, 2), axes=1, eager=False)
    check("tensordot", a, rand(3, 2), axes=(1, 0), eager=False)
    check("kron", a[0], rand(2, 2))
    check("vecdot", rand(2, 3), rand(4, 1, 3))
    check("vecdot", rand(3, 2), rand(3, 2), axis=0, eager=False)


def test_precision_and_preferred_element_type():
    a, b = rand(3, 4, dtype=np.int8), rand(4, 2, dtype=np.int8)
    check("matmul", a, b, preferred_element_type=np.int32)
    check("dot", rand(3, 4), rand(4, 2), precision="highest", eager=False)
    a, b = rand(3, 4), rand(4, 2)
    assert_same(jnp.matmul(a, b, precision=jaxlike.lax.Precision.HIGHEST),
                jjnp.matmul(a, b, precision=jax.lax.Precision.HIGHEST), rtol=1e-6)


def test_cross():
    a, b = rand(4, 3), rand(4, 3)
    check("cross", a, b)
    check("cross", rand(2, 4), rand(4, 2), axisa=0, axisb=1, axisc=0, eager=False)
    check("cross", rand(5, 2), rand(5, 2), eager=False)
    check("cross", rand(2), rand(3), eager=False)
    with pytest.raises(ValueError, match="Dimension must be either 2 or 3"):
        jnp.cross(rand(4), rand(4))


def test_shape_errors_name_shapes():
    with pytest.raises(TypeError, match=r"incompatible shapes for contraction: \(2, 3\) and \(4, 5\)"):
        jnp.matmul(rand(2, 3), rand(4, 5))
    with pytest.raises(TypeError, match=r"\(2, 3\) and \(2,\)"):
        jnp.dot(rand(2, 3), rand(2))
    with pytest.raises(ValueError, match=r"Incompatible shapes for matmul arguments: \(2, 2, 3\) and \(3, 3, 4\)"):
        jnp.matmul(rand(2, 2, 3), rand(3, 3, 4))
    with pytest.raises(ValueError, match="matmul input operand 0 must have ndim at least 1"):
        jnp.matmul(2.0, rand(3))
    with pytest.raises(TypeError, match="Number of tensordot axes"):
        jnp.tensordot(rand(2), rand(2), 2)


def test_grads():
    check_grads(lambda a, b: jnp.matmul(a, b), [RNG.normal(size=(1, 2, 3)), RNG.normal(size=(4, 3, 2))])
    check_grads(jaxlike.jit(lambda a, b: jnp.tensordot(a, b, ((0, 2), (2, 0)))), [RNG.normal(size=(2, 3, 4)),
                                                                        RNG.normal(size=(4, 2, 2))], order=1)
    check_grads(jaxlike.jit(lambda a, b: jnp.cross(a, b)), [RNG.normal(size=(2, 3)), RNG.normal(size=(2, 3))], order=1)


def test_grad_matches_jax_with_mixed_dtypes():
    a, b = rand(2, 3), rand(3, 2, dtype=ml_dtypes.bfloat16)
    ours = jaxlike.grad(lambda a, b: jnp.sum(jnp.matmul(a, b)), argnums=(0, 1))(a, b)
    theirs = jax.grad(lambda a, b: jjnp.sum(jjnp.matmul(a, b)), argnums=(0, 1))(a, b)
    assert_same(ours, theirs, rtol=1e-2, atol=1e-2)


VMAP_SHAPES = {(0, None): ((4, 2, 3), (3, 5)), (None, 0): ((2, 3), (4, 3, 5)), (0, 0): ((4, 2, 3), (4, 3, 5)),
               (2, 1): ((2, 3, 4), (3, 4, 5)), (0, 1): ((4, 3), (3, 4))}


@pytest.mark.parametrize("in_axes", list(VMAP_SHAPES), ids=str)
def test_vmap_matmul(in_axes):
    a, b = (rand(*s) for s in VMAP_SHAPES[in_axes])
    f = jnp.matmul
    examples = [f(a if in_axes[0] is None else np.take(a, i, in_axes[0]),
                  b if in_axes[1] is None else np.take(b, i, in_axes[1])) for i in range(4)]
    np.testing.assert_allclose(jaxlike.vmap(f, in_axes)(a, b), np.stack([np.asarray(e) for e in examples]),
                               rtol=1e-5, atol=1e-5)
