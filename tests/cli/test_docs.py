"""Every `-p mock` command and the Python example of docs/cli.md run as written."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

from tests.cli.conftest import cli_env, command

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(), flags=re.DOTALL)


def mock_commands() -> list[tuple[list[str], str | None]]:
    found = []
    for block in blocks("bash"):
        for line in block.splitlines():
            stdin = None
            if " | tarash " in line:
                producer, _, line = line.partition(" | ")
                words = shlex.split(producer)
                assert words[0] == "echo", producer
                stdin = " ".join(words[1:]) + "\n"
            words = shlex.split(line)
            if words[:1] == ["tarash"] and ("mock" in words or words[1:2] == ["providers"]):
                found.append((words[1:], stdin))
    return found


def test_the_doc_has_runnable_examples():
    assert len(mock_commands()) >= 8


def test_every_mock_command_of_the_doc_runs(tmp_path):
    for args, stdin in mock_commands():
        done = subprocess.run(
            command(*args),
            cwd=tmp_path,
            env=cli_env(),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, (args, done.stderr)
    for name in (
        "fox.mp4",
        "lighthouse.png",
        "lighthouse-2.png",
        "hello.wav",
        "narrator.mp3",
        "portrait-fox.mp4",
    ):
        assert (tmp_path / name).stat().st_size > 0, name


def test_the_python_example_runs(tmp_path):
    (code,) = blocks("python")
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=cli_env(), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "fox.mp4").read_bytes()[4:8] == b"ftyp"
    written = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.png")}
    assert written == {"cat.png", "cat-2.png", "shots/cat.png", "shots/cat-2.png", "first.png"}
