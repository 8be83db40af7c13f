"""The Runway plugin under the contract every provider plugin must pass."""

from __future__ import annotations

from tarash.tarash_gateway.models import (
    ImageGenerationRequest,
    STSRequest,
    TTSRequest,
    VideoGenerationRequest,
)
from tarash.tarash_gateway.testing.contract import ContractCase, JobScript, ProviderContractTests
from tests.plugins.runway.fake_runway import MP3_STUB, FakeRunwayServer


class TestRunwayContract(ProviderContractTests):
    provider = "runway"
    job_script = JobScript()  # failing_models / moderated_models
    cases = {
        "video": ContractCase(
            "gen4.5",
            VideoGenerationRequest(prompt="a fox in the snow", duration_seconds=5),
            submit=("POST", r"/v1/text_to_video"),
            poll=("GET", r"/v1/tasks/[^/]+"),
            cancel=("DELETE", r"/v1/tasks/[^/]+"),
        ),
        "image": ContractCase(
            "gen4_image",
            ImageGenerationRequest(prompt="a fox in the snow"),
            submit=("POST", r"/v1/text_to_image"),
        ),
        "tts": ContractCase(
            "eleven_multilingual_v2",
            TTSRequest(text="hello", voice_id="Maya"),
            submit=("POST", r"/v1/text_to_speech"),
        ),
        "sts": ContractCase(
            "eleven_multilingual_sts_v2",
            STSRequest(audio=MP3_STUB, voice_id="Noah"),
            submit=("POST", r"/v1/speech_to_speech"),
        ),
    }

    def make_server(self) -> FakeRunwayServer:
        return FakeRunwayServer(polls=2)
