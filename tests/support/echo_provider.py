"""'echo': a minimal asynchronous provider used to test the core end to end.

Wire format (served by EchoServer): POST /v1/jobs {"prompt", ...} → {"id"};
GET /v1/jobs/{id} → {"status": queued|running|done|failed, "progress", "result"};
DELETE /v1/jobs/{id} cancels. Auth: ``Authorization: Bearer <key>``.
"""

from __future__ import annotations

import base64
import itertools
import time
from typing import Any

import httpx

from tarash.tarash_gateway.exceptions import GenerationFailedError
from tarash.tarash_gateway.plugin import (
    CallContext,
    Flow,
    Job,
    JobStatus,
    ProviderInfo,
    ProviderPlugin,
    error_for_response,
    json_body,
)
from tarash.tarash_gateway.testing import FakeRequest, FakeResponse, FakeServer, ScriptedJob

PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
)


class EchoPlugin(ProviderPlugin):
    name = "echo"

    def info(self) -> ProviderInfo:
        return ProviderInfo(
            name="echo",
            modalities=["video", "image"],
            default_base_url="http://127.0.0.1:9",
            api_key_env=["ECHO_API_KEY"],
            default_models={"video": "echo-video", "image": "echo-image"},
        )

    def supports_modality(self, model: str, modality: str) -> bool:
        return modality in ("video", "image") and not model.startswith("audio-only")

    def map_fields(self, model: str, modality: str, request: Any, config: Any) -> dict[str, Any]:
        payload = {"model": model, "prompt": request.prompt}
        if getattr(request, "duration_seconds", None):
            payload["duration"] = request.duration_seconds
        payload.update(request.extra_params)
        return payload

    def submit(self, payload: dict[str, Any], ctx: CallContext) -> Flow[Job]:
        return _submit(payload, ctx)

    def poll(self, job: Job, ctx: CallContext) -> Flow[JobStatus]:
        return _poll(job, ctx)

    def cancel(self, job: Job, ctx: CallContext) -> Flow[None]:
        return _cancel(job, ctx)


echo_plugin = EchoPlugin()


def _headers(ctx: CallContext) -> dict[str, str]:
    return {"Authorization": f"Bearer {ctx.api_key}"}


def _submit(payload: dict[str, Any], ctx: CallContext) -> Flow[Job]:
    response = yield httpx.Request("POST", ctx.url("/v1/jobs"), json=payload, headers=_headers(ctx))
    if response.status_code >= 400:
        raise error_for_response(response, ctx)
    body = json_body(response, ctx)
    return Job(provider=ctx.provider, model=ctx.model, modality=ctx.modality, id=body["id"])


def _poll(job: Job, ctx: CallContext) -> Flow[JobStatus]:
    response = yield httpx.Request("GET", ctx.url(f"/v1/jobs/{job.id}"), headers=_headers(ctx))
    if response.status_code >= 400:
        raise error_for_response(response, ctx, request_id=job.id)
    body = json_body(response, ctx)
    status = body["status"]
    if status == "failed":
        raise GenerationFailedError(body.get("error", "failed"), request_id=job.id)
    if status != "done":
        state = "queued" if status == "queued" else "processing"
        return JobStatus(state=state, progress_percent=body.get("progress"), raw=body)
    if ctx.modality == "image":
        output = {"images": [body["result"]]}
    else:
        output = {"video": body["result"], "content_type": "video/mp4"}
    return JobStatus(state="completed", output=output, raw=body)


def _cancel(job: Job, ctx: CallContext) -> Flow[None]:
    response = yield httpx.Request("DELETE", ctx.url(f"/v1/jobs/{job.id}"), headers=_headers(ctx))
    if response.status_code >= 400:
        raise error_for_response(response, ctx, request_id=job.id)


class EchoServer(FakeServer):
    """Fake of the echo provider. ``polls`` = status checks before a job is done."""

    def __init__(self, polls: int = 2, seconds: float | None = None) -> None:
        super().__init__()
        self.jobs: dict[str, ScriptedJob] = {}
        self.payloads: dict[str, Any] = {}
        self.polls = polls
        self.seconds = seconds
        self.fail_jobs = False
        self.submit_delay = 0.0
        self.poll_delay = 0.0
        self._ids = itertools.count(1)
        self.add_route("POST", r"/v1/jobs", self._create)
        self.add_route("GET", r"/v1/jobs/(?P<job_id>[^/]+)", self._status)
        self.add_route("DELETE", r"/v1/jobs/(?P<job_id>[^/]+)", self._cancel)

    def _create(self, request: FakeRequest) -> FakeResponse:
        if not request.headers.get("authorization", "").startswith("Bearer "):
            return FakeResponse.json({"error": "missing key"}, 401)
        job_id = f"job-{next(self._ids)}"
        time.sleep(self.submit_delay)  # the job exists while the answer is on its way
        self.jobs[job_id] = ScriptedJob(polls=self.polls, seconds=self.seconds)
        self.payloads[job_id] = request.json()
        return FakeResponse.json({"id": job_id})

    def _status(self, request: FakeRequest, job_id: str) -> FakeResponse:
        time.sleep(self.poll_delay)
        job = self.jobs.get(job_id)
        if job is None:
            return FakeResponse.json({"error": "unknown job"}, 404)
        phase = job.phase()
        if phase == "done" and self.fail_jobs:
            return FakeResponse.json({"status": "failed", "error": "the model crashed"})
        if phase == "done":
            result = "data:image/png;base64," + base64.b64encode(PNG_1PX).decode()
            if self.payloads[job_id]["model"].endswith("video"):
                result = f"{self.url}/files/{job_id}.mp4"
            return FakeResponse.json({"status": "done", "result": result})
        return FakeResponse.json({"status": phase, "progress": 50 if phase == "running" else None})

    def _cancel(self, request: FakeRequest, job_id: str) -> FakeResponse:
        self.jobs[job_id].cancelled = True
        return FakeResponse.json({"cancelled": True})
