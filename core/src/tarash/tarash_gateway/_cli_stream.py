"""``tarash tts ... --stream``: write speech chunks as they arrive (stdout or a file)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from tarash.tarash_gateway import _cli_output as out
from tarash.tarash_gateway._cli_progress import format_elapsed
from tarash.tarash_gateway.streaming import stream_sts, stream_tts


def run(args: argparse.Namespace, config: Any, request: Any) -> int:
    """Stream to ``args.output`` (``-`` for stdout, the default with --stream)."""
    opener = stream_tts if args.modality == "tts" else stream_sts
    target = args.output or "-"
    started = time.monotonic()
    with opener(config, request) as stream:
        if target == "-":
            sink = sys.stdout.buffer
            for chunk in stream:
                sink.write(chunk)
                sink.flush()
            where = "stdout"
        else:
            path = Path(target)
            partial = path.with_name(f".{path.name}.part")
            with partial.open("wb") as file:
                for chunk in stream:
                    file.write(chunk)
                    file.flush()
            partial.replace(path)
            where = str(path)
    if not args.quiet:
        elapsed = format_elapsed(time.monotonic() - started)
        print(
            f"tarash: streamed {out.human_size(stream.bytes_delivered)} ({stream.content_type}) "
            f"to {where} in {elapsed} via {stream.provider}/{stream.model}",
            file=sys.stderr,
            flush=True,
        )
    return out.EXIT_OK
