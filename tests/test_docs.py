"""The documentation's Python examples run: every ```python block of README.md and docs/*.md.

The blocks of one page run in order in one namespace, like a notebook. A block opts out with
`<!-- skip-test -->` on the nearest non-blank line before its opening fence (use sparingly:
for templates and fragments that are not meant to run). Errors point at the page's line.
"""
import pathlib
import re

import numpy as np
import pytest

import jaxlike

ROOT = pathlib.Path(__file__).resolve().parent.parent
SKIP_MARKER = "<!-- skip-test -->"
_FENCE = re.compile(r"^(\s*)```(\w*)\s*$")


def doc_pages():
    return [ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.md"))


def code_blocks(text, language="python"):
    """[(first line number (1-based) of the code, code, skipped)] for each fenced block of `language`."""
    blocks, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m or not m.group(2):
            i += 1
            continue
        indent, lang, start = m.group(1), m.group(2), i + 1
        end = start
        while end < len(lines) and not _FENCE.match(lines[end]):
            end += 1
        if lang == language:
            previous = next((lines[j].strip() for j in range(i - 1, -1, -1) if lines[j].strip()), "")
            body = "\n".join(line[len(indent):] if line.startswith(indent) else line for line in lines[start:end])
            blocks.append((start + 1, body, previous == SKIP_MARKER))
        i = end + 1
    return blocks


def _pages_with_code():
    return [p for p in doc_pages() if any(not skipped for _, _, skipped in code_blocks(p.read_text()))]


@pytest.mark.parametrize("page", _pages_with_code(), ids=lambda p: str(p.relative_to(ROOT)))
def test_doc_examples_run(page):
    namespace = {"__name__": f"doc_{page.stem}"}
    x64 = jaxlike.config.read("jax_enable_x64")
    try:
        for line, code, skipped in code_blocks(page.read_text()):
            if skipped:
                continue
            # Leading newlines make tracebacks report the line of the .md file.
            exec(compile("\n" * (line - 1) + code, str(page), "exec"), namespace)
    finally:
        jaxlike.config.update("jax_enable_x64", x64)


def test_readme_and_quickstart_have_examples():
    for page in (ROOT / "README.md", ROOT / "docs" / "quickstart.md"):
        assert any(not skipped for _, _, skipped in code_blocks(page.read_text())), page


def test_ci_runs_the_readme_commands():
    """.ci/run installs as the README says and runs the README's test command."""
    commands = [line.strip() for _, code, _ in code_blocks((ROOT / "README.md").read_text(), "bash")
                for line in code.splitlines() if line.strip()]
    install = next(c for c in commands if c.startswith("pip install"))
    test = next(c for c in commands if "pytest" in c)
    ci = (ROOT / ".ci" / "run").read_text()
    assert install.split("&&")[0].strip() in ci
    assert test in ci
    assert "python -m jaxlike.demo" in install


def test_code_block_parser():
    text = "intro\n```python\na = 1\n```\n\n<!-- skip-test -->\n\n```python\nraise SystemExit\n```\n```bash\nls\n```\n"
    assert code_blocks(text) == [(3, "a = 1", False), (9, "raise SystemExit", True)]
    assert code_blocks(text, "bash") == [(12, "ls", False)]
    ns = {}
    exec(code_blocks(text)[0][1], ns)
    assert ns["a"] == 1 and np.int64(ns["a"]) == 1
