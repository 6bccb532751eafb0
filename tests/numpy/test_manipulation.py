"""jnp array manipulation vs jax.numpy: reshaping, joining, splitting, padding, tiling, rolling; grads, vmap, errors."""
import jax
import jax.numpy as jjnp
import numpy as np
import pytest
from hypothesis import given, strategies as st

import jaxlike
import jaxlike.numpy as jnp
from testing_utils import assert_same, check_grads

RNG = np.random.default_rng(6)
F = RNG.normal(size=(3, 4)).astype(np.float32)
I = RNG.integers(-5, 6, size=(3, 4)).astype(np.int32)
F3 = RNG.normal(size=(2, 3, 4)).astype(np.float32)


def check(name, x, *static, eager=True, jit=True, **kwargs):
    """jnp.<name>(x, *static, **kwargs) matches jax.numpy eagerly and under jit (x traced, the rest static)."""
    expected = jax.jit(lambda x: getattr(jjnp, name)(x, *static, **kwargs))(x)  # the oracle, compiled once
    if eager:
        assert_same(getattr(jnp, name)(x, *static, **kwargs), expected, err_msg=f"{name} {static} {kwargs}")
    if jit:
        assert_same(jaxlike.jit(lambda x: getattr(jnp, name)(x, *static, **kwargs))(x), expected,
                    err_msg=f"jit {name} {static} {kwargs}")


def check_fn(ours, theirs, *args, eager=True, jit=True):
    expected = jax.jit(theirs)(*args)
    if eager:
        assert_same(ours(*args), expected)
    if jit:
        assert_same(jaxlike.jit(ours)(*args), expected)


# ---- reshaping ------------------------------------------------------------------------------
def test_reshape():
    check("reshape", F, (2, -1))
    check("reshape", F, (4, 3), order="F")
    check("reshape", F, 12, eager=False)
    check("reshape", F3, (-1,), eager=False)
    check("ravel", F3)
    check("ravel", F, order="F", eager=False)


def test_reshape_errors_name_shapes():
    with pytest.raises(TypeError, match=r"cannot reshape array of shape \(3, 4\) \(size 12\) into shape \(5, 2\)"):
        jnp.reshape(F, (5, 2))
    with pytest.raises(TypeError, match=r"cannot reshape array of shape \(3, 4\) \(size 12\) into shape \(5, -1\)"):
        jnp.reshape(F, (5, -1))
    with pytest.raises(ValueError, match="at most one dimension may be -1"):
        jnp.reshape(F, (-1, -1))


def test_transpose_family():
    check("transpose", F3)
    check("transpose", F3, (1, 0, 2))
    check("transpose", F3, (-1, 0, 1), eager=False)
    check("moveaxis", F3, 0, -1)
    check("moveaxis", F3, (0, 1), (2, 0), eager=False)
    check("swapaxes", F3, 0, 2)
    check("matrix_transpose", F3, eager=False)
    check("permute_dims", F3, (2, 0, 1), eager=False)


def test_squeeze_expand_dims():
    x = F.reshape(3, 1, 4, 1)
    check("squeeze", x)
    check("squeeze", x, axis=(1, -1), eager=False)
    check("expand_dims", F, 1)
    check("expand_dims", F, (0, -1), eager=False)
    with pytest.raises(ValueError, match=r"cannot select an axis to squeeze out which has size not equal to one"):
        jnp.squeeze(F, 0)
    with pytest.raises(ValueError, match="axis 3 is out of bounds for array of dimension 3"):
        jnp.expand_dims(F, 3)


# ---- joining --------------------------------------------------------------------------------
def test_concatenate_and_stack():
    check_fn(lambda a, b: jnp.concatenate([a, b, a], axis=1), lambda a, b: jjnp.concatenate([a, b, a], axis=1), F, I)
    check_fn(lambda a, b: jnp.concatenate([a, b], axis=None), lambda a, b: jjnp.concatenate([a, b], axis=None), F, F3)
    check_fn(lambda a, b: jnp.concatenate((a, b), dtype=np.float32),
             lambda a, b: jjnp.concatenate((a, b), dtype=np.float32),
             I, I, eager=False)
    check_fn(lambda a, b: jnp.stack([a, b], axis=-1), lambda a, b: jjnp.stack([a, b], axis=-1), F, I)
    check_fn(lambda a: jnp.stack(a, axis=1), lambda a: jjnp.stack(a, axis=1), F, eager=False)
    check_fn(lambda a, b: jnp.append(a, b), lambda a, b: jjnp.append(a, b), F, I, eager=False)
    check_fn(lambda a, b: jnp.append(a, b, axis=0), lambda a, b: jjnp.append(a, b, axis=0), F, F, eager=False)


@pytest.mark.parametrize("name", ["hstack", "vstack", "dstack", "column_stack"])
def test_stacking_helpers(name):
    v = RNG.normal(size=3).astype(np.float32)
    m = RNG.normal(size=(3, 2)).astype(np.float32)
    check_fn(lambda a, b: getattr(jnp, name)([a, b]), lambda a, b: getattr(jjnp, name)([a, b]), v, v)
    if name != "vstack":
        check_fn(lambda a, b: getattr(jnp, name)((a, b)), lambda a, b: getattr(jjnp, name)((a, b)), m, m, eager=False)


def test_block():
    a, b = F[:2, :2], F[:2, 2:]
    check_fn(lambda a, b: jnp.block([[a, b], [b, a]]), lambda a, b: jjnp.block([[a, b], [b, a]]), a, b)


def test_joining_errors_name_shapes():
    with pytest.raises(ValueError, match=r"\(3, 4\), \(2, 3, 4\)"):
        jnp.concatenate([F, F3])
    with pytest.raises(ValueError, match=r"All input arrays must have the same shape, got \(3, 4\), \(4, 3\)"):
        jnp.stack([F, F.T])
    with pytest.raises(ValueError, match="Zero-dimensional arrays cannot be concatenated"):
        jnp.concatenate([1.0, 2.0])


# ---- flipping -------------------------------------------------------------------------------
def test_flips_and_rot90():
    check("flip", F3)
    check("flip", F3, (0, 2), eager=False)
    check("fliplr", F)
    check("flipud", F, eager=False)
    for k in (-1, 1, 2, 3):
        check("rot90", F3, k, axes=(2, 0), eager=k == 1)


# ---- broadcasting, tiling, repeating --------------------------------------------------------
def test_broadcasting():
    check("broadcast_to", F[0], (2, 3, 4))
    check_fn(lambda a, b: jnp.broadcast_arrays(a, b), lambda a, b: jjnp.broadcast_arrays(a, b), F[:, :1], F[0])
    assert jnp.broadcast_shapes((3, 1), (4,), ()) == jjnp.broadcast_shapes((3, 1), (4,), ())
    with pytest.raises(ValueError, match=r"Incompatible shapes for broadcasting: \(3, 4\) and requested shape"):
        jnp.broadcast_to(F, (3, 5))


def test_tile():
    check("tile", F, (2, 1))
    check("tile", F[0], (2, 2), eager=False)
    check("tile", F, 3, eager=False)


def test_repeat():
    check("repeat", F, 2, axis=1)
    check("repeat", F, np.array([1, 0, 3]), axis=0, eager=False)
    check("repeat", F, 2, eager=False)
    check("repeat", F, np.array([2, 1, 1]), axis=0, total_repeat_length=6, eager=False)
    check("repeat", np.float32(1.5), 3, eager=False)


def test_repeat_traced_repeats_with_total_length():
    r = np.array([1, 0, 2], np.int32)
    ours = jaxlike.jit(lambda x, r: jnp.repeat(x, r, axis=0, total_repeat_length=5))(F, r)
    assert_same(ours, jjnp.repeat(F, r, axis=0, total_repeat_length=5))
    with pytest.raises(jaxlike.ConcretizationTypeError, match="total_repeat_length"):
        jaxlike.jit(lambda x, r: jnp.repeat(x, r, axis=0))(F, r)


def test_roll():
    check("roll", F, 1, axis=1)
    check("roll", F, -5, eager=False)
    check("roll", F3, (1, -2), axis=(0, 2), eager=False)
    ours = jaxlike.jit(lambda x, s: jnp.roll(x, s, axis=1))(F, np.int32(3))
    assert_same(ours, jjnp.roll(F, 3, axis=1))


# ---- splitting ------------------------------------------------------------------------------
def test_splits():
    check("split", F, 2, axis=0 + 1)
    check("split", F, [1, 3], axis=1, eager=False)
    check("array_split", F, 3, axis=1)
    check("array_split", F, [1, 2], axis=0, eager=False)
    check("hsplit", F, 2, eager=False)
    check("vsplit", F, [1], eager=False)
    check("dsplit", F3, [2], eager=False)
    with pytest.raises(ValueError, match="array split does not result in an equal division"):
        jnp.split(F, 3, axis=1)


def test_atleast_and_shape_queries():
    for name in ("atleast_1d", "atleast_2d", "atleast_3d"):
        for x in (np.float32(2.0), F[0], F, F3):
            check(name, x, eager=False)
        check_fn(lambda a, b: getattr(jnp, name)(a, b), lambda a, b: getattr(jjnp, name)(a, b), F[0], F)
    assert (jnp.ndim(F3), jnp.shape(F3), jnp.size(F3), jnp.size(F3, 1)) == (3, (2, 3, 4), 24, 3)
    assert (jnp.ndim([[1, 2]]), jnp.shape(3.0), jnp.size(jnp.asarray(F), (0, 1))) == (2, (), 12)


# ---- pad ------------------------------------------------------------------------------------
PAD_MODES = [
    ("constant", {"constant_values": 7}), ("constant", {"constant_values": ((1, 2), (3, 4))}), ("edge", {}),
    ("wrap", {}), ("reflect", {}), ("reflect", {"reflect_type": "odd"}), ("symmetric", {}),
    ("linear_ramp", {"end_values": (5, -5)}), ("minimum", {"stat_length": 2}),
    ("mean", {"stat_length": ((1, 2), (3, 1))}), ("empty", {}),
]


@pytest.mark.parametrize("mode,kwargs", PAD_MODES, ids=[f"{m}-{i}" for i, (m, _) in enumerate(PAD_MODES)])
def test_pad_modes(mode, kwargs):
    width = ((2, 7), (1, 3))  # wider than the axes: reflect and wrap go around more than once
    check("pad", F, width, mode=mode, eager=mode == "edge", **kwargs)
    if mode in ("symmetric", "linear_ramp", "mean"):
        check("pad", I, ((1, 0), (2, 5)), mode=mode, eager=False, **kwargs)


def test_pad_width_forms_and_errors():
    check("pad", F, 1, eager=False)
    check("pad", F, (1, 2), eager=False)
    check("pad", F, ((1, 2),), eager=False)
    with pytest.raises(ValueError, match=r"unsupported shape \(1, 1\)"):
        jnp.pad(F, ((1,),))
    check("pad", np.float32(3.0), 2, eager=False)
    with pytest.raises(ValueError, match="index can't contain negative values"):
        jnp.pad(F, -1)
    with pytest.raises(ValueError, match="Unimplemented padding mode"):
        jnp.pad(F, 1, mode="nope")
    with pytest.raises(ValueError, match="can't extend empty axis"):
        jnp.pad(np.zeros((0, 2), np.float32), 1, mode="edge")


# ---- gradients ------------------------------------------------------------------------------
def test_grads_of_manipulations():
    x = RNG.normal(size=(3, 4))
    check_grads(jaxlike.jit(lambda x: jnp.pad(x, ((2, 4), (1, 0)), mode="reflect")), [x])
    def mixed(x, y):
        rotated = jnp.rot90(jnp.roll(jnp.tile(x, (1, 2)), 3, axis=1))
        return jnp.stack([jnp.split(rotated, [4])[0], jnp.split(jnp.repeat(y, 2, axis=0), [4])[0]])
    check_grads(jaxlike.jit(mixed), [x, x[:, :3] * 2], order=1)


def test_grad_of_pad_modes_matches_jax():
    w = RNG.normal(size=(7, 8)).astype(np.float32)
    for mode in ("symmetric", "wrap", "edge", "mean"):
        ours = jaxlike.jit(jaxlike.grad(lambda x: jnp.sum(jnp.pad(x, ((2, 2), (1, 3)), mode=mode) * w)))(F)
        theirs = jax.jit(jax.grad(lambda x: jjnp.sum(jjnp.pad(x, ((2, 2), (1, 3)), mode=mode) * w)))(F)
        assert_same(ours, theirs)


# ---- vmap -----------------------------------------------------------------------------------
VMAP_CASES = {
    "pad": lambda x, y: jnp.pad(x, ((1, 2),), mode="reflect"),
    "roll": lambda x, y: jnp.roll(x, 2),
    "concatenate": lambda x, y: jnp.concatenate([x, y]),
    "stack": lambda x, y: jnp.stack([x, y], axis=1),
    "repeat": lambda x, y: jnp.repeat(x, 2),
    "tile": lambda x, y: jnp.tile(y, 2),
    "split": lambda x, y: jnp.split(x, 2)[1],
    "flip": lambda x, y: jnp.flip(x),
    "moveaxis": lambda x, y: jnp.moveaxis(jnp.outer(x, y), 0, 1),
}


VMAP_RUNS = [(name, (1, 0)) for name in VMAP_CASES] + [(name, (0, None)) for name in ("pad", "concatenate", "stack")]


@pytest.mark.parametrize("name,in_axes", VMAP_RUNS, ids=[f"{n}-{a}" for n, a in VMAP_RUNS])
def test_vmap_manipulations(name, in_axes):
    f = VMAP_CASES[name]
    xs = RNG.normal(size=(3, 4) if in_axes[0] == 0 else (4, 3)).astype(np.float32)
    y = RNG.normal(size=(4,) if in_axes[1] is None else (3, 4)).astype(np.float32)
    per_example = jaxlike.jit(f)
    examples = [per_example(np.take(xs, i, in_axes[0]), y if in_axes[1] is None else y[i]) for i in range(3)]
    vmapped = jaxlike.vmap(f, in_axes)
    if name not in ("pad", "concatenate"):  # these run eagerly; the rest under jit (one compile each)
        vmapped = jaxlike.jit(vmapped)
    np.testing.assert_allclose(vmapped(xs, y), np.stack([np.asarray(e) for e in examples]), rtol=1e-6)


# ---- properties -----------------------------------------------------------------------------
SHAPES = [(3,), (2, 3), (2, 1, 3), (1, 2, 2)]


@st.composite
def _array_and_axes(draw):
    shape = draw(st.sampled_from(SHAPES))
    dtype = draw(st.sampled_from([np.float32, np.int32, np.bool_]))
    x = np.random.default_rng(draw(st.integers(0, 999))).integers(0, 3, size=shape).astype(dtype)
    perm = tuple(draw(st.permutations(range(len(shape)))))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    return x, perm, axis


@given(_array_and_axes(), st.sampled_from(["transpose", "moveaxis", "flip", "concatenate", "expand_dims", "roll",
                                           "reshape", "swapaxes"]))
def test_manipulation_property(case, name):
    x, perm, axis = case
    args = {"transpose": (x, perm), "moveaxis": (x, axis, 0), "flip": (x, axis), "concatenate": ([x, x], axis),
            "expand_dims": (x, axis), "roll": (x, 1, axis), "reshape": (x, (-1,) + x.shape[1:]),
            "swapaxes": (x, axis, 0)}[name]
    assert_same(getattr(jnp, name)(*args), getattr(jjnp, name)(*args), err_msg=f"{name} {x.shape} {args[1:]}")
