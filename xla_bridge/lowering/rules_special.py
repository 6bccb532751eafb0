"""Lowering of the special functions: CHLO ops where XLA has them, else their lax implementation traced inline."""
import numpy as np

from xla_bridge.lowering.core import register


def lower_by_tracing(ctx, impl, operands, **params):
    """Emits `impl` (a jaxlike function of the operands) inline: trace it to a jaxpr, then lower that."""
    from jaxlike.ir import consts_as_invars
    from jaxlike.tracing import trace_to_jaxpr
    closed = trace_to_jaxpr(lambda *args: [impl(*args, **params)], list(ctx.avals_in), name="lowering")
    consts = [ctx.constant(np.asarray(c), np.asarray(c).dtype, np.shape(c)) for c in closed.consts]
    return ctx.lower_jaxpr_inline(consts_as_invars(closed.jaxpr), consts + list(operands))[0]


def _traced(name):
    def rule(ctx, *operands):
        from jaxlike import core
        return lower_by_tracing(ctx, core.all_primitives[name].lowering_impl, operands)
    return rule


for _name in ("igamma", "igammac", "igamma_grad_a", "random_gamma_grad", "bessel_i0e",
              "regularized_incomplete_beta"):
    register(_name)(_traced(_name))


def _chlo(op_name):
    def rule(ctx, *operands):
        shape = ctx.avals_out[0].shape
        operands = ctx.broadcast_scalars(operands, shape)
        return ctx.op(op_name, operands, ctx.avals_out[0], operand_avals=ctx.full_avals_in(shape))
    return rule


register("bessel_i1e")(_chlo("chlo.bessel_i1e"))
register("zeta")(_chlo("chlo.zeta"))
