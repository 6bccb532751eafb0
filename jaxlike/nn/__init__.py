"""jaxlike.nn: jax.nn's activations, softmax family, attention and initializers."""
from jaxlike.nn.functions import *  # noqa: F401,F403
from jaxlike.nn.attention import dot_product_attention  # noqa: F401
from jaxlike.nn.scaled import get_scaled_dot_general_config, scaled_dot_general, scaled_matmul  # noqa: F401
from jaxlike.nn import initializers  # noqa: F401
