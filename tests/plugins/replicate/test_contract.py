"""The Replicate plugin under the contract every provider plugin must pass."""

from __future__ import annotations

from tarash.tarash_gateway.models import ImageGenerationRequest, VideoGenerationRequest
from tarash.tarash_gateway.testing import FakeServer
from tarash.tarash_gateway.testing.contract import (
    ContractCase,
    JobOutcome,
    ProviderContractTests,
)
from tests.plugins.replicate.fake_replicate import FakeReplicateServer


class TestReplicateContract(ProviderContractTests):
    provider = "replicate"
    cases = {
        "video": ContractCase(
            "google/veo-3.1-fast",
            VideoGenerationRequest(prompt="a fox in the snow", duration_seconds=8),
            submit=("POST", r"/v1/models/google/veo-3\.1-fast/predictions"),
            poll=("GET", r"/v1/predictions/[^/]+"),
            cancel=("POST", r"/v1/predictions/[^/]+/cancel"),
        ),
        "image": ContractCase(
            "black-forest-labs/flux-schnell",
            ImageGenerationRequest(prompt="a fox in the snow"),
            submit=("POST", r"/v1/models/black-forest-labs/flux-schnell/predictions"),
        ),
    }

    def make_server(self) -> FakeReplicateServer:
        return FakeReplicateServer(polls=2)

    def script_job(self, server: FakeServer, modality: str, outcome: JobOutcome) -> None:
        assert isinstance(server, FakeReplicateServer)
        model = self.cases[modality].model
        if outcome == "forever":
            server.polls = 10**6
        elif outcome == "failed":
            server.failing_models.add(model)
        elif outcome == "moderated":
            server.moderated_models.add(model)
        else:
            server.polls = 4
