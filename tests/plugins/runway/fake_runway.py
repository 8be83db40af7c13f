"""A fake Runway API (real HTTP on 127.0.0.1) speaking Runway's documented task protocol.

    POST   /v1/{text_to_video,image_to_video,video_to_video,text_to_image,
                text_to_speech,speech_to_speech}        → {"id": task id}; 400 {"error", "issues"}
    GET    /v1/tasks/{id}                               → PENDING → RUNNING (progress 0..1)
                                                          → SUCCEEDED (output: [url]) | FAILED
                                                          (failure, failureCode) | CANCELLED
    DELETE /v1/tasks/{id}                               → 204: cancels a task that has not
                                                          finished, deletes a finished one
    POST   /v1/uploads {filename, type: "ephemeral"}    → {uploadUrl, fields, runwayUri}
    POST   /_uploads/{n}   (the signed URL)             → 204; stores the multipart ``file``
    GET    /files/{name}                                → generated media

Every /v1 request needs ``Authorization: Bearer ...`` (401 otherwise) and
``X-Runway-Version: 2024-11-06`` (400 otherwise), as Runway's API does.
The models each endpoint accepts are the fake's own table, taken from Runway's
SDK types, so a plugin choosing the wrong endpoint gets Runway's 400.
"""

from __future__ import annotations

import itertools
import threading
import uuid
from typing import Any

from tarash.tarash_gateway.testing import FakeRequest, FakeResponse, FakeServer, ScriptedJob

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c4944415478da63f8cfc000000301010018dd8db00000000049454e44ae426082"
)
MP4_STUB = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
MP3_STUB = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 8
VERSION = "2024-11-06"

SEEDANCE = ("seedance2", "seedance2_fast", "seedance2_mini")
ENDPOINT_MODELS: dict[str, tuple[str, ...]] = {
    "text_to_video": (
        "gen4.5", "veo3.1", "veo3.1_fast", "veo3", "happyhorse_1_0", *SEEDANCE, "gemini_omni_flash",
    ),
    "image_to_video": (
        "gen4.5", "gen4_turbo", "veo3.1", "veo3.1_fast", "veo3", "happyhorse_1_0", *SEEDANCE,
        "gemini_omni_flash",
    ),
    "video_to_video": ("aleph2", *SEEDANCE, "gemini_omni_flash"),
    "text_to_image": (
        "gen4_image", "gen4_image_turbo", "gpt_image_2", "gemini_image3_pro",
        "gemini_image3.1_flash", "seedream5_pro", "seedream5_lite", "gemini_2.5_flash",
    ),
    "text_to_speech": ("eleven_multilingual_v2", "seed_audio"),
    "speech_to_speech": ("eleven_multilingual_sts_v2",),
}  # fmt: skip
REQUIRED: dict[str, tuple[str, ...]] = {
    "image_to_video": ("promptImage",),
    "video_to_video": (),
    "text_to_video": ("promptText",),
    "text_to_image": ("promptText", "ratio"),
    "text_to_speech": ("promptText",),
    "speech_to_speech": ("media", "voice"),
}
OUTPUT = {"video": ("mp4", MP4_STUB), "image": ("png", PNG_1PX), "audio": ("mp3", MP3_STUB)}


def kind_of(endpoint: str) -> str:
    """The output kind of an endpoint: video, image or audio."""
    if endpoint.endswith("video"):
        return "video"
    return "image" if endpoint == "text_to_image" else "audio"


class RunwayTask(ScriptedJob):
    """A Runway task: endpoint, body and outcome on top of the scripted timing."""

    def __init__(self, endpoint: str, body: dict[str, Any], outcome: str, **timing: Any) -> None:
        super().__init__(**timing)
        self.endpoint = endpoint
        self.body = body
        self.outcome = outcome
        self.deleted = False


class FakeRunwayServer(FakeServer):
    """Fake of Runway's API.

    Args:
        polls: Status checks until a task finishes (the first ones PENDING, then RUNNING).
        seconds: Finish tasks this many seconds after creation instead.

    Outcomes: models in ``failing_models`` fail with ``INTERNAL.BAD_OUTPUT.CODE01``;
    a prompt containing a word of ``moderated_words`` (or a model of ``moderated_models``)
    fails with ``SAFETY.INPUT.TEXT``.
    """

    def __init__(self, polls: int = 3, seconds: float | None = None) -> None:
        super().__init__()
        self.polls = polls
        self.seconds = seconds
        self.tasks: dict[str, RunwayTask] = {}
        self.failing_models: set[str] = set()
        self.moderated_words: set[str] = {"forbidden"}
        self.moderated_models: set[str] = set()
        self.throttled = False
        self.uploads: dict[str, tuple[str, bytes, dict[str, str]]] = {}
        self._ids = itertools.count(1)
        self._lock2 = threading.Lock()
        self.add_route("POST", r"/v1/uploads", self._reserve_upload)
        self.add_route("POST", r"/_uploads/(?P<n>\d+)", self._store_upload)
        self.add_route("GET", r"/files/(?P<name>[^/]+)", self._file)
        self.add_route("GET", r"/v1/tasks/(?P<tid>[^/]+)", self._task)
        self.add_route("DELETE", r"/v1/tasks/(?P<tid>[^/]+)", self._delete)
        self.add_route("POST", r"/v1/(?P<endpoint>[a-z_]+)", self._create)

    # ------------------------------------------------------------ helpers
    @property
    def created(self) -> int:
        """Tasks created so far (what a test checks for duplicate submissions)."""
        return len(self.tasks)

    def task(self, task_id: str | None = None) -> RunwayTask:
        """A task by id (the last one created by default)."""
        return list(self.tasks.values())[-1] if task_id is None else self.tasks[task_id]

    def _denied(self, request: FakeRequest) -> FakeResponse | None:
        if not request.headers.get("authorization", "").startswith("Bearer "):
            return FakeResponse.json({"error": "Unauthorized"}, 401)
        if request.headers.get("x-runway-version") != VERSION:
            return FakeResponse.json(
                {"error": f"The X-Runway-Version header must be set to {VERSION}."}, 400
            )
        return None

    @staticmethod
    def _invalid(message: str, path: list[str]) -> FakeResponse:
        return FakeResponse.json(
            {"error": "Validation of body failed", "issues": [{"path": path, "message": message}]},
            400,
        )

    # ------------------------------------------------------------ tasks
    def _create(self, request: FakeRequest, endpoint: str) -> FakeResponse:
        denied = self._denied(request)
        if denied:
            return denied
        if endpoint not in ENDPOINT_MODELS:
            return FakeResponse.json({"error": "Not found"}, 404)
        try:
            body = request.json()
        except ValueError:
            return FakeResponse.json({"error": "Body is not valid JSON"}, 400)
        if not isinstance(body, dict):
            return self._invalid("Expected object", [])
        model = body.get("model")
        if model not in ENDPOINT_MODELS[endpoint]:
            accepted = " | ".join(ENDPOINT_MODELS[endpoint])
            return self._invalid(f"Invalid enum value. Expected {accepted}", ["model"])
        for field in REQUIRED[endpoint]:
            if body.get(field) in (None, "", []):
                return self._invalid("Required", [field])
        for value in _strings(body):
            if value.startswith("runway://") and value not in self.uploads:
                return self._invalid("Unknown upload", ["promptImage"])
        outcome = "ok"
        prompt = str(body.get("promptText") or "")
        if model in self.failing_models:
            outcome = "error"
        elif model in self.moderated_models or any(w in prompt for w in self.moderated_words):
            outcome = "moderation"
        task_id = str(uuid.uuid4())
        self.tasks[task_id] = RunwayTask(
            endpoint, body, outcome, polls=self.polls, seconds=self.seconds
        )
        return FakeResponse.json({"id": task_id})

    def _task(self, request: FakeRequest, tid: str) -> FakeResponse:
        denied = self._denied(request)
        if denied:
            return denied
        task = self.tasks.get(tid)
        if task is None or task.deleted:
            return FakeResponse.json({"error": "Task not found"}, 404)
        base = {"id": tid, "createdAt": "2026-11-28T01:00:00.000Z"}
        phase = task.phase()
        if phase == "cancelled":
            return FakeResponse.json({**base, "status": "CANCELLED"})
        if phase == "queued":
            return FakeResponse.json(
                {**base, "status": "THROTTLED" if self.throttled else "PENDING"}
            )
        if phase == "running":
            progress = round(
                min(0.99, (task.checks - task.queued_polls) / max(1, task.polls_needed)), 2
            )
            return FakeResponse.json({**base, "status": "RUNNING", "progress": progress})
        if task.outcome == "moderation":
            return FakeResponse.json(
                {
                    **base,
                    "status": "FAILED",
                    "failure": "Your input text was flagged by our content moderation system.",
                    "failureCode": "SAFETY.INPUT.TEXT",
                }
            )
        if task.outcome == "error":
            return FakeResponse.json(
                {
                    **base,
                    "status": "FAILED",
                    "failure": "An unexpected error occurred.",
                    "failureCode": "INTERNAL.BAD_OUTPUT.CODE01",
                }
            )
        ext = OUTPUT[kind_of(task.endpoint)][0]
        return FakeResponse.json(
            {**base, "status": "SUCCEEDED", "output": [f"{self.url}/files/{tid}.{ext}"]}
        )

    def _delete(self, request: FakeRequest, tid: str) -> FakeResponse:
        denied = self._denied(request)
        if denied:
            return denied
        task = self.tasks.get(tid)
        if task is None or task.deleted:
            return FakeResponse.json({"error": "Task not found"}, 404)
        if task.peek() in ("queued", "running"):
            task.cancelled = True
        else:
            task.deleted = True
        return FakeResponse(204)

    # ------------------------------------------------------------ uploads and files
    def _reserve_upload(self, request: FakeRequest) -> FakeResponse:
        denied = self._denied(request)
        if denied:
            return denied
        body = request.json() or {}
        if body.get("type") != "ephemeral" or not body.get("filename"):
            return self._invalid("Required", ["filename"])
        with self._lock2:
            n = next(self._ids)
        return FakeResponse.json(
            {
                "uploadUrl": f"{self.url}/_uploads/{n}",
                "fields": {"key": f"uploads/{n}/{body['filename']}", "policy": "c2lnbmVk"},
                "runwayUri": f"runway://uploads/{n}",
            }
        )

    def _store_upload(self, request: FakeRequest, n: str) -> FakeResponse:
        fields, files = request.multipart()
        if "file" not in files or fields.get("policy") != ["c2lnbmVk"]:
            return FakeResponse(403, b"<Error>AccessDenied</Error>")
        upload = files["file"][0]
        flat = {name: values[-1] for name, values in fields.items()}
        self.uploads[f"runway://uploads/{n}"] = (upload.content_type, upload.content, flat)
        return FakeResponse(204)

    def _file(self, request: FakeRequest, name: str) -> FakeResponse:
        ext = name.rsplit(".", 1)[-1]
        for _, (suffix, content) in OUTPUT.items():
            if suffix == ext:
                media = {"mp4": "video/mp4", "png": "image/png", "mp3": "audio/mpeg"}[ext]
                return FakeResponse.raw(content, media)
        return FakeResponse.json({"error": "Not found"}, 404)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []
