"""The submit and stream flows: Cartesia answers with the audio bytes as it makes them.

tts: ``POST /tts/bytes`` with a JSON body. sts: ``POST /voice-changer/bytes`` with a
multipart body (``clip`` file, ``voice[id]``, ``output_format[...]`` fields); source
audio given as a URL is downloaded first. Every call carries ``Authorization: Bearer``
and the pinned ``Cartesia-Version``.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Generator
from typing import Any

import httpx

from tarash.tarash_gateway.exceptions import ValidationError
from tarash.tarash_gateway.plugin import (
    CallContext,
    Flow,
    Job,
    JobStatus,
    StreamStart,
    audio_content,
    fetch_media,
    form_value,
    send,
    streamed,
    upload_file,
)
from tarash_cartesia._errors import error_for
from tarash_cartesia._formats import content_type_of, duration_of

API_VERSION = "2026-03-01"
"""The pinned ``Cartesia-Version``: the docs' current default, the first with JSON errors."""

ENDPOINTS = {"tts": "/tts/bytes", "sts": "/voice-changer/bytes"}

RESPONSE_HEADERS = ("x-request-id", "cartesia-file-id", "content-type")
"""Response headers copied into ``raw_response``."""


def headers(ctx: CallContext) -> dict[str, str]:
    """Auth and version headers of every Cartesia call."""
    return {"Authorization": f"Bearer {ctx.api_key or ''}", "Cartesia-Version": API_VERSION}


def _multipart_fields(payload: dict[str, Any]) -> dict[str, str]:
    """``{"voice": {"id": v}}`` → ``{"voice[id]": v}`` (Cartesia's form names)."""
    fields: dict[str, str] = {}
    for name, value in payload.items():
        if isinstance(value, dict):
            fields.update({f"{name}[{key}]": form_value(item) for key, item in value.items()})
        else:
            fields[name] = form_value(value)
    return fields


def _request(
    payload: dict[str, Any], ctx: CallContext
) -> Generator[httpx.Request, httpx.Response | None, tuple[httpx.Request, str, dict[str, Any]]]:
    """The tts / sts request, its voice id and its ``output_format``."""
    body = dict(payload)
    voice_id = str((body.get("voice") or {}).get("id", ""))
    fmt: dict[str, Any] = body["output_format"]
    url = ctx.url(ENDPOINTS[ctx.modality])
    if ctx.modality == "sts":
        clip = body.pop("clip", None)
        if clip is None:
            raise ValidationError("audio is required for speech-to-speech", provider=ctx.provider)
        data, content_type = yield from fetch_media(clip, ctx, "audio")
        request = httpx.Request(
            "POST",
            url,
            headers=headers(ctx),
            data=_multipart_fields(body),
            files={"clip": upload_file("clip", data, content_type)},
        )
    else:
        request = httpx.Request("POST", url, headers=headers(ctx), json=body)
    return request, voice_id, fmt


def _raw(response: httpx.Response, payload: dict[str, Any], ctx: CallContext) -> dict[str, Any]:
    raw: dict[str, Any] = {
        name: response.headers[name] for name in RESPONSE_HEADERS if name in response.headers
    }
    voice = (payload.get("voice") or {}).get("id")
    raw.update(
        output_format=payload["output_format"],
        voice_id=voice,
        model_id=payload.get("model_id", ctx.model),
    )
    return raw


def stream(payload: dict[str, Any], ctx: CallContext) -> Flow[StreamStart]:
    """The same call, answered as a stream: Cartesia sends the bytes as they are made."""
    request, voice_id, fmt = yield from _request(payload, ctx)
    response = yield streamed(request)
    assert response is not None
    if response.status_code >= 400:
        raise error_for(response, ctx, voice_id)
    return StreamStart(
        response=response,
        content_type=content_type_of(fmt),
        request_id=response.headers.get("x-request-id"),
        raw=_raw(response, payload, ctx),
    )


def submit(payload: dict[str, Any], ctx: CallContext) -> Flow[Job]:
    """Send the tts / sts request and return a completed Job holding the audio."""
    request, voice_id, fmt = yield from _request(payload, ctx)
    response = yield from send(request)
    if response.status_code >= 400:
        raise error_for(response, ctx, voice_id)
    raw = _raw(response, payload, ctx)
    audio = audio_content(response, ctx, raw)
    raw["audio_bytes"] = len(audio)
    output = {
        "audio": base64.b64encode(audio).decode("ascii"),
        "content_type": content_type_of(fmt),
        "duration": duration_of(fmt, audio),
    }
    job_id = raw.get("x-request-id") or f"tarash-{uuid.uuid4().hex}"
    return Job(
        provider=ctx.provider,
        model=ctx.model,
        modality=ctx.modality,
        id=str(job_id),
        data={"voice_id": voice_id, "output_format": fmt},
        status=JobStatus(state="completed", progress_percent=100, output=output, raw=raw),
    )
