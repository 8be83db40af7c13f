"""The plugin-author guide's example provider works against a fake of its API."""

import re
from pathlib import Path

from tarash.tarash_gateway import _plugins, generate_video
from tarash.tarash_gateway.models import VideoGenerationConfig, VideoGenerationRequest
from tarash.tarash_gateway.testing import FakeResponse, FakeServer

GUIDE = Path(__file__).parents[2] / "docs" / "plugins.md"


def test_acme_example_provider_end_to_end():
    (code,) = [
        b
        for b in re.findall(r"```python\n(.*?)```", GUIDE.read_text(), flags=re.S)
        if "class AcmeProvider" in b
    ]
    namespace: dict = {}
    exec(compile(code, str(GUIDE), "exec"), namespace)
    polls = []

    def status(request, job_id):
        polls.append(job_id)
        if len(polls) < 2:
            return FakeResponse.json({"status": "running", "progress": 40})
        return FakeResponse.json({"status": "succeeded", "url": "https://cdn.acme.example/v.mp4"})

    server = FakeServer()
    server.add_route("POST", "/v1/jobs", lambda request: FakeResponse.json({"id": "a1"}))
    server.add_route("GET", r"/v1/jobs/(?P<job_id>\w+)", status)
    _plugins.registry.register(namespace["plugin"], "acme-guide", distribution="tarash-acme")
    try:
        with server:
            config = VideoGenerationConfig(
                provider="acme", api_key="k", base_url=server.url, poll_interval=0.01
            )
            response = generate_video(config, VideoGenerationRequest(prompt="fox", style="noir"))
    finally:
        _plugins.registry.unregister("acme-guide")
    assert response.video == "https://cdn.acme.example/v.mp4" and response.model == "acme-1"
    assert server.last("POST", "/v1/jobs").json() == {
        "model": "acme-1",
        "prompt": "fox",
        "style": "noir",
    }
    assert server.last("POST", "/v1/jobs").headers["authorization"] == "Bearer k"
