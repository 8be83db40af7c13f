"""Declarative field mapping: request fields → a provider's payload fields.

A mapping is a dict ``{api_field_name: FieldMapper}``. Each FieldMapper reads
one request field (``source_field``) and converts it; ``None`` results are left
out of the payload. Converters reject values the model does not accept by
raising :class:`FieldValueError`; :func:`apply_field_mappers` turns that into a
ValidationError naming the field, the value and what is accepted, before any
network call.

Media given as bytes (MediaContent) or base64 becomes a data URI wherever a
provider takes URLs; URLs pass through unchanged. Media that no mapper of the
table reads (an image given to a text-only model) is refused rather than
silently dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Literal

from tarash.tarash_gateway._accepts import Accepts, FieldValueError
from tarash.tarash_gateway._media import to_data_uri
from tarash.tarash_gateway._media_check import check_accepted_media
from tarash.tarash_gateway._request_fields import field_names, request_field
from tarash.tarash_gateway.exceptions import ValidationError

__all__ = [
    "Accepts",
    "Adjusted",
    "FieldMapper",
    "FieldValueError",
    "apply_field_mappers",
    "aspect_ratio_field_mapper",
    "constant_field_mapper",
    "duration_field_mapper",
    "enum_field_mapper",
    "extra_params_field_mapper",
    "get_field_mappers_from_registry",
    "image_input_field_mapper",
    "image_list_field_mapper",
    "image_roles",
    "mask_image_field_mapper",
    "n_images_field_mapper",
    "passthrough_field_mapper",
    "quality_field_mapper",
    "read_path",
    "single_image_field_mapper",
    "size_field_mapper",
    "style_field_mapper",
    "video_url_field_mapper",
]

ImageRole = Literal["reference", "first_frame", "last_frame", "asset", "style"]
Converter = Callable[[Any, Any], Any]


@dataclass(frozen=True)
class FieldMapper:
    """Maps one request field to one API field.

    Attributes:
        source_field: Attribute of the request to read.
        converter: ``(request, value) -> api_value``; return None to omit the field.
            It only translates: what is accepted is ``accepts``.
        required: Refuse the request when the value (before or after conversion) is None.
        accepts: What the field accepts (checked before the converter runs, quoted in
            errors, published by ``describe_model``); None accepts any value.
        also_reads: Other request fields the converter reads, with what each accepts
            (e.g. fal's ``image_size`` reads ``size`` and ``aspect_ratio``); dotted
            paths reach into sub-fields (``"output_format.sample_rate"``,
            ``"extra_params.speed"``).
    """

    source_field: str
    converter: Converter
    required: bool = False
    accepts: Accepts | None = None
    also_reads: tuple[tuple[str, Accepts], ...] = ()

    def read(self, request: Any) -> Any:
        """The value this mapper reads: the request field, else the ``extra_params`` entry.

        A ``source_field`` the request model does not have (a provider-specific
        input such as Pixverse's ``style`` on a video request) is read from
        ``request.extra_params``, so the table validates it like any field.
        """
        known = field_names(type(request))
        if known is None or self.source_field in known or not self.source_field:
            return getattr(request, self.source_field, None)
        extras = request_field(request, "extra_params")
        return extras.get(self.source_field) if isinstance(extras, dict) else None

    def check(self, request: Any) -> None:
        """Raise FieldValueError for a value of ``request`` this mapper does not accept."""
        if self.accepts is not None:
            value = self.read(request)
            if self.source_field == "image_list":
                _check_images(self.accepts, value)
            else:
                self.accepts.check(self.source_field, value)
        for field, accepts in self.also_reads:
            accepts.check(field, read_path(request, field))


def read_path(request: Any, path: str) -> Any:
    """The value at a dotted ``path`` of a request (None where a step is missing).

    ``"output_format.format"`` reads an attribute of a field, ``"extra_params.speed"``
    a key of a dict field.
    """
    value: Any = request
    for step in path.split("."):
        if value is None:
            return None
        value = value.get(step) if isinstance(value, dict) else getattr(value, step, None)
    return value


@dataclass(frozen=True)
class Adjusted:
    """A converter's result that differs from what the user asked, and why.

    Return ``Adjusted(sent, asked, why)`` from a converter when the mapping had to
    change a value (a ratio snapped to the nearest preset, a default filled in).
    The payload gets ``sent``; the attempt's ``execution_metadata`` records the
    change, so nothing is changed silently. Refuse instead (FieldValueError) when
    the change alters what the user pays for or gets.
    """

    value: Any
    asked: Any
    why: str


adjustments_var: ContextVar[list[dict[str, Any]] | None] = ContextVar(
    "tarash_adjustments", default=None
)
"""Set by the core while it maps a request; :func:`apply_field_mappers` appends to it."""

media_route_var: ContextVar[tuple[str, int | None] | None] = ContextVar(
    "tarash_media_route", default=None
)
"""Set by the core while it maps a request: ``(model, upload threshold)``.

The threshold is the provider's ``upload_threshold_bytes`` (ProviderInfo, or the
user's ``provider_config`` override): inline media over it is uploaded by the
plugin, so a field's ``Accepts.max_upload_bytes`` applies to it instead of
``max_bytes``. Unset (a mapping called directly): media counts as inline.
"""


def _check_images(accepts: Accepts, value: Any) -> None:
    images = [
        item for item in value or [] if accepts.roles is None or item.get("type") in accepts.roles
    ]
    if accepts.max_items is not None and len(images) > accepts.max_items:
        roles = "/".join(accepts.roles) if accepts.roles else "any role"
        raise FieldValueError(
            "image_list", f"{len(images)} images ({roles})", f"at most {accepts.max_items}"
        )


def apply_field_mappers(
    field_mappers: Mapping[str, FieldMapper], request: Any, *, refuse_unsent: bool = True
) -> dict[str, Any]:
    """Build a provider payload from ``request``.

    Each value is checked against its mapper's ``accepts`` before the converter
    runs, media against its size limit (``Accepts.max_bytes`` when sent inline,
    ``max_upload_bytes`` when the plugin uploads it: see ``media_route_var``).
    With ``refuse_unsent``, media the table never reads is refused.

    Returns:
        ``{api_field: value}`` without None values, empty lists or empty dicts.

    Raises:
        ValidationError: A required field is missing or a value is not accepted.
    """
    payload: dict[str, Any] = {}
    adjustments = adjustments_var.get()
    model, threshold = media_route_var.get() or (None, None)
    for mapper in field_mappers.values():  # sizes first: refused before any file is read
        if mapper.accepts is not None and mapper.accepts.media is not None:
            check_accepted_media(
                mapper.accepts, mapper.source_field, mapper.read(request), threshold, model
            )
    for api_field, mapper in field_mappers.items():
        value = mapper.read(request)
        if mapper.required and value in (None, [], ""):
            raise ValidationError(
                f"{mapper.source_field} is required by this model (sent as {api_field!r})"
            )
        if mapper.accepts is not None:
            value = mapper.accepts.canonical(value)  # an alias or language tag: the listed value
        try:
            mapper.check(request)
            converted = mapper.converter(request, value)
        except FieldValueError as exc:
            raise ValidationError(str(exc)) from exc
        except ValueError as exc:
            raise ValidationError(f"{mapper.source_field}: {exc}") from exc
        if isinstance(converted, Adjusted):
            if adjustments is not None:
                adjustments.append(
                    {
                        "field": mapper.source_field,
                        "sent_as": api_field,
                        "asked": converted.asked,
                        "sent": converted.value,
                        "why": converted.why,
                    }
                )
            converted = converted.value
        if mapper.required and converted is None:
            raise ValidationError(
                f"{mapper.source_field} is required by this model (sent as {api_field!r})"
            )
        if converted is not None and converted != [] and converted != {}:
            payload[api_field] = converted
    if refuse_unsent:
        _refuse_unsent_media(field_mappers, request)
    return payload


_MEDIA_FIELDS = {"image_list": "input images", "video": "input video", "mask_image": "mask"}


def _refuse_unsent_media(field_mappers: Mapping[str, FieldMapper], request: Any) -> None:
    """Media the mapping never reads would be dropped silently: refuse it instead."""
    read = {mapper.source_field for mapper in field_mappers.values()}
    for field, what in _MEDIA_FIELDS.items():
        if request_field(request, field) and field not in read:
            raise ValidationError(
                f"{field} is given, but this model takes no {what} and would ignore it; "
                f"remove {field} or choose a model variant that takes {what}"
            )
    roles = image_roles(field_mappers)
    if roles is not None:
        for item in request_field(request, "image_list") or []:
            if item.get("type") not in roles:
                raise ValidationError(
                    f"image_list has an image of type {item.get('type')!r}, which this model "
                    f"would ignore; accepted types: {', '.join(sorted(roles)) or 'none'}"
                )


def image_roles(field_mappers: Mapping[str, FieldMapper]) -> set[str] | None:
    """The image roles a mapping reads from ``image_list``; None when it reads every role.

    A mapper of ``image_list`` without declared roles reads every role.
    """
    roles: set[str] = set()
    for mapper in field_mappers.values():
        if mapper.source_field != "image_list":
            continue
        if mapper.accepts is None or mapper.accepts.roles is None:
            return None
        roles.update(mapper.accepts.roles)
    return roles


def get_field_mappers_from_registry(
    model_name: str,
    registry: Mapping[str, dict[str, FieldMapper]],
    fallback_mappers: dict[str, FieldMapper] | None = None,
) -> dict[str, FieldMapper] | None:
    """Return the mappers of the longest registry key that ``model_name`` starts with."""
    if model_name in registry:
        return registry[model_name]
    best = max((key for key in registry if model_name.startswith(key)), key=len, default=None)
    return registry[best] if best is not None else fallback_mappers


# ---------------------------------------------------------------- generic mappers
def passthrough_field_mapper(source_field: str, required: bool = False) -> FieldMapper:
    """Copy ``source_field`` unchanged."""
    return FieldMapper(source_field, lambda _req, value: value, required)


def constant_field_mapper(value: Any) -> FieldMapper:
    """Always send ``value`` (a model's fixed setting)."""
    return FieldMapper("", lambda _req, _value: value)


def enum_field_mapper(
    source_field: str,
    allowed_values: Sequence[Any] | Mapping[Any, Any],
    required: bool = False,
) -> FieldMapper:
    """Accept only ``allowed_values``; a mapping also translates (``{"16:9": "landscape"}``)."""
    accepts = Accepts(values=tuple(allowed_values))
    if isinstance(allowed_values, Mapping):
        table = dict(allowed_values)
        return FieldMapper(source_field, lambda _req, value: table.get(value), required, accepts)
    return FieldMapper(source_field, lambda _req, value: value, required, accepts)


def aspect_ratio_field_mapper(
    allowed_values: Sequence[str] | Mapping[str, Any] | None = None,
) -> FieldMapper:
    """Map ``aspect_ratio``, optionally restricted to / translated by ``allowed_values``."""
    if allowed_values is None:
        return passthrough_field_mapper("aspect_ratio")
    return enum_field_mapper("aspect_ratio", allowed_values)


def extra_params_field_mapper(param_name: str, required: bool = False) -> FieldMapper:
    """Send ``request.extra_params[param_name]`` when present."""

    def convert(_req: Any, value: Any) -> Any:
        if required and (not isinstance(value, dict) or value.get(param_name) is None):
            raise FieldValueError(f"extra_params[{param_name!r}]", None, "a value is required")
        return value.get(param_name) if isinstance(value, dict) else None

    return FieldMapper("extra_params", convert)


def duration_field_mapper(
    field_type: Literal["str", "int"],
    allowed_values: Sequence[str] | Sequence[int] | None = None,
    provider: str = "unknown",
    model: str | None = None,
    add_suffix: bool = True,
) -> FieldMapper:
    """Map ``duration_seconds`` to an int (``8``) or a string (``"8s"``, or ``"8"``).

    Args:
        field_type: ``"int"`` or ``"str"``.
        allowed_values: Accepted durations, as ints or as strings like ``"8s"``.
        provider: Unused; kept for compatibility with earlier releases.
        model: Unused; kept for compatibility with earlier releases.
        add_suffix: Append ``s`` to string durations.
    """
    allowed = sorted({int(str(v).rstrip("s")) for v in allowed_values}) if allowed_values else None
    accepts = Accepts(values=tuple(allowed)) if allowed is not None else None

    def convert(_req: Any, value: Any) -> Any:
        if value is None:
            return None
        seconds = int(value)
        if field_type == "int":
            return seconds
        return f"{seconds}s" if add_suffix else str(seconds)

    return FieldMapper("duration_seconds", convert, accepts=accepts)


# ---------------------------------------------------------------- media mappers
def _images_of(value: Any, roles: Sequence[str] | None) -> list[Any]:
    items = value or []
    return [item["image"] for item in items if roles is None or item.get("type") in roles]


def single_image_field_mapper(
    required: bool = False,
    image_type: ImageRole = "reference",
    strict: bool = True,
) -> FieldMapper:
    """Send the one image of role ``image_type`` as a URL / data URI.

    For ``reference``, a ``first_frame`` image is accepted too. With ``strict``,
    more than one matching image is refused; otherwise the field is left out.
    """
    roles = ("reference", "first_frame") if image_type == "reference" else (image_type,)

    def convert(_req: Any, value: Any) -> str | None:
        images = _images_of(value, roles)
        if len(images) != 1:
            return None
        return to_data_uri(images[0], "image/png")

    accepts = Accepts(roles=roles, max_items=1 if strict else None, media="image")
    return FieldMapper("image_list", convert, required, accepts)


def image_list_field_mapper(
    image_type: ImageRole | Sequence[ImageRole] | None = None,
    max_items: int | None = None,
) -> FieldMapper:
    """Send images (all, or those of the given role(s)) as a list of URLs / data URIs."""
    roles = [image_type] if isinstance(image_type, str) else image_type

    def convert(_req: Any, value: Any) -> list[str]:
        return [to_data_uri(image, "image/png") for image in _images_of(value, roles)]

    accepts = Accepts(
        roles=None if roles is None else tuple(roles), max_items=max_items, media="image"
    )
    return FieldMapper("image_list", convert, accepts=accepts)


def image_input_field_mapper(required: bool = False) -> FieldMapper:
    """Send the first image of ``image_list`` (img2img, inpainting) as URL / data URI."""

    def convert(_req: Any, value: Any) -> str | None:
        images = _images_of(value, None)
        return to_data_uri(images[0], "image/png") if images else None

    return FieldMapper("image_list", convert, required, Accepts(max_items=1, media="image"))


def video_url_field_mapper(required: bool = False) -> FieldMapper:
    """Send ``request.video`` as URL / data URI."""

    def convert(_req: Any, value: Any) -> str | None:
        return None if value is None else to_data_uri(value, "video/mp4")

    return FieldMapper("video", convert, required, Accepts(media="video"))


def mask_image_field_mapper() -> FieldMapper:
    """Send ``request.mask_image`` as URL / data URI."""

    def convert(_req: Any, value: Any) -> str | None:
        return None if value is None else to_data_uri(value, "image/png")

    return FieldMapper("mask_image", convert, accepts=Accepts(media="image"))


# ---------------------------------------------------------------- image option mappers
def size_field_mapper(
    allowed_values: Sequence[str] | None = None,
    provider: str = "unknown",
    model: str | None = None,
) -> FieldMapper:
    """Map ``size`` ('WxH'), restricted to ``allowed_values`` when given."""
    return _option_mapper("size", allowed_values)


def quality_field_mapper(allowed_values: Sequence[str] | None = None) -> FieldMapper:
    """Map ``quality``, restricted to ``allowed_values`` when given."""
    return _option_mapper("quality", allowed_values)


def style_field_mapper(allowed_values: Sequence[str] | None = None) -> FieldMapper:
    """Map ``style``, restricted to ``allowed_values`` when given."""
    return _option_mapper("style", allowed_values)


def _option_mapper(field: str, allowed_values: Sequence[str] | None) -> FieldMapper:
    if allowed_values is None:
        return FieldMapper(field, lambda _req, value: None if value is None else str(value))
    return enum_field_mapper(field, list(allowed_values))


def n_images_field_mapper(min_value: int = 1, max_value: int = 10) -> FieldMapper:
    """Map ``n`` (number of images), bounded to ``[min_value, max_value]``."""
    accepts = Accepts(minimum=min_value, maximum=max_value, step=1)
    return FieldMapper(
        "n", lambda _req, value: None if value is None else int(value), False, accepts
    )
