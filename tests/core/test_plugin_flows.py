"""A plugin that only names its flows object gets submit, poll, cancel (and one-shot polls).

Through the public API against a FakeServer: the plugins below write no submit,
poll or cancel method; ``ProviderPlugin`` calls the functions of ``flows``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tarash.tarash_gateway import (
    _plugins,
    cancel_job,
    cancel_job_async,
    generate_image,
    generate_video,
    submit_video,
    submit_video_async,
)
from tarash.tarash_gateway.exceptions import TarashException, TimeoutError
from tarash.tarash_gateway.models import (
    ImageGenerationConfig,
    ImageGenerationRequest,
    VideoGenerationConfig,
    VideoGenerationRequest,
)
from tarash.tarash_gateway.plugin import (
    CallContext,
    Flow,
    Job,
    JobStatus,
    ProviderInfo,
    ProviderPlugin,
    json_body,
)
from tarash.tarash_gateway.testing import FakeResponse, FakeServer, ScriptedJob, config_for
from tarash.tarash_gateway.testing.flows import make_context, run_flow


class TaskFlows:
    """Submit, poll: a task API with no cancel."""

    @staticmethod
    def submit(payload: dict[str, Any], ctx: CallContext) -> Flow[Job]:
        response = yield httpx.Request("POST", ctx.url("/v1/tasks"), json=payload)
        body = json_body(response, ctx)
        return Job(provider=ctx.provider, model=ctx.model, modality=ctx.modality, id=body["id"])

    @staticmethod
    def poll(job: Job, ctx: CallContext) -> Flow[JobStatus]:
        response = yield httpx.Request("GET", ctx.url(f"/v1/tasks/{job.id}"))
        body = json_body(response, ctx)
        if body["status"] != "done":
            return JobStatus(state="processing", raw=body)
        return JobStatus(state="completed", output={"video": body["url"]}, raw=body)


class CancellableFlows(TaskFlows):
    """The same task API, plus ``DELETE /v1/tasks/{id}``."""

    @staticmethod
    def cancel(job: Job, ctx: CallContext) -> Flow[None]:
        yield httpx.Request("DELETE", ctx.url(f"/v1/tasks/{job.id}"))


class OneShotFlows:
    """Only submit: the image comes back at once (no poll, no cancel)."""

    @staticmethod
    def submit(payload: dict[str, Any], ctx: CallContext) -> Flow[Job]:
        response = yield httpx.Request("POST", ctx.url("/v1/images"), json=payload)
        body = json_body(response, ctx)
        status = JobStatus(state="completed", output={"images": [body["url"]]}, raw=body)
        return Job(
            provider=ctx.provider, model=ctx.model, modality=ctx.modality, id="i1", status=status
        )


class FlowsOnly(ProviderPlugin):
    """Names its flows; writes no submit, poll or cancel."""

    name = "flows-test"

    def info(self) -> ProviderInfo:
        return ProviderInfo(
            name=self.name,
            modalities=["video", "image"],
            default_base_url="http://flows.invalid",
            default_models={"video": "v", "image": "i"},
        )

    def map_fields(self, model: str, modality: Any, request: Any, config: Any) -> dict[str, Any]:
        return {"prompt": request.prompt}


class TaskServer(FakeServer):
    """One task ``t1`` following a ScriptedJob; a DELETE cancels it."""

    def __init__(self, polls: int = 2) -> None:
        super().__init__()
        self.job = ScriptedJob(polls=polls, queued_polls=0)
        self.add_route("POST", r"/v1/tasks", lambda r: FakeResponse.json({"id": "t1"}))
        self.add_route("GET", r"/v1/tasks/t1", self._task)
        self.add_route("DELETE", r"/v1/tasks/t1", self._cancel)
        self.add_route("POST", r"/v1/images", lambda r: FakeResponse.json({"url": "https://i"}))

    def _task(self, request: Any) -> FakeResponse:
        done = self.job.phase() == "done"
        return FakeResponse.json({"status": "done" if done else "running", "url": "https://v"})

    def _cancel(self, request: Any) -> FakeResponse:
        self.job.cancelled = True
        return FakeResponse(status=204)


@pytest.fixture(params=[CancellableFlows, TaskFlows], ids=["cancel", "no-cancel"])
def flows(request: pytest.FixtureRequest) -> Iterator[type]:
    plugin = type("Plugin", (FlowsOnly,), {"flows": request.param})()
    _plugins.registry.register(plugin, "flows-test", distribution="tarash-flows-test")
    try:
        yield request.param
    finally:
        _plugins.registry.unregister("flows-test")


def video_config(server: FakeServer, **overrides: Any) -> VideoGenerationConfig:
    return config_for(
        server, "flows-test", "video", **{"api_key": "k", "timeout": None, **overrides}
    )


def test_submit_and_poll_come_from_the_flows_object(flows: type) -> None:
    with TaskServer(polls=2) as server:
        response = generate_video(video_config(server), VideoGenerationRequest(prompt="fox"))
        assert response.video == "https://v"
        assert server.last("POST", "/v1/tasks").json() == {"prompt": "fox"}
        assert server.count("GET", "/v1/tasks/t1") == 2


@pytest.mark.parametrize("driver", ["sync", "async"])
def test_cancel_is_remote_only_when_the_flows_object_has_one(flows: type, driver: str) -> None:
    with TaskServer(polls=10**6) as server:
        config, request = video_config(server), VideoGenerationRequest(prompt="fox")
        if driver == "sync":
            took = cancel_job(submit_video(config, request), config)
        else:

            async def submit_then_cancel() -> bool:
                return await cancel_job_async(await submit_video_async(config, request), config)

            took = asyncio.run(submit_then_cancel())
        cancellable = flows is CancellableFlows
        assert took is cancellable
        assert server.count("DELETE", "/v1/tasks/t1") == int(cancellable)


def test_a_timeout_cancels_remotely_only_with_a_cancel_flow(flows: type) -> None:
    with TaskServer(polls=10**6) as server:
        with pytest.raises(TimeoutError):
            generate_video(video_config(server, timeout=0.3), VideoGenerationRequest(prompt="fox"))
        assert server.count("DELETE", "/v1/tasks/t1") == int(flows is CancellableFlows)


def test_flows_without_poll_are_one_shot() -> None:
    plugin = type("Plugin", (FlowsOnly,), {"flows": OneShotFlows})()
    _plugins.registry.register(plugin, "flows-test", distribution="tarash-flows-test")
    try:
        with TaskServer() as server:
            config = ImageGenerationConfig(provider="flows-test", api_key="k", base_url=server.url)
            response = generate_image(config, ImageGenerationRequest(prompt="fox"))
            assert response.images == ["https://i"]
            assert server.count("GET", r"/v1/.*") == 0
    finally:
        _plugins.registry.unregister("flows-test")
    # polling such a job hands back the status its submit stored, without a request
    ctx = make_context("flows-test", "i", "image")
    stored = JobStatus(state="completed", output={"images": ["https://i"]})
    job = Job(provider="flows-test", model="i", modality="image", id="i1", status=stored)
    assert run_flow(plugin.poll(job, ctx), lambda request: pytest.fail(str(request))) == stored
    with pytest.raises(TarashException, match="no result to poll"):
        run_flow(plugin.poll(job.model_copy(update={"status": None}), ctx), pytest.fail)


def test_a_plugin_without_flows_still_needs_its_own_submit() -> None:
    with pytest.raises(NotImplementedError, match="no flows"):
        FlowsOnly().submit({}, None)  # type: ignore[arg-type]
    assert FlowsOnly().cancel(None, None) is None  # type: ignore[arg-type]


def test_config_for_polls_fast_and_timeout_none_keeps_the_config_types_default() -> None:
    with FakeServer() as server:
        video = config_for(server, "flows-test", "video", base_path="/v1", api_key="k")
        speech = config_for(server, "flows-test", "tts", timeout=None, api_key="k")
        slow = config_for(server, "flows-test", "image", timeout=3, poll_interval=1)
        assert video.base_url == f"{server.url}/v1"
    assert (video.poll_interval, video.timeout) == (0.01, 10)
    assert (speech.poll_interval, speech.timeout) == (0.01, 240)  # AudioGenerationConfig's
    assert (slow.poll_interval, slow.timeout) == (1, 3)
