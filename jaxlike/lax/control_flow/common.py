"""Shared machinery of the control-flow primitives.

A control-flow primitive carries jaxprs in its params. As for closed_call, those jaxprs have no
constvars: constants travel as explicit operands. Every transformation rule re-traces the
carried jaxprs through the transform (JVP, partial evaluation, batching) into new jaxprs;
the helpers here do that and return ClosedJaxprs whose consts the rule passes as operands.
"""
from jaxlike import core, dtypes, tree_util
from jaxlike.array import as_operand
from jaxlike.core import get_aval
from jaxlike.ir import ClosedJaxpr, Jaxpr, Var, consts_as_invars, eval_jaxpr
from jaxlike.source_info import user_line
from jaxlike.tracing import IRTrace, trace_to_jaxpr
from jaxlike.transforms import ad, batching


# ---- tracing user functions ---------------------------------------------------------------------
def flatten_operands(tree_of_values):
    """(leaves as operands, treedef) of a pytree of arrays and scalars."""
    leaves, tree = tree_util.tree_flatten(tree_of_values)
    return [as_operand(x) for x in leaves], tree


def trace_user_function(fun, in_tree, in_avals, name):
    """Traces `fun(*unflatten(in_tree, args))`: (ClosedJaxpr over flat leaves, output treedef)."""
    out_tree_box = []

    def flat_fun(*leaves):
        out = fun(*tree_util.tree_unflatten(in_tree, leaves))
        out_leaves, out_tree = tree_util.tree_flatten(out)
        out_tree_box.append(out_tree)
        return [_checked_output(x, name) for x in out_leaves]

    closed = trace_to_jaxpr(flat_fun, list(in_avals), name=name)
    return closed, out_tree_box[0]


def _checked_output(x, name):
    if not core.is_valid_operand(x):
        raise TypeError(f"{name} functions must return arrays (or pytrees of arrays); got a value of type "
                        f"{type(x).__name__}: {x!r:.60}.{user_line()}")
    return x


def function_name(fun):
    """'name at file:line' for error messages about a user function."""
    name = getattr(fun, "__name__", type(fun).__name__)
    code = getattr(fun, "__code__", None)
    return f"{name} at {code.co_filename}:{code.co_firstlineno}" if code is not None else name


def type_str(aval):
    """JAX's spelling of a type in messages: float32[3,4]."""
    return f"{aval.dtype.name}[{','.join(map(str, aval.shape))}]"


def type_mismatch(a, b):
    """Why two avals differ ('shapes', 'dtypes'), ignoring weak types; None when they match."""
    if a.shape != b.shape:
        return "shapes"
    if a.dtype != b.dtype:
        return "dtypes"
    return None


def promote_weak_inputs(values, in_avals, out_avals):
    """Weakly typed inputs whose loop output has another type are converted to that type (as JAX does).

    Returns (values, changed)."""
    from jaxlike.lax.elementwise import convert_element_type
    values, changed = list(values), False
    for i, (a, b) in enumerate(zip(in_avals, out_avals)):
        if a.weak_type and a.shape == b.shape and a.dtype != b.dtype:
            dtype, weak = dtypes.result_type_with_weak((a.dtype, True), (b.dtype, b.weak_type))
            values[i] = convert_element_type(values[i], dtype, weak_type=weak)
            changed = True
    return values, changed


def join_weak_types(avals_list):
    """Per position, the aval shared by all lists, weak only where every list is weak."""
    return [column[0].update(weak_type=all(a.weak_type for a in column)) for column in zip(*avals_list)]


# ---- jaxpr plumbing ---------------------------------------------------------------------------
def hoist_consts(closed):
    """(jaxpr whose leading invars are the consts of `closed`, those consts)."""
    return consts_as_invars(closed.jaxpr), list(closed.consts)


def reorder_invars(jaxpr, order):
    """The same jaxpr taking its inputs in `order` (indices into the current invars)."""
    return Jaxpr([], [jaxpr.invars[i] for i in order], jaxpr.outvars, jaxpr.eqns)


def reorder_outvars(jaxpr, order):
    return Jaxpr([], jaxpr.invars, [jaxpr.outvars[i] for i in order], jaxpr.eqns)


def with_unused_invars(jaxpr, before=(), after=()):
    """The same jaxpr taking extra, ignored inputs of avals `before` and `after` its own."""
    return Jaxpr([], [Var(a) for a in before] + jaxpr.invars + [Var(a) for a in after], jaxpr.outvars, jaxpr.eqns)


def join_consts(closed_list):
    """For jaxprs that will sit side by side (branches): each takes all their consts, then its own args.

    Returns (jaxprs without constvars, all consts)."""
    all_consts = [c for closed in closed_list for c in closed.consts]
    jaxprs, offset = [], 0
    for closed in closed_list:
        n = len(closed.consts)
        before = [get_aval(c) for c in all_consts[:offset]]
        after = [get_aval(c) for c in all_consts[offset + n:]]
        inner = consts_as_invars(closed.jaxpr)
        own_consts, args = inner.invars[:n], inner.invars[n:]
        jaxprs.append(Jaxpr([], [Var(a) for a in before] + own_consts + [Var(a) for a in after] + args,
                            inner.outvars, inner.eqns))
        offset += n
    return jaxprs, all_consts


def split_list(xs, sizes):
    """[xs[:a], xs[a:a+b], ..., rest] for sizes (a, b, ...)."""
    out, start = [], 0
    for n in sizes:
        out.append(list(xs[start:start + n]))
        start += n
    out.append(list(xs[start:]))
    return out


def trace_flat(fun, in_avals, name):
    return trace_to_jaxpr(fun, list(in_avals), name=name)


def zeros(aval):
    from jaxlike.lax.structural import full
    return full(aval.shape, 0, aval.dtype)


# ---- forward mode -------------------------------------------------------------------------------
def can_instantiate(aval):
    return ad.tangent_aval(aval).dtype != ad.float0


def jvp_jaxpr(jaxpr, nonzeros, instantiate):
    """JVP of `jaxpr`: (ClosedJaxpr of (primals, nonzero tangents) -> (primal outs, kept tangent outs),
    which tangent outs are kept). A tangent out is kept when nonzero or asked for by `instantiate`."""
    in_avals = jaxpr.in_avals
    tangent_avals = [ad.tangent_aval(a) for a, nz in zip(in_avals, nonzeros) if nz]
    out_kept = []

    def fun(*args):
        primals, tangent_args = args[:len(in_avals)], iter(args[len(in_avals):])
        tangents = [next(tangent_args) if nz else ad.Zero(ad.tangent_aval(a)) for a, nz in zip(in_avals, nonzeros)]
        outs, out_tangents = ad.jvp_flat(lambda *xs: eval_jaxpr(jaxpr, [], *xs), list(primals), tangents,
                                         instantiate_out=False)
        kept = []
        for t, inst in zip(out_tangents, instantiate):
            if type(t) is ad.Zero and inst and can_instantiate(t.aval):
                t = ad.instantiate(t)
            out_kept.append(type(t) is not ad.Zero)
            if type(t) is not ad.Zero:
                kept.append(t)
        return list(outs) + kept

    closed = trace_flat(fun, list(in_avals) + tangent_avals, "jvp")
    return closed, out_kept


def jvp_fixed_point(jaxpr, const_nz, carry_nz, rest_nz, num_rest_out):
    """Which loop carries have nonzero tangents: grows `carry_nz` until the body's tangent outputs agree.

    Returns (carry_nz, the body's jvp_jaxpr result for it)."""
    carry_nz = list(carry_nz)
    while True:
        closed, out_nz = jvp_jaxpr(jaxpr, list(const_nz) + carry_nz + list(rest_nz),
                                   carry_nz + [False] * num_rest_out)
        new = [a or b for a, b in zip(carry_nz, out_nz[:len(carry_nz)])]
        if new == carry_nz:
            return carry_nz, (closed, out_nz)
        carry_nz = new


def instantiate_tangents(tangents, mask):
    """Tangents at the positions of `mask`, symbolic zeros made into arrays."""
    return [ad.instantiate(t) for t, m in zip(tangents, mask) if m]


# ---- partial evaluation -------------------------------------------------------------------------
class PartialEvalResult:
    """A jaxpr split in two: `known` (known ins -> known outs + residuals) and `unknown`
    (residuals + unknown ins -> unknown outs, with no constvars)."""

    __slots__ = ("known", "unknown", "out_unknowns", "num_res")

    def __init__(self, known, unknown, out_unknowns, num_res):
        self.known, self.unknown, self.out_unknowns, self.num_res = known, unknown, out_unknowns, num_res

    @property
    def res_avals(self):
        return self.unknown.in_avals[:self.num_res]


def partial_eval_jaxpr(jaxpr, unknowns, instantiate):
    """Partially evaluates `jaxpr` with the inputs flagged in `unknowns` unknown; outputs flagged in
    `instantiate` are made unknown even when they could be known."""
    known_trace = IRTrace("known")
    pe = ad.PartialEvalTrace(known_trace)
    ins = [pe.new_unknown(v.aval) if u else known_trace.new_arg(v.aval) for v, u in zip(jaxpr.invars, unknowns)]
    try:
        with core.set_current_trace(pe):
            outs = eval_jaxpr(jaxpr, [], *ins)
        out_unknowns = [pe.is_unknown(o) or bool(inst) for o, inst in zip(outs, instantiate)]
        unknown_closed = pe.tape.to_jaxpr([o for o, u in zip(outs, out_unknowns) if u])
        residuals = unknown_closed.consts
        known_closed = known_trace.to_jaxpr([o for o, u in zip(outs, out_unknowns) if not u] + list(residuals))
        return PartialEvalResult(known_closed, consts_as_invars(unknown_closed.jaxpr), out_unknowns, len(residuals))
    finally:
        pe.invalidate()
        pe.tape.invalidate()
        known_trace.invalidate()


def unknown_fixed_point(jaxpr, const_uk, carry_uk, rest_uk, num_rest_out):
    """Which loop carries are unknown: grows `carry_uk` until the body's unknown outputs agree.

    Returns (carry_uk, the body's split for it)."""
    carry_uk = list(carry_uk)
    while True:
        split = partial_eval_jaxpr(jaxpr, list(const_uk) + carry_uk + list(rest_uk),
                                   carry_uk + [False] * num_rest_out)
        new = [a or b for a, b in zip(carry_uk, split.out_unknowns[:len(carry_uk)])]
        if new == carry_uk:
            return carry_uk, split
        carry_uk = new


def known_part_only(closed, num_outs):
    """The known jaxpr of a split with its residual outputs dropped (when nothing unknown is needed)."""
    jaxpr = closed.jaxpr
    return ClosedJaxpr(Jaxpr(jaxpr.constvars, jaxpr.invars, jaxpr.outvars[:num_outs], jaxpr.eqns), closed.consts)


# ---- batching -----------------------------------------------------------------------------------
def batch_jaxpr(jaxpr, batched, axis_size, axis_name, instantiate):
    """vmap of `jaxpr` with batched inputs (batch axis first): (ClosedJaxpr, which outs are batched).
    Outputs are batched along axis 0; those flagged in `instantiate` are batched even if they need not be."""
    in_avals = [a.update(shape=(axis_size,) + a.shape) if b else a for a, b in zip(jaxpr.in_avals, batched)]
    out_batched = []

    def fun(*args):
        trace = batching.BatchTrace(core.current_trace(), axis_size, axis_name)
        ins = [trace.wrap(a, 0 if b else None) for a, b in zip(args, batched)]
        try:
            with core.set_current_trace(trace):
                outs = eval_jaxpr(jaxpr, [], *ins)
            results = []
            for o, inst in zip(outs, instantiate):
                val, dim = trace.lift(o)
                if dim is None and inst:
                    val, dim = batching.bdim_at_front(as_operand(val), None, axis_size), 0
                elif dim is not None:
                    val, dim = batching.moveaxis(val, dim, 0), 0
                out_batched.append(dim is not None)
                results.append(val)
            return results
        finally:
            trace.invalidate()

    closed = trace_flat(fun, in_avals, "vmap")
    return closed, out_batched


def batch_fixed_point(jaxpr, const_bat, carry_bat, rest_bat, num_rest_out, axis_size, axis_name):
    """Which loop carries are batched: grows `carry_bat` until the body's batched outputs agree.

    Returns (carry_bat, the body's batch_jaxpr result for it)."""
    carry_bat = list(carry_bat)
    while True:
        closed, out_bat = batch_jaxpr(jaxpr, list(const_bat) + carry_bat + list(rest_bat), axis_size, axis_name,
                                      carry_bat + [False] * num_rest_out)
        new = [a or b for a, b in zip(carry_bat, out_bat[:len(carry_bat)])]
        if new == carry_bat:
            return carry_bat, (closed, out_bat)
        carry_bat = new


def per_branch_then_joined(transform, branches, n_out):
    """Runs `transform(branch, out_flags)` on each branch with no forced outputs, joins the output flags
    (any branch), and re-runs it on the branches whose flags differ from the join.

    `transform` returns (result, out_flags); returns (results, joined flags)."""
    first = [transform(b, [False] * n_out) for b in branches]
    joined = [any(column) for column in zip(*(flags for _, flags in first))]
    results = [result if flags == joined else transform(b, joined)[0] for b, (result, flags) in zip(branches, first)]
    return results, joined


# ---- loop carries -------------------------------------------------------------------------------
def first_parameter_name(fun, default):
    import inspect
    try:
        params = [p for p in inspect.signature(fun).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        return default
    return params[0].name if params else default


def leaf_paths(tree):
    """keystr of each leaf of a treedef ('' for a bare leaf)."""
    dummy = tree_util.tree_unflatten(tree, list(range(tree.num_leaves)))
    return [tree_util.keystr(path) for path, _ in tree_util.tree_flatten_with_path(dummy)[0]]


def check_carry_structure(kind, in_tree, out_tree):
    """TypeError (JAX's wording) when a loop body's carry output has another pytree structure than its input."""
    if in_tree != out_tree:
        raise TypeError(
            f"{kind} body function carry input and carry output must have the same pytree structure, but they "
            f"differ:\n\nThe input carry has structure {in_tree} but the carry output has structure "
            f"{out_tree}.\n\nRevise the function so that the carry output has the same pytree structure as the "
            f"carry input.{user_line()}")


def check_carry_types(kind, fun, in_tree, in_avals, out_avals):
    """TypeError (JAX's wording) when a loop body's carry output differs from its input in shape or dtype."""
    name = first_parameter_name(fun, "carry")
    for path, a, b in zip(leaf_paths(in_tree), in_avals, out_avals):
        why = type_mismatch(a, b)
        if why:
            raise TypeError(
                f"{kind} body function carry input and carry output must have equal types, but they differ:\n\n"
                f"The input carry {name}{path} has type {type_str(a)} but the corresponding output carry "
                f"component has type {type_str(b)}, so the {why} do not match.\n\nRevise the function so that "
                f"all output types match the corresponding input types.{user_line()}")
