"""Real, small media made offline for the mock provider: PNG, WAV, MP3 and MP4."""

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
