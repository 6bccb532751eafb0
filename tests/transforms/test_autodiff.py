"""The autodiff API (jvp, vjp, linearize, grad, value_and_grad, jacfwd, jacrev, hessian) against jax."""
import types

import jax
import jax.numpy as jjnp
import numpy as np
import pytest

import jaxlike
import jaxlike.numpy as jnp
from testing_utils import assert_same, check_grads

OURS = types.SimpleNamespace(J=jaxlike, np=jnp, lax=jaxlike.lax)
JAX = types.SimpleNamespace(J=jax, np=jjnp, lax=jax.lax)


def same_as_jax(program, jit=False, **kw):
    """program(m) runs with m = (J, np, lax) of jaxlike and of jax; results agree in tree structure, values,
    shapes and dtypes.

    The oracle runs under jax.jit where it can (one compile instead of one per operation); with jit=True
    ours does too, which keeps heavy compositions fast.
    """
    ours = jaxlike.jit(lambda: program(OURS))() if jit else program(OURS)
    expected = oracle(program)
    is_array = lambda x: isinstance(x, jaxlike.Array)
    assert jax.tree_util.tree_structure(ours, is_leaf=is_array) == jax.tree_util.tree_structure(expected)
    assert_same(ours, expected, **kw)


def oracle(program):
    try:
        return jax.jit(lambda: program(JAX))()
    except TypeError:  # outputs jit cannot return (float0, Python objects)
        return program(JAX)


def assert_float0(x, shape):
    assert np.asarray(x).dtype == jax.dtypes.float0 and np.shape(x) == shape


X3 = np.array([0.3, -1.2, 2.0], np.float32)
Y3 = np.array([1.5, 0.5, -0.7], np.float32)
TREE = {"w": np.array([[0.5, -1.0], [2.0, 0.25]], np.float32),
        "b": (np.float32(0.1), np.array([1.0, -2.0], np.float32))}


def tree_fun(m):
    def f(p):
        h = m.np.tanh(m.np.sum(p["w"] * p["b"][1], axis=1) + p["b"][0])
        return {"out": h * 2.0, "stats": (m.np.sum(h), m.np.mean(m.np.exp(p["w"])))}
    return f


def scalar_tree_fun(m):
    return lambda p: m.np.sum(tree_fun(m)(p)["out"] * 1.5) + tree_fun(m)(p)["stats"][1]


# ---- jvp / linearize ----------------------------------------------------------------------------
def test_jvp_pytrees():
    tangent = {"w": np.ones((2, 2), np.float32), "b": (np.float32(1.0), np.ones(2, np.float32))}
    same_as_jax(lambda m: m.J.jvp(tree_fun(m), (TREE,), (tangent,)))


def test_jvp_has_aux_returns_plain_aux():
    out = jaxlike.jvp(lambda x: (jnp.sin(x), {"twice": x * 2}), (X3,), (Y3,), has_aux=True)
    assert isinstance(out[2]["twice"], jaxlike.Array)
    same_as_jax(lambda m: m.J.jvp(lambda x: (m.np.sin(x), {"twice": x * 2}), (X3,), (Y3,), has_aux=True))


def test_jvp_integer_input_takes_float0_tangent():
    ours = jaxlike.jvp(lambda x, n: x * n, (X3, np.int32(3)), (Y3, np.zeros((), jax.dtypes.float0)))
    assert_same(ours, jax.jvp(lambda x, n: x * n, (X3, np.int32(3)), (Y3, np.zeros((), jax.dtypes.float0))))
    _, t = jaxlike.jvp(lambda n: n * 2, (np.int32(3),), (np.zeros((), jax.dtypes.float0),))
    assert_float0(t, ())


def test_jvp_weak_types_like_jax():
    same_as_jax(lambda m: m.J.jvp(lambda x, y: (x * 2.0, y * 3.0, 4.0 * x),
                                  (1.0, np.float32(2.0)), (1.0, np.float32(1.0))),
                check_weak_type=True)


def test_linearize_matches_jvp():
    f = lambda m: (lambda x, y: (m.np.sin(x) * y, m.np.sum(m.np.exp(y))))
    same_as_jax(lambda m: m.J.linearize(f(m), X3, Y3)[1](Y3, X3))
    y, f_jvp = jaxlike.linearize(f(OURS), X3, Y3)
    assert_same(f_jvp(Y3, X3), jaxlike.jvp(f(OURS), (X3, Y3), (Y3, X3))[1])
    assert_same(y, f(JAX)(X3, Y3))


def test_linearize_has_aux():
    same_as_jax(lambda m: m.J.linearize(lambda x: (m.np.cos(x), x + 1), X3, has_aux=True)[2])


def test_linearized_function_is_jittable():
    _, f_jvp = jaxlike.linearize(lambda x: jnp.sin(x) * x, X3)
    assert_same(jaxlike.jit(f_jvp)(Y3), f_jvp(Y3))


# ---- vjp ------------------------------------------------------------------------------------------
def test_vjp_pytrees():
    def program(m):
        out, pullback = m.J.vjp(tree_fun(m), TREE)
        return out, pullback(m.J.tree_util.tree_map(m.np.ones_like, out))
    same_as_jax(program)


def test_vjp_has_aux():
    def program(m):
        out, pullback, aux = m.J.vjp(lambda x: (m.np.sin(x), {"x": x, "label": "ok"}), X3, has_aux=True)
        return out, pullback(Y3), aux["x"]
    same_as_jax(program)
    aux = jaxlike.vjp(lambda x: (x, {"x": x * 2, "label": "ok"}), X3, has_aux=True)[2]
    assert aux["label"] == "ok" and isinstance(aux["x"], jaxlike.Array)


def test_vjp_integer_input_gets_float0_cotangent():
    (ct_x, ct_n) = jaxlike.vjp(lambda x, n: x * n, X3, np.int32(2))[1](Y3)
    ref_x, ref_n = jax.vjp(lambda x, n: x * n, X3, np.int32(2))[1](Y3)
    assert_same(ct_x, ref_x)
    assert_float0(ct_n, ())
    assert np.asarray(ct_n).dtype == np.asarray(ref_n).dtype


def test_vjp_with_integer_output():
    def program(m):
        out, pullback = m.J.vjp(lambda x: (x * 2, x > 0), X3)
        return out, pullback((Y3, np.zeros(3, jax.dtypes.float0)))
    same_as_jax(program)


def test_linearize_with_integer_output():
    def program(m):
        out, f_jvp = m.J.linearize(lambda x: (m.np.sin(x), x > 0), X3)
        return out, f_jvp(Y3)
    ours, ref = program(OURS), program(JAX)
    assert_same(ours[0], ref[0])
    assert_same(ours[1][0], ref[1][0])
    assert_float0(ours[1][1], (3,))


def test_vjp_cotangent_shape_error():
    _, pullback = jaxlike.vjp(jnp.sin, X3)
    with pytest.raises(ValueError, match=r"f32\[2\].*f32\[3\]"):
        pullback(np.ones(2, np.float32))


# ---- grad / value_and_grad ----------------------------------------------------------------------
def test_grad_argnums_int_tuple_and_negative():
    f = lambda m: (lambda x, y, z: m.np.sum(m.np.sin(x) * y) * z)
    for argnums in (0, 1, (0, 2), (2, 0), -1, (0, -2)):
        same_as_jax(lambda m: m.J.grad(f(m), argnums=argnums)(X3, Y3, 2.0), check_weak_type=True)


def test_value_and_grad_pytree_and_has_aux():
    same_as_jax(lambda m: m.J.value_and_grad(scalar_tree_fun(m))(TREE))
    same_as_jax(lambda m: m.J.value_and_grad(lambda p: (scalar_tree_fun(m)(p), p["w"] * 2), has_aux=True)(TREE))
    same_as_jax(lambda m: m.J.grad(lambda p: (scalar_tree_fun(m)(p), {"aux": p["b"][1]}), has_aux=True)(TREE))


def test_grad_kwargs_are_not_differentiated():
    same_as_jax(lambda m: m.J.grad(lambda x, scale=1.0: m.np.sum(x * scale))(X3, scale=Y3))


def test_grad_weak_types_like_jax():
    same_as_jax(lambda m: m.J.grad(lambda x: x * 2.0)(1.0), check_weak_type=True)
    same_as_jax(lambda m: m.J.grad(lambda x: m.np.sin(x) * 2)(1.0), check_weak_type=True)
    same_as_jax(lambda m: m.J.grad(lambda x, y: x * 2.0, argnums=(0, 1))(1.0, np.float32(3)), check_weak_type=True)
    same_as_jax(lambda m: m.J.grad(lambda x: 1.0)(2.0), check_weak_type=True)


def test_grad_allow_int_gives_float0():
    ours = jaxlike.grad(lambda x, n: jnp.sum(x * n), argnums=(0, 1), allow_int=True)(X3, np.arange(3, dtype=np.int32))
    ref = jax.grad(lambda x, n: jjnp.sum(x * n), argnums=(0, 1), allow_int=True)(X3, np.arange(3, dtype=np.int32))
    assert_same(ours[0], ref[0])
    assert_float0(ours[1], (3,))
    assert np.asarray(ours[1]).dtype == ref[1].dtype
    assert_float0(jaxlike.grad(lambda b: 1.0, allow_int=True)(True), ())


def test_grad_holomorphic():
    z = np.array([1 + 2j, -0.5 + 0.25j], np.complex64)
    same_as_jax(lambda m: m.J.grad(lambda z: m.np.sum(m.np.sin(z) * z), holomorphic=True)(z))
    same_as_jax(lambda m: m.J.grad(lambda z: z * z, holomorphic=True)(1.0 + 2j), check_weak_type=True)


def test_grad_of_real_function_of_complex_input():
    z = np.array([1 + 2j, -0.5 + 0.25j, 3j], np.complex64)
    same_as_jax(lambda m: m.J.grad(lambda z: m.np.sum(m.np.abs(z * z)))(z))
    same_as_jax(lambda m: m.J.grad(lambda z: m.np.sum(m.np.abs(m.np.sin(z) * z)))(z))
    same_as_jax(lambda m: m.J.grad(lambda z: m.np.sum(m.lax.real(z * m.lax.conj(z) * 3.0)))(z))
    same_as_jax(lambda m: m.J.grad(lambda x: m.np.sum(m.np.abs(x * (1.0 + 2.0j))))(X3))


def test_vjp_and_jvp_complex():
    z = np.array([1 + 2j, -0.5 + 0.25j], np.complex64)
    w = np.array([0.5 - 1j, 2 + 0j], np.complex64)
    same_as_jax(lambda m: m.J.vjp(lambda z: m.np.exp(z) * z, z)[1](w))
    same_as_jax(lambda m: m.J.jvp(lambda z: m.np.exp(z) * z, (z,), (w,)))


def test_python_control_flow_on_concrete_values():
    def f(x):
        if x > 0:
            return x * x
        return -x * 3.0
    same_as_jax(lambda m: (m.J.grad(f)(2.0), m.J.grad(f)(-2.0)), check_weak_type=True)

    def loop(x, n):
        for _ in range(int(n)):
            x = x * 1.5
        return x
    same_as_jax(lambda m: m.J.grad(loop)(1.0, 3))


# ---- perturbation confusion and closures --------------------------------------------------------
def test_perturbation_confusion_jvp():
    def program(m):
        def f(x):
            inner = m.J.jvp(lambda y: x * y, (2.0,), (1.0,))[1]  # d/dy (x*y) = x
            return x * inner                                      # so f(x) = x**2, f'(x) = 2x
        return m.J.jvp(f, (3.0,), (1.0,))
    same_as_jax(program)
    assert float(program(OURS)[1]) == 6.0


def test_perturbation_confusion_grad():
    program = lambda m: m.J.grad(lambda x: x * m.J.grad(lambda y: x + y)(1.0))(1.0)
    same_as_jax(program)
    assert float(program(OURS)) == 1.0  # d/dx [x * 1]; a confused implementation gives 2
    program2 = lambda m: m.J.grad(lambda x: x * m.J.grad(lambda y: x * y)(2.0))(3.0)
    same_as_jax(program2)
    assert float(program2(OURS)) == 6.0


def test_closures_over_outer_tracers():
    def program(m):
        def outer(x):
            g = lambda y: m.np.sum(m.np.sin(x * y))
            return m.np.sum(m.J.grad(g)(x * 2.0) * x)
        return m.J.grad(outer)(X3), m.J.jacfwd(m.J.grad(outer))(X3)
    same_as_jax(program)


def test_nested_jvp_of_grad_of_closure():
    def program(m):
        def f(a):
            return m.J.grad(lambda b: m.np.sum(m.np.exp(a * b) * b))(Y3)
        return m.J.jvp(f, (X3,), (Y3,))
    same_as_jax(program, rtol=1e-5, atol=1e-5)


# ---- Jacobians ----------------------------------------------------------------------------------
@pytest.mark.parametrize("jac", ["jacfwd", "jacrev"])
def test_jacobian_pytree_structure(jac):
    same_as_jax(lambda m: getattr(m.J, jac)(tree_fun(m))(TREE), jit=True, rtol=2e-5, atol=1e-6)


@pytest.mark.parametrize("jac", ["jacfwd", "jacrev"])
def test_jacobian_argnums_and_has_aux(jac):
    f = lambda m: (lambda x, y: (m.np.sin(x) * y, {"sum": m.np.sum(x)}))
    same_as_jax(lambda m: getattr(m.J, jac)(f(m), argnums=(0, 1), has_aux=True)(X3, Y3))
    same_as_jax(lambda m: getattr(m.J, jac)(lambda x, y: m.np.sin(x) * y, argnums=1)(X3, Y3))
    same_as_jax(lambda m: getattr(m.J, jac)(lambda x: x * 2.0)(1.0), check_weak_type=True)


def test_jacobian_of_matrix_function_shapes():
    w = np.arange(6, dtype=np.float32).reshape(2, 3) / 5
    same_as_jax(lambda m: m.J.jacfwd(lambda w: m.np.tanh(w) * 2.0)(w))
    same_as_jax(lambda m: m.J.jacrev(lambda w: m.np.sum(m.np.sin(w), axis=0))(w))


def test_jacobian_integer_cases_like_jax():
    same_as_jax(lambda m: m.J.jacfwd(lambda x: (x * 2.0, 3))(1.0), check_weak_type=True)
    same_as_jax(lambda m: m.J.jacrev(lambda x, n: x * 2.0 + n, argnums=(0, 1), allow_int=True)(1.0, 2),
                check_weak_type=True)


def test_jacobian_holomorphic():
    z = np.array([1 + 1j, 2j], np.complex64)
    same_as_jax(lambda m: m.J.jacfwd(lambda z: m.np.sin(z) * (2.0 + 1j), holomorphic=True)(z))
    same_as_jax(lambda m: m.J.jacrev(lambda z: m.np.sin(z) * (2.0 + 1j), holomorphic=True)(z))
    same_as_jax(lambda m: m.J.jacrev(lambda z: m.np.abs(z))(z))


def test_jacobian_of_empty_array():
    for jac in ("jacfwd", "jacrev"):
        same_as_jax(lambda m: getattr(m.J, jac)(lambda x: x * 2.0)(np.zeros((0, 2), np.float32)))


def test_hessian_pytree_and_has_aux():
    same_as_jax(lambda m: m.J.hessian(scalar_tree_fun(m))(TREE), jit=True, rtol=1e-4, atol=1e-5)
    same_as_jax(lambda m: m.J.hessian(lambda x: (m.np.sum(m.np.sin(x) * x), x * 2), has_aux=True)(X3))
    same_as_jax(lambda m: m.J.hessian(lambda x, y: m.np.sum(m.np.sin(x) * y * y), argnums=(0, 1))(X3, Y3))


def test_jacobian_input_dtype_errors():
    with pytest.raises(TypeError, match="jacfwd requires real-valued inputs"):
        jaxlike.jacfwd(lambda x: x)(np.int32(1))
    with pytest.raises(TypeError, match="jacfwd requires real-valued inputs"):
        jaxlike.jacfwd(lambda x: x)(np.complex64(1))
    with pytest.raises(TypeError, match="allow_int"):
        jaxlike.jacrev(lambda x: x * 1.0)(np.int32(1))
    with pytest.raises(TypeError, match="jacrev requires real-valued outputs"):
        jaxlike.jacrev(lambda x: x * (1 + 1j))(1.0)


# ---- finite differences (float64) -------------------------------------------------------------
@pytest.mark.parametrize("fun", [
    lambda x, y: jnp.sin(x) * jnp.exp(y),
    lambda x, y: jnp.tanh(x * y) / (1.0 + y * y),
    lambda x, y: jnp.sqrt(x * x + 1.0) - jnp.log(y * y + 2.0),
    lambda x, y: jnp.sum(jnp.cos(x) * y, axis=0),
], ids=["sin_exp", "tanh_div", "sqrt_log", "reduce"])
def test_derivatives_against_finite_differences(fun):
    rng = np.random.default_rng(0)
    check_grads(fun, [rng.standard_normal((2, 3)), rng.standard_normal((2, 3))], order=2)
