"""Seed benchmark: `x + x*x + x*x*x` on an n x n float32 matrix.

NumPy, jaxlike.jit, jax.jit, jaxlike eager and jax eager (and PyTorch eager where installed) in
one run, with medians, ratios and the floor set by memory bandwidth (measured in the same run):
a fused kernel reads x once and writes the result once, 2 * 4 * n^2 bytes.

    python benchmarks/seed_powers.py            # n = 10000
    python benchmarks/seed_powers.py --n 4000 --repeat 10
"""
import argparse
import sys

import numpy as np

try:
    from benchmarks import harness
except ImportError:  # run as a script from benchmarks/
    import harness


def powers(x):
    return x + x * x + x * x * x


def run(n=10000, repeat=7, warmup=1, bandwidth_bytes=None, out=None):
    """Runs the benchmark, prints a table, returns {case: median seconds} plus 'floor' and 'bandwidth'."""
    import jax
    import jaxlike

    out = out or sys.stdout
    platform = harness.default_platform()
    print(f"seed benchmark: x + x*x + x*x*x, {n}x{n} float32, median of {repeat} "
          f"(interleaved rounds, {warmup} warmup)", file=out)
    print(f"machine: {harness.machine_description()}", file=out)
    print(f"jaxlike device: {jaxlike.devices()[0]}   jax device: {jax.devices()[0]}", file=out)

    bandwidth, how = harness.memory_bandwidth(platform, bandwidth_bytes)
    floor = 2 * 4 * n * n / bandwidth
    print(f"memory bandwidth: {bandwidth / 1e9:.1f} GB/s ({how}); floor = 8 n^2 bytes / bandwidth "
          f"= {harness.fmt_time(floor)}", file=out)

    x_np = np.random.default_rng(0).random((n, n), dtype=np.float32)
    x_jax = harness.block(jax.device_put(x_np))
    x_ours = harness.block(jaxlike.device_put(x_np))
    ours_jit, jax_jit = jaxlike.jit(powers), jax.jit(powers)

    expected = powers(x_np)
    for name, got in (("jaxlike.jit", ours_jit(x_ours)), ("jaxlike eager", powers(x_ours))):
        err = float(np.max(np.abs(np.asarray(got) - expected)))
        if not err <= 1e-5 * float(np.max(np.abs(expected))):
            print(f"WARNING: {name} differs from NumPy by {err:g}", file=out)
    del expected

    cases = {
        "NumPy (host)": lambda: powers(x_np),
        "jaxlike.jit": lambda: ours_jit(x_ours),
        "jax.jit": lambda: jax_jit(x_jax),
        "jaxlike eager": lambda: powers(x_ours),
        "jax eager": lambda: powers(x_jax),
    }
    # The same kernels writing into their donated input: no fresh output buffer per call. On a CPU
    # most of a jitted call's time can be the kernel mapping fresh pages for the output.
    cases["jaxlike.jit donated"] = _donating(jaxlike.jit(powers, donate_argnums=0), jaxlike.device_put(x_np))
    cases["jax.jit donated"] = _donating(jax.jit(powers, donate_argnums=0), jax.device_put(x_np))
    torch_case = _torch_case(x_np, platform)
    if torch_case is not None:
        cases["torch eager"] = torch_case
    times = harness.time_interleaved(cases, repeat=repeat, warmup=warmup)
    medians = {name: harness.median(t) for name, t in times.items()}

    peers = {"jaxlike.jit": "jax.jit", "jaxlike eager": "jax eager", "jaxlike.jit donated": "jax.jit donated"}
    rows = []
    for name, t in medians.items():
        peer = peers.get(name)
        rows.append([name, harness.fmt_time(t), harness.fmt_time(min(times[name])),
                     harness.fmt_ratio(t / medians["jax.jit"]),
                     harness.fmt_ratio(t / medians[peer]) if peer else "",
                     harness.fmt_ratio(t / floor)])
    rows.append(["floor (bandwidth)", harness.fmt_time(floor), "", harness.fmt_ratio(floor / medians["jax.jit"]),
                 "", "1.00x"])
    harness.print_table(["case", "median", "min", "vs jax.jit", "vs jax peer", "vs floor"], rows, out)

    ratio = medians["jaxlike.jit"] / medians["jax.jit"]
    print(f"jaxlike.jit / jax.jit = {ratio:.2f} (target <= 1.1: {'met' if ratio <= 1.1 else 'NOT met'}); "
          f"jaxlike eager / jax eager = {medians['jaxlike eager'] / medians['jax eager']:.2f}", file=out)
    return dict(medians, floor=floor, bandwidth=bandwidth)


def _donating(fn, x):
    """A case that feeds each call's output back as the next call's (donated) input."""
    state = [harness.block(x)]

    def run():
        state[0] = fn(state[0])
        return state[0]
    return run


def _torch_case(x_np, platform):
    """PyTorch eager on the same device kind, when torch is installed (it is not a dependency)."""
    try:
        import torch
    except ImportError:
        return None
    if platform == "gpu":
        if not torch.cuda.is_available():
            return None
        x = torch.from_numpy(x_np).cuda()

        def run():
            out = powers(x)
            torch.cuda.synchronize()
            return out
        return run
    x = torch.from_numpy(x_np.copy())
    return lambda: powers(x)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10000, help="matrix side (default 10000)")
    parser.add_argument("--repeat", type=int, default=7, help="timed rounds (default 7)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed calls per case first (default 1)")
    parser.add_argument("--bandwidth-mib", type=int, default=None,
                        help="size of the bandwidth-measuring copy in MiB (default 512 on CPU, 1024 on GPU)")
    args = parser.parse_args(argv)
    run(args.n, args.repeat, args.warmup,
        args.bandwidth_mib * 2**20 if args.bandwidth_mib else None)


if __name__ == "__main__":
    main()
