"""The model families fal serves with exact mappings, as one catalog.

Each family groups fal endpoints (model ids) with one mapping table per
endpoint; ``CATALOG`` is the data the plugin validates, maps and describes
from. A model uses its longest matching prefix, and a model id no family knows
gets the generic mapping of the modality asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

from tarash.tarash_gateway.capabilities import Catalog, ExtraField, Family
from tarash.tarash_gateway.models import Modality
from tarash.tarash_gateway.plugin import ModelFamily
from tarash_fal import _image_models as image
from tarash_fal import _speech_models as speech
from tarash_fal import _video_models as video
from tarash_fal._mapping import GENERIC_IMAGE, GENERIC_VIDEO, Mappers, source_fields

FAL_PAGES = "https://fal.ai/models/{model}/api"
"""fal publishes a page and an OpenAPI schema per endpoint id."""


@dataclass(frozen=True)
class Group:
    """A named group of fal endpoints: one mapping table per endpoint id."""

    name: str
    modality: Modality
    tables: dict[str, Mappers]
    notes: str = ""
    reviewed: str = "2026-11-28"
    """When the group's tables were last compared with fal's pages (not every endpoint
    was confirmed: docs/providers/fal.md lists what was not)."""
    extra_fields: tuple[ExtraField, ...] = ()

    def families(self) -> list[Family]:
        """One catalog family per endpoint, citing fal's page for it."""
        return [
            Family(
                self.name,
                self.modality,
                (prefix,),
                mappers,
                endpoint=prefix,
                source=f"{FAL_PAGES.format(model=prefix)} (tables reviewed {self.reviewed})",
                notes=self.notes,
                extra_fields=self.extra_fields,
            )
            for prefix, mappers in self.tables.items()
        ]

    def describe(self) -> ModelFamily:
        """The group as ``tarash providers --models`` lists it."""
        fields: list[str] = []
        for mappers in self.tables.values():
            for name in source_fields(mappers):
                if name not in fields:
                    fields.append(name)
        fields.append("extra_params")
        return ModelFamily(
            name=self.name,
            prefixes=list(self.tables),
            modalities=[self.modality],
            fields=fields,
            notes=self.notes,
        )


GROUPS: tuple[Group, ...] = (
    Group(
        "Veo 3 / 3.1 / 3.1 lite",
        "video",
        video.VEO,
        "text, image, first-last-frame, reference and extend; duration as '8s'",
    ),
    Group(
        "Kling (v1-v2.5, v2.6, v3, O1, O3)",
        "video",
        video.KLING,
        "std/pro; text, image, reference, video edit, motion control; duration as '5'",
    ),
    Group("MiniMax / Hailuo", "video", video.MINIMAX, "enhance_prompt is sent as prompt_optimizer"),
    Group("Sora 2 on fal", "video", video.SORA, "duration as an integer (4, 8, 12)"),
    Group(
        "Wan 2.2, 2.5, 2.6, 2.7",
        "video",
        video.WAN,
        "Wan 2.2 takes a frame count: duration_seconds * 16 + 1",
    ),
    Group("ByteDance Seedance v1, v1.5, 2.0", "video", video.SEEDANCE),
    Group("Pixverse v5, v5.5, v5.6, swap", "video", video.PIXVERSE),
    Group(
        "FLUX.1 (dev, schnell, pro, ultra, kontext)",
        "image",
        image.FLUX,
        "size 'WxH' or aspect_ratio becomes image_size",
    ),
    Group("FLUX.2", "image", image.FLUX2),
    Group("Z-Image Turbo", "image", image.Z_IMAGE),
    Group("Recraft v3", "image", image.RECRAFT),
    Group(
        "Ideogram (v2, v3)",
        "image",
        image.IDEOGRAM,
        "quality (low/medium/high) becomes rendering_speed on v3",
    ),
    Group("Nano Banana on fal", "image", image.NANO_BANANA),
    Group(
        "MiniMax Speech (02, 2.5, 2.6, 2.8)",
        "tts",
        speech.MINIMAX,
        "voice_settings: speed, vol, pitch, emotion; 2.6/2.8 send the text as 'prompt'",
        "2026-11-28",
        speech.MINIMAX_EXTRAS,
    ),
    Group("Qwen3-TTS", "tts", speech.QWEN, "preset voices", "2026-11-28", speech.QWEN_EXTRAS),
    Group("ElevenLabs on fal", "tts", speech.ELEVENLABS, "voice by name or id", "2026-11-28"),
    Group("Kokoro", "tts", speech.KOKORO, "one endpoint per language", "2026-11-28"),
)

CATALOG = Catalog(
    [family for group in GROUPS for family in group.families()],
    generic={
        "video": Family(
            "generic fal video model", "video", (), GENERIC_VIDEO, notes="fal's common names"
        ),
        "image": Family(
            "generic fal image model", "image", (), GENERIC_IMAGE, notes="fal's common names"
        ),
    },
)
"""Every fal endpoint tarash maps exactly, plus generic tables for other model ids."""

FIELD_MAPPINGS: dict[str, Mappers] = CATALOG.field_mappings
"""Every endpoint's table in one registry (what ``get_provider_field_mapping`` shows)."""

MODEL_FAMILIES: list[ModelFamily] = [group.describe() for group in GROUPS]
