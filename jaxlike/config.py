"""Global configuration, with JAX's option names (`jaxlike.config.update("jax_enable_x64", True)`)."""
import contextlib
import os


def _env_flag(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


class Config:
    """Holds option values; read as attributes, change with `update`."""

    _defaults = {
        "jax_enable_x64": lambda: _env_flag("JAX_ENABLE_X64") or _env_flag("JAXLIKE_ENABLE_X64"),
        "jax_platforms": lambda: os.environ.get("JAXLIKE_PLATFORMS") or os.environ.get("JAX_PLATFORMS") or None,
        "jax_platform_name": lambda: os.environ.get("JAX_PLATFORM_NAME") or None,
        "jax_default_matmul_precision": lambda: None,
        "jax_numpy_rank_promotion": lambda: "allow",
        "jax_numpy_dtype_promotion": lambda: "standard",
        "jax_debug_nans": lambda: False,
        "jax_disable_jit": lambda: False,
        "jaxlike_executable_cache_size": lambda: 4096,
    }

    # Options a trace depends on: jit keys its cache on them.
    TRACE_CONTEXT_OPTIONS = ("jax_enable_x64", "jax_numpy_rank_promotion", "jax_numpy_dtype_promotion",
                             "jax_default_matmul_precision")

    def __init__(self):
        object.__setattr__(self, "_values", {k: f() for k, f in self._defaults.items()})
        object.__setattr__(self, "_listeners", [])
        self._refresh_trace_context()

    def _refresh_trace_context(self):
        object.__setattr__(self, "trace_context", tuple(self._values[n] for n in self.TRACE_CONTEXT_OPTIONS))

    def update(self, name, value):
        """Sets option `name` (JAX's name) to `value`."""
        if name not in self._values:
            raise AttributeError(f"Unrecognized config option: {name!r}. Known options: {sorted(self._values)}")
        if name == "jax_numpy_rank_promotion" and value not in ("allow", "warn", "raise"):
            raise ValueError(f"jax_numpy_rank_promotion must be 'allow', 'warn' or 'raise', got {value!r}")
        self._values[name] = value
        self._refresh_trace_context()
        for listener in self._listeners:
            listener(name, value)

    def read(self, name):
        return self._values[name]

    def __getattr__(self, name):
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"Unrecognized config option: {name!r}") from None

    def __setattr__(self, name, value):
        self.update(name, value)

    def on_change(self, listener):
        self._listeners.append(listener)

    @contextlib.contextmanager
    def option(self, name, value):
        """Temporarily sets an option inside a `with` block."""
        old = self._values[name]
        self.update(name, value)
        try:
            yield
        finally:
            self.update(name, old)


config = Config()


def enable_x64(new_val=True):
    """Context manager that turns 64-bit types on (or off) inside a `with` block."""
    return config.option("jax_enable_x64", bool(new_val))
