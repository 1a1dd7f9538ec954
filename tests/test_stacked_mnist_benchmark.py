"""benchmarks/stacked_mnist.py: the training set it stacks, and the mode count and KL it
reports, checked on tiny synthetic digits whose classes are known."""

import math
import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "benchmarks"))
import stacked_mnist  # noqa: E402


class BrightnessClassifier:
    """Reads a grey 'digit' d from an image filled with the value -1 + 2 d / 9; logits of
    ``margin`` for that digit, 0 for the others (margin 20: sure; margin 1: p = 0.23)."""

    def __init__(self, margin=20.0):
        self.margin = margin

    def predict(self, images, batch_size=None, verbose=0):
        digit = np.rint((images.mean(axis=(1, 2, 3)) + 1) * 4.5).astype(int)
        return self.margin * np.eye(10)[digit]


def images_of(triples):
    values = -1 + 2 * np.asarray(triples, "float32") / 9
    return np.broadcast_to(values[:, None, None, :], (len(triples), 28, 28, 3)).copy()


def test_mode_statistics_counts_modes_and_kl_to_uniform():
    every = [(r, g, b) for r in range(10) for g in range(10) for b in range(10)]
    full = stacked_mnist.mode_statistics(images_of(every), BrightnessClassifier())
    assert full["modes_covered"] == 1000
    assert full["kl_to_uniform"] == pytest.approx(0.0, abs=1e-12)
    ten_modes = [(d, 9 - d, d) for d in range(10)] * 20   # 10 modes, 20 samples each
    few = stacked_mnist.mode_statistics(images_of(ten_modes), BrightnessClassifier())
    assert few["modes_covered"] == 10
    assert few["kl_to_uniform"] == pytest.approx(math.log(100))
    assert few["counts"][90] == 20 and few["counts"][909] == 20   # (0, 9, 0) and (9, 0, 9)
    assert few["confident_channels"] == 1 and few["modes_confident"] == 10


def test_unsure_readings_count_as_modes_but_not_as_confident_ones():
    triples = [(d, d, d) for d in range(10)]
    images = images_of(triples)
    stats = stacked_mnist.mode_statistics(images, BrightnessClassifier(margin=20.0))
    assert stats["modes_covered"] == 10
    unsure = stacked_mnist.mode_statistics(images, BrightnessClassifier(margin=1.0))
    assert unsure["modes_covered"] == 10
    assert unsure["confident_channels"] == 0 and unsure["modes_confident"] == 0
    with pytest.raises(ValueError, match="non-finite"):
        stacked_mnist.mode_statistics(np.full((2, 28, 28, 3), np.nan, "float32"),
                                      BrightnessClassifier())


def test_summarise_averages_each_configuration_over_seeds():
    rows = [{"config": "dcgan", "seed": s, "modes_covered": m, "kl_to_uniform": kl,
             "kimg": 128.0, "wall_s": 60.0} for s, m, kl in ((0, 100, 3.0), (1, 300, 2.0))]
    rows.append({"config": "pacgan2", "seed": 0, "modes_covered": 990, "kl_to_uniform": 0.1,
                 "kimg": 128.0, "wall_s": 30.0})
    summary = stacked_mnist.summarise(rows)
    assert summary["dcgan"]["modes_mean"] == 200 and summary["dcgan"]["modes_std"] == 100
    assert summary["dcgan"]["kl_mean"] == pytest.approx(2.5)
    assert summary["dcgan"]["seeds"] == [0, 1] and summary["pacgan2"]["modes_std"] == 0
    assert stacked_mnist.markdown(summary).splitlines()[2] \
        == "| DCGAN | 2 | 200.0 ± 100.0 | 2.50 ± 0.50 | - | - | 128 | 1.0 min |"
    for row, sure in zip(rows, (0.5, 0.7, 0.9)):
        row.update(confident_channels=sure, confident_samples=sure ** 3, modes_confident=10)
    assert stacked_mnist.markdown(stacked_mnist.summarise(rows)).splitlines()[2] \
        == "| DCGAN | 2 | 200.0 ± 100.0 | 2.50 ± 0.50 | 60% | 10.0 ± 0.0 | 128 | 1.0 min |"


def test_the_training_set_stacks_three_independent_digits(tmp_path):
    digits = (np.arange(10, dtype="uint8")[:, None, None] * 25).repeat(28, 1).repeat(28, 2)
    ds = stacked_mnist.stacked_dataset(digits, train_size=500, batch_size=250, seed=0)
    batch = next(iter(ds)).numpy()
    assert batch.shape == (250, 28, 28, 3) and batch.min() >= -1 and batch.max() <= 1
    per_channel = np.rint((batch[:, 0, 0, :] + 1) * 127.5 / 25).astype(int)
    expected = np.broadcast_to((per_channel[:, None, None, :] * 25) / 127.5 - 1, batch.shape)
    np.testing.assert_allclose(batch, expected, atol=1e-6)
    # Independent channels: the three digits of an image agree about as often as chance.
    assert 0 < np.mean(per_channel[:, 0] == per_channel[:, 1]) < 0.25
    assert len({tuple(t) for t in per_channel}) > 150


def test_packing_rounds_the_batch_down_and_bad_data_gets_clear_errors(tmp_path):
    args = stacked_mnist.parse_args(["--data", "unused.npz", "--batch-size", "64"])
    assert [stacked_mnist.batch_size_of(c, args) for c in ("dcgan", "pacgan2", "pacgan3")] \
        == [64, 64, 63]
    with pytest.raises(FileNotFoundError, match="--data"):
        stacked_mnist.load_mnist_digits(str(tmp_path / "missing.npz"))
    np.savez(tmp_path / "other.npz", images=np.zeros((2, 28, 28), "uint8"))
    with pytest.raises(ValueError, match="no 'x_train' array"):
        stacked_mnist.load_mnist_digits(str(tmp_path / "other.npz"))


def test_score_writes_the_metrics_a_preset_card_takes(tmp_path):
    import keras

    import keras_gans as kg

    keras.utils.set_random_seed(0)
    model = kg.models.DCGAN(data_shape=(28, 28, 3), latent_dim=8)
    model.compile()
    path = str(tmp_path / "model.keras")
    model.save(path)
    args = stacked_mnist.parse_args(["--score", path, "--num-samples", "300"])
    metrics = stacked_mnist.score_model(path, BrightnessClassifier(), args)
    stats = metrics["stacked_mnist_modes"]
    # The untrained generator's samples, read channel by channel, as the metric reads them.
    images = keras.models.load_model(path).generate(300, seed=0)
    expected = kg.metrics.stacked_mnist_coverage(images, BrightnessClassifier())
    assert stats["modes_covered"] == expected["modes_covered"] >= 1
    assert stats["kl_to_uniform"] == round(expected["kl_to_uniform"], 4)
    assert stats["num_samples"] == 300 and "counts" not in stats
    assert "generate(300, seed=0)" in stats["protocol"]


def test_the_unrolled_gan_setting_builds_its_small_networks_and_game():
    args = stacked_mnist.parse_args(["--data", "unused.npz", "--networks", "unrolled-d1/4",
                                     "--batch-size", "128"])
    plain = stacked_mnist.build_model("dcgan", args)
    assert plain.latent_dim == 256
    assert plain.generator.output_shape == (None, 28, 28, 3)
    widths = [layer.filters for layer in plain.discriminator.layers if hasattr(layer, "filters")]
    assert widths == [2, 4, 8]
    assert float(plain.d_optimizer.learning_rate) == pytest.approx(2e-4)
    assert float(plain.g_optimizer.learning_rate) == pytest.approx(1e-4)
    assert float(plain.g_optimizer.beta_2) == pytest.approx(0.99)
    packed = stacked_mnist.build_model("pacgan2", args)
    assert packed.discriminator.input_shape == (None, 28, 28, 6)
    half = stacked_mnist.build_model("dcgan", stacked_mnist.parse_args(
        ["--data", "unused.npz", "--networks", "unrolled-d1/2"]))
    assert [layer.filters for layer in half.discriminator.layers
            if hasattr(layer, "filters")] == [4, 8, 16]
    # The same generator in both settings; only D's width differs.
    assert half.generator.count_params() == plain.generator.count_params()
    assert half.discriminator.count_params() > 2 * plain.discriminator.count_params()
    with pytest.raises(SystemExit, match="no minibatch-feature variant"):
        stacked_mnist.build_model("dcgan-mbd", args)


def test_the_mode_curve_scores_the_samples_every_few_steps():
    import keras

    import keras_gans as kg

    keras.utils.set_random_seed(0)
    model = kg.models.DCGAN(data_shape=(28, 28, 3), latent_dim=8)
    model.compile()
    images = np.zeros((8, 28, 28, 3), "float32")
    curve = stacked_mnist.ModeCurve(BrightnessClassifier(), every=2, num_samples=50, seed=3)
    model.fit(images, batch_size=2, epochs=1, callbacks=[curve], verbose=0)   # 4 steps
    assert [p["step"] for p in curve.points] == [2, 4]
    final = stacked_mnist.mode_statistics(model.generate(50, seed=3), BrightnessClassifier())
    assert curve.points[-1]["modes_covered"] == final["modes_covered"]
    assert curve.seconds > 0
