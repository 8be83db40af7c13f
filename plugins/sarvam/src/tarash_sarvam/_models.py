"""What each Bulbul model accepts, as data: speakers, sample rates, text limit, settings.

Sources (checked 2026-11-28): docs.sarvam.ai getting-started/models/bulbul (v3 speakers,
2500 characters), text-to-speech how-to pages (set-the-language, set-the-sample-rate,
choose-a-model for bulbul:v4-flash), the convert-stream reference (pace / pitch / loudness
/ temperature per model), the sarvamai SDK's request types (jsdelivr, sarvamai 1.1.7) and
errors-troubleshooting (error body, 403 auth).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LANGUAGES = (
    "bn-IN", "en-IN", "gu-IN", "hi-IN", "kn-IN", "ml-IN", "mr-IN", "od-IN", "pa-IN", "ta-IN",
    "te-IN",
)  # fmt: skip
"""``target_language_code`` values: 10 Indian languages and Indian English."""

LANGUAGE_ALIASES = {"or": "od-IN", "or-IN": "od-IN"}
"""ISO 639-1 ``or`` (Odia) is ``od-IN`` at Sarvam."""

V3_SPEAKERS = (
    "shubh", "aditya", "ritu", "priya", "neha", "rahul", "pooja", "rohan", "simran", "kavya",
    "amit", "dev", "ishita", "shreya", "ratan", "varun", "manan", "sumit", "roopa", "kabir",
    "aayan", "ashutosh", "advait", "anand", "tanya", "tarun", "sunny", "mani", "gokul",
    "vijay", "shruti", "suhani", "mohit", "kavitha", "rehan", "soham", "rupali",
)  # fmt: skip
"""The 37 speakers of bulbul:v3 (Sarvam's Bulbul model page); ``shubh`` is the default."""

V2_SPEAKERS = ("anushka", "manisha", "vidya", "arya", "abhilash", "karun", "hitesh")
"""bulbul:v2 speakers; ``anushka`` is the default."""

V4_PERSONA = re.compile(r"[a-z]+(?:_[a-z0-9]+){2,}")
"""bulbul:v4-flash speakers are persona ids such as ``simran_en_customer`` (200+)."""

CODECS = {
    "wav": ("wav", "audio/wav"),
    "mp3": ("mp3", "audio/mpeg"),
    "pcm": ("linear16", "audio/pcm"),
    "ulaw": ("mulaw", "audio/basic"),
    "alaw": ("alaw", "audio/basic"),
    "opus": ("opus", "audio/opus"),
    "flac": ("flac", "audio/flac"),
    "aac": ("aac", "audio/aac"),
}
"""tarash format → (``output_audio_codec``, MIME type of the decoded audio)."""

LOSSY = frozenset({"mp3", "opus", "aac"})
BITRATES_KBPS = (32, 64, 96, 128, 192, 256)
"""``output_audio_bitrate`` of lossy codecs, sent as ``"128k"``."""
OPUS_RATES = (8000, 16000, 24000, 48000)
"""Opus takes only these of the offered rates (Sarvam also lists 12000)."""


@dataclass(frozen=True)
class BulbulModel:
    """One Bulbul model: its speakers and what it accepts."""

    model: str
    speakers: tuple[str, ...]
    """Named speakers (empty: persona ids matching :data:`V4_PERSONA`)."""
    default_speaker: str
    sample_rates: tuple[int, ...]
    max_characters: int
    settings: dict[str, tuple[float, float]]
    """``voice_settings`` keys → (low, high)."""
    notes: str = ""

    def accepts_speaker(self, speaker: str) -> bool:
        """Whether this model has ``speaker``."""
        if self.speakers:
            return speaker in self.speakers
        return bool(V4_PERSONA.fullmatch(speaker))

    def speakers_text(self) -> str:
        """The accepted speakers, for messages and docs."""
        if self.speakers:
            return ", ".join(self.speakers)
        return "a persona id such as 'simran_en_customer' or 'shubh_enhi_ads'"


_V3_RATES = (8000, 16000, 22050, 24000, 32000, 44100, 48000)

MODELS: tuple[BulbulModel, ...] = (
    BulbulModel(
        "bulbul:v3",
        V3_SPEAKERS,
        "shubh",
        _V3_RATES,
        2500,
        {"pace": (0.5, 2.0), "temperature": (0.01, 1.0)},
        notes="Default 24000 Hz.",
    ),
    BulbulModel(
        "bulbul:v4-flash",
        (),
        "shubh_enhi_ads",
        _V3_RATES,
        2500,
        {"pace": (0.5, 2.0), "temperature": (0.01, 1.0)},
        notes="Same request format and limits as bulbul:v3; speakers are 200+ persona ids.",
    ),
    BulbulModel(
        "bulbul:v2",
        V2_SPEAKERS,
        "anushka",
        (8000, 16000, 22050, 24000),
        1500,
        {"pace": (0.3, 3.0), "pitch": (-0.75, 0.75), "loudness": (0.3, 3.0)},
        notes="Legacy. Default 22050 Hz; pitch and loudness only here.",
    ),
)

BY_ID = {m.model: m for m in MODELS}
DEFAULT_MODEL = "bulbul:v3"
