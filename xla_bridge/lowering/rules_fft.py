"""Lowering of fft: XLA's own stablehlo.fft on every platform (DUCC on CPU, cuFFT on GPU)."""
from xla_bridge.lowering.core import register
from xla_bridge.lowering.rules_structural import _i64_array


@register("fft")
def _fft(ctx, x, fft_type, fft_lengths):
    attrs = f"fft_type = #stablehlo<fft_type {fft_type.name}>, fft_length = {_i64_array(fft_lengths)}"
    return ctx.op("stablehlo.fft", [x], ctx.avals_out[0], attrs)
