"""The submit flow: ``POST /text-to-speech`` answers JSON ``{request_id, audios: [base64]}``.

The key goes in the ``api-subscription-key`` header. The one audio of the answer is
already base64: it becomes ``TTSResponse.audio`` as it is (after checking it decodes).
"""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Any

import httpx

from tarash.tarash_gateway.exceptions import GenerationFailedError, ValidationError
from tarash.tarash_gateway.plugin import (
    CallContext,
    Flow,
    Job,
    JobStatus,
    StreamStart,
    audio_duration,
    json_body,
    malformed_response,
    send,
    streamed,
)
from tarash_sarvam._errors import error_for
from tarash_sarvam._mapping import unsent_extra_params
from tarash_sarvam._models import CODECS

ENDPOINT = "/text-to-speech"
STREAM_ENDPOINT = "/text-to-speech/stream"
STREAM_MAX_RATE = 24000
"""Rates above 24000 Hz are REST-only at Sarvam (not streamed)."""
_CODEC_TYPES = dict(CODECS.values())
_DURATION_CODECS = {"wav": "wav", "linear16": "pcm", "mulaw": "ulaw", "alaw": "ulaw"}


def headers(ctx: CallContext) -> dict[str, str]:
    """Auth header of every Sarvam call."""
    return {"api-subscription-key": ctx.api_key or ""}


def stream(payload: dict[str, Any], ctx: CallContext) -> Flow[StreamStart]:
    """``POST /text-to-speech/stream``: the audio in the requested codec as it is made."""
    rate = payload.get("speech_sample_rate")
    if isinstance(rate, int) and rate > STREAM_MAX_RATE:
        raise ValidationError(
            f"output_format.sample_rate={rate} is not accepted for streaming; Sarvam streams "
            "8000, 16000, 22050 or 24000 Hz (higher rates are REST-only: use generate_tts)",
            provider=ctx.provider,
            model=ctx.model,
        )
    request = httpx.Request("POST", ctx.url(STREAM_ENDPOINT), headers=headers(ctx), json=payload)
    response = yield streamed(request)
    assert response is not None
    if response.status_code >= 400:
        raise error_for(response, ctx)
    codec = str(payload.get("output_audio_codec", "wav"))
    return StreamStart(
        response=response,
        content_type=_CODEC_TYPES.get(codec, "audio/wav"),
        request_id=response.headers.get("x-request-id"),
        raw={"model": payload.get("model"), "speaker": payload.get("speaker"), "codec": codec},
    )


def submit(payload: dict[str, Any], ctx: CallContext) -> Flow[Job]:
    """Send the request and return a completed Job holding the audio."""
    response = yield from send(
        httpx.Request("POST", ctx.url(ENDPOINT), headers=headers(ctx), json=payload)
    )
    if response.status_code >= 400:
        raise error_for(response, ctx)
    body = json_body(response, ctx)
    audios = body.get("audios")
    request_id = body.get("request_id")
    raw = {key: value for key, value in body.items() if key != "audios"}
    if not isinstance(audios, list) or len(audios) != 1 or not isinstance(audios[0], str):
        count = len(audios) if isinstance(audios, list) else "no"
        raise malformed_response(
            response, ctx, f"with {count} audios instead of one", raw_response=raw
        )
    try:
        audio = base64.b64decode(audios[0], validate=True)
    except (binascii.Error, ValueError):
        raise malformed_response(
            response, ctx, "with audio that is not base64", raw_response=raw
        ) from None
    if not audio:
        raise GenerationFailedError(
            "sarvam returned no audio", provider=ctx.provider, model=ctx.model, raw_response=raw
        )
    codec = str(payload.get("output_audio_codec", "wav"))
    rate = payload.get("speech_sample_rate")
    unsent = unsent_extra_params(ctx.model, ctx.request)
    raw.update(
        model=payload.get("model"),
        speaker=payload.get("speaker"),
        output_audio_codec=codec,
        audio_bytes=len(audio),
        **({"unsent_extra_params": unsent} if unsent else {}),
    )
    duration_codec = _DURATION_CODECS.get(codec)
    output = {
        "audio": audios[0],
        "content_type": _CODEC_TYPES.get(codec, "audio/wav"),
        "duration": audio_duration(audio, duration_codec, rate) if duration_codec else None,
    }
    return Job(
        provider=ctx.provider,
        model=ctx.model,
        modality=ctx.modality,
        id=str(request_id or f"tarash-{uuid.uuid4().hex}"),
        data={"speaker": payload.get("speaker")},
        status=JobStatus(state="completed", progress_percent=100, output=output, raw=raw),
    )
