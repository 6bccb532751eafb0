"""Random-number benchmark: 10**7 standard normals (float32) from a key.

jaxlike.random.normal and jax.random.normal (eager calls: both jit their samplers, so one call
is one compiled program) and NumPy's Generator.standard_normal (PCG64 + ziggurat, host) in one
run, with medians and ratios. The floor is writing the output once, 4 n bytes over memory
bandwidth (measured in the same run); Threefry costs ~100 integer ops per pair of outputs, so
on a CPU the bound is compute, not memory.

    python benchmarks/random_bench.py               # n = 10**7
    python benchmarks/random_bench.py --n 1000000 --repeat 10
"""
import argparse
import sys

import numpy as np

try:
    from benchmarks import harness
except ImportError:  # run as a script from benchmarks/
    import harness


def run(n=10 ** 7, repeat=7, warmup=1, out=None):
    """Runs the benchmark, prints a table, returns {case: median seconds} plus 'floor'."""
    import jax
    import jax.random as jr
    import jaxlike
    import jaxlike.random as random

    out = out or sys.stdout
    platform = harness.default_platform()
    print(f"random benchmark: {n:,} standard normals, float32, median of {repeat} "
          f"(interleaved rounds, {warmup} warmup)", file=out)
    print(f"machine: {harness.machine_description()}", file=out)
    print(f"jaxlike device: {jaxlike.devices()[0]}   jax device: {jax.devices()[0]}", file=out)
    bandwidth, how = harness.memory_bandwidth(platform)
    floor = 4 * n / bandwidth
    print(f"memory bandwidth: {bandwidth / 1e9:.1f} GB/s ({how}); floor = 4 n bytes / bandwidth "
          f"= {harness.fmt_time(floor)}", file=out)

    ours_key, jax_key = random.key(0), jr.key(0)
    ours_jit = jaxlike.jit(lambda k: random.normal(k, (n,)))
    jax_jit = jax.jit(lambda k: jr.normal(k, (n,)))
    rng = np.random.default_rng(0)

    same = np.array_equal(np.asarray(random.normal(ours_key, (n,))), np.asarray(jr.normal(jax_key, (n,))))
    print(f"jaxlike's samples equal jax's: {same}", file=out)

    cases = {
        "NumPy standard_normal (host)": lambda: rng.standard_normal(n, dtype=np.float32),
        "jaxlike.random.normal": lambda: random.normal(ours_key, (n,)),
        "jax.random.normal": lambda: jr.normal(jax_key, (n,)),
        "jaxlike.jit(normal)": lambda: ours_jit(ours_key),
        "jax.jit(normal)": lambda: jax_jit(jax_key),
    }
    times = harness.time_interleaved(cases, repeat=repeat, warmup=warmup)
    medians = {name: harness.median(t) for name, t in times.items()}

    peers = {"jaxlike.random.normal": "jax.random.normal", "jaxlike.jit(normal)": "jax.jit(normal)"}
    rows = []
    for name, t in medians.items():
        peer = peers.get(name)
        rows.append([name, harness.fmt_time(t), harness.fmt_time(min(times[name])),
                     f"{n / t / 1e6:.0f} M/s",
                     harness.fmt_ratio(t / medians[peer]) if peer else "",
                     harness.fmt_ratio(t / medians["NumPy standard_normal (host)"]),
                     harness.fmt_ratio(t / floor)])
    harness.print_table(["case", "median", "min", "rate", "vs jax peer", "vs NumPy", "vs floor"], rows, out)
    print(f"jaxlike / jax (eager) = {medians['jaxlike.random.normal'] / medians['jax.random.normal']:.2f}; "
          f"jaxlike / jax (jit) = {medians['jaxlike.jit(normal)'] / medians['jax.jit(normal)']:.2f}", file=out)
    return dict(medians, floor=floor)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10 ** 7, help="number of normals (default 10**7)")
    parser.add_argument("--repeat", type=int, default=7, help="timed rounds (default 7)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed calls per case first (default 1)")
    args = parser.parse_args(argv)
    run(args.n, args.repeat, args.warmup)


if __name__ == "__main__":
    main()
