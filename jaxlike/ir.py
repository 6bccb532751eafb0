"""The IR ("jaxpr"): closed, typed equations over variables, each remembering the user's line."""
import itertools

import numpy as np

from jaxlike.core import ShapedArray


class Var:
    """A variable of the IR, with its abstract value."""

    __slots__ = ("aval", "count")
    _counter = itertools.count()

    def __init__(self, aval):
        self.aval = aval
        self.count = next(Var._counter)

    def __repr__(self):
        return f"Var({self.count}:{self.aval.str_short()})"


class Literal:
    """A scalar constant written into an equation (not lifted to a constvar)."""

    __slots__ = ("val", "aval")

    def __init__(self, val, aval):
        self.val, self.aval = val, aval

    def host_value(self):
        return np.asarray(self.val, dtype=self.aval.dtype)

    def __repr__(self):
        return f"Literal({self.host_value()!r})"


class Eqn:
    """One equation: outvars = primitive[params](invars), made at `source_info` in user code."""

    __slots__ = ("primitive", "invars", "outvars", "params", "source_info")

    def __init__(self, primitive, invars, outvars, params, source_info=None):
        self.primitive, self.invars, self.outvars = primitive, invars, outvars
        self.params, self.source_info = params, source_info

    def replace(self, **changes):
        fields = {k: getattr(self, k) for k in self.__slots__}
        fields.update(changes)
        return Eqn(**fields)


class Jaxpr:
    """A typed function: constvars and invars in, equations, outvars out."""

    __slots__ = ("constvars", "invars", "outvars", "eqns")

    def __init__(self, constvars, invars, outvars, eqns):
        self.constvars, self.invars, self.outvars, self.eqns = list(constvars), list(invars), list(outvars), list(eqns)

    @property
    def in_avals(self):
        return [v.aval for v in self.invars]

    @property
    def out_avals(self):
        return [v.aval for v in self.outvars]

    def __str__(self):
        return pretty_print(self)

    __repr__ = __str__


class ClosedJaxpr:
    """A jaxpr together with the values of its constvars; what make_jaxpr returns."""

    __slots__ = ("jaxpr", "consts")

    def __init__(self, jaxpr, consts):
        self.jaxpr, self.consts = jaxpr, list(consts)

    in_avals = property(lambda self: self.jaxpr.in_avals)
    out_avals = property(lambda self: self.jaxpr.out_avals)
    eqns = property(lambda self: self.jaxpr.eqns)

    def __str__(self):
        return pretty_print(self.jaxpr)

    __repr__ = __str__

    def _repr_pretty_(self, p, cycle):
        p.text(str(self))


def consts_as_invars(jaxpr):
    """The same jaxpr with its constvars moved to the front of its invars."""
    return Jaxpr([], jaxpr.constvars + jaxpr.invars, jaxpr.outvars, jaxpr.eqns)


def eval_jaxpr(jaxpr, consts, *args):
    """Evaluates `jaxpr` by binding each equation on the current trace."""
    env = {}
    env.update(zip(jaxpr.constvars, consts))
    env.update(zip(jaxpr.invars, args))

    def read(atom):
        return atom.val if type(atom) is Literal else env[atom]

    for eqn in jaxpr.eqns:
        outs = eqn.primitive.bind(*map(read, eqn.invars), **eqn.params)
        if eqn.primitive.multiple_results:
            env.update(zip(eqn.outvars, outs))
        else:
            env[eqn.outvars[0]] = outs
    return [read(v) for v in jaxpr.outvars]


# ---- printing -------------------------------------------------------------------------------

class _Names:
    def __init__(self):
        self.names = {}

    def __call__(self, var):
        if type(var) is Literal:
            return _literal_text(var)
        name = self.names.get(var)
        if name is None:
            name = self.names[var] = _letters(len(self.names))
        return name


def _letters(i):
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(ord("a") + r) + out
    return out


def _literal_text(lit):
    value = lit.host_value()
    text = repr(value.item()) if value.ndim == 0 else repr(value.tolist())
    return f"{text}:{lit.aval.str_short()}"


def _param_text(value, names, indent):
    if isinstance(value, tuple) and value and all(isinstance(v, (Jaxpr, ClosedJaxpr)) for v in value):
        pad = " " * (indent + 4)
        return "(\n" + "\n".join(pad + _param_text(v, names, indent + 2) for v in value) + f"\n{' ' * (indent + 2)})"
    if isinstance(value, Jaxpr):
        return _print_jaxpr(value, names, indent + 2)
    if isinstance(value, ClosedJaxpr):
        return _print_jaxpr(value.jaxpr, names, indent + 2)
    if isinstance(value, np.dtype):
        return value.name
    if isinstance(value, ShapedArray):
        return value.str_short()
    return repr(value)


def _print_jaxpr(jaxpr, names, indent=0):
    pad = " " * indent
    decl = lambda v: f"{names(v)}:{v.aval.str_short()}"
    consts = " ".join(map(decl, jaxpr.constvars))
    invars = " ".join(map(decl, jaxpr.invars))
    lines = [f"{{ lambda {consts}; {invars}. let"]
    for eqn in jaxpr.eqns:
        lhs = " ".join(map(decl, eqn.outvars)) or "_"
        params = ""
        if eqn.params:
            parts = [f"{k}={_param_text(v, names, indent + 4)}" for k, v in eqn.params.items()]
            params = "[" + " ".join(parts) + "]" if sum(map(len, parts)) < 80 else "[\n" + "\n".join(
                f"{pad}      {p}" for p in parts) + f"\n{pad}    ]"
        rhs = " ".join(map(names, eqn.invars))
        lines.append(f"{pad}    {lhs} = {eqn.primitive.name}{params} {rhs}")
    outs = " ".join(map(names, jaxpr.outvars))
    lines.append(f"{pad}  in ({outs}{',' if len(jaxpr.outvars) == 1 else ''}) }}")
    return "\n".join(lines)


def pretty_print(jaxpr):
    """JAX-style text of a jaxpr: `{ lambda ; a:f32[3]. let b:f32[3] = sin a in (b,) }`."""
    return _print_jaxpr(jaxpr, _Names())
