"""What a provider plugin works with: the job handle, flows, call context, provider info.

A plugin does no I/O. Its ``submit``, ``poll`` and ``cancel`` hooks return *flows*:
generators that yield :class:`httpx.Request` (or :class:`Sleep`) and receive the
:class:`httpx.Response`, ending with their result, like ``httpx.Auth.auth_flow``::

    def submit(payload, ctx) -> Flow[Job]:
        response = yield httpx.Request("POST", ctx.url("/v1/jobs"), json=payload,
                                       headers={"Authorization": f"Bearer {ctx.api_key}"})
        body = json_body(response, ctx)
        return Job(provider=ctx.provider, model=ctx.model, modality=ctx.modality, id=body["id"])

The core sends each request on a pooled client (sync or async), applies timeouts,
limits in-flight requests, maps transport errors, logs without secrets, and retries
idempotent polls. A flow that raises a TarashException fails the attempt.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeAlias, TypeVar

import httpx
from pydantic import BaseModel, ConfigDict, Field

from tarash.tarash_gateway._flow_helpers import (
    Concurrently,
    audio_content,
    fetch_media,
    form_value,
    send,
    send_all,
    stored_status,
    upload_file,
)
from tarash.tarash_gateway._media import (
    audio_duration,
    extension_for,
    is_url,
    sniff_content_type,
    to_base64,
    to_bytes,
    to_data_uri,
)
from tarash.tarash_gateway._media_upload import decode_data_uri, upload_large_media
from tarash.tarash_gateway._provider_errors import (
    error_for_response,
    json_body,
    malformed_response,
    parse_retry_after,
)
from tarash.tarash_gateway.hookspecs import hookimpl
from tarash.tarash_gateway.models import Modality

if TYPE_CHECKING:
    from tarash.tarash_gateway.capabilities import Catalog, Family, ModelCapabilities
    from tarash.tarash_gateway.models import GenerationConfig, GenerationRequest
    from tarash.tarash_gateway.providers.field_mappers import FieldMapper

__all__ = [
    "CallContext",
    "Concurrently",
    "Flow",
    "Job",
    "JobStatus",
    "ModelFamily",
    "ProviderInfo",
    "ProviderPlugin",
    "Sleep",
    "StreamStart",
    "audio_content",
    "audio_duration",
    "decode_data_uri",
    "error_for_response",
    "extension_for",
    "fetch_media",
    "form_value",
    "is_url",
    "json_body",
    "malformed_response",
    "parse_retry_after",
    "send",
    "send_all",
    "sniff_content_type",
    "stored_status",
    "streamed",
    "to_base64",
    "to_bytes",
    "to_data_uri",
    "upload_file",
    "upload_large_media",
]

T = TypeVar("T")


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
    distribution: str | None = Field(default=None, description="Filled in by the loader.")
    version: str | None = Field(default=None, description="Filled in by the loader.")


class CallContext:
    """Everything a flow may read about the current attempt.

    ``api_key`` is resolved (config, then the provider's environment variables)
    and is never part of ``repr``.
    """

    __slots__ = ("provider", "model", "modality", "config", "request", "api_key", "base_url")

    def __init__(
        self,
        provider: str,
        model: str,
        modality: Modality,
        config: GenerationConfig,
        request: GenerationRequest,
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


class ProviderPlugin:
    """Base class of a plugin object that owns one provider id.

    Subclass it, set ``name`` and ``catalog`` (the model families as data, see
    :mod:`tarash.tarash_gateway.capabilities`), implement :meth:`info`,
    :meth:`submit` and :meth:`poll` (and :meth:`cancel`, :meth:`finish_payload`
    where the defaults do not fit), then point the entry point at an instance:
    ``fal = "tarash_fal:plugin"``. The ``tarash_*`` hook implementations come
    from this class and answer only for ``name``, so no plugin writes that
    dispatch itself.

    With a ``catalog``, the defaults validate and map requests, choose the
    family (endpoint) and describe models from the same tables. A plugin
    without one implements :meth:`map_fields` itself.
    """

    name: ClassVar[str]
    catalog: ClassVar[Catalog | None] = None

    def info(self) -> ProviderInfo:
        """Describe the provider (called once, at load)."""
        raise NotImplementedError

    def supports_modality(self, model: str, modality: Modality) -> bool:
        """Whether ``model`` can generate ``modality``.

        Default: a model the catalog knows does its families' modalities; any
        other model id does the modalities the catalog has a generic table for
        (without a catalog: the provider's modalities).
        """
        if self.catalog is None:
            return modality in self.info().modalities
        known = self.catalog.find(model)  # the longest prefix over every modality decides
        if known:
            return modality in {family.modality for family in known}
        return modality in self.catalog.generic

    def family(self, model: str, modality: Modality, request: GenerationRequest) -> Family:
        """The catalog family (endpoint) that serves ``request``: see ``Catalog.select``."""
        if self.catalog is None:
            raise NotImplementedError(f"{type(self).__name__} has no catalog")
        return self.catalog.select(model, modality, request)

    def map_fields(
        self, model: str, modality: Modality, request: GenerationRequest, config: GenerationConfig
    ) -> dict[str, Any]:
        """The provider payload for ``request``; raise ValidationError for refused input.

        Default (with a ``catalog``): the family's table with the user's
        ``register_provider_field_mapping`` overrides on top (by API field),
        applied to the request; standard fields the table does not read are
        refused; ``extra_params`` are merged over the result, which then goes
        through :meth:`finish_payload`.
        """
        from tarash.tarash_gateway._registry import user_field_mappers
        from tarash.tarash_gateway.capabilities import refuse_unread_fields
        from tarash.tarash_gateway.providers.field_mappers import apply_field_mappers

        family = self.family(model, modality, request)
        mappers = {**family.fields, **(user_field_mappers(self.name, model) or {})}
        payload = apply_field_mappers(mappers, request)
        refuse_unread_fields(mappers, request, modality)
        payload.update(request.extra_params)
        return self.finish_payload(family, payload, request, config)

    def finish_payload(
        self,
        family: Family,
        payload: dict[str, Any],
        request: GenerationRequest,
        config: GenerationConfig,
    ) -> dict[str, Any]:
        """Shape the mapped payload (add fixed fields, nest it); default: unchanged."""
        return payload

    def describe_model(self, model: str, modality: Modality) -> ModelCapabilities | None:
        """What ``model`` accepts; default: from the catalog (None without one)."""
        return None if self.catalog is None else self.catalog.describe(self.name, model, modality)

    def list_models(self) -> list[ModelCapabilities]:
        """The models the catalog knows; default: every declared model id."""
        return [] if self.catalog is None else self.catalog.models(self.name)

    def submit(self, payload: dict[str, Any], ctx: CallContext) -> Flow[Job]:
        """A flow that starts the job."""
        raise NotImplementedError

    def poll(self, job: Job, ctx: CallContext) -> Flow[JobStatus]:
        """A flow that checks the job once."""
        raise NotImplementedError

    def cancel(self, job: Job, ctx: CallContext) -> Flow[None] | None:
        """A flow that cancels the job remotely, or None when the provider cannot."""
        return None

    def stream(self, payload: dict[str, Any], ctx: CallContext) -> Flow[StreamStart] | None:
        """A flow that opens a streamed answer (see ``tarash_stream``), or None (default)."""
        return None

    # ------------------------------------------------------------ the hooks
    @hookimpl
    def tarash_providers(self) -> list[ProviderInfo]:
        """Hook: the one provider this object owns."""
        return [self.info()]

    @hookimpl
    def tarash_supports_modality(
        self, provider: str, model: str, modality: Modality
    ) -> bool | None:
        """Hook: :meth:`supports_modality` for ``name``."""
        return self.supports_modality(model, modality) if provider == self.name else None

    @hookimpl
    def tarash_describe_model(
        self, provider: str, model: str, modality: Modality
    ) -> ModelCapabilities | None:
        """Hook: :meth:`describe_model` for ``name``."""
        return self.describe_model(model, modality) if provider == self.name else None

    @hookimpl
    def tarash_list_models(self, provider: str) -> list[ModelCapabilities] | None:
        """Hook: :meth:`list_models` for ``name``."""
        return self.list_models() if provider == self.name else None

    @hookimpl
    def tarash_map_fields(
        self,
        provider: str,
        model: str,
        modality: Modality,
        request: GenerationRequest,
        config: GenerationConfig,
    ) -> dict[str, Any] | None:
        """Hook: :meth:`map_fields` for ``name``."""
        if provider != self.name:
            return None
        return self.map_fields(model, modality, request, config)

    @hookimpl
    def tarash_submit(
        self, provider: str, payload: dict[str, Any], ctx: CallContext
    ) -> Flow[Job] | None:
        """Hook: :meth:`submit` for ``name``."""
        return self.submit(payload, ctx) if provider == self.name else None

    @hookimpl
    def tarash_stream(
        self, provider: str, payload: dict[str, Any], ctx: CallContext
    ) -> Flow[StreamStart] | None:
        """Hook: :meth:`stream` for ``name``."""
        return self.stream(payload, ctx) if provider == self.name else None

    @hookimpl
    def tarash_poll(self, provider: str, job: Job, ctx: CallContext) -> Flow[JobStatus] | None:
        """Hook: :meth:`poll` for ``name``."""
        return self.poll(job, ctx) if provider == self.name else None

    @hookimpl
    def tarash_cancel(self, provider: str, job: Job, ctx: CallContext) -> Flow[None] | None:
        """Hook: :meth:`cancel` for ``name``."""
        return self.cancel(job, ctx) if provider == self.name else None


def _rebuild() -> None:
    from tarash.tarash_gateway.providers.field_mappers import FieldMapper

    ProviderInfo.model_rebuild(_types_namespace={"FieldMapper": FieldMapper})


_rebuild()
