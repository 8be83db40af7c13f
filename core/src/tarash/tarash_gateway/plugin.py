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

import functools
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from tarash.tarash_gateway._flow_helpers import (
    audio_content,
    fetch_media,
    form_value,
    resendable,
    send,
    send_all,
    send_batch,
    settle_batch,
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
from tarash.tarash_gateway._plugin_flows import (
    CancelHook,
    PluginFlows,
    PollHook,
    StreamHook,
    WebhookHook,
    flow_hook,
)
from tarash.tarash_gateway._plugin_types import (
    CallContext,
    Concurrently,
    Flow,
    Job,
    JobStatus,
    ModelFamily,
    ProviderInfo,
    Sleep,
    StreamStart,
    streamed,
)
from tarash.tarash_gateway._provider_errors import (
    error_for_response,
    json_body,
    json_object,
    malformed_response,
    parse_retry_after,
)
from tarash.tarash_gateway.hookspecs import hookimpl
from tarash.tarash_gateway.models import Modality

if TYPE_CHECKING:
    from tarash.tarash_gateway.capabilities import Catalog, Family, ModelCapabilities
    from tarash.tarash_gateway.models import GenerationConfig, GenerationRequest
    from tarash.tarash_gateway.webhooks import WebhookVerifier

__all__ = [
    "CallContext",
    "Concurrently",
    "Flow",
    "Job",
    "JobStatus",
    "ModelFamily",
    "PluginFlows",
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
    "json_object",
    "malformed_response",
    "parse_retry_after",
    "resendable",
    "send",
    "send_all",
    "send_batch",
    "settle_batch",
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


@functools.cache
def _takes_model(finish_payload: Callable[..., Any]) -> bool:
    """Whether a ``finish_payload`` override takes the ``model`` keyword (or ``**kwargs``)."""
    parameters = inspect.signature(finish_payload).parameters.values()
    return any(
        p.kind is p.VAR_KEYWORD
        or (p.name == "model" and p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD))
        for p in parameters
    )


class ProviderPlugin:
    """Base class of a plugin object that owns one provider id.

    Subclass it, set ``name`` and ``catalog`` (the model families as data, see
    :mod:`tarash.tarash_gateway.capabilities`) and ``flows`` (the module of the
    plugin's flow functions, see :class:`PluginFlows`), implement :meth:`info`
    (and :meth:`finish_payload` where the default does not fit), then point the
    entry point at an instance: ``fal = "tarash_fal:plugin"``. The ``tarash_*``
    hook implementations come from this class and answer only for ``name``, so
    no plugin writes that dispatch itself.

    :meth:`submit`, :meth:`poll`, :meth:`cancel`, :meth:`stream` and
    :meth:`parse_webhook` call the function of the same name in ``flows``; a
    function ``flows`` lacks keeps the default below. A plugin may still
    override any of them instead (or as well), e.g. to choose per modality.

    With a ``catalog``, the defaults validate and map requests, choose the
    family (endpoint) and describe models from the same tables. A plugin
    without one implements :meth:`map_fields` itself.
    """

    name: ClassVar[str]
    catalog: ClassVar[Catalog | None] = None
    config_fields: ClassVar[tuple[str, ...]] = ()
    """Request fields that a ``provider_config`` entry of the same name replaces for
    this config (``("voice_id",)``: voice ids differ between the providers of a
    chain); the default ``map_fields`` maps and checks the replaced value."""
    flows: PluginFlows | None = None  # not a ClassVar: mypy takes a module set in a class body
    """The module (or object) whose ``submit``/``poll``/``cancel``/``stream``/
    ``parse_webhook`` functions are this plugin's flows, set once on the class
    (``flows = _flows``); None: the plugin overrides those methods itself."""

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

        Default (with a ``catalog``): the request with the ``config_fields``
        that ``provider_config`` sets replaced; the family's table with the user's
        ``register_provider_field_mapping`` overrides on top (by API field),
        applied to the request; standard fields the table does not read are
        refused; the model id goes first under the family's ``model_field``;
        ``extra_params`` are merged over the result, which then goes through
        :meth:`finish_payload`; last, ``extra_params`` are checked against
        the family's ``extra_fields`` (after the plugin's own, more specific checks).
        """
        from tarash.tarash_gateway._registry import user_field_mappers, user_mappings_applied
        from tarash.tarash_gateway.capabilities import check_extra_params, refuse_unread_fields
        from tarash.tarash_gateway.providers.field_mappers import apply_field_mappers

        replaced = {
            name: config.provider_config[name]
            for name in self.config_fields
            if (config.provider_config or {}).get(name) is not None
        }
        if replaced:
            request = request.model_copy(update=replaced)
        family = self.family(model, modality, request)
        mappers = {**family.fields, **(user_field_mappers(self.name, model) or {})}
        user_mappings_applied.set(True)  # inside the table: the core adds nothing on top
        payload = apply_field_mappers(mappers, request)
        refuse_unread_fields(mappers, request, modality)
        if family.model_field is not None:
            payload = {family.model_field: model, **payload}
        payload.update(request.extra_params)
        if _takes_model(type(self).finish_payload):
            payload = self.finish_payload(family, payload, request, config, model=model)
        else:
            payload = self.finish_payload(family, payload, request, config)  # pre-``model`` form
        check_extra_params(family.extra_fields, request.extra_params)  # what the plugin did not
        return payload

    def finish_payload(
        self,
        family: Family,
        payload: dict[str, Any],
        request: GenerationRequest,
        config: GenerationConfig,
        *,
        model: str = "",
    ) -> dict[str, Any]:
        """Shape the mapped payload (provider-specific checks, nesting); default: unchanged.

        What is data is done before: the table's fields, the model id (the
        family's ``model_field``) and ``extra_params`` are already in ``payload``.

        ``model`` is the resolved model id (``config.model`` or the provider's
        default), which a family (a prefix, several ids) does not name. An
        override written without the ``model`` keyword still works: it is
        called without it.
        """
        return payload

    def describe_model(self, model: str, modality: Modality) -> ModelCapabilities | None:
        """What ``model`` accepts; default: from the catalog (None without one)."""
        return None if self.catalog is None else self.catalog.describe(self.name, model, modality)

    def list_models(self) -> list[ModelCapabilities]:
        """The models the catalog knows; default: every declared model id."""
        return [] if self.catalog is None else self.catalog.models(self.name)

    def submit(self, payload: dict[str, Any], ctx: CallContext) -> Flow[Job]:
        """A flow that starts the job: ``flows.submit``."""
        if self.flows is None:
            raise NotImplementedError(f"{type(self).__name__} sets no flows and no submit")
        return self.flows.submit(payload, ctx)

    def poll(self, job: Job, ctx: CallContext) -> Flow[JobStatus]:
        """A flow that checks the job once: ``flows.poll``.

        A ``flows`` without ``poll`` is a one-shot provider: its submit flow
        returns a completed Job, and polling hands back that stored status.
        """
        if self.flows is None:
            raise NotImplementedError(f"{type(self).__name__} sets no flows and no poll")
        hook: PollHook | None = flow_hook(self.flows, "poll")
        return stored_status(job, ctx) if hook is None else hook(job, ctx)

    def cancel(self, job: Job, ctx: CallContext) -> Flow[None] | None:
        """A flow that cancels the job remotely (``flows.cancel``), or None: cannot."""
        hook: CancelHook | None = flow_hook(self.flows, "cancel")
        return None if hook is None else hook(job, ctx)

    def stream(self, payload: dict[str, Any], ctx: CallContext) -> Flow[StreamStart] | None:
        """A flow that opens a streamed answer (``flows.stream``, see ``tarash_stream``), or None."""
        hook: StreamHook | None = flow_hook(self.flows, "stream")
        return None if hook is None else hook(payload, ctx)

    webhook_verifier: ClassVar[WebhookVerifier | None] = None
    """How the provider signs webhooks (a core scheme); None: no webhooks."""

    def parse_webhook(self, body: dict[str, Any], ctx: CallContext) -> tuple[str, JobStatus]:
        """Read a verified delivery (``flows.parse_webhook``): the job id and its status.

        See ``tarash_parse_webhook``; without that function, webhooks are not parsed.
        """
        hook: WebhookHook | None = flow_hook(self.flows, "parse_webhook")
        if hook is None:
            raise NotImplementedError(f"provider {self.name!r} does not parse webhooks")
        return hook(body, ctx)

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

    @hookimpl
    def tarash_webhook_verifier(self, provider: str) -> WebhookVerifier | None:
        """Hook: :attr:`webhook_verifier` for ``name``."""
        return self.webhook_verifier if provider == self.name else None

    @hookimpl
    def tarash_parse_webhook(
        self, provider: str, body: dict[str, Any], ctx: CallContext
    ) -> tuple[str, JobStatus] | None:
        """Hook: :meth:`parse_webhook` for ``name``."""
        return self.parse_webhook(body, ctx) if provider == self.name else None
