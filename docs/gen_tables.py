"""Regenerate (or --check) the model tables of docs/providers/*.md from the plugins' data.

A page embeds a table between ``<!-- tarash:models PROVIDER -->`` and
``<!-- /tarash:models -->``; the table is ``tarash models PROVIDER --markdown``,
built from the same capabilities data that validates requests, so it cannot
drift: the tests and the docs session run this with ``--check``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from tarash.tarash_gateway import list_models
from tarash.tarash_gateway._cli_models import markdown_table

PAGES = Path(__file__).parent / "providers"
BLOCK = re.compile(r"(<!-- tarash:models (\S+) -->\n)(.*?)(<!-- /tarash:models -->)", re.DOTALL)


def render(text: str) -> str:
    """``text`` with every model block regenerated."""
    return BLOCK.sub(lambda m: f"{m[1]}\n{markdown_table(list_models(m[2]))}\n\n{m[4]}", text)


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for page in sorted(PAGES.glob("*.md")):
        text = page.read_text()
        fresh = render(text)
        if fresh != text:
            stale.append(page.name)
            if not check:
                page.write_text(fresh)
    if check and stale:
        print(f"stale model tables in {', '.join(stale)}: run python docs/gen_tables.py")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
