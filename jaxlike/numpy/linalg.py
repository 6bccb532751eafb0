"""jaxlike.numpy.linalg: NumPy's linear algebra, batched over leading axes, built on jaxlike.lax.linalg.

Integer and bool inputs are promoted to the default float type, as jnp does. Derivatives come
from the primitives' rules, except where JAX defines a function-level rule that is cheaper or
better behaved: solve and inv (one LU factorization serves the value and its tangent), slogdet
and det (d log|det a| = tr(a^{-1} da)) and pinv (Golub and Pereyra's formula).
"""
import math
import operator
from typing import NamedTuple

import numpy as np

from jaxlike import dtypes, lax
from jaxlike.lax import linalg as lax_linalg
from jaxlike.numpy._core import (asarray_operand, broadcast_shapes, broadcast_to_shape, canonicalize_axis,
                                  promote_dtypes_inexact)
from jaxlike.numpy.linalg_basic import cross as _cross, matmul as _matmul, tensordot as _tensordot
from jaxlike.numpy.linalg_basic import vecdot as _vecdot
from jaxlike.source_info import user_line
from jaxlike.transforms.custom_derivatives import custom_jvp

__all__ = ['cholesky', 'cond', 'cross', 'det', 'diagonal', 'eig', 'eigh', 'eigvals', 'eigvalsh', 'inv', 'lstsq',
           'matmul', 'matrix_norm', 'matrix_power', 'matrix_rank', 'matrix_transpose', 'multi_dot', 'norm', 'outer',
           'pinv', 'qr', 'slogdet', 'solve', 'svd', 'svdvals', 'tensordot', 'tensorinv', 'tensorsolve', 'trace',
           'vecdot', 'vector_norm', 'EighResult', 'EigResult', 'QRResult', 'SlogdetResult', 'SVDResult']


class EighResult(NamedTuple):
    eigenvalues: object
    eigenvectors: object


class EigResult(NamedTuple):
    eigenvalues: object
    eigenvectors: object


class QRResult(NamedTuple):
    Q: object
    R: object


class SlogdetResult(NamedTuple):
    sign: object
    logabsdet: object


class SVDResult(NamedTuple):
    U: object
    S: object
    Vh: object


# ---- helpers -------------------------------------------------------------------------------------
def _inexact(*arrays):
    """The arrays as operands of their common inexact dtype."""
    return promote_dtypes_inexact(*(asarray_operand(a) for a in arrays))


def _square(name, a):
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ValueError(f"Argument to {name} must have shape [..., n, n], got {a.shape}.{user_line()}")


def _at_least_2d(name, a):
    if a.ndim < 2:
        raise ValueError(f"{name} requires an array with at least two dimensions, got shape {a.shape}.{user_line()}")


def _scalar(value, dtype):
    return lax.full((), value, dtype)


def _abs_squared(x):
    return lax.mul(x, x) if not dtypes.is_complex(x.dtype) else lax.add(lax.square(lax.real(x)),
                                                                         lax.square(lax.imag(x)))


def _batched_eye(shape, dtype):
    return lax_linalg.eye_like(tuple(shape), dtype)


def _last_axis(x, index):
    """x[..., index] for a static index."""
    index %= x.shape[-1]
    picked = lax.slice(x, (0,) * (x.ndim - 1) + (index,), x.shape[:-1] + (index + 1,))
    return lax.squeeze(picked, (x.ndim - 1,))


def _sum(x, axes, keepdims=False):
    from jaxlike.numpy.reductions import sum as sum_
    return sum_(x, axis=axes, keepdims=keepdims)


# ---- decompositions ------------------------------------------------------------------------------
def cholesky(a, *, upper=False, symmetrize_input=True):
    """jnp.linalg.cholesky: lower L with a = L L^H (or upper U = L^H with a = U^H U); NaN if not positive definite."""
    (a,) = _inexact(a)
    _square("cholesky", a)
    lower = lax_linalg.cholesky(a, symmetrize_input=symmetrize_input)
    return lax_linalg.adjoint(lower) if upper else lower


def qr(a, mode="reduced"):
    """jnp.linalg.qr: QRResult(Q, R) for mode 'reduced'/'complete', R for 'r', (h, tau) for 'raw'."""
    (a,) = _inexact(a)
    _at_least_2d("qr", a)
    if mode == "raw":
        packed, taus = lax_linalg.geqrf(a)
        return QRResult(lax_linalg.swap_last(packed), taus)
    if mode in ("reduced", "r", "full"):
        full_matrices = False
    elif mode == "complete":
        full_matrices = True
    else:
        raise ValueError(f"Unsupported QR decomposition mode '{mode}'")
    q, r = lax_linalg.qr(a, full_matrices=full_matrices)
    return r if mode == "r" else QRResult(q, r)


def eigh(a, UPLO=None, symmetrize_input=True):
    """jnp.linalg.eigh: EighResult(eigenvalues ascending, eigenvectors as columns) of a Hermitian matrix."""
    if UPLO not in (None, "L", "U"):
        raise ValueError(f"UPLO must be one of None, 'L', or 'U', got {UPLO}")
    (a,) = _inexact(a)
    _square("eigh", a)
    v, w = lax_linalg.eigh(a, lower=UPLO != "U", symmetrize_input=symmetrize_input)
    return EighResult(w, v)


def eigvalsh(a, UPLO="L", *, symmetrize_input=True):
    """jnp.linalg.eigvalsh: the eigenvalues (ascending) of a Hermitian matrix."""
    return eigh(a, UPLO, symmetrize_input=symmetrize_input).eigenvalues


def eig(a):
    """jnp.linalg.eig: EigResult(eigenvalues, right eigenvectors) of a general square matrix (CPU only)."""
    (a,) = _inexact(a)
    _square("eig", a)
    w, v = lax_linalg.eig(a, compute_left_eigenvectors=False)
    return EigResult(w, v)


def eigvals(a):
    """jnp.linalg.eigvals: the (complex) eigenvalues of a general square matrix (CPU only)."""
    (a,) = _inexact(a)
    _square("eigvals", a)
    return lax_linalg.eig(a, compute_left_eigenvectors=False, compute_right_eigenvectors=False)[0]


def svd(a, full_matrices=True, compute_uv=True, hermitian=False, subset_by_index=None):
    """jnp.linalg.svd: SVDResult(U, S, Vh) with a = U diag(S) Vh and S descending, or S if not compute_uv."""
    (a,) = _inexact(a)
    _at_least_2d("svd", a)
    if hermitian:
        return _hermitian_svd(a, compute_uv, subset_by_index)
    if not compute_uv:
        return lax_linalg.svd(a, full_matrices=full_matrices, compute_uv=False, subset_by_index=subset_by_index)
    u, s, vh = lax_linalg.svd(a, full_matrices=full_matrices, compute_uv=True, subset_by_index=subset_by_index)
    return SVDResult(u, s, vh)


def _hermitian_svd(a, compute_uv, subset_by_index):
    """The SVD of a Hermitian matrix from its eigendecomposition: |w| sorted descending, signs moved into Vh."""
    from jaxlike.numpy.indexing import take_along_axis
    v, w = lax_linalg.eigh(a, subset_by_index=subset_by_index)
    s = lax.abs(w)
    last = s.ndim - 1
    if not compute_uv:
        return lax.rev(lax.sort(s, dimension=last), (last,))
    sign = lax.sign(w)
    order = lax.broadcasted_iota(np.int32, s.shape, last)
    s, order, sign = (lax.rev(x, (last,)) for x in lax.sort((s, order, sign), dimension=last, num_keys=1))
    u = take_along_axis(v, lax.expand_dims(order, (last,)), axis=-1)
    signs = lax_linalg.row_vector(lax.convert_element_type(sign, u.dtype), u.shape[-2])
    return SVDResult(u, s, lax_linalg.adjoint(lax.mul(u, signs)))


def svdvals(x, /):
    """jnp.linalg.svdvals: the singular values, descending."""
    return svd(x, compute_uv=False)


# ---- solving and inverting ----------------------------------------------------------------------------
@custom_jvp
def _solve_square(a, b):
    lu, _, permutation = lax_linalg.lu(a)
    return lax_linalg.lu_solve(lu, permutation, b)


@_solve_square.defjvp
def _solve_square_jvp(primals, tangents):
    # a x = b gives a dx = db - da x: one LU factorization serves the solution and its tangent.
    (a, b), (da, db) = primals, tangents
    lu, _, permutation = lax_linalg.lu(a)
    x = lax_linalg.lu_solve(lu, permutation, b)
    dx = lax_linalg.lu_solve(lu, permutation, lax.sub(db, lax_linalg.matmul(da, x)))
    return x, dx


def solve(a, b):
    """jnp.linalg.solve: x with a @ x = b; b is [..., m] only when 1-d, else [..., m, k]; leading axes broadcast."""
    a, b = _inexact(a, b)
    if a.ndim < 2:
        raise ValueError(f"left hand array must be at least two dimensional; got a.shape={a.shape}.{user_line()}")
    _square("solve", a)
    m = a.shape[-1]
    vector = b.ndim == 1
    if vector:
        b = lax.expand_dims(b, (1,))
    if b.shape[-2] != m:
        raise ValueError(f"solve: incompatible shapes a {a.shape} and b {b.shape[:-1] if vector else b.shape}: b "
                         f"must have shape [..., {m}] (1-d) or [..., {m}, k].{user_line()}")
    batch = broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = broadcast_to_shape(a, batch + a.shape[-2:])
    b = broadcast_to_shape(b, batch + b.shape[-2:])
    x = _solve_square(a, b)
    return lax.squeeze(x, (x.ndim - 1,)) if vector else x


def inv(a):
    """jnp.linalg.inv: the inverse of each square matrix (via solve, so NaN/inf for singular input)."""
    a = asarray_operand(a)
    _square("inv", a)
    (a,) = _inexact(a)
    return solve(a, _batched_eye(a.shape, a.dtype))


def matrix_power(a, n):
    """jnp.linalg.matrix_power: a to an integer power by repeated squaring (negative powers invert first)."""
    a = asarray_operand(a)
    if a.ndim < 2:
        raise TypeError(f"{a.ndim}-dimensional array given. Array must be at least two-dimensional{user_line()}")
    if a.shape[-2] != a.shape[-1]:
        raise TypeError(f"Last 2 dimensions of the array must be square, got shape {a.shape}.{user_line()}")
    try:
        n = operator.index(n)
    except TypeError:
        raise TypeError(f"exponent must be an integer, got {n}") from None
    if n == 0:
        return _batched_eye(a.shape, a.dtype)
    if n < 0:
        a, n = inv(a), -n
    result, power = None, a
    while n:
        n, bit = divmod(n, 2)
        if bit:
            result = power if result is None else _matmul(result, power)
        if n:
            power = _matmul(power, power)
    return result


def tensorinv(a, ind=2):
    """jnp.linalg.tensorinv: the inverse of a tensor viewed as a matrix (first `ind` axes against the rest)."""
    a = asarray_operand(a)
    ind = operator.index(ind)
    if ind <= 0:
        raise ValueError(f"ind must be a positive integer; got ind={ind}.{user_line()}")
    rows, cols = a.shape[:ind], a.shape[ind:]
    if math.prod(rows) != math.prod(cols):
        raise ValueError(f"tensorinv is only possible when the product of the first `ind` dimensions equals that of "
                         f"the remaining dimensions. got arr.shape={a.shape} with ind={ind}.{user_line()}")
    return lax.reshape(inv(lax.reshape(a, (math.prod(rows), math.prod(cols)))), cols + rows)


def tensorsolve(a, b, axes=None):
    """jnp.linalg.tensorsolve: x with tensordot(a, x, x.ndim) == b."""
    from jaxlike.numpy.manipulation import moveaxis
    a, b = asarray_operand(a), asarray_operand(b)
    if axes is not None:
        axes = tuple(axes)
        a = moveaxis(a, axes, tuple(range(a.ndim - len(axes), a.ndim)))
    out_shape = a.shape[b.ndim:]
    if a.shape[:b.ndim] != b.shape:
        raise ValueError(f"After moving axes to end, leading shape of a must match shape of b. got a.shape={a.shape},"
                         f" b.shape={b.shape}.{user_line()}")
    if b.size != math.prod(out_shape):
        raise ValueError(f"Input arrays must have prod(a.shape[:b.ndim]) == prod(a.shape[b.ndim:]); got "
                         f"a.shape={a.shape}, b.ndim={b.ndim}.{user_line()}")
    x = solve(lax.reshape(a, (b.size, math.prod(out_shape))), lax.reshape(b, (b.size,)))
    return lax.reshape(x, out_shape)


def lstsq(a, b, rcond=None, *, numpy_resid=False):
    """jnp.linalg.lstsq: (x, residuals, rank, singular values) minimising ||a x - b|| via the SVD."""
    a, b = _inexact(a, b)
    if a.ndim != 2:
        raise TypeError(f"{a.ndim}-dimensional array given. Array must be two-dimensional{user_line()}")
    if b.ndim not in (1, 2):
        raise TypeError(f"{b.ndim}-dimensional array given. Array must be one or two-dimensional{user_line()}")
    if a.shape[0] != b.shape[0]:
        raise ValueError(f"Leading dimensions of input arrays must match, got {a.shape} and {b.shape}.{user_line()}")
    vector = b.ndim == 1
    if vector:
        b = lax.expand_dims(b, (1,))
    m, n = a.shape
    dtype = a.dtype
    real_dtype = dtypes.real_dtype(dtype)
    eps = float(np.finfo(real_dtype).eps)
    if a.size == 0:
        s = lax.full((0,), 0, real_dtype)
        rank = lax.full((), 0, dtypes.default_int())
        x = lax.full((n, b.shape[1]), 0, dtype)
    else:
        if rcond is None:
            rcond_value = lax.full((), eps * max(m, n), real_dtype)
        else:
            from jaxlike.numpy.ufuncs import where
            rcond_value = lax.convert_element_type(where(asarray_operand(rcond) < 0, eps, rcond), real_dtype)
        u, s, vh = svd(a, full_matrices=False)
        largest = _last_axis(s, 0)
        mask = lax.bitwise_and(lax.gt(s, _scalar(0, real_dtype)), lax.ge(s, lax.mul(rcond_value, largest)))
        rank = lax.reduce_sum(lax.convert_element_type(mask, dtypes.default_int()), (0,))
        safe_s = lax.select(mask, s, lax.full(s.shape, 1, real_dtype))
        s_inv = lax.select(mask, lax.div(lax.full(s.shape, 1, real_dtype), safe_s), lax.full(s.shape, 0, real_dtype))
        s_inv = lax.broadcast_in_dim(lax.convert_element_type(s_inv, dtype), (s.shape[0], b.shape[1]), (0,))
        uh_b = lax_linalg.matmul(lax_linalg.adjoint(u), b)
        x = lax_linalg.matmul(lax_linalg.adjoint(vh), lax.mul(s_inv, uh_b))
    if numpy_resid and (int(rank) < n or m <= n):
        resid = lax.full((0,), 0, real_dtype)
    else:
        residual = lax.sub(b, lax_linalg.matmul(a, x))
        resid = lax.reduce_sum(_abs_squared(residual), (0,))
        resid = lax.mul(lax.sqrt(resid), lax.sqrt(resid))  # norm(b - a x, axis=0) ** 2, as JAX computes it
    if vector:
        x = lax.reshape(x, (n,))
    return x, resid, rank, s


def _pinv_value(a, rtol, hermitian):
    m, n = a.shape[-2:]
    if m == 0 or n == 0:
        return lax.full(a.shape[:-2] + (n, m), 0, a.dtype)
    a = lax_linalg.conj_if_complex(a)
    real_dtype = dtypes.real_dtype(a.dtype)
    if rtol is None:
        rtol = 10.0 * max(m, n) * float(np.finfo(real_dtype).eps)
    u, s, vh = svd(a, full_matrices=False, hermitian=hermitian)
    rtol = broadcast_to_shape(lax.convert_element_type(asarray_operand(rtol), real_dtype), s.shape[:-1])
    cutoff = lax.broadcast_in_dim(lax.mul(rtol, _last_axis(s, 0)), s.shape, tuple(range(s.ndim - 1)))
    s = lax.select(lax.gt(s, cutoff), s, lax.full(s.shape, np.inf, real_dtype))
    s = lax_linalg.column_vector(lax.convert_element_type(s, a.dtype), m)
    return lax_linalg.matmul(lax_linalg.swap_last(vh), lax.div(lax_linalg.swap_last(u), s))


_pinv = custom_jvp(_pinv_value, nondiff_argnums=(1, 2))


@_pinv.defjvp
def _pinv_jvp(rtol, hermitian, primals, tangents):
    # Golub & Pereyra (1973), eq. 4.12: the derivative of the pseudo-inverse for constant rank.
    (a,), (da,) = primals, tangents
    p = _pinv(a, rtol, hermitian)
    if hermitian:
        a, da = lax_linalg.symmetrize(a), lax_linalg.symmetrize(da)
    mm, H = lax_linalg.matmul, lax_linalg.adjoint
    s = mm(mm(p, H(p)), H(da))
    t = mm(mm(H(da), H(p)), p)
    dp = lax.neg(mm(mm(p, da), p))
    dp = lax.add(dp, lax.sub(s, mm(mm(s, a), p)))
    dp = lax.add(dp, lax.sub(t, mm(mm(p, a), t)))
    return p, dp



def pinv(a, rtol=None, hermitian=False, *, rcond=None):
    """jnp.linalg.pinv: the Moore-Penrose pseudo-inverse; singular values below rtol * largest are dropped."""
    if rcond is not None:
        if rtol is not None:
            raise ValueError("pinv: only one of rtol and rcond may be specified.")
        rtol = rcond
    (a,) = _inexact(a)
    _at_least_2d("pinv", a)
    return _pinv(a, rtol, bool(hermitian))


# ---- determinants --------------------------------------------------------------------------------
def _slogdet_from_lu(a):
    dtype = a.dtype
    lu, pivots, _ = lax_linalg.lu(a)
    diag = lax_linalg.diagonal(lu)
    last = diag.ndim - 1
    is_zero = lax.reduce_or(lax.eq(diag, _scalar(0, dtype)), (last,))
    swaps = lax.ne(pivots, lax.broadcasted_iota(np.int32, pivots.shape, last))
    parity = lax.reduce_sum(lax.convert_element_type(swaps, np.int32), (last,))
    if dtypes.is_complex(dtype):
        unit = lax.div(diag, lax.convert_element_type(lax.abs(diag), dtype))
        sign = lax.reduce_prod(unit, (last,))
    else:
        parity = lax.add(parity, lax.reduce_sum(lax.convert_element_type(lax.lt(diag, _scalar(0, dtype)), np.int32),
                                                (last,)))
        sign = lax.full(parity.shape, 1, dtype)
    odd = lax.eq(lax.rem(parity, lax.full(parity.shape, 2, np.int32)), lax.full(parity.shape, 1, np.int32))
    sign = lax.select(odd, lax.neg(sign), sign)
    sign = lax.select(is_zero, lax.full(sign.shape, 0, dtype), sign)
    real_dtype = dtypes.real_dtype(dtype)
    logdet = lax.reduce_sum(lax.log(lax.abs(diag)), (last,))
    logdet = lax.select(is_zero, lax.full(logdet.shape, -np.inf, real_dtype), logdet)
    return sign, logdet


def _slogdet_from_qr(a):
    if dtypes.is_complex(a.dtype):
        raise NotImplementedError("slogdet method='qr' not implemented for complex inputs")
    n = a.shape[-1]
    packed, taus = lax_linalg.geqrf(a)
    diag = lax_linalg.diagonal(packed)
    last = diag.ndim - 1
    logdet = lax.reduce_sum(lax.log(lax.abs(diag)), (last,))
    sign = lax.reduce_prod(lax.sign(diag), (last,))
    # Each reflector with tau != 0 is a reflection (determinant -1); the last one is always the identity.
    used = lax.slice(taus, (0,) * taus.ndim, taus.shape[:-1] + (max(n - 1, 0),))
    reflections = lax.reduce_sum(lax.convert_element_type(lax.ne(used, _scalar(0, a.dtype)), np.int32), (last,))
    odd = lax.eq(lax.rem(reflections, lax.full(reflections.shape, 2, np.int32)),
                 lax.full(reflections.shape, 1, np.int32))
    return lax.select(odd, lax.neg(sign), sign), logdet


def _trace_of_solve(a, da):
    """tr(a^{-1} da), with the tangent passed only through linear operations (so that it transposes)."""
    lu, _, permutation = lax_linalg.lu(a)
    diag = lax_linalg.diagonal(lax_linalg.lu_solve(lu, permutation, da))
    return lax.reduce_sum(diag, (diag.ndim - 1,))


def _slogdet_jvp(primals, tangents, method):
    (a,), (da,) = primals, tangents
    sign, logdet = _SLOGDET_METHODS[method](a)
    d_log = _trace_of_solve(a, da)
    if dtypes.is_complex(a.dtype):
        d_sign = lax.mul(lax.sub(d_log, lax.convert_element_type(lax.real(d_log), a.dtype)), sign)
        d_log = lax.real(d_log)
    else:
        d_sign = lax.full(sign.shape, 0, sign.dtype)
    return (sign, logdet), (d_sign, d_log)


_SLOGDET_METHODS = {"lu": _slogdet_from_lu, "qr": _slogdet_from_qr}


def _slogdet_lu_jvp(primals, tangents):
    return _slogdet_jvp(primals, tangents, "lu")


def _slogdet_qr_jvp(primals, tangents):
    return _slogdet_jvp(primals, tangents, "qr")


_slogdet_lu = custom_jvp(_slogdet_from_lu)
_slogdet_lu.defjvp(_slogdet_lu_jvp)
_slogdet_qr = custom_jvp(_slogdet_from_qr)
_slogdet_qr.defjvp(_slogdet_qr_jvp)


def slogdet(a, *, method=None):
    """jnp.linalg.slogdet: SlogdetResult(sign, log|det|) via LU (method None/'lu') or QR ('qr')."""
    (a,) = _inexact(a)
    _square("slogdet()", a)
    if method is None or method == "lu":
        return SlogdetResult(*_slogdet_lu(a))
    if method == "qr":
        return SlogdetResult(*_slogdet_qr(a))
    raise ValueError(f"Unknown slogdet method '{method}'. Supported methods are 'lu' (`None`), and 'qr'.")


def _entry(a, i, j):
    return lax.squeeze(lax.slice(a, (0,) * (a.ndim - 2) + (i, j), a.shape[:-2] + (i + 1, j + 1)),
                       (a.ndim - 2, a.ndim - 1))


def _det_2x2(a):
    e = lambda i, j: _entry(a, i, j)  # noqa: E731
    return lax.sub(lax.mul(e(0, 0), e(1, 1)), lax.mul(e(0, 1), e(1, 0)))


def _det_3x3(a):
    e = lambda i, j: _entry(a, i, j)  # noqa: E731
    terms = [(1, (0, 0), (1, 1), (2, 2)), (1, (0, 1), (1, 2), (2, 0)), (1, (0, 2), (1, 0), (2, 1)),
             (-1, (0, 2), (1, 1), (2, 0)), (-1, (0, 0), (1, 2), (2, 1)), (-1, (0, 1), (1, 0), (2, 2))]
    total = None
    for sign, p, q, r in terms:
        term = lax.mul(lax.mul(e(*p), e(*q)), e(*r))
        total = term if total is None else (lax.add(total, term) if sign > 0 else lax.sub(total, term))
    return total


@custom_jvp
def _det_lu(a):
    sign, logdet = _slogdet_from_lu(a)
    return lax.mul(sign, lax.convert_element_type(lax.exp(logdet), sign.dtype))


@_det_lu.defjvp
def _det_lu_jvp(primals, tangents):
    # d det(a) = det(a) tr(a^{-1} da).
    (a,), (da,) = primals, tangents
    d = _det_lu(a)
    return d, lax.mul(d, _trace_of_solve(a, da))


def det(a):
    """jnp.linalg.det: the determinant of each square matrix (closed forms for 2x2 and 3x3, else LU)."""
    (a,) = _inexact(a)
    _square("_det()", a)
    n = a.shape[-1]
    if n == 2:
        return _det_2x2(a)
    if n == 3:
        return _det_3x3(a)
    return _det_lu(a)


# ---- norms ---------------------------------------------------------------------------------------------
def vector_norm(x, /, *, axis=None, keepdims=False, ord=2):
    """jnp.linalg.vector_norm: the `ord`-norm over `axis` (all axes by default)."""
    from jaxlike.numpy.reductions import max as max_, min as min_, sum as sum_
    (x,) = _inexact(x)
    if ord is None or ord == 2:
        return lax.sqrt(sum_(_abs_squared(x), axis=axis, keepdims=keepdims))
    if isinstance(ord, str):
        hint = " Use 'jax.numpy.inf' instead." if ord in ("inf", "-inf") else ""
        raise ValueError(f"Invalid order '{ord}' for vector norm.{hint}")
    magnitude = lax.abs(x)
    if ord == np.inf:
        return max_(magnitude, axis=axis, keepdims=keepdims, initial=0)
    if ord == -np.inf:
        return min_(magnitude, axis=axis, keepdims=keepdims)
    if ord == 0:
        return sum_(lax.convert_element_type(lax.ne(x, _scalar(0, x.dtype)), magnitude.dtype), axis=axis,
                    keepdims=keepdims)
    if ord == 1:
        return sum_(magnitude, axis=axis, keepdims=keepdims)
    p = _scalar(ord, magnitude.dtype)
    total = sum_(lax.pow(magnitude, p), axis=axis, keepdims=keepdims)
    return lax.pow(total, lax.div(_scalar(1, magnitude.dtype), p))


def _matrix_norm(x, ord, axes, keepdims):
    from jaxlike.numpy.manipulation import moveaxis
    from jaxlike.numpy.reductions import max as max_, min as min_, sum as sum_
    row_axis, col_axis = axes
    if ord is None or ord in ("f", "fro"):
        return lax.sqrt(sum_(_abs_squared(x), axis=axes, keepdims=keepdims))
    if ord in (1, -1, np.inf, -np.inf):
        summed, other = (row_axis, col_axis) if ord in (1, -1) else (col_axis, row_axis)
        sums = sum_(lax.abs(x), axis=summed, keepdims=keepdims)
        if not keepdims and other > summed:
            other -= 1
        if ord in (1, np.inf):
            return max_(sums, axis=other, keepdims=keepdims, initial=0)
        return min_(sums, axis=other, keepdims=keepdims)
    if ord in ("nuc", 2, -2):
        s = svd(moveaxis(x, axes, (-2, -1)), compute_uv=False)
        if ord == 2:
            y = max_(s, axis=-1, initial=0)
        elif ord == -2:
            y = min_(s, axis=-1)
        else:
            y = sum_(s, axis=-1)
        return lax.expand_dims(y, tuple(sorted(axes))) if keepdims else y
    raise ValueError(f"Invalid order '{ord}' for matrix norm.")


def norm(x, ord=None, axis=None, keepdims=False):
    """jnp.linalg.norm: a vector norm over one axis, a matrix norm over two, or the 2-norm of the flattened array."""
    (x,) = _inexact(x)
    if axis is None:
        if ord is None:
            return lax.sqrt(_sum(_abs_squared(x), None, keepdims))
        axes = tuple(range(x.ndim))
    elif isinstance(axis, (tuple, list)):
        axes = tuple(canonicalize_axis(a, x.ndim) for a in axis)
    else:
        axes = (canonicalize_axis(axis, x.ndim),)
    if len(axes) == 1:
        return vector_norm(x, ord=2 if ord is None else ord, axis=axes, keepdims=keepdims)
    if len(axes) == 2:
        return _matrix_norm(x, ord, axes, keepdims)
    raise ValueError(f"Improper number of axes for norm: axis={axis!r}. Pass one axis to compute a vector-norm, or "
                     f"two axes to compute a matrix-norm.{user_line()}")


def matrix_norm(x, /, *, keepdims=False, ord="fro"):
    """jnp.linalg.matrix_norm: the `ord` norm of each matrix over the last two axes."""
    return norm(x, ord=ord, keepdims=keepdims, axis=(-2, -1))


def matrix_rank(M, rtol=None, *, hermitian=False, tol=None):
    """jnp.linalg.matrix_rank: the number of singular values above rtol * largest (default eps * max(m, n))."""
    if tol is not None:
        if rtol is not None:
            raise ValueError("matrix_rank: only one of tol or rtol may be specified.")
        rtol = tol
    (M,) = _inexact(M)
    if M.ndim < 2:
        from jaxlike.numpy.reductions import any as any_
        return lax.convert_element_type(any_(lax.ne(M, _scalar(0, M.dtype))), np.int32)
    s = svd(M, full_matrices=False, compute_uv=False, hermitian=hermitian)
    largest = _last_axis(s, 0) if s.shape[-1] else lax.full(s.shape[:-1], 0, s.dtype)
    if rtol is None:
        threshold = lax.mul(largest, _scalar(max(M.shape[-2:]) * float(np.finfo(s.dtype).eps), s.dtype))
    else:
        threshold = broadcast_to_shape(lax.convert_element_type(asarray_operand(rtol), s.dtype), s.shape[:-1])
    above = lax.gt(s, lax.broadcast_in_dim(threshold, s.shape, tuple(range(s.ndim - 1))))
    from jaxlike.numpy.reductions import sum as sum_
    return sum_(above, axis=-1)


def cond(x, p=None):
    """jnp.linalg.cond: the condition number in the `p` norm (2-norm by default, via singular values)."""
    x = asarray_operand(x)
    if x.ndim < 2:
        raise ValueError(f"jnp.linalg.cond: input array must be at least 2D; got arr.shape={x.shape}{user_line()}")
    if x.shape[-1] == 0 or x.shape[-2] == 0:
        raise ValueError(f"jnp.linalg.cond: input array must not be empty; got arr.shape={x.shape}{user_line()}")
    if p is None or p == 2:
        s = svdvals(x)
        return lax.div(_last_axis(s, 0), _last_axis(s, -1))
    if p == -2:
        s = svdvals(x)
        r = lax.div(_last_axis(s, -1), _last_axis(s, 0))
    else:
        if x.shape[-2] != x.shape[-1]:
            raise ValueError(f"jnp.linalg.cond: for p={p}, array must be square; got arr.shape={x.shape}"
                             f"{user_line()}")
        r = lax.mul(norm(x, ord=p, axis=(-2, -1)), norm(inv(x), ord=p, axis=(-2, -1)))
    # A NaN from a singular matrix means an infinite condition number; NaN inputs stay NaN.
    (x,) = _inexact(x)
    x_has_nan = lax.reduce_or(lax.ne(x, x), (x.ndim - 2, x.ndim - 1))
    infinite = lax.bitwise_and(lax.ne(r, r), lax.bitwise_not(x_has_nan))
    return lax.select(infinite, lax.full(r.shape, np.inf, r.dtype), r)


# ---- products and array-API helpers ------------------------------------------------------------------
def multi_dot(arrays, *, precision=None):
    """jnp.linalg.multi_dot: the product of a chain of matrices, multiplied in the cheapest order."""
    arrays = [asarray_operand(a) for a in arrays]
    if len(arrays) < 2:
        raise ValueError(f"multi_dot requires at least two arrays; got len(arrays)={len(arrays)}")
    shapes = [a.shape for a in arrays]
    if not (arrays[0].ndim in (1, 2) and arrays[-1].ndim in (1, 2) and all(a.ndim == 2 for a in arrays[1:-1])):
        raise ValueError(f"multi_dot: input arrays must all be two-dimensional, except for the first and last array "
                         f"which may be 1 or 2 dimensional. Got array shapes {shapes}{user_line()}")
    if any(a.shape[-1] != b.shape[0] for a, b in zip(arrays[:-1], arrays[1:])):
        raise ValueError(f"multi_dot: last dimension of each array must match first dimension of following array. "
                         f"Got array shapes {shapes}{user_line()}")
    first_vector, last_vector = arrays[0].ndim == 1, arrays[-1].ndim == 1
    if first_vector:
        arrays[0] = lax.expand_dims(arrays[0], (0,))
    if last_vector:
        arrays[-1] = lax.expand_dims(arrays[-1], (1,))
    order = _chain_order([a.shape[0] for a in arrays] + [arrays[-1].shape[1]])

    def product(i, j):
        if i == j:
            return arrays[i]
        k = order[i][j]
        return _matmul(product(i, k), product(k + 1, j), precision=precision)
    out = product(0, len(arrays) - 1)
    if first_vector:
        out = lax.squeeze(out, (0,))
    if last_vector:
        out = lax.squeeze(out, (out.ndim - 1,))
    return out


def _chain_order(dims):
    """The split points of the cheapest parenthesisation of a matrix chain with these dimensions."""
    n = len(dims) - 1
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = math.inf
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k
    return split


def cross(x1, x2, /, *, axis=-1):
    """jnp.linalg.cross: the cross product of 3-vectors along `axis`."""
    x1, x2 = asarray_operand(x1), asarray_operand(x2)
    if x1.shape[axis] != 3 or x2.shape[axis] != 3:
        raise ValueError(f"Both input arrays must be (arrays of) 3-dimensional vectors, but they have "
                         f"x1.shape[axis]={x1.shape[axis]} and x2.shape[axis]={x2.shape[axis]}{user_line()}")
    return _cross(x1, x2, axis=axis)


def outer(x1, x2, /):
    """jnp.linalg.outer: the outer product of two 1-d arrays."""
    from jaxlike.numpy.linalg_basic import outer as outer_
    x1, x2 = asarray_operand(x1), asarray_operand(x2)
    if x1.ndim != 1 or x2.ndim != 1:
        raise ValueError(f"Input arrays must be one-dimensional, but they are x1.ndim={x1.ndim} x2.ndim={x2.ndim}"
                         f"{user_line()}")
    return outer_(x1, x2)


def matmul(x1, x2, /, *, precision=None, preferred_element_type=None):
    """jnp.linalg.matmul: jnp.matmul."""
    return _matmul(x1, x2, precision=precision, preferred_element_type=preferred_element_type)


def tensordot(x1, x2, /, *, axes=2, precision=None, preferred_element_type=None):
    """jnp.linalg.tensordot: jnp.tensordot."""
    return _tensordot(x1, x2, axes, precision=precision, preferred_element_type=preferred_element_type)


def vecdot(x1, x2, /, *, axis=-1, precision=None, preferred_element_type=None):
    """jnp.linalg.vecdot: conj(x1) . x2 along `axis`."""
    return _vecdot(x1, x2, axis=axis, precision=precision, preferred_element_type=preferred_element_type)


def matrix_transpose(x, /):
    """jnp.linalg.matrix_transpose: swap the last two axes."""
    x = asarray_operand(x)
    if x.ndim < 2:
        raise ValueError(f"matrix_transpose requires at least 2 dimensions; got ndim={x.ndim}{user_line()}")
    return lax_linalg.swap_last(x)


def diagonal(x, /, *, offset=0):
    """jnp.linalg.diagonal: the diagonals of the matrices in the last two axes."""
    from jaxlike.numpy.ranges import diagonal as diagonal_
    return diagonal_(x, offset=offset, axis1=-2, axis2=-1)


def trace(x, /, *, offset=0, dtype=None):
    """jnp.linalg.trace: the sums of the diagonals of the matrices in the last two axes."""
    from jaxlike.numpy.ranges import trace as trace_
    return trace_(x, offset=offset, axis1=-2, axis2=-1, dtype=dtype)

