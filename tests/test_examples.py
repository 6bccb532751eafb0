"""The examples run: examples/convnet.py trains at its tiny size and its loss goes down."""
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_convnet_loss_decreases():
    result = subprocess.run([sys.executable, str(ROOT / "examples" / "convnet.py"), "--size", "tiny"],
                            capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    losses = [float(v) for v in re.findall(r"step\s+\d+\s+loss\s+([0-9.]+)", result.stdout)]
    assert len(losses) >= 5, result.stdout
    first, last = losses[0], min(losses[-3:])
    assert last < 0.75 * first, f"loss did not go down: {losses}"
    accuracy = float(re.search(r"test accuracy ([0-9.]+)", result.stdout).group(1))
    assert accuracy > 1 / 4, result.stdout  # better than chance over four classes
