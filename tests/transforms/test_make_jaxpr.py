"""make_jaxpr: the typed, printable IR of a function, with constants, static arguments and source lines."""
import os

import jax
import jax.numpy as jjnp
import numpy as np
import pytest

import jaxlike
import jaxlike.numpy as jnp
from jaxlike.ir import Literal


def prims(closed):
    return [e.primitive.name for e in closed.eqns]


def test_avals_and_equations():
    closed = jaxlike.make_jaxpr(lambda x, y: jnp.sin(x) * y)(jnp.ones((2, 3)), 2.0)
    ref = jax.make_jaxpr(lambda x, y: jjnp.sin(x) * y)(np.ones((2, 3), np.float32), 2.0)
    a, b = closed.in_avals
    assert (a.shape, a.dtype, a.weak_type) == ((2, 3), np.float32, False)
    assert (b.shape, b.dtype, b.weak_type) == ((), np.float32, True)
    assert prims(closed) == prims(ref) == ["sin", "convert_element_type", "mul"]  # the weak scalar is promoted
    assert closed.out_avals[0].shape == (2, 3)


def test_printing():
    text = str(jaxlike.make_jaxpr(lambda x: jnp.sin(x) * 2.0)(jnp.ones(3)))
    assert "lambda" in text and "sin" in text and "mul" in text
    assert "f32[3]" in text and "2.0:f32[]" in text  # a Python scalar is a weakly typed literal


def test_scalar_constants_are_literals():
    closed = jaxlike.make_jaxpr(lambda x: x + 1.0)(jnp.ones(2))
    literal = closed.eqns[0].invars[1]
    assert isinstance(literal, Literal) and float(literal.host_value()) == 1.0
    assert closed.jaxpr.constvars == []


def test_closed_over_arrays_are_lifted_constants():
    c = jnp.asarray(np.arange(4, dtype=np.float32))
    closed = jaxlike.make_jaxpr(lambda x: x * c + c)(jnp.ones(4))
    assert len(closed.jaxpr.constvars) == 1  # the same array is one constant
    np.testing.assert_array_equal(np.asarray(closed.consts[0]), np.arange(4))
    assert closed.jaxpr.constvars[0].aval.shape == (4,)


def test_pytree_arguments_kwargs_and_outputs():
    closed, shapes = jaxlike.make_jaxpr(lambda d, scale=1.0: {"s": d["a"] * scale, "t": (d["b"],)},
                                        return_shape=True)({"a": jnp.ones(2), "b": jnp.zeros(3)}, scale=3.0)
    assert [a.shape for a in closed.in_avals] == [(2,), (3,), ()]
    assert len(closed.jaxpr.outvars) == 2
    sds = jaxlike.ShapeDtypeStruct
    assert shapes == {"s": sds((2,), jnp.float32), "t": (sds((3,), jnp.float32),)}


def test_static_argnums():
    make = jaxlike.make_jaxpr(lambda x, n: x * n if n > 1 else x, static_argnums=1)
    assert prims(make(jnp.ones(2), 3)) == ["mul"]
    assert prims(make(jnp.ones(2), 1)) == []
    assert prims(jaxlike.make_jaxpr(lambda x, n: x * n, static_argnums=-1)(jnp.ones(2), 3)) == ["mul"]


def test_source_lines_point_at_user_code():
    def f(x):
        y = jnp.sin(x)
        return y * 2.0
    closed = jaxlike.make_jaxpr(f)(jnp.ones(2))
    first = f.__code__.co_firstlineno
    lines = [(os.path.basename(e.source_info.filename), e.source_info.lineno) for e in closed.eqns]
    assert lines == [(os.path.basename(__file__), first + 1), (os.path.basename(__file__), first + 2)]


def test_transforms_inside_make_jaxpr():
    grad_jaxpr = jaxlike.make_jaxpr(jaxlike.grad(lambda x: jnp.sin(x) * x))(1.0)
    assert "cos" in prims(grad_jaxpr) and grad_jaxpr.out_avals[0].shape == ()
    vmap_jaxpr = jaxlike.make_jaxpr(jaxlike.vmap(lambda x: jnp.sum(x)))(jnp.ones((2, 3)))
    assert prims(vmap_jaxpr) == ["reduce_sum"] and vmap_jaxpr.eqns[0].params["axes"] == (1,)
    jvp_jaxpr = jaxlike.make_jaxpr(lambda x, t: jaxlike.jvp(jnp.exp, (x,), (t,)))(1.0, 1.0)
    assert len(jvp_jaxpr.jaxpr.outvars) == 2


def test_nested_jit_is_a_closed_call_with_its_jaxpr():
    inner = jaxlike.jit(lambda x: jnp.exp(x) + 1.0)
    closed = jaxlike.make_jaxpr(lambda x: inner(x) * 2.0)(jnp.ones(3))
    assert prims(closed) == ["closed_call", "mul"]
    call = closed.eqns[0]
    assert [e.primitive.name for e in call.params["jaxpr"].eqns] == ["exp", "add"]
    assert "closed_call" in str(closed) and "exp" in str(closed)


def test_abstract_inputs():
    spec = jaxlike.ShapeDtypeStruct((5,), jnp.int32)
    closed = jaxlike.make_jaxpr(lambda n: n + 1)(spec)
    assert closed.in_avals[0].shape == (5,) and closed.out_avals[0].dtype == np.int32


@pytest.mark.parametrize("fun", [
    lambda np_, x: x * 2,
    lambda np_, x: (x, x + 1.0),
    lambda np_, x: np_.where(x > 0, x, 0.0),
    lambda np_, x: np_.sum(x, axis=0) / 3.0,
    lambda np_, x: (x > 1, np_.mean(x * 2)),
], ids=["mul", "tuple", "where", "sum_div", "compare_mean"])
def test_output_avals_match_jax(fun):
    x = np.ones((3, 2), np.float32)
    ours = jaxlike.make_jaxpr(lambda x: fun(jnp, x))(x).out_avals
    ref = jax.make_jaxpr(lambda x: fun(jjnp, x))(x).out_avals
    assert [(a.shape, a.dtype, a.weak_type) for a in ours] == [(a.shape, a.dtype, a.weak_type) for a in ref]
