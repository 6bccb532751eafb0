"""lax elementwise primitives against jax.lax: values, shapes, dtypes and weak types (eager and jit),
derivatives (finite differences to second order, and jax's values at special points), batching, and errors."""
import dataclasses
import functools

import jax
import ml_dtypes
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from jax import lax as jlax

import jaxlike
import jaxlike.numpy as jnp
from jaxlike import lax
from testing_utils import assert_same, check_grads, rand, x64_mode

F16, BF16, F32, F64 = np.dtype(np.float16), np.dtype(ml_dtypes.bfloat16), np.dtype(np.float32), np.dtype(np.float64)
C64, C128 = np.dtype(np.complex64), np.dtype(np.complex128)
I32, I64, U8, I8, BOOL = (np.dtype(t) for t in (np.int32, np.int64, np.uint8, np.int8, np.bool_))
FLOATS, COMPLEX, INTS = [F16, BF16, F32], [C64], [I32, U8]
INEXACT, NUMBER, ANY = FLOATS + COMPLEX, FLOATS + COMPLEX + INTS, FLOATS + COMPLEX + INTS + [BOOL]
WIDE = {F32: F64, C64: C128, I32: I64}  # what a dtype becomes with x64 on


@dataclasses.dataclass
class Op:
    """One lax function under test: its name (for ids), our and jax's callables, and input ranges."""
    name: str
    nargs: int
    dtypes: list
    ranges: tuple = ((-3.0, 3.0),)  # per argument (the last repeats)
    params: dict = dataclasses.field(default_factory=dict)
    grad: bool = True  # differentiable on the reals inside `ranges`
    lax_name: str = None

    def ours(self):
        return functools.partial(getattr(lax, self.lax_name or self.name), **self.params)

    def theirs(self):
        return functools.partial(getattr(jlax, self.lax_name or self.name), **self.params)

    def args(self, rng, shape, dtype):
        return [rand(rng, shape, dtype, *self.ranges[min(i, len(self.ranges) - 1)]) for i in range(self.nargs)]


POSITIVE, UNIT, ABOVE_ONE, NONZERO = ((0.5, 3.0),), ((-0.9, 0.9),), ((1.1, 3.0),), ((-3.0, 3.0), (1.0, 3.0))
OPS = [
    Op("add", 2, NUMBER), Op("sub", 2, NUMBER), Op("mul", 2, NUMBER), Op("div", 2, NUMBER, NONZERO),
    Op("rem", 2, FLOATS + INTS, ((0.5, 9.0), (1.0, 3.0))), Op("pow", 2, INEXACT, ((0.5, 2.0), (-2.0, 2.0))),
    Op("max", 2, ANY), Op("min", 2, ANY), Op("atan2", 2, INEXACT, ((0.5, 3.0), (-3.0, 3.0))),
    Op("nextafter", 2, FLOATS, grad=False), Op("complex", 2, [F32]),
    Op("polygamma", 2, [F32], ((1.0, 3.0), (0.5, 3.0)), grad=False),
    Op("neg", 1, NUMBER), Op("sign", 1, NUMBER, grad=False), Op("abs", 1, FLOATS + COMPLEX + [I32]),
    Op("square", 1, NUMBER), Op("reciprocal", 1, INEXACT, POSITIVE),
    Op("integer_pow3", 1, NUMBER, params=dict(y=3), lax_name="integer_pow"),
    Op("integer_pow-2", 1, INEXACT, POSITIVE, params=dict(y=-2), lax_name="integer_pow"),
    Op("integer_pow0", 1, NUMBER, params=dict(y=0), lax_name="integer_pow"),
    Op("exp", 1, INEXACT), Op("exp2", 1, INEXACT), Op("log", 1, INEXACT, POSITIVE),
    Op("log1p", 1, INEXACT, UNIT), Op("expm1", 1, INEXACT), Op("sqrt", 1, INEXACT, POSITIVE),
    Op("rsqrt", 1, INEXACT, POSITIVE), Op("cbrt", 1, FLOATS, POSITIVE), Op("logistic", 1, INEXACT),
    Op("sin", 1, INEXACT), Op("cos", 1, INEXACT), Op("tan", 1, INEXACT, ((-1.2, 1.2),)),
    Op("asin", 1, INEXACT, UNIT), Op("acos", 1, INEXACT, UNIT), Op("atan", 1, INEXACT),
    Op("sinh", 1, INEXACT), Op("cosh", 1, INEXACT), Op("tanh", 1, INEXACT), Op("asinh", 1, INEXACT),
    Op("acosh", 1, INEXACT, ABOVE_ONE), Op("atanh", 1, INEXACT, UNIT),
    Op("erf", 1, FLOATS), Op("erfc", 1, FLOATS), Op("erf_inv", 1, FLOATS, UNIT), Op("lgamma", 1, FLOATS, POSITIVE),
    Op("digamma", 1, FLOATS, POSITIVE),
    Op("floor", 1, FLOATS, grad=False), Op("ceil", 1, FLOATS, grad=False), Op("round", 1, FLOATS, grad=False),
    Op("round_even", 1, FLOATS, params=dict(rounding_method=lax.RoundingMethod.TO_NEAREST_EVEN), grad=False,
       lax_name="round"),
    Op("is_finite", 1, FLOATS, grad=False),
    Op("reduce_precision", 1, FLOATS, params=dict(exponent_bits=5, mantissa_bits=3)),
    Op("real", 1, COMPLEX), Op("imag", 1, COMPLEX), Op("conj", 1, [F32] + COMPLEX),
    Op("eq", 2, ANY, grad=False), Op("ne", 2, ANY, grad=False), Op("lt", 2, FLOATS + INTS + [BOOL], grad=False),
    Op("le", 2, FLOATS + INTS + [BOOL], grad=False), Op("gt", 2, FLOATS + INTS + [BOOL], grad=False),
    Op("ge", 2, FLOATS + INTS + [BOOL], grad=False),
    Op("bitwise_not", 1, INTS + [BOOL]), Op("bitwise_and", 2, INTS + [BOOL]), Op("bitwise_or", 2, INTS + [BOOL]),
    Op("bitwise_xor", 2, INTS + [BOOL]),
    Op("shift_left", 2, INTS + [I8], ((-9, 9), (0, 9))),
    Op("shift_right_arithmetic", 2, INTS + [I8], ((-9, 9), (0, 9))),
    Op("shift_right_logical", 2, INTS + [I8], ((-9, 9), (0, 9))),
    Op("population_count", 1, INTS + [I8], ((-9, 200),)), Op("clz", 1, INTS + [I8], ((-9, 200),)),
    Op("clamp", 3, FLOATS + INTS + [BOOL], ((-1.0, 0.0), (-3.0, 3.0), (0.5, 2.0))),
    Op("select_n", 3, ANY), Op("select", 3, ANY),
    Op("convert_to_f32", 1, ANY, params=dict(new_dtype=np.float32), lax_name="convert_element_type"),
    Op("convert_to_i32", 1, ANY, params=dict(new_dtype=np.int32), lax_name="convert_element_type", grad=False),
    Op("convert_to_bool", 1, ANY, params=dict(new_dtype=np.bool_), lax_name="convert_element_type", grad=False),
    Op("convert_to_c64", 1, ANY, params=dict(new_dtype=np.complex64), lax_name="convert_element_type"),
    Op("bitcast_to_u8", 1, FLOATS + [I32, I8], params=dict(new_dtype=np.uint8), lax_name="bitcast_convert_type",
       grad=False),
    Op("bitcast_to_i32", 1, [F32, I32], params=dict(new_dtype=np.int32), lax_name="bitcast_convert_type",
       grad=False),
]
OPS_BY_NAME = {op.name: op for op in OPS}
NONDIFFERENTIABLE_INTEGER_OPS = {"eq", "ne", "lt", "le", "gt", "ge"}


def _fix_args(op, args):
    """Arguments that respect an op's structural needs (selectors are bool/int, integer pows positive)."""
    if op.name in ("select_n", "select"):
        args[0] = args[0].astype(np.bool_) if args[0].dtype == np.bool_ else (args[0] > 0)
    if op.name == "polygamma":
        args[0] = np.round(args[0])
    return args


def _tol(dtype, op):
    dtype = np.dtype(dtype)
    if dtype in (F16, BF16):
        return dict(rtol=2e-2, atol=2e-2)
    if op.name in ("lgamma", "digamma", "polygamma", "erf_inv") and dtype in (F32, C64):
        return dict(rtol=1e-5, atol=1e-5)
    return {}


def _all_outputs(fns, arg_lists):
    return [fn(*args) for fn, args in zip(fns, arg_lists)]


def _check_ops(ops, arg_lists, check_weak_type=True, eager=True, jit=True):
    """Every op eagerly and/or under one jit for all of them, against jax (under one jax.jit for all)."""
    theirs = jax.jit(functools.partial(_all_outputs, [op.theirs() for op in ops]))(arg_lists)
    jitted = jaxlike.jit(functools.partial(_all_outputs, [op.ours() for op in ops]))(arg_lists) if jit else theirs
    failures = []
    for op, args, expected, ours_jit in zip(ops, arg_lists, theirs, jitted):
        dtype = np.asarray(args[-1]).dtype
        try:
            if eager:
                assert_same(op.ours()(*args), expected, check_weak_type=check_weak_type,
                            err_msg=f"{op.name} eager", **_tol(dtype, op))
            assert_same(ours_jit, expected, err_msg=f"{op.name} jit", **_tol(dtype, op))
        except AssertionError as e:
            failures.append(f"{op.name}: {e}")
    assert not failures, "\n".join(failures)


# Each (op, dtype) costs 30-50 ms of XLA compilation per mode (ours eager, ours under jit, jax). By default
# every op runs in its primary dtype and in one more of its dtypes, chosen round-robin so that every dtype
# is covered; the full op x dtype sweeps are `slow`.
ALL_DTYPES = [F32, C64, I32, BOOL, U8, I8, F16, BF16]


def _default_cases():
    cases = []
    for i, op in enumerate(OPS):
        primary = F32 if F32 in op.dtypes else op.dtypes[0]
        cases.append((op, primary))
        others = [d for d in op.dtypes if d != primary]
        if others:
            cases.append((op, others[i % len(others)]))
    return cases


@functools.lru_cache(maxsize=None)
def _oracle(sweep):
    """(ops, dtypes, (2, 3)-shaped arguments, jax's outputs under one jax.jit) for a sweep of cases."""
    cases = _default_cases() if sweep == "default" else [(op, sweep) for op in OPS if sweep in op.dtypes]
    rng = np.random.default_rng(0)
    ops, dts = [op for op, _ in cases], [dt for _, dt in cases]
    arg_lists = [_fix_args(op, op.args(rng, (2, 3), dt)) for op, dt in cases]
    expected = jax.jit(functools.partial(_all_outputs, [op.theirs() for op in ops]))(arg_lists)
    return ops, dts, arg_lists, expected


def _compare_all(ops, dts, outputs, expected, what, check_weak_type=False):
    failures = []
    for op, dtype, ours, theirs in zip(ops, dts, outputs, expected):
        try:
            assert_same(ours, theirs, check_weak_type=check_weak_type, err_msg=f"{op.name} {dtype} {what}",
                        **_tol(dtype, op))
        except AssertionError as e:
            failures.append(str(e))
    assert not failures, "\n".join(failures)


SWEEPS = ["default"] + [pytest.param(d, marks=pytest.mark.slow, id=d.name) for d in ALL_DTYPES]
SMOKE_OPS = ["add", "mul", "div", "max", "pow", "exp", "log1p", "tanh", "sin", "erf", "lgamma", "floor",
             "round_even", "eq", "clamp", "select_n", "integer_pow3", "convert_to_i32", "bitwise_and",
             "shift_right_logical", "population_count", "sign", "rem"]


@pytest.mark.parametrize("sweep", SWEEPS)
def test_values_match_jax(sweep):
    """Every op eagerly: values, shape, dtype and weak type as jax's."""
    ops, dts, arg_lists, expected = _oracle(sweep)
    outputs = [op.ours()(*args) for op, args in zip(ops, arg_lists)]
    _compare_all(ops, dts, outputs, expected, "eager", check_weak_type=True)


@pytest.mark.parametrize("sweep", SWEEPS)
def test_jit_of_vmap_matches_jax(sweep):
    """Every op under jit and vmap (batch axis in the middle of the arguments) against jax's values."""
    ops, dts, arg_lists, expected = _oracle(sweep)
    # vmap over axis 1 of (2, 3) arguments stacks examples along axis 0: jax's result with axes 0, 1 swapped.
    outputs = jaxlike.jit(_vmap_all(ops, [(1,) * op.nargs for op in ops]))(arg_lists)
    _compare_all(ops, dts, outputs, [np.moveaxis(np.asarray(e), 1, 0) for e in expected], "jit(vmap)")


@pytest.mark.slow  # jit of every op is covered by test_jit_of_vmap_matches_jax and test_rank0_operands_broadcast
@pytest.mark.parametrize("sweep", ALL_DTYPES, ids=lambda d: d.name)
def test_jit_matches_jax(sweep):
    ops, dts, arg_lists, expected = _oracle(sweep)
    outputs = jaxlike.jit(functools.partial(_all_outputs, [op.ours() for op in ops]))(arg_lists)
    _compare_all(ops, dts, outputs, expected, "jit")


@pytest.mark.slow
@pytest.mark.parametrize("narrow", [F32, C64, I32], ids=lambda d: WIDE[d].name)
def test_values_match_jax_x64(narrow, enable_x64):
    rng = np.random.default_rng(1)
    ops = [op for op in OPS if narrow in op.dtypes]
    _check_ops(ops, [_fix_args(op, op.args(rng, (3,), WIDE[narrow])) for op in ops])


def test_x64_values_match_jax(enable_x64):
    rng = np.random.default_rng(1)
    ops, arg_lists = [], []
    for narrow in (F32, C64, I32):
        for name in SMOKE_OPS[::2]:
            op = OPS_BY_NAME[name]
            if narrow in op.dtypes:
                ops.append(op)
                arg_lists.append(_fix_args(op, op.args(rng, (3,), WIDE[narrow])))
    _check_ops(ops, arg_lists)


N_ARY = [op for op in OPS if op.nargs >= 2 and op.name not in ("select_n", "select")]


def test_rank0_operands_broadcast():
    """A rank-0 operand next to arrays broadcasts, in every position (under jit; eagerly in other tests)."""
    rng = np.random.default_rng(2)
    ops, arg_lists = [], []
    for op in N_ARY:
        dtype = F32 if F32 in op.dtypes else op.dtypes[-1]
        full = _fix_args(op, op.args(rng, (2, 3), dtype))
        for i in range(op.nargs):
            if op.name == "clamp" and i == 1:
                continue  # clamp's operand fixes the shape; only its bounds may be rank-0
            args = list(full)
            args[i] = args[i].reshape(-1)[0]
            ops.append(op)
            arg_lists.append(args)
    _check_ops(ops, arg_lists, eager=False)


WEAK_OPS = [op for op in OPS if op.name not in ("polygamma", "select_n", "select", "complex", "real", "imag",
                                                "conj", "population_count", "clz")
            and not op.name.startswith(("bitcast", "convert", "shift"))]


@pytest.mark.parametrize("op", WEAK_OPS, ids=lambda op: op.name)
def test_python_scalars_give_weak_types(op, x64):
    """Python scalars are weakly typed; results keep the weak type exactly when jax's do (32- and 64-bit modes)."""
    kind = "f" if op.dtypes[0] in FLOATS else op.dtypes[0].kind
    value = {"f": 1.5, "c": 0.7 + 0.2j, "i": 2, "u": 2, "b": True}[kind]
    dtype = {"f": F32, "c": C64, "i": I32, "u": I32, "b": BOOL}[kind]
    array = np.asarray(value, dtype=WIDE.get(dtype, dtype) if x64 else dtype)  # jax.lax takes no mixed widths
    for args in ([value] * op.nargs, [array] + [value] * (op.nargs - 1), [value] * (op.nargs - 1) + [array]):
        expected = jax.eval_shape(op.theirs(), *args)
        ours = jaxlike.eval_shape(op.ours(), *args)
        assert (ours.shape, ours.dtype, ours.weak_type) == (expected.shape, expected.dtype, expected.weak_type), \
            f"{op.name}{tuple(map(type, args))}: {ours} vs {expected}"


@pytest.mark.parametrize("name, args", [
    ("add", (1.5, 2.0)), ("exp", (0.5,)), ("eq", (1.0, 1.0)), ("is_finite", (1.0,)), ("abs", (3 + 4j,)),
    ("clamp", (0.0, 1.5, 1.0)), ("select_n", (True, 1.0, 2.0)), ("pow", (2.0, 3)), ("round", (2.5,)),
    ("imag", (1 + 2j,)), ("complex", (1.0, 2.0)), ("shift_left", (1, 3)), ("max", (np.float32(1), 2.0)),
])
def test_python_scalars_give_weak_types_eagerly(name, args):
    assert_same(getattr(lax, name)(*args), getattr(jlax, name)(*args), check_weak_type=True)


def test_special_values():
    x = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -2.5, 2.5], np.float32)
    y = np.array([1.0, np.nan, 2.0, -0.0, 0.0, np.inf, -np.inf, 0.5], np.float32)
    ops = [OPS_BY_NAME[name] for name in ("max", "min", "add", "div", "rem", "atan2", "pow", "nextafter", "eq", "lt")]
    ops += [OPS_BY_NAME[name] for name in ("sign", "abs", "exp", "log", "sqrt", "rsqrt", "cbrt", "floor", "ceil",
                                           "round", "is_finite", "logistic", "tanh", "erf", "erfc", "erf_inv",
                                           "lgamma", "digamma", "exp2", "expm1", "log1p")]
    _check_ops(ops + [OPS_BY_NAME["clamp"]], [[x, y][:op.nargs] for op in ops] + [[np.float32(0), x, np.float32(1)]],
               eager=False)


def test_unsigned_and_bool_values_match_jax():
    """The uint8 and bool sweeps of the ops whose lowering depends on them (the full sweeps are slow)."""
    rng = np.random.default_rng(12)
    names = ["div", "rem", "max", "lt", "ge", "sign", "neg", "shift_right_arithmetic", "shift_right_logical", "clz",
             "population_count", "convert_to_f32", "convert_to_i32", "integer_pow3", "clamp", "select_n"]
    ops = [OPS_BY_NAME[name] for name in names]
    arg_lists = [_fix_args(op, op.args(rng, (2, 3), U8)) for op in ops]
    bool_ops = [OPS_BY_NAME[name] for name in ("max", "min", "lt", "ge", "bitwise_not", "bitwise_xor", "clamp",
                                               "convert_to_f32", "convert_to_c64", "select_n", "eq")]
    _check_ops(ops + bool_ops, arg_lists + [_fix_args(op, op.args(rng, (2, 3), BOOL)) for op in bool_ops], jit=False)


def test_integer_arithmetic_matches_xla_semantics():
    x = np.array([-7, 7, -7, 7, 5, -128, 127], np.int32)
    y = np.array([2, -2, -2, 2, 0, -1, 3], np.int32)
    for name in ("div", "rem", "max", "shift_left", "shift_right_arithmetic", "shift_right_logical"):
        assert_same(getattr(lax, name)(x, y), getattr(jlax, name)(x, y), err_msg=name)
    big = np.array([0, 31, 32, 40, -1], np.int32)
    for name in ("shift_left", "shift_right_arithmetic", "shift_right_logical"):
        assert_same(getattr(lax, name)(x[:5], big), getattr(jlax, name)(x[:5], big), err_msg=name + " wide")
    u = np.array([0, 3, 255], np.uint8)
    for name in ("neg", "sign", "population_count", "clz", "bitwise_not"):
        assert_same(getattr(lax, name)(u), getattr(jlax, name)(u), err_msg=name)
    assert_same(lax.integer_pow(np.array([3, -3], np.int8), 5), jlax.integer_pow(np.array([3, -3], np.int8), 5))


def test_complex_ordering_and_clamp():
    a = np.array([1 + 1j, 1 + 3j, 2 + 0j, np.nan + 0j], np.complex64)
    b = np.array([1 + 2j, 1 + 2j, 1 + 9j, 1 + 0j], np.complex64)
    assert_same(lax.max(a, b), jlax.max(a, b))
    assert_same(lax.min(a, b), jlax.min(a, b))
    lo, hi = np.complex64(1 + 5j), np.complex64(2 + 3j)
    x = np.array([2 + 1j, 0 + 9j, 1 + 2j, 3 + 0j], np.complex64)
    assert_same(lax.clamp(lo, x, hi), jlax.clamp(lo, x, hi))


def test_complex_sin_cos_accuracy():
    z = np.array([0 + 50j, 0 - 100j, 1e-8 + 1e-8j, 3 + 0.5j, -2 - 3j, 0 + 1e-9j], np.complex64)
    names = ("sin", "cos", "tan", "sinh", "cosh", "exp", "log", "sqrt", "square", "asin", "atanh", "logistic")
    ours = jaxlike.jit(lambda z: [getattr(lax, name)(z) for name in names])(z)
    theirs = jax.jit(lambda z: [getattr(jlax, name)(z) for name in names])(z)
    for name, o, e in zip(names, ours, theirs):
        assert_same(o, e, rtol=2e-6, atol=1e-30, err_msg=name)
    assert_same(lax.sin(z), jlax.sin(z), rtol=2e-6, atol=1e-30)


@pytest.mark.parametrize("src, dst, shape", [
    (F32, np.uint8, (2, 3)), (F32, np.int16, (3,)), (F32, BF16, (2,)), (np.uint8, np.float32, (2, 4)),
    (np.int16, np.float32, (3, 2)), (F16, np.int16, (2,)), (F32, np.float32, (2,)), (I32, np.uint32, ()),
])
def test_bitcast_convert_type_shapes(src, dst, shape):
    x = np.random.default_rng(3).integers(0, 100, shape).astype(src)
    assert_same(lax.bitcast_convert_type(x, dst), jlax.bitcast_convert_type(x, dst))


def test_reduce_precision_and_round_methods():
    x = np.array([0.5, 1.5, 2.5, -0.5, -1.5, 1.2345678, 3.0e5], np.float32)
    for bits in ((5, 10), (8, 7), (5, 2), (2, 0)):
        assert_same(lax.reduce_precision(x, *bits), jlax.reduce_precision(x, *bits), err_msg=str(bits))
    for method in (0, 1, lax.RoundingMethod.AWAY_FROM_ZERO, lax.RoundingMethod.TO_NEAREST_EVEN):
        assert_same(lax.round(x, method), jlax.round(x, int(method)), err_msg=str(method))
    assert int(lax.RoundingMethod.TO_NEAREST_EVEN) == 1 and int(lax.RoundingMethod.AWAY_FROM_ZERO) == 0


def test_select_n_with_integer_selectors():
    rng = np.random.default_rng(4)
    cases = [rand(rng, (5,), F32) for _ in range(4)]
    for dtype in (np.int32, np.uint8, np.int8):
        which = np.array([0, 1, 2, 3, 2], dtype)
        assert_same(lax.select_n(which, *cases), jlax.select_n(which, *cases), err_msg=str(dtype))
    assert_same(lax.select_n(np.int32(2), *cases), jlax.select_n(np.int32(2), *cases))
    assert_same(lax.select_n(True, 1.0, 2.0), jlax.select_n(True, 1.0, 2.0), check_weak_type=True)
    assert_same(lax.select(np.array([True, False]), np.ones(2, F32), np.zeros(2, F32)),
                jlax.select(np.array([True, False]), np.ones(2, F32), np.zeros(2, F32)))


def test_convert_element_type_edge_cases():
    x = np.array([np.nan, 1e10, -1e10, np.inf, -3.7, 300.5, 0.5], np.float32)
    for dtype in (np.int32, np.uint8, np.int8, np.bool_, BF16, np.float16):
        assert_same(lax.convert_element_type(x, dtype), jlax.convert_element_type(x, dtype), err_msg=str(dtype))
    z = np.array([1 + 2j, 0j, -3.5 + 0j], np.complex64)
    for dtype in (np.float32, np.int32, np.bool_):
        with np.errstate(all="ignore"):
            expected = jlax.convert_element_type(z, dtype)
        assert_same(lax.convert_element_type(z, dtype), expected, err_msg=str(dtype))
    assert_same(lax.convert_element_type(2.5, np.int32), jlax.convert_element_type(2.5, np.int32),
                check_weak_type=True)
    assert_same(lax.convert_element_type(2, np.float32, weak_type=True), jnp.asarray(2.0), check_weak_type=True)


# ---- derivatives -------------------------------------------------------------------------------------------
GRAD_OPS = [op for op in OPS if op.grad and any(dt in FLOATS for dt in op.dtypes)
            and op.name not in ("select_n", "select") and not op.name.startswith("convert")]
# Finite differences cannot see these: reduce_precision is a staircase whose derivative JAX defines as 1.
FD_OPS = [op for op in GRAD_OPS if op.name != "reduce_precision"]
REAL_OUTPUT_GRAD_OPS = [op for op in GRAD_OPS if op.name not in ("conj", "complex")]


def _grad_args(op, rng):
    args = _fix_args(op, op.args(rng, (3,), F64))
    if op.name in ("max", "min", "clamp"):
        args = [a + 0.01 * i for i, a in enumerate(args)]  # keep away from ties
    if op.name == "rem":
        args[0] = np.array([0.7, 2.3, 5.4])
    return args


@pytest.mark.parametrize("op", FD_OPS, ids=lambda op: op.name)
def test_grads_match_finite_differences(op):
    rng = np.random.default_rng(5)
    check_grads(op.ours(), _grad_args(op, rng), order=2, rtol=2e-4, atol=2e-4, eps=1e-5)


def _grads_of(grad, sum_fn, fns):
    """All the gradients of sum(fn(*args)) with respect to every argument, for each fn and its args."""
    def run(arg_lists):
        return [grad(lambda *a, fn=fn: sum_fn(fn(*a)), tuple(range(len(args))))(*args)
                for fn, args in zip(fns, arg_lists)]
    return run


def test_grads_match_jax():
    """jaxlike.grad == jax.grad for every differentiable op (under jit; check_grads covers eager mode)."""
    rng = np.random.default_rng(6)
    ops = REAL_OUTPUT_GRAD_OPS
    arg_lists = [[a.astype(np.float32) for a in _grad_args(op, rng)] for op in ops]
    ours = jaxlike.jit(_grads_of(jaxlike.grad, jnp.sum, [op.ours() for op in ops]))(arg_lists)
    theirs = jax.jit(_grads_of(jax.grad, jax.numpy.sum, [op.theirs() for op in ops]))(arg_lists)
    for op, o, e in zip(ops, ours, theirs):
        assert_same(o, e, rtol=1e-5, atol=1e-6, err_msg=op.name)


def test_eager_grads_match_jax():
    for name in ("max", "pow"):
        op = OPS_BY_NAME[name]
        args = [a.astype(np.float32) for a in _grad_args(op, np.random.default_rng(6))]
        argnums = tuple(range(op.nargs))
        assert_same(jaxlike.grad(lambda *a: jnp.sum(op.ours()(*a)), argnums)(*args),
                    jax.grad(lambda *a: jax.numpy.sum(op.theirs()(*a)), argnums)(*args), rtol=1e-5, atol=1e-6,
                    err_msg=name)


SPECIAL_POINTS = [
    ("sqrt at 0", lambda m: m.sqrt, (0.0,)), ("abs at 0", lambda m: m.abs, (0.0,)),
    ("rsqrt at 0", lambda m: m.rsqrt, (0.0,)), ("cbrt at 0", lambda m: m.cbrt, (0.0,)),
    ("max tie", lambda m: m.max, (1.0, 1.0)), ("min tie", lambda m: m.min, (2.0, 2.0)),
    ("pow 0**0.", lambda m: m.pow, (0.0, 0.0)), ("pow 0**1.", lambda m: m.pow, (0.0, 1.0)),
    ("pow 0**2.", lambda m: m.pow, (0.0, 2.0)), ("pow (-2)**2.", lambda m: m.pow, (-2.0, 2.0)),
    ("pow x**int 0", lambda m: lambda x: m.pow(x, 0), (0.0,)),
    ("pow x**int 1", lambda m: lambda x: m.pow(x, 1), (0.0,)),
    ("pow x**int 3", lambda m: lambda x: m.pow(x, 3), (-2.0,)),
    ("integer_pow y=0", lambda m: lambda x: m.integer_pow(x, 0), (0.0,)),
    ("integer_pow y=1", lambda m: lambda x: m.integer_pow(x, 1), (0.0,)),
    ("integer_pow y=-1", lambda m: lambda x: m.integer_pow(x, -1), (0.0,)),
    ("clamp ties", lambda m: m.clamp, (1.0, 1.0, 1.0)), ("clamp below", lambda m: m.clamp, (2.0, 1.0, 3.0)),
    ("clamp above", lambda m: m.clamp, (0.0, 5.0, 3.0)), ("clamp min>max", lambda m: m.clamp, (3.0, 1.0, 2.0)),
    ("floor", lambda m: m.floor, (1.5,)), ("ceil", lambda m: m.ceil, (1.5,)), ("round", lambda m: m.round, (2.5,)),
    ("sign", lambda m: m.sign, (1.5,)), ("atan2 at 0", lambda m: m.atan2, (0.0, 0.0)),
    ("acosh at 1", lambda m: m.acosh, (1.0,)), ("logistic far", lambda m: m.logistic, (100.0,)),
    ("rem", lambda m: m.rem, (7.5, 2.0)), ("reduce_precision", lambda m: lambda x: m.reduce_precision(x, 5, 2), (1.1,)),
    ("bitcast", lambda m: lambda x: m.bitcast_convert_type(x, np.float32), (1.0,)),
]


def test_grads_at_special_points_match_jax():
    arg_lists = [[np.float32(a) for a in args] for _, _, args in SPECIAL_POINTS]
    ours = jaxlike.jit(_grads_of(jaxlike.grad, jnp.sum, [make(lax) for _, make, _ in SPECIAL_POINTS]))(arg_lists)
    theirs = jax.jit(_grads_of(jax.grad, jax.numpy.sum, [make(jlax) for _, make, _ in SPECIAL_POINTS]))(arg_lists)
    for (name, _, _), o, e in zip(SPECIAL_POINTS, ours, theirs):
        assert_same(o, e, err_msg=name)
    assert_same(jaxlike.grad(lax.max, (0, 1))(np.float32(1), np.float32(1)),
                jax.grad(jlax.max, (0, 1))(np.float32(1), np.float32(1)))


HOLOMORPHIC = ["exp", "exp2", "log", "log1p", "expm1", "sqrt", "rsqrt", "sin", "cos", "tan", "asin", "acos",
               "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "logistic", "square", "reciprocal", "neg"]


def _jvps_and_vjps(jvp, vjp, fns):
    def run(z, t):
        return [(jvp(fn, (z,), (t,))[1], vjp(fn, z)[1](t)) if i % 3 == 0 else jvp(fn, (z,), (t,))[1]
                for i, fn in enumerate(fns)]
    return run


def test_complex_jvp_and_vjp_match_jax():
    z = np.array([0.3 + 0.4j, -0.5 + 0.2j], np.complex64)
    t = np.array([1.0 - 0.5j, 0.25 + 1j], np.complex64)
    ours = jaxlike.jit(_jvps_and_vjps(jaxlike.jvp, jaxlike.vjp, [getattr(lax, n) for n in HOLOMORPHIC]))(z, t)
    theirs = jax.jit(_jvps_and_vjps(jax.jvp, jax.vjp, [getattr(jlax, n) for n in HOLOMORPHIC]))(z, t)
    for name, o, e in zip(HOLOMORPHIC, ours, theirs):
        assert_same(o, e, rtol=1e-5, atol=1e-6, err_msg=name)
    assert_same(jaxlike.vjp(lax.sin, z)[1](t), jax.vjp(jlax.sin, z)[1](t), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name, args, ct", [
    ("mul", (1 + 2j, 3 - 1j), 1 + 1j), ("div", (1 + 2j, 3 - 1j), 1 + 1j), ("pow", (1 + 2j, 0.5 + 1j), 1 + 1j),
    ("abs", (1 + 2j,), 1.0), ("abs", (0j,), 1.0), ("real", (1 + 2j,), 3.0), ("imag", (1 + 2j,), 3.0),
    ("conj", (1 + 2j,), 3 + 1j), ("conj", (1.5,), 3 + 1j), ("complex", (1.0, 2.0), 1 + 2j),
    ("sign", (3 + 4j,), 1 + 1j), ("add", (1 + 2j, 3.0 + 0j), 2 - 1j), ("atan2", (1 + 2j, 3 - 1j), 1 + 1j),
])
def test_complex_vjps_match_jax(name, args, ct):
    args = [np.complex64(a) if isinstance(a, complex) else np.float32(a) for a in args]
    ct = np.complex64(ct) if isinstance(ct, complex) else np.float32(ct)

    def cotangents(vjp, fn):
        return lambda args, ct: vjp(fn, *args)[1](ct)
    assert_same(jaxlike.jit(cotangents(jaxlike.vjp, getattr(lax, name)))(args, ct),
                jax.jit(cotangents(jax.vjp, getattr(jlax, name)))(args, ct), rtol=1e-5, atol=1e-6)


def test_convert_element_type_derivatives():
    f = lambda x: lax.convert_element_type(x, np.complex64)  # noqa: E731
    g = lambda x: jlax.convert_element_type(x, np.complex64)  # noqa: E731
    assert_same(jaxlike.vjp(f, np.float32(1.0))[1](np.complex64(2 + 1j)), jax.vjp(g, np.float32(1.0))[1](
        np.complex64(2 + 1j)))
    with x64_mode(True):
        assert_same(jaxlike.grad(lambda x: lax.convert_element_type(x, np.float32) * 3)(np.float64(2.0)),
                    jax.grad(lambda x: jlax.convert_element_type(x, np.float32) * 3)(np.float64(2.0)))
    assert_same(jaxlike.grad(lambda x: lax.convert_element_type(x, np.int32).astype(np.float32) * x)(
        np.float32(2.5)), np.float32(2.0))


def test_select_n_derivatives():
    which = np.array([0, 2, 1], np.int32)
    cases = [np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0]), np.array([7.0, 8.0, 9.0])]
    check_grads(lambda a, b, c: lax.select_n(which, a, b, c), cases, order=2)
    check_grads(lambda a, b: lax.select(np.array([True, False, True]), a, b), cases[:2], order=2)


def test_nondifferentiable_and_unimplemented_derivatives():
    with pytest.raises(NotImplementedError, match="nextafter"):
        jaxlike.grad(lambda x: lax.nextafter(x, np.float32(2.0)))(np.float32(1.0))
    with pytest.raises(ValueError, match="polygamma"):
        jaxlike.grad(lambda m: lax.polygamma(m, np.float32(2.0)))(np.float32(1.0))
    assert_same(jaxlike.grad(lambda x: lax.is_finite(x).astype(np.float32) * x)(np.float32(2.0)), np.float32(1.0))


def test_higher_order_and_nested_transforms():
    x = np.array([0.3, 0.7, 1.1], np.float32)
    f = lambda x: lax.sin(lax.mul(x, lax.exp(x)))  # noqa: E731
    jf = lambda x: jlax.sin(jlax.mul(x, jlax.exp(x)))  # noqa: E731
    ours = jaxlike.jit(jaxlike.vmap(jaxlike.grad(jaxlike.grad(f))))(x)
    theirs = jax.vmap(jax.grad(jax.grad(jf)))(x)
    assert_same(ours, theirs, rtol=1e-5, atol=1e-5)


# ---- batching ---------------------------------------------------------------------------------------------
def _stack(fn, args, in_axes):
    size = next(np.shape(a)[ax] for a, ax in zip(args, in_axes) if ax is not None)
    outs = [fn(*[a if ax is None else np.take(a, i, axis=ax) for a, ax in zip(args, in_axes)]) for i in range(size)]
    return np.stack([np.asarray(o) for o in outs])


def _vmap_all(ops, in_axes_list):
    def run(arg_lists):
        return [jaxlike.vmap(op.ours(), in_axes=axes)(*args) for op, axes, args in zip(ops, in_axes_list, arg_lists)]
    return run


def _broadcast_batch(args, in_axes, size):
    """Arguments with the batch axis first and every operand broadcast to (size, *example shape): an
    elementwise f on these is what vmap must give (each example's result is f on that example)."""
    moved = [np.asarray(a) if ax is None else np.moveaxis(np.asarray(a), ax, 0) for a, ax in zip(args, in_axes)]
    example_shape = max((m.shape if ax is None else m.shape[1:] for m, ax in zip(moved, in_axes)), key=len)
    out = []
    for m, ax in zip(moved, in_axes):
        m = m[None] if ax is None else m
        m = m.reshape(m.shape + (1,) * (len(example_shape) + 1 - m.ndim))
        out.append(np.broadcast_to(m, (size,) + example_shape).copy())
    return out


def _check_vmap(ops, in_axes_list, arg_lists):
    size = next(np.shape(a)[ax] for a, ax in zip(arg_lists[0], in_axes_list[0]) if ax is not None)
    batched = jaxlike.jit(_vmap_all(ops, in_axes_list))(arg_lists)
    reference = jaxlike.jit(functools.partial(_all_outputs, [op.ours() for op in ops]))(
        [_broadcast_batch(args, axes, size) for args, axes in zip(arg_lists, in_axes_list)])
    for op, axes, ours, expected in zip(ops, in_axes_list, batched, reference):
        assert_same(ours, expected, err_msg=f"{op.name} in_axes={axes}", **_tol(op.dtypes[-1], op))


def _batch_dtype(op):
    return F32 if F32 in op.dtypes else op.dtypes[-1]


# The n-ary ops share defbroadcasting; these cover it and every custom batching rule.
NARY_BATCH_OPS = [OPS_BY_NAME[name] for name in ("add", "pow", "rem", "atan2", "complex", "eq", "shift_left", "max",
                                                  "clamp", "select_n", "select", "polygamma")]


def test_vmap_with_unbatched_operands():
    """The first operand batched (at its last axis), the others unbatched arrays."""
    rng = np.random.default_rng(8)
    arg_lists, axes_list = [], []
    for op in NARY_BATCH_OPS:
        args = _fix_args(op, op.args(rng, (2, 3), _batch_dtype(op)))
        arg_lists.append([args[0].T] + [a[0] for a in args[1:]])
        axes_list.append((1,) + (None,) * (op.nargs - 1))
    _check_vmap(NARY_BATCH_OPS, axes_list, arg_lists)


def test_vmap_with_unbatched_rank0_operands():
    """A rank-0 unbatched operand next to batched arrays (each position where the primitive allows it)."""
    rng = np.random.default_rng(9)
    ops, arg_lists, axes_list = [], [], []
    for op in NARY_BATCH_OPS:
        if op.name in ("select_n", "select"):
            continue
        args = _fix_args(op, op.args(rng, (3, 2), _batch_dtype(op)))
        for position in range(op.nargs):
            if op.name == "clamp" and position == 1:
                continue
            ops.append(op)
            arg_lists.append([a.reshape(-1)[0] if i == position else a for i, a in enumerate(args)])
            axes_list.append(tuple(None if i == position else 0 for i in range(op.nargs)))
    _check_vmap(ops, axes_list, arg_lists)


def test_vmap_of_per_example_scalars_next_to_unbatched_arrays():
    rng = np.random.default_rng(10)
    ops = [op for op in NARY_BATCH_OPS if op.name not in ("select_n", "select", "clamp")]
    arg_lists, axes_list = [], []
    for op in ops:
        args = _fix_args(op, op.args(rng, (3, 2), _batch_dtype(op)))
        arg_lists.append([args[0][:, 0]] + [a[0] for a in args[1:]])
        axes_list.append((0,) + (None,) * (op.nargs - 1))
    _check_vmap(ops, axes_list, arg_lists)


def test_eager_vmap_matches_stacked_examples():
    rng = np.random.default_rng(11)
    for name in ("add", "pow", "clamp", "select_n", "sin", "atan2", "integer_pow3", "round_even"):
        op = OPS_BY_NAME[name]
        args = _fix_args(op, op.args(rng, (3, 2), F32))
        axes = (0,) + (1,) * (op.nargs - 1)
        args = [args[0]] + [a.T for a in args[1:]]
        assert_same(jaxlike.vmap(op.ours(), in_axes=axes)(*args), _stack(op.ours(), args, axes), err_msg=name)
    select_cases = [rand(rng, (3,), F32) for _ in range(2)]
    which = np.array([True, False, True])
    assert_same(jaxlike.vmap(lax.select_n, in_axes=(0, None, None))(which, *select_cases),
                _stack(lax.select_n, [which] + select_cases, (0, None, None)))


def test_vmap_of_bitcast_with_changing_widths():
    x = np.random.default_rng(8).standard_normal((3, 4, 2)).astype(np.float32)
    for axis in range(3):
        for dst in (np.uint8, np.int16):
            f = functools.partial(lax.bitcast_convert_type, new_dtype=dst)
            assert_same(jaxlike.vmap(f, in_axes=axis)(x), _stack(f, [x], (axis,)), err_msg=f"{axis} {dst}")
    u = np.random.default_rng(8).integers(0, 255, (3, 2, 4)).astype(np.uint8)
    for axis in range(2):
        f = functools.partial(lax.bitcast_convert_type, new_dtype=np.float32)
        assert_same(jaxlike.vmap(f, in_axes=axis)(u), _stack(f, [u], (axis,)))


def test_vmap_of_clamp_with_unbatched_operand():
    bounds = np.array([0.2, 0.7, 1.0], np.float32)
    out = jaxlike.vmap(lax.clamp, in_axes=(None, None, 0))(np.float32(0.0), np.float32(0.5), bounds)
    assert_same(out, np.array([0.2, 0.5, 0.5], np.float32))
    out = jaxlike.vmap(lax.clamp, in_axes=(0, None, None))(bounds, np.ones(2, np.float32), np.float32(0.9))
    assert_same(out, _stack(lax.clamp, [bounds, np.ones(2, np.float32), np.float32(0.9)], (0, None, None)))


def test_vmap_of_grad_of_binary_with_scalar_operand():
    xs = np.array([0.5, 1.0, 1.5], np.float32)
    ours = jaxlike.vmap(jaxlike.grad(lambda x: lax.mul(lax.pow(x, np.float32(2.5)), np.float32(3.0))))(xs)
    theirs = jax.vmap(jax.grad(lambda x: jlax.mul(jlax.pow(x, np.float32(2.5)), np.float32(3.0))))(xs)
    assert_same(ours, theirs)


# ---- properties over generated shapes and dtypes -------------------------------------------------------------
PROPERTY_OPS = [op for op in OPS if op.name not in ("select_n", "select")]
SHAPES = [(), (3,), (2, 3)]


@st.composite
def op_case(draw):
    op = draw(st.sampled_from(PROPERTY_OPS))
    dtype = draw(st.sampled_from(op.dtypes))
    shape = draw(st.sampled_from(SHAPES))
    seed = draw(st.integers(0, 2 ** 16))
    return op, dtype, shape, seed


@settings(max_examples=10)
@given(op_case())
def test_property_eager_equals_jit_equals_jax(case):
    op, dtype, shape, seed = case
    args = _fix_args(op, op.args(np.random.default_rng(seed), shape, dtype))
    expected = op.theirs()(*args)
    assert_same(op.ours()(*args), expected, err_msg=op.name, **_tol(dtype, op))
    assert_same(jaxlike.jit(op.ours())(*args), expected, err_msg=op.name + " jit", **_tol(dtype, op))


@settings(max_examples=10)
@given(op_case(), st.integers(0, 2))
def test_property_vmap_equals_stack(case, axis):
    op, dtype, shape, seed = case
    axis = min(axis, len(shape))
    args = _fix_args(op, op.args(np.random.default_rng(seed), (2,) + shape, dtype))
    args = [np.moveaxis(a, 0, axis) for a in args]
    in_axes = (axis,) * op.nargs
    assert_same(jaxlike.vmap(op.ours(), in_axes=in_axes)(*args), _stack(op.ours(), args, in_axes), err_msg=op.name,
                **_tol(dtype, op))


@pytest.mark.slow
@given(op_case())
def test_property_x64_matches_jax(case):
    op, dtype, shape, seed = case
    with x64_mode(True):
        dtype = WIDE.get(dtype, dtype)
        args = _fix_args(op, op.args(np.random.default_rng(seed), shape, dtype))
        assert_same(op.ours()(*args), op.theirs()(*args), err_msg=op.name, **_tol(dtype, op))


# ---- errors ------------------------------------------------------------------------------------------------
def _raises(exc, *words):
    """pytest.raises(exc) whose message must contain each of `words`."""
    class Check:
        def __enter__(self):
            self.ctx = pytest.raises(exc)
            self.info = self.ctx.__enter__()
            return self.info

        def __exit__(self, *exc_info):
            handled = self.ctx.__exit__(*exc_info)
            for w in words:
                assert w in str(self.info.value), f"{w!r} not in {self.info.value}"
            return handled
    return Check()


def test_mismatched_shapes_name_the_shapes():
    with _raises(TypeError, "(3,)", "(4,)"):
        lax.add(np.ones(3, F32), np.ones(4, F32))
    with _raises(TypeError, "(2, 3)", "(3,)"):
        lax.atan2(np.ones((2, 3), F32), np.ones(3, F32))
    with _raises(TypeError, "(2,)", "(3,)"):
        lax.clamp(np.zeros(2, F32), np.ones(3, F32), np.float32(1))
    with _raises(TypeError, "shape"):
        lax.select_n(np.ones(2, bool), np.ones(3, F32), np.ones(3, F32))
    with _raises(TypeError, "(3,)", "(4,)"):
        jaxlike.jit(lax.mul)(np.ones(3, F32), np.ones(4, F32))


def test_mismatched_dtypes_name_the_dtypes():
    with _raises(TypeError, "float32", "int32"):
        lax.add(np.ones(3, F32), np.ones(3, I32))
    with _raises(TypeError, "float16", "float32"):
        lax.pow(np.ones(3, F16), np.ones(3, F32))
    with _raises(TypeError, "float32", "complex64"):
        lax.pow(np.ones(3, F32), np.ones(3, C64))
    with _raises(TypeError, "float16", "float32"):
        lax.clamp(np.float16(0), np.ones(3, F32), np.float32(1))
    with _raises(TypeError, "float32", "int32"):
        lax.select_n(True, np.ones(3, F32), np.ones(3, I32))


@pytest.mark.parametrize("fn, arg, dtype_name", [
    (lax.exp, np.ones(3, I32), "int32"), (lax.sin, np.ones(3, bool), "bool"), (lax.floor, np.ones(3, C64), "complex64"),
    (lax.erf, np.ones(3, C64), "complex64"), (lax.abs, np.ones(3, U8), "uint8"), (lax.neg, np.ones(3, bool), "bool"),
    (lax.bitwise_not, np.ones(3, F32), "float32"), (lax.population_count, np.ones(3, bool), "bool"),
    (lax.real, np.ones(3, F32), "float32"), (lax.imag, np.ones(3, I32), "int32"), (lax.conj, np.ones(3, I32), "int32"),
    (lax.is_finite, np.ones(3, I32), "int32"), (lax.cbrt, np.ones(3, C64), "complex64"),
    (lambda x: lax.reduce_precision(x, 5, 2), np.ones(3, I32), "int32"),
    (lambda x: lax.integer_pow(x, 2), np.ones(3, bool), "bool"),
    (lambda x: lax.round(x), np.ones(3, I32), "int32"),
])
def test_wrong_dtype_kinds_are_type_errors(fn, arg, dtype_name):
    with _raises(TypeError, dtype_name):
        fn(arg)


@pytest.mark.parametrize("fn, args, dtype_name", [
    (lax.rem, (np.ones(3, C64),) * 2, "complex64"), (lax.lt, (np.ones(3, C64),) * 2, "complex64"),
    (lax.add, (np.ones(3, bool),) * 2, "bool"), (lax.shift_left, (np.ones(3, bool),) * 2, "bool"),
    (lax.pow, (np.ones(3, I32),) * 2, "int32"), (lax.complex, (np.ones(3, F16),) * 2, "float16"),
    (lax.nextafter, (np.ones(3, C64),) * 2, "complex64"), (lax.bitwise_and, (np.ones(3, F32),) * 2, "float32"),
])
def test_wrong_dtype_kinds_of_nary_ops_are_type_errors(fn, args, dtype_name):
    with _raises(TypeError, dtype_name):
        fn(*args)


def test_other_bad_inputs():
    with _raises(TypeError, "negative"):
        lax.integer_pow(np.ones(3, I32), -1)
    with _raises(TypeError, "bool"):
        lax.bitcast_convert_type(np.ones(3, bool), np.uint8)
    with _raises(TypeError, "complex64"):
        lax.bitcast_convert_type(np.ones(3, C64), np.float32)
    with _raises(ValueError, "(3, 3)"):
        lax.bitcast_convert_type(np.ones((3, 3), np.uint8), np.float32)
    with _raises(TypeError, "selector"):
        lax.select_n(np.ones(3, F32), np.ones(3, F32), np.ones(3, F32))
    with _raises(TypeError, "two cases"):
        lax.select_n(np.ones(3, bool), *[np.ones(3, F32)] * 3)
    with _raises(TypeError, "Python float"):
        lax.add(jnp.ones(3, I32), 2.5)
    with _raises(TypeError, "exponent_bits"):
        lax.reduce_precision(np.ones(3, F32), 0, 2)


def test_registry_rules_are_complete():
    from jaxlike.core import all_primitives
    from xla_bridge.lowering import lowering_rules
    names = ["add", "pow", "integer_pow", "clamp", "erf_inv", "nextafter", "bitcast_convert_type", "reduce_precision",
             "not", "and", "or", "xor", "shift_left", "polygamma", "round", "real", "imag", "complex", "conj"]
    for name in names:
        prim = all_primitives[name]
        assert prim.abstract_eval and prim.batch and name in lowering_rules, name
        assert prim.jvp is not None, name
    for name in ("add", "sub", "neg", "mul", "div", "real", "imag", "complex", "conj", "reduce_precision",
                 "select_n", "convert_element_type"):
        assert all_primitives[name].transpose is not None, name
