"""The Replicate plugin under the contract every provider plugin must pass."""

from __future__ import annotations

from tarash.tarash_gateway.models import ImageGenerationRequest, VideoGenerationRequest
from tarash.tarash_gateway.testing.contract import ContractCase, JobScript, ProviderContractTests
from tests.plugins.replicate.fake_replicate import FakeReplicateServer


class TestReplicateContract(ProviderContractTests):
    provider = "replicate"
    job_script = JobScript()  # failing_models / moderated_models
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
