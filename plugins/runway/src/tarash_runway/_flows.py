"""Runway's task protocol as sans-I/O flows: create, poll, cancel, ephemeral upload.

    POST   /v1/{text_to_video|image_to_video|...}  → {"id": task id}
    GET    /v1/tasks/{id}                          → PENDING | THROTTLED | RUNNING (progress 0..1)
                                                      | SUCCEEDED (output: [url]) | FAILED | CANCELLED
    DELETE /v1/tasks/{id}                          → 204 (cancels a task that has not finished)
    POST   /v1/uploads {filename, type: ephemeral} → {uploadUrl, fields, runwayUri}; the file is
                                                      then POSTed as multipart to uploadUrl

Every request carries ``Authorization: Bearer`` and the required
``X-Runway-Version`` header.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Generator
from typing import Any
from urllib.parse import urlsplit

import httpx

from tarash.tarash_gateway.exceptions import (
    ContentModerationError,
    GenerationFailedError,
    TarashException,
)
from tarash.tarash_gateway.plugin import (
    CallContext,
    Flow,
    Job,
    JobStatus,
    error_for_response,
    fetch_media,
    json_body,
    json_object,
    malformed_response,
    send,
    to_base64,
    upload_file,
    upload_large_media,
)
from tarash_runway._families import select

logger = logging.getLogger("tarash.runway")

RUNWAY_VERSION = "2024-11-06"
DEFAULT_UPLOAD_THRESHOLD = 3 * 1024 * 1024
"""Inline media above this many bytes goes through an ephemeral upload.

Runway takes data URIs of up to 5 MB for images and 16 MB for video and audio;
3 MiB of bytes stays under 5 MB once base64-encoded."""

MODERATION_PREFIXES = ("SAFETY.", "INPUT_PREPROCESSING.SAFETY")
QUEUED = frozenset({"PENDING", "THROTTLED"})


def headers(ctx: CallContext) -> dict[str, str]:
    """Runway's authentication and API version headers."""
    version = str(ctx.provider_config.get("runway_version") or RUNWAY_VERSION)
    return {"Authorization": f"Bearer {ctx.api_key}", "X-Runway-Version": version}


# ---------------------------------------------------------------- errors
def describe(response: httpx.Response) -> str | None:
    """Runway's message from an error body (``{"error": ..., "issues": [...]}``)."""
    body = json_object(response)
    if body is None:
        return None
    message = body.get("error") or body.get("message")
    text = str(message) if message else None
    issues = body.get("issues")
    if isinstance(issues, list) and issues:
        details = []
        for issue in issues:
            if isinstance(issue, dict):
                where = ".".join(str(p) for p in issue.get("path") or [])
                what = str(issue.get("message") or "")
                details.append(f"{where}: {what}" if where else what)
        text = f"{text or 'invalid request'} ({'; '.join(details)})"
    return text


def request_error(
    response: httpx.Response, ctx: CallContext, request_id: str | None = None
) -> TarashException:
    """The exception for an error answer of any Runway endpoint."""
    return error_for_response(response, ctx, describe(response), request_id=request_id)


# ---------------------------------------------------------------- submit
def submit(payload: dict[str, Any], ctx: CallContext) -> Flow[Job]:
    """Upload large inline media, create the task at the family's endpoint, return the Job."""
    family = select(ctx.model, ctx.modality, ctx.request)
    threshold = int(ctx.provider_config.get("upload_threshold_bytes", DEFAULT_UPLOAD_THRESHOLD))
    body = yield from upload_large_media(
        payload, threshold, lambda data, content_type: _upload(data, content_type, ctx)
    )
    response = yield from send(
        httpx.Request("POST", ctx.url(family.endpoint), json=body, headers=headers(ctx))
    )
    if response.status_code >= 400:
        raise request_error(response, ctx)
    answer = json_body(response, ctx)
    task_id = answer.get("id")
    if not isinstance(task_id, str) or not task_id:
        raise malformed_response(response, ctx, "without the task id", raw_response=answer)
    return Job(
        provider=ctx.provider,
        model=ctx.model,
        modality=ctx.modality,
        id=task_id,
        data={"task_url": ctx.url(f"/v1/tasks/{task_id}"), "endpoint": family.endpoint},
    )


def _upload(data: bytes, content_type: str, ctx: CallContext) -> Generator[Any, Any, str]:
    """Runway's ephemeral upload: reserve, POST the file to the signed URL, use the runway:// URI."""
    name, content, kind = upload_file("input", data, content_type)
    response = yield from send(
        httpx.Request(
            "POST",
            ctx.url("/v1/uploads"),
            json={"filename": name, "type": "ephemeral"},
            headers=headers(ctx),
        )
    )
    if response.status_code >= 400:
        raise request_error(response, ctx)
    body = json_body(response, ctx)
    upload_url, fields, uri = body.get("uploadUrl"), body.get("fields"), body.get("runwayUri")
    if not isinstance(upload_url, str) or not isinstance(uri, str) or not isinstance(fields, dict):
        raise malformed_response(
            response, ctx, "without uploadUrl/fields/runwayUri", raw_response=body
        )
    # The signed URL authorises the upload by its form fields: no Runway key is sent there.
    stored = yield from send(
        httpx.Request(
            "POST",
            upload_url,
            data={str(k): str(v) for k, v in fields.items()},
            files={"file": (name, content, kind)},
        )
    )
    if stored.status_code >= 400:
        raise request_error(stored, ctx)
    logger.debug("tarash: uploaded %d bytes of %s to Runway", len(data), content_type)
    return uri


# ---------------------------------------------------------------- poll
def poll(job: Job, ctx: CallContext) -> Flow[JobStatus]:
    """One ``GET /v1/tasks/{id}``; the output when SUCCEEDED, an error when FAILED/CANCELLED."""
    response = yield from send(httpx.Request("GET", job.data["task_url"], headers=headers(ctx)))
    if response.status_code >= 400:
        raise request_error(response, ctx, job.id)
    body = json_body(response, ctx)
    status = str(body.get("status") or "").upper()
    if status in QUEUED:
        return JobStatus(state="queued", raw=body)
    if status == "RUNNING":
        return JobStatus(
            state="processing", progress_percent=percent(body.get("progress")), raw=body
        )
    if status == "FAILED":
        raise failure(body, ctx, job.id)
    if status == "CANCELLED":
        raise GenerationFailedError(
            "the Runway task was cancelled or deleted before it finished",
            provider=ctx.provider,
            model=ctx.model,
            request_id=job.id,
            raw_response=body,
        )
    if status != "SUCCEEDED":
        logger.info("tarash: Runway task %s has unknown status %r; still polling", job.id, status)
        return JobStatus(state="processing", raw=body)
    urls = [url for url in body.get("output") or [] if isinstance(url, str) and url]
    if not urls:
        raise GenerationFailedError(
            "the Runway task succeeded without output URLs",
            provider=ctx.provider,
            model=ctx.model,
            request_id=job.id,
            raw_response=body,
        )
    output = yield from _output(urls, ctx)
    return JobStatus(state="completed", progress_percent=100, output=output, raw=body)


def percent(progress: Any) -> int | None:
    """Runway's ``progress`` (a fraction 0..1) as a whole percentage."""
    if not isinstance(progress, int | float) or isinstance(progress, bool):
        return None
    value = progress * 100 if progress <= 1 else progress
    return max(0, min(100, round(value)))


def failure(body: dict[str, Any], ctx: CallContext, task_id: str) -> TarashException:
    """ContentModerationError for ``SAFETY.*`` codes, else GenerationFailedError."""
    code = str(body.get("failureCode") or "")
    reason = str(body.get("failure") or "no reason given")
    text = f"the Runway task failed: {reason}" + (f" ({code})" if code else "")
    kwargs: dict[str, Any] = {
        "provider": ctx.provider,
        "model": ctx.model,
        "request_id": task_id,
        "raw_response": body,
    }
    if code.startswith(MODERATION_PREFIXES):
        return ContentModerationError(text, **kwargs)
    return GenerationFailedError(text, **kwargs)


def _content_type(url: str, default: str) -> str:
    guessed, _ = mimetypes.guess_type(urlsplit(url).path)
    return guessed or default


def _output(urls: list[str], ctx: CallContext) -> Generator[Any, Any, dict[str, Any]]:
    if ctx.modality == "video":
        return {"video": urls[0], "content_type": _content_type(urls[0], "video/mp4")}
    if ctx.modality == "image":
        return {"images": urls, "content_type": _content_type(urls[0], "image/png")}
    # Speech results are URLs that expire; the response carries the audio itself.
    data, content_type = yield from fetch_media(urls[0], ctx, "output", "audio/mpeg")
    return {"audio": to_base64(data), "content_type": content_type}


# ---------------------------------------------------------------- cancel
def cancel(job: Job, ctx: CallContext) -> Flow[None]:
    """``DELETE /v1/tasks/{id}``: cancels a pending, throttled or running task."""
    response = yield from send(
        httpx.Request("DELETE", job.data["task_url"], headers={**headers(ctx), "Accept": "*/*"})
    )
    if response.status_code >= 400 and response.status_code != 404:
        raise request_error(response, ctx, job.id)
