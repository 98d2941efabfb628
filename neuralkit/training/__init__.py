"""The training machinery behind ``Sequential.fit``, ``evaluate`` and ``predict``.

One step of fit, module by module: :mod:`.trainer` checks the call and wraps the data in an
adapter (:mod:`.data_adapters`, :mod:`.memmap`); :mod:`.loop` runs the epochs and batches and
talks to the callbacks; :mod:`.step` does forward, loss, backward and the update, planned by
:mod:`.fast_paths` and made all-or-nothing by :mod:`.guard`; :mod:`.lbfgs` replaces the loop
for the full-batch L-BFGS optimizer. Nothing here is needed to use neuralkit: the public
surface is the model's methods.
"""

__all__ = []
