"""The flows: Veo operations (start, poll, download) and one-shot Gemini image calls.

Flows do no I/O: they yield ``httpx.Request`` and receive ``httpx.Response`` from the
core (see :mod:`tarash.tarash_gateway.plugin`).
"""

from __future__ import annotations

import base64
import copy
import re
import uuid
from typing import Any
from urllib.parse import urlsplit

import httpx

from tarash.tarash_gateway.exceptions import TarashException
from tarash.tarash_gateway.plugin import (
    CallContext,
    Flow,
    Job,
    JobStatus,
    fetch_media,
    json_body,
    malformed_response,
    send,
    send_batch,
    settle_batch,
)
from tarash_google._endpoints import fetch_operation_url, headers, model_url, operation_url
from tarash_google._errors import (
    error_from_response,
    filtered,
    image_refusal,
    operation_failure,
)
from tarash_google._families import FETCH, GOOGLE


def submit(payload: dict[str, Any], ctx: CallContext) -> Flow[Job]:
    """The submit flow of ``ctx.modality``: start a Veo operation, or generate an image."""
    payload = copy.deepcopy(payload)
    if ctx.modality == "image":
        return (yield from _generate_image(payload, ctx))
    return (yield from _start_video(payload, ctx))


# ---------------------------------------------------------------- media
def _inline(image: dict[str, Any], ctx: CallContext, *, veo: bool) -> Flow[None]:
    """Replace ``{"_url": url}`` in ``image`` by the downloaded bytes (no key sent)."""
    url = image.pop(FETCH, None)
    if url is None:
        return
    data, content_type = yield from fetch_media(url, ctx, "image_list", "image/png", "image/*")
    encoded = base64.b64encode(data).decode("ascii")
    if veo:
        image.update(bytesBase64Encoded=encoded, mimeType=content_type)
    else:
        image.update(mimeType=content_type, data=encoded)


def _veo_images(instance: dict[str, Any]) -> list[dict[str, Any]]:
    images = [instance[key] for key in ("image", "lastFrame") if key in instance]
    return images + [ref["image"] for ref in instance.get("referenceImages", [])]


# ---------------------------------------------------------------- video
def _start_video(payload: dict[str, Any], ctx: CallContext) -> Flow[Job]:
    for image in _veo_images(payload["instances"][0]):
        yield from _inline(image, ctx, veo=True)
    auth = yield from headers(ctx)
    request = httpx.Request(
        "POST", model_url(ctx, "predictLongRunning"), json=payload, headers=auth
    )
    response = yield from send(request)
    if response.status_code >= 400:
        raise error_from_response(response, ctx)
    operation = json_body(response, ctx)
    name = operation.get("name")
    if not isinstance(name, str) or not name:
        raise malformed_response(
            response, ctx, "without the operation's name", raw_response=operation
        )
    parameters = payload.get("parameters", {})
    shape = {
        "duration": parameters.get("durationSeconds"),
        "resolution": parameters.get("resolution"),
        "aspect_ratio": parameters.get("aspectRatio"),
    }
    data = {"shape": {k: v for k, v in shape.items() if v is not None}}
    return Job(provider=ctx.provider, model=ctx.model, modality="video", id=name, data=data)


def poll(job: Job, ctx: CallContext) -> Flow[JobStatus]:
    """One check of a Veo operation; when done, the video's bytes."""
    auth = yield from headers(ctx)
    if ctx.provider == GOOGLE:
        request = httpx.Request("GET", operation_url(ctx, job.id), headers=auth)
    else:
        request = httpx.Request(
            "POST",
            fetch_operation_url(ctx, job.id),
            json={"operationName": job.id},
            headers=auth,
        )
    response = yield from send(request)
    if response.status_code >= 400:
        raise error_from_response(response, ctx, request_id=job.id)
    operation = json_body(response, ctx)
    if not operation.get("done"):
        return JobStatus(state="processing", raw=operation)
    if operation.get("error"):
        raise operation_failure(operation, ctx)
    result = operation.get("response")
    if not isinstance(result, dict):
        raise malformed_response(
            response,
            ctx,
            "a done operation without 'response' or 'error'",
            raw_response=operation,
            request_id=job.id,
        )
    if ctx.provider == GOOGLE:
        result = result.get("generateVideoResponse") or {}
        samples = [s.get("video") for s in result.get("generatedSamples") or []]
    else:
        samples = list(result.get("videos") or [])
    samples = [s for s in samples if isinstance(s, dict)]
    if not samples:
        raise filtered(result, ctx, job.id)
    video, content_type = yield from _video_of(samples[0], ctx, job, response)
    output: dict[str, Any] = {
        "video": video,
        "content_type": content_type,
        **job.data.get("shape", {}),
    }
    return JobStatus(
        state="completed", progress_percent=100, output=output, raw=_scrubbed(operation)
    )


def _video_of(
    sample: dict[str, Any], ctx: CallContext, job: Job, status: httpx.Response
) -> Flow[tuple[Any, str]]:
    """The video of one sample: inline bytes, a downloaded file, or the user's gs:// URI."""
    encoded = sample.get("bytesBase64Encoded") or sample.get("encodedVideo")
    content_type = str(sample.get("mimeType") or sample.get("encoding") or "video/mp4")
    if isinstance(encoded, str) and encoded:
        try:
            data = base64.b64decode(encoded, validate=True)
        except ValueError:
            raise malformed_response(
                status, ctx, "with a video that is not base64", request_id=job.id
            ) from None
        return {"content": data, "content_type": content_type}, content_type
    uri = sample.get("uri") or sample.get("gcsUri")
    if not isinstance(uri, str) or not uri:
        raise malformed_response(
            status, ctx, "with a video sample without bytes or uri", request_id=job.id
        )
    if uri.startswith("gs://"):
        return uri, content_type  # written to the bucket the user chose (storageUri)
    return (yield from _download(uri, ctx, job))


def _download(uri: str, ctx: CallContext, job: Job) -> Flow[tuple[Any, str]]:
    """Download a generated file; the key goes (in a header) only to the API's own host."""
    auth: dict[str, str] = {}
    if urlsplit(uri).netloc == urlsplit(ctx.base_url).netloc:
        auth = yield from headers(ctx)
    response = yield from send(httpx.Request("GET", uri, headers=auth))
    if response.status_code >= 400:
        raise error_from_response(response, ctx, request_id=job.id)
    served = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if not response.content or served in ("application/json", "text/html", "text/plain"):
        raise malformed_response(response, ctx, "without the video's bytes", request_id=job.id)
    content_type = served if served.startswith("video/") else "video/mp4"
    return {"content": response.content, "content_type": content_type}, content_type


def _scrubbed(operation: dict[str, Any]) -> dict[str, Any]:
    """The operation for ``raw_response``, inline base64 videos replaced by their size."""
    scrubbed = copy.deepcopy(operation)
    result = scrubbed.get("response") or {}
    for video in result.get("videos") or []:
        if isinstance(video, dict) and isinstance(video.get("bytesBase64Encoded"), str):
            video["bytesBase64Encoded"] = f"<base64, {len(video['bytesBase64Encoded'])} characters>"
    for sample in (result.get("generateVideoResponse") or {}).get("generatedSamples") or []:
        video = sample.get("video") if isinstance(sample, dict) else None
        if isinstance(video, dict) and isinstance(video.get("encodedVideo"), str):
            video["encodedVideo"] = f"<base64, {len(video['encodedVideo'])} characters>"
    return scrubbed


# ---------------------------------------------------------------- images
def _generate_image(payload: dict[str, Any], ctx: CallContext) -> Flow[Job]:
    """One generateContent call per image: ``n`` calls side by side (``send_batch``)."""
    for part in payload["contents"][0]["parts"]:
        if "inlineData" in part:
            yield from _inline(part["inlineData"], ctx, veo=False)
    auth = yield from headers(ctx)
    url = model_url(ctx, "generateContent")
    n = getattr(ctx.request, "n", None) or 1
    made, failed = yield from send_batch(
        lambda: httpx.Request("POST", url, json=payload, headers=auth),
        n,
        lambda answer: _image_answer(answer, ctx),
    )
    return _image_job([made[i] for i in sorted(made)], [failed[i] for i in sorted(failed)], n, ctx)


def _image_answer(
    answer: httpx.Response, ctx: CallContext
) -> tuple[list[str], str, dict[str, Any]]:
    """(base64 images, content type, body) of one generateContent answer, or raise."""
    if answer.status_code >= 400:
        raise error_from_response(answer, ctx)
    body = json_body(answer, ctx)
    images: list[str] = []
    content_type = "image/png"
    for candidate in body.get("candidates") or []:
        parts = ((candidate or {}).get("content") or {}).get("parts") or []
        for part in parts:
            inline = part.get("inlineData") if isinstance(part, dict) else None
            if isinstance(inline, dict) and isinstance(inline.get("data"), str):
                images.append(inline["data"])
                content_type = str(inline.get("mimeType") or content_type)
    if not images:
        raise image_refusal(body, ctx, _response_id(body))
    return images, content_type, body


def _response_id(body: dict[str, Any]) -> str:
    return str(body.get("responseId") or f"tarash-{uuid.uuid4().hex}")


def _image_job(
    made: list[tuple[list[str], str, dict[str, Any]]],
    failed: list[TarashException],
    n: int,
    ctx: CallContext,
) -> Job:
    """The completed job; of a partly failed batch, the images made (see ``settle_batch``)."""
    shortfall = settle_batch(len(made), failed, n, ctx)
    images = [image for answer_images, _, _ in made for image in answer_images]
    bodies = [_without_images(body) for _, _, body in made]
    raw: dict[str, Any] = bodies[0] if n == 1 and bodies else {"responses": bodies}
    if failed:
        raw["errors"] = [e.message for e in failed]
    output: dict[str, Any] = {"images": images, "content_type": made[0][1]}
    usage = usage_of([body for _, _, body in made])
    if usage is not None:
        output["usage"] = usage
    status = JobStatus(
        state="completed", progress_percent=100, output=output, raw=raw, adjustments=shortfall
    )
    job_id = _response_id(made[0][2])
    return Job(provider=ctx.provider, model=ctx.model, modality="image", id=job_id, status=status)


def usage_of(bodies: list[dict[str, Any]]) -> dict[str, Any] | None:
    """``usageMetadata`` as a ProviderUsage: token counts (summed over calls), figures verbatim."""
    reported = [b["usageMetadata"] for b in bodies if isinstance(b.get("usageMetadata"), dict)]
    if not reported:
        return None
    units: dict[str, int | float] = {}
    for metadata in reported:
        for key, value in metadata.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                name = re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()
                units[name] = units.get(name, 0) + value
    return {"units": units, "raw": reported[0] if len(reported) == 1 else {"calls": reported}}


def _without_images(body: dict[str, Any]) -> dict[str, Any]:
    """The answer for ``raw_response`` (keeps usageMetadata), image data replaced by size."""
    scrubbed = copy.deepcopy(body)
    for candidate in scrubbed.get("candidates") or []:
        for part in ((candidate or {}).get("content") or {}).get("parts") or []:
            inline = part.get("inlineData") if isinstance(part, dict) else None
            if isinstance(inline, dict) and isinstance(inline.get("data"), str):
                inline["data"] = f"<base64, {len(inline['data'])} characters>"
    return scrubbed
