"""jaxlike.debug: print and call back from inside jit, vmap and grad."""
from jaxlike.callbacks import debug_callback as callback  # noqa: F401
from jaxlike.callbacks import debug_print as print  # noqa: F401,A001

__all__ = ["callback", "print"]
