"""pure_callback, debug.print and debug.callback inside jit, vmap and grad, compared with JAX."""
import jax
import jax.numpy as jjnp
import numpy as np
import pytest

import jaxlike
import jaxlike.numpy as jnp
from testing_utils import assert_same


def _printing(lib, np_):
    def f(x):
        lib.debug.print("x = {}", x)
        return np_.sin(x)
    return f


@pytest.mark.parametrize("transform", ["eager", "jit", "vmap", "jit_vmap", "grad", "jit_grad"])
def test_debug_print_matches_jax_output(transform, capsys):
    wrappers = {
        "eager": lambda lib, f: f, "jit": lambda lib, f: lib.jit(f), "vmap": lambda lib, f: lib.vmap(f),
        "jit_vmap": lambda lib, f: lib.jit(lib.vmap(f)),
        "grad": lambda lib, f: lib.vmap(lib.grad(f)), "jit_grad": lambda lib, f: lib.jit(lib.vmap(lib.grad(f))),
    }
    x = np.array([1.0, 2.5, -3.0], np.float32)
    ours = wrappers[transform](jaxlike, _printing(jaxlike, jnp))(jnp.asarray(x))
    ours_out = capsys.readouterr().out
    theirs = wrappers[transform](jax, _printing(jax, jjnp))(x)
    jax.effects_barrier()
    theirs_out = capsys.readouterr().out
    assert_same(ours, theirs)
    assert sorted(ours_out.splitlines()) == sorted(theirs_out.splitlines())
    assert ours_out.strip()


def test_debug_callback_receives_numpy_values():
    seen = []
    jaxlike.jit(lambda x: jaxlike.debug.callback(lambda v: seen.append(v), x * 2))(jnp.arange(3.0))
    assert len(seen) == 1 and isinstance(seen[0], np.ndarray)
    np.testing.assert_array_equal(seen[0], [0.0, 2.0, 4.0])


@pytest.mark.parametrize("vmap_method", ["sequential", "expand_dims", "broadcast_all"])
def test_pure_callback_jit_and_vmap(vmap_method):
    def f(lib, np_, x):
        return lib.pure_callback(lambda a: np.cos(a) * 3, lib.ShapeDtypeStruct(x.shape, x.dtype), x,
                                 vmap_method=vmap_method) + 1

    xs = np.linspace(0, 1, 6, dtype=np.float32).reshape(2, 3)
    ours = jaxlike.jit(jaxlike.vmap(lambda x: f(jaxlike, jnp, x)))(jnp.asarray(xs))
    theirs = jax.jit(jax.vmap(lambda x: f(jax, jjnp, x)))(xs)
    assert_same(ours, theirs)


def test_pure_callback_checks_declared_shapes():
    bad = jaxlike.jit(lambda x: jaxlike.pure_callback(lambda a: np.zeros(5, np.float32),
                                                      jaxlike.ShapeDtypeStruct((3,), np.float32), x))
    with pytest.raises(Exception, match="declared"):
        np.asarray(bad(jnp.ones(3)))


def test_pure_callback_is_not_differentiable_without_custom_rule():
    f = lambda x: jaxlike.pure_callback(np.sin, jaxlike.ShapeDtypeStruct((), np.float32), x)
    with pytest.raises(ValueError, match="custom_jvp"):
        jaxlike.grad(f)(1.0)


def test_named_call_shows_in_jaxpr_and_keeps_values():
    g = jaxlike.named_call(lambda x: jnp.sin(x) * 2.0, name="my_block")
    text = str(jaxlike.make_jaxpr(g)(1.0))
    assert "my_block" in text and "closed_call" in text
    assert_same(jaxlike.jit(jaxlike.grad(g))(0.5), jax.grad(lambda x: jjnp.sin(x) * 2.0)(0.5))
