"""Lowering of the special functions: CHLO ops where XLA has them, else their lax implementation traced inline."""
from xla_bridge.lowering.core import lower_by_tracing, register



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
