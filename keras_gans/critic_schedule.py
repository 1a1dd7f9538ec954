"""How many discriminator updates come before each generator update, when that number
changes over training.

The WGAN paper's code (Arjovsky, Chintala & Bottou 2017) trains the critic 100 times
before each of the first 25 generator updates and before every 500th one, and 5 times
otherwise: a critic near its optimum gives the generator a meaningful Wasserstein
gradient from the start, and every so often again. ``GAN.compile(critic_schedule=...)``
takes such a schedule::

    gan.compile(critic_schedule="wgan")                       # the paper's 100 / 25 / 500
    gan.compile(critic_schedule={"updates": 50, "first": 10}) # no periodic boost

Each ``train_step`` still runs ``d_steps`` discriminator updates; the generator update at
its end happens only once the schedule's count for that generator update is reached, so a
boosted generator update takes ``updates / d_steps`` steps of ``fit``. The counts come from
the two optimizers' iteration counters, which checkpoints keep, so a resumed run continues
the schedule exactly.
"""

import keras
import tensorflow as tf

from keras_gans import _backend  # noqa: F401


@keras.saving.register_keras_serializable(package="keras_gans")
class CriticSchedule:
    """``updates`` discriminator updates before each of the first ``first`` generator
    updates and before every ``every``-th one after (``every=None``: never), ``d_steps``
    (the model's) before the others.

    Args:
        updates: discriminator updates before a boosted generator update (100 in WGAN).
        first: generator updates boosted at the start (25 in WGAN).
        every: period of the boost after that, counted in generator updates (500 in WGAN);
            generator update ``g`` is boosted when ``g % every == 0``.
    """

    def __init__(self, updates=100, first=25, every=500):
        for name, value, low in (("updates", updates, 1), ("first", first, 0),
                                 ("every", every, 1)):
            if value is None and name == "every":
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f"CriticSchedule `{name}` must be an integer >= {low}"
                                 f"{' or None' if name == 'every' else ''}; received "
                                 f"{value!r}.")
        self.updates = updates
        self.first = first
        self.every = every

    def check(self, d_steps):
        """Refuse a boost that ``d_steps`` updates per step cannot reach exactly."""
        if self.updates % d_steps:
            raise ValueError(
                f"critic_schedule's {self.updates} boosted updates must be a multiple of "
                f"d_steps={d_steps} (each step of fit runs d_steps updates): use updates="
                f"{max(d_steps, self.updates // d_steps * d_steps)} or change d_steps.")

    def boosted_before(self, generator_updates):
        """How many of generator updates ``0 .. generator_updates - 1`` are boosted (a
        tensor)."""
        g = tf.cast(generator_updates, tf.int64)
        count = tf.minimum(g, self.first)
        if self.every is not None:
            # multiples of `every` in [first, g): floor((g-1)/every) - floor((first-1)/every)
            later = tf.maximum(g - 1, 0) // self.every - (self.first - 1) // self.every
            count += tf.where(g > self.first, later, tf.zeros_like(later))
        return count

    def updates_through(self, generator_updates, d_steps):
        """Discriminator updates that generator updates ``0 .. generator_updates - 1``
        each need before them, summed (a tensor)."""
        g = tf.cast(generator_updates, tf.int64)
        return d_steps * g + (self.updates - d_steps) * self.boosted_before(g)

    def generator_update_due(self, discriminator_updates, generator_updates, d_steps):
        """Whether the generator update that follows ``discriminator_updates`` (all of
        training's) and ``generator_updates`` earlier ones is due now (a boolean tensor)."""
        needed = self.updates_through(tf.cast(generator_updates, tf.int64) + 1, d_steps)
        return tf.cast(discriminator_updates, tf.int64) >= needed

    def get_config(self):
        return {"updates": self.updates, "first": self.first, "every": self.every}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


NAMES = {"wgan": lambda: CriticSchedule(100, 25, 500)}


def get(identifier):
    """A schedule from None, a name (``"wgan"``), a dict of ``CriticSchedule`` arguments
    (or a serialized one), or a ``CriticSchedule``."""
    if identifier is None or isinstance(identifier, CriticSchedule):
        return identifier
    if isinstance(identifier, str):
        if identifier not in NAMES:
            raise ValueError(f"Unknown critic schedule {identifier!r}; known: "
                             f"{', '.join(NAMES)}, or a dict such as {{'updates': 100, "
                             f"'first': 25, 'every': 500}}.")
        return NAMES[identifier]()
    if isinstance(identifier, dict):
        if "class_name" in identifier:
            return keras.saving.deserialize_keras_object(identifier)
        try:
            return CriticSchedule(**identifier)
        except TypeError as error:
            raise ValueError(f"Bad critic_schedule {identifier!r}: {error}.") from None
    raise TypeError(f"`critic_schedule` must be None, a name ({', '.join(NAMES)}), a dict or "
                    f"a CriticSchedule; received {type(identifier).__name__}.")
