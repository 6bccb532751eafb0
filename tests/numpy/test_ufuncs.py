"""jaxlike.numpy elementwise functions against jax.numpy: values, shapes, dtypes and weak types (eager, jit
and vmap), promotion of mixed inputs, integer semantics, special values, derivatives, operators and errors."""
import dataclasses
import functools
import operator

import jax
import jax.numpy as jjnp
import ml_dtypes
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import jaxlike
import jaxlike.numpy as jnp
from testing_utils import assert_same, check_grads, rand, x64_mode

F16, BF16, F32, F64 = np.dtype(np.float16), np.dtype(ml_dtypes.bfloat16), np.dtype(np.float32), np.dtype(np.float64)
C64, C128 = np.dtype(np.complex64), np.dtype(np.complex128)
I32, I64, U8, I8, BOOL = (np.dtype(t) for t in (np.int32, np.int64, np.uint8, np.int8, np.bool_))


@dataclasses.dataclass
class Ufunc:
    """One jnp function under test, with keyword arguments and input ranges."""
    name: str
    nargs: int
    ranges: tuple = ((-3.0, 3.0),)
    kwargs: dict = dataclasses.field(default_factory=dict)
    grad: bool = True  # differentiable on the reals inside `ranges`
    label: str = None

    @property
    def id(self):
        return self.label or self.name

    def ours(self):
        return functools.partial(getattr(jnp, self.name), **self.kwargs)

    def theirs(self):
        name = "trunc" if self.name == "fix" else self.name  # jax.numpy.fix was removed; numpy's fix is trunc
        kwargs = {("min" if k == "a_min" else "max" if k == "a_max" else k): v for k, v in self.kwargs.items()}
        return functools.partial(getattr(jjnp, name), **kwargs)

    def args(self, rng, shape, dtype):
        return [rand(rng, shape, dtype, *self._range(i, dtype)) for i in range(self.nargs)]

    def _range(self, i, dtype):
        low, high = self.ranges[min(i, len(self.ranges) - 1)]
        return (1, 4) if np.dtype(dtype).kind == "u" and high < 1 else (low, high)


POSITIVE, UNIT, ABOVE_ONE, NONZERO = ((0.5, 3.0),), ((-0.9, 0.9),), ((1.1, 3.0),), ((-5.0, 5.0), (1.0, 3.0))
UFUNCS = [
    Ufunc("add", 2), Ufunc("subtract", 2), Ufunc("multiply", 2), Ufunc("divide", 2, NONZERO),
    Ufunc("true_divide", 2, NONZERO), Ufunc("floor_divide", 2, ((-9.0, 9.0), (1.0, 4.0)), grad=False),
    Ufunc("remainder", 2, ((-9.0, 9.0), (1.0, 4.0))), Ufunc("mod", 2, ((-9.0, 9.0), (-4.0, -1.0))),
    Ufunc("fmod", 2, ((-9.0, 9.0), (1.0, 4.0))), Ufunc("power", 2, ((0.5, 2.0), (0.0, 3.0))),
    Ufunc("pow", 2, ((0.5, 2.0), (0.0, 3.0))), Ufunc("float_power", 2, ((0.5, 2.0), (-2.0, 2.0))),
    Ufunc("negative", 1), Ufunc("positive", 1), Ufunc("absolute", 1), Ufunc("abs", 1), Ufunc("fabs", 1),
    Ufunc("sign", 1, grad=False), Ufunc("signbit", 1, grad=False), Ufunc("copysign", 2),
    Ufunc("square", 1), Ufunc("reciprocal", 1, POSITIVE), Ufunc("sqrt", 1, POSITIVE), Ufunc("cbrt", 1, POSITIVE),
    Ufunc("exp", 1), Ufunc("exp2", 1), Ufunc("expm1", 1), Ufunc("log", 1, POSITIVE), Ufunc("log2", 1, POSITIVE),
    Ufunc("log10", 1, POSITIVE), Ufunc("log1p", 1, POSITIVE), Ufunc("logaddexp", 2), Ufunc("logaddexp2", 2),
    Ufunc("sin", 1), Ufunc("cos", 1), Ufunc("tan", 1, UNIT), Ufunc("arcsin", 1, UNIT), Ufunc("arccos", 1, UNIT),
    Ufunc("arctan", 1), Ufunc("arctan2", 2, ((0.5, 3.0), (-3.0, 3.0))), Ufunc("sinh", 1), Ufunc("cosh", 1),
    Ufunc("tanh", 1), Ufunc("arcsinh", 1), Ufunc("arccosh", 1, ABOVE_ONE), Ufunc("arctanh", 1, UNIT),
    Ufunc("asin", 1, UNIT), Ufunc("acos", 1, UNIT), Ufunc("atan", 1), Ufunc("atan2", 2, ((0.5, 3.0), (-3.0, 3.0))),
    Ufunc("asinh", 1), Ufunc("acosh", 1, ABOVE_ONE), Ufunc("atanh", 1, UNIT), Ufunc("hypot", 2, ((0.5, 3.0),)),
    Ufunc("deg2rad", 1), Ufunc("rad2deg", 1), Ufunc("degrees", 1), Ufunc("radians", 1), Ufunc("sinc", 1),
    Ufunc("floor", 1, grad=False), Ufunc("ceil", 1, grad=False), Ufunc("trunc", 1, grad=False),
    Ufunc("fix", 1, grad=False), Ufunc("rint", 1, grad=False), Ufunc("round", 1, grad=False),
    Ufunc("around", 1, grad=False), Ufunc("round", 1, kwargs=dict(decimals=2), grad=False, label="round2"),
    Ufunc("isfinite", 1, grad=False), Ufunc("isinf", 1, grad=False), Ufunc("isnan", 1, grad=False),
    Ufunc("isposinf", 1, grad=False), Ufunc("isneginf", 1, grad=False), Ufunc("nextafter", 2, grad=False),
    Ufunc("nan_to_num", 1), Ufunc("clip", 1, kwargs=dict(min=0.5, max=1.5)),
    Ufunc("clip", 1, kwargs=dict(a_min=1, a_max=2), label="clip_a_min"),
    Ufunc("maximum", 2), Ufunc("minimum", 2), Ufunc("fmax", 2), Ufunc("fmin", 2), Ufunc("heaviside", 2, grad=False),
    Ufunc("equal", 2, grad=False), Ufunc("not_equal", 2, grad=False), Ufunc("less", 2, grad=False),
    Ufunc("less_equal", 2, grad=False), Ufunc("greater", 2, grad=False), Ufunc("greater_equal", 2, grad=False),
    Ufunc("logical_and", 2, grad=False), Ufunc("logical_or", 2, grad=False), Ufunc("logical_xor", 2, grad=False),
    Ufunc("logical_not", 1, grad=False), Ufunc("bitwise_and", 2), Ufunc("bitwise_or", 2), Ufunc("bitwise_xor", 2),
    Ufunc("bitwise_not", 1), Ufunc("invert", 1), Ufunc("bitwise_invert", 1),
    Ufunc("left_shift", 2, ((-9, 9), (0, 5))), Ufunc("right_shift", 2, ((-9, 9), (0, 5))),
    Ufunc("bitwise_left_shift", 2, ((-9, 9), (0, 5))), Ufunc("bitwise_right_shift", 2, ((-9, 9), (0, 5))),
    Ufunc("bitwise_count", 1, ((-9, 200),)), Ufunc("real", 1), Ufunc("imag", 1), Ufunc("conj", 1),
    Ufunc("conjugate", 1), Ufunc("angle", 1, grad=False),
    Ufunc("angle", 1, kwargs=dict(deg=True), grad=False, label="angle_deg"),
]
BY_ID = {u.id: u for u in UFUNCS}
# Names that are the same function as another one: value sweeps skip them (each costs XLA compilations),
# the cheap abstract-evaluation tests below cover them all.
ALIASES = {"pow": "power", "mod": "remainder", "divide": "true_divide", "abs": "absolute", "asin": "arcsin",
           "acos": "arccos", "atan": "arctan", "atan2": "arctan2", "asinh": "arcsinh", "acosh": "arccosh",
           "atanh": "arctanh", "degrees": "rad2deg", "radians": "deg2rad", "conjugate": "conj", "invert": "bitwise_not",
           "bitwise_invert": "bitwise_not", "bitwise_left_shift": "left_shift", "bitwise_right_shift": "right_shift",
           "around": "round", "fix": "trunc"}
PRIMARY = [u for u in UFUNCS if u.id not in ALIASES]
# One lax primitive after promotion: their values are the lax sweeps' (tests/lax), so beyond float32 the
# sweeps here skip them; promotion and weak types are checked for all functions by abstract evaluation.
THIN_WRAPPERS = {"add", "subtract", "multiply", "true_divide", "negative", "positive", "absolute", "fabs", "sign",
                 "square", "sqrt", "cbrt", "exp", "exp2", "expm1", "log", "log1p", "sin", "cos", "tan", "arcsin",
                 "arccos", "arctan", "arctan2", "sinh", "cosh", "tanh", "arcsinh", "arccosh", "arctanh",
                 "nextafter", "equal", "not_equal", "maximum", "minimum", "bitwise_and", "bitwise_or", "bitwise_xor",
                 "bitwise_not", "real", "conj", "float_power", "reciprocal"}
SHAPE = (2, 3)


def _supports(ufunc, dtype):
    """Whether jax.numpy accepts `dtype` for this function (found without compiling anything)."""
    args = [jax.ShapeDtypeStruct(SHAPE, dtype)] * ufunc.nargs
    try:
        jax.eval_shape(ufunc.theirs(), *args)
        return True
    except (TypeError, ValueError, NotImplementedError):
        return False


def _all_outputs(fns, arg_lists):
    return [fn(*args) for fn, args in zip(fns, arg_lists)]


def _tol(dtype):
    return dict(rtol=2e-2, atol=2e-2) if np.dtype(dtype) in (F16, BF16) else dict(rtol=2e-6, atol=2e-6)


# For integer and bool inputs, most functions just convert to float first; those are covered by the float
# sweep and the result-type tests. The integer sweeps keep the functions with their own integer behaviour.
FLOAT_RESULT_KEPT = {"true_divide", "sqrt", "float_power", "rint", "angle", "hypot", "sinc", "copysign", "nextafter",
                     "heaviside", "logaddexp", "arctan2", "reciprocal", "isnan", "isinf", "isfinite", "nan_to_num"}


def _in_sweep(ufunc, dtype):
    if np.dtype(dtype) == F32:
        return True
    if ufunc.id in THIN_WRAPPERS:
        return False
    if np.dtype(dtype).kind not in "biu" or ufunc.id in FLOAT_RESULT_KEPT:
        return True
    out = jax.eval_shape(ufunc.theirs(), *[jax.ShapeDtypeStruct(SHAPE, dtype)] * ufunc.nargs)
    return np.dtype(out[0].dtype if isinstance(out, tuple) else out.dtype).kind in "biu"


OTHER_DTYPES = [C64, I32, BOOL, U8, F16, BF16]


def _default_cases():
    """Every function in float32 (or its first accepted dtype), and in one more dtype it accepts (round-robin,
    so that all dtypes are covered)."""
    cases = []
    for i, u in enumerate(PRIMARY):
        accepted = [d for d in [F32] + OTHER_DTYPES if _supports(u, d)]
        cases.append((u, accepted[0]))
        others = [d for d in accepted[1:] if _in_sweep(u, d)]
        if others:
            cases.append((u, others[i % len(others)]))
    return cases


@functools.lru_cache(maxsize=None)
def _oracle(sweep):
    """(ufuncs, dtypes, arguments, jax's outputs under one jax.jit) for a sweep of cases."""
    if sweep == "default":
        cases = _default_cases()
    else:
        cases = [(u, sweep) for u in PRIMARY if _supports(u, sweep) and _in_sweep(u, sweep)]
    rng = np.random.default_rng(0)
    ufuncs, dts = [u for u, _ in cases], [d for _, d in cases]
    arg_lists = [u.args(rng, SHAPE, d) for u, d in cases]
    expected = jax.jit(functools.partial(_all_outputs, [u.theirs() for u in ufuncs]))(arg_lists)
    return ufuncs, dts, arg_lists, expected


def _compare_all(ufuncs, dts, outputs, expected, what, check_weak_type=False):
    failures = []
    for u, dtype, ours, theirs in zip(ufuncs, dts, outputs, expected):
        try:
            assert_same(ours, theirs, check_weak_type=check_weak_type, err_msg=f"{u.id} {dtype} {what}",
                        **_tol(dtype))
        except AssertionError as e:
            failures.append(str(e))
    assert not failures, "\n".join(failures)


# ---- values ------------------------------------------------------------------------------------------------
# Each (function, dtype) costs several XLA compilations (30-50 ms each); the full sweeps are `slow`.
SWEEPS = ["default"] + [pytest.param(d, marks=pytest.mark.slow, id=d.name) for d in [F32] + OTHER_DTYPES]


@pytest.mark.parametrize("sweep", SWEEPS)
def test_values_match_jax(sweep):
    """Every function eagerly: values, shape, dtype and weak type."""
    ufuncs, dts, arg_lists, expected = _oracle(sweep)
    outputs = [u.ours()(*args) for u, args in zip(ufuncs, arg_lists)]
    _compare_all(ufuncs, dts, outputs, expected, "eager", check_weak_type=True)


def _vmapped(ufuncs, in_axes):
    def run(arg_lists):
        return [jaxlike.vmap(u.ours(), in_axes=in_axes)(*args) for u, args in zip(ufuncs, arg_lists)]
    return run


@pytest.mark.parametrize("sweep", SWEEPS)
def test_jit_of_vmap_matches_jax(sweep):
    """Every function under jit and vmap (batch axis in the middle) against jax's values."""
    ufuncs, dts, arg_lists, expected = _oracle(sweep)
    outputs = jaxlike.jit(_vmapped(ufuncs, 1))(arg_lists)
    _compare_all(ufuncs, dts, outputs, [np.moveaxis(np.asarray(e), 1, 0) for e in expected], "jit(vmap)")


@pytest.mark.slow
@pytest.mark.parametrize("sweep", [F32] + OTHER_DTYPES, ids=lambda d: d.name)
def test_jit_matches_jax(sweep):
    ufuncs, dts, arg_lists, expected = _oracle(sweep)
    outputs = jaxlike.jit(functools.partial(_all_outputs, [u.ours() for u in ufuncs]))(arg_lists)
    _compare_all(ufuncs, dts, outputs, expected, "jit")


@pytest.mark.slow
@pytest.mark.parametrize("dtype", [F16, BF16, F64, I64, C128], ids=lambda d: d.name)
def test_values_match_jax_other_dtypes(dtype):
    with x64_mode(dtype in (F64, I64, C128)):
        rng = np.random.default_rng(1)
        ufuncs = [u for u in UFUNCS if _supports(u, dtype)]
        arg_lists = [u.args(rng, (3,), dtype) for u in ufuncs]
        expected = jax.jit(functools.partial(_all_outputs, [u.theirs() for u in ufuncs]))(arg_lists)
        outputs = [u.ours()(*args) for u, args in zip(ufuncs, arg_lists)]
        _compare_all(ufuncs, [dtype] * len(ufuncs), outputs, expected, "eager", check_weak_type=True)


SMOKE = ["floor_divide", "power", "logaddexp", "hypot", "round2", "nan_to_num", "signbit"]


@pytest.mark.parametrize("dtype", [F16, F64], ids=lambda d: d.name)
def test_values_match_jax_other_dtypes_smoke(dtype):
    with x64_mode(dtype in (F64, I64, C128)):
        rng = np.random.default_rng(1)
        ufuncs = [BY_ID[name] for name in SMOKE if _supports(BY_ID[name], dtype)]
        arg_lists = [u.args(rng, (3,), dtype) for u in ufuncs]
        expected = jax.jit(functools.partial(_all_outputs, [u.theirs() for u in ufuncs]))(arg_lists)
        outputs = [u.ours()(*args) for u, args in zip(ufuncs, arg_lists)]
        _compare_all(ufuncs, [dtype] * len(ufuncs), outputs, expected, "eager", check_weak_type=True)


# ---- dtype support, promotion and weak types (abstract evaluation: nothing compiles) ----------------------------
def _outcome(fn, *args):
    """(shape, dtype, weak_type) of fn's result(s), or the exception type it raises."""
    try:
        out = fn(*args)
    except (TypeError, ValueError, NotImplementedError) as e:
        return type(e).__mro__[0] if not isinstance(e, jaxlike.errors.JaxlikeError) else type(e)
    return jax.tree_util.tree_map(lambda o: (tuple(o.shape), np.dtype(o.dtype), bool(o.weak_type)), out)


def _error_kind(exc_type):
    for kind in (NotImplementedError, TypeError, ValueError):
        if issubclass(exc_type, kind):
            return kind
    return exc_type


def _ours_struct(x):
    if isinstance(x, jax.ShapeDtypeStruct):
        return jaxlike.ShapeDtypeStruct(x.shape, x.dtype, weak_type=x.weak_type)
    return x


def _same_outcome(ufunc, args):
    ours = _outcome(lambda *a: jaxlike.eval_shape(ufunc.ours(), *a), *map(_ours_struct, args))
    theirs = _outcome(lambda *a: jax.eval_shape(ufunc.theirs(), *a), *args)
    if isinstance(theirs, type):
        assert isinstance(ours, type) and _error_kind(ours) == _error_kind(theirs), \
            f"{ufunc.id}{_describe(args)}: jax raises {theirs.__name__}, ours gives {ours}"
    else:
        assert ours == theirs, f"{ufunc.id}{_describe(args)}: ours {ours} vs jax {theirs}"


def _describe(args):
    return "(" + ", ".join(f"{type(a).__name__}:{getattr(a, 'dtype', '')}" for a in args) + ")"


ALL_DTYPES = [BOOL, I8, U8, I32, F16, BF16, F32, C64]


@pytest.mark.parametrize("ufunc", UFUNCS, ids=lambda u: u.id)
def test_accepted_dtypes_and_result_types_match_jax(ufunc):
    """For every dtype: the same result dtype and weak type as jax, or the same kind of error."""
    for dtype in ALL_DTYPES:
        _same_outcome(ufunc, [jax.ShapeDtypeStruct(SHAPE, dtype)] * ufunc.nargs)


PYTHON_SCALARS = [True, 3, 2.5, 1.5 - 0.5j]


@pytest.mark.parametrize("ufunc", UFUNCS, ids=lambda u: u.id)
def test_python_scalars_and_weak_types_match_jax(ufunc):
    """Python scalars alone and next to arrays: result dtypes and weak types as in jax."""
    for value in PYTHON_SCALARS:
        _same_outcome(ufunc, [value] * ufunc.nargs)
        if ufunc.nargs == 1:
            continue
        for dtype in (I32,):
            array = jax.ShapeDtypeStruct(SHAPE, dtype)
            _same_outcome(ufunc, [array, value])
            _same_outcome(ufunc, [value, array])
        if not isinstance(value, bool):  # a weakly typed rank-0 array (what a Python scalar becomes inside jit)
            weak = jax.ShapeDtypeStruct((), jax.dtypes.canonicalize_dtype(type(value)), weak_type=True)
            _same_outcome(ufunc, [weak, jax.ShapeDtypeStruct(SHAPE, F32)])
            _same_outcome(ufunc, [weak, weak])


MIXED_PAIRS = [(I32, F32), (U8, I8), (BOOL, I32), (F16, BF16), (U8, F16), (I8, C64), (BOOL, F32), (U8, I32),
               (F16, F32), (I32, C64)]


@pytest.mark.parametrize("ufunc", [u for u in UFUNCS if u.nargs == 2], ids=lambda u: u.id)
def test_mixed_dtype_promotion_matches_jax(ufunc):
    for a, b in MIXED_PAIRS:
        _same_outcome(ufunc, [jax.ShapeDtypeStruct(SHAPE, a), jax.ShapeDtypeStruct((3,), b)])
    _same_outcome(ufunc, [jax.ShapeDtypeStruct((3, 1), F32), jax.ShapeDtypeStruct((1, 4), F32)])


@pytest.mark.parametrize("ufunc", [u for u in UFUNCS if u.nargs == 2], ids=lambda u: u.id)
def test_x64_result_types_match_jax(ufunc, enable_x64):
    for a, b in [(I64, F32), (I32, F64), (U8, I64), (F64, C64), (I64, I64), (C128, F64)]:
        _same_outcome(ufunc, [jax.ShapeDtypeStruct(SHAPE, a), jax.ShapeDtypeStruct(SHAPE, b)])
    for value in PYTHON_SCALARS:
        _same_outcome(ufunc, [value, value])


MIXED_VALUE_UFUNCS = ["add", "subtract", "multiply", "true_divide", "floor_divide", "remainder", "fmod", "power",
                      "maximum", "less", "logaddexp", "arctan2", "hypot", "copysign", "heaviside", "bitwise_and",
                      "left_shift", "right_shift", "logical_and", "fmax", "float_power", "nextafter"]


def test_mixed_dtype_values_match_jax():
    rng = np.random.default_rng(2)
    binary = [BY_ID[name] for name in MIXED_VALUE_UFUNCS]
    ufuncs, arg_lists = [], []
    for a, b in [(I32, F32), (U8, I8)]:
        args = [rand(rng, (2, 1), a, 1, 3), rand(rng, (1, 3), b, 1, 3)]
        for u in binary:
            if _supports_args(u, args):
                ufuncs.append(u)
                arg_lists.append(args)
    for u in binary:
        if _supports_args(u, [np.float32(1.5), np.ones(3, F32)]):
            ufuncs.append(u)
            arg_lists.append([rand(rng, (3,), F32, 0.5, 3), 2.5])
    expected = jax.jit(functools.partial(_all_outputs, [u.theirs() for u in ufuncs]))(arg_lists)
    outputs = jaxlike.jit(functools.partial(_all_outputs, [u.ours() for u in ufuncs]))(arg_lists)
    _compare_all(ufuncs, [F32] * len(ufuncs), outputs, expected, "mixed")


def _supports_args(ufunc, args):
    try:
        jax.eval_shape(ufunc.theirs(), *args)
        return True
    except (TypeError, ValueError, NotImplementedError):
        return False


def test_python_scalar_values_and_weak_types_eagerly():
    for name, args in [("add", (1, 2.5)), ("floor_divide", (7, 2)), ("remainder", (-7, 3)), ("power", (2, 3)),
                       ("power", (2.0, 3)), ("sqrt", (4,)), ("logaddexp", (1.0, 2.0)), ("hypot", (3, 4)),
                       ("equal", (1.0, 1.0)), ("signbit", (-1.0,)), ("clip", (5, 0, 3)), ("bitwise_count", (7,)),
                       ("heaviside", (0.0, 0.5))]:
        assert_same(getattr(jnp, name)(*args), getattr(jjnp, name)(*args), check_weak_type=True,
                    err_msg=f"{name}{args}")


# ---- integer semantics and special values ------------------------------------------------------------------------
def _check_fns(names, arg_lists, eager=True):
    fns = [getattr(jnp, n) for n in names]
    theirs = jax.jit(functools.partial(_all_outputs, [getattr(jjnp, n) for n in names]))(arg_lists)
    ours = [fn(*args) for fn, args in zip(fns, arg_lists)] if eager else \
        jaxlike.jit(functools.partial(_all_outputs, fns))(arg_lists)
    for name, o, e in zip(names, ours, theirs):
        assert_same(o, e, err_msg=name)


def test_integer_division_family():
    i = np.array([-7, 7, -7, 7, 0, 5, -5, 6], np.int32)
    j = np.array([2, -2, -2, 2, 3, 0, 0, 3], np.int32)
    u, v = np.array([7, 3, 0, 200], np.uint8), np.array([2, 5, 3, 0], np.uint8)
    b = np.array([True, False, True, True])
    names = ["floor_divide", "remainder", "fmod", "divmod", "power"]
    _check_fns(names * 3, [[i, j]] * 4 + [[i, np.abs(j)]] + [[u, v]] * 5 + [[b, b]] * 5, eager=False)
    _check_fns(names, [[i, j]] * 4 + [[i, np.abs(j)]])
    _check_fns(["power"], [[i, j]])  # negative integer exponents: JAX's bit pattern semantics
    _check_fns(["power", "power"], [[np.int32(3), np.arange(6, dtype=np.int32)], [np.int8(3), np.int8(5)]])


def test_float_division_family_special_values():
    x = np.array([-7.5, 7.5, -0.0, 0.0, 1.0, -1.0, 5.0, np.inf, np.nan, 3.0], np.float32)
    y = np.array([2.0, -2.0, 3.0, -3.0, np.inf, np.inf, 0.0, 2.0, 1.0, -np.inf], np.float32)
    _check_fns(["floor_divide", "remainder", "fmod", "divmod", "true_divide", "power", "float_power"], [[x, y]] * 7,
               eager=False)
    assert_same(jnp.divmod(x, y), jjnp.divmod(x, y))


def test_floating_point_functions_special_values():
    x = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -2.5, 2.5, 1e30, -np.nan], np.float32)
    y = np.array([1.0, np.nan, np.inf, -0.0, 0.0, np.inf, -np.inf, 0.5, 1e30, 2.0], np.float32)
    binary = ["logaddexp", "logaddexp2", "hypot", "copysign", "fmax", "fmin", "maximum", "minimum", "heaviside",
              "nextafter", "arctan2", "less", "equal"]
    unary = ["signbit", "isnan", "isinf", "isfinite", "isposinf", "isneginf", "nan_to_num", "sign", "sinc", "rint",
             "round", "trunc", "floor", "exp2", "log2", "log10", "reciprocal", "cbrt", "square"]
    _check_fns(binary + unary, [[x, y]] * len(binary) + [[x]] * len(unary), eager=False)
    assert_same(jnp.logaddexp(x, y), jjnp.logaddexp(x, y))


def test_signbit_of_half_precision_and_nan_to_num_options():
    for dtype in (F16, BF16):
        x = np.array([-0.0, 0.0, -1.0, np.nan, -np.nan, -np.inf], dtype)
        assert_same(jnp.signbit(x), jjnp.signbit(x))
        assert_same(jnp.nan_to_num(np.array([np.nan, np.inf, -np.inf], dtype)),
                    jjnp.nan_to_num(np.array([np.nan, np.inf, -np.inf], dtype)))
    x = np.array([np.nan, np.inf, -np.inf, 1.0], np.float32)
    assert_same(jnp.nan_to_num(x, nan=1.0, posinf=2.0, neginf=-2.0), jjnp.nan_to_num(x, nan=1.0, posinf=2.0,
                                                                                     neginf=-2.0))
    z = np.array([complex(np.nan, np.inf), complex(-np.inf, 1.0)], np.complex64)
    assert_same(jnp.nan_to_num(z), jjnp.nan_to_num(z))
    assert_same(jnp.nan_to_num(np.array([1, 2], np.int32)), jjnp.nan_to_num(np.array([1, 2], np.int32)))


def test_rounding_family():
    x = np.array([0.5, 1.5, 2.5, -0.5, -2.5, 1.2345, 15.0, 25.0, 1234.5], np.float32)
    for decimals in (0, 1, 2, -1):
        assert_same(jnp.round(x, decimals), jjnp.round(x, decimals), err_msg=str(decimals))
        assert_same(jnp.around(x.astype(np.float16), decimals), jjnp.round(x.astype(np.float16), decimals),
                    err_msg=f"f16 {decimals}")
    z = np.array([0.5 + 1.55j, -2.5 - 0.45j], np.complex64)
    assert_same(jnp.round(z, 1), jjnp.round(z, 1))
    assert_same(jnp.rint(z), jjnp.rint(z))
    i = np.array([15, 25, -15], np.int32)
    assert_same(jnp.round(i, 1), jjnp.round(i, 1))
    assert_same(jnp.rint(i), jjnp.rint(i))
    assert_same(jnp.fix(x), np.fix(x))
    with pytest.raises(NotImplementedError):
        jnp.round(i, -1)
    with pytest.raises(ValueError):
        jnp.round(np.array([True]))


def test_clip_forms():
    x = np.array([-3.0, -0.5, 0.5, 3.0, np.nan], np.float32)
    lo, hi = np.array([-1.0, 0.0, 0.0, -1.0, 0.0], np.float32), np.float32(1.0)
    assert_same(jnp.clip(x, lo, hi), jjnp.clip(x, lo, hi))
    assert_same(jnp.clip(x, min=0.0), jjnp.clip(x, min=0.0))
    assert_same(jnp.clip(x, max=0.0), jjnp.clip(x, max=0.0))
    assert_same(jnp.clip(x), jjnp.clip(x))
    assert_same(jnp.clip(x, a_min=-1, a_max=1), jjnp.clip(x, -1, 1))
    assert_same(jnp.clip(np.arange(5, dtype=np.int32), -1.5, 2), jjnp.clip(np.arange(5, dtype=np.int32), -1.5, 2),
                check_weak_type=True)
    assert_same(jnp.clip(np.array([7, 3, 200], np.uint8), 1, 100), jjnp.clip(np.array([7, 3, 200], np.uint8), 1, 100))
    assert_same(jnp.clip(np.array([True, False]), 0, 1), jjnp.clip(np.array([True, False]), 0, 1),
                check_weak_type=True)


def test_bit_functions():
    i = np.array([-9, 7, 0, 255, -1, 2 ** 30], np.int32)
    u = np.array([0, 1, 127, 255], np.uint8)
    s = np.array([0, 1, 31, 3, 40, -1], np.int32)
    _check_fns(["left_shift", "right_shift", "bitwise_right_shift", "bitwise_count", "bitwise_count", "invert",
                "invert", "bitwise_count", "right_shift"],
               [[i, s], [i, s], [i, 1], [i], [u], [u], [np.array([True, False])], [np.array([True, False])],
                [u, np.uint8(3)]])


def test_complex_functions():
    z = np.array([1 + 1j, -1 + 0j, 0 - 2j, 3 - 4j], np.complex64)
    unary = ["real", "imag", "conj", "conjugate", "angle", "absolute", "sign", "isfinite", "isnan", "exp2", "log2",
             "log10", "sinc", "square", "reciprocal", "deg2rad"]
    binary = ["logaddexp", "logaddexp2", "less", "greater_equal", "maximum", "fmin", "power"]
    _check_fns(unary + binary, [[z]] * len(unary) + [[z, z[::-1]]] * len(binary), eager=False)
    assert_same(jnp.angle(z, deg=True), jjnp.angle(z, deg=True))
    assert_same(jnp.angle(np.array([-1, 2], np.int32)), jjnp.angle(np.array([-1, 2], np.int32)))
    assert_same(jnp.power(z, 3), jjnp.power(z, 3))
    assert_same(jnp.imag(np.array([1, 2], np.int32)), jjnp.imag(np.array([1, 2], np.int32)))


# ---- derivatives ---------------------------------------------------------------------------------------------
GRAD_UFUNCS = [u for u in UFUNCS if u.grad and _supports(u, F32) and u.name not in ("bitwise_and", "bitwise_or",
               "bitwise_xor", "bitwise_not", "invert", "bitwise_invert", "left_shift", "right_shift",
               "bitwise_left_shift", "bitwise_right_shift", "bitwise_count", "real", "imag", "conj", "conjugate")]


def _grad_args(ufunc, rng, dtype):
    args = ufunc.args(rng, (3,), dtype)
    if ufunc.nargs == 2:
        args[1] = args[1] + np.asarray([0.1, 0.2, 0.3], dtype)  # keep the operands of max & co. apart
    if ufunc.name in ("remainder", "mod", "fmod"):
        args[0] = np.asarray([0.7, -2.3, 5.4], dtype)
    if ufunc.name in ("absolute", "abs", "fabs", "copysign", "sinc"):
        args[0] = np.asarray([0.7, -1.3, 2.1], dtype)
    if ufunc.name == "clip":
        args[0] = np.asarray([-1.7, 0.3, 2.1], dtype)
    return args


@pytest.mark.parametrize("ufunc", GRAD_UFUNCS, ids=lambda u: u.id)
def test_grads_match_finite_differences(ufunc):
    args = _grad_args(ufunc, np.random.default_rng(3), F64)
    check_grads(ufunc.ours(), args, order=2, rtol=2e-4, atol=2e-4, eps=1e-5)


def _grads_of(grad, sum_fn, fns):
    def run(arg_lists):
        return [grad(lambda *a, fn=fn: sum_fn(fn(*a)), tuple(range(len(args))))(*args)
                for fn, args in zip(fns, arg_lists)]
    return run


def test_grads_match_jax():
    """jaxlike.grad == jax.grad for the functions composed of several primitives (single-primitive ones are
    compared in tests/lax)."""
    ufuncs = [u for u in GRAD_UFUNCS if u.id not in THIN_WRAPPERS and u.id not in ALIASES]
    rng = np.random.default_rng(4)
    arg_lists = [_grad_args(u, rng, F32) for u in ufuncs]
    ours = jaxlike.jit(_grads_of(jaxlike.grad, jnp.sum, [u.ours() for u in ufuncs]))(arg_lists)
    theirs = jax.jit(_grads_of(jax.grad, jjnp.sum, [u.theirs() for u in ufuncs]))(arg_lists)
    for u, o, e in zip(ufuncs, ours, theirs):
        assert_same(o, e, rtol=1e-5, atol=1e-6, err_msg=u.id)


SPECIAL_GRADS = [
    ("logaddexp tie", "logaddexp", (1.0, 1.0)), ("logaddexp far", "logaddexp", (-100.0, 100.0)),
    ("logaddexp2 tie", "logaddexp2", (0.5, 0.5)), ("sinc at 0", "sinc", (0.0,)), ("hypot", "hypot", (3.0, 4.0)),
    ("maximum tie", "maximum", (2.0, 2.0)), ("fmax tie", "fmax", (2.0, 2.0)), ("clip at min", "clip", (-1.0,)),
    ("abs at 0", "abs", (0.0,)), ("power 0**2", "power", (0.0, 2.0)), ("sqrt at 4", "sqrt", (4.0,)),
    ("copysign", "copysign", (-2.0, 3.0)), ("remainder", "remainder", (-7.5, 2.0)),
    ("arctan2 axis", "arctan2", (0.0, -1.0)), ("nan_to_num", "nan_to_num", (2.0,)), ("deg2rad", "deg2rad", (1.0,)),
]


def test_grads_at_special_points_match_jax():
    fns_ours = [getattr(jnp, name) for _, name, _ in SPECIAL_GRADS]
    fns_theirs = [getattr(jjnp, name) for _, name, _ in SPECIAL_GRADS]
    arg_lists = [[np.float32(a) for a in args] for _, _, args in SPECIAL_GRADS]
    ours = jaxlike.jit(_grads_of(jaxlike.grad, jnp.sum, fns_ours))(arg_lists)
    theirs = jax.jit(_grads_of(jax.grad, jjnp.sum, fns_theirs))(arg_lists)
    for (label, _, _), o, e in zip(SPECIAL_GRADS, ours, theirs):
        assert_same(o, e, rtol=1e-5, atol=1e-6, err_msg=label)


def _derivatives(grad, numpy, cases):
    def run(x):
        outs = []
        for name, order in cases:
            f = getattr(numpy, name)
            if name.startswith("logaddexp"):
                f = functools.partial(f, 0.0)
            for _ in range(order):
                f = grad(f)
            outs.append(f(x))
        return outs
    return run


def test_higher_derivatives_at_special_points_match_jax():
    cases = [("sinc", 2), ("sinc", 4), ("logaddexp", 2)]
    x = np.float32(0.0)
    ours = jaxlike.jit(_derivatives(jaxlike.grad, jnp, cases))(x)
    theirs = jax.jit(_derivatives(jax.grad, jjnp, cases))(x)
    for (name, order), o, e in zip(cases, ours, theirs):
        assert_same(o, e, rtol=1e-4, atol=1e-4, err_msg=f"{name} order {order}")
    assert_same(jaxlike.grad(jaxlike.grad(jnp.sinc))(x), jax.grad(jax.grad(jjnp.sinc))(x), rtol=1e-5)


def test_grad_of_power_with_integer_exponents():
    assert_same(jaxlike.grad(lambda x: jnp.power(x, 2))(np.float32(0.0)), jax.grad(lambda x: jjnp.power(x, 2))(
        np.float32(0.0)))
    assert_same(jaxlike.grad(lambda x: jnp.power(x, 0))(np.float32(0.0)), jax.grad(lambda x: jjnp.power(x, 0))(
        np.float32(0.0)))
    y = np.array([0, 1, 3], np.int32)
    assert_same(jaxlike.grad(lambda x: jnp.sum(jnp.power(x, y)))(np.float32(2.0)),
                jax.grad(lambda x: jjnp.sum(jjnp.power(x, y)))(np.float32(2.0)))
    check_grads(lambda x: x ** 3 + jnp.float_power(x, 2.5), [np.array([0.5, 1.5])], order=2)


# ---- batching with mixed operands ---------------------------------------------------------------------------
def _broadcast_batch(args, in_axes, size):
    """Arguments with the batch axis first and every operand broadcast to (size, *example shape): an
    elementwise function of these is what vmap must give."""
    moved = [np.asarray(a) if ax is None else np.moveaxis(np.asarray(a), ax, 0) for a, ax in zip(args, in_axes)]
    example_shape = max((m.shape if ax is None else m.shape[1:] for m, ax in zip(moved, in_axes)), key=len)
    out = []
    for m, ax in zip(moved, in_axes):
        m = m[None] if ax is None else m
        m = m.reshape(m.shape + (1,) * (len(example_shape) + 1 - m.ndim))
        out.append(np.broadcast_to(m, (size,) + example_shape).copy())
    return out


def test_vmap_of_binary_ufuncs_with_unbatched_and_rank0_operands():
    rng = np.random.default_rng(5)
    names = ["add", "floor_divide", "remainder", "power", "logaddexp", "hypot", "fmax", "copysign", "heaviside",
             "arctan2", "less", "right_shift"]
    cases = []
    for name in names:
        fn = BY_ID[name].ours()
        dtype = I32 if name == "right_shift" else F32
        x, y = rand(rng, (3, 2), dtype, 1, 3), rand(rng, (2,), dtype, 1, 3)
        cases += [(name, fn, [x, y], (0, None)), (name, fn, [y, x.T], (None, 1)), (name, fn, [x, y[0]], (0, None)),
                  (name, fn, [x[:, 0], y], (0, None))]
    clip = lambda v, lo: jnp.clip(v, lo, 2.0)  # noqa: E731
    x = rand(rng, (3, 2), F32, 1, 3)
    cases += [("clip", clip, [x, np.float32(1.5)], (0, None)), ("clip", clip, [np.float32(1.5), x], (None, 0))]
    arg_lists = [args for _, _, args, _ in cases]
    batched = jaxlike.jit(lambda arg_lists: [jaxlike.vmap(fn, in_axes=axes)(*args)
                                             for (_, fn, _, axes), args in zip(cases, arg_lists)])(arg_lists)
    reference = jaxlike.jit(lambda arg_lists: [fn(*args) for (_, fn, _, _), args in zip(cases, arg_lists)])(
        [_broadcast_batch(args, axes, 3) for _, _, args, axes in cases])
    for (name, _, _, axes), out, expected in zip(cases, batched, reference):
        assert_same(out, expected, err_msg=f"{name} {axes}")
    # the reference itself, against jax
    assert_same(reference[4:8], [jjnp.floor_divide(*_broadcast_batch(args, axes, 3))
                                 for _, _, args, axes in cases[4:8]])


def test_eager_vmap_and_divmod_outputs():
    x = np.array([[7.0, -7.5], [3.0, 4.0], [-1.0, 9.0]], np.float32)
    q, r = jaxlike.vmap(jnp.divmod, in_axes=(0, None))(x, np.float32(2.0))
    eq, er = jax.vmap(jjnp.divmod, in_axes=(0, None))(x, np.float32(2.0))
    assert_same(q, eq)
    assert_same(r, er)
    assert_same(jaxlike.vmap(jnp.sinc)(x), jax.vmap(jjnp.sinc)(x))


# ---- operators on arrays ---------------------------------------------------------------------------------------
OPERATORS = [operator.floordiv, operator.mod, operator.pow, operator.and_, operator.or_, operator.xor,
             operator.lshift, operator.rshift, divmod]


@pytest.mark.parametrize("op", OPERATORS, ids=lambda op: op.__name__)
def test_operators_use_the_ufuncs(op):
    i = np.array([-7, 7, 5, 6], np.int32)
    j = np.array([2, -2, 3, 1], np.int32)
    ours_i, theirs_i = jnp.asarray(i), jjnp.asarray(i)
    assert_same(op(ours_i, jnp.asarray(np.abs(j))), op(theirs_i, jjnp.asarray(np.abs(j))), err_msg="arrays")
    assert_same(op(3, ours_i), op(3, theirs_i), check_weak_type=True, err_msg="int, array")
    if op in (operator.floordiv, operator.mod, operator.pow):
        f = jnp.asarray(i.astype(np.float32))
        assert_same(op(f, 2.5), op(jjnp.asarray(i.astype(np.float32)), 2.5), err_msg="float array, float")


def test_invert_and_unary_operators():
    i = np.array([-7, 7, 0], np.int32)
    b = np.array([True, False])
    assert_same(~jnp.asarray(i), ~jjnp.asarray(i))
    assert_same(~jnp.asarray(b), ~jjnp.asarray(b))
    assert_same(abs(jnp.asarray(i)), abs(jjnp.asarray(i)))
    assert_same(-jnp.asarray(i), -jjnp.asarray(i))
    assert_same(jnp.asarray(np.float32(2.0)) ** 3, jjnp.asarray(np.float32(2.0)) ** 3)


# ---- generated inputs -------------------------------------------------------------------------------------------
BROADCAST_SHAPES = [((2, 3), (2, 3)), ((3,), ()), ((), (2, 1)), ((2, 1), (1, 3)), ((1,), (3,))]
HYPOTHESIS_DTYPES = [F32, I32, BOOL, U8, F16, C64]


@st.composite
def ufunc_case(draw):
    ufunc = draw(st.sampled_from(UFUNCS))
    dtype = draw(st.sampled_from([d for d in HYPOTHESIS_DTYPES if _supports(ufunc, d)] or [F32]))
    shapes = draw(st.sampled_from(BROADCAST_SHAPES))
    return ufunc, dtype, shapes[:ufunc.nargs], draw(st.integers(0, 2 ** 16))


@settings(max_examples=15)
@given(ufunc_case())
def test_property_matches_jax_with_broadcasting(case):
    ufunc, dtype, shapes, seed = case
    if not _supports(ufunc, dtype):
        return
    rng = np.random.default_rng(seed)
    args = [ufunc.args(rng, s, dtype)[0] if ufunc.nargs == 1 else ufunc.args(rng, s, dtype)[i]
            for i, s in enumerate(shapes)]
    assert_same(ufunc.ours()(*args), ufunc.theirs()(*args), err_msg=ufunc.id, **_tol(dtype))


# ---- errors ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("call, exc, words", [
    (lambda: jnp.power(np.arange(3, dtype=np.int32), -2), TypeError, ("negative",)),
    (lambda: jnp.floor_divide(np.ones(2, C64), np.ones(2, C64)), TypeError, ("complex",)),
    (lambda: jnp.remainder(np.ones(2, C64), np.ones(2, C64)), TypeError, ("complex",)),
    (lambda: jnp.clip(np.ones(2, C64), 0, 1), ValueError, ("complex",)),
    (lambda: jnp.hypot(np.ones(2, C64), 1.0), ValueError, ("complex",)),
    (lambda: jnp.signbit(np.ones(2, C64)), ValueError, ("complex64",)),
    (lambda: jnp.isposinf(np.ones(2, C64)), ValueError, ("complex",)),
    (lambda: jnp.copysign(np.ones(2, C64), 1.0), TypeError, ("complex",)),
    (lambda: jnp.fabs(np.ones(2, C64)), TypeError, ("complex",)),
    (lambda: jnp.negative(np.ones(2, bool)), TypeError, ("boolean",)),
    (lambda: jnp.round(np.ones(2, bool)), ValueError, ("bool",)),
    (lambda: jnp.bitwise_and(np.ones(2, F32), np.ones(2, F32)), TypeError, ("float32",)),
    (lambda: jnp.add(np.ones((2, 3)), np.ones((4,))), ValueError, ("(2, 3)", "(4,)")),
    (lambda: jnp.floor(np.ones(2, C64)), TypeError, ("complex64",)),
    (lambda: jnp.subtract(np.ones(2, bool), np.ones(2, bool)), TypeError, ("bool",)),
    (lambda: jnp.round(np.ones(2, F32), out=np.ones(2)), NotImplementedError, ("out",)),
])
def test_bad_inputs_raise_clear_errors(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    for w in words:
        assert w in str(info.value), f"{w!r} not in {info.value}"


def test_every_listed_name_is_exported():
    from jaxlike.numpy import ufuncs
    for name in ufuncs.__all__:
        assert callable(getattr(jnp, name)), name
    for alias, name in ALIASES.items():
        if alias != "fix":  # fix has NumPy's signature (with `out`), trunc the array API's
            assert getattr(jnp, alias) is getattr(jnp, name), alias
    assert {u.name for u in UFUNCS} - {"fix"} <= set(dir(jjnp)) | {"fix"}
