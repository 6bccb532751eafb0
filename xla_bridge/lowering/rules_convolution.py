"""Lowering of conv_general_dilated to stablehlo.convolution."""
from xla_bridge.lowering.core import register
from xla_bridge.lowering.rules_structural import _i64_array


def _layout(spec, first, second):
    """The per-dimension labels of an operand: `first`, `second`, then spatial indices, at spec's positions."""
    labels = [None] * len(spec)
    labels[spec[0]], labels[spec[1]] = first, second
    for i, d in enumerate(spec[2:]):
        labels[d] = str(i)
    return "[" + ", ".join(labels) + "]"


def conv_dimension_numbers_attr(dimension_numbers):
    lhs_spec, rhs_spec, out_spec = dimension_numbers
    return (f"#stablehlo.conv<{_layout(lhs_spec, 'b', 'f')}x{_layout(rhs_spec, 'o', 'i')}"
            f"->{_layout(out_spec, 'b', 'f')}>")


def padding_attr(padding):
    rows = ", ".join(f"[{lo}, {hi}]" for lo, hi in padding)
    return f"dense<[{rows}]> : tensor<{len(padding)}x2xi64>"


def _precision_attr(precision):
    names = [("DEFAULT" if p is None else p.name) for p in precision]
    return "[" + ", ".join(f"#stablehlo<precision {n}>" for n in names) + "]"


@register("conv_general_dilated")
def _conv_general_dilated(ctx, lhs, rhs, *, window_strides, padding, lhs_dilation, rhs_dilation, dimension_numbers,
                          feature_group_count, batch_group_count, precision, preferred_element_type):
    attrs = [f"batch_group_count = {batch_group_count} : i64",
             f"dimension_numbers = {conv_dimension_numbers_attr(dimension_numbers)}",
             f"feature_group_count = {feature_group_count} : i64"]
    if window_strides:  # a convolution without spatial dimensions takes none of the window attributes
        attrs += [f"lhs_dilation = {_i64_array(lhs_dilation)}", f"padding = {padding_attr(padding)}",
                  f"rhs_dilation = {_i64_array(rhs_dilation)}", f"window_strides = {_i64_array(window_strides)}"]
    if precision is not None:
        attrs.append(f"precision_config = {_precision_attr(precision)}")
    return ctx.op("stablehlo.convolution", [lhs, rhs], ctx.avals_out[0], ", ".join(attrs))
