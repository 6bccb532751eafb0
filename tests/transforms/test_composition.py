"""Transforms composed in every order, and properties over small generated programs (hypothesis)."""
import types

import jax
import jax.numpy as jjnp
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import jaxlike
import jaxlike.numpy as jnp
from testing_utils import assert_same, check_grads

OURS = types.SimpleNamespace(J=jaxlike, np=jnp)
JAX = types.SimpleNamespace(J=jax, np=jjnp)

X3 = np.array([0.3, -1.2, 2.0], np.float32)
XS = np.array([[0.3, -1.2, 2.0], [1.1, 0.4, -0.6]], np.float32)


def f_scalar(m):
    return lambda x: m.np.sum(m.np.sin(x) * m.np.exp(x * 0.5) + x * x)


def f_pointwise(m):
    return lambda x: m.np.tanh(x) * x + 1.0


# ---- composition orders, against jax --------------------------------------------------------------
COMPOSITIONS = {
    "grad3": lambda m: m.J.grad(m.J.grad(m.J.grad(lambda x: m.np.sin(x) * m.np.exp(x))))(0.7),
    "jit_grad": lambda m: m.J.jit(m.J.grad(f_scalar(m)))(X3),
    "grad_jit": lambda m: m.J.grad(m.J.jit(f_scalar(m)))(X3),
    "grad_jit_grad_jit": lambda m: m.J.grad(m.J.jit(m.J.grad(m.J.jit(lambda x: m.np.cos(x) * x))))(0.4),
    "jvp_grad": lambda m: m.J.jvp(m.J.grad(f_scalar(m)), (X3,), (X3 * 2,)),
    "vmap_grad": lambda m: m.J.vmap(m.J.grad(f_scalar(m)))(XS),
    "grad_vmap": lambda m: m.J.grad(lambda xs: m.np.sum(m.J.vmap(f_scalar(m))(xs)))(XS),
    "grad_vmap_axis1": lambda m: m.J.grad(lambda xs: m.np.sum(m.J.vmap(f_pointwise(m), in_axes=1)(xs)))(XS),
    "jacfwd_jacrev": lambda m: m.J.jacfwd(m.J.jacrev(f_pointwise(m)))(X3),
    "jacrev_jacfwd": lambda m: m.J.jacrev(m.J.jacfwd(f_pointwise(m)))(X3),
    "jacrev_jacrev": lambda m: m.J.jacrev(m.J.jacrev(f_scalar(m)))(X3),
    "vmap_jit_grad": lambda m: m.J.vmap(m.J.jit(m.J.grad(f_scalar(m))))(XS),
    "jit_vmap_grad": lambda m: m.J.jit(m.J.vmap(m.J.grad(f_scalar(m))))(XS),
    "grad_jit_vmap": lambda m: m.J.grad(m.J.jit(lambda xs: m.np.sum(m.J.vmap(f_pointwise(m))(xs))))(XS),
    "hessian_jit": lambda m: m.J.hessian(m.J.jit(f_scalar(m)))(X3),
    "vmap_hessian": lambda m: m.J.vmap(m.J.hessian(f_scalar(m)))(XS),
    "vmap_jacrev": lambda m: m.J.vmap(m.J.jacrev(f_pointwise(m)), in_axes=1)(XS),
    "vmap_vmap_grad": lambda m: m.J.vmap(m.J.vmap(m.J.grad(lambda x: m.np.sin(x) * x)))(XS),
    "linearize_jit_grad": lambda m: m.J.linearize(m.J.jit(m.J.grad(f_scalar(m))), X3)[1](X3),
    "vjp_vmap": lambda m: m.J.vjp(m.J.vmap(f_pointwise(m)), XS)[1](XS),
    "jvp_vmap_jit": lambda m: m.J.jvp(m.J.vmap(m.J.jit(f_pointwise(m))), (XS,), (XS,)),
    "grad_of_jvp": lambda m: m.J.grad(lambda x: m.np.sum(m.J.jvp(f_pointwise(m), (x,), (x,))[1]))(X3),
}


HEAVY = ("vmap_hessian", "jacrev_jacfwd", "jacrev_jacrev")  # many eager compiles: run under jit by default


def oracle(program):
    """jax's result, computed under jax.jit (one compile rather than one per operation)."""
    return jax.jit(lambda: program(JAX))()


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in HEAVY else n for n in COMPOSITIONS])
def test_composition_matches_jax(name):
    program = COMPOSITIONS[name]
    assert_same(program(OURS), oracle(program), rtol=2e-5, atol=2e-5)


@pytest.mark.parametrize("name", HEAVY + ("grad3", "vmap_grad", "jvp_vmap_jit"))
def test_jit_of_composition_matches_jax(name):
    program = COMPOSITIONS[name]
    assert_same(jaxlike.jit(lambda: program(OURS))(), oracle(program), rtol=2e-5, atol=2e-5)


# ---- a small network: matrix products, parameter pytrees, per-example gradients --------------------
_rng = np.random.default_rng(0)
PARAMS = {"w1": _rng.standard_normal((4, 3)).astype(np.float32), "b1": _rng.standard_normal(4).astype(np.float32),
          "w2": _rng.standard_normal((2, 4)).astype(np.float32)}
BATCH = _rng.standard_normal((5, 3)).astype(np.float32)


def mlp(m):
    def predict(p, x):
        return m.np.dot(p["w2"], m.np.tanh(m.np.dot(p["w1"], x) + p["b1"]))
    return predict


def mlp_loss(m):
    return lambda p, xs: m.np.mean(m.J.vmap(lambda x: m.np.sum(mlp(m)(p, x) * mlp(m)(p, x)))(xs))


MLP_PROGRAMS = {
    "vmap_predict": lambda m: m.J.vmap(mlp(m), in_axes=(None, 0))(PARAMS, BATCH),
    "grad_loss": lambda m: m.J.value_and_grad(mlp_loss(m))(PARAMS, BATCH),
    "jit_grad_loss": lambda m: m.J.jit(m.J.grad(mlp_loss(m)))(PARAMS, BATCH),
    "per_example_grads": lambda m: m.J.vmap(m.J.grad(lambda p, x: m.np.sum(mlp(m)(p, x))),
                                            in_axes=(None, 0))(PARAMS, BATCH),
    "jacrev_params": lambda m: m.J.jacrev(mlp(m))(PARAMS, BATCH[0]),
    "jacfwd_input": lambda m: m.J.jacfwd(mlp(m), argnums=1)(PARAMS, BATCH[0]),
    "hessian_input": lambda m: m.J.hessian(lambda x: m.np.sum(mlp(m)(PARAMS, x)))(BATCH[0]),
}


@pytest.mark.parametrize("name", list(MLP_PROGRAMS))
def test_network_matches_jax(name):
    program = MLP_PROGRAMS[name]
    ours, expected = program(OURS), oracle(program)
    is_array = lambda x: isinstance(x, jaxlike.Array)
    assert jax.tree_util.tree_structure(ours, is_leaf=is_array) == jax.tree_util.tree_structure(expected)
    assert_same(ours, expected, rtol=1e-4, atol=1e-5)


# ---- generated programs ---------------------------------------------------------------------------
# Each step maps the running value h (and the input x) to a new h. SMOOTH steps are differentiable
# everywhere, so finite differences apply; the others add kinks and comparisons. No step grows |h| by
# much, so chains stay well conditioned and float32 comparisons stay meaningful.
SMOOTH = {
    "sin": lambda np_, h, x: np_.sin(h),
    "cos": lambda np_, h, x: np_.cos(h),
    "tanh": lambda np_, h, x: np_.tanh(h),
    "exp_tanh": lambda np_, h, x: np_.exp(np_.tanh(h)),
    "h_tanh_h": lambda np_, h, x: h * np_.tanh(h),
    "neg_scale": lambda np_, h, x: -h * 0.5 + 1.0,
    "sqrt1p": lambda np_, h, x: np_.sqrt(h * h + 1.0),
    "log1p_sq": lambda np_, h, x: np_.log(h * h + 1.0),
    "recip": lambda np_, h, x: 1.0 / (h * h + 1.0),
    "times_tanh_sum_x": lambda np_, h, x: h * np_.tanh(np_.sum(x)),
    "plus_mean_x": lambda np_, h, x: h + np_.mean(x),
    "sum_last": lambda np_, h, x: np_.sum(h, axis=-1) if h.ndim else h,
    "mean_first": lambda np_, h, x: np_.mean(h, axis=0) if h.ndim else h,
    "sum_all": lambda np_, h, x: np_.sum(h) * 0.25,
}
KINKED = {
    "abs": lambda np_, h, x: np_.abs(h),
    "relu": lambda np_, h, x: np_.maximum(h, 0.0),
    "clip": lambda np_, h, x: np_.minimum(np_.maximum(h, -1.0), 1.0),
    "where": lambda np_, h, x: np_.where(h > 0.2, h * 2.0, np_.sin(h)),
}
SHAPES = [(), (3,), (2, 3)]
EXAMPLES = max(8, settings.default.max_examples // 8)


@st.composite
def programs(draw, smooth_only=False):
    """(steps, input array): a short chain of steps over an input of a generated shape."""
    names = sorted(SMOOTH) if smooth_only else sorted(SMOOTH) + sorted(KINKED)
    steps = draw(st.lists(st.sampled_from(names), min_size=1, max_size=5))
    shape = draw(st.sampled_from(SHAPES))
    seed = draw(st.integers(0, 2 ** 16))
    x = np.random.default_rng(seed).uniform(-1.5, 1.5, shape).astype(np.float32)
    return steps, x


def build(steps, np_, scalar=False):
    """The generated function, written against `np_` (jaxlike.numpy or jax.numpy)."""
    table = {**SMOOTH, **KINKED}

    def f(x):
        h = x
        for name in steps:
            h = table[name](np_, h, x)
        return np_.sum(h) if scalar else h
    return f


@settings(max_examples=EXAMPLES)
@given(programs())
def test_jit_equals_eager_and_jax(program):
    steps, x = program
    f = build(steps, jnp)
    out = jaxlike.jit(f)(x)
    assert_same(out, f(x), rtol=1e-5, atol=1e-6)
    assert_same(out, jax.jit(build(steps, jjnp))(x), rtol=1e-5, atol=1e-6)


@settings(max_examples=EXAMPLES)
@given(programs(), st.sampled_from([0, 1]))
def test_vmap_equals_stacked_loop(program, in_axis):
    steps, x = program
    xs = np.stack([x, x * 0.5 - 0.25, -x], axis=in_axis if x.ndim >= in_axis else 0)
    in_axis = in_axis if x.ndim >= in_axis else 0
    f = build(steps, jnp)
    expected = np.stack([np.asarray(f(np.take(xs, i, axis=in_axis))) for i in range(3)])
    assert_same(jaxlike.vmap(f, in_axes=in_axis)(xs), expected, rtol=1e-5, atol=1e-5)


@settings(max_examples=EXAMPLES)
@given(programs())
def test_jacfwd_equals_jacrev(program):
    steps, x = program
    f = build(steps, jnp)
    assert_same(jaxlike.jacfwd(f)(x), jaxlike.jacrev(f)(x), rtol=1e-4, atol=1e-5)


@settings(max_examples=EXAMPLES)
@given(programs())
def test_grad_of_jit_equals_jit_of_grad(program):
    steps, x = program
    f = build(steps, jnp, scalar=True)
    ours = jaxlike.grad(jaxlike.jit(f))(x)
    assert_same(ours, jaxlike.jit(jaxlike.grad(f))(x), rtol=1e-5, atol=1e-5)
    assert_same(ours, jax.jit(jax.grad(build(steps, jjnp, scalar=True)))(x), rtol=1e-4, atol=1e-5)


@settings(max_examples=EXAMPLES)
@given(programs(), st.integers(0, 2 ** 16))
def test_vjp_is_adjoint_of_jvp(program, seed):
    steps, x = program
    f = build(steps, jnp)
    rng = np.random.default_rng(seed)
    v = rng.standard_normal(x.shape).astype(np.float32)
    y, jv = jaxlike.jvp(f, (x,), (v,))
    u = rng.standard_normal(np.shape(y)).astype(np.float32)
    (vjp_u,) = jaxlike.vjp(f, x)[1](u)
    lhs = float(np.vdot(np.asarray(vjp_u, np.float64), v.astype(np.float64)))
    rhs = float(np.vdot(u.astype(np.float64), np.asarray(jv, np.float64)))
    scale = 1.0 + float(np.abs(np.asarray(vjp_u)).sum() * np.abs(v).sum())
    assert abs(lhs - rhs) <= 1e-4 * scale, (lhs, rhs)


@settings(max_examples=max(6, EXAMPLES // 2))
@given(programs(smooth_only=True))
def test_derivatives_match_finite_differences(program):
    steps, x = program
    check_grads(build(steps, jnp), [x.astype(np.float64)], order=1, rtol=1e-4, atol=1e-5)


@pytest.mark.slow
@settings(max_examples=EXAMPLES)
@given(programs(smooth_only=True))
def test_second_derivatives_match_finite_differences(program):
    steps, x = program
    check_grads(build(steps, jnp), [x.astype(np.float64)], order=2, rtol=1e-4, atol=1e-5)
