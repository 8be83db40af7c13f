"""The engine end to end: public API → echo plugin flows → real HTTP to EchoServer."""

import asyncio
import logging
import threading
import time

import pytest

from tarash.tarash_gateway import (
    generate_image,
    generate_video,
    generate_video_async,
    register_provider_field_mapping,
)
from tarash.tarash_gateway.exceptions import (
    GenerationFailedError,
    HTTPConnectionError,
    HTTPError,
    TarashException,
    TimeoutError,
    ValidationError,
)
from tarash.tarash_gateway.models import (
    ImageGenerationConfig,
    ImageGenerationRequest,
    VideoGenerationConfig,
    VideoGenerationRequest,
)
from tarash.tarash_gateway.providers.field_mappers import (
    constant_field_mapper,
    passthrough_field_mapper,
)
from tarash.tarash_gateway.testing import config_for, generate

KEY = "sk-echo-key-123456"


def run(driver, config, request, on_progress=None):
    return generate(driver, "video", config, request, on_progress)


def echo_config(server, **overrides):
    return config_for(server, "echo", "video", **{"api_key": KEY, **overrides})


def test_submit_poll_result_and_progress(echo_server, driver):
    updates = []
    response = run(
        driver,
        echo_config(echo_server),
        VideoGenerationRequest(prompt="fox", duration_seconds=4),
        updates.append,
    )
    assert response.video.endswith("/files/job-1.mp4")
    assert (
        response.request_id == "job-1"
        and response.provider == "echo"
        and response.model == "echo-video"
    )
    assert [u.status for u in updates] == ["queued", "completed"]
    assert updates[-1].result == response.model_copy(update={"execution_metadata": None})
    assert echo_server.payloads["job-1"] == {"model": "echo-video", "prompt": "fox", "duration": 4}
    assert echo_server.last("POST", "/v1/jobs").headers["authorization"] == f"Bearer {KEY}"


def test_async_progress_callback_is_awaited_by_both_drivers(echo_server, driver):
    seen = []

    async def on_progress(update):
        await asyncio.sleep(0)
        seen.append(update.status)

    run(driver, echo_config(echo_server), VideoGenerationRequest(prompt="fox"), on_progress)
    assert seen[-1] == "completed" and len(seen) >= 2


def test_sync_api_works_inside_a_running_event_loop(echo_server):
    async def notebook_cell():
        seen = []

        async def on_progress(update):
            seen.append(update.status)

        response = generate_video(
            echo_config(echo_server), VideoGenerationRequest(prompt="fox"), on_progress
        )
        return response, seen

    response, seen = asyncio.run(notebook_cell())
    assert response.status == "completed" and seen[-1] == "completed"


def test_transient_poll_failures_are_retried_without_resubmitting(echo_server, driver):
    echo_server.polls = 3
    echo_server.inject("GET", r"/v1/jobs/.*", status=503, times=2, headers={"Retry-After": "0"})
    echo_server.inject("GET", r"/v1/jobs/.*", drop=True, times=1)
    echo_server.inject("GET", r"/v1/jobs/.*", status=200, body=b"<html>proxy</html>", times=1)
    response = run(driver, echo_config(echo_server), VideoGenerationRequest(prompt="fox"))
    assert response.status == "completed"
    assert echo_server.count("POST", "/v1/jobs") == 1
    assert echo_server.count("GET", r"/v1/jobs/.*") == 4 + 3


def test_poll_honours_retry_after(echo_server, driver):
    echo_server.inject("GET", r"/v1/jobs/.*", status=429, headers={"Retry-After": "0.6"})
    started = time.monotonic()
    run(driver, echo_config(echo_server), VideoGenerationRequest(prompt="fox"))
    assert time.monotonic() - started >= 0.6


def test_timeout_cancels_the_remote_job(echo_server, driver):
    echo_server.polls = 10_000
    with pytest.raises(TimeoutError) as caught:
        run(
            driver,
            echo_config(echo_server, timeout=0.3, poll_interval=0.05),
            VideoGenerationRequest(prompt="fox"),
        )
    assert caught.value.timeout_seconds == 0.3 and caught.value.request_id == "job-1"
    assert echo_server.count("DELETE", "/v1/jobs/job-1") == 1
    assert echo_server.jobs["job-1"].cancelled


@pytest.mark.parametrize(
    ("fault", "cancels"),
    [
        ({"status": 429, "headers": {"Retry-After": "0.2"}}, 3),
        ({"status": 503}, 3),
        ({"drop": True}, 3),
        ({"status": 404}, 1),  # refused for good: not retried
    ],
    ids=["429", "503", "dropped", "404"],
)
def test_a_refused_cancel_of_a_timed_out_job_is_retried_while_it_may_pass(
    echo_server, driver, fault, cancels
):
    """A paid job left running is billed: the cancel is retried until it gets through."""
    echo_server.polls = 10_000
    echo_server.inject("DELETE", r"/v1/jobs/job-1", times=2, **fault)
    with pytest.raises(TimeoutError):
        run(
            driver,
            echo_config(echo_server, timeout=0.3, poll_interval=0.05),
            VideoGenerationRequest(prompt="fox"),
        )
    assert echo_server.count("DELETE", "/v1/jobs/job-1") == cancels
    assert echo_server.jobs["job-1"].cancelled == (cancels > 1)


def test_max_poll_attempts_bounds_polling(echo_server, driver):
    echo_server.polls = 10_000
    with pytest.raises(TimeoutError, match="max_poll_attempts=3"):
        run(
            driver,
            echo_config(echo_server, max_poll_attempts=3),
            VideoGenerationRequest(prompt="fox"),
        )
    assert echo_server.count("GET", r"/v1/jobs/.*") == 3
    assert echo_server.count("DELETE", r"/v1/jobs/.*") == 1


def test_task_cancellation_cancels_the_remote_job(echo_server):
    echo_server.polls = 10_000

    async def main():
        task = asyncio.create_task(
            generate_video_async(
                echo_config(echo_server, poll_interval=0.02), VideoGenerationRequest(prompt="fox")
            )
        )
        await asyncio.sleep(0.2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert echo_server.count("DELETE", "/v1/jobs/job-1") == 1


def test_failed_job_is_retryable_and_falls_back_depth_first(echo_server, driver):
    echo_server.fail_jobs = True
    nested = echo_config(
        echo_server, model="echo-second", fallback_configs=[VideoGenerationConfig(provider="mock")]
    )
    config = echo_config(
        echo_server, fallback_configs=[nested, VideoGenerationConfig(provider="mock", model="last")]
    )
    response = run(driver, config, VideoGenerationRequest(prompt="fox"))
    assert response.is_mock and response.model == "mock-video"
    metadata = response.execution_metadata
    assert [(a.provider, a.model, a.status) for a in metadata.attempts] == [
        ("echo", "echo-video", "failed"),
        ("echo", "echo-second", "failed"),
        ("mock", "mock-video", "success"),
    ]
    assert (
        metadata.attempts[0].error_type == "GenerationFailedError"
        and metadata.attempts[0].is_retryable
    )
    assert metadata.attempts[0].request_id == "job-1"
    assert (
        metadata.fallback_triggered
        and metadata.successful_attempt == 3
        and metadata.configs_in_chain == 4
    )


def test_total_failure_raises_last_error_with_every_attempt(echo_server, driver):
    echo_server.fail_jobs = True
    config = echo_config(echo_server, fallback_configs=[echo_config(echo_server, model="b")])
    with pytest.raises(GenerationFailedError) as caught:
        run(driver, config, VideoGenerationRequest(prompt="fox"))
    metadata = caught.value.execution_metadata
    assert [a.status for a in metadata.attempts] == ["failed", "failed"]
    assert metadata.successful_attempt is None


def test_non_retryable_error_stops_the_chain(echo_server, driver):
    echo_server.inject("POST", "/v1/jobs", status=401, json_body={"error": "bad key"})
    config = echo_config(echo_server, fallback_configs=[VideoGenerationConfig(provider="mock")])
    with pytest.raises(HTTPError) as caught:
        run(driver, config, VideoGenerationRequest(prompt="fox"))
    assert caught.value.status_code == 401
    assert len(caught.value.execution_metadata.attempts) == 1


@pytest.mark.parametrize("fault", [{"status": 503}, {"status": 429}, {"drop": True}])
def test_submit_faults_trigger_fallback(echo_server, driver, fault):
    echo_server.inject("POST", "/v1/jobs", times=5, **fault)
    config = echo_config(echo_server, fallback_configs=[VideoGenerationConfig(provider="mock")])
    response = run(driver, config, VideoGenerationRequest(prompt="fox"))
    assert response.is_mock
    assert echo_server.count("POST", "/v1/jobs") == 1  # 429 without Retry-After: no retry either


def test_unreachable_provider_is_a_connection_error(driver):
    config = VideoGenerationConfig(
        provider="echo", api_key=KEY, base_url="http://127.0.0.1:9", timeout=5
    )
    from tarash.tarash_gateway import _plugins
    from tests.support.echo_provider import echo_plugin

    _plugins.registry.register(echo_plugin, "echo-test")
    try:
        with pytest.raises(HTTPConnectionError):
            run(driver, config, VideoGenerationRequest(prompt="fox"))
    finally:
        _plugins.registry.unregister("echo-test")


def test_unsupported_modality_is_skipped_in_a_chain_and_refused_alone(echo_server, driver):
    audio_only = echo_config(echo_server, model="audio-only-1")
    with pytest.raises(ValidationError, match="does not support video") as caught:
        run(driver, audio_only, VideoGenerationRequest(prompt="fox"))
    assert isinstance(caught.value, NotImplementedError)
    chained = audio_only.model_copy(update={"fallback_configs": [echo_config(echo_server)]})
    response = run(driver, chained, VideoGenerationRequest(prompt="fox"))
    assert [a.status for a in response.execution_metadata.attempts] == ["skipped", "success"]
    assert echo_server.count("POST", "/v1/jobs") == 1


def test_unknown_provider_names_installed_ones_and_the_install_command(driver):
    with pytest.raises(ValidationError) as caught:
        run(
            driver,
            VideoGenerationConfig(provider="lumalabs", model="ray-2"),
            VideoGenerationRequest(prompt="p"),
        )
    message = str(caught.value)
    assert "unknown provider 'lumalabs'" in message and "mock" in message
    assert "pip install tarash-lumalabs" in message


def test_mistakes_in_fallback_configs_fail_before_any_request(echo_server):
    config = echo_config(echo_server, fallback_configs=[VideoGenerationConfig(provider="nope")])
    with pytest.raises(ValidationError, match="unknown provider 'nope'"):
        generate_video(config, VideoGenerationRequest(prompt="fox"))
    assert echo_server.requests == []


def test_missing_key_names_the_environment_variable(echo_server, monkeypatch):
    monkeypatch.delenv("ECHO_API_KEY", raising=False)
    with pytest.raises(ValidationError, match="ECHO_API_KEY"):
        generate_video(echo_config(echo_server, api_key=None), VideoGenerationRequest(prompt="fox"))
    monkeypatch.setenv("ECHO_API_KEY", "from-env")
    generate_video(echo_config(echo_server, api_key=None), VideoGenerationRequest(prompt="fox"))
    assert echo_server.last("POST", "/v1/jobs").headers["authorization"] == "Bearer from-env"
    assert echo_server.requests


def test_user_field_mapping_overrides_the_plugin(echo_server):
    register_provider_field_mapping(
        "echo",
        {
            "echo-": {
                "model": constant_field_mapper("echo-video"),
                "text": passthrough_field_mapper("prompt"),
                "s": passthrough_field_mapper("seed"),
            }
        },
    )
    request = VideoGenerationRequest(prompt="fox", seed=3, duration_seconds=4, style="noir")
    generate_video(echo_config(echo_server), request)
    # The user's fields override ("model") or add ("text", "s"); the plugin's other
    # fields and extra_params still reach the wire.
    assert echo_server.payloads["job-1"] == {
        "model": "echo-video",
        "prompt": "fox",
        "duration": 4,
        "style": "noir",
        "text": "fox",
        "s": 3,
    }


def test_secrets_never_reach_logs_or_errors(echo_server, driver, caplog):
    caplog.set_level(logging.DEBUG)
    echo_server.inject("POST", "/v1/jobs", status=400, json_body={"error": f"key {KEY} is invalid"})
    with pytest.raises(ValidationError) as caught:
        run(driver, echo_config(echo_server), VideoGenerationRequest(prompt="fox"))
    assert KEY not in str(caught.value) and KEY not in repr(caught.value)
    assert KEY not in str(caught.value.raw_response)
    assert KEY not in caught.value.execution_metadata.model_dump_json()
    assert KEY not in caplog.text


def test_connections_are_pooled_and_reused(echo_server, driver):
    async def five_async():
        for _ in range(5):
            await generate_video_async(
                echo_config(echo_server), VideoGenerationRequest(prompt="fox")
            )

    if driver == "sync":
        for _ in range(5):
            generate_video(echo_config(echo_server), VideoGenerationRequest(prompt="fox"))
    else:
        asyncio.run(five_async())
    assert len(echo_server.requests) == 5 * 3  # submit and two polls per call
    assert len({r.client_port for r in echo_server.requests}) == 1  # one kept-alive connection
    assert all(r.headers["user-agent"].startswith("tarash/") for r in echo_server.requests)


def test_images_through_the_same_engine(echo_server):
    config = ImageGenerationConfig(
        provider="echo", api_key=KEY, base_url=echo_server.url, poll_interval=0.01
    )
    response = generate_image(config, ImageGenerationRequest(prompt="fox"))
    assert response.images[0].startswith("data:image/png;base64,")


def test_callback_errors_are_logged_not_fatal(echo_server, caplog):
    def broken(update):
        raise RuntimeError("oops")

    response = generate_video(
        echo_config(echo_server), VideoGenerationRequest(prompt="fox"), broken
    )
    assert response.status == "completed"
    assert "on_progress callback raised" in caplog.text


def test_plugin_bug_is_reported_as_tarash_exception(echo_server, driver, monkeypatch):
    from tests.support import echo_provider

    def broken_submit(payload, ctx):
        raise KeyError("id")
        yield

    monkeypatch.setattr(echo_provider, "_submit", broken_submit)
    with pytest.raises(TarashException, match="failed in tarash_submit: KeyError"):
        run(driver, echo_config(echo_server), VideoGenerationRequest(prompt="fox"))


@pytest.mark.anyio
async def test_cancel_scope_timeout_still_cancels_the_remote_job(echo_server):
    import anyio

    echo_server.polls = 10_000
    with anyio.move_on_after(0.2):
        await generate_video_async(
            echo_config(echo_server, poll_interval=0.02), VideoGenerationRequest(prompt="fox")
        )
    assert echo_server.count("DELETE", "/v1/jobs/job-1") == 1


def test_cancellation_during_submit_waits_for_the_job_id_then_cancels_it(echo_server):
    echo_server.submit_delay = 0.4
    echo_server.polls = 10_000

    async def main():
        task = asyncio.create_task(
            generate_video_async(echo_config(echo_server), VideoGenerationRequest(prompt="fox"))
        )
        await asyncio.sleep(0.15)  # the submit is in flight
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert echo_server.count("POST", "/v1/jobs") == 1
    assert echo_server.count("DELETE", "/v1/jobs/job-1") == 1
    assert echo_server.count("GET", r"/v1/jobs/.*") == 0


def test_ctrl_c_during_submit_waits_for_the_job_id_then_cancels_it(echo_server):
    import os
    import signal

    echo_server.submit_delay = 0.4
    echo_server.polls = 10_000
    timer = threading.Timer(0.15, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        generate_video(echo_config(echo_server), VideoGenerationRequest(prompt="fox"))
    timer.join()
    assert echo_server.count("DELETE", "/v1/jobs/job-1") == 1


class _Blob:
    """A payload value the test watches (weakly): inline media stands in for it."""


def test_the_payload_is_not_held_while_the_job_runs(echo_server):
    """A payload's inline media (megabytes of base64) is freed once the submit is sent."""
    import gc
    import weakref

    from tarash.tarash_gateway import _plugins
    from tests.support.echo_provider import EchoPlugin

    watched: list[weakref.ref[_Blob]] = []
    freed_while_polling: list[bool] = []

    class Holding(EchoPlugin):
        name = "holding"

        def info(self):
            return super().info().model_copy(update={"name": "holding", "api_key_env": []})

        def map_fields(self, model, modality, request, config):
            blob = _Blob()
            watched.append(weakref.ref(blob))
            return {**super().map_fields(model, modality, request, config), "blob": blob}

        def submit(self, payload, ctx):
            return super().submit({k: v for k, v in payload.items() if k != "blob"}, ctx)

    def on_progress(update):
        gc.collect()
        freed_while_polling.append(watched[0]() is None)

    _plugins.registry.register(Holding(), "holding-test")
    try:
        config = echo_config(echo_server, provider="holding")
        run("sync", config, VideoGenerationRequest(prompt="fox"), on_progress)
    finally:
        _plugins.registry.unregister("holding-test")
    assert freed_while_polling and all(freed_while_polling)
