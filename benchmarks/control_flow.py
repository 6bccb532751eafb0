"""Control-flow benchmark: jit(grad) of a scan-based RNN loss over 100 steps, jaxlike vs jax in one run.

    python benchmarks/control_flow.py
    python benchmarks/control_flow.py --steps 10 --hidden 16 --repeat 3
"""
import argparse

import numpy as np

try:
    from benchmarks import harness
except ImportError:  # run as a script from benchmarks/
    import harness


def rnn_loss(lib, np_):
    def loss(params, xs, target):
        w_h, w_x, b = params

        def step(h, x):
            h = np_.tanh(h @ w_h + x @ w_x + b)
            return h, np_.sum(h)

        h, outs = lib.lax.scan(step, np_.zeros(w_h.shape[0], w_h.dtype), xs)
        return np_.mean((h - target) ** 2) + 1e-3 * np_.sum(outs)
    return loss


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)

    import jax
    import jax.numpy as jjnp
    import jaxlike
    import jaxlike.numpy as jnp

    rng = np.random.default_rng(0)
    n = args.hidden
    params = (rng.standard_normal((n, n)).astype(np.float32) / np.sqrt(n),
              rng.standard_normal((16, n)).astype(np.float32) / 4, np.zeros(n, np.float32))
    xs = rng.standard_normal((args.steps, 16)).astype(np.float32)
    target = rng.standard_normal(n).astype(np.float32)
    ours = jaxlike.device_put((params, xs, target))
    theirs = jax.device_put((params, xs, target))
    f_ours = jaxlike.jit(jaxlike.value_and_grad(rnn_loss(jaxlike, jnp)))
    f_jax = jax.jit(jax.value_and_grad(rnn_loss(jax, jjnp)))
    cases = {"jaxlike": lambda: jaxlike.tree_util.tree_leaves(f_ours(*ours)),
             "jax": lambda: jax.tree_util.tree_leaves(f_jax(*theirs))}
    diff = max(float(np.max(np.abs(np.asarray(a) - np.asarray(b))))
               for a, b in zip(cases["jaxlike"](), cases["jax"]()))
    times = harness.time_interleaved(cases, repeat=args.repeat, number=5)
    med = {k: harness.median(v) for k, v in times.items()}
    print(harness.machine_description())
    print(f"scan RNN: {args.steps} steps, hidden {n}; max |difference| vs jax (loss and grads) = {diff:.2e}")
    harness.print_table(["case", "jit(value_and_grad)", "vs jax"],
                        [[k, harness.fmt_time(v), harness.fmt_ratio(v / med["jax"])] for k, v in med.items()])
    return med


if __name__ == "__main__":
    main()
