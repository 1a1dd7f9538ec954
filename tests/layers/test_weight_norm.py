"""WeightNormDense: w = g v / ||v||, the data-dependent initialisation of Salimans & Kingma
(2016), and the shared loop running it before the first step of fit."""

import keras
import numpy as np
import pytest

import keras_gans as kg
from keras_gans.layers import weight_norm
from tests.layers._roundtrip import assert_round_trips


def _x(n=64, d=12, seed=0):
    return np.random.default_rng(seed).normal(2.0, 3.0, size=(n, d)).astype("float32")


def test_output_is_the_dense_layer_of_the_normalised_weights():
    layer = kg.layers.WeightNormDense(5)
    x = _x()
    layer(x)
    v = layer.kernel.numpy()
    layer.g.assign(np.arange(1, 6, dtype="float32"))
    layer.bias.assign(np.full(5, 0.5, "float32"))
    w = v / np.linalg.norm(v, axis=0) * np.arange(1, 6)
    np.testing.assert_allclose(layer(x).numpy(), x @ w + 0.5, rtol=1e-4, atol=1e-4)
    # Only the direction of v matters.
    layer.kernel.assign(3.0 * v)
    np.testing.assert_allclose(layer(x).numpy(), x @ w + 0.5, rtol=1e-4, atol=1e-4)


def test_initialisation_gives_every_unit_zero_mean_and_unit_variance_on_the_batch():
    layer = kg.layers.WeightNormDense(7, init_scale=1.0)
    x = _x()
    before = layer(x).numpy()
    assert np.abs(before.std(axis=0) - 1).max() > 0.1   # not already normalised
    layer.initialize(x)
    after = layer(x).numpy()
    np.testing.assert_allclose(after.mean(axis=0), 0.0, atol=1e-4)
    np.testing.assert_allclose(after.std(axis=0), 1.0, atol=1e-4)
    assert layer.is_initialized


def test_without_data_init_a_layer_starts_with_unit_length_weights_and_waits_for_nothing():
    # The Improved-GAN generator's output layer (their l2normalize): g = 1, bias 0, trained
    # from there; the shared loop's data-dependent initialisation passes it by.
    gen = kg.networks.mlp_generator(4, (3, 3, 1), hidden_units=(8,), batch_norm=True,
                                    weight_norm={"data_init": False})
    layer = gen.get_layer("output")
    assert layer.is_initialized and weight_norm.pending_layers(gen) == []
    np.testing.assert_array_equal(layer.g.numpy(), np.ones(9, "float32"))
    h = _x(d=8)
    v = layer.kernel.numpy()
    np.testing.assert_allclose(layer(h).numpy(), np.tanh(h @ (v / np.linalg.norm(v, axis=0))),
                               rtol=1e-4, atol=1e-5)
    copy = kg.layers.WeightNormDense.from_config(layer.get_config())
    assert copy.data_init is False
    assert weight_norm.pending_layers(
        kg.networks.mlp_generator(4, (3, 3, 1), hidden_units=(8,), weight_norm=True)) != []
    half = kg.networks.mlp_generator(4, (3, 3, 1), hidden_units=(8,),
                                     weight_norm={"data_init": False, "init_scale": 0.5})
    np.testing.assert_array_equal(half.get_layer("output").g.numpy(), np.full(9, 0.5))


def test_a_network_is_initialised_layer_by_layer_once(tmp_path):
    inputs = keras.Input((12,))
    h = kg.layers.WeightNormDense(16, activation="relu", name="wn1")(inputs)
    out = kg.layers.WeightNormDense(3, name="wn2")(h)
    net = keras.Model(inputs, out)
    x = _x()
    assert [layer.name for layer in weight_norm.pending_layers(net)] == ["wn1", "wn2"]
    assert weight_norm.initialize_from_batch(net, x) == 2
    # The second layer was initialised on the first one's initialised outputs.
    y = net(x).numpy()
    np.testing.assert_allclose(y.mean(axis=0), 0.0, atol=1e-4)
    np.testing.assert_allclose(y.std(axis=0), 1.0, atol=1e-4)
    g = net.get_layer("wn2").g.numpy().copy()
    assert weight_norm.initialize_from_batch(net, _x(seed=1)) == 0   # done: left alone
    np.testing.assert_array_equal(net.get_layer("wn2").g.numpy(), g)
    again = assert_round_trips(net, x, tmp_path)
    assert weight_norm.pending_layers(again) == []   # the flag is saved with the weights


def test_a_subclassed_network_gets_a_clear_error():
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = kg.layers.WeightNormDense(3)

        def call(self, x):
            return self.dense(x)

    net = Net()
    net(_x())
    with pytest.raises(ValueError, match="functional network"):
        weight_norm.initialize_from_batch(net, _x())


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="units"):
        kg.layers.WeightNormDense(0)
    with pytest.raises(ValueError, match="init_scale"):
        kg.layers.WeightNormDense(3, init_scale=0)


def _weight_normalised_sgan():
    disc = kg.networks.classifier_discriminator((8, 8, 1), 10, hidden_units=(32, 16),
                                                input_noise=0.0, hidden_noise=0.0,
                                                weight_norm=True)
    # The Improved-GAN generator: softplus units with batch norm, a weight-normalised output.
    gen = kg.networks.mlp_generator(8, (8, 8, 1), hidden_units=(16, 16), activation="softplus",
                                    batch_norm=True, weight_norm=True)
    model = kg.models.SGAN(data_shape=(8, 8, 1), latent_dim=8, num_classes=10,
                           discriminator=disc, generator=gen)
    model.compile()
    return model


@pytest.fixture(scope="module")
def semi_supervised_digits():
    x, y = kg.data.load_digits_arrays()
    return kg.data.semi_supervised(x, kg.data.keep_labels(y, 5, seed=0), batch_size=32, seed=0)


def test_the_shared_loop_initialises_d_from_the_real_examples_of_a_batch(
        semi_supervised_digits):
    model = _weight_normalised_sgan()
    batch = next(iter(semi_supervised_digits))
    assert len(weight_norm.pending_layers(model.discriminator)) == 3
    assert [layer.name for layer in weight_norm.pending_layers(model.generator)] == ["output"]
    model.initialize_from_data(batch)
    assert weight_norm.pending_layers(model.discriminator) == []
    assert weight_norm.pending_layers(model.generator) == []
    logits, _ = model.discriminator(batch[0])
    np.testing.assert_allclose(logits.numpy().mean(axis=0), 0.0, atol=1e-4)
    np.testing.assert_allclose(logits.numpy().std(axis=0), 1.0, atol=1e-3)


def test_fit_initialises_pending_layers_before_its_first_step(semi_supervised_digits,
                                                              monkeypatch):
    model = _weight_normalised_sgan()
    seen = []
    original = model.initialize_from_data
    monkeypatch.setattr(model, "initialize_from_data",
                        lambda batch: (seen.append(batch), original(batch)))
    history = model.fit(semi_supervised_digits, epochs=1, steps_per_epoch=2, verbose=0)
    assert np.isfinite(history.history["d_loss"][-1])
    assert len(seen) == 1 and weight_norm.pending_layers(model.discriminator) == []
    assert weight_norm.pending_layers(model.generator) == []
    model.fit(semi_supervised_digits, epochs=1, steps_per_epoch=1, verbose=0)
    assert len(seen) == 1   # a later fit (a resumed run) keeps the trained weights


def test_a_fixed_scale_is_set_by_the_initialisation_and_left_by_the_optimiser(tmp_path):
    layer = kg.layers.WeightNormDense(4, train_scale=False)
    x = _x()
    layer(x)
    assert [w.name for w in layer.trainable_weights] == ["kernel", "bias"]
    layer.initialize(x)
    g = layer.g.numpy().copy()
    assert not np.allclose(g, 1.0)   # the initialisation still sets it
    inputs = keras.Input((12,))
    net = keras.Model(inputs, layer(inputs))
    net.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    net.fit(x, np.ones((len(x), 4), "float32"), epochs=1, batch_size=16, verbose=0)
    np.testing.assert_array_equal(layer.g.numpy(), g)
    again = assert_round_trips(net, x, tmp_path)
    assert again.layers[-1].train_scale is False


def test_the_improved_gan_discriminator_trains_the_output_scale_only():
    net = kg.networks.classifier_discriminator((8, 8, 1), 10, hidden_units=(16, 8),
                                               weight_norm=True)
    scales = {layer.name: layer.train_scale for layer in net.layers
              if isinstance(layer, kg.layers.WeightNormDense)}
    assert scales == {"dense_0": False, "dense_1": False, "class_logits": True}
