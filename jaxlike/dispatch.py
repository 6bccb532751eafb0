"""Eager mode: one primitive on concrete arrays runs on the device through a cached executable.

The cache key is (primitive, params, input avals, device); an entry holds the compiled
executable and the output avals. Nothing here computes on the host.
"""
import xla_bridge
from jaxlike import core
from jaxlike.array import Array, as_operand
from jaxlike.config import config
from jaxlike.core import Tracer
from jaxlike.ir import Eqn, Jaxpr, Var


class ExecutableCache:
    """A bounded cache (oldest entries go first) of compiled computations."""

    def __init__(self, capacity):
        self.capacity = capacity
        self.entries = {}
        self.misses = 0

    def get(self, key):
        return self.entries.get(key)

    def put(self, key, value):
        self.misses += 1
        if len(self.entries) >= self.capacity:
            del self.entries[next(iter(self.entries))]
        self.entries[key] = value

    def clear(self):
        self.entries.clear()

    def __len__(self):
        return len(self.entries)


eager_cache = ExecutableCache(config.read("jaxlike_executable_cache_size"))


class _Entry:
    __slots__ = ("run", "out_avals", "multiple_results")

    def __init__(self, run, out_avals, multiple_results):
        self.run, self.out_avals, self.multiple_results = run, out_avals, multiple_results


def _device_of_args(args):
    for a in args:
        device = a._device
        if device is not None:
            return device
    return xla_bridge.default_device()


def apply_primitive(prim, args, params):
    """Runs `prim` on concrete arrays on the device; the eager impl of every primitive."""
    try:
        avals = tuple([a.aval for a in args])
        device = _device_of_args(args)
    except AttributeError:
        args = _as_arrays(prim, args)
        avals = tuple([a.aval for a in args])
        device = _device_of_args(args)
    key = (prim, tuple(params.items()), avals, device)
    entry = eager_cache.get(key)
    if entry is None:
        entry = _compile_primitive(prim, avals, params, device)
        eager_cache.put(key, entry)
    buffers = [a._buf if a._buf is not None else a._materialize(device) for a in args]
    outs = entry.run(buffers)
    if entry.multiple_results:
        return [Array._from_buffer(b, aval) for b, aval in zip(outs, entry.out_avals)]
    return Array._from_buffer(outs[0], entry.out_avals[0])


def _as_arrays(prim, args):
    out = []
    for a in args:
        if isinstance(a, Tracer):
            raise core.leaked_tracer_error(a)
        out.append(as_operand(a))
    return out


def _compile_primitive(prim, avals, params, device):
    out = prim.abstract_eval(*avals, **params)
    out_avals = list(out) if prim.multiple_results else [out]
    invars = [Var(a) for a in avals]
    outvars = [Var(a) for a in out_avals]
    jaxpr = Jaxpr([], invars, outvars, [Eqn(prim, invars, outvars, params)])
    computation = compile_jaxpr(jaxpr, device, name=prim.name)
    return _Entry(computation, out_avals, prim.multiple_results)


def compile_jaxpr(jaxpr, device, name="main", donated_invars=None):
    """Lowers and compiles a jaxpr (no constvars) for `device`."""
    lowered = xla_bridge.lower_jaxpr_module(jaxpr, name=_module_name(name), donated_invars=donated_invars,
                                            platform=xla_bridge.platform_of(device))
    return xla_bridge.CompiledComputation(lowered.text, device, [v.aval for v in jaxpr.outvars],
                                          lowered.host_callbacks)


def _module_name(name):
    cleaned = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
    return ("jit_" + cleaned) if cleaned and not cleaned[0].isdigit() else "jit_fn"


core.eager_impl_hook = apply_primitive
