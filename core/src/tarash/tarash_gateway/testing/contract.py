"""The contract suite every provider plugin must pass.

Subclass :class:`ProviderContractTests` in the plugin's tests, name the
provider, give one :class:`ContractCase` per modality the plugin serves and a
fake server of the provider::

    class TestFalContract(ProviderContractTests):
        provider = "fal"
        cases = {"video": ContractCase("fal-ai/veo3", VideoGenerationRequest(prompt="x"),
                                       submit=("POST", r"/fal-ai/veo3"))}

        def make_server(self):
            return FakeFalServer()

Every test talks HTTP to the fake server through the public API.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pytest

from tarash.tarash_gateway import _plugins, api
from tarash.tarash_gateway.exceptions import (
    HTTPConnectionError,
    HTTPError,
    TarashException,
    ValidationError,
    is_retryable_error,
)
from tarash.tarash_gateway.models import (
    CONFIG_TYPES,
    MODALITIES,
    REQUEST_TYPES,
    RESPONSE_TYPES,
    ImageGenerationRequest,
    STSRequest,
    TTSRequest,
    VideoGenerationRequest,
)
from tarash.tarash_gateway.testing.fake_server import FakeServer

SECRET = "sk-contract-SECRET-4f9a7c"


@dataclass
class ContractCase:
    """One modality of a plugin under contract: a model, a request, and its submit route."""

    model: str
    request: Any
    submit: tuple[str, str]
    config: dict[str, Any] = field(default_factory=dict)


def _generate(modality: str, config: Any, request: Any) -> Any:
    return getattr(api, f"generate_{modality}")(config, request)


def _generate_async(modality: str, config: Any, request: Any) -> Any:
    return asyncio.run(getattr(api, f"generate_{modality}_async")(config, request))


_ANY_REQUEST = {
    "video": VideoGenerationRequest(prompt="contract"),
    "image": ImageGenerationRequest(prompt="contract"),
    "tts": TTSRequest(text="contract", voice_id="voice"),
    "sts": STSRequest(audio=b"RIFF0000WAVE", voice_id="voice"),
}


class ProviderContractTests:
    """Tests every provider plugin must pass (subclass it as ``Test<Provider>Contract``)."""

    provider: ClassVar[str]
    cases: ClassVar[dict[str, ContractCase]]

    def make_server(self) -> FakeServer:
        """Return a fake server of the provider (not started)."""
        raise NotImplementedError

    # ------------------------------------------------------------ fixtures
    @pytest.fixture
    def server(self) -> Iterator[FakeServer]:
        with self.make_server() as server:
            yield server

    def config(self, modality: str, server: FakeServer, **overrides: Any) -> Any:
        case = self.cases[modality]
        values: dict[str, Any] = {
            "provider": self.provider,
            "model": case.model,
            "api_key": SECRET,
            "base_url": server.url,
            "poll_interval": 0.01,
            "timeout": 20,
            **case.config,
            **overrides,
        }
        return CONFIG_TYPES[modality](**values)

    @property
    def info(self) -> Any:
        return _plugins.registry.providers[self.provider].info

    # ------------------------------------------------------------ registration
    def test_registered_through_entry_point(self) -> None:
        assert self.provider in _plugins.registry.providers, _plugins.registry.broken
        info = self.info
        assert info.distribution, "the provider must come from an installed distribution"
        assert set(self.cases) <= set(info.modalities)
        assert set(info.modalities) <= set(MODALITIES)

    def test_hooks_answer_none_for_other_providers(self) -> None:
        loaded = _plugins.registry.providers[self.provider]
        other = f"not-{self.provider}"
        modality, case = next(iter(self.cases.items()))
        assert (
            loaded.call("tarash_supports_modality", provider=other, model="m", modality=modality)
            is None
        )
        assert (
            loaded.call(
                "tarash_map_fields",
                provider=other,
                model="m",
                modality=modality,
                request=case.request,
                config=CONFIG_TYPES[modality](provider=other),
            )
            is None
        )

    # ------------------------------------------------------------ end to end
    @pytest.mark.parametrize("driver", ["sync", "async"])
    def test_generates_every_modality(self, server: FakeServer, driver: str) -> None:
        for modality, case in self.cases.items():
            run = _generate if driver == "sync" else _generate_async
            response = run(modality, self.config(modality, server), case.request)
            assert isinstance(response, RESPONSE_TYPES[modality])
            assert response.status == "completed" and not response.is_mock
            assert response.provider == self.provider and response.model == case.model
            metadata = response.execution_metadata
            assert metadata is not None and metadata.successful_attempt == 1
            assert server.count(*case.submit) >= 1
            sent = server.last(*case.submit)
            assert any(SECRET in value for value in sent.headers.values()), "key not sent"

    def test_unsupported_modalities_fail_before_network(self, server: FakeServer) -> None:
        any_case = next(iter(self.cases.values()))
        for modality in MODALITIES:
            if modality in self.info.modalities:
                continue
            config = CONFIG_TYPES[modality](
                provider=self.provider, model=any_case.model, api_key=SECRET, base_url=server.url
            )
            with pytest.raises(ValidationError):
                _generate(modality, config, _ANY_REQUEST[modality])
        assert server.requests == []

    def test_missing_key_fails_before_network(
        self, server: FakeServer, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        if not self.info.requires_api_key:
            pytest.skip("provider needs no key")
        for name in self.info.api_key_env:
            monkeypatch.delenv(name, raising=False)
        modality, case = next(iter(self.cases.items()))
        with pytest.raises(ValidationError) as caught:
            _generate(modality, self.config(modality, server, api_key=None), case.request)
        assert all(name in str(caught.value) for name in self.info.api_key_env[:1])
        assert server.requests == []

    def test_key_from_environment(
        self, server: FakeServer, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        if not self.info.api_key_env:
            pytest.skip("provider reads no environment variable")
        monkeypatch.setenv(self.info.api_key_env[0], SECRET)
        modality, case = next(iter(self.cases.items()))
        _generate(modality, self.config(modality, server, api_key=None), case.request)
        assert any(SECRET in v for v in server.last(*case.submit).headers.values())

    # ------------------------------------------------------------ faults
    def test_key_never_leaks(self, server: FakeServer, caplog: pytest.LogCaptureFixture) -> None:
        modality, case = next(iter(self.cases.items()))
        method, path = case.submit
        server.inject(
            method, path, status=401, json_body={"error": f"bad key {SECRET}", "detail": SECRET}
        )
        config = self.config(modality, server)
        caplog.set_level(logging.DEBUG, logger="tarash")
        with pytest.raises(TarashException) as caught:
            _generate(modality, config, case.request)
        error = caught.value
        assert not is_retryable_error(error)
        metadata = error.execution_metadata
        assert metadata is not None and metadata.attempts[0].status == "failed"
        for text in (
            str(error),
            repr(error),
            json.dumps(error.raw_response),
            repr(config),
            metadata.model_dump_json(),
            caplog.text,
            str(config.model_dump()),
        ):
            assert SECRET not in text

    def test_submit_5xx_is_retryable_and_never_resubmitted(self, server: FakeServer) -> None:
        modality, case = next(iter(self.cases.items()))
        server.inject(*case.submit, status=503, json_body={"detail": "overloaded"})
        with pytest.raises(HTTPError) as caught:
            _generate(modality, self.config(modality, server), case.request)
        assert caught.value.status_code == 503 and is_retryable_error(caught.value)
        assert server.count(*case.submit) == 1

    def test_dropped_submit_is_not_resubmitted(self, server: FakeServer) -> None:
        modality, case = next(iter(self.cases.items()))
        server.inject(*case.submit, drop=True)
        with pytest.raises(HTTPConnectionError) as caught:
            _generate(modality, self.config(modality, server), case.request)
        assert is_retryable_error(caught.value)
        assert server.count(*case.submit) == 1

    def test_submit_429_waits_retry_after_then_succeeds(self, server: FakeServer) -> None:
        modality, case = next(iter(self.cases.items()))
        server.inject(
            *case.submit,
            status=429,
            json_body={"detail": "slow down"},
            headers={"Retry-After": "0"},
        )
        response = _generate(modality, self.config(modality, server), case.request)
        assert response.status == "completed"
        assert server.count(*case.submit) == 2

    def test_falls_back_to_next_provider_on_retryable_error(self, server: FakeServer) -> None:
        modality, case = next(iter(self.cases.items()))
        server.inject(*case.submit, status=502, json_body={"detail": "bad gateway"})
        fallback = CONFIG_TYPES[modality](provider="mock")
        config = self.config(modality, server, fallback_configs=[fallback])
        response = _generate(modality, config, case.request)
        assert response.is_mock and response.provider == "mock"
        attempts = response.execution_metadata.attempts
        assert [a.status for a in attempts] == ["failed", "success"]
        assert attempts[0].provider == self.provider and attempts[0].is_retryable


assert set(REQUEST_TYPES) == set(_ANY_REQUEST)
