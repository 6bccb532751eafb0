"""xla_bridge: devices, platform choice, lowering text, compile cache bounds."""
import os
import subprocess
import sys

import numpy as np
import pytest

import jaxlike
import jaxlike.numpy as jnp
import xla_bridge
from jaxlike import dispatch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_cpu_devices_always_available():
    cpus = jaxlike.devices("cpu")
    assert cpus and cpus[0].platform == "cpu"
    assert jaxlike.default_backend() in ("cpu", "gpu", "tpu")


def test_unknown_backend_is_a_clear_error():
    with pytest.raises(ValueError, match="Unknown backend"):
        jaxlike.devices("quantum")


def test_platform_env_var_selects_cpu():
    code = "import jaxlike; print(jaxlike.devices()[0].platform, jaxlike.default_backend())"
    env = dict(os.environ, JAXLIKE_PLATFORMS="cpu", PYTHONPATH=ROOT)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["cpu", "cpu"]


def test_device_put_commits_to_a_device():
    cpu = jaxlike.devices("cpu")[0]
    x = jaxlike.device_put(np.arange(4.0), cpu)
    assert x.committed and x.device == cpu
    y = x * 2
    assert y.device == cpu


def test_lowered_text_is_stablehlo():
    text = jaxlike.jit(lambda x: jnp.sin(x) * 2.0).lower(jnp.ones(3)).as_text()
    assert "func.func public @main" in text and "stablehlo.sine" in text and "stablehlo.multiply" in text


def test_eager_cache_is_bounded():
    cache = dispatch.ExecutableCache(3)
    for i in range(10):
        cache.put(i, i)
    assert len(cache) == 3 and cache.get(9) == 9 and cache.get(0) is None


def test_eager_ops_compile_once_per_signature():
    x = jnp.ones((7, 3))
    x + x  # warm
    before = dispatch.eager_cache.misses
    for _ in range(5):
        x + x
    assert dispatch.eager_cache.misses == before
    z = jnp.ones((7, 4))
    before = dispatch.eager_cache.misses
    z + z
    assert dispatch.eager_cache.misses == before + 1


def test_compile_error_carries_module_text():
    with pytest.raises(xla_bridge.compiler.CompileError, match="module"):
        xla_bridge.compile_module("module { func.func @main() -> () { stablehlo.bogus } }",
                                  jaxlike.devices("cpu")[0])
