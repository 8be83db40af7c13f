"""The model tables of docs/providers/*.md are generated from the plugins' data and current."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_model_tables_are_current():
    done = subprocess.run(
        [sys.executable, str(DOCS / "gen_tables.py"), "--check"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_fal_page_embeds_its_table():
    text = (DOCS / "providers" / "fal.md").read_text()
    assert "<!-- tarash:models fal -->" in text
    assert "| `fal-ai/veo3.1/fast/image-to-video` | video |" in text
