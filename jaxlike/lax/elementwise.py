"""Elementwise primitives: each with its shape/dtype rule, JVP, transpose (where linear) and batching.

Operands of an n-ary primitive share one dtype and one shape, except that rank-0 operands
broadcast against arrays (as in JAX). A result is weakly typed when all its operands are.
Derivatives follow JAX's conventions, including its values at special points (ties of
max/min split the tangent, abs'(0) = 1, pow with a zero base) and for complex numbers
(holomorphic rules; mul's transpose does not conjugate).
"""
import enum
import operator

import numpy as np

from jaxlike import dtypes
from jaxlike.core import Primitive, ShapedArray, get_aval
from jaxlike.lax.base import broadcast_scalar_shapes, operands, shape_error, unbroadcast, weak_scalar
from jaxlike.transforms import ad, batching
from jaxlike.transforms.ad import defjvp, defjvp2, defnondifferentiable, is_undefined_primal

__all__ = [
    # arithmetic
    'add', 'sub', 'mul', 'div', 'rem', 'pow', 'integer_pow', 'neg', 'sign', 'abs', 'max', 'min', 'square',
    'reciprocal', 'add_any', 'clamp',
    # exponentials, logarithms, roots
    'exp', 'exp2', 'log', 'log1p', 'expm1', 'sqrt', 'rsqrt', 'cbrt', 'logistic',
    # trigonometric and hyperbolic
    'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'atan2', 'sinh', 'cosh', 'tanh', 'asinh', 'acosh', 'atanh',
    # special functions
    'erf', 'erfc', 'erf_inv', 'lgamma', 'digamma', 'polygamma',
    # rounding and floating-point structure
    'floor', 'ceil', 'round', 'RoundingMethod', 'is_finite', 'nextafter', 'reduce_precision',
    # comparisons and selection
    'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'select_n', 'select',
    # complex numbers
    'real', 'imag', 'conj', 'complex',
    # bits
    'bitwise_not', 'bitwise_and', 'bitwise_or', 'bitwise_xor', 'not_', 'and_', 'or_', 'xor_',
    'shift_left', 'shift_right_arithmetic', 'shift_right_logical', 'population_count', 'clz',
    # conversions
    'convert_element_type', 'bitcast_convert_type',
]

# Dtype kinds an operand may have: bool, signed/unsigned integer, floating, complex.
ANY, REAL, NUMBER, INEXACT, FLOAT, COMPLEX = "biufc", "biuf", "iufc", "fc", "f", "c"
INTEGER, INTEGER_OR_BOOL, INT_OR_FLOAT, SIGNED_OR_INEXACT = "iu", "biu", "iuf", "ifc"
_KIND_NAMES = {"b": "bool", "i": "signed integer", "u": "unsigned integer", "f": "floating", "c": "complex"}


# ---- shared rules -----------------------------------------------------------------------------
def _check_kind(name, dtype, kinds):
    if dtypes.kind(dtype) not in kinds:
        wanted = ", ".join(_KIND_NAMES[k] for k in kinds)
        raise shape_error(f"lax.{name} does not accept dtype {np.dtype(dtype).name}; it accepts {wanted} types.")


def _check_same_dtypes(name, avals):
    if any(a.dtype != avals[0].dtype for a in avals[1:]):
        got = ", ".join(a.dtype.name for a in avals)
        raise shape_error(f"lax.{name} requires arguments to have the same dtypes, got {got}. "
                          "(jnp functions promote dtypes; lax ones do not.)")


def _elementwise_rule(name, kinds, out_dtype=None):
    """Shape/dtype rule: one dtype of an allowed kind, equal shapes up to rank-0 operands."""
    def rule(*avals, **params):
        shape = broadcast_scalar_shapes(name, avals)
        _check_same_dtypes(name, avals)
        _check_kind(name, avals[0].dtype, kinds)
        dtype = avals[0].dtype if out_dtype is None else np.dtype(out_dtype(avals[0].dtype))
        return ShapedArray(shape, dtype, all(a.weak_type for a in avals))
    return rule


def _unary_primitive(name, kinds, out_dtype=None):
    prim = Primitive(name)
    prim.def_abstract_eval(_elementwise_rule(name, kinds, out_dtype))
    batching.defvectorized(prim)
    return prim


def _nary_primitive(name, kinds, out_dtype=None):
    prim = Primitive(name)
    prim.def_abstract_eval(_elementwise_rule(name, kinds, out_dtype))
    batching.defbroadcasting(prim)
    return prim


def _defjvp_zero(prim):
    """The derivative is zero wherever it exists (floor, sign, ...): tangents are symbolic zeros."""
    defnondifferentiable(prim)
    prim.differentiable = True


def _defjvp_unimplemented(prim):
    """As in JAX, differentiating this primitive is an error rather than a silent zero."""
    def rule(primals, tangents, **params):
        raise NotImplementedError(f"Differentiation rule for '{prim.name}' not implemented.")
    prim.jvp = rule
    prim.differentiable = False


# ---- small helpers for rules --------------------------------------------------------------
def _scalar(x, value):
    """A weakly typed rank-0 constant of x's dtype (elementwise primitives broadcast it)."""
    return weak_scalar(value, get_aval(x).dtype)


def _full_like(x, value):
    from jaxlike.lax.structural import full_like
    return full_like(x, value)


def _broadcast_to(x, shape):
    """`x` (rank 0 or already of `shape`) broadcast to `shape`."""
    if get_aval(x).shape == tuple(shape):
        return x
    from jaxlike.lax.structural import broadcast_in_dim
    return broadcast_in_dim(x, shape, ())


def _replace_zero(x):
    return select_n(eq(x, _scalar(x, 0)), x, _full_like(x, 1))


def _out_shape(*xs):
    return broadcast_scalar_shapes("elementwise", [get_aval(x) for x in xs])


# ---- add / sub / add_any / neg --------------------------------------------------------------
add_p = _nary_primitive("add", NUMBER)
ad.deflinear(add_p, lambda ct, x, y: [unbroadcast(ct, x), unbroadcast(ct, y)])

sub_p = _nary_primitive("sub", NUMBER)
ad.deflinear(sub_p, lambda ct, x, y: [unbroadcast(ct, x), unbroadcast(neg(ct), y)])

add_any_p = _nary_primitive("add_any", NUMBER)  # sums tangents/cotangents inside transforms
ad.deflinear(add_any_p, lambda ct, x, y: [unbroadcast(ct, x), unbroadcast(ct, y)])

neg_p = _unary_primitive("neg", NUMBER)
ad.deflinear(neg_p, lambda ct, x: [neg(ct)])


def add(x, y):
    """lax.add: x + y elementwise (no dtype promotion)."""
    return add_p.bind(*operands(x, y))


def sub(x, y):
    """lax.sub: x - y elementwise."""
    return sub_p.bind(*operands(x, y))


def add_any(x, y):
    """Adds two tangents or cotangents (JAX's add_jaxvals)."""
    return add_any_p.bind(x, y)


def neg(x):
    """lax.neg: -x elementwise (wraps around for unsigned integers)."""
    return neg_p.bind(*operands(x))


# ---- mul / div / rem -------------------------------------------------------------------------
mul_p = _nary_primitive("mul", NUMBER)
ad.defbilinear(mul_p, lambda ct, x, y: unbroadcast(mul(ct, y), x), lambda ct, x, y: unbroadcast(mul(x, ct), y))

div_p = _nary_primitive("div", NUMBER)
defjvp(div_p,
       lambda g, x, y: div(g, y),
       lambda g, x, y: mul(mul(neg(g), x), integer_pow(y, -2)))


def _div_transpose(ct, x, y):
    if is_undefined_primal(y):
        raise TypeError("div is not linear in its denominator")
    if type(ct) is ad.Zero:
        return [None, None]
    return [unbroadcast(div(ct, y), x), None]


div_p.transpose = _div_transpose

rem_p = _nary_primitive("rem", INT_OR_FLOAT)
defjvp(rem_p,
       lambda g, x, y: _broadcast_to(g, _out_shape(x, y)),
       lambda g, x, y: mul(neg(g), mul(sign(div(x, y)), floor(abs(div(x, y))))))


def mul(x, y):
    """lax.mul: x * y elementwise."""
    return mul_p.bind(*operands(x, y))


def div(x, y):
    """lax.div: x / y elementwise; integer division rounds toward zero."""
    return div_p.bind(*operands(x, y))


def rem(x, y):
    """lax.rem: remainder of x / y with the sign of x (C's fmod), elementwise."""
    return rem_p.bind(*operands(x, y))


# ---- sign / abs -------------------------------------------------------------------------------
sign_p = _unary_primitive("sign", NUMBER)
_defjvp_zero(sign_p)

abs_p = _unary_primitive("abs", SIGNED_OR_INEXACT, out_dtype=dtypes.real_dtype)


def _abs_jvp(g, ans, x):
    if dtypes.is_complex(get_aval(x).dtype):
        return real(mul(g, div(conj(x), _replace_zero(convert_element_type(ans, get_aval(x).dtype)))))
    return select_n(ge(x, _scalar(x, 0)), neg(g), g)  # abs'(0) = 1, as in JAX


defjvp2(abs_p, _abs_jvp)


def sign(x):
    """lax.sign: -1, 0 or 1 by the sign of x (x / |x| for complex)."""
    return sign_p.bind(*operands(x))


def abs(x):
    """lax.abs: |x| elementwise; complex inputs give their real-typed magnitude."""
    return abs_p.bind(*operands(x))


# ---- max / min ----------------------------------------------------------------------------------
def _balanced_eq(x, z, y):
    """1 where x alone attains z, 1/2 where y attains it too, 0 elsewhere (JAX splits ties evenly)."""
    hits = convert_element_type(eq(x, z), get_aval(z).dtype)
    return div(hits, select_n(eq(y, z), _full_like(z, 1), _full_like(z, 2)))


max_p = _nary_primitive("max", ANY)
defjvp2(max_p,
        lambda g, ans, x, y: mul(g, _balanced_eq(x, ans, y)),
        lambda g, ans, x, y: mul(g, _balanced_eq(y, ans, x)))

min_p = _nary_primitive("min", ANY)
defjvp2(min_p,
        lambda g, ans, x, y: mul(g, _balanced_eq(x, ans, y)),
        lambda g, ans, x, y: mul(g, _balanced_eq(y, ans, x)))


def max(x, y):
    """lax.max: elementwise maximum (NaN-propagating; complex compares lexicographically)."""
    return max_p.bind(*operands(x, y))


def min(x, y):
    """lax.min: elementwise minimum (NaN-propagating; complex compares lexicographically)."""
    return min_p.bind(*operands(x, y))


# ---- clamp ------------------------------------------------------------------------------------
clamp_p = Primitive("clamp")


@clamp_p.def_abstract_eval
def _clamp_abstract_eval(lo, x, hi):
    for name, bound in (("min", lo), ("max", hi)):
        if bound.shape not in ((), x.shape):
            raise shape_error(f"lax.clamp requires {name}.shape == operand.shape or {name}.shape == (), got "
                              f"{name}.shape={bound.shape}, operand.shape={x.shape}.")
    _check_same_dtypes("clamp", (lo, x, hi))
    _check_kind("clamp", x.dtype, ANY)
    return ShapedArray(x.shape, x.dtype, lo.weak_type and x.weak_type and hi.weak_type)


def _clamp_batch(vals, dims):
    """The operand gets the batch axis first (broadcast if unbatched); bounds follow, unbatched rank-0 ones stay."""
    size = batching.axis_size_of(vals, dims)
    (lo, x, hi), (lo_dim, x_dim, hi_dim) = vals, dims
    x = batching.bdim_at_front(x, x_dim, size)

    def bound(v, d):
        if d is None and get_aval(v).shape == ():
            return v
        return _broadcast_per_example(batching.bdim_at_front(v, d, size), get_aval(x).shape)
    return clamp_p.bind(bound(lo, lo_dim), x, bound(hi, hi_dim)), 0


def _broadcast_per_example(v, shape):
    if get_aval(v).shape == tuple(shape):
        return v
    from jaxlike.lax.structural import broadcast_in_dim
    return broadcast_in_dim(v, shape, (0,))


clamp_p.batch = _clamp_batch


def _where_else_zero(pred, g, shape):
    """`g` (broadcast to `shape`) where pred holds, else 0: the tangent of a piecewise-selected value."""
    g = _broadcast_to(g, shape)
    return select_n(_broadcast_to(pred, shape), _full_like(g, 0), g)


# JAX's convention: the operand's tangent passes only strictly inside (min, max); ties go to no one.
defjvp(clamp_p,
       lambda g, lo, x, hi: _where_else_zero(bitwise_and(gt(lo, x), lt(lo, hi)), g, get_aval(x).shape),
       lambda g, lo, x, hi: _where_else_zero(bitwise_and(gt(x, lo), lt(x, hi)), g, get_aval(x).shape),
       lambda g, lo, x, hi: _where_else_zero(lt(hi, x), g, get_aval(x).shape))


def clamp(min, x, max):
    """lax.clamp: x clipped to [min, max]; min and max are rank-0 or shaped like x."""
    return clamp_p.bind(*operands(min, x, max))


# ---- powers ------------------------------------------------------------------------------------
pow_p = Primitive("pow")


@pow_p.def_abstract_eval
def _pow_abstract_eval(x, y):
    shape = broadcast_scalar_shapes("pow", (x, y))
    x_kind, y_kind = dtypes.kind(x.dtype), dtypes.kind(y.dtype)
    if x_kind not in INEXACT or y_kind not in NUMBER or (y_kind in INEXACT and x.dtype != y.dtype):
        raise shape_error(f"lax.pow requires an inexact (float or complex) base and an integer or inexact "
                          f"exponent, with equal dtypes when both are inexact; got {x.dtype.name} and "
                          f"{y.dtype.name}.")
    return ShapedArray(shape, x.dtype, x.weak_type and y.weak_type)


def _pow_jvp_base(g, ans, x, y):
    x_dtype = get_aval(x).dtype
    if dtypes.is_integer(get_aval(y).dtype):
        y = convert_element_type(y, x_dtype)
        jac = mul(y, pow(x, sub(y, _scalar(y, 1))))
        # d/dx x**0 is 0 even at x = 0, where the general formula gives 0 * inf.
        jac = select_n(eq(y, _scalar(y, 0)), jac, _full_like(jac, 0))
    else:
        jac = mul(y, pow(x, sub(y, _scalar(y, 1))))
    return mul(g, jac)


def _pow_jvp_exponent(g, ans, x, y):
    return mul(g, mul(log(_replace_zero(x)), ans))  # log(1) stands in at x = 0, so the term vanishes there


defjvp2(pow_p, _pow_jvp_base, _pow_jvp_exponent)
batching.defbroadcasting(pow_p)


def pow(x, y):
    """lax.pow: x ** y for an inexact base x and an integer or same-dtype inexact exponent y."""
    if isinstance(y, int) and not isinstance(y, bool):
        # A Python int exponent stays an integer (x ** 0 then has derivative 0 everywhere, as in JAX).
        from jaxlike.array import as_operand
        return pow_p.bind(*operands(x), as_operand(y))
    return pow_p.bind(*operands(x, y))


integer_pow_p = Primitive("integer_pow")


@integer_pow_p.def_abstract_eval
def _integer_pow_abstract_eval(x, y):
    _check_kind("integer_pow", x.dtype, NUMBER)
    if y < 0 and dtypes.is_integer(x.dtype):
        raise shape_error(f"Integers cannot be raised to negative powers, got integer_pow({x.str_short()}, {y}).")
    return x


def _integer_pow_jvp(g, x, y):
    if y == 0:
        return ad.Zero(get_aval(g))
    return mul(g, mul(_scalar(x, y), integer_pow(x, y - 1)))


defjvp(integer_pow_p, _integer_pow_jvp)
batching.defvectorized(integer_pow_p)


def integer_pow(x, y):
    """lax.integer_pow: x ** y for a static Python int y, by repeated multiplication."""
    (x,) = operands(x)
    return integer_pow_p.bind(x, y=operator.index(y))


square_p = _unary_primitive("square", NUMBER)
defjvp(square_p, lambda g, x: mul(g, mul(_scalar(x, 2), x)))


def square(x):
    """lax.square: x * x."""
    return square_p.bind(*operands(x))


def reciprocal(x):
    """lax.reciprocal: 1 / x (integer_pow(x, -1))."""
    return integer_pow(x, -1)


# ---- exponentials, logarithms, roots ---------------------------------------------------------------
def _inexact_unary(name, jvp=None, jvp2=None, kinds=INEXACT):
    prim = _unary_primitive(name, kinds)
    if jvp is not None:
        defjvp(prim, jvp)
    if jvp2 is not None:
        defjvp2(prim, jvp2)
    return prim


exp_p = _inexact_unary("exp", jvp2=lambda g, ans, x: mul(g, ans))
exp2_p = _inexact_unary("exp2", jvp2=lambda g, ans, x: mul(_scalar(x, np.log(2)), mul(g, ans)))
log_p = _inexact_unary("log", jvp=lambda g, x: div(g, x))
log1p_p = _inexact_unary("log1p", jvp=lambda g, x: div(g, add(x, _scalar(x, 1))))
expm1_p = _inexact_unary("expm1", jvp2=lambda g, ans, x: mul(g, add(ans, _scalar(ans, 1))))
sqrt_p = _inexact_unary("sqrt", jvp2=lambda g, ans, x: mul(g, div(_scalar(x, 0.5), ans)))
rsqrt_p = _inexact_unary("rsqrt", jvp2=lambda g, ans, x: mul(g, mul(_scalar(x, -0.5), div(ans, x))))
cbrt_p = _inexact_unary("cbrt", jvp2=lambda g, ans, x: mul(g, mul(_scalar(x, 1 / 3), integer_pow(ans, -2))),
                        kinds=FLOAT)
logistic_p = _inexact_unary("logistic", jvp2=lambda g, ans, x: mul(g, mul(ans, sub(_scalar(ans, 1), ans))))


def exp(x):
    """lax.exp: e ** x."""
    return exp_p.bind(*operands(x))


def exp2(x):
    """lax.exp2: 2 ** x."""
    return exp2_p.bind(*operands(x))


def log(x):
    """lax.log: natural logarithm."""
    return log_p.bind(*operands(x))


def log1p(x):
    """lax.log1p: log(1 + x), accurate near 0."""
    return log1p_p.bind(*operands(x))


def expm1(x):
    """lax.expm1: e ** x - 1, accurate near 0."""
    return expm1_p.bind(*operands(x))


def sqrt(x):
    """lax.sqrt: square root (principal branch for complex)."""
    return sqrt_p.bind(*operands(x))


def rsqrt(x):
    """lax.rsqrt: 1 / sqrt(x)."""
    return rsqrt_p.bind(*operands(x))


def cbrt(x):
    """lax.cbrt: real cube root (negative for negative x)."""
    return cbrt_p.bind(*operands(x))


def logistic(x):
    """lax.logistic: 1 / (1 + e ** -x)."""
    return logistic_p.bind(*operands(x))


# ---- trigonometric and hyperbolic -------------------------------------------------------------------
def _one_minus_square(x):
    return sub(_scalar(x, 1), square(x))


sin_p = _inexact_unary("sin", jvp=lambda g, x: mul(g, cos(x)))
cos_p = _inexact_unary("cos", jvp=lambda g, x: neg(mul(g, sin(x))))
tan_p = _inexact_unary("tan", jvp2=lambda g, ans, x: mul(g, add(_scalar(x, 1), square(ans))))
asin_p = _inexact_unary("asin", jvp=lambda g, x: mul(g, rsqrt(_one_minus_square(x))))
acos_p = _inexact_unary("acos", jvp=lambda g, x: mul(g, neg(rsqrt(_one_minus_square(x)))))
atan_p = _inexact_unary("atan", jvp=lambda g, x: div(g, add(_scalar(x, 1), square(x))))
sinh_p = _inexact_unary("sinh", jvp=lambda g, x: mul(g, cosh(x)))
cosh_p = _inexact_unary("cosh", jvp=lambda g, x: mul(g, sinh(x)))
tanh_p = _inexact_unary("tanh", jvp2=lambda g, ans, x: mul(add(g, mul(g, ans)), sub(_scalar(x, 1), ans)))
asinh_p = _inexact_unary("asinh", jvp=lambda g, x: mul(g, rsqrt(add(square(x), _scalar(x, 1)))))
acosh_p = _inexact_unary("acosh",
                         jvp=lambda g, x: mul(g, rsqrt(mul(sub(x, _scalar(x, 1)), add(x, _scalar(x, 1))))))
atanh_p = _inexact_unary("atanh",
                         jvp=lambda g, x: mul(reciprocal(add(_scalar(x, 1), x)), div(g, sub(_scalar(x, 1), x))))

atan2_p = _nary_primitive("atan2", INEXACT)


def _atan2_denominator(x, y):
    return add(square(x), square(y))


defjvp(atan2_p,
       lambda g, x, y: mul(g, div(y, _atan2_denominator(x, y))),
       lambda g, x, y: div(mul(g, neg(x)), _atan2_denominator(x, y)))


def sin(x):
    """lax.sin."""
    return sin_p.bind(*operands(x))


def cos(x):
    """lax.cos."""
    return cos_p.bind(*operands(x))


def tan(x):
    """lax.tan."""
    return tan_p.bind(*operands(x))


def asin(x):
    """lax.asin: inverse sine."""
    return asin_p.bind(*operands(x))


def acos(x):
    """lax.acos: inverse cosine."""
    return acos_p.bind(*operands(x))


def atan(x):
    """lax.atan: inverse tangent."""
    return atan_p.bind(*operands(x))


def atan2(x, y):
    """lax.atan2: the angle of the point (y, x), i.e. atan(x / y) in the right quadrant."""
    return atan2_p.bind(*operands(x, y))


def sinh(x):
    """lax.sinh."""
    return sinh_p.bind(*operands(x))


def cosh(x):
    """lax.cosh."""
    return cosh_p.bind(*operands(x))


def tanh(x):
    """lax.tanh."""
    return tanh_p.bind(*operands(x))


def asinh(x):
    """lax.asinh: inverse hyperbolic sine."""
    return asinh_p.bind(*operands(x))


def acosh(x):
    """lax.acosh: inverse hyperbolic cosine."""
    return acosh_p.bind(*operands(x))


def atanh(x):
    """lax.atanh: inverse hyperbolic tangent."""
    return atanh_p.bind(*operands(x))


# ---- special functions ----------------------------------------------------------------------------
_TWO_OVER_SQRT_PI = 2 / np.sqrt(np.pi)

erf_p = _inexact_unary("erf", kinds=FLOAT,
                       jvp=lambda g, x: mul(_scalar(x, _TWO_OVER_SQRT_PI), mul(g, exp(neg(square(x))))))
erfc_p = _inexact_unary("erfc", kinds=FLOAT,
                        jvp=lambda g, x: mul(_scalar(x, -_TWO_OVER_SQRT_PI), mul(g, exp(neg(square(x))))))
erf_inv_p = _inexact_unary("erf_inv", kinds=FLOAT,
                           jvp2=lambda g, ans, x: mul(_scalar(x, np.sqrt(np.pi) / 2), mul(g, exp(square(ans)))))
lgamma_p = _inexact_unary("lgamma", kinds=FLOAT, jvp=lambda g, x: mul(g, digamma(x)))
digamma_p = _inexact_unary("digamma", kinds=FLOAT, jvp=lambda g, x: mul(g, polygamma(_scalar(x, 1), x)))

polygamma_p = _nary_primitive("polygamma", FLOAT)


def _polygamma_jvp_order(g, m, x):
    raise ValueError("polygamma gradient with respect to m is not supported")


defjvp(polygamma_p, _polygamma_jvp_order, lambda g, m, x: mul(g, polygamma(add(m, _scalar(m, 1)), x)))


def erf(x):
    """lax.erf: the error function."""
    return erf_p.bind(*operands(x))


def erfc(x):
    """lax.erfc: 1 - erf(x), accurate for large x."""
    return erfc_p.bind(*operands(x))


def erf_inv(x):
    """lax.erf_inv: the inverse of erf on (-1, 1)."""
    return erf_inv_p.bind(*operands(x))


def lgamma(x):
    """lax.lgamma: log |Gamma(x)|."""
    return lgamma_p.bind(*operands(x))


def digamma(x):
    """lax.digamma: the derivative of lgamma."""
    return digamma_p.bind(*operands(x))


def polygamma(m, x):
    """lax.polygamma: the m-th derivative of digamma (m a non-negative integer value, x's dtype)."""
    return polygamma_p.bind(*operands(m, x))


# ---- rounding and floating-point structure ----------------------------------------------------------
class RoundingMethod(enum.IntEnum):
    """How lax.round breaks ties: away from zero (0) or to the nearest even integer (1)."""
    AWAY_FROM_ZERO = 0
    TO_NEAREST_EVEN = 1


floor_p = _unary_primitive("floor", FLOAT)
ceil_p = _unary_primitive("ceil", FLOAT)
round_p = _unary_primitive("round", FLOAT)
for _prim in (floor_p, ceil_p, round_p):
    _defjvp_zero(_prim)

is_finite_p = _unary_primitive("is_finite", FLOAT, out_dtype=lambda dt: np.bool_)
defnondifferentiable(is_finite_p)

nextafter_p = _nary_primitive("nextafter", FLOAT)
_defjvp_unimplemented(nextafter_p)

reduce_precision_p = Primitive("reduce_precision")


@reduce_precision_p.def_abstract_eval
def _reduce_precision_abstract_eval(x, exponent_bits, mantissa_bits):
    _check_kind("reduce_precision", x.dtype, FLOAT)
    if exponent_bits < 1 or mantissa_bits < 0:
        raise shape_error(f"lax.reduce_precision needs exponent_bits >= 1 and mantissa_bits >= 0, got "
                          f"{exponent_bits} and {mantissa_bits}.")
    return x


ad.deflinear(reduce_precision_p, lambda ct, x, **bits: [reduce_precision_p.bind(ct, **bits)])
batching.defvectorized(reduce_precision_p)


def floor(x):
    """lax.floor: round toward -inf."""
    return floor_p.bind(*operands(x))


def ceil(x):
    """lax.ceil: round toward +inf."""
    return ceil_p.bind(*operands(x))


def round(x, rounding_method=RoundingMethod.AWAY_FROM_ZERO):
    """lax.round: round to the nearest integer; ties by `rounding_method` (away from zero by default)."""
    (x,) = operands(x)
    return round_p.bind(x, rounding_method=RoundingMethod(int(rounding_method)))


def is_finite(x):
    """lax.is_finite: True where x is neither infinite nor NaN."""
    return is_finite_p.bind(*operands(x))


def nextafter(x1, x2):
    """lax.nextafter: the next representable value after x1 in the direction of x2."""
    return nextafter_p.bind(*operands(x1, x2))


def reduce_precision(operand, exponent_bits, mantissa_bits):
    """lax.reduce_precision: round to a float format with the given exponent and mantissa bits."""
    (operand,) = operands(operand)
    return reduce_precision_p.bind(operand, exponent_bits=operator.index(exponent_bits),
                                   mantissa_bits=operator.index(mantissa_bits))


# ---- comparisons ---------------------------------------------------------------------------------------
def _comparison(name, kinds):
    prim = _nary_primitive(name, kinds, out_dtype=lambda dt: np.bool_)
    defnondifferentiable(prim)
    return prim


eq_p = _comparison("eq", ANY)
ne_p = _comparison("ne", ANY)
lt_p = _comparison("lt", REAL)
le_p = _comparison("le", REAL)
gt_p = _comparison("gt", REAL)
ge_p = _comparison("ge", REAL)


def eq(x, y):
    """lax.eq: x == y elementwise."""
    return eq_p.bind(*operands(x, y))


def ne(x, y):
    """lax.ne: x != y elementwise."""
    return ne_p.bind(*operands(x, y))


def lt(x, y):
    """lax.lt: x < y elementwise."""
    return lt_p.bind(*operands(x, y))


def le(x, y):
    """lax.le: x <= y elementwise."""
    return le_p.bind(*operands(x, y))


def gt(x, y):
    """lax.gt: x > y elementwise."""
    return gt_p.bind(*operands(x, y))


def ge(x, y):
    """lax.ge: x >= y elementwise."""
    return ge_p.bind(*operands(x, y))


# ---- select_n -------------------------------------------------------------------------------------------
select_n_p = Primitive("select_n")


@select_n_p.def_abstract_eval
def _select_n_abstract_eval(which, *cases):
    if not cases:
        raise shape_error("lax.select_n requires at least one case.")
    first = cases[0]
    for c in cases[1:]:
        if c.shape != first.shape or c.dtype != first.dtype:
            raise shape_error(f"lax.select_n cases must have the same shapes and dtypes, got "
                              f"{', '.join(f'{c.dtype.name}{list(c.shape)}' for c in cases)}.")
    if which.shape and which.shape != first.shape:
        raise shape_error(f"lax.select_n's selector must be scalar or have the cases' shape {first.shape}, got "
                          f"{which.shape}.")
    if dtypes.kind(which.dtype) not in INTEGER_OR_BOOL:
        raise shape_error(f"lax.select_n's selector must be bool or an integer, got {which.dtype.name}.")
    if which.dtype == np.bool_ and len(cases) > 2:
        raise shape_error(f"lax.select_n with a bool selector takes at most two cases, got {len(cases)}.")
    return ShapedArray(first.shape, first.dtype, all(c.weak_type for c in cases))


def _select_n_jvp(primals, tangents):
    which, *cases = primals
    out = select_n_p.bind(which, *cases)
    case_tangents = tangents[1:]
    if all(type(t) is ad.Zero for t in case_tangents):
        return out, ad.Zero(ad.tangent_aval(get_aval(out)))
    return out, select_n_p.bind(which, *map(ad.instantiate, case_tangents))


def _select_n_transpose(ct, which, *cases):
    if is_undefined_primal(which):
        raise TypeError("select_n is not linear in its selector")
    if type(ct) is ad.Zero:
        return [None] * (1 + len(cases))
    zeros = _full_like(ct, 0)
    out = [None]
    for i, c in enumerate(cases):
        if is_undefined_primal(c):
            branches = [zeros] * len(cases)
            branches[i] = ct
            out.append(select_n_p.bind(which, *branches))
        else:
            out.append(None)
    return out


def _select_n_batch(vals, dims):
    which, *cases = vals
    which_dim, *case_dims = dims
    size = batching.axis_size_of(vals, dims)
    if which_dim is None and not get_aval(which).shape and all(d == case_dims[0] for d in case_dims):
        return select_n_p.bind(which, *cases), case_dims[0]
    cases = [batching.bdim_at_front(c, d, size) for c, d in zip(cases, case_dims)]
    which = batching.bdim_at_front(which, which_dim, size)
    return select_n_p.bind(_broadcast_per_example(which, get_aval(cases[0]).shape), *cases), 0


select_n_p.jvp = _select_n_jvp
select_n_p.transpose = _select_n_transpose
select_n_p.batch = _select_n_batch


def select_n(which, *cases):
    """lax.select_n: cases[which] elementwise; `which` is bool (two cases) or an integer index."""
    from jaxlike.array import as_operand
    return select_n_p.bind(as_operand(which), *operands(*cases))


def select(pred, on_true, on_false):
    """lax.select: on_true where pred, else on_false."""
    return select_n(pred, on_false, on_true)


# ---- complex numbers -----------------------------------------------------------------------------
real_p = _unary_primitive("real", COMPLEX, out_dtype=dtypes.real_dtype)
imag_p = _unary_primitive("imag", COMPLEX, out_dtype=dtypes.real_dtype)
complex_p = Primitive("complex")


@complex_p.def_abstract_eval
def _complex_abstract_eval(x, y):
    shape = broadcast_scalar_shapes("complex", (x, y))
    _check_same_dtypes("complex", (x, y))
    if x.dtype not in (dtypes.float32, dtypes.float64):
        raise shape_error(f"lax.complex requires float32 or float64 parts, got {x.dtype.name}.")
    return ShapedArray(shape, dtypes.complex_dtype(x.dtype), x.weak_type and y.weak_type)


batching.defbroadcasting(complex_p)

conj_p = Primitive("conj")


@conj_p.def_abstract_eval
def _conj_abstract_eval(x, input_dtype):
    if x.dtype not in (dtypes.float32, dtypes.float64, dtypes.complex64, dtypes.complex128):
        raise shape_error(f"lax.conj accepts float32, float64 or complex dtypes, got {x.dtype.name}.")
    out = x.dtype if dtypes.is_complex(x.dtype) else dtypes.complex_dtype(x.dtype)
    return ShapedArray(x.shape, out, x.weak_type)


batching.defvectorized(conj_p)


def _real_transpose(ct, x):
    return [complex(ct, _full_like(ct, 0))]


def _imag_transpose(ct, x):
    return [complex(_full_like(ct, 0), neg(ct))]


def _complex_transpose(ct, x, y):
    return [unbroadcast(real(ct), x), unbroadcast(imag(neg(ct)), y)]


def _conj_transpose(ct, x, input_dtype):
    return [conj(ct) if dtypes.is_complex(input_dtype) else real(ct)]


ad.deflinear(real_p, _real_transpose)
ad.deflinear(imag_p, _imag_transpose)
ad.deflinear(complex_p, _complex_transpose)
ad.deflinear(conj_p, _conj_transpose)


def real(x):
    """lax.real: the real part of a complex array."""
    return real_p.bind(*operands(x))


def imag(x):
    """lax.imag: the imaginary part of a complex array."""
    return imag_p.bind(*operands(x))


def complex(x, y):
    """lax.complex: x + 1j * y from float32/float64 parts."""
    return complex_p.bind(*operands(x, y))


def conj(x):
    """lax.conj: complex conjugate; a real input gives a complex result, as in JAX."""
    (x,) = operands(x)
    return conj_p.bind(x, input_dtype=x.aval.dtype)


# ---- bitwise operations -------------------------------------------------------------------------------
not_p = _unary_primitive("not", INTEGER_OR_BOOL)
and_p = _nary_primitive("and", INTEGER_OR_BOOL)
or_p = _nary_primitive("or", INTEGER_OR_BOOL)
xor_p = _nary_primitive("xor", INTEGER_OR_BOOL)
shift_left_p = _nary_primitive("shift_left", INTEGER)
shift_right_arithmetic_p = _nary_primitive("shift_right_arithmetic", INTEGER)
shift_right_logical_p = _nary_primitive("shift_right_logical", INTEGER)
population_count_p = _unary_primitive("population_count", INTEGER)
clz_p = _unary_primitive("clz", INTEGER)
for _prim in (not_p, and_p, or_p, xor_p, shift_left_p, shift_right_arithmetic_p, shift_right_logical_p,
              population_count_p, clz_p):
    defnondifferentiable(_prim)


def bitwise_not(x):
    """lax.bitwise_not: ~x (logical not for bools)."""
    return not_p.bind(*operands(x))


def bitwise_and(x, y):
    """lax.bitwise_and: x & y."""
    return and_p.bind(*operands(x, y))


def bitwise_or(x, y):
    """lax.bitwise_or: x | y."""
    return or_p.bind(*operands(x, y))


def bitwise_xor(x, y):
    """lax.bitwise_xor: x ^ y."""
    return xor_p.bind(*operands(x, y))


not_, and_, or_, xor_ = bitwise_not, bitwise_and, bitwise_or, bitwise_xor


def shift_left(x, y):
    """lax.shift_left: x << y; shifts of the bit width or more give 0."""
    return shift_left_p.bind(*operands(x, y))


def shift_right_arithmetic(x, y):
    """lax.shift_right_arithmetic: x >> y filling with the sign bit."""
    return shift_right_arithmetic_p.bind(*operands(x, y))


def shift_right_logical(x, y):
    """lax.shift_right_logical: x >> y filling with zeros."""
    return shift_right_logical_p.bind(*operands(x, y))


def population_count(x):
    """lax.population_count: the number of set bits."""
    return population_count_p.bind(*operands(x))


def clz(x):
    """lax.clz: the number of leading zero bits."""
    return clz_p.bind(*operands(x))


# ---- convert_element_type ---------------------------------------------------------------------------
convert_element_type_p = Primitive("convert_element_type")


@convert_element_type_p.def_abstract_eval
def _convert_abstract_eval(x, new_dtype, weak_type):
    return ShapedArray(x.shape, new_dtype, weak_type)


def _convert_jvp(primals, tangents, new_dtype, weak_type):
    (x,), (t,) = primals, tangents
    out = convert_element_type_p.bind(x, new_dtype=new_dtype, weak_type=weak_type)
    if type(t) is ad.Zero or not dtypes.is_inexact(new_dtype) or not dtypes.is_inexact(get_aval(x).dtype):
        return out, ad.Zero(ad.tangent_aval(ShapedArray(get_aval(x).shape, new_dtype, weak_type)))
    return out, convert_element_type_p.bind(t, new_dtype=new_dtype, weak_type=weak_type)


def _convert_transpose(ct, x, new_dtype, weak_type):
    old = x.aval
    if type(ct) is ad.Zero:
        return [None]
    if dtypes.is_complex(new_dtype) and not dtypes.is_complex(old.dtype):
        ct = real(ct)
    return [convert_element_type_p.bind(ct, new_dtype=old.dtype, weak_type=old.weak_type)]


convert_element_type_p.jvp = _convert_jvp
convert_element_type_p.transpose = _convert_transpose
batching.defvectorized(convert_element_type_p)


def convert_element_type(operand, new_dtype, weak_type=False):
    """lax.convert_element_type: elementwise cast (complex to real keeps the real part)."""
    (x,) = operands(operand)
    new_dtype = dtypes.canonicalize_dtype(dtypes.check_user_dtype(new_dtype))
    if x.aval.dtype == new_dtype and x.aval.weak_type == weak_type:
        return x
    if _is_scalar_constant(x) and _host_cast_matches_xla(x.aval.dtype, new_dtype):
        # A constant from a Python scalar: converting it is building a constant, not computing.
        from jaxlike.array import Array
        return Array._from_host(x._host.astype(new_dtype), ShapedArray((), new_dtype, bool(weak_type)))
    return convert_element_type_p.bind(x, new_dtype=new_dtype, weak_type=bool(weak_type))


def _is_scalar_constant(x):
    from jaxlike.array import Array
    return type(x) is Array and x._host is not None and x.aval.weak_type and x.aval.shape == ()


def _host_cast_matches_xla(old, new):
    """Casts where NumPy's astype and XLA's convert agree: to floats from real types, and among integers."""
    old_kind, new_kind = dtypes.kind(old), dtypes.kind(new)
    return (new_kind == "f" and old_kind in "biuf") or new_kind == "c" or (old_kind in "biu" and new_kind in "iu")


# ---- bitcast_convert_type -----------------------------------------------------------------------------
_SUB_BYTE_BITS = {dtypes.int2: 2, dtypes.uint2: 2, dtypes.int4: 4, dtypes.uint4: 4}


def _bit_width(dtype):
    dtype = np.dtype(dtype)
    if dtype in _SUB_BYTE_BITS:
        return _SUB_BYTE_BITS[dtype]
    if dtype.name == "float4_e2m1fn":
        return 4
    return dtype.itemsize * 8


bitcast_convert_type_p = Primitive("bitcast_convert_type")


@bitcast_convert_type_p.def_abstract_eval
def _bitcast_abstract_eval(x, new_dtype):
    old, new = x.dtype, np.dtype(new_dtype)
    if old != new and (dtypes.kind(old) in "bc" or dtypes.kind(new) in "bc"):
        raise shape_error(f"lax.bitcast_convert_type does not support bool or complex values unless the operand "
                          f"and destination types match; got {old.name} to {new.name}. Consider arr.view().")
    old_bits, new_bits = _bit_width(old), _bit_width(new)
    if old_bits > new_bits:
        shape = x.shape + (old_bits // new_bits,)
    elif old_bits < new_bits:
        ratio = new_bits // old_bits
        if not x.shape or x.shape[-1] != ratio:
            raise ValueError(f"Attempting to convert array of shape {x.shape} from {old.name} of size {old_bits} "
                             f"bits to {new.name} of size {new_bits} bits: the last dimension must be "
                             f"{ratio}.")
        shape = x.shape[:-1]
    else:
        shape = x.shape
    return ShapedArray(shape, new, False)


def _bitcast_batch(vals, dims, new_dtype):
    (x,), (d,) = vals, dims
    if _bit_width(get_aval(x).dtype) != _bit_width(new_dtype):
        x, d = batching.moveaxis(x, d, 0), 0  # the last axis may grow or vanish; keep the batch axis clear of it
    return bitcast_convert_type_p.bind(x, new_dtype=new_dtype), d


bitcast_convert_type_p.batch = _bitcast_batch
_defjvp_zero(bitcast_convert_type_p)


def bitcast_convert_type(operand, new_dtype):
    """lax.bitcast_convert_type: reinterpret the bits; narrower types add a trailing axis, wider ones consume it."""
    (x,) = operands(operand)
    new_dtype = dtypes.canonicalize_dtype(dtypes.check_user_dtype(new_dtype))
    return bitcast_convert_type_p.bind(x, new_dtype=new_dtype)
