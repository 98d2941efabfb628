"""The examples run as a user runs them (a fresh interpreter, warnings as errors) and print
what they promise."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(script, *args):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    result = subprocess.run([sys.executable, "-W", "error", str(ROOT / "examples" / script), *args],
                            capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_quickstart_quick():
    out = _run("quickstart.py", "--quick")
    assert "Total params: 1,185" in out  # 2*32+32 + 32*32+32 + 32+1
    train = re.search(r"final training loss (\d+\.\d+), training accuracy (\d\.\d+)", out)
    test = re.search(r"test loss (\d+\.\d+), test accuracy (\d\.\d+)", out)
    assert train and test, out
    # Five epochs on the spirals: clearly better than chance, not yet perfect.
    assert 0.6 < float(train.group(2)) <= 1.0
    assert 0.6 < float(test.group(2)) <= 1.0
    assert float(train.group(1)) < 0.6931  # below the loss of a coin toss, log(2)


def test_custom_layer_example():
    out = _run("custom_layer.py")
    errors = re.findall(r"'([\w/]+)': '(\d\.\de[+-]\d+)'", out)
    names = [name for name, _ in errors]
    assert names == ["X", "alpha", "W1", "b1", "p_re_lu/alpha", "W2", "b2"], out
    assert all(float(value) < 1e-7 for _, value in errors)
    assert "p_re_lu (PReLU)" in out and "alpha (8,)" in out and "Total params: 49" in out
    accuracy = re.search(r"training accuracy (\d\.\d+)", out)
    assert accuracy and float(accuracy.group(1)) >= 0.9
