"""Where a tiny call's time goes: each step of jaxlike's jit-call and eager-op paths, timed alone.

A diagnostic for whoever works on the dispatch path (jaxlike/transforms/jit.py,
jaxlike/dispatch.py, xla_bridge/compiler.py). It reaches into internals, so a step whose
internals have changed prints "n/a" instead of failing. Figures are per call, the minimum over
rounds of `number` back-to-back calls (the least disturbed figure on a shared machine); the
steps overlap, so they do not add up exactly to the totals.

    python benchmarks/dispatch_breakdown.py
    python benchmarks/dispatch_breakdown.py --clock cpu     # steadier on a busy machine
"""
import argparse
import sys
import time

import numpy as np

try:
    from benchmarks import harness
except ImportError:  # run as a script from benchmarks/
    import harness


def tiny(x):
    return x * 2.0 + 1.0


CLOCKS = {"wall": time.perf_counter, "cpu": time.thread_time}


def _per_call(fn, number, repeat, clock=time.perf_counter):
    best = float("inf")
    for _ in range(repeat):
        start = clock()
        for _ in range(number):
            fn()
        best = min(best, (clock() - start) / number)
    return best


def _steps():
    """[(label, zero-argument callable or None)] for both paths, with jax's and NumPy's totals."""
    import jax
    import jaxlike
    import jaxlike.numpy as jnp
    from jaxlike import core, dispatch, tree_util
    from jaxlike.array import Array

    a_np, b_np = np.arange(8, dtype=np.float32), np.ones(8, np.float32)
    a, b = jaxlike.device_put(a_np), jaxlike.device_put(b_np)
    a_jax, b_jax = jax.device_put(a_np), jax.device_put(b_np)
    f, f_jax = jaxlike.jit(tiny), jax.jit(tiny)
    harness.block((f(a), f_jax(a_jax), a + b))
    steps = [("jit: jax.jit total", lambda: f_jax(a_jax)), ("jit: jaxlike.jit total", lambda: f(a))]

    def jit_internals():
        key, leaves, in_tree, static, donated = f._prepare((a,), {})
        traced = f._get_traced(key, leaves, in_tree, static, donated, (a,), {})
        run = traced.executable(a.device)
        bufs = [a._buf]
        outs = run(bufs)
        res = [Array._from_buffer(o, traced.out_avals[0]) for o in outs]
        fast = []
        if hasattr(f, "_call_fast"):
            from jaxlike.transforms import jit as jit_module
            fast = [("  _call_fast (flat uncommitted arrays: avals key -> executable)", lambda: f._call_fast((a,))),
                    ("    _trace_context() (config options in the key)", jit_module._trace_context)]
        return fast + [
            ("  slow path: _prepare (split, tree_flatten, avals, key)", lambda: f._prepare((a,), {})),
            ("    tree_flatten(((x,), {}))", lambda: tree_util.tree_flatten(((a,), {}))),
            ("  _get_traced (signature cache hit)", lambda: f._get_traced(key, leaves, in_tree, static, donated,
                                                                         (a,), {})),
            ("  trace check + all(type(x) is Array)",
             lambda: type(core.current_trace()) is core.EvalTrace and all(type(x) is Array for x in leaves)),
            ("  _run (device, executable, buffers, execute, wrap)", lambda: f._run(traced, leaves)),
            ("    CompiledComputation.__call__ (execute_sharded + disassemble)", lambda: run(bufs)),
            ("      PJRT execute_sharded alone", lambda: run.executable.execute_sharded(bufs)),
            ("      PJRT execute (alternative entry point)", lambda: run.executable.execute(bufs)),
            ("    Array._from_buffer", lambda: Array._from_buffer(outs[0], traced.out_avals[0])),
            ("  tree_unflatten of the outputs", lambda: tree_util.tree_unflatten(traced.out_tree, res)),
        ]

    def eager_internals():
        prim = next(p for p in (getattr(jaxlike.lax, "add_p", None),
                                getattr(getattr(jaxlike.lax, "elementwise", None), "add_p", None)) if p is not None)
        prim.bind(a, b)
        entry = next(e for k, e in dispatch.eager_cache.entries.items() if k[0] is prim and k[2] == (a.aval, b.aval))
        return [
            ("  jnp.add(a, b) (promotion, broadcasting, lax.add)", lambda: jnp.add(a, b)),
            ("  lax.add(a, b)", lambda: jaxlike.lax.add(a, b)),
            ("  add_p.bind(a, b) (trace lookup, impl)", lambda: prim.bind(a, b)),
            ("  dispatch.apply_primitive (key, cache, execute, wrap)",
             lambda: dispatch.apply_primitive(prim, (a, b), {})),
            ("    cache key build + lookup",
             lambda: dispatch.eager_cache.get((prim, tuple({}.items()), tuple([x.aval for x in (a, b)]),
                                               dispatch._device_of_args((a, b))))),
            ("    executable call (PJRT execute + disassemble)", lambda: entry.run([a._buf, b._buf])),
        ]

    for label, build in (("jit", jit_internals), ("eager", eager_internals)):
        if label == "eager":
            steps += [("eager: NumPy a + b", lambda: a_np + b_np), ("eager: jax a + b", lambda: a_jax + b_jax),
                      ("eager: jaxlike a + b", lambda: a + b)]
        try:
            steps += build()
        except (AttributeError, TypeError, ValueError, KeyError, StopIteration) as e:
            steps.append((f"  ({label} internals changed: {type(e).__name__}: {e})", None))
    return steps


def run(number=2000, repeat=30, clock="wall", out=None):
    """Prints the breakdown; returns {label: seconds per call} for the steps that ran.

    clock "wall" is elapsed time; "cpu" is the calling thread's CPU time, steadier on a busy
    machine (it leaves out work done on PJRT's own threads).
    """
    out = out or sys.stdout
    print(f"dispatch breakdown: float32[8]; per call ({clock} clock), min over {repeat} rounds of {number} calls",
          file=out)
    print(f"machine: {harness.machine_description()}", file=out)
    results = {}
    steps = _steps()
    width = max(len(label) for label, _ in steps)
    for label, fn in steps:
        if fn is None:
            print(label, file=out)
            continue
        try:
            t = _per_call(fn, number, repeat, CLOCKS[clock])
        except Exception as e:  # noqa: BLE001 - a diagnostic keeps going
            print(f"{label:{width}s}  n/a ({type(e).__name__}: {e})", file=out)
            continue
        results[label] = t
        print(f"{label:{width}s}  {harness.fmt_time(t):>9s}", file=out)
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=2000, help="calls per round (default 2000)")
    parser.add_argument("--repeat", type=int, default=30, help="rounds (default 30)")
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall",
                        help="wall: elapsed time (default); cpu: this thread's CPU time, steadier on a busy machine")
    args = parser.parse_args(argv)
    run(args.number, args.repeat, args.clock)


if __name__ == "__main__":
    main()
