"""Builds neuralkit's optional accelerator (neuralkit/_accelerator.c, fused optimizer steps).

Everything else is in setup.cfg. Without a C compiler the build goes on without the accelerator
(one line says so) and neuralkit runs its NumPy code, the reference, for every step.
"""

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


class OptionalBuildExt(build_ext):
    """build_ext that skips the accelerator, with one line, when it cannot be compiled."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:  # no compiler, no Python headers: NumPy-only neuralkit
            self._skipped(exc)

    def build_extension(self, ext: Extension) -> None:
        try:
            super().build_extension(ext)
        except Exception as exc:
            self._skipped(exc)

    def copy_extensions_to_source(self) -> None:  # pip install -e: only what was built
        try:
            super().copy_extensions_to_source()
        except Exception as exc:
            self._skipped(exc)

    def _skipped(self, exc: Exception) -> None:
        if not getattr(self, "_said", False):
            print(f"neuralkit: the optional accelerator was not built ({exc}); "
                  "every optimizer step runs the NumPy code.")
            self._said = True


setup(
    ext_modules=[Extension(
        "neuralkit._accelerator", ["neuralkit/_accelerator.c"],
        depends=["neuralkit/_accelerator_kernels.h", "neuralkit/_accelerator_pooling.h",
                 "neuralkit/_accelerator_conv.h"],
        # The same numbers as NumPy, bit for bit: no fused multiply-adds, no reassociation.
        # -O3 vectorizes the kernels' loops; -fno-math-errno lets sqrt vectorize (errno is
        # never read; the results are IEEE's, as NumPy's); -fno-trapping-math lets a float
        # comparison become a vector select (max pooling's backward on 128x26x26x32 float32:
        # 7.6 ms as branches, 1.7 ms vectorized; the floating-point status flags are never read,
        # the values are the same).
        extra_compile_args=["-O3", "-ffp-contract=off", "-fno-fast-math", "-fno-math-errno",
                            "-fno-trapping-math", "-std=c99"],
    )],
    cmdclass={"build_ext": OptionalBuildExt},
)
