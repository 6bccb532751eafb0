"""Control flow (cond, switch, while_loop, fori_loop, scan, map, associative_scan) against jax:
values, shapes and dtypes eagerly and under jit, grad (to second order where JAX supports it),
vmap with batched and unbatched predicates/carries/xs, their compositions, and the errors."""
import types

import jax
import jax.numpy as jjnp
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import jaxlike
import jaxlike.numpy as jnp
from jaxlike import lax
from testing_utils import assert_same, check_grads

OURS = types.SimpleNamespace(J=jaxlike, np=jnp, lax=jaxlike.lax)
JAX = types.SimpleNamespace(J=jax, np=jjnp, lax=jax.lax)

RNG = np.random.default_rng(0)
X3 = np.array([0.3, -1.2, 2.0], np.float32)
XS = RNG.normal(size=(5, 3)).astype(np.float32)
BATCH = RNG.normal(size=(2, 3)).astype(np.float32)
W = (RNG.normal(size=(3, 3)) * 0.5).astype(np.float32)


def same_as_jax(program, *args, jit=False, **kw):
    """program(m)(*args) agrees for m = jaxlike and m = jax (values, shapes, dtypes); the oracle runs jitted."""
    ours = program(OURS)
    if jit:
        ours = jaxlike.jit(ours)
    assert_same(ours(*args), jax.jit(program(JAX))(*args), **kw)


def matvec(m, a, v):
    """a @ v written with broadcasting and a sum (no dot needed)."""
    return m.np.sum(a * m.lax.broadcast_in_dim(v, a.shape, (1,)), axis=1)


# ---- programs: x of shape (3,) -> scalar, written once for both libraries ------------------------------
def cond_program(m):
    def f(x):
        return m.np.sum(m.lax.cond(m.np.sum(x) > 0, lambda y: m.np.sin(y) * 2.0, lambda y: y * y, x))
    return f


def cond_pytree_program(m):
    def f(x):
        def yes(a, b):
            return a * b, {"s": m.np.sin(a), "n": 3}
        def no(a, b):
            return a + b, {"s": m.np.cos(b) * x, "n": 4}
        pair, tree = m.lax.cond(m.np.sum(x * x) > 2.0, yes, no, x, 2.0 * x)
        return m.np.sum(pair) + m.np.sum(tree["s"]) * tree["n"]
    return f


def switch_program(m):
    def f(x):
        s = m.np.sum(x)
        index = m.lax.convert_element_type(s > -1.0, np.int32) + m.lax.convert_element_type(s > 1.0, np.int32)
        branches = [lambda y: y * 3.0, lambda y: m.np.sin(y), lambda y: m.np.exp(y * 0.5) * W[0]]
        return m.np.sum(m.lax.switch(index, branches, x))
    return f


def scan_program(m):
    def f(x):
        carry, ys = m.lax.scan(lambda c, xi: (m.np.sin(c) * xi + c, c * xi), x * 0.5, XS * x)
        return m.np.sum(carry) + m.np.sum(ys)
    return f


def scan_pytree_program(m):
    """Pytree carry and xs, reverse, unroll, a closed-over constant and a closed-over traced value."""
    def f(x):
        def body(c, xs_t):
            a, b = xs_t
            new = {"h": m.np.tanh(matvec(m, W, c["h"]) + a * x), "n": c["n"] + b}
            return new, (new["h"] * c["n"], b)
        init = {"h": x, "n": m.np.float32(1.0)}
        carry, (ys, bs) = m.lax.scan(body, init, (XS, XS[:, 0]), reverse=True, unroll=2)
        return m.np.sum(carry["h"]) + carry["n"] + m.np.sum(ys) + m.np.sum(bs)
    return f


def scan_xs_none_program(m):
    def f(x):
        carry, ys = m.lax.scan(lambda c, _: (c * 0.9 + m.np.tanh(c), m.np.cos(c)), x, None, length=4)
        return m.np.sum(carry) + m.np.sum(ys)
    return f


def fori_program(m):
    def f(x):
        return m.np.sum(m.lax.fori_loop(0, 4, lambda i, c: c * m.np.cos(c) + x * i, x))
    return f


def map_program(m):
    def f(x):
        return m.np.sum(m.lax.map(lambda row: m.np.sin(row) * x, XS)) + m.np.sum(
            m.lax.map(lambda v: v * v, x, batch_size=2))
    return f


DIFFERENTIABLE = [cond_program, cond_pytree_program, switch_program, scan_program, scan_pytree_program,
                  scan_xs_none_program, fori_program, map_program]

TRANSFORMS = {
    "eager": lambda J, f: f,
    "jit": lambda J, f: J.jit(f),
    "grad": lambda J, f: J.grad(f),
    "jit_grad": lambda J, f: J.jit(J.grad(f)),
    "grad_jit": lambda J, f: J.grad(J.jit(f)),
    "vmap": lambda J, f: J.vmap(f),
    "vmap_jit": lambda J, f: J.vmap(J.jit(f)),
    "jit_vmap_grad": lambda J, f: J.jit(J.vmap(J.grad(f))),
}


# Each program runs under the transforms listed for it; the rest of the matrix is marked slow.
FAST_TRANSFORMS = {
    "cond": ["eager", "jit", "grad", "grad_jit", "vmap", "jit_vmap_grad"],
    "cond_pytree": ["jit", "grad", "vmap_jit"],
    "switch": ["eager", "jit_grad", "vmap"],
    "scan": ["eager", "jit", "grad", "grad_jit", "vmap", "jit_vmap_grad"],
    "scan_pytree": ["jit", "jit_grad", "vmap"],
    "scan_xs_none": ["jit", "grad", "vmap_jit"],
    "fori": ["eager", "jit_grad", "vmap"],
    "map": ["jit", "grad_jit", "vmap"],
}
FAST_FINITE_DIFFERENCES = {"cond", "scan", "fori"}
FAST_SECOND_ORDER = {"cond", "scan"}


def program_name(program):
    return program.__name__.replace("_program", "")


def matrix():
    for program in DIFFERENTIABLE:
        for transform in TRANSFORMS:
            marks = () if transform in FAST_TRANSFORMS[program_name(program)] else (pytest.mark.slow,)
            yield pytest.param(program, transform, marks=marks, id=f"{program_name(program)}-{transform}")


def programs(fast, among=DIFFERENTIABLE):
    return [pytest.param(p, marks=() if program_name(p) in fast else (pytest.mark.slow,), id=program_name(p))
            for p in among]


@pytest.mark.parametrize("program, transform", matrix())
def test_program_under_transforms(program, transform):
    x = BATCH if transform.startswith(("vmap", "jit_vmap")) else X3
    same_as_jax(lambda m: TRANSFORMS[transform](m.J, program(m)), x, rtol=2e-5, atol=2e-5)


@pytest.mark.parametrize("program", programs(FAST_SECOND_ORDER, [cond_program, switch_program, scan_program,
                                                                   fori_program]))
def test_second_order_matches_jax(program):
    same_as_jax(lambda m: m.J.jit(m.J.hessian(program(m))), X3, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("program", programs(FAST_FINITE_DIFFERENCES))
def test_derivatives_match_finite_differences(program):
    check_grads(program(OURS), [X3.astype(np.float64)], order=2, rtol=1e-4, atol=1e-4)


# ---- cond and switch --------------------------------------------------------------------------------
@pytest.mark.parametrize("pred", [True, False, 0, 3, np.float32(0.5), np.bool_(False)])
def test_cond_predicate_kinds(pred):
    same_as_jax(lambda m: lambda: m.lax.cond(pred, lambda: m.np.float32(1.0), lambda: m.np.float32(2.0)))


def test_cond_weak_types_join_like_jax():
    both_weak = lax.cond(True, lambda: 1.0, lambda: 2.0)
    one_strong = lax.cond(True, lambda: 1.0, lambda: jnp.float32(2.0))
    assert both_weak.weak_type and not one_strong.weak_type
    assert_same(one_strong, jax.lax.cond(True, lambda: 1.0, lambda: jjnp.float32(2.0)))


def test_cond_mixed_dtypes_and_integer_operands_under_grad():
    def program(m):
        def f(x):
            n = m.np.int32(3)
            out, k = m.lax.cond(x > 0, lambda a, i: (a * i, i + 1), lambda a, i: (a - i, i * 2), x, n)
            return out * k
        return f
    for x in (np.float32(0.7), np.float32(-0.7)):
        same_as_jax(lambda m: m.J.grad(program(m)), x, jit=True)


@pytest.mark.parametrize("index", [-5, 0, 1, 2, 9])
def test_switch_clamps_index(index):
    def program(m):
        return lambda x: m.lax.switch(index, [lambda v: v + 1.0, lambda v: v * 2.0, lambda v: -v], x)
    same_as_jax(program, X3, jit=True)


def test_switch_with_one_branch_calls_it():
    assert_same(lax.switch(4, [lambda v: v * 2.0], X3), X3 * 2.0)


def test_cond_closes_over_outer_jvp_tracer():
    def program(m):
        def f(y):
            return m.lax.cond(y > 0, lambda: m.np.sin(y) * X3, lambda: y * X3)
        return lambda y: m.J.jvp(f, (y,), (m.np.float32(1.0),))
    same_as_jax(program, np.float32(0.4))
    same_as_jax(program, np.float32(-0.4))


@pytest.mark.parametrize("pred_axis", [0, None])
def test_vmap_cond_batched_and_unbatched_predicate(pred_axis):
    preds = np.array([True, False])

    def program(m):
        def f(p, x):
            return m.lax.cond(p, lambda v: (m.np.sin(v), v * 2.0), lambda v: (v * v, v), x)
        return m.J.vmap(f, in_axes=(pred_axis, 0))
    same_as_jax(program, preds if pred_axis == 0 else np.bool_(True), BATCH)


def test_vmap_switch_batched_index_and_unbatched_operands():
    def program(m):
        branches = [lambda v: v + 1.0, lambda v: v * 2.0, lambda v: -v]
        return m.J.vmap(lambda i: m.lax.switch(i, branches, X3))
    same_as_jax(program, np.array([0, 2, 1, 7], np.int32))


def test_eager_cond_runs_through_the_compiled_primitive():
    out = lax.cond(jnp.asarray(True), lambda x: x + 1.0, lambda x: x - 1.0, jnp.asarray(X3))
    assert isinstance(out, jaxlike.Array)
    assert_same(out, X3 + 1.0)


def test_cond_lowers_to_case():
    text = jaxlike.jit(cond_program(OURS)).lower(X3).as_text()
    assert "stablehlo.case" in text


# ---- while_loop and fori_loop -------------------------------------------------------------------------
def while_program(m):
    def f(x):
        def body(state):
            i, h = state
            return i + 1, m.np.sin(h) * 1.5 + x
        return m.np.sum(m.lax.while_loop(lambda s: s[0] < 5, body, (0, x))[1])
    return f


def test_while_loop_values_and_jvp():
    same_as_jax(while_program, X3)
    same_as_jax(while_program, X3, jit=True)
    same_as_jax(lambda m: lambda x: m.J.jvp(while_program(m), (x,), (m.np.ones(3, np.float32),)), X3)
    same_as_jax(lambda m: m.J.jit(m.J.jacfwd(while_program(m))), X3)


def test_while_loop_forward_derivatives_match_finite_differences():
    check_grads(while_program(OURS), [X3.astype(np.float64)], order=2, modes=("fwd",), rtol=1e-4, atol=1e-4)


def test_while_loop_linearize_works_forward():
    primal, f_jvp = jaxlike.linearize(while_program(OURS), X3)
    expected_primal, expected_jvp = jax.linearize(while_program(JAX), X3)
    t = np.ones(3, np.float32)
    assert_same(primal, expected_primal)
    assert_same(f_jvp(t), expected_jvp(t), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("transform", [jaxlike.grad, lambda f: jaxlike.jit(jaxlike.grad(f)), jaxlike.jacrev],
                         ids=["grad", "jit_grad", "jacrev"])
def test_while_loop_reverse_mode_raises_jax_error(transform):
    with pytest.raises(ValueError, match="Reverse-mode differentiation does not work for lax.while_loop"):
        transform(while_program(OURS))(X3)


def test_fori_loop_with_traced_bounds_reverse_mode_raises():
    f = jaxlike.jit(jaxlike.grad(lambda x, n: jnp.sum(lax.fori_loop(0, n, lambda i, c: c * x, x))))
    with pytest.raises(ValueError, match="scan, or using fori_loop with static start/stop"):
        f(X3, 3)


def test_fori_loop_static_bounds_is_a_scan_traced_bounds_a_while():
    static = str(jaxlike.make_jaxpr(lambda x: lax.fori_loop(0, 3, lambda i, c: c + i, x))(X3))
    traced = str(jaxlike.make_jaxpr(lambda x, n: lax.fori_loop(0, n, lambda i, c: c + i, x))(X3, 3))
    assert "scan[" in static and "while[" not in static
    assert "while[" in traced


@pytest.mark.parametrize("bounds", [(0, 5), (2, 6), (4, 1), (3, 3)])
def test_fori_loop_values(bounds):
    lo, hi = bounds
    same_as_jax(lambda m: lambda x: m.lax.fori_loop(lo, hi, lambda i, c: c * 1.5 + i, x), X3)
    same_as_jax(lambda m: lambda x, n: m.lax.fori_loop(lo, n, lambda i, c: c * 1.5 + i, x), X3, np.int32(hi),
                jit=True)


def test_fori_loop_integer_carry_and_weak_index():
    same_as_jax(lambda m: lambda: m.lax.fori_loop(0, 4, lambda i, c: c + i, 0))
    same_as_jax(lambda m: lambda: m.lax.fori_loop(0, 3, lambda i, c: c + i, 0.0))


def test_while_loop_promotes_weak_carry_like_jax():
    same_as_jax(lambda m: lambda: m.lax.while_loop(lambda c: c < 3, lambda c: c + 1.0, 0))
    same_as_jax(lambda m: lambda: m.lax.while_loop(lambda c: c < 3, lambda c: c + 1, 0.0))


def test_while_loop_closes_over_constants_and_tracers():
    def program(m):
        def f(x):
            def body(c):
                return c[0] + 1, c[1] * x + W[0]
            return m.lax.while_loop(lambda c: c[0] < m.np.int32(3), body, (m.np.int32(0), x))[1]
        return lambda x: m.J.jvp(f, (x,), (m.np.ones(3, np.float32),))
    same_as_jax(program, X3)


@pytest.mark.parametrize("case", ["batched_predicate", "unbatched_predicate", "batched_const_in_cond"])
def test_vmap_while_loop(case):
    if case == "batched_predicate":  # members finish after different numbers of steps
        def program(m):
            return m.J.vmap(lambda n, x: m.lax.while_loop(lambda c: c[0] < n, lambda c: (c[0] + 1, c[1] * 2.0 + 1.0),
                                                          (0, x)))
        same_as_jax(program, np.array([0, 3, 1], np.int32), X3)
    elif case == "unbatched_predicate":
        def program(m):
            return m.J.vmap(lambda x: m.lax.while_loop(lambda c: c[0] < 4, lambda c: (c[0] + 1, m.np.sin(c[1])),
                                                       (0, x)))
        same_as_jax(program, BATCH)
    else:
        def program(m):
            def f(limit):
                return m.lax.while_loop(lambda c: c < limit, lambda c: c * 1.5 + 0.5, 1.0)
            return m.J.jit(m.J.vmap(f))
        same_as_jax(program, np.array([2.0, 10.0, -1.0], np.float32))


def test_vmap_of_jvp_of_while_loop():
    def program(m):
        def f(x):
            return m.J.jvp(while_program(m), (x,), (m.np.ones(3, np.float32),))[1]
        return m.J.vmap(f)
    same_as_jax(program, BATCH, rtol=1e-5, atol=1e-5)


def test_while_lowers_to_while():
    assert "stablehlo.while" in jaxlike.jit(while_program(OURS)).lower(X3).as_text()


# ---- scan ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("reverse, unroll", [
    (False, 1), (True, 2), (False, 3), (True, True),
    *[pytest.param(r, u, marks=pytest.mark.slow) for r, u in [(True, 1), (False, 2), (True, 3), (False, True)]]])
def test_scan_reverse_and_unroll(reverse, unroll):
    def program(m):
        return lambda xs: m.lax.scan(lambda c, x: (c * 0.5 + x, (c, x * 2.0)), m.np.zeros(3, np.float32), xs,
                                     reverse=reverse, unroll=unroll)
    same_as_jax(program, XS, jit=True)


_jitted_scan = jaxlike.jit(lambda init, xs, reverse, unroll: lax.scan(
    lambda c, x: (c * 0.5 + x, c - x), init, xs, reverse=reverse, unroll=unroll), static_argnums=(2, 3))


@settings(max_examples=15)
@given(length=st.integers(0, 4), width=st.integers(1, 2), reverse=st.booleans(), unroll=st.integers(1, 3),
       seed=st.integers(0, 2 ** 16))
def test_scan_matches_a_python_loop(length, width, reverse, unroll, seed):
    rng = np.random.default_rng(seed)
    init, xs = rng.normal(size=width).astype(np.float32), rng.normal(size=(length, width)).astype(np.float32)
    carry, ys = init, [None] * length
    for t in (reversed(range(length)) if reverse else range(length)):
        carry, ys[t] = carry * np.float32(0.5) + xs[t], carry - xs[t]
    out_carry, out_ys = _jitted_scan(init, xs, reverse, unroll)
    np.testing.assert_allclose(out_carry, carry, rtol=1e-6)
    np.testing.assert_allclose(out_ys, np.stack(ys) if ys else np.zeros((0, width), np.float32), rtol=1e-6)


def test_scan_eager_pytrees_and_integer_carry():
    def program(m):
        def body(c, x):
            count, acc = c
            return (count + 1, acc + x["a"] * x["b"]), {"acc": acc, "count": count}
        return lambda xs: m.lax.scan(body, (0, m.np.zeros(3, np.float32)), {"a": xs, "b": xs + 1.0})
    same_as_jax(program, XS)


def test_scan_length_zero_and_no_ys():
    same_as_jax(lambda m: lambda xs: m.lax.scan(lambda c, x: (c + x, None), m.np.zeros(3, np.float32), xs),
                XS[:0], jit=True)
    same_as_jax(lambda m: lambda: m.lax.scan(lambda c, _: (c + 1, c), 0, None, length=0))


def test_scan_promotes_weak_carry_like_jax():
    same_as_jax(lambda m: lambda xs: m.lax.scan(lambda c, x: (c + x, None), 0, xs)[0], XS[:, 0])
    same_as_jax(lambda m: lambda xs: m.lax.scan(lambda c, x: (c + x, None), 0.0, xs)[0], XS[:, 0])


def test_scan_closes_over_outer_grad_tracer():
    def program(m):
        def f(w):
            carry, _ = m.lax.scan(lambda c, x: (m.np.tanh(c * w + x), None), m.np.zeros(3, np.float32), XS)
            return m.np.sum(carry)
        return m.J.grad(f)
    same_as_jax(program, np.float32(0.7))


def test_scan_closes_over_outer_jvp_tracer_with_inner_grad():
    def program(m):
        def outer(w):
            inner = m.J.grad(lambda x: m.np.sum(m.lax.scan(lambda c, xi: (c * w + m.np.sin(xi * x), c), x, XS)[1]))
            return m.np.sum(inner(X3))
        return lambda w: m.J.jvp(outer, (w,), (m.np.float32(1.0),))
    same_as_jax(program, np.float32(0.6), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("batched", ["xs", "init", "consts", "xs_axis1", "carry_becomes_batched"])
def test_vmap_scan(batched):
    def body(m, w):
        return lambda c, x: (c * w + m.np.sin(x), c * x)
    if batched == "xs":
        same_as_jax(lambda m: m.J.vmap(lambda xs: m.lax.scan(body(m, 0.5), m.np.zeros(3, np.float32), xs)),
                    np.stack([XS, XS * 2.0]))
    elif batched == "init":
        same_as_jax(lambda m: m.J.vmap(lambda c: m.lax.scan(body(m, 0.5), c, XS)), BATCH)
    elif batched == "consts":
        same_as_jax(lambda m: m.J.vmap(lambda w: m.lax.scan(body(m, w), m.np.zeros(3, np.float32), XS)),
                    np.array([0.5, -1.0], np.float32))
    elif batched == "xs_axis1":
        same_as_jax(lambda m: m.J.vmap(lambda xs: m.lax.scan(body(m, 0.5), m.np.zeros(3, np.float32), xs),
                                       in_axes=1), np.stack([XS, XS * 2.0], axis=1))
    else:  # the carry starts unbatched and picks up the batch from xs
        same_as_jax(lambda m: m.J.jit(m.J.vmap(lambda x: m.lax.scan(body(m, 0.5), m.np.float32(0.0), x))),
                    XS.T)


def test_jacfwd_equals_jacrev_through_scan():
    f = scan_pytree_program(OURS)
    assert_same(jaxlike.jit(jaxlike.jacfwd(f))(X3), jaxlike.jit(jaxlike.jacrev(f))(X3), rtol=1e-5, atol=1e-5)


def test_linearize_of_scan():
    primal, f_jvp = jaxlike.linearize(scan_program(OURS), X3)
    expected_primal, expected_jvp = jax.linearize(scan_program(JAX), X3)
    assert_same(primal, expected_primal)
    assert_same(f_jvp(X3), expected_jvp(X3), rtol=1e-5, atol=1e-5)


def test_scan_lowers_to_while_with_dynamic_slices():
    text = jaxlike.jit(scan_program(OURS)).lower(X3).as_text()
    assert "stablehlo.while" in text and "stablehlo.dynamic_slice" in text
    assert "stablehlo.dynamic_update_slice" in text


def test_scan_residuals_of_loop_invariant_values_are_not_stacked():
    """grad of a scan whose body multiplies by a constant matrix: W is passed to the linear scan once."""
    def loss(h0):
        carry, _ = lax.scan(lambda h, x: (jnp.tanh(matvec(OURS, W, h) + x), None), h0, XS)
        return jnp.sum(carry)
    jaxpr = str(jaxlike.make_jaxpr(jaxlike.grad(loss))(X3))
    assert "f32[5,3,3]" not in jaxpr and "f32[5,3]" in jaxpr


def rnn_loss(m, params, xs, target):
    w_h, w_x, b = params

    def step(h, x):
        h = m.np.tanh(matvec(m, w_h, h) + matvec(m, w_x, x) + b)
        return h, m.np.sum(h * h)

    h, energies = m.lax.scan(step, m.np.zeros(w_h.shape[0], np.float32), xs)
    return m.np.sum((h - target) ** 2) + 1e-3 * m.np.sum(energies)


def test_rnn_of_100_steps_jit_grad_matches_jax():
    rng = np.random.default_rng(1)
    params = ((rng.normal(size=(8, 8)) * 0.3).astype(np.float32), (rng.normal(size=(8, 4)) * 0.3).astype(np.float32),
              (rng.normal(size=8) * 0.1).astype(np.float32))
    xs = rng.normal(size=(100, 4)).astype(np.float32)
    target = rng.normal(size=8).astype(np.float32)
    ours = jaxlike.jit(jaxlike.value_and_grad(lambda p: rnn_loss(OURS, p, xs, target)))(params)
    expected = jax.jit(jax.value_and_grad(lambda p: rnn_loss(JAX, p, xs, target)))(params)
    assert_same(ours, expected, rtol=1e-4, atol=1e-5)


# ---- nesting ---------------------------------------------------------------------------------------
def nested_program(m):
    """A scan whose body holds a cond and a static fori_loop, inside a cond."""
    def f(x):
        def body(c, xi):
            c = m.lax.cond(m.np.sum(xi) > 0, lambda v: v * m.np.cos(xi), lambda v: v + m.np.sin(xi) * 0.5, c)
            c = m.lax.fori_loop(0, 2, lambda i, v: m.np.tanh(v) + xi * 0.1, c)
            return c, m.np.sum(c * xi)
        def run(v):
            carry, ys = m.lax.scan(body, v, XS)
            return m.np.sum(carry) + m.np.sum(ys)
        return m.lax.cond(m.np.sum(x) > -10.0, run, lambda v: m.np.sum(v), x)
    return f


@pytest.mark.parametrize("transform", ["jit", "jit_grad", "jit_vmap_grad"])
def test_nested_control_flow(transform):
    x = BATCH if "vmap" in transform else X3
    same_as_jax(lambda m: TRANSFORMS[transform](m.J, nested_program(m)), x, rtol=1e-4, atol=1e-5)


def test_while_loop_inside_scan_under_jvp_and_vmap():
    def program(m):
        def f(x):
            def body(c, xi):
                _, v = m.lax.while_loop(lambda s: s[0] < 3, lambda s: (s[0] + 1, m.np.sin(s[1]) + xi), (0, c))
                return v, v * 2.0
            return m.lax.scan(body, x, XS)
        return m.J.jit(m.J.vmap(lambda x: m.J.jvp(f, (x,), (m.np.ones(3, np.float32),))))
    same_as_jax(program, BATCH, rtol=1e-5, atol=1e-5)


def test_collective_inside_scan_under_named_vmap():
    def program(m):
        def f(x):
            return m.lax.scan(lambda c, xi: (c + m.lax.psum(xi * x, "i"), c), m.np.float32(0.0), XS[:, 0])
        return m.J.vmap(f, axis_name="i")
    same_as_jax(program, X3)


# ---- map and associative_scan -------------------------------------------------------------------------
@pytest.mark.parametrize("batch_size", [None, 1, 2, 5, 7])
def test_map_with_batch_size(batch_size):
    def program(m):
        return lambda xs: m.lax.map(lambda row: {"s": m.np.sum(row), "r": row * 2.0}, xs, batch_size=batch_size)
    same_as_jax(program, XS, jit=True)


def test_vmap_of_map():
    same_as_jax(lambda m: m.J.vmap(lambda xs: m.lax.map(lambda r: m.np.sin(r) * r, xs)), np.stack([XS, XS + 1.0]))


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("axis", [0, 1])
def test_associative_scan(reverse, axis):
    elems = RNG.normal(size=(5, 6)).astype(np.float32)
    same_as_jax(lambda m: lambda e: m.lax.associative_scan(m.np.add, e, reverse=reverse, axis=axis), elems,
                jit=True, rtol=1e-5, atol=1e-5)


def test_associative_scan_pytree_grad_and_vmap():
    def affine(a, b):  # composition of x -> a*x + b maps: associative
        return a[0] * b[0], a[1] * b[0] + b[1]

    def program(m):
        def f(e):
            out = m.lax.associative_scan(affine, (e, e * 0.5 + 1.0))
            return m.np.sum(out[1])
        return f
    elems = RNG.normal(size=7).astype(np.float32)
    same_as_jax(program, elems, jit=True, rtol=1e-5, atol=1e-5)
    same_as_jax(lambda m: m.J.grad(program(m)), elems, jit=True, rtol=1e-5, atol=1e-5)
    same_as_jax(lambda m: m.J.vmap(program(m)), np.stack([elems, elems * 2.0]), jit=True, rtol=1e-5, atol=1e-5)


# ---- errors -------------------------------------------------------------------------------------------
THIS_FILE = "test_control_flow.py"


def test_cond_branch_output_types_differ():
    with pytest.raises(TypeError, match="float32\\[\\].*int32\\[\\]") as info:
        lax.cond(True, lambda x: x, lambda x: lax.convert_element_type(x, np.int32), jnp.float32(1.0))
    assert "true_fun" in str(info.value) and "false_fun" in str(info.value) and THIS_FILE in str(info.value)


def test_cond_branch_output_shapes_and_structures_differ():
    with pytest.raises(TypeError, match="shapes do not match") as info:
        lax.cond(True, lambda x: x, lambda x: lax.broadcast_in_dim(x, (1,), ()), jnp.float32(1.0))
    assert THIS_FILE in str(info.value)
    with pytest.raises(TypeError, match="same pytree structure"):
        lax.cond(True, lambda x: (x, x), lambda x: x, jnp.float32(1.0))
    with pytest.raises(TypeError, match="branches\\[0\\].*branches\\[1\\]"):
        lax.switch(0, [lambda: 1.0, lambda: (1.0, 2.0)])


@pytest.mark.parametrize("pred, message", [
    (np.array([True, False]), "Pred must be a scalar"),
    ([True], "Pred must be a scalar"),
    (np.complex64(1), "Pred type must be either boolean or number"),
    (None, "cond predicate is None"),
])
def test_cond_predicate_errors(pred, message):
    with pytest.raises(TypeError, match=message) as info:
        lax.cond(pred, lambda: 1.0, lambda: 2.0)
    assert THIS_FILE in str(info.value)


def test_cond_traced_non_scalar_predicate_under_jit():
    with pytest.raises(TypeError, match="Pred must be a scalar"):
        jaxlike.jit(lambda x: lax.cond(x > 0, lambda: 1.0, lambda: 2.0))(X3)


def test_switch_index_errors():
    with pytest.raises(TypeError, match="Index type must be an integer"):
        lax.switch(1.0, [lambda: 1.0, lambda: 2.0])
    with pytest.raises(TypeError, match="Branch index must be scalar"):
        lax.switch(np.ones(2, np.int32), [lambda: 1.0, lambda: 2.0])
    with pytest.raises(ValueError, match="Empty branch sequence"):
        lax.switch(0, [])


def test_scan_carry_type_changes():
    with pytest.raises(TypeError, match="input carry c has type float32\\[\\].*int32\\[\\].*dtypes") as info:
        lax.scan(lambda c, x: (lax.convert_element_type(c, np.int32), None), jnp.float32(0.0), XS)
    assert THIS_FILE in str(info.value)
    with pytest.raises(TypeError, match="float32\\[\\].*float32\\[3\\].*shapes"):
        lax.scan(lambda c, x: (c * x, None), jnp.float32(0.0), XS)
    with pytest.raises(TypeError, match="same pytree structure"):
        lax.scan(lambda c, x: ((c, c), None), jnp.float32(0.0), XS)


def test_scan_argument_errors():
    with pytest.raises(TypeError, match="scan body output must be a pair"):
        lax.scan(lambda c, x: c, 0.0, XS)
    with pytest.raises(ValueError, match="no values to scan over and `length` not provided"):
        lax.scan(lambda c, x: (c, x), 0.0, None)
    with pytest.raises(ValueError, match="different leading axis sizes: 5, 4"):
        lax.scan(lambda c, x: (c, x), 0.0, (XS, XS[:4]))
    with pytest.raises(ValueError, match="`length` argument of 4 which disagrees"):
        lax.scan(lambda c, x: (c, x), 0.0, XS, length=4)
    with pytest.raises(ValueError, match="no leading axis"):
        lax.scan(lambda c, x: (c, x), 0.0, jnp.float32(1.0))


def test_while_loop_errors():
    with pytest.raises(TypeError, match="cond_fun must return a boolean scalar") as info:
        lax.while_loop(lambda c: c, lambda c: c, 1)
    assert THIS_FILE in str(info.value)
    with pytest.raises(TypeError, match="while_loop body function carry input and carry output must have equal"):
        lax.while_loop(lambda c: c < 3, lambda c: lax.convert_element_type(c, np.float32), jnp.int32(0))
    with pytest.raises(TypeError, match="lower and upper arguments to fori_loop must have equal types"):
        lax.fori_loop(0.0, 3, lambda i, c: c, 0)


def test_python_branch_on_traced_value_inside_body_points_to_cond():
    with pytest.raises(jaxlike.errors.TracerBoolConversionError, match="lax.cond"):
        lax.scan(lambda c, x: (c + 1.0 if c > 0 else c, None), 0.0, XS)


# ---- config ----------------------------------------------------------------------------------------
def test_disable_jit_runs_python_control_flow():
    jaxlike.config.update("jax_disable_jit", True)
    try:
        calls = []
        out = lax.cond(True, lambda: calls.append("true") or 1.0, lambda: calls.append("false") or 2.0)
        assert float(out) == 1.0 and calls == ["true"]
        assert int(lax.while_loop(lambda c: c < 4, lambda c: c + 1, 0)) == 4
    finally:
        jaxlike.config.update("jax_disable_jit", False)
