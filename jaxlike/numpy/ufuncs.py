"""Elementwise functions of jaxlike.numpy, built from lax primitives with NumPy broadcasting and JAX promotion.

Each function follows jax.numpy: the same names and signatures, JAX's dtype promotion with weak
types, integer results for integer inputs where NumPy gives them (floor_divide, remainder, power),
and the default float type where an integer input needs an inexact result (sqrt, true_divide).
"""
import operator

import numpy as np

from jaxlike import dtypes, lax
from jaxlike.numpy._core import (asarray_operand, broadcast_arrays, host_constant, promote_dtypes,
                                  promote_dtypes_inexact)
from jaxlike.source_info import user_line

__all__ = [
    # arithmetic
    'add', 'subtract', 'multiply', 'divide', 'true_divide', 'floor_divide', 'remainder', 'mod', 'fmod', 'divmod',
    'power', 'pow', 'float_power', 'negative', 'positive', 'absolute', 'abs', 'fabs', 'sign', 'signbit',
    'copysign', 'square', 'reciprocal', 'sqrt', 'cbrt',
    # exponentials and logarithms
    'exp', 'exp2', 'expm1', 'log', 'log2', 'log10', 'log1p', 'logaddexp', 'logaddexp2',
    # trigonometric and hyperbolic
    'sin', 'cos', 'tan', 'arcsin', 'arccos', 'arctan', 'arctan2', 'sinh', 'cosh', 'tanh', 'arcsinh', 'arccosh',
    'arctanh', 'asin', 'acos', 'atan', 'atan2', 'asinh', 'acosh', 'atanh', 'hypot', 'deg2rad', 'rad2deg',
    'degrees', 'radians', 'sinc',
    # rounding
    'floor', 'ceil', 'trunc', 'fix', 'rint', 'round', 'around',
    # floating-point classification
    'isfinite', 'isinf', 'isnan', 'isposinf', 'isneginf', 'nextafter', 'nan_to_num',
    # comparisons, extrema, selection
    'equal', 'not_equal', 'less', 'less_equal', 'greater', 'greater_equal', 'maximum', 'minimum', 'fmax', 'fmin',
    'clip', 'heaviside', 'where',
    # logic and bits
    'logical_and', 'logical_or', 'logical_xor', 'logical_not', 'bitwise_and', 'bitwise_or', 'bitwise_xor',
    'bitwise_not', 'invert', 'bitwise_invert', 'bitwise_left_shift', 'bitwise_right_shift', 'left_shift',
    'right_shift', 'bitwise_count',
    # complex numbers
    'real', 'imag', 'conj', 'conjugate', 'angle',
]


# ---- helpers ----------------------------------------------------------------------------------
def _kind(x):
    return dtypes.kind(x.aval.dtype)


def _is_complex(x):
    return _kind(x) == "c"


def _is_integral_or_bool(x):
    return _kind(x) in "biu"


def _const(x, value):
    """A strongly typed rank-0 constant of x's dtype (JAX's literal constants inside jnp functions)."""
    return host_constant(value, x.aval.dtype)


def _lax_const(x, value):
    """A constant for an expression in x, typed as JAX types them: a weak Python scalar next to a weakly
    typed rank-0 x, else a strongly typed constant of x's dtype (which makes the result strongly typed)."""
    if x.aval.weak_type and x.aval.shape == ():
        return value.item() if isinstance(value, np.generic) else value
    return host_constant(value, x.aval.dtype)


def _full_like(x, value):
    return lax.full_like(x, value)


def _reject_complex(name, *xs):
    if any(_is_complex(x) for x in xs):
        raise TypeError(f"{name} does not support complex-valued inputs.{user_line()}")


def _promote_numeric(*args):
    """Promotes; bools then become int32 (JAX's numeric promotion, also with x64 on)."""
    arrays = promote_dtypes(*args)
    if arrays[0].aval.dtype == np.bool_:
        return [lax.convert_element_type(a, np.int32) for a in arrays]
    return arrays


def _promote_and_broadcast(*args, inexact=False, numeric=False):
    """Promotes (to inexact or numeric dtypes if asked) and broadcasts; rank-0 operands stay rank-0."""
    promote = promote_dtypes_inexact if inexact else _promote_numeric if numeric else promote_dtypes
    return broadcast_arrays(*promote(*args))


def _binary(lax_fn, name, inexact=False, numeric=False):
    def fn(x1, x2, /):
        x1, x2 = _promote_and_broadcast(x1, x2, inexact=inexact, numeric=numeric)
        return lax_fn(x1, x2)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"jnp.{name}: elementwise, with NumPy broadcasting and JAX dtype promotion."
    return fn


def _unary_inexact(lax_fn, name):
    def fn(x, /):
        (x,) = promote_dtypes_inexact(asarray_operand(x))
        return lax_fn(x)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"jnp.{name}: elementwise; integer and bool inputs are promoted to the default float type."
    return fn


def _on_parts(fn, z):
    """Applies a real function to the real and imaginary parts of a complex array."""
    return lax.complex(fn(lax.real(z)), fn(lax.imag(z)))


# ---- add / subtract / multiply / divide ----------------------------------------------------------
def add(x1, x2, /):
    """jnp.add: x1 + x2 (logical or for bools)."""
    x1, x2 = _promote_and_broadcast(x1, x2)
    return lax.bitwise_or(x1, x2) if x1.aval.dtype == np.bool_ else lax.add(x1, x2)


def multiply(x1, x2, /):
    """jnp.multiply: x1 * x2 (logical and for bools)."""
    x1, x2 = _promote_and_broadcast(x1, x2)
    return lax.bitwise_and(x1, x2) if x1.aval.dtype == np.bool_ else lax.mul(x1, x2)


subtract = _binary(lax.sub, "subtract")


def true_divide(x1, x2, /):
    """jnp.true_divide: x1 / x2, promoting integers and bools to the default float type."""
    x1, x2 = _promote_and_broadcast(x1, x2, inexact=True)
    return lax.div(x1, x2)


divide = true_divide


def floor_divide(x1, x2, /):
    """jnp.floor_divide: x1 // x2, rounding toward -inf (integer results for integer inputs)."""
    x1, x2 = _promote_and_broadcast(x1, x2, numeric=True)
    kind = _kind(x1)
    if kind == "c":
        raise TypeError(f"floor_divide does not support complex-valued inputs.{user_line()}")
    if kind == "u":
        return lax.div(x1, x2)
    if kind == "i":
        quotient = lax.div(x1, x2)
        # Truncation went the wrong way where the signs differ and the division was inexact.
        off_by_one = lax.bitwise_and(lax.ne(lax.sign(x1), lax.sign(x2)), lax.ne(lax.rem(x1, x2), 0))
        return where(off_by_one, lax.sub(quotient, 1), quotient)
    return _float_divmod(x1, x2)[0]


def _float_divmod(x1, x2):
    """Floor division and modulo of floats the way JAX computes them (exact integral quotients)."""
    trunc_mod = lax.rem(x1, x2)
    # x1 / 0 keeps its ±inf (or nan); elsewhere subtract the remainder so the quotient is integral.
    dividend = where(lax.eq(x2, 0.0), x1, lax.sub(x1, trunc_mod))
    quotient = lax.div(dividend, x2)
    wrong_sign = lax.bitwise_and(lax.ne(trunc_mod, 0.0), lax.ne(lax.sign(x2), lax.sign(trunc_mod)))
    mod = lax.select(wrong_sign, lax.add(trunc_mod, x2), trunc_mod)
    quotient = lax.select(wrong_sign, lax.sub(quotient, 1.0), quotient)
    return lax.round(quotient), mod


def remainder(x1, x2, /):
    """jnp.remainder (jnp.mod): x1 % x2 with the sign of x2; integer x % 0 is 0."""
    x1, x2 = _promote_and_broadcast(x1, x2, numeric=True)
    _reject_complex("remainder", x1)
    if _is_integral_or_bool(x1):
        x2 = _nonzero_divisor(x2)
    trunc_mod = lax.rem(x1, x2)
    wrong_sign = lax.bitwise_and(lax.ne(lax.lt(trunc_mod, 0), lax.lt(x2, 0)), lax.ne(trunc_mod, 0))
    return lax.select(wrong_sign, lax.add(trunc_mod, x2), trunc_mod)


mod = remainder


def _nonzero_divisor(x2):
    """x2 with zeros replaced by ones: JAX's integer x % 0 and fmod(x, 0) are 0, not XLA's x."""
    return where(lax.eq(x2, 0), _full_like(x2, 1), x2)


def fmod(x1, x2, /):
    """jnp.fmod: remainder of x1 / x2 with the sign of x1 (C's fmod); integer fmod(x, 0) is 0."""
    x1, x2 = asarray_operand(x1), asarray_operand(x2)
    integer_inputs = dtypes.is_integer(dtypes.result_type(x1, x2))  # bools keep XLA's fmod(x, 0) = x, as in JAX
    x1, x2 = _promote_and_broadcast(x1, x2, numeric=True)
    _reject_complex("fmod", x1)
    if integer_inputs:
        x2 = _nonzero_divisor(x2)
    return lax.rem(x1, x2)


def divmod(x1, x2, /):
    """jnp.divmod: (floor_divide(x1, x2), remainder(x1, x2))."""
    x1, x2 = _promote_and_broadcast(x1, x2, numeric=True)
    _reject_complex("divmod", x1)
    if _is_integral_or_bool(x1):
        return floor_divide(x1, x2), remainder(x1, x2)
    return _float_divmod(x1, x2)


# ---- powers ---------------------------------------------------------------------------------------
def _concrete_int_exponent(x2):
    """x2 as a Python int when it is a concrete integer scalar, else None."""
    if isinstance(x2, (bool, np.bool_)):
        return None
    if isinstance(x2, (int, np.integer)):
        return int(x2)
    x2 = asarray_operand(x2)
    if x2.aval.shape != () or not dtypes.is_integer(x2.aval.dtype):
        return None
    try:
        return operator.index(x2)
    except TypeError:  # a traced exponent: its value is not known
        return None


def power(x1, x2, /):
    """jnp.power: x1 ** x2; integer arrays give integer results, concrete integer exponents use integer_pow."""
    exponent = _concrete_int_exponent(x2)
    if exponent is not None:
        (x1,) = _promote_numeric(asarray_operand(x1))
        return lax.integer_pow(x1, exponent)
    x1, x2 = asarray_operand(x1), asarray_operand(x2)
    y_is_integer = _kind(x2) in "iu"
    x1_promoted, x2_promoted = _promote_and_broadcast(x1, x2, numeric=True)
    if _is_integral_or_bool(x1_promoted):
        return _integer_power(x1_promoted, x2_promoted)
    if y_is_integer:  # an inexact base keeps its integer exponent, as in JAX
        return lax.pow(*broadcast_arrays(x1_promoted, x2))
    return lax.pow(x1_promoted, x2_promoted)


def _integer_power(base, exponent):
    """Binary exponentiation over the exponent's 6 low bits (larger powers overflow anyway), as JAX does.

    Negative exponents are read as their unsigned bit patterns, which matches JAX's results.
    """
    acc = where(lax.bitwise_and(lax.eq(base, 0), lax.ne(exponent, 0)), _const(base, 0), _const(base, 1))
    for _ in range(6):
        acc = where(lax.bitwise_and(exponent, 1), lax.mul(acc, base), acc)
        base = lax.mul(base, base)
        exponent = lax.shift_right_logical(exponent, 1)
    return acc


pow = power


def float_power(x1, x2, /):
    """jnp.float_power: x1 ** x2 computed in an inexact type."""
    x1, x2 = _promote_and_broadcast(x1, x2, inexact=True)
    return lax.pow(x1, x2)


def square(x, /):
    """jnp.square: x * x (bools become integers)."""
    (x,) = _promote_numeric(asarray_operand(x))
    return lax.square(x)


def reciprocal(x, /):
    """jnp.reciprocal: 1 / x in an inexact type."""
    (x,) = promote_dtypes_inexact(asarray_operand(x))
    return lax.integer_pow(x, -1)


sqrt = _unary_inexact(lax.sqrt, "sqrt")
cbrt = _unary_inexact(lax.cbrt, "cbrt")


# ---- sign and magnitude ------------------------------------------------------------------------------
def negative(x, /):
    """jnp.negative: -x (bools are rejected, as in JAX)."""
    x = asarray_operand(x)
    if x.aval.dtype == np.bool_:
        raise TypeError("The numpy boolean negative, the `-` operator, is not supported, use the `~` operator or "
                        f"the logical_not function instead.{user_line()}")
    return lax.neg(x)


def positive(x, /):
    """jnp.positive: +x, i.e. x itself."""
    return asarray_operand(x)


def absolute(x, /):
    """jnp.absolute (jnp.abs): |x|; complex inputs give real magnitudes, unsigned and bool inputs are unchanged."""
    x = asarray_operand(x)
    if _kind(x) in "bu":
        return x
    return lax.abs(x)


abs = absolute


def fabs(x, /):
    """jnp.fabs: |x| in an inexact type; complex inputs are rejected."""
    (x,) = promote_dtypes_inexact(asarray_operand(x))
    if _is_complex(x):
        raise TypeError(f"ufunc 'fabs' does not support complex dtypes.{user_line()}")
    return lax.abs(x)


def sign(x, /):
    """jnp.sign: -1, 0 or 1 by the sign of x (x / |x| for complex)."""
    return lax.sign(asarray_operand(x))


_SAME_WIDTH_INT = {2: np.int16, 4: np.int32, 8: np.int64}


def signbit(x, /):
    """jnp.signbit: True where the sign bit is set (so for -0.0 and -nan too)."""
    x = asarray_operand(x)
    kind = _kind(x)
    if kind in "bu":
        return lax.full(x.aval.shape, False, np.bool_)
    if kind == "i":
        return lax.lt(x, _const(x, 0))
    if kind == "c":
        raise ValueError(f"jnp.signbit is not well defined for {x.aval.dtype.name}.{user_line()}")
    bits = x.aval.dtype.itemsize
    if bits not in _SAME_WIDTH_INT:
        x, bits = lax.convert_element_type(x, np.float32), 4
    as_int = lax.bitcast_convert_type(x, _SAME_WIDTH_INT[bits])
    sign_bits = lax.shift_right_arithmetic(as_int, host_constant(bits * 8 - 1, as_int.aval.dtype))
    return lax.convert_element_type(sign_bits, np.bool_)


def copysign(x1, x2, /):
    """jnp.copysign: |x1| with the sign of x2 (sign bit, so -0.0 counts as negative)."""
    x1, x2 = _promote_and_broadcast(x1, x2, inexact=True)
    _reject_complex("copysign", x1)
    magnitude = lax.abs(x1)
    return where(signbit(x2), lax.neg(magnitude), magnitude)


# ---- exponentials and logarithms ---------------------------------------------------------------------
exp = _unary_inexact(lax.exp, "exp")
exp2 = _unary_inexact(lax.exp2, "exp2")
expm1 = _unary_inexact(lax.expm1, "expm1")
log = _unary_inexact(lax.log, "log")
log1p = _unary_inexact(lax.log1p, "log1p")


def _log_base(x, scale):
    """log(x) * scale, scaling the real and imaginary parts of a complex log separately (as JAX)."""
    if _is_complex(x):
        z = lax.log(x)
        return lax.complex(lax.mul(lax.real(z), scale), lax.mul(lax.imag(z), scale))
    return lax.mul(lax.log(x), scale)


def log2(x, /):
    """jnp.log2: base-2 logarithm."""
    (x,) = promote_dtypes_inexact(asarray_operand(x))
    if _is_complex(x):
        z, ln2 = lax.log(x), _real_const(x, np.log(2))
        return lax.complex(lax.div(lax.real(z), ln2), lax.div(lax.imag(z), ln2))
    return lax.div(lax.log(x), _const(x, np.log(2)))


def _real_const(x, value):
    return host_constant(value, dtypes.real_dtype(x.aval.dtype))


def log10(x, /):
    """jnp.log10: base-10 logarithm."""
    (x,) = promote_dtypes_inexact(asarray_operand(x))
    scale = _real_const(x, 1 / np.log(10)) if _is_complex(x) else _const(x, 1 / np.log(10))
    return _log_base(x, scale)


def _logaddexp_real(x1, x2, exp_fn, log1p_scale):
    """max + log1p(exp(-|x1 - x2|)) * scale, written so every derivative is exact, even at x1 == x2."""
    x1, x2 = broadcast_arrays(x1, x2, keep_scalars=False)
    x1_wins = lax.ge(x1, x2)
    high = lax.select(x1_wins, x1, x2)
    # -|x1 - x2| from the branch that is right for each element: never positive, so exp cannot overflow,
    # and each branch is smooth (a select of |.| would give JAX-inconsistent derivatives at ties).
    minus_gap = lax.select(x1_wins, lax.sub(x2, x1), lax.sub(x1, x2))
    correction = lax.log1p(exp_fn(minus_gap))
    if log1p_scale is not None:
        correction = lax.mul(_lax_const(high, log1p_scale), correction)
    out = lax.add(high, correction)
    delta = lax.sub(x1, x2)
    return lax.select(lax.ne(delta, delta), lax.add(x1, x2), out)  # nan or inf - inf: x1 + x2 says which


def _logaddexp_complex(x1, x2, exp_fn, log1p_scale, period):
    high = lax.max(x1, x2)
    correction = lax.log1p(exp_fn(lax.sub(lax.add(x1, x2), lax.mul(high, _lax_const(high, 2)))))
    if log1p_scale is not None:
        correction = lax.mul(_lax_const(high, log1p_scale), correction)
    out = lax.add(high, correction)
    return lax.complex(lax.real(out), _wrap_imaginary(lax.imag(out), period / 2))


def _wrap_imaginary(x, half):
    """x wrapped into [-half, half)."""
    shifted = lax.rem(lax.add(x, _lax_const(x, half)), _lax_const(x, 2 * half))
    shifted = lax.select(lax.lt(shifted, _lax_const(x, 0)), lax.add(shifted, _lax_const(x, 2 * half)), shifted)
    return lax.sub(shifted, _lax_const(x, half))


def logaddexp(x1, x2, /):
    """jnp.logaddexp: log(exp(x1) + exp(x2)) without overflow."""
    x1, x2 = _promote_and_broadcast(x1, x2, inexact=True)
    if _is_complex(x1):
        return _logaddexp_complex(x1, x2, lax.exp, None, 2 * np.pi)
    return _logaddexp_real(x1, x2, lax.exp, None)


def logaddexp2(x1, x2, /):
    """jnp.logaddexp2: log2(2**x1 + 2**x2) without overflow."""
    x1, x2 = _promote_and_broadcast(x1, x2, inexact=True)
    log2_e = 1 / np.log(2)
    if _is_complex(x1):
        return _logaddexp_complex(x1, x2, lax.exp2, log2_e, 2 * np.pi / np.log(2))
    return _logaddexp_real(x1, x2, lax.exp2, log2_e)


# ---- trigonometric and hyperbolic ------------------------------------------------------------------------
sin = _unary_inexact(lax.sin, "sin")
cos = _unary_inexact(lax.cos, "cos")
tan = _unary_inexact(lax.tan, "tan")
arcsin = _unary_inexact(lax.asin, "arcsin")
arccos = _unary_inexact(lax.acos, "arccos")
arctan = _unary_inexact(lax.atan, "arctan")
sinh = _unary_inexact(lax.sinh, "sinh")
cosh = _unary_inexact(lax.cosh, "cosh")
tanh = _unary_inexact(lax.tanh, "tanh")
arcsinh = _unary_inexact(lax.asinh, "arcsinh")
arccosh = _unary_inexact(lax.acosh, "arccosh")
arctanh = _unary_inexact(lax.atanh, "arctanh")
arctan2 = _binary(lax.atan2, "arctan2", inexact=True)
asin, acos, atan, atan2 = arcsin, arccos, arctan, arctan2
asinh, acosh, atanh = arcsinh, arccosh, arctanh


def hypot(x1, x2, /):
    """jnp.hypot: sqrt(x1**2 + x2**2) without overflow; inf wins over nan."""
    x1, x2 = _promote_and_broadcast(x1, x2, inexact=True)
    if _is_complex(x1):
        raise ValueError("jnp.hypot is not well defined for complex-valued inputs. Please convert to real values "
                         f"first, such as by using abs(x).{user_line()}")
    a, b = lax.abs(x1), lax.abs(x2)
    any_inf = lax.bitwise_or(lax.eq(a, np.inf), lax.eq(b, np.inf))
    high, low = lax.max(a, b), lax.min(a, b)
    high_is_zero = lax.eq(high, 0.0)
    safe_high = where(high_is_zero, 1.0, high)
    scaled = lax.mul(high, lax.sqrt(lax.add(1.0, lax.square(lax.div(low, safe_high)))))
    out = where(high_is_zero, high, scaled)
    return where(any_inf, _lax_const(out, np.inf), out)


def deg2rad(x, /):
    """jnp.deg2rad (jnp.radians): degrees to radians."""
    (x,) = promote_dtypes_inexact(asarray_operand(x))
    return lax.mul(x, np.pi / 180)


def rad2deg(x, /):
    """jnp.rad2deg (jnp.degrees): radians to degrees."""
    (x,) = promote_dtypes_inexact(asarray_operand(x))
    return lax.mul(x, 180 / np.pi)


radians, degrees = deg2rad, rad2deg


def sinc(x, /):
    """jnp.sinc: sin(pi x) / (pi x), with sinc(0) = 1."""
    (x,) = promote_dtypes_inexact(asarray_operand(x))
    at_zero = lax.eq(x, 0.0)
    pi_x = lax.mul(np.pi, x)
    safe_pi_x = where(at_zero, 1.0, pi_x)
    # At 0 a Maclaurin polynomial (exactly 1 there) gives the right derivatives up to the fourth order.
    t2 = lax.square(pi_x)
    maclaurin = lax.add(1.0, lax.mul(t2, lax.add(-1 / 6, lax.mul(t2, 1 / 120))))
    return where(at_zero, maclaurin, lax.div(lax.sin(safe_pi_x), safe_pi_x))


# ---- rounding --------------------------------------------------------------------------------------------
def floor(x, /):
    """jnp.floor: round toward -inf (integers and bools are returned unchanged)."""
    x = asarray_operand(x)
    return x if _is_integral_or_bool(x) else lax.floor(x)


def ceil(x, /):
    """jnp.ceil: round toward +inf (integers and bools are returned unchanged)."""
    x = asarray_operand(x)
    return x if _is_integral_or_bool(x) else lax.ceil(x)


def trunc(x, /):
    """jnp.trunc: round toward zero (integers and bools are returned unchanged)."""
    x = asarray_operand(x)
    if _is_integral_or_bool(x):
        return x
    return where(lax.lt(x, _const(x, 0)), lax.ceil(x), lax.floor(x))


def fix(x, out=None):
    """jnp.fix: round toward zero (NumPy's name for trunc)."""
    _check_out(out)
    return trunc(x)


def rint(x, /):
    """jnp.rint: round to the nearest integer, ties to even, in an inexact type."""
    x = asarray_operand(x)
    if _is_integral_or_bool(x):  # already integral: just the float type (not weak, as in JAX)
        return lax.convert_element_type(x, promote_dtypes_inexact(x)[0].aval.dtype)
    if _is_complex(x):
        return _on_parts(_round_half_even, x)
    return _round_half_even(x)


def _round_half_even(x):
    return lax.round(x, lax.RoundingMethod.TO_NEAREST_EVEN)


def round(a, decimals=0, out=None):
    """jnp.round (jnp.around): round to `decimals` places, ties to even."""
    _check_out(out)
    x = asarray_operand(a)
    decimals = operator.index(decimals)
    kind = _kind(x)
    if kind == "b":
        raise ValueError(f"data type {x.aval.dtype.name} not inexact.{user_line()}")
    if kind in "iu":
        if decimals < 0:
            raise NotImplementedError(f"integer np.round not implemented for decimals < 0.{user_line()}")
        return x
    if kind == "c":
        return _on_parts(lambda part: _round_float(part, decimals), x)
    return _round_float(x, decimals)


def _round_float(x, decimals):
    if decimals == 0:
        return _round_half_even(x)
    dtype = x.aval.dtype
    if dtype == np.float16:  # 10**decimals overflows float16 quickly: compute in float32
        x = lax.convert_element_type(x, np.float32)
    factor = 10.0 ** decimals
    out = lax.div(_round_half_even(lax.mul(x, factor)), factor)
    return lax.convert_element_type(out, dtype) if dtype == np.float16 else out


around = round


def _check_out(out):
    if out is not None:
        raise NotImplementedError(f"The 'out' argument is not supported: jaxlike arrays are immutable.{user_line()}")


# ---- floating-point classification -----------------------------------------------------------------------
def isfinite(x, /):
    """jnp.isfinite: True where x is neither infinite nor nan (always for integers)."""
    x = asarray_operand(x)
    if _is_integral_or_bool(x):
        return lax.full(x.aval.shape, True, np.bool_)
    if _is_complex(x):
        return lax.bitwise_and(lax.is_finite(lax.real(x)), lax.is_finite(lax.imag(x)))
    return lax.is_finite(x)


def isinf(x, /):
    """jnp.isinf: True where x is +inf or -inf (in either part, for complex)."""
    x = asarray_operand(x)
    if _is_integral_or_bool(x):
        return lax.full(x.aval.shape, False, np.bool_)
    if _is_complex(x):
        return lax.bitwise_or(isinf(lax.real(x)), isinf(lax.imag(x)))
    return lax.eq(lax.abs(x), _const(x, np.inf))


def isnan(x, /):
    """jnp.isnan: True where x is nan (in either part, for complex)."""
    x = asarray_operand(x)
    if _is_complex(x):
        return lax.bitwise_or(isnan(lax.real(x)), isnan(lax.imag(x)))
    return lax.ne(x, x)


def _is_signed_inf(x, value):
    x = asarray_operand(x)
    if _is_complex(x):
        raise ValueError(f"isposinf/isneginf are not well defined for complex types.{user_line()}")
    if _is_integral_or_bool(x):
        return lax.full(x.aval.shape, False, np.bool_)
    return lax.eq(x, _const(x, value))


def isposinf(x, /):
    """jnp.isposinf: True where x is +inf."""
    return _is_signed_inf(x, np.inf)


def isneginf(x, /):
    """jnp.isneginf: True where x is -inf."""
    return _is_signed_inf(x, -np.inf)


nextafter = _binary(lax.nextafter, "nextafter", inexact=True)


def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    """jnp.nan_to_num: nan -> `nan`, +inf -> `posinf` (default: the largest finite value), -inf -> `neginf`."""
    del copy  # arrays are immutable
    x = asarray_operand(x)
    if _is_integral_or_bool(x):
        return x
    if _is_complex(x):
        return _on_parts(lambda part: nan_to_num(part, nan=nan, posinf=posinf, neginf=neginf), x)
    info = dtypes.finfo(x.aval.dtype)
    posinf = info.max if posinf is None else posinf
    neginf = info.min if neginf is None else neginf
    out = where(isnan(x), _const(x, nan), lax.convert_element_type(x, x.aval.dtype))
    out = where(isposinf(out), _const(x, posinf), out)
    return where(isneginf(out), _const(x, neginf), out)


# ---- comparisons, extrema, selection ---------------------------------------------------------------------
def _lexicographic(lax_fn):
    """lax_fn, extended to complex numbers ordered by real part, then imaginary part (JAX's order)."""
    def compare(x1, x2):
        if not _is_complex(x1):
            return lax_fn(x1, x2)
        re1, re2 = lax.real(x1), lax.real(x2)
        return lax.select(lax.eq(re1, re2), lax_fn(lax.imag(x1), lax.imag(x2)), lax_fn(re1, re2))
    return compare


equal = _binary(lax.eq, "equal")
not_equal = _binary(lax.ne, "not_equal")
less = _binary(_lexicographic(lax.lt), "less")
less_equal = _binary(_lexicographic(lax.le), "less_equal")
greater = _binary(_lexicographic(lax.gt), "greater")
greater_equal = _binary(_lexicographic(lax.ge), "greater_equal")
maximum = _binary(lax.max, "maximum")
minimum = _binary(lax.min, "minimum")


def fmax(x1, x2, /):
    """jnp.fmax: elementwise maximum that ignores nan (nan only where both are nan)."""
    x1, x2 = _promote_and_broadcast(x1, x2)
    return where(lax.bitwise_or(greater(x1, x2), isnan(x2)), x1, x2)


def fmin(x1, x2, /):
    """jnp.fmin: elementwise minimum that ignores nan (nan only where both are nan)."""
    x1, x2 = _promote_and_broadcast(x1, x2)
    return where(lax.bitwise_or(less(x1, x2), isnan(x2)), x1, x2)


def clip(arr=None, /, min=None, max=None, *, a=None, a_min=None, a_max=None):
    """jnp.clip: arr limited to [min, max] (either may be None); a_min/a_max are NumPy's older names."""
    if arr is None:
        arr = a
    if arr is None:
        raise TypeError(f"clip() missing the array to clip.{user_line()}")
    min = a_min if min is None else min
    max = a_max if max is None else max
    arr = asarray_operand(arr)
    if any(v is not None and _is_complex(asarray_operand(v)) for v in (arr, min, max)):
        raise ValueError("Clip received a complex value either through the input or the min/max keywords. Complex "
                         "values have no ordering and cannot be clipped. Please convert to a real value or array by "
                         f"taking the real or imaginary components via jax.numpy.real/imag respectively.{user_line()}")
    if min is not None:
        arr = maximum(min, arr)
    if max is not None:
        arr = minimum(max, arr)
    return arr


def heaviside(x1, x2, /):
    """jnp.heaviside: 0 where x1 < 0, 1 where x1 > 0, x2 where x1 == 0 (nan stays nan)."""
    x1, x2 = _promote_and_broadcast(x1, x2, inexact=True)
    zero = _lax_const(x1, 0)
    at_zero_or_nan = where(isnan(x1), x1, x2)
    positive_part = where(lax.gt(x1, zero), _lax_const(x1, 1), at_zero_or_nan)
    return where(lax.lt(x1, zero), zero, positive_part)


def where(condition, x=None, y=None, /, *, size=None, fill_value=None):
    """jnp.where(condition, x, y): elementwise choice; the one-argument form is nonzero()."""
    if x is None and y is None:
        from jaxlike.numpy import nonzero
        return nonzero(condition, size=size, fill_value=fill_value)
    if x is None or y is None:
        raise ValueError("Either both or neither of the x and y arguments should be provided to jnp.where.")
    condition = asarray_operand(condition)
    if condition.aval.dtype != np.bool_:
        condition = lax.ne(condition, lax.full_like(condition, 0))
    x, y = promote_dtypes(x, y)
    condition, x, y = broadcast_arrays(condition, x, y, keep_scalars=False)
    return lax.select(condition, x, y)


# ---- logic and bits ---------------------------------------------------------------------------------------
def _to_bool(x):
    x = asarray_operand(x)
    return x if x.aval.dtype == np.bool_ else lax.ne(x, 0)


def _logical(lax_fn, name):
    def fn(x1, x2, /):
        x1, x2 = broadcast_arrays(_to_bool(x1), _to_bool(x2))
        return lax_fn(x1, x2)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"jnp.{name}: elementwise truth-value logic (nonzero is True); a bool result."
    return fn


logical_and = _logical(lax.bitwise_and, "logical_and")
logical_or = _logical(lax.bitwise_or, "logical_or")
logical_xor = _logical(lax.bitwise_xor, "logical_xor")


def logical_not(x, /):
    """jnp.logical_not: True where x is zero (False)."""
    return lax.bitwise_not(_to_bool(x))


bitwise_and = _binary(lax.bitwise_and, "bitwise_and")
bitwise_or = _binary(lax.bitwise_or, "bitwise_or")
bitwise_xor = _binary(lax.bitwise_xor, "bitwise_xor")


def bitwise_not(x, /):
    """jnp.bitwise_not (jnp.invert): ~x (logical not for bools)."""
    return lax.bitwise_not(asarray_operand(x))


invert = bitwise_invert = bitwise_not


def left_shift(x1, x2, /):
    """jnp.left_shift (jnp.bitwise_left_shift): x1 << x2 (bools become integers)."""
    x1, x2 = _promote_and_broadcast(x1, x2, numeric=True)
    return lax.shift_left(x1, x2)


def right_shift(x1, x2, /):
    """jnp.right_shift (jnp.bitwise_right_shift): x1 >> x2, arithmetic for signed and logical for unsigned."""
    x1, x2 = _promote_and_broadcast(x1, x2, numeric=True)
    if _kind(x1) == "u":
        return lax.shift_right_logical(x1, x2)
    return lax.shift_right_arithmetic(x1, x2)


bitwise_left_shift, bitwise_right_shift = left_shift, right_shift


def bitwise_count(x, /):
    """jnp.bitwise_count: the number of set bits of |x|, as uint8."""
    x = asarray_operand(x)
    if x.aval.dtype == np.bool_:
        x = lax.convert_element_type(x, np.uint8)
    elif _kind(x) == "i":
        x = lax.abs(x)
    return lax.convert_element_type(lax.population_count(x), np.uint8)


# ---- complex numbers -------------------------------------------------------------------------------------
def real(val, /):
    """jnp.real: the real part (real inputs are returned unchanged)."""
    val = asarray_operand(val)
    return lax.real(val) if _is_complex(val) else val


def imag(val, /):
    """jnp.imag: the imaginary part (zeros of the input's dtype for real inputs)."""
    val = asarray_operand(val)
    return lax.imag(val) if _is_complex(val) else _full_like(val, 0)


def conjugate(x, /):
    """jnp.conjugate (jnp.conj): complex conjugate (real inputs are returned unchanged)."""
    x = asarray_operand(x)
    return lax.conj(x) if _is_complex(x) else x


conj = conjugate


def angle(z, deg=False):
    """jnp.angle: the argument of complex z, in radians (or degrees with deg=True)."""
    z = asarray_operand(z)
    if _is_complex(z):
        out = lax.atan2(lax.imag(z), lax.real(z))
    else:
        (z,) = promote_dtypes_inexact(z)
        out = lax.atan2(lax.full(z.aval.shape, 0, z.aval.dtype), z)
    return rad2deg(out) if deg else out
