"""lax.scan: the `scan` primitive, a loop over the leading axis of its inputs with a carry.

Operands: constants, the initial carry, then the scanned inputs `xs` (leading axis `length`).
Params: `jaxpr` (consts + carry + x slices -> carry + y slices), `num_consts`, `num_carry`,
`length`, `reverse`, `unroll`. Outputs: the final carry, then the `ys` stacked along a new
leading axis.
"""
from jaxlike import core, tree_util
from jaxlike.core import Primitive, get_aval
from jaxlike.ir import Jaxpr, Literal, eval_jaxpr
from jaxlike.lax.base import shape_error
from jaxlike.lax.control_flow.common import (batch_fixed_point, check_carry_structure, check_carry_types,
                                             flatten_operands, hoist_consts, instantiate_tangents, jvp_fixed_point,
                                             promote_weak_inputs, reorder_invars, reorder_outvars, split_list,
                                             trace_flat, trace_user_function, type_mismatch, unknown_fixed_point, zeros)
from jaxlike.source_info import user_line
from jaxlike.transforms import ad, batching

__all__ = ["scan", "scan_p"]

scan_p = Primitive("scan", multiple_results=True)


@scan_p.def_abstract_eval
def _scan_abstract_eval(*avals, jaxpr, num_consts, num_carry, length, reverse, unroll):
    consts, carry, xs = split_list(avals, [num_consts, num_carry])
    for x in xs:
        if not x.shape or x.shape[0] != length:
            raise shape_error(f"scan of length {length} got an input of type {x.str_short()}.")
    given = consts + carry + [x.update(shape=x.shape[1:]) for x in xs]
    if len(given) != len(jaxpr.invars) or any(type_mismatch(v.aval, a) for v, a in zip(jaxpr.invars, given)):
        raise shape_error("scan body takes other types than it is given.")
    out = jaxpr.out_avals
    return out[:num_carry] + [y.update(shape=(length,) + y.shape) for y in out[num_carry:]]


# ---- user API -------------------------------------------------------------------------------------
def scan(f, init, xs=None, length=None, reverse=False, unroll=1, _split_transpose=False):
    """lax.scan: loop `carry, y = f(carry, x)` over the leading axis of `xs` (pytrees); returns
    (final carry, stacked ys). `xs=None` scans `length` steps with x=None."""
    if not callable(f):
        raise TypeError(f"scan: f argument should be a callable.{user_line()}")
    xs_leaves, _ = flatten_operands(xs)
    length = _scan_length([get_aval(x) for x in xs_leaves], length)
    unroll = _canonical_unroll(unroll, length)
    init_leaves, carry_tree = flatten_operands(init)
    _, in_tree = tree_util.tree_flatten((init, xs))
    x_avals = [get_aval(x).update(shape=get_aval(x).shape[1:]) for x in xs_leaves]
    body = _pair_output(f)

    def trace(carry_leaves):
        closed, out_tree = trace_user_function(body, in_tree, [get_aval(c) for c in carry_leaves] + x_avals, "scan")
        carry_out_tree, ys_tree = out_tree.children()
        check_carry_structure("scan", carry_tree, carry_out_tree)
        return closed, carry_out_tree, ys_tree

    closed, carry_out_tree, ys_tree = trace(init_leaves)
    init_leaves, changed = promote_weak_inputs(init_leaves, [get_aval(c) for c in init_leaves],
                                               closed.out_avals[:len(init_leaves)])
    if changed:
        closed, carry_out_tree, ys_tree = trace(init_leaves)
    check_carry_types("scan", f, carry_tree, [get_aval(c) for c in init_leaves], closed.out_avals[:len(init_leaves)])
    jaxpr, consts = hoist_consts(closed)
    outs = scan_p.bind(*consts, *init_leaves, *xs_leaves, jaxpr=jaxpr, num_consts=len(consts),
                       num_carry=len(init_leaves), length=length, reverse=bool(reverse), unroll=unroll)
    carry, ys = outs[:len(init_leaves)], outs[len(init_leaves):]
    return tree_util.tree_unflatten(carry_out_tree, carry), tree_util.tree_unflatten(ys_tree, ys)


def _pair_output(f):
    def body(carry, x):
        out = f(carry, x)
        if not (isinstance(out, (tuple, list)) and len(out) == 2):
            raise TypeError(f"scan body output must be a pair, got {type(out).__name__}: {out!r:.80}.{user_line()}")
        return tuple(out)
    return body


def _scan_length(x_avals, length):
    for a in x_avals:
        if not a.shape:
            raise ValueError(f"scan got value with no leading axis to scan over: {a.str_short()}.{user_line()}")
    lengths = sorted({a.shape[0] for a in x_avals})
    if length is not None:
        length = int(core.concrete_or_error(length, "the `length` argument of scan"))
        if lengths and lengths != [length]:
            raise ValueError(f"scan got `length` argument of {length} which disagrees with leading axis sizes "
                             f"{lengths}.{user_line()}")
        return length
    if not lengths:
        raise ValueError(f"scan got no values to scan over and `length` not provided.{user_line()}")
    if len(lengths) > 1:
        raise ValueError(f"scan got values with different leading axis sizes: "
                         f"{', '.join(str(a.shape[0]) for a in x_avals)}.{user_line()}")
    return lengths[0]


def _canonical_unroll(unroll, length):
    if isinstance(unroll, bool):
        return max(length, 1) if unroll else 1
    if not isinstance(unroll, int) or unroll < 0:
        raise ValueError(f"`unroll` must be a `bool` or a non-negative `int`.{user_line()}")
    return max(int(unroll), 1)


# ---- forward mode -----------------------------------------------------------------------------------
def _scan_jvp(primals, tangents, jaxpr, num_consts, num_carry, length, reverse, unroll):
    """A scan of the JVP of the body; carries whose tangent may become nonzero carry it (fixed point)."""
    consts, init, xs = split_list(primals, [num_consts, num_carry])
    const_t, init_t, xs_t = split_list(tangents, [num_consts, num_carry])
    nonzero = lambda ts: [type(t) is not ad.Zero for t in ts]
    const_nz, xs_nz = nonzero(const_t), nonzero(xs_t)
    num_ys = len(jaxpr.outvars) - num_carry
    carry_nz, (closed, out_kept) = jvp_fixed_point(jaxpr, const_nz, nonzero(init_t), xs_nz, num_ys)
    body, derived = hoist_consts(closed)
    # JVP order (consts, carry, xs, their tangents) -> scan order (consts+tangents, carry+tangents, xs+tangents)
    sizes = [len(derived), num_consts, num_carry, len(xs), sum(const_nz), sum(carry_nz), sum(xs_nz)]
    d, c, k, x, ct, kt, xt = _ranges(sizes)
    body = reorder_invars(body, d + c + ct + k + kt + x + xt)
    ys_nz = out_kept[num_carry:]
    carry_out, ys_out, carry_t_out, ys_t_out = _ranges([num_carry, num_ys, sum(carry_nz), sum(ys_nz)])
    body = reorder_outvars(body, carry_out + carry_t_out + ys_out + ys_t_out)
    outs = scan_p.bind(*derived, *consts, *[t for t in const_t if type(t) is not ad.Zero],
                       *init, *instantiate_tangents(init_t, carry_nz),
                       *xs, *[t for t in xs_t if type(t) is not ad.Zero],
                       jaxpr=body, num_consts=len(derived) + num_consts + sum(const_nz),
                       num_carry=num_carry + sum(carry_nz), length=length, reverse=reverse, unroll=unroll)
    carry, carry_t, ys, ys_t = split_list(outs, [num_carry, sum(carry_nz), num_ys])
    out_avals = _scan_abstract_eval(*[get_aval(v) for v in primals], jaxpr=jaxpr, num_consts=num_consts,
                                    num_carry=num_carry, length=length, reverse=reverse, unroll=unroll)
    tangents_out = _scatter(carry_t + ys_t, carry_nz + ys_nz, out_avals)
    return carry + ys, tangents_out


def _ranges(sizes):
    """Consecutive index ranges of the given sizes, as lists."""
    out, start = [], 0
    for n in sizes:
        out.append(list(range(start, start + n)))
        start += n
    return out


def _scatter(values, mask, avals):
    """`values` at the positions of `mask`, symbolic zero tangents elsewhere."""
    it = iter(values)
    return [next(it) if m else ad.Zero(ad.tangent_aval(a)) for m, a in zip(mask, avals)]


scan_p.jvp = _scan_jvp


# ---- partial evaluation -------------------------------------------------------------------------------
def _scan_partial_eval(pe, args, params):
    """Splits the scan in two, as JAX does: a known scan that also emits the residuals the tangent
    work needs, stacked over iterations, and an unknown scan over them, recorded on the tape.
    Residuals that depend on constants only are computed once, outside the loop, and residuals
    that are slices of known xs are read from those xs rather than copied."""
    jaxpr, num_consts, num_carry = params["jaxpr"], params["num_consts"], params["num_carry"]
    const_uk, init_uk, xs_uk = split_list([pe.is_unknown(x) for x in args], [num_consts, num_carry])
    num_ys = len(jaxpr.outvars) - num_carry
    carry_uk, split = unknown_fixed_point(jaxpr, const_uk, init_uk, xs_uk, num_ys)
    consts, init, xs = split_list(args, [num_consts, num_carry])
    plan = _ResidualPlan(split, const_uk, carry_uk)
    with core.set_current_trace(pe.parent):
        known_outs, residuals = _known_scan(plan, _known(consts, const_uk), _known(init, carry_uk),
                                            _known(xs, xs_uk), params)
    if not any(split.out_unknowns):
        return known_outs
    unknown_args = ([residuals[i] for i in plan.hoisted] + _unknown(consts, const_uk)
                    + _unknown(init, carry_uk)  # a known init of an unknown carry is a residual
                    + [residuals[i] for i in plan.scanned] + _unknown(xs, xs_uk))
    unknown_params = dict(params, jaxpr=plan.unknown_body(const_uk, carry_uk, xs_uk),
                          num_consts=len(plan.hoisted) + const_uk.count(True), num_carry=carry_uk.count(True))
    unknown_outs = pe.tape.process_primitive(scan_p, unknown_args, unknown_params)
    return _merge(known_outs, unknown_outs, split.out_unknowns)


def _known(values, unknowns):
    return [v for v, u in zip(values, unknowns) if not u]


def _unknown(values, unknowns):
    return [v for v, u in zip(values, unknowns) if u]


class _ResidualPlan:
    """Where each residual of a split scan body comes from: `hoisted` ones depend on constants only,
    `forwarded` ones are known xs slices (residual index -> index among the known xs), `stacked` ones
    are emitted by the known scan. `scanned` lists the residuals the unknown scan takes as xs."""

    def __init__(self, split, const_uk, carry_uk):
        self.split = split
        self.known_jaxpr, self.known_consts = hoist_consts(split.known)
        self.num_consts = len(self.known_consts) + const_uk.count(False)
        self.num_carry = carry_uk.count(False)
        self.num_outs = len(self.known_jaxpr.outvars) - split.num_res
        self.residual_vars = self.known_jaxpr.outvars[self.num_outs:]
        invariant = _loop_invariant(self.known_jaxpr, self.num_consts)
        xs_vars = self.known_jaxpr.invars[self.num_consts + self.num_carry:]
        self.forwarded = {i: xs_vars.index(r) for i, r in enumerate(self.residual_vars) if r in xs_vars}
        self.hoisted = [i for i, r in enumerate(self.residual_vars) if _is_in(r, invariant) and i not in self.forwarded]
        self.stacked = [i for i in range(len(self.residual_vars)) if i not in self.forwarded and i not in self.hoisted]
        self.scanned = self.stacked + sorted(self.forwarded)

    def known_body(self):
        """The known body emitting only the stacked residuals."""
        jaxpr = self.known_jaxpr
        outs = jaxpr.outvars[:self.num_outs] + [self.residual_vars[i] for i in self.stacked]
        return Jaxpr([], jaxpr.invars, outs, jaxpr.eqns)

    def unknown_body(self, const_uk, carry_uk, xs_uk):
        """The unknown body taking (hoisted residuals, unknown consts, unknown carry, scanned residuals, unknown xs)."""
        num_res = self.split.num_res
        uk_consts, uk_carry, uk_xs = _ranges([const_uk.count(True), carry_uk.count(True), xs_uk.count(True)])
        order = (self.hoisted + [num_res + i for i in uk_consts + uk_carry] + self.scanned
                 + [num_res + i for i in uk_xs])
        return reorder_invars(self.split.unknown, order)


def _known_scan(plan, consts, init, xs, params):
    """Runs the known part: (known carry and ys outputs, every residual's value by residual index)."""
    const_args = plan.known_consts + consts
    hoisted = _evaluate_outputs(plan.known_jaxpr, plan.num_consts, [plan.residual_vars[i] for i in plan.hoisted],
                                const_args)
    outs = scan_p.bind(*const_args, *init, *xs, jaxpr=plan.known_body(), num_consts=plan.num_consts,
                       num_carry=plan.num_carry, length=params["length"], reverse=params["reverse"],
                       unroll=params["unroll"])
    known_outs, stacked = outs[:plan.num_outs], outs[plan.num_outs:]
    residuals = [None] * len(plan.residual_vars)
    for i, value in list(zip(plan.hoisted, hoisted)) + list(zip(plan.stacked, stacked)):
        residuals[i] = value
    for i, k in plan.forwarded.items():
        residuals[i] = xs[k]
    return known_outs, residuals


def _merge(known_vals, unknown_vals, unknowns):
    k, u = iter(known_vals), iter(unknown_vals)
    return [next(u) if flag else next(k) for flag in unknowns]


def _is_in(atom, var_set):
    return type(atom) is Literal or atom in var_set


def _loop_invariant(jaxpr, num_consts):
    """The variables of a body jaxpr that depend on its constants only."""
    invariant = set(jaxpr.invars[:num_consts])
    for eqn in jaxpr.eqns:
        if all(_is_in(v, invariant) for v in eqn.invars):
            invariant.update(eqn.outvars)
    return invariant


def _evaluate_outputs(jaxpr, num_consts, outvars, const_values):
    """Evaluates, from the constants alone, the equations `outvars` need (they must be loop-invariant)."""
    if not outvars:
        return []
    needed, eqns = {v for v in outvars if type(v) is not Literal}, []
    for eqn in reversed(jaxpr.eqns):
        if any(v in needed for v in eqn.outvars):
            eqns.append(eqn)
            needed.update(v for v in eqn.invars if type(v) is not Literal)
    sub = Jaxpr([], jaxpr.invars[:num_consts], outvars, list(reversed(eqns)))
    return eval_jaxpr(sub, [], *const_values)


scan_p.partial_eval = _scan_partial_eval


# ---- transpose --------------------------------------------------------------------------------------
def _scan_transpose(cts, *args, jaxpr, num_consts, num_carry, length, reverse, unroll):
    """A scan in the other direction of the transposed body: carries the cotangents of the carry and
    accumulates those of the linear constants; emits those of the linear xs."""
    consts, init, xs = split_list(args, [num_consts, num_carry])
    const_lin = [ad.is_undefined_primal(c) for c in consts]
    xs_lin = [ad.is_undefined_primal(x) for x in xs]
    res_consts = [c for c, lin in zip(consts, const_lin) if not lin]
    res_xs = [x for x, lin in zip(xs, xs_lin) if not lin]
    lin_const_avals = [c.aval for c, lin in zip(consts, const_lin) if lin]
    carry_avals = jaxpr.in_avals[num_consts:num_consts + num_carry]
    ct_carry, ct_ys = cts[:num_carry], cts[num_carry:]
    ct_carry = [ad.instantiate(c) if type(c) is ad.Zero else c for c in ct_carry]
    ys_nz = [type(c) is not ad.Zero for c in ct_ys]
    y_avals = jaxpr.out_avals[num_carry:]

    def body(*body_args):
        res_c, acc, ct_k, res_x, ct_y = split_list(
            body_args, [len(res_consts), len(lin_const_avals), num_carry, len(res_xs)])
        res_c, res_x, ct_y = iter(res_c), iter(res_x), iter(ct_y)
        const_in = [ad.UndefinedPrimal(v.aval) if lin else next(res_c)
                    for v, lin in zip(jaxpr.invars[:num_consts], const_lin)]
        carry_in = [ad.UndefinedPrimal(a) for a in carry_avals]
        xs_in = [ad.UndefinedPrimal(v.aval) if lin else next(res_x)
                 for v, lin in zip(jaxpr.invars[num_consts + num_carry:], xs_lin)]
        cts_out = list(ct_k) + [next(ct_y) if nz else ad.Zero(a) for a, nz in zip(y_avals, ys_nz)]
        cts_in = ad.backward_pass(jaxpr, const_in + carry_in + xs_in, cts_out)
        ct_consts, ct_carry_in, ct_xs = split_list(cts_in, [num_consts, num_carry])
        ct_consts = [c for c, lin in zip(ct_consts, const_lin) if lin]
        new_acc = [ad.add_tangents(a, c) for a, c in zip(acc, ct_consts)]
        return (new_acc + [ad.instantiate(c) for c in ct_carry_in]
                + [ad.instantiate(c) for c, lin in zip(ct_xs, xs_lin) if lin])

    in_avals = ([get_aval(r) for r in res_consts] + lin_const_avals + carry_avals
                + [_slice_aval(get_aval(r)) for r in res_xs] + [a for a, nz in zip(y_avals, ys_nz) if nz])
    body_t, derived = hoist_consts(trace_flat(body, in_avals, "scan_transpose"))
    outs = scan_p.bind(*derived, *res_consts, *[zeros(a) for a in lin_const_avals], *ct_carry, *res_xs,
                       *[c for c in ct_ys if type(c) is not ad.Zero], jaxpr=body_t,
                       num_consts=len(derived) + len(res_consts), num_carry=len(lin_const_avals) + num_carry,
                       length=length, reverse=not reverse, unroll=unroll)
    ct_consts, ct_init, ct_xs = split_list(outs, [len(lin_const_avals), num_carry])
    ct_consts, ct_xs = iter(ct_consts), iter(ct_xs)
    return ([next(ct_consts) if lin else None for lin in const_lin]
            + [c if ad.is_undefined_primal(x) else None for c, x in zip(ct_init, init)]
            + [next(ct_xs) if lin else None for lin in xs_lin])


def _slice_aval(aval):
    return aval.update(shape=aval.shape[1:])


scan_p.transpose = _scan_transpose


# ---- batching ---------------------------------------------------------------------------------------
def _scan_batch(vals, dims, jaxpr, num_consts, num_carry, length, reverse, unroll, axis_size, axis_name):
    """Batch axes go first in consts and carries, second in xs and ys (the scan axis stays first);
    carries that become batched anywhere in the loop are batched from the start (fixed point)."""
    consts, init, xs = split_list(vals, [num_consts, num_carry])
    const_d, init_d, xs_d = split_list(dims, [num_consts, num_carry])
    consts = [c if d is None else batching.moveaxis(c, d, 0) for c, d in zip(consts, const_d)]
    init = [c if d is None else batching.moveaxis(c, d, 0) for c, d in zip(init, init_d)]
    xs = [x if d is None else batching.moveaxis(x, d, 1) for x, d in zip(xs, xs_d)]
    batched = lambda ds: [d is not None for d in ds]
    num_ys = len(jaxpr.outvars) - num_carry
    carry_bat, (closed, out_bat) = batch_fixed_point(jaxpr, batched(const_d), batched(init_d), batched(xs_d), num_ys,
                                                     axis_size, axis_name)
    body, derived = hoist_consts(closed)
    init = [batching.bdim_at_front(x, None, axis_size) if b and d is None else x
            for x, b, d in zip(init, carry_bat, init_d)]
    outs = scan_p.bind(*derived, *consts, *init, *xs, jaxpr=body, num_consts=len(derived) + num_consts,
                       num_carry=num_carry, length=length, reverse=reverse, unroll=unroll)
    return outs, [0 if b else None for b in carry_bat] + [1 if b else None for b in out_bat[num_carry:]]


scan_p.batch = _scan_batch
scan_p.batch_needs_axis = True
