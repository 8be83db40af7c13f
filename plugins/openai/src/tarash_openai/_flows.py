"""The flows: images and speech answer at once; videos are created, polled and downloaded.

Flows do no I/O: they yield ``httpx.Request`` and receive ``httpx.Response`` from the
core (see :mod:`tarash.tarash_gateway.plugin`).
"""

from __future__ import annotations

import base64
import io
import math
import uuid
import wave
from typing import Any
from urllib.parse import quote

import httpx

from tarash.tarash_gateway.models import ProviderUsage, format_to_content_type
from tarash.tarash_gateway.plugin import (
    CallContext,
    Flow,
    Job,
    JobStatus,
    StreamStart,
    fetch_media,
    form_value,
    json_body,
    malformed_response,
    send,
    streamed,
    upload_file,
)
from tarash_openai._errors import error_from_response, job_failure, request_id_of
from tarash_openai._urls import endpoint, headers

QUEUED = frozenset({"queued", "pending", "preprocessing"})
FAILED = frozenset({"failed", "cancelled", "canceled", "expired"})
DONE = frozenset({"completed", "succeeded"})
PCM_BYTES_PER_SECOND = 24000 * 2  # OpenAI's pcm: 24 kHz, 16-bit, mono


def submit(payload: dict[str, Any], ctx: CallContext) -> Flow[Job]:
    """The submit flow of ``ctx.modality`` (image, tts or video)."""
    if ctx.modality == "image":
        return (yield from _images(payload, ctx))
    if ctx.modality == "tts":
        return (yield from _speech(payload, ctx))
    return (yield from _create_video(payload, ctx))


# ---------------------------------------------------------------- shared
def _upload(
    media: tuple[str, bytes, str] | str, stem: str, ctx: CallContext
) -> Flow[tuple[str, bytes, str]]:
    """An upload tuple; a URL is downloaded first (no credentials are sent to it)."""
    if not isinstance(media, str):
        return media
    data, content_type = yield from fetch_media(media, ctx, stem, "image/png", accept="image/*")
    return upload_file(stem, data, content_type)


def _one_shot(
    ctx: CallContext, response: httpx.Response, output: dict[str, Any], raw: dict[str, Any]
) -> Job:
    job_id = request_id_of(response) or f"tarash-{uuid.uuid4().hex}"
    status = JobStatus(state="completed", progress_percent=100, output=output, raw=raw)
    return Job(
        provider=ctx.provider, model=ctx.model, modality=ctx.modality, id=job_id, status=status
    )


# ---------------------------------------------------------------- images
def _images(payload: dict[str, Any], ctx: CallContext) -> Flow[Job]:
    body = dict(payload)
    images = body.pop("image", None) or []
    mask = body.pop("mask", None)
    if not images and mask is None:
        url, params = endpoint(ctx, "images/generations", deployment=True)
        request = httpx.Request("POST", url, params=params, json=body, headers=headers(ctx))
    else:
        url, params = endpoint(ctx, "images/edits", deployment=True)
        parts = []
        for index, image in enumerate(images):
            parts.append((yield from _upload(image, f"image_{index}", ctx)))
        field = "image" if len(parts) == 1 else "image[]"
        files = [(field, part) for part in parts]
        if mask is not None:
            files.append(("mask", (yield from _upload(mask, "mask", ctx))))
        data = {name: form_value(value) for name, value in body.items()}
        request = httpx.Request(
            "POST", url, params=params, data=data, files=files, headers=headers(ctx)
        )
    response = yield from send(request)
    if response.status_code >= 400:
        raise error_from_response(response, ctx)
    result = json_body(response, ctx)
    items = result.get("data")
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        raise malformed_response(
            response, ctx, "without a 'data' list of images", raw_response=result
        )
    media = [item.get("b64_json") or item.get("url") for item in items]
    if not all(isinstance(m, str) and m for m in media):
        raise malformed_response(
            response, ctx, "without b64_json or url in every image", raw_response=result
        )
    fmt = str(result.get("output_format") or body.get("output_format") or "png").lower()
    revised = next((i["revised_prompt"] for i in items if i.get("revised_prompt")), None)
    usage = result.get("usage")  # gpt-image models report their token usage
    output = {
        "images": media,
        "content_type": "image/jpeg" if fmt in ("jpeg", "jpg") else f"image/{fmt}",
        "revised_prompt": revised,
        "usage": ProviderUsage.reported(usage) if isinstance(usage, dict) and usage else None,
    }
    return _one_shot(ctx, response, output, _without_base64(result))


def _without_base64(result: dict[str, Any]) -> dict[str, Any]:
    """The response body for ``raw_response``, base64 images replaced by their size."""
    items = [
        {**item, "b64_json": f"<base64, {len(item['b64_json'])} characters>"}
        if isinstance(item.get("b64_json"), str)
        else item
        for item in result.get("data", [])
    ]
    return {**result, "data": items}


# ---------------------------------------------------------------- speech
def _speech_request(payload: dict[str, Any], ctx: CallContext) -> httpx.Request:
    url, params = endpoint(ctx, "audio/speech", deployment=True)
    return httpx.Request(
        "POST",
        url,
        params=params,
        json=payload,
        headers={**headers(ctx), "Accept": "application/octet-stream"},
    )


def stream(payload: dict[str, Any], ctx: CallContext) -> Flow[StreamStart]:
    """Speech as it is generated: the same request, its chunked body read by the core."""
    response = yield streamed(_speech_request(payload, ctx))
    assert response is not None
    if response.status_code >= 400:
        raise error_from_response(response, ctx)
    served = response.headers.get("content-type", "").split(";")[0].strip().lower()
    fmt = str(payload.get("response_format") or "mp3")
    content_type = served if served.startswith("audio/") else format_to_content_type(fmt)
    request_id = request_id_of(response)
    return StreamStart(response, content_type, request_id, {"content_type": served})


def _speech(payload: dict[str, Any], ctx: CallContext) -> Flow[Job]:
    response = yield from send(_speech_request(payload, ctx))
    if response.status_code >= 400:
        raise error_from_response(response, ctx)
    served = response.headers.get("content-type", "").split(";")[0].strip().lower()
    audio = response.content
    if not audio or served in ("application/json", "text/html", "text/plain"):
        raise malformed_response(response, ctx, "without audio bytes")
    fmt = str(payload.get("response_format") or "mp3")
    content_type = served if served.startswith("audio/") else format_to_content_type(fmt)
    output = {
        "audio": base64.b64encode(audio).decode("ascii"),
        "content_type": content_type,
        "duration": _duration(audio, fmt),
    }
    raw = {"content_type": served, "bytes": len(audio), "request_id": request_id_of(response)}
    return _one_shot(ctx, response, output, raw)


def _duration(audio: bytes, fmt: str) -> float | None:
    """Seconds of WAV or PCM audio (the other formats would need a decoder)."""
    if fmt == "pcm":
        return round(len(audio) / PCM_BYTES_PER_SECOND, 3)
    if fmt == "wav":
        try:
            with wave.open(io.BytesIO(audio), "rb") as reader:
                frames: int = reader.getnframes()
                rate: int = reader.getframerate()
            if 0 < frames < 2**31 - 1 and rate:  # streamed WAVs declare an unknown length
                return round(frames / rate, 3)
        except (wave.Error, EOFError):
            return None
    return None


# ---------------------------------------------------------------- videos
def _create_video(payload: dict[str, Any], ctx: CallContext) -> Flow[Job]:
    body = dict(payload)
    remix = body.pop("remix_video_id", None)
    auth = headers(ctx)
    if remix is not None:
        url, params = endpoint(ctx, f"videos/{quote(str(remix), safe='')}/remix", deployment=False)
        request = httpx.Request(
            "POST", url, params=params, json={"prompt": body["prompt"]}, headers=auth
        )
    else:
        url, params = endpoint(ctx, "videos", deployment=False)
        reference = body.get("input_reference")
        if isinstance(reference, tuple):
            form = {k: form_value(v) for k, v in body.items() if k != "input_reference"}
            upload = {"input_reference": reference}
            request = httpx.Request(
                "POST", url, params=params, data=form, files=upload, headers=auth
            )
        else:
            request = httpx.Request("POST", url, params=params, json=body, headers=auth)
    response = yield from send(request)
    if response.status_code >= 400:
        raise error_from_response(response, ctx)
    video = json_body(response, ctx)
    if not isinstance(video.get("id"), str) or not video["id"]:
        raise malformed_response(response, ctx, "without the video's id", raw_response=video)
    data: dict[str, Any] = {"remixed_from": remix} if remix is not None else {}
    return Job(provider=ctx.provider, model=ctx.model, modality="video", id=video["id"], data=data)


def poll(job: Job, ctx: CallContext) -> Flow[JobStatus]:
    """One status check of a video; when completed, download its content."""
    url, params = endpoint(ctx, f"videos/{quote(job.id, safe='')}", deployment=False)
    response = yield from send(httpx.Request("GET", url, params=params, headers=headers(ctx)))
    if response.status_code >= 400:
        raise error_from_response(response, ctx, request_id=job.id)
    video = json_body(response, ctx)
    status = str(video.get("status") or "")
    if not status:
        raise malformed_response(
            response, ctx, "without the video's status", raw_response=video, request_id=job.id
        )
    if status in FAILED:
        raise job_failure({"id": job.id, **video}, ctx)
    progress = video.get("progress")
    percent = max(0, min(100, int(progress))) if isinstance(progress, int | float) else None
    if status not in DONE:
        return JobStatus(
            state="queued" if status in QUEUED else "processing",
            progress_percent=percent,
            raw=video,
            poll_after=_poll_after(response),
        )
    url, params = endpoint(ctx, f"videos/{quote(job.id, safe='')}/content", deployment=False)
    content = yield from send(
        httpx.Request(
            "GET", url, params=params, headers={**headers(ctx), "Accept": "application/binary"}
        )
    )
    if content.status_code >= 400:
        raise error_from_response(content, ctx, request_id=job.id)
    served = content.headers.get("content-type", "").split(";")[0].strip().lower()
    if not content.content or served in ("application/json", "text/html", "text/plain"):
        raise malformed_response(content, ctx, "without the video's bytes", request_id=job.id)
    content_type = served if served.startswith("video/") else "video/mp4"
    output: dict[str, Any] = {
        "video": {"content": content.content, "content_type": content_type},
        "content_type": content_type,
        **_video_shape(video),
    }
    return JobStatus(state="completed", progress_percent=100, output=output, raw=video)


def _poll_after(response: httpx.Response) -> float | None:
    value = response.headers.get("openai-poll-after-ms")
    try:
        return max(0.0, float(value) / 1000) if value else None
    except ValueError:
        return None


def _video_shape(video: dict[str, Any]) -> dict[str, Any]:
    """Duration / resolution / aspect_ratio of a completed video object."""
    shape: dict[str, Any] = {}
    try:
        shape["duration"] = float(video["seconds"])
    except (KeyError, TypeError, ValueError):
        pass
    size = str(video.get("size") or "")
    width, _, height = size.partition("x")
    if width.isdigit() and height.isdigit() and int(width) and int(height):
        w, h = int(width), int(height)
        divisor = math.gcd(w, h)
        shape["resolution"] = f"{min(w, h)}p"
        shape["aspect_ratio"] = f"{w // divisor}:{h // divisor}"
    return shape


def cancel(job: Job, ctx: CallContext) -> Flow[None]:
    """Delete the video job (the Videos API's only way to stop one)."""
    url, params = endpoint(ctx, f"videos/{quote(job.id, safe='')}", deployment=False)
    response = yield httpx.Request("DELETE", url, params=params, headers=headers(ctx))
    assert response is not None
    if response.status_code >= 400 and response.status_code != 404:  # 404: already gone
        raise error_from_response(response, ctx, job.id)
