"""Automatic differentiation: forward mode (JVP), linearize by partial evaluation, reverse by transpose.

- `JVPTrace` carries (primal, tangent) pairs and applies each primitive's JVP rule.
- `PartialEvalTrace` splits a JVP into known primal work (run on the parent trace) and the
  linear tangent work, which it records on a tape (an IRTrace) as a linear jaxpr.
- `backward_pass` transposes a linear jaxpr with the primitives' transpose rules.
So `vjp = transpose . linearize` and there is no second table of VJP rules.
"""
import numpy as np

from jaxlike import core, dtypes
from jaxlike.core import ShapedArray, Trace, Tracer, get_aval
from jaxlike.ir import Literal, eval_jaxpr
from jaxlike.source_info import user_line
from jaxlike.tracing import IRTrace, IRTracer

float0 = np.dtype([("float0", np.void, 0)])


def tangent_aval(aval):
    """The aval of tangents for values of `aval`: float0 for integers and bools, else the same type."""
    if dtypes.is_inexact(aval.dtype):
        return aval
    return ShapedArray(aval.shape, float0)


class Zero:
    """A symbolic zero tangent: costs nothing until something needs it as an array."""

    __slots__ = ("aval",)

    def __init__(self, aval):
        self.aval = aval

    def __repr__(self):
        return f"Zero({self.aval.str_short() if self.aval.dtype != float0 else 'float0' + str(self.aval.shape)})"


def zeros_like_aval(aval):
    from jaxlike import lax
    if aval.dtype == float0:
        return np.zeros(aval.shape, float0)
    return lax.full(aval.shape, 0, aval.dtype)


def instantiate(t):
    """An array for a tangent that may be a symbolic Zero."""
    return zeros_like_aval(t.aval) if type(t) is Zero else t


def add_tangents(a, b):
    if type(a) is Zero:
        return b
    if type(b) is Zero:
        return a
    from jaxlike import lax
    return lax.add_any(a, b)


# ---- rule helpers -------------------------------------------------------------------------

def _out_aval(prim, primals, params, out):
    return get_aval(out)


def defjvp(prim, *jvp_fns):
    """JVP from one linear function per operand: fn(tangent, *primals, **params), or None if not differentiable."""
    def rule(primals, tangents, **params):
        out = prim.bind(*primals, **params)
        acc = Zero(tangent_aval(get_aval(out)))
        for fn, t in zip(jvp_fns, tangents):
            if fn is not None and type(t) is not Zero:
                acc = add_tangents(acc, fn(t, *primals, **params))
        return out, acc
    prim.jvp = rule


def defjvp2(prim, *jvp_fns):
    """Like defjvp, but each fn also sees the primal output: fn(tangent, out, *primals, **params)."""
    def rule(primals, tangents, **params):
        out = prim.bind(*primals, **params)
        acc = Zero(tangent_aval(get_aval(out)))
        for fn, t in zip(jvp_fns, tangents):
            if fn is not None and type(t) is not Zero:
                acc = add_tangents(acc, fn(t, out, *primals, **params))
        return out, acc
    prim.jvp = rule


def deflinear(prim, transpose_rule):
    """A primitive linear in all its operands: its JVP is itself, applied to the tangents."""
    def rule(primals, tangents, **params):
        out = prim.bind(*primals, **params)
        if all(type(t) is Zero for t in tangents):
            if prim.multiple_results:
                return out, [Zero(tangent_aval(get_aval(o))) for o in out]
            return out, Zero(tangent_aval(get_aval(out)))
        return out, prim.bind(*map(instantiate, tangents), **params)
    prim.jvp = rule
    prim.transpose = transpose_rule


def defbilinear(prim, lhs_transpose, rhs_transpose):
    """A primitive linear in each of its two operands separately (mul, dot_general)."""
    def rule(primals, tangents, **params):
        x, y = primals
        tx, ty = tangents
        out = prim.bind(x, y, **params)
        acc = Zero(tangent_aval(get_aval(out)))
        if type(tx) is not Zero:
            acc = add_tangents(acc, prim.bind(tx, y, **params))
        if type(ty) is not Zero:
            acc = add_tangents(acc, prim.bind(x, ty, **params))
        return out, acc

    def transpose(ct, x, y, **params):
        if is_undefined_primal(x) and is_undefined_primal(y):
            raise TypeError(f"{prim.name} is not linear in both operands at once")
        if is_undefined_primal(x):
            return [lhs_transpose(ct, x, y, **params), None]
        return [None, rhs_transpose(ct, x, y, **params)]
    prim.jvp = rule
    prim.transpose = transpose


def defnondifferentiable(prim):
    """Marks a primitive whose outputs carry zero tangents (integer results, comparisons)."""
    def rule(primals, tangents, **params):
        out = prim.bind(*primals, **params)
        if prim.multiple_results:
            return out, [Zero(tangent_aval(get_aval(o))) for o in out]
        return out, Zero(tangent_aval(get_aval(out)))
    prim.jvp = rule
    prim.differentiable = False


class UndefinedPrimal:
    """Stands for a linear input during transposition: only its aval is known."""

    __slots__ = ("aval",)

    def __init__(self, aval):
        self.aval = aval

    def __repr__(self):
        return f"UndefinedPrimal({self.aval.str_short()})"


def is_undefined_primal(x):
    return type(x) is UndefinedPrimal


# ---- forward mode -------------------------------------------------------------------------

class JVPTracer(Tracer):
    __slots__ = ("primal", "tangent")

    def __init__(self, trace, primal, tangent):
        self._trace, self.primal, self.tangent = trace, primal, tangent

    @property
    def aval(self):
        return get_aval(self.primal)

    def to_concrete_value(self):
        primal = self.primal
        return primal.to_concrete_value() if hasattr(primal, "to_concrete_value") else primal


class JVPTrace(Trace):
    name = "jvp"

    def lift(self, x):
        if isinstance(x, JVPTracer) and x._trace is self:
            return x.primal, x.tangent
        if isinstance(x, Tracer):
            core.check_alive(x)
        return x, Zero(tangent_aval(get_aval(x)))

    def process_primitive(self, prim, args, params):
        primals, tangents = zip(*map(self.lift, args)) if args else ((), ())
        if all(type(t) is Zero for t in tangents):
            with core.set_current_trace(self.parent):
                return prim.bind(*primals, **params)
        if prim.jvp is None:
            raise NotImplementedError(f"Differentiation rule for '{prim.name}' not implemented.{user_line()}")
        with core.set_current_trace(self.parent):
            out, out_tangent = prim.jvp(primals, tangents, **params)
        if prim.multiple_results:
            return [self.wrap(o, t) for o, t in zip(out, out_tangent)]
        return self.wrap(out, out_tangent)

    def wrap(self, primal, tangent):
        return primal if type(tangent) is Zero else JVPTracer(self, primal, tangent)


def jvp_flat(fun, primals, tangents, instantiate_out=True):
    """Runs `fun` (flat lists in and out) forward with tangents; returns (primals_out, tangents_out)."""
    parent = core.current_trace()
    trace = JVPTrace(parent)
    ins = [trace.wrap(p, t) for p, t in zip(primals, tangents)]
    try:
        with core.set_current_trace(trace):
            outs = fun(*ins)
        out_primals, out_tangents = [], []
        for o in outs:
            p, t = trace.lift(o)
            out_primals.append(p)
            out_tangents.append(instantiate(t) if instantiate_out and type(t) is Zero else t)
        return out_primals, out_tangents
    finally:
        trace.invalidate()


# ---- partial evaluation: linearize --------------------------------------------------------

class PartialEvalTrace(Trace):
    """Known values are the parent trace's; unknown (tangent) work is recorded on `self.tape`."""

    name = "linearize"

    def __init__(self, parent):
        super().__init__(parent)
        self.tape = IRTrace("linearize")

    def is_unknown(self, x):
        return isinstance(x, IRTracer) and x._trace is self.tape

    def process_primitive(self, prim, args, params):
        if not any(self.is_unknown(x) for x in args):
            with core.set_current_trace(self.parent):
                return prim.bind(*args, **params)
        if prim.partial_eval is not None:
            return prim.partial_eval(self, args, params)
        return self.tape.process_primitive(prim, args, params)

    def new_unknown(self, aval):
        return self.tape.new_arg(aval)

    def known_value(self, x):
        """The parent-trace value of a known output."""
        return x


def linearize_flat(fun, primals):
    """(primals_out, linear ClosedJaxpr from the tangents of inexact inputs to those of inexact outputs, input float0 mask)."""
    parent = core.current_trace()
    pe = PartialEvalTrace(parent)
    tangents_in = []
    for p in primals:
        t_aval = tangent_aval(get_aval(p))
        tangents_in.append(pe.new_unknown(t_aval) if t_aval.dtype != float0 else Zero(t_aval))
    try:
        with core.set_current_trace(pe):
            out_primals, out_tangents = jvp_flat(fun, primals, tangents_in, instantiate_out=False)
        # float0 tangents (of integer outputs) are not arrays: they stay out of the linear jaxpr
        with core.set_current_trace(parent):
            out_tangents = [instantiate(t) for t, p in zip(out_tangents, out_primals) if not float0_mask(p)]
        linear = pe.tape.to_jaxpr(out_tangents)
        return out_primals, linear, [float0_mask(p) for p in primals]
    finally:
        pe.invalidate()
        pe.tape.invalidate()


def float0_mask(p):
    return tangent_aval(get_aval(p)).dtype == float0


# ---- transposition ------------------------------------------------------------------------

def backward_pass(jaxpr, args, cts_out, consts=()):
    """Transposes `jaxpr` with respect to its UndefinedPrimal `args`; returns their cotangents.

    Equations that touch no linear input are evaluated forward first (they compute residuals);
    the rest run backward through their transpose rules on the current trace.
    """
    primal_env = dict(zip(jaxpr.constvars, consts))
    linear_vars = set()
    for var, a in zip(jaxpr.invars, args):
        if is_undefined_primal(a):
            linear_vars.add(var)
        else:
            primal_env[var] = a

    def read(atom):
        if type(atom) is Literal:
            return atom.val
        return UndefinedPrimal(atom.aval) if atom in linear_vars else primal_env[atom]

    linear_eqns = []
    for eqn in jaxpr.eqns:
        if any(type(v) is not Literal and v in linear_vars for v in eqn.invars):
            linear_vars.update(eqn.outvars)
            linear_eqns.append(eqn)
        else:
            outs = eqn.primitive.bind(*map(read, eqn.invars), **eqn.params)
            primal_env.update(zip(eqn.outvars, outs if eqn.primitive.multiple_results else [outs]))

    ct_env = {}
    for var, ct in zip(jaxpr.outvars, cts_out):
        if type(var) is not Literal and var in linear_vars and type(ct) is not Zero:
            ct_env[var] = add_tangents(ct_env.get(var, Zero(var.aval)), ct)

    for eqn in reversed(linear_eqns):
        cts = [ct_env.pop(v, None) for v in eqn.outvars]
        if all(c is None or type(c) is Zero for c in cts):
            continue
        cts = [Zero(v.aval) if c is None else c for v, c in zip(eqn.outvars, cts)]
        invals = [read(v) for v in eqn.invars]
        rule = eqn.primitive.transpose
        if rule is None:
            raise NotImplementedError(f"Transpose rule (for reverse-mode differentiation) for "
                                      f"'{eqn.primitive.name}' not implemented.")
        cts_in = rule(cts if eqn.primitive.multiple_results else cts[0], *invals, **eqn.params)
        for var, value, ct in zip(eqn.invars, invals, cts_in):
            if is_undefined_primal(value) and ct is not None and type(ct) is not Zero:
                ct_env[var] = add_tangents(ct_env.get(var, Zero(var.aval)), ct)
    return [ct_env.get(v, Zero(v.aval)) if is_undefined_primal(a) else None for v, a in zip(jaxpr.invars, args)]


def vjp_flat(fun, primals):
    """(primals_out, vjp_fn) where vjp_fn maps flat output cotangents to flat input cotangents."""
    out_primals, linear, int_mask = linearize_flat(fun, primals)
    jaxpr, consts = linear.jaxpr, linear.consts
    in_avals = [get_aval(p) for p in primals]
    out_int_mask = [float0_mask(p) for p in out_primals]

    def vjp_fn(cts_out):
        cts_out = [ct for ct, is_int in zip(cts_out, out_int_mask) if not is_int]
        cts = backward_pass(jaxpr, [UndefinedPrimal(v.aval) for v in jaxpr.invars], cts_out, consts)
        it = iter(cts)
        out = []
        for aval, is_int in zip(in_avals, int_mask):
            if is_int:
                out.append(Zero(tangent_aval(aval)))
            else:
                out.append(next(it))
        return out
    return out_primals, vjp_fn


def linear_call_jaxpr(linear):
    """eval of a linear ClosedJaxpr on tangents (used by linearize's returned function)."""
    def f(*tangents):
        return eval_jaxpr(linear.jaxpr, linear.consts, *tangents)
    return f
