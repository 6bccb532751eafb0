"""Per-example gradients of an MLP loss for a batch of 256: jit(vmap(grad)) vs a Python loop vs jax, one run.

    python benchmarks/per_example_grads.py
    python benchmarks/per_example_grads.py --batch 16 --width 32 --repeat 3
"""
import argparse

import numpy as np

try:
    from benchmarks import harness
except ImportError:  # run as a script from benchmarks/
    import harness


def example_loss(np_):
    def loss(params, x, y):
        (w1, b1), (w2, b2) = params
        h = np_.tanh(x @ w1 + b1)
        return np_.sum((h @ w2 + b2 - y) ** 2)
    return loss


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--width", type=int, default=128)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--loop-repeat", type=int, default=2)
    args = parser.parse_args(argv)

    import jax
    import jax.numpy as jjnp
    import jaxlike
    import jaxlike.numpy as jnp

    rng = np.random.default_rng(0)
    w, n_in, n_out = args.width, 32, 4
    params = [(rng.standard_normal((n_in, w)).astype(np.float32) / 6, np.zeros(w, np.float32)),
              (rng.standard_normal((w, n_out)).astype(np.float32) / 11, np.zeros(n_out, np.float32))]
    xs = rng.standard_normal((args.batch, n_in)).astype(np.float32)
    ys = rng.standard_normal((args.batch, n_out)).astype(np.float32)
    ours = jaxlike.device_put((params, xs, ys))
    theirs = jax.device_put((params, xs, ys))

    vmapped = jaxlike.jit(jaxlike.vmap(jaxlike.grad(example_loss(jnp)), in_axes=(None, 0, 0)))
    jax_vmapped = jax.jit(jax.vmap(jax.grad(example_loss(jjnp)), in_axes=(None, 0, 0)))
    one = jaxlike.jit(jaxlike.grad(example_loss(jnp)))

    jax_one = jax.jit(jax.grad(example_loss(jjnp)))

    def loop():
        p, x, y = ours
        return [one(p, x[i], y[i]) for i in range(args.batch)]

    def jax_loop():
        p, x, y = theirs
        return [jax_one(p, x[i], y[i]) for i in range(args.batch)]

    cases = {
        "jaxlike jit(vmap(grad))": lambda: jaxlike.tree_util.tree_leaves(vmapped(*ours)),
        "jax jit(vmap(grad))": lambda: jax.tree_util.tree_leaves(jax_vmapped(*theirs)),
    }
    g_ours = cases["jaxlike jit(vmap(grad))"]()
    g_jax = cases["jax jit(vmap(grad))"]()
    max_diff = max(float(np.max(np.abs(np.asarray(a) - np.asarray(b)))) for a, b in zip(g_ours, g_jax))
    times = harness.time_interleaved(cases, repeat=args.repeat, number=5)
    loop_times = harness.time_calls(lambda: jaxlike.tree_util.tree_leaves(loop()), repeat=args.loop_repeat)
    jax_loop_times = harness.time_calls(lambda: jax.tree_util.tree_leaves(jax_loop()), repeat=args.loop_repeat)
    med = {k: harness.median(v) for k, v in times.items()}
    med["jaxlike Python loop of jit(grad)"] = harness.median(loop_times)
    med["jax Python loop of jit(grad)"] = harness.median(jax_loop_times)
    base = med["jax jit(vmap(grad))"]
    ours_v = med["jaxlike jit(vmap(grad))"]
    print(harness.machine_description())
    print(f"batch {args.batch}, MLP {n_in}-{w}-{n_out}; max |grad difference| vs jax = {max_diff:.2e}")
    rows = [[name, harness.fmt_time(t), harness.fmt_ratio(t / base), harness.fmt_ratio(t / ours_v)]
            for name, t in med.items()]
    harness.print_table(["case", "median", "vs jax vmap", "vs jaxlike vmap"], rows)
    return med


if __name__ == "__main__":
    main()
