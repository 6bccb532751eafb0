"""Products of jaxlike.numpy: dot, vdot, vecdot, matmul, inner, outer, tensordot, kron, cross."""
import numpy as np

from jaxlike import dtypes, lax
from jaxlike.numpy._core import (asarray_operand, broadcast_shapes, broadcast_to_shape, canonicalize_axis,
                                  check_dtype_arg, promote_dtypes)
from jaxlike.source_info import user_line

__all__ = ['dot', 'vdot', 'vecdot', 'matmul', 'inner', 'outer', 'tensordot', 'kron', 'cross']


def _output_type(a, b, preferred_element_type):
    """(dtype the product is computed in, whether the result is weakly typed), as jnp does it."""
    if preferred_element_type is None:
        return dtypes.result_type(a, b, return_weak_type_flag=True)
    return check_dtype_arg(preferred_element_type), False


def _contract(a, b, dimension_numbers, precision, preferred_element_type):
    """dot_general of the unpromoted operands, accumulating in (and returning) JAX's result type."""
    dtype, weak = _output_type(a, b, preferred_element_type)
    out = lax.dot_general(a, b, dimension_numbers, precision=precision, preferred_element_type=dtype)
    return lax.convert_element_type(out, dtype, weak_type=weak)


def _check_contracting(name, a, b, a_axis, b_axis):
    if a.shape[a_axis] != b.shape[b_axis]:
        raise TypeError(f"{name}: incompatible shapes for contraction: {a.shape} and {b.shape} (axis {a_axis} of "
                        f"size {a.shape[a_axis]} vs axis {b_axis} of size {b.shape[b_axis]}).{user_line()}")


def dot(a, b, *, precision=None, preferred_element_type=None):
    """jnp.dot: sum over the last axis of a and the second-to-last (or only) axis of b; scalars multiply."""
    a, b = asarray_operand(a), asarray_operand(b)
    if a.ndim == 0 or b.ndim == 0:
        contract = ((), ())
    else:
        b_axis = 0 if b.ndim == 1 else b.ndim - 2
        _check_contracting("dot", a, b, a.ndim - 1, b_axis)
        contract = ((a.ndim - 1,), (b_axis,))
    return _contract(a, b, (contract, ((), ())), precision, preferred_element_type)


def vdot(a, b, *, precision=None, preferred_element_type=None):
    """jnp.vdot: dot of the flattened arrays, conjugating a."""
    a, b = asarray_operand(a), asarray_operand(b)
    if dtypes.is_complex(a.dtype):
        a = lax.conj(a)
    return dot(lax.reshape(a, (a.size,)), lax.reshape(b, (b.size,)), precision=precision,
               preferred_element_type=preferred_element_type)


def vecdot(x1, x2, /, *, axis=-1, precision=None, preferred_element_type=None):
    """jnp.vecdot: conj(x1) . x2 along `axis`, broadcasting the other axes."""
    from jaxlike.numpy.manipulation import moveaxis
    x1, x2 = asarray_operand(x1), asarray_operand(x2)
    if x1.shape[axis] != x2.shape[axis]:
        raise ValueError(f"axes must match; got shapes {x1.shape} and {x2.shape} with axis={axis}.{user_line()}")
    x1, x2 = moveaxis(x1, axis, -1), moveaxis(x2, axis, -1)
    if dtypes.is_complex(x1.dtype):
        x1 = lax.conj(x1)
    batch = broadcast_shapes(x1.shape[:-1], x2.shape[:-1])
    x1 = broadcast_to_shape(x1, batch + x1.shape[-1:])
    x2 = broadcast_to_shape(x2, batch + x2.shape[-1:])
    nb = len(batch)
    dims = (((nb,), (nb,)), (tuple(range(nb)), tuple(range(nb))))
    return _contract(x1, x2, dims, precision, preferred_element_type)


def matmul(a, b, *, precision=None, preferred_element_type=None):
    """jnp.matmul: matrix product of the last two axes, broadcasting leading (batch) axes; 1-d operands act as
    a row (a) or column (b) vector whose axis is removed from the result."""
    a, b = asarray_operand(a), asarray_operand(b)
    for i, x in enumerate((a, b)):
        if x.ndim < 1:
            raise ValueError(f"matmul input operand {i} must have ndim at least 1, but it has ndim {x.ndim}."
                             f"{user_line()}")
    a_mat, b_mat = a.ndim > 1, b.ndim > 1
    b_contract = b.ndim - 2 if b_mat else 0
    _check_contracting("matmul", a, b, a.ndim - 1, b_contract)
    plan = _matmul_plan(a.shape[:-2] if a_mat else (), b.shape[:-2] if b_mat else (), a.shape, b.shape)
    a = lax.squeeze(a, plan["a_squeeze"])
    b = lax.squeeze(b, plan["b_squeeze"])
    dims = (((a.ndim - 1,), (b.ndim - 1 - b_mat,)), (plan["a_batch"], plan["b_batch"]))
    out = _contract(a, b, dims, precision, preferred_element_type)
    nb = plan["n_batch"]
    targets = plan["batch_pos"] + plan["a_free_pos"] + ([nb] if a_mat else []) + plan["b_free_pos"] + \
        ([nb + a_mat] if b_mat else [])
    out = lax.transpose(out, tuple(int(i) for i in np.argsort(targets)))
    return lax.expand_dims(out, plan["both_squeezed"]) if plan["both_squeezed"] else out


def _matmul_plan(a_batch, b_batch, a_shape, b_shape):
    """How each broadcast batch position is handled: a shared batch dim, a free dim of one operand (the
    other lacks it or has size 1, which is squeezed), or squeezed from both (restored as size 1)."""
    nb = max(len(a_batch), len(b_batch))
    a_offset, b_offset = nb - len(a_batch), nb - len(b_batch)
    plan = dict(n_batch=nb, a_squeeze=[], b_squeeze=[], both_squeezed=[], a_batch=[], b_batch=[],
                batch_pos=[], a_free_pos=[], b_free_pos=[])
    a_kept = b_kept = 0  # leading dims of each operand that survive squeezing, so far
    for i in range(nb):
        sa = a_batch[i - a_offset] if i >= a_offset else None
        sb = b_batch[i - b_offset] if i >= b_offset else None
        a_drop = sa == 1 and sb is not None
        b_drop = sb == 1 and sa is not None
        if a_drop:
            plan["a_squeeze"].append(i - a_offset)
        if b_drop:
            plan["b_squeeze"].append(i - b_offset)
        if a_drop and b_drop:
            plan["both_squeezed"].append(i)
        elif a_drop or sa is None:
            plan["b_free_pos"].append(i)
        elif b_drop or sb is None:
            plan["a_free_pos"].append(i)
        elif sa == sb:
            plan["a_batch"].append(a_kept)
            plan["b_batch"].append(b_kept)
            plan["batch_pos"].append(i)
        else:
            raise ValueError(f"Incompatible shapes for matmul arguments: {a_shape} and {b_shape}.{user_line()}")
        a_kept += sa is not None and not a_drop
        b_kept += sb is not None and not b_drop
    for key in ("a_squeeze", "b_squeeze", "both_squeezed", "a_batch", "b_batch"):
        plan[key] = tuple(plan[key])
    return plan


def inner(a, b, *, precision=None, preferred_element_type=None):
    """jnp.inner: sum over the last axes of a and b (a product for scalars)."""
    a, b = asarray_operand(a), asarray_operand(b)
    if a.ndim == 0 or b.ndim == 0:
        from jaxlike.numpy.ufuncs import multiply
        if preferred_element_type is not None:
            dtype = check_dtype_arg(preferred_element_type)
            a, b = lax.convert_element_type(a, dtype), lax.convert_element_type(b, dtype)
        return multiply(a, b)
    return tensordot(a, b, (-1, -1), precision=precision, preferred_element_type=preferred_element_type)


def _multiply(x, y):
    """Elementwise product of equally shaped arrays of one dtype (AND for bools, as jnp.multiply)."""
    return lax.min(x, y) if x.dtype == np.bool_ else lax.mul(x, y)


def outer(a, b, out=None):
    """jnp.outer: out[i, j] = ravel(a)[i] * ravel(b)[j]."""
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.outer is not supported.")
    a, b = promote_dtypes(asarray_operand(a), asarray_operand(b))
    n, m = a.size, b.size
    rows = lax.broadcast_in_dim(lax.reshape(a, (n,)), (n, m), (0,))
    cols = lax.broadcast_in_dim(lax.reshape(b, (m,)), (n, m), (1,))
    return _multiply(rows, cols)


def tensordot(a, b, axes=2, *, precision=None, preferred_element_type=None):
    """jnp.tensordot: contract the last `axes` axes of a with the first of b, or the given axis pairs."""
    a, b = asarray_operand(a), asarray_operand(b)
    if type(axes) is int:
        if axes > min(a.ndim, b.ndim) or axes < 0:
            raise TypeError(f"Number of tensordot axes (axes {axes}) exceeds input ranks ({a.shape} and {b.shape})."
                            f"{user_line()}")
        contract = (tuple(range(a.ndim - axes, a.ndim)), tuple(range(axes)))
    elif isinstance(axes, (tuple, list)) and len(axes) == 2:
        ax1, ax2 = axes
        if isinstance(ax1, (int, np.integer)) and isinstance(ax2, (int, np.integer)):
            contract = ((canonicalize_axis(ax1, a.ndim),), (canonicalize_axis(ax2, b.ndim),))
        elif isinstance(ax1, (tuple, list)) and isinstance(ax2, (tuple, list)):
            if len(ax1) != len(ax2):
                raise TypeError(f"tensordot requires axes lists to have equal length, got {ax1} and {ax2}.")
            contract = (tuple(canonicalize_axis(i, a.ndim) for i in ax1),
                        tuple(canonicalize_axis(i, b.ndim) for i in ax2))
        else:
            raise TypeError(f"tensordot requires both axes lists to be either ints, tuples or lists, got {ax1} and "
                            f"{ax2}")
    else:
        raise TypeError("tensordot axes argument must be an int, a pair of ints, or a pair of lists/tuples of ints.")
    for i, j in zip(*contract):
        _check_contracting("tensordot", a, b, i, j)
    return _contract(a, b, (contract, ((), ())), precision, preferred_element_type)


def kron(a, b):
    """jnp.kron: the Kronecker product."""
    a, b = promote_dtypes(asarray_operand(a), asarray_operand(b))
    nd = max(a.ndim, b.ndim)
    a = lax.reshape(a, (1,) * (nd - a.ndim) + a.shape)
    b = lax.reshape(b, (1,) * (nd - b.ndim) + b.shape)
    shape = tuple(d for pair in zip(a.shape, b.shape) for d in pair)
    wide_a = lax.broadcast_in_dim(a, shape, tuple(range(0, 2 * nd, 2)))
    wide_b = lax.broadcast_in_dim(b, shape, tuple(range(1, 2 * nd, 2)))
    return lax.reshape(_multiply(wide_a, wide_b), tuple(x * y for x, y in zip(a.shape, b.shape)))


def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """jnp.cross: the cross product of 2- or 3-vectors along the given axes (2-vectors give the z component)."""
    from jaxlike.lax.structural import slice_axis
    from jaxlike.numpy.manipulation import moveaxis, stack
    from jaxlike.numpy.ufuncs import multiply, subtract
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = asarray_operand(a), asarray_operand(b)
    a, b = moveaxis(a, axisa, -1), moveaxis(b, axisb, -1)
    if a.shape[-1] not in (2, 3) or b.shape[-1] not in (2, 3):
        raise ValueError(f"Dimension must be either 2 or 3 for cross product, got shapes {a.shape} and {b.shape}.")

    def parts(x):
        comps = [lax.squeeze(slice_axis(x, x.ndim - 1, i, i + 1), (x.ndim - 1,)) for i in range(x.shape[-1])]
        return comps + [lax.full(comps[0].shape, 0, x.dtype)] * (3 - len(comps))

    (a0, a1, a2), (b0, b1, b2) = parts(a), parts(b)
    if a.shape[-1] == 2 and b.shape[-1] == 2:
        return subtract(multiply(a0, b1), multiply(a1, b0))
    c = stack([subtract(multiply(a1, b2), multiply(a2, b1)), subtract(multiply(a2, b0), multiply(a0, b2)),
               subtract(multiply(a0, b1), multiply(a1, b0))])
    return moveaxis(c, 0, axisc)
