"""The types a provider plugin works with: flows, the job handle, provider info, call context.

Re-exported by :mod:`tarash.tarash_gateway.plugin` (import them from there); they
live here, below the flow helpers and the plugin base class, so that every module
that needs them depends only downward.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, TypeVar

import httpx
from pydantic import BaseModel, ConfigDict, Field

from tarash.tarash_gateway.models import Modality
from tarash.tarash_gateway.providers.field_mappers import FieldMapper

if TYPE_CHECKING:
    from tarash.tarash_gateway.models import GenerationConfig, GenerationRequest

T = TypeVar("T")


class Concurrently:
    """Yield ``Concurrently(requests)`` from a flow to send several requests at once.

    The core sends them side by side (async: one task each; sync: one thread each,
    all on the pooled client and under the provider's in-flight limit) and answers
    with a list in the same order: the ``httpx.Response`` of each request, or the
    TarashException its transport failure maps to (connection dropped, timeout).
    Transport failures are handed to the flow instead of ending it, so a flow that
    has already been answered for some paid requests decides what to do with them.
    """

    __slots__ = ("requests",)

    def __init__(self, requests: Sequence[httpx.Request]) -> None:
        self.requests = tuple(requests)

    def __repr__(self) -> str:
        return f"Concurrently({len(self.requests)} requests)"


class Sleep:
    """Yield ``Sleep(seconds)`` from a flow to wait without blocking the event loop."""

    __slots__ = ("seconds",)

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def __repr__(self) -> str:
        return f"Sleep({self.seconds})"


Flow: TypeAlias = Generator[httpx.Request | Sleep | Concurrently, httpx.Response | None, T]
"""A sans-I/O generator: yields requests (or Sleep), receives responses, returns T.

``answers = yield from send_all(requests)`` sends several requests concurrently."""

JobState = Literal["queued", "processing", "completed"]


class JobStatus(BaseModel):
    """One status check of a job, as a poll flow returns it.

    A failed job is not a status: the poll flow raises GenerationFailedError
    (or ContentModerationError) instead.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True, defer_build=True)

    state: JobState
    progress_percent: int | None = Field(default=None, ge=0, le=100)
    queue_position: int | None = None
    logs: list[str] = Field(default_factory=list, description="New log lines since last poll.")
    output: dict[str, Any] | None = Field(
        default=None,
        description="When completed: the response fields (video=..., images=..., audio=...).",
    )
    raw: dict[str, Any] = Field(default_factory=dict, description="The provider's status body.")
    poll_after: float | None = Field(
        default=None, description="Seconds the provider asks us to wait before the next poll."
    )
    adjustments: list[dict[str, Any]] = Field(
        default_factory=list,
        description=(
            "When completed: how the result differs from what was asked (a batch's "
            "shortfall, from settle_batch); recorded on the attempt's adjustments."
        ),
    )


STREAM_EXTENSION = "tarash.stream"


def streamed(request: httpx.Request) -> httpx.Request:
    """Mark ``request`` so the core answers it without reading the body (streaming).

    Yield the marked request from a ``stream`` flow: the answer's status and
    headers arrive at once; a success body is then read in chunks by the core, an
    error body is read whole first, so the flow can map it with
    ``error_for_response``.
    """
    request.extensions[STREAM_EXTENSION] = True
    return request


@dataclass
class StreamStart:
    """What a stream flow returns: the open response and what the caller should know.

    Attributes:
        response: The answer to the ``streamed`` request (body unread).
        content_type: MIME type of the chunks (``audio/mpeg``, ``audio/pcm``...).
        request_id: The provider's id of the generation, when it sends one.
        raw: Headers or fields worth keeping (become the stream's ``raw_response``).
    """

    response: httpx.Response
    content_type: str
    request_id: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)


class Job(BaseModel):
    """A serialisable handle of a submitted job.

    ``data`` holds whatever the plugin needs to poll and cancel (status URLs...).
    One-shot providers return a Job whose ``status`` is already completed.
    """

    model_config = ConfigDict(defer_build=True)

    provider: str
    model: str
    modality: Modality
    id: str = Field(description="The provider's id for the job.")
    data: dict[str, Any] = Field(default_factory=dict)
    status: JobStatus | None = Field(default=None, description="Set when complete at submit.")

    @property
    def is_complete(self) -> bool:
        """True when the job finished at submit (no polling needed)."""
        return self.status is not None and self.status.state == "completed"


class ModelFamily(BaseModel):
    """A family of models a plugin maps exactly (shown by ``tarash providers --models``)."""

    model_config = ConfigDict(defer_build=True)

    name: str
    prefixes: list[str] = Field(description="Model ids starting with these belong here.")
    modalities: list[Modality]
    fields: list[str] = Field(default_factory=list, description="Request fields the family uses.")
    notes: str = ""


class ProviderInfo(BaseModel):
    """What a plugin tells the core about one provider it owns."""

    model_config = ConfigDict(arbitrary_types_allowed=True, defer_build=True)

    name: str = Field(description="Provider id used in configs, e.g. 'fal'.")
    modalities: list[Modality]
    default_base_url: str | None = Field(
        default=None, description="None when the user must give base_url (Azure)."
    )
    api_key_env: list[str] = Field(
        default_factory=list, description="Environment variables read, in order, for the key."
    )
    requires_api_key: bool = True
    default_models: dict[str, str] = Field(
        default_factory=dict, description="Model used per modality when config.model is None."
    )
    model_families: list[ModelFamily] = Field(default_factory=list)
    field_mappings: dict[str, dict[str, FieldMapper]] = Field(
        default_factory=dict,
        description="Model prefix → field mappers (what get_provider_field_mapping shows).",
    )
    provider_config_keys: list[str] | None = Field(
        default=None,
        description="The config.provider_config keys the plugin reads; others are warned "
        "about (TarashWarning). None = not declared, nothing checked.",
    )
    upload_threshold_bytes: int | None = Field(
        default=None,
        description="Inline media larger than this the plugin uploads to the provider's storage "
        "and sends as a URL (config.provider_config['upload_threshold_bytes'] overrides it); "
        "None: media always goes inline. Chooses which size limit of a field applies "
        "(Accepts.max_bytes inline, Accepts.max_upload_bytes uploaded).",
    )
    distribution: str | None = Field(default=None, description="Filled in by the loader.")
    version: str | None = Field(default=None, description="Filled in by the loader.")


class CallContext:
    """Everything a flow may read about the current attempt.

    ``api_key`` is resolved (config, then the provider's environment variables)
    and is never part of ``repr``. ``request`` is None when a job is taken back
    by handle (status, wait, cancel in another process): poll and cancel flows
    work from the Job's ``data``.
    """

    __slots__ = ("provider", "model", "modality", "config", "request", "api_key", "base_url")

    def __init__(
        self,
        provider: str,
        model: str,
        modality: Modality,
        config: GenerationConfig,
        request: GenerationRequest | None,
        api_key: str | None,
        base_url: str,
    ) -> None:
        self.provider = provider
        self.model = model
        self.modality: Modality = modality
        self.config = config
        self.request = request
        self.api_key = api_key
        self.base_url = base_url.rstrip("/")

    def url(self, path: str) -> str:
        """Join ``path`` onto the resolved base URL."""
        return f"{self.base_url}/{path.lstrip('/')}"

    @property
    def provider_config(self) -> dict[str, Any]:
        """The user's ``config.provider_config``."""
        return self.config.provider_config

    def __repr__(self) -> str:
        return (
            f"CallContext(provider={self.provider!r}, model={self.model!r}, "
            f"modality={self.modality!r}, base_url={self.base_url!r}, api_key=<hidden>)"
        )
