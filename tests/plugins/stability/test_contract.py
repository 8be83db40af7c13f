"""The contract suite for tarash-stability."""

from __future__ import annotations

from tarash.tarash_gateway.models import ImageGenerationRequest
from tarash.tarash_gateway.testing.contract import ContractCase, ProviderContractTests
from tests.plugins.stability.fake_stability import FakeStabilityServer


class TestStabilityContract(ProviderContractTests):
    provider = "stability"
    cases = {
        "image": ContractCase(
            "stable-image-core",
            ImageGenerationRequest(prompt="contract", aspect_ratio="1:1"),
            submit=("POST", r"/v2beta/stable-image/generate/core"),
        )
    }

    def make_server(self) -> FakeStabilityServer:
        return FakeStabilityServer()


class TestStabilityAsyncContract(TestStabilityContract):
    """The asynchronous endpoint (creative upscale) under the same contract."""

    cases = {
        "image": ContractCase(
            "stable-image-upscale-creative",
            ImageGenerationRequest(
                prompt="contract",
                image_list=[
                    {
                        "image": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC",
                        "type": "reference",
                    }
                ],
            ),
            submit=("POST", r"/v2beta/stable-image/upscale/creative"),
        )
    }
