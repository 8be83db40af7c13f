"""What the engine records about a call: one AttemptMetadata per provider tried.

Re-exported by :mod:`tarash.tarash_gateway.models`; kept apart so that
:mod:`tarash.tarash_gateway.exceptions` can name it without importing the models.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class MappingAdjustment(BaseModel):
    """A value changed from what was asked (never silent: recorded here).

    Either the mapping changed it (``sent`` is what went to the provider), or a
    batch delivered fewer results than asked (``field="n"``, ``asked`` the number
    asked, ``sent`` the number delivered, ``why`` what the others failed with).
    """

    model_config = ConfigDict(defer_build=True)

    field: str = Field(description="The request field.")
    sent_as: str = Field(description="The provider's field.")
    asked: Any = None
    sent: Any = None
    why: str = ""


class AttemptMetadata(BaseModel):
    """One provider attempt within a fallback chain."""

    model_config = ConfigDict(defer_build=True)

    provider: str
    model: str | None
    attempt_number: int = Field(description="1-based position in the chain.")
    started_at: datetime = Field(description="UTC, timezone-aware.")
    ended_at: datetime | None = Field(default=None, description="UTC, timezone-aware.")
    status: Literal["success", "failed", "skipped"]
    error_type: str | None = None
    error_message: str | None = None
    is_retryable: bool | None = None
    request_id: str | None = Field(default=None, description="The provider's job id, if any.")
    adjustments: list[MappingAdjustment] = Field(
        default_factory=list, description="Values the mapping changed from what was asked."
    )

    @property
    def elapsed_seconds(self) -> float | None:
        """Seconds between start and end of the attempt (None while running)."""
        if self.ended_at is None:
            return None
        return (self.ended_at - self.started_at).total_seconds()


class ExecutionMetadata(BaseModel):
    """Every attempt the engine made for one call, in order."""

    model_config = ConfigDict(defer_build=True)

    total_attempts: int
    successful_attempt: int | None = Field(description="1-based index, None on total failure.")
    attempts: list[AttemptMetadata]
    fallback_triggered: bool
    configs_in_chain: int

    @property
    def total_elapsed_seconds(self) -> float:
        """Wall time from the first attempt's start to the last attempt's end."""
        if not self.attempts:
            return 0.0
        start = self.attempts[0].started_at
        end = max((a.ended_at for a in self.attempts if a.ended_at is not None), default=start)
        return (end - start).total_seconds()
