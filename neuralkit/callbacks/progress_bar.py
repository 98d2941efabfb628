"""ProgressBar: Keras's progress display of fit, evaluate and predict, on standard output.

verbose=1 in a terminal: a bar redrawn in place (with ``\\r``, at most every
:attr:`ProgressBar.refresh_interval` seconds), fitted to the terminal's width, after an
``Epoch 3/10`` line when fit runs more than one epoch (as Keras)::

    Epoch 3/10
    12/32 ━━━━━━━──────────── 1s 12ms/step - loss: 0.1234 - accuracy: 0.9000

and, at the end of the epoch, the same line complete, with the validation values. When
standard output is not a terminal (a file, a pipe, a notebook) nothing is redrawn: only that
final line is printed. verbose=2: after the same ``Epoch 3/10`` line, one line per epoch
(``32/32 - 4s - 12ms/step - loss: ...``), or per evaluation, as Keras. The text itself is made
in :mod:`.progress_format`.
"""

from __future__ import annotations

import math
import numbers
import shutil
import sys
import time
from typing import Any, TextIO

from .._validation import check_int
from . import console
from .base import Callback
from .progress_format import bar_characters, fit_lines, format_count, format_items, format_step_time

__all__ = ["ProgressBar", "resolve_verbose"]

#: Width used when the terminal reports none.
_FALLBACK_COLUMNS = 80


def resolve_verbose(verbose: Any) -> int:
    """fit's, evaluate's and predict's ``verbose`` as 0, 1 or 2.

    'auto' is 1 (the bar) when standard output is a terminal, else 2 (a line per epoch);
    True and False are 1 and 0.
    """
    if isinstance(verbose, str):
        if verbose == "auto":
            isatty = getattr(sys.stdout, "isatty", None)
            try:
                return 1 if isatty is not None and isatty() else 2
            except (OSError, ValueError):  # a closed or detached stdout
                return 2
    elif isinstance(verbose, numbers.Integral) and verbose in (0, 1, 2):
        return int(verbose)  # True and False included
    raise ValueError(f"verbose must be 'auto', 0 (silent), 1 (a progress bar) or 2 (a line per "
                     f"epoch); got {verbose!r}.")


class _Run:
    """The progress of one epoch, evaluation or prediction."""

    def __init__(self, steps: int | None, loss_per_example: bool, dynamic: bool) -> None:
        self.steps = steps
        self.loss_per_example = loss_per_example  # evaluate: weighted by batch size
        self.dynamic = dynamic
        self.start = time.perf_counter()
        self.after_first: float | None = None
        self.done = 0
        self.samples = 0
        self.sums: dict[str, float] = {}
        self.last: dict[str, Any] = {}
        self.drawn = -math.inf

    def add(self, logs: dict[str, Any] | None) -> None:
        self.done += 1
        if self.done == 1:
            self.after_first = time.perf_counter()
        if not self.dynamic or not logs:
            return  # nothing is shown before the end: no running means to keep
        size = logs.get("size", 1)
        self.samples += size
        for key, value in logs.items():
            if key in ("size", "outputs"):
                continue
            if isinstance(value, numbers.Real) and not isinstance(value, bool):
                weight = 1 if key == "loss" and not self.loss_per_example else size
                self.sums[key] = self.sums.get(key, 0.0) + value * weight
            else:
                self.last[key] = value

    def running(self) -> dict[str, Any]:
        """Each value's running mean: fit's loss over batches (as the epoch's), the rest over
        examples."""
        means: dict[str, Any] = {}
        for key, total in self.sums.items():
            per_batch = key == "loss" and not self.loss_per_example
            means[key] = total / (self.done if per_batch else self.samples)
        means.update(self.last)
        return means

    def timing(self, now: float, done: int) -> tuple[float, float]:
        """Seconds elapsed and per step (Keras's estimate: the first step, often slow, is left
        out once there are others)."""
        elapsed = now - self.start
        if done <= 0:
            return elapsed, 0.0
        if self.after_first is not None and done > 1 and self.done > 1:
            return elapsed, (now - self.after_first) / (done - 1)
        return elapsed, elapsed / done


class ProgressBar(Callback):
    """Keras's progress display on standard output (see the module's description).

    Parameters
    ----------
    verbose : {1, 2, 'auto'}, default 1
        1: a bar per epoch (redrawn in a terminal, its final line elsewhere); 2: one line per
        epoch; 'auto' and booleans as :func:`resolve_verbose`. 0 prints nothing.
    file : file-like, optional
        Where to write; standard output (as it is at each write) by default.
    width : int, optional
        Columns to fit the bar in; by default the terminal's
        (``shutil.get_terminal_size``, 80 when it reports none).

    For evaluate and predict the trainer adds a ``ProgressBar`` to their callbacks: the same
    bar, without the ``Epoch`` line. Inside fit (whose params hold 'epochs') validation draws
    nothing of its own: its values appear on the epoch's final line.
    """

    #: Seconds between two redraws of the bar (tiny batches must not pay for I/O).
    refresh_interval = 0.2

    def __init__(self, verbose: Any = 1, file: TextIO | None = None, width: int | None = None
                 ) -> None:
        super().__init__()
        self.verbose = resolve_verbose(verbose)
        self.file = file
        self.width = None if width is None else check_int(width, "ProgressBar: width", 10)
        self._run: _Run | None = None
        self._learned_steps: int | None = None

    # ------------------------------------------------------------------ fit
    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._learned_steps = None

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self.verbose and self.params.get("epochs", 1) > 1:
            console.print_message(f"Epoch {epoch + 1}/{self.params['epochs']}", self._out())
        self._begin(self.params.get("steps") or self._learned_steps, loss_per_example=False)

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._step(logs)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        run = self._run
        if run is not None and self.params.get("steps") is None:
            self._learned_steps = run.done or None  # later epochs show a bar, as Keras
        self._finish(logs or {})

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        self._abandon()  # an epoch cut short: its last drawing stays, the line is ended

    # ------------------------------------------------------------------ evaluate, predict
    def _in_fit(self) -> bool:
        return "epochs" in self.params

    def on_test_begin(self, logs: dict[str, Any] | None = None) -> None:
        if not self._in_fit():
            self._begin(self.params.get("steps"), loss_per_example=True)

    def on_test_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if not self._in_fit():
            self._step(logs)

    def on_test_end(self, logs: dict[str, Any] | None = None) -> None:
        if self._in_fit():
            return
        if logs:
            self._finish(logs)
        else:  # evaluate failed: the loop ends the test hooks with no results
            self._abandon()

    def on_predict_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._begin(self.params.get("steps"), loss_per_example=True)

    def on_predict_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._step(None)  # the outputs are not shown

    def on_predict_end(self, logs: dict[str, Any] | None = None) -> None:
        run = self._run
        if run is not None and run.steps is not None and run.done < run.steps:
            self._abandon()  # predict failed part-way
        else:
            self._finish({})

    # ------------------------------------------------------------------ drawing
    def _out(self) -> TextIO:
        return self.file if self.file is not None else sys.stdout

    def _dynamic(self) -> bool:
        isatty = getattr(self._out(), "isatty", None)
        try:
            return bool(isatty is not None and isatty())
        except (OSError, ValueError):
            return False

    def _columns(self) -> int:
        if self.width is not None:
            return self.width
        columns = shutil.get_terminal_size((_FALLBACK_COLUMNS, 24)).columns
        return columns if columns > 0 else _FALLBACK_COLUMNS

    def _begin(self, steps: int | None, loss_per_example: bool) -> None:
        if self.verbose:
            self._run = _Run(steps, loss_per_example, self.verbose == 1 and self._dynamic())

    def _step(self, logs: dict[str, Any] | None) -> None:
        run = self._run
        if run is None:
            return
        run.add(logs)
        if run.dynamic:
            now = time.perf_counter()
            if now - run.drawn >= self.refresh_interval:
                run.drawn = now
                self._draw(run, run.running(), now, run.done, final=False)

    def _finish(self, logs: dict[str, Any]) -> None:
        run, self._run = self._run, None
        if run is None:
            return
        now = time.perf_counter()
        done = run.steps if run.steps is not None and run.done <= run.steps else run.done
        if self.verbose == 2:
            elapsed, per_step = run.timing(now, done)
            lead = f"{done}/{run.steps or done} - "
            text = " - ".join([f"{elapsed:.0f}s", format_step_time(per_step), *format_items(logs)])
            console.print_message(lead + text, self._out())
            return
        run.steps = run.steps if run.steps is not None else run.done
        self._draw(run, logs, now, done, final=True)

    def _draw(self, run: _Run, values: dict[str, Any], now: float, done: int, final: bool
              ) -> None:
        out = self._out()
        elapsed, per_step = run.timing(now, done)
        fraction = None if run.steps is None else (done / run.steps if run.steps else 1.0)
        lines = fit_lines(format_count(done, run.steps), fraction,
                          f"{elapsed:.0f}s {format_step_time(per_step)}", format_items(values),
                          self._columns() if run.dynamic else None, bar_characters(out))
        if not run.dynamic:
            console.print_message("\n".join(lines), out)
            return
        drawn_lines, drawn_length = console.rewind(out)
        if drawn_lines == 1 and len(lines) == 1:  # Keras's redraw: \r, the line, padding
            text = "\r" + lines[0] + " " * max(0, drawn_length - len(lines[0]))
        else:
            text = (console.erase(drawn_lines, drawn_length) if drawn_lines else "") + "\n".join(lines)
        console.write(text + ("\n" if final else ""), out)
        if not final:
            console.open_block(out, len(lines), len(lines[-1]))

    def _abandon(self) -> None:
        self._run = None
        console.close_block()
