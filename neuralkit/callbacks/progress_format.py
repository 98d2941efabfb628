"""What the progress bar prints, as text: values, times, the bar, and lines fitted to a width.

Pure functions, no I/O: :class:`~neuralkit.callbacks.ProgressBar` decides when to print and
where. The format is Keras's::

    12/32 ━━━━━━━──────────── 1s 12ms/step - loss: 0.1234 - accuracy: 0.9000

Values are never cut. When the line is wider than the terminal, the bar shrinks (down to
nothing); when the count, the times and the values do not fit on one line even without a
bar, the first line keeps a short bar and the values that fit beside it, and the others
wrap onto following lines (indented by two spaces), whole items at a time.
"""

from __future__ import annotations

import codecs
import numbers
from collections.abc import Sequence
from typing import Any

__all__ = ["format_value", "format_items", "format_step_time", "format_count", "render_bar",
           "bar_characters", "fit_lines", "BAR_WIDTH", "MIN_BAR_WIDTH", "INDENT"]

#: Characters of the bar at full width (Keras's).
BAR_WIDTH = 20
#: A bar narrower than this is left out rather than drawn.
MIN_BAR_WIDTH = 4
#: Start of each wrapped line of values.
INDENT = "  "

_UNICODE_BAR = ("━", "─")
_ASCII_BAR = ("=", ".")
#: Keys of batch logs that are not values to show.
_NOT_SHOWN = frozenset({"size", "outputs", "batch"})


def format_value(value: Any) -> str:
    """Keras's format: 4 decimals, or 4 significant digits in scientific notation for
    magnitudes up to 1e-3 (learning rates); anything not a real number as ``str``."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        value = float(value)
        return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"
    return str(value)


def format_items(logs: dict[str, Any]) -> list[str]:
    """``['loss: 0.1234', 'accuracy: 0.9000', ...]``, in the order of ``logs``."""
    return [f"{key}: {format_value(value)}" for key, value in logs.items() if key not in _NOT_SHOWN]


def format_step_time(seconds: float, unit: str = "step") -> str:
    """Keras's time per step: '2s/step', '12ms/step' or '850us/step'."""
    if seconds >= 1 or seconds == 0:
        return f"{seconds:.0f}s/{unit}"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/{unit}"
    return f"{seconds * 1e6:.0f}us/{unit}"


def format_count(done: int, total: int | None) -> str:
    """' 7/32' (padded to the total's digits, so the line does not jump), or '      7/Unknown'."""
    if total is None:
        return f"{done:7d}/Unknown"
    return f"{done:>{len(str(total))}}/{total}"


def render_bar(fraction: float, width: int, characters: tuple[str, str] = _UNICODE_BAR) -> str:
    """``width`` characters, the first ``fraction`` of them done."""
    full, empty = characters
    done = min(width, max(0, int(width * fraction)))
    return full * done + empty * (width - done)


def bar_characters(file: Any) -> tuple[str, str]:
    """The bar's (done, to do) characters: Keras's box drawing if ``file``'s encoding has
    them, else ASCII ('=' and '.')."""
    encoding = getattr(file, "encoding", None) or "ascii"
    try:
        "".join(_UNICODE_BAR).encode(codecs.lookup(encoding).name)
    except (LookupError, UnicodeError, TypeError):
        return _ASCII_BAR
    return _UNICODE_BAR


def fit_lines(count: str, fraction: float | None, timing: str, items: Sequence[str],
              columns: int | None, characters: tuple[str, str] = _UNICODE_BAR) -> list[str]:
    """The progress display as lines of at most ``columns - 1`` characters (None: no limit).

    ``count`` is ``format_count(...)``, ``fraction`` the part done (None: unknown, no bar),
    ``timing`` e.g. '1s 12ms/step', ``items`` the formatted values. The last column is left
    free: a line that fills the terminal exactly makes some terminals wrap before the next
    redraw. An item wider than the terminal on its own gets a line of its own, whole.
    """
    values = "".join(f" - {item}" for item in items)

    def first_line(bar_width: int) -> str:
        bar = "" if fraction is None or bar_width < MIN_BAR_WIDTH else (
            " " + render_bar(fraction, bar_width, characters))
        return f"{count}{bar} {timing}"

    if columns is None:
        return [first_line(BAR_WIDTH) + values]
    limit = max(columns - 1, 1)
    bare = len(first_line(0))
    room = limit - bare - len(values) - 1  # columns left for the bar and its space
    if room >= MIN_BAR_WIDTH or (fraction is None and room >= -1):
        return [first_line(min(BAR_WIDTH, room)) + values]
    if room >= -1:
        return [first_line(0) + values]
    # Wrapping: the first line keeps a bar of at least MIN_BAR_WIDTH and as many of the first
    # values as fit beside it; the others follow, whole, on indented lines.
    used = bare + (0 if fraction is None else MIN_BAR_WIDTH + 1)
    head = 0
    while head < len(items) and used + 3 + len(items[head]) <= limit:
        used += 3 + len(items[head])
        head += 1
    head_values = "".join(f" - {item}" for item in items[:head])
    lines = [first_line(min(BAR_WIDTH, limit - bare - len(head_values) - 1)) + head_values]
    current = ""
    for item in items[head:]:
        joined = f"{current} - {item}" if current else item
        if current and len(INDENT) + len(joined) > limit:
            lines.append(INDENT + current)
            joined = item
        current = joined
    if current:
        lines.append(INDENT + current)
    return lines
