"""Lowering of dot_general."""
from xla_bridge.lowering.core import register


def _dims_field(name, dims):
    return f"{name} = [{', '.join(str(d) for d in dims)}]" if dims else None


def _dot_attr(dimension_numbers):
    (lc, rc), (lb, rb) = dimension_numbers
    fields = [_dims_field("lhs_batching_dimensions", lb), _dims_field("rhs_batching_dimensions", rb),
              _dims_field("lhs_contracting_dimensions", lc), _dims_field("rhs_contracting_dimensions", rc)]
    return f"#stablehlo.dot<{', '.join(f for f in fields if f)}>"


def _precision_attr(precision):
    names = [("DEFAULT" if p is None else p.name) for p in precision]
    return "[" + ", ".join(f"#stablehlo<precision {n}>" for n in names) + "]"


@register("dot_general")
def _dot_general(ctx, lhs, rhs, dimension_numbers, precision, preferred_element_type):
    attrs = f"dot_dimension_numbers = {_dot_attr(dimension_numbers)}"
    if precision is not None:
        attrs += f", precision_config = {_precision_attr(precision)}"
    return ctx.op("stablehlo.dot_general", [lhs, rhs], ctx.avals_out[0], attrs)
