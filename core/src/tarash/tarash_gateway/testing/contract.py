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
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, cast

import pytest

from tarash.tarash_gateway import _plugins, api, jobs
from tarash.tarash_gateway.exceptions import (
    ContentModerationError,
    GenerationFailedError,
    HTTPConnectionError,
    HTTPError,
    TarashException,
    TimeoutError,
    ValidationError,
    is_retryable_error,
)
from tarash.tarash_gateway.models import (
    CONFIG_TYPES,
    MODALITIES,
    REQUEST_TYPES,
    RESPONSE_TYPES,
    GenerationJob,
    ImageGenerationRequest,
    Modality,
    STSRequest,
    TTSRequest,
    VideoGenerationRequest,
)
from tarash.tarash_gateway.testing.calls import config_for, generate
from tarash.tarash_gateway.testing.fake_server import FakeServer

SECRET = "sk-contract-SECRET-4f9a7c"


@dataclass
class ContractCase:
    """One modality of a plugin under contract: a model, a request, and its routes.

    ``poll`` and ``cancel`` are the status and remote-cancel routes ``(method,
    path regex)`` of a provider whose jobs are asynchronous; leave them None for a
    one-shot API (or a provider without remote cancellation).
    """

    model: str
    request: Any
    submit: tuple[str, str]
    config: dict[str, Any] = field(default_factory=dict)
    poll: tuple[str, str] | None = None
    cancel: tuple[str, str] | None = None


JobOutcome = Literal["forever", "failed", "moderated", "progress"]
"""How :meth:`ProviderContractTests.script_job` makes the next job end:
``forever`` never finishes, ``failed`` fails on the provider's side, ``moderated``
is refused by its safety system, ``progress`` reports progress, then completes."""


@dataclass(frozen=True)
class JobScript:
    """How the default :meth:`ProviderContractTests.script_job` steers a fake.

    For a fake whose ``polls`` attribute counts the status checks of each new job
    (as ``ScriptedJob(polls=...)`` does): ``forever`` sets it to a million,
    ``progress`` to 4. ``failed`` and ``moderated`` set the fake's ``outcome``
    attribute to the given trigger word; when the word is None, they add the
    case's model to the fake's ``failing_models`` / ``moderated_models`` set.
    """

    failed: str | None = None
    moderated: str | None = None


def _generate(modality: str, config: Any, request: Any) -> Any:
    return generate("sync", cast(Modality, modality), config, request)


def _generate_async(modality: str, config: Any, request: Any) -> Any:
    return generate("async", cast(Modality, modality), config, request)


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
    base_path: ClassVar[str] = ""
    """Appended to ``server.url`` for ``base_url`` (``"/v1"`` when the provider's
    official base URL ends in its version)."""
    job_script: ClassVar[JobScript | None] = None
    """Set it when the fake follows :class:`JobScript`'s conventions: the default
    :meth:`script_job` then steers it, and the job-lifecycle tests run."""

    def make_server(self) -> FakeServer:
        """Return a fake server of the provider (not started)."""
        raise NotImplementedError

    def script_job(self, server: FakeServer, modality: str, outcome: JobOutcome) -> None:
        """Make the next job of ``modality`` on ``server`` end as ``outcome``.

        Implement it (or set :attr:`job_script`) for a provider with asynchronous
        jobs: the job-lifecycle tests (timeout and task cancellation cancel
        remotely, failed and moderated jobs, progress, poll retries) run against
        it. Without either they are skipped, with that reason.
        """
        script = self.job_script
        if script is None:
            pytest.skip(f"{type(self).__name__} does not script job outcomes (script_job)")
        fake: Any = server
        if outcome == "forever":
            fake.polls = 10**6
        elif outcome == "progress":
            fake.polls = 4
        else:
            word = script.failed if outcome == "failed" else script.moderated
            if word is not None:
                fake.outcome = word
            else:
                kind = "failing" if outcome == "failed" else "moderated"
                getattr(fake, f"{kind}_models").add(self.cases[modality].model)

    def _async_case(self) -> tuple[str, ContractCase]:
        for modality, case in self.cases.items():
            if case.poll is not None:
                return modality, case
        pytest.skip("one-shot provider: no case has a poll route")

    # ------------------------------------------------------------ fixtures
    @pytest.fixture
    def server(self) -> Iterator[FakeServer]:
        with self.make_server() as server:
            yield server

    def config(self, modality: str, server: FakeServer, **overrides: Any) -> Any:
        """The config of ``modality``'s case on ``server``, with the contract's key."""
        case = self.cases[modality]
        values = {"model": case.model, "api_key": SECRET, "timeout": 20, **case.config}
        return config_for(
            server,
            self.provider,
            cast(Modality, modality),
            base_path=self.base_path,
            **{**values, **overrides},
        )

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

    def test_flow_hooks_answer_none_for_other_providers(self) -> None:
        loaded = _plugins.registry.providers[self.provider]
        other = f"not-{self.provider}"
        for hook in ("tarash_submit", "tarash_poll", "tarash_cancel"):
            function, argnames = loaded.hooks[hook]
            assert argnames[0] == "provider"
            assert function(other, None, None) is None

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

    def test_jobs_by_handle_in_another_process(self, server: FakeServer) -> None:
        """submit_* → JSON (no key inside) → a fresh handle → wait_for_job: one submit each.

        Poll and cancel flows must work from ``Job.data`` alone (``ctx.request`` is None).
        """
        for modality, case in self.cases.items():
            config = self.config(modality, server)
            before = server.count(*case.submit)
            job = getattr(jobs, f"submit_{modality}")(config, case.request)
            text = job.model_dump_json()
            assert SECRET not in text, "the job handle holds the API key"
            fresh = GenerationJob.model_validate_json(text)
            response = jobs.wait_for_job(fresh, config)
            assert isinstance(response, RESPONSE_TYPES[modality])
            assert response.provider == self.provider and response.request_id == job.request_id
            assert server.count(*case.submit) == before + 1, "a job was submitted twice"

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
    @pytest.mark.parametrize("status", [302, 307])
    def test_redirect_to_another_origin_carries_no_key(
        self, server: FakeServer, status: int
    ) -> None:
        """A submit redirected to another host reaches it without the key, in any header."""
        from tarash.tarash_gateway.testing.fake_server import FakeResponse

        other = FakeServer()
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            other.add_route(
                method, r"/.*", lambda request: FakeResponse.json({"detail": "no"}, 404)
            )
        modality, case = next(iter(self.cases.items()))
        with other:
            location = other.url.replace("127.0.0.1", "localhost") + "/collect"
            server.inject(*case.submit, status=status, headers={"Location": location})
            try:
                _generate(modality, self.config(modality, server, timeout=5), case.request)
            except TarashException:
                pass
        assert other.requests, "the redirect was not followed"
        for request in other.requests:
            assert SECRET not in repr(request.headers) and SECRET not in request.path
            assert "authorization" not in request.headers

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

    # ------------------------------------------------------------ job lifecycle
    @pytest.mark.parametrize("driver", ["sync", "async"])
    def test_timeout_cancels_the_job_remotely(self, server: FakeServer, driver: str) -> None:
        modality, case = self._async_case()
        self.script_job(server, modality, "forever")
        run = _generate if driver == "sync" else _generate_async
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            run(modality, self.config(modality, server, timeout=1.0), case.request)
        assert time.monotonic() - started >= 0.95, "gave up before the timeout"
        assert server.count(*case.submit) == 1
        if case.cancel is not None:
            assert server.count(*case.cancel) == 1, "no remote cancel after the timeout"

    def test_task_cancellation_cancels_the_job_remotely(self, server: FakeServer) -> None:
        modality, case = self._async_case()
        assert case.poll is not None
        self.script_job(server, modality, "forever")
        config = self.config(modality, server)

        async def main() -> None:
            method = getattr(api, f"generate_{modality}_async")
            task = asyncio.ensure_future(method(config, case.request))
            while server.count(*case.poll) == 0:  # type: ignore[misc]
                await asyncio.sleep(0.01)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

        asyncio.run(main())
        assert server.count(*case.submit) == 1
        if case.cancel is not None:
            assert server.count(*case.cancel) == 1, "no remote cancel after task cancellation"

    def test_failed_job_raises_generation_failed(self, server: FakeServer) -> None:
        modality, case = self._async_case()
        self.script_job(server, modality, "failed")
        with pytest.raises(GenerationFailedError) as caught:
            _generate(modality, self.config(modality, server), case.request)
        assert is_retryable_error(caught.value) and caught.value.request_id
        assert server.count(*case.submit) == 1

    def test_moderated_job_raises_content_moderation(self, server: FakeServer) -> None:
        modality, case = self._async_case()
        self.script_job(server, modality, "moderated")
        with pytest.raises(ContentModerationError):
            _generate(modality, self.config(modality, server), case.request)
        assert server.count(*case.submit) == 1

    def test_progress_updates_then_the_result(self, server: FakeServer) -> None:
        modality, case = self._async_case()
        self.script_job(server, modality, "progress")
        updates: list[Any] = []
        method = getattr(api, f"generate_{modality}")
        response = method(self.config(modality, server), case.request, updates.append)
        assert response.status == "completed"
        statuses = [u.status for u in updates]
        assert statuses[-1] == "completed" and updates[-1].result is not None
        assert "processing" in statuses or "queued" in statuses, statuses
        reported = [u for u in updates if u.status in ("queued", "processing")]
        assert any(
            u.progress_percent is not None or u.queue_position is not None or u.logs
            for u in reported
        ), "no progress, queue position or log line reported"

    def test_poll_failures_are_retried_without_resubmitting(self, server: FakeServer) -> None:
        modality, case = self._async_case()
        assert case.poll is not None
        self.script_job(server, modality, "progress")
        server.inject(*case.poll, status=503, json_body={"detail": "busy"}, times=2)
        response = _generate(modality, self.config(modality, server), case.request)
        assert response.status == "completed"
        assert server.count(*case.submit) == 1


assert set(REQUEST_TYPES) == set(_ANY_REQUEST)
