"""PRNG keys: raw `uint32[2]` keys (PRNGKey) and typed keys (key), and the key-level API.

A typed key array is a small wrapper around its key data, a uint32 array with a trailing axis
of 2, registered as a pytree so that jit, vmap and grad pass it through as that data. Its
shape is the data's shape without the trailing axis, and its dtype is `key<fry>`.
"""
import numpy as np

from jaxlike import dtypes, tree_util
from jaxlike.array import Array
from jaxlike.core import Tracer, get_aval
from jaxlike.random import prng
from jaxlike.random._jit import jitted
from jaxlike.source_info import user_line

IMPL_NAME = "threefry2x32"
KEY_SHAPE = (2,)


class KeyDType:
    """The dtype of typed keys of one PRNG implementation (JAX's `key<fry>`)."""

    def __init__(self, impl_name=IMPL_NAME, tag="fry"):
        self.impl_name, self.tag = impl_name, tag

    @property
    def name(self):
        return f"key<{self.tag}>"

    def __repr__(self):
        return self.name

    __str__ = __repr__

    def __eq__(self, other):
        return isinstance(other, KeyDType) and other.impl_name == self.impl_name

    def __hash__(self):
        return hash((KeyDType, self.impl_name))


THREEFRY_KEY_DTYPE = KeyDType()


class PRNGKeyArray:
    """An array of typed PRNG keys; `key_data` gives its uint32 data of shape `shape + (2,)`."""

    __slots__ = ("_base_array",)
    __array_priority__ = 200

    def __init__(self, base_array):
        self._base_array = base_array

    shape = property(lambda self: tuple(get_aval(self._base_array).shape[:-1]))
    ndim = property(lambda self: len(self.shape))
    size = property(lambda self: int(np.prod(self.shape, dtype=np.int64)))
    dtype = property(lambda self: THREEFRY_KEY_DTYPE)

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of unsized object (a single PRNG key)")
        return self.shape[0]

    def __iter__(self):
        if not self.shape:
            raise TypeError("iteration over a single PRNG key")
        return (self[i] for i in range(self.shape[0]))

    def __getitem__(self, index):
        index = index if isinstance(index, tuple) else (index,)
        if any(i is Ellipsis for i in index):
            index = index + (slice(None),)  # the key-data axis stays whole
        return PRNGKeyArray(self._base_array[index])

    def reshape(self, *shape):
        from jaxlike import lax
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        shape = _resolve_reshape(tuple(int(d) for d in shape), self.size)
        return PRNGKeyArray(lax.reshape(self._base_array, shape + KEY_SHAPE))

    def ravel(self):
        return self.reshape(self.size)

    flatten = ravel

    def block_until_ready(self):
        if hasattr(self._base_array, "block_until_ready"):
            self._base_array.block_until_ready()
        return self

    def __repr__(self):
        if isinstance(self._base_array, Tracer):
            return f"Traced<key<fry>[{','.join(map(str, self.shape))}]>"
        return f"Array({self.shape}, dtype={self.dtype}) overlaying:\n{np.asarray(self._base_array)}"

    def __hash__(self):
        raise TypeError("unhashable type: PRNG key array")


def _resolve_reshape(shape, size):
    if shape.count(-1) == 1:
        known = int(np.prod([d for d in shape if d != -1], dtype=np.int64))
        shape = tuple(size // known if d == -1 else d for d in shape)
    return shape


tree_util.register_pytree_node(PRNGKeyArray, lambda k: ((k._base_array,), None),
                               lambda _, children: PRNGKeyArray(children[0]))


def is_typed_key(x):
    return isinstance(x, PRNGKeyArray)


# ---- checking what the user passed --------------------------------------------------------------
def check_key_data(data, what="PRNG key data"):
    """`data` as a uint32 array with a trailing axis of 2, or a TypeError saying what is wrong."""
    if isinstance(data, (list, tuple)) or not all(hasattr(data, a) for a in ("shape", "dtype")):
        raise TypeError(f"Expected a PRNG key (from jaxlike.random.key(seed) or jaxlike.random.PRNGKey(seed)), "
                        f"got {_describe(data)}. Make a key first: key = jaxlike.random.key(0).{user_line()}")
    shape = tuple(np.shape(data))
    if data.dtype != prng.UINT32:
        raise TypeError(f"Invalid {what}: expected dtype uint32, got {data.dtype} (shape {shape}). A raw key is "
                        f"the uint32[2] array that jaxlike.random.PRNGKey returns.{user_line()}")
    if shape[-1:] != KEY_SHAPE:
        raise TypeError(f"Invalid {what}: expected a shape ending with (2,) for threefry2x32, got {shape}."
                        f"{user_line()}")
    if not isinstance(data, (Array, Tracer)):
        from jaxlike import numpy as jnp
        data = jnp.asarray(data)
    return data


def _describe(x):
    text = repr(x)
    text = text if len(text) < 50 else text[:47] + "..."
    return f"{type(x).__name__} {text}"


def key_data_of(name, key, single=True):
    """(raw key data, whether `key` is typed) for a sampler called `name`; a single key unless single=False."""
    if is_typed_key(key):
        data, typed = key._base_array, True
    else:
        data, typed = check_key_data(key), False
    batch_shape = tuple(get_aval(data).shape[:-1])
    if single and batch_shape != ():
        raise ValueError(f"{name} accepts a single key, but was given a key array of shape {batch_shape} != (). "
                         f"Use jaxlike.vmap for batching.{user_line()}")
    return data, typed


def rewrap(data, typed):
    """New keys in the same form (typed or raw) as the keys they came from."""
    return PRNGKeyArray(data) if typed else data


def _check_impl(impl):
    name = getattr(impl, "name", impl)
    if impl is not None and name != IMPL_NAME:
        raise NotImplementedError(f"PRNG implementation {impl!r} is not available; jaxlike implements "
                                  f"{IMPL_NAME!r} only.{user_line()}")


# ---- seeds ---------------------------------------------------------------------------------------
def _seed_array(caller, seed):
    """An integer array for `seed`; Python ints pass through int64 as JAX does (wrapping in 32-bit mode)."""
    from jaxlike import numpy as jnp
    if isinstance(seed, PRNGKeyArray):
        raise TypeError(f"{caller} expects an integer seed, got a PRNG key; derive new keys with "
                        f"jaxlike.random.split or fold_in.{user_line()}")
    if isinstance(seed, bool):
        seed = int(seed)
    if isinstance(seed, int):
        if not -2 ** 63 <= seed < 2 ** 63:
            raise OverflowError(f"{caller}: the seed {seed} does not fit in 64 bits (a seed is converted to "
                                f"int64).{user_line()}")
        seed = np.int64(seed) if dtypes.x64_enabled() else np.int64(seed).astype(np.int32)
    if not isinstance(seed, (Array, Tracer)):
        seed = jnp.asarray(seed)
    aval = get_aval(seed)
    if aval.shape != ():
        raise TypeError(f"{caller} accepts a scalar seed, but was given an array of shape {aval.shape} != (). "
                        f"Use jaxlike.vmap for batching.{user_line()}")
    if not dtypes.is_integer(aval.dtype):
        raise TypeError(f"PRNG key seed must be an integer; got {aval.str_short()}.{user_line()}")
    return seed


def PRNGKey(seed, *, impl=None):  # noqa: N802 (JAX's name)
    """A raw PRNG key, uint32[2], from an integer seed (64-bit seeds keep their high word)."""
    _check_impl(impl)
    return _seed_key_data(_seed_array("PRNGKey", seed))


def key(seed, *, impl=None):
    """A typed PRNG key (dtype key<fry>, shape ()) from an integer seed."""
    _check_impl(impl)
    return PRNGKeyArray(_seed_key_data(_seed_array("key", seed)))


_seed_key_data = jitted(prng.seed_to_key_data)


def key_data(keys):
    """The uint32 data underlying keys: shape `keys.shape + (2,)` (raw keys come back unchanged)."""
    if is_typed_key(keys):
        return keys._base_array
    return check_key_data(keys)


def wrap_key_data(key_bits_array, *, impl=None):
    """Typed keys from uint32 key data whose trailing axis is 2 (the inverse of key_data)."""
    _check_impl(impl)
    if is_typed_key(key_bits_array):
        raise TypeError(f"wrap_key_data expects uint32 key data, got an array of typed keys.{user_line()}")
    return PRNGKeyArray(check_key_data(key_bits_array))


def key_impl(keys):
    """The name of the PRNG implementation behind `keys`."""
    if not is_typed_key(keys):
        check_key_data(keys)
    return IMPL_NAME


def key_dtype(impl=None):
    """The dtype of typed keys of `impl` (the default threefry2x32): key<fry>."""
    _check_impl(impl)
    return THREEFRY_KEY_DTYPE


# ---- deriving keys -------------------------------------------------------------------------------
def split(key, num=2):
    """`num` new keys (an int, or a shape of keys) derived from one key, in the key's form."""
    data, typed = key_data_of("split", key)
    shape = (_static_int(num, "split"),) if not isinstance(num, (tuple, list)) else \
        tuple(_static_int(n, "split") for n in num)
    return rewrap(_split_jit(data, shape), typed)


def _static_int(n, caller):
    try:
        n = int(n)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{caller} needs a static (Python) integer count, got {n!r}.{user_line()}") from e
    if n < 0:
        raise ValueError(f"{caller} needs a non-negative count, got {n}.{user_line()}")
    return n


_split_jit = jitted(prng.split_key_data, static_argnums=(1,))
_fold_in_jit = jitted(prng.fold_in_key_data)
_bits_jit = jitted(prng.random_bits_from_key_data, static_argnums=(1, 2))


def fold_in(key, data):
    """A new key that mixes the 32-bit integer `data` into `key`."""
    key_bits, typed = key_data_of("fold_in", key)
    from jaxlike import numpy as jnp
    data = data if isinstance(data, (Array, Tracer)) else jnp.asarray(data)
    if get_aval(data).shape != ():
        raise TypeError(f"fold_in expects scalar data, got shape {get_aval(data).shape}.{user_line()}")
    return rewrap(_fold_in_jit(key_bits, data), typed)


def clone(key):
    """A copy of a key (keys are immutable values, so it is the key itself)."""
    return key


def bits(key, shape=(), dtype=None):
    """Uniform random unsigned integers of `dtype` (default uint32) in an array of `shape`."""
    from jaxlike.random._common import canonical_shape
    data, _ = key_data_of("bits", key)
    dtype = dtypes.default_uint() if dtype is None else np.dtype(dtypes.check_user_dtype(dtype))
    if dtype.kind != "u":
        raise ValueError(f"dtype argument to `bits` must be an unsigned int dtype, got {dtype}.{user_line()}")
    dtype = dtypes.canonicalize_dtype(dtype)
    shape = canonical_shape("bits", shape)
    bit_width = dtype.itemsize * 8
    prng.check_bit_width(bit_width)
    return _bits_jit(data, bit_width, shape)
