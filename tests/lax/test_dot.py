"""lax.dot_general and lax.dot: contractions, dtypes, precision, derivatives, batching, errors."""
import jax
import ml_dtypes
import numpy as np
import pytest

import jaxlike
from jaxlike import lax
from testing_utils import assert_same, check_grads

RNG = np.random.default_rng(3)


def rand(*shape, dtype=np.float32):
    return RNG.normal(size=shape).astype(dtype)


def check(ours, theirs, *args, eager=True, jit=True, **tol):
    expected = theirs(*args)
    if eager:
        assert_same(ours(*args), expected, **tol)
    if jit:
        assert_same(jaxlike.jit(ours)(*args), expected, **tol)


CASES = {  # name: (lhs shape, rhs shape, dimension_numbers)
    "matmul": ((3, 4), (4, 5), (((1,), (0,)), ((), ()))),
    "batched": ((2, 3, 4), (2, 4, 5), (((2,), (1,)), ((0,), (0,)))),
    "batch_last": ((3, 4, 2), (4, 5, 2), (((1,), (0,)), ((2,), (2,)))),
    "two_contract": ((3, 4, 5), (5, 2, 4), (((1, 2), (2, 0)), ((), ()))),
    "outer": ((3,), (2,), (((), ()), ((), ()))),
    "vector": ((4,), (4,), (((0,), (0,)), ((), ()))),
    "multi_batch": ((2, 3, 4, 2), (4, 3, 2, 2, 5), (((2, 3), (0, 3)), ((0, 1), (2, 1)))),
}


@pytest.mark.parametrize("case", list(CASES))
def test_dot_general_values(case):
    ls, rs, dn = CASES[case]
    check(lambda a, b: lax.dot_general(a, b, dn), lambda a, b: jax.lax.dot_general(a, b, dn), rand(*ls), rand(*rs),
          jit=case in ("batched", "multi_batch", "outer"),
          rtol=1e-5, atol=1e-5)


def test_dot_general_ints_and_preferred_element_type(x64):
    a = RNG.integers(-8, 8, size=(3, 4)).astype(np.int8)
    b = RNG.integers(-8, 8, size=(4, 2)).astype(np.int8)
    dn = (((1,), (0,)), ((), ()))
    check(lambda a, b: lax.dot_general(a, b, dn), lambda a, b: jax.lax.dot_general(a, b, dn), a, b)
    check(lambda a, b: lax.dot_general(a, b, dn, preferred_element_type=np.int32),
          lambda a, b: jax.lax.dot_general(a, b, dn, preferred_element_type=np.int32), a, b)
    f = rand(3, 4, dtype=ml_dtypes.bfloat16)
    check(lambda a, b: lax.dot_general(a, b, dn, preferred_element_type=np.float32),
          lambda a, b: jax.lax.dot_general(a, b, dn, preferred_element_type=np.float32), f, rand(4, 2).astype(f.dtype))


def test_dot_general_mixed_input_dtypes():
    dn = (((1,), (0,)), ((), ()))
    a, b = rand(3, 4, dtype=ml_dtypes.bfloat16), rand(4, 2)
    check(lambda a, b: lax.dot_general(a, b, dn), lambda a, b: jax.lax.dot_general(a, b, dn), a, b, rtol=1e-2)
    i = RNG.integers(-3, 3, size=(4, 2)).astype(np.int32)
    check(lambda a, b: lax.dot_general(a, b, dn), lambda a, b: jax.lax.dot_general(a, b, dn), rand(3, 4), i)


def test_dot_general_complex_and_precision():
    dn = (((1,), (0,)), ((), ()))
    a = (rand(3, 4) + 1j * rand(3, 4)).astype(np.complex64)
    check(lambda a, b: lax.dot_general(a, b, dn, precision=lax.Precision.HIGHEST),
          lambda a, b: jax.lax.dot_general(a, b, dn, precision=jax.lax.Precision.HIGHEST), a, a.T, rtol=1e-5)
    check(lambda a, b: lax.dot_general(a, b, dn, precision=("highest", "default")),
          lambda a, b: jax.lax.dot_general(a, b, dn, precision=("highest", "default")), a.real.copy(), a.real.T.copy())


def test_lax_dot():
    a, b, v = rand(3, 4), rand(4, 5), rand(4)
    check(lambda a, b: lax.dot(a, b), lambda a, b: jax.lax.dot(a, b), a, b, rtol=1e-5)
    check(lambda a, v: lax.dot(a, v), lambda a, v: jax.lax.dot(a, v), a, v, jit=False, rtol=1e-5)
    check(lambda v: lax.dot(v, v), lambda v: jax.lax.dot(v, v), v, jit=False, rtol=1e-5)


# ---- derivatives ----------------------------------------------------------------------------
@pytest.mark.parametrize("case", ["batched", "two_contract", "multi_batch"])
def test_dot_general_grads(case):
    ls, rs, dn = CASES[case]
    check_grads(lambda a, b: lax.dot_general(a, b, dn), [RNG.normal(size=ls), RNG.normal(size=rs)])


def test_dot_general_vjp_with_preferred_type_matches_jax():
    a, b = rand(3, 4, dtype=ml_dtypes.bfloat16), rand(4, 2, dtype=ml_dtypes.bfloat16)
    dn = (((1,), (0,)), ((), ()))
    out, ours = jaxlike.vjp(lambda a, b: lax.dot_general(a, b, dn, preferred_element_type=np.float32), a, b)
    _, theirs = jax.vjp(lambda a, b: jax.lax.dot_general(a, b, dn, preferred_element_type=np.float32), a, b)
    ct = rand(3, 2)
    assert_same(ours(ct), theirs(ct), rtol=1e-2)


# ---- vmap -----------------------------------------------------------------------------------
@pytest.mark.parametrize("case", ["matmul", "batched", "two_contract"])
@pytest.mark.parametrize("in_axes", [(0, 0), (0, None), (None, 1), (1, 2)])
def test_vmap_dot_general(case, in_axes):
    ls, rs, dn = CASES[case]
    size = 3

    def batched_shape(shape, ax):
        return shape if ax is None else shape[:ax] + (size,) + shape[ax:]
    if any(ax is not None and ax > len(s) for s, ax in zip((ls, rs), in_axes)):
        pytest.skip("batch axis beyond the operand's rank")
    a, b = rand(*batched_shape(ls, in_axes[0])), rand(*batched_shape(rs, in_axes[1]))
    f = lambda a, b: lax.dot_general(a, b, dn)  # noqa: E731
    examples = [f(a if in_axes[0] is None else np.take(a, i, in_axes[0]),
                  b if in_axes[1] is None else np.take(b, i, in_axes[1])) for i in range(size)]
    np.testing.assert_allclose(jaxlike.vmap(f, in_axes)(a, b), np.stack([np.asarray(e) for e in examples]),
                               rtol=1e-5, atol=1e-5)


def test_vmap_of_grad_of_dot():
    a, b = rand(3, 2, 4), rand(4, 5)
    dn = (((1,), (0,)), ((), ()))

    def loss(lib):
        return lambda a, b: lib.numpy.sum(lib.lax.dot_general(a, b, dn) * lib.lax.dot_general(a, b, dn))
    ours = jaxlike.vmap(jaxlike.grad(loss(jaxlike), argnums=(0, 1)), (0, None))(a, b)
    theirs = jax.jit(jax.vmap(jax.grad(loss(jax), argnums=(0, 1)), (0, None)))(a, b)
    assert_same(ours, theirs, rtol=1e-4, atol=1e-4)


# ---- errors ---------------------------------------------------------------------------------
def test_dot_general_errors_name_the_shapes():
    with pytest.raises(TypeError, match=r"contracting dimensions to have the same shape, got \(4,\) and \(5,\) "
                                        r"\(lhs shape \(3, 4\), rhs shape \(5, 2\)\)"):
        lax.dot_general(rand(3, 4), rand(5, 2), (((1,), (0,)), ((), ())))
    with pytest.raises(TypeError, match="batch dimensions to have the same shape"):
        lax.dot_general(rand(2, 3, 4), rand(3, 4, 5), (((2,), (1,)), ((0,), (0,))))
    with pytest.raises(TypeError, match="less than the rank of the lhs"):
        lax.dot_general(rand(3, 4), rand(4, 2), (((2,), (0,)), ((), ())))
    with pytest.raises(TypeError, match=r"lax.dot: incompatible shapes .* \(3, 4\), rhs \(3,\)"):
        lax.dot(rand(3, 4), rand(3))
    with pytest.raises(TypeError, match="preferred_element_type.*narrower"):
        lax.dot_general(np.ones((2, 2), np.int32), np.ones((2, 2), np.int32), (((1,), (0,)), ((), ())),
                        preferred_element_type=np.int8)
