"""Special functions: incomplete gamma and beta, Hurwitz zeta, exponentially scaled Bessel I0 and I1.

Each is an elementwise primitive over floating types. bessel_i1e and zeta lower to XLA's own
(CHLO) expansions; the others have an implementation written with lax, which the lowering
traces and inlines (`lowering_impl`), upcasting float16/bfloat16 to float32 as JAX does. The
incomplete gamma family evaluates the power series of P(a, x) for x < a + 1 and the continued
fraction of Q(a, x) otherwise, carrying derivatives with respect to `a` through the same
recurrences when a gradient is asked for. Edge values (x = 0, x = inf, domain errors) follow JAX.
"""
import numpy as np

from jaxlike import dtypes
from jaxlike.core import get_aval
from jaxlike.lax.base import FLOAT, elementwise_primitive, operands
from jaxlike.transforms import batching
from jaxlike.transforms.ad import defjvp, defjvp2

__all__ = ['igamma', 'igammac', 'igamma_grad_a', 'random_gamma_grad', 'bessel_i0e', 'bessel_i1e', 'zeta', 'betainc',
           'regularized_incomplete_beta', 'igamma_p', 'igammac_p', 'igamma_grad_a_p', 'bessel_i0e_p', 'bessel_i1e_p',
           'zeta_p', 'regularized_incomplete_beta_p']

MAX_ITERATIONS = 2000  # a cap for the series and continued fractions; they converge long before for sane inputs


def _lax():
    from jaxlike import lax
    return lax


def _const(x, value):
    return _lax().full_like(x, value)


def _unimplemented_jvp(message):
    def rule(g, *args):
        raise ValueError(message)
    return rule


def _special_primitive(name, impl=None):
    prim = elementwise_primitive(name, FLOAT)
    batching.defbroadcasting(prim)
    if impl is not None:
        prim.lowering_impl = _broadcast_and_upcast(impl)
    return prim


def _broadcast_and_upcast(impl):
    """Runs `impl` on operands broadcast to one shape, in float32 for half-precision inputs."""
    def run(*args):
        lax = _lax()
        shape = max((get_aval(a).shape for a in args), key=len)
        args = [lax.broadcast_in_dim(a, shape, ()) if get_aval(a).shape != shape else a for a in args]
        dtype = get_aval(args[0]).dtype
        if dtype.itemsize < 4:
            out = impl(*[lax.convert_element_type(a, np.float32) for a in args])
            return lax.convert_element_type(out, dtype)
        return impl(*args)
    return run


# ---- incomplete gamma: the two expansions ----------------------------------------------------------
def _iterate(body_fn, active, state):
    """Runs body_fn on the still-active elements until none is (or MAX_ITERATIONS steps)."""
    lax = _lax()

    def cond(carry):
        active, step = carry[0], carry[1]
        return lax.bitwise_and(lax.lt(step, MAX_ITERATIONS), lax.reduce_or(active, tuple(range(active.ndim))))

    def body(carry):
        active, step, state = carry[0], carry[1], carry[2:]
        going, new = body_fn(lax.convert_element_type(lax.add(step, 1), get_aval(state[0]).dtype), state)
        kept = tuple(lax.select(active, n, o) for n, o in zip(new, state))
        return (lax.bitwise_and(active, going), lax.add(step, 1)) + kept

    return lax.while_loop(cond, body, (active, np.int32(0)) + tuple(state))[2:]


def _series(a, x, active, derivative):
    """S = sum_n x^n / ((a+1)...(a+n)) and dS/da, so that P(a, x) = x^a e^-x / Gamma(a+1) * S.
    The derivative's terms are carried only when asked for (a smaller loop compiles much faster)."""
    lax = _lax()
    eps = _const(x, dtypes.finfo(get_aval(x).dtype).eps)

    def body(n, state):
        r, term, total = state[:3]
        r = lax.add(r, _const(r, 1))
        ratio = lax.div(x, r)
        new_term = lax.mul(term, ratio)
        new_total = lax.add(total, new_term)
        if not derivative:
            return lax.gt(lax.div(new_term, new_total), eps), (r, new_term, new_total)
        dterm, dtotal = state[3:]
        dterm = lax.mul(lax.sub(dterm, lax.div(term, r)), ratio)
        dtotal = lax.add(dtotal, dterm)
        return lax.gt(lax.abs(lax.div(dterm, dtotal)), eps), (r, new_term, new_total, dterm, dtotal)

    one, zero = _const(x, 1), _const(x, 0)
    state = _iterate(body, active, (a, one, one) + ((zero, zero) if derivative else ()))
    return state[2], (state[4] if derivative else None)


def _continued_fraction(a, x, active, derivative):
    """F and dF/da for Q(a, x) = x^a e^-x / Gamma(a) * F, F = 1/(x+1-a- 1(1-a)/(x+3-a- 2(2-a)/(x+5-a- ...))),
    evaluated by the three-term recurrence of its convergents p_k / q_k (rescaled before they overflow)."""
    lax = _lax()
    eps = dtypes.finfo(get_aval(x).dtype).eps

    def body(k, state):
        y, z, p1, q1, p2, q2, frac = state[:7]
        y, z = lax.add(y, _const(y, 1)), lax.add(z, _const(z, 2))
        yk = lax.mul(y, k)
        p = lax.sub(lax.mul(p1, z), lax.mul(p2, yk))
        q = lax.sub(lax.mul(q1, z), lax.mul(q2, yk))
        usable = lax.ne(q, _const(q, 0))
        safe_q = lax.select(usable, q, _const(q, 1))
        new_frac = lax.select(usable, lax.div(p, safe_q), frac)
        big = lax.gt(lax.abs(p), _const(p, 1 / eps))

        def rescaled(v):
            return lax.select(big, lax.mul(v, _const(v, eps)), v)
        new = (y, z, rescaled(p), rescaled(q), rescaled(p1), rescaled(q1), new_frac)
        if not derivative:
            change = lax.abs(lax.div(lax.sub(frac, new_frac), new_frac))
            return lax.bitwise_or(lax.bitwise_not(usable), lax.gt(change, _const(change, eps))), new
        dp1, dq1, dp2, dq2, dfrac = state[7:]
        # d/da of the recurrence, with dz/da = -1 and d(yk)/da = -k
        dp = lax.add(lax.sub(lax.sub(lax.mul(dp1, z), p1), lax.mul(dp2, yk)), lax.mul(p2, k))
        dq = lax.add(lax.sub(lax.sub(lax.mul(dq1, z), q1), lax.mul(dq2, yk)), lax.mul(q2, k))
        new_dfrac = lax.select(usable, lax.div(lax.sub(dp, lax.mul(new_frac, dq)), safe_q), dfrac)
        change = lax.abs(lax.sub(new_dfrac, dfrac))
        going = lax.bitwise_or(lax.bitwise_not(usable), lax.gt(change, _const(change, eps)))
        return going, new + (rescaled(dp), rescaled(dq), rescaled(dp1), rescaled(dq1), new_dfrac)

    one, zero = _const(x, 1), _const(x, 0)
    y = lax.sub(one, a)
    z = lax.add(lax.add(x, y), one)
    p1, q1 = lax.add(x, one), lax.mul(z, x)  # the first convergent
    frac = lax.div(p1, q1)
    state = (y, z, p1, q1, one, x, frac)
    if derivative:
        dq1 = lax.neg(x)
        state += (zero, dq1, zero, zero, lax.div(lax.neg(lax.mul(frac, dq1)), q1))
    state = _iterate(body, active, state)
    return state[6], (state[11] if derivative else None)


class _GammaSetup:
    """What every member of the igamma family computes first: masks, and log(x^a e^-x / Gamma(a))."""

    def __init__(self, a, x, large_x):
        lax = _lax()
        self.is_nan = lax.bitwise_or(lax.ne(a, a), lax.ne(x, x))
        self.x_is_zero = lax.eq(x, _const(x, 0))
        self.x_is_inf = lax.eq(x, _const(x, np.inf))
        self.large_x = large_x
        self.log_prefactor = lax.sub(lax.sub(lax.mul(a, lax.log(x)), x), lax.lgamma(a))
        limit = -np.log(dtypes.finfo(get_aval(x).dtype).max)
        self.underflow = lax.lt(self.log_prefactor, _const(x, limit))
        self.prefactor = lax.exp(self.log_prefactor)


def _any_of(*masks):
    lax = _lax()
    out = masks[0]
    for m in masks[1:]:
        out = lax.bitwise_or(out, m)
    return out


def _igamma_impl(a, x):
    lax = _lax()
    s = _GammaSetup(a, x, lax.bitwise_and(lax.ge(x, _const(x, 1)), lax.gt(x, a)))
    domain_error = _any_of(lax.lt(x, _const(x, 0)), lax.lt(a, _const(a, 0)),
                           lax.bitwise_and(lax.eq(a, _const(a, 0)), s.x_is_zero), s.is_nan)
    enabled = lax.bitwise_not(_any_of(s.x_is_zero, domain_error, s.underflow, s.x_is_inf))
    total, _ = _series(a, x, lax.bitwise_and(enabled, lax.bitwise_not(s.large_x)), False)
    frac, _ = _continued_fraction(a, x, lax.bitwise_and(enabled, s.large_x), False)
    from_series = lax.div(lax.mul(total, s.prefactor), a)
    out = lax.select(s.large_x, lax.sub(_const(x, 1), lax.mul(frac, s.prefactor)), from_series)
    out = lax.select(s.x_is_zero, _const(x, 0), out)
    out = lax.select(s.x_is_inf, _const(x, 1), out)
    return lax.select(domain_error, _const(x, np.nan), out)


def _igammac_impl(a, x):
    lax = _lax()
    s = _GammaSetup(a, x, lax.bitwise_not(lax.bitwise_or(lax.lt(x, _const(x, 1)), lax.lt(x, a))))
    a_is_zero = lax.eq(a, _const(a, 0))
    domain_error = _any_of(lax.lt(x, _const(x, 0)), lax.lt(a, _const(a, 0)),
                           lax.bitwise_and(a_is_zero, s.x_is_zero), s.is_nan)
    enabled = lax.bitwise_not(_any_of(domain_error, s.underflow, s.x_is_inf, a_is_zero))
    total, _ = _series(a, x, lax.bitwise_and(enabled, lax.bitwise_not(s.large_x)), False)
    frac, _ = _continued_fraction(a, x, lax.bitwise_and(enabled, s.large_x), False)
    from_series = lax.sub(_const(x, 1), lax.div(lax.mul(total, s.prefactor), a))
    out = lax.select(s.large_x, lax.mul(frac, s.prefactor), from_series)
    out = lax.select(lax.bitwise_or(s.x_is_inf, a_is_zero), _const(x, 0), out)
    return lax.select(domain_error, _const(x, np.nan), out)


def _gamma_derivative(a, x, sample):
    """dP(a, x)/da, or (sample=True) the derivative d x / d a of a Gamma(a) sample at fixed P(a, x)."""
    lax = _lax()
    s = _GammaSetup(a, x, lax.bitwise_and(lax.gt(x, _const(x, 1)), lax.gt(x, a)))
    domain_error = lax.bitwise_or(lax.lt(x, _const(x, 0)), lax.le(a, _const(a, 0)))
    enabled = lax.bitwise_not(_any_of(s.x_is_zero, domain_error, s.underflow, s.is_nan))
    log_x = lax.log(x)
    total, dtotal = _series(a, x, lax.bitwise_and(enabled, lax.bitwise_not(s.large_x)), True)
    frac, dfrac = _continued_fraction(a, x, lax.bitwise_and(enabled, s.large_x), True)
    # P = e^{L1} S with L1 = log(x^a e^-x / Gamma(a+1)); Q = e^{L0} F with L0 = log(x^a e^-x / Gamma(a)).
    series_part = lax.add(dtotal, lax.mul(total, lax.sub(log_x, lax.digamma(lax.add(a, _const(a, 1))))))
    fraction_part = lax.add(dfrac, lax.mul(frac, lax.sub(log_x, lax.digamma(a))))
    if sample:  # divide by the density dP/dx = e^{L0} / x = e^{L1} a / x: the prefactors cancel
        from_series = lax.neg(lax.div(lax.mul(series_part, x), a))
        from_fraction = lax.mul(fraction_part, x)
    else:
        from_series = lax.div(lax.mul(series_part, s.prefactor), a)
        from_fraction = lax.neg(lax.mul(fraction_part, s.prefactor))
    out = lax.select(s.large_x, from_fraction, from_series)
    out = lax.select(s.x_is_zero, _const(x, 0), out)
    return lax.select(lax.bitwise_or(domain_error, s.is_nan), _const(x, np.nan), out)


igamma_grad_a_p = _special_primitive("igamma_grad_a", lambda a, x: _gamma_derivative(a, x, sample=False))
random_gamma_grad_p = _special_primitive("random_gamma_grad", lambda a, x: _gamma_derivative(a, x, sample=True))
for _prim in (igamma_grad_a_p, random_gamma_grad_p):
    _prim.jvp = None
    _prim.differentiable = False  # as in JAX: differentiating these raises

igamma_p = _special_primitive("igamma", _igamma_impl)
igammac_p = _special_primitive("igammac", _igammac_impl)


def _igamma_density(g, a, x):
    """g * dP/dx = g * x^(a-1) e^-x / Gamma(a)."""
    lax = _lax()
    log_density = lax.sub(lax.add(lax.neg(x), lax.mul(lax.sub(a, _const(a, 1)), lax.log(x))), lax.lgamma(a))
    return lax.mul(g, lax.exp(log_density))


defjvp(igamma_p, lambda g, a, x: _lax().mul(g, igamma_grad_a(a, x)), _igamma_density)
defjvp(igammac_p, lambda g, a, x: _lax().neg(_lax().mul(g, igamma_grad_a(a, x))),
       lambda g, a, x: _lax().neg(_igamma_density(g, a, x)))


def igamma(a, x):
    """lax.igamma: the regularized lower incomplete gamma function P(a, x)."""
    return igamma_p.bind(*operands(a, x))


def igammac(a, x):
    """lax.igammac: the regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x)."""
    return igammac_p.bind(*operands(a, x))


def igamma_grad_a(a, x):
    """lax.igamma_grad_a: the derivative of igamma(a, x) with respect to a."""
    return igamma_grad_a_p.bind(*operands(a, x))


def random_gamma_grad(a, x):
    """lax.random_gamma_grad: d x / d a for a Gamma(a, 1) sample x (its CDF held fixed)."""
    return random_gamma_grad_p.bind(*operands(a, x))


# ---- exponentially scaled modified Bessel functions ----------------------------------------------------
# Chebyshev coefficients of i0e(x) on [0, 8] in t = x/4 - 1, and of sqrt(x) i0e(x) on (8, inf) in
# t = 16/x - 1, computed for this module by Chebyshev interpolation of mpmath's besseli at 40 digits.
_I0E_NEAR = (0.33839763720473803, -0.3046826723431984, 0.17162090152220877, -0.09490109704804764,
             0.04930528423967071, -0.02373741480589947, 0.010546460394594998, -0.004324309995050576,
             0.0016394756169413357, -0.0005763755745385824, 0.00018850288509584165, -5.754195010082104e-05,
             1.6448448070728896e-05, -4.4167383584587505e-06, 1.1173875391201037e-06, -2.670793853940612e-07,
             6.046995022541919e-08, -1.300025009986248e-08, 2.6598237246823866e-09, -5.189795601635263e-10,
             9.675809035373237e-11, -1.726826291441556e-11, 2.95505266312964e-12, -4.856446783111929e-13,
             7.676185498604936e-14, -1.1685332877993451e-14, 1.715391285555133e-15, -2.431279846547955e-16,
             3.3307945188222384e-17, -4.4153416464793395e-18)
_I0E_FAR = (0.4022452055070544, 0.0033691164782556943, 6.889758346916825e-05, 2.8913705208347567e-06,
            2.0489185894690638e-07, 2.266668990498178e-08, 3.3962320257083865e-09, 4.94060238822497e-10,
            1.1889147107846439e-11, -3.1499165279632416e-11, -1.3215811840447713e-11, -1.7941785315068062e-12,
            7.180124451383666e-13, 3.8527783827421426e-13, 1.54008621752141e-14, -4.150569347287222e-14,
            -9.554846698828307e-15, 3.811680669352621e-15, 1.7725601330565245e-15, -3.425485619677142e-16,
            -2.827623980516646e-16, 3.461222867695658e-17, 4.465621420302078e-17, -4.8305044859640105e-18,
            -7.233180488043844e-18, 9.921475415657038e-19, 1.1936508909418693e-18, -2.488709852186011e-19,
            -1.9384264345477928e-19, 6.444656990812575e-20)


def _chebyshev(t, coefficients):
    """sum_k c_k T_k(t) by Clenshaw's recurrence."""
    lax = _lax()
    b1, b2 = _const(t, 0), _const(t, 0)
    two_t = lax.add(t, t)
    for c in coefficients[:0:-1]:
        b1, b2 = lax.add(lax.sub(lax.mul(two_t, b1), b2), _const(t, c)), b1
    return lax.add(lax.sub(lax.mul(t, b1), b2), _const(t, coefficients[0]))


def _bessel_i0e_impl(x):
    lax = _lax()
    wide = get_aval(x).dtype == np.float64
    near, far = (_I0E_NEAR, _I0E_FAR) if wide else (_I0E_NEAR[:18], _I0E_FAR[:12])
    x = lax.abs(x)
    small = lax.le(x, _const(x, 8))
    safe_large = lax.select(small, _const(x, 8), x)
    inside = _chebyshev(lax.sub(lax.div(x, _const(x, 4)), _const(x, 1)), near)
    outside = lax.div(_chebyshev(lax.sub(lax.div(_const(x, 16), safe_large), _const(x, 1)), far),
                      lax.sqrt(safe_large))
    return lax.select(small, inside, outside)


bessel_i0e_p = _special_primitive("bessel_i0e", _bessel_i0e_impl)
bessel_i1e_p = _special_primitive("bessel_i1e")  # XLA's chlo.bessel_i1e


def _bessel_i1e_derivative(g, y, x):
    """i1e'(x) = i0e(x) - i1e(x) (sign(x) + 1/x), which tends to 1/2 at 0."""
    lax = _lax()
    tiny = lax.le(lax.abs(x), _const(x, dtypes.finfo(get_aval(x).dtype).eps))
    safe_x = lax.select(tiny, _const(x, 1), x)
    slope = lax.sub(bessel_i0e(safe_x), lax.mul(y, lax.add(lax.sign(safe_x), lax.reciprocal(safe_x))))
    return lax.mul(g, lax.select(tiny, _const(x, 0.5), slope))


defjvp2(bessel_i0e_p, lambda g, y, x: _lax().mul(g, _lax().sub(bessel_i1e(x), _lax().mul(_lax().sign(x), y))))
defjvp2(bessel_i1e_p, _bessel_i1e_derivative)


def bessel_i0e(x):
    """lax.bessel_i0e: the exponentially scaled modified Bessel function of order 0, exp(-|x|) I0(x)."""
    return bessel_i0e_p.bind(*operands(x))


def bessel_i1e(x):
    """lax.bessel_i1e: the exponentially scaled modified Bessel function of order 1, exp(-|x|) I1(x)."""
    return bessel_i1e_p.bind(*operands(x))


# ---- Hurwitz zeta --------------------------------------------------------------------------------------
zeta_p = _special_primitive("zeta")  # XLA's chlo.zeta
defjvp(zeta_p, _unimplemented_jvp("zeta gradient with respect to x is not supported."),
       lambda g, x, q: _lax().mul(g, _lax().neg(_lax().mul(x, zeta(_lax().add(x, _const(x, 1)), q)))))


def zeta(x, q):
    """lax.zeta: the Hurwitz zeta function sum_n (n + q)^-x."""
    return zeta_p.bind(*operands(x, q))


# ---- regularized incomplete beta -------------------------------------------------------------------------
def _beta_fraction(a, b, x):
    """The continued fraction of I_x(a, b) = x^a (1-x)^b / (a B(a, b)) * 1/(1+ d1/(1+ d2/(1+ ...))), by
    modified Lentz iterations (a fixed number: it converges fast where x < (a+1)/(a+b+2))."""
    lax = _lax()
    dtype = get_aval(x).dtype
    tiny = _const(x, dtypes.finfo(dtype).tiny * 1e3 if dtype == np.float64 else 1e-30)
    one = _const(x, 1)

    def guard(v):
        return lax.select(lax.lt(lax.abs(v), tiny), tiny, v)

    def body(m, state):
        c, d, f = state
        mf = lax.convert_element_type(m, dtype)
        twice = lax.add(mf, mf)
        even = lax.div(lax.mul(lax.mul(mf, lax.sub(b, mf)), x),
                       lax.mul(lax.add(a, lax.sub(twice, one)), lax.add(a, twice)))
        odd = lax.neg(lax.div(lax.mul(lax.mul(lax.add(a, mf), lax.add(lax.add(a, b), mf)), x),
                              lax.mul(lax.add(a, twice), lax.add(lax.add(a, twice), one))))
        for coefficient in (even, odd):
            d = lax.reciprocal(guard(lax.add(one, lax.mul(coefficient, d))))
            c = guard(lax.add(one, lax.div(coefficient, c)))
            f = lax.mul(f, lax.mul(c, d))
        return c, d, f

    first = lax.neg(lax.div(lax.mul(lax.add(a, b), x), lax.add(a, one)))  # d1
    d0 = lax.reciprocal(guard(lax.add(one, first)))
    iterations = 200 if dtype == np.float64 else 100
    _, _, f = lax.fori_loop(1, iterations, body, (one, d0, d0))
    return f


def _betainc_impl(a, b, x):
    lax = _lax()
    one, zero = _const(x, 1), _const(x, 0)
    flip = lax.ge(x, lax.div(lax.add(a, one), lax.add(lax.add(a, b), _const(x, 2))))
    aa, bb = lax.select(flip, b, a), lax.select(flip, a, b)
    xx = lax.select(flip, lax.sub(one, x), x)
    safe_x = lax.clamp(_const(x, dtypes.finfo(get_aval(x).dtype).tiny), xx, one)
    log_lead = lax.sub(lax.add(lax.mul(aa, lax.log(safe_x)), lax.mul(bb, lax.log1p(lax.neg(safe_x)))),
                       _log_beta(aa, bb))
    value = lax.div(lax.mul(lax.exp(log_lead), _beta_fraction(aa, bb, safe_x)), aa)
    out = lax.select(flip, lax.sub(one, value), value)
    out = lax.select(lax.eq(x, zero), zero, lax.select(lax.eq(x, one), one, out))
    # Limits, as in JAX: a = 0 (or b = inf) puts all the mass at 0, b = 0 (or a = inf) at 1.
    inf = _const(x, np.inf)
    mass_at_zero = lax.bitwise_or(lax.eq(a, zero), lax.eq(b, inf))
    mass_at_one = lax.bitwise_or(lax.eq(b, zero), lax.eq(a, inf))
    x_zero, x_one = lax.eq(x, zero), lax.eq(x, one)
    out = lax.select(lax.bitwise_or(lax.bitwise_and(mass_at_one, lax.bitwise_not(x_one)),
                                    lax.bitwise_and(mass_at_zero, x_zero)), zero, out)
    out = lax.select(lax.bitwise_or(lax.bitwise_and(mass_at_zero, lax.bitwise_not(x_zero)),
                                    lax.bitwise_and(mass_at_one, x_one)), one, out)
    bad = _any_of(lax.lt(a, zero), lax.lt(b, zero), lax.lt(x, zero), lax.gt(x, one),
                  lax.bitwise_and(mass_at_zero, mass_at_one), lax.ne(x, x), lax.ne(a, a), lax.ne(b, b))
    return lax.select(bad, _const(x, np.nan), out)


def _log_beta(a, b):
    lax = _lax()
    return lax.sub(lax.add(lax.lgamma(a), lax.lgamma(b)), lax.lgamma(lax.add(a, b)))


regularized_incomplete_beta_p = _special_primitive("regularized_incomplete_beta", _betainc_impl)
_BETAINC_AB = "Betainc gradient with respect to a and b not supported."


def _betainc_dx(g, a, b, x):
    lax = _lax()
    log_density = lax.sub(lax.add(lax.mul(lax.sub(b, _const(b, 1)), lax.log1p(lax.neg(x))),
                                  lax.mul(lax.sub(a, _const(a, 1)), lax.log(x))), _log_beta(a, b))
    return lax.mul(g, lax.exp(log_density))


defjvp(regularized_incomplete_beta_p, _unimplemented_jvp(_BETAINC_AB), _unimplemented_jvp(_BETAINC_AB), _betainc_dx)


def betainc(a, b, x):
    """lax.betainc: the regularized incomplete beta function I_x(a, b)."""
    return regularized_incomplete_beta_p.bind(*operands(a, b, x))


regularized_incomplete_beta = betainc
