"""Call semantics through the public API: callbacks, deadlines, poll bounds, updates, logs."""

import asyncio
import logging
import time

import pytest

from tarash.tarash_gateway import (
    generate_image,
    load_plugins,
    register_provider,
)
from tarash.tarash_gateway.exceptions import TimeoutError
from tarash.tarash_gateway.models import (
    AudioGenerationConfig,
    ImageGenerationConfig,
    ImageGenerationRequest,
    VideoGenerationConfig,
    VideoGenerationRequest,
    VideoGenerationResponse,
    VideoGenerationUpdate,
)
from tarash.tarash_gateway.testing import config_for, generate

KEY = "sk-echo-key-123456"


def run(driver, config, request, on_progress=None):
    return generate(driver, "video", config, request, on_progress)


def echo_config(server, **overrides):
    return config_for(server, "echo", "video", **{"api_key": KEY, "timeout": None, **overrides})


# ---------------------------------------------------------------- 1. handlers get a relay
def _update(percent):
    return VideoGenerationUpdate(request_id="h-1", status="processing", progress_percent=percent)


def _result():
    return VideoGenerationResponse(request_id="h-1", video="https://cdn.example/h-1.mp4")


class SyncHandler:
    def generate_video(self, config, request, on_progress=None):
        on_progress(_update(10))
        on_progress(_update(90))
        return _result()


class AsyncHandlerCallingPlainly:
    async def generate_video_async(self, config, request, on_progress=None):
        on_progress(_update(10))
        on_progress(_update(90))
        return _result()


class AsyncHandlerAwaiting:
    async def generate_video_async(self, config, request, on_progress=None):
        await on_progress(_update(10))
        await on_progress(_update(90))
        return _result()


@pytest.mark.parametrize("handler", [SyncHandler, AsyncHandlerCallingPlainly, AsyncHandlerAwaiting])
@pytest.mark.parametrize("callback_kind", ["sync", "async"])
def test_handlers_deliver_updates_to_sync_and_async_callbacks(driver, handler, callback_kind):
    seen = []
    if callback_kind == "sync":

        def on_progress(update):
            seen.append(update.progress_percent)
    else:

        async def on_progress(update):
            await asyncio.sleep(0.01)
            seen.append(update.progress_percent)

    register_provider("h", handler())
    response = run(
        driver,
        VideoGenerationConfig(provider="h"),
        VideoGenerationRequest(prompt="fox"),
        on_progress,
    )
    assert response.video == "https://cdn.example/h-1.mp4"
    assert seen == [10, 90]


def test_a_failing_callback_does_not_fail_the_handler(driver, caplog):
    async def on_progress(update):
        raise RuntimeError("oops")

    register_provider("h", AsyncHandlerAwaiting())
    response = run(
        driver,
        VideoGenerationConfig(provider="h"),
        VideoGenerationRequest(prompt="fox"),
        on_progress,
    )
    assert response.request_id == "h-1"
    assert caplog.text.count("on_progress callback raised") == 2


# ---------------------------------------------------------------- 2. timeout is at least that long
def test_timeout_waits_the_whole_timeout_then_polls_once_more_and_cancels(echo_server, driver):
    echo_server.polls = 10_000
    load_plugins()  # the clock starts at the call; loading plugins on first use is not the job's
    started = time.monotonic()
    with pytest.raises(TimeoutError, match=r"timeout=1.5s") as caught:
        run(
            driver,
            echo_config(echo_server, timeout=1.5, poll_interval=0.6),
            VideoGenerationRequest(prompt="fox"),
        )
    elapsed = time.monotonic() - started
    assert 1.5 <= elapsed < 1.5 + 1.0  # the early give-up ended at about 1.2 s
    assert caught.value.timeout_seconds == 1.5
    assert echo_server.count("DELETE", "/v1/jobs/job-1") == 1


# ---------------------------------------------------------------- 3. max_poll_attempts
def test_max_poll_attempts_defaults_to_what_the_timeout_allows():
    for config_type in (VideoGenerationConfig, ImageGenerationConfig, AudioGenerationConfig):
        assert config_type(provider="fal").max_poll_attempts is None


def test_fast_polling_is_bounded_by_the_timeout_not_a_poll_count(echo_server):
    echo_server.polls = 150
    config = ImageGenerationConfig(
        provider="echo", api_key=KEY, base_url=echo_server.url, timeout=60, poll_interval=0
    )
    response = generate_image(config, ImageGenerationRequest(prompt="fox"))
    assert response.status == "completed"
    assert echo_server.count("GET", r"/v1/jobs/.*") == 150


def test_an_explicit_max_poll_attempts_still_bounds_and_is_named(echo_server, driver):
    echo_server.polls = 10_000
    with pytest.raises(TimeoutError, match=r"max_poll_attempts=4 polls \(before timeout=60"):
        run(
            driver,
            echo_config(echo_server, timeout=60, max_poll_attempts=4),
            VideoGenerationRequest(prompt="fox"),
        )
    assert echo_server.count("GET", r"/v1/jobs/.*") == 4
    assert echo_server.count("DELETE", "/v1/jobs/job-1") == 1


# ---------------------------------------------------------------- 7. fallbacks log at INFO
def test_fallbacks_are_logged_at_info(echo_server, driver, caplog):
    caplog.set_level(logging.DEBUG, logger="tarash")
    echo_server.fail_jobs = True
    config = echo_config(echo_server, fallback_configs=[VideoGenerationConfig(provider="mock")])
    assert run(driver, config, VideoGenerationRequest(prompt="fox")).is_mock
    fallbacks = [r for r in caplog.records if "falling back" in r.getMessage()]
    assert [r.levelno for r in fallbacks] == [logging.INFO]


# ---------------------------------------------------------------- 8. one update per change
def test_updates_arrive_only_when_something_changes(echo_server, driver):
    echo_server.polls = 5  # queued, running, running, running, done
    updates = []
    run(driver, echo_config(echo_server), VideoGenerationRequest(prompt="fox"), updates.append)
    assert [(u.status, u.progress_percent) for u in updates] == [
        ("queued", None),
        ("processing", 50),
        ("completed", 100),
    ]
    assert echo_server.count("GET", r"/v1/jobs/.*") == 5
