"""The Threefry-2x32 counter-based PRNG as primitives, and the key-level operations built on it.

`threefry2x32` is the block cipher of Salmon et al., "Parallel random numbers: as easy as
1, 2, 3" (SC'11), with 20 rounds: it encrypts the counter pair (x1, x2) under the key
(key1, key2), elementwise. `iota_2x32_shape` numbers the elements of a shape with 64-bit
counters split into (high, low) words. Everything else here (seeding, split, fold_in, bits)
works on raw key data: uint32 arrays whose last axis holds the two key words.
"""
import numpy as np

from jaxlike.core import Primitive, ShapedArray, get_aval
from jaxlike.lax.base import operands, shape_error
from jaxlike.transforms import batching
from jaxlike.transforms.ad import defnondifferentiable

UINT32 = np.dtype(np.uint32)
UINT_DTYPES = {8: np.dtype(np.uint8), 16: np.dtype(np.uint16), 32: np.dtype(np.uint32), 64: np.dtype(np.uint64)}

# Rotation distances of Threefry-2x32 (Random123), used four at a time, alternating.
ROTATIONS = ((13, 15, 26, 6), (17, 29, 16, 24))
KEY_SCHEDULE_PARITY = 0x1BD11BDA
ROUNDS_BETWEEN_INJECTIONS = 4
KEY_INJECTIONS = 5


# ---- threefry2x32 ------------------------------------------------------------------------------
threefry2x32_p = Primitive("threefry2x32", multiple_results=True)


@threefry2x32_p.def_abstract_eval
def _threefry2x32_abstract_eval(key1, key2, x1, x2):
    avals = (key1, key2, x1, x2)
    if any(a.dtype != UINT32 for a in avals):
        raise shape_error("threefry2x32 requires uint32 arguments, got "
                          f"{', '.join(a.dtype.name for a in avals)}.")
    shapes = {a.shape for a in avals if a.shape != ()}
    if len(shapes) > 1:
        raise shape_error("threefry2x32 requires its arguments to have one shape (or be scalars), got "
                          f"{', '.join(str(a.shape) for a in avals)}.")
    shape = shapes.pop() if shapes else ()
    return [ShapedArray(shape, UINT32), ShapedArray(shape, UINT32)]


def _threefry2x32_batch(vals, dims):
    from jaxlike import lax
    size = batching.axis_size_of(vals, dims)
    example_shape = max((_unbatched_shape(v, d) for v, d in zip(vals, dims)), key=len)
    aligned = []
    for v, d in zip(vals, dims):
        if d is batching.not_mapped and get_aval(v).shape == ():
            aligned.append(v)  # a rank-0 operand broadcasts inside the primitive
            continue
        v = batching.bdim_at_front(v, d, size)
        if get_aval(v).shape != (size,) + example_shape:
            v = lax.broadcast_in_dim(v, (size,) + example_shape, (0,))
        aligned.append(v)
    return threefry2x32_p.bind(*aligned), [0, 0]


def _unbatched_shape(v, d):
    shape = get_aval(v).shape
    return shape if d is batching.not_mapped else shape[:d] + shape[d + 1:]


threefry2x32_p.batch = _threefry2x32_batch
defnondifferentiable(threefry2x32_p)


def threefry2x32(key1, key2, x1, x2):
    """The Threefry-2x32 block cipher, elementwise: encrypts counters (x1, x2) under key (key1, key2)."""
    return tuple(threefry2x32_p.bind(*operands(key1, key2, x1, x2)))


# ---- iota_2x32_shape ---------------------------------------------------------------------------
iota_2x32_shape_p = Primitive("iota_2x32_shape", multiple_results=True)


@iota_2x32_shape_p.def_abstract_eval
def _iota_2x32_shape_abstract_eval(*, shape):
    return [ShapedArray(shape, UINT32), ShapedArray(shape, UINT32)]


iota_2x32_shape_p.batch = lambda vals, dims, **params: (iota_2x32_shape_p.bind(**params), [None, None])
defnondifferentiable(iota_2x32_shape_p)


def iota_2x32_shape(shape):
    """(high, low) uint32 words of each element's row-major index in an array of `shape`."""
    shape = tuple(int(d) for d in shape)
    return tuple(iota_2x32_shape_p.bind(shape=shape))


# ---- raw key data ------------------------------------------------------------------------------
def key_words(key_data):
    """The two uint32 words of a raw key (its last axis), as arrays of the key's batch shape."""
    from jaxlike import lax
    first = lax.index_in_dim(key_data, 0, axis=-1, keepdims=False)
    second = lax.index_in_dim(key_data, 1, axis=-1, keepdims=False)
    return first, second


def stack_words(word1, word2):
    """A raw key (or keys) from its two words: uint32[..., 2]."""
    from jaxlike import lax
    shape = get_aval(word1).shape
    word1 = lax.broadcast_in_dim(word1, shape + (1,), tuple(range(len(shape))))
    word2 = lax.broadcast_in_dim(word2, shape + (1,), tuple(range(len(shape))))
    return lax.concatenate([word1, word2], len(shape))


def seed_to_key_data(seed):
    """uint32[2] key data from an integer seed: (high 32 bits, low 32 bits) of a 64-bit seed."""
    from jaxlike import lax
    seed_aval = get_aval(seed)
    if seed_aval.dtype.itemsize == 8:
        high = lax.convert_element_type(lax.shift_right_logical(seed, lax.full((), 32, seed_aval.dtype)), UINT32)
    else:  # a narrower seed has no high word (XLA's shift by >= the bit width gives 0)
        high = lax.full((), 0, UINT32)
    low = lax.convert_element_type(seed, UINT32)  # integer conversion wraps: the low 32 bits
    return stack_words(high, low)


def split_key_data(key_data, shape):
    """Keys of `shape` derived from one raw key: threefry of the key on each element's index."""
    key1, key2 = key_words(key_data)
    counts_high, counts_low = iota_2x32_shape(shape)
    words1, words2 = threefry2x32(key1, key2, counts_high, counts_low)
    return stack_words(words1, words2)


def threefry_2x32(key_data, count):
    """Threefry of a flat uint32 array under one raw key: its halves are encrypted as counter pairs."""
    from jaxlike import lax
    key1, key2 = key_words(key_data)
    count_aval = get_aval(count)
    flat = lax.reshape(count, (count_aval.size,))
    odd = count_aval.size % 2
    if odd:
        flat = lax.concatenate([flat, lax.full((1,), 0, UINT32)], 0)
    half = flat.shape[0] // 2
    first = lax.slice_in_dim(flat, 0, half, axis=0)
    second = lax.slice_in_dim(flat, half, 2 * half, axis=0)
    out1, out2 = threefry2x32(key1, key2, first, second)
    out = lax.concatenate([out1, out2], 0)
    if odd:
        out = lax.slice_in_dim(out, 0, count_aval.size, axis=0)
    return lax.reshape(out, count_aval.shape)


def fold_in_key_data(key_data, data):
    """A new raw key mixing a 32-bit integer into `key_data`: threefry of the key on (0, data)."""
    from jaxlike import lax
    data = lax.convert_element_type(data, UINT32)
    return threefry_2x32(key_data, stack_words(lax.full((), 0, UINT32), data))


def random_bits_from_key_data(key_data, bit_width, shape):
    """Unsigned integers of `bit_width` bits for each element of `shape`, from one raw key."""
    from jaxlike import lax
    key1, key2 = key_words(key_data)
    counts_high, counts_low = iota_2x32_shape(shape)
    bits1, bits2 = threefry2x32(key1, key2, counts_high, counts_low)
    dtype = UINT_DTYPES[bit_width]
    if bit_width == 64:
        high = lax.convert_element_type(bits1, dtype)
        low = lax.convert_element_type(bits2, dtype)
        return lax.bitwise_or(lax.shift_left(high, lax.full((), 32, dtype)), low)
    bits = lax.bitwise_xor(bits1, bits2)
    return bits if bit_width == 32 else lax.convert_element_type(bits, dtype)


def check_bit_width(bit_width):
    if bit_width not in UINT_DTYPES:
        raise TypeError(f"random bits must have a bit width of 8, 16, 32 or 64, got {bit_width}.")
