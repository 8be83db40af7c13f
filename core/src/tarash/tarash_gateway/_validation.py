"""Input checking shared by tarash's models: pydantic's refusals become ValidationError.

:class:`TarashModel` is the base of every model a user builds (configs, requests,
the mock's settings). Building one with a bad value raises
:class:`~tarash.tarash_gateway.exceptions.ValidationError` (also a ``ValueError``)
naming the field, the value and what is accepted, never pydantic's own error.
Values of secret fields (``*key*``, ``*secret*``, ``*token*``, ``*password*``)
are never echoed, and a model with ``hide_input_in_errors`` (the configs) shows
numbers only. :func:`did_you_mean` and :func:`warn_user` serve the
``TarashWarning`` about likely typos.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Self

import pydantic
from pydantic import BaseModel

from tarash.tarash_gateway.exceptions import TarashWarning, ValidationError

SECRET_WORDS = ("key", "secret", "token", "password")
MAX_SHOWN = 80
_INPUT_SHOULD_BE = "Input should be "


class TarashModel(BaseModel):
    """Base of the models users build: refusals raise tarash's ValidationError."""

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except pydantic.ValidationError as exc:
            raise validation_error(type(self), exc) from None

    @classmethod
    def model_validate(cls, obj: Any, **options: Any) -> Self:  # type: ignore[override]
        """Pydantic's ``model_validate``, raising tarash's ValidationError."""
        try:
            return super().model_validate(obj, **options)
        except pydantic.ValidationError as exc:
            raise validation_error(cls, exc) from None


Problem = tuple[str, "str | None", str]
"""``(field, shown value or None, reason)``: one refused field."""


def validation_error(model: type[BaseModel], exc: pydantic.ValidationError) -> ValidationError:
    """One ValidationError for every problem pydantic found building ``model``."""
    problems = [
        problem
        for group in _grouped(exc.errors(include_url=False))
        for problem in _problems(model, group)
    ]
    name = model.__name__
    if len(problems) == 1:
        message = _format(name, problems[0])
    else:
        lines = "".join(f"\n  - {_format('', problem)}" for problem in problems)
        message = f"{len(problems)} problems in {name}:{lines}"
    error = ValidationError(message)
    error.problems = problems
    return error


def _format(model: str, problem: Problem) -> str:
    field, shown, reason = problem
    where = f"{model}.{field}" if model and field else model or field
    if shown is not None:
        return f"{where}={shown} {reason}"
    return f"{where} {reason}" if field and reason.startswith("is ") else f"{where}: {reason}"


def _grouped(errors: Sequence[Any]) -> list[list[Any]]:
    """Errors of one union field (same place, same input) become one group."""
    groups: list[list[Any]] = []
    for error in errors:
        last = groups[-1][-1] if groups else None
        if (
            last is not None
            and error["type"] != "missing"
            and last["type"] != "missing"
            and len(error["loc"]) > 1
            and error["loc"][:-1] == last["loc"][:-1]
            and error.get("input") is last.get("input")
        ):
            groups[-1].append(error)
        else:
            groups.append([error])
    return groups


def _problems(model: type[BaseModel], group: list[Any]) -> list[Problem]:
    first = group[0]
    loc = first["loc"][:-1] if len(group) > 1 else first["loc"]
    field = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)
    field = field.lstrip(".")
    kind = first["type"]
    inner = (first.get("ctx") or {}).get("error")
    if isinstance(inner, ValidationError) and inner.problems:
        # a nested tarash model refused its part: report its problems at their place
        return [
            (f"{field}.{f}" if field and f else field or f, shown, reason)
            for f, shown, reason in inner.problems
        ]
    if kind == "missing":
        return [(field, None, "is required")]
    if kind == "extra_forbidden":
        hint = did_you_mean(str(loc[-1]), model.model_fields if len(loc) == 1 else ())
        return [(field, None, f"is not a field{hint}")]
    if not loc:  # a check of the whole model: no single value to show
        return [("", None, _reason(first["msg"]))]
    value = first.get("input")
    hidden = _is_secret(loc) or (
        # configs may hold a key in the wrong field: only plain numbers are shown
        model.model_config.get("hide_input_in_errors")
        and not isinstance(value, bool | int | float | None)
    )
    shown = "<hidden>" if hidden else _shown(value)
    accepted = [
        error["msg"][len(_INPUT_SHOULD_BE) :]
        for error in group
        if error["msg"].startswith(_INPUT_SHOULD_BE)
    ]
    if accepted:
        return [(field, shown, f"is not accepted; accepted: {' or '.join(accepted)}")]
    return [(field, shown, f"is not accepted: {_reason(first['msg'])}")]


def _reason(message: str) -> str:
    return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def _is_secret(loc: Sequence[Any]) -> bool:
    return any(
        isinstance(part, str) and any(word in part.lower() for word in SECRET_WORDS) for part in loc
    )


def _shown(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return f"<{len(value)} bytes>"
    text = repr(value)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 3] + "..."


# ---------------------------------------------------------------- typos
def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` when ``name`` is a likely typo of a candidate, else ``""``."""
    match = closest(name, candidates)
    return f"; did you mean {match!r}?" if match else ""


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate ``name`` is most likely a typo of (small edit distance), if any."""
    best: tuple[int, str] | None = None
    for candidate in candidates:
        if candidate == name or len(candidate) < 3:
            continue
        limit = 1 if len(candidate) <= 5 else 2
        distance = _distance(name.lower(), candidate.lower(), limit)
        if distance <= limit and (best is None or distance < best[0]):
            best = (distance, candidate)
    return best[1] if best else None


def _distance(a: str, b: str, limit: int) -> int:
    """Edit distance with adjacent transpositions; anything above ``limit`` is limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, start=1):
            cost = char_a != char_b
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)


_INTERNAL = (str(Path(__file__).parent), str(Path(pydantic.__file__).parent))


def warn_user(message: str) -> None:
    """Emit a TarashWarning pointing at the user's line, not at tarash or pydantic."""
    level, frame = 2, sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_INTERNAL):
        level, frame = level + 1, frame.f_back  # type: ignore[assignment]
    warnings.warn(message, TarashWarning, stacklevel=level)
