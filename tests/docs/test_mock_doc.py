"""docs/providers/mock.md runs as written: its Python blocks, its test, its commands."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest

from tests.cli.conftest import cli_env, command

DOC = Path(__file__).parents[2] / "docs" / "providers" / "mock.md"
TEXT = DOC.read_text()
PYTHON = re.findall(r"```python\n(.*?)```", TEXT, flags=re.S)
COMMANDS = [
    shlex.split(line)[1:]
    for block in re.findall(r"```bash\n(.*?)```", TEXT, flags=re.S)
    for line in block.splitlines()
    if line.startswith("tarash ")
]


def test_the_page_has_examples():
    assert len(PYTHON) == 3 and len(COMMANDS) == 2


@pytest.mark.parametrize("code", PYTHON, ids=[f"block{i}" for i in range(len(PYTHON))])
def test_python_block_runs_and_its_tests_pass(code, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FAL_KEY", raising=False)  # MockConfig needs no key
    namespace: dict[str, object] = {"__name__": "__docs__"}
    exec(compile(code, str(DOC), "exec"), namespace)
    for name, function in namespace.items():
        if name.startswith("test_") and callable(function):
            function()


def test_the_commands_run_slow_then_failing(tmp_path):
    slow, failing = COMMANDS
    codes = []
    for args in (slow, failing):
        done = subprocess.run(
            command(*args), cwd=tmp_path, env=cli_env(), capture_output=True, text=True, timeout=60
        )
        codes.append((done.returncode, done.stderr))

    assert codes[0][0] == 0, codes[0][1]
    assert (tmp_path / "slow-fox.mp4").read_bytes()[4:8] == b"ftyp"
    assert codes[1][0] == 3 and "mock: service unavailable" in codes[1][1]
