"""Lowering of the PRNG primitives: Threefry-2x32 as unrolled StableHLO integer arithmetic."""
import numpy as np

from xla_bridge.lowering.core import lower_by_tracing, register

_UINT32 = np.dtype(np.uint32)
_UINT64 = np.dtype(np.uint64)
_ROTATIONS = ((13, 15, 26, 6), (17, 29, 16, 24))
_KEY_SCHEDULE_PARITY = 0x1BD11BDA


class _UIntOps:
    """Emits elementwise unsigned-integer ops on arrays of one aval, sharing splat constants."""

    def __init__(self, ctx, aval):
        self.ctx, self.aval, self._constants = ctx, aval, {}

    def binary(self, op, x, y):
        return self.ctx.op(f"stablehlo.{op}", [x, y], self.aval, operand_avals=[self.aval, self.aval])

    def const(self, value):
        name = self._constants.get(value)
        if name is None:
            name = self._constants[value] = splat(self.ctx, value, self.aval)
        return name

    def add(self, x, y):
        return self.binary("add", x, y)

    def xor(self, x, y):
        return self.binary("xor", x, y)

    def rotate_left(self, x, distance):
        left = self.binary("shift_left", x, self.const(distance))
        right = self.binary("shift_right_logical", x, self.const(32 - distance))
        return self.binary("or", left, right)


def splat(ctx, value, aval):
    """A constant of `aval` with every element `value` (a scalar constant, broadcast)."""
    scalar = ctx.constant(value, aval.dtype)
    if aval.shape == ():
        return scalar
    return ctx.op("stablehlo.broadcast_in_dim", [scalar], aval, "broadcast_dimensions = array<i64>",
                  operand_avals=[aval.update(shape=())])


@register("threefry2x32")
def _threefry2x32(ctx, key1, key2, x1, x2):
    aval = ctx.avals_out[0]
    key1, key2, x1, x2 = ctx.broadcast_scalars([key1, key2, x1, x2], aval.shape)
    ops = _UIntOps(ctx, aval)
    schedule = [key1, key2, ops.xor(ops.xor(key1, key2), ops.const(_KEY_SCHEDULE_PARITY))]
    x1, x2 = ops.add(x1, schedule[0]), ops.add(x2, schedule[1])
    for injection in range(1, 6):
        for distance in _ROTATIONS[(injection - 1) % 2]:
            x1 = ops.add(x1, x2)
            x2 = ops.xor(ops.rotate_left(x2, distance), x1)
        x1 = ops.add(x1, schedule[injection % 3])
        x2 = ops.add(ops.add(x2, schedule[(injection + 1) % 3]), ops.const(injection))
    return [x1, x2]


@register("iota_2x32_shape")
def _iota_2x32_shape(ctx, *, shape):
    aval = ctx.avals_out[0]
    size = int(np.prod(shape, dtype=np.int64))
    if not shape:
        return [splat(ctx, 0, aval), splat(ctx, 0, aval)]
    if size < 2 ** 32:  # every index fits in the low word
        return [splat(ctx, 0, aval), _row_major_index(ctx, shape, _UINT32)]
    wide = aval.update(dtype=_UINT64)
    index = _row_major_index(ctx, shape, _UINT64)
    high = ctx.op("stablehlo.shift_right_logical", [index, splat(ctx, 32, wide)], wide,
                  operand_avals=[wide, wide])
    return [ctx.op("stablehlo.convert", [x], aval, operand_avals=[wide]) for x in (high, index)]


def _row_major_index(ctx, shape, dtype):
    aval = ctx.avals_out[0].update(dtype=dtype)
    index = None
    stride = 1
    for dim in reversed(range(len(shape))):
        term = ctx.op("stablehlo.iota", [], aval, f"iota_dimension = {dim} : i64", operand_avals=[])
        if stride != 1:
            term = ctx.op("stablehlo.multiply", [term, splat(ctx, stride, aval)], aval,
                          operand_avals=[aval, aval])
        index = term if index is None else ctx.op("stablehlo.add", [index, term], aval,
                                                  operand_avals=[aval, aval])
        stride *= shape[dim]
    return index


@register("random_gamma")
def _random_gamma(ctx, key, a, *, log_space):
    from jaxlike import core
    return lower_by_tracing(ctx, core.all_primitives["random_gamma"].lowering_impl, [key, a], log_space=log_space)

