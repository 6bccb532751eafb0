"""User API of automatic differentiation: jvp, linearize, vjp, grad, value_and_grad, jacfwd, jacrev, hessian."""
import functools

import numpy as np

from jaxlike import core, dtypes, tree_util
from jaxlike.array import Array, as_operand
from jaxlike.core import ShapedArray, get_aval
from jaxlike.ir import eval_jaxpr
from jaxlike.source_info import user_line
from jaxlike.transforms import ad
from jaxlike.transforms.ad import float0
from jaxlike.transforms.vmap import vmap


# ---- shared helpers ---------------------------------------------------------------------------
def _flatten_fun(fun, in_tree, has_aux=False, check_out=None):
    """A flat-in/flat-out version of `fun`; the output tree (and aux) land in the returned box.

    `check_out(out)`, when given, validates the (non-aux) output while it is still being traced,
    so that errors surface before any differentiation work.
    """
    box = {}

    def flat(*leaves):
        out = fun(*tree_util.tree_unflatten(in_tree, leaves))
        if has_aux:
            if not (isinstance(out, (tuple, list)) and len(out) == 2):
                raise TypeError(f"has_aux=True requires the function to return a pair (output, aux), got "
                                f"{_describe_value(out)}.{user_line()}")
            out, aux = out
            box["aux"] = _lower_aux(aux, core.current_trace())
        out_leaves, box["tree"] = tree_util.tree_flatten(out)
        for leaf in out_leaves:
            if not core.is_valid_operand(leaf):
                raise TypeError(f"Differentiated functions must return arrays (or pytrees of arrays); got a value "
                                f"of type {type(leaf).__name__}: {leaf!r:.60}.{user_line()}")
        if check_out is not None:
            check_out(out)
        return out_leaves
    return flat, box


def _describe_value(x):
    return f"{type(x).__name__} of length {len(x)}" if isinstance(x, (tuple, list)) else type(x).__name__


def _lower_aux(aux, trace):
    """Aux outputs carry no tangents: strip the differentiating trace's wrapper from them."""
    def lower(leaf):
        if isinstance(leaf, ad.JVPTracer) and leaf._trace is trace:
            return leaf.primal
        return leaf
    return tree_util.tree_map(lower, aux)


def _operands(leaves):
    return [as_operand(x) for x in leaves]


def _zeros(aval):
    """Zeros of `aval`'s shape, dtype and weak type (float0 zeros for float0 avals)."""
    if aval.dtype == float0:
        return np.zeros(aval.shape, float0)
    from jaxlike import lax
    scalar = Array._from_host(np.zeros((), aval.dtype), ShapedArray((), aval.dtype, aval.weak_type))
    return lax.broadcast_in_dim(scalar, aval.shape, ())


def _tangent_zeros(primal_aval):
    """The zero tangent of a primal: float0 zeros for integer and bool primals."""
    return _zeros(ad.tangent_aval(primal_aval))


def _instantiate(t, primal_aval):
    return _tangent_zeros(primal_aval) if type(t) is ad.Zero else t


def _is_int(aval):
    """Whether values of `aval` have float0 tangents (integers and bools)."""
    return ad.tangent_aval(aval).dtype == float0


def _dtype_of(x):
    return x.aval.dtype if hasattr(x, "aval") else np.asarray(x).dtype


def _is_python_scalar(x):
    return isinstance(x, (bool, int, float, complex)) and not isinstance(x, np.generic)


# ---- jvp / linearize / vjp -------------------------------------------------------------------
def _check_tangent(p_aval, t):
    """The tangent for a primal of `p_aval` as jvp uses it (ad.Zero for float0), or a JAX-style error."""
    expected = ad.tangent_aval(p_aval)
    t_shape = t.aval.shape if hasattr(t, "aval") else np.shape(t)
    if tuple(t_shape) != p_aval.shape:
        raise ValueError(f"jvp called with different primal and tangent shapes; Got primal shape {p_aval.shape} "
                         f"and tangent shape as {tuple(t_shape)}.{user_line()}")
    t_dtype = _dtype_of(t)
    if expected.dtype == float0:
        if t_dtype != float0:
            raise TypeError(f"primal and tangent arguments to jvp do not match; dtypes must be equal, or in case "
                            f"of int/bool primal dtype the tangent dtype must be float0. Got primal dtype "
                            f"{p_aval.dtype.name} and so expected tangent dtype float0, but got tangent dtype "
                            f"{np.dtype(t_dtype).name} instead.{user_line()}")
        return ad.Zero(expected)
    if _is_python_scalar(t):
        t_dtype = dtypes.python_scalar_dtype(t)
        if dtypes.kind(t_dtype) == dtypes.kind(expected.dtype):  # a weak scalar takes the primal's precision
            from jaxlike import lax
            return lax.convert_element_type(as_operand(t), expected.dtype, weak_type=True)
    if dtypes.canonicalize_dtype(t_dtype) != expected.dtype:
        raise TypeError(f"primal and tangent arguments to jvp do not match; dtypes must be equal, or in case of "
                        f"int/bool primal dtype the tangent dtype must be float0. Got primal dtype "
                        f"{p_aval.dtype.name} and so expected tangent dtype {expected.dtype.name}, but got tangent "
                        f"dtype {np.dtype(t_dtype).name} instead.{user_line()}")
    return as_operand(t)


def jvp(fun, primals, tangents, has_aux=False):
    """jax.jvp: (fun(*primals), the directional derivative along tangents)."""
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError(f"primal and tangent arguments to jvp must be tuples or lists; found "
                        f"{type(primals).__name__} and {type(tangents).__name__}.{user_line()}")
    p_leaves, p_tree = tree_util.tree_flatten(tuple(primals))
    t_leaves, t_tree = tree_util.tree_flatten(tuple(tangents))
    if p_tree != t_tree:
        raise TypeError(f"primal and tangent arguments to jvp must have the same tree structure; primals have "
                        f"{p_tree} and tangents have {t_tree}.{user_line()}")
    p_leaves = _operands(p_leaves)
    tangents_in = [_check_tangent(get_aval(p), t) for p, t in zip(p_leaves, t_leaves)]
    flat, box = _flatten_fun(fun, p_tree, has_aux)
    out_p, out_t = ad.jvp_flat(flat, p_leaves, tangents_in, instantiate_out=False)
    out_t = [_instantiate(t, get_aval(p)) for t, p in zip(out_t, out_p)]
    result = (tree_util.tree_unflatten(box["tree"], out_p), tree_util.tree_unflatten(box["tree"], out_t))
    return result + (box["aux"],) if has_aux else result


def linearize(fun, *primals, has_aux=False):
    """jax.linearize: (fun(*primals), a linear function computing jvp tangents)."""
    p_leaves, p_tree = tree_util.tree_flatten(primals)
    p_leaves = _operands(p_leaves)
    p_avals = [get_aval(p) for p in p_leaves]
    flat, box = _flatten_fun(fun, p_tree, has_aux)
    out_p, linear, int_mask = ad.linearize_flat(flat, p_leaves)
    out_tree = box["tree"]
    out_avals = [get_aval(o) for o in out_p]

    def f_jvp(*tangents):
        t_leaves, t_tree = tree_util.tree_flatten(tangents)
        if t_tree != p_tree:
            raise TypeError(f"linearized function called with tangents of structure {t_tree}, expected "
                            f"{p_tree}.{user_line()}")
        checked = [_check_tangent(a, t) for a, t in zip(p_avals, t_leaves)]
        used = [t for t, is_int in zip(checked, int_mask) if not is_int]
        outs = iter(eval_jaxpr(linear.jaxpr, linear.consts, *used))
        # integer outputs have no tangent in the linear jaxpr: theirs are float0 zeros
        return tree_util.tree_unflatten(out_tree, [_tangent_zeros(a) if _is_int(a) else next(outs)
                                                   for a in out_avals])

    result = (tree_util.tree_unflatten(out_tree, out_p), f_jvp)
    return result + (box["aux"],) if has_aux else result


def _check_cotangent(c, aval):
    """The cotangent as vjp uses it (ad.Zero for float0 outputs), or a JAX-style error."""
    expected = ad.tangent_aval(aval)
    if expected.dtype == float0 or (isinstance(c, np.ndarray) and c.dtype == float0):
        return ad.Zero(expected)
    c = as_operand(c)
    c_aval = get_aval(c)
    if c_aval.shape != aval.shape:
        raise ValueError(f"unexpected type (shape/dtype) for argument to VJP function: got {c_aval.str_short()}, "
                         f"but expected {aval.str_short()} because the corresponding output of the "
                         f"differentiated function had type {aval.str_short()}.{user_line()}")
    return c


def vjp(fun, *primals, has_aux=False, reduce_axes=()):
    """jax.vjp: (fun(*primals), a function from output cotangents to input cotangents)."""
    p_leaves, p_tree = tree_util.tree_flatten(primals)
    p_leaves = _operands(p_leaves)
    flat, box = _flatten_fun(fun, p_tree, has_aux)
    out_p, vjp_flat_fn = ad.vjp_flat(flat, p_leaves)
    out_tree = box["tree"]
    out_avals = [get_aval(o) for o in out_p]
    in_avals = [get_aval(p) for p in p_leaves]

    def vjp_fn(ct):
        ct_leaves, ct_tree = tree_util.tree_flatten(ct)
        if ct_tree != out_tree:
            raise TypeError(f"Tree structure of cotangent input {ct_tree} does not match structure of primal "
                            f"output {out_tree}.{user_line()}")
        cts = [_check_cotangent(c, a) for c, a in zip(ct_leaves, out_avals)]
        in_cts = [_instantiate(c, a) for c, a in zip(vjp_flat_fn(cts), in_avals)]
        return tree_util.tree_unflatten(p_tree, in_cts)

    result = (tree_util.tree_unflatten(out_tree, out_p), vjp_fn)
    return result + (box["aux"],) if has_aux else result


# ---- grad -------------------------------------------------------------------------------------
def _argnums_tuple(argnums):
    if isinstance(argnums, (int, np.integer)) and not isinstance(argnums, bool):
        return (int(argnums),)
    if isinstance(argnums, (tuple, list)) and all(isinstance(a, (int, np.integer)) for a in argnums):
        return tuple(int(a) for a in argnums)
    raise TypeError(f"argnums must be an int or a tuple of ints, got {argnums!r}.")


def _check_argnums(argnums, nargs):
    for a in argnums:
        if not -nargs <= a < nargs:
            raise TypeError(f"differentiating with respect to argnums={a} requires at least "
                            f"{(a + 1) if a >= 0 else -a} positional arguments to be passed by the caller, but got "
                            f"only {nargs} positional arguments.{user_line()}")


def _split_args(args, argnums):
    dyn = tuple(args[a] for a in argnums)

    def rebuild(dyn_vals):
        full = list(args)
        for a, v in zip(argnums, dyn_vals):
            full[a] = v
        return full
    return dyn, rebuild


def _check_grad_inputs(leaves, holomorphic, allow_int, fname):
    for x in leaves:
        dtype = get_aval(x).dtype
        if holomorphic:
            if not dtypes.is_complex(dtype):
                raise TypeError(f"{fname} with holomorphic=True requires inputs with complex dtype, but got "
                                f"{dtype.name}.{user_line()}")
        elif not dtypes.is_inexact(dtype) and not allow_int:
            raise TypeError(f"{fname} requires real- or complex-valued inputs (input dtype that is a sub-dtype of "
                            f"np.inexact), but got {dtype.name}. If you want to use Boolean- or integer-valued "
                            f"inputs, use vjp or set allow_int to True.{user_line()}")


def _check_scalar_output(holomorphic):
    def check(out):
        if not hasattr(out, "aval") and not (core.is_valid_operand(out) and not isinstance(out, (list, tuple))):
            raise TypeError(f"grad requires a function returning a scalar array, got a value of type "
                            f"{type(out).__name__}.{user_line()}")
        aval = get_aval(out)
        if aval.shape != ():
            raise TypeError(f"Gradient only defined for scalar-output functions. Output had shape: {aval.shape}. "
                            f"Reduce the output (e.g. with .sum()), or use jacrev/vjp for non-scalar outputs."
                            f"{user_line()}")
        if holomorphic:
            if not dtypes.is_complex(aval.dtype):
                raise TypeError(f"grad with holomorphic=True requires outputs with complex dtype, but got "
                                f"{aval.dtype.name}.{user_line()}")
        elif not dtypes.is_float(aval.dtype):
            what = "complex" if dtypes.is_complex(aval.dtype) else "integer"
            raise TypeError(f"grad requires real-valued outputs (output dtype that is a sub-dtype of np.floating), "
                            f"but got {aval.dtype.name}. For holomorphic differentiation, pass holomorphic=True. "
                            f"For differentiation of functions with {what} outputs, use vjp directly."
                            f"{user_line()}")
    return check


def _ones_like(x):
    """Ones with x's shape, dtype and weak type: the cotangent seed of grad."""
    aval = get_aval(x)
    from jaxlike import lax
    scalar = Array._from_host(np.ones((), aval.dtype), ShapedArray((), aval.dtype, aval.weak_type))
    return lax.broadcast_in_dim(scalar, aval.shape, ())


def value_and_grad(fun, argnums=0, has_aux=False, holomorphic=False, allow_int=False, reduce_axes=()):
    """jax.value_and_grad: (fun(*args), gradient with respect to args[argnums])."""
    argnums_t = _argnums_tuple(argnums)

    @functools.wraps(fun)
    def value_and_grad_f(*args, **kwargs):
        _check_argnums(argnums_t, len(args))
        dyn, rebuild = _split_args(args, argnums_t)
        leaves, in_tree = tree_util.tree_flatten(dyn)
        leaves = _operands(leaves)
        _check_grad_inputs(leaves, holomorphic, allow_int, "grad")
        flat, box = _flatten_fun(lambda *d: fun(*rebuild(d), **kwargs), in_tree, has_aux,
                                 check_out=_check_scalar_output(holomorphic))
        (ans,), pullback = ad.vjp_flat(flat, leaves)
        cts = pullback([_ones_like(ans)])
        g = tree_util.tree_unflatten(in_tree, [_instantiate(c, get_aval(x)) for c, x in zip(cts, leaves)])
        g = g[0] if isinstance(argnums, (int, np.integer)) else g
        ans = tree_util.tree_unflatten(box["tree"], [ans])
        return ((ans, box["aux"]), g) if has_aux else (ans, g)
    return value_and_grad_f


def grad(fun, argnums=0, has_aux=False, holomorphic=False, allow_int=False, reduce_axes=()):
    """jax.grad: the gradient of a scalar-valued `fun` with respect to args[argnums]."""
    vg = value_and_grad(fun, argnums, has_aux, holomorphic, allow_int)

    @functools.wraps(fun)
    def grad_f(*args, **kwargs):
        if has_aux:
            (_, aux), g = vg(*args, **kwargs)
            return g, aux
        return vg(*args, **kwargs)[1]
    return grad_f


# ---- Jacobians --------------------------------------------------------------------------------
def _basis(aval):
    """The standard basis for a leaf: shape (size, *aval.shape), one unit tangent per element."""
    n = aval.size
    return as_operand(np.eye(n).astype(aval.dtype).reshape((n,) + aval.shape))


def _unravel(x, shape, like):
    """A Jacobian block reshaped to `shape`, with the dtype and weak type of `like` (as JAX's blocks have)."""
    from jaxlike import lax
    return lax.convert_element_type(lax.reshape(x, shape), like.dtype, weak_type=like.weak_type)


def _jac_setup(fun, args, kwargs, argnums_t, has_aux, check_out=None):
    _check_argnums(argnums_t, len(args))
    dyn, rebuild = _split_args(args, argnums_t)
    leaves, in_tree = tree_util.tree_flatten(dyn)
    leaves = _operands(leaves)
    flat, box = _flatten_fun(lambda *d: fun(*rebuild(d), **kwargs), in_tree, has_aux, check_out)
    return leaves, in_tree, flat, box


def _discover_outputs(flat, leaves):
    """Output avals of `flat` when there is no input to differentiate (so nothing else runs it)."""
    return [get_aval(o) for o in ad.jvp_flat(flat, leaves, [ad.Zero(ad.tangent_aval(get_aval(x))) for x in leaves])[0]]


def jacfwd(fun, argnums=0, has_aux=False, holomorphic=False):
    """jax.jacfwd: the Jacobian by forward mode (vmap over jvp); structure out_tree of in_tree."""
    argnums_t = _argnums_tuple(argnums)

    def jacfun(*args, **kwargs):
        leaves, in_tree, flat, box = _jac_setup(fun, args, kwargs, argnums_t, has_aux,
                                                check_out=_check_jac_outputs(holomorphic, "jacfwd"))
        _check_jac_inputs(leaves, holomorphic, allow_int=False, fname="jacfwd")
        in_avals = [get_aval(x) for x in leaves]
        columns = [_jacfwd_leaf(flat, box, leaves, i) for i in range(len(leaves))]  # per input: per output
        out_avals = box["out_avals"] if leaves else _discover_outputs(flat, leaves)
        per_out = []
        for j, out_aval in enumerate(out_avals):
            per_out.append([col[j] if col[j] is not None else _zeros(out_aval.update(shape=out_aval.shape + a.shape))
                            for col, a in zip(columns, in_avals)])
        return _assemble(per_out, box, in_tree, argnums, has_aux)
    return jacfun


def _jacfwd_leaf(flat, box, leaves, i):
    """d outputs / d leaves[i] for each output (None for integer outputs): shape out_shape + in_shape."""
    aval = get_aval(leaves[i])

    def push(basis_vector):
        tangents = [basis_vector if k == i else ad.Zero(ad.tangent_aval(get_aval(x))) for k, x in enumerate(leaves)]
        outs, out_tangents = ad.jvp_flat(flat, leaves, tangents, instantiate_out=False)
        box["out_avals"] = [get_aval(o) for o in outs]
        return [_instantiate(t, get_aval(o)) for t, o in zip(out_tangents, outs) if not _is_int(get_aval(o))]

    stacked = iter(vmap(push, out_axes=-1)(_basis(aval)))  # each: out_shape + (n,)
    return [_unravel(next(stacked), o.shape + aval.shape, o) if dtypes.is_inexact(o.dtype) else None
            for o in box["out_avals"]]


def jacrev(fun, argnums=0, has_aux=False, holomorphic=False, allow_int=False):
    """jax.jacrev: the Jacobian by reverse mode (vmap over vjp); structure out_tree of in_tree."""
    argnums_t = _argnums_tuple(argnums)

    def jacfun(*args, **kwargs):
        leaves, in_tree, flat, box = _jac_setup(fun, args, kwargs, argnums_t, has_aux,
                                                check_out=_check_jac_outputs(holomorphic, "jacrev"))
        _check_jac_inputs(leaves, holomorphic, allow_int, "jacrev")
        outs, pullback = ad.vjp_flat(flat, leaves)
        in_avals = [get_aval(x) for x in leaves]
        out_avals = [get_aval(o) for o in outs]
        per_out = [_jacrev_leaf(pullback, out_avals, in_avals, j) for j in range(len(outs))]
        return _assemble(per_out, box, in_tree, argnums, has_aux)
    return jacfun


def _jacrev_leaf(pullback, out_avals, in_avals, j):
    """d outputs[j] / d each input: shape out_shape + in_shape (zeros of the input's dtype for integer inputs)."""
    out_aval = out_avals[j]
    inexact_in = [k for k, a in enumerate(in_avals) if dtypes.is_inexact(a.dtype)]

    def pull(ct):
        cts = [ct if k == j else ad.Zero(ad.tangent_aval(a)) for k, a in enumerate(out_avals)]
        in_cts = pullback(cts)
        return [_instantiate(in_cts[k], in_avals[k]) for k in inexact_in]

    stacked = dict(zip(inexact_in, vmap(pull)(_basis(out_aval)) if inexact_in else []))  # each: (m,) + in_shape
    return [_unravel(stacked[k], out_aval.shape + a.shape, a) if k in stacked else
            _zeros(a.update(shape=out_aval.shape + a.shape)) for k, a in enumerate(in_avals)]


def _check_jac_inputs(leaves, holomorphic, allow_int, fname):
    for x in leaves:
        dtype = get_aval(x).dtype
        if holomorphic:
            if not dtypes.is_complex(dtype):
                raise TypeError(f"{fname} with holomorphic=True requires inputs with complex dtype, but got "
                                f"{dtype.name}.{user_line()}")
        elif fname == "jacfwd" and not dtypes.is_float(dtype):
            raise TypeError(f"jacfwd requires real-valued inputs (input dtype that is a sub-dtype of np.floating), "
                            f"but got {dtype.name}. For holomorphic differentiation, pass holomorphic=True. For "
                            f"differentiation of non-holomorphic functions involving complex inputs or integer "
                            f"inputs, use jvp directly.{user_line()}")
        elif fname == "jacrev" and not dtypes.is_inexact(dtype) and not allow_int:
            raise TypeError(f"jacrev requires real- or complex-valued inputs (input dtype that is a sub-dtype of "
                            f"np.inexact), but got {dtype.name}. If you want to use Boolean- or integer-valued "
                            f"inputs, use vjp or set allow_int to True.{user_line()}")


def _check_jac_outputs(holomorphic, fname):
    def check(out):
        for leaf in tree_util.tree_leaves(out):
            dtype = get_aval(leaf).dtype
            if holomorphic and not dtypes.is_complex(dtype):
                raise TypeError(f"{fname} with holomorphic=True requires outputs with complex dtype, but got "
                                f"{dtype.name}.{user_line()}")
            if not holomorphic and fname == "jacrev" and not dtypes.is_float(dtype):
                raise TypeError(f"jacrev requires real-valued outputs (output dtype that is a sub-dtype of "
                                f"np.floating), but got {dtype.name}. For holomorphic differentiation, pass "
                                f"holomorphic=True. For differentiation of non-holomorphic functions involving "
                                f"complex outputs, use vjp directly.{user_line()}")
    return check


def _assemble(per_out, box, in_tree, argnums, has_aux):
    """The Jacobian pytree: the output structure, each leaf holding the input structure."""
    inner = [tree_util.tree_unflatten(in_tree, blocks) for blocks in per_out]
    if isinstance(argnums, (int, np.integer)):
        inner = [x[0] for x in inner]
    jac = tree_util.tree_unflatten(box["tree"], inner)
    return (jac, box["aux"]) if has_aux else jac


def hessian(fun, argnums=0, has_aux=False, holomorphic=False):
    """jax.hessian: jacfwd of jacrev."""
    return jacfwd(jacrev(fun, argnums, has_aux=has_aux, holomorphic=holomorphic), argnums, has_aux=has_aux,
                  holomorphic=holomorphic)
