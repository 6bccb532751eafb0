"""Lowering of the linear-algebra primitives to jaxlib's LAPACK / cuSOLVER kernels and XLA's own ops.

| primitive | CPU | GPU (CUDA / ROCm) |
| --- | --- | --- |
| cholesky | LAPACK ?potrf | stablehlo.cholesky (XLA calls cuSOLVER potrf) |
| triangular_solve | LAPACK ?trsm | stablehlo.triangular_solve (XLA calls cuBLAS trsm) |
| lu | LAPACK ?getrf (+ a StableHLO while loop for the permutation) | {cu,hip}solver_getrf_ffi (+ {cu,hip}_lu_pivots_to_permutation) |
| geqrf, householder_product, qr | LAPACK ?geqrf, ?orgqr / ?ungqr | {cu,hip}solver_geqrf_ffi, {cu,hip}solver_orgqr_ffi |
| eigh | LAPACK ?syevd / ?heevd | {cu,hip}solver_syevd_ffi |
| svd | LAPACK ?gesdd | {cu,hip}solver_gesvdj_ffi (m, n <= 1024), else {cu,hip}solver_gesvd_ffi |
| eig | LAPACK ?geev | not available (as in JAX without MAGMA) |
| tridiagonal_solve | LAPACK ?gtsv | {cu,hip}sparse_gtsv2_ffi |

jaxlib ships these kernels as XLA FFI handlers (custom calls with api_version 4, their mode
flags in a backend_config dictionary, matrices in column-major layout). They are registered
with XLA once per platform, on the first lowering that needs them. A kernel reports failure
through an `info` output; as in JAX, failed matrices come back filled with NaN.
"""
import numpy as np

from xla_bridge.lowering.core import register
from xla_bridge.lowering.rules_reductions import (emit_binary, emit_compare, emit_reduce, emit_select,
                                                  region_context)
from xla_bridge.lowering.rules_structural import _i64_array

# ---- kernels: registration and names ---------------------------------------------------------------
_registered_platforms = set()


def _register_kernels(platform):
    """Registers jaxlib's LAPACK (CPU) or cuSOLVER/cuSPARSE (GPU) FFI handlers with XLA, once."""
    if platform in _registered_platforms:
        return
    import jaxlib.xla_client as xc
    if platform == "cpu":
        from jaxlib import lapack
        modules = [lapack]
    else:
        from jaxlib import gpu_linalg, gpu_solver, gpu_sparse
        modules = [gpu_solver, gpu_linalg, gpu_sparse]
    for module in modules:
        for target_platform, targets in module.registrations().items():
            for name, handler, api_version in targets:
                xc.register_custom_call_target(name, handler, target_platform, api_version)
    _registered_platforms.add(platform)


def _gpu_prefix():
    from jaxlib import gpu_solver
    registrations = gpu_solver.registrations()
    if registrations.get("CUDA"):
        return "cu"
    if registrations.get("ROCM"):
        return "hip"
    raise NotImplementedError("Linear algebra on GPU needs jaxlib's GPU solver plugin (cuSOLVER or hipSOLVER), "
                              "which is not installed; e.g. pip install 'jax[cuda13]'.")


def _kernel(ctx, primitive, lapack_name, gpu_name, dtype):
    """The custom-call target for this platform: lapack_<s|d|c|z><lapack_name>_ffi or <cu|hip><gpu_name>."""
    platform = ctx.platform
    if platform not in ("cpu", "gpu"):
        raise NotImplementedError(f"{primitive} has no lowering for platform {platform!r} in jaxlike.")
    _register_kernels(platform)
    if platform == "cpu":
        from jaxlib import lapack
        return lapack.prepare_lapack_call(f"{lapack_name}_ffi", np.dtype(dtype))  # also initialises LAPACK
    return f"{_gpu_prefix()}{gpu_name}"


# ---- custom calls ----------------------------------------------------------------------------------
def _layout(rank, column_major):
    """A minor-to-major layout: Fortran order for the trailing matrix axes, row-major otherwise."""
    if column_major and rank >= 2:
        dims = (rank - 2, rank - 1) + tuple(range(rank - 3, -1, -1))
    else:
        dims = tuple(range(rank - 1, -1, -1))
    if not dims:
        return "dense<> : tensor<0xindex>"
    return f"dense<[{', '.join(map(str, dims))}]> : tensor<{rank}xindex>"


def _attr_value(value):
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, str):  # LAPACK's one-letter mode flags travel as their character codes
        return f"{ord(value)} : ui8"
    if isinstance(value, np.uint8):
        return f"{int(value)} : ui8"
    return f"{int(value)} : i64"


def custom_call(ctx, target, operands, operand_avals, result_avals, config=None, aliases=None,
                column_major=True):
    """Emits an FFI custom call; returns the list of result names.

    Arrays of the operands' highest rank are passed in column-major layout (as LAPACK and
    cuSOLVER expect), the others (pivots, eigenvalues, info) in the default layout.
    """
    top = max(len(a.shape) for a in operand_avals)

    def layouts(avals):
        return "[" + ", ".join(_layout(len(a.shape), column_major and len(a.shape) == top) for a in avals) + "]"

    config_text = ", ".join(f"{k} = {_attr_value(v)}" for k, v in sorted((config or {}).items()))
    attrs = [f'call_target_name = "{target}"', "api_version = 4 : i32", f"backend_config = {{{config_text}}}",
             "has_side_effect = false", f"operand_layouts = {layouts(operand_avals)}",
             f"result_layouts = {layouts(result_avals)}"]
    if aliases:
        single = len(result_avals) == 1
        aliases_text = ", ".join(
            f"#stablehlo.output_operand_alias<output_tuple_indices = [{'' if single else out}], "
            f"operand_index = {operand}, operand_tuple_indices = []>" for operand, out in sorted(aliases.items()))
        attrs.append(f"output_operand_aliases = [{aliases_text}]")
    outs = ctx.op("stablehlo.custom_call", list(operands), list(result_avals), ", ".join(attrs),
                  operand_avals=list(operand_avals))
    return outs if isinstance(outs, list) else [outs]


# ---- small StableHLO helpers -----------------------------------------------------------------------
def _full(ctx, value, aval):
    """A constant array of `aval` filled with `value` (a scalar constant, broadcast)."""
    scalar = ctx.constant(value, aval.dtype)
    if not aval.shape:
        return scalar
    return _broadcast(ctx, scalar, aval.update(shape=()), aval, ())


def _iota(ctx, aval, dimension):
    return ctx.op("stablehlo.iota", [], aval, f"iota_dimension = {dimension} : i64", operand_avals=[])


def _broadcast(ctx, x, x_aval, out_aval, dimensions):
    return ctx.op("stablehlo.broadcast_in_dim", [x], out_aval,
                  f"broadcast_dimensions = {_i64_array(tuple(dimensions))}", operand_avals=[x_aval])


def _slice(ctx, x, aval, starts, limits):
    out = aval.update(shape=tuple(hi - lo for lo, hi in zip(starts, limits)))
    attrs = (f"start_indices = {_i64_array(starts)}, limit_indices = {_i64_array(limits)}, "
             f"strides = {_i64_array((1,) * len(starts))}")
    return ctx.op("stablehlo.slice", [x], out, attrs, operand_avals=[aval]), out


def _slice_matrix(ctx, x, aval, rows, cols):
    nb = len(aval.shape) - 2
    return _slice(ctx, x, aval, (0,) * (nb + 2), aval.shape[:-2] + (rows, cols))


def _pad_matrix(ctx, x, aval, rows_after, cols_after):
    nb = len(aval.shape) - 2
    out = aval.update(shape=aval.shape[:-2] + (aval.shape[-2] + rows_after, aval.shape[-1] + cols_after))
    zero = ctx.constant(0, aval.dtype)
    high = (0,) * nb + (rows_after, cols_after)
    attrs = (f"edge_padding_low = {_i64_array((0,) * (nb + 2))}, edge_padding_high = {_i64_array(high)}, "
             f"interior_padding = {_i64_array((0,) * (nb + 2))}")
    return ctx.op("stablehlo.pad", [x, zero], out, attrs, operand_avals=[aval, aval.update(shape=())]), out


def _triangle(ctx, x, aval, lower):
    """x with the entries outside its lower (or upper) triangle set to zero."""
    nd = len(aval.shape)
    index = aval.update(dtype=np.int32)
    rows, cols = _iota(ctx, index, nd - 2), _iota(ctx, index, nd - 1)
    keep = emit_compare(ctx, "GE" if lower else "LE", rows, cols, index)
    return emit_select(ctx, keep, x, _full(ctx, 0, aval), aval)


def _eye(ctx, aval):
    nd = len(aval.shape)
    index = aval.update(dtype=np.int32)
    on_diagonal = emit_compare(ctx, "EQ", _iota(ctx, index, nd - 2), _iota(ctx, index, nd - 1), index)
    return emit_select(ctx, on_diagonal, _full(ctx, 1, aval),
                       _full(ctx, 0, aval), aval)


def _info_aval(aval):
    return aval.update(shape=aval.shape[:-2], dtype=np.int32)


def _succeeded(ctx, info, info_aval, direction="EQ"):
    """info == 0 (or `direction` 0) per matrix: where the kernel succeeded."""
    return emit_compare(ctx, direction, info, _full(ctx, 0, info_aval), info_aval)


def _nan_unless(ctx, ok, ok_aval, x, aval):
    """x where `ok` (one flag per matrix of the batch), NaN elsewhere."""
    mask = _broadcast(ctx, ok, ok_aval.update(dtype=np.bool_), aval.update(dtype=np.bool_),
                      range(len(ok_aval.shape)))
    nan = complex(np.nan, np.nan) if np.dtype(aval.dtype).kind == "c" else np.nan
    return emit_select(ctx, mask, x, _full(ctx, nan, aval), aval)


# ---- cholesky and triangular_solve: LAPACK on CPU, XLA's own ops elsewhere --------------------------
# XLA's CPU backend expands cholesky and triangular_solve into blocked loops that take 0.5-1.5 s
# to compile even for 3x3 matrices and run slower than LAPACK; on GPU XLA calls cuSOLVER/cuBLAS.
@register("cholesky")
def _cholesky(ctx, x):
    aval = ctx.avals_out[0]
    if ctx.platform == "cpu":
        info_aval = _info_aval(aval)
        target = _kernel(ctx, "cholesky", "potrf", None, aval.dtype)
        factor, info = custom_call(ctx, target, [x], [aval], [aval, info_aval], {"uplo": "L"}, aliases={0: 0})
        factor = _nan_unless(ctx, _succeeded(ctx, info, info_aval), info_aval, factor, aval)
    else:
        factor = ctx.op("stablehlo.cholesky", [x], aval, "lower = true")
    return _triangle(ctx, factor, aval, lower=True)  # neither leaves zeros in the other triangle


def _flag(value):
    return "true" if value else "false"


def _conj(ctx, x, aval):
    part = aval.update(dtype=np.float32 if aval.dtype == np.complex64 else np.float64)
    re = ctx.op("stablehlo.real", [x], part, operand_avals=[aval])
    im = ctx.op("stablehlo.negate", [ctx.op("stablehlo.imag", [x], part, operand_avals=[aval])], part,
                operand_avals=[part])
    return ctx.op("stablehlo.complex", [re, im], aval, operand_avals=[part, part])


@register("triangular_solve")
def _triangular_solve(ctx, a, b, *, left_side, lower, transpose_a, conjugate_a, unit_diagonal):
    a_aval, b_aval = ctx.avals_in
    if conjugate_a and not transpose_a and np.dtype(a_aval.dtype).kind == "c":
        a = _conj(ctx, a, a_aval)  # neither trsm nor XLA has a "conjugate only" option
    conjugate_a = conjugate_a and transpose_a
    if ctx.platform == "cpu":
        target = _kernel(ctx, "triangular_solve", "trsm", None, a_aval.dtype)
        config = {"side": "L" if left_side else "R", "uplo": "L" if lower else "U",
                  "trans_x": ("C" if conjugate_a else "T") if transpose_a else "N",
                  "diag": "U" if unit_diagonal else "N"}
        return custom_call(ctx, target, [a, b], [a_aval, b_aval], [b_aval], config, aliases={1: 0})[0]
    transpose = "NO_TRANSPOSE" if not transpose_a else ("ADJOINT" if conjugate_a else "TRANSPOSE")
    attrs = (f"left_side = {_flag(left_side)}, lower = {_flag(lower)}, unit_diagonal = {_flag(unit_diagonal)}, "
             f"transpose_a = #stablehlo<transpose {transpose}>")
    return ctx.op("stablehlo.triangular_solve", [a, b], ctx.avals_out[0], attrs)


# ---- lu ------------------------------------------------------------------------------------------
def _pivots_to_permutation_loop(ctx, pivots, pivots_aval, perm_aval):
    """The permutation that LAPACK's row swaps (0-based pivots) make, by a while loop over the swaps."""
    batch, k = pivots_aval.shape[:-1], pivots_aval.shape[-1]
    nb = len(batch)
    perm = _iota(ctx, perm_aval, nb)
    if k == 0 or perm_aval.shape[-1] == 0:
        return perm
    scalar = perm_aval.update(shape=())
    column = perm_aval.update(shape=batch + (1,))
    carry = [scalar, perm_aval, pivots_aval]

    def cond(builder, args):
        rc = region_context(builder)
        return [(emit_compare(rc, "LT", args[0], rc.constant(k, np.int32), scalar), scalar.update(dtype=np.bool_))]

    def body(builder, args):
        i, perm, pivots = args
        rc = region_context(builder)
        starts = [rc.constant(0, np.int32)] * nb + [i]

        def column_at_i(x, aval):
            return rc.op("stablehlo.dynamic_slice", [x] + starts, column,
                         f"slice_sizes = {_i64_array(batch + (1,))}", operand_avals=[aval] + [scalar] * (nb + 1))

        def spread(x, aval, dims):
            return _broadcast(rc, x, aval, perm_aval, dims)

        positions = _iota(rc, perm_aval, nb)
        at_swap = emit_compare(rc, "EQ", positions, spread(column_at_i(pivots, pivots_aval), column, range(nb + 1)),
                               perm_aval)
        at_i = emit_compare(rc, "EQ", positions, spread(i, scalar, ()), perm_aval)
        picked = emit_select(rc, at_swap, perm, _full(rc, 0, perm_aval), perm_aval)
        batch_aval = perm_aval.update(shape=batch)
        swapped_in = emit_reduce(rc, [picked], [rc.constant(0, np.int32)], (nb,),
                                 lambda b, lhs, rhs: [emit_binary(region_context(b), "stablehlo.add", lhs[0], rhs[0],
                                                                  scalar)],
                                 [perm_aval], [batch_aval])
        current = spread(column_at_i(perm, perm_aval), column, range(nb + 1))
        swapped = emit_select(rc, at_swap, current, perm, perm_aval)
        swapped = emit_select(rc, at_i, spread(swapped_in, batch_aval, range(nb)), swapped, perm_aval)
        next_i = emit_binary(rc, "stablehlo.add", i, rc.constant(1, np.int32), scalar)
        return [(next_i, scalar), (swapped, perm_aval), (pivots, pivots_aval)]

    regions = [ctx.region(carry, cond), ctx.region(carry, body)]
    outs = ctx.op("stablehlo.while", [ctx.constant(0, np.int32), perm, pivots], carry, regions=regions,
                  operand_avals=carry)
    return outs[1]


def _pivots_to_permutation(ctx, pivots, pivots_aval, perm_aval):
    if ctx.platform == "gpu" and pivots_aval.shape[-1] and perm_aval.shape[-1]:
        target = _kernel(ctx, "lu_pivots_to_permutation", None, "_lu_pivots_to_permutation", np.int32)
        return custom_call(ctx, target, [pivots], [pivots_aval], [perm_aval], column_major=False)[0]
    return _pivots_to_permutation_loop(ctx, pivots, pivots_aval, perm_aval)


@register("lu_pivots_to_permutation")
def _lu_pivots_to_permutation(ctx, pivots, *, permutation_size):
    return _pivots_to_permutation(ctx, pivots, ctx.avals_in[0], ctx.avals_out[0])


@register("lu")
def _lu(ctx, x):
    aval = ctx.avals_in[0]
    lu_aval, pivots_aval, perm_aval = ctx.avals_out
    if aval.size == 0:
        return [x, _iota(ctx, pivots_aval, len(pivots_aval.shape) - 1), _iota(ctx, perm_aval, len(perm_aval.shape) - 1)]
    info_aval = _info_aval(aval)
    target = _kernel(ctx, "lu", "getrf", "solver_getrf_ffi", aval.dtype)
    lu, pivots, info = custom_call(ctx, target, [x], [aval], [lu_aval, pivots_aval, info_aval], aliases={0: 0})
    pivots = emit_binary(ctx, "stablehlo.subtract", pivots, _full(ctx, 1, pivots_aval), pivots_aval)
    # info > 0 only reports an exactly singular U, which is still a valid factorization.
    lu = _nan_unless(ctx, _succeeded(ctx, info, info_aval, "GE"), info_aval, lu, lu_aval)
    return [lu, pivots, _pivots_to_permutation(ctx, pivots, pivots_aval, perm_aval)]


# ---- QR ------------------------------------------------------------------------------------------
def _orgqr_names(dtype):
    return ("ungqr" if np.dtype(dtype).kind == "c" else "orgqr"), "solver_orgqr_ffi"


def _emit_geqrf(ctx, x, aval):
    taus_aval = aval.update(shape=aval.shape[:-2] + (min(aval.shape[-2:]),))
    target = _kernel(ctx, "geqrf", "geqrf", "solver_geqrf_ffi", aval.dtype)
    packed, taus = custom_call(ctx, target, [x], [aval], [aval, taus_aval], aliases={0: 0})
    return packed, taus, taus_aval


def _emit_householder_product(ctx, a, a_aval, taus, taus_aval):
    target = _kernel(ctx, "householder_product", *_orgqr_names(a_aval.dtype), a_aval.dtype)
    return custom_call(ctx, target, [a, taus], [a_aval, taus_aval], [a_aval], aliases={0: 0})[0]


@register("geqrf")
def _geqrf(ctx, x):
    packed, taus, _ = _emit_geqrf(ctx, x, ctx.avals_in[0])
    return [packed, taus]


@register("householder_product")
def _householder_product(ctx, a, taus):
    return _emit_householder_product(ctx, a, ctx.avals_in[0], taus, ctx.avals_in[1])


@register("qr")
def _qr(ctx, x, *, full_matrices):
    aval = ctx.avals_in[0]
    q_aval, r_aval = ctx.avals_out
    m, n = aval.shape[-2:]
    if m == 0 or n == 0:
        return [_eye(ctx, q_aval), _full(ctx, 0, r_aval)]
    packed, taus, taus_aval = _emit_geqrf(ctx, x, aval)
    if m < n:
        reflectors, reflectors_aval = _slice_matrix(ctx, packed, aval, m, m)
        r, r_full = packed, aval
    elif full_matrices:
        reflectors, reflectors_aval = _pad_matrix(ctx, packed, aval, 0, m - n)
        r, r_full = packed, aval
    else:
        reflectors, reflectors_aval = packed, aval
        r, r_full = _slice_matrix(ctx, packed, aval, n, n)
    q = _emit_householder_product(ctx, reflectors, reflectors_aval, taus, taus_aval)
    return [q, _triangle(ctx, r, r_full, lower=False)]


# ---- eigh ----------------------------------------------------------------------------------------
@register("eigh")
def _eigh(ctx, x, *, lower, sort_eigenvalues):
    aval = ctx.avals_in[0]
    v_aval, w_aval = ctx.avals_out
    if aval.shape[-1] == 0:
        return [x, _full(ctx, 0, w_aval)]
    info_aval = _info_aval(aval)
    if ctx.platform == "cpu":
        name = "heevd" if np.dtype(aval.dtype).kind == "c" else "syevd"
        config = {"mode": "V", "uplo": "L" if lower else "U"}
    else:
        name, config = None, {"lower": bool(lower), "algorithm": np.uint8(0)}
    target = _kernel(ctx, "eigh", name, "solver_syevd_ffi", aval.dtype)
    v, w, info = custom_call(ctx, target, [x], [aval], [v_aval, w_aval, info_aval], config, aliases={0: 0})
    ok = _succeeded(ctx, info, info_aval)
    return [_nan_unless(ctx, ok, info_aval, v, v_aval), _nan_unless(ctx, ok, info_aval, w, w_aval)]


# ---- svd -----------------------------------------------------------------------------------------
def _svd_cpu(ctx, x, aval, full_matrices, compute_uv):
    m, n = aval.shape[-2:]
    k, batch = min(m, n), aval.shape[:-2]
    s_aval = ctx.avals_out[0]
    u_aval = aval.update(shape=batch + (m, m if full_matrices else k))
    vt_aval = aval.update(shape=batch + (n if full_matrices else k, n))
    mode = "N" if not compute_uv else ("A" if full_matrices else "S")
    target = _kernel(ctx, "svd", "gesdd", None, aval.dtype)
    _, s, u, vt, info = custom_call(ctx, target, [x], [aval], [aval, s_aval, u_aval, vt_aval, _info_aval(aval)],
                                    {"mode": mode}, aliases={0: 0})
    return s, u, vt, info


def _svd_gpu(ctx, x, aval, full_matrices, compute_uv):
    """cuSOLVER's Jacobi SVD for matrices up to 1024 on a side, QR-based gesvd beyond (JAX's choice)."""
    m, n = aval.shape[-2:]
    k, batch, nb = min(m, n), aval.shape[:-2], len(aval.shape) - 2
    s_aval, info_aval = ctx.avals_out[0], _info_aval(aval)
    if m <= 1024 and n <= 1024:
        economy = not full_matrices and m > 32 and n > 32  # batched gesvdj has no economy mode
        u_aval = aval.update(shape=batch + (m, k if economy else m))
        v_aval = aval.update(shape=batch + (n, k if economy else n))
        target = _kernel(ctx, "svd", None, "solver_gesvdj_ffi", aval.dtype)
        _, s, u, v, info = custom_call(ctx, target, [x], [aval], [aval, s_aval, u_aval, v_aval, info_aval],
                                       {"full_matrices": not economy, "compute_uv": bool(compute_uv)}, aliases={0: 0})
        if not compute_uv:
            return s, None, None, info
        vt_aval = v_aval.update(shape=batch + (v_aval.shape[-1], n))
        vt = ctx.op("stablehlo.transpose", [v], vt_aval,
                    f"permutation = {_i64_array(tuple(range(nb)) + (nb + 1, nb))}", operand_avals=[v_aval])
        if np.dtype(aval.dtype).kind == "c":
            vt = _conj(ctx, vt, vt_aval)
        if not full_matrices and not economy:
            u, _ = _slice_matrix(ctx, u, u_aval, m, k)
            vt, _ = _slice_matrix(ctx, vt, vt_aval, k, n)
        return s, u, vt, info
    transposed = m < n  # gesvd needs m >= n: factor the transpose, read in row-major order
    u_aval = aval.update(shape=batch + (m, m if full_matrices else k))
    vt_aval = aval.update(shape=batch + (n if full_matrices else k, n))
    if not compute_uv:
        u_aval = vt_aval = aval.update(shape=())
    results = [aval, s_aval] + ([vt_aval, u_aval] if transposed else [u_aval, vt_aval]) + [info_aval]
    target = _kernel(ctx, "svd", None, "solver_gesvd_ffi", aval.dtype)
    _, s, first, second, info = custom_call(
        ctx, target, [x], [aval], results,
        {"full_matrices": bool(full_matrices), "compute_uv": bool(compute_uv), "transposed": transposed},
        aliases={0: 0}, column_major=not transposed)
    u, vt = (second, first) if transposed else (first, second)
    return s, u, vt, info


@register("svd")
def _svd(ctx, x, *, full_matrices, compute_uv, algorithm):
    aval = ctx.avals_in[0]
    if ctx.platform == "gpu":
        s, u, vt, info = _svd_gpu(ctx, x, aval, full_matrices, compute_uv)
    else:
        s, u, vt, info = _svd_cpu(ctx, x, aval, full_matrices, compute_uv)
    info_aval = _info_aval(aval)
    ok = _succeeded(ctx, info, info_aval)
    outs = [_nan_unless(ctx, ok, info_aval, s, ctx.avals_out[0])]
    if compute_uv:
        outs += [_nan_unless(ctx, ok, info_aval, u, ctx.avals_out[1]),
                 _nan_unless(ctx, ok, info_aval, vt, ctx.avals_out[2])]
    return outs


# ---- eig (CPU) -------------------------------------------------------------------------------------
@register("eig")
def _eig(ctx, x, *, compute_left_eigenvectors, compute_right_eigenvectors, enable_eigvec_derivs):
    aval = ctx.avals_in[0]
    if ctx.platform != "cpu":
        raise NotImplementedError("eig (nonsymmetric eigendecomposition) is only implemented on CPU, as in JAX; "
                                  "compute it on a CPU device (jax.devices('cpu')) or use eigh for Hermitian "
                                  "matrices.")
    w_aval = ctx.avals_out[0]
    vectors_aval = aval.update(shape=aval.shape, dtype=w_aval.dtype)
    info_aval = _info_aval(aval)
    is_real = np.dtype(aval.dtype).kind == "f"
    values = [aval.update(shape=w_aval.shape)] * 2 if is_real else [w_aval]
    target = _kernel(ctx, "eig", "geev", None, aval.dtype)
    config = {"compute_left": "V" if compute_left_eigenvectors else "N",
              "compute_right": "V" if compute_right_eigenvectors else "N"}
    *w, vl, vr, info = custom_call(ctx, target, [x], [aval], values + [vectors_aval, vectors_aval, info_aval], config)
    w = ctx.op("stablehlo.complex", w, w_aval, operand_avals=values) if is_real else w[0]
    ok = _succeeded(ctx, info, info_aval)
    outs = [_nan_unless(ctx, ok, info_aval, w, w_aval)]
    if compute_left_eigenvectors:
        outs.append(_nan_unless(ctx, ok, info_aval, vl, vectors_aval))
    if compute_right_eigenvectors:
        outs.append(_nan_unless(ctx, ok, info_aval, vr, vectors_aval))
    return outs


# ---- tridiagonal_solve ---------------------------------------------------------------------------
@register("tridiagonal_solve")
def _tridiagonal_solve(ctx, dl, d, du, b):
    b_aval = ctx.avals_in[3]
    if ctx.platform == "gpu":
        target = _kernel(ctx, "tridiagonal_solve", None, "sparse_gtsv2_ffi", b_aval.dtype)
        return custom_call(ctx, target, [dl, d, du, b], ctx.avals_in, [b_aval], aliases={3: 0})[0]
    info_aval = _info_aval(b_aval)
    target = _kernel(ctx, "tridiagonal_solve", "gtsv", None, b_aval.dtype)
    *_, x, info = custom_call(ctx, target, [dl, d, du, b], ctx.avals_in, list(ctx.avals_in) + [info_aval],
                              aliases={0: 0, 1: 1, 2: 2, 3: 3})
    return _nan_unless(ctx, _succeeded(ctx, info, info_aval), info_aval, x, b_aval)
