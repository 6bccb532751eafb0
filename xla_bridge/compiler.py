"""Compiles StableHLO modules with PJRT and runs them on device buffers."""
import jaxlib.xla_client as xc

try:
    from jaxlib._jax import DeviceList
except ImportError:  # older layouts
    DeviceList = xc.DeviceList


class CompileError(RuntimeError):
    """XLA rejected a module; the message carries XLA's reason and the module text's location."""


def _compile_options():
    options = xc.CompileOptions()
    build = options.executable_build_options
    build.num_replicas = 1
    build.num_partitions = 1
    return options


def _parse_module(module_text):
    """An MLIR module object for `module_text` (needed when host callbacks are attached)."""
    from jaxlib.mlir import ir
    from jaxlib.mlir._mlir_libs import _jax_mlir_ext
    from jaxlib.mlir.dialects import chlo, stablehlo
    registry = ir.DialectRegistry()
    _jax_mlir_ext.register_dialects(registry)
    context = ir.Context()
    context.append_dialect_registry(registry)
    context.load_all_available_dialects()
    stablehlo.register_dialect(context)
    chlo.register_dialect(context)
    with context:
        return ir.Module.parse(module_text), context


def compile_module(module_text, device, host_callbacks=()):
    """Compiles MLIR text for one device; returns jaxlib's loaded executable."""
    client = device.client
    compile_fn = getattr(client, "compile_and_load", None) or client.compile
    try:
        if host_callbacks:
            module, context = _parse_module(module_text)
            with context:
                return compile_fn(module, DeviceList((device,)), _compile_options(),
                                  host_callbacks=list(host_callbacks))
        return compile_fn(module_text, DeviceList((device,)), _compile_options())
    except Exception as e:  # XlaRuntimeError and MLIR parse errors
        raise CompileError(f"{e}\n--- module ---\n{_numbered(module_text)}") from None


def _numbered(text, limit=200):
    lines = text.splitlines()
    shown = [f"{i + 1:4d} {line}" for i, line in enumerate(lines[:limit])]
    if len(lines) > limit:
        shown.append(f"     ... ({len(lines) - limit} more lines)")
    return "\n".join(shown)


def _result_handlers(out_avals, device):
    """C++ handlers that wrap each output buffer without calling back into Python (None if unavailable)."""
    from xla_bridge.buffers import sharding_of
    try:
        return [xc.array_result_handler(aval, sharding_of(device), True, True) for aval in out_avals]
    except (AttributeError, TypeError):
        return None


class CompiledComputation:
    """A compiled executable for one device, called with and returning device buffers."""

    __slots__ = ("executable", "device", "module_text", "n_outputs", "_execute", "_handlers", "host_callbacks")

    def __init__(self, module_text, device, out_avals, host_callbacks=()):
        self.module_text = module_text
        self.device = device
        self.n_outputs = len(out_avals)
        self.host_callbacks = tuple(host_callbacks)  # kept alive as long as the executable
        self.executable = compile_module(module_text, device, self.host_callbacks)
        self._execute = self.executable.execute_sharded
        self._handlers = _result_handlers(out_avals, device)

    def __call__(self, buffers):
        results = self._execute(buffers)
        if self._handlers is not None:
            return results.consume_with_handlers(self._handlers)
        return [r[0] for r in results.disassemble_into_single_device_arrays()]

    def hlo_text(self):
        return self.executable.hlo_modules()[0].to_string()

    def memory_stats(self):
        return self.executable.get_compiled_memory_stats()

    def cost_analysis(self):
        return self.executable.cost_analysis()
