"""Learning-rate schedules that GAN papers use."""

import keras
import tensorflow as tf

from keras_gans import _backend  # noqa: F401


@keras.saving.register_keras_serializable(package="keras_gans")
class LinearDecay(keras.optimizers.schedules.LearningRateSchedule):
    """Constant, then linearly down to zero: CycleGAN's schedule (Zhu et al. 2017) keeps the
    rate for the first half of training and decays it linearly to zero over the second.

    Args:
        learning_rate: the rate of the constant part (2e-4 in CycleGAN).
        total_steps: optimizer steps of the whole run; the rate is 0 from here on.
        decay_start: the step at which the decay begins (default: ``total_steps // 2``).
    """

    def __init__(self, learning_rate, total_steps, decay_start=None):
        total_steps = int(total_steps)
        if total_steps < 1:
            raise ValueError(f"`total_steps` must be a positive integer; received "
                             f"{total_steps!r}.")
        decay_start = total_steps // 2 if decay_start is None else int(decay_start)
        if not 0 <= decay_start < total_steps:
            raise ValueError(f"`decay_start` must lie in [0, total_steps={total_steps}); "
                             f"received {decay_start!r}.")
        self.learning_rate = float(learning_rate)
        self.total_steps = total_steps
        self.decay_start = decay_start

    def __call__(self, step):
        step = tf.cast(step, tf.float32)
        remaining = (self.total_steps - step) / float(self.total_steps - self.decay_start)
        return self.learning_rate * tf.clip_by_value(remaining, 0.0, 1.0)

    def get_config(self):
        return {"learning_rate": self.learning_rate, "total_steps": self.total_steps,
                "decay_start": self.decay_start}
