"""The benchmarks keep working: each runs at a tiny size (no timing asserts; benchmarks only print)."""
import importlib
import io
import math
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import dispatch, harness, seed_powers  # noqa: E402


def _positive(x):
    return isinstance(x, float) and math.isfinite(x) and x > 0


def test_seed_powers_runs(capsys):
    seed_powers.main(["--n", "64", "--repeat", "2", "--bandwidth-mib", "8"])
    text = capsys.readouterr().out
    for case in ("NumPy (host)", "jaxlike.jit", "jax.jit", "jaxlike eager", "jax eager", "jaxlike.jit donated",
                 "jax.jit donated", "floor (bandwidth)"):
        assert f"| {case}" in text, text
    assert "memory bandwidth:" in text and "jaxlike.jit / jax.jit =" in text
    assert "WARNING" not in text, text  # jaxlike's results agree with NumPy's


def test_seed_powers_returns_medians():
    out = io.StringIO()
    result = seed_powers.run(n=32, repeat=1, bandwidth_bytes=2**20, out=out)
    assert {"NumPy (host)", "jaxlike.jit", "jax.jit", "jaxlike eager", "jax eager", "jaxlike.jit donated",
            "jax.jit donated", "floor", "bandwidth"} <= set(result)
    assert all(_positive(v) for v in result.values()), result


def test_dispatch_runs(capsys):
    dispatch.main(["--number", "5", "--repeat", "2", "--warmup", "1", "--profile"])
    text = capsys.readouterr().out
    for case in ("jaxlike.jit", "jax.jit", "jaxlike eager", "jax eager", "NumPy"):
        assert f"| {case}" in text, text
    assert "jitted call: jaxlike / jax =" in text
    assert "cProfile of 50 calls of jaxlike.jit" in text
    assert "WARNING" not in text, text


def test_dispatch_returns_medians():
    result = dispatch.run(size=4, number=3, repeat=1, warmup=1, out=io.StringIO())
    assert len(result) == 2 * 2 + 2 * 3  # (pipelined, blocked) x (2 jitted cases, 3 eager cases)
    assert all(_positive(v) for v in result.values()), result


def test_harness_helpers():
    calls = []
    times = harness.time_interleaved({"a": lambda: calls.append("a"), "b": lambda: calls.append("b")},
                                     repeat=3, warmup=1, number=2)
    assert sorted(times) == ["a", "b"] and all(len(t) == 3 for t in times.values())
    assert calls.count("a") == calls.count("b") == 1 + 3 * 2
    assert harness.fmt_time(2.5) == "2.5 s" and harness.fmt_time(0.0123) == "12.3 ms"
    assert harness.fmt_time(4.56e-6) == "4.56 us" and harness.fmt_ratio(1.234) == "1.23x"
    assert harness.median([3.0, 1.0, 2.0]) == 2.0
    table = io.StringIO()
    harness.print_table(["case", "t"], [["x", "1 ms"]], table)
    assert table.getvalue().splitlines() == ["| case | t    |", "|------|------|", "| x    | 1 ms |"]


def test_dispatch_breakdown_runs():
    from benchmarks import dispatch_breakdown
    out = io.StringIO()
    result = dispatch_breakdown.run(number=3, repeat=1, clock="cpu", out=out)
    assert "jit: jaxlike.jit total" in result and "eager: jaxlike a + b" in result, out.getvalue()
    assert all(_positive(v) for v in result.values()), result


# The other benchmarks, each at a tiny size: they must run to the end and print their comparison.
SMALL_RUNS = {
    "grad": ["--width", "8", "--batch", "4", "--repeat", "2", "--number", "1"],
    "per_example_grads": ["--batch", "4", "--width", "8", "--repeat", "2", "--loop-repeat", "1"],
    "control_flow": ["--steps", "3", "--hidden", "4", "--repeat", "2"],
    "random_bench": ["--n", "1000", "--repeat", "2"],
    "linalg_conv": ["--batch", "1", "--size", "8", "--channels", "4", "--repeat", "2", "--linalg-n", "8"],
}


@pytest.mark.parametrize("name", sorted(SMALL_RUNS))
def test_other_benchmarks_run(name, capsys):
    module = importlib.import_module(f"benchmarks.{name}")
    module.main(SMALL_RUNS[name])
    text = capsys.readouterr().out
    assert "jaxlike" in text and "jax" in text, text
    assert "WARNING" not in text, text


def test_every_benchmark_is_smoke_tested():
    scripts = {p.stem for p in (ROOT / "benchmarks").glob("*.py")} - {"__init__", "harness"}
    covered = {"seed_powers", "dispatch", "dispatch_breakdown"} | set(SMALL_RUNS)
    assert scripts <= covered, f"benchmarks without a smoke test: {sorted(scripts - covered)}"
