"""`python -m jaxlike.demo` works, at a tiny size: sections print, the loss goes down, and the
training run matches the same gradient descent done with jax."""
import io
import os
import pathlib
import subprocess
import sys

import jax
import jax.numpy as jjnp
import numpy as np

from jaxlike import demo

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _jax_training(X, y, params, steps, learning_rate=0.5):
    """The demo's loss and update, written with jax (the oracle)."""
    def loss(p, X, y):
        logits = X @ p["w"] + p["b"]
        signs = 2.0 * y - 1.0
        return jjnp.mean(jjnp.log(1.0 + jjnp.exp(-signs * logits))) + 1e-3 * jjnp.sum(p["w"] * p["w"])
    grad_fn = jax.jit(jax.grad(loss))
    p = {k: jjnp.asarray(v) for k, v in params.items()}
    losses = []
    for step in range(steps + 1):
        losses.append(float(loss(p, X, y)))
        if step < steps:
            g = grad_fn(p, X, y)
            p = {k: p[k] - learning_rate * g[k] for k in p}
    return p, losses


def test_demo_main_tiny():
    out = io.StringIO()
    result = demo.main(size=32, steps=30, out=out)
    text = out.getvalue()
    for heading in ("== devices", "== seed benchmark", "== the IR jit builds", "== training"):
        assert heading in text, text
    assert result["benchmark_status"] == 0, text
    assert "jaxlike.jit / jax.jit =" in text and "WARNING" not in text, text
    assert "mul" in text and "add" in text  # the printed jaxpr

    losses = result["losses"]
    assert len(losses) == 31
    assert losses[0] > losses[-1] and losses[-1] < 0.6 * losses[0], losses
    assert all(b <= a + 1e-6 for a, b in zip(losses, losses[1:])), losses  # gradient descent, small steps
    assert result["accuracy"] > 0.8

    init = demo.make_problem()[2]
    jax_params, jax_losses = _jax_training(result["X"], result["y"], init, steps=30)
    np.testing.assert_allclose(losses, jax_losses, rtol=2e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(result["params"]["w"]), np.asarray(jax_params["w"]), rtol=1e-4,
                               atol=1e-5)


def test_demo_command():
    env = dict(os.environ, JAXLIKE_DEMO_SIZE="16",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    done = subprocess.run([sys.executable, "-m", "jaxlike.demo"], capture_output=True, text=True, env=env,
                          cwd=str(ROOT), timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "16x16 float32" in done.stdout, done.stdout
    assert "training accuracy" in done.stdout and "done in" in done.stdout, done.stdout


def test_demo_without_the_benchmarks_directory(monkeypatch):
    """Installed without the repository's benchmarks/, the demo times jaxlike against NumPy itself."""
    monkeypatch.setattr(demo, "_BENCHMARK", ROOT / "no-such-dir" / "seed_powers.py")
    out = io.StringIO()
    assert demo.seed_benchmark(16, out, repeat=2) == 0
    text = out.getvalue()
    assert "16x16 float32" in text
    for case in ("NumPy", "jaxlike.jit", "jaxlike eager"):
        assert case in text, text
