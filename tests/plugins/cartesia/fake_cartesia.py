"""A fake Cartesia API on 127.0.0.1 (docs.cartesia.ai, Cartesia-Version 2026-03-01), real audio.

Routes:
    POST /tts/bytes             JSON body → audio bytes in the requested output_format
    POST /voice-changer/bytes   multipart (clip, voice[id], output_format[...]) → audio bytes
    GET  /voices                the known voices

Checks, as Cartesia documents them: ``Authorization: Bearer`` (401), a known
``Cartesia-Version`` (400), model ids (400 ``model_sunsetted`` for the models Cartesia
stopped on 2026-06-01), ``voice`` {mode: "id", id} of a known voice (404), output formats
(containers, encodings, sample rates, mp3 bit rates in bits/s), languages per model,
``generation_config`` ranges. Errors are JSON ``{error_code, title, message, request_id}``.
``busy`` answers 429 ``concurrency_limited``. Every fault of :class:`FakeServer` applies.

Audio: mp3 is a real MP3 sample; wav / raw are a sine tone at the requested rate and
encoding (s16le, f32le, G.711 mu-law / A-law). Bodies are chunked, as Cartesia streams
them: ``stream_chunks`` pieces, ``stream_interval`` seconds apart (``stream_drop_after``
hangs up mid-way).
"""

from __future__ import annotations

import itertools
import struct
import uuid
from typing import Any

from tarash.tarash_gateway import _mock_media
from tarash.tarash_gateway.testing import FakeRequest, FakeResponse, FakeServer
from tests.plugins.elevenlabs.fake_elevenlabs import _g711

VERSIONS = ("2024-06-10", "2024-11-13", "2025-04-16", "2026-03-01")
VOICES = {
    "f786b574-daa5-4673-aa0c-cbe3e8534c02": "Katie",
    "a5136bf9-224c-4d76-b823-52bd5efcffcc": "Jameson",
}
SONIC_3 = (
    "en de es fr ja pt zh hi ko it nl pl ru sv tr tl bg ro ar cs el fi hr ms sk da ta uk hu no "
    "vi bn th he ka id te gu kn ml mr pa"
).split()
MODELS = {
    "sonic-3.5": SONIC_3,
    "sonic-latest": SONIC_3,
    "sonic-3": SONIC_3,
    "sonic-3-2026-01-12": SONIC_3,
    "sonic-2": "en de es fr ja ko pt zh".split(),
    "sonic-turbo": "en de es fr ja ko pt zh hi".split(),
}
SUNSET = ("sonic", "sonic-english", "sonic-multilingual", "sonic-2-2025-03-07")
RATES = (8000, 16000, 22050, 24000, 44100, 48000)
BIT_RATES = (32000, 64000, 96000, 128000, 192000)
ENCODINGS = ("pcm_f32le", "pcm_s16le", "pcm_mulaw", "pcm_alaw")


def error(status: int, code: str | None, title: str, message: str) -> FakeResponse:
    """A Cartesia error answer."""
    body = {"error_code": code, "title": title, "message": message, "request_id": str(uuid.uuid4())}
    return FakeResponse.json(body, status)


def speech(fmt: dict[str, Any], seconds: float) -> bytes:
    """Real audio in Cartesia's ``output_format`` ``fmt``."""
    if fmt["container"] == "mp3":
        return _mock_media.sample("sample.mp3")
    rate, encoding = int(fmt["sample_rate"]), fmt["encoding"]
    tone = _mock_media.pcm(seconds, rate)
    samples = struct.unpack(f"<{len(tone) // 2}h", tone)
    if encoding == "pcm_s16le":
        data, width = tone, 2
    elif encoding == "pcm_f32le":
        data, width = struct.pack(f"<{len(samples)}f", *(s / 32768 for s in samples)), 4
    else:
        law = "ulaw" if encoding == "pcm_mulaw" else "alaw"
        data, width = bytes(_g711(s, law) for s in samples), 1
    if fmt["container"] == "raw":
        return data
    code = {"pcm_s16le": 1, "pcm_f32le": 3, "pcm_alaw": 6, "pcm_mulaw": 7}[encoding]
    header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt "
    header += struct.pack("<IHHIIHH", 16, code, 1, rate, rate * width, width, width * 8)
    return header + b"data" + struct.pack("<I", len(data)) + data


def _format_problem(fmt: Any) -> str | None:
    if not isinstance(fmt, dict) or fmt.get("container") not in ("raw", "wav", "mp3"):
        return "output_format.container must be one of raw, wav, mp3"
    if fmt.get("sample_rate") not in RATES:
        return f"output_format.sample_rate must be one of {RATES}"
    if fmt["container"] == "mp3":
        if fmt.get("bit_rate") not in BIT_RATES:
            return f"output_format.bit_rate must be one of {BIT_RATES}"
    elif fmt.get("encoding") not in ENCODINGS:
        return f"output_format.encoding must be one of {ENCODINGS}"
    return None


class FakeCartesiaServer(FakeServer):
    """Fake Cartesia API.

    Args:
        api_key: When given, only this bearer key is accepted (else any non-empty key).
        voices: Known voice ids → names.
    """

    def __init__(self, api_key: str | None = None, voices: dict[str, str] | None = None) -> None:
        super().__init__()
        self.api_key = api_key
        self.voices = dict(VOICES if voices is None else voices)
        self.busy = False
        self.stream_chunks = 4
        self.stream_interval = 0.0
        self.stream_drop_after: int | None = None
        self.generated: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self.add_route("POST", r"/tts/bytes", self._tts)
        self.add_route("POST", r"/voice-changer/bytes", self._voice_changer)
        self.add_route("GET", r"/voices", self._voices)

    # ------------------------------------------------------------ checks
    def _refusal(self, request: FakeRequest) -> FakeResponse | None:
        auth = request.headers.get("authorization", "")
        key = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else ""
        if not key or (self.api_key is not None and key != self.api_key):
            return error(401, "unauthorized", "Unauthorized", "Invalid API key.")
        version = request.headers.get("cartesia-version")
        if version not in VERSIONS:
            return error(
                400, "invalid_version", "Invalid Cartesia-Version", f"Unknown version {version}"
            )
        if self.busy:
            return error(
                429,
                "concurrency_limited",
                "Too many concurrent requests",
                "You have exceeded your plan's concurrency limit.",
            )
        return None

    def _unknown_voice(self, voice_id: Any) -> FakeResponse | None:
        if voice_id in self.voices:
            return None
        return error(404, "voice_not_found", "Voice not found", f"Voice {voice_id} not found.")

    def _audio(self, fmt: dict[str, Any], seconds: float) -> FakeResponse:
        """The audio, chunked as Cartesia streams it (``stream_chunks`` pieces)."""
        number = next(self._ids)
        content_type = {"mp3": "audio/mpeg", "wav": "audio/wav"}.get(
            fmt["container"], "application/octet-stream"
        )
        audio = speech(fmt, seconds)
        size = -(-len(audio) // self.stream_chunks)
        chunks = [audio[i : i + size] for i in range(0, len(audio), size)]
        headers = {"X-Request-Id": f"cartesia-req-{number:04d}"}
        return FakeResponse.stream(
            chunks, content_type, self.stream_interval, headers, self.stream_drop_after
        )

    # ------------------------------------------------------------ routes
    def _tts(self, request: FakeRequest) -> FakeResponse:
        refusal = self._refusal(request)
        if refusal is not None:
            return refusal
        try:
            body = request.json()
        except ValueError:
            return error(400, "invalid_request", "Bad request", "Body is not JSON.")
        model = body.get("model_id")
        if model in SUNSET:
            return error(
                400,
                "model_sunsetted",
                "Model sunsetted",
                "The requested model has been sunsetted and is no longer available.",
            )
        if model not in MODELS:
            return error(400, "invalid_request", "Bad request", f"Unknown model_id {model}")
        if not body.get("transcript"):
            return error(400, "invalid_request", "Bad request", "transcript must not be empty")
        voice = body.get("voice")
        if not isinstance(voice, dict) or voice.get("mode") != "id":
            return error(400, "invalid_request", "Bad request", "voice must be {mode: id, id}")
        missing = self._unknown_voice(voice.get("id"))
        if missing is not None:
            return missing
        problem = _format_problem(body.get("output_format"))
        if problem:
            return error(400, "invalid_request", "Bad request", problem)
        language = body.get("language")
        if language is not None and language not in MODELS[model]:
            return error(
                400, "invalid_request", "Bad request", f"{model} does not support {language}"
            )
        config = body.get("generation_config") or {}
        if not 0.6 <= config.get("speed", 1) <= 1.5 or not 0.5 <= config.get("volume", 1) <= 2:
            return error(400, "invalid_request", "Bad request", "generation_config out of range")
        self.generated.append({"kind": "tts", **body})
        seconds = max(0.3, min(5.0, len(body["transcript"]) / 15))
        return self._audio(body["output_format"], seconds)

    def _voice_changer(self, request: FakeRequest) -> FakeResponse:
        refusal = self._refusal(request)
        if refusal is not None:
            return refusal
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            return error(400, "invalid_request", "Bad request", "expected multipart/form-data")
        fields, files = request.multipart()
        form = {name: values[-1] for name, values in fields.items()}
        clips = files.get("clip") or []
        if not clips or not clips[0].content:
            return error(400, "invalid_request", "Bad request", "clip is required")
        missing = self._unknown_voice(form.get("voice[id]"))
        if missing is not None:
            return missing
        fmt: dict[str, Any] = {
            key[len("output_format[") : -1]: value
            for key, value in form.items()
            if key.startswith("output_format[")
        }
        for number in ("sample_rate", "bit_rate"):
            if number in fmt:
                fmt[number] = int(fmt[number])
        problem = _format_problem(fmt)
        if problem:
            return error(400, "invalid_request", "Bad request", problem)
        self.generated.append({"kind": "sts", "clip": clips[0], **form})
        return self._audio(fmt, _seconds_of(clips[0].content))

    def _voices(self, request: FakeRequest) -> FakeResponse:
        refusal = self._refusal(request)
        if refusal is not None:
            return refusal
        voices = [{"id": v, "name": n, "is_public": True} for v, n in self.voices.items()]
        return FakeResponse.json({"data": voices, "has_more": False})


def _seconds_of(audio: bytes) -> float:
    """Duration of an uploaded WAV (s16le, from its header); 1 s for anything else."""
    if audio[:4] == b"RIFF" and audio[8:12] == b"WAVE" and len(audio) > 44:
        channels, rate = struct.unpack("<HI", audio[22:28])
        return max(0.1, min(30.0, (len(audio) - 44) / (rate * channels * 2)))
    return 1.0
