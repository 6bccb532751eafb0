"""jaxlike.numpy.linalg against jax.numpy.linalg: values, shapes, dtypes, batching, gradients and errors.

(Named test_numpy_linalg.py because tests/lax/test_linalg.py exists and the test folders are not packages.)
"""
import jax
import jax.numpy.linalg as jla
import numpy as np
import pytest
from testing_utils import assert_same, check_grads

import jaxlike
import jaxlike.numpy.linalg as la


def general(shape, dtype=np.float32, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * rng.standard_normal(shape)
    return x.astype(dtype)


def well_conditioned(shape, dtype=np.float32, seed=0):
    return (general(shape, dtype, seed) + 3 * np.eye(shape[-1])).astype(dtype)


def positive_definite(shape, dtype=np.float32, seed=0):
    x = general(shape, dtype, seed)
    return (x @ np.conj(np.swapaxes(x, -1, -2)) + shape[-1] * np.eye(shape[-1])).astype(dtype)


def gauge_free(v):
    v = np.asarray(v)
    return v * np.conj(v[..., :1, :])


SQ = (2, 3, 3)
TALL = (2, 4, 3)

# (id, our function, jax's function, argument makers); every case runs in float32 and, under x64, complex128
# (or float64 where complex is not meaningful).
CASES = [
    ("det3", la.det, jla.det, [lambda d: well_conditioned(SQ, d)]),
    ("det4", la.det, jla.det, [lambda d: well_conditioned((4, 4), d)]),
    ("slogdet", la.slogdet, jla.slogdet, [lambda d: general((2, 4, 4), d)]),
    ("inv", la.inv, jla.inv, [lambda d: well_conditioned(SQ, d)]),
    ("solve_matrix", la.solve, jla.solve, [lambda d: well_conditioned(SQ, d), lambda d: general((2, 3, 2), d, 1)]),
    ("solve_vector", la.solve, jla.solve, [lambda d: well_conditioned(SQ, d), lambda d: general((3,), d, 1)]),
    ("cholesky", la.cholesky, jla.cholesky, [lambda d: positive_definite(SQ, d)]),
    ("cholesky_upper", lambda a: la.cholesky(a, upper=True), lambda a: jla.cholesky(a, upper=True),
     [lambda d: positive_definite(SQ, d)]),
    ("qr", la.qr, jla.qr, [lambda d: general(TALL, d)]),
    ("qr_complete", lambda a: la.qr(a, mode="complete"), lambda a: jla.qr(a, mode="complete"),
     [lambda d: general(TALL, d)]),
    ("qr_r", lambda a: la.qr(a, mode="r"), lambda a: jla.qr(a, mode="r"), [lambda d: general(TALL, d)]),
    ("qr_raw", lambda a: la.qr(a, mode="raw"), lambda a: jla.qr(a, mode="raw"), [lambda d: general((4, 3), d)]),
    ("eigvalsh", la.eigvalsh, jla.eigvalsh, [lambda d: general(SQ, d)]),
    ("eigvalsh_upper", lambda a: la.eigvalsh(a, UPLO="U"), lambda a: jla.eigvalsh(a, UPLO="U"),
     [lambda d: general(SQ, d)]),
    ("eigvals", la.eigvals, jla.eigvals, [lambda d: general(SQ, d)]),
    ("svdvals", la.svdvals, jla.svdvals, [lambda d: general(TALL, d)]),
    ("svd_no_uv", lambda a: la.svd(a, compute_uv=False), lambda a: jla.svd(a, compute_uv=False),
     [lambda d: general(TALL, d)]),
    ("matrix_rank", la.matrix_rank, jla.matrix_rank,
     [lambda d: np.concatenate([general((2, 3, 3), d)[:, :2], general((2, 3, 3), d)[:, :1]], 1)]),
    ("matrix_rank_tol", lambda a: la.matrix_rank(a, rtol=0.5), lambda a: jla.matrix_rank(a, rtol=0.5),
     [lambda d: general(TALL, d)]),
    ("pinv", la.pinv, jla.pinv, [lambda d: general(TALL, d)]),
    ("pinv_hermitian", lambda a: la.pinv(a, hermitian=True), lambda a: jla.pinv(a, hermitian=True),
     [lambda d: positive_definite(SQ, d)]),
    ("lstsq", la.lstsq, jla.lstsq, [lambda d: general((4, 3), d), lambda d: general((4, 2), d, 1)]),
    ("lstsq_vector", lambda a, b: la.lstsq(a, b, rcond=1e-3), lambda a, b: jla.lstsq(a, b, rcond=1e-3),
     [lambda d: general((4, 3), d), lambda d: general((4,), d, 1)]),
    ("cond", la.cond, jla.cond, [lambda d: general(SQ, d)]),
    ("cond_1", lambda a: la.cond(a, 1), lambda a: jla.cond(a, 1), [lambda d: well_conditioned(SQ, d)]),
    ("cond_fro", lambda a: la.cond(a, "fro"), lambda a: jla.cond(a, "fro"), [lambda d: well_conditioned(SQ, d)]),
    ("cond_-2", lambda a: la.cond(a, -2), lambda a: jla.cond(a, -2), [lambda d: general(SQ, d)]),
    ("norm", la.norm, jla.norm, [lambda d: general(TALL, d)]),
    ("matrix_power_3", lambda a: la.matrix_power(a, 3), lambda a: jla.matrix_power(a, 3),
     [lambda d: general(SQ, d)]),
    ("matrix_power_-2", lambda a: la.matrix_power(a, -2), lambda a: jla.matrix_power(a, -2),
     [lambda d: well_conditioned(SQ, d)]),
    ("matrix_power_0", lambda a: la.matrix_power(a, 0), lambda a: jla.matrix_power(a, 0),
     [lambda d: general(SQ, d)]),
    ("tensorinv", lambda a: la.tensorinv(a, ind=1), lambda a: jla.tensorinv(a, ind=1),
     [lambda d: well_conditioned((6, 6), d).reshape(6, 2, 3)]),
    ("tensorsolve", la.tensorsolve, jla.tensorsolve,
     [lambda d: well_conditioned((6, 6), d).reshape(2, 3, 6), lambda d: general((2, 3), d, 1)]),
    ("multi_dot", lambda a, b, c: la.multi_dot([a, b, c]), lambda a, b, c: jla.multi_dot([a, b, c]),
     [lambda d: general((3,), d), lambda d: general((3, 4), d, 1), lambda d: general((4, 2), d, 2)]),
    ("cross", la.cross, jla.cross, [lambda d: general((2, 3), d), lambda d: general((2, 3), d, 1)]),
    ("outer", la.outer, jla.outer, [lambda d: general((3,), d), lambda d: general((4,), d, 1)]),
    ("diagonal", lambda a: la.diagonal(a, offset=1), lambda a: jla.diagonal(a, offset=1),
     [lambda d: general(TALL, d)]),
    ("trace", la.trace, jla.trace, [lambda d: general(TALL, d)]),
    ("matmul", la.matmul, jla.matmul, [lambda d: general(TALL, d), lambda d: general((3, 2), d, 1)]),
    ("tensordot", lambda a, b: la.tensordot(a, b, axes=1), lambda a, b: jla.tensordot(a, b, axes=1),
     [lambda d: general(TALL, d), lambda d: general((3, 2), d, 1)]),
    ("vecdot", la.vecdot, jla.vecdot, [lambda d: general((2, 3), d), lambda d: general((2, 3), d, 1)]),
    ("matrix_transpose", la.matrix_transpose, jla.matrix_transpose, [lambda d: general(TALL, d)]),
]


REAL_ONLY = {"cross", "cond_1", "qr_raw", "matrix_rank", "lstsq", "lstsq_vector", "pinv_hermitian"}


def test_matches_jax(x64):
    """Every case in float32, or complex128 (float64 where complex is not meaningful) under x64.

    All cases run in one jitted function per library: one compilation instead of one per case
    (or, eagerly, one per primitive of each composition), which keeps this test fast.
    """
    args = []
    for name, _, _, makers in CASES:
        dtype = np.float32 if not x64 else (np.float64 if name in REAL_ONLY else np.complex128)
        args.append([make(dtype) for make in makers])
    ours = jaxlike.jit(lambda args: [case[1](*a) for case, a in zip(CASES, args)])(args)
    theirs = jax.jit(lambda args: [case[2](*a) for case, a in zip(CASES, args)])(args)
    tol = 1e-9 if x64 else 2e-4
    for (name, *_), o, t in zip(CASES, ours, theirs):
        assert_same(o, t, rtol=tol, atol=tol, err_msg=name)


def test_eager_matches_jax():
    a, b = well_conditioned(SQ), general((2, 3, 2), seed=1)
    assert_same(la.solve(a, b), jla.solve(a, b), rtol=1e-5, atol=1e-5)
    assert_same(la.slogdet(a), jla.slogdet(a), rtol=1e-5, atol=1e-5)
    assert_same(la.det(general((4, 4))), jla.det(general((4, 4))), rtol=1e-5, atol=1e-5)


NORMS = [(None, None, False), (1, -1, True), (-np.inf, 0, False), (0, 1, False),
         (3, -1, False), ("fro", (1, 2), False), ("nuc", (1, 2), True), (2, (2, 1), False), (-2, (1, 2), False),
         (1, (1, 2), False), (-1, (2, 1), True), (np.inf, (1, 2), False), (-np.inf, (1, 2), True)]


def test_norms_match_jax():
    """All norm variants in one compiled function per library (one compilation each)."""
    x, m = general(TALL, seed=3), general((4, 3), seed=4)

    def norms(lib, x, m):
        out = [lib.norm(x, ord, axis, keepdims) for ord, axis, keepdims in NORMS]
        out += [lib.norm(m), lib.norm(m, np.inf), lib.norm(m, "nuc"), lib.norm(m[0], 3), lib.norm(m[0], -np.inf)]
        out += [lib.vector_norm(x, ord=ord, axis=-1) for ord in (2, 1, np.inf, 0, -np.inf, 3)]
        out += [lib.vector_norm(x), lib.vector_norm(x, axis=(0, 2), keepdims=True)]
        out += [lib.matrix_norm(x, ord=ord, keepdims=True) for ord in ("fro", "nuc", 1, 2, -np.inf)]
        return out
    assert_same(jaxlike.jit(lambda x, m: norms(la, x, m))(x, m), norms(jla, x, m), rtol=1e-5, atol=1e-5)


def test_decompositions_match_jax_up_to_gauge(x64):
    dtype = np.complex128 if x64 else np.float32
    tol = 1e-9 if x64 else 1e-4
    a = general(TALL, dtype)
    for full_matrices in (True, False):
        u, s, vh = la.svd(a, full_matrices=full_matrices)
        ju, js, jvh = jla.svd(a, full_matrices=full_matrices)
        assert_same(s, js, rtol=tol, atol=tol)
        assert_same(gauge_free(u[..., :3]), gauge_free(np.asarray(ju)[..., :3]), rtol=tol, atol=tol)
        assert u.shape == ju.shape and vh.shape == jvh.shape and vh.dtype == jvh.dtype
    h = positive_definite(SQ, dtype)
    (w, v), (jw, jv) = la.eigh(h), jla.eigh(h)
    assert_same(w, jw, rtol=tol, atol=tol)
    assert_same(gauge_free(v), gauge_free(jv), rtol=tol, atol=tol)
    (w, v), (jw, jv) = la.eig(a[:, :3]), jla.eig(a[:, :3])
    assert_same((w, v), (jw, jv), rtol=tol * 10, atol=tol * 10)
    u, s, vh = la.svd(h, hermitian=True)
    ju, js, jvh = jla.svd(h, hermitian=True)
    assert_same(s, js, rtol=tol, atol=tol)
    assert_same(gauge_free(u), gauge_free(ju), rtol=tol, atol=tol)


def test_results_are_named_tuples():
    a = positive_definite((3, 3))
    assert type(la.eigh(a)).__name__ == "EighResult" and la.eigh(a).eigenvalues.shape == (3,)
    assert la.qr(a).Q.shape == (3, 3) and la.svd(a).Vh.shape == (3, 3)
    assert la.slogdet(a).logabsdet.dtype == np.float32 and la.eig(a).eigenvectors.dtype == np.complex64


def test_integer_inputs_are_promoted():
    a = np.array([[2, 1], [1, 3]], np.int32)
    assert_same(la.det(a), jla.det(a), rtol=1e-6, atol=1e-6)
    assert_same(la.inv(a), jla.inv(a), rtol=1e-6, atol=1e-6)
    assert_same(la.solve(a, np.array([1, 2])), jla.solve(a, np.array([1, 2])), rtol=1e-6, atol=1e-6)


def test_solve_broadcasts_batch_dimensions():
    a, b = well_conditioned((2, 1, 3, 3)), general((4, 3, 2), seed=1)
    assert_same(la.solve(a, b), jla.solve(a, b), rtol=1e-5, atol=1e-5)


# ---- gradients ---------------------------------------------------------------------------------------------
GRADS = [
    ("det3", la.det, jla.det, lambda: [general((3, 3), np.float64)]),
    ("det4", la.det, jla.det, lambda: [general((4, 4), np.float64)]),
    ("slogdet", lambda a: la.slogdet(a)[1], lambda a: jla.slogdet(a)[1], lambda: [general((4, 4), np.float64)]),
    ("inv", lambda a: la.inv(a).sum(), lambda a: jla.inv(a).sum(), lambda: [well_conditioned((3, 3), np.float64)]),
    ("solve", lambda a, b: (la.solve(a, b) ** 2).sum(), lambda a, b: (jla.solve(a, b) ** 2).sum(),
     lambda: [well_conditioned((3, 3), np.float64), general((3, 2), np.float64, 1)]),
    ("pinv", lambda a: (la.pinv(a) ** 2).sum(), lambda a: (jla.pinv(a) ** 2).sum(),
     lambda: [general((4, 3), np.float64)]),
    ("eigvalsh", lambda a: la.eigvalsh(a)[-1], lambda a: jla.eigvalsh(a)[-1],
     lambda: [positive_definite((3, 3), np.float64)]),
    ("nuclear_norm", lambda a: la.norm(a, "nuc"), lambda a: jla.norm(a, "nuc"), lambda: [general((4, 3), np.float64)]),
    ("cholesky", lambda a: la.cholesky(a).sum(), lambda a: jla.cholesky(a).sum(),
     lambda: [positive_definite((3, 3), np.float64)]),
    ("lstsq", lambda a, b: la.lstsq(a, b)[0].sum(), lambda a, b: jla.lstsq(a, b)[0].sum(),
     lambda: [general((4, 3), np.float64), general((4, 2), np.float64, 1)]),
]


def test_grads_match_jax(enable_x64):
    """jax.grad of each case, all in one jitted function per library."""
    args = [make() for *_, make in GRADS]

    def grads(which, grad):
        return lambda args: [grad(case[which], tuple(range(len(a))))(*a) for case, a in zip(GRADS, args)]
    ours = jaxlike.jit(grads(1, jaxlike.grad))(args)
    theirs = jax.jit(grads(2, jax.grad))(args)
    for (name, *_), o, t in zip(GRADS, ours, theirs):
        assert_same(o, t, rtol=1e-8, atol=1e-8, err_msg=name)


@pytest.mark.parametrize("f,make", [
    (la.det, lambda: [general((4, 4), np.float64)]),
    (la.solve, lambda: [well_conditioned((3, 3), np.float64), general((3, 2), np.float64, 1)]),
    pytest.param(la.inv, lambda: [well_conditioned((3, 3), np.float64)], marks=pytest.mark.slow),
    pytest.param(lambda a: la.slogdet(a)[1], lambda: [general((3, 3), np.complex128)], marks=pytest.mark.slow),
], ids=["det", "solve", "inv", "slogdet_complex"])
def test_second_order_derivatives(enable_x64, f, make):
    check_grads(f, make(), order=2)


def test_vmap_matches_loop():
    a, b = well_conditioned(SQ), general((2, 3), seed=1)
    out = jaxlike.vmap(lambda a, b: (la.solve(a, b), la.det(a), la.inv(a)))(a, b)
    expected = [(jla.solve(x, y), jla.det(x), jla.inv(x)) for x, y in zip(a, b)]
    assert_same(out, jax.tree_util.tree_map(lambda *ys: np.stack(ys), *expected), rtol=1e-5, atol=1e-5)


def test_jit_matches_eager():
    a = well_conditioned(SQ)
    f = lambda a: (la.slogdet(a), la.pinv(a), la.norm(a, 2, (1, 2)))  # noqa: E731
    assert_same(jaxlike.jit(f)(a), f(a), rtol=1e-5, atol=1e-5)


# ---- errors --------------------------------------------------------------------------------------------------
def test_non_square_input_errors_like_jax():
    for f, name in ((la.inv, "inv"), (la.det, "_det()"), (la.slogdet, "slogdet()")):
        with pytest.raises(ValueError, match=rf"Argument to {name.replace('(', '[(]').replace(')', '[)]')} must "
                                             r"have shape \[\.\.\., n, n\], got \(2, 3\)"):
            f(np.ones((2, 3), np.float32))
    with pytest.raises(ValueError, match=r"\(2, 3\)"):
        la.eigh(np.ones((2, 3), np.float32))
    with pytest.raises(TypeError, match="square"):
        la.matrix_power(np.ones((2, 3), np.float32), 2)


def test_mismatched_solve_shapes():
    with pytest.raises(ValueError, match=r"\(3, 3\)"):
        la.solve(np.eye(3, dtype=np.float32), np.ones(2, np.float32))
    with pytest.raises(ValueError, match=r"\(4, 2\)"):
        la.solve(np.eye(3, dtype=np.float32), np.ones((4, 2), np.float32))
    with pytest.raises(ValueError, match="test_numpy_linalg.py"):
        jaxlike.jit(la.solve)(np.eye(3, dtype=np.float32), np.ones(2, np.float32))


def test_bad_arguments():
    x = np.ones((3, 3), np.float32)
    with pytest.raises(ValueError, match="Invalid order"):
        la.norm(x, "bad")
    with pytest.raises(ValueError, match="number of axes"):
        la.norm(np.ones((2, 2, 2)), axis=(0, 1, 2))
    with pytest.raises(ValueError, match="Unsupported QR"):
        la.qr(x, mode="economic")
    with pytest.raises(ValueError, match="UPLO"):
        la.eigh(x, UPLO="X")
    with pytest.raises(ValueError, match="3-dimensional"):
        la.cross(np.ones(2), np.ones(2))
