"""The submit and stream flows: ElevenLabs answers synchronously with audio bytes.

tts: ``POST /v1/text-to-speech/{voice_id}?output_format=...`` with a JSON body.
sts: ``POST /v1/speech-to-speech/{voice_id}?output_format=...`` with a multipart body
(``audio`` file + fields); source audio given as a URL is downloaded first.

The submit flow returns a Job that is already complete; there is no poll here, so
polling hands back its stored status (``ProviderPlugin.poll``'s default).
"""

from __future__ import annotations

import base64
import uuid
from typing import Any
from urllib.parse import quote

import httpx

from tarash.tarash_gateway.exceptions import (
    GenerationFailedError,
    ValidationError,
)
from tarash.tarash_gateway.plugin import (
    CallContext,
    Flow,
    Job,
    JobStatus,
    StreamStart,
    fetch_media,
    form_value,
    malformed_response,
    streamed,
    upload_file,
)
from tarash_elevenlabs._errors import error_for
from tarash_elevenlabs._formats import DEFAULT_FORMAT, content_type_of, duration_of
from tarash_elevenlabs._mapping import QUERY_FIELDS, UPLOAD_FIELD

ENDPOINTS = {"tts": "/v1/text-to-speech/{voice_id}", "sts": "/v1/speech-to-speech/{voice_id}"}

RESPONSE_HEADERS = (
    "request-id",
    "history-item-id",
    "character-cost",
    "x-character-count",
    "current-concurrent-requests",
    "maximum-concurrent-requests",
    "tts-latency-ms",
    "x-trace-id",
    "x-region",
    "content-type",
)
"""Response headers copied into ``raw_response`` (cost, ids, concurrency)."""


def headers(ctx: CallContext) -> dict[str, str]:
    """Auth header of every ElevenLabs call."""
    return {"xi-api-key": ctx.api_key or ""}


def _request(
    payload: dict[str, Any], ctx: CallContext, suffix: str = ""
) -> Flow[tuple[httpx.Request, str, str, str]]:
    """The tts / sts request (``suffix`` ``/stream`` for the streaming endpoint).

    Returns the request, the voice id, the output format and the model id.
    """
    body = dict(payload)
    body.setdefault("model_id", ctx.model)
    voice_id = body.pop("voice_id", None)
    if not voice_id:
        raise ValidationError("voice_id is required by ElevenLabs", provider=ctx.provider)
    query = {name: _query_value(body.pop(name)) for name in QUERY_FIELDS if name in body}
    output_format = str(query.get("output_format", DEFAULT_FORMAT))
    path = ENDPOINTS[ctx.modality].format(voice_id=quote(str(voice_id), safe="")) + suffix
    url = ctx.url(path)
    if ctx.modality == "sts":
        audio = body.pop(UPLOAD_FIELD, None)
        if audio is None:
            raise ValidationError("audio is required for speech-to-speech", provider=ctx.provider)
        data, content_type = yield from fetch_media(audio, ctx, "audio")
        request = httpx.Request(
            "POST",
            url,
            params=query,
            headers=headers(ctx),
            data={name: form_value(value) for name, value in body.items()},
            files={UPLOAD_FIELD: upload_file("audio", data, content_type)},
        )
    else:
        request = httpx.Request("POST", url, params=query, headers=headers(ctx), json=body)
    return request, str(voice_id), output_format, str(body["model_id"])


def submit(payload: dict[str, Any], ctx: CallContext) -> Flow[Job]:
    """Send the tts / sts request and return a completed Job holding the audio."""
    request, voice_id, output_format, model_id = yield from _request(payload, ctx)
    response = yield request
    assert response is not None
    if response.status_code >= 400:
        raise error_for(response, ctx, voice_id)
    status = _completed(response, ctx, output_format, voice_id, model_id)
    job_id = status.raw.get("request-id") or f"tarash-{uuid.uuid4().hex}"
    return Job(
        provider=ctx.provider,
        model=ctx.model,
        modality=ctx.modality,
        id=str(job_id),
        data={"voice_id": voice_id, "output_format": output_format},
        status=status,
    )


def stream(payload: dict[str, Any], ctx: CallContext) -> Flow[StreamStart]:
    """Open ``POST .../{voice_id}/stream``: the audio arrives as it is generated."""
    request, voice_id, output_format, model_id = yield from _request(payload, ctx, "/stream")
    response = yield streamed(request)
    assert response is not None
    if response.status_code >= 400:
        raise error_for(response, ctx, voice_id)
    raw: dict[str, Any] = {
        name: response.headers[name] for name in RESPONSE_HEADERS if name in response.headers
    }
    raw.update(output_format=output_format, voice_id=voice_id, model_id=model_id)
    return StreamStart(
        response=response,
        content_type=content_type_of(output_format),
        request_id=response.headers.get("request-id"),
        raw=raw,
    )


# ---------------------------------------------------------------- helpers
def _completed(
    response: httpx.Response, ctx: CallContext, output_format: str, voice_id: str, model: str
) -> JobStatus:
    raw: dict[str, Any] = {
        name: response.headers[name] for name in RESPONSE_HEADERS if name in response.headers
    }
    raw.update(output_format=output_format, voice_id=voice_id, model_id=model)
    served = response.headers.get("content-type", "").split(";")[0].strip().lower()
    audio = response.content
    if served == "application/json" or served.startswith("text/"):
        preview = response.text[:200]
        raise malformed_response(
            response,
            ctx,
            f"with {served or 'no content type'} instead of audio: {preview!r}",
            raw_response=raw,
        )
    if not audio:
        raise GenerationFailedError(
            "ElevenLabs returned no audio",
            provider=ctx.provider,
            model=ctx.model,
            request_id=raw.get("request-id"),
            raw_response=raw,
        )
    raw["audio_bytes"] = len(audio)
    output: dict[str, Any] = {
        "audio": base64.b64encode(audio).decode("ascii"),
        "content_type": content_type_of(output_format),
        "duration": duration_of(output_format, audio),
    }
    return JobStatus(state="completed", progress_percent=100, output=output, raw=raw)


def _query_value(value: Any) -> str | int:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, int) else str(value)
