"""Block-scaled matrix products (jax.nn.scaled_matmul and friends), by their reference definition.

JAX runs these with cuDNN kernels on recent NVIDIA GPUs; here the product is computed from its
definition (each operand dequantized by its per-block scales, then a float32 contraction), which
runs everywhere and agrees with the fused kernels up to rounding.
"""
from typing import NamedTuple

import numpy as np

from jaxlike import dtypes, lax
from jaxlike import numpy as jnp

__all__ = ['BlockScaleConfig', 'get_scaled_dot_general_config', 'scaled_matmul', 'scaled_dot_general']


class BlockScaleConfig(NamedTuple):
    """How an operand is quantized: its element and scale types and the block size sharing one scale."""

    mode: str
    block_size: int
    data_type: object
    scale_type: object
    global_scale: object
    infer_only: bool


def get_scaled_dot_general_config(mode, global_scale=None):
    """jax.nn.get_scaled_dot_general_config: the BlockScaleConfig of 'nvfp4' or 'mxfp8' quantization."""
    import ml_dtypes
    if mode == "nvfp4":
        one = jnp.ones((1,), dtype=np.float32)
        return BlockScaleConfig("nvfp4", 16, ml_dtypes.float4_e2m1fn, ml_dtypes.float8_e4m3fn,
                                one if global_scale is None else global_scale, False)
    if mode == "mxfp8":
        return BlockScaleConfig("mxfp8", 32, ml_dtypes.float8_e4m3fn, ml_dtypes.float8_e8m0fnu, None, False)
    raise ValueError(f"Unsupported mode: {mode}")


def _dequantize(x, scales):
    """x (B, M, K) times its scales (B, M, K // block) repeated over each block of K, in float32."""
    block = x.shape[-1] // scales.shape[-1]
    scales = jnp.repeat(scales.astype(np.float32), block, axis=-1)
    return x.astype(np.float32) * scales


def scaled_matmul(lhs, rhs, lhs_scales, rhs_scales, preferred_element_type=np.float32):
    """jax.nn.scaled_matmul: out[b, m, n] = sum_k lhs[b, m, k] lhs_scale[b, m, k/block] rhs[b, n, k]
    rhs_scale[b, n, k/block], for 3-d operands and their block scales."""
    if not all(jnp.ndim(x) == 3 for x in (lhs, rhs, lhs_scales, rhs_scales)):
        raise ValueError("scaled_matmul requires all inputs to be 3-dimensional arrays")
    (b_a, m_a, k_a), (b_b, n_b, k_b) = lhs.shape, rhs.shape
    if k_a != k_b or b_a != b_b:
        raise ValueError(f"scaled_matmul requires inputs a and b to have matching batch (B) and contract (K) "
                         f"dimensions, but got shapes {lhs.shape} and {rhs.shape}")
    (b_as, m_as, k_as), (b_bs, n_bs, k_bs) = lhs_scales.shape, rhs_scales.shape
    if k_as != k_bs or b_as != b_bs:
        raise ValueError(f"scaled_matmul requires scales to have matching batch (B) and contract (K) dimensions, "
                         f"but got shapes {lhs_scales.shape} and {rhs_scales.shape}")
    if m_as != m_a or n_bs != n_b:
        raise ValueError(f"scaled_matmul requires scales to match non-contract dimensions of inputs, but got "
                         f"shapes a: {lhs.shape}, b: {rhs.shape}, a_scales: {lhs_scales.shape}, b_scales: "
                         f"{rhs_scales.shape}")
    out = lax.dot_general(_dequantize(lhs, lhs_scales), _dequantize(rhs, rhs_scales), (((2,), (2,)), ((0,), (0,))),
                          preferred_element_type=np.float32)
    return out.astype(dtypes.canonicalize_dtype(preferred_element_type))


def scaled_dot_general(lhs, rhs, dimension_numbers, preferred_element_type=np.float32, configs=None,
                       implementation=None):
    """jax.nn.scaled_dot_general: lax.dot_general when no quantization configs are given."""
    if configs is not None:
        raise NotImplementedError("scaled_dot_general with quantization configs needs cuDNN's block-scaled "
                                  "kernels, which jaxlike does not provide; quantize explicitly and use "
                                  "scaled_matmul, or pass configs=None.")
    return lax.dot_general(lhs, rhs, dimension_numbers, preferred_element_type=preferred_element_type)
