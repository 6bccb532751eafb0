"""Every primitive has all its rules: shape, lowering, JVP (or declared non-differentiable), batching,
and transpose where it is linear."""
import pytest

import jaxlike  # noqa: F401  (registers every primitive)
from jaxlike import core
from xla_bridge.lowering import lowering_rules

# Primitives that are linear in (some of) their operands, by JAX's definitions.
MUST_BE_LINEAR = {
    "add", "sub", "neg", "add_any", "mul", "div", "dot_general", "convert_element_type", "reduce_sum",
    "broadcast_in_dim", "reshape", "transpose", "squeeze", "expand_dims", "rev", "concatenate", "pad", "slice",
    "dynamic_slice", "dynamic_update_slice", "gather", "scatter_add", "scatter", "cumsum", "select_n", "real",
    "imag", "complex", "conj", "closed_call", "psum", "reduce_window_sum", "conv_general_dilated", "copy",
    "fft", "triangular_solve", "custom_lin", "while", "cond", "scan",
}

PRIMS = sorted(core.all_primitives.values(), key=lambda p: p.name)


def test_registry_is_populated():
    names = {p.name for p in PRIMS}
    assert {"add", "mul", "sin", "dot_general", "gather", "scatter", "sort", "closed_call"} <= names


@pytest.mark.parametrize("prim", PRIMS, ids=lambda p: p.name)
def test_primitive_has_all_rules(prim):
    assert prim.abstract_eval is not None, f"{prim.name} has no shape rule"
    if not getattr(prim, "requires_axis_env", False) and not getattr(prim, "never_lowered", False):
        assert prim.name in lowering_rules, f"{prim.name} has no StableHLO lowering"
    assert prim.jvp is not None or not prim.differentiable, f"{prim.name} has no JVP rule and is not declared " \
                                                             "non-differentiable"
    assert prim.batch is not None, f"{prim.name} has no batching rule"
    if prim.name in MUST_BE_LINEAR:
        assert prim.transpose is not None, f"{prim.name} is linear but has no transpose rule"


def test_every_lowering_names_a_primitive():
    names = {p.name for p in PRIMS}
    orphans = sorted(set(lowering_rules) - names)
    assert not orphans, f"lowering rules for unknown primitives: {orphans}"
