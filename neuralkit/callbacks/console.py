"""The console that the progress bar and the callbacks' messages share: standard output.

A progress bar redrawn in place leaves its last line open (no newline yet) so that the next
redraw can go back over it. A callback's message printed meanwhile (``ReduceLROnPlateau``,
``EarlyStopping``, ``ModelCheckpoint`` with ``verbose=1``) must not be overwritten by that
redraw: :func:`print_message` erases the bar's unfinished drawing, prints the message, and
tells the bar, whose next drawing then starts below the message. Output that bypasses this
module (a bare ``print``) can be drawn over only when the bar's block spans several lines
(a narrow terminal); otherwise it is left as Keras leaves it.
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

__all__ = ["print_message", "write", "open_block", "close_block", "rewind", "erase"]

# The file holding a block of lines a progress bar drew and may redraw: (file, number of
# lines, length of its last line); None when no block is open.
_open: tuple[Any, int, int] | None = None


def print_message(text: str, file: TextIO | None = None) -> None:
    """Print ``text`` on lines of its own (standard output by default), in place of any
    unfinished progress drawing left open there."""
    global _open
    out = file if file is not None else sys.stdout
    if _open is not None and _open[0] is out:  # the bar's drawing, above the cursor: erased
        _, lines, length = _open
        _open = None
        out.write(erase(lines, length))
    else:
        close_block()
    out.write(text + "\n")
    out.flush()


def erase(lines: int, last_length: int) -> str:
    """What takes the cursor back to the start of a block of ``lines`` lines that it ends
    (the last one ``last_length`` long) and clears it: only ``\\r`` and spaces for one line,
    cursor-up and clear-below for several."""
    if lines <= 1:
        return "\r" + " " * last_length + "\r"
    return f"\r\x1b[{lines - 1}A\x1b[J"


def write(text: str, file: TextIO) -> None:
    """Write ``text`` and flush."""
    file.write(text)
    file.flush()


def open_block(file: TextIO, lines: int, last_length: int) -> None:
    """Record that ``file`` ends with a redrawable block of ``lines`` lines, no newline yet."""
    global _open
    _open = (file, lines, last_length)


def close_block() -> None:
    """End the open block, if any, with a newline: whatever comes next starts a fresh line."""
    global _open
    if _open is not None:
        file = _open[0]
        _open = None
        try:
            write("\n", file)
        except (OSError, ValueError):  # a closed file: nothing to end
            pass


def rewind(file: TextIO) -> tuple[int, int]:
    """The (lines, last line's length) of the block still open on ``file``, now closed for
    redrawing; (0, 0) when there is none (then the redraw starts where the cursor is)."""
    global _open
    if _open is None or _open[0] is not file:
        close_block()
        return 0, 0
    _, lines, length = _open
    _open = None
    return lines, length
