"""The IR-building trace: records each primitive as an equation (used by jit and make_jaxpr)."""
import numpy as np

from jaxlike import core
from jaxlike.array import Array
from jaxlike.core import Trace, Tracer, get_aval
from jaxlike.ir import ClosedJaxpr, Eqn, Jaxpr, Literal, Var
from jaxlike.source_info import user_frame


class IRTracer(Tracer):
    """A value in a function being traced to IR: a variable of the jaxpr under construction."""

    __slots__ = ("var",)

    def __init__(self, trace, var):
        self._trace = trace
        self.var = var

    @property
    def aval(self):
        return self.var.aval


class IRTrace(Trace):
    """Records primitives into a jaxpr. Values it did not create become constants (or literals)."""

    name = "jit"

    def __init__(self, name="jit"):
        super().__init__(parent=None)
        self.name = name
        self.eqns = []
        self.invars = []
        self.constvars = {}  # id(value) -> (value, Var)

    def new_arg(self, aval):
        var = Var(aval)
        self.invars.append(var)
        return IRTracer(self, var)

    def atom(self, x):
        """The Var or Literal standing for `x` in this jaxpr."""
        if isinstance(x, IRTracer) and x._trace is self:
            return x.var
        if isinstance(x, Tracer):
            core.check_alive(x)
            return self._const_var(x)
        if isinstance(x, Array):
            if x._host is not None and x.aval.shape == ():
                return Literal(x, x.aval)
            return self._const_var(x)
        aval = get_aval(x)
        if aval.shape == ():
            return Literal(x, aval)
        return self._const_var(x)

    def _const_var(self, value):
        entry = self.constvars.get(id(value))
        if entry is None:
            entry = self.constvars[id(value)] = (value, Var(get_aval(value)))
        return entry[1]

    def process_primitive(self, prim, args, params):
        atoms = [self.atom(x) for x in args]
        out = prim.abstract_eval(*[a.aval for a in atoms], **params)
        if prim.multiple_results:
            outvars = [Var(a) for a in out]
            self.eqns.append(Eqn(prim, atoms, outvars, params, user_frame()))
            return [IRTracer(self, v) for v in outvars]
        outvar = Var(out)
        self.eqns.append(Eqn(prim, atoms, [outvar], params, user_frame()))
        return IRTracer(self, outvar)

    def to_jaxpr(self, outs):
        """The ClosedJaxpr of what was recorded, with `outs` as outputs."""
        outvars = [self.atom(x) for x in outs]
        consts = [value for value, _ in self.constvars.values()]
        constvars = [var for _, var in self.constvars.values()]
        return ClosedJaxpr(Jaxpr(constvars, self.invars, outvars, self.eqns), consts)


def trace_to_jaxpr(fun, in_avals, name="jit"):
    """Traces `fun` (taking and returning flat lists) on abstract inputs; returns a ClosedJaxpr."""
    trace = IRTrace(name)
    args = [trace.new_arg(a) for a in in_avals]
    try:
        with core.set_current_trace(trace):
            outs = fun(*args)
        return trace.to_jaxpr(outs)
    finally:
        trace.invalidate()


def literal_to_array(lit):
    return lit.val if isinstance(lit.val, Array) else np.asarray(lit.val, lit.aval.dtype)
