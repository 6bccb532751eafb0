"""Dispatch benchmark: the per-call cost of a jitted tiny function and of one eager tiny op.

jaxlike against jax (and NumPy for the eager op) in one run: medians over interleaved rounds of
many calls, and ratios. Two ways of counting a call:

- pipelined: `number` calls back to back, waiting only for the last result (what a Python loop
  that dispatches work sees; asynchronous dispatch may overlap calls);
- blocked: waiting for every call's result before the next (the full round trip).

    python benchmarks/dispatch.py
    python benchmarks/dispatch.py --number 2000 --repeat 30
    python benchmarks/dispatch.py --profile          # also cProfile jaxlike's two paths
"""
import argparse
import cProfile
import io
import pstats
import sys

import numpy as np

try:
    from benchmarks import harness
except ImportError:  # run as a script from benchmarks/
    import harness


def tiny(x):
    return x * 2.0 + 1.0


def _cases(size):
    import jax
    import jaxlike

    a_np = np.arange(size, dtype=np.float32)
    b_np = np.ones(size, np.float32)
    a_jax, b_jax = harness.block(jax.device_put(a_np)), harness.block(jax.device_put(b_np))
    a_ours, b_ours = harness.block(jaxlike.device_put(a_np)), harness.block(jaxlike.device_put(b_np))
    ours_jit, jax_jit = jaxlike.jit(tiny), jax.jit(tiny)
    if not (np.allclose(np.asarray(ours_jit(a_ours)), tiny(a_np)) and np.allclose(np.asarray(a_ours + b_ours),
                                                                                   a_np + b_np)):
        print("WARNING: jaxlike results differ from NumPy")
    jitted = {"jaxlike.jit": lambda: ours_jit(a_ours), "jax.jit": lambda: jax_jit(a_jax)}
    eager = {"jaxlike eager": lambda: a_ours + b_ours, "jax eager": lambda: a_jax + b_jax,
             "NumPy": lambda: a_np + b_np}
    return jitted, eager


def run(size=8, number=1000, repeat=20, warmup=50, profile=False, out=None):
    """Runs the benchmark, prints tables, returns {(section, mode, case): median seconds per call}."""
    import jax
    import jaxlike

    out = out or sys.stdout
    print(f"dispatch benchmark: float32[{size}] operands; per-call medians of {repeat} interleaved rounds "
          f"of {number} calls", file=out)
    print(f"machine: {harness.machine_description()}", file=out)
    print(f"jaxlike device: {jaxlike.devices()[0]}   jax device: {jax.devices()[0]}", file=out)
    jitted, eager = _cases(size)
    results = {}
    sections = (("jitted tiny function  f(x) = x * 2.0 + 1.0", "jit", jitted, "jaxlike.jit", "jax.jit"),
                ("eager tiny op  a + b", "eager", eager, "jaxlike eager", "jax eager"))
    for title, key, cases, ours, peer in sections:
        print(f"\n{title}", file=out)
        rows = []
        for mode, block_each in (("pipelined", False), ("blocked", True)):
            times = harness.time_interleaved(cases, repeat=repeat, warmup=warmup, number=number,
                                             block_each=block_each)
            med = {name: harness.median(t) for name, t in times.items()}
            for name, t in med.items():
                results[(key, mode, name)] = t
                rows.append([mode, name, harness.fmt_time(t), harness.fmt_time(min(times[name])),
                             harness.fmt_ratio(t / med[peer])])
        harness.print_table(["mode", "case", "median per call", "min", f"vs {peer}"], rows, out)

    jit_ratio = results[("jit", "pipelined", "jaxlike.jit")] / results[("jit", "pipelined", "jax.jit")]
    eager_ratio = results[("eager", "pipelined", "jaxlike eager")] / results[("eager", "pipelined", "jax eager")]
    print(f"\njitted call: jaxlike / jax = {jit_ratio:.2f} (target <= 3: {'met' if jit_ratio <= 3 else 'NOT met'}); "
          f"eager op: jaxlike / jax = {eager_ratio:.2f} (target <= 2: {'met' if eager_ratio <= 2 else 'NOT met'})",
          file=out)
    if profile:
        for name, fn in (("jaxlike.jit", jitted["jaxlike.jit"]), ("jaxlike eager", eager["jaxlike eager"])):
            print(f"\ncProfile of {number * 10} calls of {name} (sorted by own time):", file=out)
            print(profile_calls(fn, number * 10), file=out)
    return results


def profile_calls(fn, calls, top=20):
    """cProfile text for `calls` calls of fn (the top functions by their own time)."""
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(calls):
        result = fn()
    harness.block(result)
    prof.disable()
    text = io.StringIO()
    pstats.Stats(prof, stream=text).strip_dirs().sort_stats("tottime").print_stats(top)
    return text.getvalue()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=8, help="elements per operand (default 8)")
    parser.add_argument("--number", type=int, default=1000, help="calls per round (default 1000)")
    parser.add_argument("--repeat", type=int, default=20, help="timed rounds (default 20)")
    parser.add_argument("--warmup", type=int, default=50, help="untimed calls per case first (default 50)")
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of jaxlike's paths")
    args = parser.parse_args(argv)
    run(args.size, args.number, args.repeat, args.warmup, args.profile)


if __name__ == "__main__":
    main()
