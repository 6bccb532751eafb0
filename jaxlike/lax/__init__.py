"""jaxlike.lax: the primitives, one family per module, each primitive with all its rules."""
from jaxlike.lax.elementwise import *  # noqa: F401,F403
from jaxlike.lax.structural import *  # noqa: F401,F403
from jaxlike.lax.reductions import *  # noqa: F401,F403
from jaxlike.lax.cumulative import *  # noqa: F401,F403
from jaxlike.lax.dot import *  # noqa: F401,F403
from jaxlike.lax.sorting import *  # noqa: F401,F403
from jaxlike.lax.slicing import *  # noqa: F401,F403
from jaxlike.lax.parallel import *  # noqa: F401,F403
from jaxlike.lax.convolution import *  # noqa: F401,F403
from jaxlike.lax.windowed import *  # noqa: F401,F403
from jaxlike.lax.special import *  # noqa: F401,F403
from jaxlike.lax.misc import *  # noqa: F401,F403
from jaxlike.lax.control_flow import *  # noqa: F401,F403
from jaxlike.lax import linalg, fft_ops  # noqa: F401,E402  (lax.fft is the function, as in JAX)
from jaxlike.lax.fft_ops import *  # noqa: F401,F403,E402
