"""custom_jvp and custom_vjp against JAX, under jit, vmap and higher-order differentiation."""
import jax
import jax.numpy as jjnp
import numpy as np
import pytest

import jaxlike
import jaxlike.numpy as jnp
from testing_utils import assert_same


def _make(lib, np_):
    @lib.custom_jvp
    def f(x, y):
        return np_.sin(x) * y

    @f.defjvp
    def f_jvp(primals, tangents):
        x, y = primals
        tx, ty = tangents
        return f(x, y), np_.cos(x) * 2.0 * tx * y + np_.sin(x) * ty  # deliberately not the true derivative

    @lib.custom_vjp
    def g(x):
        return np_.exp(x)

    def g_fwd(x):
        return g(x), (x,)

    def g_bwd(res, ct):
        (x,) = res
        return (ct * 3.0 * x,)  # deliberately not the true derivative

    g.defvjp(g_fwd, g_bwd)
    return f, g


OURS, THEIRS = _make(jaxlike, jnp), _make(jax, jjnp)

TRANSFORMS = {
    "grad": lambda lib, np_, h: lib.grad(lambda a: np_.sum(h(a))),
    "jit_grad": lambda lib, np_, h: lib.jit(lib.grad(lambda a: np_.sum(h(a)))),
    "grad_jit": lambda lib, np_, h: lib.grad(lib.jit(lambda a: np_.sum(h(a)))),
    "vmap_grad": lambda lib, np_, h: lib.vmap(lib.grad(h)),
    "grad_grad": lambda lib, np_, h: lib.vmap(lib.grad(lib.grad(h))),
    "jacrev": lambda lib, np_, h: lib.jacrev(h),
    "jit_vmap_grad": lambda lib, np_, h: lib.jit(lib.vmap(lib.grad(h))),
    "eager": lambda lib, np_, h: h,
}


@pytest.mark.parametrize("which", ["custom_jvp", "custom_vjp"])
@pytest.mark.parametrize("transform", sorted(TRANSFORMS))
def test_custom_rules_match_jax(which, transform):
    x = np.array([0.3, 1.1, -0.4], np.float32)
    index = 0 if which == "custom_jvp" else 1

    def fn(lib, np_, pair):
        h = (lambda a: pair[0](a, 2.0)) if index == 0 else pair[1]
        return TRANSFORMS[transform](lib, np_, h)
    assert_same(fn(jaxlike, jnp, OURS)(jnp.asarray(x)), fn(jax, jjnp, THEIRS)(jjnp.asarray(x)))


def test_custom_jvp_forward_mode_matches_jax():
    x, t = np.array([0.5, 2.0], np.float32), np.ones(2, np.float32)
    ours = jaxlike.jvp(lambda a: OURS[0](a, 3.0), (jnp.asarray(x),), (jnp.asarray(t),))
    theirs = jax.jvp(lambda a: THEIRS[0](a, 3.0), (x,), (t,))
    assert_same(ours, theirs)


def test_custom_vjp_rejects_forward_mode():
    with pytest.raises(TypeError, match="forward-mode"):
        jaxlike.jvp(OURS[1], (jnp.ones(2),), (jnp.ones(2),))


def test_defjvps_and_nondiff_argnums():
    def build(lib, np_):
        def scale(k, x):
            return x * k

        f = lib.custom_jvp(scale, nondiff_argnums=(0,))
        f.defjvp(lambda k, primals, tangents: (f(k, primals[0]), tangents[0] * k * 10.0))
        h = lib.custom_jvp(lambda x: np_.sin(x))
        h.defjvps(lambda t, ans, x: np_.cos(x) * t * 2.0)
        return f, h

    (f, h), (jf, jh) = build(jaxlike, jnp), build(jax, jjnp)
    assert_same(jaxlike.grad(lambda x: f(3.0, x))(2.0), jax.grad(lambda x: jf(3.0, x))(2.0))
    assert_same(jaxlike.grad(h)(0.7), jax.grad(jh)(0.7))


def test_custom_vjp_with_pytree_and_none_cotangent():
    def build(lib, np_):
        @lib.custom_vjp
        def f(d, w):
            return d["a"] * w + d["b"]

        f.defvjp(lambda d, w: (f(d, w), (d, w)),
                 lambda res, ct: ({"a": ct * res[1] * 2.0, "b": ct}, None))
        return f

    f, jf = build(jaxlike, jnp), build(jax, jjnp)
    d = {"a": np.float32(1.5), "b": np.float32(2.0)}
    ours = jaxlike.grad(lambda d, w: f(d, w), argnums=(0, 1))(d, np.float32(3.0))
    theirs = jax.grad(lambda d, w: jf(d, w), argnums=(0, 1))(d, np.float32(3.0))
    assert_same(ours, theirs)


def test_custom_function_closing_over_tracer_is_a_clear_error():
    def outer(y):
        @jaxlike.custom_jvp
        def f(x):
            return x * y

        f.defjvp(lambda p, t: (f(p[0]), t[0]))
        return f(2.0)

    with pytest.raises(TypeError, match="closes over"):
        jaxlike.grad(outer)(1.0)
