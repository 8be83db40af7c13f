"""Model capabilities as data: what each model accepts, from one source of truth.

A plugin declares its model families as tables (:class:`Family`): the model ids,
the endpoint, and ``{api_field: FieldMapper}`` where each mapper carries an
:class:`Accepts`. The same table validates a request, maps it to the provider's
payload, chooses the endpoint, and describes the model::

    VEO = Family(
        name="Veo 3.1", modality="video", models=("fal-ai/veo3.1",),
        fields={"prompt": passthrough_field_mapper("prompt", required=True),
                "duration": duration_field_mapper("str", [4, 6, 8])},
        source="https://fal.ai/models/fal-ai/veo3.1/api (checked 2026-11-28)",
    )
    CATALOG = Catalog([VEO])
    CATALOG.describe("fal", "fal-ai/veo3.1", "video").model_dump()

:func:`tarash.tarash_gateway.describe_model` and
:func:`tarash.tarash_gateway.list_models` answer from these tables (through the
``tarash_describe_model`` / ``tarash_list_models`` hooks), with the user's
``register_provider_field_mapping`` overrides applied.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field

from tarash.tarash_gateway._accepts import Accepts, FieldValueError, MediaKind
from tarash.tarash_gateway._request_fields import request_field
from tarash.tarash_gateway.exceptions import ValidationError
from tarash.tarash_gateway.models import REQUEST_TYPES, Modality
from tarash.tarash_gateway.providers.field_mappers import FieldMapper

__all__ = [
    "Accepts",
    "Catalog",
    "ExtraField",
    "Family",
    "FieldCapability",
    "FieldValueError",
    "ModelCapabilities",
    "Variant",
    "capabilities_from_mappers",
    "check_extra_params",
    "fields_from_mappers",
    "refuse_unread_fields",
    "request_model_fields",
]

Mappers = Mapping[str, FieldMapper]

_MEDIA_INPUTS = ("image_list", "video", "mask_image", "audio")

# Request fields that are not model inputs (never refused as "not taken").
_NOT_INPUTS = frozenset({"extra_params"})


class FieldCapability(BaseModel):
    """One request field as a model takes it.

    ``image_list`` may appear once per image role group (first frame, last
    frame, references...), each with its own ``sent_as`` and ``max_items``.
    """

    model_config = ConfigDict(defer_build=True)

    name: str = Field(description="The request field, e.g. 'duration_seconds'.")
    sent_as: list[str] = Field(default_factory=list, description="The provider's field name(s).")
    required: bool = False
    values: list[Any] | None = Field(default=None, description="A closed list of values.")
    pattern: str | None = Field(default=None, description="A regex text may match instead.")
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    max_items: int | None = None
    roles: list[str] | None = Field(
        default=None, description="image_list: the image roles this field reads (None: any)."
    )
    media: MediaKind | None = None
    max_bytes: int | None = Field(
        default=None, description="Largest media sent inline (bytes, base64, data URI)."
    )
    max_upload_bytes: int | None = Field(
        default=None, description="Largest media the plugin uploads instead of inlining."
    )
    aliases: dict[str, Any] | None = Field(
        default=None, description="Other spellings accepted, and the listed value each is sent as."
    )
    language_tags: bool = Field(
        default=False, description="values are language tags; any case or region matches."
    )
    note: str = ""


class ExtraField(BaseModel):
    """A provider-specific input the endpoint documents, sent through ``extra_params``."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    name: str
    type: str = Field(description="JSON type: string, integer, number, boolean, object, array.")
    description: str = ""
    values: tuple[Any, ...] | None = None
    accepts: Accepts | None = Field(
        default=None,
        description="What the value accepts beyond its type (range, pattern, ...), checked "
        "like a table field's.",
    )


class Variant(BaseModel):
    """One endpoint of a model, chosen by what the request holds."""

    model_config = ConfigDict(defer_build=True)

    name: str
    endpoint: str | None = None
    selected_when: str = Field(default="", description="When the request goes here.")
    fields: list[FieldCapability] = Field(default_factory=list)


class ModelCapabilities(BaseModel):
    """What one model of one provider accepts (``describe_model``'s answer).

    ``fields`` are the request fields the model reads (its first variant when it
    has several endpoints); ``unused_fields`` are standard request fields it does
    not take: setting them is refused before any request. ``variants`` lists every
    endpoint when the request chooses among several (text- vs image-to-video).
    """

    model_config = ConfigDict(defer_build=True)

    provider: str
    model: str
    modality: Modality
    family: str | None = Field(default=None, description="The family's name; None when unknown.")
    endpoint: str | None = None
    fields: list[FieldCapability] = Field(default_factory=list)
    unused_fields: list[str] = Field(default_factory=list)
    extra_fields: list[ExtraField] = Field(default_factory=list)
    extra_params: bool = Field(
        default=True, description="Whether extra_params are passed through to the provider."
    )
    variants: list[Variant] = Field(default_factory=list)
    source: str | None = Field(default=None, description="Where the facts come from, and when.")
    notes: str = ""
    declared: bool = Field(
        default=True, description="False when the plugin declares no field data for this model."
    )

    def field(self, name: str) -> FieldCapability | None:
        """The first capability of request field ``name``, if the model reads it."""
        return next((f for f in self.fields if f.name == name), None)


@dataclass(frozen=True)
class Family:
    """A model family: model ids, one endpoint, and its field table (data, not code).

    Attributes:
        name: Shown to users ("Veo 3.1").
        modality: video, image, tts or sts.
        models: Model ids or id prefixes; a model uses the longest prefix it starts with.
        fields: ``{api_field: FieldMapper}``; each mapper's ``accepts`` says what it takes.
        endpoint: The provider path (free form; the plugin's flows read it).
        source: Where the facts come from and when they were checked.
        notes: Anything users should know.
        extra_fields: Provider-specific inputs the endpoint documents (via extra_params).
        selected_when: Words for when this endpoint is chosen, if a model has several.
        model_field: The payload field that carries the model id (``"model"``,
            ``"model_id"``), which the default ``map_fields`` puts first; None:
            the body names no model (the URL does, or the endpoint has one).
    """

    name: str
    modality: Modality
    models: tuple[str, ...]
    fields: Mappers
    endpoint: str = ""
    source: str = ""
    notes: str = ""
    extra_fields: tuple[ExtraField, ...] = ()
    selected_when: str = ""
    model_field: str | None = None

    @classmethod
    def tables(
        cls,
        name: str,
        modality: Modality,
        tables: Mapping[str, Mappers],
        **common: Any,
    ) -> list[Family]:
        """One family per ``{model prefix: table}`` entry, sharing ``name`` and the rest."""
        return [
            cls(name, modality, (prefix,), mappers, **common) for prefix, mappers in tables.items()
        ]

    def matches(self, model: str) -> int:
        """Length of the longest of ``models`` that ``model`` equals or starts with; -1 if none."""
        return max((len(p) for p in self.models if model.startswith(p)), default=-1)

    def takes(self, request: Any) -> bool:
        """Whether ``request`` has every required field and no media this table ignores."""
        read = {m.source_field for m in self.fields.values()}
        for mapper in self.fields.values():
            if mapper.required and not _present(request, mapper):
                return False
        return all(not request_field(request, media) or media in read for media in _MEDIA_INPUTS)

    def mismatch(self, request: Any) -> list[str]:
        """Why this family does not take ``request``: required fields missing, media extra."""
        read = {m.source_field for m in self.fields.values()}
        problems: list[str] = []
        for mapper in self.fields.values():
            if mapper.required and not _present(request, mapper):
                roles = mapper.accepts.roles if mapper.accepts is not None else None
                what = (
                    f"{mapper.source_field} ({'/'.join(roles)})" if roles else mapper.source_field
                )
                if f"missing {what}" not in problems:
                    problems.append(f"missing {what}")
        problems += [
            f"takes no {media}"
            for media in _MEDIA_INPUTS
            if request_field(request, media) and media not in read
        ]
        return problems


@dataclass
class Catalog:
    """A plugin's families, looked up by model id (longest prefix wins)."""

    families: Sequence[Family]
    generic: Mapping[Modality, Family | Sequence[Family]] = field(default_factory=dict)
    """Used for model ids no family knows (absent: such ids are refused); several
    families: one per endpoint, chosen like a model's (text- vs image-to-video)."""

    _found: dict[tuple[str, Modality | None], tuple[Family, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def find(self, model: str, modality: Modality | None = None) -> list[Family]:
        """The families of ``model`` (its longest matching prefix), in declaration order.

        Memoised per (model, modality): a call scans every family (fal has over a
        hundred) and runs twice per generation; ``families`` is fixed once built.
        """
        key = (model, modality)
        found = self._found.get(key)
        if found is None:
            scored = [
                (family.matches(model), family)
                for family in self.families
                if modality is None or family.modality == modality
            ]
            best = max((score for score, _ in scored), default=-1)
            found = tuple(family for score, family in scored if score == best and best >= 0)
            if len(self._found) >= 1024:  # arbitrary model ids must not grow it forever
                self._found.clear()
            self._found[key] = found
        return list(found)

    def modality_of(self, model: str) -> Modality | None:
        """The modality of a known model; None when no family knows it."""
        found = self.find(model)
        return found[0].modality if found else None

    def select(self, model: str, modality: Modality, request: Any) -> Family:
        """The family (endpoint) that serves ``request`` for ``model``.

        Among the model's families (or the generic ones, for a model id no family
        knows), the first whose required fields the request has and that reads
        every media field it holds. When none does, a model with one family
        gets it regardless (its mapping then names what is missing), and so does
        a request with media no family reads (the mapping refuses that media).

        Raises:
            ValidationError: No family knows ``model`` and there is no generic one;
                or the model has several endpoints and none takes the request
                (naming what each is missing or does not take).
        """
        found = self.find(model, modality)
        if not found and modality in self.generic:
            found = self.generic_families(modality)
        if not found:
            known = ", ".join(
                sorted({p for f in self.families if f.modality == modality for p in f.models})
            )
            raise ValidationError(
                f"model {model!r} is not a known {modality} model; known: {known or 'none'}"
            )
        chosen = next((family for family in found if family.takes(request)), None)
        if chosen is not None:
            return chosen
        if len(found) == 1 or _read_by_none(found, request):
            return found[0]  # its mapping names the missing field, or the media no endpoint takes
        reasons = "; ".join(
            f"{family.name}{f' ({family.endpoint})' if family.endpoint else ''}: "
            + ", ".join(family.mismatch(request))
            for family in found
        )
        raise ValidationError(f"model {model!r} has no endpoint that takes this request: {reasons}")

    def generic_families(self, modality: Modality) -> list[Family]:
        """The families used for model ids no family knows (one or several endpoints)."""
        generic = self.generic.get(modality)
        if generic is None:
            return []
        return [generic] if isinstance(generic, Family) else list(generic)

    def describe(self, provider: str, model: str, modality: Modality) -> ModelCapabilities | None:
        """The capabilities of ``model``; None when no family (nor a generic one) knows it."""
        found = self.find(model, modality) or self.generic_families(modality)
        if not found:
            return None
        return describe_families(provider, model, found)

    def models(self, provider: str) -> list[ModelCapabilities]:
        """One entry per declared model id (or prefix), in declaration order."""
        seen: dict[tuple[str, Modality], list[Family]] = {}
        for family in self.families:
            for model in family.models:
                seen.setdefault((model, family.modality), []).append(family)
        return [describe_families(provider, m, fams) for (m, _), fams in seen.items()]

    @property
    def field_mappings(self) -> dict[str, dict[str, FieldMapper]]:
        """``{model prefix: mappers}`` of every family's first table (``get_provider_field_mapping``)."""
        mappings: dict[str, dict[str, FieldMapper]] = {}
        for family in self.families:
            for model in family.models:
                mappings.setdefault(model, dict(family.fields))
        return mappings


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "object": (Mapping,),
    "array": (list, tuple),
}


def check_extra_params(extra_fields: Sequence[ExtraField], extra_params: Mapping[str, Any]) -> None:
    """Refuse a documented ``extra_params`` value outside its ExtraField's type or values.

    Keys no ExtraField documents are left alone (they may be another provider's).

    Raises:
        ValidationError: naming the key, the value and what is accepted.
    """
    for extra in extra_fields:
        value = extra_params.get(extra.name)
        if value is None:
            continue
        kinds = _JSON_TYPES.get(extra.type, (object,))
        wrong_type = not isinstance(value, kinds) or (
            isinstance(value, bool) and extra.type in ("integer", "number")
        )
        if wrong_type or (extra.values is not None and value not in extra.values):
            accepted = (
                ", ".join(repr(v) for v in extra.values)
                if extra.values is not None
                else f"a JSON {extra.type}"
            )
            raise ValidationError(
                f"extra_params[{extra.name!r}]={_short(value)} is not accepted; "
                f"accepted: {accepted}"
            )
        if extra.accepts is not None:
            try:
                extra.accepts.check(f"extra_params[{extra.name!r}]", value)
            except FieldValueError as exc:
                raise ValidationError(str(exc)) from exc


def describe_families(provider: str, model: str, families: Sequence[Family]) -> ModelCapabilities:
    """The capabilities of ``model`` served by ``families`` (several: one per endpoint)."""
    first = families[0]
    caps = capabilities_from_mappers(provider, model, first.modality, first.fields)
    caps.family = first.name
    caps.endpoint = first.endpoint or None
    caps.source = first.source or None
    caps.notes = first.notes
    caps.extra_fields = list(first.extra_fields)
    if len(families) > 1:
        caps.variants = [
            Variant(
                name=family.name,
                endpoint=family.endpoint or None,
                selected_when=family.selected_when,
                fields=fields_from_mappers(family.fields, family.modality),
            )
            for family in families
        ]
        read = {f.name for variant in caps.variants for f in variant.fields}
        caps.unused_fields = [name for name in caps.unused_fields if name not in read]
    return caps


def capabilities_from_mappers(
    provider: str, model: str, modality: Modality, mappers: Mappers
) -> ModelCapabilities:
    """Capabilities of a model described only by a field table."""
    fields = fields_from_mappers(mappers, modality)
    read = {f.name for f in fields}
    return ModelCapabilities(
        provider=provider,
        model=model,
        modality=modality,
        fields=fields,
        unused_fields=[name for name in standard_fields(modality) if name not in read],
    )


def fields_from_mappers(
    mappers: Mappers, modality: Modality | None = None
) -> list[FieldCapability]:
    """One FieldCapability per (request field, role group) a table reads, in table order.

    A source field the modality's request model does not have is read from
    ``extra_params``: it is listed as ``extra_params.<name>``.
    """
    known = REQUEST_TYPES[modality].model_fields if modality is not None else None
    fields: list[FieldCapability] = []
    for api_field, mapper in mappers.items():
        container = mapper.source_field == "extra_params" or any(
            other.startswith(f"{mapper.source_field}.") for other, _ in mapper.also_reads
        )
        if mapper.source_field and not (container and mapper.accepts is None):
            name = mapper.source_field
            if known is not None and name not in known:
                name = f"extra_params.{name}"
            _merge(fields, name, api_field, mapper.required, mapper.accepts)
        for other, accepts in mapper.also_reads:
            if known is not None and "." not in other and other not in known:
                other = f"extra_params.{other}"
            _merge(fields, other, api_field, False, accepts)
    return fields


def _merge(
    fields: list[FieldCapability],
    name: str,
    api_field: str,
    required: bool,
    accepts: Accepts | None,
) -> None:
    roles = list(accepts.roles) if accepts is not None and accepts.roles is not None else None
    for existing in fields:
        if existing.name == name and existing.roles == roles:
            if api_field not in existing.sent_as:
                existing.sent_as.append(api_field)
            existing.required = existing.required or required
            return
    capability = FieldCapability(name=name, sent_as=[api_field], required=required, roles=roles)
    if accepts is not None:
        capability.values = list(accepts.values) if accepts.values is not None else None
        capability.pattern = accepts.pattern
        capability.minimum = accepts.minimum
        capability.maximum = accepts.maximum
        capability.step = accepts.step
        capability.max_items = accepts.max_items
        capability.media = accepts.media
        capability.max_bytes = accepts.max_bytes
        capability.max_upload_bytes = accepts.max_upload_bytes
        capability.aliases = dict(accepts.aliases) if accepts.aliases else None
        capability.language_tags = accepts.language_tags
        capability.note = accepts.note
    fields.append(capability)


def request_model_fields(modality: Modality) -> list[FieldCapability]:
    """What the request model of ``modality`` itself accepts (closed lists, lower bounds).

    Describes a provider that takes every standard field (the mock).
    """
    fields: list[FieldCapability] = []
    for name, info in REQUEST_TYPES[modality].model_fields.items():
        if name in _NOT_INPUTS:
            continue
        capability = FieldCapability(name=name, sent_as=[name], required=info.is_required())
        literal = _literal_values(info.annotation)
        if literal:
            capability.values = literal
        for rule in info.metadata:
            low = getattr(rule, "ge", None)
            if low is None and getattr(rule, "gt", None) is not None:
                low = rule.gt + 1  # integer fields: gt=0 means >= 1
            if low is not None:
                capability.minimum = low
        fields.append(capability)
    return fields


def _literal_values(annotation: Any) -> list[Any] | None:
    for arg in (annotation, *get_args(annotation)):
        if get_origin(arg) is Literal:
            return list(get_args(arg))
    return None


def standard_fields(modality: Modality) -> list[str]:
    """The request fields of ``modality`` that are model inputs."""
    return [name for name in REQUEST_TYPES[modality].model_fields if name not in _NOT_INPUTS]


def refuse_unread_fields(mappers: Mappers, request: Any, modality: Modality) -> None:
    """Refuse standard request fields the user set but the model does not take.

    A value the mapping never reads would be silently dropped: the user pays for
    a job that ignores it. Media fields are refused by ``apply_field_mappers``.

    Raises:
        ValidationError: naming the field, its value, and the fields the model takes.
    """
    read = {m.source_field for m in mappers.values()}
    read.update(other.split(".")[0] for m in mappers.values() for other, _ in m.also_reads)
    fields_set: Iterable[str] = getattr(request, "model_fields_set", ())
    model_fields = type(request).model_fields
    for name in standard_fields(modality):
        if name in read or name not in fields_set or model_fields[name].is_required():
            continue  # a required request field (the prompt) cannot be left out
        value = getattr(request, name, None)
        if value in (None, [], "", {}) or _is_default(request, name, value):
            continue
        taken = ", ".join(sorted(read - {""}))
        raise ValidationError(
            f"{name}={_short(value)} is not taken by this model and would be ignored; "
            f"remove it (the model takes: {taken})"
        )


def _is_default(request: Any, name: str, value: Any) -> bool:
    info = type(request).model_fields[name]
    if info.default_factory is not None:
        return bool(value == info.default_factory())  # type: ignore[call-arg]
    return bool(value == info.default)


def _read_by_none(families: Sequence[Family], request: Any) -> bool:
    """Whether the request holds media that no family reads (the model takes none)."""
    read = {m.source_field for family in families for m in family.fields.values()}
    return any(request_field(request, media) and media not in read for media in _MEDIA_INPUTS)


def _present(request: Any, mapper: FieldMapper) -> bool:
    value = request_field(request, mapper.source_field)
    if mapper.source_field == "image_list" and mapper.accepts is not None:
        roles = mapper.accepts.roles
        return any(roles is None or item.get("type") in roles for item in value or [])
    return value not in (None, [], "")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
