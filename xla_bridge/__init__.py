"""The device layer: PJRT clients and devices, buffers, lowering to StableHLO, compiling and caching.

The only package of the project that touches jax or jaxlib; from jax it uses runtime glue
alone (devices, shardings, device buffers).
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")  # silence XLA's informational start-up lines

from xla_bridge.backends import default_device, devices, local_devices, platform_of  # noqa: E402
from xla_bridge.buffers import block_until_ready, device_of, from_host, to_host  # noqa: E402
from xla_bridge.compiler import CompiledComputation, compile_module  # noqa: E402
from xla_bridge.lowering import lower_jaxpr, lower_jaxpr_module  # noqa: E402

__all__ = ["default_device", "devices", "local_devices", "platform_of", "block_until_ready", "device_of",
           "from_host", "to_host", "CompiledComputation", "compile_module", "lower_jaxpr", "lower_jaxpr_module"]
