"""The contract suite for tarash-xai (images and speech at once, videos polled)."""

from __future__ import annotations

from tarash.tarash_gateway.models import (
    ImageGenerationRequest,
    TTSRequest,
    VideoGenerationRequest,
)
from tarash.tarash_gateway.testing.contract import ContractCase, JobScript, ProviderContractTests
from tests.plugins.xai.fake_xai import FakeXAIServer


class TestXAIContract(ProviderContractTests):
    provider = "xai"
    base_path = "/v1"  # xAI's base URL includes /v1, as its own SDK's does
    job_script = JobScript(failed="fail-job", moderated="moderation-output")
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
