"""Requests → Google payloads, refusing before any network call what the model would not take.

Video (Veo, ``:predictLongRunning``)::

    {"instances": [{"prompt": ..., "image": {...}, "lastFrame": {...}, "referenceImages": [...]}],
     "parameters": {"aspectRatio": ..., "resolution": ..., "durationSeconds": ..., ...}}

Image (Gemini native image generation, ``:generateContent``)::

    {"contents": [{"role": "user", "parts": [{"text": prompt}, {"inlineData": {...}}, ...]}],
     "generationConfig": {"responseModalities": ["IMAGE"], "imageConfig": {...}, "seed": ...}}

Images given as URLs are left as ``{"_url": url}``; the submit flow downloads and
inlines them (neither API fetches arbitrary URLs).

Vertex AI (``google-vertex``) uses the family tables as they are; the Gemini API
(``google``) uses them without what Google's own client refuses there (``seed``,
``generateAudio``, ``storageUri``: see ``GEMINI_CATALOG``), and this module refuses
``gs://`` images for it.
"""

from __future__ import annotations

from typing import Any

from tarash.tarash_gateway.capabilities import Family
from tarash.tarash_gateway.exceptions import ValidationError
from tarash.tarash_gateway.providers.field_mappers import FieldValueError
from tarash_google._families import (
    VEO_INSTANCE_FIELDS,
    VERTEX,
    VERTEX_ONLY_EXTRAS,
    retirement_of,
)

_EXTRA_API_NAMES = {
    "person_generation": "personGeneration",
    "storage_uri": "storageUri",
    "response_modalities": "responseModalities",
}


def _refuse(field: str, value: object, accepted: str) -> ValidationError:
    return ValidationError(str(FieldValueError(field, value, accepted)))


def refuse_retired(model: str) -> None:
    """Raise ValidationError for an id Google shut down, naming the replacement."""
    record = retirement_of(model)
    if record is not None:
        raise ValidationError(
            f"model {model!r} was shut down by Google on {record.shutdown} ({record.source}); "
            f"use {record.replacement!r} instead"
        )


def refuse_vertex_only(provider: str, modality: str, request: Any) -> None:
    """On the Gemini API, refuse a Veo ``seed`` saying where it is taken (Vertex AI)."""
    seed = getattr(request, "seed", None)
    if provider != VERTEX and modality == "video" and seed is not None:
        raise _refuse("seed", seed, "Vertex AI only: use provider='google-vertex'")


def finish(provider: str, family: Family, payload: dict[str, Any], request: Any) -> dict[str, Any]:
    """Nest the mapped fields into Google's body; translate and check ``extra_params``.

    Args:
        provider: ``google`` or ``google-vertex``.
        family: The model's family.
        payload: The table's fields with ``request.extra_params`` merged over them.
        request: The user's request.

    Returns:
        The wire payload (see the module docstring).
    """
    flat = dict(payload)
    declared = {extra.name: extra for extra in family.extra_fields}
    for name in request.extra_params:
        extra = declared.get(name)
        if extra is None and name in VERTEX_ONLY_EXTRAS:
            raise _refuse(
                f"extra_params[{name!r}]",
                request.extra_params[name],
                "Vertex AI only: use provider='google-vertex'",
            )
        if extra is None:
            raise _refuse(
                f"extra_params[{name!r}]",
                request.extra_params[name],
                "accepted extra_params: " + ", ".join(repr(n) for n in declared),
            )
        value = flat.pop(name)
        if value is None:
            continue
        if extra.values is not None and value not in extra.values:
            raise _refuse(name, value, "accepted: " + ", ".join(repr(v) for v in extra.values))
        flat[_EXTRA_API_NAMES[name]] = value
    if family.modality == "video":
        return _video_payload(provider, flat)
    return _image_payload(flat)


def _video_payload(provider: str, flat: dict[str, Any]) -> dict[str, Any]:
    if provider != VERTEX:
        images = [flat.get("image"), flat.get("lastFrame")]
        images += [ref["image"] for ref in flat.get("referenceImages", [])]
        for image in images:
            if image and "gcsUri" in image:
                raise _refuse("image_list", image["gcsUri"], "gs:// images are Vertex AI only")
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
    image_config = {k: flat.pop(k) for k in ("aspectRatio", "imageSize") if k in flat}
    generation: dict[str, Any] = {"responseModalities": modalities}
    if image_config:
        generation["imageConfig"] = image_config
    if "seed" in flat:
        generation["seed"] = flat.pop("seed")
    parts = [{"text": flat.pop("prompt")}, *flat.pop("parts", [])]
    return {"contents": [{"role": "user", "parts": parts}], "generationConfig": generation}
