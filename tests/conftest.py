"""Fixtures and hooks shared by the test modules (plain helper functions: tests/helpers.py; the
course's formulas, the oracle for neuralkit's numbers: tests/course_oracle.py).

For the whole session: Hypothesis keeps its caches in a temporary folder, and at the end no
test may have left a file in the repository (figures, checkpoints, caches).
"""

import shutil
import tempfile

import pytest

import neuralkit

pytest.register_assert_rewrite("tests.helpers")

from tests.helpers import EXAMPLES, python_env, repository_files, run_python  # noqa: E402

_HYPOTHESIS_HOME = pytest.StashKey[str]()


def pytest_configure(config):
    # Hypothesis writes its caches (constants, unicode data) to ./.hypothesis, the repository
    # root when the suite runs from there, and starts while the tests are being collected:
    # point it to a temporary folder before that.
    from hypothesis.configuration import set_hypothesis_home_dir

    config.stash[_HYPOTHESIS_HOME] = tempfile.mkdtemp(prefix="neuralkit-tests-hypothesis-")
    set_hypothesis_home_dir(config.stash[_HYPOTHESIS_HOME])


def pytest_unconfigure(config):
    from hypothesis.configuration import set_hypothesis_home_dir

    set_hypothesis_home_dir(None)
    shutil.rmtree(config.stash[_HYPOTHESIS_HOME], ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def _no_new_files_in_the_repository():
    before = repository_files()
    yield
    new = repository_files() - before
    assert not new, f"the tests left these in the repository: {sorted(new)}"


@pytest.fixture(autouse=True)
def _no_default_seed_left_behind():
    """A test (a Keras script calling keras.utils.set_random_seed) must not seed the next."""
    yield
    neuralkit.config.set_default_seed(None)


@pytest.fixture(autouse=True)
def _accelerator_switch_restored():
    previous = neuralkit.config.accelerator_enabled()
    yield
    neuralkit.config.set_accelerator(previous)


@pytest.fixture
def numpy_steps():
    """The optimizer steps run the NumPy code (the accelerator's fused steps off): for tests of
    the guard's own paths (snapshot, bounded SGD step) that the fused step would replace."""
    neuralkit.config.set_accelerator(False)


@pytest.fixture
def run_example(tmp_path):
    """Run examples/<name> in a fresh interpreter with tmp_path as working directory (so the
    figure it saves lands there) and the repository first on PYTHONPATH; assert that it
    succeeded and left nothing in the repository, and return what it printed.

    ``run_example(name, *args, warnings_as_errors=False, **environment_variables)``
    """

    def run(name, *args, warnings_as_errors=False, **environment):
        before = repository_files()
        flags = ["-W", "error"] if warnings_as_errors else []
        result = run_python([*flags, EXAMPLES / name, *args], cwd=tmp_path,
                            env=python_env(**environment))
        new = repository_files() - before
        assert not new, f"{name} wrote into the repository: {sorted(new)}"
        return result.stdout

    return run
