"""A fake Sarvam AI text-to-speech API on 127.0.0.1 (docs.sarvam.ai), returning real audio.

Routes:
    POST /text-to-speech          JSON body → ``{"request_id", "audios": ["<base64>"]}``
    POST /text-to-speech/stream   the same body → the binary audio, chunked
                                  (``stream_chunks`` pieces, ``stream_interval`` s apart)

Checks, as Sarvam documents them: the ``api-subscription-key`` header (403
``invalid_api_key_error``), unknown body fields (422), models, the required
``target_language_code``, speakers per model ("Speaker 'x' is not compatible with model
..."), text limits (2500 characters for v3 / v4-flash, 1500 for v2), pace / temperature /
pitch / loudness ranges, sample rates and codecs (400 ``invalid_request_error``). ``credits``
runs out into 429 ``insufficient_quota_error``; ``busy`` answers 429
``rate_limit_exceeded_error``. Every fault of :class:`FakeServer` applies.

Audio: wav / linear16 are a sine tone at the requested rate (default 24000 Hz for v3,
22050 for v2); mp3 is a real MP3 sample; mulaw / alaw are one byte a sample; opus, flac and
aac are placeholders with the right magic bytes (no encoder offline).
"""

from __future__ import annotations

import base64
import itertools
from typing import Any

from tarash.tarash_gateway import _mock_media
from tarash.tarash_gateway.testing import FakeRequest, FakeResponse, FakeServer

LANGUAGES = {"bn-IN", "en-IN", "gu-IN", "hi-IN", "kn-IN", "ml-IN", "mr-IN", "od-IN", "pa-IN"}
LANGUAGES |= {"ta-IN", "te-IN"}
V3 = (
    "shubh aditya ritu priya neha rahul pooja rohan simran kavya amit dev ishita shreya ratan "
    "varun manan sumit roopa kabir aayan ashutosh advait anand tanya tarun sunny mani gokul "
    "vijay shruti suhani mohit kavitha rehan soham rupali"
).split()
HIGH_RATES = [8000, 16000, 22050, 24000, 32000, 44100, 48000]
MODELS: dict[str, dict[str, Any]] = {
    "bulbul:v3": {
        "speakers": V3,
        "limit": 2500,
        "rates": HIGH_RATES,
        "default_rate": 24000,
        "ranges": {"pace": (0.5, 2.0), "temperature": (0.01, 1.0)},
    },
    "bulbul:v4-flash": {
        "speakers": ["simran_en_customer", "shubh_enhi_ads", "ritu_hi_support"],
        "limit": 2500,
        "rates": HIGH_RATES,
        "default_rate": 24000,
        "ranges": {"pace": (0.5, 2.0), "temperature": (0.01, 1.0)},
    },
    "bulbul:v2": {
        "speakers": ["anushka", "manisha", "vidya", "arya", "abhilash", "karun", "hitesh"],
        "limit": 1500,
        "rates": [8000, 16000, 22050, 24000],
        "default_rate": 22050,
        "ranges": {"pace": (0.3, 3.0), "pitch": (-0.75, 0.75), "loudness": (0.3, 3.0)},
    },
}
FIELDS = {
    "text", "target_language_code", "speaker", "model", "pace", "temperature", "pitch",
    "loudness", "speech_sample_rate", "output_audio_codec", "output_audio_bitrate",
    "enable_preprocessing", "dict_id",
}  # fmt: skip
CODECS = ("wav", "mp3", "linear16", "mulaw", "alaw", "opus", "flac", "aac")
STREAM_TYPES = {
    "wav": "audio/wav", "mp3": "audio/mpeg", "linear16": "audio/pcm", "mulaw": "audio/basic",
    "alaw": "audio/basic", "opus": "audio/opus", "flac": "audio/flac", "aac": "audio/aac",
}  # fmt: skip


def error(status: int, code: str, message: str) -> FakeResponse:
    """A Sarvam error answer."""
    return FakeResponse.json({"error": {"message": message, "code": code}}, status)


def speech(codec: str, seconds: float, rate: int) -> bytes:
    """Audio bytes in ``codec``."""
    if codec == "wav":
        return _mock_media.wav(seconds, rate)
    if codec == "linear16":
        return _mock_media.pcm(seconds, rate)
    if codec == "mp3":
        return _mock_media.sample("sample.mp3")
    if codec in ("mulaw", "alaw"):
        return bytes(int(seconds * rate) * [0x7F])
    magic = {"opus": b"OggS", "flac": b"fLaC", "aac": b"\xff\xf1"}[codec]
    return magic + bytes(64)


class FakeSarvamServer(FakeServer):
    """Fake Sarvam API.

    Args:
        api_key: When given, only this ``api-subscription-key`` is accepted.
        credits: Characters left on the account; None = unlimited.
    """

    def __init__(self, api_key: str | None = None, credits: int | None = None) -> None:
        super().__init__()
        self.api_key = api_key
        self.credits = credits
        self.busy = False
        self.generated: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self.stream_chunks = 4
        self.stream_interval = 0.0
        self.stream_drop_after: int | None = None
        self.add_route("POST", r"/text-to-speech", self._tts)
        self.add_route("POST", r"/text-to-speech/stream", self._tts_stream)

    def _tts(self, request: FakeRequest) -> FakeResponse:
        checked = self._checked(request)
        if isinstance(checked, FakeResponse):
            return checked
        body, seconds, rate, codec = checked
        audio = base64.b64encode(speech(codec, seconds, rate)).decode("ascii")
        request_id = f"20261128_{next(self._ids):08d}"
        return FakeResponse.json({"request_id": request_id, "audios": [audio]})

    def _tts_stream(self, request: FakeRequest) -> FakeResponse:
        """``/text-to-speech/stream``: the binary audio, chunked; rates above 24 kHz refused."""
        checked = self._checked(request, stream=True)
        if isinstance(checked, FakeResponse):
            return checked
        body, seconds, rate, codec = checked
        audio = speech(codec, seconds, rate)
        size = -(-len(audio) // self.stream_chunks)
        chunks = [audio[i : i + size] for i in range(0, len(audio), size)]
        headers = {"x-request-id": f"20261128_{next(self._ids):08d}"}
        return FakeResponse.stream(
            chunks, STREAM_TYPES[codec], self.stream_interval, headers, self.stream_drop_after
        )

    def _checked(
        self, request: FakeRequest, stream: bool = False
    ) -> FakeResponse | tuple[dict[str, Any], float, int, str]:
        key = request.headers.get("api-subscription-key")
        if not key or (self.api_key is not None and key != self.api_key):
            return error(403, "invalid_api_key_error", "Invalid API key")
        if self.busy:
            return error(429, "rate_limit_exceeded_error", "Rate limit exceeded")
        try:
            body = request.json()
        except ValueError:
            return error(400, "invalid_request_error", "Body is not JSON")
        unknown = sorted(set(body) - FIELDS)
        if unknown:
            return error(422, "invalid_request_error", f"Unknown fields: {', '.join(unknown)}")
        model = body.get("model", "bulbul:v3")
        rules = MODELS.get(model)
        if rules is None:
            return error(400, "invalid_request_error", f"Invalid model {model}")
        text = body.get("text") or ""
        if not text or len(text) > rules["limit"]:
            return error(
                400, "invalid_request_error", f"text must be 1-{rules['limit']} characters"
            )
        if body.get("target_language_code") not in LANGUAGES:
            return error(400, "invalid_request_error", "target_language_code is required")
        speaker = body.get("speaker", rules["speakers"][0])
        if speaker not in rules["speakers"]:
            return error(
                400,
                "invalid_request_error",
                f"Speaker '{speaker}' is not compatible with model {model}. Available "
                f"speakers for {model} are: {', '.join(rules['speakers'])}",
            )
        for name, (low, high) in rules["ranges"].items():
            if name in body and not low <= body[name] <= high:
                return error(400, "invalid_request_error", f"{name} must be {low}-{high}")
        for name in ("pace", "temperature", "pitch", "loudness"):
            if name in body and name not in rules["ranges"]:
                return error(400, "invalid_request_error", f"{name} is not supported by {model}")
        rate = body.get("speech_sample_rate", rules["default_rate"])
        if rate not in rules["rates"] or (stream and rate > 24000):
            return error(400, "invalid_request_error", f"speech_sample_rate {rate} not supported")
        codec = body.get("output_audio_codec", "wav")
        if codec not in CODECS:
            return error(400, "invalid_request_error", f"output_audio_codec {codec} invalid")
        if self.credits is not None:
            if len(text) > self.credits:
                return error(429, "insufficient_quota_error", "Credits exhausted")
            self.credits -= len(text)
        self.generated.append(body)
        return body, max(0.3, min(5.0, len(text) / 15)), rate, codec
