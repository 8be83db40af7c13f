"""What a request field accepts, as data: the one source of validation and description.

An :class:`Accepts` sits on each :class:`~tarash.tarash_gateway.providers.field_mappers.FieldMapper`.
:func:`~tarash.tarash_gateway.providers.field_mappers.apply_field_mappers` checks
request values against it before any converter runs, the error messages quote it,
and :func:`~tarash.tarash_gateway.describe_model` publishes it. A mapping's
converter only translates.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

MediaKind = Literal["image", "video", "audio"]


class FieldValueError(ValueError):
    """A refusal of a value: which field, which value, what is accepted."""

    def __init__(self, field: str, value: object, accepted: str) -> None:
        super().__init__(f"{field}={value!r} is not accepted; {accepted}")
        self.field = field
        self.value = value
        self.accepted = accepted


@dataclass(frozen=True)
class Accepts:
    """The values one request field accepts for one model.

    Attributes:
        values: A closed list of accepted values (request values, before translation).
        pattern: A regular expression strings may match instead (with ``values``: also
            accepted, e.g. custom voice ids ``voice_...`` beside the built-in names).
        minimum: Smallest accepted number (inclusive).
        maximum: Largest accepted number (inclusive).
        step: Numbers must be ``minimum + k * step``.
        max_items: For ``image_list`` roles: at most this many images.
        roles: For ``image_list``: the image roles (``ImageType.type``) this field reads;
            None means every role.
        media: The kind of media the field carries (image, video, audio).
        max_bytes: Largest media (its decoded bytes) the provider takes *inline*
            (bytes, base64 or a data URI in the request), where it documents one.
        max_upload_bytes: Largest media when the plugin uploads it instead (inline
            media over the provider's ``upload_threshold_bytes``, see ProviderInfo);
            None: no documented limit. URLs are never downloaded to check either.
        note: Free text for what the data above cannot say ("'WIDTHxHEIGHT'").
        ignore_case: Text values match ``values`` whatever their case.
        aliases: Other spellings of listed values (``{"or": "od-IN"}``): accepted, and
            sent as the value they name.
        language_tags: ``values`` are language tags (``hi-IN``): a tag matches the
            listed one with the same language whatever its case, separator (``_``) or
            region (``hi``, ``HI_in``, ``hi-GB`` → ``hi-IN``), and is sent as listed.
    """

    values: tuple[Any, ...] | None = None
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    max_items: int | None = None
    roles: tuple[str, ...] | None = None
    media: MediaKind | None = None
    max_bytes: int | None = None
    max_upload_bytes: int | None = None
    note: str = ""
    ignore_case: bool = False
    aliases: Mapping[str, Any] | None = None
    language_tags: bool = False

    @classmethod
    def one_of(cls, values: Sequence[Any], note: str = "") -> Accepts:
        """A closed list of values."""
        return cls(values=tuple(values), note=note)

    @classmethod
    def range(
        cls, minimum: float | None = None, maximum: float | None = None, step: float | None = None
    ) -> Accepts:
        """Numbers from ``minimum`` to ``maximum`` (inclusive), optionally on a ``step``."""
        return cls(minimum=minimum, maximum=maximum, step=step)

    def describe(self) -> str:
        """What is accepted, in words: ``accepted: 4, 6, 8``."""
        parts: list[str] = []
        if self.values is not None:
            parts.append(", ".join(repr(v) if isinstance(v, str) else str(v) for v in self.values))
        if self.language_tags:
            parts.append("any case or region of these languages")
        if self.aliases:
            parts.append("also " + ", ".join(f"{k!r} (as {v!r})" for k, v in self.aliases.items()))
        if self.pattern is not None:
            parts.append(f"{'or ' if self.values else ''}text matching {self.pattern!r}")
        if self.minimum is not None or self.maximum is not None:
            low = "" if self.minimum is None else _number(self.minimum)
            high = "" if self.maximum is None else _number(self.maximum)
            text = f"{low} to {high}" if low and high else (f">= {low}" if low else f"<= {high}")
            if self.step not in (None, 1):
                text += f" in steps of {_number(self.step)}"  # type: ignore[arg-type]
            parts.append(text)
        if self.roles is not None:
            parts.append("image roles " + ", ".join(self.roles))
        if self.max_items is not None:
            parts.append(f"at most {self.max_items}")
        if self.note:
            parts.append(self.note)
        return "accepted: " + "; ".join(parts) if parts else "any value"

    def canonical(self, value: Any) -> Any:
        """The listed value ``value`` stands for (an alias, a language tag); else ``value``."""
        if not isinstance(value, str) or (self.aliases is None and not self.language_tags):
            return value
        if self.aliases and value in self.aliases:
            return self.aliases[value]
        if self.language_tags and self.values is not None:
            tag = value.strip().replace("_", "-").lower()
            listed = {str(v).lower(): v for v in self.values}
            if tag in listed:
                return listed[tag]
            primary = tag.split("-", 1)[0]
            if self.aliases and primary in self.aliases:
                return self.aliases[primary]
            same = [v for v in self.values if str(v).lower().split("-", 1)[0] == primary]
            if same:
                return same[0]
        return value

    def check(self, field: str, value: Any) -> None:
        """Raise FieldValueError when ``value`` (not None) is outside what is accepted."""
        if value is None:
            return
        value = self.canonical(value)
        if self.values is not None or self.pattern is not None:
            listed = self.values is not None and _contains(self.values, value, self.ignore_case)
            matched = (
                self.pattern is not None
                and isinstance(value, str)
                and re.fullmatch(self.pattern, value) is not None
            )
            if not (listed or matched):
                raise FieldValueError(field, value, self.describe())
        if self.minimum is not None or self.maximum is not None or self.step is not None:
            self._check_number(field, value)

    def _check_number(self, field: str, value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise FieldValueError(field, value, self.describe())
        if self.minimum is not None and value < self.minimum:
            raise FieldValueError(field, value, self.describe())
        if self.maximum is not None and value > self.maximum:
            raise FieldValueError(field, value, self.describe())
        if self.step not in (None, 0):
            base = self.minimum or 0
            ratio = (value - base) / self.step  # type: ignore[operator]
            if abs(ratio - round(ratio)) > 1e-9:
                raise FieldValueError(field, value, self.describe())


def _contains(values: tuple[Any, ...], value: Any, ignore_case: bool = False) -> bool:
    if ignore_case and isinstance(value, str):
        value = value.lower()
        values = tuple(v.lower() if isinstance(v, str) else v for v in values)
    # bool is an int: True must not pass for 1, nor 1 for True.
    return any(v == value and isinstance(v, bool) == isinstance(value, bool) for v in values)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
