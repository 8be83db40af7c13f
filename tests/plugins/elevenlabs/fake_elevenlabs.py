"""A fake ElevenLabs API on 127.0.0.1 (provider-protocols.md §9), returning real audio.

Routes:
    POST /v1/text-to-speech/{voice_id}[/stream]       JSON body → audio bytes
    POST /v1/text-to-speech/{voice_id}/with-timestamps JSON body → {"audio_base64", "alignment", ...}
    POST /v1/speech-to-speech/{voice_id}[/stream]     multipart (audio + fields) → audio bytes
    GET  /v1/voices                                    the known voices
    GET  /media/{name}                                 files added with ``add_media`` (URL inputs)

Behaviour tests can trigger: ``xi-api-key`` checks (401 ``invalid_api_key``), unknown voices
(404 ``voice_not_found``), 422 ``detail`` lists (missing text/audio, bad output_format),
``max_character_limit_exceeded`` (400), ``quota_exceeded`` (401, via ``quota``), a
Terms-of-Service refusal (400 ``bad_prompt``, text containing a ``blocked_words`` entry),
``too_many_concurrent_requests`` / ``system_busy`` (429, via ``busy``), plus every fault of
:class:`FakeServer` (``inject``: status, Retry-After, drop, delay).

Audio: MP3 is a real MP3 sample; pcm / wav are a sine tone at the requested rate; ulaw /
alaw are G.711-companded bytes of that tone. Opus is a placeholder (``OggS`` + tone bytes):
no encoder is available offline. ``/stream`` answers chunked: the audio in
``stream_chunks`` pieces, ``stream_interval`` seconds apart (as the real endpoint sends
audio while it is generated).
"""

from __future__ import annotations

import base64
import itertools
import json
import math
import struct
import sys
import threading
from typing import Any

from tarash.tarash_gateway import _mock_media
from tarash.tarash_gateway.testing import FakeRequest, FakeResponse, FakeServer

VOICES = {
    "JBFqnCBsd6RMkjVDRZzb": "George",
    "21m00Tcm4TlvDq8ikWAM": "Rachel",
    "EXAVITQu4vr4xnSDxMaL": "Sarah",
}
TTS_MODELS = {
    "eleven_v3": 5000,
    "eleven_multilingual_v2": 10000,
    "eleven_flash_v2_5": 40000,
    "eleven_flash_v2": 30000,
    "eleven_turbo_v2_5": 40000,
    "eleven_turbo_v2": 30000,
    "eleven_monolingual_v1": 10000,
    "eleven_multilingual_v1": 10000,
}
STS_MODELS = ("eleven_multilingual_sts_v2", "eleven_english_sts_v2")
_RATES = (8000, 16000, 22050, 24000, 32000, 44100, 48000)
OUTPUT_FORMATS = (
    ["mp3_22050_32", "mp3_24000_48"]
    + [f"mp3_44100_{b}" for b in (32, 64, 96, 128, 192)]
    + [f"pcm_{r}" for r in _RATES]
    + [f"wav_{r}" for r in _RATES]
    + [f"opus_48000_{b}" for b in (32, 64, 96, 128, 192)]
    + ["ulaw_8000", "alaw_8000"]
)
CONTENT_TYPES = {
    "mp3": "audio/mpeg",
    "pcm": "audio/pcm",
    "wav": "audio/wav",
    "opus": "audio/opus",
    "ulaw": "audio/basic",
    "alaw": "audio/basic",
}
VOICE_SETTINGS_KEYS = {"stability", "similarity_boost", "style", "use_speaker_boost", "speed"}


def detail(
    status: str, message: str, code: int, headers: dict[str, str] | None = None
) -> FakeResponse:
    """An ElevenLabs error answer: ``{"detail": {"status", "message"}}``."""
    return FakeResponse.json({"detail": {"status": status, "message": message}}, code, headers)


def invalid(loc: list[str], msg: str, kind: str = "value_error") -> FakeResponse:
    """A 422 validation answer: ``{"detail": [{"loc", "msg", "type"}]}``."""
    return FakeResponse.json({"detail": [{"loc": loc, "msg": msg, "type": kind}]}, 422)


def speech(output_format: str, seconds: float) -> bytes:
    """Real audio bytes in ``output_format`` (opus: placeholder)."""
    codec, _, rest = output_format.partition("_")
    rate = int(rest.split("_")[0])
    if codec == "mp3":
        return _mock_media.sample("sample.mp3")
    if codec == "wav":
        return _mock_media.wav(seconds, rate)
    tone = _mock_media.pcm(seconds, rate if codec == "pcm" else 8000)
    if codec == "pcm":
        return tone
    if codec in ("ulaw", "alaw"):
        samples = struct.unpack(f"<{len(tone) // 2}h", tone)
        return bytes(_g711(s, codec) for s in samples)
    return b"OggS" + tone  # opus placeholder


def _g711(sample: int, law: str) -> int:
    """Companding of one 16-bit sample (logarithmic; close to G.711)."""
    x = max(-1.0, min(1.0, sample / 32768))
    if law == "ulaw":
        y = math.log1p(255 * abs(x)) / math.log(256)
        return ~((0x80 if x < 0 else 0) | int(y * 127)) & 0xFF
    a = 87.6
    ax = abs(x)
    y = a * ax / (1 + math.log(a)) if ax < 1 / a else (1 + math.log(a * ax)) / (1 + math.log(a))
    return ((0x80 if x >= 0 else 0) | int(y * 127)) ^ 0x55


class FakeElevenLabsServer(FakeServer):
    """Fake ElevenLabs API.

    Args:
        api_key: When given, only this ``xi-api-key`` is accepted (else any non-empty key).
        voices: Known voice ids → names.
        quota: Characters left on the account; None = unlimited.
    """

    def __init__(
        self,
        api_key: str | None = None,
        voices: dict[str, str] | None = None,
        quota: int | None = None,
    ) -> None:
        super().__init__()
        self.api_key = api_key
        self.voices = dict(VOICES if voices is None else voices)
        self.quota = quota
        self.blocked_words = ("forbidden-words",)
        self.busy: str | None = None  # "too_many_concurrent_requests" or "system_busy"
        self.media: dict[str, tuple[bytes, str]] = {}
        self.generated: list[dict[str, Any]] = []
        self.stream_chunks = 4
        self.stream_interval = 0.0
        self.stream_drop_after: int | None = None
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        tts = r"/v1/text-to-speech/(?P<voice_id>[^/]+)"
        sts = r"/v1/speech-to-speech/(?P<voice_id>[^/]+)"
        self.add_route("POST", tts + r"(?:/stream)?", self._tts)
        self.add_route("POST", tts + r"(?:/stream)?/with-timestamps", self._tts_timestamps)
        self.add_route("POST", sts + r"(?:/stream)?", self._sts)
        self.add_route("GET", r"/v1/voices", self._voices)
        self.add_route("GET", r"/media/(?P<name>.+)", self._media)

    def start(self) -> FakeElevenLabsServer:
        """Start serving; a client that hung up (timeout tests) is not reported on stderr."""
        super().start()
        server = self._server
        if server is not None:  # FakeServer prints BrokenPipeError tracebacks otherwise
            default = server.handle_error

            def handle_error(request: Any, client_address: Any) -> None:
                if not isinstance(sys.exc_info()[1], ConnectionError):
                    default(request, client_address)

            server.handle_error = handle_error  # type: ignore[method-assign]
        return self

    # ------------------------------------------------------------ helpers for tests
    def add_media(self, name: str, content: bytes, content_type: str) -> str:
        """Serve ``content`` at ``/media/{name}``; returns its URL (server must be started)."""
        self.media[name] = (content, content_type)
        return f"{self.url}/media/{name}"

    # ------------------------------------------------------------ checks shared by tts and sts
    def _refusal(self, request: FakeRequest, voice_id: str) -> FakeResponse | None:
        key = request.headers.get("xi-api-key")
        if not key or (self.api_key is not None and key != self.api_key):
            return detail("invalid_api_key", "Invalid API key", 401)
        if self.busy:
            return detail(self.busy, "Too many requests, please try again later.", 429)
        if voice_id not in self.voices:
            return detail(
                "voice_not_found", f"A voice with the voice_id {voice_id} was not found.", 404
            )
        output_format = request.query.get("output_format", ["mp3_44100_128"])[-1]
        if output_format not in OUTPUT_FORMATS:
            return invalid(["query", "output_format"], f"invalid output format {output_format!r}")
        latency = request.query.get("optimize_streaming_latency")
        if latency and latency[-1] not in {"0", "1", "2", "3", "4"}:
            return invalid(["query", "optimize_streaming_latency"], "must be 0-4")
        logging = request.query.get("enable_logging")
        if logging and logging[-1] not in {"true", "false"}:
            return invalid(["query", "enable_logging"], "value could not be parsed to a boolean")
        return None

    def _audio_response(self, request: FakeRequest, seconds: float, cost: int) -> FakeResponse:
        output_format = request.query.get("output_format", ["mp3_44100_128"])[-1]
        number = next(self._ids)
        audio = speech(output_format, seconds)
        headers = {
            "Content-Type": CONTENT_TYPES[output_format.split("_")[0]],
            "request-id": f"req_{number:06d}",
            "history-item-id": f"hist_{number:06d}",
            "character-cost": str(cost),
            "current-concurrent-requests": "1",
            "maximum-concurrent-requests": "5",
        }
        if request.path.endswith("/stream"):
            size = -(-len(audio) // self.stream_chunks)
            chunks = [audio[i : i + size] for i in range(0, len(audio), size)]
            content_type = headers.pop("Content-Type")
            return FakeResponse.stream(
                chunks, content_type, self.stream_interval, headers, self.stream_drop_after
            )
        return FakeResponse(200, audio, headers)

    def _charge(self, characters: int) -> FakeResponse | None:
        with self._lock:
            if self.quota is None:
                return None
            if characters > self.quota:
                return detail(
                    "quota_exceeded",
                    f"This request exceeds your quota of 10000. You have {self.quota} credits "
                    f"remaining, while {characters} credits are required for this request.",
                    401,
                )
            self.quota -= characters
            return None

    # ------------------------------------------------------------ routes
    def _tts_checked(self, request: FakeRequest, voice_id: str) -> FakeResponse | dict[str, Any]:
        refusal = self._refusal(request, voice_id)
        if refusal is not None:
            return refusal
        try:
            body = request.json()
        except ValueError:
            return invalid(["body"], "invalid JSON", "value_error.jsondecode")
        if not isinstance(body, dict) or not body.get("text"):
            return invalid(["body", "text"], "field required", "value_error.missing")
        model = body.get("model_id", "eleven_multilingual_v2")
        if model not in TTS_MODELS:
            return detail("model_not_found", f"A model with model ID {model} does not exist", 400)
        settings = body.get("voice_settings") or {}
        if not isinstance(settings, dict) or set(settings) - VOICE_SETTINGS_KEYS:
            return invalid(["body", "voice_settings"], "extra fields not permitted")
        text = str(body["text"])
        if len(text) > TTS_MODELS[model]:
            return detail(
                "max_character_limit_exceeded",
                f"Text is too long: {len(text)} characters, the limit of {model} is "
                f"{TTS_MODELS[model]}.",
                400,
            )
        if any(word in text for word in self.blocked_words):
            return detail(
                "bad_prompt",
                "Your prompt appears to have violated our Terms of Service. Please try again "
                "with a different prompt.",
                400,
            )
        charged = self._charge(len(text))
        if charged is not None:
            return charged
        self.generated.append({"kind": "tts", "voice_id": voice_id, **body})
        return body

    def _tts(self, request: FakeRequest, voice_id: str) -> FakeResponse:
        body = self._tts_checked(request, voice_id)
        if isinstance(body, FakeResponse):
            return body
        text = str(body["text"])
        seconds = max(0.5, min(10.0, len(text) / 15))
        return self._audio_response(request, seconds, len(text))

    def _tts_timestamps(self, request: FakeRequest, voice_id: str) -> FakeResponse:
        body = self._tts_checked(request, voice_id)
        if isinstance(body, FakeResponse):
            return body
        text = str(body["text"])
        seconds = max(0.5, min(10.0, len(text) / 15))
        audio = self._audio_response(request, seconds, len(text))
        step = seconds / len(text)
        alignment = {
            "characters": list(text),
            "character_start_times_seconds": [round(i * step, 3) for i in range(len(text))],
            "character_end_times_seconds": [round((i + 1) * step, 3) for i in range(len(text))],
        }
        payload = {
            "audio_base64": base64.b64encode(audio.body).decode("ascii"),
            "alignment": alignment,
            "normalized_alignment": alignment,
        }
        headers = {k: v for k, v in audio.headers.items() if k != "Content-Type"}
        return FakeResponse.json(payload, 200, headers)

    def _sts(self, request: FakeRequest, voice_id: str) -> FakeResponse:
        refusal = self._refusal(request, voice_id)
        if refusal is not None:
            return refusal
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            return invalid(["body", "audio"], "field required", "value_error.missing")
        fields, files = request.multipart()
        uploads = files.get("audio") or []
        if not uploads or not uploads[0].content:
            return invalid(["body", "audio"], "field required", "value_error.missing")
        form = {name: values[-1] for name, values in fields.items()}
        model = form.get("model_id", "eleven_english_sts_v2")
        if model not in STS_MODELS:
            return detail(
                "invalid_model", f"Model {model} can not be used for speech-to-speech.", 400
            )
        if "voice_settings" in form:
            try:
                settings = json.loads(form["voice_settings"])
            except ValueError:
                return invalid(["body", "voice_settings"], "invalid JSON string")
            if not isinstance(settings, dict) or set(settings) - VOICE_SETTINGS_KEYS:
                return invalid(["body", "voice_settings"], "extra fields not permitted")
        for flag in ("remove_background_noise",):
            if flag in form and form[flag] not in ("true", "false"):
                return invalid(["body", flag], "value could not be parsed to a boolean")
        upload = uploads[0]
        seconds = _seconds_of(upload.content)
        charged = self._charge(int(seconds * 100))
        if charged is not None:
            return charged
        self.generated.append({"kind": "sts", "voice_id": voice_id, "audio": upload, **form})
        return self._audio_response(request, seconds, int(seconds * 100))

    def _voices(self, request: FakeRequest) -> FakeResponse:
        if not request.headers.get("xi-api-key"):
            return detail("invalid_api_key", "Invalid API key", 401)
        voices = [{"voice_id": v, "name": n, "category": "premade"} for v, n in self.voices.items()]
        return FakeResponse.json({"voices": voices})

    def _media(self, request: FakeRequest, name: str) -> FakeResponse:
        if name not in self.media:
            return FakeResponse.json({"error": "not found"}, 404)
        content, content_type = self.media[name]
        return FakeResponse.raw(content, content_type)


def _seconds_of(audio: bytes) -> float:
    """Duration of an uploaded WAV (from its header); 1 s for anything else."""
    if audio[:4] == b"RIFF" and audio[8:12] == b"WAVE" and len(audio) > 44:
        channels, rate = struct.unpack("<HI", audio[22:28])
        bits = struct.unpack("<H", audio[34:36])[0]
        frame = max(1, channels * bits // 8)
        return max(0.1, min(30.0, (len(audio) - 44) / (rate * frame)))
    return 1.0
