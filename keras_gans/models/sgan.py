"""Semi-supervised GAN (Salimans et al. 2016, "Improved Techniques for Training GANs",
section 5): the discriminator is a K-class classifier whose "real" score comes for free."""

import keras
import tensorflow as tf

from keras_gans import _backend  # noqa: F401
from keras_gans import distribute
from keras_gans.models import custom_networks
from keras_gans.models import registry
from keras_gans.models.base import GAN
from keras_gans.models.objectives import DiscriminatorObjective, GeneratorObjective
from keras_gans.networks import classifier, mlp


@registry.register("sgan")
@keras.saving.register_keras_serializable(package="keras_gans")
class SGAN(GAN):
    """Semi-supervised GAN of Salimans, Goodfellow, Zaremba, Cheung, Radford & Chen (2016),
    "Improved Techniques for Training GANs" (section 5; the K+1-class discriminator was
    proposed at the same time by Odena (2016), "Semi-Supervised Learning with Generative
    Adversarial Networks").

    What differs from ``GAN``: D has K class logits l(x) and an implicit fake class K+1
    whose logit is fixed at 0, so D's logit of "real" is logsumexp(l(x)) and the shared
    loop's (non-saturating) loss on it is the paper's unsupervised loss, weighted by
    ``unsupervised_weight``. D also minimises the cross-entropy of the labelled examples; G minimises feature matching, the squared
    distance between the mean features of a real and a fake batch on D's last hidden layer
    (``feature_matching=False`` gives G the adversarial loss instead).

    Batches are ``(x, y)`` with y = -1 for unlabelled examples (``kg.data.semi_supervised``
    builds them). ``classifier()`` returns the trained D as a softmax classifier. Logged:
    ``d_supervised_loss`` and ``class_accuracy`` (on the batch's labelled examples).

    ``classifier_average`` keeps a moving average of D's trainable weights, updated after
    every discriminator step; ``classifier()`` then classifies with the averaged weights. At
    update t the decay is ``min(classifier_average, t / (t + 10))``: the average starts as a
    copy of D (not near zero, as a zero-started average would) and spans about the last
    tenth of the updates until that reaches the decay's own horizon. The authors' code
    reports its test errors this way (Polyak averaging with a rate of 1e-4, i.e. 0.9999):
    D's own weights move a lot from step to step under the adversarial game.

    Args:
        num_classes: K.
        feature_matching: G's objective (default True, as in the paper).
        unsupervised_weight: weight of the unsupervised (real/fake) loss against the
            supervised cross-entropy; 0.5, the default, is the authors' code's (half the
            sum of the real and fake terms).
        discriminator: returns ``[logits (K,), features]``
            (``kg.networks.classifier_discriminator``).
        classifier_average: None (the default: ``classifier()`` uses D's weights) or the
            decay in [0, 1) of the average of D's weights that ``classifier()`` uses.
        unsupervised_examples: the real examples of the unsupervised term and of feature
            matching: ``"all"`` (the default: the whole batch) or ``"unlabelled"`` (those
            labelled -1, as the authors' code, which keeps its labelled minibatch for the
            cross-entropy alone; with ``kg.data.semi_supervised`` batches, half of every
            batch repeats the few labelled examples, which ``"all"`` then weighs as heavily
            as the rest of the data).
        Other arguments as ``GAN``. Default G: an MLP of 500, 500 units with a tanh output.
    """

    def __init__(self, data_shape=None, latent_dim=None, num_classes=None, generator=None,
                 discriminator=None, feature_matching=True, unsupervised_weight=0.5,
                 classifier_average=None, unsupervised_examples="all", image_shape=None,
                 **kwargs):
        if num_classes is None or int(num_classes) < 2:
            raise ValueError(f"SGAN needs `num_classes` (an integer of at least 2), e.g. 10 for "
                             f"MNIST; received {num_classes!r}.")
        self.num_classes = int(num_classes)
        self.feature_matching = bool(feature_matching)
        if not float(unsupervised_weight) >= 0:
            raise ValueError(f"`unsupervised_weight` must be >= 0; received "
                             f"{unsupervised_weight!r}.")
        self.unsupervised_weight = float(unsupervised_weight)
        if classifier_average is not None and not 0.0 <= float(classifier_average) < 1.0:
            raise ValueError(f"`classifier_average` is the decay of the average of D's "
                             f"weights, in [0, 1) (the paper: 0.9999), or None for no "
                             f"average; received {classifier_average!r}.")
        self.classifier_average = (None if classifier_average is None
                                   else float(classifier_average))
        if unsupervised_examples not in ("all", "unlabelled"):
            raise ValueError(f"`unsupervised_examples` must be 'all' or 'unlabelled'; "
                             f"received {unsupervised_examples!r}.")
        self.unsupervised_examples = unsupervised_examples
        super().__init__(data_shape, latent_dim, generator, discriminator, image_shape,
                         **kwargs)
        self.averaged_weights = []
        if self.classifier_average is not None:
            # One replica's value is kept: every replica holds the same D after its update.
            self.averaged_weights = [
                self.add_weight(shape=v.shape, initializer="zeros", trainable=False,
                                name=f"average_{i}", aggregation="only_first_replica")
                for i, v in enumerate(self.discriminator.trainable_variables)]
            self.average_updates = self.add_weight(
                shape=(), initializer="zeros", trainable=False, name="average_updates",
                aggregation="only_first_replica")
        self.supervised_tracker = keras.metrics.Mean(name="d_supervised_loss")
        self.accuracy_tracker = keras.metrics.Mean(name="class_accuracy")

    def build_generator(self):
        image = len(self.data_shape) > 1
        return mlp.mlp_generator(self.latent_dim, self.data_shape, hidden_units=(500, 500),
                                 output_activation="tanh" if image else None)

    def build_discriminator(self):
        return classifier.classifier_discriminator(self.data_shape, self.num_classes)

    def _check_networks(self, generator, discriminator):
        super()._check_networks(generator, discriminator)
        shapes = custom_networks.output_shapes(discriminator, "discriminator")
        if len(shapes) != 2 or shapes[0] != (self.num_classes,):
            raise ValueError(
                f"The SGAN discriminator returns [class logits ({self.num_classes},), "
                f"features]; this one returns {shapes}. Build it with "
                f"kg.networks.classifier_discriminator.")

    # -- the game -------------------------------------------------------------------

    def unpack_batch(self, data):
        """``(x, y)`` -> (x, condition): the labels (-1: unlabelled) and the real batch,
        which feature matching compares with the fakes."""
        if not isinstance(data, (tuple, list)) or len(data) < 2:
            raise ValueError("SGAN trains on (examples, labels) batches with label -1 for "
                             "unlabelled examples; build them with kg.data.semi_supervised.")
        real = self._check_batch(data[0])
        labels = tf.convert_to_tensor(data[1])
        if not labels.dtype.is_integer or labels.shape.rank != 1:
            raise ValueError(f"SGAN labels must be integers of shape (batch,), -1 for "
                             f"unlabelled; received dtype {labels.dtype.name} and shape "
                             f"{tuple(labels.shape)}.")
        labels = tf.cast(labels, tf.int32)
        message = f"labels must lie in [-1, {self.num_classes}) (-1: unlabelled)"
        tf.debugging.assert_greater_equal(labels, -1, message=message)
        tf.debugging.assert_less(labels, self.num_classes, message=message)
        return real, {"labels": labels, "real": real}

    def heads(self, x, training=True):
        """D's (class logits, features), in float32."""
        logits, features = self.discriminator(self.discriminator_input(x, training),
                                              training=training)
        return tf.cast(logits, tf.float32), tf.cast(features, tf.float32)

    @staticmethod
    def real_logit(class_logits):
        """D(x) = Z / (Z + 1) with Z = sum_k exp(l_k): its logit is logsumexp(l)."""
        return tf.reduce_logsumexp(class_logits, axis=-1, keepdims=True)

    def critic(self, x, condition=None, training=True):
        return self.real_logit(self.heads(x, training)[0])

    @staticmethod
    def _global_count(mask):
        """The examples of the *global* batch where ``mask`` is 1 (at least 1)."""
        return tf.maximum(distribute.global_sum(tf.reduce_sum(mask)), 1.0)

    def _count_per_replica(self, mask):
        """``_global_count`` over the replica count. A replica's sum over its own such
        examples divided by it is that replica's share of their global mean: replicas hold
        different numbers of them, and the loop divides every replica's loss by the
        replica count."""
        return self._global_count(mask) / distribute.num_replicas()

    def _global_share(self, mask):
        """Per-example weights that make a replica's mean its share of the global mean
        over the examples where ``mask`` is 1 (see ``_count_per_replica``)."""
        return mask * tf.cast(tf.size(mask), tf.float32) / self._count_per_replica(mask)

    @staticmethod
    def _unsupervised_mask(labels):
        """1 for the unlabelled examples (``unsupervised_examples="unlabelled"``), else 0."""
        return tf.cast(labels < 0, tf.float32)

    def discriminator_objective(self, real, fake, condition=None, training=True):
        real_classes, _ = self.heads(real, training)
        fake_classes, _ = self.heads(fake, training)
        real_logits, fake_logits = self.real_logit(real_classes), self.real_logit(fake_classes)
        labels = condition["labels"]
        weighted = ({} if self.unsupervised_examples == "all" else
                    {"real_weights": self._global_share(self._unsupervised_mask(labels))})
        unsupervised = (self.unsupervised_weight * self.loss_fn.discriminator_loss(
            real_logits, fake_logits, **weighted))
        mask = tf.cast(labels >= 0, tf.float32)
        # Means over the labelled examples of the global batch.
        count = self._count_per_replica(mask)
        safe = tf.maximum(labels, 0)
        cross_entropy = tf.nn.sparse_softmax_cross_entropy_with_logits(safe, real_classes)
        supervised = tf.reduce_sum(cross_entropy * mask) / count
        correct = tf.cast(tf.equal(tf.argmax(real_classes, -1, output_type=tf.int32), safe),
                          tf.float32)
        accuracy = tf.reduce_sum(correct * mask) / count
        penalty_total, penalty_values = self.penalty_terms(real, fake, condition, training)
        total = unsupervised + supervised + penalty_total
        return DiscriminatorObjective(
            total, real_logits, fake_logits,
            {**penalty_values, "d_supervised_loss": supervised, "class_accuracy": accuracy})

    def generator_objective(self, fake, condition=None, training=True):
        fake_classes, fake_features = self.heads(fake, training)
        if not self.feature_matching:
            return GeneratorObjective(self.loss_fn.generator_loss(self.real_logit(fake_classes)))
        # Mean features of the global batches, as one device would compare them.
        if self.unsupervised_examples == "all":
            _, real_features = self.heads(condition["real"], training)
            real_mean = distribute.global_mean(
                tf.reduce_mean(tf.stop_gradient(real_features), axis=0))
        else:
            # Only the unlabelled rows go through D: with kg.data.semi_supervised batches
            # the labelled half would be computed and then weighted 0 (7% of the paper
            # recipe's step, measured). Replicas keep different numbers of rows.
            unlabelled = condition["labels"] < 0
            with distribute.unequal_shares():
                _, real_features = self.heads(
                    tf.boolean_mask(condition["real"], unlabelled), training)
            real_mean = (distribute.global_sum(
                tf.reduce_sum(tf.stop_gradient(real_features), axis=0))
                / self._global_count(tf.cast(unlabelled, tf.float32)))
        difference = real_mean - distribute.global_mean(tf.reduce_mean(fake_features, axis=0))
        return GeneratorObjective(tf.reduce_mean(tf.square(difference)))

    def discriminator_step(self, real, fake, condition=None):
        super().discriminator_step(real, fake, condition)
        if self.averaged_weights:
            t = tf.cast(self.average_updates, tf.float32)
            decay = tf.minimum(self.classifier_average, t / (t + 10.0))
            for average, weight in zip(self.averaged_weights,
                                       self.discriminator.trainable_variables):
                average.assign(decay * average + (1.0 - decay) * tf.cast(weight, tf.float32))
            self.average_updates.assign_add(1.0)

    @property
    def metrics(self):
        return [*super().metrics, self.supervised_tracker, self.accuracy_tracker]

    # -- the classifier -------------------------------------------------------------

    def classifier(self):
        """A ``keras.Model`` x -> softmax over the K classes (its noise layers are inactive
        in ``predict``). It shares D's layers and weights, or, with ``classifier_average``,
        is a copy of D holding the averaged weights as they are now."""
        network = self.discriminator
        if self.averaged_weights:
            network = keras.models.clone_model(self.discriminator)
            network.set_weights(self.discriminator.get_weights())
            for target, average in zip(network.trainable_variables, self.averaged_weights):
                target.assign(keras.ops.convert_to_numpy(average))
        x = keras.Input(shape=self.data_shape)
        probabilities = keras.layers.Softmax(name="probabilities")(network(x)[0])
        return keras.Model(x, probabilities, name="sgan_classifier")

    def folded_averages(self):
        """As ``GAN``'s, and the classifier's average of D's weights (``classifier_average``)
        becomes D: ``classifier()`` gives the same probabilities; the raw D, which only
        training uses, is not kept."""
        model, notes = super().folded_averages()
        if not self.averaged_weights:
            return model, notes
        folded = type(model).from_config({**model.get_config(), "classifier_average": None})
        for mine, theirs in zip(model.networks(), folded.networks()):
            theirs.set_weights(mine.get_weights())
        for target, average in zip(folded.discriminator.trainable_variables,
                                   self.averaged_weights):
            target.assign(keras.ops.convert_to_numpy(average))
        return folded, notes + [
            "the discriminator holds the classifier's average of its weights "
            "(classifier_average), without the raw discriminator"]

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes,
                "feature_matching": self.feature_matching,
                "unsupervised_weight": self.unsupervised_weight,
                "classifier_average": self.classifier_average,
                "unsupervised_examples": self.unsupervised_examples}
