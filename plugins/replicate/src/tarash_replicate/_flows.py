"""Replicate's predictions API as sans-I/O flows: create (sync mode), poll, cancel, files.

POST /v1/models/{owner}/{name}/predictions       {"input"}             owner/name
POST /v1/predictions                             {"version", "input"}  owner/name:version
POST /v1/deployments/{owner}/{name}/predictions  {"input"}             deployments/owner/name
headers: Prefer: wait=N (sync mode), Cancel-After: <duration> (deadline)
GET  /v1/predictions/{id}         starting | processing | succeeded | failed | canceled | aborted
POST /v1/predictions/{id}/cancel
POST /v1/files                    multipart "content" → {"urls": {"get": url}}
"""

from __future__ import annotations

import logging
import math
import mimetypes
import re
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from tarash.tarash_gateway.exceptions import (
    ContentModerationError,
    GenerationFailedError,
    MalformedResponseError,
    TarashException,
    ValidationError,
)
from tarash.tarash_gateway.plugin import (
    CallContext,
    Flow,
    Job,
    JobStatus,
    error_for_response,
    json_body,
    json_object,
    malformed_response,
    send,
    upload_file,
    upload_large_media,
)

logger = logging.getLogger("tarash.replicate")

DEFAULT_UPLOAD_THRESHOLD = 256 * 1024
"""Replicate's guidance: data URLs for small files, an HTTP URL above ~256 KB."""
MAX_WAIT = 60
"""``Prefer: wait`` holds a request for at most 60 seconds."""
DONE = frozenset({"succeeded", "failed", "canceled", "aborted"})
_PROGRESS = re.compile(r"^\s*(\d+)%\s*\|.*?\|\s*(\d+)/(\d+)")
_MODERATION = re.compile(r"\bE005\b|nsfw|sensitive|flagged|safety (?:filter|check)", re.I)


# ---------------------------------------------------------------- model ids → routes
@dataclass(frozen=True)
class Route:
    """Where a model id's predictions are created, and the body's fixed part."""

    path: str
    version: str | None = None


def route(model: str) -> Route:
    """The create endpoint of ``model``.

    ``owner/name`` → the model's latest version; ``owner/name:version`` →
    ``/v1/predictions`` with that version; ``deployments/owner/name`` → the deployment.

    Raises:
        ValidationError: The id has none of these shapes.
    """
    name, _, version = model.partition(":")
    parts = name.strip("/").split("/")
    if parts[0] == "deployments" and len(parts) == 3 and all(parts) and not version:
        return Route(f"/v1/deployments/{parts[1]}/{parts[2]}/predictions")
    if len(parts) == 2 and all(parts) and parts[0] != "deployments":
        if version:
            return Route("/v1/predictions", version)
        return Route(f"/v1/models/{parts[0]}/{parts[1]}/predictions")
    raise ValidationError(
        f"model={model!r} is not a Replicate model id; expected 'owner/name', "
        "'owner/name:version' or 'deployments/owner/name'"
    )


# ---------------------------------------------------------------- headers
def headers(ctx: CallContext) -> dict[str, str]:
    """Replicate's bearer token."""
    return {"Authorization": f"Bearer {ctx.api_key}"}


def duration_header(seconds: float) -> str:
    """A ``Cancel-After`` duration: whole minutes as ``10m``, else seconds as ``90s``."""
    whole = max(1, math.ceil(seconds))
    return f"{whole // 60}m" if whole % 60 == 0 else f"{whole}s"


def create_headers(ctx: CallContext) -> dict[str, str]:
    """Sync mode (``Prefer: wait``) for images, and the deadline (``Cancel-After``)."""
    out = headers(ctx)
    settings = ctx.provider_config
    wait = settings.get("wait", MAX_WAIT if ctx.modality == "image" else False)
    if wait:
        seconds = MAX_WAIT if wait is True else int(wait)
        seconds = min(seconds, MAX_WAIT, max(1, int(ctx.config.timeout) - 1))
        out["Prefer"] = f"wait={seconds}"
    cancel_after = settings.get("cancel_after", True)
    if cancel_after is True:
        out["Cancel-After"] = duration_header(ctx.config.timeout)
    elif cancel_after:
        out["Cancel-After"] = str(cancel_after)
    return out


# ---------------------------------------------------------------- errors
def describe(response: httpx.Response) -> str | None:
    """Replicate's problem details (``detail``, ``title``, ``invalid_fields``)."""
    body = json_object(response)
    if body is None:
        return None
    text = str(body.get("detail") or body.get("title") or "") or None
    fields = body.get("invalid_fields")
    if isinstance(fields, list) and fields:
        parts = [
            f"{item.get('field', '?')}: {item.get('description', item.get('type', 'invalid'))}"
            for item in fields
            if isinstance(item, dict)
        ]
        text = f"{text or 'invalid input'} ({'; '.join(parts)})"
    return text


def request_error(
    response: httpx.Response, ctx: CallContext, request_id: str | None = None
) -> TarashException:
    """The exception for an error answer of any Replicate endpoint."""
    return error_for_response(response, ctx, describe(response), request_id=request_id)


# ---------------------------------------------------------------- submit
def submit(payload: dict[str, Any], ctx: CallContext) -> Flow[Job]:
    """Upload large inline media, create the prediction (sync mode for images), return the Job."""
    target = route(ctx.model)
    threshold = int(ctx.provider_config.get("upload_threshold_bytes", DEFAULT_UPLOAD_THRESHOLD))
    body = yield from upload_large_media(
        dict(payload), threshold, lambda data, kind: _upload(data, kind, ctx)
    )
    if target.version:
        body = {"version": target.version, **body}
    if ctx.config.webhook_url:
        body["webhook"] = ctx.config.webhook_url
        events = ctx.provider_config.get("webhook_events_filter") or ["completed"]
        body["webhook_events_filter"] = list(events)
    response = yield from send(
        httpx.Request("POST", ctx.url(target.path), json=body, headers=create_headers(ctx))
    )
    if response.status_code >= 400:
        raise request_error(response, ctx)
    prediction = json_body(response, ctx)
    prediction_id = prediction.get("id")
    if not isinstance(prediction_id, str) or not prediction_id:
        raise malformed_response(
            response, ctx, "without the prediction id", raw_response=prediction
        )
    job = Job(
        provider=ctx.provider,
        model=ctx.model,
        modality=ctx.modality,
        id=prediction_id,
        data={
            "get_url": ctx.url(f"/v1/predictions/{prediction_id}"),
            "cancel_url": ctx.url(f"/v1/predictions/{prediction_id}/cancel"),
            "logs_seen": 0,
        },
    )
    if prediction.get("status") in DONE:  # sync mode answered with the result
        job.status = status_of(prediction, job, ctx)
    return job


def _upload(data: bytes, content_type: str, ctx: CallContext) -> Generator[Any, Any, str]:
    """``POST /v1/files``; the file's ``urls.get`` is the input URL."""
    response = yield from send(
        httpx.Request(
            "POST",
            ctx.url("/v1/files"),
            files={"content": upload_file("input", data, content_type)},
            headers=headers(ctx),
        )
    )
    if response.status_code >= 400:
        raise request_error(response, ctx)
    body = json_body(response, ctx)
    url = (body.get("urls") or {}).get("get") if isinstance(body.get("urls"), dict) else None
    if not isinstance(url, str) or not url:
        raise malformed_response(response, ctx, "without urls.get", raw_response=body)
    logger.debug("tarash: uploaded %d bytes of %s to Replicate files", len(data), content_type)
    return url


# ---------------------------------------------------------------- poll
def poll(job: Job, ctx: CallContext) -> Flow[JobStatus]:
    """One ``GET /v1/predictions/{id}``."""
    response = yield from send(httpx.Request("GET", job.data["get_url"], headers=headers(ctx)))
    if response.status_code >= 400:
        raise request_error(response, ctx, job.id)
    return status_of(json_body(response, ctx), job, ctx)


def status_of(prediction: dict[str, Any], job: Job, ctx: CallContext) -> JobStatus:
    """A prediction object as a JobStatus; failed, canceled and aborted ones raise."""
    status = str(prediction.get("status") or "")
    logs = _new_logs(job, prediction.get("logs"))
    kwargs: dict[str, Any] = {
        "provider": ctx.provider,
        "model": ctx.model,
        "request_id": job.id,
        "raw_response": prediction,
    }
    if status == "failed":
        error = str(prediction.get("error") or "no error given")
        if _MODERATION.search(error):
            raise ContentModerationError(f"Replicate refused the content: {error}", **kwargs)
        raise GenerationFailedError(f"the Replicate prediction failed: {error}", **kwargs)
    if status == "aborted":
        raise GenerationFailedError(
            "the Replicate prediction was aborted: its Cancel-After deadline passed before it "
            "started (not billed)",
            **kwargs,
        )
    if status == "canceled":
        raise GenerationFailedError("the Replicate prediction was canceled", **kwargs)
    if status == "starting":
        return JobStatus(state="queued", logs=logs, raw=prediction)
    if status != "succeeded":
        if status != "processing":
            logger.info("tarash: Replicate prediction %s is %r; still polling", job.id, status)
        percent = progress(prediction.get("logs"))
        return JobStatus(state="processing", progress_percent=percent, logs=logs, raw=prediction)
    return JobStatus(
        state="completed",
        progress_percent=100,
        logs=logs,
        output=output_of(prediction, ctx, job.id),
        raw=prediction,
    )


def progress(logs: Any) -> int | None:
    """The percentage of the last progress-bar line (``" 45%|████ | 9/20"``) in the logs."""
    if not isinstance(logs, str):
        return None
    for line in reversed(re.split(r"[\r\n]", logs)):
        match = _PROGRESS.match(line)
        if match:
            return max(0, min(100, int(match.group(1))))
    return None


def _new_logs(job: Job, logs: Any) -> list[str]:
    """Complete log lines not reported before (Replicate's logs are one growing string)."""
    if not isinstance(logs, str):
        return []
    seen = int(job.data.get("logs_seen") or 0)
    if len(logs) < seen:  # restarted
        seen = 0
    end = logs.rfind("\n") + 1
    if end <= seen:
        return []
    job.data["logs_seen"] = end
    return [line for line in logs[seen:end].splitlines() if line.strip()]


def _urls(output: Any) -> list[str]:
    if isinstance(output, str):
        return [output]
    if isinstance(output, list):
        return [item for item in output if isinstance(item, str)]
    if isinstance(output, dict):
        for key in ("video", "images", "image", "output", "url"):
            if key in output:
                return _urls(output[key])
    return []


def _type(url: str, default: str) -> str:
    guessed, _ = mimetypes.guess_type(urlsplit(url).path)
    return guessed or default


def output_of(prediction: dict[str, Any], ctx: CallContext, request_id: str) -> dict[str, Any]:
    """The prediction's output (a URL, a list of URLs, or an object) as response fields."""
    urls = _urls(prediction.get("output"))
    if not urls:
        raise GenerationFailedError(
            "the Replicate prediction succeeded without a media URL in its output",
            provider=ctx.provider,
            model=ctx.model,
            request_id=request_id,
            raw_response=prediction,
        )
    if ctx.modality == "image":
        return {"images": urls, "content_type": _type(urls[0], "image/png")}
    return {"video": urls[0], "content_type": _type(urls[0], "video/mp4")}


# ---------------------------------------------------------------- webhook
def parse_webhook(body: dict[str, Any], ctx: CallContext) -> tuple[str, JobStatus]:
    """A delivery (signature already verified): the prediction object, as a poll reads it."""
    prediction_id = body.get("id")
    if not isinstance(prediction_id, str) or not prediction_id:
        raise MalformedResponseError(
            "the Replicate webhook is not a prediction (no id)", raw_response=body
        )
    job = Job(
        provider=ctx.provider,
        model=ctx.model,
        modality=ctx.modality,
        id=prediction_id,
        data={"logs_seen": 0},
    )
    return prediction_id, status_of(body, job, ctx)


# ---------------------------------------------------------------- cancel
def cancel(job: Job, ctx: CallContext) -> Flow[None]:
    """``POST /v1/predictions/{id}/cancel``."""
    response = yield from send(httpx.Request("POST", job.data["cancel_url"], headers=headers(ctx)))
    if response.status_code >= 400 and response.status_code != 404:
        raise request_error(response, ctx, job.id)
