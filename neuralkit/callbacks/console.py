"""The console that the progress bar and the callbacks' messages share: standard output.

A progress bar redrawn in place leaves its last line open (no newline yet) so that the next
redraw can go back over it. A callback's message printed meanwhile (``ReduceLROnPlateau``,
``EarlyStopping``, ``ModelCheckpoint`` with ``verbose=1``) must not be overwritten by that
redraw: :func:`print_message` ends the open line first and tells the bar, whose next drawing
then starts on a fresh line. Output that bypasses this module (a bare ``print``) can be
drawn over only when the bar's block spans several lines (a narrow terminal).
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

__all__ = ["print_message", "write", "open_block", "close_block", "rewind"]

# The file holding a block of lines a progress bar drew and may redraw: (file, number of
# lines, length of its last line); None when no block is open.
_open: tuple[Any, int, int] | None = None


def print_message(text: str, file: TextIO | None = None) -> None:
    """Print ``text`` on lines of its own (standard output by default), after ending any
    progress line left open."""
    out = file if file is not None else sys.stdout
    close_block()
    out.write(text + "\n")
    out.flush()


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
