"""ElevenLabs output formats: ``AudioOutputFormat`` ↔ ``codec_samplerate[_bitrate]`` names."""

from __future__ import annotations

import io
import wave
from typing import Any

from tarash.tarash_gateway.models import AudioOutputFormat, format_to_content_type
from tarash.tarash_gateway.providers.field_mappers import FieldValueError

_PCM_RATES = (8000, 16000, 22050, 24000, 32000, 44100, 48000)

# codec → sample rate → bitrates (kbps); None = the codec has no bitrate setting.
OFFERED: dict[str, dict[int, tuple[int, ...] | None]] = {
    "mp3": {22050: (32,), 24000: (48,), 44100: (32, 64, 96, 128, 192)},
    "pcm": dict.fromkeys(_PCM_RATES),
    "wav": dict.fromkeys(_PCM_RATES),
    "opus": {48000: (32, 64, 96, 128, 192)},
    "ulaw": {8000: None},
    "alaw": {8000: None},
}
"""Every output format ElevenLabs offers (provider-protocols.md §9)."""

DEFAULT_FORMAT = "mp3_44100_128"
"""ElevenLabs' own default; also used for a bare ``AudioOutputFormat(format="mp3")``."""

OFFERED_NAMES: tuple[str, ...] = tuple(
    f"{codec}_{rate}" if bitrates is None else f"{codec}_{rate}_{bitrate}"
    for codec, rates in OFFERED.items()
    for rate, bitrates in rates.items()
    for bitrate in (bitrates or (None,))
)


def _accepted() -> str:
    return "ElevenLabs offers: " + ", ".join(OFFERED_NAMES)


def format_name(fmt: AudioOutputFormat) -> str:
    """Return the ElevenLabs name of ``fmt`` (``mp3``/44100/128 → ``mp3_44100_128``).

    A missing sample rate or bitrate is filled in when only one offered format
    fits, or when ElevenLabs' default (``mp3_44100_128``) fits.

    Raises:
        FieldValueError: ElevenLabs offers no such combination, or it is ambiguous.
    """
    value = fmt.model_dump()
    codec = fmt.format.lower()
    rates = OFFERED.get(codec)
    if rates is None:
        raise FieldValueError("output_format", value, _accepted())
    candidates = [
        name
        for rate, bitrates in rates.items()
        if fmt.sample_rate in (None, rate)
        for name in _names(codec, rate, bitrates, fmt.bitrate)
    ]
    if len(candidates) == 1:
        return candidates[0]
    if DEFAULT_FORMAT in candidates:
        return DEFAULT_FORMAT
    if not candidates:
        raise FieldValueError("output_format", value, _accepted())
    raise FieldValueError(
        "output_format",
        value,
        "ambiguous; set sample_rate / bitrate to pick one of: " + ", ".join(candidates),
    )


def _names(
    codec: str, rate: int, bitrates: tuple[int, ...] | None, bitrate: int | None
) -> list[str]:
    if bitrates is None:
        return [f"{codec}_{rate}"] if bitrate is None else []
    return [f"{codec}_{rate}_{b}" for b in bitrates if bitrate in (None, b)]


def content_type_of(name: str) -> str:
    """MIME type of the audio ElevenLabs returns for format ``name``."""
    return format_to_content_type(name.split("_", 1)[0])


def duration_of(name: str, audio: bytes) -> float | None:
    """Length in seconds of uncompressed audio (pcm, wav, ulaw, alaw); None otherwise."""
    codec, _, rest = name.partition("_")
    rate = int(rest.split("_", 1)[0]) if rest else 0
    if not rate:
        return None
    if codec == "pcm":
        return round(len(audio) / (2 * rate), 3)
    if codec in ("ulaw", "alaw"):
        return round(len(audio) / rate, 3)
    if codec == "wav":
        try:
            with wave.open(io.BytesIO(audio), "rb") as clip:
                return round(clip.getnframes() / clip.getframerate(), 3)
        except (wave.Error, EOFError, ZeroDivisionError):
            return None
    return None


def output_format_converter(_request: Any, value: AudioOutputFormat | None) -> str | None:
    """FieldMapper converter of ``output_format`` (None keeps ElevenLabs' default)."""
    return None if value is None else format_name(value)
