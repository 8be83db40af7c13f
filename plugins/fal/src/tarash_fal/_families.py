"""The model families fal serves with exact mappings, and the lookup over them.

``FIELD_MAPPINGS`` is the provider's mapping registry ({model-id prefix:
{api_field: FieldMapper}}); a model uses its longest matching prefix, and a
model id no family knows gets the generic mapping of the modality asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

from tarash.tarash_gateway.models import Modality
from tarash.tarash_gateway.plugin import ModelFamily
from tarash.tarash_gateway.providers.field_mappers import get_field_mappers_from_registry
from tarash_fal import _image_models as image
from tarash_fal import _video_models as video
from tarash_fal._mapping import GENERIC_IMAGE, GENERIC_VIDEO, Mappers, source_fields


@dataclass(frozen=True)
class Family:
    """A model family: its name, modality and mapping tables by model-id prefix."""

    name: str
    modality: Modality
    tables: dict[str, Mappers]
    notes: str = ""

    def describe(self) -> ModelFamily:
        """The family as the core shows it (``tarash providers --models``)."""
        fields: list[str] = []
        for mappers in self.tables.values():
            for name in source_fields(mappers):
                if name not in fields:
                    fields.append(name)
            if "image_size" in mappers and "aspect_ratio" not in fields:
                fields.append("aspect_ratio")
        fields.append("extra_params")
        return ModelFamily(
            name=self.name,
            prefixes=list(self.tables),
            modalities=[self.modality],
            fields=fields,
            notes=self.notes,
        )


FAMILIES: tuple[Family, ...] = (
    Family(
        "Veo 3 / 3.1 / 3.1 lite",
        "video",
        video.VEO,
        "text, image, first-last-frame, reference and extend; duration as '8s'",
    ),
    Family(
        "Kling (v1-v2.5, v2.6, v3, O1, O3)",
        "video",
        video.KLING,
        "std/pro; text, image, reference, video edit, motion control; duration as '5'",
    ),
    Family(
        "MiniMax / Hailuo", "video", video.MINIMAX, "enhance_prompt is sent as prompt_optimizer"
    ),
    Family("Sora 2 on fal", "video", video.SORA, "duration as an integer (4, 8, 12)"),
    Family(
        "Wan 2.2, 2.5, 2.6, 2.7",
        "video",
        video.WAN,
        "Wan 2.2 takes a frame count: duration_seconds * 16 + 1",
    ),
    Family("ByteDance Seedance v1, v1.5, 2.0", "video", video.SEEDANCE),
    Family("Pixverse v5, v5.5, v5.6, swap", "video", video.PIXVERSE),
    Family(
        "FLUX.1 (dev, schnell, pro, ultra, kontext)",
        "image",
        image.FLUX,
        "size 'WxH' or aspect_ratio becomes image_size",
    ),
    Family("FLUX.2", "image", image.FLUX2),
    Family("Z-Image Turbo", "image", image.Z_IMAGE),
    Family("Recraft v3", "image", image.RECRAFT),
    Family(
        "Ideogram (v2, v3)",
        "image",
        image.IDEOGRAM,
        "quality (low/medium/high) becomes rendering_speed on v3",
    ),
    Family("Nano Banana on fal", "image", image.NANO_BANANA),
)

FIELD_MAPPINGS: dict[str, Mappers] = {
    prefix: mappers for family in FAMILIES for prefix, mappers in family.tables.items()
}
"""Every family's tables in one registry (longest-prefix lookup)."""

_MODALITY_OF_PREFIX: dict[str, Modality] = {
    prefix: family.modality for family in FAMILIES for prefix in family.tables
}

MODEL_FAMILIES: list[ModelFamily] = [family.describe() for family in FAMILIES]


def family_prefix(model: str) -> str | None:
    """The longest family prefix ``model`` starts with, if any."""
    if model in _MODALITY_OF_PREFIX:
        return model
    return max((p for p in _MODALITY_OF_PREFIX if model.startswith(p)), key=len, default=None)


def modality_of(model: str) -> Modality | None:
    """The modality of a known model family; None for model ids no family knows."""
    prefix = family_prefix(model)
    return None if prefix is None else _MODALITY_OF_PREFIX[prefix]


def mappers_for(model: str, modality: Modality) -> Mappers:
    """The mapping of ``model``: its family's table, else the generic one of ``modality``."""
    generic = GENERIC_IMAGE if modality == "image" else GENERIC_VIDEO
    found = get_field_mappers_from_registry(model, FIELD_MAPPINGS, generic)
    assert found is not None
    return found
