"""Where ``Sequential`` lived in neuralkit 0.1; it is now in :mod:`neuralkit.models`."""

from .models.sequential import Sequential

__all__ = ["Sequential"]
