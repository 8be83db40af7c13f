"""The provider contract suite, run against the fake Cartesia server."""

from __future__ import annotations

from tarash.tarash_gateway import _mock_media
from tarash.tarash_gateway.models import STSRequest, TTSRequest
from tarash.tarash_gateway.testing.contract import ContractCase, ProviderContractTests
from tests.plugins.cartesia.fake_cartesia import FakeCartesiaServer

VOICE = "f786b574-daa5-4673-aa0c-cbe3e8534c02"


class TestCartesiaContract(ProviderContractTests):
    provider = "cartesia"
    cases = {
        "tts": ContractCase(
            "sonic-3.5",
            TTSRequest(text="The contract holds.", voice_id=VOICE),
            submit=("POST", r"/tts/bytes"),
        ),
        "sts": ContractCase(
            "voice-changer",
            STSRequest(audio=_mock_media.wav(0.3), voice_id=VOICE),
            submit=("POST", r"/voice-changer/bytes"),
        ),
    }

    def make_server(self) -> FakeCartesiaServer:
        return FakeCartesiaServer()
