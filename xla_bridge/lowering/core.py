"""The lowering machinery: types, constants, SSA names, and the walk over a jaxpr."""
import ml_dtypes
import numpy as np

lowering_rules = {}


def register(*names):
    """Decorator registering a lowering rule for the primitives named."""
    def wrap(fn):
        for name in names:
            lowering_rules[name] = fn
        return fn
    return wrap


_ELEMENT_TYPES = {
    np.dtype(np.bool_): "i1",
    np.dtype(np.int8): "i8", np.dtype(np.int16): "i16", np.dtype(np.int32): "i32", np.dtype(np.int64): "i64",
    np.dtype(np.uint8): "ui8", np.dtype(np.uint16): "ui16", np.dtype(np.uint32): "ui32", np.dtype(np.uint64): "ui64",
    np.dtype(np.float16): "f16", np.dtype(np.float32): "f32", np.dtype(np.float64): "f64",
    np.dtype(ml_dtypes.bfloat16): "bf16",
    np.dtype(np.complex64): "complex<f32>", np.dtype(np.complex128): "complex<f64>",
    np.dtype(ml_dtypes.int4): "i4", np.dtype(ml_dtypes.uint4): "ui4",
    np.dtype(ml_dtypes.int2): "i2", np.dtype(ml_dtypes.uint2): "ui2",
}
for _name, _mlir in (("float8_e4m3fn", "f8E4M3FN"), ("float8_e5m2", "f8E5M2"), ("float8_e4m3fnuz", "f8E4M3FNUZ"),
                     ("float8_e5m2fnuz", "f8E5M2FNUZ"), ("float8_e4m3b11fnuz", "f8E4M3B11FNUZ"),
                     ("float8_e3m4", "f8E3M4"), ("float8_e4m3", "f8E4M3"), ("float8_e8m0fnu", "f8E8M0FNU"),
                     ("float4_e2m1fn", "f4E2M1FN")):
    if hasattr(ml_dtypes, _name):
        _ELEMENT_TYPES[np.dtype(getattr(ml_dtypes, _name))] = _mlir


def element_type(dtype):
    return _ELEMENT_TYPES[np.dtype(dtype)]


def tensor_type(aval_or_shape, dtype=None):
    """'tensor<2x3xf32>' for an aval (or a shape and a dtype)."""
    if dtype is None:
        shape, dtype = aval_or_shape.shape, aval_or_shape.dtype
    else:
        shape = aval_or_shape
    dims = "".join(f"{d}x" for d in shape)
    return f"tensor<{dims}{element_type(dtype)}>"


def dense_attr(value, dtype):
    """A dense elements attribute holding `value` (a NumPy array) as `dtype`."""
    value = np.ascontiguousarray(value, dtype=dtype)
    flat = value.reshape(-1)
    if np.dtype(dtype) == np.bool_:
        if flat.size and (flat.all() or not flat.any()):
            return f"dense<{'true' if flat[0] else 'false'}>"
        return f"dense<{_nested_bools(value)}>"
    if flat.size > 1 and (flat.view(np.uint8).reshape(flat.size, -1) == flat[:1].view(np.uint8)).all():
        flat = flat[:1]  # a splat: one element stands for all
    return f'dense<"0x{flat.tobytes().hex().upper()}">'


_SUB_BYTE = {np.dtype(t) for t in (ml_dtypes.int4, ml_dtypes.uint4, ml_dtypes.int2, ml_dtypes.uint2)}
if hasattr(ml_dtypes, "float4_e2m1fn"):
    _SUB_BYTE.add(np.dtype(ml_dtypes.float4_e2m1fn))


def _nested_bools(value):
    if value.ndim == 0:
        return "true" if value else "false"
    return "[" + ", ".join(_nested_bools(v) for v in value) + "]"


class FunctionBuilder:
    """Collects the lines of one function body and hands out fresh SSA names."""

    def __init__(self, module):
        self.module = module
        self.lines = []

    def fresh(self):
        return self.module.fresh()

    def emit(self, text, n_results=1):
        """Appends `%v = text`; returns the result name, or a list of names when n_results != 1."""
        if n_results == 0:
            self.lines.append(text)
            return []
        name = self.fresh()
        if n_results == 1:
            self.lines.append(f"{name} = {text}")
            return name
        self.lines.append(f"{name}:{n_results} = {text}")
        return [f"{name}#{i}" for i in range(n_results)]


class ModuleBuilder:
    """A module under construction: a counter for SSA names, its platform, and its host callbacks."""

    def __init__(self, platform="cpu"):
        self.counter = 0
        self.platform = platform
        self.host_callbacks = []

    def add_host_callback(self, fn):
        """Registers a Python function called from compiled code; returns its index."""
        self.host_callbacks.append(fn)
        return len(self.host_callbacks) - 1

    def fresh(self):
        self.counter += 1
        return f"%{self.counter}"


class RuleContext:
    """What a lowering rule sees: its builder, and the abstract values of operands and results."""

    __slots__ = ("builder", "avals_in", "avals_out", "source")

    def __init__(self, builder, avals_in, avals_out, source=None):
        self.builder, self.avals_in, self.avals_out, self.source = builder, avals_in, avals_out, source

    def op(self, name, operands, result_avals, attrs="", operand_avals=None, regions=None):
        """Emits a generic-form op `"name"(operands) ({regions}) {attrs} : (types) -> types`."""
        operand_avals = self.avals_in if operand_avals is None else operand_avals
        in_types = ", ".join(tensor_type(a) for a in operand_avals)
        if isinstance(result_avals, (list, tuple)):
            out_types, n = "(" + ", ".join(tensor_type(a) for a in result_avals) + ")", len(result_avals)
        else:
            out_types, n = tensor_type(result_avals), 1
        region_text = f" ({', '.join(regions)})" if regions else ""
        attr_text = f" {{{attrs}}}" if attrs else ""
        return self.builder.emit(f'"{name}"({", ".join(operands)}){region_text}{attr_text} : ({in_types}) -> {out_types}', n)

    def broadcast_scalars(self, operands, shape):
        """Operands with rank-0 ones broadcast to `shape` (elementwise primitives allow rank-0 operands)."""
        out = []
        for x, aval in zip(operands, self.avals_in):
            if aval.shape == () and shape != ():
                full = aval.update(shape=shape)
                x = self.op("stablehlo.broadcast_in_dim", [x], full, "broadcast_dimensions = array<i64>",
                            operand_avals=[aval])
            out.append(x)
        return out

    def full_avals_in(self, shape):
        return [a.update(shape=shape) for a in self.avals_in]

    def constant(self, value, dtype, shape=()):
        """Emits a constant of `dtype` broadcast to `shape`."""
        return emit_constant(self.builder, np.broadcast_to(np.asarray(value, dtype=dtype), shape), dtype)

    def region(self, arg_avals, body):
        """A region text whose block takes `arg_avals`; `body(builder, arg_names)` returns result names."""
        return emit_region(self.builder.module, arg_avals, body)

    @property
    def platform(self):
        return self.builder.module.platform

    def host_callback(self, fn):
        return self.builder.module.add_host_callback(fn)

    def lower_jaxpr_inline(self, jaxpr, args):
        """Lowers a sub-jaxpr in place; returns the names of its outputs."""
        return lower_jaxpr_body(self.builder, jaxpr, args)


def emit_constant(builder, value, dtype):
    dtype = np.dtype(dtype)
    value = np.asarray(value)
    if dtype in _SUB_BYTE:  # no dense hex form for sub-byte types: build wide, then convert
        wide_dtype = np.dtype(np.float32 if "float" in dtype.name else np.int8)
        wide = emit_constant(builder, value.astype(wide_dtype), wide_dtype)
        return builder.emit(f"stablehlo.convert {wide} : ({tensor_type(value.shape, wide_dtype)}) -> "
                            f"{tensor_type(value.shape, dtype)}")
    return builder.emit(f"stablehlo.constant {dense_attr(value, dtype)} : {tensor_type(value.shape, dtype)}")


def emit_region(module, arg_avals, body):
    builder = FunctionBuilder(module)
    arg_names = [module.fresh() for _ in arg_avals]
    results = body(builder, arg_names)
    header = ", ".join(f"{n}: {tensor_type(a)}" for n, a in zip(arg_names, arg_avals))
    types = ", ".join(tensor_type(a) for a in _result_avals(results))
    names = ", ".join(r for r, _ in results)
    inner = "\n".join("    " + line for line in builder.lines)
    return f"{{\n  ^bb0({header}):\n{inner}\n    stablehlo.return {names} : {types}\n  }}"


def _result_avals(results):
    return [aval for _, aval in results]


def _read_atom(builder, env, atom):
    if hasattr(atom, "val"):  # a Literal
        return emit_constant(builder, np.asarray(atom.host_value()), atom.aval.dtype)
    return env[atom]


def lower_jaxpr_body(builder, jaxpr, args):
    """Emits the equations of `jaxpr` with its invars bound to `args`; returns the output names."""
    env = dict(zip(jaxpr.invars, args))
    for eqn in jaxpr.eqns:
        rule = lowering_rules.get(eqn.primitive.name)
        if rule is None:
            raise NotImplementedError(f"No StableHLO lowering for primitive '{eqn.primitive.name}'")
        operands = [_read_atom(builder, env, v) for v in eqn.invars]
        ctx = RuleContext(builder, [v.aval for v in eqn.invars], [v.aval for v in eqn.outvars], eqn.source_info)
        outs = rule(ctx, *operands, **eqn.params)
        if not eqn.primitive.multiple_results:
            outs = [outs]
        env.update(zip(eqn.outvars, outs))
    return [_read_atom(builder, env, v) for v in jaxpr.outvars]


class LoweredModule:
    """StableHLO text plus the Python functions its host-callback ops call."""

    __slots__ = ("text", "host_callbacks")

    def __init__(self, text, host_callbacks):
        self.text, self.host_callbacks = text, host_callbacks


def lower_jaxpr(jaxpr, name="main", donated_invars=None, platform="cpu"):
    """MLIR text of a module whose public @main computes `jaxpr` (consts already turned into invars)."""
    return lower_jaxpr_module(jaxpr, name, donated_invars, platform).text


def lower_jaxpr_module(jaxpr, name="main", donated_invars=None, platform="cpu"):
    """A LoweredModule computing `jaxpr` (consts already turned into invars) for `platform`."""
    module = ModuleBuilder(platform)
    builder = FunctionBuilder(module)
    args = [f"%arg{i}" for i in range(len(jaxpr.invars))]
    outs = lower_jaxpr_body(builder, jaxpr, args)
    in_types = [tensor_type(v.aval) for v in jaxpr.invars]
    out_types = [tensor_type(v.aval) for v in jaxpr.outvars]
    donated_invars = donated_invars or ()
    arg_decls = []
    for i, (a, t) in enumerate(zip(args, in_types)):
        attr = " {jax.buffer_donor = true}" if i < len(donated_invars) and donated_invars[i] else ""
        arg_decls.append(f"{a}: {t}{attr}")
    body = "\n".join("    " + line for line in builder.lines)
    ret = f"    return {', '.join(outs)} : {', '.join(out_types)}" if outs else "    return"
    text = (f"module @{name} attributes {{mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32}} {{\n"
            f"  func.func public @main({', '.join(arg_decls)}) -> ({', '.join(out_types)}) {{\n"
            f"{body}\n{ret}\n  }}\n}}\n")
    return LoweredModule(text, module.host_callbacks)


def lower_by_tracing(ctx, impl, operands, **params):
    """Emits `impl` (a jaxlike function of the operands) inline: trace it to a jaxpr, then lower that."""
    from jaxlike.ir import consts_as_invars
    from jaxlike.tracing import trace_to_jaxpr
    closed = trace_to_jaxpr(lambda *args: [impl(*args, **params)], list(ctx.avals_in), name="lowering")
    consts = [ctx.constant(np.asarray(c), np.asarray(c).dtype, np.shape(c)) for c in closed.consts]
    return ctx.lower_jaxpr_inline(consts_as_invars(closed.jaxpr), consts + list(operands))[0]
