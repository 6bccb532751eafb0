"""jaxlike.random: JAX's counter-based PRNG (Threefry-2x32) with JAX's keys and samplers.

For the same key, shape and dtype every function returns what jax.random returns (the default
threefry2x32 implementation, in partitionable mode), bit for bit.
"""
from jaxlike.random.keys import (PRNGKey, bits, clone, fold_in, key, key_data, key_dtype, key_impl,  # noqa: F401
                                 split, wrap_key_data)
from jaxlike.random.prng import threefry2x32_p, threefry_2x32  # noqa: F401
from jaxlike.random.samplers import *  # noqa: F401,F403
from jaxlike.random.gamma_samplers import *  # noqa: F401,F403
from jaxlike.random.combinatorics import *  # noqa: F401,F403
from jaxlike.random.discrete import *  # noqa: F401,F403
from jaxlike.random.multivariate import *  # noqa: F401,F403
from jaxlike.random.gamma_primitive import random_gamma_p  # noqa: F401
