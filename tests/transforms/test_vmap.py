"""vmap: in_axes/out_axes specifications, axis_size, nesting, composition with jit, errors; jax is the oracle."""
import types

import jax
import jax.numpy as jjnp
import numpy as np
import pytest

import jaxlike
import jaxlike.numpy as jnp
from testing_utils import assert_same

OURS = types.SimpleNamespace(J=jaxlike, np=jnp, lax=jaxlike.lax)
JAX = types.SimpleNamespace(J=jax, np=jjnp, lax=jax.lax)

RNG = np.random.default_rng(0)
A = RNG.standard_normal((4, 3)).astype(np.float32)
B = RNG.standard_normal((3, 4)).astype(np.float32)
V = RNG.standard_normal(3).astype(np.float32)
T = RNG.standard_normal((2, 3, 4)).astype(np.float32)


def same_as_jax(program, **kw):
    """program(m) with m = (J, np, lax) of jaxlike and of jax gives the same values, shapes and dtypes."""
    assert_same(program(OURS), program(JAX), **kw)


def stacked(fun, xs):
    """The loop vmap stands for: fun on each example, stacked."""
    return np.stack([np.asarray(fun(x)) for x in xs])


# ---- in_axes / out_axes -------------------------------------------------------------------------
@pytest.mark.parametrize("in_axes", [0, 1, -1, 2, -3])
def test_in_axes_int(in_axes):
    same_as_jax(lambda m: m.J.vmap(lambda x: m.np.sum(m.np.sin(x), axis=0) * 2.0, in_axes=in_axes)(T))


@pytest.mark.parametrize("out_axes", [0, 1, -1, 2, -2])
def test_out_axes_int(out_axes):
    same_as_jax(lambda m: m.J.vmap(lambda x: m.np.exp(x) + 1.0, in_axes=1, out_axes=out_axes)(T))


def test_in_axes_none_and_tuple():
    same_as_jax(lambda m: m.J.vmap(lambda x, v: x * v, in_axes=(0, None))(A, V))
    same_as_jax(lambda m: m.J.vmap(lambda x, y: x + y, in_axes=(0, 1))(A, B))
    same_as_jax(lambda m: m.J.vmap(lambda x, y: x + y, in_axes=[1, 0])(B, A))


def test_nested_pytree_prefixes():
    args = ({"a": A, "b": (B, V)}, V)
    same_as_jax(lambda m: m.J.vmap(lambda d, v: d["a"] * d["b"][1] + d["b"][0].sum(0) * v,
                                   in_axes=({"a": 0, "b": (1, None)}, None))(*args))
    same_as_jax(lambda m: m.J.vmap(lambda d, v: d["a"] + v, in_axes=({"a": 0, "b": None}, None))(*args))
    same_as_jax(lambda m: m.J.vmap(lambda d: (d["a"], d["b"][0] * d["b"][1]),
                                   in_axes=({"a": 0, "b": 1},))({"a": A, "b": (B, B + 1.0)}))


def test_dict_in_axes_must_be_wrapped_in_a_tuple():
    same_as_jax(lambda m: m.J.vmap(lambda d: d["x"] * d["y"], in_axes=({"x": 0, "y": None},))({"x": A, "y": V}))
    for vmap in (jaxlike.vmap, jax.vmap):
        with pytest.raises(TypeError, match="in_axes must be an int, None, or a tuple"):
            vmap(lambda d: d["x"], in_axes={"x": 0})({"x": A})


def test_out_axes_pytree_and_none():
    def program(m):
        f = lambda x, v: {"batched": x * 2.0, "shared": v + 1.0}
        return m.J.vmap(f, in_axes=(0, None), out_axes={"batched": 1, "shared": None})(A, V)
    same_as_jax(program)
    same_as_jax(lambda m: m.J.vmap(lambda x: (x, m.np.sum(x)), out_axes=(1, 0))(A))


def test_unbatched_outputs_are_broadcast():
    same_as_jax(lambda m: m.J.vmap(lambda x: (x, m.np.ones(2), 3.0, V))(A))


def test_kwargs_are_mapped_over_axis_0():
    same_as_jax(lambda m: m.J.vmap(lambda x, scale: x * scale, in_axes=(1,))(B, scale=A))


def test_axis_size_without_mapped_inputs():
    same_as_jax(lambda m: m.J.vmap(lambda: m.np.ones(2) * 3.0, axis_size=5)())
    same_as_jax(lambda m: m.J.vmap(lambda v: v * 2.0, in_axes=None, axis_size=3)(V))
    same_as_jax(lambda m: m.J.vmap(lambda x: x, axis_size=4)(A))


def test_unmapped_non_array_arguments_pass_through():
    out = jaxlike.vmap(lambda x, mode: jnp.sin(x) if mode == "sin" else x, in_axes=(0, None))(A, "sin")
    assert_same(out, np.sin(A))


def test_matches_python_loop():
    f = lambda x: jnp.tanh(x) * jnp.sum(x * x)
    assert_same(jaxlike.vmap(f)(A), stacked(f, A))
    assert_same(jaxlike.vmap(f, in_axes=1)(A), stacked(f, A.T))


# ---- nesting and jit ----------------------------------------------------------------------------
def test_nested_vmaps():
    same_as_jax(lambda m: m.J.vmap(m.J.vmap(lambda x, y: x * y, in_axes=(0, None)), in_axes=(None, 0))(V, A))
    same_as_jax(lambda m: m.J.vmap(m.J.vmap(lambda x: m.np.sum(x), in_axes=1), in_axes=2)(T))
    same_as_jax(lambda m: m.J.vmap(lambda x: m.J.vmap(lambda y: x * y)(V))(V))  # closure over the outer tracer


def test_vmap_of_jit_and_jit_of_vmap():
    f = lambda m: (lambda x, v: (m.np.sum(x * v), x + 1.0))
    same_as_jax(lambda m: m.J.vmap(m.J.jit(f(m)), in_axes=(1, None))(B, V))
    same_as_jax(lambda m: m.J.jit(m.J.vmap(f(m), in_axes=(1, None)))(B, V))
    same_as_jax(lambda m: m.J.vmap(m.J.jit(lambda x: (x * 2.0, m.np.ones(()))))(V))  # unbatched jit output
    same_as_jax(lambda m: m.J.vmap(m.J.jit(m.J.vmap(lambda x: x * 2.0, in_axes=1)), in_axes=2)(T))


def test_vmap_of_jit_traces_once_per_batched_signature():
    calls = []

    def f(x):
        calls.append(1)
        return x * 2
    jf = jaxlike.jit(f)
    vf = jaxlike.vmap(jf)
    vf(A)
    vf(A)
    assert len(calls) == 1


def test_vmap_with_python_scalars_and_dtypes():
    same_as_jax(lambda m: m.J.vmap(lambda x: x * 2)(np.arange(4, dtype=np.int32)), check_weak_type=True)
    same_as_jax(lambda m: m.J.vmap(lambda x: x > 0)(A))
    same_as_jax(lambda m: m.J.vmap(lambda x: m.np.where(x > 0, x, 0.0))(A))


def test_axis_name_collectives():
    v = np.arange(1.0, 5.0, dtype=np.float32)
    same_as_jax(lambda m: m.J.vmap(lambda x: x / m.lax.psum(x, "i"), axis_name="i")(v))
    same_as_jax(lambda m: m.J.grad(lambda xs: m.np.sum(m.J.vmap(lambda x: x / m.lax.psum(x, "i"), axis_name="i")(xs)
                                                       * xs))(v))
    same_as_jax(lambda m: m.J.vmap(m.J.vmap(lambda x: m.lax.psum(x, "outer"), axis_name="inner"),
                                   axis_name="outer")(A))


# ---- errors -------------------------------------------------------------------------------------
def test_mismatched_batch_sizes_names_shapes():
    with pytest.raises(ValueError, match=r"inconsistent sizes") as info:
        jaxlike.vmap(lambda a, b: a + b)(jnp.ones((3, 2)), jnp.ones((4, 2)))
    message = str(info.value)
    assert "(3, 2)" in message and "(4, 2)" in message and "argument a" in message and "argument b" in message
    with pytest.raises(ValueError, match="axis_size=5"):
        jaxlike.vmap(lambda a: a, axis_size=5)(jnp.ones(3))


def test_in_axes_not_matching_arguments():
    with pytest.raises(ValueError, match=r"len\(in_axes\)=3, len\(args\)=2"):
        jaxlike.vmap(lambda a, b: a + b, in_axes=(0, 0, 0))(A, A)
    with pytest.raises(ValueError, match="tree prefix"):
        jaxlike.vmap(lambda d: d["x"], in_axes=({"y": 0},))({"x": A})
    with pytest.raises(ValueError, match="rank should be at least 3"):
        jaxlike.vmap(lambda a: a, in_axes=2)(A)
    with pytest.raises(TypeError, match="in_axes"):
        jaxlike.vmap(lambda a: a, in_axes=1.0)
    with pytest.raises(ValueError, match="non-None"):
        jaxlike.vmap(lambda a: a, in_axes=None)(A)


def test_out_axes_out_of_range():
    with pytest.raises(ValueError, match="out_axes=3 is out of bounds"):
        jaxlike.vmap(lambda a: a, out_axes=3)(A)
    with pytest.raises(ValueError, match="out_axes=-3"):
        jaxlike.vmap(lambda a: a, out_axes=-3)(A)
    with pytest.raises(ValueError, match="out_axes is None"):
        jaxlike.vmap(lambda a: a, out_axes=None)(A)
