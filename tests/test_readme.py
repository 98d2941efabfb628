"""The README's commands and code: the test command is what CI runs, and the code blocks run."""

import re

import numpy as np

from tests.helpers import ROOT

README = (ROOT / "README.md").read_text()


def _blocks(language):
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def _setup_commands():
    lines = [line.split("#")[0].strip() for line in _blocks("bash")[0].splitlines()]
    return [line for line in lines if line]


def test_exactly_two_setup_commands_at_the_top():
    commands = _setup_commands()
    assert len(commands) == 2
    assert README.index("```bash") < README.index("## ")  # before the first section
    assert commands[0].startswith("pip install . && python examples/")
    assert (ROOT / commands[0].split("python ")[1].split()[0]).is_file()


def test_ci_runs_the_readme_test_command():
    command = _setup_commands()[1]
    assert "pytest" in command and '".[test]"' in command
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert command in ci_lines


def test_quickstart_block_runs(capsys):
    quickstart = README.split("## Quickstart", 1)[1]
    code = re.search(r"```python\n(.*?)```", quickstart, flags=re.S).group(1)
    namespace = {}
    exec(compile(code, "README quickstart", "exec"), namespace)
    out = capsys.readouterr().out
    assert "Total params" in out
    history, X, y = namespace["history"], namespace["X"], namespace["y"]
    assert len(history.history["loss"]) == 100
    accuracy = np.mean((namespace["model"].predict(X)[:, 0] > 0.5) == (y == 1))
    assert accuracy >= 0.9


def test_custom_layer_block_runs():
    section = README.split("## Write your own layer", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, flags=re.S).group(1)
    namespace = {}
    exec(compile(code, "README custom layer", "exec"), namespace)
    assert "Square" in namespace
