"""custom_jvp and custom_vjp: user-defined derivative rules that hold under jit, vmap and higher order.

Eagerly, a decorated function simply runs. Under a transform, its body is traced to a jaxpr
and bound as `custom_jvp_call` / `custom_vjp_call`; the JVP trace applies the user's rule,
every other trace sees an ordinary call. custom_vjp's JVP produces a `custom_lin` primitive,
linear in the tangents, whose transpose runs the user's backward function.
"""
import functools

from jaxlike import core, tree_util
from jaxlike.array import as_operand
from jaxlike.core import EvalTrace, Primitive, get_aval
from jaxlike.ir import eval_jaxpr
from jaxlike.source_info import user_line
from jaxlike.tracing import trace_to_jaxpr
from jaxlike.transforms import ad, batching
from jaxlike.transforms.calls import batch_jaxpr, call_closed

__all__ = ["custom_jvp", "custom_vjp"]


class _Rule:
    """A flat Python function held in params; hashes by identity so params stay hashable."""

    __slots__ = ("fn", "name")

    def __init__(self, fn, name):
        self.fn, self.name = fn, name

    def __call__(self, *args):
        return self.fn(*args)

    def __repr__(self):
        return self.name


def _resolve_nondiff(nondiff_argnums, args):
    nondiff = tuple(sorted(a % len(args) if args else a for a in nondiff_argnums))
    static = [args[i] for i in nondiff]
    dynamic = [a for i, a in enumerate(args) if i not in nondiff]
    return nondiff, static, dynamic


def _merge(nondiff, static, dynamic):
    out, s, d = [], iter(static), iter(dynamic)
    for i in range(len(nondiff) + len(dynamic)):
        out.append(next(s) if i in nondiff else next(d))
    return out


def _inline_call(call_jaxpr):
    def run(*args):
        return eval_jaxpr(call_jaxpr, [], *args)
    return run


def _trace_flat(fun, leaves, name):
    """Traces fun on the avals of `leaves`; returns (ClosedJaxpr, output treedef)."""
    box = {}

    def flat(*xs):
        out_leaves, box["tree"] = tree_util.tree_flatten(fun(*xs))
        return out_leaves
    closed = trace_to_jaxpr(flat, [get_aval(x) for x in leaves], name=name)
    return closed, box["tree"]


# ---- custom_jvp ---------------------------------------------------------------------------------
custom_jvp_call_p = Primitive("custom_jvp_call", multiple_results=True)
custom_jvp_call_p.def_abstract_eval(lambda *avals, call_jaxpr, jvp, num_consts: call_jaxpr.out_avals)
custom_jvp_call_p.def_impl(lambda *args, call_jaxpr, jvp, num_consts: _inline_call(call_jaxpr)(*args))


def _custom_jvp_call_jvp(primals, tangents, call_jaxpr, jvp, num_consts):
    const_tangents = tangents[:num_consts]
    if any(type(t) is not ad.Zero for t in const_tangents):
        raise TypeError("A custom_jvp function closes over a value that is being differentiated; the custom rule "
                        "cannot see its tangent. Pass that value as an argument instead." + user_line())
    args = primals[num_consts:]
    arg_tangents = [ad.instantiate(t) for t in tangents[num_consts:]]
    outs, out_tangents = jvp(list(args), arg_tangents)
    return outs, out_tangents


def _custom_jvp_call_batch(vals, dims, call_jaxpr, jvp, num_consts, axis_size, axis_name):
    vals = [v if d is None else batching.moveaxis(v, d, 0) for v, d in zip(vals, dims)]
    dims = [None if d is None else 0 for d in dims]
    closed, out_dims = batch_jaxpr(call_jaxpr, dims, axis_size, axis_name, force_out_batched=True)
    arg_dims = dims[num_consts:]
    consts = vals[:num_consts]

    def batched_jvp(primals, tangents):
        from jaxlike.transforms.vmap import vmap
        outs = vmap(lambda p, t: tuple(map(list, jvp(list(p), list(t)))), in_axes=(arg_dims, arg_dims),
                    axis_size=axis_size)(tuple(primals), tuple(tangents))
        return list(outs[0]), list(outs[1])

    from jaxlike.ir import consts_as_invars
    params = dict(call_jaxpr=consts_as_invars(closed.jaxpr), jvp=_Rule(batched_jvp, f"vmap({jvp!r})"),
                  num_consts=len(closed.consts) + num_consts)
    outs = custom_jvp_call_p.bind(*closed.consts, *consts, *vals[num_consts:], **params)
    return outs, out_dims


def _inline_when_linear(pe_trace, args, params):
    """A custom call applied to tangents (inside another rule) is linear work: inline its body, as JAX does."""
    return eval_jaxpr(params["call_jaxpr"], [], *args)


custom_jvp_call_p.jvp = _custom_jvp_call_jvp
custom_jvp_call_p.partial_eval = _inline_when_linear
custom_jvp_call_p.batch = _custom_jvp_call_batch
custom_jvp_call_p.batch_needs_axis = True


class custom_jvp:
    """jax.custom_jvp: a function with a user-defined JVP rule (`defjvp` / `defjvps`)."""

    def __init__(self, fun, nondiff_argnums=()):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.nondiff_argnums = tuple(nondiff_argnums)
        self.jvp = None

    def defjvp(self, jvp, symbolic_zeros=False):
        """Sets the rule `jvp(primals, tangents) -> (primal_out, tangent_out)` (nondiff args first)."""
        self.jvp = jvp
        return jvp

    def defjvps(self, *tangent_fns):
        """Sets the rule from one function per argument: fn(tangent, primal_out, *primals) -> contribution."""
        def jvp(primals, tangents):
            out = self(*primals)
            acc = None
            for fn, t in zip(tangent_fns, tangents):
                if fn is None:
                    continue
                term = fn(t, out, *primals)
                acc = term if acc is None else tree_util.tree_map(lambda a, b: a + b, acc, term)
            if acc is None:
                acc = tree_util.tree_map(lambda o: o * 0, out)
            return out, acc
        self.defjvp(jvp)

    def __call__(self, *args, **kwargs):
        if kwargs:
            args = _bind_kwargs(self.fun, args, kwargs)
        if self.jvp is None:
            raise AttributeError(f"No JVP defined for custom_jvp function {self.__name__} using defjvp.")
        if type(core.current_trace()) is EvalTrace:
            return self.fun(*args)
        nondiff, static, dynamic = _resolve_nondiff(self.nondiff_argnums, args)
        leaves, in_tree = tree_util.tree_flatten(dynamic)
        leaves = [as_operand(x) for x in leaves]
        fun = lambda *xs: self.fun(*_merge(nondiff, static, tree_util.tree_unflatten(in_tree, xs)))
        closed, out_tree = _trace_flat(fun, leaves, f"custom_jvp({self.__name__})")
        user_jvp = self.jvp

        def flat_jvp(primals, tangents):
            p = tree_util.tree_unflatten(in_tree, primals)
            t = tree_util.tree_unflatten(in_tree, tangents)
            out, out_t = user_jvp(*static, tuple(p), tuple(t))
            out_leaves, tree = tree_util.tree_flatten(out)
            t_leaves, t_tree = tree_util.tree_flatten(out_t)
            if tree != out_tree or t_tree != out_tree:
                raise TypeError(f"Custom JVP rule of {self.__name__} must produce primal and tangent outputs with "
                                f"the function's output structure {out_tree}; got {tree} and {t_tree}.{user_line()}")
            return out_leaves, [as_operand(t) for t in t_leaves]

        from jaxlike.ir import consts_as_invars
        outs = custom_jvp_call_p.bind(*closed.consts, *leaves, call_jaxpr=consts_as_invars(closed.jaxpr),
                                      jvp=_Rule(flat_jvp, f"jvp({self.__name__})"), num_consts=len(closed.consts))
        return tree_util.tree_unflatten(out_tree, outs)


def _bind_kwargs(fun, args, kwargs):
    import inspect
    bound = inspect.signature(fun).bind(*args, **kwargs)
    bound.apply_defaults()
    return tuple(bound.args)


# ---- custom_vjp ---------------------------------------------------------------------------------
custom_vjp_call_p = Primitive("custom_vjp_call", multiple_results=True)
custom_vjp_call_p.def_abstract_eval(lambda *avals, call_jaxpr, fwd, bwd, num_consts: call_jaxpr.out_avals)
custom_vjp_call_p.def_impl(lambda *args, call_jaxpr, fwd, bwd, num_consts: _inline_call(call_jaxpr)(*args))

custom_lin_p = Primitive("custom_lin", multiple_results=True)
custom_lin_p.never_lowered = True  # always transposed away before lowering


@custom_lin_p.def_abstract_eval
def _custom_lin_abstract_eval(*avals, num_res, bwd, out_avals):
    return list(out_avals)


def _custom_lin_impl(*args, num_res, bwd, out_avals):
    raise TypeError("can't apply forward-mode autodiff (jvp) to a custom_vjp function; use reverse mode (grad, vjp, "
                    "jacrev) or define the rule with custom_jvp." + user_line())


def _custom_lin_transpose(cts, *args, num_res, bwd, out_avals):
    residuals = args[:num_res]
    cts = [ad.instantiate(c) if type(c) is ad.Zero else c for c in cts]
    cts_in = bwd(list(residuals), cts)
    return [None] * num_res + list(cts_in)


custom_lin_p.def_impl(_custom_lin_impl)
custom_lin_p.transpose = _custom_lin_transpose
custom_lin_p.jvp = lambda primals, tangents, **params: _custom_lin_impl(**params)


def _custom_lin_batch(vals, dims, num_res, bwd, out_avals):
    raise NotImplementedError("custom_lin is transposed, never batched directly")


custom_lin_p.batch = _custom_lin_batch


def _custom_vjp_call_jvp(primals, tangents, call_jaxpr, fwd, bwd, num_consts):
    const_tangents = tangents[:num_consts]
    if any(type(t) is not ad.Zero for t in const_tangents):
        raise TypeError("A custom_vjp function closes over a value that is being differentiated; the custom rule "
                        "cannot see its cotangent. Pass that value as an argument instead." + user_line())
    args = list(primals[num_consts:])
    outs, residuals = fwd(args)
    out_avals = tuple(ad.tangent_aval(get_aval(o)) for o in outs)
    arg_tangents = [ad.instantiate(t) for t in tangents[num_consts:]]
    out_tangents = custom_lin_p.bind(*residuals, *arg_tangents, num_res=len(residuals), bwd=bwd,
                                     out_avals=out_avals)
    return outs, out_tangents


def _custom_vjp_call_batch(vals, dims, call_jaxpr, fwd, bwd, num_consts, axis_size, axis_name):
    from jaxlike.transforms.vmap import vmap
    vals = [v if d is None else batching.moveaxis(v, d, 0) for v, d in zip(vals, dims)]
    dims = [None if d is None else 0 for d in dims]
    closed, out_dims = batch_jaxpr(call_jaxpr, dims, axis_size, axis_name, force_out_batched=True)
    arg_dims = dims[num_consts:]

    def batched_fwd(args):
        outs, res = vmap(lambda a: tuple(map(list, fwd(list(a)))), in_axes=(arg_dims,), axis_size=axis_size)(
            tuple(args))
        return list(outs), list(res)

    def batched_bwd(res, cts):
        return list(vmap(lambda r, c: list(bwd(list(r), list(c))), axis_size=axis_size)(tuple(res), tuple(cts)))

    from jaxlike.ir import consts_as_invars
    outs = custom_vjp_call_p.bind(*closed.consts, *vals, call_jaxpr=consts_as_invars(closed.jaxpr),
                                  fwd=_Rule(batched_fwd, f"vmap({fwd!r})"), bwd=_Rule(batched_bwd, f"vmap({bwd!r})"),
                                  num_consts=len(closed.consts) + num_consts)
    return outs, out_dims


custom_vjp_call_p.jvp = _custom_vjp_call_jvp
custom_vjp_call_p.partial_eval = _inline_when_linear
custom_vjp_call_p.batch = _custom_vjp_call_batch
custom_vjp_call_p.batch_needs_axis = True


class custom_vjp:
    """jax.custom_vjp: a function with user-defined reverse-mode rule (`defvjp(fwd, bwd)`)."""

    def __init__(self, fun, nondiff_argnums=()):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.nondiff_argnums = tuple(nondiff_argnums)
        self.fwd = self.bwd = None

    def defvjp(self, fwd, bwd, symbolic_zeros=False, optimize_remat=False):
        """fwd(*args) -> (out, residuals); bwd(*nondiff_args, residuals, out_cotangent) -> tuple of arg cotangents."""
        self.fwd, self.bwd = fwd, bwd

    def __call__(self, *args, **kwargs):
        if kwargs:
            args = _bind_kwargs(self.fun, args, kwargs)
        if self.fwd is None:
            raise AttributeError(f"No VJP defined for custom_vjp function {self.__name__} using defvjp.")
        if type(core.current_trace()) is EvalTrace:
            return self.fun(*args)
        nondiff, static, dynamic = _resolve_nondiff(self.nondiff_argnums, args)
        leaves, in_tree = tree_util.tree_flatten(dynamic)
        leaves = [as_operand(x) for x in leaves]
        fun = lambda *xs: self.fun(*_merge(nondiff, static, tree_util.tree_unflatten(in_tree, xs)))
        closed, out_tree = _trace_flat(fun, leaves, f"custom_vjp({self.__name__})")
        user_fwd, user_bwd, name = self.fwd, self.bwd, self.__name__
        res_tree_box = {}

        def flat_fwd(args_flat):
            full = _merge(nondiff, static, tree_util.tree_unflatten(in_tree, args_flat))
            result = user_fwd(*full)
            if not (isinstance(result, (tuple, list)) and len(result) == 2):
                raise TypeError(f"custom_vjp fwd function of {name} must return a pair (output, residuals), got "
                                f"{type(result).__name__}.{user_line()}")
            out, res = result
            out_leaves, tree = tree_util.tree_flatten(out)
            if tree != out_tree:
                raise TypeError(f"custom_vjp fwd function of {name} returned an output of structure {tree}, but the "
                                f"function's output structure is {out_tree}.{user_line()}")
            res_leaves, res_tree_box["tree"] = tree_util.tree_flatten(res)
            return out_leaves, [as_operand(r) for r in res_leaves]

        def flat_bwd(res_flat, cts_flat):
            res = tree_util.tree_unflatten(res_tree_box["tree"], res_flat)
            cts = tree_util.tree_unflatten(out_tree, cts_flat)
            cts_in = user_bwd(*static, res, cts)
            if not isinstance(cts_in, tuple):
                raise TypeError(f"custom_vjp bwd function of {name} must return a tuple with one cotangent per "
                                f"(non-static) argument, got {type(cts_in).__name__}.{user_line()}")
            ct_leaves, ct_tree = tree_util.tree_flatten(list(cts_in), is_leaf=lambda x: x is None)
            in_leaves = tree_util.tree_leaves(tree_util.tree_unflatten(in_tree, leaves))
            if len(cts_in) != len(dynamic):
                raise TypeError(f"custom_vjp bwd function of {name} returned {len(cts_in)} cotangents, expected "
                                f"{len(dynamic)} (one per differentiable argument).{user_line()}")
            flat = []
            for ct, sub in zip(cts_in, dynamic):
                sub_leaves = tree_util.tree_leaves(sub)
                if ct is None:
                    flat.extend(ad.zeros_like_aval(get_aval(as_operand(x))) for x in sub_leaves)
                else:
                    flat.extend(as_operand(c) for c in tree_util.tree_leaves(ct))
            del ct_leaves, ct_tree, in_leaves
            return flat

        from jaxlike.ir import consts_as_invars
        outs = custom_vjp_call_p.bind(*closed.consts, *leaves, call_jaxpr=consts_as_invars(closed.jaxpr),
                                      fwd=_Rule(flat_fwd, f"fwd({name})"), bwd=_Rule(flat_bwd, f"bwd({name})"),
                                      num_consts=len(closed.consts))
        return tree_util.tree_unflatten(out_tree, outs)
