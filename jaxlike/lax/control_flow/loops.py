"""lax.while_loop and lax.fori_loop: the `while` primitive.

Operands: the cond function's constants, the body's constants, then the loop carry.
Params: `cond_jaxpr` (cond consts + carry -> bool scalar), `body_jaxpr` (body consts + carry ->
carry), `cond_nconsts`, `body_nconsts`.
"""
import numpy as np

from jaxlike import core, dtypes, tree_util
from jaxlike.array import as_operand
from jaxlike.config import config
from jaxlike.core import Primitive, get_aval
from jaxlike.ir import eval_jaxpr
from jaxlike.lax.base import shape_error
from jaxlike.lax.control_flow.common import (batch_fixed_point, batch_jaxpr, check_carry_structure, check_carry_types,
                                             flatten_operands, hoist_consts, instantiate_tangents, jvp_fixed_point,
                                             known_part_only, partial_eval_jaxpr, promote_weak_inputs, reorder_invars,
                                             split_list, trace_flat, trace_user_function, type_mismatch, type_str,
                                             unknown_fixed_point, with_unused_invars)
from jaxlike.source_info import user_line
from jaxlike.transforms import ad, batching

__all__ = ["while_loop", "fori_loop", "while_p"]

while_p = Primitive("while", multiple_results=True)


@while_p.def_abstract_eval
def _while_abstract_eval(*avals, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
    carry = avals[cond_nconsts + body_nconsts:]
    out = body_jaxpr.out_avals
    if len(out) != len(carry) or any(type_mismatch(a, b) for a, b in zip(carry, out)):
        raise shape_error("while_loop body must return a carry of the type it takes.")
    pred = cond_jaxpr.out_avals
    if len(pred) != 1 or pred[0].shape != () or pred[0].dtype != np.bool_:
        raise shape_error("while_loop cond must return a boolean scalar.")
    return out


# ---- user API -------------------------------------------------------------------------------------
def while_loop(cond_fun, body_fun, init_val):
    """lax.while_loop: `val = body_fun(val)` while `cond_fun(val)`; forward-differentiable only."""
    if not (callable(cond_fun) and callable(body_fun)):
        raise TypeError(f"lax.while_loop: cond_fun and body_fun arguments should be callable.{user_line()}")
    if config.read("jax_disable_jit"):
        val = init_val
        while cond_fun(val):
            val = body_fun(val)
        return val
    leaves, in_tree = flatten_operands((init_val,))
    carry_tree = tree_util.tree_structure(init_val)
    body, body_tree = trace_user_function(body_fun, in_tree, [get_aval(x) for x in leaves], "while_loop")
    check_carry_structure("while_loop", carry_tree, body_tree)
    leaves, changed = promote_weak_inputs(leaves, [get_aval(x) for x in leaves], body.out_avals)
    if changed:
        body, body_tree = trace_user_function(body_fun, in_tree, [get_aval(x) for x in leaves], "while_loop")
    avals = [get_aval(x) for x in leaves]
    check_carry_types("while_loop", body_fun, carry_tree, avals, body.out_avals)
    cond, _ = trace_user_function(cond_fun, in_tree, avals, "while_loop")
    _check_predicate(cond.out_avals)
    cond_jaxpr, cond_consts = hoist_consts(cond)
    body_jaxpr, body_consts = hoist_consts(body)
    outs = while_p.bind(*cond_consts, *body_consts, *leaves, cond_jaxpr=cond_jaxpr, body_jaxpr=body_jaxpr,
                        cond_nconsts=len(cond_consts), body_nconsts=len(body_consts))
    return tree_util.tree_unflatten(body_tree, outs)


def _check_predicate(avals):
    if len(avals) != 1 or avals[0].shape != () or avals[0].dtype != np.bool_:
        raise TypeError(f"cond_fun must return a boolean scalar, but got output type(s) "
                        f"[{', '.join(type_str(a) for a in avals)}].{user_line()}")


def fori_loop(lower, upper, body_fun, init_val, *, unroll=None):
    """lax.fori_loop: `val = body_fun(i, val)` for i in [lower, upper); a scan (reverse-differentiable)
    when the bounds are concrete, else a while_loop."""
    if not callable(body_fun):
        raise TypeError(f"lax.fori_loop: body_fun argument should be callable.{user_line()}")
    lower, upper = as_operand(lower), as_operand(upper)
    dtype = _bounds_dtype(lower, upper)
    bounds = _concrete_bounds(lower, upper)
    if bounds is not None:
        from jaxlike.lax.control_flow.scans import scan
        length = max(bounds[1] - bounds[0], 0)
        (_, result), _ = scan(_scan_body(body_fun), (bounds[0], init_val), None, length=length,
                              unroll=1 if unroll is None else unroll)
        return result
    if unroll is not None and unroll is not False and unroll != 1:
        raise ValueError(f"Can only use `unroll` in `fori_loop` if the loop bounds are statically known."
                         f"{user_line()}")
    from jaxlike.lax.elementwise import convert_element_type
    lower, upper = convert_element_type(lower, dtype), convert_element_type(upper, dtype)
    _, _, result = while_loop(_below_upper, _while_body(body_fun), (lower, upper, init_val))
    return result


def _bounds_dtype(lower, upper):
    """The loop index dtype; a weakly typed bound takes the other's signed integer type, as JAX allows."""
    a, b = get_aval(lower), get_aval(upper)
    if a.dtype == b.dtype:
        return a.dtype
    if dtypes.kind(a.dtype) == "i" and dtypes.kind(b.dtype) == "i" and a.weak_type != b.weak_type:
        return b.dtype if a.weak_type else a.dtype
    raise TypeError(f"lower and upper arguments to fori_loop must have equal types, got {a.dtype.name} and "
                    f"{b.dtype.name}{user_line()}")


def _concrete_bounds(lower, upper):
    try:
        return int(lower), int(upper)
    except TypeError:  # a traced bound (ConcretizationTypeError is a TypeError)
        return None


def _scan_body(body_fun):
    def step(carry, _):
        i, val = carry
        return (i + 1, body_fun(i, val)), None
    return step


def _below_upper(carry):
    from jaxlike.lax.elementwise import lt
    i, upper, _ = carry
    return lt(i, upper)


def _while_body(body_fun):
    def step(carry):
        from jaxlike.lax.elementwise import add
        i, upper, val = carry
        return add(i, 1), upper, body_fun(i, val)
    return step


# ---- forward mode -----------------------------------------------------------------------------------
def _while_jvp(primals, tangents, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
    """Carries the tangents of the carries that can become nonzero along with the primal loop."""
    cond_consts, body_consts, init = split_list(primals, [cond_nconsts, body_nconsts])
    _, body_const_t, init_t = split_list(tangents, [cond_nconsts, body_nconsts])
    const_nz = [type(t) is not ad.Zero for t in body_const_t]
    carry_nz, (body_jvp, _) = jvp_fixed_point(body_jaxpr, const_nz, [type(t) is not ad.Zero for t in init_t], [], 0)
    body, derived = hoist_consts(body_jvp)
    n_derived, n_consts, n_carry = len(derived), len(body_consts), len(init)
    n_const_t = sum(const_nz)
    start_t = n_derived + n_consts + n_carry
    order = (list(range(n_derived + n_consts)) + list(range(start_t, start_t + n_const_t))
             + list(range(n_derived + n_consts, start_t)) + list(range(start_t + n_const_t, len(body.invars))))
    body = reorder_invars(body, order)
    carry_t_avals = [ad.tangent_aval(a) for a, nz in zip(body_jaxpr.out_avals, carry_nz) if nz]
    cond = with_unused_invars(cond_jaxpr, after=carry_t_avals)
    const_t = [t for t in body_const_t if type(t) is not ad.Zero]
    outs = while_p.bind(*cond_consts, *derived, *body_consts, *const_t, *init, *instantiate_tangents(init_t, carry_nz),
                        cond_jaxpr=cond, body_jaxpr=body, cond_nconsts=cond_nconsts,
                        body_nconsts=n_derived + n_consts + n_const_t)
    out_primals, rest = outs[:n_carry], iter(outs[n_carry:])
    out_tangents = [next(rest) if nz else ad.Zero(ad.tangent_aval(a)) for a, nz in zip(body_jaxpr.out_avals, carry_nz)]
    return out_primals, out_tangents


while_p.jvp = _while_jvp


# ---- partial evaluation -------------------------------------------------------------------------------
def _while_partial_eval(pe, args, params):
    """Known carries come from a while over the known part; the unknown carries from the whole loop
    staged out (JAX's rule). Its transpose fails: while loops are not reverse-differentiable."""
    cond_jaxpr, body_jaxpr = params["cond_jaxpr"], params["body_jaxpr"]
    cond_nconsts, body_nconsts = params["cond_nconsts"], params["body_nconsts"]
    unknowns = [pe.is_unknown(x) for x in args]
    cond_const_uk, body_const_uk, carry_uk = split_list(unknowns, [cond_nconsts, body_nconsts])
    carry_uk, body_split = unknown_fixed_point(body_jaxpr, body_const_uk, carry_uk, [], 0)
    cond_split = partial_eval_jaxpr(cond_jaxpr, cond_const_uk + carry_uk, [False])
    if cond_split.out_unknowns[0] or all(carry_uk):
        return pe.tape.process_primitive(while_p, args, params)
    n_known = carry_uk.count(False)
    cond_known, cond_consts = hoist_consts(known_part_only(cond_split.known, 1))
    body_known, body_consts = hoist_consts(known_part_only(body_split.known, n_known))
    cond_args, body_args, init = split_list(args, [cond_nconsts, body_nconsts])
    known = lambda xs, uks: [x for x, u in zip(xs, uks) if not u]
    with core.set_current_trace(pe.parent):
        known_outs = while_p.bind(
            *cond_consts, *known(cond_args, cond_const_uk), *body_consts, *known(body_args, body_const_uk),
            *known(init, carry_uk), cond_jaxpr=cond_known, body_jaxpr=body_known,
            cond_nconsts=len(cond_consts) + cond_const_uk.count(False),
            body_nconsts=len(body_consts) + body_const_uk.count(False))
    if not any(carry_uk):
        return known_outs
    staged = pe.tape.process_primitive(while_p, args, params)
    known_it = iter(known_outs)
    return [s if u else next(known_it) for s, u in zip(staged, carry_uk)]


while_p.partial_eval = _while_partial_eval


def _while_transpose(cts, *args, **params):
    raise ValueError("Reverse-mode differentiation does not work for lax.while_loop or lax.fori_loop with dynamic "
                     "start/stop values. Try using lax.scan, or using fori_loop with static start/stop."
                     f"{user_line()}")


while_p.transpose = _while_transpose


# ---- batching ---------------------------------------------------------------------------------------
def _while_batch(vals, dims, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts, axis_size, axis_name):
    vals = [v if d is None else batching.moveaxis(v, d, 0) for v, d in zip(vals, dims)]
    cond_bat, body_bat, init_bat = split_list([d is not None for d in dims], [cond_nconsts, body_nconsts])
    carry_bat, (body_b, _) = batch_fixed_point(body_jaxpr, body_bat, init_bat, [], 0, axis_size, axis_name)
    cond_b, (pred_batched,) = batch_jaxpr(cond_jaxpr, cond_bat + carry_bat, axis_size, axis_name, [False])
    if pred_batched:
        carry_bat = [True] * len(carry_bat)
        cond_b, _ = batch_jaxpr(cond_jaxpr, cond_bat + carry_bat, axis_size, axis_name, [True])
        body_b, _ = batch_jaxpr(body_jaxpr, body_bat + carry_bat, axis_size, axis_name, carry_bat)
    cond_args, body_args, init = split_list(vals, [cond_nconsts, body_nconsts])
    init = [batching.bdim_at_front(as_operand(x), None, axis_size) if b and not ib else x
            for x, b, ib in zip(init, carry_bat, init_bat)]
    if pred_batched:
        cond_b, body_b = _until_all_done(cond_b, body_b, cond_args, body_args, init)
        body_args = list(cond_args) + list(body_args)
    cond_jaxpr_b, cond_consts = hoist_consts(cond_b)
    body_jaxpr_b, body_consts = hoist_consts(body_b)
    outs = while_p.bind(*cond_consts, *cond_args, *body_consts, *body_args, *init, cond_jaxpr=cond_jaxpr_b,
                        body_jaxpr=body_jaxpr_b, cond_nconsts=len(cond_consts) + len(cond_args),
                        body_nconsts=len(body_consts) + len(body_args))
    return outs, [0 if b else None for b in carry_bat]


def _until_all_done(cond_b, body_b, cond_args, body_args, init):
    """A batched predicate: loop while any member's predicate holds; finished members keep their carry.

    Returns (cond over cond consts + carry, body over cond consts + body consts + carry)."""
    from jaxlike.lax.elementwise import select_n
    from jaxlike.lax.reductions import reduce_or
    from jaxlike.lax.structural import broadcast_in_dim
    n_cond, n_body = len(cond_args), len(body_args)

    def cond_fun(*args):
        (pred,) = eval_jaxpr(cond_b.jaxpr, cond_b.consts, *args)
        return [reduce_or(pred, (0,))]

    def body_fun(*args):
        cond_consts, body_consts, carry = split_list(args, [n_cond, n_body])
        (pred,) = eval_jaxpr(cond_b.jaxpr, cond_b.consts, *cond_consts, *carry)
        new = eval_jaxpr(body_b.jaxpr, body_b.consts, *body_consts, *carry)
        out = []
        for old, updated in zip(carry, new):
            shape = get_aval(old).shape
            which = pred if len(shape) == 1 else broadcast_in_dim(pred, shape, (0,))
            out.append(select_n(which, old, updated))
        return out

    carry_avals = [get_aval(x) for x in init]
    cond_avals = [get_aval(x) for x in cond_args]
    body_avals = [get_aval(x) for x in body_args]
    return (trace_flat(cond_fun, cond_avals + carry_avals, "while_loop"),
            trace_flat(body_fun, cond_avals + body_avals + carry_avals, "while_loop"))


while_p.batch = _while_batch
while_p.batch_needs_axis = True
