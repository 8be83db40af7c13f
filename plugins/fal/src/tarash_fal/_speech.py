"""The result of a fal text-to-speech job: download ``audio.url`` into ``TTSResponse.audio``.

Every fal speech endpoint answers ``{"audio": {"url", "content_type"?, "duration"?, ...},
"duration_ms"?}``. The file is fetched through the core (without the fal key, like any
result URL) so the response carries base64 audio like every other speech provider's.
"""

from __future__ import annotations

import base64
from collections.abc import Generator
from typing import Any

import httpx

from tarash.tarash_gateway.exceptions import GenerationFailedError, HTTPError
from tarash.tarash_gateway.plugin import (
    CallContext,
    audio_duration,
    parse_retry_after,
    send,
    sniff_content_type,
)

_BY_EXTENSION = {
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
    "flac": "audio/flac",
    "pcm": "audio/pcm",
    "ogg": "audio/ogg",
    "opus": "audio/opus",
}


def speech_output(
    body: dict[str, Any], ctx: CallContext, request_id: str
) -> Generator[httpx.Request, httpx.Response | None, dict[str, Any]]:
    """Download the audio of a completed speech job; the ``output`` of its JobStatus."""
    audio = body.get("audio")
    url = audio.get("url") if isinstance(audio, dict) else audio
    if not isinstance(url, str) or not url:
        raise _failed(ctx, request_id, body, "the fal job completed without audio in its result")
    response = yield from send(httpx.Request("GET", url))
    where = f"GET {response.request.url.host}{response.request.url.path} → {response.status_code}"
    if response.status_code >= 500:  # transient: the core polls (and downloads) again
        raise HTTPError(
            f"the audio of the fal job could not be downloaded ({where})",
            provider=ctx.provider,
            model=ctx.model,
            request_id=request_id,
            status_code=response.status_code,
            retry_after=parse_retry_after(response),
        )
    if response.status_code >= 400 or not response.content:
        raise _failed(
            ctx, request_id, body, f"the audio of the fal job could not be downloaded ({where})"
        )
    data = response.content
    meta = audio if isinstance(audio, dict) else {}
    content_type = _content_type(meta, url, response, data)
    return {
        "audio": base64.b64encode(data).decode("ascii"),
        "content_type": content_type,
        "duration": _duration(body, meta, content_type, data),
        "audio_url": url,
    }


def _content_type(meta: dict[str, Any], url: str, response: httpx.Response, data: bytes) -> str:
    declared = str(meta.get("content_type") or "").split(";")[0].strip().lower()
    if declared.startswith("audio/"):
        return declared
    extension = url.rsplit("?", 1)[0].rsplit(".", 1)[-1].lower()
    if extension in _BY_EXTENSION:
        return _BY_EXTENSION[extension]
    served = response.headers.get("content-type", "").split(";")[0].strip().lower()
    return served if served.startswith("audio/") else sniff_content_type(data, "audio/mpeg")


def _duration(
    body: dict[str, Any], meta: dict[str, Any], content_type: str, data: bytes
) -> float | None:
    if isinstance(body.get("duration_ms"), int | float):
        return round(float(body["duration_ms"]) / 1000, 3)
    if isinstance(meta.get("duration"), int | float):
        return float(meta["duration"])
    if content_type in ("audio/wav", "audio/x-wav"):
        return audio_duration(data, "wav")
    return None


def _failed(
    ctx: CallContext, request_id: str, body: dict[str, Any], message: str
) -> GenerationFailedError:
    return GenerationFailedError(
        message, provider=ctx.provider, model=ctx.model, request_id=request_id, raw_response=body
    )
