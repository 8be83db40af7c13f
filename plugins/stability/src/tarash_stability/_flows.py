"""The flows: multipart posts answered with image bytes, or a job id polled at /v2beta/results.

Every request is ``multipart/form-data`` (form fields as parts, input images as files)
with ``Accept: image/*``: a success is the image's bytes, with Stability's verdict in
the ``finish-reason`` header (``SUCCESS`` or ``CONTENT_FILTERED``) and the seed used
in ``seed``. The API makes one image per call, so ``n`` images are ``n`` calls, sent
side by side (:func:`~tarash.tarash_gateway.plugin.send_batch`).
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from tarash.tarash_gateway.exceptions import (
    ContentModerationError,
    GenerationFailedError,
    TarashException,
)
from tarash.tarash_gateway.plugin import (
    CallContext,
    Flow,
    Job,
    JobStatus,
    fetch_media,
    form_value,
    json_body,
    json_object,
    malformed_response,
    send,
    send_batch,
    settle_batch,
    stored_status,
    upload_file,
)
from tarash_stability._errors import error_for
from tarash_stability._families import StabilityFamily, family_of

FILTERED = "CONTENT_FILTERED"


@dataclass
class _Image:
    """One generated image and what Stability said about it."""

    content: bytes
    content_type: str
    finish_reason: str
    seed: int | None
    request_id: str | None

    @property
    def meta(self) -> dict[str, Any]:
        return {
            "finish_reason": self.finish_reason,
            "seed": self.seed,
            "content_type": self.content_type,
            "bytes": len(self.content),
            "request_id": self.request_id,
        }


def headers(ctx: CallContext) -> dict[str, str]:
    """Bearer auth, and image bytes as the answer."""
    return {"Authorization": f"Bearer {ctx.api_key}", "Accept": "image/*"}


# ---------------------------------------------------------------- submit
def submit(payload: dict[str, Any], ctx: CallContext) -> Flow[Job]:
    """Post the form (``n`` times for ``n`` images); an asynchronous endpoint answers an id."""
    family = family_of(ctx.model, ctx.request)
    form = dict(payload)
    files: list[tuple[str, tuple[str | None, Any, str] | tuple[None, str]]] = []
    for name in ("image", "mask"):
        media = form.pop(name, None)
        if media is not None:
            data, content_type = yield from fetch_media(
                media,
                ctx,
                "image_list" if name == "image" else "mask_image",
                "image/png",
                accept="image/*",
            )
            files.append((name, upload_file(name, data, content_type)))
    parts = [(name, (None, form_value(value))) for name, value in form.items()]

    def build() -> httpx.Request:
        return httpx.Request(
            "POST", ctx.url(family.endpoint), files=[*parts, *files], headers=headers(ctx)
        )

    if family.asynchronous:
        return (yield from _start(build(), family, ctx))
    n = getattr(ctx.request, "n", None) or 1
    return (yield from _generate(build, n, ctx))


def _start(request: httpx.Request, family: StabilityFamily, ctx: CallContext) -> Flow[Job]:
    response = yield from send(request)
    if response.status_code >= 400:
        raise error_for(response, ctx)
    body = json_body(response, ctx)
    job_id = body.get("id")
    if not isinstance(job_id, str) or not job_id:
        raise malformed_response(response, ctx, "without the generation id", raw_response=body)
    return Job(
        provider=ctx.provider,
        model=ctx.model,
        modality="image",
        id=job_id,
        data={"endpoint": family.endpoint},
    )


def _generate(build: Any, n: int, ctx: CallContext) -> Flow[Job]:
    """``n`` calls at once (``send_batch``: refused calls of a partly made batch re-sent once)."""
    results, errors = yield from send_batch(build, n, lambda answer: _image_of(answer, ctx))
    return _finish(results, errors, n, ctx)


def _image_of(answer: httpx.Response, ctx: CallContext) -> _Image:
    if answer.status_code >= 400:
        raise error_for(answer, ctx)
    return image_of(answer, ctx)


def image_of(response: httpx.Response, ctx: CallContext, request_id: str | None = None) -> _Image:
    """The image of a 200 answer, with its ``finish-reason`` and ``seed`` headers.

    Raises:
        MalformedResponseError: The body is not image bytes, or finish-reason is missing.
        GenerationFailedError: A finish-reason other than SUCCESS / CONTENT_FILTERED.
    """
    served = response.headers.get("content-type", "").split(";")[0].strip().lower()
    raw = {"content_type": served, "headers": _stability_headers(response)}
    if not served.startswith("image/") or not response.content:
        preview = response.text[:200] if not served.startswith("image/") else "<empty>"
        raise malformed_response(
            response,
            ctx,
            f"with {served or 'no content type'} instead of an image: {preview!r}",
            raw_response=raw,
            request_id=request_id,
        )
    reason = response.headers.get("finish-reason", "").strip().upper()
    if not reason:
        raise malformed_response(
            response,
            ctx,
            "without the finish-reason header",
            raw_response=raw,
            request_id=request_id,
        )
    if reason not in ("SUCCESS", FILTERED):
        raise GenerationFailedError(
            f"Stability finished with finish-reason {reason}",
            provider=ctx.provider,
            model=ctx.model,
            raw_response=raw,
            request_id=request_id,
        )
    seed = response.headers.get("seed", "")
    return _Image(
        content=response.content,
        content_type=served,
        finish_reason=reason,
        seed=int(seed) if seed.isdigit() else None,
        request_id=response.headers.get("x-request-id") or request_id,
    )


def _stability_headers(response: httpx.Response) -> dict[str, str]:
    return {
        name: response.headers[name]
        for name in ("finish-reason", "seed", "x-request-id")
        if name in response.headers
    }


def _finish(
    results: dict[int, _Image], errors: dict[int, TarashException], n: int, ctx: CallContext
) -> Job:
    kept = [results[i] for i in sorted(results) if results[i].finish_reason != FILTERED]
    filtered = [i for i in sorted(results) if results[i].finish_reason == FILTERED]
    raw: dict[str, Any] = {
        "results": [results[i].meta if i in results else None for i in range(n)],
        "filtered": len(filtered),
    }
    if errors:
        raw["errors"] = {str(i): errors[i].message for i in sorted(errors)}
    if not kept and not errors:
        what = "the image was" if n == 1 else f"all {n} images were"
        raise ContentModerationError(
            f"{what} filtered by Stability's content moderation (finish-reason {FILTERED})",
            provider=ctx.provider,
            model=ctx.model,
            request_id=results[filtered[0]].request_id,
            raw_response=raw,
        )
    moderated = [
        ContentModerationError(
            f"filtered by Stability's content moderation (finish-reason {FILTERED})",
            provider=ctx.provider,
            model=ctx.model,
            request_id=results[i].request_id,
        )
        for i in filtered
    ]
    # Nothing kept: the first error raises. Some kept: returned, the shortfall recorded.
    failures = [*(errors[i] for i in sorted(errors)), *moderated]
    shortfall = settle_batch(len(kept), failures, n, ctx)
    output = {
        "images": [base64.b64encode(image.content).decode("ascii") for image in kept],
        "content_type": kept[0].content_type,
    }
    job_id = kept[0].request_id or f"tarash-{uuid.uuid4().hex}"
    status = JobStatus(
        state="completed", progress_percent=100, output=output, raw=raw, adjustments=shortfall
    )
    return Job(provider=ctx.provider, model=ctx.model, modality="image", id=job_id, status=status)


# ---------------------------------------------------------------- poll
def poll(job: Job, ctx: CallContext) -> Flow[JobStatus]:
    """One check of an asynchronous generation: 202 while in progress, then the image."""
    if job.status is not None:
        return (yield from stored_status(job, ctx))
    response = yield from send(
        httpx.Request(
            "GET", ctx.url(f"/v2beta/results/{quote(job.id, safe='')}"), headers=headers(ctx)
        )
    )
    if response.status_code == 202:
        return JobStatus(state="processing", raw=json_object(response) or {})
    if response.status_code >= 400:
        raise error_for(response, ctx, request_id=job.id)
    image = image_of(response, ctx, request_id=job.id)
    raw = {"results": [image.meta], "filtered": int(image.finish_reason == FILTERED)}
    if image.finish_reason == FILTERED:
        raise ContentModerationError(
            f"the image was filtered by Stability's content moderation (finish-reason {FILTERED})",
            provider=ctx.provider,
            model=ctx.model,
            request_id=job.id,
            raw_response=raw,
        )
    output = {
        "images": [base64.b64encode(image.content).decode("ascii")],
        "content_type": image.content_type,
    }
    return JobStatus(state="completed", progress_percent=100, output=output, raw=raw)
