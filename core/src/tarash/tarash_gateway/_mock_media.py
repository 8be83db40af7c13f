"""Real, small media for the mock provider, shaped like the request.

PNG, WAV, raw PCM and G.711 (u-law, A-law) are made here; MP4 (landscape,
portrait, square), MP3 (per sample rate and bitrate), Opus, FLAC and AAC are
small samples shipped as package data (``media/``, made once with ffmpeg:
see ``media/README.md``).
"""

from __future__ import annotations

import io
import math
import struct
import wave
import zlib
from functools import cache
from importlib.resources import files

MAX_SIDE = 1024


def png(width: int = 256, height: int = 256, seed: int = 0) -> bytes:
    """A valid RGB PNG with a gradient (``seed`` shifts the colours)."""
    width, height = max(1, min(width, MAX_SIDE)), max(1, min(height, MAX_SIDE))
    shift = seed % 256
    row = bytearray(3 * width)
    row[0::3] = bytes((x * 255 // max(1, width - 1)) ^ shift for x in range(width))
    row[2::3] = b"\x80" * width
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter type: none
        row[1::3] = bytes(((y * 255 // max(1, height - 1) + shift) % 256,)) * width
        rows += row

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 6))
        + chunk(b"IEND", b"")
    )


def wav(seconds: float = 1.0, sample_rate: int = 16000, frequency: float = 440.0) -> bytes:
    """A valid mono 16-bit PCM WAV of a sine tone."""
    frames = int(max(0.1, min(seconds, 30.0)) * sample_rate)
    samples = (
        int(12000 * math.sin(2 * math.pi * frequency * i / sample_rate)) for i in range(frames)
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(struct.pack(f"<{frames}h", *samples))
    return buffer.getvalue()


def pcm(seconds: float = 1.0, sample_rate: int = 16000) -> bytes:
    """Raw 16-bit little-endian PCM of a sine tone (a WAV without its header)."""
    return wav(seconds, sample_rate)[44:]


@cache
def sample(name: str) -> bytes:
    """A media sample shipped as package data (``sample.mp4``: 2 s, 320x180, H.264 + AAC)."""
    return (files("tarash.tarash_gateway") / "media" / name).read_bytes()


# ---------------------------------------------------------------- by request
VIDEO_SAMPLES = {  # 2 s, 12 fps, H.264 + AAC mono (made once with ffmpeg, see media/README.md)
    "16:9": ("sample.mp4", 320, 180),
    "9:16": ("sample-9x16.mp4", 180, 320),
    "1:1": ("sample-1x1.mp4", 240, 240),
}
VIDEO_SECONDS = 2.0
MP3_SAMPLES = (
    (22050, 32),
    (24000, 48),
    (44100, 32),
    (44100, 64),
    (44100, 96),
    (44100, 128),
    (44100, 192),
)
"""(sample rate, kbps) of the shipped 0.5 s MP3s, ``sample-RATE_KBPS.mp3``."""
AUDIO_SAMPLE_SECONDS = 0.5
COMPRESSED_SAMPLES = {  # format → (shipped file, its sample rate)
    "opus": ("sample-48000_32.opus", 48000),
    "flac": ("sample-16000.flac", 16000),
    "aac": ("sample-44100_32.aac", 44100),
}
IMAGE_LONG_SIDE = 512


def ratio_of(aspect_ratio: str | None) -> float | None:
    """``"16:9"`` → 1.78; None for no ratio or ``"auto"``."""
    if not aspect_ratio or ":" not in aspect_ratio:
        return None
    width, _, height = aspect_ratio.partition(":")
    try:
        return float(width) / float(height)
    except (ValueError, ZeroDivisionError):
        return None


def video_sample(aspect_ratio: str | None) -> tuple[bytes, int, int]:
    """The shipped MP4 whose shape is nearest to ``aspect_ratio``: (bytes, width, height)."""
    ratio = ratio_of(aspect_ratio) or 16 / 9
    shape = "16:9" if ratio > 1.05 else "9:16" if ratio < 0.95 else "1:1"
    name, width, height = VIDEO_SAMPLES[shape]
    return sample(name), width, height


def image_size(size: str | None, aspect_ratio: str | None) -> tuple[int, int]:
    """Pixels of a mock image: ``size`` (``WxH``) when given, else the aspect ratio's shape."""
    if size:
        width, _, height = size.lower().partition("x")
        return int(width), int(height)
    ratio = ratio_of(aspect_ratio) or 1.0
    if ratio >= 1:
        return IMAGE_LONG_SIDE, max(1, round(IMAGE_LONG_SIDE / ratio))
    return max(1, round(IMAGE_LONG_SIDE * ratio)), IMAGE_LONG_SIDE


def mp3(sample_rate: int | None, bitrate: int | None) -> tuple[bytes, int, int]:
    """The shipped MP3 nearest to the request: (bytes, sample rate, kbps)."""
    rate = sample_rate or 44100
    kbps = bitrate or 128
    chosen = min(MP3_SAMPLES, key=lambda s: (abs(s[0] - rate), abs(s[1] - kbps)))
    return sample(f"sample-{chosen[0]}_{chosen[1]}.mp3"), chosen[0], chosen[1]


def g711(seconds: float, sample_rate: int, law: str) -> bytes:
    """A sine tone as 8-bit G.711 ``ulaw`` or ``alaw`` samples (ITU-T G.711)."""
    raw = pcm(seconds, sample_rate)
    linear = struct.unpack(f"<{len(raw) // 2}h", raw)
    encode = _ulaw if law == "ulaw" else _alaw
    return bytes(encode(value) for value in linear)


def _ulaw(value: int) -> int:
    sign = 0x80 if value < 0 else 0
    magnitude = min(abs(value), 32635) + 0x84
    exponent = max(0, min(7, magnitude.bit_length() - 8))
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    return ~(sign | exponent << 4 | mantissa) & 0xFF


def _alaw(value: int) -> int:
    sign = 0x80 if value >= 0 else 0
    magnitude = min(abs(value), 32767) >> 3
    if magnitude < 32:
        code = magnitude >> 1
    else:
        exponent = max(1, min(7, magnitude.bit_length() - 5))
        code = exponent << 4 | ((magnitude >> exponent) & 0x0F)
    return (sign | code) ^ 0x55
