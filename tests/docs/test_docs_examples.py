"""Every python block of the user guide runs as written (offline, mock provider)."""

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).parents[2] / "docs"
GUIDE = DOCS / "index.md"
BLOCKS = re.findall(r"```python\n(.*?)```", GUIDE.read_text(), flags=re.S)
STREAMING = re.findall(r"```python\n(.*?)```", (DOCS / "streaming.md").read_text(), flags=re.S)


def test_the_guide_has_examples():
    assert len(BLOCKS) >= 6


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_guide_example_runs(code, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    exec(compile(code, str(GUIDE), "exec"), {"__name__": "__docs__"})


@pytest.mark.parametrize("code", STREAMING, ids=[f"block{i}" for i in range(len(STREAMING))])
def test_streaming_example_runs(code, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    exec(compile(code, str(DOCS / "streaming.md"), "exec"), {"__name__": "__docs__"})


def test_streaming_cli_examples_run(tmp_path):
    import shlex
    import subprocess

    from tests.cli.conftest import cli_env, command

    (block,) = re.findall(r"```bash\n(.*?)```", (DOCS / "streaming.md").read_text(), flags=re.S)
    for line in block.splitlines():
        words = shlex.split(line)
        target = None
        if ">" in words:
            words, target = words[: words.index(">")], words[-1]
        done = subprocess.run(
            command(*words[1:]), cwd=tmp_path, env=cli_env(), capture_output=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        if target:
            (tmp_path / target).write_bytes(done.stdout)
    assert (tmp_path / "hello.wav").read_bytes()[:4] == b"RIFF"
    assert (tmp_path / "hello.mp3").stat().st_size > 0
