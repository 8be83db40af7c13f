"""``AudioOutputFormat`` → Cartesia's ``output_format`` object, and back to MIME type / length.

Cartesia's ``output_format`` is ``{container: raw|wav, encoding, sample_rate}`` or
``{container: mp3, sample_rate, bit_rate}`` with ``bit_rate`` in bits per second
(tarash's ``AudioOutputFormat.bitrate`` is in kbps). Source: SDK types
``RawOutputFormatParam``, ``WAVOutputFormatParam``, ``MP3OutputFormatParam``.
"""

from __future__ import annotations

from typing import Any

from tarash.tarash_gateway.models import AudioOutputFormat
from tarash.tarash_gateway.plugin import audio_duration
from tarash.tarash_gateway.providers.field_mappers import FieldValueError

SAMPLE_RATES = (8000, 16000, 22050, 24000, 44100, 48000)
MP3_BITRATES_KBPS = (32, 64, 96, 128, 192)
ENCODINGS = ("pcm_s16le", "pcm_f32le", "pcm_mulaw", "pcm_alaw")

FORMATS: dict[str, tuple[str, str | None]] = {
    "mp3": ("mp3", None),
    "wav": ("wav", "pcm_s16le"),
    "pcm": ("raw", "pcm_s16le"),
    "ulaw": ("raw", "pcm_mulaw"),
    "alaw": ("raw", "pcm_alaw"),
    **{encoding: ("raw", encoding) for encoding in ENCODINGS},
}
"""tarash format name → (container, default encoding). ``extra_params['encoding']``
picks another encoding for ``wav`` and raw formats."""

DEFAULT_RATE = 44100
G711_RATE = 8000
DEFAULT_BITRATE_KBPS = 128


def _accepted() -> str:
    return (
        "accepted: format "
        + ", ".join(repr(name) for name in FORMATS)
        + f"; sample_rate {', '.join(map(str, SAMPLE_RATES))}"
        + f"; bitrate (mp3 only, kbps) {', '.join(map(str, MP3_BITRATES_KBPS))}"
    )


def output_format(fmt: AudioOutputFormat, encoding: Any = None) -> dict[str, Any]:
    """Cartesia's ``output_format`` of ``fmt`` (defaults: 44.1 kHz, 128 kbps mp3, s16le).

    Raises:
        FieldValueError: Cartesia has no such format, rate, bitrate or encoding.
    """
    value = fmt.model_dump()
    name = fmt.format.lower()
    if name not in FORMATS:
        raise FieldValueError("output_format", value, _accepted())
    container, default_encoding = FORMATS[name]
    default_rate = G711_RATE if default_encoding in ("pcm_mulaw", "pcm_alaw") else DEFAULT_RATE
    rate = fmt.sample_rate or default_rate
    if rate not in SAMPLE_RATES:
        raise FieldValueError("output_format.sample_rate", rate, _accepted())
    if container == "mp3":
        if encoding is not None:
            raise FieldValueError("extra_params['encoding']", encoding, "mp3 takes no encoding")
        bitrate = fmt.bitrate or DEFAULT_BITRATE_KBPS
        if bitrate not in MP3_BITRATES_KBPS:
            raise FieldValueError("output_format.bitrate", bitrate, _accepted())
        return {"container": "mp3", "sample_rate": rate, "bit_rate": bitrate * 1000}
    if fmt.bitrate is not None:
        raise FieldValueError(
            "output_format.bitrate", fmt.bitrate, f"{name} is uncompressed: leave bitrate unset"
        )
    chosen = default_encoding if encoding is None else encoding
    if chosen not in ENCODINGS:
        raise FieldValueError(
            "extra_params['encoding']", chosen, "accepted: " + ", ".join(map(repr, ENCODINGS))
        )
    return {"container": container, "encoding": chosen, "sample_rate": rate}


def content_type_of(fmt: dict[str, Any]) -> str:
    """MIME type of the audio Cartesia returns for ``output_format`` ``fmt``."""
    if fmt.get("container") == "mp3":
        return "audio/mpeg"
    if fmt.get("container") == "wav":
        return "audio/wav"
    return "audio/basic" if fmt.get("encoding") in ("pcm_mulaw", "pcm_alaw") else "audio/pcm"


def duration_of(fmt: dict[str, Any], audio: bytes) -> float | None:
    """Seconds of uncompressed audio (wav / raw); None for mp3."""
    container, encoding = fmt.get("container"), fmt.get("encoding")
    if container == "wav":
        return audio_duration(audio, "wav")
    if container != "raw":
        return None
    rate = fmt.get("sample_rate")
    if encoding in ("pcm_mulaw", "pcm_alaw"):
        return audio_duration(audio, "ulaw", rate)
    return audio_duration(audio, "pcm", rate, 4 if encoding == "pcm_f32le" else 2)
