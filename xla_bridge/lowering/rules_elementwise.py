"""Lowering of elementwise primitives to StableHLO.

Most primitives are one op on operands broadcast to the result's shape. Special functions use
CHLO ops (erf, lgamma, asin, ...), which XLA accepts in the module text and expands itself.
A few need a short expression: complex max/min and sin/cos, unsigned sign, exp2, logistic,
integer_pow, and pow with an integer exponent.
"""
import numpy as np

from xla_bridge.lowering.core import register

_ONE_OP = {
    "add": "stablehlo.add", "add_any": "stablehlo.add", "sub": "stablehlo.subtract",
    "mul": "stablehlo.multiply", "div": "stablehlo.divide", "rem": "stablehlo.remainder",
    "atan2": "stablehlo.atan2", "and": "stablehlo.and", "or": "stablehlo.or", "xor": "stablehlo.xor",
    "neg": "stablehlo.negate", "abs": "stablehlo.abs", "not": "stablehlo.not",
    "exp": "stablehlo.exponential", "log": "stablehlo.log", "tan": "stablehlo.tan", "tanh": "stablehlo.tanh",
    "sqrt": "stablehlo.sqrt", "rsqrt": "stablehlo.rsqrt", "cbrt": "stablehlo.cbrt",
    "log1p": "stablehlo.log_plus_one", "expm1": "stablehlo.exponential_minus_one",
    "floor": "stablehlo.floor", "ceil": "stablehlo.ceil", "is_finite": "stablehlo.is_finite",
    "real": "stablehlo.real", "imag": "stablehlo.imag", "complex": "stablehlo.complex",
    "population_count": "stablehlo.popcnt", "clz": "stablehlo.count_leading_zeros",
    "shift_left": "stablehlo.shift_left", "shift_right_arithmetic": "stablehlo.shift_right_arithmetic",
    "shift_right_logical": "stablehlo.shift_right_logical",
    # CHLO: decompositions XLA carries out itself.
    "asin": "chlo.asin", "acos": "chlo.acos", "atan": "chlo.atan", "sinh": "chlo.sinh", "cosh": "chlo.cosh",
    "asinh": "chlo.asinh", "acosh": "chlo.acosh", "atanh": "chlo.atanh", "erf": "chlo.erf", "erfc": "chlo.erfc",
    "erf_inv": "chlo.erf_inv", "lgamma": "chlo.lgamma", "digamma": "chlo.digamma",
    "polygamma": "chlo.polygamma", "nextafter": "chlo.next_after",
}


def _one_op(op_name):
    def rule(ctx, *operands, **params):
        shape = ctx.avals_out[0].shape
        operands = ctx.broadcast_scalars(operands, shape)
        return ctx.op(op_name, operands, ctx.avals_out[0], operand_avals=ctx.full_avals_in(shape))
    return rule


for _prim, _op in _ONE_OP.items():
    register(_prim)(_one_op(_op))


# ---- small emitters -------------------------------------------------------------------------------
def _unary(ctx, op_name, x, aval, out_aval=None):
    return ctx.op(op_name, [x], aval if out_aval is None else out_aval, operand_avals=[aval])


def _binary(ctx, op_name, x, y, aval, out_aval=None):
    return ctx.op(op_name, [x, y], aval if out_aval is None else out_aval, operand_avals=[aval, aval])


def _broadcast(ctx, x, aval, shape):
    if aval.shape == tuple(shape):
        return x
    return ctx.op("stablehlo.broadcast_in_dim", [x], aval.update(shape=shape), "broadcast_dimensions = array<i64>",
                  operand_avals=[aval])


def _full(ctx, value, aval):
    """A constant of aval's dtype and shape: a scalar broadcast (so splats stay one element in the text)."""
    scalar = ctx.constant(value, aval.dtype)
    return _broadcast(ctx, scalar, aval.update(shape=()), aval.shape)


def _select(ctx, pred, on_true, on_false, aval):
    return ctx.op("stablehlo.select", [pred, on_true, on_false], aval,
                  operand_avals=[aval.update(dtype=np.bool_), aval, aval])


def _part_aval(aval):
    """The aval of the real or imaginary part of a complex aval."""
    return aval.update(dtype=np.float32 if aval.dtype == np.complex64 else np.float64)


def compare_type(dtype):
    dtype = np.dtype(dtype)
    if dtype.kind in "fcV" or dtype.name.startswith(("bfloat", "float")):
        return "FLOAT"
    if dtype.name.startswith("int"):
        return "SIGNED"
    return "UNSIGNED"


def emit_compare(ctx, direction, x, y, operand_aval):
    out = operand_aval.update(dtype=np.bool_, weak_type=False)
    attrs = (f"comparison_direction = #stablehlo<comparison_direction {direction}>, "
             f"compare_type = #stablehlo<comparison_type {compare_type(operand_aval.dtype)}>")
    return ctx.op("stablehlo.compare", [x, y], out, attrs, operand_avals=[operand_aval, operand_aval])


# ---- comparisons and selection -------------------------------------------------------------------
def _comparison(direction):
    def rule(ctx, x, y):
        shape = ctx.avals_out[0].shape
        x, y = ctx.broadcast_scalars([x, y], shape)
        return emit_compare(ctx, direction, x, y, ctx.avals_in[0].update(shape=shape))
    return rule


for _prim, _dir in (("eq", "EQ"), ("ne", "NE"), ("lt", "LT"), ("le", "LE"), ("gt", "GT"), ("ge", "GE")):
    register(_prim)(_comparison(_dir))


@register("select_n")
def _select_n(ctx, which, *cases):
    which_aval, case_aval = ctx.avals_in[0], ctx.avals_in[1]
    if len(cases) == 1:
        return cases[0]
    if which_aval.dtype == np.bool_:
        return _select_with(ctx, which, which_aval, cases[1], cases[0], case_aval)
    return _select_tree(ctx, which, which_aval, list(cases), 0, case_aval)


def _select_with(ctx, pred, pred_aval, on_true, on_false, aval):
    return ctx.op("stablehlo.select", [pred, on_true, on_false], aval, operand_avals=[pred_aval, aval, aval])


def _select_tree(ctx, which, which_aval, cases, offset, aval):
    """Binary search over the cases: which < offset + mid picks the left half."""
    if len(cases) == 1:
        return cases[0]
    mid = len(cases) // 2
    bound = _full(ctx, offset + mid, which_aval)
    pred = emit_compare(ctx, "LT", which, bound, which_aval)
    left = _select_tree(ctx, which, which_aval, cases[:mid], offset, aval)
    right = _select_tree(ctx, which, which_aval, cases[mid:], offset + mid, aval)
    return _select_with(ctx, pred, which_aval.update(dtype=np.bool_), left, right, aval)


@register("clamp")
def _clamp(ctx, lo, x, hi):
    # stablehlo.clamp takes rank-0 bounds next to a shaped operand as they are.
    return ctx.op("stablehlo.clamp", [lo, x, hi], ctx.avals_out[0])


# ---- arithmetic ----------------------------------------------------------------------------------
@register("sign")
def _sign(ctx, x):
    aval = ctx.avals_in[0]
    if compare_type(aval.dtype) == "UNSIGNED":  # stablehlo.sign has no unsigned form: 0 stays 0, else 1
        nonzero = emit_compare(ctx, "NE", x, _full(ctx, 0, aval), aval)
        return _unary(ctx, "stablehlo.convert", nonzero, aval.update(dtype=np.bool_), aval)
    return _unary(ctx, "stablehlo.sign", x, aval)


def _minmax(op_name, direction):
    def rule(ctx, x, y):
        out = ctx.avals_out[0]
        x, y = ctx.broadcast_scalars([x, y], out.shape)
        if out.dtype.kind != "c":
            return _binary(ctx, op_name, x, y, out)
        # Complex values order lexicographically: real parts first, imaginary parts on ties.
        part = _part_aval(out)
        rx, ry = (_unary(ctx, "stablehlo.real", v, out, part) for v in (x, y))
        ix, iy = (_unary(ctx, "stablehlo.imag", v, out, part) for v in (x, y))
        real_tie = emit_compare(ctx, "EQ", rx, ry, part)
        by_imag = emit_compare(ctx, direction, ix, iy, part)
        by_real = emit_compare(ctx, direction, rx, ry, part)
        pick_x = _select(ctx, real_tie, by_imag, by_real, part.update(dtype=np.bool_))
        return _select(ctx, pick_x, x, y, out)
    return rule


register("max")(_minmax("stablehlo.maximum", "GT"))
register("min")(_minmax("stablehlo.minimum", "LT"))


@register("square")
def _square(ctx, x):
    aval = ctx.avals_in[0]
    if aval.dtype.kind == "c":  # chlo.square keeps (a+bi)^2 accurate where a ~ b
        return _unary(ctx, "chlo.square", x, aval)
    return _binary(ctx, "stablehlo.multiply", x, x, aval)


@register("pow")
def _pow(ctx, x, y):
    x_aval, y_aval = ctx.avals_in
    out = ctx.avals_out[0]
    if y_aval.dtype != x_aval.dtype:  # an integer exponent: stablehlo.power takes one element type
        converted = y_aval.update(dtype=x_aval.dtype)
        y, y_aval = _unary(ctx, "stablehlo.convert", y, y_aval, converted), converted
    x = _broadcast(ctx, x, x_aval, out.shape)
    y = _broadcast(ctx, y, y_aval, out.shape)
    return _binary(ctx, "stablehlo.power", x, y, out)


@register("integer_pow")
def _integer_pow(ctx, x, y):
    """Exponentiation by squaring; a negative power is the reciprocal of the positive one."""
    aval = ctx.avals_in[0]
    if y == 0:
        return _full(ctx, 1, aval)
    acc, base, n = None, x, -y if y < 0 else y
    while n:
        if n & 1:
            acc = base if acc is None else _binary(ctx, "stablehlo.multiply", acc, base, aval)
        n >>= 1
        if n:
            base = _binary(ctx, "stablehlo.multiply", base, base, aval)
    if y < 0:
        acc = _binary(ctx, "stablehlo.divide", _full(ctx, 1, aval), acc, aval)
    return acc


# ---- transcendental --------------------------------------------------------------------------------
@register("exp2")
def _exp2(ctx, x):
    aval = ctx.avals_in[0]
    scaled = _binary(ctx, "stablehlo.multiply", _full(ctx, np.log(2), aval), x, aval)
    return _unary(ctx, "stablehlo.exponential", scaled, aval)


@register("logistic")
def _logistic(ctx, x):
    aval = ctx.avals_in[0]
    exp_neg = _unary(ctx, "stablehlo.exponential", _unary(ctx, "stablehlo.negate", x, aval), aval)
    denominator = _binary(ctx, "stablehlo.add", _full(ctx, 1, aval), exp_neg, aval)
    return _binary(ctx, "stablehlo.divide", _full(ctx, 1, aval), denominator, aval)


def _sin_cos(is_sin):
    op_name = "stablehlo.sine" if is_sin else "stablehlo.cosine"

    def rule(ctx, x):
        aval = ctx.avals_in[0]
        if aval.dtype.kind != "c":
            return _unary(ctx, op_name, x, aval)
        return _complex_sin_cos(ctx, x, aval, is_sin)
    return rule


def _complex_sin_cos(ctx, x, aval, is_sin):
    """sin(a+bi) = sin a cosh b + i cos a sinh b, cos(a+bi) = cos a cosh b - i sin a sinh b.

    sinh and cosh come from expm1 for accuracy near b = 0; where a == 0 the part that would be
    0 * sinh(b) or 0 * cosh(b) is exactly 0 (not 0 * inf = nan for huge b).
    """
    part = _part_aval(aval)

    def bin_(op, u, v):
        return _binary(ctx, f"stablehlo.{op}", u, v, part)

    a = _unary(ctx, "stablehlo.real", x, aval, part)
    b = _unary(ctx, "stablehlo.imag", x, aval, part)
    sin_a, cos_a = _unary(ctx, "stablehlo.sine", a, part), _unary(ctx, "stablehlo.cosine", a, part)
    em_pos = _unary(ctx, "stablehlo.exponential_minus_one", b, part)
    em_neg = _unary(ctx, "stablehlo.exponential_minus_one", _unary(ctx, "stablehlo.negate", b, part), part)
    two = _full(ctx, 2, part)
    sinh_b = bin_("divide", bin_("subtract", em_pos, em_neg), two)
    cosh_b = bin_("divide", bin_("add", bin_("add", em_pos, em_neg), two), two)
    if is_sin:
        re, im = bin_("multiply", sin_a, cosh_b), bin_("multiply", cos_a, sinh_b)
    else:
        re, im = bin_("multiply", cos_a, cosh_b), bin_("multiply", _unary(ctx, "stablehlo.negate", sin_a, part),
                                                       sinh_b)
    zero = _full(ctx, 0, part)
    a_is_zero = emit_compare(ctx, "EQ", a, zero, part)
    general = _binary(ctx, "stablehlo.complex", re, im, part, aval)
    on_axis = _binary(ctx, "stablehlo.complex", zero, im, part, aval) if is_sin else \
        _binary(ctx, "stablehlo.complex", re, zero, part, aval)
    return _select(ctx, a_is_zero, on_axis, general, aval)


register("sin")(_sin_cos(True))
register("cos")(_sin_cos(False))


# ---- rounding and floating-point structure ----------------------------------------------------------
@register("round")
def _round(ctx, x, rounding_method):
    op_name = "stablehlo.round_nearest_even" if int(rounding_method) == 1 else "stablehlo.round_nearest_afz"
    return _unary(ctx, op_name, x, ctx.avals_in[0])


@register("reduce_precision")
def _reduce_precision(ctx, x, exponent_bits, mantissa_bits):
    attrs = f"exponent_bits = {int(exponent_bits)} : i32, mantissa_bits = {int(mantissa_bits)} : i32"
    return ctx.op("stablehlo.reduce_precision", [x], ctx.avals_out[0], attrs)


@register("bitcast_convert_type")
def _bitcast_convert_type(ctx, x, new_dtype):
    if ctx.avals_in[0].dtype == ctx.avals_out[0].dtype:
        return x
    return ctx.op("stablehlo.bitcast_convert", [x], ctx.avals_out[0])


# ---- complex numbers and conversions ---------------------------------------------------------------------
@register("conj")
def _conj(ctx, x, input_dtype):
    aval, out = ctx.avals_in[0], ctx.avals_out[0]
    part = _part_aval(out)
    if aval.dtype.kind != "c":
        return _binary(ctx, "stablehlo.complex", x, _full(ctx, 0, aval), aval, out)
    re = _unary(ctx, "stablehlo.real", x, aval, part)
    neg_im = _unary(ctx, "stablehlo.negate", _unary(ctx, "stablehlo.imag", x, aval, part), part)
    return _binary(ctx, "stablehlo.complex", re, neg_im, part, aval)


@register("convert_element_type")
def _convert(ctx, x, new_dtype, weak_type):
    in_aval, out_aval = ctx.avals_in[0], ctx.avals_out[0]
    if in_aval.dtype == out_aval.dtype:
        return x
    if np.dtype(new_dtype) == np.bool_:  # nonzero test, as NumPy casts to bool
        zero = _full(ctx, 0, in_aval)
        return emit_compare(ctx, "NE", x, zero, in_aval)
    if in_aval.dtype.kind == "c" and out_aval.dtype.kind != "c":  # complex to real keeps the real part
        real_aval = _part_aval(in_aval)
        x, in_aval = _unary(ctx, "stablehlo.real", x, in_aval, real_aval), real_aval
        if in_aval.dtype == out_aval.dtype:
            return x
    return _unary(ctx, "stablehlo.convert", x, in_aval, out_aval)
