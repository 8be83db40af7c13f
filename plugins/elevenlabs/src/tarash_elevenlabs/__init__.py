"""tarash-elevenlabs: the ElevenLabs provider of tarash (text-to-speech, speech-to-speech).

Registered through the ``tarash.providers`` entry point as ``elevenlabs``::

    from tarash.tarash_gateway import generate_tts
    from tarash.tarash_gateway.models import AudioGenerationConfig, TTSRequest

    speech = generate_tts(
        AudioGenerationConfig(provider="elevenlabs", model="eleven_multilingual_v2"),
        TTSRequest(text="Hello", voice_id="JBFqnCBsd6RMkjVDRZzb"),
    )

The key comes from ``config.api_key`` or ``ELEVENLABS_API_KEY`` and is sent as
``xi-api-key``; ``config.base_url`` replaces ``https://api.elevenlabs.io``.
"""

from __future__ import annotations

from typing import Any

from tarash.tarash_gateway.capabilities import Catalog, Family
from tarash.tarash_gateway.models import GenerationConfig, GenerationRequest, Modality
from tarash.tarash_gateway.plugin import ModelFamily, ProviderInfo, ProviderPlugin
from tarash_elevenlabs import _flows
from tarash_elevenlabs._mapping import STS_FIELDS, TTS_FIELDS, extra_params_of, map_request
from tarash_elevenlabs._version import __version__

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_MODELS",
    "PROVIDER",
    "STS_MODEL_PREFIXES",
    "ElevenLabsProvider",
    "__version__",
    "plugin",
]

PROVIDER = "elevenlabs"
DEFAULT_BASE_URL = "https://api.elevenlabs.io"
DEFAULT_MODELS = {"tts": "eleven_multilingual_v2", "sts": "eleven_multilingual_sts_v2"}
STS_MODEL_PREFIXES = ("eleven_multilingual_sts", "eleven_english_sts")
TTS_MODEL_PREFIXES = (
    "eleven_v3",
    "eleven_multilingual_v2",
    "eleven_flash_v2_5",
    "eleven_flash_v2",
    "eleven_turbo_v2_5",
    "eleven_turbo_v2",
    "eleven_monolingual_v1",
    "eleven_multilingual_v1",
)

_TTS_FIELDS_USED = ["text", "voice_id", "output_format", "language_code", "voice_settings"]
_STS_FIELDS_USED = ["audio", "voice_id", "output_format", "voice_settings"]


def _is_sts_model(model: str) -> bool:
    return model.startswith(STS_MODEL_PREFIXES) or "_sts_" in model


_DOCS = "https://elevenlabs.io/docs/api-reference/{page} (checked 2026-11-27)"
CATALOG = Catalog(
    [
        Family(
            "ElevenLabs text-to-speech",
            "tts",
            TTS_MODEL_PREFIXES,
            TTS_FIELDS,
            endpoint="/v1/text-to-speech/{voice_id}",
            source=_DOCS.format(page="text-to-speech/convert"),
        ),
        Family(
            "ElevenLabs speech-to-speech (voice changer)",
            "sts",
            STS_MODEL_PREFIXES,
            STS_FIELDS,
            endpoint="/v1/speech-to-speech/{voice_id}",
            source=_DOCS.format(page="speech-to-speech/convert"),
        ),
    ],
    generic={
        "tts": Family(
            "ElevenLabs text-to-speech", "tts", (), TTS_FIELDS, "/v1/text-to-speech/{voice_id}"
        )
    },
)
"""The models as capabilities data (describe_model / list_models answer from it)."""


class ElevenLabsProvider(ProviderPlugin):
    """The ``elevenlabs`` provider (one-shot speech; nothing to poll or cancel)."""

    name = PROVIDER
    catalog = CATALOG
    flows = _flows

    def info(self) -> ProviderInfo:
        """Describe the ``elevenlabs`` provider."""
        return ProviderInfo(
            name=PROVIDER,
            modalities=["tts", "sts"],
            default_base_url=DEFAULT_BASE_URL,
            api_key_env=["ELEVENLABS_API_KEY"],
            default_models=dict(DEFAULT_MODELS),
            model_families=[
                ModelFamily(
                    name="ElevenLabs text-to-speech",
                    prefixes=list(TTS_MODEL_PREFIXES),
                    modalities=["tts"],
                    fields=_TTS_FIELDS_USED
                    + [f"extra_params.{n}" for n in extra_params_of(TTS_FIELDS)],
                    notes="Any model id that is not a speech-to-speech model is sent to "
                    "POST /v1/text-to-speech/{voice_id}.",
                ),
                ModelFamily(
                    name="ElevenLabs speech-to-speech (voice changer)",
                    prefixes=list(STS_MODEL_PREFIXES),
                    modalities=["sts"],
                    fields=_STS_FIELDS_USED
                    + [f"extra_params.{n}" for n in extra_params_of(STS_FIELDS)],
                    notes="POST /v1/speech-to-speech/{voice_id}; URL audio is downloaded "
                    "and uploaded.",
                ),
            ],
            field_mappings={
                "eleven_": TTS_FIELDS,
                **dict.fromkeys(STS_MODEL_PREFIXES, STS_FIELDS),
            },
            provider_config_keys=["voice_id"],
        )

    def supports_modality(self, model: str, modality: Modality) -> bool:
        """Speech-to-speech models do sts; every other ElevenLabs model does tts."""
        if modality == "sts":
            return _is_sts_model(model)
        return modality == "tts" and not _is_sts_model(model)

    def map_fields(
        self, model: str, modality: Modality, request: GenerationRequest, config: GenerationConfig
    ) -> dict[str, Any]:
        """Build the ElevenLabs payload (path, query and body fields, flat)."""
        return map_request(modality, model, request, config.provider_config)


plugin = ElevenLabsProvider()
"""The instance the ``elevenlabs`` entry point registers."""
