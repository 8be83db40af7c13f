"""The flows: images and speech answer at once; videos are created, then polled.

Every answer may carry ``usage.cost_in_usd_ticks``, the exact amount xAI billed
(10^10 ticks per US dollar); it becomes ``response.usage``.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import httpx

from tarash.tarash_gateway.exceptions import ContentModerationError
from tarash.tarash_gateway.models import ProviderUsage
from tarash.tarash_gateway.plugin import (
    CallContext,
    Flow,
    Job,
    JobStatus,
    json_body,
    malformed_response,
    send,
    stored_status,
)
from tarash_xai._errors import error_for, job_failure
from tarash_xai._families import CATALOG
from tarash_xai._speech import speak

TICKS_PER_USD = Decimal(10) ** 10
"""xAI's documented rate: 1 USD = 10,000,000,000 ticks."""


def headers(ctx: CallContext) -> dict[str, str]:
    """Bearer auth."""
    return {"Authorization": f"Bearer {ctx.api_key}"}


def usage_of(body: dict[str, Any]) -> ProviderUsage | None:
    """The usage xAI reported in ``body``; None when it reported none.

    ``cost`` is ``cost_in_usd_ticks`` converted exactly at xAI's fixed rate; every
    numeric figure is kept in ``units`` under xAI's name, the object in ``raw``.
    """
    usage = body.get("usage")
    if not isinstance(usage, dict) or not usage:
        return None
    ticks = usage.get("cost_in_usd_ticks")
    if isinstance(ticks, int) and not isinstance(ticks, bool) and ticks >= 0:
        return ProviderUsage.reported(usage, Decimal(ticks) / TICKS_PER_USD, "USD")
    return ProviderUsage.reported(usage)


def submit(payload: dict[str, Any], ctx: CallContext) -> Flow[Job]:
    """Generate images or speech at once, or start a video request."""
    if ctx.modality == "tts":
        return (yield from speak(payload, ctx, headers(ctx)))
    family = CATALOG.select(ctx.model, ctx.modality, ctx.request)
    response = yield from send(
        httpx.Request("POST", ctx.url(family.endpoint), json=payload, headers=headers(ctx))
    )
    if response.status_code >= 400:
        raise error_for(response, ctx)
    body = json_body(response, ctx)
    if ctx.modality == "image":
        return _images(body, response, ctx)
    request_id = body.get("request_id")
    if not isinstance(request_id, str) or not request_id:
        raise malformed_response(response, ctx, "without the request_id", raw_response=body)
    return Job(provider=ctx.provider, model=ctx.model, modality="video", id=request_id)


# ---------------------------------------------------------------- images
def _images(body: dict[str, Any], response: httpx.Response, ctx: CallContext) -> Job:
    items = body.get("data")
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise malformed_response(response, ctx, "without a 'data' list", raw_response=_raw(body))
    usage = usage_of(body)
    blocked = [item for item in items if item.get("respect_moderation") is False]
    kept = [item for item in items if item.get("respect_moderation") is not False]
    raw = {**_raw(body), "blocked": len(blocked)}
    if not kept:
        reason = body.get("block_reason") or "respect_moderation is false"
        what = "the image was" if len(items) == 1 else f"all {len(items)} images were"
        raise ContentModerationError(
            f"{what} blocked by xAI's content moderation ({reason})",
            provider=ctx.provider,
            model=ctx.model,
            raw_response=raw,
        )
    media = [item.get("b64_json") or item.get("url") for item in kept]
    if not all(isinstance(m, str) and m for m in media):
        raise malformed_response(
            response, ctx, "without url or b64_json in an image", raw_response=raw
        )
    mime = next((str(i["mime_type"]) for i in kept if i.get("mime_type")), "image/jpeg")
    revised = next((str(i["revised_prompt"]) for i in kept if i.get("revised_prompt")), None)
    output = {"images": media, "content_type": mime, "revised_prompt": revised, "usage": usage}
    status = JobStatus(state="completed", progress_percent=100, output=output, raw=raw)
    job_id = response.headers.get("x-request-id") or f"tarash-{uuid.uuid4().hex}"
    return Job(provider=ctx.provider, model=ctx.model, modality="image", id=job_id, status=status)


def _raw(body: dict[str, Any]) -> dict[str, Any]:
    """The answer for ``raw_response``, base64 images replaced by their size."""
    items = body.get("data")
    if not isinstance(items, list):
        return body
    return {
        **body,
        "data": [
            {**item, "b64_json": f"<base64, {len(item['b64_json'])} characters>"}
            if isinstance(item, dict) and isinstance(item.get("b64_json"), str)
            else item
            for item in items
        ],
    }


# ---------------------------------------------------------------- video
def poll(job: Job, ctx: CallContext) -> Flow[JobStatus]:
    """One check of a video request: pending (202), done, failed or expired."""
    if job.status is not None:
        return (yield from stored_status(job, ctx))
    response = yield from send(
        httpx.Request("GET", ctx.url(f"/videos/{quote(job.id, safe='')}"), headers=headers(ctx))
    )
    if response.status_code >= 400:
        raise error_for(response, ctx, request_id=job.id)
    body = json_body(response, ctx)
    status = body.get("status")
    progress = body.get("progress")
    percent = max(0, min(100, int(progress))) if isinstance(progress, int | float) else None
    if status == "pending" or (response.status_code == 202 and status is None):
        return JobStatus(state="processing", progress_percent=percent, raw=body)
    if status in ("failed", "expired"):
        raise job_failure(body, ctx, job.id)
    if status != "done":
        raise malformed_response(
            response, ctx, f"with status {status!r}", raw_response=body, request_id=job.id
        )
    video = body.get("video")
    if not isinstance(video, dict):
        raise malformed_response(
            response, ctx, "done without the video", raw_response=body, request_id=job.id
        )
    if video.get("respect_moderation") is False:
        raise ContentModerationError(
            f"the video of request {job.id} was blocked by xAI's content moderation "
            "(respect_moderation is false)",
            provider=ctx.provider,
            model=ctx.model,
            request_id=job.id,
            raw_response=body,
        )
    url = video.get("url")
    if not isinstance(url, str) or not url:
        raise malformed_response(
            response, ctx, "done without the video's url", raw_response=body, request_id=job.id
        )
    output: dict[str, Any] = {"video": url, "content_type": "video/mp4", "usage": usage_of(body)}
    if isinstance(video.get("duration"), int | float):
        output["duration"] = float(video["duration"])
    return JobStatus(state="completed", progress_percent=100, output=output, raw=body)
