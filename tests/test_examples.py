"""The examples run as a user runs them (a fresh interpreter, warnings as errors) and print
what they promise. They run in a temporary folder (the run_example fixture): the figures they
save land there, not in the repository."""

import re


def test_quickstart_quick(run_example, tmp_path):
    out = run_example("quickstart.py", "--quick", warnings_as_errors=True)
    assert (tmp_path / "quickstart.png").is_file()  # the default figure, in the working directory
    assert "Total params: 1,185" in out  # 2*32+32 + 32*32+32 + 32+1
    train = re.search(r"final training loss (\d+\.\d+), training accuracy (\d\.\d+)", out)
    test = re.search(r"test loss (\d+\.\d+), test accuracy (\d\.\d+)", out)
    assert train and test, out
    # Five epochs on the spirals: clearly better than chance, not yet perfect.
    assert 0.6 < float(train.group(2)) <= 1.0
    assert 0.6 < float(test.group(2)) <= 1.0
    assert float(train.group(1)) < 0.6931  # below the loss of a coin toss, log(2)


def test_custom_layer_example(run_example, tmp_path):
    out = run_example("custom_layer.py", warnings_as_errors=True)
    assert (tmp_path / "custom_layer.png").is_file()
    errors = re.findall(r"'([\w/]+)': '(\d\.\de[+-]\d+)'", out)
    names = [name for name, _ in errors]
    assert names == ["X", "alpha", "W1", "b1", "p_re_lu/alpha", "W2", "b2"], out
    assert all(float(value) < 1e-7 for _, value in errors)
    assert "p_re_lu (PReLU)" in out and "alpha (8,)" in out and "Total params: 49" in out
    accuracy = re.search(r"training accuracy (\d\.\d+)", out)
    assert accuracy and float(accuracy.group(1)) >= 0.9
