"""Lowering of the control-flow primitives: `cond` to stablehlo.case, `while` and `scan` to stablehlo.while.

Branch and loop bodies are lowered inline into regions; constants are captured from the
enclosing scope rather than carried through the loop.
"""
import numpy as np

from xla_bridge.lowering.core import (FunctionBuilder, RuleContext, emit_constant, lower_jaxpr_body, register,
                                      tensor_type)



class _ScalarType:
    """The type of a scalar the lowering itself makes (a step counter, a loop predicate)."""

    __slots__ = ("shape", "dtype")

    def __init__(self, dtype):
        self.shape, self.dtype = (), np.dtype(dtype)


_INDEX = _ScalarType(np.int32)
_PRED = _ScalarType(np.bool_)


def _region(module, arg_avals, body):
    """Region text of one block taking `arg_avals`; `body(builder, arg_names)` returns (result names, avals)."""
    builder = FunctionBuilder(module)
    args = [module.fresh() for _ in arg_avals]
    names, avals = body(builder, args)
    header = ", ".join(f"{n}: {tensor_type(a)}" for n, a in zip(args, arg_avals))
    types = ", ".join(tensor_type(a) for a in avals)
    lines = builder.lines + [f'"stablehlo.return"({", ".join(names)}) : ({types}) -> ()']
    body_text = "\n".join("    " + line for line in lines)
    return f"{{\n  ^bb0({header}):\n{body_text}\n  }}"


def _multi_result_op(ctx, name, operands, operand_avals, result_avals, regions):
    out = ctx.op(name, operands, list(result_avals), operand_avals=list(operand_avals), regions=regions)
    return [out] if isinstance(out, str) else list(out)


def _split(xs, *sizes):
    out, start = [], 0
    for n in sizes:
        out.append(list(xs[start:start + n]))
        start += n
    out.append(list(xs[start:]))
    return out


# ---- cond -------------------------------------------------------------------------------------------
@register("cond")
def _cond(ctx, index, *args, branches):
    module = ctx.builder.module

    def branch_region(jaxpr):
        return _region(module, [], lambda b, _: (lower_jaxpr_body(b, jaxpr, list(args)), jaxpr.out_avals))

    return _multi_result_op(ctx, "stablehlo.case", [index], [ctx.avals_in[0]], ctx.avals_out,
                            [branch_region(j) for j in branches])


# ---- while ------------------------------------------------------------------------------------------
@register("while")
def _while(ctx, *args, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
    cond_consts, body_consts, init = _split(args, cond_nconsts, body_nconsts)
    carry_avals = ctx.avals_in[cond_nconsts + body_nconsts:]
    module = ctx.builder.module
    cond_region = _region(module, carry_avals,
                          lambda b, carry: (lower_jaxpr_body(b, cond_jaxpr, cond_consts + carry), [_PRED]))
    body_region = _region(module, carry_avals,
                          lambda b, carry: (lower_jaxpr_body(b, body_jaxpr, body_consts + carry), carry_avals))
    return _multi_result_op(ctx, "stablehlo.while", init, carry_avals, carry_avals, [cond_region, body_region])


# ---- scan ---------------------------------------------------------------------------------------------
@register("scan")
def _scan(ctx, *args, jaxpr, num_consts, num_carry, length, reverse, unroll):
    """A while loop over a step counter; each step slices xs and writes ys with dynamic (update) slices.
    With `unroll` > 1 a loop iteration runs that many steps, and the leftover steps follow the loop."""
    consts, init, xs = _split(args, num_consts, num_carry)
    carry_avals = ctx.avals_in[num_consts:num_consts + num_carry]
    xs_avals = ctx.avals_in[num_consts + num_carry:]
    ys_avals = ctx.avals_out[num_carry:]
    ys_init = [emit_constant(ctx.builder, np.zeros(a.shape, a.dtype), a.dtype) for a in ys_avals]
    if length == 0:
        return list(init) + ys_init
    per_iteration = max(1, min(unroll, length))
    looped = length - length % per_iteration
    step = _Step(jaxpr, consts, xs, xs_avals, carry_avals, ys_avals, length, reverse)
    state = list(init) + ys_init
    if looped:
        state = _loop(ctx, step, state, looped, per_iteration)
    counter = None
    for i in range(looped, length):
        counter = emit_constant(ctx.builder, np.int32(i), np.int32)
        state = step.emit(ctx.builder, counter, state)
    return state[:num_carry] + state[num_carry:]


def _loop(ctx, step, state, looped, per_iteration):
    """stablehlo.while over (counter, carry, ys) running `looped` steps, `per_iteration` per iteration."""
    module = ctx.builder.module
    state_avals = [_INDEX] + step.carry_avals + step.ys_avals

    def cond_body(b, names):
        bound = emit_constant(b, np.int32(looped), np.int32)
        pred = RuleContext(b, [], []).op("stablehlo.compare", [names[0], bound], _PRED,
                                         "comparison_direction = #stablehlo<comparison_direction LT>",
                                         operand_avals=[_INDEX, _INDEX])
        return [pred], [_PRED]

    def loop_body(b, names):
        counter, values = names[0], names[1:]
        one = emit_constant(b, np.int32(1), np.int32)
        for _ in range(per_iteration):
            values = step.emit(b, counter, values)
            counter = RuleContext(b, [], []).op("stablehlo.add", [counter, one], _INDEX,
                                                operand_avals=[_INDEX, _INDEX])
        return [counter] + values, state_avals

    start = ctx.constant(0, np.int32)
    regions = [_region(module, state_avals, cond_body), _region(module, state_avals, loop_body)]
    return _multi_result_op(ctx, "stablehlo.while", [start] + state, state_avals, state_avals, regions)[1:]


class _Step:
    """Emits one scan step at a given counter: slice xs, run the body, write the ys."""

    def __init__(self, jaxpr, consts, xs, xs_avals, carry_avals, ys_avals, length, reverse):
        self.jaxpr, self.consts, self.xs, self.xs_avals = jaxpr, consts, xs, xs_avals
        self.carry_avals, self.ys_avals, self.length, self.reverse = carry_avals, ys_avals, length, reverse

    def emit(self, builder, counter, values):
        ctx = RuleContext(builder, [], [])
        carry, ys = values[:len(self.carry_avals)], values[len(self.carry_avals):]
        position = self._position(ctx, builder, counter)
        zero = emit_constant(builder, np.int32(0), np.int32)
        slices = [_slice_at(ctx, x, aval, position, zero) for x, aval in zip(self.xs, self.xs_avals)]
        outs = lower_jaxpr_body(builder, self.jaxpr, list(self.consts) + list(carry) + slices)
        new_carry, new_ys = outs[:len(carry)], outs[len(carry):]
        written = [_write_at(ctx, buf, y, aval, position, zero) for buf, y, aval in zip(ys, new_ys, self.ys_avals)]
        return list(new_carry) + written

    def _position(self, ctx, builder, counter):
        if not self.reverse:
            return counter
        last = emit_constant(builder, np.int32(self.length - 1), np.int32)
        return ctx.op("stablehlo.subtract", [last, counter], _INDEX, operand_avals=[_INDEX, _INDEX])


def _slice_at(ctx, x, aval, position, zero):
    one_row = aval.update(shape=(1,) + aval.shape[1:])
    starts = [position] + [zero] * (aval.ndim - 1)
    sizes = ", ".join(str(d) for d in one_row.shape)
    row = ctx.op("stablehlo.dynamic_slice", [x] + starts, one_row, f"slice_sizes = array<i64: {sizes}>",
                 operand_avals=[aval] + [_INDEX] * aval.ndim)
    return ctx.op("stablehlo.reshape", [row], aval.update(shape=aval.shape[1:]), operand_avals=[one_row])


def _write_at(ctx, buf, y, aval, position, zero):
    y_aval = aval.update(shape=aval.shape[1:])
    one_row = aval.update(shape=(1,) + aval.shape[1:])
    row = ctx.op("stablehlo.reshape", [y], one_row, operand_avals=[y_aval])
    starts = [position] + [zero] * (aval.ndim - 1)
    return ctx.op("stablehlo.dynamic_update_slice", [buf, row] + starts, aval,
                  operand_avals=[aval, one_row] + [_INDEX] * aval.ndim)
