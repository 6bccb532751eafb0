"""jax.nn.dot_product_attention (the 'xla' implementation): softmax(q k^T * scale + bias, masked) v.

Query heads may outnumber key/value heads (grouped-query attention): each group of N // K query
heads shares one key/value head. Logits and the softmax are computed in at least float32.
"""
import numpy as np

from jaxlike import dtypes, lax
from jaxlike import numpy as jnp
from jaxlike.nn.functions import logsumexp, softmax

__all__ = ['dot_product_attention']


def _ensure_4d(t):
    t = jnp.asarray(t)
    return jnp.expand_dims(t, tuple(range(4 - t.ndim))) if t.ndim < 4 else t


def _check(t, shape, dtype, name):
    if t is None:
        return
    if t.ndim != len(shape):
        raise ValueError(f"{name} ndim should be {len(shape)}, but got {t.ndim}")
    if dtype is not None and t.dtype != dtype:
        raise ValueError(f"{name} dtype should be {dtype}, but got {t.dtype}")
    if any(want != -1 and got != want for got, want in zip(t.shape, shape)):
        raise ValueError(f"{name} shape should be {tuple(shape)}: but got {t.shape}")


def _large_negative(dtype):
    """A finite stand-in for -inf that stays finite in float32, where the softmax runs."""
    return jnp.asarray(-0.7 * min(float(dtypes.finfo(dtype).max), float(dtypes.finfo(np.float32).max)), dtype=dtype)


def _combined_mask(shape, mask, is_causal, q_lengths, kv_lengths, local_window_size):
    """The (broadcastable) boolean mask of allowed (query, key) pairs, or None when everything is allowed."""
    if mask is None and not is_causal and q_lengths is None and kv_lengths is None and local_window_size is None:
        return None
    _, _, t_len, s_len = shape
    combined = jnp.ones(shape, dtype=bool)
    if mask is not None:
        combined = combined & mask
    query_pos, key_pos = jnp.arange(t_len)[:, None], jnp.arange(s_len)[None, :]
    if is_causal:
        combined = combined & (query_pos >= key_pos)[None, None]
    if local_window_size is not None:
        left, right = local_window_size
        combined = combined & ((query_pos <= key_pos + left) & (query_pos >= key_pos - right))[None, None]
    if q_lengths is not None or kv_lengths is not None:
        valid = jnp.ones((1, t_len, s_len), dtype=bool)
        if q_lengths is not None:
            valid = valid & (jnp.arange(t_len)[None, :, None] < q_lengths[:, None, None])
        if kv_lengths is not None:
            valid = valid & (jnp.arange(s_len)[None, None, :] < kv_lengths[:, None, None])
        combined = combined & valid[:, None]
    return combined


def _attention_xla(query, key, value, bias, mask, is_causal, scale, q_lengths, kv_lengths, local_window_size,
                   return_residual):
    batch, t_len, n_heads, head_dim = query.shape
    _, s_len, kv_heads, _ = key.shape
    group = n_heads // kv_heads
    logits_dtype = jnp.promote_types(query.dtype, np.float32)
    grouped = jnp.reshape(query, (batch, t_len, kv_heads, group, head_dim))
    # (B, T, K, G, H) x (B, S, K, H) -> (B, K, T, G, S) -> (B, K*G, T, S)
    logits = lax.dot_general(grouped, key, (((4,), (3,)), ((0, 2), (0, 2))), preferred_element_type=logits_dtype)
    logits = jnp.reshape(jnp.transpose(logits, (0, 1, 3, 2, 4)), (batch, n_heads, t_len, s_len))
    logits = logits * jnp.asarray(scale, dtype=logits.dtype)
    if bias is not None:
        logits = (logits + bias).astype(logits.dtype)
    allowed = _combined_mask(logits.shape, mask, is_causal, q_lengths, kv_lengths, local_window_size)
    if allowed is not None:
        logits = jnp.where(allowed, logits, _large_negative(logits.dtype))
    logits = logits.astype(np.float32)
    probs = softmax(logits, axis=-1).astype(key.dtype)
    # (B, K, G, T, S) x (B, S, K, H) -> (B, K, G, T, H) -> (B, T, K*G, H)
    probs = jnp.reshape(probs, (batch, kv_heads, group, t_len, s_len))
    encoded = lax.dot_general(probs, value, (((4,), (1,)), ((0, 1), (0, 2))))
    encoded = jnp.reshape(jnp.transpose(encoded, (0, 3, 1, 2, 4)), (batch, t_len, n_heads, head_dim))
    if q_lengths is not None:
        keep = jnp.arange(t_len)[None, :] < q_lengths[:, None]
        encoded = encoded * keep[:, :, None, None].astype(encoded.dtype)
    if not return_residual:
        return encoded
    residual = jnp.transpose(logsumexp(logits, axis=-1).astype(key.dtype), (0, 2, 1))
    return encoded, lax.stop_gradient(residual)


def dot_product_attention(query, key, value, bias=None, mask=None, *, scale=None, is_causal=False,
                          query_seq_lengths=None, key_value_seq_lengths=None, local_window_size=None,
                          implementation=None, return_residual=False):
    """jax.nn.dot_product_attention: scaled dot-product attention over [batch, seq, heads, head_dim] inputs
    (leading dims may be omitted), with optional bias, boolean mask, causal/local-window masking and
    per-example sequence lengths."""
    if implementation not in (None, "xla"):
        if implementation == "cudnn":
            raise NotImplementedError("dot_product_attention(implementation='cudnn') is not available in jaxlike; "
                                      "use implementation='xla' (or None).")
        raise ValueError(f"Unsupported implementation option: {implementation}")
    output_shape = jnp.asarray(query).shape
    query, key, value = _ensure_4d(query), _ensure_4d(key), _ensure_4d(value)
    bias = None if bias is None else _ensure_4d(bias)
    mask = None if mask is None else _ensure_4d(mask)
    q_lengths = None if query_seq_lengths is None else jnp.asarray(query_seq_lengths)
    kv_lengths = None if key_value_seq_lengths is None else jnp.asarray(key_value_seq_lengths)
    if isinstance(local_window_size, int):
        local_window_size = (local_window_size, local_window_size)
    batch, s_len, kv_heads, head_dim = key.shape
    _check(value, [batch, s_len, kv_heads, head_dim], key.dtype, "value")
    _check(query, [batch, -1, -1, head_dim], key.dtype, "query")
    _check(mask, [-1] * 4, np.dtype(bool), "mask")
    _check(bias, [-1] * 4, None, "bias")
    _check(q_lengths, [batch], np.dtype(np.int32), "query_seq_lengths")
    _check(kv_lengths, [batch], np.dtype(np.int32), "key_value_seq_lengths")
    if query.shape[-2] % kv_heads:
        raise ValueError(f"The number of query heads must be a multiple of key/value heads, but got "
                         f"{query.shape[-2]} vs {kv_heads}")
    scale = 1.0 / np.sqrt(head_dim) if scale is None else scale
    out = _attention_xla(query, key, value, bias, mask, is_causal, scale, q_lengths, kv_lengths, local_window_size,
                         return_residual)
    if return_residual:
        encoded, residual = out
        return jnp.reshape(encoded, output_shape), jnp.reshape(residual, output_shape[:-1])
    return jnp.reshape(out, output_shape)
