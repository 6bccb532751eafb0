"""closed_call: calling a jaxpr as one primitive (what jit binds), with all its rules.

Convention: a called jaxpr has no constvars; constants travel as leading arguments.
Each rule re-traces the callee through the transform, so transforms compose through jit.
"""
import functools

from jaxlike import core
from jaxlike.core import Primitive, get_aval
from jaxlike.dispatch import ExecutableCache, _device_of_args, as_operand, compile_jaxpr
from jaxlike.array import Array
from jaxlike.ir import consts_as_invars, eval_jaxpr
from jaxlike.tracing import IRTrace
from jaxlike.transforms import ad, batching

closed_call_p = Primitive("closed_call", multiple_results=True)


def _memoized(fn, capacity=512):
    """Caches fn by its (hashable) arguments, so that a callee keeps one identity per transform.

    The eager executable cache is keyed by jaxpr identity: without this, grad(jit(f)) and
    vmap(jit(f)) would retrace and recompile their transformed callee on every call.
    """
    cache = {}

    @functools.wraps(fn)
    def memo(*args):
        out = cache.get(args)
        if out is None:
            if len(cache) >= capacity:
                del cache[next(iter(cache))]
            out = cache[args] = fn(*args)
        return out
    memo.cache = cache
    return memo


_consts_as_invars = _memoized(consts_as_invars)


def call_closed(closed, args, name):
    """Binds closed_call on a ClosedJaxpr, passing its consts as leading arguments."""
    return closed_call_p.bind(*closed.consts, *args, jaxpr=_consts_as_invars(closed.jaxpr), name=name)


@closed_call_p.def_abstract_eval
def _abstract_eval(*avals, jaxpr, name):
    return jaxpr.out_avals


# ---- eager ------------------------------------------------------------------------------------
_compiled = ExecutableCache(1024)


def _impl(*args, jaxpr, name):
    args = [a if isinstance(a, Array) else _concrete_operand(a) for a in args]
    device = _device_of_args(args)
    key = (jaxpr, device)
    run = _compiled.get(key)
    if run is None:
        run = compile_jaxpr(jaxpr, device, name=name)
        _compiled.put(key, run)
    outs = run([a._buf if a._buf is not None else a._materialize(device) for a in args])
    return [Array._from_buffer(b, v.aval) for b, v in zip(outs, jaxpr.outvars)]


def _concrete_operand(x):
    if isinstance(x, core.Tracer):
        raise core.leaked_tracer_error(x)
    return as_operand(x)


closed_call_p.def_impl(_impl)


# ---- tracing helpers --------------------------------------------------------------------------
def _trace(fun, in_avals, name):
    trace = IRTrace(name)
    args = [trace.new_arg(a) for a in in_avals]
    try:
        with core.set_current_trace(trace):
            outs = fun(*args)
        return trace.to_jaxpr(outs), outs
    finally:
        trace.invalidate()


# ---- JVP --------------------------------------------------------------------------------------
def jvp_jaxpr(jaxpr, nonzeros):
    """(ClosedJaxpr of (primals, nonzero tangents) -> (primal outs, nonzero tangent outs), out nonzero mask)."""
    primal_avals = jaxpr.in_avals
    tangent_avals = [ad.tangent_aval(a) for a, nz in zip(primal_avals, nonzeros) if nz]
    out_nonzero = []

    def fun(*args):
        primals, tangents = args[:len(primal_avals)], iter(args[len(primal_avals):])
        tangents_in = [next(tangents) if nz else ad.Zero(ad.tangent_aval(a)) for a, nz in zip(primal_avals, nonzeros)]
        outs, out_tangents = ad.jvp_flat(lambda *xs: eval_jaxpr(jaxpr, [], *xs), list(primals), tangents_in,
                                         instantiate_out=False)
        out_nonzero[:] = [type(t) is not ad.Zero for t in out_tangents]
        return list(outs) + [t for t in out_tangents if type(t) is not ad.Zero]

    closed, _ = _trace(fun, primal_avals + tangent_avals, "jvp")
    return closed, out_nonzero


_jvp_jaxpr_cached = _memoized(lambda jaxpr, nonzeros: jvp_jaxpr(jaxpr, list(nonzeros)))


def _jvp(primals, tangents, jaxpr, name):
    nonzeros = tuple(type(t) is not ad.Zero for t in tangents)
    closed, out_nonzero = _jvp_jaxpr_cached(jaxpr, nonzeros)
    outs = call_closed(closed, list(primals) + [t for t in tangents if type(t) is not ad.Zero], f"jvp({name})")
    n = len(jaxpr.outvars)
    out_primals, rest = outs[:n], iter(outs[n:])
    out_tangents = [next(rest) if nz else ad.Zero(ad.tangent_aval(v.aval)) for v, nz in zip(jaxpr.outvars, out_nonzero)]
    return out_primals, out_tangents


closed_call_p.jvp = _jvp


# ---- partial evaluation -------------------------------------------------------------------------
def partial_eval_jaxpr(jaxpr, unknowns, make_trace=ad.PartialEvalTrace):
    """Splits a jaxpr into (known ClosedJaxpr -> known outs + residuals, unknown ClosedJaxpr of
    (residuals, unknown ins) -> unknown outs, out_unknowns, number of residuals)."""
    known_trace = IRTrace("known")
    pe = make_trace(known_trace)
    ins = [pe.new_unknown(v.aval) if u else known_trace.new_arg(v.aval) for v, u in zip(jaxpr.invars, unknowns)]
    try:
        with core.set_current_trace(pe):
            outs = eval_jaxpr(jaxpr, [], *ins)
        out_unknowns = [pe.is_unknown(o) for o in outs]
        unknown_closed = pe.tape.to_jaxpr([o for o, u in zip(outs, out_unknowns) if u])
        residuals = unknown_closed.consts
        unknown_jaxpr = consts_as_invars(unknown_closed.jaxpr)
        known_outs = [pe.known_value(o) for o, u in zip(outs, out_unknowns) if not u]
        known_closed = known_trace.to_jaxpr(known_outs + list(residuals))
        return known_closed, unknown_jaxpr, out_unknowns, len(residuals)
    finally:
        pe.invalidate()
        pe.tape.invalidate()
        known_trace.invalidate()


_partial_eval_jaxpr_cached = _memoized(lambda jaxpr, unknowns: partial_eval_jaxpr(jaxpr, list(unknowns)))


def _partial_eval(pe_trace, args, params):
    jaxpr, name = params["jaxpr"], params["name"]
    unknowns = tuple(pe_trace.is_unknown(x) for x in args)
    known_closed, unknown_jaxpr, out_unknowns, num_res = _partial_eval_jaxpr_cached(jaxpr, unknowns)
    known_args = [x for x, u in zip(args, unknowns) if not u]
    with core.set_current_trace(pe_trace.parent):
        known_outs = call_closed(known_closed, known_args, name)
    n_known = len(known_outs) - num_res
    known_results, residuals = known_outs[:n_known], known_outs[n_known:]
    unknown_args = [x for x, u in zip(args, unknowns) if u]
    unknown_results = pe_trace.tape.process_primitive(
        closed_call_p, list(residuals) + unknown_args, dict(jaxpr=unknown_jaxpr, name=name))
    known_it, unknown_it = iter(known_results), iter(unknown_results)
    return [next(unknown_it) if u else next(known_it) for u in out_unknowns]


closed_call_p.partial_eval = _partial_eval


# ---- transpose ----------------------------------------------------------------------------------
def _transpose(cts, *args, jaxpr, name):
    linear = tuple(ad.is_undefined_primal(a) for a in args)
    residuals = [a for a in args if not ad.is_undefined_primal(a)]
    ct_avals = tuple(get_aval(c) if type(c) is not ad.Zero else c.aval for c in cts)
    nonzero_cts = tuple(type(c) is not ad.Zero for c in cts)
    closed = transpose_jaxpr(jaxpr, linear, tuple(get_aval(r) for r in residuals), ct_avals, nonzero_cts)
    outs = iter(call_closed(closed, residuals + [c for c in cts if type(c) is not ad.Zero], f"transpose({name})"))
    return [next(outs) if lin else None for lin in linear]


@_memoized
def transpose_jaxpr(jaxpr, linear, residual_avals, ct_avals, nonzero_cts):
    """ClosedJaxpr of (residuals, nonzero cotangents) -> cotangents of the linear inputs."""
    def transposed(*res_and_cts):
        res, cts_in = iter(res_and_cts[:len(residual_avals)]), iter(res_and_cts[len(residual_avals):])
        primals = [ad.UndefinedPrimal(v.aval) if lin else next(res) for v, lin in zip(jaxpr.invars, linear)]
        cts_full = [next(cts_in) if nz else ad.Zero(a) for a, nz in zip(ct_avals, nonzero_cts)]
        cts_out = ad.backward_pass(jaxpr, primals, cts_full)
        return [ad.instantiate(c) for c, lin in zip(cts_out, linear) if lin]

    in_avals = list(residual_avals) + [a for a, nz in zip(ct_avals, nonzero_cts) if nz]
    return _trace(transposed, in_avals, "transpose")[0]


closed_call_p.transpose = _transpose


# ---- batching -----------------------------------------------------------------------------------
def batch_jaxpr(jaxpr, dims, axis_size, axis_name, force_out_batched=False):
    """(ClosedJaxpr taking args with batch axes at `dims` (moved to 0), out dims: 0 or None).

    With force_out_batched, every output gets a batch axis at 0 (unbatched ones are broadcast).
    """
    in_avals = [a if d is None else a.update(shape=(axis_size,) + a.shape) for a, d in zip(jaxpr.in_avals, dims)]
    out_dims = []

    def fun(*args):
        trace = batching.BatchTrace(core.current_trace(), axis_size, axis_name)
        ins = [trace.wrap(a, None if d is None else 0) for a, d in zip(args, dims)]
        try:
            with core.set_current_trace(trace):
                outs = eval_jaxpr(jaxpr, [], *ins)
            results = []
            for o in outs:
                val, d = trace.lift(o)
                if d is None and force_out_batched:
                    val, d = batching.bdim_at_front(val, None, axis_size), 0
                out_dims.append(None if d is None else 0)
                results.append(val if d is None else batching.moveaxis(val, d, 0))
            return results
        finally:
            trace.invalidate()

    closed, _ = _trace(fun, in_avals, "vmap")
    return closed, out_dims


_batch_jaxpr_cached = _memoized(lambda jaxpr, dims, size, name: batch_jaxpr(jaxpr, list(dims), size, name))


def _batch(vals, dims, jaxpr, name, axis_size, axis_name):
    vals = [v if d is None else batching.moveaxis(v, d, 0) for v, d in zip(vals, dims)]
    closed, out_dims = _batch_jaxpr_cached(jaxpr, tuple(None if d is None else 0 for d in dims), axis_size, axis_name)
    return call_closed(closed, vals, name), out_dims


closed_call_p.batch = _batch
closed_call_p.batch_needs_axis = True


def named_call(fun, *, name=None):
    """jax.named_call: `fun` traced as one named call, so the name shows in jaxprs and profiles."""
    import functools
    from jaxlike import tree_util
    from jaxlike.array import as_operand
    from jaxlike.tracing import trace_to_jaxpr
    name = name or getattr(fun, "__name__", "named_call")

    @functools.wraps(fun)
    def wrapped(*args, **kwargs):
        if type(core.current_trace()) is core.EvalTrace:
            return fun(*args, **kwargs)
        leaves, in_tree = tree_util.tree_flatten((args, kwargs))
        leaves = [as_operand(x) for x in leaves]
        box = {}

        def flat(*xs):
            a, k = tree_util.tree_unflatten(in_tree, xs)
            out, box["tree"] = tree_util.tree_flatten(fun(*a, **k))
            return out
        closed = trace_to_jaxpr(flat, [get_aval(x) for x in leaves], name=name)
        return tree_util.tree_unflatten(box["tree"], call_closed(closed, leaves, name))
    return wrapped
