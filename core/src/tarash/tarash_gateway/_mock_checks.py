"""What ``provider="mock"`` refuses: the mistakes every real provider would refuse too.

The mock cannot know one model's accepted values (use ``config.mock`` on a
real provider's config for that: the plugin's own validation then runs
offline). It does refuse what no provider takes: an empty prompt or text,
zero or negative counts and durations, a ``size`` that is not ``WxH``,
an audio format tarash does not know, and media that cannot be read.
"""

from __future__ import annotations

import re
from typing import Any

from tarash.tarash_gateway._media_check import check_request_media
from tarash.tarash_gateway.exceptions import ValidationError
from tarash.tarash_gateway.models import AUDIO_CONTENT_TYPES

_SIZE = re.compile(r"^([1-9][0-9]{0,4})x([1-9][0-9]{0,4})$")
_COUNTS = ("duration_seconds", "number_of_videos", "n")


def check_mock_request(request: Any) -> None:
    """Refuse what every provider would refuse, before the mock answers.

    Raises:
        ValidationError: Naming the field, the value and what is accepted.
    """
    for field in ("prompt", "text"):
        value = getattr(request, field, None)
        if isinstance(value, str) and not value.strip():
            raise ValidationError(f"{field} is empty; every provider needs a non-empty {field}")
    for field in _COUNTS:
        value = getattr(request, field, None)
        if value is not None and (not isinstance(value, int) or value < 1):
            raise ValidationError(f"{field}={value!r} is not accepted; accepted: 1 or more")
    size = getattr(request, "size", None)
    if size is not None and not _SIZE.match(str(size)):
        raise ValidationError(
            f"size={size!r} is not accepted; accepted: 'WIDTHxHEIGHT' in pixels, e.g. '1024x1024'"
        )
    audio_format = getattr(request, "output_format", None)
    if audio_format is not None:
        _check_audio_format(audio_format)
    check_request_media(request, strict=True)


def _check_audio_format(audio_format: Any) -> None:
    name = audio_format.format
    if name not in AUDIO_CONTENT_TYPES:
        accepted = ", ".join(repr(known) for known in AUDIO_CONTENT_TYPES)
        raise ValidationError(
            f"output_format.format={name!r} is not accepted; accepted: {accepted}"
        )
    for field in ("sample_rate", "bitrate"):
        value = getattr(audio_format, field, None)
        if value is not None and value < 1:
            raise ValidationError(
                f"output_format.{field}={value!r} is not accepted; accepted: 1 or more"
            )
