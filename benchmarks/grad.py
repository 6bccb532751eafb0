"""Gradient benchmark: jit(grad(loss)) of a 3-layer MLP (512 wide, batch 128), jaxlike vs jax in one run.

Prints the median step time and the first-call trace+compile time of each, and their ratios.

    python benchmarks/grad.py                  # width 512, batch 128
    python benchmarks/grad.py --width 64 --batch 8 --repeat 3
"""
import argparse
import time

import numpy as np

try:
    from benchmarks import harness
except ImportError:  # run as a script from benchmarks/
    import harness


def mlp_loss(np_):
    def loss(params, x, y):
        h = x
        for w, b in params[:-1]:
            h = np_.tanh(h @ w + b)
        w, b = params[-1]
        return np_.mean((h @ w + b - y) ** 2)
    return loss


def make_params(width, n_in, n_out, rng):
    sizes = [n_in, width, width, n_out]
    return [(rng.standard_normal((a, b)).astype(np.float32) / np.sqrt(a), np.zeros(b, np.float32))
            for a, b in zip(sizes[:-1], sizes[1:])]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=512)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--number", type=int, default=10)
    args = parser.parse_args(argv)

    import jax
    import jax.numpy as jjnp
    import jaxlike
    import jaxlike.numpy as jnp

    rng = np.random.default_rng(0)
    params = make_params(args.width, args.width, 10, rng)
    x = rng.standard_normal((args.batch, args.width)).astype(np.float32)
    y = rng.standard_normal((args.batch, 10)).astype(np.float32)
    ours_args = jaxlike.device_put((params, x, y))
    jax_args = jax.device_put((params, x, y))

    compile_times = {}
    steps = {}
    for name, lib, np_, a in (("jaxlike", jaxlike, jnp, ours_args), ("jax", jax, jjnp, jax_args)):
        step = lib.jit(lib.grad(mlp_loss(np_)))
        start = time.perf_counter()
        harness.block(lib.tree_util.tree_leaves(step(*a)))
        compile_times[name] = time.perf_counter() - start
        steps[name] = (lambda step=step, a=a, lib=lib: lib.tree_util.tree_leaves(step(*a)))

    g_ours = jaxlike.tree_util.tree_leaves(steps["jaxlike"]())
    g_jax = jax.tree_util.tree_leaves(steps["jax"]())
    max_diff = max(float(np.max(np.abs(np.asarray(a) - np.asarray(b)))) for a, b in zip(g_ours, g_jax))

    times = harness.time_interleaved(steps, repeat=args.repeat, number=args.number)
    med = {k: harness.median(v) for k, v in times.items()}
    print(harness.machine_description())
    print(f"MLP: 3 layers of {args.width}, batch {args.batch}; max |grad difference| vs jax = {max_diff:.2e}")
    rows = [[name, harness.fmt_time(med[name]), harness.fmt_ratio(med[name] / med["jax"]),
             harness.fmt_time(compile_times[name]), harness.fmt_ratio(compile_times[name] / compile_times["jax"])]
            for name in ("jaxlike", "jax")]
    harness.print_table(["case", "jit(grad) step", "vs jax", "trace+compile", "vs jax"], rows)
    return med, compile_times


if __name__ == "__main__":
    main()
