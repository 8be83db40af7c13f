"""Programs for jobs taken back by handle: status (one poll), wait, cancel.

A GenerationJob names its provider, model and the link of the chain that took
it; the config given back supplies the key and base URL. Each program yields the
engine's effects, so the sync and async API share it (see ``_engine.py``).
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable, Mapping
from typing import Any, TypedDict, Unpack

import httpx
import pydantic

from tarash.tarash_gateway import _engine, _journal
from tarash.tarash_gateway._chain import Link, flatten, resolve_for_job
from tarash.tarash_gateway._flow import Program, Send
from tarash.tarash_gateway._plugins import registry as plugin_registry
from tarash.tarash_gateway._redact import scrub_exception
from tarash.tarash_gateway.exceptions import (
    ContentModerationError,
    GenerationFailedError,
    HTTPConnectionError,
    MalformedResponseError,
    TarashException,
    ValidationError,
)
from tarash.tarash_gateway.models import (
    CONFIG_TYPES,
    UPDATE_TYPES,
    AttemptMetadata,
    GenerationConfig,
    GenerationJob,
    Modality,
    WebhookEvent,
)
from tarash.tarash_gateway.plugin import CallContext, Job, JobStatus

_FAILED_JOB = (GenerationFailedError, ContentModerationError)


def status(job: Any, config: Any) -> Program[Any]:
    """One status check of ``job`` → the modality's Update (no request once it is finished)."""
    job = coerce_job(job)
    link, ctx = _resume(job, config)
    update_type = UPDATE_TYPES[job.modality]
    common = {
        "request_id": job.request_id,
        "provider": job.provider,
        "model": job.model,
        "attempt_number": job.attempt_number,
    }
    if job.status == "completed":
        result = _response(job, link)
        return update_type(status="completed", progress_percent=100, result=result, **common)
    if job.status in ("failed", "cancelled"):
        return update_type(status="failed", error=job.error or job.status, **common)
    deadline = time.monotonic() + link.config.timeout
    try:
        state: JobStatus = yield from _engine._drive(
            link, "tarash_poll", ctx, deadline, job=_live(job)
        )
    except _FAILED_JOB as exc:
        yield from _failed(job, exc)
        _scrub(exc, link, job)
        return update_type(
            status="failed", error=exc.message, update=exc.raw_response or {}, **common
        )
    except TarashException as exc:
        _scrub(exc, link, job)
        raise
    result = None
    if state.state == "completed":
        _engine.complete(job, state)
        result = _response(job, link)
    else:
        job.status = state.state
    yield from _record(job)
    return update_type(
        status=state.state,
        progress_percent=100 if result is not None else state.progress_percent,
        update=state.raw,
        queue_position=state.queue_position,
        logs=state.logs,
        result=result,
        **common,
    )


def wait(job: Any, config: Any, on_progress: Callable[[Any], Any] | None) -> Program[Any]:
    """Poll ``job`` until it completes → the modality's Response with ExecutionMetadata.

    A timeout or an interruption leaves the remote job running (its handle stays
    valid; call ``cancel_job`` to stop it). A failed job raises; there is no
    fallback after submit (submit again to try another provider).
    """
    job = coerce_job(job)
    link, ctx = _resume(job, config)
    if job.status in ("failed", "cancelled"):
        raise GenerationFailedError(
            f"the job ended as {job.status}: {job.error or job.status}",
            provider=job.provider,
            model=job.model,
            request_id=job.request_id,
        )
    record = _record_of(job)
    chain = _engine._Chain(job.attempt_number, job.configs_in_chain, [*job.attempts[:-1], record])
    deadline = time.monotonic() + link.config.timeout
    with _journal.holding(job.id):  # a concurrent `tarash jobs resume` leaves the job to us
        try:
            response = yield from _engine.wait_for(
                job.modality, link, ctx, _live(job), on_progress, chain, deadline, job, False
            )
        except TarashException as exc:
            _fail_attempt(record, exc, chain, link, job)
            raise
    record.ended_at = _engine._now()
    metadata = _engine._metadata(chain.attempts, chain.length)
    return response.model_copy(update={"execution_metadata": metadata})


def cancel(job: Any, config: Any) -> Program[bool]:
    """Cancel ``job`` remotely → True when the provider took the request.

    False when the job already finished or the provider has no cancellation.
    """
    job = coerce_job(job)
    link, ctx = _resume(job, config)
    if job.is_finished:
        return False
    assert link.loaded is not None
    flow = link.loaded.call("tarash_cancel", provider=link.provider, job=_live(job), ctx=ctx)
    if flow is None:
        return False
    deadline = time.monotonic() + _engine.CANCEL_TIMEOUT
    try:
        yield from _engine._drive_flow(link, flow, deadline, "tarash_cancel")
    except TarashException as exc:
        _scrub(exc, link, job)
        raise
    job.status = "cancelled"
    job.error = "cancelled by cancel_job"
    yield from _record(job)
    return True


# ---------------------------------------------------------------- helpers
def coerce_job(job: Any) -> GenerationJob:
    """A GenerationJob from a handle, its dict or its JSON text."""
    if isinstance(job, GenerationJob):
        return job
    try:
        if isinstance(job, str | bytes):
            return GenerationJob.model_validate_json(job)
        if isinstance(job, dict):
            return GenerationJob.model_validate(job)
    except pydantic.ValidationError as exc:
        raise ValidationError(f"not a GenerationJob: {exc}") from exc
    raise ValidationError(f"expected a GenerationJob, got {type(job).__name__}")


def _resume(job: GenerationJob, config: Any) -> tuple[Link, CallContext]:
    """The link (key, base URL) and flow context to work on ``job`` with ``config``."""
    config_type = CONFIG_TYPES[job.modality]
    try:
        if isinstance(config, dict):
            config = config_type.model_validate(config)
    except pydantic.ValidationError as exc:
        raise ValidationError(str(exc)) from exc
    if not isinstance(config, config_type):
        raise ValidationError(
            f"a {job.modality} job takes a {config_type.__name__}, got {type(config).__name__}"
        )
    chosen = _config_for(job, config)  # type: ignore[arg-type]
    link = resolve_for_job(chosen, job.provider, job.model)
    if link.base_url.rstrip("/") != job.base_url.rstrip("/"):
        raise ValidationError(
            f"the job was submitted to {job.base_url!r}; the config points at "
            f"{link.base_url!r} (give the job's base_url in the config)",
            provider=job.provider,
            model=job.model,
        )
    if job.attached() is None:
        _refuse_foreign_urls(job, link.base_url)
    ctx = CallContext(
        link.provider, link.model, job.modality, link.config, None, link.api_key, link.base_url
    )
    return link, ctx


def _refuse_foreign_urls(job: GenerationJob, base_url: str) -> None:
    """A handle read back from JSON may only point at its provider's host.

    Poll and cancel flows send the key to the URLs in ``job.data``; a handle
    altered to point elsewhere would hand the key to that host.
    """
    origin = _origin(base_url)
    for key, value in job.data.items():
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            if _origin(value) != origin:
                raise ValidationError(
                    f"the job's data[{key!r}] points at {_origin(value)}, not at the provider's "
                    f"{origin}; the handle is refused (the API key would be sent there)",
                    provider=job.provider,
                    model=job.model,
                )


def _origin(url: str) -> str:
    parts = httpx.URL(url)
    return f"{parts.scheme}://{parts.host}:{parts.port or (443 if parts.scheme == 'https' else 80)}"


def _config_for(job: GenerationJob, config: GenerationConfig) -> GenerationConfig:
    """The config of the chain that took the job (its link, else the first of its provider)."""
    chain = flatten(config)

    def provider_of(cfg: GenerationConfig) -> str:
        return "mock" if cfg.mock is not None and cfg.mock.enabled else cfg.provider

    index = job.attempt_number - 1
    if 0 <= index < len(chain) and provider_of(chain[index]) == job.provider:
        return chain[index]
    for cfg in chain:
        if provider_of(cfg) == job.provider:
            return cfg
    providers = ", ".join(repr(provider_of(cfg)) for cfg in chain)
    raise ValidationError(
        f"the job belongs to provider {job.provider!r}; the config is for {providers}",
        provider=job.provider,
        model=job.model,
    )


def _live(job: GenerationJob) -> Job:
    """The plugin's Job for ``job`` (the in-process one when there is one)."""
    live = job.attached()
    if isinstance(live, Job):
        return live
    live = Job(provider=job.provider, model=job.model, modality=job.modality, id=job.request_id)
    live.data = job.data  # one dict: what the plugin updates, the handle keeps
    if job.status == "completed":
        live.status = JobStatus(state="completed", output=job.result, raw=job.raw_response)
    job.attach(live)
    return live


def _response(job: GenerationJob, link: Link) -> Any:
    live = _live(job)
    return _engine._build_response(job.modality, link, live, live.status)


def _record_of(job: GenerationJob) -> AttemptMetadata:
    if job.attempts:
        return job.attempts[-1].model_copy()
    return AttemptMetadata(
        provider=job.provider,
        model=job.model,
        attempt_number=job.attempt_number,
        started_at=job.created_at,
        status="success",
        request_id=job.request_id,
    )


def _fail_attempt(
    record: AttemptMetadata,
    exc: TarashException,
    chain: _engine._Chain,
    link: Link,
    job: GenerationJob,
) -> None:
    _scrub(exc, link, job)
    record.status = "failed"
    record.ended_at = _engine._now()
    record.error_type = type(exc).__name__
    record.error_message = exc.message
    _engine._attach(exc, chain.attempts, chain.length)


def _scrub(exc: TarashException, link: Link, job: GenerationJob) -> None:
    exc.provider = exc.provider or job.provider
    exc.model = exc.model or job.model
    exc.request_id = exc.request_id or job.request_id
    scrub_exception(exc, [key for key in (link.api_key, link.config.api_key) if key])


def _failed(job: GenerationJob, exc: TarashException) -> Program[None]:
    job.status = "failed"
    job.error = exc.message
    yield from _record(job)


def _record(job: GenerationJob) -> Program[None]:
    journal = _journal.current()
    if journal is not None:
        yield from _engine._journal_write(journal.update, job)


# ---------------------------------------------------------------- webhooks
class WebhookOptions(TypedDict, total=False):
    """The keyword arguments of ``parse_webhook`` (documented there)."""

    job: GenerationJob | None
    modality: Modality | None
    secret: str | None
    keys: Any
    key_url: str | None
    tolerance: int | None


def parse_webhook(
    provider: str,
    body: bytes | str,
    headers: Mapping[str, str],
    **options: Unpack[WebhookOptions],
) -> Program[WebhookEvent]:
    """Verify a delivery's signature, then read it into a WebhookEvent."""
    for name in options.keys() - WebhookOptions.__optional_keys__:
        raise TypeError(f"parse_webhook() got an unexpected keyword argument {name!r}")
    loaded = plugin_registry.providers.get(provider)
    if loaded is None:
        installed = ", ".join(plugin_registry.names()) or "none"
        raise ValidationError(f"unknown provider {provider!r}. Installed providers: {installed}")
    verifier = loaded.call("tarash_webhook_verifier", provider=provider)
    if verifier is None:
        raise ValidationError(f"provider {provider!r} has no webhooks", provider=provider)
    if options.get("tolerance") is not None:
        verifier = dataclasses.replace(verifier, tolerance=options["tolerance"])
    if options.get("key_url") is not None and hasattr(verifier, "jwks_url"):
        verifier = dataclasses.replace(verifier, jwks_url=options["key_url"])
    raw = body.encode() if isinstance(body, str) else bytes(body)
    flow = verifier.verify(raw, headers, secret=options.get("secret"), keys=options.get("keys"))
    delivery_id = yield from _drive_plain(flow, provider)
    try:
        data = json.loads(raw)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise MalformedResponseError(
            f"the {provider} webhook body is not a JSON object", provider=provider
        )
    job = options.get("job")
    if job is not None:
        job = coerce_job(job)
    modality = job.modality if job is not None else options.get("modality")
    modality = modality or _guess_modality(data)
    model = job.model if job is not None else ""
    config = CONFIG_TYPES[modality](provider=provider, model=model or None)
    ctx = CallContext(provider, model, modality, config, None, None, "")  # type: ignore[arg-type]
    try:
        parsed = loaded.call("tarash_parse_webhook", provider=provider, body=data, ctx=ctx)
    except _FAILED_JOB as exc:
        return WebhookEvent(
            provider=provider,
            request_id=exc.request_id or "",
            status="failed",
            error=exc.message,
            raw=data,
            webhook_id=delivery_id,
        )
    if parsed is None:
        raise ValidationError(f"provider {provider!r} does not parse webhooks", provider=provider)
    request_id, state = parsed
    if job is not None and job.request_id != request_id:
        raise ValidationError(
            f"the delivery is for job {request_id!r}, not {job.request_id!r}", provider=provider
        )
    result = None
    if state.state == "completed" and state.output is not None:
        link = Link(config=config, provider=provider, model=model)  # type: ignore[arg-type]
        live = Job(provider=provider, model=model, modality=modality, id=request_id, status=state)
        result = _engine._build_response(modality, link, live, state)
    return WebhookEvent(
        provider=provider,
        request_id=request_id,
        status=state.state,
        result=result,
        raw=data,
        webhook_id=delivery_id,
    )


def _drive_plain(flow: Any, provider: str) -> Program[Any]:
    """Drive a verifier's flow (its key-set fetch) on the shared HTTP clients."""
    response = None
    while True:
        try:
            request = flow.send(response)
        except StopIteration as stop:
            return stop.value
        request.extensions["timeout"] = httpx.Timeout(10.0).as_dict()
        try:
            response = yield Send(request, provider)
        except httpx.HTTPError as exc:
            flow.close()
            raise HTTPConnectionError(
                f"{request.method} {request.url}: {type(exc).__name__}: {exc}", provider=provider
            ) from exc


def _guess_modality(data: dict[str, Any]) -> Modality:
    text = json.dumps(data.get("payload", data.get("output", data)))[:20000]
    if '"images"' in text or '"image"' in text:
        return "image"
    if '"video' in text:
        return "video"
    if '"audio' in text:
        return "tts"
    return "video"
