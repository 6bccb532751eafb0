"""jit and make_jaxpr: trace a Python function once per signature, compile it with XLA, cache it."""
import functools
import inspect

from jaxlike import core, tree_util
from jaxlike.array import Array, as_operand
from jaxlike.config import config
from jaxlike.core import EvalTrace, get_aval
from jaxlike.dispatch import _device_of_args, _module_name, compile_jaxpr
from jaxlike.ir import ClosedJaxpr, Jaxpr, consts_as_invars, eval_jaxpr
from jaxlike.source_info import user_line
from jaxlike.tracing import trace_to_jaxpr
from jaxlike.transforms.calls import call_closed
import xla_bridge


def _normalize_argnums(argnums):
    if argnums is None:
        return ()
    if isinstance(argnums, int):
        argnums = (argnums,)
    return tuple(int(a) for a in argnums)


def _normalize_argnames(argnames):
    if argnames is None:
        return ()
    if isinstance(argnames, str):
        return (argnames,)
    return tuple(argnames)


_CACHE_SIZE = 4096  # traced signatures kept per jitted function (oldest dropped first)


class _Traced:
    """One traced signature: the jaxpr (consts as leading invars), its consts, output tree, executables."""

    __slots__ = ("jaxpr", "consts", "out_tree", "out_avals", "executables", "concrete_consts", "name",
                 "donated", "key", "view", "single_output", "__weakref__")

    def __init__(self, closed, out_tree, name, donated, key):
        self.key = key
        self.jaxpr = consts_as_invars(closed.jaxpr)
        self.consts = list(closed.consts)
        self.concrete_consts = all(isinstance(c, Array) for c in self.consts)
        self.out_tree = out_tree
        self.out_avals = closed.jaxpr.out_avals
        self.executables = {}
        self.name = name
        self.donated = (False,) * len(self.consts) + tuple(donated)
        self.view = _ClosedView(self)  # one identity per signature: transforms of closed_call cache on it
        self.single_output = out_tree.num_leaves == 1 and out_tree == _SINGLE_LEAF

    def executable(self, device):
        run = self.executables.get(device)
        if run is None:
            run = self.executables[device] = compile_jaxpr(self.jaxpr, device, self.name,
                                                           self.donated if any(self.donated) else None)
        return run


class JitFunction:
    """The callable returned by `jit`: traces once per signature and runs compiled code."""

    def __init__(self, fun, static_argnums=(), static_argnames=(), donate_argnums=(), donate_argnames=(),
                 inline=False, device=None, backend=None):
        self.fun = fun
        functools.update_wrapper(self, fun, updated=())
        self.name = getattr(fun, "__name__", "fun")
        try:
            self._signature = inspect.signature(fun)
        except (TypeError, ValueError):
            self._signature = None
        static_argnums = _normalize_argnums(static_argnums)
        static_argnames = _normalize_argnames(static_argnames)
        static_argnums, static_argnames = self._infer_static(static_argnums, static_argnames)
        self.static_argnums = frozenset(static_argnums)
        self.static_argnames = frozenset(static_argnames)
        self.donate_argnums = frozenset(self._infer_donate(_normalize_argnums(donate_argnums),
                                                           _normalize_argnames(donate_argnames)))
        self.inline = inline
        self.device = device if device is not None else (xla_bridge.devices(backend)[0] if backend else None)
        self._cache = {}
        self._fast = {}  # signature of flat array arguments -> (traced, executable, const buffers)
        self._fast_ok = not self.static_argnums and not self.static_argnames and self.device is None
        self.trace_count = 0

    def _infer_static(self, nums, names):
        """Fills in static argnames from argnums and vice versa, as JAX does, using the signature."""
        if self._signature is None:
            return nums, names
        params = list(self._signature.parameters.values())
        positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        _check_static_spec(params, positional, nums, names)
        in_range = lambda i: -len(positional) <= i < len(positional)
        names = set(names) | {positional[i].name for i in nums if in_range(i)}
        nums = {i % len(positional) if in_range(i) else i for i in nums}
        nums |= {i for i, p in enumerate(positional) if p.name in names}
        return tuple(sorted(nums)), tuple(sorted(names))

    def _infer_donate(self, nums, names):
        """Donated positions, with negative numbers and names resolved against the signature."""
        if self._signature is None:
            return nums
        positional = [p.name for p in self._signature.parameters.values()
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        nums = {i % len(positional) if -len(positional) <= i < 0 else i for i in nums}
        return tuple(nums | {positional.index(n) for n in names if n in positional})

    # -- signature ---------------------------------------------------------------------------
    def _split(self, args, kwargs):
        static, dynamic_args, donated_flags = [], [], []
        for i, a in enumerate(args):
            if i in self.static_argnums:
                static.append((i, type(a), _hashable_static(a, i, self.name)))
            else:
                dynamic_args.append(a)
                donated_flags.append(i in self.donate_argnums)
        dynamic_kwargs = {}
        for k, v in kwargs.items():
            if k in self.static_argnames:
                static.append((k, type(v), _hashable_static(v, k, self.name)))
            else:
                dynamic_kwargs[k] = v
        return tuple(static), tuple(dynamic_args), dynamic_kwargs, donated_flags

    def _prepare(self, args, kwargs, abstract_ok=False):
        static, dyn_args, dyn_kwargs, donated_flags = self._split(args, kwargs)
        leaves, in_tree = tree_util.tree_flatten((dyn_args, dyn_kwargs))
        leaves = [x if isinstance(x, (Array, core.Tracer)) else _as_jit_operand(x, self.name, abstract_ok)
                  for x in leaves]
        avals = tuple([x.aval for x in leaves])
        key = (in_tree, avals, static, _trace_context())
        return key, leaves, in_tree, static, donated_flags

    def _get_traced(self, key, leaves, in_tree, static, donated_flags, args, kwargs):
        traced = self._cache.get(key)
        if traced is not None:
            return traced
        static_kw = [k for k, _, _ in static if isinstance(k, str)]
        out_tree_box = []

        def flat_fun(*flat):
            dyn_args, dyn_kwargs = tree_util.tree_unflatten(in_tree, flat)
            full_args = _merge_args(args, dyn_args, self.static_argnums)
            full_kwargs = dict(dyn_kwargs)
            full_kwargs.update({k: kwargs[k] for k in static_kw})
            out = self.fun(*full_args, **full_kwargs)
            out_leaves, out_tree = tree_util.tree_flatten(out)
            for leaf in out_leaves:
                if not core.is_valid_operand(leaf):
                    raise TypeError(f"A jitted function's outputs must be arrays (or pytrees of arrays); "
                                    f"{self.name} returned a value of type {type(leaf).__name__}: {leaf!r:.60}."
                                    f"{user_line()}")
            out_tree_box.append(out_tree)
            return out_leaves

        self.trace_count += 1
        closed = trace_to_jaxpr(flat_fun, [x.aval for x in leaves], name=f"jit({self.name})")
        donated = _donated_leaves(in_tree, donated_flags, len(leaves))
        traced = _Traced(closed, out_tree_box[0], self.name, donated, key)
        if traced.concrete_consts:
            if len(self._cache) >= _CACHE_SIZE:
                del self._cache[next(iter(self._cache))]
            self._cache[key] = traced
        return traced

    # -- calling -------------------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        if not kwargs and self._fast_ok:
            result = self._call_fast(args)
            if result is not _MISS:
                return result
        if config.read("jax_disable_jit"):
            return self.fun(*args, **kwargs)
        key, leaves, in_tree, static, donated_flags = self._prepare(args, kwargs)
        traced = self._get_traced(key, leaves, in_tree, static, donated_flags, args, kwargs)
        if type(core.current_trace()) is EvalTrace and all(type(x) is Array for x in leaves):
            outs = self._run(traced, leaves)
            if self._fast_ok and not kwargs and traced.concrete_consts:
                self._remember_fast(args, traced)
        elif self.inline:
            outs = eval_jaxpr(traced.jaxpr, [], *traced.consts, *leaves)
        else:
            outs = call_closed(traced.view, leaves, self.name)
        return tree_util.tree_unflatten(traced.out_tree, outs)

    def _call_fast(self, args):
        """Uncommitted array arguments (flat or in pytrees) on the base trace: skip key building."""
        if type(core._context.trace) is not EvalTrace:
            return _MISS
        leaves, tree = _fast_leaves(args)
        if leaves is None:
            return _MISS
        entry = self._fast.get((tree, tuple([a.aval for a in leaves]), _trace_context()))
        if entry is None or config.read("jax_disable_jit"):
            return _MISS
        traced, run, const_buffers = entry
        outs = run(const_buffers + [a._buf if a._buf is not None else a._materialize() for a in leaves])
        if traced.single_output:
            return Array._from_buffer(outs[0], traced.out_avals[0])
        return tree_util.tree_unflatten(traced.out_tree, [Array._from_buffer(b, aval)
                                                          for b, aval in zip(outs, traced.out_avals)])

    def _remember_fast(self, args, traced):
        leaves, tree = _fast_leaves(args)
        if leaves is None:
            return
        if len(self._fast) >= _CACHE_SIZE:
            del self._fast[next(iter(self._fast))]
        device = xla_bridge.default_device()
        self._fast[(tree, tuple([a.aval for a in leaves]), _trace_context())] = (
            traced, traced.executable(device), [c._materialize(device) for c in traced.consts])

    def _run(self, traced, leaves):
        all_args = traced.consts + leaves
        device = self.device or _device_of_args(all_args)
        run = traced.executable(device)
        buffers = [a._buf if a._buf is not None else a._materialize(device) for a in all_args]
        outs = run(buffers)
        return [Array._from_buffer(b, aval) for b, aval in zip(outs, traced.out_avals)]

    # -- AOT ------------------------------------------------------------------------------------
    def trace(self, *args, **kwargs):
        """Traces for these arguments; returns an object with `.jaxpr` and `.lower()`."""
        key, leaves, in_tree, static, donated_flags = self._prepare(args, kwargs, abstract_ok=True)
        return Traced(self, self._get_traced(key, leaves, in_tree, static, donated_flags, args, kwargs), leaves)

    def lower(self, *args, **kwargs):
        """Lowers for these arguments; `.as_text()` is the StableHLO module, `.compile()` compiles it."""
        return self.trace(*args, **kwargs).lower()

    def eval_shape(self, *args, **kwargs):
        """The ShapeDtypeStructs of the outputs for these arguments (arrays or ShapeDtypeStructs)."""
        return self.trace(*args, **kwargs).out_info

    def clear_cache(self):
        self._cache.clear()
        self._fast.clear()

    def _cache_size(self):
        return len(self._cache)

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        return functools.partial(self, obj)

    def __repr__(self):
        return f"<jaxlike.jit of {self.fun!r}>"


class _ClosedView:
    """A ClosedJaxpr-shaped view of a traced signature, for binding closed_call."""

    def __init__(self, traced):
        n = len(traced.consts)
        self.jaxpr = Jaxpr(traced.jaxpr.invars[:n], traced.jaxpr.invars[n:], traced.jaxpr.outvars, traced.jaxpr.eqns)
        self.consts = traced.consts


class Traced:
    """The result of `jit(f).trace(*args)`."""

    def __init__(self, jit_fn, traced, leaves):
        self.jit_fn, self.traced, self.leaves = jit_fn, traced, leaves

    @property
    def jaxpr(self):
        """The ClosedJaxpr traced for these arguments."""
        return ClosedJaxpr(self.traced.view.jaxpr, self.traced.view.consts)

    @property
    def out_info(self):
        """ShapeDtypeStructs of the outputs, in the output's tree structure."""
        from jaxlike.transforms.shapes import ShapeDtypeStruct
        return tree_util.tree_unflatten(self.traced.out_tree, [ShapeDtypeStruct(a.shape, a.dtype, weak_type=a.weak_type)
                                                               for a in self.traced.out_avals])

    def lower(self):
        return Lowered(self.jit_fn, self.traced, self.leaves)


class Lowered:
    """The result of `jit(f).lower(*args)`."""

    def __init__(self, jit_fn, traced, leaves):
        self.jit_fn, self.traced, self.leaves = jit_fn, traced, leaves
        self.device = jit_fn.device or _device_of_args([a for a in traced.consts + leaves if isinstance(a, Array)])

    out_info = Traced.out_info

    def as_text(self, dialect="stablehlo"):
        """The StableHLO module, as text."""
        return xla_bridge.lower_jaxpr(self.traced.jaxpr, name=_module_name(self.traced.name),
                                      donated_invars=self.traced.donated if any(self.traced.donated) else None)

    def compile(self):
        """Compiles the lowered module with XLA for the device of the arguments."""
        return Compiled(self.jit_fn, self.traced, self.traced.executable(self.device))


class Compiled:
    """A compiled executable for one signature; call it with arrays of that signature."""

    def __init__(self, jit_fn, traced, run):
        self.jit_fn, self.traced, self.run = jit_fn, traced, run

    out_info = Traced.out_info

    def __call__(self, *args, **kwargs):
        """Runs the executable; the arguments must have the signature it was compiled for."""
        key, leaves, _, _, _ = self.jit_fn._prepare(args, kwargs)
        if key != self.traced.key:
            expected = ", ".join(a.str_short() for a in self.traced.key[1])
            got = ", ".join(x.aval.str_short() for x in leaves)
            raise TypeError(f"Argument types differ from the types for which {self.jit_fn.name} was compiled: "
                            f"expected ({expected}), got ({got}).{user_line()}")
        if type(core.current_trace()) is not EvalTrace or not all(type(x) is Array for x in leaves):
            return self.jit_fn(*args, **kwargs)
        return tree_util.tree_unflatten(self.traced.out_tree, self.jit_fn._run(self.traced, leaves))

    def as_text(self):
        """The optimised HLO XLA compiled."""
        return self.run.hlo_text()

    def memory_analysis(self):
        return self.run.memory_stats()

    def cost_analysis(self):
        return self.run.cost_analysis()


_MISS = object()


def _fast_leaves(args):
    """(leaves, tree) when every leaf of `args` is an uncommitted Array; tree is None for flat args."""
    tree = None
    for a in args:
        if type(a) is not Array:
            args, tree = tree_util.tree_flatten(args)
            break
    for a in args:
        if type(a) is not Array or a._device is not None:
            return None, None
    return args, tree
_SINGLE_LEAF = tree_util.tree_structure(0)

def _trace_context():
    """The configuration a trace depends on (a function traced without x64 differs from one traced with it)."""
    return config.trace_context


def _hashable_static(value, where, fname):
    try:
        hash(value)
    except TypeError:
        raise ValueError(f"Non-hashable static argument {where!r} of jitted function {fname}: values passed "
                         f"as static_argnums/static_argnames must be hashable, got {type(value).__name__}. "
                         f"Pass arrays as ordinary (traced) arguments, or convert lists to tuples.{user_line()}"
                         ) from None
    return value


def _as_jit_operand(x, fname, abstract_ok=False):
    if hasattr(x, "aval"):
        if abstract_ok:
            return x
        raise TypeError(f"Argument of type {type(x).__name__} ({x!r:.60}) passed to jitted function {fname} is not "
                        "a valid array type: abstract values (ShapeDtypeStruct) can be passed to .trace(), "
                        f".lower() and .eval_shape(), not to the function itself.{user_line()}")
    try:
        return as_operand(x)
    except TypeError:
        raise TypeError(f"Argument of type {type(x).__name__} ({x!r:.60}) passed to jitted function {fname} is not "
                        "a valid array type. Pass arrays or scalars, or mark the argument static with "
                        f"static_argnums.{user_line()}") from None


def _check_static_spec(params, positional, nums, names):
    """JAX's jit-time checks: static_argnums within the positional parameters, static_argnames existing ones."""
    kinds = {p.kind for p in params}
    var_positional = inspect.Parameter.VAR_POSITIONAL in kinds
    for i in nums:
        if not var_positional and not -len(positional) <= i < len(positional):
            raise ValueError(f"Jitted function has static_argnums={tuple(nums)}, but only accepts "
                             f"{len(positional)} positional arguments.")
    keyword_names = {p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    unknown = set(names) - keyword_names
    if unknown and inspect.Parameter.VAR_KEYWORD not in kinds:
        raise ValueError(f"Jitted function has invalid argnames {unknown} in static_argnames. Function does not "
                         f"take these args.")


def _merge_args(original, dyn_args, static_argnums):
    dyn = iter(dyn_args)
    return [original[i] if i in static_argnums else next(dyn) for i in range(len(original))]


def _donated_leaves(in_tree, donated_flags, n_leaves):
    """Per-leaf donation flags: a donated positional argument donates all its leaves."""
    if not any(donated_flags):
        return (False,) * n_leaves
    dyn_args_tree = in_tree.children()[0]
    flags = []
    for flag, sub in zip(donated_flags, dyn_args_tree.children()):
        flags.extend([flag] * sub.num_leaves)
    flags.extend([False] * (n_leaves - len(flags)))
    return tuple(flags)


def jit(fun=None, *, static_argnums=None, static_argnames=None, donate_argnums=None, donate_argnames=None,
        inline=False, device=None, backend=None, keep_unused=False, abstracted_axes=None, in_shardings=None,
        out_shardings=None):
    """jax.jit: compile `fun` with XLA, tracing once per argument signature."""
    if fun is None:
        return lambda f: jit(f, static_argnums=static_argnums, static_argnames=static_argnames,
                             donate_argnums=donate_argnums, donate_argnames=donate_argnames, inline=inline,
                             device=device, backend=backend)
    if not callable(fun):
        raise TypeError(f"jit expects a callable, got {type(fun).__name__}.")
    return JitFunction(fun, static_argnums, static_argnames, donate_argnums, donate_argnames, inline, device,
                       backend)


def make_jaxpr(fun, static_argnums=(), return_shape=False, abstracted_axes=None, axis_env=None):
    """jax.make_jaxpr: a function returning the ClosedJaxpr of `fun` for the given arguments."""
    static = _normalize_argnums(static_argnums)

    @functools.wraps(fun)
    def make(*args, **kwargs):
        static_set = frozenset(i % len(args) if -len(args) <= i < len(args) else i for i in static)
        dyn = [a for i, a in enumerate(args) if i not in static_set]
        leaves, in_tree = tree_util.tree_flatten((dyn, kwargs))
        leaves = [x if hasattr(x, "aval") else as_operand(x) for x in leaves]
        out_tree_box = []

        def flat_fun(*flat):
            dyn_args, dyn_kwargs = tree_util.tree_unflatten(in_tree, flat)
            full = _merge_args(args, dyn_args, static_set)
            out_leaves, out_tree = tree_util.tree_flatten(fun(*full, **dyn_kwargs))
            out_tree_box.append(out_tree)
            return out_leaves

        closed = trace_to_jaxpr(flat_fun, [get_aval(x) for x in leaves], name="make_jaxpr")
        if return_shape:
            from jaxlike.transforms.shapes import ShapeDtypeStruct
            shapes = [ShapeDtypeStruct(a.shape, a.dtype, weak_type=a.weak_type) for a in closed.out_avals]
            return closed, tree_util.tree_unflatten(out_tree_box[0], shapes)
        return closed
    return make


def disable_jit(disable=True):
    """jax.disable_jit: a context manager under which jitted functions run their Python eagerly."""
    return config.option("jax_disable_jit", bool(disable))
