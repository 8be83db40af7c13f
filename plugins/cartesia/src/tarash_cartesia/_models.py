"""What each Cartesia model accepts, as data: languages, generation controls, snapshots.

Sources (checked 2026-11-28): docs.cartesia.ai/build-with-cartesia/tts-models/api-changes
(stable offerings and the 2026-06-01 sunset), .../tts-models/older-models (sonic-3
languages), .../tts-models/sonic-3-5, and the official SDK cartesia-ai/cartesia-python
(types ``TTSModel``, ``SupportedLanguage``, ``GenerationConfigParam``, ``Emotion``).
"""

from __future__ import annotations

from dataclasses import dataclass

SONIC_3_LANGUAGES = (
    "en", "de", "es", "fr", "ja", "pt", "zh", "hi", "ko", "it", "nl", "pl", "ru", "sv",
    "tr", "tl", "bg", "ro", "ar", "cs", "el", "fi", "hr", "ms", "sk", "da", "ta", "uk",
    "hu", "no", "vi", "bn", "th", "he", "ka", "id", "te", "gu", "kn", "ml", "mr", "pa",
)  # fmt: skip
"""The 42 languages of sonic-3 and sonic-3.5."""

SONIC_2_LANGUAGES = ("en", "de", "es", "fr", "ja", "ko", "pt", "zh")
"""What sonic-2 still serves after the 2026-06-01 sunset (it, nl, pl, ru, sv, tr, hi went)."""

SONIC_TURBO_LANGUAGES = (*SONIC_2_LANGUAGES, "hi")

EMOTIONS = (
    "neutral", "happy", "excited", "enthusiastic", "elated", "euphoric", "triumphant",
    "amazed", "surprised", "flirtatious", "curious", "content", "peaceful", "serene", "calm",
    "grateful", "affectionate", "trust", "sympathetic", "anticipation", "mysterious", "angry",
    "mad", "outraged", "frustrated", "agitated", "threatened", "disgusted", "contempt",
    "envious", "sarcastic", "ironic", "sad", "dejected", "melancholic", "disappointed", "hurt",
    "guilty", "bored", "tired", "rejected", "nostalgic", "wistful", "apologetic", "hesitant",
    "insecure", "confused", "resigned", "anxious", "panicked", "alarmed", "scared", "proud",
    "confident", "distant", "skeptical", "contemplative", "determined",
)  # fmt: skip
"""``generation_config.emotion`` values (SDK type ``Emotion``)."""

GENERATION_RANGES = {"speed": (0.6, 1.5), "volume": (0.5, 2.0)}
"""``generation_config`` numbers: multiples of the voice's own speed and volume."""


@dataclass(frozen=True)
class SonicModel:
    """One Cartesia TTS model: ids it answers to and what it accepts."""

    name: str
    ids: tuple[str, ...]
    """The base id first, then dated snapshots (any id starting with the base id + '-' too)."""
    languages: tuple[str, ...]
    generation_config: bool
    """Whether ``generation_config`` (speed, volume, emotion) has an effect."""
    notes: str = ""


MODELS: tuple[SonicModel, ...] = (
    SonicModel(
        "Sonic 3.5",
        ("sonic-3.5", "sonic-3.5-2026-05-04", "sonic-latest"),
        SONIC_3_LANGUAGES,
        generation_config=True,
        notes="Cartesia's current model; sonic-latest follows it. Cartesia's model page says "
        "volume/speed/emotion controls are temporarily disabled on sonic-3.5 (sent, no effect).",
    ),
    SonicModel(
        "Sonic 3",
        ("sonic-3", "sonic-3-2026-01-12", "sonic-3-2025-10-27"),
        SONIC_3_LANGUAGES,
        generation_config=True,
    ),
    SonicModel(
        "Sonic 2",
        ("sonic-2", "sonic-2-2025-06-11", "sonic-2-2025-05-08", "sonic-2-2025-04-16"),
        SONIC_2_LANGUAGES,
        generation_config=False,
        notes="Languages reduced on 2026-06-01.",
    ),
    SonicModel(
        "Sonic Turbo",
        ("sonic-turbo", "sonic-turbo-2025-06-04"),
        SONIC_TURBO_LANGUAGES,
        generation_config=False,
        notes="Languages reduced on 2026-06-01.",
    ),
)

SUNSET = frozenset(
    {
        "sonic",
        "sonic-english",
        "sonic-multilingual",
        "sonic-2-2025-03-07",
        "sonic-turbo-2025-03-07",
    }
)
"""Model ids Cartesia stopped serving on 2026-06-01 (error ``model_sunsetted``)."""

VOICE_CHANGER = "voice-changer"
"""tarash's model id for Cartesia's voice changer (the endpoint itself takes no model)."""


def model_of(model_id: str) -> SonicModel | None:
    """The Sonic model ``model_id`` names (exact id, or a newer dated snapshot of a base id)."""
    for model in MODELS:
        if model_id in model.ids:
            return model
    prefixed = [m for m in MODELS if model_id.startswith(m.ids[0] + "-20")]
    return max(prefixed, key=lambda m: len(m.ids[0]), default=None)
