"""The contract suite for both providers of tarash-openai."""

from __future__ import annotations

from tarash.tarash_gateway import _plugins
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
from tests.plugins.openai.fake_openai import FakeOpenAIServer


class _OpenAIContract(ProviderContractTests):
    def make_server(self) -> FakeOpenAIServer:
        return FakeOpenAIServer(polls=2)

    def script_job(self, server: FakeServer, modality: str, outcome: JobOutcome) -> None:
        assert isinstance(server, FakeOpenAIServer) and modality == "video"
        if outcome == "forever":
            server.polls = 10**6
        elif outcome == "failed":
            server.outcome = "fail-job"
        elif outcome == "moderated":
            server.outcome = "moderation-output"
        else:
            server.polls = 4

    def test_flow_hooks_answer_none_for_other_providers(self) -> None:
        loaded = _plugins.registry.providers[self.provider]
        other = f"not-{self.provider}"
        for hook in ("tarash_submit", "tarash_poll", "tarash_cancel"):
            function, argnames = loaded.hooks[hook]
            assert argnames[0] == "provider"
            assert function(other, None, None) is None


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
