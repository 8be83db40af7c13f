"""The examples of docs/providers/replicate.md run as written against the fake Replicate API."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.plugins.replicate.fake_replicate import FakeReplicateServer

PAGE = Path(__file__).parents[3] / "docs" / "providers" / "replicate.md"


def test_the_pages_examples_run_against_the_fake(
    replicate_server: FakeReplicateServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = "\n".join(re.findall(r"```python\n(.*?)```", PAGE.read_text(), flags=re.S))
    assert code.count('provider="replicate"') == 3
    code = re.sub(r", poll_interval=\d+", "", code)
    code = code.replace(
        'provider="replicate"',
        f'provider="replicate", base_url="{replicate_server.url}", poll_interval=0.01',
    )
    monkeypatch.setenv("REPLICATE_API_TOKEN", "r8_docs")
    monkeypatch.setenv("REPLICATE_WEBHOOK_SECRET", replicate_server.webhook_secret)
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    exec(compile(code, str(PAGE), "exec"), namespace)
    assert len(namespace["image"].images) == 2
    assert (tmp_path / "fox.mp4").read_bytes().startswith(b"\x00\x00\x00\x18ftyp")
    seedance = replicate_server.last("POST", r"/v1/models/bytedance/seedance-1-pro/predictions")
    assert seedance.json() == {
        "input": {"prompt": "a koi pond", "duration": 5, "camera_fixed": True}
    }
    # the webhook receiver of the page, fed a delivery signed as Replicate signs them
    delivery = json.dumps(
        {"id": "p1", "status": "succeeded", "output": "https://r/out.mp4", "logs": ""}
    ).encode()
    namespace["receive"](delivery, replicate_server.signed(delivery, "msg_p1"))
    assert "p1 https://r/out.mp4" in capsys.readouterr().out
