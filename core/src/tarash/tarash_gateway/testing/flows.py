"""Driving a plugin's flow directly in unit tests, without any server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from tarash.tarash_gateway.models import CONFIG_TYPES, REQUEST_TYPES, Modality
from tarash.tarash_gateway.plugin import CallContext, Concurrently, Flow, Sleep

T = TypeVar("T")


def run_flow(flow: Flow[T], send: Callable[[httpx.Request], httpx.Response]) -> T:
    """Run ``flow`` to its result, answering each request with ``send(request)``.

    ``send`` may be an ``httpx.MockTransport`` handler. Sleeps are skipped;
    ``Concurrently`` requests are answered one after the other, in order.
    """
    response: Any = None
    while True:
        try:
            item = flow.send(response)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        if isinstance(item, Sleep):
            response = None
        elif isinstance(item, Concurrently):
            response = [_answer(send, request) for request in item.requests]
        else:
            response = _answer(send, item)


def _answer(send: Callable[[httpx.Request], httpx.Response], request: httpx.Request) -> Any:
    response = send(request)
    response.request = request
    response.read()
    return response


def make_context(
    provider: str,
    model: str,
    modality: Modality,
    request: Any = None,
    *,
    api_key: str = "test-key",
    base_url: str = "http://fake.invalid",
    **config: Any,
) -> CallContext:
    """A CallContext for calling a plugin's hooks directly."""
    cfg: Any = CONFIG_TYPES[modality](
        provider=provider, model=model, api_key=api_key, base_url=base_url, **config
    )
    if request is None:
        request = REQUEST_TYPES[modality].model_validate(
            {"prompt": "test"}
            if modality in ("video", "image")
            else {"text": "t", "voice_id": "v", "audio": b"x"}
        )
    return CallContext(provider, model, modality, cfg, request, api_key, base_url)
