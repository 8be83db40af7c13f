"""Flows that send several requests at once (``send_all`` / ``Concurrently``), both drivers."""

from __future__ import annotations

import asyncio
import base64
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tarash.tarash_gateway import _mock_media, _plugins, generate_image, generate_image_async
from tarash.tarash_gateway.exceptions import (
    ContentModerationError,
    HTTPConnectionError,
    HTTPError,
    MalformedResponseError,
    TarashException,
    ValidationError,
)
from tarash.tarash_gateway.models import ImageGenerationConfig, ImageGenerationRequest
from tarash.tarash_gateway.plugin import (
    CallContext,
    Flow,
    Job,
    JobStatus,
    ProviderInfo,
    ProviderPlugin,
    error_for_response,
    resendable,
    send_all,
    send_batch,
)
from tarash.tarash_gateway.testing import FakeRequest, FakeResponse, FakeServer
from tarash.tarash_gateway.testing.flows import make_context, run_flow

DELAY = 0.5
PNG = _mock_media.png(8, 8)


class FanOutPlugin(ProviderPlugin):
    """One image per request, ``n`` requests at once; transport failures become captions."""

    name = "fanout"

    def info(self) -> ProviderInfo:
        return ProviderInfo(
            name="fanout", modalities=["image"], default_base_url="http://127.0.0.1:9"
        )

    def map_fields(self, model: str, modality: Any, request: Any, config: Any) -> dict[str, Any]:
        return {"prompt": request.prompt, "n": request.n or 1}

    def submit(self, payload: dict[str, Any], ctx: CallContext) -> Flow[Job]:
        requests = [
            httpx.Request("POST", ctx.url("/v1/image"), json={"prompt": payload["prompt"], "i": i})
            for i in range(payload["n"])
        ]
        answers = yield from send_all(requests)
        images = [
            base64.b64encode(a.content).decode()
            if isinstance(a, httpx.Response)
            else type(a).__name__
            for a in answers
        ]
        status = JobStatus(state="completed", output={"images": images}, raw={"n": len(images)})
        return Job(provider=ctx.provider, model=ctx.model, modality="image", id="j", status=status)

    def poll(self, job: Job, ctx: CallContext) -> Flow[JobStatus]:
        raise AssertionError("complete at submit")
        yield  # pragma: no cover


class SlowImages(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.add_route("POST", r"/v1/image", self._image)

    def _image(self, request: FakeRequest) -> FakeResponse:
        time.sleep(DELAY)
        return FakeResponse.raw(PNG, "image/png")


@pytest.fixture
def server() -> Iterator[SlowImages]:
    name = f"fanout-{uuid.uuid4().hex[:6]}"
    _plugins.registry.register(FanOutPlugin(), name, distribution="tarash-fanout-test")
    try:
        with SlowImages() as fake:
            yield fake
    finally:
        _plugins.registry.unregister(name)


def _config(server: SlowImages) -> ImageGenerationConfig:
    return ImageGenerationConfig(provider="fanout", model="m", api_key="k", base_url=server.url)


def test_requests_go_out_side_by_side(server: SlowImages, driver: str) -> None:
    request = ImageGenerationRequest(prompt="p", n=4)

    async def twice() -> tuple[Any, float]:  # the first call builds the pooled client
        await generate_image_async(_config(server), request)
        started = time.perf_counter()
        return await generate_image_async(_config(server), request), started

    if driver == "sync":
        generate_image(_config(server), request)
        started = time.perf_counter()
        response = generate_image(_config(server), request)
    else:
        response, started = asyncio.run(twice())
    elapsed = time.perf_counter() - started
    assert [base64.b64decode(i) for i in response.images] == [PNG] * 4
    server.requests = server.requests[4:]
    sent = [r.json()["i"] for r in server.requests]
    assert sorted(sent) == [0, 1, 2, 3]
    assert len({r.client_port for r in server.requests}) == 4  # four connections at once
    assert elapsed < 3 * DELAY, f"4 requests of {DELAY}s took {elapsed:.2f}s: not concurrent"


def test_a_transport_failure_is_handed_to_the_flow_in_place(
    server: SlowImages, driver: str
) -> None:
    server.inject("POST", r"/v1/image", drop=True)
    request = ImageGenerationRequest(prompt="p", n=3)
    if driver == "sync":
        response = generate_image(_config(server), request)
    else:
        response = asyncio.run(generate_image_async(_config(server), request))
    assert sorted(response.images, key=len) == sorted(
        ["HTTPConnectionError", base64.b64encode(PNG).decode(), base64.b64encode(PNG).decode()],
        key=len,
    )
    assert server.count("POST", r"/v1/image") == 3


def test_run_flow_answers_concurrently_in_order() -> None:
    plugin = FanOutPlugin()
    ctx = make_context("fanout", "m", "image")
    seen: list[int] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(int(request.read().decode().split('"i":')[1].strip(" }")))
        return httpx.Response(200, content=PNG)

    job = run_flow(plugin.submit({"prompt": "p", "n": 3}, ctx), answer)
    assert seen == [0, 1, 2]
    assert job.status is not None and len(job.status.output["images"]) == 3


# ---------------------------------------------------------------- send_batch: the one policy
@pytest.mark.parametrize(
    ("error", "resend"),
    [
        (HTTPError("slow down", status_code=429), True),
        (HTTPError("busy", status_code=503), True),
        (HTTPConnectionError("refused", request_sent=False), True),
        (HTTPConnectionError("dropped", request_sent=True), False),  # may have been billed
        (HTTPConnectionError("unknown"), False),
        (MalformedResponseError("no image", status_code=200), False),  # may have been billed
        (HTTPError("forbidden", status_code=401), False),  # would repeat
        (ValidationError("bad prompt"), False),
        (ContentModerationError("blocked"), False),
    ],
)
def test_resendable_is_only_what_made_nothing_and_may_work_again(
    error: TarashException, resend: bool
) -> None:
    assert resendable(error) is resend


def _batch_flow(n: int) -> Flow[tuple[dict[int, bytes], dict[int, TarashException]]]:
    ctx = make_context("fanout", "m", "image")

    def read(response: httpx.Response) -> bytes:
        if response.status_code >= 400:
            raise error_for_response(response, ctx)
        return response.content

    return send_batch(lambda: httpx.Request("POST", "https://x.test/image"), n, read)


def test_send_batch_sends_a_refused_call_of_a_partly_made_batch_again_once() -> None:
    calls: list[int] = []

    def answer(refused: set[int]) -> Any:
        def send(_request: httpx.Request) -> httpx.Response:
            calls.append(len(calls) + 1)
            return httpx.Response(503 if calls[-1] in refused else 200, content=PNG)

        return send

    made, failed = run_flow(_batch_flow(3), answer({2}))
    assert (sorted(made), failed, len(calls)) == ([0, 1, 2], {}, 4)
    calls.clear()
    made, failed = run_flow(_batch_flow(3), answer({2, 4}))  # refused again: not a third time
    assert (sorted(made), list(failed), len(calls)) == ([0, 2], [1], 4)
    calls.clear()
    made, failed = run_flow(_batch_flow(3), answer({1, 2, 3}))  # nothing made: not re-sent
    assert (made, sorted(failed), len(calls)) == ({}, [0, 1, 2], 3)
    calls.clear()
    with pytest.raises(HTTPError):  # one call: its failure raises, as a single send's would
        run_flow(_batch_flow(1), answer({1}))
