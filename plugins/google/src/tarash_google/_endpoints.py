"""Where each request goes and how it authenticates, on the Gemini API and on Vertex AI.

Gemini API (``google``): ``{base_url}/v1beta/models/{model}:{method}``, operations at
``{base_url}/v1beta/{operation name}``; the key in the ``x-goog-api-key`` header
(never in a ``?key=`` query: URLs end up in logs).

Vertex AI (``google-vertex``), standard mode:
``{root}/v1/projects/{project}/locations/{region}/publishers/google/models/{model}:{method}``
with ``Authorization: Bearer <access token>``; ``root`` is ``https://{region}-aiplatform.googleapis.com``,
``https://aiplatform.googleapis.com`` for ``global`` and ``https://aiplatform.{us|eu}.rep.googleapis.com``
for the multi-regions (or ``config.base_url``). Express mode (an API key, no project):
``https://aiplatform.googleapis.com/v1/publishers/google/models/{model}:{method}`` with
``x-goog-api-key``. ``config.api_version`` replaces ``v1beta`` / ``v1``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import quote

from tarash.tarash_gateway.exceptions import ValidationError
from tarash.tarash_gateway.models import GenerationConfig
from tarash.tarash_gateway.plugin import CallContext, Flow
from tarash_google import _adc
from tarash_google._families import GOOGLE, VERTEX_GLOBAL_URL

GEMINI_VERSION = "v1beta"
VERTEX_VERSION = "v1"
MULTI_REGIONS = ("us", "eu")
PROJECT_ENV = "GOOGLE_CLOUD_PROJECT"
REGION_ENV = "GOOGLE_CLOUD_LOCATION"


@dataclass(frozen=True)
class VertexTarget:
    """Where Vertex AI requests go and how they authenticate."""

    root: str
    version: str
    project: str | None
    region: str | None
    express: bool
    token: str | None
    credentials: _adc.Credentials | None

    def __repr__(self) -> str:
        return (
            f"VertexTarget(root={self.root!r}, project={self.project!r}, "
            f"region={self.region!r}, express={self.express}, token=<hidden>)"
        )


def _setting(config: GenerationConfig, names: tuple[str, ...], env: str) -> str | None:
    for name in names:
        value = config.provider_config.get(name)
        if value:
            return str(value)
    return os.environ.get(env) or None


def region_root(region: str) -> str:
    """The Vertex AI host of ``region``."""
    if region == "global":
        return VERTEX_GLOBAL_URL
    if region in MULTI_REGIONS:
        return f"https://aiplatform.{region}.rep.googleapis.com"
    return f"https://{region}-aiplatform.googleapis.com"


def vertex_target(config: GenerationConfig, api_key: str | None) -> VertexTarget:
    """Resolve project, region, host and credentials of a Vertex AI call (no I/O).

    Raises:
        ValidationError: Project or region missing (naming both ways to set them), or no
            credentials at all.
    """
    project = _setting(config, ("project",), PROJECT_ENV)
    region = _setting(config, ("region", "location"), REGION_ENV)
    express_setting = config.provider_config.get("express")
    express = (
        bool(express_setting) if express_setting is not None else bool(api_key and not project)
    )
    version = config.api_version or VERTEX_VERSION
    token = config.provider_config.get("access_token") or None
    if express:
        if not api_key:
            raise ValidationError(
                "Vertex AI express mode needs an API key: set config.api_key (or give "
                "provider_config={'project': ..., 'region': ...} for project mode)"
            )
        return VertexTarget(
            config.base_url or VERTEX_GLOBAL_URL, version, None, None, True, None, None
        )
    missing = [name for name, value in (("project", project), ("region", region)) if not value]
    if missing:
        raise ValidationError(
            f"Vertex AI needs a {' and a '.join(missing)}: set provider_config="
            "{'project': 'my-project', 'region': 'us-central1'} or the environment variables "
            f"{PROJECT_ENV} and {REGION_ENV} (or use express mode with an API key)"
        )
    assert project is not None and region is not None
    token = token or api_key
    credentials_file = None if token else _adc.credentials_path(config)
    if not token and credentials_file is None:
        raise ValidationError(
            "Vertex AI needs credentials: an OAuth access token in config.api_key or "
            "provider_config['access_token'], or Application Default Credentials "
            "(GOOGLE_APPLICATION_CREDENTIALS, provider_config['credentials_file'] or "
            "`gcloud auth application-default login`)"
        )
    # an unusable file is refused here, before any request
    credentials = _adc.load(credentials_file) if credentials_file is not None else None
    root = config.base_url or region_root(region)
    return VertexTarget(root.rstrip("/"), version, project, region, False, token, credentials)


def model_url(ctx: CallContext, method: str) -> str:
    """The URL of ``method`` (``predictLongRunning`` ...) of ``ctx.model``."""
    model = quote(ctx.model.removeprefix("models/"), safe="")
    if ctx.provider == GOOGLE:
        version = ctx.config.api_version or GEMINI_VERSION
        return ctx.url(f"{version}/models/{model}:{method}")
    target = vertex_target(ctx.config, ctx.api_key)
    resource = f"publishers/google/models/{model}"
    if not target.express:
        resource = f"projects/{target.project}/locations/{target.region}/{resource}"
    return f"{target.root}/{target.version}/{resource}:{method}"


def operation_url(ctx: CallContext, name: str) -> str:
    """Gemini API: the URL that answers a GET of operation ``name``."""
    version = ctx.config.api_version or GEMINI_VERSION
    return ctx.url(f"{version}/{name.lstrip('/')}")


def fetch_operation_url(ctx: CallContext, name: str) -> str:
    """Vertex AI: ``{model resource}:fetchPredictOperation`` for operation ``name``."""
    target = vertex_target(ctx.config, ctx.api_key)
    resource = name.rpartition("/operations/")[0] or name
    return f"{target.root}/{target.version}/{resource.lstrip('/')}:fetchPredictOperation"


def headers(ctx: CallContext) -> Flow[dict[str, str]]:
    """Authentication headers (may request an access token first: ADC)."""
    if ctx.provider == GOOGLE:
        return {"x-goog-api-key": ctx.api_key or ""}
    target = vertex_target(ctx.config, ctx.api_key)
    if target.express:
        return {"x-goog-api-key": ctx.api_key or ""}
    token = target.token
    if token is None:
        assert target.credentials is not None
        token = yield from _adc.access_token(target.credentials, ctx)
    return {"Authorization": f"Bearer {token}"}
