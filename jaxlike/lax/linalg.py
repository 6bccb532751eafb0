"""Linear-algebra primitives (jax.lax.linalg), each with its shape, JVP, batching and (where linear) transpose rule.

Every primitive acts on the trailing matrix axes and maps over any leading ones, so a
batching rule only has to move the vmapped axis to the front. Derivatives follow JAX's:
cholesky, lu, qr, eigh (distinct eigenvalues), svd (distinct singular values) and eig
(forward mode, eigenvectors on request) have JVP rules; triangular_solve and
tridiagonal_solve are linear in their right-hand side and have transpose rules.
The lowerings (XLA's own ops, else LAPACK on CPU and cuSOLVER on GPU) are in
xla_bridge/lowering/rules_linalg.py.
"""
import enum
import operator

import numpy as np

from jaxlike import dtypes
from jaxlike.core import Primitive, ShapedArray, get_aval
from jaxlike.lax.base import operands
from jaxlike.lax.dot import Precision, dot_general
from jaxlike.lax.elementwise import (abs, add, bitwise_and, complex, conj, convert_element_type, div, eq, ge, imag,
                                     le, mul, neg, real, reciprocal, select_n, sub)
from jaxlike.lax.reductions import argmax, reduce_sum
from jaxlike.lax.slicing import GatherDimensionNumbers, gather, slice as slice_
from jaxlike.lax.structural import broadcast_in_dim, broadcasted_iota, concatenate, expand_dims, full, pad, transpose
from jaxlike.source_info import user_line
from jaxlike.transforms import ad, batching

__all__ = ['cholesky', 'eig', 'eigh', 'lu', 'lu_pivots_to_permutation', 'qr', 'svd', 'triangular_solve',
           'tridiagonal_solve', 'geqrf', 'householder_product', 'SvdAlgorithm', 'EigImplementation',
           'EighImplementation']

LAPACK_DTYPES = (np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.complex64), np.dtype(np.complex128))


class SvdAlgorithm(enum.Enum):
    """lax.linalg.SvdAlgorithm: which SVD algorithm to use (DEFAULT, QR, JACOBI, ...)."""

    DEFAULT = "default"
    QR = "QR"
    JACOBI = "Jacobi"
    POLAR = "polar"
    DIVIDE_AND_CONQUER = "divide_and_conquer"


class EigImplementation(enum.Enum):
    """lax.linalg.EigImplementation (only LAPACK exists here)."""

    LAPACK = "lapack"


class EighImplementation(enum.Enum):
    """lax.linalg.EighImplementation (the QR/divide-and-conquer kernels of LAPACK and cuSOLVER are used)."""

    QR = "qr"
    JACOBI = "jacobi"
    QDWH = "qdwh"


# ---- shape checks ----------------------------------------------------------------------------
def _error(message):
    """A ValueError naming the user's line (JAX raises ValueError for bad linalg shapes)."""
    return ValueError(message + user_line())


def check_matrix(name, aval, square=False):
    """Raises unless `aval` is a (batch of) matrices of a LAPACK dtype, square if asked."""
    if aval.ndim < 2:
        raise _error(f"{name} requires an array of shape [..., m, n] (at least two dimensions), got shape "
                     f"{aval.shape}.")
    if square and aval.shape[-1] != aval.shape[-2]:
        raise _error(f"The input to {name} must be a square matrix (shape [..., n, n]); got shape {aval.shape}.")
    check_dtype(name, aval.dtype)


def check_dtype(name, dtype):
    if np.dtype(dtype) not in LAPACK_DTYPES:
        raise TypeError(f"{name} does not accept dtype {np.dtype(dtype).name}: it needs float32, float64, complex64 "
                        f"or complex128 (jnp.linalg functions promote integer inputs).{user_line()}")


def _strong(aval):
    return ShapedArray(aval.shape, aval.dtype)


# ---- matrix helpers (on [..., m, n] arrays with equal leading dimensions) -------------------------
def _shape(x):
    return get_aval(x).shape


def _dtype(x):
    return get_aval(x).dtype


def _is_complex(x):
    return dtypes.is_complex(_dtype(x))


def swap_last(x):
    """The matrix transpose of the last two axes."""
    n = len(_shape(x))
    return transpose(x, tuple(range(n - 2)) + (n - 1, n - 2))


def conj_if_complex(x):
    return conj(x) if _is_complex(x) else x


def adjoint(x):
    """The conjugate transpose of the last two axes."""
    return conj_if_complex(swap_last(x))


def matmul(a, b):
    """Batched matrix product a @ b at full precision; leading dimensions must be equal."""
    nb = len(_shape(a)) - 2
    batch = tuple(range(nb))
    return dot_general(a, b, (((nb + 1,), (nb,)), (batch, batch)), precision=Precision.HIGHEST)


def _as_dtype(x, dtype):
    return x if _dtype(x) == dtype else convert_element_type(x, dtype)


# Eager mode compiles each distinct primitive once per shape, so the masks and zeros of small
# matrices are built on the host (no compilation; under jit, a constant of at most
# _HOST_MASK_LIMIT elements); large ones come from iota comparisons inside the computation.
_HOST_MASK_LIMIT = 1 << 16

_MASK_RULES = {
    "lower": (lambda i, j, k: j <= i + k, lambda i, j, k: le(j, add(i, k))),
    "upper": (lambda i, j, k: j >= i + k, lambda i, j, k: ge(j, add(i, k))),
    "diagonal": (lambda i, j, k: (i == j) & (i >= k), lambda i, j, k: bitwise_and(eq(i, j), ge(i, k))),
}


def zeros_like(x):
    shape, dtype = _shape(x), _dtype(x)
    if int(np.prod(shape)) <= _HOST_MASK_LIMIT:
        from jaxlike.array import host_array
        return host_array(np.zeros(shape, dtype), dtype)
    return full(shape, 0, dtype)


def matrix_mask(shape, kind, k=0):
    """A bool array of `shape`: per matrix, j <= i + k ("lower"), j >= i + k ("upper"), or i == j >= k ("diagonal")."""
    from jaxlike.array import host_array
    m, n = shape[-2:]
    on_host, traced = _MASK_RULES[kind]
    if m * n <= _HOST_MASK_LIMIT:
        mask = host_array(on_host(np.arange(m)[:, None], np.arange(n)[None, :], k), np.bool_)
    else:
        mask = traced(broadcasted_iota(np.int32, (m, n), 0), broadcasted_iota(np.int32, (m, n), 1), k)
    nd = len(shape)
    return broadcast_in_dim(mask, tuple(shape), (nd - 2, nd - 1))


def tril(x, k=0):
    """x with entries above the k-th diagonal zeroed."""
    return select_n(matrix_mask(_shape(x), "lower", k), zeros_like(x), x)


def triu(x, k=0):
    """x with entries below the k-th diagonal zeroed."""
    return select_n(matrix_mask(_shape(x), "upper", k), zeros_like(x), x)


def eye_like(shape, dtype, start=0):
    """Identity matrices of `shape` ([..., m, n]); with `start`, only the diagonal entries from `start` on are 1."""
    from jaxlike.array import host_array
    m, n = shape[-2:]
    if m * n <= _HOST_MASK_LIMIT:
        eye = np.eye(m, n, dtype=dtype)
        eye[:start, :start] = 0
        nd = len(shape)
        return broadcast_in_dim(host_array(eye, np.dtype(dtype)), tuple(shape), (nd - 2, nd - 1))
    return convert_element_type(matrix_mask(shape, "diagonal", start), dtype)


def diagonal(x):
    """The main diagonal of each matrix: [..., m, n] -> [..., min(m, n)]."""
    m, n = _shape(x)[-2:]
    k = min(m, n)
    x = slice_last(x, k, k)
    on_diagonal = select_n(matrix_mask(_shape(x), "diagonal"), zeros_like(x), x)
    return reduce_sum(on_diagonal, (len(_shape(x)) - 1,))


def slice_last(x, rows, cols, row_start=0, col_start=0):
    """x[..., row_start:row_start+rows, col_start:col_start+cols]."""
    shape = _shape(x)
    nb = len(shape) - 2
    if (row_start, col_start, rows, cols) == (0, 0) + shape[-2:]:
        return x
    return slice_(x, (0,) * nb + (row_start, col_start), shape[:-2] + (row_start + rows, col_start + cols))


def pad_last(x, rows_after, cols_after):
    """x padded with zeros below (rows) and to the right (cols)."""
    nb = len(_shape(x)) - 2
    config = ((0, 0, 0),) * nb + ((0, rows_after, 0), (0, cols_after, 0))
    return pad(x, full((), 0, _dtype(x)), config)


def row_vector(v, n):
    """[..., n] -> [..., m, n] where m = v's size: element (i, j) = v[j] (v broadcast along rows)."""
    shape = _shape(v)
    nb = len(shape) - 1
    return broadcast_in_dim(v, shape[:-1] + (n,) + shape[-1:], tuple(range(nb)) + (nb + 1,))


def column_vector(v, n):
    """[..., m] -> [..., m, n]: element (i, j) = v[i]."""
    shape = _shape(v)
    nb = len(shape) - 1
    return broadcast_in_dim(v, shape + (n,), tuple(range(nb + 1)))


def diag_embed(v):
    """[..., n] -> [..., n, n] with v on the diagonal."""
    n = _shape(v)[-1]
    full_rows = row_vector(v, n)
    return select_n(matrix_mask(_shape(full_rows), "diagonal"), zeros_like(full_rows), full_rows)


def permute_rows(x, permutation):
    """x[..., permutation[..., i], :] for each row i; permutation has x's leading dimensions."""
    shape = _shape(x)
    if 0 in shape:
        return x
    nb = len(shape) - 2
    indices = expand_dims(permutation, (nb + 1,))
    batch = tuple(range(nb))
    dnums = GatherDimensionNumbers(offset_dims=(nb + 1,), collapsed_slice_dims=(nb,), start_index_map=(nb,),
                                   operand_batching_dims=batch, start_indices_batching_dims=batch)
    return gather(x, indices, dnums, (1,) * (nb + 1) + (shape[-1],), mode="promise_in_bounds")


def lu_solve(lu_factors, permutation, b):
    """Solves a x = b for [..., m, k] b given a's LU factorization (lu, permutation)."""
    b = permute_rows(b, permutation)
    y = triangular_solve(lu_factors, b, left_side=True, lower=True, unit_diagonal=True)
    return triangular_solve(lu_factors, y, left_side=True, lower=False)


def solve(a, b):
    """a^{-1} b for square a [..., m, m] and b [..., m, k] with equal leading dimensions (via LU)."""
    lu_factors, _, permutation = lu(a)
    return lu_solve(lu_factors, permutation, b)


def _batch_at_front(prim):
    """Batching for a primitive that maps over leading axes: move every batch axis to the front."""
    def rule(vals, dims, **params):
        size = batching.axis_size_of(vals, dims)
        vals = [batching.bdim_at_front(v, d, size) for v, d in zip(vals, dims)]
        out = prim.bind(*vals, **params)
        return out, ([0] * len(out) if prim.multiple_results else 0)
    prim.batch = rule


def _jvp_not_implemented(prim, why):
    def rule(primals, tangents, **params):
        raise NotImplementedError(f"Differentiation rule for '{prim.name}' not implemented: {why}{user_line()}")
    prim.jvp = rule
    prim.differentiable = False


def _zero_tangents(outs):
    return [ad.Zero(ad.tangent_aval(get_aval(o))) for o in outs]


# ---- cholesky --------------------------------------------------------------------------------
cholesky_p = Primitive("cholesky")


@cholesky_p.def_abstract_eval
def _cholesky_abstract_eval(x):
    check_matrix("cholesky", x, square=True)
    return _strong(x)


def _cholesky_jvp(primals, tangents):
    (x,), (dx,) = primals, tangents
    l = cholesky_p.bind(x)
    # With L^{-1} dx L^{-H} = S, dL = L phi(S) where phi keeps the lower triangle and halves the diagonal.
    s = triangular_solve(l, dx, left_side=False, lower=True, transpose_a=True, conjugate_a=True)
    s = triangular_solve(l, s, left_side=True, lower=True)
    half_diagonal = mul(eye_like(_shape(s), _dtype(s)), full((), 0.5, _dtype(s)))
    phi = sub(tril(s), mul(s, half_diagonal))
    return l, matmul(l, phi)


cholesky_p.jvp = _cholesky_jvp
_batch_at_front(cholesky_p)


def symmetrize(x):
    """(x + x^H) / 2."""
    return div(add(x, adjoint(x)), full((), 2, _dtype(x)))


def cholesky(x, *, symmetrize_input=True):
    """lax.linalg.cholesky: lower-triangular L with x = L L^H (NaN where x is not positive definite)."""
    (x,) = operands(x)
    check_matrix("cholesky", x.aval, square=True)
    if symmetrize_input:
        x = symmetrize(x)
    return cholesky_p.bind(x)


# ---- triangular_solve ------------------------------------------------------------------------
triangular_solve_p = Primitive("triangular_solve")


@triangular_solve_p.def_abstract_eval
def _triangular_solve_abstract_eval(a, b, *, left_side, lower, transpose_a, conjugate_a, unit_diagonal):
    check_matrix("triangular_solve", a, square=True)
    check_matrix("triangular_solve", b)
    if a.dtype != b.dtype:
        raise TypeError(f"triangular_solve requires a and b of the same dtype, got {a.dtype.name} and "
                        f"{b.dtype.name}.{user_line()}")
    common = b.shape[-2] if left_side else b.shape[-1]
    if a.shape[:-2] != b.shape[:-2] or a.shape[-1] != common:
        side = "[..., m, n] with m" if left_side else "[..., n, m] with m"
        raise _error(f"Incompatible shapes for arguments to triangular_solve: {a.shape} and {b.shape} (b must be "
                     f"{side} = a.shape[-1] and the same leading dimensions as a; left_side={left_side}).")
    return _strong(b)


def _op_a(x, transpose_a, conjugate_a):
    """op(x): x, its transpose, its conjugate, or its adjoint, as the flags say."""
    if transpose_a:
        x = swap_last(x)
    return conj_if_complex(x) if conjugate_a else x


def _triangular_solve_jvp_a(g_a, x, a, b, *, left_side, lower, transpose_a, conjugate_a, unit_diagonal):
    # op(a) x = b gives op(a) dx = -op(da) x (x op(a) = b gives dx op(a) = -x op(da)), da on a's triangle.
    g_a = tril(g_a, -1 if unit_diagonal else 0) if lower else triu(g_a, 1 if unit_diagonal else 0)
    g_a = _op_a(g_a, transpose_a, conjugate_a)
    rhs = matmul(g_a, x) if left_side else matmul(x, g_a)
    return neg(triangular_solve_p.bind(a, rhs, left_side=left_side, lower=lower, transpose_a=transpose_a,
                                       conjugate_a=conjugate_a, unit_diagonal=unit_diagonal))


def _triangular_solve_jvp_b(g_b, x, a, b, **params):
    return triangular_solve_p.bind(a, g_b, **params)


def _triangular_solve_transpose(ct, a, b, *, left_side, lower, transpose_a, conjugate_a, unit_diagonal):
    if ad.is_undefined_primal(a):
        raise TypeError("triangular_solve is linear in b only; its transpose cannot be taken with respect to a.")
    if type(ct) is ad.Zero:
        return [None, None]
    # x = op(a)^{-1} b, so b's cotangent is op(a)^{-T} ct: the same solve with transpose_a flipped.
    ct_b = triangular_solve_p.bind(a, ct, left_side=left_side, lower=lower, transpose_a=not transpose_a,
                                   conjugate_a=conjugate_a, unit_diagonal=unit_diagonal)
    return [None, ct_b]


ad.defjvp2(triangular_solve_p, _triangular_solve_jvp_a, _triangular_solve_jvp_b)
triangular_solve_p.transpose = _triangular_solve_transpose
_batch_at_front(triangular_solve_p)


def triangular_solve(a, b, *, left_side=False, lower=False, transpose_a=False, conjugate_a=False,
                     unit_diagonal=False):
    """lax.linalg.triangular_solve: x with op(a) x = b (left_side) or x op(a) = b, for triangular a."""
    a, b = operands(a, b)
    return triangular_solve_p.bind(a, b, left_side=bool(left_side), lower=bool(lower),
                                   transpose_a=bool(transpose_a), conjugate_a=bool(conjugate_a),
                                   unit_diagonal=bool(unit_diagonal))


# ---- lu --------------------------------------------------------------------------------------
lu_p = Primitive("lu", multiple_results=True)


@lu_p.def_abstract_eval
def _lu_abstract_eval(x):
    check_matrix("lu", x)
    *batch, m, n = x.shape
    batch = tuple(batch)
    return [_strong(x), ShapedArray(batch + (min(m, n),), np.int32), ShapedArray(batch + (m,), np.int32)]


def lu_factors_to_matrices(lu_factors):
    """(L [..., m, m] unit lower, U [..., n, n] upper) from a packed [..., m, n] LU factorization."""
    m, n = _shape(lu_factors)[-2:]
    k = min(m, n)
    dtype = _dtype(lu_factors)
    lower = tril(pad_last(slice_last(lu_factors, m, k), 0, m - k), -1)
    l = add(lower, eye_like(_shape(lower), dtype))
    u = triu(pad_last(slice_last(lu_factors, k, n), n - k, 0))
    if k < n:  # a wide matrix: U's trailing diagonal entries are set to 1 so that U is invertible
        u = add(u, eye_like(_shape(u), dtype, start=k))
    return l, u


def _lu_jvp(primals, tangents):
    (a,), (da,) = primals, tangents
    lu_factors, pivots, permutation = outs = lu_p.bind(a)
    l, u = lu_factors_to_matrices(lu_factors)
    # P da = dL U + L dU; with X = L^{-1} P da U^{-1}: dL = L tril(X, -1), dU = triu(X) U.
    x = triangular_solve(l, permute_rows(da, permutation), left_side=True, lower=True, unit_diagonal=True)
    x = triangular_solve(u, x, left_side=False, lower=False)
    d_lu = add(matmul(l, tril(x, -1)), matmul(triu(x), u))
    return outs, [d_lu] + _zero_tangents([pivots, permutation])


lu_p.jvp = _lu_jvp
_batch_at_front(lu_p)


def lu(x):
    """lax.linalg.lu: (lu, pivots, permutation) with partial pivoting: x[permutation] = L U."""
    (x,) = operands(x)
    return tuple(lu_p.bind(x))


lu_pivots_to_permutation_p = Primitive("lu_pivots_to_permutation")


@lu_pivots_to_permutation_p.def_abstract_eval
def _lu_pivots_to_permutation_abstract_eval(pivots, *, permutation_size):
    if pivots.ndim < 1 or pivots.dtype != np.int32:
        raise TypeError(f"lu_pivots_to_permutation requires int32 pivots of shape [..., k], got "
                        f"{pivots.str_short()}.{user_line()}")
    if permutation_size < pivots.shape[-1]:
        raise _error(f"Output permutation size {permutation_size} has to exceed the trailing dimension of the "
                     f"pivots. Got pivots size {pivots.shape[-1]}.")
    return ShapedArray(pivots.shape[:-1] + (permutation_size,), np.int32)


ad.defnondifferentiable(lu_pivots_to_permutation_p)
_batch_at_front(lu_pivots_to_permutation_p)


def lu_pivots_to_permutation(pivots, permutation_size):
    """lax.linalg.lu_pivots_to_permutation: the permutation made by applying LAPACK-style row swaps in order."""
    (pivots,) = operands(pivots)
    return lu_pivots_to_permutation_p.bind(pivots, permutation_size=operator.index(permutation_size))


# ---- QR: geqrf, householder_product and qr ---------------------------------------------------
geqrf_p = Primitive("geqrf", multiple_results=True)


@geqrf_p.def_abstract_eval
def _geqrf_abstract_eval(x):
    check_matrix("geqrf", x)
    m, n = x.shape[-2:]
    return [_strong(x), ShapedArray(x.shape[:-2] + (min(m, n),), x.dtype)]


_jvp_not_implemented(geqrf_p, "differentiate lax.linalg.qr instead.")
_batch_at_front(geqrf_p)


def geqrf(a):
    """lax.linalg.geqrf: LAPACK's packed QR, (a with R above and reflectors below the diagonal, taus)."""
    (a,) = operands(a)
    return tuple(geqrf_p.bind(a))


householder_product_p = Primitive("householder_product")


@householder_product_p.def_abstract_eval
def _householder_product_abstract_eval(a, taus):
    check_matrix("householder_product", a)
    m, n = a.shape[-2:]
    if m < n:
        raise _error(f"The first argument to householder_product must have at least as many rows as columns, "
                     f"got shape {a.shape}.")
    if taus.shape[:-1] != a.shape[:-2] or taus.shape[-1] > n or taus.dtype != a.dtype:
        raise _error(f"householder_product needs taus of shape [..., k] with k <= {n} and a's leading dimensions "
                     f"and dtype; got a {a.str_short()} and taus {taus.str_short()}.")
    return _strong(a)


_jvp_not_implemented(householder_product_p, "differentiate lax.linalg.qr instead.")
_batch_at_front(householder_product_p)


def householder_product(a, taus):
    """lax.linalg.householder_product: the product of the elementary reflectors stored in (a, taus)."""
    a, taus = operands(a, taus)
    return householder_product_p.bind(a, taus)


qr_p = Primitive("qr", multiple_results=True)


@qr_p.def_abstract_eval
def _qr_abstract_eval(x, *, full_matrices):
    check_matrix("qr", x)
    m, n = x.shape[-2:]
    k = m if full_matrices else min(m, n)
    batch = x.shape[:-2]
    return [ShapedArray(batch + (m, k), x.dtype), ShapedArray(batch + (k, n), x.dtype)]


def _thin_qr_jvp(q, r, dx):
    """(dq, dr) for x = q r with x [..., m, n], m >= n, q [..., m, n] and r [..., n, n]."""
    dx_rinv = triangular_solve(r, dx)  # dx r^{-1}
    qh_dx_rinv = matmul(adjoint(q), dx_rinv)
    strictly_lower = tril(qh_dx_rinv, -1)
    omega = sub(strictly_lower, adjoint(strictly_lower))  # the skew-Hermitian part that keeps q orthonormal
    if _is_complex(qh_dx_rinv):
        imaginary = sub(qh_dx_rinv, convert_element_type(real(qh_dx_rinv), _dtype(qh_dx_rinv)))
        omega = add(omega, mul(eye_like(_shape(omega), _dtype(omega)), imaginary))
    dq = add(matmul(q, sub(omega, qh_dx_rinv)), dx_rinv)
    dr = matmul(sub(qh_dx_rinv, omega), r)
    return dq, dr


def _qr_jvp(primals, tangents, *, full_matrices):
    (x,), (dx,) = primals, tangents
    q, r = outs = qr_p.bind(x, full_matrices=full_matrices)
    m, n = _shape(x)[-2:]
    if m < n:
        # x = [x1 x2] with square x1 = q r1; then r2 = q^H x2.
        dq, dr1 = _thin_qr_jvp(q, slice_last(r, m, m), slice_last(dx, m, m))
        x2, dx2 = slice_last(x, m, n - m, 0, m), slice_last(dx, m, n - m, 0, m)
        dr2 = add(matmul(adjoint(dq), x2), matmul(adjoint(q), dx2))
        return outs, [dq, concatenate([dr1, dr2], len(_shape(x)) - 1)]
    q_mn, r_nn = (slice_last(q, m, n), slice_last(r, n, n)) if full_matrices else (q, r)
    dq_mn, dr_nn = _thin_qr_jvp(q_mn, r_nn, dx)
    if not full_matrices or m == n:
        return outs, [dq_mn, dr_nn]
    # The complement columns of a complete Q (see arXiv:2409.13374, eqs. 32-33).
    q_nn, q_pn, q_mp = slice_last(q_mn, n, n), slice_last(q_mn, m - n, n, n, 0), slice_last(q, m, m - n, 0, n)
    dq_nn, dq_pn = slice_last(dq_mn, n, n), slice_last(dq_mn, m - n, n, n, 0)
    q_nn_minus_eye = sub(q_nn, eye_like(_shape(q_nn), _dtype(q_nn)))
    z_pn_h = solve(adjoint(q_nn_minus_eye), adjoint(q_pn))
    z_pn = adjoint(z_pn_h)
    dq_mp = sub(matmul(dq_mn, z_pn_h),
                matmul(add(q_mn, matmul(q_mp, z_pn)), adjoint(sub(dq_pn, matmul(z_pn, dq_nn)))))
    dq = concatenate([dq_mn, dq_mp], len(_shape(x)) - 1)
    dr = pad_last(dr_nn, m - n, 0)
    return outs, [dq, dr]


qr_p.jvp = _qr_jvp
_batch_at_front(qr_p)


def qr(x, *, pivoting=False, full_matrices=True, use_magma=None):
    """lax.linalg.qr: (q, r) with x = q r; q is [..., m, m] if full_matrices else [..., m, min(m, n)]."""
    if pivoting:
        raise NotImplementedError("lax.linalg.qr with pivoting=True (geqp3) is not implemented in jaxlike.")
    (x,) = operands(x)
    return tuple(qr_p.bind(x, full_matrices=bool(full_matrices)))


# ---- eigh ------------------------------------------------------------------------------------
eigh_p = Primitive("eigh", multiple_results=True)


@eigh_p.def_abstract_eval
def _eigh_abstract_eval(x, *, lower, sort_eigenvalues):
    check_matrix("eigh", x, square=True)
    return [_strong(x), ShapedArray(x.shape[:-1], dtypes.real_dtype(x.dtype))]


def _eigen_gap_reciprocals(w):
    """F[..., i, j] = 1 / (w_j - w_i) off the diagonal, 0 on it."""
    n = _shape(w)[-1]
    eye = eye_like(_shape(w)[:-1] + (n, n), _dtype(w))
    return sub(reciprocal(add(eye, sub(row_vector(w, n), column_vector(w, n)))), eye)


def _eigh_jvp(primals, tangents, *, lower, sort_eigenvalues):
    (a,), (da,) = primals, tangents
    v, w = outs = eigh_p.bind(a, lower=lower, sort_eigenvalues=sort_eigenvalues)
    # Non-degenerate perturbation theory: dw = diag(V^H dA V), dV = V (F * V^H dA V).
    vh_da_v = matmul(matmul(adjoint(v), da), v)
    dv = matmul(v, mul(_eigen_gap_reciprocals(_as_dtype(w, _dtype(a))), vh_da_v))
    dw = diagonal(real(vh_da_v) if _is_complex(vh_da_v) else vh_da_v)
    return outs, [dv, dw]


eigh_p.jvp = _eigh_jvp
_batch_at_front(eigh_p)


def eigh(x, *, lower=True, symmetrize_input=True, sort_eigenvalues=True, subset_by_index=None,
         implementation=None):
    """lax.linalg.eigh: (v, w) for Hermitian x = v diag(w) v^H, eigenvalues ascending."""
    (x,) = operands(x)
    check_matrix("eigh", x.aval, square=True)
    n = x.aval.shape[-1]
    if subset_by_index not in (None, (0, n)):
        raise NotImplementedError("eigh's subset_by_index is only supported on TPU in JAX; jaxlike does not "
                                  "support it.")
    if implementation not in (None, EighImplementation.QR):
        raise NotImplementedError(f"eigh implementation {implementation} is not available on CPU or GPU.")
    if symmetrize_input:
        x = symmetrize(x)
    return tuple(eigh_p.bind(x, lower=bool(lower), sort_eigenvalues=bool(sort_eigenvalues)))


# ---- svd -------------------------------------------------------------------------------------
svd_p = Primitive("svd", multiple_results=True)


@svd_p.def_abstract_eval
def _svd_abstract_eval(x, *, full_matrices, compute_uv, algorithm):
    check_matrix("svd", x)
    *batch, m, n = x.shape
    batch, k = tuple(batch), min(m, n)
    s = ShapedArray(batch + (k,), dtypes.real_dtype(x.dtype))
    if not compute_uv:
        return [s]
    u_cols, vt_rows = (m, n) if full_matrices else (k, k)
    return [s, ShapedArray(batch + (m, u_cols), x.dtype), ShapedArray(batch + (vt_rows, n), x.dtype)]


def _svd_jvp(primals, tangents, *, full_matrices, compute_uv, algorithm):
    (a,), (da,) = primals, tangents
    m, n = _shape(a)[-2:]
    if compute_uv and full_matrices and m != n:
        raise NotImplementedError("Singular value decomposition JVP not implemented for full matrices")
    s, u, vt = svd_p.bind(a, full_matrices=False, compute_uv=True, algorithm=algorithm)
    dtype = _dtype(a)
    uh, v = adjoint(u), adjoint(vt)
    ds_full = matmul(matmul(uh, da), v)
    ds = diagonal(real(ds_full) if _is_complex(ds_full) else ds_full)
    if not compute_uv:
        return [s], [ds]
    k = _shape(s)[-1]
    s_row, s_col = row_vector(s, k), column_vector(s, k)
    eye_real = eye_like(_shape(s_row), _dtype(s))
    gaps = mul(add(s_row, s_col), sub(s_row, s_col))  # s_j^2 - s_i^2
    f = _as_dtype(sub(reciprocal(add(gaps, eye_real)), eye_real), dtype)
    ds_s = mul(_as_dtype(s_row, dtype), ds_full)  # dS diag(s)
    s_ds = mul(_as_dtype(s_col, dtype), ds_full)  # diag(s) dS
    s_zero = convert_element_type(eq(s, full((), 0, _dtype(s))), _dtype(s))
    s_inv = sub(reciprocal(add(s, s_zero)), s_zero)
    half = full((), 0.5, dtype)
    du_dv_diag = mul(mul(half, sub(ds_full, adjoint(ds_full))), _as_dtype(diag_embed(s_inv), dtype))
    du = matmul(u, add(mul(f, add(ds_s, adjoint(ds_s))), du_dv_diag))
    dv = matmul(v, mul(f, add(s_ds, adjoint(s_ds))))
    s_row_c = _as_dtype(row_vector(s, m), dtype)
    if m > n:
        da_v = matmul(da, v)
        du = add(du, div(sub(da_v, matmul(u, matmul(uh, da_v))), s_row_c))
    if n > m:
        dah_u = matmul(adjoint(da), u)
        dv = add(dv, div(sub(dah_u, matmul(v, matmul(vt, dah_u))), _as_dtype(row_vector(s, n), dtype)))
    return [s, u, vt], [ds, du, adjoint(dv)]


svd_p.jvp = _svd_jvp
_batch_at_front(svd_p)


def _empty_svd(x, full_matrices, compute_uv):
    *batch, m, n = x.aval.shape
    batch = tuple(batch)
    s = full(batch + (0,), 0, dtypes.real_dtype(x.aval.dtype))
    if not compute_uv:
        return s
    if full_matrices:
        u = eye_like(batch + (m, m), x.aval.dtype)
        vt = eye_like(batch + (n, n), x.aval.dtype)
    else:
        u, vt = full(batch + (m, 0), 0, x.aval.dtype), full(batch + (0, n), 0, x.aval.dtype)
    return u, s, vt


def svd(x, *, full_matrices=True, compute_uv=True, subset_by_index=None, algorithm=None):
    """lax.linalg.svd: (u, s, vh) with x = u diag(s) vh and s descending, or s alone if not compute_uv."""
    (x,) = operands(x)
    check_matrix("svd", x.aval)
    m, n = x.aval.shape[-2:]
    if subset_by_index not in (None, (0, min(m, n))):
        raise NotImplementedError("svd's subset_by_index is only supported on TPU in JAX; jaxlike does not "
                                  "support it.")
    if m == 0 or n == 0:
        return _empty_svd(x, full_matrices, compute_uv)
    algorithm = None if algorithm in (None, SvdAlgorithm.DEFAULT) else SvdAlgorithm(algorithm)
    outs = svd_p.bind(x, full_matrices=bool(full_matrices), compute_uv=bool(compute_uv), algorithm=algorithm)
    if not compute_uv:
        return outs[0]
    s, u, vt = outs
    return u, s, vt


# ---- eig (CPU) -------------------------------------------------------------------------------
eig_p = Primitive("eig", multiple_results=True)


@eig_p.def_abstract_eval
def _eig_abstract_eval(x, *, compute_left_eigenvectors, compute_right_eigenvectors, enable_eigvec_derivs):
    check_matrix("eig", x, square=True)
    dtype = x.dtype if dtypes.is_complex(x.dtype) else dtypes.complex_dtype(x.dtype)
    vectors = [ShapedArray(x.shape, dtype)] * (compute_left_eigenvectors + compute_right_eigenvectors)
    return [ShapedArray(x.shape[:-1], dtype)] + vectors


def _eig_vectors_jvp(w, v, da):
    """(dw, dv) for A v = v diag(w), differentiating through LAPACK's normalisation of v.

    geev scales each eigenvector to unit 2-norm with its largest-magnitude component real; the
    free multiple c_j of v_j in dv_j = u_j + c_j v_j is fixed by those two constraints.
    """
    n = _shape(w)[-1]
    p = matmul(solve(v, da), v)
    dw = diagonal(p)
    u = matmul(v, mul(_eigen_gap_reciprocals(w), p))
    nd = len(_shape(v))
    largest = argmax(abs(v), nd - 2, np.int32)
    at_largest = convert_element_type(eq(broadcasted_iota(np.int32, _shape(v), nd - 2), row_vector(largest, n)),
                                      _dtype(v))
    rows = (nd - 2,)
    c_real = neg(real(reduce_sum(mul(conj(v), u), rows)))
    c_imag = neg(div(imag(reduce_sum(mul(at_largest, u), rows)), real(reduce_sum(mul(at_largest, v), rows))))
    dv = add(u, mul(v, row_vector(complex(c_real, c_imag), n)))
    return dw, dv


def _eig_jvp(primals, tangents, *, compute_left_eigenvectors, compute_right_eigenvectors, enable_eigvec_derivs):
    (a,), (da,) = primals, tangents
    wants_vectors = compute_left_eigenvectors or compute_right_eigenvectors
    if wants_vectors and not enable_eigvec_derivs:
        raise NotImplementedError(
            "Derivatives of non-symmetric eigenvectors are only valid under assumptions on the input that JAX "
            "cannot check (see the enable_eigvec_derivs argument to jax.lax.linalg.eig). Pass "
            "enable_eigvec_derivs=True to jax.lax.linalg.eig to opt in." + user_line())
    outs = eig_p.bind(a, compute_left_eigenvectors=compute_left_eigenvectors, compute_right_eigenvectors=True,
                      enable_eigvec_derivs=enable_eigvec_derivs)
    w, vr = outs[0], outs[-1]
    da = _as_dtype(da, _dtype(vr))
    if not wants_vectors:
        return [w], [reduce_sum(mul(solve(vr, da), swap_last(vr)), (len(_shape(vr)) - 1,))]
    dw, dvr = _eig_vectors_jvp(w, vr, da)
    primal_out, tangent_out = [w], [dw]
    if compute_left_eigenvectors:
        vl = outs[1]
        primal_out.append(vl)
        tangent_out.append(_eig_vectors_jvp(conj(w), vl, adjoint(da))[1])
    if compute_right_eigenvectors:
        primal_out.append(vr)
        tangent_out.append(dvr)
    return primal_out, tangent_out


eig_p.jvp = _eig_jvp
_batch_at_front(eig_p)


def eig(x, *, compute_left_eigenvectors=True, compute_right_eigenvectors=True, enable_eigvec_derivs=False,
        implementation=None, use_magma=None):
    """lax.linalg.eig: [w, vl?, vr?] eigenvalues and left/right eigenvectors of a general square matrix (CPU)."""
    (x,) = operands(x)
    if implementation not in (None, EigImplementation.LAPACK):
        raise NotImplementedError(f"eig implementation {implementation} is not available; use LAPACK (CPU).")
    return list(eig_p.bind(x, compute_left_eigenvectors=bool(compute_left_eigenvectors),
                           compute_right_eigenvectors=bool(compute_right_eigenvectors),
                           enable_eigvec_derivs=bool(enable_eigvec_derivs)))


# ---- tridiagonal_solve -----------------------------------------------------------------------
tridiagonal_solve_p = Primitive("tridiagonal_solve")


@tridiagonal_solve_p.def_abstract_eval
def _tridiagonal_solve_abstract_eval(dl, d, du, b):
    check_matrix("tridiagonal_solve", b)
    for name, diag in (("dl", dl), ("d", d), ("du", du)):
        if diag.shape != b.shape[:-1] or diag.dtype != b.dtype:
            raise _error(f"tridiagonal_solve requires {name} of shape {b.shape[:-1]} and dtype {b.dtype.name} "
                         f"(b's shape without its last axis); got {diag.str_short()} with b {b.str_short()}.")
    return _strong(b)


def tridiagonal_product(dl, d, du, x):
    """A x for the tridiagonal A with sub-, main and super-diagonals dl, d, du (dl[0], du[-1] unused)."""
    m, k = _shape(x)[-2:]
    above = pad_last(slice_last(x, m - 1, k, 1, 0), 1, 0)  # x[i+1]
    below = pad(slice_last(x, m - 1, k), full((), 0, _dtype(x)),
                ((0, 0, 0),) * (len(_shape(x)) - 2) + ((1, 0, 0), (0, 0, 0)))  # x[i-1]
    return add(add(mul(column_vector(dl, k), below), mul(column_vector(d, k), x)), mul(column_vector(du, k), above))


def _tridiagonal_solve_jvp(primals, tangents):
    dl, d, du, b = primals
    x = tridiagonal_solve_p.bind(*primals)
    t_dl, t_d, t_du, t_b = (ad.instantiate(t) for t in tangents)
    rhs = sub(t_b, tridiagonal_product(t_dl, t_d, t_du, x))
    return x, tridiagonal_solve_p.bind(dl, d, du, rhs)


def _tridiagonal_solve_transpose(ct, dl, d, du, b):
    if any(ad.is_undefined_primal(v) for v in (dl, d, du)):
        raise TypeError("tridiagonal_solve is linear in b only.")
    if type(ct) is ad.Zero:
        return [None] * 4
    # A^T has sub-diagonal du shifted down one and super-diagonal dl shifted up one.
    m = _shape(d)[-1]
    nb = len(_shape(d)) - 1
    zero = full((), 0, _dtype(d))
    dl_t = pad(slice_(du, (0,) * (nb + 1), _shape(du)[:-1] + (m - 1,)), zero, ((0, 0, 0),) * nb + ((1, 0, 0),))
    du_t = pad(slice_(dl, (0,) * nb + (1,), _shape(dl)), zero, ((0, 0, 0),) * nb + ((0, 1, 0),))
    return [None, None, None, tridiagonal_solve_p.bind(dl_t, d, du_t, ct)]


tridiagonal_solve_p.jvp = _tridiagonal_solve_jvp
tridiagonal_solve_p.transpose = _tridiagonal_solve_transpose
_batch_at_front(tridiagonal_solve_p)


def _small_tridiagonal_solve(dl, d, du, b):
    """Direct solutions for m <= 2 (cuSPARSE's gtsv2 needs m >= 3)."""
    m, k = b.aval.shape[-2:]
    if m == 1:
        return div(b, column_vector(d, k))
    d0, d1 = (slice_(d, (0,) * (d.aval.ndim - 1) + (i,), d.aval.shape[:-1] + (i + 1,)) for i in (0, 1))
    upper = slice_(du, (0,) * du.aval.ndim, du.aval.shape[:-1] + (1,))
    lower = slice_(dl, (0,) * (dl.aval.ndim - 1) + (1,), dl.aval.shape)
    b0, b1 = slice_last(b, 1, k), slice_last(b, 1, k, 1, 0)
    det = column_vector(sub(mul(d0, d1), mul(upper, lower)), k)
    x0 = div(sub(mul(column_vector(d1, k), b0), mul(column_vector(upper, k), b1)), det)
    x1 = div(sub(mul(column_vector(d0, k), b1), mul(column_vector(lower, k), b0)), det)
    return concatenate([x0, x1], b.aval.ndim - 2)


def tridiagonal_solve(dl, d, du, b, *, perturb_singular=False):
    """lax.linalg.tridiagonal_solve: x with A x = b for the tridiagonal A given by dl, d, du ([..., m])."""
    dl, d, du, b = operands(dl, d, du, b)
    if perturb_singular:
        raise NotImplementedError("tridiagonal_solve(perturb_singular=True) is not implemented in jaxlike.")
    _tridiagonal_solve_abstract_eval(dl.aval, d.aval, du.aval, b.aval)
    if b.aval.shape[-2] <= 2:
        return _small_tridiagonal_solve(dl, d, du, b)
    return tridiagonal_solve_p.bind(dl, d, du, b)
