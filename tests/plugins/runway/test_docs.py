"""The examples of docs/providers/runway.md run as written against the fake Runway API."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.plugins.runway.fake_runway import FakeRunwayServer

PAGE = Path(__file__).parents[3] / "docs" / "providers" / "runway.md"


def test_the_pages_examples_run_against_the_fake(
    runway_server: FakeRunwayServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = "\n".join(re.findall(r"```python\n(.*?)```", PAGE.read_text(), flags=re.S))
    assert code.count('provider="runway"') >= 4
    code = re.sub(r", poll_interval=\d+", "", code)
    code = code.replace(
        'provider="runway"',
        f'provider="runway", base_url="{runway_server.url}", poll_interval=0.01',
    )
    monkeypatch.setenv("RUNWAYML_API_SECRET", "docs-key")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    exec(compile(code, str(PAGE), "exec"), namespace)
    assert (tmp_path / "hummingbird.mp4").read_bytes().startswith(b"\x00\x00\x00\x18ftyp")
    assert runway_server.last("POST", r"/v1/text_to_video").json()["ratio"] == "1080:1920"
    assert runway_server.count("POST", r"/v1/image_to_video") == 1
    assert namespace["speech"].audio and namespace["image"].images
