"""The progress bar: Keras's format on stdout, fitted to the terminal, never a value cut.

A terminal is played by a tiny screen emulator (``\\r``, ``\\n``, cursor up, clear below): the
screen a user is left with is checked, and every write is checked against the width.
"""

import io
import os
import re
import shutil
import sys
import types

import numpy as np
import pytest

from neuralkit import Sequential
from neuralkit.callbacks import Callback, CallbackList, ProgressBar, ReduceLROnPlateau
from neuralkit.callbacks.progress_bar import resolve_verbose
from neuralkit.callbacks.progress_format import (
    fit_lines,
    format_count,
    format_step_time,
    format_value,
    render_bar,
)
from neuralkit.layers import Dense, Sigmoid, Tanh
from neuralkit.optimizers import SGD
from tests.helpers import binary_data

_CONTROL = re.compile(r"\x1b\[(\d*)([AJ])")
_ITEM = re.compile(r"([A-Za-z_]+): (-?\d+\.\d{4}(?:e[+-]\d\d)?|nan|-?inf)")


def screen(text, width):
    """The rows left on a terminal ``width`` columns wide after ``text``; fails if a
    character is written in the last column or beyond (lines are at most width - 1)."""
    rows, r, c, i = [""], 0, 0, 0
    while i < len(text):
        control = _CONTROL.match(text, i)
        if control:
            if control.group(2) == "A":
                r = max(0, r - int(control.group(1) or 1))
            else:  # clear from the cursor to the end of the screen
                rows[r] = rows[r][:c]
                del rows[r + 1:]
            i = control.end()
            continue
        char, i = text[i], i + 1
        if char == "\r":
            c = 0
        elif char == "\n":
            r, c = r + 1, 0
            if r == len(rows):
                rows.append("")
        else:
            assert c < width - 1, f"column {c + 1} written on a {width}-column terminal"
            row = rows[r].ljust(c)
            rows[r] = row[:c] + char + row[c + 1:]
            c += 1
    return [row.rstrip() for row in rows if row.strip()]


def _terminal(monkeypatch, columns):
    """stdout (captured by capsys) claims to be a terminal of ``columns`` columns."""
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setattr(shutil, "get_terminal_size",
                        lambda fallback=(80, 24): os.terminal_size((columns, 24)))


class AddsLongValue(Callback):
    """A long log name, to make the values wrap on narrow terminals."""

    def on_epoch_end(self, epoch, logs=None):
        logs["a_rather_long_value_name"] = 0.5 + epoch


def _model():
    model = Sequential([Dense(6, input_dim=3), Tanh(), Dense(1), Sigmoid()], seed=0)
    model.compile("binary_crossentropy", SGD(0.1), ["accuracy", "mae"])
    return model


def _data():
    return binary_data(40, 3, lambda X: X[:, 0] - X[:, 1], 0)


def _expected_items(history, epoch):
    return [f"{key}: {values[epoch]:.4f}" for key, values in history.history.items()]


# ---------------------------------------------------------------------- verbose
@pytest.mark.parametrize("given, isatty, expected", [
    ("auto", True, 1), ("auto", False, 2), (0, True, 0), (1, False, 1), (2, True, 2),
    (True, False, 1), (False, True, 0), (np.int64(2), True, 2),
])
def test_resolve_verbose(monkeypatch, given, isatty, expected):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: isatty)
    assert resolve_verbose(given) == expected and type(resolve_verbose(given)) is int


@pytest.mark.parametrize("bad", [3, -1, "loud", "AUTO", 1.0, None, [1]])
def test_resolve_verbose_refuses_anything_else(bad):
    with pytest.raises(ValueError, match=r"verbose must be 'auto', 0 .*1 .*or 2 .*got"):
        resolve_verbose(bad)


# ---------------------------------------------------------------------- the format
def test_values_are_formatted_as_keras_formats_them():
    assert format_value(0.123456) == "0.1235" and format_value(12.5) == "12.5000"
    assert format_value(1e-4) == "1.0000e-04" and format_value(-0.0005) == "-5.0000e-04"
    assert format_value(np.float32(0.5)) == "0.5000" and format_value(3) == "3.0000"
    assert format_value(float("nan")) == "nan" and format_value("text") == "text"
    assert [format_step_time(t) for t in (2.4, 0.0123, 0.000456, 0)] == [
        "2s/step", "12ms/step", "456us/step", "0s/step"]
    assert format_count(7, 32) == " 7/32" and format_count(7, None) == "      7/Unknown"
    assert render_bar(0.5, 10) == "━━━━━─────" and render_bar(1.0, 4, ("=", ".")) == "===="


def test_fit_lines_shrinks_the_bar_then_wraps_whole_values():
    items = ["loss: 0.1234", "accuracy: 0.9000", "val_loss: 0.2345", "val_accuracy: 0.8800"]
    full = fit_lines("3/3", 1.0, "0s 2ms/step", items, None)
    assert full == ["3/3 " + "━" * 20 + " 0s 2ms/step - " + " - ".join(items)]
    shapes = set()
    for columns in range(25, 130, 3):
        lines = fit_lines("3/3", 1.0, "0s 2ms/step", items, columns)
        assert all(len(line) <= columns - 1 for line in lines)
        text = "\n".join(lines)
        # never cut, never split across lines, in order
        assert [f"{k}: {v}" for k, v in _ITEM.findall(text)] == items
        first = re.fullmatch(r"3/3(?: (━+))? 0s 2ms/step((?: - [^-]+)*)", lines[0])
        assert first, lines[0]
        bar = len(first.group(1) or "")
        if len(lines) == 1:  # the bar is what gave way
            assert lines[0].endswith(" - ".join(items)) and bar <= 20
            shapes.add("one line, full bar" if bar == 20 else
                       "one line, shorter bar" if bar else "one line, no bar")
        else:  # values wrapped below, two-space indented; the first line keeps a bar
            assert bar >= 4 and all(line.startswith("  ") for line in lines[1:])
            next_item = lines[1].strip().split(" - ")[0]
            assert len(lines[0]) + 3 + len(next_item) > columns - 1  # the first line is full
            shapes.add("wrapped")
    assert shapes == {"one line, full bar", "one line, shorter bar", "one line, no bar",
                      "wrapped"}
    # An item wider than the terminal gets a line of its own, whole.
    lines = fit_lines("3/3", 1.0, "0s 2ms/step", ["a_very_long_metric_name: 0.5000"], 20)
    assert lines[-1] == "  a_very_long_metric_name: 0.5000"


# ---------------------------------------------------------------------- fit, in a terminal
@pytest.mark.parametrize("columns", [40, 60, 80, 120, 200])
def test_terminal_screen_holds_every_value_complete_within_the_width(capsys, monkeypatch, columns):
    _terminal(monkeypatch, columns)
    monkeypatch.setattr(ProgressBar, "refresh_interval", 0.0)  # redraw after every batch
    X, y = _data()
    history = _model().fit(X, y, epochs=2, batch_size=8, validation_split=0.25, verbose=1,
                           callbacks=[AddsLongValue()])
    captured = capsys.readouterr()
    assert captured.err == ""
    rows = screen(captured.out, columns)  # also checks that no write passes the last column
    epoch_rows = [i for i, row in enumerate(rows) if re.fullmatch(r"Epoch \d/2", row)]
    assert [rows[i] for i in epoch_rows] == ["Epoch 1/2", "Epoch 2/2"]
    # Each epoch leaves its final block only: every redraw went back over the last one.
    blocks = [rows[epoch_rows[0] + 1:epoch_rows[1]], rows[epoch_rows[1] + 1:]]
    for epoch, block in enumerate(blocks):
        assert block[0].startswith("4/4 ")
        text = "\n".join(block)
        expected = _expected_items(history, epoch)
        assert [f"{k}: {v}" for k, v in _ITEM.findall(text)] == expected
        if columns >= 200:
            assert len(block) == 1
    if columns <= 60:
        assert any(len(block) > 1 for block in blocks)  # wrapped, not cut


def test_mid_epoch_drawings_have_the_format_of_the_final_line(capsys, monkeypatch):
    _terminal(monkeypatch, 150)
    monkeypatch.setattr(ProgressBar, "refresh_interval", 0.0)
    X, y = _data()
    history = _model().fit(X, y, epochs=1, batch_size=8, shuffle=False, verbose=1)
    drawings = [d for d in re.split(r"[\r\n]", capsys.readouterr().out) if d.strip()]
    assert len(drawings) == 5 + 1  # one per batch, then the final line
    pattern = re.compile(r"(\d)/5 (━*─*) \d+s \d+(?:s|ms|us)/step((?: - \w+: \S+)+) *")
    for step, drawing in enumerate(drawings):
        match = pattern.fullmatch(drawing)
        assert match, drawing
        assert int(match.group(1)) == min(step + 1, 5) and len(match.group(2)) == 20
        assert [name for name, _ in _ITEM.findall(match.group(3))] == ["loss", "accuracy", "mae"]
    last_batch, final = drawings[-2], drawings[-1]
    assert final.rstrip().endswith(" - ".join(_expected_items(history, 0)))
    for key in ("loss", "accuracy"):  # the running values at the last batch are the epoch's
        assert f"{key}: {history.history[key][0]:.4f}" in last_batch


def test_redraws_happen_at_most_every_refresh_interval(capsys, monkeypatch):
    _terminal(monkeypatch, 120)
    monkeypatch.setattr(ProgressBar, "refresh_interval", 1e9)
    X, y = _data()
    _model().fit(X, y, epochs=1, batch_size=4, verbose=1)  # 10 batches
    drawings = [d for d in re.split(r"[\r\n]", capsys.readouterr().out) if d.strip()]
    assert len(drawings) == 2 and drawings[0].startswith(" 1/10 ")  # the first batch, the end
    assert drawings[1].startswith("10/10 ")


def test_a_terminal_reporting_no_size_gets_80_columns(capsys, monkeypatch):
    _terminal(monkeypatch, 0)
    monkeypatch.setattr(ProgressBar, "refresh_interval", 0.0)
    X, y = _data()
    history = _model().fit(X, y, epochs=1, batch_size=8, validation_split=0.25, verbose=1,
                           callbacks=[AddsLongValue()])
    rows = screen(capsys.readouterr().out, 80)
    assert [f"{k}: {v}" for k, v in _ITEM.findall("\n".join(rows))] == _expected_items(history, 0)


def test_an_interrupted_epoch_keeps_its_last_drawing_and_ends_the_line(capsys, monkeypatch):
    class Stop(Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 2:
                raise KeyboardInterrupt

    _terminal(monkeypatch, 100)
    monkeypatch.setattr(ProgressBar, "refresh_interval", 0.0)
    X, y = _data()
    with pytest.raises(KeyboardInterrupt):
        _model().fit(X, y, epochs=1, batch_size=8, verbose=1, callbacks=[Stop()])
    out = capsys.readouterr().out
    assert out.endswith("\n")
    assert screen(out, 100)[-1].startswith("2/5 ")  # batch 3's logs never reached the bar


@pytest.mark.parametrize("columns", [60, 200])  # a block of several lines, one line
def test_a_callbacks_message_is_not_drawn_over(capsys, monkeypatch, columns):
    _terminal(monkeypatch, columns)
    monkeypatch.setattr(ProgressBar, "refresh_interval", 0.0)
    X, y = _data()
    values = [1.0, 1.0, 1.0]

    class Script(Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["val_loss"] = values[epoch]

    _model().fit(X, y, epochs=3, batch_size=8, validation_split=0.25, verbose=1,
                 callbacks=[Script(), ReduceLROnPlateau(patience=1, factor=0.5, verbose=1)])
    rows = screen(capsys.readouterr().out, columns)
    assert "Epoch 2: ReduceLROnPlateau reducing learning rate to 0.05." in rows
    assert "Epoch 3: ReduceLROnPlateau reducing learning rate to 0.025." in rows
    at = rows.index("Epoch 2: ReduceLROnPlateau reducing learning rate to 0.05.")
    # The epoch's unfinished drawing made way for the message; its final block is below.
    assert rows[at - 1] == "Epoch 2/3" and rows[at + 1].startswith("4/4 ")


# ---------------------------------------------------------------------- fit, not a terminal
def test_not_a_terminal_prints_one_final_line_per_epoch_on_stdout(capsys):
    X, y = _data()
    history = _model().fit(X, y, epochs=3, batch_size=8, validation_split=0.25, verbose=1)
    captured = capsys.readouterr()
    assert captured.err == "" and "\r" not in captured.out and "\x1b" not in captured.out
    lines = captured.out.splitlines()
    assert lines[0::2] == ["Epoch 1/3", "Epoch 2/3", "Epoch 3/3"] and len(lines) == 6
    for epoch, line in enumerate(lines[1::2]):
        assert line.startswith("4/4 " + "━" * 20 + " ")
        assert line.endswith(" - ".join(_expected_items(history, epoch)))


def test_one_epoch_has_no_epoch_line_as_in_keras(capsys):
    X, y = _data()
    _model().fit(X, y, epochs=1, batch_size=8, verbose=1)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and lines[0].startswith("5/5 ")


def test_verbose_2_prints_one_line_per_epoch_on_stdout(capsys, monkeypatch):
    _terminal(monkeypatch, 40)  # a terminal too: still one whole line per epoch
    X, y = _data()
    history = _model().fit(X, y, epochs=2, batch_size=8, validation_split=0.25, verbose=2)
    captured = capsys.readouterr()
    assert captured.err == "" and "\r" not in captured.out
    lines = captured.out.splitlines()
    assert len(lines) == 4  # Keras's layout: "Epoch i/n", then the epoch's line
    for epoch in range(2):
        header, line = lines[2 * epoch:2 * epoch + 2]
        assert header == f"Epoch {epoch + 1}/2"
        assert re.fullmatch(r"4/4 - \d+s - \d+(s|ms|us)/step - .*", line)
        assert line.endswith(" - ".join(_expected_items(history, epoch)))


def test_an_unknown_number_of_steps_is_learned_from_the_first_epoch(capsys, monkeypatch):
    _terminal(monkeypatch, 120)
    monkeypatch.setattr(ProgressBar, "refresh_interval", 0.0)
    X, y = _data()

    class Batches:
        def __iter__(self):
            return iter([(X[i:i + 10], y[i:i + 10]) for i in range(0, 40, 10)])

    _model().fit(Batches(), epochs=2, verbose=1)
    out = capsys.readouterr().out
    first, second = out.split("Epoch 2/2")
    assert "      1/Unknown " in first and "4/4 " in first
    assert "1/4 " in second and "Unknown" not in second


def test_ascii_bar_when_the_output_cannot_encode_box_drawing():
    out = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    bar = ProgressBar(1, file=out)
    bar.set_params({"steps": 2, "verbose": 1, "samples": 4})
    bar.on_predict_begin()
    for batch in range(2):
        bar.on_predict_batch_end(batch, {"outputs": np.zeros((2, 1)), "size": 2})
    bar.on_predict_end()
    out.seek(0)
    assert out.read().startswith("2/2 " + "=" * 20 + " ")


# ---------------------------------------------------------------------- evaluate and predict
def _evaluation(verbose, callbacks=(), params=None):
    """Drive the hooks the trainer calls around evaluate: 3 batches of 4, 4 and 2 examples."""
    bar = ProgressBar(verbose)
    cbs = CallbackList([*callbacks, bar], types.SimpleNamespace(),
                       params or {"steps": 3, "verbose": verbose, "samples": 10})
    cbs.on_test_begin()
    for batch, (loss, accuracy, size) in enumerate([(0.9, 0.5, 4), (0.6, 0.75, 4), (0.3, 1.0, 2)]):
        for callback in cbs.test_batch:
            callback.on_test_batch_end(batch, {"loss": loss, "size": size, "accuracy": accuracy})
    cbs.on_test_end({"loss": 0.66, "accuracy": 0.7})


def test_evaluate_prints_one_final_line(capsys):
    _evaluation(1)
    out = capsys.readouterr().out
    assert "\r" not in out and len(out.splitlines()) == 1
    assert re.fullmatch(r"3/3 ━{20} \d+s \d+(s|ms|us)/step - loss: 0.6600 - accuracy: 0.7000\n",
                        out)
    _evaluation(2)
    assert re.fullmatch(r"3/3 - \d+s - \d+(s|ms|us)/step - loss: 0.6600 - accuracy: 0.7000\n",
                        capsys.readouterr().out)


def test_evaluate_in_a_terminal_shows_running_means_over_examples(capsys, monkeypatch):
    _terminal(monkeypatch, 100)
    monkeypatch.setattr(ProgressBar, "refresh_interval", 0.0)
    _evaluation(1)
    drawings = [d.rstrip() for d in re.split(r"[\r\n]", capsys.readouterr().out) if d.strip()]
    shown = [_ITEM.findall(d) for d in drawings]
    # evaluate's loss is a mean over examples: (0.9*4 + 0.6*4) / 8, then + 0.3*2, over 10.
    assert shown == [[("loss", "0.9000"), ("accuracy", "0.5000")],
                     [("loss", "0.7500"), ("accuracy", "0.6250")],
                     [("loss", "0.6600"), ("accuracy", "0.7000")],
                     [("loss", "0.6600"), ("accuracy", "0.7000")]]
    assert [d[:4] for d in drawings] == ["1/3 ", "2/3 ", "3/3 ", "3/3 "]


def test_evaluate_that_fails_ends_the_line_without_a_final_one(capsys, monkeypatch):
    _terminal(monkeypatch, 100)
    monkeypatch.setattr(ProgressBar, "refresh_interval", 0.0)
    bar = ProgressBar(1)
    cbs = CallbackList([bar], types.SimpleNamespace(), {"steps": 3, "verbose": 1, "samples": 10})
    cbs.on_test_begin()
    bar.on_test_batch_end(0, {"loss": 0.5, "size": 4})
    cbs.on_test_end({})  # the loop's call when evaluate raised
    out = capsys.readouterr().out
    assert out.endswith("\n") and screen(out, 100) == [screen(out, 100)[0]]
    assert screen(out, 100)[0].startswith("1/3 ")


def test_predict_shows_steps_and_never_the_outputs(capsys, monkeypatch):
    for verbose, expected in ((1, r"4/4 ━{20} \d+s \d+(s|ms|us)/step\n"),
                              (2, r"4/4 - \d+s - \d+(s|ms|us)/step\n")):
        bar = ProgressBar(verbose)
        cbs = CallbackList([bar], types.SimpleNamespace(), {"steps": 4, "verbose": verbose,
                                                            "samples": 16})
        cbs.on_predict_begin()
        for batch in range(4):
            for callback in cbs.predict_batch:
                callback.on_predict_batch_end(batch, {"outputs": np.full((4, 1), 0.123456),
                                                      "size": 4})
        cbs.on_predict_end()
        out = capsys.readouterr().out
        assert re.fullmatch(expected, out) and "0.12" not in out


def test_inside_fit_validation_draws_no_bar_of_its_own(capsys):
    class TestHooks(Callback):
        def on_test_batch_end(self, batch, logs=None):
            pass

    _evaluation(1, [TestHooks()], {"epochs": 3, "steps": 5, "verbose": 1, "samples": 40})
    assert capsys.readouterr().out == ""
    X, y = _data()
    _model().fit(X, y, epochs=2, batch_size=8, validation_split=0.25, verbose=1,
                 callbacks=[TestHooks()])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4 and all("val_loss" in line for line in lines[1::2])


def test_progress_bar_arguments_are_checked():
    with pytest.raises(ValueError, match="verbose"):
        ProgressBar(3)
    with pytest.raises(ValueError, match="ProgressBar: width"):
        ProgressBar(1, width=5)
    with pytest.raises(TypeError, match="ProgressBar: width"):
        ProgressBar(1, width="wide")
