"""Requests → Google payloads, refusing before any network call what the model would not take.

Video (Veo, ``:predictLongRunning``)::

    {"instances": [{"prompt": ..., "image": {...}, "lastFrame": {...}, "referenceImages": [...]}],
     "parameters": {"aspectRatio": ..., "resolution": ..., "durationSeconds": ..., ...}}

Image (Gemini native image generation, ``:generateContent``)::

    {"contents": [{"role": "user", "parts": [{"text": prompt}, {"inlineData": {...}}, ...]}],
     "generationConfig": {"responseModalities": ["IMAGE"], "imageConfig": {...}, "seed": ...}}

Images given as URLs are left as ``{"_url": url}``; the submit flow downloads and
inlines them (neither API fetches arbitrary URLs).

The Gemini API (``google``) and Vertex AI (``google-vertex``) share the tables; the
Gemini API refuses what Google's own client refuses there: ``seed``, ``generateAudio``,
``storageUri`` and ``gs://`` images are Vertex AI only.
"""

from __future__ import annotations

from typing import Any

from tarash.tarash_gateway.exceptions import ValidationError
from tarash.tarash_gateway.models import GenerationConfig, GenerationRequest, Modality
from tarash.tarash_gateway.providers.field_mappers import FieldMapper, apply_field_mappers
from tarash_google._families import (
    FAMILIES,
    IMAGE_EXTRAS,
    IMAGE_ROLES_BY_FIELD,
    VEO_INSTANCE_FIELDS,
    VERTEX,
    VIDEO_EXTRAS,
    Family,
    family_of,
    retirement_of,
)

_SCALARS: dict[Modality, tuple[str, ...]] = {
    "video": (
        "duration_seconds",
        "resolution",
        "aspect_ratio",
        "generate_audio",
        "seed",
        "negative_prompt",
        "enhance_prompt",
    ),
    "image": ("negative_prompt", "size", "quality", "style", "seed", "aspect_ratio"),
}
_EXTRAS: dict[Modality, tuple[str, ...]] = {"video": VIDEO_EXTRAS, "image": IMAGE_EXTRAS}
_VERTEX_ONLY = {
    "seed": "seed",
    "storageUri": "extra_params['storage_uri']",
}


def _refuse(field: str, value: object, accepted: str) -> ValidationError:
    return ValidationError(f"{field}={value!r} is not accepted; {accepted}")


def refuse_retired(model: str) -> None:
    """Raise ValidationError for an id Google shut down, naming the replacement."""
    record = retirement_of(model)
    if record is not None:
        raise ValidationError(
            f"model {model!r} was shut down by Google on {record.shutdown} ({record.source}); "
            f"use {record.replacement!r} instead"
        )


def resolve_family(model: str, modality: Modality, config: GenerationConfig) -> Family:
    """The family of ``model``, or of ``provider_config['family']`` for ids not listed yet.

    Raises:
        ValidationError: The id is retired, unknown, or generates another modality.
    """
    refuse_retired(model)
    family = family_of(model)
    named = config.provider_config.get("family")
    if family is None and named is not None:
        family = next((f for f in FAMILIES if f.name == named), None)
        if family is None:
            raise _refuse(
                "provider_config['family']",
                named,
                "accepted: " + ", ".join(repr(f.name) for f in FAMILIES),
            )
    if family is None:
        known = [m for f in FAMILIES if f.modality == modality for m in f.models]
        raise ValidationError(
            f"model {model!r} is not a known Google {modality} model; accepted: "
            + ", ".join(repr(m) for m in known)
            + " (for a newer id, set provider_config={'family': <one of "
            + ", ".join(repr(f.name) for f in FAMILIES if f.modality == modality)
            + ">})"
        )
    if family.modality != modality:
        raise ValidationError(
            f"model {model!r} ({family.name}) generates {family.modality}, not {modality}"
        )
    return family


def _check_request(family: Family, table: dict[str, FieldMapper], request: Any) -> None:
    read = {mapper.source_field for mapper in table.values()}
    for name in _SCALARS[family.modality]:
        value = getattr(request, name, None)
        if value is not None and name not in read:
            raise _refuse(name, value, f"{family.name} models do not take it")
    roles = {role for api, r in IMAGE_ROLES_BY_FIELD.items() if api in table for role in r}
    for item in request.image_list:
        if item.get("type") not in roles:
            raise _refuse(
                "image_list",
                f"an image of type {item.get('type')!r}",
                f"{family.name} takes images of type "
                + (", ".join(repr(r) for r in sorted(roles)) or "none"),
            )
    accepted = _EXTRAS[family.modality]
    for name in request.extra_params:
        if name not in accepted:
            raise _refuse(
                f"extra_params[{name!r}]",
                request.extra_params[name],
                "accepted extra_params: " + ", ".join(repr(a) for a in accepted),
            )


def map_fields(
    provider: str,
    model: str,
    modality: Modality,
    request: GenerationRequest,
    config: GenerationConfig,
    overrides: dict[str, FieldMapper] | None = None,
) -> dict[str, Any]:
    """Build the payload of ``request`` for ``model``, or raise ValidationError.

    Args:
        provider: ``google`` or ``google-vertex``.
        model: Model id.
        modality: ``video`` or ``image``.
        request: The user's request.
        config: The user's config (``provider_config['family']`` for unlisted ids).
        overrides: The user's ``register_provider_field_mapping`` entries.

    Returns:
        The wire payload (see the module docstring).
    """
    family = resolve_family(model, modality, config)
    table = {**family.fields, **(overrides or {})}
    _check_request(family, table, request)
    flat = apply_field_mappers(table, request)
    if family.modality == "video":
        return _video_payload(provider, flat)
    return _image_payload(flat)


def _video_payload(provider: str, flat: dict[str, Any]) -> dict[str, Any]:
    vertex = provider == VERTEX
    audio = flat.pop("generateAudio", None)
    if audio is False and not vertex:
        raise _refuse(
            "generate_audio",
            False,
            "Veo on the Gemini API always generates sound (generateAudio is Vertex AI only)",
        )
    if audio is not None and vertex:
        flat["generateAudio"] = audio
    if not vertex:
        for api_field, name in _VERTEX_ONLY.items():
            if api_field in flat:
                raise _refuse(name, flat[api_field], "Vertex AI only: use provider='google-vertex'")
        for key in ("image", "lastFrame"):
            if "gcsUri" in flat.get(key, {}):
                raise _refuse("image_list", flat[key]["gcsUri"], "gs:// images are Vertex AI only")
        for ref in flat.get("referenceImages", []):
            if "gcsUri" in ref["image"]:
                raise _refuse(
                    "image_list", ref["image"]["gcsUri"], "gs:// images are Vertex AI only"
                )
    if "lastFrame" in flat and "image" not in flat:
        raise _refuse(
            "image_list",
            "a last_frame image without a first_frame",
            "a last_frame together with a first_frame image",
        )
    if "referenceImages" in flat:
        if "image" in flat or "lastFrame" in flat:
            raise _refuse(
                "image_list",
                "reference images together with frames",
                "either first/last frames or reference images",
            )
        if flat.get("durationSeconds", 8) != 8:
            raise _refuse(
                "duration_seconds", flat["durationSeconds"], "accepted with reference images: 8"
            )
        if flat.get("aspectRatio", "16:9") != "16:9":
            raise _refuse(
                "aspect_ratio", flat["aspectRatio"], "accepted with reference images: '16:9'"
            )
    instance = {k: flat.pop(k) for k in VEO_INSTANCE_FIELDS if k in flat}
    return {"instances": [instance], "parameters": flat}


def _image_payload(flat: dict[str, Any]) -> dict[str, Any]:
    modalities = flat.pop("responseModalities", None) or ["IMAGE"]
    if not isinstance(modalities, list) or "IMAGE" not in modalities:
        raise _refuse(
            "extra_params['response_modalities']",
            modalities,
            "accepted: ['IMAGE'] or ['TEXT', 'IMAGE']",
        )
    image_config = {k: flat.pop(k) for k in ("aspectRatio", "imageSize") if k in flat}
    generation: dict[str, Any] = {"responseModalities": modalities}
    if image_config:
        generation["imageConfig"] = image_config
    if "seed" in flat:
        generation["seed"] = flat.pop("seed")
    parts = [{"text": flat.pop("prompt")}, *flat.pop("parts", [])]
    return {"contents": [{"role": "user", "parts": parts}], "generationConfig": generation}
