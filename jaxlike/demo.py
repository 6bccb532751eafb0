"""A short tour of jaxlike: `python -m jaxlike.demo` (a few seconds; under 30 s on a 2-core CPU).

It shows the devices, runs the seed benchmark (`x + x*x + x*x*x`: NumPy, jaxlike.jit, jax.jit
and eager mode side by side), prints the IR that jit builds, and trains a small logistic
regression with `jaxlike.jit(jaxlike.grad(loss))`, printing the loss going down.

The size of the benchmark matrix comes from `main(size=...)` or the environment variable
JAXLIKE_DEMO_SIZE (default 2000); the test suite runs it at a tiny size.
"""
import os
import pathlib
import subprocess
import sys
import time

import numpy as np

import jaxlike
import jaxlike.numpy as jnp

DEFAULT_SIZE = 2000
_BENCHMARK = pathlib.Path(__file__).resolve().parent.parent / "benchmarks" / "seed_powers.py"


def powers(x):
    return x + x * x + x * x * x


# -- 1. devices ------------------------------------------------------------------------------

def show_devices(out):
    print(f"jaxlike {jaxlike.__version__}: default backend {jaxlike.default_backend()!r}, "
          f"devices {jaxlike.devices()}", file=out)


# -- 2. the seed benchmark ---------------------------------------------------------------------

def seed_benchmark(n, out, repeat=15):
    """Runs benchmarks/seed_powers.py (NumPy, jaxlike and jax side by side) at size n.

    The benchmark compares against jax, which the library itself never imports, so it runs in
    its own process. Installed without the repository's benchmarks/, a jaxlike-only version runs.
    """
    if not _BENCHMARK.exists():
        return _seed_benchmark_jaxlike_only(n, out, repeat)
    command = [sys.executable, str(_BENCHMARK), "--n", str(n), "--repeat", str(repeat), "--bandwidth-mib", "128"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=str(_BENCHMARK.parent.parent))
    print(done.stdout.rstrip(), file=out)
    if done.returncode != 0:
        print(f"(the benchmark failed with exit code {done.returncode}:)\n{done.stderr.rstrip()}", file=out)
    return done.returncode


def _seed_benchmark_jaxlike_only(n, out, repeat):
    x_np = np.random.default_rng(0).random((n, n), dtype=np.float32)
    x = jaxlike.device_put(x_np).block_until_ready()
    jitted = jaxlike.jit(powers)
    cases = {"NumPy": lambda: powers(x_np), "jaxlike.jit": lambda: jitted(x).block_until_ready(),
             "jaxlike eager": lambda: powers(x).block_until_ready()}
    print(f"seed benchmark: x + x*x + x*x*x, {n}x{n} float32, median of {repeat}", file=out)
    for name, fn in cases.items():
        fn()
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        print(f"  {name:14s} {np.median(times) * 1e3:9.3f} ms", file=out)
    return 0


# -- 3. the IR that jit builds -----------------------------------------------------------------

def show_jaxpr(out):
    print("jaxlike.make_jaxpr(powers)(x) for x: float32[3, 3]:", file=out)
    print(jaxlike.make_jaxpr(powers)(jnp.ones((3, 3), jnp.float32)), file=out)


# -- 4. logistic regression with jit(grad(loss)) ----------------------------------------------

def loss(params, X, y):
    """Mean logistic loss of a linear model (labels y in {0, 1}) plus a small L2 penalty."""
    logits = jnp.dot(X, params["w"]) + params["b"]
    signs = 2.0 * y - 1.0
    return jnp.mean(jnp.log(1.0 + jnp.exp(-signs * logits))) + 1e-3 * jnp.sum(params["w"] * params["w"])


def make_problem(n_samples=512, n_features=16, seed=0):
    """A linearly separable-ish classification problem: (X, y, initial params), NumPy float32."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features)).astype(np.float32)
    w_true = rng.standard_normal(n_features).astype(np.float32)
    y = (X @ w_true + 0.5 * rng.standard_normal(n_samples) > 0).astype(np.float32)
    params = {"w": np.zeros(n_features, np.float32), "b": np.zeros((), np.float32)}
    return X, y, params


def train(X, y, params, steps=100, learning_rate=0.5, print_every=20, out=None):
    """Gradient descent with a jitted gradient; returns (final params, [loss per step])."""
    grad_fn = jaxlike.jit(jaxlike.grad(loss))
    loss_fn = jaxlike.jit(loss)
    X, y = jnp.asarray(X), jnp.asarray(y)
    params = jaxlike.tree_util.tree_map(jnp.asarray, params)
    losses = []
    for step in range(steps + 1):
        value = float(loss_fn(params, X, y))
        losses.append(value)
        if out is not None and (step % print_every == 0 or step == steps):
            print(f"  step {step:4d}  loss {value:.5f}", file=out)
        if step == steps:
            break
        grads = grad_fn(params, X, y)
        params = jaxlike.tree_util.tree_map(lambda p, g: p - learning_rate * g, params, grads)
    return params, losses


def logistic_regression(out, steps=100):
    X, y, params = make_problem()
    print(f"logistic regression, {X.shape[0]} samples x {X.shape[1]} features, {steps} steps of gradient "
          "descent with jaxlike.jit(jaxlike.grad(loss)):", file=out)
    params, losses = train(X, y, params, steps=steps, out=out)
    accuracy = float(jnp.mean((jnp.dot(X, params["w"]) + params["b"] > 0) == (y > 0)))
    print(f"  training accuracy {accuracy:.1%}", file=out)
    return {"X": X, "y": y, "params": params, "losses": losses, "accuracy": accuracy}


# -- main ------------------------------------------------------------------------------------

def main(size=None, steps=100, out=None):
    """Runs the tour; `size` is the benchmark's matrix side. Returns the training results."""
    out = out or sys.stdout
    size = int(size or os.environ.get("JAXLIKE_DEMO_SIZE") or DEFAULT_SIZE)
    start = time.perf_counter()
    print("== devices", file=out)
    show_devices(out)
    print("\n== seed benchmark", file=out)
    status = seed_benchmark(size, out)
    print("\n== the IR jit builds", file=out)
    show_jaxpr(out)
    print("\n== training", file=out)
    result = logistic_regression(out, steps=steps)
    print(f"\ndone in {time.perf_counter() - start:.1f} s", file=out)
    result["benchmark_status"] = status
    return result


if __name__ == "__main__":
    main()
