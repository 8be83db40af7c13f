"""fal's queue protocol as sans-I/O flows: submit, poll (status + result), cancel.

Submit ``POST {base}/{model id}`` → ``request_id`` and the status, response and
cancel URLs (kept in ``Job.data``). Poll ``GET status_url?logs=1``: IN_QUEUE
(queue position) → IN_PROGRESS (cumulative logs; only new lines are reported)
→ COMPLETED, then ``GET response_url`` for the output or the model's error.
Cancel ``PUT cancel_url``. Inline media larger than ``upload_threshold_bytes``
goes through fal storage first (``POST {storage}/storage/upload/initiate`` then
``PUT`` of the bytes to the signed URL).
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Generator
from typing import Any

import httpx

from tarash.tarash_gateway.exceptions import (
    GenerationFailedError,
    MalformedResponseError,
    ValidationError,
)
from tarash.tarash_gateway.plugin import (
    CallContext,
    Flow,
    Job,
    JobStatus,
    extension_for,
    json_body,
    malformed_response,
)
from tarash_fal._errors import describe, request_error, result_error
from tarash_fal._speech import speech_output

logger = logging.getLogger("tarash.fal")

DEFAULT_STORAGE_BASE_URL = "https://rest.fal.ai"
DEFAULT_UPLOAD_THRESHOLD = 8 * 1024 * 1024
_NAMESPACES = ("workflows", "comfy")
_CANCELLED = frozenset({"CANCELLED", "CANCELED", "CANCELLATION_REQUESTED"})
_FAILED = frozenset({"FAILED", "ERROR"})


def headers(ctx: CallContext) -> dict[str, str]:
    """Fal's auth header."""
    return {"Authorization": f"Key {ctx.api_key}"}


def app_id(model: str) -> str:
    """``owner/app`` of a model id (``workflows/owner/app`` for namespaced ids).

    Raises:
        ValidationError: The id has a single segment.
    """
    parts = [p for p in model.strip("/").split("/") if p]
    if len(parts) == 1 and "-" in parts[0] and parts[0].split("-", 1)[0].isdigit():
        parts = parts[0].split("-", 1)  # legacy "12345-myapp"
    if len(parts) < 2:
        raise ValidationError(
            f"model={model!r} is not a fal model id; expected 'owner/app[/path]', "
            "e.g. 'fal-ai/veo3.1/fast'"
        )
    size = 3 if parts[0] in _NAMESPACES and len(parts) >= 3 else 2
    return "/".join(parts[:size])


# ---------------------------------------------------------------- submit
def submit(payload: dict[str, Any], ctx: CallContext) -> Flow[Job]:
    """Upload large inline media, then submit the job to fal's queue."""
    app = app_id(ctx.model)
    payload = yield from _upload_large_media(payload, ctx)
    webhook = ctx.config.webhook_url
    response = yield httpx.Request(
        "POST",
        ctx.url(ctx.model.strip("/")),
        json=payload,
        headers=headers(ctx),
        params={"fal_webhook": webhook} if webhook else None,
    )
    assert response is not None
    if response.status_code >= 400:
        raise request_error(response, ctx)
    body = json_body(response, ctx)
    request_id = body.get("request_id")
    if not isinstance(request_id, str) or not request_id:
        raise malformed_response(response, ctx, "without a request_id", raw_response=body)
    base = ctx.url(f"{app}/requests/{request_id}")
    data = {
        "app": app,
        "status_url": body.get("status_url") or f"{base}/status",
        "response_url": body.get("response_url") or base,
        "cancel_url": body.get("cancel_url") or f"{base}/cancel",
        "logs_seen": 0,
    }
    return Job(
        provider=ctx.provider, model=ctx.model, modality=ctx.modality, id=request_id, data=data
    )


# ---------------------------------------------------------------- poll
def poll(job: Job, ctx: CallContext) -> Flow[JobStatus]:
    """One status check; on COMPLETED, fetch the result and normalise it."""
    response = yield httpx.Request(
        "GET", job.data["status_url"], params={"logs": "1"}, headers=headers(ctx)
    )
    assert response is not None
    if response.status_code >= 400:
        raise request_error(response, ctx, job.id)
    body = json_body(response, ctx)
    status = str(body.get("status") or "").upper()
    logs = _new_logs(job, body)
    if status == "IN_QUEUE":
        position = body.get("queue_position")
        return JobStatus(
            state="queued",
            queue_position=position if isinstance(position, int) else None,
            logs=logs,
            raw=body,
        )
    if status in _FAILED | _CANCELLED:
        reason = describe(body) or status.lower()
        raise GenerationFailedError(
            f"the fal job ended as {status}: {reason}",
            provider=ctx.provider,
            model=ctx.model,
            request_id=job.id,
            raw_response=body,
        )
    if status != "COMPLETED":
        if status != "IN_PROGRESS":
            logger.info("tarash: fal job %s has unknown status %r; still polling", job.id, status)
        return JobStatus(state="processing", logs=logs, raw=body)
    job_failed = bool(body.get("error") or body.get("error_type"))
    result = yield httpx.Request("GET", job.data["response_url"], headers=headers(ctx))
    assert result is not None
    if result.status_code >= 400:
        raise result_error(result, ctx, job.id, job_failed)
    output_body = json_body(result, ctx)
    if job_failed:
        raise GenerationFailedError(
            f"the fal job failed: {body.get('error') or body.get('error_type')}",
            provider=ctx.provider,
            model=ctx.model,
            request_id=job.id,
            raw_response=body,
        )
    if ctx.modality == "tts":
        output = yield from speech_output(output_body, ctx, job.id)
    else:
        output = _output(output_body, ctx, job.id)
    return JobStatus(state="completed", logs=logs, output=output, raw=output_body)


def _new_logs(job: Job, body: dict[str, Any]) -> list[str]:
    """Log lines not reported before (fal's logs are cumulative)."""
    entries = body.get("logs")
    if not isinstance(entries, list):
        return []
    seen = int(job.data.get("logs_seen") or 0)
    if len(entries) < seen:  # logs restarted (a platform retry): report them afresh
        seen = 0
    lines = []
    for entry in entries[seen:]:
        message = entry.get("message") if isinstance(entry, dict) else entry
        if message is not None:
            lines.append(str(message))
    job.data["logs_seen"] = len(entries)
    return lines


def _url_of(value: Any) -> str | None:
    if isinstance(value, str) and value:
        return value
    if isinstance(value, dict) and isinstance(value.get("url"), str):
        return str(value["url"])
    return None


def _output(body: dict[str, Any], ctx: CallContext, request_id: str) -> dict[str, Any]:
    """Fal's result as the response fields of the modality."""
    if ctx.modality == "image":
        items = body.get("images")
        if not isinstance(items, list):
            items = [body["image"]] if body.get("image") else []
        urls = [url for url in (_url_of(item) for item in items) if url]
        if not urls:
            raise _no_media(ctx, request_id, "images", body)
        first = items[0] if isinstance(items[0], dict) else {}
        output: dict[str, Any] = {"images": urls}
        if first.get("content_type"):
            output["content_type"] = first["content_type"]
        revised = body.get("revised_prompt") or body.get("description")
        if isinstance(revised, str) and revised:
            output["revised_prompt"] = revised
        return output
    video = body.get("video") or body.get("video_url")
    if video is None and isinstance(body.get("videos"), list) and body["videos"]:
        video = body["videos"][0]
    url = _url_of(video)
    if url is None:
        raise _no_media(ctx, request_id, "video", body)
    output = {"video": url, "content_type": "video/mp4"}
    if isinstance(video, dict):
        output["content_type"] = video.get("content_type") or "video/mp4"
        if isinstance(video.get("duration"), int | float):
            output["duration"] = float(video["duration"])
    if isinstance(body.get("duration"), int | float):
        output["duration"] = float(body["duration"])
    audio = _url_of(body.get("audio")) or _url_of(body.get("audio_url"))
    if audio:
        output["audio_url"] = audio
    return output


def _no_media(ctx: CallContext, request_id: str, what: str, body: dict[str, Any]) -> Exception:
    return GenerationFailedError(
        f"the fal job completed without {what} in its result",
        provider=ctx.provider,
        model=ctx.model,
        request_id=request_id,
        raw_response=body,
    )


# ---------------------------------------------------------------- webhook
def parse_webhook(body: dict[str, Any], ctx: CallContext) -> tuple[str, JobStatus]:
    """A delivery (signature already verified): the request id and the job's outcome.

    ``status`` is OK (output in ``payload``) or ERROR (``error``; ``payload`` holds
    the model's error body). A payload fal could not serialise arrives as null
    with ``payload_error``: the job completed, its result must be fetched (so is
    speech, whose audio is downloaded: no output, ``wait_for_job`` fetches it).
    """
    request_id = body.get("request_id")
    if not isinstance(request_id, str) or not request_id:
        raise MalformedResponseError("the fal webhook has no request_id", raw_response=body)
    status = str(body.get("status") or "").upper()
    payload = body.get("payload")
    if status != "OK":
        reasons = [str(body["error"])] if body.get("error") else []
        reasons += [detail] if (detail := describe(payload)) else []
        raise GenerationFailedError(
            f"the fal job failed: {'; '.join(reasons) or status.lower() or 'no status'}",
            provider=ctx.provider,
            model=ctx.model,
            request_id=request_id,
            raw_response=body,
        )
    if not isinstance(payload, dict):
        logger.info(
            "tarash: fal webhook %s has no payload: %s", request_id, body.get("payload_error")
        )
        return request_id, JobStatus(state="completed", raw=body)
    if ctx.modality == "tts":  # the audio must be downloaded: wait_for_job fetches it
        return request_id, JobStatus(state="completed", raw=payload)
    return request_id, JobStatus(
        state="completed", output=_output(payload, ctx, request_id), raw=payload
    )


# ---------------------------------------------------------------- cancel
def cancel(job: Job, ctx: CallContext) -> Flow[None]:
    """Ask fal to cancel the job (202 accepted; 400/409 already completed)."""
    response = yield httpx.Request("PUT", job.data["cancel_url"], headers=headers(ctx))
    assert response is not None
    if response.status_code >= 400 and response.status_code not in (400, 409):
        raise request_error(response, ctx, job.id)


# ---------------------------------------------------------------- storage upload
def _threshold(ctx: CallContext) -> int:
    value = ctx.provider_config.get("upload_threshold_bytes", DEFAULT_UPLOAD_THRESHOLD)
    return int(value)


def _decoded_size(data_uri: str) -> int:
    payload = data_uri.partition(",")[2]
    return len(payload) * 3 // 4


def _upload_large_media(value: Any, ctx: CallContext) -> Generator[Any, Any, Any]:
    """Replace inline media (data URIs) above the threshold by fal storage URLs."""
    if isinstance(value, str):
        if value.startswith("data:") and _decoded_size(value) > _threshold(ctx):
            return (yield from _upload(value, ctx))
        return value
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            out[key] = yield from _upload_large_media(item, ctx)
        return out
    if isinstance(value, list):
        items = []
        for item in value:
            items.append((yield from _upload_large_media(item, ctx)))
        return items
    return value


def _upload(data_uri: str, ctx: CallContext) -> Generator[Any, Any, str]:
    header, _, encoded = data_uri.partition(",")
    content_type = header[5:].split(";")[0] or "application/octet-stream"
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationError(f"inline media is not valid base64: {exc}") from exc
    storage = str(ctx.provider_config.get("storage_base_url") or DEFAULT_STORAGE_BASE_URL)
    name = "input" + extension_for(content_type)
    response = yield httpx.Request(
        "POST",
        f"{storage.rstrip('/')}/storage/upload/initiate",
        params={"storage_type": "gcs"},
        json={"file_name": name, "content_type": content_type},
        headers=headers(ctx),
    )
    if response.status_code >= 400:
        raise request_error(response, ctx)
    body = json_body(response, ctx)
    upload_url, file_url = body.get("upload_url"), body.get("file_url")
    if not isinstance(upload_url, str) or not isinstance(file_url, str):
        raise malformed_response(response, ctx, "without upload_url/file_url", raw_response=body)
    put = yield httpx.Request(
        "PUT", upload_url, content=data, headers={"Content-Type": content_type}
    )
    if put.status_code >= 400:
        raise request_error(put, ctx)
    logger.debug("tarash: uploaded %d bytes of %s to fal storage", len(data), content_type)
    return file_url
