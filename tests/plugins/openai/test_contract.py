"""The contract suite for both providers of tarash-openai."""

from __future__ import annotations

from tarash.tarash_gateway import _plugins
from tarash.tarash_gateway.models import (
    ImageGenerationConfig,
    ImageGenerationRequest,
    TTSRequest,
    VideoGenerationRequest,
)
from tarash.tarash_gateway.testing.contract import ContractCase, ProviderContractTests
from tests.plugins.openai.fake_openai import FakeOpenAIServer


class _OpenAIContract(ProviderContractTests):
    def make_server(self) -> FakeOpenAIServer:
        return FakeOpenAIServer(polls=2)

    def test_hooks_answer_none_for_other_providers(self) -> None:
        # The suite's own version omits ``config``, which tarash_map_fields declares
        # (hookspecs.py documents it); LoadedProvider.call then raises KeyError.
        # Same assertions, with every argument of the hook specification.
        loaded = _plugins.registry.providers[self.provider]
        other = f"not-{self.provider}"
        for modality, case in self.cases.items():
            assert (
                loaded.call(
                    "tarash_supports_modality", provider=other, model="m", modality=modality
                )
                is None
            )
            config = ImageGenerationConfig(provider=other)
            assert (
                loaded.call(
                    "tarash_map_fields",
                    provider=other,
                    model="m",
                    modality=modality,
                    request=case.request,
                    config=config,
                )
                is None
            )
            for hook in ("tarash_submit", "tarash_poll", "tarash_cancel"):
                impl = loaded.hooks[hook][0]
                assert impl(other, None, None) is None


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
        ),
    }
