"""A fake Stability AI server (v2beta Stable Image API), offline.

Speaks the wire format of docs/providers/stability.md on 127.0.0.1:

- ``POST /v2beta/stable-image/generate/{ultra,core,sd3}``, ``/edit/{inpaint,outpaint,
  search-and-replace}``, ``/upscale/conservative``: multipart/form-data only, Bearer
  auth; ``Accept: image/*`` answers the image bytes (PNG, JPEG or WebP after
  ``output_format``) with headers ``finish-reason`` and ``seed``; ``Accept:
  application/json`` answers ``{"image", "finish_reason", "seed"}``.
- ``POST /v2beta/stable-image/upscale/creative`` answers ``{"id"}``; ``GET
  /v2beta/results/{id}`` answers 202 ``{"id", "status": "in-progress"}`` until done,
  then the image; an unknown id 404.
- Errors are ``{"id", "name", "errors": [...]}``.

Prompt words trigger outcomes: ``moderation-block`` (403 content_moderation),
``content-filtered`` (200 with finish-reason CONTENT_FILTERED, every call),
``filter-second`` (the second call of a batch is filtered).
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
import uuid
from typing import Any

from tarash.tarash_gateway import _mock_media
from tarash.tarash_gateway._media import sniff_content_type
from tarash.tarash_gateway.testing import FakeRequest, FakeResponse, FakeServer, ScriptedJob

ASPECT_RATIOS = ("16:9", "1:1", "21:9", "2:3", "3:2", "4:5", "5:4", "9:16", "9:21")
SD3_MODELS = ("sd3.5-large", "sd3.5-large-turbo", "sd3.5-medium", "sd3.5-flash")
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////"
    "////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQAB"
    "PxA="
)
WEBP = base64.b64decode("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")
SYNC_ROUTES = {
    "generate/ultra": ("prompt",),
    "generate/core": ("prompt",),
    "generate/sd3": ("prompt",),
    "edit/inpaint": ("prompt", "image"),
    "edit/outpaint": ("image",),
    "edit/search-and-replace": ("prompt", "image", "search_prompt"),
    "upscale/conservative": ("prompt", "image"),
}


def error(status: int, name: str, *errors: str) -> FakeResponse:
    """A Stability error answer."""
    return FakeResponse.json({"id": uuid.uuid4().hex, "name": name, "errors": list(errors)}, status)


class FakeStabilityServer(FakeServer):
    """Fake of api.stability.ai.

    Args:
        polls: Result checks before a creative upscale is done.
        delay: Seconds each image takes (concurrency measurements).
    """

    def __init__(self, polls: int = 2, delay: float = 0.0) -> None:
        super().__init__()
        self.polls = polls
        self.outcome: str | None = None
        """A trigger word applied to every generation, as if its prompt held it."""
        self.delay = delay
        self.jobs: dict[str, tuple[ScriptedJob, dict[str, Any], str]] = {}
        self.calls = itertools.count(1)
        self._lock = threading.Lock()
        self.add_route(
            "POST",
            r"/v2beta/stable-image/(?P<route>generate/(ultra|core|sd3)|edit/(inpaint|outpaint|"
            r"search-and-replace)|upscale/conservative)",
            self._sync,
        )
        self.add_route("POST", r"/v2beta/stable-image/upscale/creative", self._start)
        self.add_route("GET", r"/v2beta/results/(?P<job_id>[^/]+)", self._result)

    # ------------------------------------------------------------ parsing
    def _form(self, request: FakeRequest) -> tuple[dict[str, str], dict[str, Any]] | FakeResponse:
        auth = request.headers.get("authorization", "")
        if not auth.startswith("Bearer ") or len(auth) <= len("Bearer "):
            return error(401, "unauthorized", "authorization: invalid or missing API key")
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            return error(400, "bad_request", "content-type: must be multipart/form-data")
        fields, files = request.multipart()
        form = {name: values[-1] for name, values in fields.items()}
        for name, uploads in files.items():
            kind = sniff_content_type(uploads[-1].content, "")
            if not kind.startswith("image/"):
                return error(400, "bad_request", f"{name}: is not a supported image")
        return form, {name: uploads[-1] for name, uploads in files.items()}

    def _check(
        self, route: str, form: dict[str, str], files: dict[str, Any]
    ) -> FakeResponse | None:
        for name in SYNC_ROUTES.get(route, ("prompt", "image")):
            if not (form.get(name) or name in files):
                return error(400, "bad_request", f"{name}: is required")
        if len(form.get("prompt", "")) > 10000:
            return error(400, "bad_request", "prompt: must be at most 10000 characters")
        if form.get("aspect_ratio", "1:1") not in ASPECT_RATIOS:
            return error(400, "bad_request", f"aspect_ratio: must be one of {ASPECT_RATIOS}")
        formats = ("png", "jpeg") if route == "generate/sd3" else ("png", "jpeg", "webp")
        if form.get("output_format", "png") not in formats:
            return error(400, "bad_request", f"output_format: must be one of {formats}")
        if route == "generate/sd3":
            if form.get("model", "sd3.5-large") not in SD3_MODELS:
                return error(400, "bad_request", "model: unknown model")
            image_mode = form.get("mode") == "image-to-image"
            if image_mode != ("image" in files):
                return error(400, "bad_request", "mode: image-to-image needs image, and only it")
        if "image" in files and route.startswith("generate/") and "strength" not in form:
            return error(400, "bad_request", "strength: is required with image")
        if "moderation-block" in form.get("prompt", ""):
            return error(
                403, "content_moderation",
                "Your request was flagged by our content moderation system, as a result your "
                "request was denied and you were not charged.",
            )  # fmt: skip
        return None

    def _image(self, form: dict[str, str], accept: str, call: int) -> FakeResponse:
        fmt = form.get("output_format", "png")
        content = {"png": _mock_media.png(16, 16, seed=call), "jpeg": JPEG, "webp": WEBP}[fmt]
        prompt = form.get("prompt", "") + " " + (self.outcome or "")
        filtered = "content-filtered" in prompt or ("filter-second" in prompt and call % 2 == 0)
        reason = "CONTENT_FILTERED" if filtered else "SUCCESS"
        seed = form.get("seed") if form.get("seed", "0") != "0" else str(1000 + call)
        if accept.startswith("application/json"):
            body = {
                "image": base64.b64encode(content).decode(),
                "finish_reason": reason,
                "seed": int(seed or 0),
            }
            response = FakeResponse.json(body)
            response.headers["Content-Type"] = f"application/json; type=image/{fmt}"
            return response
        response = FakeResponse.raw(content, f"image/{fmt}")
        response.headers.update(
            {"finish-reason": reason, "seed": str(seed), "x-request-id": uuid.uuid4().hex}
        )
        return response

    # ------------------------------------------------------------ routes
    def _sync(self, request: FakeRequest, route: str) -> FakeResponse:
        parsed = self._form(request)
        if isinstance(parsed, FakeResponse):
            return parsed
        form, files = parsed
        refusal = self._check(route, form, files)
        if refusal is not None:
            return refusal
        with self._lock:
            call = next(self.calls)
        answer = self._image(form, request.headers.get("accept", "image/*"), call)
        answer.delay = self.delay
        return answer

    def _start(self, request: FakeRequest) -> FakeResponse:
        parsed = self._form(request)
        if isinstance(parsed, FakeResponse):
            return parsed
        form, files = parsed
        refusal = self._check("upscale/creative", form, files)
        if refusal is not None:
            return refusal
        job_id = uuid.uuid4().hex + uuid.uuid4().hex
        self.jobs[job_id] = (ScriptedJob(polls=self.polls, queued_polls=0), form, job_id)
        return FakeResponse.json({"id": job_id})

    def _result(self, request: FakeRequest, job_id: str) -> FakeResponse:
        auth = request.headers.get("authorization", "")
        if not auth.startswith("Bearer "):
            return error(401, "unauthorized", "authorization: invalid or missing API key")
        if job_id not in self.jobs:
            return error(404, "not_found", f"id: generation {job_id} not found or expired")
        job, form, _ = self.jobs[job_id]
        if job.phase() != "done":
            return FakeResponse(
                202,
                json.dumps({"id": job_id, "status": "in-progress"}).encode(),
                {"Content-Type": "application/json"},
            )
        with self._lock:
            call = next(self.calls)
        return self._image(form, request.headers.get("accept", "image/*"), call)
