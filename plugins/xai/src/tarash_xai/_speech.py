"""xAI text-to-speech: ``POST /v1/tts`` answers the audio bytes at once.

The body is ``{"text", "voice_id", "language", "output_format": {"codec",
"sample_rate", "bit_rate"}}``; xAI requires ``language`` (``auto`` detects it).
The endpoint takes no model field: ``grok-tts`` is tarash's name for it.
"""

from __future__ import annotations

import base64
import uuid
from typing import Any

import httpx

from tarash.tarash_gateway.capabilities import Accepts, Family
from tarash.tarash_gateway.plugin import (
    CallContext,
    Flow,
    Job,
    JobStatus,
    audio_content,
    audio_duration,
    send,
)
from tarash.tarash_gateway.providers.field_mappers import FieldMapper, FieldValueError
from tarash_xai._errors import error_for

TTS_MODELS = ("grok-tts",)
VOICES = ("ara", "eve", "leo", "rex", "sal")
LANGUAGES = (
    "auto", "en", "ar-EG", "ar-SA", "ar-AE", "bn", "zh", "fr", "de", "hi", "id",
    "it", "ja", "ko", "pt-BR", "pt-PT", "ru", "es-MX", "es-ES", "tr", "vi",
)  # fmt: skip
CODECS = {"mp3": "mp3", "wav": "wav", "pcm": "pcm", "ulaw": "mulaw", "alaw": "alaw"}
"""tarash's format names → xAI's codecs."""
CONTENT_TYPES = {
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
    "pcm": "audio/pcm",
    "mulaw": "audio/basic",
    "alaw": "audio/alaw",
}
SAMPLE_RATES = (8000, 16000, 22050, 24000, 44100, 48000)
MP3_BITRATES_KBPS = (32, 64, 96, 128, 192)
MAX_TEXT = 15000
TTS_DOC = "https://docs.x.ai/developers/rest-api-reference/inference/voice"


def _text(_req: Any, value: Any) -> str:
    if len(value) > MAX_TEXT:
        raise FieldValueError(
            "text", f"<{len(value)} characters>", f"accepted: at most {MAX_TEXT} characters"
        )
    return str(value)


def _output_format(_req: Any, value: Any) -> dict[str, Any] | None:
    """AudioOutputFormat → ``{"codec", "sample_rate", "bit_rate"}`` (bit rate: MP3 only)."""
    if value is None:
        return None
    if value.format not in CODECS:
        raise FieldValueError(
            "output_format.format", value.format, "accepted: " + ", ".join(repr(c) for c in CODECS)
        )
    codec = CODECS[value.format]
    out: dict[str, Any] = {"codec": codec}
    if value.sample_rate is not None:
        if value.sample_rate not in SAMPLE_RATES:
            raise FieldValueError(
                "output_format.sample_rate",
                value.sample_rate,
                "accepted: " + ", ".join(str(r) for r in SAMPLE_RATES),
            )
        out["sample_rate"] = value.sample_rate
    if value.bitrate is not None and codec == "mp3":
        if value.bitrate not in MP3_BITRATES_KBPS:
            raise FieldValueError(
                "output_format.bitrate",
                value.bitrate,
                "accepted (kbps, mp3 only): " + ", ".join(str(b) for b in MP3_BITRATES_KBPS),
            )
        out["bit_rate"] = value.bitrate * 1000
    return out


TTS_FIELDS: dict[str, FieldMapper] = {
    "text": FieldMapper("text", _text, True, Accepts(note=f"at most {MAX_TEXT} characters")),
    "voice_id": FieldMapper(
        "voice_id",
        lambda _req, value: value,
        True,
        Accepts(note="ara, eve, leo, rex, sal, or a custom voice id"),
    ),
    "language": FieldMapper(
        "language_code",
        lambda _req, value: value or "auto",
        accepts=Accepts(values=LANGUAGES, note="unset: auto (xAI detects the language)"),
    ),
    "output_format": FieldMapper(
        "output_format",
        _output_format,
        accepts=Accepts(
            note="format mp3, wav, pcm, ulaw, alaw; sample_rate 8000, 16000, 22050, 24000, "
            "44100, 48000; bitrate (mp3) 32, 64, 96, 128, 192 kbps"
        ),
    ),
}

SPEECH_FAMILIES: tuple[Family, ...] = (
    Family(
        "Grok text-to-speech",
        "tts",
        TTS_MODELS,
        TTS_FIELDS,
        "/tts",
        f"{TTS_DOC} (checked 2026-11-28)",
        "Voices ara, eve, leo, rex, sal (or custom ids); the body has no model field.",
    ),
)


def speak(payload: dict[str, Any], ctx: CallContext, headers: dict[str, str]) -> Flow[Job]:
    """Post the text; the audio comes back in the answer."""
    response = yield from send(
        httpx.Request("POST", ctx.url("/tts"), json=payload, headers=headers)
    )
    if response.status_code >= 400:
        raise error_for(response, ctx)
    served = response.headers.get("content-type", "").split(";")[0].strip().lower()
    raw: dict[str, Any] = {"content_type": served}
    audio = audio_content(response, ctx, raw)
    raw["audio_bytes"] = len(audio)
    fmt = payload.get("output_format") or {}
    codec = str(fmt.get("codec") or "mp3")
    content_type = served if served.startswith("audio/") else CONTENT_TYPES[codec]
    duration = audio_duration(
        audio, "ulaw" if codec == "mulaw" else codec, fmt.get("sample_rate") or 24000
    )
    output = {
        "audio": base64.b64encode(audio).decode("ascii"),
        "content_type": content_type,
        "duration": duration,
    }
    status = JobStatus(state="completed", progress_percent=100, output=output, raw=raw)
    job_id = response.headers.get("x-request-id") or f"tarash-{uuid.uuid4().hex}"
    return Job(provider=ctx.provider, model=ctx.model, modality="tts", id=job_id, status=status)
