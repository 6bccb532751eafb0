"""Lowering of call-like primitives (closed_call): the callee is lowered inline."""
from xla_bridge.lowering.core import register, tensor_type


@register("closed_call")
def _closed_call(ctx, *args, jaxpr, name, **_):
    return ctx.lower_jaxpr_inline(jaxpr, list(args))


@register("custom_jvp_call", "custom_vjp_call")
def _custom_call(ctx, *args, call_jaxpr, **_):
    return ctx.lower_jaxpr_inline(call_jaxpr, list(args))


@register("remat")
def _remat(ctx, *args, jaxpr, policy, prevent_cse):
    if prevent_cse and args:  # keep XLA from merging the recomputation with the forward pass
        args = ctx.op("stablehlo.optimization_barrier", list(args), list(ctx.avals_in))
        args = args if isinstance(args, list) else [args]
    return ctx.lower_jaxpr_inline(jaxpr, list(args))


@register("name")
def _name(ctx, x, name):
    return x


def _emit_host_callback(ctx, fn, operands, result_avals):
    """A custom call into a Python function (XLA's FFI host callback); returns result names."""
    index = ctx.host_callback(lambda *args: tuple(fn(*args)))
    target = "xla_ffi_python_gpu_callback" if ctx.platform == "gpu" else "xla_ffi_python_cpu_callback"
    attrs = (f'call_target_name = "{target}", api_version = 4 : i32, has_side_effect = true, '
             f"backend_config = {{index = {index} : ui64}}")
    in_types = ", ".join(tensor_type(a) for a in ctx.avals_in)
    out_types = ", ".join(tensor_type(a) for a in result_avals)
    text = f'"stablehlo.custom_call"({", ".join(operands)}) {{{attrs}}} : ({in_types}) -> ({out_types})'
    outs = ctx.builder.emit(text, len(result_avals))
    return outs if isinstance(outs, list) else [outs]


@register("pure_callback")
def _pure_callback(ctx, *args, callback, result_avals, vmap_method):
    return _emit_host_callback(ctx, callback, list(args), list(result_avals))


@register("debug_callback")
def _debug_callback(ctx, *args, callback):
    return _emit_host_callback(ctx, callback, list(args), [])
