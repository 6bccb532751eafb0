"""lax slicing, gathers and scatters against jax: values, shapes, dtypes, derivatives, batching, errors."""
import types

import jax
import jax.numpy as jjnp
import numpy as np
import pytest

import jaxlike
import jaxlike.numpy as jnp
from jaxlike import lax
from testing_utils import assert_same, check_grads

OURS = types.SimpleNamespace(J=jaxlike, np=jnp, lax=lax)
JAX = types.SimpleNamespace(J=jax, np=jjnp, lax=jax.lax)


def same_as_jax(program, *args, eager=True, **kw):
    """program(m)(*args) agrees for m = jaxlike and m = jax, under jit and (if `eager`) op by op."""
    expected = jax.jit(program(JAX))(*args)  # one compile for the oracle instead of one per op
    assert_same(jaxlike.jit(program(OURS))(*args), expected, **kw)
    if eager:
        assert_same(program(OURS)(*[jnp.asarray(a) for a in args]), expected, **kw)


RNG = np.random.default_rng(0)
X = RNG.standard_normal((4, 5, 3)).astype(np.float32)
M = RNG.standard_normal((5, 6)).astype(np.float32)
V = np.arange(7, dtype=np.float32)


def batched(stack, axis):
    """The argument vmap(in_axes=axis) sees for a stack of examples along its axis 0 (None: one example)."""
    return stack[0] if axis is None else np.moveaxis(stack, 0, axis)


def sumsq(m, v):
    return m.np.sum(v * v)


def gdn(m, *args):
    return m.lax.GatherDimensionNumbers(*args)


def sdn(m, *args):
    return m.lax.ScatterDimensionNumbers(*args)


# ---- slice ---------------------------------------------------------------------------------
@pytest.mark.parametrize("start,limit,strides", [
    ((0, 1, 0), (4, 5, 3), None), ((1, 0, 2), (3, 5, 3), (1, 2, 1)), ((0, 0, 0), (4, 5, 3), (3, 2, 2)),
    ((2, 2, 1), (2, 4, 3), None)])
def test_slice(start, limit, strides):
    same_as_jax(lambda m: lambda x: m.lax.slice(x, start, limit, strides), X)


def test_slice_dtypes():
    xs = [(RNG.standard_normal((4, 6)) * 3).astype(dtype) for dtype in (np.int32, np.bool_, np.uint8, np.complex64)]
    same_as_jax(lambda m: lambda *xs: [m.lax.slice(x, (1, 1), (4, 6), (2, 3)) for x in xs], *xs)


def test_slice_helpers():
    same_as_jax(lambda m: lambda x: (m.lax.slice_in_dim(x, 1, -1, 2, axis=1), m.lax.slice_in_dim(x, None, 2),
                                     m.lax.index_in_dim(x, -1, 2), m.lax.index_in_dim(x, 1, 1, keepdims=False)), X)


def test_slice_errors():
    with pytest.raises(TypeError, match="slice"):
        lax.slice(X, (0, 0, 0), (5, 5, 3))
    with pytest.raises(TypeError, match="one entry per dimension"):
        lax.slice(X, (0, 0), (1, 1))
    with pytest.raises(IndexError, match="out of bounds"):
        lax.index_in_dim(X, 4)


def test_slice_error_names_user_line():
    with pytest.raises(TypeError, match="test_slicing.py"):
        lax.slice(X, (0, 3, 0), (1, 2, 1))


def test_slice_grads():
    check_grads(lambda x: lax.slice(x, (1, 0, 0), (4, 5, 3), (2, 2, 1)), [X.astype(np.float64)], order=2)


def test_slice_vmap():
    same_as_jax(lambda m: m.J.vmap(lambda x: m.lax.slice(x, (1, 0), (4, 3), (2, 2)), in_axes=1), X, eager=False)


# ---- dynamic_slice / dynamic_update_slice ----------------------------------------------------
def test_dynamic_slice_clamps_and_wraps():
    starts = np.array([(1, 2, 0), (-1, 0, 1), (3, 4, 2), (-9, 7, -1)], np.int32)
    same_as_jax(lambda m: lambda x, s: [m.lax.dynamic_slice(x, tuple(row), (2, 3, 2)) for row in s], X, starts)


def test_dynamic_slice_python_and_mixed_indices():
    same_as_jax(lambda m: lambda x, i: m.lax.dynamic_slice(x, (i, -2, 1), (1, 2, 2)), X, np.int32(2))


def test_dynamic_update_slice():
    u = RNG.standard_normal((2, 3, 2)).astype(np.float32)
    starts = np.array([(1, 2, 0), (3, 4, 2), (-1, -1, -1)], np.int32)
    same_as_jax(lambda m: lambda x, u, s: [m.lax.dynamic_update_slice(x, u, tuple(row)) for row in s], X, u, starts)


def test_dynamic_helpers():
    def program(m):
        def f(x, i):
            return (m.lax.dynamic_slice_in_dim(x, i, 2, axis=1), m.lax.dynamic_index_in_dim(x, i, 2, keepdims=False),
                    m.lax.dynamic_update_slice_in_dim(x, x[:, :2], i, axis=1),
                    m.lax.dynamic_update_index_in_dim(x, x[:, 0], i, 1))
        return f
    same_as_jax(program, X, np.int32(-1))


def test_dynamic_slice_x64(enable_x64):
    same_as_jax(lambda m: lambda x, i: m.lax.dynamic_slice(x, (i, 0), (2, 2)), M.astype(np.float64), np.int64(4))


def test_dynamic_slice_errors():
    with pytest.raises(TypeError, match="start indices"):
        lax.dynamic_slice(X, (0, 0), (1, 1, 1))
    with pytest.raises(TypeError, match="slice_sizes"):
        lax.dynamic_slice(X, (0, 0, 0), (5, 1, 1))
    with pytest.raises(TypeError, match="dtype"):
        lax.dynamic_update_slice(X, np.zeros((1, 1, 1), np.int32), (0, 0, 0))
    with pytest.raises(TypeError, match="integer"):
        lax.dynamic_slice(X, (0.5, 0, 0), (1, 1, 1))


def test_dynamic_slice_grads():
    x = X.astype(np.float64)
    check_grads(lambda x: lax.dynamic_slice(x, (1, -2, 5), (2, 2, 2)), [x], order=2)
    u = RNG.standard_normal((2, 3, 1))
    check_grads(lambda x, u: lax.dynamic_update_slice(x, u * u, (3, 1, -1)), [x, u], order=2)


def test_dynamic_slice_grad_matches_jax():
    program = lambda m: m.J.grad(lambda x, i: sumsq(m, m.lax.dynamic_slice(x, (i, 1, 0), (2, 2, 3))))
    same_as_jax(program, X, np.int32(3), eager=False)


@pytest.mark.parametrize("in_axes", [(0, None), (None, 0), (0, 0), (2, 0)])
def test_dynamic_slice_vmap(in_axes):
    x = RNG.standard_normal((3, 5, 3)).astype(np.float32)
    idx = np.array([4, -1, 1], np.int32)
    program = lambda m: m.J.vmap(lambda x, i: m.lax.dynamic_slice(x, (i, 1), (2, 2)), in_axes=in_axes)
    same_as_jax(program, batched(x, in_axes[0]), batched(idx, in_axes[1]), eager=False)


@pytest.mark.parametrize("in_axes", [(0, None, None), (None, 0, None), (None, None, 0), (0, 0, 0), (1, None, 0)])
def test_dynamic_update_slice_vmap(in_axes):
    b = 3
    x = RNG.standard_normal((b, 5, 3)).astype(np.float32)
    u = RNG.standard_normal((b, 2, 2)).astype(np.float32)
    i = np.array([4, -1, 1], np.int32)
    args = [batched(a, axis) for a, axis in zip((x, u, i), in_axes)]
    program = lambda m: m.J.vmap(lambda x, u, i: m.lax.dynamic_update_slice(x, u, (i, 1)), in_axes=in_axes)
    same_as_jax(program, *args, eager=False)


def test_dynamic_update_slice_vmap_grad():
    x = RNG.standard_normal((3, 5)).astype(np.float32)
    u = RNG.standard_normal((3, 2)).astype(np.float32)
    i = np.array([4, -1, 1], np.int32)
    program = lambda m: m.J.grad(lambda x, u: sumsq(m, m.J.vmap(
        lambda x, u, i: m.lax.dynamic_update_slice(x, u, (i,)))(x, u, i)), argnums=(0, 1))
    same_as_jax(program, x, u, eager=False)


# ---- gather ----------------------------------------------------------------------------------
ROWS = np.array([[1], [3], [7], [-1], [0]], np.int32)  # two out of bounds


@pytest.mark.parametrize("mode", [None, "clip", "fill", "promise_in_bounds"])
def test_gather_rows_modes(mode):
    same_as_jax(lambda m: lambda x, i: m.lax.gather(x, i, gdn(m, (1,), (0,), (0,)), (1, 6), mode=mode), M, ROWS)


def test_gather_fill_defaults_by_dtype():
    xs = [(M * 3).astype(dtype) for dtype in (np.int32, np.uint8, np.bool_, np.float16)]
    same_as_jax(lambda m: lambda i, *xs: [m.lax.gather(x, i, gdn(m, (1,), (0,), (0,)), (1, 2), mode="fill")
                                          for x in xs], ROWS, *xs)


def test_gather_fill_value_and_partial_windows():
    idx = np.array([[0, 0], [4, 5], [3, 4], [-1, 2]], np.int32)  # [3, 4] + window (2, 2) overhangs
    same_as_jax(lambda m: lambda x, i: m.lax.gather(x, i, gdn(m, (1, 2), (), (0, 1)), (2, 2), mode="fill",
                                                    fill_value=-5.0), M, idx)


def test_gather_general_dnums():
    idx = np.array([[[0, 1], [2, 0]], [[3, 2], [1, 1]]], np.int32)  # batch (2, 2), index vector (x0, x2)
    same_as_jax(lambda m: lambda x, i: m.lax.gather(x, i, gdn(m, (1, 3), (0,), (0, 2)), (1, 3, 2)), X, idx)


def test_gather_operand_batching_dims():
    idx = np.array([[1], [4], [0], [2]], np.int32)  # one row per batch element of X's axis 0
    same_as_jax(lambda m: lambda x, i: m.lax.gather(x, i, gdn(m, (1,), (1,), (1,), (0,), (0,)), (1, 1, 3)), X, idx)


def test_gather_x64(enable_x64):
    same_as_jax(lambda m: lambda x, i: m.lax.gather(x, i, gdn(m, (1,), (0,), (0,)), (1, 6), mode="fill"),
                M.astype(np.float64), ROWS.astype(np.int64))


def test_gather_errors():
    with pytest.raises(TypeError, match="integer"):
        lax.gather(M, ROWS.astype(np.float32), lax.GatherDimensionNumbers((1,), (0,), (0,)), (1, 6))
    with pytest.raises(TypeError, match="slice"):
        lax.gather(M, ROWS, lax.GatherDimensionNumbers((1,), (0,), (0,)), (2, 6))
    with pytest.raises(TypeError, match="start_index_map"):
        lax.gather(M, ROWS, lax.GatherDimensionNumbers((1,), (0,), (0, 1)), (1, 6))
    with pytest.raises(ValueError, match="Unknown gather mode"):
        lax.gather(M, ROWS, lax.GatherDimensionNumbers((1,), (0,), (0,)), (1, 6), mode="wrap")


@pytest.mark.parametrize("mode", ["clip", "fill", "promise_in_bounds"])
def test_gather_grads(mode):
    idx = np.array([[1], [3], [1], [4]], np.int32)
    check_grads(lambda x: lax.gather(x, idx, lax.GatherDimensionNumbers((1,), (0,), (0,)), (1, 4), mode=mode),
                [M.astype(np.float64)], order=2)


@pytest.mark.parametrize("mode", [None, "clip", "fill"])
def test_gather_grad_matches_jax_out_of_bounds(mode):
    program = lambda m: m.J.grad(lambda x, i: sumsq(
        m, m.lax.gather(x, i, gdn(m, (1,), (0,), (0,)), (1, 6), mode=mode)))
    same_as_jax(program, M, ROWS, eager=False)


@pytest.mark.parametrize("in_axes", [(0, None), (None, 0), (0, 0), (1, 1), (2, 0)])
def test_gather_vmap(in_axes):
    b = 3
    x = RNG.standard_normal((b, 5, 6)).astype(np.float32)
    i = RNG.integers(-1, 6, (b, 4, 1)).astype(np.int32)
    program = lambda m: m.J.vmap(lambda x, i: m.lax.gather(x, i, gdn(m, (1,), (0,), (0,)), (1, 3), mode="fill"),
                                 in_axes=in_axes)
    same_as_jax(program, batched(x, in_axes[0]), batched(i, in_axes[1]), eager=False)


def test_gather_vmap_of_grad():
    b = 3
    x = RNG.standard_normal((b, 5, 6)).astype(np.float32)
    i = RNG.integers(0, 5, (b, 4, 1)).astype(np.int32)
    program = lambda m: m.J.vmap(m.J.grad(lambda x, i: sumsq(
        m, m.np.sin(m.lax.gather(x, i, gdn(m, (1,), (0,), (0,)), (1, 6))))))
    same_as_jax(program, x, i, eager=False)


# ---- scatters --------------------------------------------------------------------------------
REPEATED = np.array([[1], [3], [1], [9], [-1], [3]], np.int32)  # repeats and out-of-bounds rows
UPDATES = RNG.standard_normal((6, 6)).astype(np.float32)
SCATTERS = ["scatter_add", "scatter_mul", "scatter_min", "scatter_max"]


@pytest.mark.parametrize("mode", [None, "clip", "promise_in_bounds"])
def test_scatter_combiners(mode):
    same_as_jax(lambda m: lambda x, i, u: [getattr(m.lax, name)(x, i, u, sdn(m, (1,), (0,), (0,)), mode=mode)
                                           for name in SCATTERS], M, REPEATED, UPDATES)


@pytest.mark.parametrize("mode", [None, "clip"])
def test_scatter_overwrite(mode):
    unique = np.array([[4], [0], [9], [2]], np.int32)
    same_as_jax(lambda m: lambda x, i, u: m.lax.scatter(x, i, u, sdn(m, (1,), (0,), (0,)), mode=mode),
                M, unique, UPDATES[:4])


@pytest.mark.parametrize("dtype", [np.int32, np.bool_, np.uint8])
def test_scatter_dtypes(dtype):
    x, u = (M * 3).astype(dtype), (UPDATES[:3] * 3).astype(dtype)
    i = np.array([[4], [0], [2]], np.int32)
    names = ["scatter", "scatter_max"] + ([] if dtype == np.bool_ else ["scatter_add"])
    same_as_jax(lambda m: lambda x, i, u: [getattr(m.lax, name)(x, i, u, sdn(m, (1,), (0,), (0,))) for name in names],
                x, i, u)
    if dtype == np.bool_:  # as in JAX, no arithmetic on booleans
        with pytest.raises(TypeError, match="bool"):
            lax.scatter_add(x, i, u, lax.ScatterDimensionNumbers((1,), (0,), (0,)))


def test_scatter_windows_and_batching_dims():
    x = RNG.standard_normal((3, 4, 5)).astype(np.float32)
    i = np.array([[0, 1], [2, 3], [1, 0]], np.int32)  # per batch element (axis 0): a start in axes (1, 2)
    u = RNG.standard_normal((3, 2, 2)).astype(np.float32)
    same_as_jax(lambda m: lambda x, i, u: m.lax.scatter_add(x, i, u, sdn(m, (1, 2), (), (1, 2), (0,), (0,))),
                x, i, u)


def test_scatter_errors():
    dn = lax.ScatterDimensionNumbers((1,), (0,), (0,))
    with pytest.raises(TypeError, match="updates"):
        lax.scatter_add(M, REPEATED, UPDATES[:3], dn)
    with pytest.raises(TypeError, match="dtype"):
        lax.scatter_add(M, REPEATED, UPDATES.astype(np.int32), dn)
    with pytest.raises(TypeError, match="integer"):
        lax.scatter(M, REPEATED.astype(np.float32), UPDATES, dn)


IN_BOUNDS = np.array([[1], [3], [1], [4]], np.int32)


def test_scatter_add_grads():
    u = RNG.standard_normal((6, 6))
    dn = lax.ScatterDimensionNumbers((1,), (0,), (0,))
    check_grads(lambda x, u: lax.scatter_add(x, REPEATED, u * u, dn), [M.astype(np.float64), u], order=2)


@pytest.mark.parametrize("unique", [True, False])
def test_scatter_grads(unique):
    idx = np.array([[1], [3], [4]], np.int32) if unique else np.array([[1], [3], [1], [1]], np.int32)
    u = RNG.standard_normal((len(idx), 6))
    dn = lax.ScatterDimensionNumbers((1,), (0,), (0,))
    check_grads(lambda x, u: lax.scatter(x, idx, u, dn, unique_indices=unique), [M.astype(np.float64), u], order=2)


def test_scatter_grad_matches_jax():
    program = lambda m: m.J.grad(lambda x, u: sumsq(
        m, m.lax.scatter(x, IN_BOUNDS, u, sdn(m, (1,), (0,), (0,)))), argnums=(0, 1))
    same_as_jax(program, M, UPDATES[:4] + 10.0, eager=False)  # repeated rows get equal values: any winner is right


def test_scatter_mul_grads():
    dn = lax.ScatterDimensionNumbers((1,), (0,), (0,))
    u = RNG.standard_normal((4, 6))
    check_grads(lambda x: lax.scatter_mul(x, IN_BOUNDS, u, dn), [M.astype(np.float64)], order=2)
    unique = np.array([[1], [3], [4]], np.int32)
    check_grads(lambda x, u: lax.scatter_mul(x, unique, u, dn, unique_indices=True),
                [M.astype(np.float64), u[:3]], order=2)
    with pytest.raises(NotImplementedError, match="unique_indices"):
        jaxlike.grad(lambda u: jnp.sum(lax.scatter_mul(M, IN_BOUNDS, u, dn)))(u.astype(np.float32))


@pytest.mark.parametrize("name", ["scatter_min", "scatter_max"])
def test_scatter_extremal_grads(name):
    u = RNG.standard_normal((4, 6))
    fn = getattr(lax, name)
    check_grads(lambda x, u: fn(x, IN_BOUNDS, u, lax.ScatterDimensionNumbers((1,), (0,), (0,))),
                [M.astype(np.float64), u], order=2)


@pytest.mark.parametrize("name", ["scatter_min", "scatter_max"])
def test_scatter_extremal_ties_match_jax(name):
    x = np.array([1.0, 5.0, 2.0, 0.0], np.float32)
    i = np.array([[1], [1], [2], [0]], np.int32)
    u = np.array([5.0, 5.0, 1.0, 1.0], np.float32)  # ties between updates and with the operand
    program = lambda m: m.J.grad(lambda x, u: m.np.sum(getattr(m.lax, name)(
        x, i, u, sdn(m, (), (0,), (0,))) * m.np.arange(4.0)), argnums=(0, 1))
    same_as_jax(program, x, u, eager=False)


@pytest.mark.parametrize("in_axes", [(0, None, None), (None, 0, 0), (0, 0, 0), (1, None, 1), (None, None, 0)])
def test_scatter_vmap(in_axes):
    b = 3
    x = RNG.standard_normal((b, 5, 6)).astype(np.float32)
    i = np.stack([RNG.permutation(7)[:4] for _ in range(b)])[..., None].astype(np.int32)  # unique, maybe OOB
    u = RNG.standard_normal((b, 4, 6)).astype(np.float32)
    args = [batched(a, axis) for a, axis in zip((x, i, u), in_axes)]
    names = ["scatter", "scatter_add", "scatter_mul", "scatter_max"]
    program = lambda m: m.J.vmap(lambda x, i, u: [getattr(m.lax, name)(x, i, u, sdn(m, (1,), (0,), (0,)))
                                                  for name in names], in_axes=in_axes)
    same_as_jax(program, *args, eager=False)


def test_scatter_apply():
    x = np.arange(5.0, dtype=np.float32)
    i = np.array([[1], [1], [3]], np.int32)
    same_as_jax(lambda m: lambda x: m.lax.scatter_apply(x, i, lambda v: v * 2 + 1, sdn(m, (), (0,), (0,)),
                                                        update_shape=(3,)), x)
    out = jaxlike.vmap(lambda x: lax.scatter_apply(x, i, lambda v: v * 2 + 1, lax.ScatterDimensionNumbers(
        (), (0,), (0,)), update_shape=(3,)))(np.stack([x, -x]))
    expected = jax.vmap(lambda x: jax.lax.scatter_apply(x, i, lambda v: v * 2 + 1, jax.lax.ScatterDimensionNumbers(
        (), (0,), (0,)), update_shape=(3,)))(np.stack([x, -x]))
    assert_same(out, expected)


def test_lowered_text_uses_stablehlo_gather_and_scatter():
    def f(x, i):
        g = lax.gather(x, i, lax.GatherDimensionNumbers((1,), (0,), (0,)), (1, 6), mode="fill")
        return lax.scatter_add(x, i, g, lax.ScatterDimensionNumbers((1,), (0,), (0,)), mode="clip")
    text = jaxlike.jit(f).lower(M, ROWS).as_text()
    assert "stablehlo.gather" in text and "stablehlo.scatter" in text and "stablehlo.clamp" in text


def test_jaxpr_shows_parameters():
    text = str(jaxlike.make_jaxpr(lambda x: lax.gather(x, ROWS, lax.GatherDimensionNumbers((1,), (0,), (0,)),
                                                       (1, 6), mode="clip"))(M))
    assert "gather" in text and "GatherScatterMode.CLIP" in text and "offset_dims=(1,)" in text


def test_x32_and_x64_dtypes(x64):
    idx = np.array([[2], [0]])
    same_as_jax(lambda m: lambda x: m.lax.gather(x, idx, gdn(m, (1,), (0,), (0,)), (1, 6)),
                np.asarray(M, np.float64))
