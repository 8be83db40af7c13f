"""Configuration of the mock provider (re-exported by :mod:`tarash.tarash_gateway.mock`)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field, model_validator

from tarash.tarash_gateway._validation import TarashModel

StatusStep = Literal["queued", "processing", "completed", "failed"]


def _default_sequence() -> list[StatusStep]:
    return ["queued", "processing", "completed"]


class MockPollingConfig(TarashModel):
    """The progress sequence the mock reports before it answers."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    enabled: bool = True
    status_sequence: list[StatusStep] = Field(default_factory=lambda: _default_sequence())
    delay_between_updates: float = Field(default=0.5, ge=0, description="Seconds per step.")
    progress_percentages: list[int] | None = None
    custom_updates: list[dict[str, Any]] | None = None

    @model_validator(mode="after")
    def _lengths_match(self) -> MockPollingConfig:
        steps = len(self.status_sequence)
        for name in ("progress_percentages", "custom_updates"):
            value = getattr(self, name)
            if value is not None and len(value) != steps:
                raise ValueError(f"{name} has {len(value)} entries; status_sequence has {steps}")
        return self


class MockResponse(TarashModel):
    """One weighted outcome of the mock.

    Set at most one of ``mock_response`` (returned as is), an ``output_*`` value
    (media to return) or ``error`` (any exception, typically a TarashException,
    raised instead of answering). With none set, the mock returns sample media.
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True, defer_build=True)

    weight: float = Field(default=1.0, gt=0)
    mock_response: Any | None = Field(default=None, description="A response model to return.")
    output_video: Any | None = None
    output_video_type: Literal["url", "content"] = "url"
    output_images: list[str] | None = None
    output_audio: Any | None = None
    error: BaseException | None = None

    @model_validator(mode="after")
    def _one_outcome(self) -> MockResponse:
        outcomes = [
            self.mock_response is not None,
            self.output_video is not None or self.output_images is not None,
            self.output_audio is not None,
            self.error is not None,
        ]
        if sum(outcomes) > 1:
            raise ValueError("set at most one of mock_response, output_* and error")
        return self


class MockConfig(TarashModel):
    """Route a call to the offline mock provider, whatever ``provider`` says.

    Example::

        config = VideoGenerationConfig(
            provider="fal", model="fal-ai/veo3",
            mock=MockConfig(enabled=True, polling=MockPollingConfig(delay_between_updates=0.1)),
        )
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True, defer_build=True)

    enabled: bool = True
    responses: list[MockResponse] | None = Field(
        default_factory=lambda: [MockResponse()],
        description="Weighted outcomes; the default is one success with sample media.",
    )
    polling: MockPollingConfig | None = None
    seed: int | None = Field(default=None, description="Seed the weighted choice (repeatable).")

    def outcomes(self) -> list[MockResponse]:
        """Return the configured outcomes, or the default single success."""
        return list(self.responses) if self.responses else [MockResponse()]


# ---------------------------------------------------------------- from provider_config
MOCK_SETTINGS = {
    "delay": "seconds the job runs: queued, then processing with progress (default 0)",
    "fail": "how the job fails: "
    + ", ".join(("rate_limit", "server_error", "connection", "moderation", "failed", "timeout")),
}
"""``provider_config`` keys of ``provider="mock"`` (the CLI's ``--provider-config``)."""

_PROGRESS_STEPS: list[StatusStep] = ["queued", "queued", "processing", "processing", "processing"]


def _failure(kind: str) -> BaseException:
    from tarash.tarash_gateway import exceptions as errors

    failures: dict[str, BaseException] = {
        "rate_limit": errors.HTTPError("mock: rate limited", status_code=429),
        "server_error": errors.HTTPError("mock: service unavailable", status_code=503),
        "connection": errors.HTTPConnectionError("mock: connection dropped"),
        "moderation": errors.ContentModerationError("mock: the prompt was refused"),
        "failed": errors.GenerationFailedError("mock: the job failed"),
        "timeout": errors.TimeoutError("mock: the job did not finish in time"),
    }
    return failures[kind]


def from_provider_config(settings: dict[str, Any]) -> MockConfig | None:
    """A MockConfig from ``provider_config`` (``delay``, ``fail``); None when neither is set.

    Raises:
        ValidationError: An unknown key or value, naming what is accepted.
    """
    from tarash.tarash_gateway.exceptions import ValidationError

    unknown = sorted(set(settings) - set(MOCK_SETTINGS))
    if unknown:
        accepted = "; ".join(f"{key}: {what}" for key, what in MOCK_SETTINGS.items())
        raise ValidationError(
            f"provider_config {unknown} is not read by the mock; accepted: {accepted}"
        )
    delay, fail = settings.get("delay", 0), settings.get("fail")
    if isinstance(delay, bool) or not isinstance(delay, int | float) or delay < 0:
        raise ValidationError(
            f"provider_config delay={delay!r} is not accepted; accepted: seconds >= 0"
        )
    kinds = MOCK_SETTINGS["fail"].split(": ", 1)[1].split(", ")
    if fail is not None and fail not in kinds:
        raise ValidationError(
            f"provider_config fail={fail!r} is not accepted; accepted: {', '.join(kinds)}"
        )
    if not delay and fail is None:
        return None
    polling = None
    if delay:
        polling = MockPollingConfig(
            status_sequence=list(_PROGRESS_STEPS),
            progress_percentages=[0, 0, 20, 50, 80],
            delay_between_updates=float(delay) / len(_PROGRESS_STEPS),
        )
    responses = [MockResponse(error=_failure(fail))] if fail is not None else None
    return MockConfig(responses=responses, polling=polling)
