"""What one player's objective returns to the shared loop (``keras_gans.models.base``).

Every variant's ``discriminator_objective`` returns a ``DiscriminatorObjective`` and every
``generator_objective`` a ``GeneratorObjective``, whatever the variant adds: the loss the
player descends, and what was measured on the way, named after the metric that tracks it
(``extras``: gradient penalties, AC-GAN's class loss and accuracy, BigGAN's orthogonal
regularisation...). The objectives compute; the loop applies gradients and updates the
trackers, so an objective has no side effects and the train and test steps share it.
"""

import types
from typing import Any, Mapping, NamedTuple

_NOTHING = types.MappingProxyType({})


class DiscriminatorObjective(NamedTuple):
    """D's side of one step.

    Attributes:
        loss: D's total loss (adversarial loss, the variant's terms and the weighted
            gradient penalties), a scalar.
        real_scores: D's raw float32 outputs on the real examples (what ``loss_fn.score``
            turns into ``d_real``, and what ADA observes).
        fake_scores: D's raw float32 outputs on the generated examples (``d_fake``).
        extras: other measured values by the name of the metric that tracks each (e.g.
            ``{"r1": ..., "class_accuracy": ...}``).
    """

    loss: Any
    real_scores: Any
    fake_scores: Any
    extras: Mapping[str, Any] = _NOTHING


class GeneratorObjective(NamedTuple):
    """G's side of one step.

    Attributes:
        loss: G's total loss, a scalar (tracked as ``g_loss``).
        extras: other measured values by the name of the metric that tracks each (e.g.
            AC-GAN's ``{"g_class_loss": ...}``).
    """

    loss: Any
    extras: Mapping[str, Any] = _NOTHING
