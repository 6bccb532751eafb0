"""jaxlike: a JAX-style numerical computing library (NumPy API, jit, grad, vmap) on XLA."""
from jaxlike.config import config, enable_x64  # noqa: F401
from jaxlike import dtypes  # noqa: F401
from jaxlike import dispatch as _dispatch  # noqa: F401  (installs eager execution)
from jaxlike.array import Array  # noqa: F401
from jaxlike.api import (block_until_ready, default_backend, device_count, device_get, device_put, devices,  # noqa: F401
                         local_device_count, local_devices, process_count, process_index)
from jaxlike import tree_util, tree  # noqa: F401
from jaxlike import lax  # noqa: F401
from jaxlike import numpy  # noqa: F401
from jaxlike import random  # noqa: F401
from jaxlike import nn  # noqa: F401
from jaxlike.transforms.jit import disable_jit, jit, make_jaxpr  # noqa: F401
from jaxlike.transforms.shapes import ShapeDtypeStruct, eval_shape  # noqa: F401
from jaxlike.transforms.vmap import vmap  # noqa: F401
from jaxlike.transforms.autodiff import grad, hessian, jacfwd, jacrev, jvp, linearize, value_and_grad, vjp  # noqa: F401
from jaxlike.transforms.ad import float0  # noqa: F401
from jaxlike.transforms.custom_derivatives import custom_jvp, custom_vjp  # noqa: F401
from jaxlike.transforms.remat import checkpoint, checkpoint_policies, remat  # noqa: F401
from jaxlike.transforms import remat as ad_checkpoint  # noqa: F401  (jax.ad_checkpoint.checkpoint_name)
from jaxlike.errors import (ConcretizationTypeError, TracerArrayConversionError,  # noqa: F401
                            TracerBoolConversionError, TracerIntegerConversionError, UnexpectedTracerError)
from jaxlike.core import Tracer as _Tracer  # noqa: F401
from jaxlike import errors  # noqa: F401
from jaxlike import debug  # noqa: F401
from jaxlike.callbacks import pure_callback  # noqa: F401
from jaxlike.transforms.calls import named_call  # noqa: F401

__version__ = "0.1.0"
