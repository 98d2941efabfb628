"""Models: :class:`Sequential`, and :func:`load_model` for the files it saves."""

from ..saving import load_model
from .sequential import Sequential

__all__ = ["Sequential", "load_model"]
