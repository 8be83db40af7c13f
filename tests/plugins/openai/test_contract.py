"""The contract suite for both providers of tarash-openai."""

from __future__ import annotations

from tarash.tarash_gateway.models import (
    ImageGenerationRequest,
    TTSRequest,
    VideoGenerationRequest,
)
from tarash.tarash_gateway.testing.contract import ContractCase, JobScript, ProviderContractTests
from tests.plugins.openai.fake_openai import FakeOpenAIServer


class _OpenAIContract(ProviderContractTests):
    job_script = JobScript(failed="fail-job", moderated="moderation-output")

    def make_server(self) -> FakeOpenAIServer:
        return FakeOpenAIServer(polls=2)


class TestOpenAIContract(_OpenAIContract):
    provider = "openai"
    cases = {
        "image": ContractCase(
            "gpt-image-1",
            ImageGenerationRequest(prompt="contract", size="1024x1024"),
            submit=("POST", r"/images/generations"),
        ),
        "tts": ContractCase(
            "gpt-4o-mini-tts",
            TTSRequest(text="contract", voice_id="alloy"),
            submit=("POST", r"/audio/speech"),
        ),
        "video": ContractCase(
            "sora-2",
            VideoGenerationRequest(prompt="contract", duration_seconds=4),
            submit=("POST", r"/videos"),
            poll=("GET", r"/videos/[^/]+"),
            cancel=("DELETE", r"/videos/[^/]+"),
        ),
    }


class TestAzureOpenAIContract(_OpenAIContract):
    provider = "azure-openai"
    cases = {
        "image": ContractCase(
            "gpt-image-1",
            ImageGenerationRequest(prompt="contract"),
            submit=("POST", r"/openai/v1/images/generations"),
        ),
        "tts": ContractCase(
            "tts-prod",
            TTSRequest(text="contract", voice_id="nova"),
            submit=("POST", r"/openai/deployments/tts-prod/audio/speech"),
            config={"api_version": "2025-04-01-preview"},
        ),
        "video": ContractCase(
            "sora-2",
            VideoGenerationRequest(prompt="contract"),
            submit=("POST", r"/openai/videos"),
            config={"api_version": "preview", "provider_config": {"api_style": "deployments"}},
            poll=("GET", r"/openai/videos/[^/]+"),
            cancel=("DELETE", r"/openai/videos/[^/]+"),
        ),
    }
