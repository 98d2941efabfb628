"""The exceptions neuralkit raises on purpose, in one leaf module (it imports nothing).

Each is also reachable where it is raised (``neuralkit.DivergenceError``,
``neuralkit.saving.ModelFileError``, ``neuralkit.gradcheck.GradientCheckError``,
``neuralkit.export.UnsupportedLayerError``). Bad arguments raise the built-in ``TypeError``
or ``ValueError`` with a message naming the argument, what was expected and what was got.
"""

__all__ = ["DivergenceError", "ModelFileError", "GradientCheckError", "UnsupportedLayerError"]


class DivergenceError(FloatingPointError):
    """The training loss, or an update, became NaN or inf; the parameters (and the optimizer
    state) are those of the last finite step."""


class ModelFileError(ValueError):
    """A model file cannot be read: not a neuralkit file, damaged, too new, or it names an
    unknown class (pass that class in ``custom_objects``)."""


class GradientCheckError(AssertionError):
    """An analytic gradient disagrees with its finite-difference estimate."""


class UnsupportedLayerError(TypeError):
    """A layer has no ONNX converter; register one with ``neuralkit.export.register_converter``."""
