"""The contract suite for tarash-xai (images and speech at once, videos polled)."""

from __future__ import annotations

from tarash.tarash_gateway.models import (
    ImageGenerationRequest,
    TTSRequest,
    VideoGenerationRequest,
)
from tarash.tarash_gateway.testing import FakeServer
from tarash.tarash_gateway.testing.contract import (
    ContractCase,
    JobOutcome,
    ProviderContractTests,
)
from tests.plugins.xai.fake_xai import FakeXAIServer


class TestXAIContract(ProviderContractTests):
    provider = "xai"
    cases = {
        "image": ContractCase(
            "grok-imagine-image",
            ImageGenerationRequest(prompt="contract", n=2),
            submit=("POST", r"/v1/images/generations"),
        ),
        "video": ContractCase(
            "grok-imagine-video",
            VideoGenerationRequest(prompt="contract", duration_seconds=4),
            submit=("POST", r"/v1/videos/generations"),
            poll=("GET", r"/v1/videos/[0-9a-f-]{36}"),
        ),
        "tts": ContractCase(
            "grok-tts",
            TTSRequest(text="contract", voice_id="eve"),
            submit=("POST", r"/v1/tts"),
        ),
    }

    def make_server(self) -> FakeXAIServer:
        return FakeXAIServer(polls=2)

    def script_job(self, server: FakeServer, modality: str, outcome: JobOutcome) -> None:
        assert isinstance(server, FakeXAIServer) and modality == "video"
        if outcome == "forever":
            server.polls = 10**6
        elif outcome == "failed":
            server.outcome = "fail-job"
        elif outcome == "moderated":
            server.outcome = "moderation-output"
        else:
            server.polls = 4

    def config(self, modality: str, server: FakeXAIServer, **overrides):  # type: ignore[override]
        # xAI's base URL includes /v1, as its own SDK's does.
        return super().config(modality, server, **{"base_url": f"{server.url}/v1", **overrides})
