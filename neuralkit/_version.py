"""The version of neuralkit (a leaf module: setup.cfg, saving and export read it)."""

__all__ = ["__version__"]

__version__ = "0.1.0"
