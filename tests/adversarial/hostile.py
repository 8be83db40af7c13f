"""Hostile and buggy plugins: the echo plugin with one hook broken on purpose."""

from __future__ import annotations

from typing import Any

from tarash.tarash_gateway import _plugins
from tarash.tarash_gateway.plugin import CallContext, Flow, Job, JobStatus, ProviderInfo, Sleep
from tests.support.echo_provider import EchoPlugin

DISTRIBUTION = "tarash-hostile"
VERSION = "6.6.6"


class HostilePlugin(EchoPlugin):
    """Speaks the echo wire format as provider ``hostile``; ``breaks`` picks the broken hook."""

    name = "hostile"

    def __init__(self, breaks: str, error: BaseException | None = None) -> None:
        self.breaks = breaks
        self.error = error or RuntimeError("boom")

    def info(self) -> ProviderInfo:
        info = super().info()
        return info.model_copy(update={"name": "hostile", "api_key_env": ["HOSTILE_KEY"]})

    def supports_modality(self, model: str, modality: str) -> bool:
        if self.breaks == "supports_modality":
            raise self.error
        return super().supports_modality(model, modality)

    def map_fields(self, model: str, modality: str, request: Any, config: Any) -> dict[str, Any]:
        if self.breaks == "map_fields":
            raise self.error
        return super().map_fields(model, modality, request, config)

    def submit(self, payload: dict[str, Any], ctx: CallContext) -> Flow[Job]:
        if self.breaks == "submit":
            raise self.error
        if self.breaks == "submit-sleeps":
            return _sleep_then(super().submit(payload, ctx), 6.0)
        return super().submit(payload, ctx)

    def poll(self, job: Job, ctx: CallContext) -> Flow[JobStatus]:
        if self.breaks == "poll":
            raise self.error
        if self.breaks == "poll-in-flow":
            return _raise_after_request(super().poll(job, ctx), self.error)
        if self.breaks == "poll-returns-none":
            return _returning(super().poll(job, ctx), None)
        if self.breaks == "poll-returns-dict":
            return _returning(super().poll(job, ctx), {"state": "completed"})
        return super().poll(job, ctx)


def _sleep_then(flow: Flow[Any], seconds: float) -> Flow[Any]:
    yield Sleep(seconds)
    return (yield from flow)


def _raise_after_request(flow: Flow[Any], error: BaseException) -> Flow[Any]:
    request = next(flow)
    yield request
    raise error


def _returning(flow: Flow[Any], value: Any) -> Flow[Any]:
    yield from flow
    return value


def register(plugin: object, names: list[str], name: str = "hostile-test") -> None:
    """Register ``plugin`` as distribution tarash-hostile 6.6.6; ``names`` gets unregistered."""
    _plugins.registry.register(plugin, name, distribution=DISTRIBUTION, version=VERSION)
    names.append(name)


class KeyHeadersPlugin(EchoPlugin):
    """The echo protocol, the key also sent the ways other providers send theirs."""

    name = "keyheaders"
    HEADERS = ("xi-api-key", "x-goog-api-key", "api-key", "x-api-key", "cookie")

    def info(self) -> ProviderInfo:
        return super().info().model_copy(update={"name": "keyheaders", "api_key_env": []})

    def submit(self, payload: dict[str, Any], ctx: CallContext) -> Flow[Job]:
        return _with_headers(super().submit(payload, ctx), dict.fromkeys(self.HEADERS, ctx.api_key))


class KeyInQueryPlugin(EchoPlugin):
    """The echo protocol with the key in the query string too (what plugins must not do)."""

    name = "keyinquery"

    def info(self) -> ProviderInfo:
        return super().info().model_copy(update={"name": "keyinquery", "api_key_env": []})

    def submit(self, payload: dict[str, Any], ctx: CallContext) -> Flow[Job]:
        return _with_query(super().submit(payload, ctx), ctx.api_key or "")


def _with_headers(flow: Flow[Any], headers: dict[str, Any]) -> Flow[Any]:
    response = None
    while True:
        try:
            item = flow.send(response)
        except StopIteration as stop:
            return stop.value
        if hasattr(item, "headers"):
            item.headers.update(headers)
        response = yield item


def _with_query(flow: Flow[Any], key: str) -> Flow[Any]:
    import httpx

    response = None
    while True:
        try:
            item = flow.send(response)
        except StopIteration as stop:
            return stop.value
        if isinstance(item, httpx.Request):
            item.url = item.url.copy_merge_params({"key": key})
        response = yield item


class StrictCancelPlugin(EchoPlugin):
    """The echo protocol; a refused cancel raises with the provider's body (as fal's does)."""

    name = "strictcancel"

    def info(self) -> ProviderInfo:
        return super().info().model_copy(update={"name": "strictcancel", "api_key_env": []})

    def cancel(self, job: Job, ctx: CallContext) -> Flow[None]:
        return _strict_cancel(job, ctx)


def _strict_cancel(job: Job, ctx: CallContext) -> Flow[None]:
    import httpx

    from tarash.tarash_gateway.plugin import error_for_response

    headers = {"Authorization": f"Bearer {ctx.api_key}"}
    response = yield httpx.Request("DELETE", ctx.url(f"/v1/jobs/{job.id}"), headers=headers)
    if response.status_code >= 400:
        raise error_for_response(response, ctx, request_id=job.id)
