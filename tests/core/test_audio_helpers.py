"""audio_duration / audio_content / stored_status: the helpers of one-shot speech plugins."""

from __future__ import annotations

import struct

import httpx
import pytest

from tarash.tarash_gateway import _mock_media
from tarash.tarash_gateway.exceptions import (
    GenerationFailedError,
    MalformedResponseError,
    TarashException,
)
from tarash.tarash_gateway.plugin import (
    Job,
    JobStatus,
    audio_content,
    audio_duration,
    stored_status,
)
from tarash.tarash_gateway.testing import make_context, run_flow


def _float_wav(seconds: float, rate: int) -> bytes:
    """A float32 WAV with a LIST chunk before its data (wave.open refuses both)."""
    data = struct.pack(f"<{int(seconds * rate)}f", *([0.25] * int(seconds * rate)))
    fmt = struct.pack("<HHIIHH", 3, 1, rate, rate * 4, 4, 32)
    extra = b"LIST" + struct.pack("<I", 5) + b"INFOx" + b"\0"  # odd size: padded
    body = b"WAVEfmt " + struct.pack("<I", 16) + fmt + extra
    body += b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def test_audio_duration_of_each_uncompressed_codec() -> None:
    assert audio_duration(_mock_media.wav(0.5, 16000), "wav") == pytest.approx(0.5, abs=0.001)
    assert audio_duration(_float_wav(0.25, 8000), "wav") == pytest.approx(0.25, abs=0.001)
    assert audio_duration(_mock_media.pcm(0.4, 24000), "pcm", 24000) == pytest.approx(0.4)
    assert audio_duration(b"\0" * 32000, "pcm", 16000, sample_bytes=4) == 0.5
    assert audio_duration(b"\xff" * 8000, "ulaw", 8000) == 1.0
    assert audio_duration(_mock_media.sample("sample.mp3"), "mp3", 44100) is None
    assert audio_duration(b"RIFF....WAVEjunk", "wav") is None
    assert audio_duration(b"\0" * 10, "pcm") is None


def _answer(body: bytes, content_type: str) -> httpx.Response:
    request = httpx.Request("POST", "https://speech.example/tts")
    return httpx.Response(
        200, content=body, headers={"content-type": content_type}, request=request
    )


def test_audio_content_refuses_json_and_empty_answers() -> None:
    ctx = make_context(provider="acme", model="m", modality="tts")
    assert audio_content(_answer(b"ID3abc", "audio/mpeg"), ctx, {}) == b"ID3abc"
    with pytest.raises(MalformedResponseError, match="application/json instead of audio"):
        audio_content(_answer(b'{"error": 1}', "application/json"), ctx, {})
    with pytest.raises(GenerationFailedError, match="acme returned no audio"):
        audio_content(_answer(b"", "audio/mpeg"), ctx, {"k": 1})


def test_stored_status_hands_back_the_submit_result() -> None:
    ctx = make_context(provider="acme", model="m", modality="tts")
    done = JobStatus(state="completed", output={"audio": "AA=="})
    job = Job(provider="acme", model="m", modality="tts", id="j1", status=done)
    assert run_flow(stored_status(job, ctx), lambda r: httpx.Response(500)) == done
    with pytest.raises(TarashException, match="no result to poll"):
        run_flow(stored_status(job.model_copy(update={"status": None}), ctx), lambda r: None)
