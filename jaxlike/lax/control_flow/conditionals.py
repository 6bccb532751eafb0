"""lax.cond and lax.switch: the `cond` primitive, which runs one of several branch jaxprs.

Operands: an int32 scalar index, then the operands all branches share (constants first).
Params: `branches`, a tuple of jaxprs with equal input and output types.
"""
import numpy as np

from jaxlike import core, dtypes, tree_util
from jaxlike.array import as_operand, concrete_value
from jaxlike.config import config
from jaxlike.core import Primitive, get_aval
from jaxlike.ir import Jaxpr, Var, eval_jaxpr
from jaxlike.lax.base import shape_error
from jaxlike.lax.control_flow.common import (batch_jaxpr, flatten_operands, function_name, join_consts, join_weak_types,
                                             jvp_jaxpr, leaf_paths, partial_eval_jaxpr, per_branch_then_joined,
                                             trace_flat, trace_user_function, type_mismatch, type_str, zeros)
from jaxlike.source_info import user_line
from jaxlike.transforms import ad, batching, calls

__all__ = ["cond", "switch", "cond_p"]

cond_p = Primitive("cond", multiple_results=True)


@cond_p.def_abstract_eval
def _cond_abstract_eval(index, *args, branches):
    if index.shape != () or index.dtype != np.int32:
        raise shape_error(f"cond's index must be an int32 scalar, got {index.str_short()}.")
    for jaxpr in branches:
        if len(jaxpr.invars) != len(args) or any(type_mismatch(v.aval, a) for v, a in zip(jaxpr.invars, args)):
            raise shape_error(f"cond branch takes {_types(jaxpr.in_avals)} but is given {_types(args)}.")
    return join_weak_types([jaxpr.out_avals for jaxpr in branches])


def _types(avals):
    return "(" + ", ".join(a.str_short() for a in avals) + ")"


# ---- user API -------------------------------------------------------------------------------------
_NO_OPERAND = object()


def cond(pred, true_fun, false_fun, *operands, operand=_NO_OPERAND):
    """lax.cond: `true_fun(*operands)` if `pred` else `false_fun(*operands)`; both branches are traced."""
    if not (callable(true_fun) and callable(false_fun)):
        raise TypeError(f"lax.cond: true_fun and false_fun arguments should be callable.{user_line()}")
    operands = _with_operand_keyword(operands, operand)
    pred = _checked_predicate(pred)
    if config.read("jax_disable_jit"):
        value = concrete_value(pred)
        if value is not None:
            return true_fun(*operands) if value else false_fun(*operands)
    from jaxlike.lax.elementwise import convert_element_type
    index = convert_element_type(pred, np.int32)
    return _bind_branches("cond", index, [false_fun, true_fun], ["false_fun", "true_fun"], operands,
                          reference=1)


def switch(index, branches, *operands, operand=_NO_OPERAND):
    """lax.switch: `branches[index](*operands)`, with `index` clamped into range; all branches are traced."""
    branches = tuple(branches)
    if not all(callable(b) for b in branches):
        raise TypeError(f"lax.switch: branches argument should be a sequence of callables.{user_line()}")
    if not branches:
        raise ValueError(f"Empty branch sequence{user_line()}")
    operands = _with_operand_keyword(operands, operand)
    index = _checked_index(index)
    if len(branches) == 1:
        return branches[0](*operands)
    from jaxlike.lax.elementwise import convert_element_type, max, min
    index = max(min(convert_element_type(index, np.int32), len(branches) - 1), 0)
    if config.read("jax_disable_jit"):
        value = concrete_value(index)
        if value is not None:
            return branches[int(value)](*operands)
    labels = [f"branches[{i}]" for i in range(len(branches))]
    return _bind_branches("switch", index, list(branches), labels, operands, reference=0)


def _with_operand_keyword(operands, operand):
    if operand is _NO_OPERAND:
        return operands
    if operands:
        raise TypeError(f"if 'operand' keyword is passed then no positional operands can be passed, got "
                        f"operand={operand!r:.60} and positional operands {operands!r:.60}.{user_line()}")
    return (operand,)


def _checked_predicate(pred):
    """The predicate as a boolean scalar; numbers mean `pred != 0`, as in JAX."""
    if pred is None:
        raise TypeError(f"cond predicate is None{user_line()}")
    if isinstance(pred, (list, tuple)):
        raise TypeError(f"Pred must be a scalar, got {pred!r:.60} of type {type(pred)}.{user_line()}")
    pred = as_operand(pred)
    aval = get_aval(pred)
    if aval.shape != ():
        raise TypeError(f"Pred must be a scalar, got {_describe(pred)} of shape {aval.shape}. Use "
                        f"jnp.where (or vmap) for elementwise choices.{user_line()}")
    kind = dtypes.kind(aval.dtype)
    if kind == "b":
        return pred
    if kind in "iuf":
        from jaxlike.lax.elementwise import ne
        return ne(pred, 0)
    raise TypeError(f"Pred type must be either boolean or number, got {aval.dtype.name}.{user_line()}")


def _checked_index(index):
    if isinstance(index, (list, tuple)):
        raise TypeError(f"Branch index must be scalar, got {index!r:.60} of type {type(index)}.{user_line()}")
    index = as_operand(index)
    aval = get_aval(index)
    if aval.shape != ():
        raise TypeError(f"Branch index must be scalar, got {_describe(index)} of shape {aval.shape}.{user_line()}")
    if dtypes.kind(aval.dtype) not in "iu":
        raise TypeError(f"Index type must be an integer, got {_describe(index)} as {aval.dtype.name}.{user_line()}")
    return index


def _describe(x):
    value = concrete_value(x) if not isinstance(x, core.Tracer) else None
    return repr(value) if value is not None else type_str(get_aval(x))


def _bind_branches(kind, index, funs, labels, operands, reference):
    """Traces each branch on the operands' types, checks they agree, and binds cond_p."""
    leaves, in_tree = flatten_operands(operands)
    in_avals = [get_aval(x) for x in leaves]
    traced = [trace_user_function(f, in_tree, in_avals, kind) for f in funs]
    _check_branch_outputs(kind, funs, labels, traced, reference)
    jaxprs, consts = join_consts([closed for closed, _ in traced])
    outs = cond_p.bind(index, *consts, *leaves, branches=tuple(jaxprs))
    return tree_util.tree_unflatten(traced[0][1], outs)


def _check_branch_outputs(kind, funs, labels, traced, reference):
    ref_closed, ref_tree = traced[reference]
    ref_label = labels[reference]
    for fun, label, (closed, tree) in zip(funs, labels, traced):
        if tree != ref_tree:
            raise TypeError(
                f"{kind} branch outputs must have the same pytree structure, but they differ:\n\n"
                f"{ref_label} is {function_name(funs[reference])}\n{label} is {function_name(fun)}\n\n"
                f"{ref_label} output has structure {ref_tree} but {label} output has structure {tree}.\n\n"
                f"Revise {ref_label} and/or {label} so that they have the same pytree structure.{user_line()}")
        paths = leaf_paths(tree)
        for path, a, b in zip(paths, ref_closed.out_avals, closed.out_avals):
            why = type_mismatch(a, b)
            if why:
                raise TypeError(
                    f"{kind} branches must have equal output types but they differ.\n\n"
                    f"{ref_label} is {function_name(funs[reference])}\n{label} is {function_name(fun)}\n\n"
                    f"The output of {ref_label}{path} has type {type_str(a)} but the corresponding output "
                    f"of {label} has type {type_str(b)}, so the {why} do not match.\n\n"
                    f"Revise {ref_label} and/or {label} so that all output types match.{user_line()}")


# ---- forward mode -----------------------------------------------------------------------------------
def _cond_jvp(primals, tangents, branches):
    index, *args = primals
    nonzeros = [type(t) is not ad.Zero for t in tangents[1:]]
    n_out = len(branches[0].outvars)
    closed, out_nz = per_branch_then_joined(lambda b, inst: jvp_jaxpr(b, nonzeros, inst), branches, n_out)
    jaxprs, consts = join_consts(closed)
    tangent_args = [t for t in tangents[1:] if type(t) is not ad.Zero]
    outs = cond_p.bind(index, *consts, *args, *tangent_args, branches=tuple(jaxprs))
    out_primals, rest = outs[:n_out], iter(outs[n_out:])
    out_avals = join_weak_types([b.out_avals for b in branches])
    out_tangents = [next(rest) if nz else ad.Zero(ad.tangent_aval(a)) for a, nz in zip(out_avals, out_nz)]
    return out_primals, out_tangents


cond_p.jvp = _cond_jvp


# ---- partial evaluation -------------------------------------------------------------------------------
def _cond_partial_eval(pe, args, params):
    """Known outputs come from a cond of the known branch parts, which also emit every branch's
    residuals (zeros in the slots of the branches not taken); the unknown parts form a second cond."""
    branches = params["branches"]
    index, *ops = args
    if pe.is_unknown(index):
        return pe.tape.process_primitive(cond_p, args, params)
    unknowns = [pe.is_unknown(x) for x in ops]
    n_out = len(branches[0].outvars)
    splits, out_uk = per_branch_then_joined(lambda b, inst: _split_with_flags(b, unknowns, inst), branches, n_out)
    known_jaxprs, known_consts = join_consts([_known_branch(splits, i) for i in range(len(splits))])
    known_ops = [x for x, u in zip(ops, unknowns) if not u]
    with core.set_current_trace(pe.parent):
        known_outs = cond_p.bind(index, *known_consts, *known_ops, branches=tuple(known_jaxprs))
    n_known = out_uk.count(False)
    known_results, residuals = known_outs[:n_known], known_outs[n_known:]
    if not any(out_uk):
        return known_results
    unknown_jaxprs = tuple(_unknown_branch(splits, i) for i in range(len(splits)))
    unknown_ops = [x for x, u in zip(ops, unknowns) if u]
    unknown_results = pe.tape.process_primitive(cond_p, [index, *residuals, *unknown_ops],
                                                dict(branches=unknown_jaxprs))
    known_it, unknown_it = iter(known_results), iter(unknown_results)
    return [next(unknown_it) if u else next(known_it) for u in out_uk]


def _split_with_flags(jaxpr, unknowns, instantiate):
    split = partial_eval_jaxpr(jaxpr, unknowns, instantiate)
    return split, split.out_unknowns


def _known_branch(splits, i):
    """Branch i's known part, emitting its residuals in its own slots and zeros in the others'."""
    split = splits[i]
    known = split.known
    n_out = len(known.jaxpr.outvars) - split.num_res

    def fun(*ins):
        outs = eval_jaxpr(known.jaxpr, known.consts, *ins)
        residuals = []
        for j, other in enumerate(splits):
            residuals += outs[n_out:] if j == i else [zeros(a) for a in other.res_avals]
        return outs[:n_out] + residuals

    return trace_flat(fun, known.in_avals, "cond")


def _unknown_branch(splits, i):
    """Branch i's unknown part, taking every branch's residuals and using its own."""
    before = [a for s in splits[:i] for a in s.res_avals]
    after = [a for s in splits[i + 1:] for a in s.res_avals]
    unknown = splits[i].unknown
    own_res, ins = unknown.invars[:splits[i].num_res], unknown.invars[splits[i].num_res:]
    return Jaxpr([], [Var(a) for a in before] + own_res + [Var(a) for a in after] + ins, unknown.outvars,
                 unknown.eqns)


cond_p.partial_eval = _cond_partial_eval


# ---- transpose --------------------------------------------------------------------------------------
def _cond_transpose(cts, index, *ops, branches):
    if ad.is_undefined_primal(index):
        raise TypeError("cond is not linear in its index")
    linear = [ad.is_undefined_primal(x) for x in ops]
    residuals = [x for x, lin in zip(ops, linear) if not lin]
    res_avals = [get_aval(r) for r in residuals]
    ct_avals = [c.aval if type(c) is ad.Zero else get_aval(c) for c in cts]
    ct_nonzero = [type(c) is not ad.Zero for c in cts]
    transposed = [calls.transpose_jaxpr(b, tuple(linear), tuple(res_avals), tuple(ct_avals), tuple(ct_nonzero))
                  for b in branches]
    jaxprs, consts = join_consts(transposed)
    outs = iter(cond_p.bind(index, *consts, *residuals, *[c for c in cts if type(c) is not ad.Zero],
                            branches=tuple(jaxprs)))
    return [None] + [next(outs) if lin else None for lin in linear]


cond_p.transpose = _cond_transpose


# ---- batching ---------------------------------------------------------------------------------------
def _cond_batch(vals, dims, branches, axis_size, axis_name):
    index, *ops = vals
    index_dim, *op_dims = dims
    ops = [x if d is None else batching.moveaxis(x, d, 0) for x, d in zip(ops, op_dims)]
    op_batched = [d is not None for d in op_dims]
    n_out = len(branches[0].outvars)
    if index_dim is not None:
        index = batching.moveaxis(index, index_dim, 0)
        return _select_between_branches(index, ops, op_batched, branches, axis_size, axis_name), [0] * n_out
    closed, out_batched = per_branch_then_joined(
        lambda b, inst: batch_jaxpr(b, op_batched, axis_size, axis_name, inst), branches, n_out)
    jaxprs, consts = join_consts(closed)
    outs = cond_p.bind(index, *consts, *ops, branches=tuple(jaxprs))
    return outs, [0 if b else None for b in out_batched]


def _select_between_branches(index, ops, op_batched, branches, axis_size, axis_name):
    """A batched predicate: every branch runs on the whole batch, and select_n picks per member."""
    from jaxlike.lax.elementwise import select_n
    from jaxlike.lax.structural import broadcast_in_dim
    n_out = len(branches[0].outvars)
    results = []
    for b in branches:
        closed, _ = batch_jaxpr(b, op_batched, axis_size, axis_name, [True] * n_out)
        results.append(eval_jaxpr(closed.jaxpr, closed.consts, *ops))
    outs = []
    for cases in zip(*results):
        shape = get_aval(cases[0]).shape
        which = index if len(shape) == 1 else broadcast_in_dim(index, shape, (0,))
        outs.append(select_n(which, *cases))
    return outs


cond_p.batch = _cond_batch
cond_p.batch_needs_axis = True
