"""A fake Replicate API (real HTTP on 127.0.0.1) speaking Replicate's predictions protocol.

    POST /v1/models/{owner}/{name}/predictions        {"input", "webhook"?, ...}  → 201 prediction
    POST /v1/predictions                              {"version", "input"}        → 201 prediction
    POST /v1/deployments/{owner}/{name}/predictions   {"input"}                   → 201 prediction
         ``Prefer: wait=N``: a fast model (see ``fast_models``) answers with the
         finished prediction; others answer ``starting`` at once.
    GET  /v1/predictions/{id}     starting → processing (logs with tqdm progress bars)
                                  → succeeded (output: URL or list) | failed (error)
                                  | canceled | aborted (Cancel-After passed before start)
    POST /v1/predictions/{id}/cancel                  → the prediction, ``canceled``
    POST /v1/files (multipart ``content``)            → 201 file object with ``urls.get``
    webhooks: ``deliver(pid)`` POSTs the prediction to its ``webhook`` URL, signed
              as Standard Webhooks with ``webhook_secret`` (``whsec_...``), when
              ``webhook_events_filter`` asks for ``completed``
    GET  /files/{name}                                → generated media

Requests need ``Authorization: Bearer ...`` (401 with problem details otherwise).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import threading
import time
import uuid
from typing import Any

import httpx

from tarash.tarash_gateway.testing import FakeRequest, FakeResponse, FakeServer, ScriptedJob

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c4944415478da63f8cfc000000301010018dd8db00000000049454e44ae426082"
)
MP4_STUB = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
IMAGE_HINTS = ("flux", "sdxl", "ideogram", "recraft", "imagen", "image")
LOG_LINES = [
    "Using seed: 42",
    "  0%|          | 0/20 [00:00<?, ?it/s]",
    " 45%|████▌     | 9/20 [00:04<00:05,  2.10it/s]",
    " 90%|█████████ | 18/20 [00:08<00:01,  2.10it/s]",
]


def is_image_model(model: str) -> bool:
    """The fake's guess of whether a model makes images (else video)."""
    return any(hint in model for hint in IMAGE_HINTS)


def problem(status: int, title: str, detail: str, **extra: Any) -> FakeResponse:
    """An RFC 7807 problem-details answer, as Replicate sends them."""
    body = {"title": title, "detail": detail, "status": status, **extra}
    return FakeResponse(
        status, json.dumps(body).encode(), {"Content-Type": "application/problem+json"}
    )


class Prediction(ScriptedJob):
    """A prediction: model, version, body and headers on top of the scripted timing."""

    def __init__(self, model: str, version: str, body: dict[str, Any], **timing: Any) -> None:
        super().__init__(**timing)
        self.model = model
        self.version = version
        self.body = body
        self.outcome = "ok"
        self.headers: dict[str, str] = {}


class FakeReplicateServer(FakeServer):
    """Fake of Replicate's predictions API.

    Args:
        polls: Status checks until a prediction finishes (first ``starting``, then ``processing``).

    Outcomes: models in ``failing_models`` fail; a prompt with a word of
    ``moderated_words`` fails with Replicate's NSFW message; models in
    ``aborting_models`` end ``aborted``; ``fast_models`` (default: image models)
    finish within a ``Prefer: wait`` request.
    """

    def __init__(self, polls: int = 3) -> None:
        super().__init__()
        self.polls = polls
        self.predictions: dict[str, Prediction] = {}
        self.failing_models: set[str] = set()
        self.aborting_models: set[str] = set()
        self.moderated_words: set[str] = {"forbidden"}
        self.moderated_models: set[str] = set()
        self.fast_models: set[str] | None = None
        self.files: dict[str, tuple[str | None, str, bytes]] = {}
        self.outputs: dict[str, Any] = {}
        self.webhook_secret = "whsec_" + base64.b64encode(b"fake-replicate-signing-key!").decode()
        self._ids = itertools.count(1)
        self._lock2 = threading.Lock()
        self.add_route("POST", r"/v1/files", self._create_file)
        self.add_route("GET", r"/files/(?P<name>[^/]+)", self._media)
        self.add_route("POST", r"/v1/predictions/(?P<pid>[^/]+)/cancel", self._cancel)
        self.add_route("GET", r"/v1/predictions/(?P<pid>[^/]+)", self._get)
        self.add_route("POST", r"/v1/predictions", self._create_version)
        self.add_route(
            "POST", r"/v1/models/(?P<owner>[^/]+)/(?P<name>[^/]+)/predictions", self._create_model
        )
        self.add_route(
            "POST",
            r"/v1/deployments/(?P<owner>[^/]+)/(?P<name>[^/]+)/predictions",
            self._create_deployment,
        )

    # ------------------------------------------------------------ helpers
    @property
    def created(self) -> int:
        """Predictions created so far."""
        return len(self.predictions)

    def prediction(self, pid: str | None = None) -> Prediction:
        """A prediction by id (the last one by default)."""
        return list(self.predictions.values())[-1] if pid is None else self.predictions[pid]

    def _denied(self, request: FakeRequest) -> FakeResponse | None:
        if not request.headers.get("authorization", "").startswith("Bearer "):
            return problem(401, "Unauthenticated", "You did not pass a valid authentication token")
        return None

    def _object(self, p: Prediction, pid: str, status: str, **fields: Any) -> dict[str, Any]:
        base = f"{self.url}/v1/predictions/{pid}"
        return {
            "id": pid,
            "model": p.model,
            "version": p.version,
            "input": p.body.get("input"),
            "logs": "",
            "output": None,
            "data_removed": False,
            "error": None,
            "status": status,
            "created_at": "2026-11-28T02:00:00.000Z",
            "started_at": None,
            "completed_at": None,
            "metrics": {},
            "urls": {
                "get": base,
                "cancel": f"{base}/cancel",
                "web": f"https://replicate.com/p/{pid}",
            },
            **fields,
        }

    def _output(self, p: Prediction, pid: str) -> Any:
        if p.model in self.outputs:
            return self.outputs[p.model]
        if is_image_model(p.model):
            count = int((p.body.get("input") or {}).get("num_outputs") or 1)
            return [f"{self.url}/files/{pid}-{i}.png" for i in range(count)]
        return f"{self.url}/files/{pid}.mp4"

    def _finished(self, p: Prediction, pid: str) -> dict[str, Any]:
        logs = "\n".join(LOG_LINES) + "\n"
        if p.outcome == "aborted":
            return self._object(p, pid, "aborted")
        if p.outcome == "moderation":
            return self._object(
                p,
                pid,
                "failed",
                logs=logs,
                error="NSFW content detected. Try running it again, or try a different prompt.",
            )
        if p.outcome == "error":
            return self._object(p, pid, "failed", logs=logs, error="CUDA out of memory (E1001)")
        return self._object(
            p,
            pid,
            "succeeded",
            logs=logs + "100%|██████████| 20/20 [00:09<00:00,  2.10it/s]\n",
            output=self._output(p, pid),
            started_at="2026-11-28T02:00:01.000Z",
            completed_at="2026-11-28T02:00:10.000Z",
            metrics={"predict_time": 9.1, "total_time": 10.0},
        )

    # ------------------------------------------------------------ create
    def _create(self, request: FakeRequest, model: str, version: str) -> FakeResponse:
        denied = self._denied(request)
        if denied:
            return denied
        try:
            body = request.json()
        except ValueError:
            return problem(400, "Bad request", "the body is not valid JSON")
        if not isinstance(body, dict) or not isinstance(body.get("input"), dict):
            return problem(
                422,
                "Input validation failed",
                "- input: Invalid type. Expected: object, given: null",
                invalid_fields=[
                    {"type": "required", "field": "input", "description": "input is required"}
                ],
            )
        for value in _strings(body["input"]):
            if (
                value.startswith(f"{self.url}/v1/files/")
                and value.rsplit("/", 1)[-1] not in self.files
            ):
                return problem(422, "Input validation failed", "the file URL does not exist")
        pid = uuid.uuid4().hex[:26]
        p = Prediction(model, version, body, polls=self.polls)
        p.headers = dict(request.headers)
        prompt = str(body["input"].get("prompt") or "")
        if model in self.failing_models:
            p.outcome = "error"
        elif model in self.aborting_models:
            p.outcome = "aborted"
        elif model in self.moderated_models or any(w in prompt for w in self.moderated_words):
            p.outcome = "moderation"
        self.predictions[pid] = p
        fast = self.fast_models if self.fast_models is not None else set()
        sync = request.headers.get("prefer", "").startswith("wait")
        if sync and (model in fast or (self.fast_models is None and is_image_model(model))):
            p.checks = p.polls_needed  # ran to completion while the request was held
            return FakeResponse.json(self._finished(p, pid), 201)
        return FakeResponse.json(self._object(p, pid, "starting"), 201)

    def _create_model(self, request: FakeRequest, owner: str, name: str) -> FakeResponse:
        return self._create(request, f"{owner}/{name}", "dp-4d0bcc010b3049749a251855f12800be")

    def _create_deployment(self, request: FakeRequest, owner: str, name: str) -> FakeResponse:
        return self._create(request, f"deployments/{owner}/{name}", "dp-deployment")

    def _create_version(self, request: FakeRequest) -> FakeResponse:
        try:
            version = (request.json() or {}).get("version")
        except ValueError:
            version = None
        if not isinstance(version, str) or not version:
            return problem(422, "Input validation failed", "- version: version is required")
        return self._create(request, "acme/versioned-model", version)

    # ------------------------------------------------------------ get and cancel
    def _get(self, request: FakeRequest, pid: str) -> FakeResponse:
        denied = self._denied(request)
        if denied:
            return denied
        p = self.predictions.get(pid)
        if p is None:
            return problem(404, "Not found", "The requested resource could not be found.")
        if p.outcome == "aborted":
            return FakeResponse.json(self._finished(p, pid))
        phase = p.phase()
        if phase == "cancelled":
            return FakeResponse.json(self._object(p, pid, "canceled"))
        if phase == "queued":
            return FakeResponse.json(self._object(p, pid, "starting"))
        if phase == "running":
            shown = min(len(LOG_LINES), 1 + p.checks - p.queued_polls)
            logs = "\n".join(LOG_LINES[:shown]) + "\n"
            return FakeResponse.json(self._object(p, pid, "processing", logs=logs))
        return FakeResponse.json(self._finished(p, pid))

    def _cancel(self, request: FakeRequest, pid: str) -> FakeResponse:
        denied = self._denied(request)
        if denied:
            return denied
        p = self.predictions.get(pid)
        if p is None:
            return problem(404, "Not found", "The requested resource could not be found.")
        if p.peek() in ("queued", "running"):
            p.cancelled = True
            return FakeResponse.json(self._object(p, pid, "canceled"))
        return FakeResponse.json(self._finished(p, pid))

    # ------------------------------------------------------------ webhooks
    def signed(self, body: bytes, delivery_id: str, timestamp: int | None = None) -> dict[str, str]:
        """Standard Webhooks headers for ``body`` (HMAC-SHA256 with the ``whsec_`` key)."""
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        key = base64.b64decode(self.webhook_secret.removeprefix("whsec_"))
        digest = hmac.new(key, f"{delivery_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
        return {
            "webhook-id": delivery_id,
            "webhook-timestamp": stamp,
            "webhook-signature": "v1," + base64.b64encode(digest).decode(),
            "content-type": "application/json",
        }

    def deliver(self, pid: str | None = None) -> httpx.Response | None:
        """POST the finished prediction to its webhook, as Replicate does; None when not asked."""
        p = self.prediction(pid)
        pid = pid or list(self.predictions)[-1]
        url = p.body.get("webhook")
        if not url or "completed" not in (p.body.get("webhook_events_filter") or ["completed"]):
            return None
        body = json.dumps(self._finished(p, pid)).encode()
        return httpx.post(url, content=body, headers=self.signed(body, f"msg_{pid}"))

    # ------------------------------------------------------------ files
    def _create_file(self, request: FakeRequest) -> FakeResponse:
        denied = self._denied(request)
        if denied:
            return denied
        _, files = request.multipart()
        if "content" not in files:
            return problem(400, "Bad request", "missing content part")
        upload = files["content"][0]
        with self._lock2:
            fid = f"file-{next(self._ids)}"
        self.files[fid] = (upload.filename, upload.content_type, upload.content)
        return FakeResponse.json(
            {
                "id": fid,
                "name": upload.filename,
                "content_type": upload.content_type,
                "size": len(upload.content),
                "etag": "abc",
                "checksums": {},
                "metadata": {},
                "created_at": "2026-11-28T02:00:00.000Z",
                "expires_at": "2026-11-29T02:00:00.000Z",
                "urls": {"get": f"{self.url}/v1/files/{fid}"},
            },
            201,
        )

    def _media(self, request: FakeRequest, name: str) -> FakeResponse:
        if name.endswith(".mp4"):
            return FakeResponse.raw(MP4_STUB, "video/mp4")
        return FakeResponse.raw(PNG_1PX, "image/png")


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []
