"""NumPy indexing (x[idx], x.at[idx]) and the index functions against jax.numpy."""
import types

import jax
import jax.numpy as jjnp
import numpy as np
import pytest
from hypothesis import given, strategies as st

import jaxlike
import jaxlike.numpy as jnp
from jaxlike.errors import ConcretizationTypeError, NonConcreteBooleanIndexError
from testing_utils import assert_same, check_grads

OURS = types.SimpleNamespace(J=jaxlike, np=jnp)
JAX = types.SimpleNamespace(J=jax, np=jjnp)


def same_as_jax(program, *args, eager=False, **kw):
    """program(m)(*args) agrees for m = jaxlike and m = jax, under jit and (if `eager`) op by op."""
    expected = jax.jit(program(JAX))(*args)
    assert_same(jaxlike.jit(program(OURS))(*args), expected, **kw)
    if eager:
        assert_same(program(OURS)(*[jnp.asarray(a) for a in args]), expected, **kw)


def default_int():
    return np.dtype(np.int64 if jax.config.jax_enable_x64 else np.int32)


def as_jax_ints(tree):
    """NumPy results with int64 leaves in JAX's default integer dtype (for functions jax runs slowly eagerly)."""
    return jax.tree_util.tree_map(lambda a: a.astype(default_int()) if a.dtype == np.int64 else a, tree)


def batched(stack, axis):
    """The argument vmap(in_axes=axis) sees for a stack of examples along its axis 0 (None: one example)."""
    return stack[0] if axis is None else np.moveaxis(stack, 0, axis)


RNG = np.random.default_rng(0)
X = np.arange(60, dtype=np.float32).reshape(3, 4, 5)
V = np.arange(6, dtype=np.float32) * 1.5


# ---- x[idx] ----------------------------------------------------------------------------------
BASIC = [
    1, -1, 7, -9, slice(1, 3), slice(None, None, -1), slice(-2, None, -2), (1, 2), (slice(None), 2),
    (Ellipsis, 1), (None, 1), (1, None, Ellipsis, None), (slice(5, 1),), (slice(0, 2), slice(None, None, 3), -1), (),
    Ellipsis, None, True, False, (0, True), np.int32(2), (slice(None), np.int64(-1)),
]
ADVANCED = [
    np.array([0, 2, -1]), (np.array([0, 2]), np.array([1, 3])), ([0, 2], slice(None), [1, 4]), (slice(None), [0, 3]),
    (1, [0, 3], [[1], [2]]), ([0, 1], 1, [2, 3]), ([0, 1], None, [2, 3]), (slice(None), [[0, 1]], None, 2),
    (np.array([True, False, True]),), (slice(None), np.array([True, False, True, True])),
    (np.array([[True, False, True, True]] * 3),), (Ellipsis, [4, 0]), (np.array([7, -8]),), (np.array(1), [1, 2]),
    (slice(None, None, -1), [0, 3], slice(1, None, 2)), ([], ), (np.zeros((0,), np.int32), 1),
    (slice(None), [0, 1], Ellipsis, [0, 1]), (None, 0, Ellipsis, [0, 1], 2),
    ([2, 0], slice(None, None, -2), 3),
]


@pytest.mark.parametrize("idx", BASIC + ADVANCED, ids=repr)
def test_getitem(idx):
    same_as_jax(lambda m: lambda x: x[idx], X, eager=True)


def test_getitem_uses_static_slices():
    text = str(jaxlike.make_jaxpr(lambda x: x[1:3, ::-2, 4])(X))
    assert "gather" not in text and "dynamic_slice" not in text and "slice" in text


@pytest.mark.parametrize("dtype", [np.int32, np.bool_, np.uint8, np.complex64, np.float16])
def test_getitem_dtypes(dtype):
    x = (RNG.standard_normal((4, 3)) * 3).astype(dtype)
    same_as_jax(lambda m: lambda x: (x[1], x[::2, [0, 2]], x[:, -1]), x)


def test_getitem_and_at_keep_weak_type():
    program = lambda m: lambda: (m.lax.full((3, 4), 2.0)[1], m.lax.full((3, 4), 2.0)[np.array([0, 2]), 1:],
                                 m.lax.full((3, 4), 2.0).at[0].add(np.float32(1.0)))
    assert_same(jaxlike.jit(program(types.SimpleNamespace(lax=jaxlike.lax)))(),
                jax.jit(program(types.SimpleNamespace(lax=jax.lax)))(), check_weak_type=True)


def test_traced_integer_indices():
    same_as_jax(lambda m: lambda x, i, j: (x[i], x[i, :, j], x[-i, 1:3], x[..., i]), X, np.int32(2), np.int32(-7),
                eager=True)


def test_traced_integer_array_indices():
    same_as_jax(lambda m: lambda x, i: (x[i], x[:, i], x[i, 1, i], x[1:, None, i]), X, np.array([[0, -1], [2, 5]]))


def test_x64_indices(enable_x64):
    same_as_jax(lambda m: lambda x, i: (x[i], x[i[0]]), X.astype(np.float64), np.array([2, -1], np.int64))


def _index_entry(size):
    ints = st.integers(-size - 2, size + 1)
    bounds = st.one_of(st.none(), st.integers(-size - 2, size + 2))
    slices = st.builds(slice, bounds, bounds, st.sampled_from([None, 1, 2, 3, -1, -2]))
    arrays = st.lists(st.integers(-size, max(size - 1, 0)), min_size=1, max_size=3).map(np.array)
    masks = st.lists(st.booleans(), min_size=size, max_size=size).map(np.array)
    lists = st.lists(st.integers(-size, max(size - 1, 0)), min_size=1, max_size=2)
    return st.one_of(ints, slices, slices, arrays, lists, masks) if size else st.one_of(slices, st.just(slice(None)))


@st.composite
def arrays_and_indices(draw):
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
    ndim = len(shape)
    leading = draw(st.integers(0, ndim))
    entries = [draw(_index_entry(size)) for size in shape[:leading]]
    if draw(st.booleans()):  # an ellipsis, then indices aligned with the trailing axes
        trailing = draw(st.integers(0, ndim - leading))
        entries += [Ellipsis] + [draw(_index_entry(size)) for size in shape[ndim - trailing:]]
    for _ in range(draw(st.integers(0, 2))):
        entries.insert(draw(st.integers(0, len(entries))), None)
    return np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape), tuple(entries)


def _expected_or_error(x, idx):
    try:
        return jax.jit(lambda x: x[idx])(x), None
    except (IndexError, ValueError, TypeError) as error:  # e.g. index arrays that do not broadcast
        return None, error


@given(arrays_and_indices())
def test_getitem_hypothesis(case):
    x, idx = case
    expected, error = _expected_or_error(x, idx)
    if error is not None:
        with pytest.raises(type(error)):
            jaxlike.jit(lambda x: x[idx])(x)
        return
    assert_same(jaxlike.jit(lambda x: x[idx])(x), expected, err_msg=repr(idx))


@pytest.mark.slow
@given(arrays_and_indices())
def test_getitem_hypothesis_eager(case):
    x, idx = case
    expected, error = _expected_or_error(x, idx)
    if error is None:
        assert_same(jnp.asarray(x)[idx], expected, err_msg=repr(idx))


@given(arrays_and_indices())
def test_at_updates_hypothesis(case):
    x, idx = case
    program = lambda m: lambda x: (x.at[idx].add(1.0), x.at[idx].set(-1.0), x.at[idx].get(mode="fill"))
    try:
        expected = jax.jit(program(JAX))(x)
    except (IndexError, ValueError, TypeError) as error:
        with pytest.raises(type(error)):
            jaxlike.jit(program(OURS))(x)
        return
    assert_same(jaxlike.jit(program(OURS))(x), expected, err_msg=repr(idx))


# ---- errors ----------------------------------------------------------------------------------
def test_float_index_is_a_type_error_naming_the_dtype():
    with pytest.raises(TypeError, match="float32") as info:
        jnp.asarray(X)[jnp.asarray([1.0], dtype=jnp.float32)]
    assert "test_indexing.py" in str(info.value)
    with pytest.raises(TypeError, match="integer or boolean"):
        jnp.asarray(X)[1.0]


def test_traced_boolean_mask_raises():
    with pytest.raises(NonConcreteBooleanIndexError, match="jnp.where") as info:
        jaxlike.jit(lambda x: x[x > 3])(X)
    assert "size" in str(info.value) and "test_indexing.py" in str(info.value)
    with pytest.raises(NonConcreteBooleanIndexError):
        jaxlike.jit(lambda x: x.at[x > 3].set(0.0))(X)


def test_concrete_boolean_mask_under_grad():
    same_as_jax(lambda m: m.J.grad(lambda x: m.np.sum(x[np.asarray(X) > 20] * 2.0)), X, eager=False)


def test_too_many_indices():
    with pytest.raises(IndexError, match="Too many indices") as info:
        jnp.asarray(X)[1, 2, 3, 4]
    assert "test_indexing.py" in str(info.value)


def test_two_ellipses():
    with pytest.raises(IndexError, match="ellipsis"):
        jnp.asarray(X)[..., 1, ...]


@pytest.mark.parametrize("idx,fix", [([slice(None), 1], r"tuple\(seq\)"), ([0, 1], r"array\(seq\)")])
def test_list_as_multidimensional_index(idx, fix):
    with pytest.raises(TypeError, match=fix) as info:
        jnp.asarray(X)[idx]
    assert "non-tuple sequence" in str(info.value) and "test_indexing.py" in str(info.value)
    with pytest.raises(TypeError):
        jjnp.asarray(X)[idx]


def test_traced_slice_bounds():
    with pytest.raises(IndexError, match="dynamic_slice"):
        jaxlike.jit(lambda x, i: x[i:i + 2])(X, 1)


def test_mask_shape_mismatch():
    with pytest.raises(IndexError, match="boolean index did not match"):
        jnp.asarray(X)[np.array([True, False])]


# ---- x.at[idx] -------------------------------------------------------------------------------
UPDATE_INDICES = [1, -1, 9, slice(1, 3), slice(None, None, -2), (Ellipsis, 2), ([0, 2, 0],), ([0, 7, -1, -9],),
                  (slice(None), [1, 1, 3]), ([0, 1], None, [3, 3]), (np.array([True, False, True]), 1),
                  (1, slice(None, None, 2), [0, 4])]
UPDATE_METHODS = ["set", "add", "multiply", "min", "max"]


@pytest.mark.parametrize("idx", UPDATE_INDICES, ids=repr)
def test_at_updates(idx):
    y = np.float32(1.5)  # a scalar: repeated `set`s agree on the winner
    same_as_jax(lambda m: lambda x: tuple(getattr(x.at[idx], method)(y) for method in UPDATE_METHODS), X * 0.01 + 1,
                eager=False)


@pytest.mark.parametrize("idx", UPDATE_INDICES[::4], ids=repr)
def test_at_derived_updates(idx):
    y = np.float32(1.5)
    same_as_jax(lambda m: lambda x: (x.at[idx].subtract(y), x.at[idx].divide(y), x.at[idx].power(y)), X * 0.01 + 1)


@pytest.mark.parametrize("idx", UPDATE_INDICES[::3], ids=repr)
def test_at_set_eager(idx):
    same_as_jax(lambda m: lambda x: x.at[idx].set(2.0), X, eager=True)


@pytest.mark.parametrize("method", ["add", "multiply", "min", "max"])
def test_at_updates_with_array_values(method):
    values = RNG.standard_normal((4, 5)).astype(np.float32)
    same_as_jax(lambda m: lambda x, v: getattr(x.at[:, [1, 1, 3, 0]], method)(v), X, values)


@pytest.mark.parametrize("mode", [None, "clip", "drop", "promise_in_bounds"])
def test_at_modes(mode):
    same_as_jax(lambda m: lambda x: (x.at[np.array([0, 5, -1])].add(10.0, mode=mode),
                                     x.at[7].set(1.0, mode=mode if mode != "promise_in_bounds" else None)), V)


@pytest.mark.parametrize("mode,fill", [(None, None), ("clip", None), ("fill", None), ("fill", -1.0),
                                       ("promise_in_bounds", None)])
def test_at_get(mode, fill):
    same_as_jax(lambda m: lambda x: (x.at[np.array([0, 7, -1, -9])].get(mode=mode, fill_value=fill),
                                     x.at[9].get(mode=mode, fill_value=fill)), V)


def test_at_get_fill_by_dtype():
    same_as_jax(lambda m: lambda x: (x.at[np.array([0, 9])].get(mode="fill"),
                                     x.astype(m.np.uint8).at[-9].get(mode="fill")),
                np.arange(5, dtype=np.int32))


def test_at_wrap_negative_indices_off():
    same_as_jax(lambda m: lambda x: (x.at[-1].set(99.0, wrap_negative_indices=False, mode="drop"),
                                     x.at[np.array([-1, 2])].get(wrap_negative_indices=False, mode="fill")), V)


def test_at_integer_array_with_float_values():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # jax warns about the unsafe cast
        same_as_jax(lambda m: lambda x: (x.at[1].set(2.7), x.at[np.array([1, 1])].divide(2.5), x.at[2].multiply(2.5),
                                         x.astype(m.np.uint8).at[1].subtract(3)), np.arange(5, dtype=np.int32))


def test_at_apply_with_repeated_indices():
    same_as_jax(lambda m: lambda x: (x.at[np.array([1, 1, 3])].apply(lambda v: v * 2 + 1),
                                     x.at[1:4].apply(lambda v: v * v)), V)


def test_at_unique_and_sorted_flags():
    same_as_jax(lambda m: lambda x: x.at[np.array([0, 2, 3])].set(5.0, unique_indices=True, indices_are_sorted=True), V)


def test_at_updates_traced_indices():
    same_as_jax(lambda m: lambda x, i, v: (x.at[i].add(v), x.at[i, 2].set(v), x.at[:, i].max(1.0)), X,
                np.array([2, 0, 2]), np.float32(3.0))


# ---- derivatives -----------------------------------------------------------------------------
@pytest.mark.parametrize("idx", [1, (slice(None), slice(None, None, -2)), ([0, 2, 0],), (slice(1, None), [1, 1, 3]),
                                 (np.array([True, False, True]), None, 2), (-1, [3, 0], None)], ids=repr)
def test_getitem_grads(idx):
    check_grads(lambda x: jnp.asarray(x)[idx], [X.astype(np.float64) / 10], order=2)


@pytest.mark.parametrize("method", ["set", "add", "multiply", "min", "max"])
def test_at_update_grads(method):
    values = RNG.standard_normal((3,)) + 3
    unique = method == "multiply"  # as in JAX, scatter_mul differentiates in its updates only for unique indices
    check_grads(lambda x, v: getattr(jnp.asarray(x).at[[0, 2, 1], 1, 2], method)(v, unique_indices=unique),
                [X.astype(np.float64) / 10, values], order=2)


def test_at_set_repeated_index_grads():
    check_grads(lambda x, v: jnp.asarray(x).at[np.array([0, 2, 0])].set(v),
                [V.astype(np.float64), np.array([1.0, 2.0, 3.0])], order=2)


def test_grad_values_match_jax():
    def program(m):
        def loss(x, v):
            y = x.at[[0, 1, 1], :, [2, 7, -1]].add(v)
            z = x[1, ::-1, None, [0, 0, 3]]
            fill = y.at[np.array([2, 5])].get(mode="fill", fill_value=0.0)
            return m.np.sum(m.np.sin(y[np.array([0, 2])]) * 2.0) + m.np.sum(z * z) + m.np.sum(fill * fill)
        return m.J.grad(loss, argnums=(0, 1))
    same_as_jax(program, X, np.array([1.0, 2.0, 3.0, 4.0], np.float32), eager=False)


# ---- batching --------------------------------------------------------------------------------
@pytest.mark.parametrize("in_axes", [(0, None), (None, 0), (0, 0), (2, 1), (1, 0)])
def test_vmap_getitem(in_axes):
    xs = RNG.standard_normal((2, 4, 5)).astype(np.float32)
    idx = np.array([[3, -1, 0], [1, 1, 2]], np.int32)
    program = lambda m: m.J.vmap(lambda x, i: (x[i], x[1:, i], x[i[0]], x[:, i[1], None]), in_axes=in_axes)
    same_as_jax(program, batched(xs, in_axes[0]), batched(idx, in_axes[1]), eager=False)


@pytest.mark.parametrize("in_axes", [(0, None, None), (None, 0, None), (None, None, 0), (1, 0, 0)])
def test_vmap_at_set(in_axes):
    xs = RNG.standard_normal((2, 4, 5)).astype(np.float32)
    idx = np.array([[3, 0], [1, 2]], np.int32)
    vals = np.array([10.0, 20.0], np.float32)
    program = lambda m: m.J.vmap(lambda x, i, v: (x.at[i].set(v), x.at[1, i].add(v), x.at[i[0]].multiply(v)),
                                 in_axes=in_axes)
    same_as_jax(program, batched(xs, in_axes[0]), batched(idx, in_axes[1]), batched(vals, in_axes[2]), eager=False)


# ---- take and friends ------------------------------------------------------------------------
@pytest.mark.parametrize("mode", [None, "fill", "clip", "wrap"])
def test_take(mode):
    idx = np.array([[0, 7], [-1, -9]], np.int32)
    same_as_jax(lambda m: lambda x: [(m.np.take(x, idx, axis=axis, mode=mode), m.np.take(x, 2, axis=axis, mode=mode))
                                     for axis in (None, 0, -1)], X, eager=mode is None)


def test_take_fill_value_and_raise():
    same_as_jax(lambda m: lambda x: m.np.take(x, np.array([1, 9]), fill_value=-1.0), V)
    with pytest.raises(NotImplementedError):
        jnp.take(V, np.array([1]), mode="raise")


@pytest.mark.parametrize("axis", [0, 1, -1, None])
def test_take_along_axis(axis):
    x = RNG.standard_normal((3, 4)).astype(np.float32)
    idx = np.array([[0, 3, -1, 5]]) if axis in (0,) else np.array([[0], [3], [-1]]) if axis is not None else \
        np.array([0, 11, -1, 12])
    same_as_jax(lambda m: lambda x: m.np.take_along_axis(x, idx, axis=axis), x)
    if axis is not None:
        same_as_jax(lambda m: lambda x: m.np.take_along_axis(x, m.np.argsort(x, axis=axis), axis=axis), x)


def test_take_along_axis_grad():
    x = RNG.standard_normal((3, 4))
    check_grads(lambda x: jnp.take_along_axis(jnp.asarray(x), np.array([[0, 2, 2, 1]]), axis=0), [x], order=2)


@pytest.mark.parametrize("size,fill", [(None, None), (6, None), (2, None), (6, -1), (6, (7, 8))])
def test_nonzero_family(size, fill):
    x = np.array([[0, 1, 0], [2, 0, 3]], np.int32)
    program = lambda m: lambda x: (m.np.nonzero(x, size=size, fill_value=fill),
                                   m.np.argwhere(x, size=size, fill_value=None if isinstance(fill, tuple) else fill),
                                   m.np.flatnonzero(x, size=size, fill_value=None if isinstance(fill, tuple) else fill))
    if size is None:  # needs concrete values: NumPy is the oracle, with JAX's integer dtype
        assert_same(program(OURS)(x), as_jax_ints((np.nonzero(x), np.argwhere(x), np.flatnonzero(x))))
    else:
        same_as_jax(program, x)


def test_nonzero_dtypes(x64):
    x = np.array([0.0, 1.5, 0.0, 2.0], np.float32)
    assert_same(jnp.nonzero(x), tuple(i.astype(default_int()) for i in np.nonzero(x)))
    assert_same(jnp.nonzero(x, size=3), jax.jit(lambda x: jjnp.nonzero(x, size=3))(x))
    assert_same(jnp.argwhere(np.float32(2.0)), np.argwhere(np.float32(2.0)).astype(default_int()))


def test_nonzero_needs_size_under_jit():
    with pytest.raises(ConcretizationTypeError, match="size") as info:
        jaxlike.jit(jnp.nonzero)(np.array([1, 0]))
    assert "test_indexing.py" in str(info.value)
    with pytest.raises(ValueError, match="0d"):
        jnp.nonzero(np.float32(1.0))


def test_where_one_argument_form():
    assert_same(jnp.where(np.array([0, 3, 0, 1]), size=3), jjnp.where(np.array([0, 3, 0, 1]), size=3))


@pytest.mark.parametrize("axis", [None, 0, 1])
def test_compress(axis):
    cond = np.array([True, False, True])
    x = np.arange(12.0, dtype=np.float32).reshape(3, 4)
    assert_same(jnp.compress(cond, x, axis=axis), np.compress(cond, x, axis=axis))
    same_as_jax(lambda m: lambda c, x: m.np.compress(c, x, axis=axis, size=3, fill_value=-1.0), cond, x)


def test_extract():
    cond = np.array([[1, 0], [0, 1]])
    x = np.array([[4, 5], [6, 7]], np.int32)
    assert_same(jnp.extract(cond, x), np.extract(cond, x))
    same_as_jax(lambda m: lambda c, x: m.np.extract(c, x, size=3), cond, x)


def test_select():
    conds = [np.array([True, False, False]), np.array([True, True, False])]
    same_as_jax(lambda m: lambda a, b: m.np.select([a, b], [m.np.asarray([1.0, 2.0, 3.0]), 7], default=-1), *conds)
    same_as_jax(lambda m: lambda: m.np.select([np.array([1, 0])], [np.array([1, 2], np.int32)]))
    with pytest.raises(ValueError, match="length"):
        jnp.select([conds[0]], [])


@pytest.mark.parametrize("mode", ["raise", "wrap", "clip"])
def test_choose(mode):
    a = np.array([[0, 1], [2, 1]]) if mode == "raise" else np.array([[0, 4], [-1, 1]])
    choices = [np.full((2, 2), 1.0, np.float32), np.array([5, 6], np.int32), np.float32(9.0)]
    expected = np.choose(a, choices, mode=mode).astype(np.float32)  # JAX promotes to float32, NumPy to float64
    assert_same(jnp.choose(a, choices, mode=mode), expected)


def test_index_helpers(x64):
    as_jax = as_jax_ints
    assert_same(jnp.diag_indices(3), as_jax(np.diag_indices(3)))
    assert_same(jnp.diag_indices_from(np.zeros((2, 2, 2))), as_jax(np.diag_indices_from(np.zeros((2, 2, 2)))))
    for k in (-1, 0, 2):
        assert_same(jnp.tril_indices(3, k, 4), as_jax(np.tril_indices(3, k, 4)))
        assert_same(jnp.triu_indices(4, k), as_jax(np.triu_indices(4, k)))
    assert_same(jnp.tril_indices_from(np.zeros((2, 5)), 1), as_jax(np.tril_indices_from(np.zeros((2, 5)), 1)))
    assert_same(jnp.triu_indices_from(np.zeros((3, 2))), as_jax(np.triu_indices_from(np.zeros((3, 2)))))


def test_unravel_index():
    same_as_jax(lambda m: lambda i: (m.np.unravel_index(i, (2, 3)), m.np.unravel_index(i, 7)),
                np.array([-1, 7, 30, -30, 4, 0], np.int32))


@pytest.mark.parametrize("mode", ["clip", "wrap"])
@pytest.mark.parametrize("order", ["C", "F"])
def test_ravel_multi_index(mode, order):
    same_as_jax(lambda m: lambda i, j: m.np.ravel_multi_index((i, j), (2, 3), mode=mode, order=order),
                np.array([1, 5, -1]), np.array([2, -1, 0]))


def test_ravel_multi_index_raise():
    assert_same(jnp.ravel_multi_index((np.array([1, 1]), np.array([2, 0])), (2, 3)),
                as_jax_ints(np.ravel_multi_index((np.array([1, 1]), np.array([2, 0])), (2, 3))))
    with pytest.raises(ValueError, match="invalid entry"):
        jnp.ravel_multi_index((np.array([2]), np.array([0])), (2, 3))
    with pytest.raises(ConcretizationTypeError, match="mode='wrap'"):
        jaxlike.jit(lambda i: jnp.ravel_multi_index((i, i), (2, 3)))(np.array([1]))


def test_put_and_place():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    same_as_jax(lambda m: lambda x: (m.np.put(x, np.array([0, 4, 9]), np.array([7.0, 8.0]), inplace=False),
                                     m.np.put(x, np.array([-1, 9]), 5.0, mode="clip", inplace=False),
                                     m.np.put(x, np.array([-1, 8]), 5.0, mode="wrap", inplace=False)), x)
    mask = np.array([[True, False, True], [False, True, True]])
    expected = x.copy()
    np.place(expected, mask, np.array([10.0, 20.0], np.float32))
    assert_same(jnp.place(x, mask, np.array([10.0, 20.0]), inplace=False), expected)
    with pytest.raises(ValueError, match="immutable"):
        jnp.put(x, [0], 1.0)
