"""lax.conv_general_dilated and its wrappers: values, layouts, groups, derivatives, vmap, errors, lowering."""
import jax
import numpy as np
import pytest

import jaxlike
from jaxlike import lax
from testing_utils import assert_same, check_grads

RNG = np.random.default_rng(7)
TOL = dict(rtol=2e-5, atol=2e-5)


def rand(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


def check(ours, theirs, *args, jit=False, **tol):
    expected = theirs(*args)
    assert_same(ours(*args), expected, **(tol or TOL))
    if jit:
        assert_same(jaxlike.jit(ours)(*args), expected, **(tol or TOL))


# name: (lhs shape, rhs shape, conv_general_dilated keyword arguments); shapes are reused across tests
# so that each XLA compilation serves several of them.
CASES = {
    "plain": ((2, 3, 9, 8), (4, 3, 3, 2), dict(window_strides=(1, 1), padding="VALID")),
    "strided_same": ((2, 3, 9, 8), (4, 3, 3, 2), dict(window_strides=(2, 3), padding="SAME")),
    "same_lower": ((2, 3, 9, 8), (4, 3, 3, 2), dict(window_strides=(2, 1), padding="SAME_LOWER")),
    "dilated": ((2, 3, 9, 8), (4, 3, 3, 2), dict(window_strides=(2, 1), padding=((1, 2), (0, 1)),
                                                 lhs_dilation=(1, 2), rhs_dilation=(2, 1))),
    "negative_padding": ((2, 3, 9, 8), (4, 3, 3, 2), dict(window_strides=(1, 2), padding=((-1, 2), (1, -1)))),
    "feature_groups": ((2, 4, 9, 8), (6, 2, 3, 2), dict(window_strides=(2, 1), padding=((1, 2), (0, 1)),
                                                        lhs_dilation=(1, 2), rhs_dilation=(2, 1),
                                                        feature_group_count=2)),
    "batch_groups": ((4, 4, 9, 8), (6, 4, 3, 2), dict(window_strides=(2, 1), padding=((1, 2), (0, 1)),
                                                      lhs_dilation=(1, 2), rhs_dilation=(2, 1),
                                                      batch_group_count=2)),
    "nhwc": ((2, 9, 8, 3), (3, 2, 3, 4), dict(window_strides=(2, 2), padding="SAME",
                                              dimension_numbers=("NHWC", "HWIO", "NHWC"))),
    "mixed_layouts": ((2, 9, 8, 4), (3, 2, 2, 6), dict(window_strides=(1, 3), padding="VALID", feature_group_count=2,
                                                       dimension_numbers=("NHWC", "HWIO", "NCHW"))),
    "conv1d": ((2, 4, 9), (6, 2, 3), dict(window_strides=(3,), padding="SAME", feature_group_count=2)),
    "conv3d": ((1, 2, 5, 4, 6), (3, 2, 2, 3, 2), dict(window_strides=(1, 2, 1), padding="SAME")),
}


def conv_fn(lib, kwargs):
    return lambda lhs, rhs: lib.lax.conv_general_dilated(lhs, rhs, **kwargs)


JITTED = {"dilated", "batch_groups", "nhwc"}


@pytest.mark.parametrize("case", list(CASES))
def test_conv_values(case):
    ls, rs, kwargs = CASES[case]
    check(conv_fn(jaxlike, kwargs), conv_fn(jax, kwargs), rand(*ls), rand(*rs), jit=case in JITTED)


@pytest.mark.parametrize("case", ["feature_groups", pytest.param("strided_same", marks=pytest.mark.slow)])
def test_conv_float64(case, enable_x64):
    ls, rs, kwargs = CASES[case]
    check(conv_fn(jaxlike, kwargs), conv_fn(jax, kwargs), rand(*ls, dtype=np.float64), rand(*rs, dtype=np.float64),
          rtol=1e-12, atol=1e-12)


def test_conv_dtypes_and_preferred_element_type():
    ls, rs, kwargs = CASES["plain"]
    ints = [RNG.integers(-4, 4, s).astype(np.int8) for s in (ls, rs)]
    check(conv_fn(jaxlike, dict(kwargs, preferred_element_type=np.int32)),
          conv_fn(jax, dict(kwargs, preferred_element_type=np.int32)), *ints, jit=False)
    halves = [rand(*s, dtype=jax.numpy.bfloat16) for s in (ls, rs)]
    check(conv_fn(jaxlike, dict(kwargs, preferred_element_type=np.float32)),
          conv_fn(jax, dict(kwargs, preferred_element_type=np.float32)), *halves, jit=False, rtol=1e-2, atol=1e-2)
    check(conv_fn(jaxlike, dict(kwargs, precision=lax.Precision.HIGHEST)),
          conv_fn(jax, dict(kwargs, precision=jax.lax.Precision.HIGHEST)), rand(*ls), rand(*rs), jit=False)


def test_conv_complex():
    ls, rs, kwargs = CASES["plain"]
    lhs, rhs = (rand(*ls) + 1j * rand(*ls)).astype(np.complex64), (rand(*rs) + 1j * rand(*rs)).astype(np.complex64)
    check(conv_fn(jaxlike, kwargs), conv_fn(jax, kwargs), lhs, rhs, jit=False, rtol=1e-4, atol=1e-4)


def test_conv_wrappers():
    lhs, rhs = rand(2, 3, 9, 8), rand(4, 3, 3, 2)
    check(lambda a, b: lax.conv(a, b, (1, 2), "SAME"), lambda a, b: jax.lax.conv(a, b, (1, 2), "SAME"), lhs, rhs,
          jit=False)
    check(lambda a, b: lax.conv_with_general_padding(a, b, (2, 1), ((1, 0), (2, 1)), (2, 1), (1, 2)),
          lambda a, b: jax.lax.conv_with_general_padding(a, b, (2, 1), ((1, 0), (2, 1)), (2, 1), (1, 2)), lhs, rhs,
          jit=False)


@pytest.mark.parametrize("padding", ["SAME", "VALID", ((1, 2), (0, 1))])
@pytest.mark.parametrize("transpose_kernel", [False, True])
def test_conv_transpose(padding, transpose_kernel):
    lhs, rhs = rand(2, 5, 6, 3), rand(3, 2, 3, 3)  # NHWC / HWIO, equal in/out features so the kernel may flip
    kwargs = dict(strides=(2, 3), padding=padding, rhs_dilation=(1, 2), transpose_kernel=transpose_kernel)
    check(lambda a, b: lax.conv_transpose(a, b, **kwargs), lambda a, b: jax.lax.conv_transpose(a, b, **kwargs),
          lhs, rhs, jit=False)


def test_conv_transpose_consistent_padding_is_the_gradient_of_conv():
    lhs, rhs = rand(2, 5, 6, 3), rand(3, 2, 3, 3)
    kwargs = dict(strides=(2, 1), padding=((1, 1), (0, 1)), use_consistent_padding=True)
    check(lambda a, b: lax.conv_transpose(a, b, **kwargs), lambda a, b: jax.lax.conv_transpose(a, b, **kwargs),
          lhs, rhs, jit=False)


def test_conv_general_dilated_patches():
    lhs = rand(2, 3, 9, 8)
    check(lambda a: lax.conv_general_dilated_patches(a, (3, 2), (2, 1), "SAME"),
          lambda a: jax.lax.conv_general_dilated_patches(a, (3, 2), (2, 1), "SAME"), lhs, jit=False)


def test_dimension_numbers_and_shape_helpers():
    specs = ("NHWC", "HWIO", "NCHW")
    assert lax.conv_general_permutations(specs) == jax.lax.conv_general_permutations(specs)
    ours = lax.conv_dimension_numbers((2, 9, 8, 3), (3, 2, 3, 4), specs)
    assert isinstance(ours, lax.ConvDimensionNumbers)
    assert tuple(ours) == tuple(jax.lax.conv_dimension_numbers((2, 9, 8, 3), (3, 2, 3, 4), specs))
    assert tuple(lax.conv_dimension_numbers((1, 2, 3), (1, 2, 3), None)) == ((0, 1, 2),) * 3
    assert lax.conv_general_shape_tuple((2, 9, 8, 3), (3, 2, 3, 4), (2, 1), "SAME", specs) == \
        jax.lax.conv_general_shape_tuple((2, 9, 8, 3), (3, 2, 3, 4), (2, 1), "SAME", specs)
    assert lax.conv_shape_tuple((2, 3, 9, 8), (4, 3, 3, 2), (2, 2), "VALID") == \
        jax.lax.conv_shape_tuple((2, 3, 9, 8), (4, 3, 3, 2), (2, 2), "VALID")
    expected_pads = tuple(jax.lax.padtype_to_pads((9, 8), (3, 4), (2, 3), "SAME"))
    assert lax.padtype_to_pads((9, 8), (3, 4), (2, 3), "SAME") == expected_pads
    # a ConvDimensionNumbers passes through the primitive's params unchanged
    check(conv_fn(jaxlike, dict(window_strides=(1, 1), padding="SAME", dimension_numbers=ours)),
          conv_fn(jax, dict(window_strides=(1, 1), padding="SAME", dimension_numbers=specs)),
          rand(2, 9, 8, 3), rand(3, 2, 3, 4), jit=False)


# ---- derivatives ----------------------------------------------------------------------------------
@pytest.mark.parametrize("case", ["feature_groups", "batch_groups", "mixed_layouts"] + [
    pytest.param(c, marks=pytest.mark.slow) for c in ("dilated", "negative_padding", "conv1d", "conv3d")])
def test_conv_grads_match_jax(case):
    ls, rs, kwargs = CASES[case]
    lhs, rhs = rand(*ls), rand(*rs)

    def loss(lib):
        return lambda a, b: lib.numpy.sum(lib.lax.conv_general_dilated(a, b, **kwargs) ** 2)
    ours = jaxlike.jit(jaxlike.grad(loss(jaxlike), argnums=(0, 1)))(lhs, rhs)
    theirs = jax.grad(loss(jax), argnums=(0, 1))(lhs, rhs)
    assert_same(ours, theirs, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("kwargs", [
    dict(window_strides=(2, 1), padding=((1, 0), (0, 1)), lhs_dilation=(1, 2), rhs_dilation=(2, 1),
         feature_group_count=2),
    dict(window_strides=(1, 2), padding="SAME", batch_group_count=2),
], ids=["feature_groups", "batch_groups"])
def test_conv_check_grads(kwargs):
    in_features = 2 if "feature_group_count" in kwargs else 4
    lhs, rhs = RNG.standard_normal((2, 4, 5, 4)), RNG.standard_normal((4, in_features, 2, 2))
    check_grads(lambda a, b: lax.conv_general_dilated(a, b, **kwargs), [lhs, rhs], order=2)


# ---- vmap -----------------------------------------------------------------------------------------------
VMAP_CASES = ["strided_same", "feature_groups", "batch_groups", "mixed_layouts"]
VMAP_AXES = [(0, 0), (0, None), (None, 0), (2, 1)]
QUICK_VMAP = [("strided_same", (2, 1)), ("feature_groups", (0, 0)), ("feature_groups", (None, 0)),
              ("batch_groups", (0, 0)), ("batch_groups", (0, None)), ("mixed_layouts", (None, 0))]


@pytest.mark.parametrize("case,in_axes", [
    pytest.param(c, a, marks=() if (c, a) in QUICK_VMAP else pytest.mark.slow) for c in VMAP_CASES for a in VMAP_AXES])
def test_vmap_conv(case, in_axes):
    ls, rs, kwargs = CASES[case]
    size = 3

    def batched(shape, axis):
        return shape if axis is None else shape[:axis] + (size,) + shape[axis:]
    lhs, rhs = rand(*batched(ls, in_axes[0])), rand(*batched(rs, in_axes[1]))
    f = conv_fn(jaxlike, kwargs)

    def example(i):
        a = lhs if in_axes[0] is None else np.take(lhs, i, in_axes[0])
        b = rhs if in_axes[1] is None else np.take(rhs, i, in_axes[1])
        return np.asarray(f(a, b))
    np.testing.assert_allclose(np.asarray(jaxlike.vmap(f, in_axes)(lhs, rhs)),
                               np.stack([example(i) for i in range(size)]), **TOL)


@pytest.mark.slow
def test_vmap_of_grad_of_conv():
    ls, rs, kwargs = CASES["nhwc"]
    lhs, rhs = rand(3, *ls), rand(*rs)

    def loss(lib):
        return lambda a, b: lib.numpy.sum(lib.lax.conv_general_dilated(a, b, **kwargs) ** 2)
    ours = jaxlike.vmap(jaxlike.grad(loss(jaxlike), argnums=1), (0, None))(lhs, rhs)
    theirs = jax.vmap(jax.grad(loss(jax), argnums=1), (0, None))(lhs, rhs)
    assert_same(ours, theirs, rtol=1e-4, atol=1e-4)


# ---- errors and lowering -----------------------------------------------------------------------------------
def test_conv_errors_name_the_problem():
    lhs, rhs = rand(2, 3, 9, 8), rand(4, 5, 3, 2)
    with pytest.raises(TypeError, match=r"feature dimension.*3 // 1 != 5.*\(2, 3, 9, 8\).*\(4, 5, 3, 2\)"):
        lax.conv_general_dilated(lhs, rhs, (1, 1), "SAME")
    with pytest.raises(ValueError, match="Unknown padding type 'FULL'"):
        lax.conv_general_dilated(lhs, rand(4, 3, 3, 2), (1, 1), "FULL")
    with pytest.raises(TypeError, match="multiple of feature_group_count"):
        lax.conv_general_dilated(rand(2, 4, 9, 8), rand(3, 2, 3, 2), (1, 1), "SAME", feature_group_count=2)
    with pytest.raises(TypeError, match="same dtype"):
        lax.conv_general_dilated(lhs, rand(4, 3, 3, 2, dtype=np.float16), (1, 1), "SAME")
    with pytest.raises(TypeError, match="same rank"):
        lax.conv_general_dilated(lhs, rand(4, 3, 3), (1, 1), "SAME")
    with pytest.raises(TypeError, match="exactly one 'N'"):
        lax.conv_general_dilated(lhs, rand(4, 3, 3, 2), (1, 1), "SAME", dimension_numbers=("HWCC", "OIHW", "NCHW"))
    with pytest.raises(ValueError, match="lhs_dilation"):
        lax.conv_general_dilated(lhs, rand(4, 3, 3, 2), (1, 1), "SAME", lhs_dilation=(2, 1))


def test_conv_lowering_is_stablehlo_convolution():
    lhs, rhs = rand(2, 9, 8, 3), rand(3, 2, 3, 4)
    conv = jaxlike.jit(lambda a, b: lax.conv_general_dilated(a, b, (1, 2), "SAME",
                                                             dimension_numbers=("NHWC", "HWIO", "NHWC")))
    text = conv.lower(lhs, rhs).as_text()
    assert '"stablehlo.convolution"' in text
    assert "dimension_numbers = #stablehlo.conv<[b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f]>" in text
    assert "window_strides = array<i64: 1, 2>" in text and "feature_group_count = 1 : i64" in text
