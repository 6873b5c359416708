"""The README's Python examples run as written (from the repository's folder), with ``import oncotrial as ot``."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT


def _python_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [part.split("```", 1)[0] for part in text.split("```python")[1:]]


def test_the_readme_has_python_examples_that_use_the_flat_api() -> None:
    blocks = _python_blocks()
    assert blocks
    assert all("import oncotrial as ot" in block for block in blocks)


@pytest.mark.parametrize("block", _python_blocks())
def test_a_readme_python_example_runs(
    block: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    exec(compile(block, "README.md", "exec"), {})  # the README's own example
    assert capsys.readouterr().out.strip()
