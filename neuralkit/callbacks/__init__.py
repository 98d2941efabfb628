"""Callbacks: code that runs at the edges of training (epochs, batches, start, end).

``fit`` always installs a :class:`History` (returned by ``fit`` and kept as
``model.history``) and, when ``verbose`` > 0, a :class:`ProgressBar`. Ready-made, with
Keras's names, arguments and behaviour: :class:`EarlyStopping`, :class:`ModelCheckpoint`,
:class:`ReduceLROnPlateau`, :class:`LearningRateScheduler`, :class:`LambdaCallback`,
:class:`CSVLogger`, :class:`TerminateOnNaN`. Write your own by subclassing :class:`Callback`.
"""

from .base import Callback, CallbackList
from .csv_logger import CSVLogger
from .early_stopping import EarlyStopping
from .history import History
from .lambda_callback import LambdaCallback
from .learning_rate_scheduler import LearningRateScheduler
from .model_checkpoint import ModelCheckpoint
from .progress_bar import ProgressBar
from .reduce_lr_on_plateau import ReduceLROnPlateau
from .terminate_on_nan import TerminateOnNaN

__all__ = ["Callback", "CallbackList", "History", "ProgressBar", "EarlyStopping", "ModelCheckpoint",
           "TerminateOnNaN", "LearningRateScheduler", "CSVLogger", "ReduceLROnPlateau",
           "LambdaCallback"]
