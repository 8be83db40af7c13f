"""``describe_model`` and ``list_models``: what models accept, without any network call."""

from __future__ import annotations

from tarash.tarash_gateway._chain import provider_or_error
from tarash.tarash_gateway._registry import handler_for, handler_modalities, user_field_mappers
from tarash.tarash_gateway.capabilities import (
    ModelCapabilities,
    fields_from_mappers,
    standard_fields,
)
from tarash.tarash_gateway.exceptions import ValidationError
from tarash.tarash_gateway.models import MODALITIES, Modality

__all__ = ["describe_model", "list_models"]


def describe_model(
    provider: str, model: str | None = None, modality: Modality | None = None
) -> ModelCapabilities:
    """What ``model`` of ``provider`` accepts: fields, values, ranges, media roles.

    Answered from the plugin's own tables (the data that validates and maps
    requests), with the user's ``register_provider_field_mapping`` overrides
    applied. No network call. ``model_dump()`` gives JSON a UI can build a form from.

    Args:
        provider: Provider id, e.g. ``"fal"``.
        model: Model id; None describes the provider's default model of ``modality``.
        modality: video, image, tts or sts; None picks the one the model does.

    Raises:
        ValidationError: Unknown provider, or the model cannot do ``modality``.
    """
    handler = handler_for(provider)
    if handler is not None:
        modalities = handler_modalities(handler)
        chosen = modality or (modalities[0] if modalities else "video")
        return ModelCapabilities(
            provider=provider,
            model=model or "",
            modality=chosen,  # type: ignore[arg-type]
            declared=False,
            notes="a handler registered with register_provider declares no capabilities",
        )
    loaded = provider_or_error(provider)
    info = loaded.info
    if modality is not None and modality not in MODALITIES:
        raise ValidationError(
            f"modality={modality!r} is not accepted; accepted: {', '.join(MODALITIES)}"
        )
    if model is None:
        chosen_modality = modality or info.modalities[0]
        model = info.default_models.get(chosen_modality)
        if model is None:
            raise ValidationError(
                f"provider {provider!r} has no default {chosen_modality} model; name one"
            )
        modality = chosen_modality
    if modality is None:
        modality = next(
            (
                m
                for m in info.modalities
                if loaded.call(
                    "tarash_supports_modality", provider=provider, model=model, modality=m
                )
            ),
            None,
        )
        if modality is None:
            raise ValidationError(f"model {model!r} of provider {provider!r} does no modality")
    elif not loaded.call(
        "tarash_supports_modality", provider=provider, model=model, modality=modality
    ):
        raise ValidationError(
            f"model {model!r} of provider {provider!r} does not support {modality} "
            f"(the provider offers: {', '.join(info.modalities)})",
            provider=provider,
            model=model,
        )
    described = loaded.call(
        "tarash_describe_model", provider=provider, model=model, modality=modality
    )
    caps = (
        described.model_copy(deep=True)
        if isinstance(described, ModelCapabilities)
        else ModelCapabilities(
            provider=provider,
            model=model,
            modality=modality,
            declared=False,
            notes=f"plugin {loaded.plugin_name!r} declares no capabilities for this model",
        )
    )
    return _with_user_mapping(caps)


def list_models(provider: str) -> list[ModelCapabilities]:
    """Every model (or model-id prefix) ``provider``'s plugin maps exactly, described.

    Raises:
        ValidationError: Unknown provider.
    """
    if handler_for(provider) is not None:
        return []
    loaded = provider_or_error(provider)
    listed = loaded.call("tarash_list_models", provider=provider)
    return [_with_user_mapping(caps.model_copy(deep=True)) for caps in listed or []]


def _with_user_mapping(caps: ModelCapabilities) -> ModelCapabilities:
    """Apply the user's field-mapping override (by API field) to a description."""
    mappers = user_field_mappers(caps.provider, caps.model)
    if not mappers:
        return caps
    overridden = set(mappers)
    kept = [f for f in caps.fields if not set(f.sent_as) & overridden]
    caps.fields = kept + fields_from_mappers(mappers, caps.modality)
    read = {f.name for f in caps.fields}
    caps.unused_fields = [name for name in standard_fields(caps.modality) if name not in read]
    caps.declared = True
    return caps
