"""checkpoint (remat): save fewer residuals for reverse mode and recompute the rest in the backward pass.

`remat` is a call primitive. Its partial-evaluation rule uses a policy-aware partial
evaluator: a known value that the policy does not save gets a twin on the linear tape, so the
backward pass recomputes it from the saved values instead of reading a stored residual. The
recomputation is lowered behind an optimization barrier so XLA cannot merge it with the
forward pass.
"""
import functools

from jaxlike import core, tree_util
from jaxlike.array import as_operand
from jaxlike.core import EvalTrace, Primitive, Tracer, get_aval
from jaxlike.ir import consts_as_invars, eval_jaxpr
from jaxlike.tracing import trace_to_jaxpr
from jaxlike.transforms import ad, batching
from jaxlike.transforms.calls import _trace, batch_jaxpr, jvp_jaxpr, partial_eval_jaxpr

__all__ = ["checkpoint", "remat", "checkpoint_name", "checkpoint_policies"]

remat_p = Primitive("remat", multiple_results=True)
remat_p.def_abstract_eval(lambda *avals, jaxpr, policy, prevent_cse: jaxpr.out_avals)
remat_p.def_impl(lambda *args, jaxpr, policy, prevent_cse: eval_jaxpr(jaxpr, [], *args))


def _bind(closed, args, policy, prevent_cse):
    return remat_p.bind(*closed.consts, *args, jaxpr=consts_as_invars(closed.jaxpr), policy=policy,
                        prevent_cse=prevent_cse)


def _remat_jvp(primals, tangents, jaxpr, policy, prevent_cse):
    nonzeros = [type(t) is not ad.Zero for t in tangents]
    closed, out_nonzero = jvp_jaxpr(jaxpr, nonzeros)
    outs = _bind(closed, list(primals) + [t for t in tangents if type(t) is not ad.Zero], policy, prevent_cse)
    n = len(jaxpr.outvars)
    rest = iter(outs[n:])
    out_tangents = [next(rest) if nz else ad.Zero(ad.tangent_aval(v.aval)) for v, nz in zip(jaxpr.outvars, out_nonzero)]
    return outs[:n], out_tangents


class _KnownWithTwin(Tracer):
    """A known value plus, when the policy does not save it, its recomputation on the linear tape."""

    __slots__ = ("known", "twin")

    def __init__(self, trace, known, twin):
        self._trace, self.known, self.twin = trace, known, twin

    @property
    def aval(self):
        return get_aval(self.known)


class PolicyPartialEvalTrace(ad.PartialEvalTrace):
    """Partial evaluation where only values the policy saves become residuals."""

    name = "checkpoint"

    def __init__(self, parent, policy):
        super().__init__(parent)
        self.policy = policy

    def _known_and_twin(self, x):
        if isinstance(x, _KnownWithTwin) and x._trace is self:
            return x.known, x.twin
        return x, None

    def known_value(self, x):
        return self._known_and_twin(x)[0]

    def process_primitive(self, prim, args, params):
        if any(self.is_unknown(x) for x in args):
            tape_args = [x if self.is_unknown(x) else _tape_side(*self._known_and_twin(x)) for x in args]
            return self.tape.process_primitive(prim, tape_args, params)
        pairs = [self._known_and_twin(x) for x in args]
        with core.set_current_trace(self.parent):
            out = prim.bind(*[k for k, _ in pairs], **params)
        if self.policy is not None and self.policy(prim, *[get_aval(k) for k, _ in pairs], **params):
            twin = None if not prim.multiple_results else [None] * len(out)
        else:
            twin = self.tape.process_primitive(prim, [_tape_side(k, t) for k, t in pairs], params)
        if prim.multiple_results:
            return [_KnownWithTwin(self, o, t) for o, t in zip(out, twin)]
        return _KnownWithTwin(self, out, twin)


def _tape_side(known, twin):
    return known if twin is None else twin


def _remat_partial_eval(pe_trace, args, params):
    jaxpr, policy, prevent_cse = params["jaxpr"], params["policy"], params["prevent_cse"]
    if isinstance(pe_trace, PolicyPartialEvalTrace):  # nested checkpoint: the outer one recomputes it all
        return pe_trace.tape.process_primitive(remat_p, args, params)
    unknowns = [pe_trace.is_unknown(x) for x in args]
    known_closed, unknown_jaxpr, out_unknowns, num_res = partial_eval_jaxpr(
        jaxpr, unknowns, make_trace=lambda parent: PolicyPartialEvalTrace(parent, policy))
    from jaxlike.transforms.calls import call_closed
    with core.set_current_trace(pe_trace.parent):
        known_outs = call_closed(known_closed, [x for x, u in zip(args, unknowns) if not u], "checkpoint")
    n_known = len(known_outs) - num_res
    residuals = known_outs[n_known:]
    unknown_outs = pe_trace.tape.process_primitive(
        remat_p, list(residuals) + [x for x, u in zip(args, unknowns) if u],
        dict(jaxpr=unknown_jaxpr, policy=policy, prevent_cse=prevent_cse))
    known_it, unknown_it = iter(known_outs[:n_known]), iter(unknown_outs)
    return [next(unknown_it) if u else next(known_it) for u in out_unknowns]


def _remat_transpose(cts, *args, jaxpr, policy, prevent_cse):
    linear = [ad.is_undefined_primal(a) for a in args]
    residuals = [a for a in args if not ad.is_undefined_primal(a)]
    ct_avals = [c.aval if type(c) is ad.Zero else get_aval(c) for c in cts]
    nonzero = [type(c) is not ad.Zero for c in cts]

    def transposed(*res_and_cts):
        res, cts_in = iter(res_and_cts[:len(residuals)]), iter(res_and_cts[len(residuals):])
        primals = [ad.UndefinedPrimal(v.aval) if lin else next(res) for v, lin in zip(jaxpr.invars, linear)]
        cts_full = [next(cts_in) if nz else ad.Zero(a) for a, nz in zip(ct_avals, nonzero)]
        cts_out = ad.backward_pass(jaxpr, primals, cts_full)
        return [ad.instantiate(c) for c, lin in zip(cts_out, linear) if lin]

    closed, _ = _trace(transposed, [get_aval(r) for r in residuals] + [a for a, nz in zip(ct_avals, nonzero) if nz],
                       "transpose(checkpoint)")
    outs = iter(_bind(closed, residuals + [c for c in cts if type(c) is not ad.Zero], policy, prevent_cse))
    return [next(outs) if lin else None for lin in linear]


def _remat_batch(vals, dims, jaxpr, policy, prevent_cse, axis_size, axis_name):
    vals = [v if d is None else batching.moveaxis(v, d, 0) for v, d in zip(vals, dims)]
    closed, out_dims = batch_jaxpr(jaxpr, [None if d is None else 0 for d in dims], axis_size, axis_name)
    return _bind(closed, vals, policy, prevent_cse), out_dims


remat_p.jvp = _remat_jvp
remat_p.partial_eval = _remat_partial_eval
remat_p.transpose = _remat_transpose
remat_p.batch = _remat_batch
remat_p.batch_needs_axis = True


def checkpoint(fun, *, prevent_cse=True, policy=None, static_argnums=()):
    """jax.checkpoint: in reverse mode, recompute fun's intermediates instead of storing them (per `policy`)."""
    static_argnums = (static_argnums,) if isinstance(static_argnums, int) else tuple(static_argnums)

    @functools.wraps(fun)
    def wrapped(*args, **kwargs):
        if type(core.current_trace()) is EvalTrace:
            return fun(*args, **kwargs)
        static = {i % len(args): args[i] for i in static_argnums}
        dynamic = [a for i, a in enumerate(args) if i not in static]
        leaves, in_tree = tree_util.tree_flatten((dynamic, kwargs))
        leaves = [as_operand(x) for x in leaves]
        box = {}

        def flat(*xs):
            dyn, kw = tree_util.tree_unflatten(in_tree, xs)
            it = iter(dyn)
            full = [static[i] if i in static else next(it) for i in range(len(args))]
            out_leaves, box["tree"] = tree_util.tree_flatten(fun(*full, **kw))
            return out_leaves

        closed = trace_to_jaxpr(flat, [get_aval(x) for x in leaves], name="checkpoint")
        outs = _bind(closed, leaves, policy, prevent_cse)
        return tree_util.tree_unflatten(box["tree"], outs)
    return wrapped


remat = checkpoint

# ---- names and policies -------------------------------------------------------------------------
name_p = Primitive("name")
name_p.def_abstract_eval(lambda x, name: x)
ad.deflinear(name_p, lambda ct, x, name: [ct])
name_p.batch = lambda vals, dims, name: (name_p.bind(vals[0], name=name), dims[0])


def checkpoint_name(x, name):
    """jax.ad_checkpoint.checkpoint_name: tag x so that save_only_these_names-style policies can find it."""
    return tree_util.tree_map(lambda leaf: name_p.bind(as_operand(leaf), name=name), x)


class checkpoint_policies:
    """Policies deciding which intermediates reverse mode saves (the rest are recomputed)."""

    @staticmethod
    def everything_saveable(prim, *avals, **params):
        return True

    @staticmethod
    def nothing_saveable(prim, *avals, **params):
        return False

    @staticmethod
    def dots_saveable(prim, *avals, **params):
        return prim.name == "dot_general"

    checkpoint_dots = dots_saveable

    @staticmethod
    def dots_with_no_batch_dims_saveable(prim, *avals, **params):
        if prim.name != "dot_general":
            return False
        (_, _), (lhs_batch, rhs_batch) = params["dimension_numbers"]
        return not lhs_batch and not rhs_batch

    checkpoint_dots_with_no_batch_dims = dots_with_no_batch_dims_saveable

    @staticmethod
    def save_only_these_names(*names):
        names = frozenset(names)
        return lambda prim, *avals, **params: prim.name == "name" and params["name"] in names

    @staticmethod
    def save_any_names_but_these(*names):
        names = frozenset(names)
        return lambda prim, *avals, **params: prim.name == "name" and params["name"] not in names

    @staticmethod
    def save_from_both_policies(policy_1, policy_2):
        return lambda prim, *avals, **params: policy_1(prim, *avals, **params) or policy_2(prim, *avals, **params)
