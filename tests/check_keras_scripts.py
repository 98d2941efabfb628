"""Run tests/keras_scripts/*.py with Keras 3 itself, to show they are genuine Keras scripts.

Usage::

    python tests/check_keras_scripts.py /path/to/python-with-keras

Each script runs in a subprocess whose ``import neuralkit`` is a shim handing over ``keras``
(KERAS_BACKEND=torch unless set). The scripts that check neuralkit's own behaviour where Keras
has none (``NEURALKIT_ONLY`` in tests/test_keras_scripts.py) are left out. Prints one line per
script and exits 1 if any failed.
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from tests.test_keras_scripts import NEURALKIT_ONLY, SCRIPTS  # noqa: E402

SHIM = "import sys\n\nimport keras\n\nsys.modules[__name__] = keras\n"


def run(python: str, path: Path) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as folder:
        shim = Path(folder) / "shim"
        shim.mkdir()
        (shim / "neuralkit.py").write_text(SHIM, encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(shim),
               "KERAS_BACKEND": os.environ.get("KERAS_BACKEND", "torch")}
        # Warnings are errors, but one: Keras 3.15's torch backend converts tensors with
        # NumPy 2's deprecated __array__ protocol.
        command = [python, "-W", "error", "-W",
                   "ignore:__array__ implementation:DeprecationWarning", str(path)]
        return subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True,
                              timeout=600, check=False)


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    failed = 0
    for path in sorted(SCRIPTS.glob("*.py")):
        if path.stem in NEURALKIT_ONLY:
            continue
        result = run(sys.argv[1], path)
        ok = result.returncode == 0
        failed += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {path.stem}")
        if not ok:
            print((result.stdout[-1000:] + result.stderr[-2000:]).rstrip())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
