"""The dependency boundary of DESIGN.md holds: jaxlike/ never imports jax or jaxlib, and
xla_bridge/ uses jax only for runtime glue. Checked with the shared tool
`<repo>/../shared/tools/check_boundary.py`."""
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
TOOL = ROOT.parent / "shared" / "tools" / "check_boundary.py"

needs_tool = pytest.mark.skipif(not TOOL.exists(), reason=f"boundary checker not found at {TOOL} "
                                "(it lives in the shared tools next to the repository)")


def _check(root):
    done = subprocess.run([sys.executable, str(TOOL), str(root)], capture_output=True, text=True, timeout=120)
    return done.returncode, done.stdout + done.stderr


@needs_tool
def test_no_boundary_breaches():
    code, output = _check(ROOT)
    assert code == 0 and "boundary: 0 breach(es)" in output, f"boundary breaches:\n{output}"


@needs_tool
def test_checker_catches_a_breach(tmp_path):
    """The check can fail: a jaxlike module importing jax, and xla_bridge using jax.numpy, are breaches."""
    (tmp_path / "jaxlike").mkdir()
    (tmp_path / "xla_bridge").mkdir()
    (tmp_path / "jaxlike" / "bad.py").write_text("def f():\n    import jax\n    return jax\n")
    (tmp_path / "xla_bridge" / "bad.py").write_text("import jax.numpy as jnp\n")
    code, output = _check(tmp_path)
    assert code == 1
    assert "boundary: 2 breach(es)" in output, output
