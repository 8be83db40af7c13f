"""tarash-sarvam: the Sarvam AI provider of tarash (Bulbul text-to-speech, Indian languages).

Registered through the ``tarash.providers`` entry point as ``sarvam``::

    from tarash.tarash_gateway import generate_tts
    from tarash.tarash_gateway.models import AudioGenerationConfig, TTSRequest

    speech = generate_tts(
        AudioGenerationConfig(provider="sarvam", model="bulbul:v3"),
        TTSRequest(text="नमस्ते", voice_id="shubh", language_code="hi-IN"),
    )

The key comes from ``config.api_key`` or ``SARVAM_API_KEY`` and is sent as
``api-subscription-key``; ``config.base_url`` replaces ``https://api.sarvam.ai``.
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
from tarash_sarvam import _flows
from tarash_sarvam._mapping import TABLES, extra_params_of, map_request
from tarash_sarvam._models import CODECS, DEFAULT_MODEL, LANGUAGES, MODELS
from tarash_sarvam._version import __version__

__all__ = ["DEFAULT_BASE_URL", "PROVIDER", "SarvamProvider", "__version__", "plugin"]

PROVIDER = "sarvam"
DEFAULT_BASE_URL = "https://api.sarvam.ai"


def _families() -> list[ModelFamily]:
    return [
        ModelFamily(
            name=f"Sarvam {model.model}",
            prefixes=[model.model],
            modalities=["tts"],
            fields=["text", "language_code", "voice_id", "voice_settings", "output_format"]
            + [f"extra_params.{n}" for n in extra_params_of(TABLES[model.model])],
            notes=f"POST /text-to-speech. Speakers: {model.speakers_text()} (default "
            f"{model.default_speaker}). Languages: {', '.join(LANGUAGES)}. Sample rates: "
            f"{', '.join(map(str, model.sample_rates))} Hz. Formats: {', '.join(CODECS)}. "
            f"voice_settings: {', '.join(model.settings)}. At most {model.max_characters} "
            f"characters a request. {model.notes}",
        )
        for model in MODELS
    ]


class SarvamProvider(ProviderPlugin):
    """The ``sarvam`` provider (one-shot speech; nothing to poll or cancel)."""

    name = PROVIDER

    def info(self) -> ProviderInfo:
        """Describe the ``sarvam`` provider."""
        return ProviderInfo(
            name=PROVIDER,
            modalities=["tts"],
            default_base_url=DEFAULT_BASE_URL,
            api_key_env=["SARVAM_API_KEY"],
            default_models={"tts": DEFAULT_MODEL},
            model_families=_families(),
            field_mappings=dict(TABLES),
        )

    def map_fields(
        self, model: str, modality: Modality, request: GenerationRequest, config: GenerationConfig
    ) -> dict[str, Any]:
        """Build the JSON body of ``POST /text-to-speech``."""
        return map_request(model, request, config.provider_config)

    def submit(self, payload: dict[str, Any], ctx: CallContext) -> Flow[Job]:
        """Send the speech request; the Job comes back already complete."""
        return _flows.submit(payload, ctx)

    def poll(self, job: Job, ctx: CallContext) -> Flow[JobStatus]:
        """Return the stored status (Sarvam has no job to poll)."""
        return stored_status(job, ctx)


plugin = SarvamProvider()
"""The instance the ``sarvam`` entry point registers."""
