"""jit: tracing once per signature, static arguments, pytrees, AOT lowering, weak types; jax is the oracle."""
import collections
import functools

import jax
import jax.numpy as jjnp
import numpy as np
import pytest

import jaxlike
import jaxlike.numpy as jnp
from jaxlike.transforms.jit import disable_jit
from testing_utils import assert_same

Point = collections.namedtuple("Point", ["x", "y"])


def counting(fun):
    """(wrapped fun, list whose length is the number of times fun's Python body ran)."""
    calls = []

    @functools.wraps(fun)
    def wrapped(*args, **kwargs):
        calls.append(1)
        return fun(*args, **kwargs)
    return wrapped, calls


# ---- tracing and the cache ----------------------------------------------------------------------
def test_traces_once_per_signature():
    f, calls = counting(lambda x: jnp.sin(x) * 2)
    jf = jaxlike.jit(f)
    x = jnp.ones(3)
    for _ in range(3):
        assert_same(jf(x), jax.jit(lambda x: jjnp.sin(x) * 2)(np.ones(3, np.float32)))
    assert len(calls) == 1
    jf(jnp.zeros(3))  # same signature, new values
    assert len(calls) == 1


@pytest.mark.parametrize("first, second", [
    (np.ones(3, np.float32), np.ones(4, np.float32)),        # shape
    (np.ones(3, np.float32), np.ones(3, np.int32)),          # dtype
    (2.0, np.float32(2.0)),                                  # weak type
    ((np.ones(2, np.float32),), [np.ones(2, np.float32)]),   # tree structure
    ({"a": 1.0}, {"b": 1.0}),                                # dict keys
], ids=["shape", "dtype", "weak_type", "tuple_vs_list", "dict_keys"])
def test_retraces_on_new_signature(first, second):
    f, calls = counting(lambda x: x)
    jf = jaxlike.jit(f)
    jf(first)
    jf(first)
    assert len(calls) == 1
    jf(second)
    assert len(calls) == 2
    jf(second)
    jf(first)
    assert len(calls) == 2


def test_retraces_on_static_value_and_type():
    f, calls = counting(lambda x, n: x * n)
    jf = jaxlike.jit(f, static_argnums=1)
    ref = jax.jit(lambda x, n: x * n, static_argnums=1)
    for n in (2, 2, 3, 2.0, True):
        assert_same(jf(1, n), ref(1, n), check_weak_type=True)
    assert len(calls) == 4  # 2, 3, 2.0 and True are different static values (equal hashes, different types)


def test_retraces_when_x64_changes():
    f, calls = counting(lambda x: x + jnp.ones(3))
    jf = jaxlike.jit(f)
    x = np.ones(3, np.float32)
    assert jf(x).dtype == np.float32
    with jaxlike.enable_x64():
        assert jf(x).dtype == np.float64  # jnp.ones is float64 under x64, as in eager mode
    assert jf(x).dtype == np.float32
    assert len(calls) == 2


def test_clear_cache_retraces():
    f, calls = counting(lambda x: x + 1)
    jf = jaxlike.jit(f)
    jf(1.0)
    jf.clear_cache()
    jf(1.0)
    assert len(calls) == 2


def test_kwargs_are_traced_arguments():
    f, calls = counting(lambda x, y=1.0: x * y)
    jf = jaxlike.jit(f)
    assert_same(jf(jnp.ones(2), y=jnp.full((2,), 3.0)), np.full(2, 3.0, np.float32))
    assert_same(jf(jnp.ones(2), y=jnp.full((2,), 4.0)), np.full(2, 4.0, np.float32))
    assert len(calls) == 1
    assert_same(jf(x=jnp.ones(2), y=2.0), jax.jit(lambda x, y: x * y)(x=np.ones(2, np.float32), y=2.0))


# ---- static arguments ---------------------------------------------------------------------------
def test_static_argnums_negative_and_inferred_names():
    def f(x, n):
        return x * n
    jf = jaxlike.jit(f, static_argnums=-1)
    assert jf.static_argnums == {1} and jf.static_argnames == {"n"}
    assert_same(jf(jnp.ones(2), 3), np.full(2, 3.0, np.float32))
    assert_same(jf(jnp.ones(2), n=4), np.full(2, 4.0, np.float32))  # passed by name: still static
    by_name = jaxlike.jit(f, static_argnames="n")
    assert by_name.static_argnums == {1}
    assert_same(by_name(jnp.ones(2), 5), np.full(2, 5.0, np.float32))


def test_static_argument_controls_python():
    def f(x, mode):
        return jnp.sin(x) if mode == "sin" else jnp.cos(x)
    jf = jaxlike.jit(f, static_argnames="mode")
    x = np.array([0.5, 1.0], np.float32)
    assert_same(jf(x, mode="sin"), np.sin(x))
    assert_same(jf(x, mode="cos"), np.cos(x))


def test_unhashable_static_argument():
    jf = jaxlike.jit(lambda x, s: x, static_argnums=1)
    with pytest.raises(ValueError, match="[Nn]on-hashable static"):
        jf(1.0, [1, 2])


def test_static_argnums_out_of_range_at_jit_time():
    with pytest.raises(ValueError, match="static_argnums"):
        jaxlike.jit(lambda x, y: x, static_argnums=2)
    with pytest.raises(ValueError, match="static_argnames"):
        jaxlike.jit(lambda x, y: x, static_argnames="z")
    jaxlike.jit(lambda *args: args[0], static_argnums=3)  # *args accepts any position


# ---- pytrees ------------------------------------------------------------------------------------
def test_pytrees_in_and_out():
    def f(tree):
        return {"sum": tree["a"] + tree["b"][0], "pair": (tree["b"][1], None), "pt": Point(tree["a"], 2.0)}
    tree = {"a": np.arange(3, dtype=np.float32), "b": (np.ones(3, np.float32), np.float32(4.0))}
    ours, ref = jaxlike.jit(f)(tree), jax.jit(f)(tree)
    assert isinstance(ours["pt"], Point) and ours["pair"][1] is None
    assert_same(ours, ref, check_weak_type=True)


def test_repeated_pytree_calls_keep_structure_and_trace_once():
    # Same leaf avals in two tree structures: the cached call path must tell them apart.
    calls = []

    def f(pair, z):
        calls.append(1)
        (a, b) = pair
        return {"d": a - 2 * b, "z": z}
    jf = jaxlike.jit(f)
    a, b, z = jnp.arange(3.0), jnp.ones(3), jnp.full(3, 5.0)
    for _ in range(3):
        assert_same(jf((a, b), z)["d"], np.array([-2.0, -1.0, 0.0], np.float32))
    assert_same(jf((z, a), b)["d"], np.array([5.0, 3.0, 1.0], np.float32))
    assert_same(jf([a, b], z)["z"], np.full(3, 5.0, np.float32))  # a list is another structure
    assert len(calls) == 2

def test_none_arguments_and_outputs():
    jf = jaxlike.jit(lambda x, y: (x if y is None else x + y, None))
    out, nothing = jf(jnp.ones(2), None)
    assert nothing is None
    assert_same(out, np.ones(2, np.float32))


def test_list_output_and_no_arguments():
    assert_same(jaxlike.jit(lambda x: [x, x * 2])(1.0), jax.jit(lambda x: [x, x * 2])(1.0), check_weak_type=True)
    assert_same(jaxlike.jit(lambda: jnp.ones(2))(), np.ones(2, np.float32))
    assert jaxlike.jit(lambda x: None)(1.0) is None


# ---- decorators and methods ---------------------------------------------------------------------
def test_decorator_forms():
    @jaxlike.jit
    def plain(x):
        return x + 1

    @functools.partial(jaxlike.jit, static_argnums=1)
    def partial_static(x, k):
        return x * k

    @jaxlike.jit(static_argnums=1)
    def factory(x, k):
        return x * k

    assert_same(plain(jnp.ones(2)), np.full(2, 2.0, np.float32))
    assert_same(partial_static(jnp.ones(2), 3), np.full(2, 3.0, np.float32))
    assert_same(factory(jnp.ones(2), 4), np.full(2, 4.0, np.float32))
    assert plain.__name__ == "plain"


class Scaler:
    def __init__(self, factor):
        self.factor = factor

    def __hash__(self):
        return hash(self.factor)

    def __eq__(self, other):
        return isinstance(other, Scaler) and other.factor == self.factor

    @functools.partial(jaxlike.jit, static_argnums=0)
    def scale(self, x):
        return x * self.factor


def test_methods_with_static_self():
    x = jnp.ones(2)
    assert_same(Scaler(2.0).scale(x), np.full(2, 2.0, np.float32))
    assert_same(Scaler(3.0).scale(x), np.full(2, 3.0, np.float32))


def test_jitted_function_as_attribute():
    class Model:
        def __init__(self):
            self.apply = jaxlike.jit(lambda w, x: w * x)
    assert_same(Model().apply(2.0, jnp.ones(2)), np.full(2, 2.0, np.float32))


# ---- nesting and closures -----------------------------------------------------------------------
def test_nested_jit_is_a_closed_call_traced_once():
    inner, inner_calls = counting(lambda x: jnp.sin(x) * 2)
    jinner = jaxlike.jit(inner)
    outer = jaxlike.jit(lambda x: jinner(x) + jinner(x + 1))
    x = np.array([0.1, 0.2], np.float32)
    assert_same(outer(x), 2 * np.sin(x) + 2 * np.sin(x + 1))
    assert len(inner_calls) == 1
    jaxpr = outer.trace(x).jaxpr
    names = [e.primitive.name for e in jaxpr.eqns]
    assert names.count("closed_call") == 2 and "sin" not in names
    callee = jaxpr.eqns[0].params["jaxpr"]
    assert "sin" in [e.primitive.name for e in callee.eqns]


def test_inline_jit_is_inlined():
    inner = jaxlike.jit(lambda x: jnp.sin(x), inline=True)
    names = [e.primitive.name for e in jaxlike.make_jaxpr(lambda x: inner(x) * 2)(1.0).eqns]
    assert names == ["sin", "mul"]


def test_closure_over_array_becomes_constant():
    c = jnp.asarray(np.arange(3, dtype=np.float32))
    jf = jaxlike.jit(lambda x: x + c)
    assert_same(jf(jnp.ones(3)), np.arange(3, dtype=np.float32) + 1)
    closed = jf.trace(jnp.ones(3)).jaxpr
    assert len(closed.jaxpr.constvars) == 1 and len(closed.consts) == 1
    assert_same(closed.consts[0], np.arange(3, dtype=np.float32))


def test_jit_closing_over_outer_tracers_is_not_cached_wrongly():
    def f(x):
        return jaxlike.jit(lambda y: y * x)(2.0)
    assert_same(jaxlike.vmap(f)(jnp.asarray(np.arange(3, dtype=np.float32))), np.arange(3, dtype=np.float32) * 2)
    assert_same(jaxlike.grad(f)(3.0), jax.grad(lambda x: jax.jit(lambda y: y * x)(2.0))(3.0))


# ---- AOT ----------------------------------------------------------------------------------------
def test_lower_as_text_and_compile():
    jf = jaxlike.jit(lambda x: jnp.sin(x) * 2)
    x = jnp.ones(3)
    lowered = jf.lower(x)
    text = lowered.as_text()
    assert "stablehlo.sine" in text and "stablehlo.multiply" in text and "func.func" in text
    assert "tensor<3xf32>" in text
    compiled = lowered.compile()
    assert_same(compiled(x), np.sin(np.ones(3, np.float32)) * 2)
    assert isinstance(compiled.as_text(), str)
    with pytest.raises(TypeError, match="compiled"):
        compiled(jnp.ones(4))


def test_trace_jaxpr_and_abstract_arguments():
    spec = jaxlike.ShapeDtypeStruct((2, 3), jnp.float32)
    traced = jaxlike.jit(lambda x: jnp.sum(x, axis=0)).trace(spec)
    assert [e.primitive.name for e in traced.jaxpr.eqns] == ["reduce_sum"]
    assert traced.jaxpr.in_avals[0].shape == (2, 3)
    assert "stablehlo" in jaxlike.jit(lambda x: x * 2).lower(spec).as_text()
    with pytest.raises(TypeError, match="ShapeDtypeStruct"):
        jaxlike.jit(lambda x: x)(spec)


def test_donate_argnums_keeps_results_correct():
    jf = jaxlike.jit(lambda x, y: (x + y, x * y), donate_argnums=(0,))
    for _ in range(2):
        s, p = jf(jnp.full((4,), 2.0), jnp.full((4,), 3.0))
        assert_same(s, np.full(4, 5.0, np.float32))
        assert_same(p, np.full(4, 6.0, np.float32))
    tree_donor = jaxlike.jit(lambda t: t["a"] * 2, donate_argnames="t")
    assert_same(tree_donor({"a": jnp.ones(2)}), np.full(2, 2.0, np.float32))
    negative = jaxlike.jit(lambda x, y: x - y, donate_argnums=-1)
    assert negative.donate_argnums == {1}
    assert_same(negative(jnp.ones(2), jnp.ones(2)), np.zeros(2, np.float32))


# ---- weak types and dtypes ----------------------------------------------------------------------
SCALAR_ARGS = [3.0, 3, True, np.float32(3), np.int32(3), 2 + 1j]


@pytest.mark.parametrize("fun", [lambda x: x * 2, lambda x: x * 2.5, lambda x: -x, lambda x: x],
                         ids=["mul_int", "mul_float", "neg", "identity"])
@pytest.mark.parametrize("arg", SCALAR_ARGS, ids=["float", "int", "bool", "np_f32", "np_i32", "complex"])
def test_python_scalars_are_weakly_typed(fun, arg):
    _check_like_jax(jaxlike.jit(fun), jax.jit(fun), arg)


def test_python_scalars_are_weakly_typed_x64(enable_x64):
    for arg in SCALAR_ARGS:
        _check_like_jax(jaxlike.jit(lambda x: x + 1), jax.jit(lambda x: x + 1), arg)


def _check_like_jax(ours, ref, arg):
    try:
        expected = ref(arg)
    except TypeError:
        with pytest.raises(TypeError):
            ours(arg)
        return
    assert_same(ours(arg), expected, check_weak_type=True)


def test_numpy_float64_is_canonicalized(x64):
    x = np.linspace(0, 1, 4)
    assert_same(jaxlike.jit(lambda x: x * 2)(x), jax.jit(lambda x: x * 2)(x), check_weak_type=True)


# ---- disable_jit and eval_shape -----------------------------------------------------------------
def test_disable_jit_runs_python_each_call():
    seen = []

    def f(x):
        seen.append(type(x))
        return float(x) * 2  # concrete values are available without jit

    jf = jaxlike.jit(f)
    with jaxlike.config.option("jax_disable_jit", True):
        assert jf(jnp.asarray(3.0)) == 6.0
        assert jf(jnp.asarray(3.0)) == 6.0
    with disable_jit():
        jf(jnp.asarray(1.0))
    assert seen == [jaxlike.Array] * 3
    assert not jaxlike.config.jax_disable_jit


@pytest.mark.parametrize("fun, args", [
    (lambda x: x * 2, (np.ones((2, 3), np.float32),)),
    (lambda x: x * 2, (1.0,)),
    (lambda x, y: {"s": x + y, "m": (jnp.sum(x) if isinstance(x, jaxlike.core.Tracer) else jjnp.sum(x),)},
     (np.ones(3, np.float32), np.ones(3, np.float32))),
    (lambda x: x > 0, (np.ones(4, np.int32),)),
], ids=["array", "weak_scalar", "pytree", "bool"])
def test_eval_shape_matches_jax(fun, args):
    ours = jaxlike.eval_shape(fun, *args)
    ref = jax.eval_shape(fun, *args)
    ours_leaves, ref_leaves = jax.tree_util.tree_leaves(ours), jax.tree_util.tree_leaves(ref)
    assert jax.tree_util.tree_structure(ours) == jax.tree_util.tree_structure(ref)
    for o, r in zip(ours_leaves, ref_leaves):
        assert isinstance(o, jaxlike.ShapeDtypeStruct)
        assert (o.shape, o.dtype, o.weak_type) == (r.shape, r.dtype, r.weak_type)


def test_eval_shape_takes_shape_dtype_structs_and_runs_nothing():
    calls = []

    def f(x):
        calls.append(type(x))
        return jnp.sum(x, axis=1)

    spec = jaxlike.ShapeDtypeStruct((4, 5), jnp.float32)
    out = jaxlike.eval_shape(f, spec)
    assert out == jaxlike.ShapeDtypeStruct((4,), jnp.float32)
    assert issubclass(calls[0], jaxlike.core.Tracer)
    assert jaxlike.jit(f).eval_shape(spec) == out
    assert repr(out) == repr(jax.ShapeDtypeStruct((4,), jjnp.float32))


def test_shape_dtype_struct_64_bit_dtypes_are_canonicalized(x64):
    spec = jaxlike.ShapeDtypeStruct((2,), np.float64)
    ref = jax.eval_shape(lambda x: x * 2, jax.ShapeDtypeStruct((2,), np.float64))
    assert spec.dtype == np.float64  # the struct keeps what it was given
    assert jaxlike.eval_shape(lambda x: x * 2, spec).dtype == ref.dtype


# ---- transforms of jitted functions reuse their compiled code -------------------------------------
def _closed_call_compiles():
    from jaxlike.transforms import calls
    return calls._compiled.misses


@pytest.mark.parametrize("transform", [jaxlike.grad, jaxlike.vmap], ids=["grad", "vmap"])
def test_transformed_jit_compiles_once(transform):
    f, calls = counting(lambda x: jnp.sum(jnp.sin(x) * x))
    g = transform(jaxlike.jit(f))
    x = jnp.asarray(np.linspace(0, 1, 6, dtype=np.float32).reshape(2, 3))
    first = g(x)
    compiles = _closed_call_compiles()
    assert_same(g(x), first)
    assert_same(g(x), first)
    assert len(calls) == 1
    assert _closed_call_compiles() == compiles
