"""The provider contract suite, run against the fake ElevenLabs server."""

from __future__ import annotations

from tarash.tarash_gateway import _mock_media
from tarash.tarash_gateway.models import STSRequest, TTSRequest
from tarash.tarash_gateway.testing.contract import ContractCase, ProviderContractTests
from tests.plugins.elevenlabs.fake_elevenlabs import FakeElevenLabsServer

VOICE = "JBFqnCBsd6RMkjVDRZzb"


class TestElevenLabsContract(ProviderContractTests):
    provider = "elevenlabs"
    cases = {
        "tts": ContractCase(
            "eleven_multilingual_v2",
            TTSRequest(text="The contract holds.", voice_id=VOICE),
            submit=("POST", rf"/v1/text-to-speech/{VOICE}"),
        ),
        "sts": ContractCase(
            "eleven_multilingual_sts_v2",
            STSRequest(audio=_mock_media.wav(0.3), voice_id=VOICE),
            submit=("POST", rf"/v1/speech-to-speech/{VOICE}"),
        ),
    }

    def make_server(self) -> FakeElevenLabsServer:
        return FakeElevenLabsServer()
