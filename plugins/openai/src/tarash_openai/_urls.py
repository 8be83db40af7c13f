"""Where each request goes and how it authenticates: OpenAI, and both Azure URL styles.

OpenAI: ``{base_url}/{path}`` (base_url includes ``/v1``), ``Authorization: Bearer``.

Azure OpenAI (base_url = the resource endpoint ``https://{resource}.openai.azure.com``),
``api-key`` header, ``model`` = deployment name:

- ``v1`` style: ``{endpoint}/openai/v1/{path}`` (``?api-version=`` only when
  config.api_version is set, e.g. ``preview``);
- ``deployments`` style: ``{endpoint}/openai/deployments/{deployment}/{path}?api-version=``
  for images and speech, ``{endpoint}/openai/videos...?api-version=`` for videos.

The style is ``provider_config["api_style"]`` when given; otherwise ``deployments``
when config.api_version is set, else ``v1``. A base_url ending in ``/openai/v1``
always means the v1 style.
"""

from __future__ import annotations

from urllib.parse import quote

from tarash.tarash_gateway.exceptions import ValidationError
from tarash.tarash_gateway.models import GenerationConfig
from tarash.tarash_gateway.plugin import CallContext
from tarash_openai._families import OPENAI

AZURE_STYLES = ("v1", "deployments")


def _azure_root(base_url: str) -> tuple[str, bool]:
    """(resource endpoint, whether base_url named the v1 API itself)."""
    base = base_url.rstrip("/")
    if base.endswith("/openai/v1"):
        return base[: -len("/openai/v1")], True
    if base.endswith("/openai"):
        return base[: -len("/openai")], False
    return base, False


def azure_style(config: GenerationConfig) -> str:
    """The Azure URL style of ``config`` (see the module docstring).

    Raises:
        ValidationError: ``api_style`` is unknown, or ``deployments`` lacks an api_version.
    """
    style = config.provider_config.get("api_style")
    named_v1 = _azure_root(config.base_url or "")[1]
    if style is None:
        style = "deployments" if config.api_version and not named_v1 else "v1"
    if style not in AZURE_STYLES:
        raise ValidationError(
            f"provider_config['api_style']={style!r} is not accepted; accepted: "
            + ", ".join(repr(s) for s in AZURE_STYLES)
        )
    if style == "deployments" and not config.api_version:
        raise ValidationError(
            "config.api_version is required by the Azure 'deployments' URL style "
            "(e.g. api_version='2025-04-01-preview'); or use api_style='v1'"
        )
    if style == "deployments" and named_v1:
        raise ValidationError(
            f"config.base_url={config.base_url!r} names the v1 API; give the resource "
            "endpoint (https://{resource}.openai.azure.com) for the 'deployments' style"
        )
    return str(style)


def endpoint(ctx: CallContext, path: str, *, deployment: bool) -> tuple[str, dict[str, str]]:
    """URL and query parameters of ``path`` (``images/generations``, ``videos/{id}`` ...).

    Args:
        ctx: The call context.
        path: Path relative to the API root, without a leading slash.
        deployment: True for the paths Azure puts under ``/deployments/{name}``
            (images and speech), False for videos.
    """
    if ctx.provider == OPENAI:
        return ctx.url(path), {}
    root, _ = _azure_root(ctx.base_url)
    style = azure_style(ctx.config)
    params = {"api-version": ctx.config.api_version} if ctx.config.api_version else {}
    if style == "v1":
        return f"{root}/openai/v1/{path}", params
    if deployment:
        return f"{root}/openai/deployments/{quote(ctx.model, safe='')}/{path}", params
    return f"{root}/openai/{path}", params


def headers(ctx: CallContext) -> dict[str, str]:
    """Authentication (and OpenAI organization / project) headers."""
    if ctx.provider != OPENAI:
        return {"api-key": ctx.api_key or ""}
    result = {"Authorization": f"Bearer {ctx.api_key}"}
    organization = ctx.provider_config.get("organization")
    project = ctx.provider_config.get("project")
    if organization:
        result["OpenAI-Organization"] = str(organization)
    if project:
        result["OpenAI-Project"] = str(project)
    return result
