"""The offline mock provider: ``provider="mock"``, or ``config.mock=MockConfig(enabled=True)``.

It ships in tarash-core and registers through the ``tarash.providers`` entry
point like any plugin. It makes no network call and returns real media that
follows the request: a PNG of the requested size or aspect ratio, an MP4 shaped
like the requested aspect ratio (landscape, portrait or square), speech in the
requested format. ``MockConfig`` picks weighted outcomes (media, a ready
response, or any exception to raise) and simulates queueing and progress with
``MockPollingConfig``.

``provider="mock"`` refuses what every provider refuses (see ``_mock_checks``).
``config.mock`` on a real provider's config runs that plugin's own checks and
mapping offline (the core does it before the mock answers); the mock then puts
the payload the plugin built into ``raw_response["payload"]``.
"""

from __future__ import annotations

import base64
import random
import uuid
from types import SimpleNamespace
from typing import Any

import httpx

from tarash.tarash_gateway import _mock_media
from tarash.tarash_gateway._media import is_url, to_bytes
from tarash.tarash_gateway._mock_checks import check_mock_request
from tarash.tarash_gateway._mock_config import (
    MockConfig,
    MockPollingConfig,
    MockResponse,
    from_provider_config,
)
from tarash.tarash_gateway.capabilities import ModelCapabilities, request_model_fields
from tarash.tarash_gateway.exceptions import GenerationFailedError, TarashException
from tarash.tarash_gateway.models import (
    MODALITIES,
    AudioOutputFormat,
    Modality,
    format_to_content_type,
)
from tarash.tarash_gateway.plugin import (
    CallContext,
    Flow,
    Job,
    JobStatus,
    ProviderInfo,
    ProviderPlugin,
    StreamStart,
)

__all__ = ["MockConfig", "MockPollingConfig", "MockProvider", "MockResponse", "plugin"]

PROVIDER = "mock"
_RESPONSE_ENVELOPE = {
    "request_id",
    "status",
    "is_mock",
    "raw_response",
    "execution_metadata",
    "provider",
    "model",
}


class MockProvider(ProviderPlugin):
    """The mock: every modality, no key, no network."""

    name = PROVIDER

    def info(self) -> ProviderInfo:
        """Every modality, no key; the base URL is never contacted."""
        return ProviderInfo(
            name=PROVIDER,
            modalities=list(MODALITIES),
            default_base_url="http://mock.invalid",
            requires_api_key=False,
            default_models={m: f"mock-{m}" for m in MODALITIES},
        )

    def supports_modality(self, model: str, modality: Modality) -> bool:
        """Every model of the mock supports every modality."""
        return True

    def describe_model(self, model: str, modality: Modality) -> ModelCapabilities:
        """The mock takes every standard field, within the request model's own limits."""
        return ModelCapabilities(
            provider=PROVIDER,
            model=model,
            modality=modality,
            family="mock",
            fields=request_model_fields(modality),
            notes="offline: real media shaped by the request; no network, no key",
        )

    def list_models(self) -> list[ModelCapabilities]:
        """One default model per modality."""
        return [self.describe_model(f"mock-{m}", m) for m in MODALITIES]

    def stream(self, payload: dict[str, Any], ctx: CallContext) -> Flow[StreamStart] | None:
        """Speech (tts, sts) as a stream; None for video and image."""
        return _stream(ctx) if ctx.modality in ("tts", "sts") else None

    def map_fields(
        self, model: str, modality: Modality, request: Any, config: Any
    ) -> dict[str, Any]:
        """The request's own fields (the mock reads them back), once they pass its checks."""
        check_mock_request(request)
        from_provider_config(config.provider_config)
        return {"model": model, **request.model_dump(exclude_none=True, exclude={"extra_params"})}

    def submit(self, payload: dict[str, Any], ctx: CallContext) -> Flow[Job]:
        """Pick an outcome; finish at once unless polling is simulated."""
        return _submit(payload, ctx)

    def poll(self, job: Job, ctx: CallContext) -> Flow[JobStatus]:
        """Advance the simulated status sequence by one step."""
        return _poll(job, ctx)

    def cancel(self, job: Job, ctx: CallContext) -> Flow[None]:
        """Mark the job cancelled (there is nothing remote to stop)."""
        return _cancel(job)


plugin = MockProvider()
"""The instance the ``mock`` entry point registers."""


# ---------------------------------------------------------------- flows
def _settings(ctx: CallContext) -> MockConfig:
    if ctx.config.mock is not None:
        return ctx.config.mock
    return from_provider_config(ctx.provider_config) or MockConfig(enabled=True)


def _polling(mock: MockConfig) -> MockPollingConfig | None:
    return mock.polling if mock.polling is not None and mock.polling.enabled else None


def _mocked_provider(ctx: CallContext) -> str | None:
    """The real provider whose config routed this call here (None for provider="mock")."""
    provider = ctx.config.provider
    return None if provider == PROVIDER else provider


def _submit(payload: dict[str, Any], ctx: CallContext) -> Flow[Job]:
    mock = _settings(ctx)
    outcomes = mock.outcomes()
    rng = random.Random(mock.seed)
    index = rng.choices(range(len(outcomes)), weights=[o.weight for o in outcomes])[0]
    job = Job(
        provider=PROVIDER,
        model=ctx.model,
        modality=ctx.modality,
        id=f"mock_{uuid.uuid4().hex}",
        data={"outcome": index, "step": 0, "request": _request_summary(ctx.request)},
    )
    if _mocked_provider(ctx) is not None:
        job.data["payload"] = payload
    if _polling(mock) is None:
        job.status = _finish(job, ctx, outcomes[index], {"mock": True})
    return job
    yield  # a flow is a generator, even when it needs no request


def _stream(ctx: CallContext) -> Flow[StreamStart]:
    """The mock's speech as a stream (in memory: the driver reads it like a network body)."""
    mock = _settings(ctx)
    outcomes = mock.outcomes()
    index = random.Random(mock.seed).choices(
        range(len(outcomes)), weights=[o.weight for o in outcomes]
    )[0]
    job_id = f"mock_{uuid.uuid4().hex}"
    job = Job(provider=PROVIDER, model=ctx.model, modality=ctx.modality, id=job_id)
    output = _finish(job, ctx, outcomes[index], {"mock": True}).output or {}
    audio = base64.b64decode(output.get("audio", ""))
    content_type = str(output.get("content_type", "application/octet-stream"))
    response = httpx.Response(200, content=audio, headers={"Content-Type": content_type})
    return StreamStart(response, content_type, job_id, {"mock": True})
    yield  # a flow is a generator, even when it needs no request


def _poll(job: Job, ctx: CallContext) -> Flow[JobStatus]:
    mock = _settings(ctx)
    polling = _polling(mock)
    assert polling is not None
    step = int(job.data["step"])
    job.data["step"] = step + 1
    sequence = polling.status_sequence
    raw: dict[str, Any] = {"mock": True, "step": step}
    if polling.custom_updates and step < len(polling.custom_updates):
        raw.update(polling.custom_updates[step])
    state = sequence[step] if step < len(sequence) else "completed"
    outcome = mock.outcomes()[int(job.data["outcome"])]
    if state == "failed":
        raise GenerationFailedError("mock job failed (status_sequence)", request_id=job.id)
    if state == "completed":
        return _finish(job, ctx, outcome, raw)
    progress = None
    if polling.progress_percentages and step < len(polling.progress_percentages):
        progress = polling.progress_percentages[step]
    return JobStatus(
        state=state,
        progress_percent=progress,
        queue_position=max(0, sequence.index("processing") - step - 1)
        if state == "queued" and "processing" in sequence
        else None,
        logs=[f"mock step {step + 1}/{len(sequence)}: {state}"],
        raw=raw,
        poll_after=polling.delay_between_updates,
    )
    yield  # pragma: no cover - makes this function a generator


def _cancel(job: Job) -> Flow[None]:
    job.data["cancelled"] = True
    return None
    yield  # pragma: no cover


# ---------------------------------------------------------------- outcomes
def _finish(job: Job, ctx: CallContext, outcome: MockResponse, raw: dict[str, Any]) -> JobStatus:
    if outcome.error is not None:
        error = outcome.error
        if isinstance(error, TarashException):
            error.request_id = error.request_id or job.id
        raise error
    if outcome.mock_response is not None:
        fields = outcome.mock_response.model_dump()
        output = {k: v for k, v in fields.items() if k not in _RESPONSE_ENVELOPE}
        return JobStatus(
            state="completed", output=output, raw=dict(fields.get("raw_response") or raw)
        )
    output = _media_for(job, ctx, outcome)
    raw = {**raw, "mock": True, **output.pop("_raw", {})}
    if _mocked_provider(ctx) is not None:
        raw.update(provider=_mocked_provider(ctx), payload=job.data.get("payload"))
    return JobStatus(state="completed", output=output, raw=raw)


def _request_summary(request: Any) -> dict[str, Any]:
    """What the mock's media depend on, kept in the job for polls in another process."""
    names = {"size", "n", "seed", "text", "output_format", "aspect_ratio", "duration_seconds"}
    fields = (names | {"resolution"}) & set(type(request).model_fields)
    return request.model_dump(mode="json", include=fields)  # type: ignore[no-any-return]


def _request_of(job: Job, ctx: CallContext) -> Any:
    if ctx.request is not None:
        return ctx.request
    saved = dict(job.data.get("request") or {})
    if "output_format" in saved:
        saved["output_format"] = AudioOutputFormat.model_validate(saved["output_format"])
    defaults = {"size": None, "n": None, "seed": None, "text": "", "aspect_ratio": None}
    defaults.update(duration_seconds=None, resolution=None)
    return SimpleNamespace(**{**defaults, **saved})


def _media_for(job: Job, ctx: CallContext, outcome: MockResponse) -> dict[str, Any]:
    request: Any = _request_of(job, ctx)
    if ctx.modality == "video":
        if outcome.output_video is not None:
            video = outcome.output_video
            if outcome.output_video_type == "content" and not is_url(video):
                data, content_type = to_bytes(video, "video/mp4")
                video = {"content": data, "content_type": content_type}
            return {"video": video, "content_type": "video/mp4"}
        return _video(request)
    if ctx.modality == "image":
        if outcome.output_images is not None:
            return {"images": list(outcome.output_images)}
        width, height = _mock_media.image_size(request.size, request.aspect_ratio)
        count = request.n or 1
        seed = request.seed or 0
        images = [
            base64.b64encode(_mock_media.png(width, height, seed + i)).decode("ascii")
            for i in range(count)
        ]
        return {
            "images": images,
            "content_type": "image/png",
            "_raw": {"file": {"width": width, "height": height}},
        }
    if outcome.output_audio is not None:
        data, content_type = to_bytes(outcome.output_audio, "audio/mpeg")
        return {"audio": base64.b64encode(data).decode("ascii"), "content_type": content_type}
    return _speech(request)


def _video(request: Any) -> dict[str, Any]:
    """The shipped sample shaped like the request; the requested duration/resolution echoed."""
    data, width, height = _mock_media.video_sample(request.aspect_ratio)
    shape = {(320, 180): "16:9", (180, 320): "9:16", (240, 240): "1:1"}[(width, height)]
    return {
        "video": {"content": data, "content_type": "video/mp4"},
        "content_type": "video/mp4",
        "duration": float(request.duration_seconds or _mock_media.VIDEO_SECONDS),
        "resolution": request.resolution or f"{width}x{height}",
        "aspect_ratio": request.aspect_ratio or shape,
        "_raw": {"file": {"width": width, "height": height, "seconds": _mock_media.VIDEO_SECONDS}},
    }


def _speech(request: Any) -> dict[str, Any]:
    """Audio in the requested format, sample rate and (for MP3) bitrate."""
    fmt = request.output_format
    text = getattr(request, "text", "") or ""
    seconds = max(0.5, min(10.0, len(text) / 15))
    rate = fmt.sample_rate or 16000
    file: dict[str, Any] = {"format": fmt.format, "sample_rate": rate}
    if fmt.format == "mp3":
        data, file["sample_rate"], file["bitrate"] = _mock_media.mp3(fmt.sample_rate, fmt.bitrate)
        seconds = _mock_media.AUDIO_SAMPLE_SECONDS
    elif fmt.format == "pcm":
        data = _mock_media.pcm(seconds, rate)
    elif fmt.format in ("ulaw", "alaw"):
        file["sample_rate"] = rate = fmt.sample_rate or 8000
        data = _mock_media.g711(seconds, rate, fmt.format)
    elif fmt.format in _mock_media.COMPRESSED_SAMPLES:
        name, file["sample_rate"] = _mock_media.COMPRESSED_SAMPLES[fmt.format]
        data, seconds = _mock_media.sample(name), _mock_media.AUDIO_SAMPLE_SECONDS
    else:
        data = _mock_media.wav(seconds, rate)
    return {
        "audio": base64.b64encode(data).decode("ascii"),
        "content_type": format_to_content_type(fmt.format),
        "duration": round(seconds, 3),
        "_raw": {"file": file},
    }
