"""Every python block of the migration page runs as written (offline: mock and a handler)."""

import re
from pathlib import Path

import pytest

PAGE = Path(__file__).parents[2] / "docs" / "migrating.md"
BLOCKS = re.findall(r"```python\n(.*?)```", PAGE.read_text(), flags=re.S)


def test_the_page_has_examples():
    assert len(BLOCKS) >= 3


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_migration_example_runs(code, capsys):
    exec(compile(code, str(PAGE), "exec"), {"__name__": "__docs__"})
    assert capsys.readouterr().out  # every example shows its result


def test_the_custom_provider_example_wraps_foreign_errors(capsys):
    (code,) = [block for block in BLOCKS if "class InHouse" in block]
    exec(compile(code, str(PAGE), "exec"), {"__name__": "__docs__"})
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "https://cdn.example/v.mp4",
        "in-house [in-house] unknown error while generating video: RuntimeError: renderer offline",
    ]
