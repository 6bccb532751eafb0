"""vmap's machinery: values carrying a batch axis, and each primitive's batching rule.

A rule is `rule(args, dims, **params) -> (out, out_dim)` (lists for multiple results), where a
dim is the position of the batch axis in that operand or `not_mapped` (None).
"""
from jaxlike import core
from jaxlike.core import Trace, Tracer, get_aval
from jaxlike.source_info import user_line

not_mapped = None


class BatchTracer(Tracer):
    __slots__ = ("val", "bdim")

    def __init__(self, trace, val, bdim):
        self._trace, self.val, self.bdim = trace, val, bdim

    @property
    def aval(self):
        aval = get_aval(self.val)
        shape = aval.shape[:self.bdim] + aval.shape[self.bdim + 1:]
        return aval.update(shape=shape)


class BatchTrace(Trace):
    name = "vmap"

    def __init__(self, parent, axis_size, axis_name=None):
        super().__init__(parent)
        self.axis_size = axis_size
        self.axis_name = axis_name

    def lift(self, x):
        if isinstance(x, BatchTracer) and x._trace is self:
            return x.val, x.bdim
        if isinstance(x, Tracer):
            core.check_alive(x)
        return x, not_mapped

    def process_primitive(self, prim, args, params):
        vals, dims = zip(*map(self.lift, args)) if args else ((), ())
        collective = getattr(prim, "batch_collective", None)
        if collective is not None and self.axis_name is not None and params.get("axis_name") is not None \
                and _names_axis(params["axis_name"], self.axis_name):
            with core.set_current_trace(self.parent):
                out, out_dim = collective(self, vals, dims, **params)
            return self.wrap_all(prim, out, out_dim)
        if all(d is not_mapped for d in dims):
            with core.set_current_trace(self.parent):
                return prim.bind(*vals, **params)
        if prim.batch is None:
            raise NotImplementedError(f"Batching rule for '{prim.name}' not implemented.{user_line()}")
        if getattr(prim, "batch_needs_axis", False):
            params = dict(params, axis_size=self.axis_size, axis_name=self.axis_name)
        with core.set_current_trace(self.parent):
            out, out_dim = prim.batch(vals, dims, **params)
        return self.wrap_all(prim, out, out_dim)

    def wrap_all(self, prim, out, out_dim):
        if prim.multiple_results:
            return [self.wrap(o, d) for o, d in zip(out, out_dim)]
        return self.wrap(out, out_dim)

    def wrap(self, val, bdim):
        return val if bdim is not_mapped else BatchTracer(self, val, bdim)


def _names_axis(param_name, axis_name):
    """Whether a collective's axis_name parameter (a name or a tuple of names) includes `axis_name`."""
    if isinstance(param_name, (tuple, list)):
        return axis_name in param_name
    return param_name == axis_name


# ---- helpers for rules --------------------------------------------------------------------

def moveaxis(x, src, dst):
    from jaxlike import lax
    ndim = len(get_aval(x).shape)
    src, dst = src % ndim, dst % ndim
    if src == dst:
        return x
    perm = [i for i in range(ndim) if i != src]
    perm.insert(dst, src)
    return lax.transpose(x, tuple(perm))


def bdim_at_front(x, bdim, size):
    """`x` with its batch axis first; an unbatched `x` is broadcast along a new first axis of `size`."""
    from jaxlike import lax
    if bdim is not_mapped:
        aval = get_aval(x)
        return lax.broadcast_in_dim(x, (size,) + aval.shape, tuple(range(1, aval.ndim + 1)))
    return moveaxis(x, bdim, 0)


def axis_size_of(vals, dims):
    for v, d in zip(vals, dims):
        if d is not not_mapped:
            return get_aval(v).shape[d]
    raise ValueError("no batched operand")


def defvectorized(prim):
    """Batching for a unary elementwise primitive: apply it as is."""
    def rule(vals, dims, **params):
        return prim.bind(*vals, **params), dims[0]
    prim.batch = rule


def defbroadcasting(prim):
    """Batching for an n-ary elementwise primitive: align batch axes; unbatched rank-0 operands stay as they are."""
    def rule(vals, dims, **params):
        avals = [get_aval(v) for v in vals]
        first_dim = next(d for d in dims if d is not not_mapped)
        ndims = {a.ndim for a in avals}
        if all(d == first_dim for d in dims) and len(ndims) == 1:
            return prim.bind(*vals, **params), first_dim
        size = next(a.shape[d] for a, d in zip(avals, dims) if d is not not_mapped)
        example_shape = max((a.shape if d is None else a.shape[:d] + a.shape[d + 1:]
                             for a, d in zip(avals, dims)), key=len)
        out = []
        for v, a, d in zip(vals, avals, dims):
            if d is not_mapped and a.shape == ():
                out.append(v)
                continue
            v = bdim_at_front(v, d, size)
            if get_aval(v).ndim - 1 < len(example_shape):  # a per-example scalar among arrays
                from jaxlike import lax
                v = lax.broadcast_in_dim(v, (size,) + example_shape, (0,))
            out.append(v)
        return prim.bind(*out, **params), 0
    prim.batch = rule
