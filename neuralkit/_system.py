"""``neuralkit.show_config()``: the versions, and which paths a fit takes on this machine."""

from __future__ import annotations

import platform
import sys
from typing import Any, TextIO

import numpy as np
import scipy

from . import config
from ._version import __version__
from .training import accelerator

__all__ = ["show_config"]


def show_config(file: TextIO | None = None) -> dict[str, Any]:
    """Print (to ``file``, default stdout) and return what neuralkit runs on.

    Returns
    -------
    dict
        ``'neuralkit'``, ``'python'``, ``'numpy'``, ``'scipy'`` (versions), ``'machine'``,
        ``'fast_paths'`` (bool), ``'accelerator'`` (``'on'``, ``'off'`` or ``'not built'``).
    """
    if not accelerator.built():
        state = "not built"
        why = "built without a C compiler: every optimizer step runs the NumPy code"
    elif config.accelerator_enabled() and config.fast_paths_enabled():
        state = "on"
        why = ("fused steps of SGD, Adam, AdamW, RMSprop, Adagrad, max pooling and a "
               "convolution's dA_prev; the NumPy code's numbers")
    else:
        state = "off"
        why = "turned off (NEURALKIT_ACCELERATOR=0, set_accelerator(False) or the fast paths off)"
    info = {"neuralkit": __version__, "python": platform.python_version(),
            "numpy": np.__version__, "scipy": scipy.__version__,
            "machine": f"{platform.system()} {platform.machine()}",
            "fast_paths": config.fast_paths_enabled(), "accelerator": state}
    out = sys.stdout if file is None else file
    print(f"neuralkit {info['neuralkit']} (Python {info['python']}, NumPy {info['numpy']}, "
          f"SciPy {info['scipy']}, {info['machine']})", file=out)
    print(f"fast paths:  {'on' if info['fast_paths'] else 'off'}", file=out)
    print(f"accelerator: {state} ({why})", file=out)
    return info
