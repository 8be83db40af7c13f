"""tarash-stability: the Stability AI provider of tarash (Stable Image API, v2beta).

Registered through the ``tarash.providers`` entry point as ``stability``::

    from tarash.tarash_gateway import generate_image
    from tarash.tarash_gateway.models import ImageGenerationConfig, ImageGenerationRequest

    image = generate_image(
        ImageGenerationConfig(provider="stability", model="stable-image-core"),
        ImageGenerationRequest(prompt="a lighthouse at dusk", aspect_ratio="16:9"),
    )

The key comes from ``config.api_key`` or ``STABILITY_API_KEY`` (sent as a Bearer
token); ``config.base_url`` replaces ``https://api.stability.ai``. See
docs/providers/stability.md.
"""

from __future__ import annotations

from typing import Any

from tarash.tarash_gateway.capabilities import Family
from tarash.tarash_gateway.exceptions import ValidationError
from tarash.tarash_gateway.models import (
    GenerationConfig,
    GenerationRequest,
    ImageGenerationRequest,
)
from tarash.tarash_gateway.plugin import ModelFamily, ProviderInfo, ProviderPlugin
from tarash_stability import _flows
from tarash_stability._families import CATALOG, FAMILIES, StabilityFamily
from tarash_stability._version import __version__

__all__ = [
    "CATALOG",
    "DEFAULT_BASE_URL",
    "DEFAULT_MODEL",
    "PROVIDER",
    "StabilityProvider",
    "__version__",
    "plugin",
]

PROVIDER = "stability"
DEFAULT_BASE_URL = "https://api.stability.ai"
DEFAULT_MODEL = "stable-image-core"


class StabilityProvider(ProviderPlugin):
    """The ``stability`` provider: images at once, or (creative upscale) a polled job."""

    name = PROVIDER
    catalog = CATALOG
    flows = _flows

    def info(self) -> ProviderInfo:
        """Describe the ``stability`` provider."""
        return ProviderInfo(
            name=PROVIDER,
            modalities=["image"],
            default_base_url=DEFAULT_BASE_URL,
            api_key_env=["STABILITY_API_KEY"],
            default_models={"image": DEFAULT_MODEL},
            model_families=[
                ModelFamily(
                    name=family.name,
                    prefixes=list(family.models),
                    modalities=["image"],
                    fields=sorted({m.source_field for m in family.fields.values()} - {""}),
                    notes=f"{family.endpoint}: {family.notes}",
                )
                for family in FAMILIES
            ],
            field_mappings=CATALOG.field_mappings,
        )

    def finish_payload(
        self,
        family: Family,
        payload: dict[str, Any],
        request: GenerationRequest,
        config: GenerationConfig,
        *,
        model: str = "",
    ) -> dict[str, Any]:
        """Add ``provider_config['output_format']``; check outpaint's sides."""
        assert isinstance(family, StabilityFamily)
        default_format = config.provider_config.get("output_format")
        if default_format is not None and "output_format" not in payload:
            probe = ImageGenerationRequest(prompt="-", output_format=default_format)
            try:
                family.fields["output_format"].converter(probe, probe.extra_params)
            except ValueError as exc:
                raise ValidationError(f"provider_config: {exc}") from exc
            payload["output_format"] = default_format
        if family.one_of and not any(payload.get(name) for name in family.one_of):
            raise ValidationError(
                f"{family.name} needs at least one of {', '.join(family.one_of)} "
                "(extra_params, pixels from 0 to 2000)"
            )
        return payload


plugin = StabilityProvider()
"""The instance the ``stability`` entry point registers."""
