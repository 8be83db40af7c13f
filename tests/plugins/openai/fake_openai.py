"""A fake OpenAI / Azure OpenAI server: videos, images and speech, offline.

Speaks the wire format of provider-protocols.md §2 and §3 on 127.0.0.1:

- OpenAI paths under ``/v1`` (or at the root, so ``base_url=server.url`` works too),
  authenticated with ``Authorization: Bearer``;
- Azure paths ``/openai/v1/...``, ``/openai/deployments/{deployment}/...`` and
  ``/openai/videos...`` authenticated with ``api-key`` (classic paths need ``api-version``).

Endpoints: ``POST videos`` (JSON or multipart with ``input_reference``), ``GET videos/{id}``,
``GET videos/{id}/content`` (a real MP4), ``POST videos/{id}/remix``, ``DELETE videos/{id}``,
``POST images/generations``, ``POST images/edits`` (multipart), ``POST audio/speech``
(real MP3 / WAV / PCM bytes; opus, aac and flac are answered with WAV bytes under
their own content type). DALL·E URLs point at ``GET /files/{name}``; ``GET /assets/{name}``
serves input images for tests of URL inputs.

Prompt words trigger outcomes: ``moderation-block`` (refused at create, in the exact
shape of the model / surface), ``moderation-output`` (video job fails with
``moderation_blocked``), ``fail-job`` (video job fails with ``internal_error``).
"""

from __future__ import annotations

import base64
import itertools
import time
from typing import Any

from tarash.tarash_gateway import _mock_media
from tarash.tarash_gateway._media import sniff_content_type
from tarash.tarash_gateway.testing import FakeRequest, FakeResponse, FakeServer, ScriptedJob

VIDEO_PREFIX = r"(?P<prefix>/v1|/openai/v1|/openai)?"
SYNC_PREFIX = r"(?P<prefix>/v1|/openai/v1|/openai/deployments/(?P<deployment>[^/]+))?"
VIDEO_ID = r"(?P<video_id>[^/]+)"

SORA_SECONDS = ("4", "8", "12")
SORA_SIZES = ("720x1280", "1280x720")
SORA_PRO_SIZES = SORA_SIZES + ("1024x1792", "1792x1024", "1920x1080", "1080x1920")
VOICES = (
    "alloy", "ash", "ballad", "coral", "echo", "fable", "onyx", "nova", "sage", "shimmer",
    "verse", "marin", "cedar",
)  # fmt: skip
AUDIO = {
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
    "pcm": "audio/pcm",
    "opus": "audio/opus",
    "aac": "audio/aac",
    "flac": "audio/flac",
}


def error(
    status: int,
    message: str,
    *,
    type_: str = "invalid_request_error",
    param: str | None = None,
    code: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> FakeResponse:
    """An OpenAI error answer: ``{"error": {"message", "type", "param", "code"}}``."""
    body = {"message": message, "type": type_, "param": param, "code": code, **extra}
    return FakeResponse.json({"error": body}, status, headers)


class FakeOpenAIServer(FakeServer):
    """Fake of OpenAI and Azure OpenAI.

    Args:
        polls: Status checks before a video job completes (the first is ``queued``).
        seconds: Complete video jobs after this many seconds instead (benchmarks).
        poll_after_ms: Send ``openai-poll-after-ms`` with video status answers.
    """

    def __init__(
        self, polls: int = 3, seconds: float | None = None, poll_after_ms: int | None = None
    ) -> None:
        super().__init__()
        self.polls = polls
        self.seconds = seconds
        self.poll_after_ms = poll_after_ms
        self.videos: dict[str, dict[str, Any]] = {}
        self.jobs: dict[str, ScriptedJob] = {}
        self.deleted: list[str] = []
        self.outcome: str | None = None
        self.speech_interval = 0.0
        """Seconds between the chunks of a speech answer."""
        """Outcome of every video job (``fail-job`` / ``moderation-output``), beside prompt words."""
        self.files: dict[str, bytes] = {}
        self.assets: dict[str, tuple[bytes, str]] = {
            "input.png": (_mock_media.png(64, 64), "image/png")
        }
        self._ids = itertools.count(1)
        for action, pattern, handler in (
            ("POST", rf"{VIDEO_PREFIX}/videos", self._create_video),
            ("GET", rf"{VIDEO_PREFIX}/videos/{VIDEO_ID}", self._get_video),
            ("DELETE", rf"{VIDEO_PREFIX}/videos/{VIDEO_ID}", self._delete_video),
            ("GET", rf"{VIDEO_PREFIX}/videos/{VIDEO_ID}/content", self._video_content),
            ("POST", rf"{VIDEO_PREFIX}/videos/{VIDEO_ID}/remix", self._remix_video),
            ("POST", rf"{SYNC_PREFIX}/images/generations", self._generate_images),
            ("POST", rf"{SYNC_PREFIX}/images/edits", self._edit_images),
            ("POST", rf"{SYNC_PREFIX}/audio/speech", self._speech),
            ("GET", r"/files/(?P<name>[^/]+)", self._file),
            ("GET", r"/assets/(?P<name>[^/]+)", self._asset),
        ):
            self.add_route(action, pattern, self._guarded(handler))

    # ------------------------------------------------------------ plumbing
    def _guarded(self, handler: Any) -> Any:
        """Check auth (and Azure's api-version) before the handler; add request ids."""

        def guarded(request: FakeRequest, **groups: Any) -> FakeResponse:
            prefix = groups.pop("prefix", None) or ""
            deployment = groups.pop("deployment", None)
            number = next(self._ids)
            azure = prefix.startswith("/openai")
            refusal = self._refuse_auth(request, azure, prefix, handler)
            response = refusal or handler(
                request, **groups, **({"deployment": deployment} if deployment else {})
            )
            response.headers.setdefault("x-request-id", f"req_{number:06d}")
            if azure:
                response.headers.setdefault("apim-request-id", f"apim-{number:06d}")
            return response

        return guarded

    def _refuse_auth(
        self, request: FakeRequest, azure: bool, prefix: str, handler: Any
    ) -> FakeResponse | None:
        if handler in (self._file, self._asset):
            return None
        if azure:
            if not request.headers.get("api-key") and not request.headers.get(
                "authorization", ""
            ).startswith("Bearer "):
                return FakeResponse.json(
                    {
                        "error": {
                            "code": "401",
                            "message": "Access denied due to invalid subscription key or wrong API endpoint.",
                        }
                    },
                    401,
                )
            classic = prefix != "/openai/v1"
            if classic and not request.query.get("api-version"):
                return FakeResponse.json(
                    {
                        "error": {
                            "code": "MissingApiVersionParameter",
                            "message": "The api-version query parameter (?api-version=) is required for all requests.",
                        }
                    },
                    400,
                )
            return None
        auth = request.headers.get("authorization", "")
        if not auth.startswith("Bearer ") or len(auth) <= len("Bearer "):
            return error(401, "You didn't provide an API key.", code="invalid_api_key")
        return None

    def _new_id(self, kind: str) -> str:
        return f"{kind}_{next(self._ids):04d}{time.monotonic_ns():x}"

    # ------------------------------------------------------------ videos
    def _create_video(self, request: FakeRequest) -> FakeResponse:
        content_type = request.headers.get("content-type", "")
        reference: dict[str, Any] | None = None
        if content_type.startswith("multipart/form-data"):
            fields, files = request.multipart()
            body: dict[str, Any] = {name: values[-1] for name, values in fields.items()}
            uploads = files.get("input_reference") or []
            if uploads:
                kind = sniff_content_type(uploads[0].content, "")
                if not kind.startswith("image/"):
                    return error(400, "input_reference must be an image.", param="input_reference")
                reference = {"file": uploads[0].filename, "content_type": kind}
        else:
            body = request.json() or {}
            if "input_reference" in body:
                ref = body["input_reference"]
                if not isinstance(ref, dict) or not ({"image_url", "file_id"} & set(ref)):
                    return error(400, "Invalid input_reference.", param="input_reference")
                reference = ref
        prompt = body.get("prompt")
        if not prompt:
            return error(400, "Missing required parameter: 'prompt'.", param="prompt")
        if "moderation-block" in prompt:
            return error(
                400,
                "Your request was blocked by our moderation system.",
                type_="invalid_request_error",
                code="moderation_blocked",
            )
        model = body.get("model", "sora-2")
        seconds = str(body.get("seconds", "4"))
        size = str(body.get("size", "720x1280"))
        if model.startswith("sora") and seconds not in SORA_SECONDS:
            return error(
                400,
                f"Invalid value: '{seconds}'. Supported values are: '4', '8', and '12'.",
                param="seconds",
                code="invalid_value",
            )
        sizes = SORA_PRO_SIZES if model.startswith("sora-2-pro") else SORA_SIZES
        if model.startswith("sora") and size not in sizes:
            return error(400, f"Invalid value: '{size}'.", param="size", code="invalid_value")
        video = self._new_video(model, prompt, seconds, size)
        video["input_reference"] = reference
        return FakeResponse.json(self._public(video))

    def _new_video(self, model: str, prompt: str, seconds: str, size: str) -> dict[str, Any]:
        video_id = self._new_id("video")
        video = {
            "id": video_id,
            "object": "video",
            "model": model,
            "status": "queued",
            "progress": 0,
            "created_at": int(time.time()),
            "completed_at": None,
            "expires_at": None,
            "prompt": prompt,
            "seconds": seconds,
            "size": size,
            "remixed_from_video_id": None,
            "error": None,
        }
        self.videos[video_id] = video
        self.jobs[video_id] = ScriptedJob(polls=self.polls, seconds=self.seconds)
        return video

    @staticmethod
    def _public(video: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in video.items() if k != "input_reference"}

    def _not_found(self, video_id: str) -> FakeResponse:
        return error(404, f"Video with id '{video_id}' not found.", param="video_id")

    def _get_video(self, request: FakeRequest, video_id: str) -> FakeResponse:
        video = self.videos.get(video_id)
        if video is None:
            return self._not_found(video_id)
        if video["status"] in ("queued", "in_progress"):
            phase = self.jobs[video_id].phase()
            if phase == "queued":
                video.update(status="queued", progress=0)
            elif phase == "running":
                video.update(status="in_progress", progress=min(99, video["progress"] + 33))
            elif "fail-job" in video["prompt"] or self.outcome == "fail-job":
                video.update(
                    status="failed",
                    error={"code": "internal_error", "message": "Video generation failed."},
                )
            elif "moderation-output" in video["prompt"] or self.outcome == "moderation-output":
                video.update(
                    status="failed",
                    error={
                        "code": "moderation_blocked",
                        "message": "The generated video was blocked by our moderation system.",
                    },
                )
            else:
                now = int(time.time())
                video.update(
                    status="completed", progress=100, completed_at=now, expires_at=now + 3600
                )
        headers = {}
        if self.poll_after_ms is not None:
            headers["openai-poll-after-ms"] = str(self.poll_after_ms)
        return FakeResponse.json(self._public(video), headers=headers)

    def _video_content(self, request: FakeRequest, video_id: str) -> FakeResponse:
        video = self.videos.get(video_id)
        if video is None:
            return self._not_found(video_id)
        if video["status"] != "completed":
            return error(
                400, "Video is not ready yet, use GET /v1/videos/{video_id} to check status."
            )
        variant = (request.query.get("variant") or ["video"])[-1]
        if variant == "thumbnail":
            return FakeResponse.raw(_mock_media.png(64, 36), "image/png")
        return FakeResponse.raw(_mock_media.sample("sample.mp4"), "video/mp4")

    def _remix_video(self, request: FakeRequest, video_id: str) -> FakeResponse:
        source = self.videos.get(video_id)
        if source is None:
            return self._not_found(video_id)
        if source["status"] != "completed":
            return error(400, "Only completed videos can be remixed.", param="video_id")
        prompt = (request.json() or {}).get("prompt")
        if not prompt:
            return error(400, "Missing required parameter: 'prompt'.", param="prompt")
        video = self._new_video(source["model"], prompt, source["seconds"], source["size"])
        video["remixed_from_video_id"] = video_id
        return FakeResponse.json(self._public(video))

    def _delete_video(self, request: FakeRequest, video_id: str) -> FakeResponse:
        if self.videos.pop(video_id, None) is None:
            return self._not_found(video_id)
        self.jobs[video_id].cancelled = True
        self.deleted.append(video_id)
        return FakeResponse.json({"id": video_id, "object": "video.deleted", "deleted": True})

    # ------------------------------------------------------------ images
    def _generate_images(self, request: FakeRequest, deployment: str | None = None) -> FakeResponse:
        body = request.json() or {}
        return self._image_result(body, deployment)

    def _edit_images(self, request: FakeRequest, deployment: str | None = None) -> FakeResponse:
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            return error(400, "Expected multipart/form-data.")
        fields, files = request.multipart()
        images = files.get("image", []) + files.get("image[]", [])
        if not images:
            return error(400, "Missing required parameter: 'image'.", param="image")
        for upload in images + files.get("mask", []):
            if not sniff_content_type(upload.content, "").startswith("image/"):
                return error(400, f"Invalid file '{upload.filename}': not an image.", param="image")
        body: dict[str, Any] = {name: values[-1] for name, values in fields.items()}
        if body.get("model", "dall-e-2") == "dall-e-2" and len(images) > 1:
            return error(400, "dall-e-2 edits take one image.", param="image")
        return self._image_result(body, deployment)

    def _image_result(self, body: dict[str, Any], deployment: str | None) -> FakeResponse:
        prompt = body.get("prompt")
        if not prompt:
            return error(400, "Missing required parameter: 'prompt'.", param="prompt")
        model = str(body.get("model") or deployment or "dall-e-2")
        dalle = model.startswith("dall-e")
        if "moderation-block" in prompt:
            return self._image_moderation(dalle, azure=deployment is not None)
        n = int(body.get("n", 1))
        if not 1 <= n <= 10 or (model.startswith("dall-e-3") and n != 1):
            return error(400, f"Invalid 'n': {n}.", param="n", code="invalid_value")
        images = [_mock_media.png(32, 32, seed=i) for i in range(n)]
        data: list[dict[str, Any]] = []
        for index, image in enumerate(images):
            if dalle and body.get("response_format", "url") == "url":
                name = f"{self._new_id('img')}-{index}.png"
                self.files[name] = image
                item: dict[str, Any] = {"url": f"{self.url}/files/{name}"}
            else:
                item = {"b64_json": base64.b64encode(image).decode()}
            if model.startswith("dall-e-3"):
                item["revised_prompt"] = f"A detailed rendering of: {prompt}"
            data.append(item)
        result: dict[str, Any] = {"created": int(time.time()), "data": data}
        if not dalle:
            result.update(
                background=body.get("background", "opaque"),
                output_format=body.get("output_format", "png"),
                quality=body.get("quality", "high"),
                size=body.get("size", "1024x1024"),
                usage={"input_tokens": 50, "output_tokens": 4160, "total_tokens": 4210},
            )
        return FakeResponse.json(result)

    @staticmethod
    def _image_moderation(dalle: bool, azure: bool) -> FakeResponse:
        if azure:
            return FakeResponse.json(
                {
                    "error": {
                        "code": "content_policy_violation",
                        "message": "Your request was rejected as a result of our safety system.",
                        "innererror": {
                            "code": "ResponsibleAIPolicyViolation",
                            "content_filter_results": {
                                "violence": {"filtered": True, "severity": "high"}
                            },
                        },
                    }
                },
                400,
            )
        if dalle:
            return error(
                400,
                "Your request was rejected as a result of our safety system.",
                code="content_policy_violation",
            )
        return error(
            400,
            "Your request was rejected by the safety system.",
            type_="image_generation_user_error",
            code="moderation_blocked",
            moderation_details={"moderation_stage": "input", "categories": ["violence"]},
        )

    # ------------------------------------------------------------ speech
    def _speech(self, request: FakeRequest, deployment: str | None = None) -> FakeResponse:
        body = request.json() or {}
        model = str(body.get("model") or deployment or "")
        for name in ("model", "input", "voice"):
            if not body.get(name) and not (name == "model" and deployment):
                return error(400, f"Missing required parameter: '{name}'.", param=name)
        voice = body["voice"]
        if not (
            voice in VOICES
            or isinstance(voice, dict)
            and str(voice.get("id", "")).startswith("voice_")
        ):
            return error(400, f"Invalid value: '{voice}'.", param="voice", code="invalid_value")
        if "moderation-block" in body["input"]:
            return error(
                400, "Input was flagged by our moderation system.", code="moderation_blocked"
            )
        if model.startswith("tts-1") and body.get("instructions"):
            return error(400, "instructions are not supported for tts-1.", param="instructions")
        speed = body.get("speed", 1.0)
        if not 0.25 <= float(speed) <= 4.0:
            return error(400, f"Invalid 'speed': {speed}.", param="speed")
        fmt = body.get("response_format", "mp3")
        if fmt not in AUDIO:
            return error(400, f"Invalid value: '{fmt}'.", param="response_format")
        if fmt == "mp3":
            audio = _mock_media.sample("sample.mp3")
        elif fmt == "pcm":
            audio = _mock_media.pcm(0.5, 24000)
        else:
            audio = _mock_media.wav(0.5, 24000)
        # OpenAI sends speech with chunked transfer encoding, as it is generated.
        size = -(-len(audio) // 4)
        chunks = [audio[i : i + size] for i in range(0, len(audio), size)]
        return FakeResponse.stream(chunks, AUDIO[fmt], self.speech_interval)

    # ------------------------------------------------------------ files
    def _file(self, request: FakeRequest, name: str) -> FakeResponse:
        if name not in self.files:
            return FakeResponse.json({"error": "not found"}, 404)
        return FakeResponse.raw(self.files[name], "image/png")

    def _asset(self, request: FakeRequest, name: str) -> FakeResponse:
        if name not in self.assets:
            return FakeResponse.json({"error": "not found"}, 404)
        content, content_type = self.assets[name]
        return FakeResponse.raw(content, content_type)
