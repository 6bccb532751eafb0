"""Errors from transforms: typed exceptions, with a message that says what to do and points at the user's line."""
import os

import jax
import numpy as np
import pytest

import jaxlike
import jaxlike.numpy as jnp
from jaxlike import lax

THIS_FILE = os.path.basename(__file__)


def raises_here(exc_type, match=None):
    """pytest.raises that also checks the message names this file (the user's line)."""
    return _Raises(exc_type, match)


class _Raises:
    def __init__(self, exc_type, match):
        self.ctx = pytest.raises(exc_type, match=match)

    def __enter__(self):
        self.info = self.ctx.__enter__()
        return self.info

    def __exit__(self, *exc):
        suppressed = self.ctx.__exit__(*exc)
        assert THIS_FILE in str(self.info.value), f"message does not name {THIS_FILE}: {self.info.value}"
        return suppressed


# ---- concretization -----------------------------------------------------------------------------
def test_python_if_on_traced_value():
    def f(x):
        if x > 0:
            return x
        return -x
    with raises_here(jaxlike.TracerBoolConversionError) as info:
        jaxlike.jit(f)(1.0)
    message = str(info.value)
    assert "lax.cond" in message and "jnp.where" in message and "static_argnums" in message
    assert f"{THIS_FILE}:{f.__code__.co_firstlineno + 1}" in message  # the `if` line itself
    assert isinstance(info.value, jaxlike.ConcretizationTypeError)  # as in JAX


def test_python_if_under_vmap_and_while_loop():
    def f(x):
        while x > 0:
            x = x - 1
        return x
    with raises_here(jaxlike.TracerBoolConversionError):
        jaxlike.vmap(f)(jnp.ones(3))
    with raises_here(jaxlike.TracerBoolConversionError):
        jaxlike.jit(lambda x: x if x else -x)(True)


def test_if_under_grad_of_jit_fails_but_grad_alone_works():
    def f(x):
        return x * 2 if x > 0 else -x
    assert float(jaxlike.grad(f)(1.0)) == 2.0
    with raises_here(jaxlike.TracerBoolConversionError):
        jaxlike.grad(jaxlike.jit(f))(1.0)


@pytest.mark.parametrize("convert", [int, float, complex], ids=["int", "float", "complex"])
def test_scalar_conversion_of_tracer(convert):
    with raises_here(jaxlike.ConcretizationTypeError, match=convert.__name__):
        jaxlike.jit(lambda x: convert(x))(1.0)
    with pytest.raises(jax.errors.ConcretizationTypeError):  # the same type of error in JAX
        jax.jit(lambda x: convert(x))(1.0)


def test_index_conversion_of_tracer():
    with raises_here(jaxlike.TracerIntegerConversionError):
        jaxlike.jit(lambda n: list(range(n)))(3)


def test_numpy_conversion_of_tracer():
    with raises_here(jaxlike.TracerArrayConversionError, match="jaxlike.numpy"):
        jaxlike.jit(lambda x: np.asarray(x))(jnp.ones(2))
    with raises_here(jaxlike.TracerArrayConversionError):
        jaxlike.grad(lambda x: np.sin(x))(1.0)


# ---- leaked tracers -------------------------------------------------------------------------------
def _leak(transform):
    store = []

    def f(x):
        store.append(x)
        return x * 2
    transform(f)
    return store[0]


@pytest.mark.parametrize("transform", [
    lambda f: jaxlike.jit(f)(1.0),
    lambda f: jaxlike.grad(f)(1.0),
    lambda f: jaxlike.vmap(f)(jnp.ones(2)),
    lambda f: jaxlike.jvp(f, (1.0,), (1.0,)),
], ids=["jit", "grad", "vmap", "jvp"])
def test_leaked_tracer(transform):
    leaked = _leak(transform)
    with raises_here(jaxlike.UnexpectedTracerError, match="leaked"):
        jnp.sin(leaked)
    with raises_here(jaxlike.UnexpectedTracerError):
        leaked + 1
    with raises_here(jaxlike.UnexpectedTracerError):
        jaxlike.jit(lambda y: y + leaked)(1.0)


def test_leaked_tracer_passed_to_jit():
    leaked = _leak(lambda f: jaxlike.jit(f)(1.0))
    with raises_here(jaxlike.UnexpectedTracerError):
        jaxlike.jit(lambda y: y * 2)(leaked)


# ---- autodiff ---------------------------------------------------------------------------------------
def test_grad_of_non_scalar_output():
    with raises_here(TypeError, match=r"scalar-output.*\(3,\)"):
        jaxlike.grad(lambda x: x * 2)(jnp.ones(3))


def test_grad_with_respect_to_integer_input():
    with raises_here(TypeError, match="int32.*allow_int"):
        jaxlike.grad(lambda x: x * 2.0)(3)
    with raises_here(TypeError, match="bool"):
        jaxlike.grad(lambda x, b: x, argnums=1)(1.0, True)


@pytest.mark.parametrize("output", ["text", None, [1.0, 2.0], {"a": 1.0}], ids=["str", "None", "list", "dict"])
def test_grad_of_function_returning_non_array(output):
    with raises_here(TypeError):
        jaxlike.grad(lambda x: output)(1.0)


def test_grad_of_integer_output():
    with raises_here(TypeError, match="real-valued outputs.*int32"):
        jaxlike.grad(lambda x: jnp.sum(jnp.ones(3, dtype=jnp.int32)))(1.0)
    with raises_here(TypeError, match="holomorphic"):
        jaxlike.grad(lambda x: x * (1 + 2j))(1.0)


def test_grad_argnums_out_of_range():
    with raises_here(TypeError, match="argnums=2"):
        jaxlike.grad(lambda x: x, argnums=2)(1.0)


def test_has_aux_without_pair():
    with raises_here(TypeError, match="has_aux"):
        jaxlike.grad(lambda x: x, has_aux=True)(1.0)


def test_holomorphic_requires_complex():
    with raises_here(TypeError, match="holomorphic"):
        jaxlike.grad(lambda x: x, holomorphic=True)(1.0)


def test_jvp_tangent_mismatch():
    with raises_here(ValueError, match=r"\(2,\).*\(3,\)"):
        jaxlike.jvp(jnp.sin, (jnp.ones(2),), (jnp.ones(3),))
    with raises_here(TypeError, match="float0"):
        jaxlike.jvp(lambda n: n, (np.int32(1),), (np.float32(1),))
    with raises_here(TypeError, match="int32"):
        jaxlike.jvp(jnp.sin, (np.ones(2, np.float32),), (np.ones(2, np.int32),))


# ---- shapes, dtypes, arguments ------------------------------------------------------------------
def test_add_with_wrong_shapes():
    with raises_here(TypeError, match=r"\(3,\).*\(4,\)"):
        lax.add(jnp.ones(3), jnp.ones(4))
    with raises_here(TypeError, match=r"\(3,\).*\(4,\)"):
        jaxlike.jit(lambda a, b: lax.add(a, b))(jnp.ones(3), jnp.ones(4))
    with raises_here(ValueError, match=r"\(3,\).*\(4,\)"):  # jnp broadcasting errors are ValueErrors, as in JAX
        jaxlike.jit(jnp.add)(jnp.ones(3), jnp.ones(4))


def test_dot_with_wrong_shapes():
    with raises_here(TypeError, match=r"\(3,\).*\(4,\)"):
        jnp.dot(jnp.ones(3), jnp.ones(4))
    with raises_here(TypeError, match=r"\(2, 3\).*\(2, 3\)"):
        jaxlike.jit(jnp.dot)(jnp.ones((2, 3)), jnp.ones((2, 3)))


def test_unknown_dtype_string():
    with raises_here(TypeError, match="floot32"):
        jnp.ones(3, dtype="floot32")


def test_unknown_dtype_string_type():
    with pytest.raises(TypeError, match="floot32"):
        jnp.ones(3, dtype="floot32")
    with pytest.raises(TypeError, match="floot32"):
        jaxlike.jit(lambda x: x.astype("floot32") if hasattr(x, "astype") else jnp.ones(3, dtype="floot32"))(1.0)


def test_jit_non_array_argument_and_output():
    with raises_here(TypeError, match="static_argnums"):
        jaxlike.jit(lambda x: x)("text")
    with raises_here(TypeError, match="str"):
        jaxlike.jit(lambda x: "text")(1.0)


def test_vmap_errors_name_the_user_line():
    with raises_here(ValueError):
        jaxlike.vmap(lambda a, b: a + b)(jnp.ones((3, 2)), jnp.ones((4, 2)))
    with raises_here(ValueError):
        jaxlike.vmap(lambda a: a, out_axes=3)(jnp.ones((3, 2)))
