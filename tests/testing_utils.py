"""Helpers shared by the tests: the JAX oracle, value/shape/dtype comparison, numerical derivatives."""
import contextlib
import itertools

import jax
import jax.numpy as jjnp
import ml_dtypes
import numpy as np

import jaxlike
import jaxlike.numpy as jnp



@contextlib.contextmanager
def x64_mode(enabled):
    """Sets 64-bit mode in jaxlike and in the jax oracle, restoring both afterwards."""
    old_ours, old_jax = jaxlike.config.jax_enable_x64, jax.config.jax_enable_x64
    jaxlike.config.update("jax_enable_x64", enabled)
    jax.config.update("jax_enable_x64", enabled)
    try:
        yield
    finally:
        jaxlike.config.update("jax_enable_x64", old_ours)
        jax.config.update("jax_enable_x64", old_jax)


_TOL = {np.dtype(np.float16): 1e-2, np.dtype(ml_dtypes.bfloat16): 3e-2, np.dtype(np.float32): 1e-5,
        np.dtype(np.float64): 1e-12, np.dtype(np.complex64): 1e-5, np.dtype(np.complex128): 1e-12}


def tolerance(dtype, scale=1.0):
    return _TOL.get(np.dtype(dtype), 0) * scale


def to_numpy(x):
    if isinstance(x, jaxlike.Array):
        return np.asarray(x)
    if isinstance(x, jax.Array):
        return np.asarray(x)
    return np.asarray(x)


def assert_same(ours, expected, rtol=None, atol=None, check_dtype=True, check_weak_type=False, err_msg=""):
    """ours and expected (a jax value, NumPy value, or pytree of them) agree in shape, dtype and values."""
    ours_leaves, ours_tree = jax.tree_util.tree_flatten(ours, is_leaf=lambda x: isinstance(x, jaxlike.Array))
    exp_leaves, exp_tree = jax.tree_util.tree_flatten(expected)
    assert len(ours_leaves) == len(exp_leaves), f"{err_msg}: {len(ours_leaves)} leaves vs {len(exp_leaves)}"
    for o, e in zip(ours_leaves, exp_leaves):
        if isinstance(o, jaxlike.Array):
            assert isinstance(o, jaxlike.Array), f"{err_msg}: expected a jaxlike.Array, got {type(o)}"
        o_np, e_np = to_numpy(o), to_numpy(e)
        assert o_np.shape == e_np.shape, f"{err_msg}: shape {o_np.shape} != expected {e_np.shape}"
        if check_dtype:
            assert o_np.dtype == e_np.dtype, f"{err_msg}: dtype {o_np.dtype} != expected {e_np.dtype}"
        if check_weak_type and hasattr(e, "weak_type"):
            assert o.weak_type == e.weak_type, f"{err_msg}: weak_type {o.weak_type} != expected {e.weak_type}"
        dtype = e_np.dtype
        r = tolerance(dtype) if rtol is None else rtol
        a = tolerance(dtype) if atol is None else atol
        if dtype.kind in "fc" or dtype in (ml_dtypes.bfloat16,):
            np.testing.assert_allclose(o_np.astype(np.complex128 if dtype.kind == "c" else np.float64),
                                       e_np.astype(np.complex128 if dtype.kind == "c" else np.float64),
                                       rtol=r, atol=a, equal_nan=True, err_msg=err_msg)
        else:
            np.testing.assert_array_equal(o_np, e_np, err_msg=err_msg)


def rand(rng, shape, dtype, low=-3.0, high=3.0):
    """Random values of a dtype: normals for floats, small ints for integers, coin flips for bools."""
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return rng.random(shape) < 0.5
    if dtype.kind in "iu":
        lo = 0 if dtype.kind == "u" else int(low)
        return rng.integers(lo, int(high) + 1, size=shape).astype(dtype)
    if dtype.kind == "c":
        real = rng.uniform(low, high, shape) + 1j * rng.uniform(low, high, shape)
        return real.astype(dtype)
    return rng.uniform(low, high, shape).astype(dtype)


# ---- numerical derivative checks -----------------------------------------------------------

def _as_f64(xs):
    return [np.asarray(x, dtype=np.complex128 if np.iscomplexobj(x) else np.float64) for x in xs]


def numerical_jvp(f, primals, tangents, eps=1e-6):
    """Central finite difference of f along tangents (f takes and returns jaxlike values)."""
    plus = f(*[p + eps * t for p, t in zip(primals, tangents)])
    minus = f(*[p - eps * t for p, t in zip(primals, tangents)])
    return jax.tree_util.tree_map(lambda a, b: (np.asarray(a) - np.asarray(b)) / (2 * eps), plus, minus)


def _inner(a, b):
    return sum(np.vdot(np.asarray(x).ravel(), np.asarray(y).ravel()).real
               for x, y in zip(jax.tree_util.tree_leaves(a), jax.tree_util.tree_leaves(b)))


def check_jvp(f, primals, rng, rtol=1e-5, atol=1e-6, eps=1e-6):
    """jaxlike.jvp of f agrees with central finite differences (run in float64)."""
    tangents = [rng.standard_normal(np.shape(p)).astype(np.asarray(p).dtype) for p in primals]
    _, ours = jaxlike.jvp(f, [jnp.asarray(p) for p in primals], [jnp.asarray(t) for t in tangents])
    expected = numerical_jvp(f, [np.asarray(p) for p in primals], tangents, eps)
    for o, e in zip(jax.tree_util.tree_leaves(ours, is_leaf=lambda x: isinstance(x, jaxlike.Array)),
                    jax.tree_util.tree_leaves(expected)):
        np.testing.assert_allclose(np.asarray(o), e, rtol=rtol, atol=atol, err_msg="jvp vs finite differences")


def check_vjp(f, primals, rng, rtol=1e-5, atol=1e-6):
    """vjp is the adjoint of jvp: <ct, J t> == <J^T ct, t>."""
    primals = [jnp.asarray(p) for p in primals]
    tangents = [jnp.asarray(rng.standard_normal(p.shape).astype(p.dtype)) for p in primals]
    out, jvp_out = jaxlike.jvp(f, primals, tangents)
    out_leaves = jax.tree_util.tree_leaves(out, is_leaf=lambda x: isinstance(x, jaxlike.Array))
    cts_leaves = [jnp.asarray(rng.standard_normal(np.shape(o)).astype(np.asarray(o).dtype)) for o in out_leaves]
    cts = jax.tree_util.tree_unflatten(jax.tree_util.tree_structure(out, is_leaf=lambda x: isinstance(x, jaxlike.Array)),
                                       cts_leaves)
    _, vjp_fn = jaxlike.vjp(f, *primals)
    cts_in = vjp_fn(cts)
    lhs = _inner(cts_leaves, jax.tree_util.tree_leaves(jvp_out, is_leaf=lambda x: isinstance(x, jaxlike.Array)))
    rhs = _inner(jax.tree_util.tree_leaves(cts_in, is_leaf=lambda x: isinstance(x, jaxlike.Array)), tangents)
    np.testing.assert_allclose(lhs, rhs, rtol=rtol, atol=atol, err_msg="vjp is not the adjoint of jvp")


def check_grads(f, primals, order=2, modes=("fwd", "rev"), rtol=1e-5, atol=1e-6, eps=1e-6, seed=0):
    """Checks forward and reverse derivatives of f against finite differences, up to `order` (float64)."""
    rng = np.random.default_rng(seed)
    with x64_mode(True):
        primals = [np.asarray(p) for p in primals]
        _check_grads(f, primals, order, modes, rng, rtol, atol, eps)


def _check_grads(f, primals, order, modes, rng, rtol, atol, eps):
    if "fwd" in modes:
        check_jvp(f, primals, rng, rtol, atol, eps)
    if "rev" in modes:
        check_vjp(f, primals, rng, rtol, atol)
    if order > 1:
        tangents = [rng.standard_normal(np.shape(p)).astype(np.asarray(p).dtype) for p in primals]

        def f_jvp(*ps):
            return jaxlike.jvp(f, list(ps), [jnp.asarray(t) for t in tangents])[1]
        _check_grads(f_jvp, primals, order - 1, modes, rng, rtol * 10, atol * 10, eps)
        if "rev" in modes:
            def f_vjp(*ps):
                out, vjp_fn = jaxlike.vjp(f, *ps)
                ct = jax.tree_util.tree_map(
                    lambda o: jnp.asarray(np.random.default_rng(1).standard_normal(np.shape(o)).astype(o.dtype)),
                    out, is_leaf=lambda x: isinstance(x, jaxlike.Array))
                return vjp_fn(ct)
            _check_grads(f_vjp, primals, order - 1, ("fwd",), rng, rtol * 10, atol * 10, eps)
