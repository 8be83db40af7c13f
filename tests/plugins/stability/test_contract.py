"""The contract suite for tarash-stability."""

from __future__ import annotations

import pytest

from tarash.tarash_gateway.models import ImageGenerationRequest
from tarash.tarash_gateway.testing import FakeServer
from tarash.tarash_gateway.testing.contract import (
    ContractCase,
    JobOutcome,
    ProviderContractTests,
)
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
            poll=("GET", r"/v2beta/results/[0-9a-f]+"),
        )
    }

    def script_job(self, server: FakeServer, modality: str, outcome: JobOutcome) -> None:
        assert isinstance(server, FakeStabilityServer)
        if outcome == "forever":
            server.polls = 10**6
        elif outcome == "moderated":
            server.outcome = "content-filtered"
        else:
            # GET /v2beta/results/{id} answers 202 {id, status: "in-progress"} and then the
            # image: Stability documents no failed state and reports no progress.
            pytest.skip(f"Stability's results endpoint has no {outcome!r} state")
