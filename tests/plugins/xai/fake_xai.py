"""A fake xAI server (Grok Imagine images and video), offline.

Speaks the REST wire format of docs/providers/xai.md on 127.0.0.1, under ``/v1``
(``base_url=server.url + "/v1"``), with Bearer auth:

- ``POST /v1/images/generations`` and ``/v1/images/edits`` (JSON; edits take
  ``image: {url, type}`` or ``images: [...]`` as URLs or data URIs) answer
  ``{"data": [{"url" | "b64_json", "mime_type", "revised_prompt", "respect_moderation"}],
  "usage": {"cost_in_usd_ticks"}, "block_reason"}``; URLs point at ``GET /files/{name}``.
- ``POST /v1/videos/generations``, ``/edits``, ``/extensions`` answer ``{"request_id"}``;
  ``GET /v1/videos/{request_id}`` answers 202 ``{"status": "pending", "progress"}``,
  then 200 ``{"status": "done", "video": {"url", "duration", "respect_moderation"},
  "model", "usage"}`` (``/files/{id}.mp4`` serves it), or ``failed`` / ``expired``.
- ``POST /v1/tts`` (``{"text", "voice_id", "language", "output_format"}``) answers the
  audio bytes (MP3, WAV, PCM, or μ-law / A-law bytes) under the codec's content type.
- Errors are ``{"code": ..., "error": ...}``.

Prompt words trigger outcomes: ``moderation-block`` (400 refusal), ``block-some``
(the second image has respect_moderation false), ``block-all``, ``fail-job``,
``expire-job``, ``moderation-output`` (a done video that respect_moderation forbids).
"""

from __future__ import annotations

import base64
import threading
import uuid
from typing import Any

from tarash.tarash_gateway import _mock_media
from tarash.tarash_gateway.testing import FakeRequest, FakeResponse, FakeServer, ScriptedJob

IMAGE_MODELS = (
    "grok-imagine-image",
    "grok-imagine-image-quality",
    "grok-imagine-image-pro",
    "grok-imagine-image-2.0",
)
VIDEO_MODELS = ("grok-imagine-video", "grok-imagine-video-1.5")
IMAGE_ASPECTS = (
    "1:1", "3:4", "4:3", "9:16", "16:9", "2:3", "3:2",
    "9:19.5", "19.5:9", "9:20", "20:9", "1:2", "2:1", "auto",
)  # fmt: skip
VIDEO_ASPECTS = ("1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3")
IMAGE_TICKS = {"grok-imagine-image-quality": 700_000_000, "grok-imagine-image-pro": 700_000_000}
TICKS_PER_IMAGE = 200_000_000  # $0.02
TICKS_PER_VIDEO_SECOND = 500_000_000  # $0.05
TTS_VOICES = ("ara", "eve", "leo", "rex", "sal")
TTS_LANGUAGES = (
    "auto", "en", "ar-EG", "ar-SA", "ar-AE", "bn", "zh", "fr", "de", "hi", "id",
    "it", "ja", "ko", "pt-BR", "pt-PT", "ru", "es-MX", "es-ES", "tr", "vi",
)  # fmt: skip
TTS_CODECS = {
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
    "pcm": "audio/pcm",
    "mulaw": "audio/basic",
    "ulaw": "audio/basic",
    "alaw": "audio/alaw",
}
TTS_RATES = (8000, 16000, 22050, 24000, 44100, 48000)
TTS_BIT_RATES = (32000, 64000, 96000, 128000, 192000)


def error(
    status: int, message: str, code: str = "Client specified an invalid argument"
) -> FakeResponse:
    """An xAI error answer."""
    return FakeResponse.json({"code": code, "error": message}, status)


def _media_ok(url: Any, kind: str) -> bool:
    return isinstance(url, str) and url.startswith(("http://", "https://", f"data:{kind}/"))


class FakeXAIServer(FakeServer):
    """Fake of api.x.ai.

    Args:
        polls: Status checks before a video is done.

    ``outcome`` (a trigger word such as ``fail-job``) applies to every video, as if
    its prompt held it.
    """

    def __init__(self, polls: int = 3) -> None:
        super().__init__()
        self.polls = polls
        self.outcome: str | None = None
        self.videos: dict[str, dict[str, Any]] = {}
        self.files: dict[str, tuple[bytes, str]] = {}
        self._lock = threading.Lock()
        for method, pattern, handler in (
            ("POST", r"/v1/images/generations", self._generate_images),
            ("POST", r"/v1/images/edits", self._edit_images),
            ("POST", r"/v1/videos/(?P<kind>generations|edits|extensions)", self._create_video),
            ("GET", r"/v1/videos/(?P<request_id>[^/]+)", self._get_video),
            ("POST", r"/v1/tts", self._tts),
        ):
            self.add_route(method, pattern, self._authorized(handler))
        self.add_route("GET", r"/files/(?P<name>[^/]+)", self._file)

    def _authorized(self, handler: Any) -> Any:
        def guarded(request: FakeRequest, **groups: Any) -> FakeResponse:
            auth = request.headers.get("authorization", "")
            if not auth.startswith("Bearer ") or len(auth) <= len("Bearer "):
                return error(401, "Incorrect API key provided.", "Unauthenticated")
            if not request.headers.get("content-type", "").startswith("application/json") and (
                request.method == "POST"
            ):
                return error(415, "Content-Type must be application/json")
            return handler(request, **groups)

        return guarded

    # ------------------------------------------------------------ images
    def _generate_images(self, request: FakeRequest) -> FakeResponse:
        body = request.json() or {}
        if "image" in body or "images" in body:
            return error(400, "Argument not supported on this endpoint: image")
        return self._images(body)

    def _edit_images(self, request: FakeRequest) -> FakeResponse:
        body = request.json() or {}
        images = [body["image"]] if "image" in body else list(body.get("images") or [])
        if not images:
            return error(422, "Missing field: image or images")
        if len(images) > 3:
            return error(400, "At most 3 images can be edited together")
        for image in images:
            if not isinstance(image, dict) or not _media_ok(image.get("url"), "image"):
                return error(400, "image.url must be a URL or a base64 data URI of an image")
        if len(images) == 1 and "aspect_ratio" in body:
            return error(400, "aspect_ratio is not supported when editing a single image")
        return self._images(body)

    def _images(self, body: dict[str, Any]) -> FakeResponse:
        model = body.get("model", "grok-imagine-image")
        if model not in IMAGE_MODELS:
            return error(404, f"The model {model} does not exist or your team does not have access to it.", "Some requested entity was not found")  # fmt: skip
        prompt = body.get("prompt")
        if not prompt:
            return error(422, "Missing field: prompt")
        for name in ("size", "style"):
            if name in body:
                return error(400, f"Argument not supported: {name}")
        if "quality" in body and (
            model != "grok-imagine-image-2.0" or body["quality"] not in ("low", "medium")
        ):
            return error(400, "Argument not supported: quality")  # fmt: skip
        if body.get("aspect_ratio", "1:1") not in IMAGE_ASPECTS:
            return error(400, f"Invalid aspect_ratio: {body['aspect_ratio']}")
        if body.get("resolution", "1k") not in ("1k", "2k"):
            return error(400, f"Invalid resolution: {body['resolution']}")
        n = body.get("n", 1)
        if not isinstance(n, int) or not 1 <= n <= 10:
            return error(400, "n must be between 1 and 10")
        if "moderation-block" in prompt:
            return error(400, "Generated image rejected by content moderation.")
        data = []
        for index in range(n):
            content = _mock_media.png(16, 16, seed=index)
            blocked = "block-all" in prompt or ("block-some" in prompt and index == 1)
            item: dict[str, Any] = {
                "url": None,
                "b64_json": None,
                "mime_type": "image/png",
                "revised_prompt": f"A detailed picture of {prompt}",
                "respect_moderation": not blocked,
            }
            if not blocked:
                if body.get("response_format") == "b64_json":
                    item["b64_json"] = base64.b64encode(content).decode()
                else:
                    name = f"xai-tmp-imgen-{uuid.uuid4().hex}.png"
                    self.files[name] = (content, "image/png")
                    item["url"] = f"{self.url}/files/{name}"
            data.append(item)
        ticks = IMAGE_TICKS.get(model, TICKS_PER_IMAGE) * n
        block_reason = "content moderation" if "block-all" in prompt else None
        return FakeResponse.json(
            {"data": data, "usage": {"cost_in_usd_ticks": ticks}, "block_reason": block_reason}
        )

    # ------------------------------------------------------------ video
    def _create_video(self, request: FakeRequest, kind: str) -> FakeResponse:
        body = request.json() or {}
        model = body.get("model", "grok-imagine-video")
        if model not in VIDEO_MODELS:
            return error(404, f"The model {model} does not exist.", "Some requested entity was not found")  # fmt: skip
        if not body.get("prompt"):
            return error(422, "Missing field: prompt")
        if "moderation-block" in body["prompt"]:
            return error(400, "Prompt rejected by content moderation.")
        if kind == "generations":
            refusal = self._check_generation(body, model)
        else:
            refusal = self._check_video_input(body, kind)
        if refusal is not None:
            return refusal
        request_id = str(uuid.uuid4())
        duration = body.get("duration", 8 if kind == "generations" else 6)
        with self._lock:
            self.videos[request_id] = {
                "job": ScriptedJob(polls=self.polls),
                "body": body,
                "kind": kind,
                "model": model,
                "duration": duration if kind != "edits" else 5,
            }
        return FakeResponse.json({"request_id": request_id})

    def _check_generation(self, body: dict[str, Any], model: str) -> FakeResponse | None:
        for name in ("video", "negative_prompt", "seed"):
            if name in body:
                return error(400, f"Argument not supported: {name}")
        duration = body.get("duration", 8)
        if not isinstance(duration, int) or not 1 <= duration <= 15:
            return error(400, "duration must be between 1 and 15 seconds")
        if body.get("aspect_ratio", "16:9") not in VIDEO_ASPECTS:
            return error(400, f"Invalid aspect_ratio: {body['aspect_ratio']}")
        resolutions = ("480p", "720p", "1080p") if model.endswith("1.5") else ("480p", "720p")
        if body.get("resolution", "720p") not in resolutions:
            return error(400, f"Invalid resolution for {model}: {body['resolution']}")
        if "image" in body and "reference_images" in body:
            return error(400, "image and reference_images cannot be combined")
        if "image" in body and not _media_ok((body["image"] or {}).get("url"), "image"):
            return error(400, "image.url must be a URL or a base64 data URI")
        for ref in body.get("reference_images") or []:
            if not _media_ok((ref or {}).get("url"), "image"):
                return error(400, "reference_images[].url must be a URL or a base64 data URI")
        return None

    def _check_video_input(self, body: dict[str, Any], kind: str) -> FakeResponse | None:
        video = body.get("video")
        if not isinstance(video, dict) or not _media_ok(video.get("url"), "video"):
            return error(422, "video.url must be a URL or a base64 data URI of an .mp4")
        allowed = {"model", "prompt", "video", "user", "output"}
        if kind == "extensions":
            allowed.add("duration")
            duration = body.get("duration", 6)
            if not isinstance(duration, int) or not 1 <= duration <= 10:
                return error(400, "duration must be between 1 and 10 seconds")
        extra = sorted(set(body) - allowed)
        if extra:
            return error(400, f"Argument not supported: {extra[0]}")
        return None

    def _get_video(self, request: FakeRequest, request_id: str) -> FakeResponse:
        video = self.videos.get(request_id)
        if video is None:
            return error(404, f"No video request {request_id}", "Some requested entity was not found")  # fmt: skip
        phase = video["job"].phase()
        prompt = video["body"]["prompt"] + " " + (self.outcome or "")
        if phase != "done":
            progress = 10 if phase == "queued" else 60
            return FakeResponse.json({"status": "pending", "progress": progress}, 202)
        if "fail-job" in prompt:
            return FakeResponse.json(
                {"status": "failed", "error": {"code": "internal_error", "message": "Video generation failed."}}
            )  # fmt: skip
        if "expire-job" in prompt:
            return FakeResponse.json({"status": "expired"})
        blocked = "moderation-output" in prompt
        name = f"{request_id}.mp4"
        self.files[name] = (_mock_media.sample("sample.mp4"), "video/mp4")
        seconds = video["duration"]
        return FakeResponse.json(
            {
                "status": "done",
                "model": video["model"],
                "progress": 100,
                "video": {
                    "url": None if blocked else f"{self.url}/files/{name}",
                    "duration": seconds,
                    "respect_moderation": not blocked,
                },
                "usage": {"cost_in_usd_ticks": TICKS_PER_VIDEO_SECOND * seconds},
            }
        )

    # ------------------------------------------------------------ speech
    def _tts(self, request: FakeRequest) -> FakeResponse:
        body = request.json() or {}
        if "model" in body:
            return error(400, "Argument not supported: model")
        text = body.get("text")
        if not text:
            return error(422, "Missing field: text")
        if len(text) > 15000:
            return error(400, "text must be at most 15000 characters")
        if not body.get("language"):
            return error(400, "language is required (use 'auto' to detect it)")
        if str(body["language"]).lower() not in {code.lower() for code in TTS_LANGUAGES}:
            return error(400, f"Unsupported language: {body['language']}")
        voice = str(body.get("voice_id") or "eve").lower()
        if voice not in TTS_VOICES and not voice.startswith("custom-"):
            return error(404, f"Voice {voice} not found", "Some requested entity was not found")
        if "moderation-block" in text:
            return error(400, "Text rejected by content moderation.")
        fmt = body.get("output_format") or {}
        codec = fmt.get("codec", "mp3")
        rate = fmt.get("sample_rate", 24000)
        if codec not in TTS_CODECS or rate not in TTS_RATES:
            return error(400, f"Unsupported output_format: {fmt}")
        if "bit_rate" in fmt and (codec != "mp3" or fmt["bit_rate"] not in TTS_BIT_RATES):
            return error(400, f"Unsupported bit_rate: {fmt['bit_rate']}")
        if codec == "mp3":
            audio = _mock_media.sample("sample.mp3")
        elif codec == "wav":
            audio = _mock_media.wav(0.5, rate)
        elif codec == "pcm":
            audio = _mock_media.pcm(0.5, rate)
        else:  # one byte per sample
            audio = b"\xff" * (rate // 2)
        return FakeResponse.raw(audio, TTS_CODECS[codec])

    def _file(self, request: FakeRequest, name: str) -> FakeResponse:
        if name not in self.files:
            return FakeResponse.json({"error": "not found"}, 404)
        content, content_type = self.files[name]
        return FakeResponse.raw(content, content_type)
