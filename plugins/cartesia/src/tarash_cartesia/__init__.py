"""tarash-cartesia: the Cartesia provider of tarash (Sonic text-to-speech, voice changer).

Registered through the ``tarash.providers`` entry point as ``cartesia``::

    from tarash.tarash_gateway import generate_tts
    from tarash.tarash_gateway.models import AudioGenerationConfig, TTSRequest

    speech = generate_tts(
        AudioGenerationConfig(provider="cartesia", model="sonic-3.5"),
        TTSRequest(text="Hello", voice_id="f786b574-daa5-4673-aa0c-cbe3e8534c02"),
    )

The key comes from ``config.api_key`` or ``CARTESIA_API_KEY`` and is sent as
``Authorization: Bearer``, with ``Cartesia-Version: 2026-03-01``; ``config.base_url``
replaces ``https://api.cartesia.ai``.
"""

from __future__ import annotations

from typing import Any

from tarash.tarash_gateway.models import GenerationConfig, GenerationRequest, Modality
from tarash.tarash_gateway.plugin import (
    CallContext,
    Flow,
    Job,
    JobStatus,
    ModelFamily,
    ProviderInfo,
    ProviderPlugin,
    stored_status,
)
from tarash_cartesia import _flows
from tarash_cartesia._flows import API_VERSION
from tarash_cartesia._formats import FORMATS, MP3_BITRATES_KBPS, SAMPLE_RATES
from tarash_cartesia._mapping import (
    STS_FIELDS,
    TTS_TABLES,
    VOICE_CHANGER,
    extra_params_of,
    map_request,
)
from tarash_cartesia._models import MODELS
from tarash_cartesia._version import __version__

__all__ = [
    "API_VERSION",
    "DEFAULT_BASE_URL",
    "DEFAULT_MODELS",
    "PROVIDER",
    "CartesiaProvider",
    "__version__",
    "plugin",
]

PROVIDER = "cartesia"
DEFAULT_BASE_URL = "https://api.cartesia.ai"
DEFAULT_MODELS = {"tts": "sonic-3.5", "sts": VOICE_CHANGER}

_FORMATS_NOTE = (
    f"Formats: {', '.join(FORMATS)}; sample rates {', '.join(map(str, SAMPLE_RATES))} Hz; "
    f"mp3 bitrates {', '.join(map(str, MP3_BITRATES_KBPS))} kbps."
)


def _families() -> list[ModelFamily]:
    families = [
        ModelFamily(
            name=f"Cartesia {model.name}",
            prefixes=list(model.ids),
            modalities=["tts"],
            fields=["text", "voice_id", "output_format", "language_code", "voice_settings"]
            + [f"extra_params.{n}" for n in extra_params_of(TTS_TABLES[model.ids[0]])],
            notes=f"POST /tts/bytes. Languages: {', '.join(model.languages)}. "
            + ("voice_settings: speed, volume, emotion. " if model.generation_config else "")
            + _FORMATS_NOTE
            + (f" {model.notes}" if model.notes else ""),
        )
        for model in MODELS
    ]
    families.append(
        ModelFamily(
            name="Cartesia voice changer",
            prefixes=[VOICE_CHANGER],
            modalities=["sts"],
            fields=["audio", "voice_id", "output_format", "extra_params.encoding"],
            notes="POST /voice-changer/bytes (multipart); URL audio is downloaded and uploaded. "
            + _FORMATS_NOTE,
        )
    )
    return families


class CartesiaProvider(ProviderPlugin):
    """The ``cartesia`` provider (one-shot speech; nothing to poll or cancel)."""

    name = PROVIDER

    def info(self) -> ProviderInfo:
        """Describe the ``cartesia`` provider."""
        return ProviderInfo(
            name=PROVIDER,
            modalities=["tts", "sts"],
            default_base_url=DEFAULT_BASE_URL,
            api_key_env=["CARTESIA_API_KEY"],
            default_models=dict(DEFAULT_MODELS),
            model_families=_families(),
            field_mappings={**TTS_TABLES, VOICE_CHANGER: STS_FIELDS},
        )

    def supports_modality(self, model: str, modality: Modality) -> bool:
        """``voice-changer`` does sts; every Sonic model id does tts."""
        if modality == "sts":
            return model == VOICE_CHANGER
        return modality == "tts" and model != VOICE_CHANGER

    def map_fields(
        self, model: str, modality: Modality, request: GenerationRequest, config: GenerationConfig
    ) -> dict[str, Any]:
        """Build the Cartesia payload (tts: the JSON body; sts: fields before flattening)."""
        return map_request(modality, model, request, config.provider_config)

    def submit(self, payload: dict[str, Any], ctx: CallContext) -> Flow[Job]:
        """Send the speech request; the Job comes back already complete."""
        return _flows.submit(payload, ctx)

    def poll(self, job: Job, ctx: CallContext) -> Flow[JobStatus]:
        """Return the stored status (Cartesia has no job to poll)."""
        return stored_status(job, ctx)


plugin = CartesiaProvider()
"""The instance the ``cartesia`` entry point registers."""
