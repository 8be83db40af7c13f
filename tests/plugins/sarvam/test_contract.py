"""The provider contract suite, run against the fake Sarvam server."""

from __future__ import annotations

from tarash.tarash_gateway.models import TTSRequest
from tarash.tarash_gateway.testing.contract import ContractCase, ProviderContractTests
from tests.plugins.sarvam.fake_sarvam import FakeSarvamServer


class TestSarvamContract(ProviderContractTests):
    provider = "sarvam"
    cases = {
        "tts": ContractCase(
            "bulbul:v3",
            TTSRequest(text="The contract holds.", voice_id="shubh", language_code="en-IN"),
            submit=("POST", r"/text-to-speech"),
        ),
    }

    def make_server(self) -> FakeSarvamServer:
        return FakeSarvamServer()
