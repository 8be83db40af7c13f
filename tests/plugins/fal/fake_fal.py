"""A fake fal queue server (real HTTP on 127.0.0.1) speaking fal's documented protocol.

    POST /{owner}/{app}[/path]                     submit → request_id + status/response/cancel URLs
    GET  /{owner}/{app}/requests/{id}/status       IN_QUEUE (queue_position) → IN_PROGRESS (logs) → COMPLETED
    GET  /{owner}/{app}/requests/{id}              the result, or the model's error (422 detail list)
    PUT  /{owner}/{app}/requests/{id}/cancel       202 CANCELLATION_REQUESTED / 400 ALREADY_COMPLETED
    POST /storage/upload/initiate?storage_type=gcs → {upload_url, file_url}; PUT upload_url stores bytes
    GET  /files/{name}                             serves generated / uploaded media (speech:
                                                   a real MP3, a WAV tone, raw PCM for pcm/flac)

Reusable by benchmarks and CLI tests::

    with FakeFalServer(polls=2) as server:            # or seconds=3.0 for wall-clock jobs
        server.failing_models.add("fal-ai/broken")    # jobs of this model fail
        server.inject("GET", r".*/status", status=503) # core fault injection
        ...
        assert server.submits == 1

Standalone: ``python -m tests.plugins.fal.fake_fal --port 8123 --seconds 2 --fault-rate 0.05``.
"""

from __future__ import annotations

import argparse
import base64
import itertools
import random
import threading
import time
import uuid
from typing import Any

from tarash.tarash_gateway import _mock_media
from tarash.tarash_gateway.testing import FakeRequest, FakeResponse, FakeServer, ScriptedJob
from tarash.tarash_gateway.testing import fake_server as _core_fake

PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
)
MP4_STUB = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
IMAGE_HINTS = ("flux", "image", "nano-banana", "recraft", "ideogram", "imagen", "seedream")
SPEECH_HINTS = ("speech", "tts", "kokoro")
AUDIO_FORMATS = {"mp3": "audio/mpeg", "pcm": "audio/pcm", "flac": "audio/flac", "wav": "audio/wav"}
_APP = r"/(?P<app>(?:workflows/|comfy/)?[^/]+/[^/]+)"


def is_speech_model(model: str) -> bool:
    """The fake's guess of whether a model id speaks (text-to-speech)."""
    return any(hint in model for hint in SPEECH_HINTS) and "to-video" not in model


def speech_result(url: str, job: FalJob) -> dict[str, Any]:
    """A speech endpoint's result: ``{"audio": File}`` (+ ``duration_ms`` on MiniMax)."""
    setting = job.payload.get("audio_setting") or {}
    fmt = setting.get("format", "mp3") if "minimax" in job.model else "wav"
    result: dict[str, Any] = {
        "audio": {
            "url": f"{url}.{fmt}",
            "content_type": AUDIO_FORMATS[fmt],
            "file_name": f"speech.{fmt}",
        }
    }
    if "minimax" in job.model:
        result["duration_ms"] = 1250
    return result


def is_image_model(model: str) -> bool:
    """The fake's guess of whether a model id makes images (else video)."""
    return any(hint in model for hint in IMAGE_HINTS) and "to-video" not in model


class FalJob(ScriptedJob):
    """A fal request: its model, input and outcome on top of the scripted timing."""

    def __init__(self, model: str, payload: Any, outcome: str, **timing: Any) -> None:
        super().__init__(**timing)
        self.model = model
        self.payload = payload
        self.outcome = outcome
        self.finished = False


class FakeFalServer(FakeServer):
    """Fake of fal's queue API.

    Args:
        polls: Status checks until a job completes (first ones IN_QUEUE, then IN_PROGRESS).
        seconds: Complete jobs this many seconds after submission instead (benchmarks).
        fault_rate: Fraction of status polls answered with a transient 503.
        require_key: Answer 401 to requests without ``Authorization: Key ...``.
    """

    def __init__(
        self,
        polls: int = 2,
        seconds: float | None = None,
        fault_rate: float = 0.0,
        require_key: bool = True,
    ) -> None:
        super().__init__()
        self.polls = polls
        self.seconds = seconds
        self.fault_rate = fault_rate
        self.require_key = require_key
        self.jobs: dict[str, FalJob] = {}
        self.failing_models: set[str] = set()
        self.moderated_models: set[str] = set()
        self.uploads: dict[str, bytes] = {}
        self.outputs: dict[str, dict[str, Any]] = {}
        self._submits = 0
        self._count_lock = threading.Lock()
        self._upload_ids = itertools.count(1)
        self._random = random.Random(1234)
        self.add_route("POST", r"/storage/upload/initiate", self._initiate_upload)
        self.add_route("PUT", r"/_uploads/(?P<upload_id>[^/]+)", self._store_upload)
        self.add_route("GET", r"/files/(?P<name>[^/]+)", self._file)
        self.add_route("GET", _APP + r"/requests/(?P<rid>[^/]+)/status", self._status)
        self.add_route("PUT", _APP + r"/requests/(?P<rid>[^/]+)/cancel", self._cancel)
        self.add_route("GET", _APP + r"/requests/(?P<rid>[^/]+)/?", self._result)
        self.add_route("POST", r"/(?P<model>[^/].*)", self._submit)

    # ------------------------------------------------------------ counters
    @property
    def submits(self) -> int:
        """Jobs accepted so far (what a benchmark checks for duplicate submissions)."""
        return self._submits

    def job(self, request_id: str | None = None) -> FalJob:
        """A job by id (the last one submitted by default)."""
        if request_id is None:
            return list(self.jobs.values())[-1]
        return self.jobs[request_id]

    def payload(self, request_id: str | None = None) -> Any:
        """The input a job was submitted with."""
        return self.job(request_id).payload

    # ------------------------------------------------------------ helpers
    def _unauthorised(self, request: FakeRequest) -> FakeResponse | None:
        if self.require_key and not request.headers.get("authorization", "").startswith("Key "):
            return FakeResponse.json({"detail": "No user found for Key ID and Secret"}, 401)
        return None

    def _urls(self, app: str, rid: str) -> dict[str, str]:
        base = f"{self.url}/{app}/requests/{rid}"
        return {
            "response_url": base,
            "status_url": f"{base}/status",
            "cancel_url": f"{base}/cancel",
        }

    def _job(
        self, request: FakeRequest, rid: str, not_found: dict[str, Any]
    ) -> FalJob | FakeResponse:
        """The job of a queue request, or the answer to give instead (401 / 404)."""
        denied = self._unauthorised(request)
        if denied:
            return denied
        job = self.jobs.get(rid)
        return FakeResponse.json(not_found, 404) if job is None else job

    def dispatch(self, request: FakeRequest) -> FakeResponse:
        """Add random transient 503s on status polls when ``fault_rate`` is set."""
        if (
            self.fault_rate
            and request.method == "GET"
            and request.path.endswith("/status")
            and self._random.random() < self.fault_rate
        ):
            if self.record:
                with self._lock:
                    self.requests.append(request)
            return FakeResponse.json({"detail": "upstream connect error"}, 503)
        return super().dispatch(request)

    # ------------------------------------------------------------ queue API
    def _submit(self, request: FakeRequest, model: str) -> FakeResponse:
        denied = self._unauthorised(request)
        if denied:
            return denied
        parts = model.strip("/").split("/")
        if len(parts) < 2:
            return FakeResponse.json({"detail": f"Application '{model}' not found"}, 404)
        try:
            payload = request.json()
        except ValueError:
            return FakeResponse.json({"detail": "body is not JSON"}, 422)
        if not isinstance(payload, dict):
            return FakeResponse.json(
                {"detail": [{"loc": ["body"], "msg": "not an object", "type": "type_error"}]}, 422
            )
        outcome = "ok"
        if model in self.failing_models:
            outcome = "error"
        elif model in self.moderated_models:
            outcome = "moderation"
        size = 3 if parts[0] in ("workflows", "comfy") else 2
        app = "/".join(parts[:size])
        rid = str(uuid.uuid4())
        self.jobs[rid] = FalJob(model, payload, outcome, polls=self.polls, seconds=self.seconds)
        with self._count_lock:
            self._submits += 1
        body = {
            "request_id": rid,
            "gateway_request_id": rid,
            "status": "IN_QUEUE",
            "queue_position": 0,
            **self._urls(app, rid),
        }
        return FakeResponse.json(body, headers={"x-fal-request-id": rid})

    def _status(self, request: FakeRequest, app: str, rid: str) -> FakeResponse:
        job = self._job(request, rid, {"detail": "Request not found"})
        if isinstance(job, FakeResponse):
            return job
        with_logs = request.query.get("logs", ["0"])[-1] in ("1", "true")
        phase = job.phase()
        common = {"request_id": rid, **self._urls(app, rid)}
        if phase == "queued":
            position = max(0, job.queued_polls - job.checks)
            return FakeResponse.json(
                {"status": "IN_QUEUE", "queue_position": position, **common}, 202
            )
        logs = None
        if with_logs:
            lines = max(1, job.checks - job.queued_polls)
            logs = [
                {
                    "timestamp": "2025-06-01T10:00:00Z",
                    "level": "INFO",
                    "source": "user",
                    "message": f"step {i}",
                }
                for i in range(1, lines + 1)
            ]
        if phase == "running":
            return FakeResponse.json({"status": "IN_PROGRESS", "logs": logs, **common}, 202)
        job.finished = True
        error = None if job.outcome == "ok" else "Invalid status code: 422"
        if phase == "cancelled":
            error = "Request was cancelled"
        return FakeResponse.json(
            {
                "status": "COMPLETED",
                "logs": logs,
                "metrics": {"inference_time": 1.5},
                "error": error,
                "error_type": None if error is None else "model_error",
                **common,
            },
            200,
        )

    def _result(self, request: FakeRequest, app: str, rid: str) -> FakeResponse:
        job = self._job(request, rid, {"detail": "Request not found"})
        if isinstance(job, FakeResponse):
            return job
        if not job.finished:
            return FakeResponse.json({"detail": "Request is still in progress"}, 400)
        if job.outcome == "moderation":
            return FakeResponse.json(
                {
                    "detail": [
                        {
                            "loc": ["body", "prompt"],
                            "msg": "The content was flagged by a content checker.",
                            "type": "content_policy_violation",
                            "url": "https://docs.fal.ai/errors#content_policy_violation",
                            "ctx": {},
                        }
                    ]
                },
                422,
            )
        if job.outcome == "error" or job.cancelled:
            return FakeResponse.json(
                {
                    "detail": [
                        {
                            "loc": ["body"],
                            "msg": "The model could not generate media for this input.",
                            "type": "no_media_generated",
                        }
                    ]
                },
                422,
            )
        if job.model in self.outputs:
            return FakeResponse.json(self.outputs[job.model])
        if is_speech_model(job.model):
            return FakeResponse.json(speech_result(f"{self.url}/files/{rid}", job))
        if is_image_model(job.model):
            count = int(job.payload.get("num_images") or 1)
            images = [
                {
                    "url": f"{self.url}/files/{rid}-{i}.png",
                    "width": 1024,
                    "height": 1024,
                    "content_type": "image/png",
                }
                for i in range(count)
            ]
            return FakeResponse.json(
                {
                    "images": images,
                    "seed": 42,
                    "has_nsfw_concepts": [False] * count,
                    "prompt": job.payload.get("prompt"),
                    "timings": {"inference": 1.2},
                }
            )
        return FakeResponse.json(
            {
                "video": {
                    "url": f"{self.url}/files/{rid}.mp4",
                    "content_type": "video/mp4",
                    "file_name": "output.mp4",
                    "file_size": len(MP4_STUB),
                },
                "seed": 42,
            }
        )

    def _cancel(self, request: FakeRequest, app: str, rid: str) -> FakeResponse:
        job = self._job(request, rid, {"status": "NOT_FOUND"})
        if isinstance(job, FakeResponse):
            return job
        if job.finished:
            return FakeResponse.json({"status": "ALREADY_COMPLETED"}, 400)
        job.cancelled = True
        return FakeResponse.json({"status": "CANCELLATION_REQUESTED"}, 202)

    # ------------------------------------------------------------ storage and files
    def _initiate_upload(self, request: FakeRequest) -> FakeResponse:
        denied = self._unauthorised(request)
        if denied:
            return denied
        body = request.json() or {}
        upload_id = f"{next(self._upload_ids)}-{body.get('file_name', 'file')}"
        return FakeResponse.json(
            {
                "upload_url": f"{self.url}/_uploads/{upload_id}",
                "file_url": f"{self.url}/files/{upload_id}",
            }
        )

    def _store_upload(self, request: FakeRequest, upload_id: str) -> FakeResponse:
        self.uploads[upload_id] = request.body
        return FakeResponse(200)

    def _file(self, request: FakeRequest, name: str) -> FakeResponse:
        if name in self.uploads:
            return FakeResponse.raw(self.uploads[name], "application/octet-stream")
        if name.endswith(".png"):
            return FakeResponse.raw(PNG_1PX, "image/png")
        if name.endswith(".mp3"):
            return FakeResponse.raw(_mock_media.sample("sample.mp3"), "audio/mpeg")
        if name.endswith(".wav"):
            return FakeResponse.raw(_mock_media.wav(0.5, 24000), "audio/wav")
        if name.endswith((".pcm", ".flac")):
            return FakeResponse.raw(_mock_media.pcm(0.5, 32000), "application/octet-stream")
        return FakeResponse.raw(MP4_STUB, "video/mp4")

    # ------------------------------------------------------------ standalone
    def start_on(self, port: int) -> FakeFalServer:
        """Start serving on a fixed port (``start()`` picks a free one)."""
        server = _core_fake._Server(("127.0.0.1", port), _core_fake._RequestHandler)
        server.fake = self
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, daemon=True)
        self._thread.start()
        return self


def main(argv: list[str] | None = None) -> None:
    """Run the fake until interrupted, printing its URL."""
    parser = argparse.ArgumentParser(description="Fake fal queue server on 127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--polls", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--fault-rate", type=float, default=0.0)
    args = parser.parse_args(argv)
    server = FakeFalServer(polls=args.polls, seconds=args.seconds, fault_rate=args.fault_rate)
    server.record = False  # a long-running server must not grow without bound
    server.start_on(args.port) if args.port else server.start()
    print(server.url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
