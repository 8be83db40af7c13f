"""The fal plugin under the contract every provider plugin must pass."""

from __future__ import annotations

from tarash.tarash_gateway.models import ImageGenerationRequest, VideoGenerationRequest
from tarash.tarash_gateway.testing.contract import ContractCase, ProviderContractTests
from tests.plugins.fal.fake_fal import FakeFalServer


class TestFalContract(ProviderContractTests):
    provider = "fal"
    cases = {
        "video": ContractCase(
            "fal-ai/veo3.1/fast",
            VideoGenerationRequest(prompt="a fox in the snow", duration_seconds=8),
            submit=("POST", r"/fal-ai/veo3\.1/fast"),
        ),
        "image": ContractCase(
            "fal-ai/flux/dev",
            ImageGenerationRequest(prompt="a fox in the snow"),
            submit=("POST", r"/fal-ai/flux/dev"),
        ),
    }

    def make_server(self) -> FakeFalServer:
        return FakeFalServer(polls=2)
