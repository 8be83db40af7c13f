"""Configuration of the mock provider (re-exported by :mod:`tarash.tarash_gateway.mock`)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

StatusStep = Literal["queued", "processing", "completed", "failed"]


def _default_sequence() -> list[StatusStep]:
    return ["queued", "processing", "completed"]


class MockPollingConfig(BaseModel):
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


class MockResponse(BaseModel):
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


class MockConfig(BaseModel):
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
        default=None, description="Weighted outcomes; None = one success with sample media."
    )
    polling: MockPollingConfig | None = None
    seed: int | None = Field(default=None, description="Seed the weighted choice (repeatable).")

    def outcomes(self) -> list[MockResponse]:
        """Return the configured outcomes, or the default single success."""
        return list(self.responses) if self.responses else [MockResponse()]
