"""Progress of a ``tarash`` generation on stderr.

On a terminal, one live line is redrawn in place (status, queue position,
percent, elapsed time, which link of the fallback chain); elsewhere each change
is one plain log line, so CI logs and pipes stay readable.
"""

from __future__ import annotations

import shutil
import threading
import time
from typing import Any, TextIO

SPINNER = "-\\|/"
TICK_SECONDS = 0.25
BAR_WIDTH = 20


def format_elapsed(seconds: float) -> str:
    """``12.3s`` under a minute, ``4m05s`` above."""
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}m{secs:02d}s"


def queue_text(position: int) -> str:
    """``next in queue`` for position 0 (nothing ahead), else ``N ahead in queue``."""
    return "next in queue" if position <= 0 else f"{position} ahead in queue"


def choose_mode(requested: str, quiet: bool, stream: TextIO) -> str:
    """Resolve ``--progress auto`` (and ``--quiet``) to ``live``, ``plain`` or ``off``."""
    if quiet:
        return "off"
    if requested != "auto":
        return requested
    isatty = getattr(stream, "isatty", None)
    return "live" if isatty is not None and isatty() else "plain"


class Progress:
    """The ``on_progress`` callback of the CLI, and its display.

    Attributes:
        request_id: The provider's id of the running job, once known.
        provider: Provider of the running attempt.
    """

    def __init__(self, stream: TextIO, mode: str, labels: list[str], modality: str) -> None:
        self.stream = stream
        self.mode = mode
        self.labels = labels
        self.modality = modality
        self.started = time.monotonic()
        self.request_id: str | None = None
        self.provider: str | None = None
        self.attempt = 1
        self.status = "submitting"
        self.percent: int | None = None
        self.queue: int | None = None
        self.log: str | None = None
        self._last_plain: str | None = None
        self._drawn = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self._frame = 0

    # ------------------------------------------------------------ lifecycle
    def start(self) -> None:
        """Show the submission; on a terminal, start redrawing the live line."""
        if self.mode == "off":
            return
        if self.mode == "live":
            self._ticker = threading.Thread(target=self._tick, name="tarash-progress", daemon=True)
            self._ticker.start()
        else:
            self._plain(f"{self.modality} via {self._label()}: submitting")

    def stop(self) -> None:
        """Stop redrawing and clear the live line."""
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(timeout=1)
        with self._lock:
            self._clear()

    def note(self, text: str) -> None:
        """Print a whole line (above the live line on a terminal)."""
        if self.mode == "plain":
            self._plain(text)
        elif self.mode == "live":
            with self._lock:
                self._clear()
                self._write(f"tarash: {text}\n")
                self._draw()

    # ------------------------------------------------------------ callback
    def __call__(self, update: Any) -> None:
        """Record one VideoGenerationUpdate / ImageGenerationUpdate / TTSUpdate / STSUpdate."""
        if update.attempt_number and update.attempt_number != self.attempt:
            self.attempt = update.attempt_number
            self.percent = self.queue = self.log = None
        self.provider = update.provider or self.provider
        if update.model and 0 < self.attempt <= len(self.labels):
            self.labels[self.attempt - 1] = f"{update.provider}/{update.model}"
        if update.status == "failed":
            self.request_id = None
            self.note(f"{self._label()} failed: {update.error or 'unknown error'}")
            if self.attempt < len(self.labels):
                self.status = "falling back"
            return
        self.request_id = update.request_id or self.request_id
        self.status = update.status
        self.percent = update.progress_percent
        self.queue = update.queue_position
        if update.logs:
            self.log = str(update.logs[-1])
        if self.mode == "plain":
            for line in update.logs:
                self._plain(f"{self._label()}: log: {line}")
            self._plain(f"{self._label()}: {self._describe()}", dedupe=True)
        elif self.mode == "live":
            with self._lock:
                self._draw()

    # ------------------------------------------------------------ rendering
    def _label(self) -> str:
        index = min(max(self.attempt, 1), len(self.labels)) - 1
        label = self.labels[index] if self.labels else "?"
        if len(self.labels) > 1:
            label += f" (attempt {self.attempt}/{len(self.labels)})"
        return label

    def _describe(self) -> str:
        text = self.status
        if self.queue is not None and self.status == "queued":
            text += f", {queue_text(self.queue)}"
        if self.percent is not None and self.status != "completed":
            text += f", {self.percent}%"
        return text

    def _plain(self, text: str, dedupe: bool = False) -> None:
        if dedupe and text == self._last_plain:
            return
        if dedupe:
            self._last_plain = text
        elapsed = format_elapsed(time.monotonic() - self.started)
        with self._lock:
            self._write(f"tarash: [{elapsed:>7}] {text}\n")

    def _tick(self) -> None:
        while not self._stop.wait(TICK_SECONDS):
            with self._lock:
                self._frame += 1
                self._draw()

    def _line(self) -> str:
        """The live line, fitted to the terminal: status and elapsed time always show.

        What gives way first on a narrow terminal: the log line, then the
        progress bar (the percent stays), then the provider/model label, which
        is shortened from the left (the model's end is what tells models apart).
        """
        width = max(shutil.get_terminal_size((80, 24)).columns - 1, 20)
        state = self.status
        if self.queue is not None and self.status == "queued":
            state += f", {queue_text(self.queue)}"
        percent = bar = ""
        if self.percent is not None and self.status != "completed":
            percent = f"{self.percent}%"
            filled = round(BAR_WIDTH * self.percent / 100)
            bar = f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {self.percent:3d}%"
        spinner = SPINNER[self._frame % len(SPINNER)]
        elapsed = format_elapsed(time.monotonic() - self.started)
        label = self._label()
        log = f"| {self.log}" if self.log else ""
        for progress, tail in ((bar, log), (bar, ""), (percent, "")):
            parts = [spinner, label, state, progress, elapsed, tail]
            line = "  ".join(part for part in parts if part)
            if len(line) <= width:
                return line
        essential = "  ".join(part for part in (state, percent, elapsed) if part)
        room = width - len(spinner) - len(essential) - 4
        if room >= 8:
            short = label if len(label) <= room else "..." + label[-(room - 3) :]
            return f"{spinner}  {short}  {essential}"
        line = f"{spinner} {essential}"
        return line if len(line) <= width else line[: width - 3] + "..."

    def _draw(self) -> None:
        if self.mode != "live" or self._stop.is_set():
            return
        self._write("\r\x1b[2K" + self._line())
        self._drawn = True

    def _clear(self) -> None:
        if self._drawn:
            self._write("\r\x1b[2K")
            self._drawn = False

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a closed or broken stderr must not fail the job
            pass
