"""The fal plugin under the contract every provider plugin must pass."""

from __future__ import annotations

from tarash.tarash_gateway.models import (
    ImageGenerationRequest,
    TTSRequest,
    VideoGenerationRequest,
)
from tarash.tarash_gateway.testing.contract import ContractCase, JobScript, ProviderContractTests
from tests.plugins.fal.fake_fal import FakeFalServer


class TestFalContract(ProviderContractTests):
    provider = "fal"
    job_script = JobScript()  # failing_models / moderated_models
    cases = {
        "video": ContractCase(
            "fal-ai/veo3.1/fast",
            VideoGenerationRequest(prompt="a fox in the snow", duration_seconds=8),
            submit=("POST", r"/fal-ai/veo3\.1/fast"),
            poll=("GET", r"/fal-ai/veo3\.1/requests/[^/]+/status"),
            cancel=("PUT", r"/fal-ai/veo3\.1/requests/[^/]+/cancel"),
        ),
        "image": ContractCase(
            "fal-ai/flux/dev",
            ImageGenerationRequest(prompt="a fox in the snow"),
            submit=("POST", r"/fal-ai/flux/dev"),
        ),
        "tts": ContractCase(
            "fal-ai/minimax/speech-02-hd",
            TTSRequest(text="The contract holds.", voice_id="Wise_Woman"),
            submit=("POST", r"/fal-ai/minimax/speech-02-hd"),
        ),
    }

    def make_server(self) -> FakeFalServer:
        return FakeFalServer(polls=2)
