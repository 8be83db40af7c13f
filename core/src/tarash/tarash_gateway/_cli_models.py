"""``tarash models``: what each model accepts, from the plugins' own tables."""

from __future__ import annotations

import argparse
import json

from tarash.tarash_gateway.capabilities import FieldCapability, ModelCapabilities
from tarash.tarash_gateway.models import MODALITIES


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``tarash models PROVIDER [MODEL]``."""
    models = commands.add_parser(
        "models",
        help="list a provider's models, or show what one model accepts",
        description="List a provider's models with the values they accept, or show every "
        "field, value and range of one model (the data that validates requests).",
    )
    models.add_argument("provider", metavar="PROVIDER", help="provider id, e.g. fal")
    models.add_argument("model", metavar="MODEL", nargs="?", help="a model id of that provider")
    models.add_argument("--modality", choices=MODALITIES, help="video, image, tts or sts")
    models.add_argument("--json", action="store_true", help="print JSON on stdout")
    models.add_argument(
        "--markdown", action="store_true", help="print the listing as a Markdown table"
    )
    models.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    """Print the listing (or one model); errors propagate to the CLI's handler."""
    from tarash.tarash_gateway._describe import describe_model, list_models

    if args.model is None:
        listed = list_models(args.provider)
        if args.modality:
            listed = [caps for caps in listed if caps.modality == args.modality]
        if args.json:
            print(json.dumps([caps.model_dump(mode="json") for caps in listed], indent=2))
        elif args.markdown:
            print(markdown_table(listed))
        else:
            print(listing(args.provider, listed))
        return 0
    caps = describe_model(args.provider, args.model, args.modality)
    print(caps.model_dump_json(indent=2) if args.json else details(caps))
    return 0


def listing(provider: str, listed: list[ModelCapabilities]) -> str:
    """One line per model: id, modality, and the values of its enumerated fields."""
    if not listed:
        return f"{provider}: the plugin lists no models (any model id may still work)"
    width = min(max(len(caps.model) for caps in listed), 56)
    lines = [f"{provider}: {len(listed)} models (tarash models {provider} MODEL for details)"]
    for caps in listed:
        summary = "; ".join(f"{f.name} {accepted(f)}" for f in caps.fields if f.values is not None)
        lines.append(f"  {caps.model:<{width}}  {caps.modality:<5}  {summary}".rstrip())
    return "\n".join(lines)


def markdown_table(listed: list[ModelCapabilities]) -> str:
    """The listing as a Markdown table (the provider pages of docs/ embed it)."""
    rows = [
        "| model | modality | family | fields and accepted values |",
        "|---|---|---|---|",
    ]
    for caps in listed:
        fields = "<br>".join(
            f"`{f.name}`{' (required)' if f.required else ''}: {_cell(accepted(f))}"
            for f in caps.fields
        )
        rows.append(f"| `{caps.model}` | {caps.modality} | {_cell(caps.family or '')} | {fields} |")
    return "\n".join(rows)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def details(caps: ModelCapabilities) -> str:
    """Every field of one model with what it accepts."""
    head = f"{caps.provider} / {caps.model} ({caps.modality})"
    lines = [head, f"  family: {caps.family or 'unknown'}"]
    if caps.endpoint:
        lines.append(f"  endpoint: {caps.endpoint}")
    if not caps.declared:
        lines.append("  the plugin declares no field data for this model")
    lines.extend(_fields(caps.fields, "  "))
    for variant in caps.variants[1:]:
        when = f" (when {variant.selected_when})" if variant.selected_when else ""
        lines.append(f"  variant {variant.name}: {variant.endpoint or ''}{when}")
        lines.extend(_fields(variant.fields, "    "))
    if caps.unused_fields:
        lines.append("  not taken: " + ", ".join(caps.unused_fields))
    for extra in caps.extra_fields:
        values = f" [{', '.join(map(str, extra.values))}]" if extra.values else ""
        lines.append(f"  extra_params.{extra.name} ({extra.type}){values}: {extra.description}")
    if caps.notes:
        lines.append(f"  notes: {caps.notes}")
    if caps.source:
        lines.append(f"  source: {caps.source}")
    return "\n".join(lines)


def _fields(fields: list[FieldCapability], indent: str) -> list[str]:
    width = max((len(f.name) for f in fields), default=0)
    lines = []
    for f in fields:
        required = " (required)" if f.required else ""
        sent = f" -> {', '.join(f.sent_as)}" if f.sent_as and f.sent_as != [f.name] else ""
        lines.append(f"{indent}{f.name:<{width}}  {accepted(f)}{required}{sent}".rstrip())
    return lines


def accepted(field: FieldCapability) -> str:
    """What a field accepts, in a few words."""
    parts: list[str] = []
    if field.values is not None:
        parts.append(", ".join(str(v) for v in field.values))
    if field.pattern:
        parts.append(f"/{field.pattern}/")
    if field.minimum is not None or field.maximum is not None:
        low = "" if field.minimum is None else f"{field.minimum:g}"
        high = "" if field.maximum is None else f"{field.maximum:g}"
        parts.append(f"{low}..{high}")
    if field.roles:
        parts.append("roles " + "/".join(field.roles))
    if field.max_items is not None:
        parts.append(f"max {field.max_items}")
    if field.media:
        parts.append(field.media)
    if field.max_bytes is not None:
        parts.append(f"inline at most {field.max_bytes / 1_000_000:.1f} MB")
    if field.max_upload_bytes is not None:
        parts.append(f"uploaded at most {field.max_upload_bytes / 1_000_000:.1f} MB")
    if field.note:
        parts.append(field.note)
    return "; ".join(parts) or "any"
