import keras
import numpy as np
import pytest

import keras_gans as kg
from keras_gans.layers import SpectralNormalization
from tests.layers._roundtrip import assert_round_trips


@pytest.fixture
def bfloat16():
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    yield
    keras.mixed_precision.set_global_policy("float32")


def _x(seed=0, shape=(8, 32)):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def _kernel(layer):
    return keras.ops.convert_to_numpy(layer.layer.kernel.value).astype("float64")


def _rounds_to_bfloat16(values):
    rounded = keras.ops.convert_to_numpy(
        keras.ops.cast(keras.ops.cast(values.astype("float32"), "bfloat16"), "float32"))
    return np.mean(rounded == values)


def test_small_updates_survive_the_write_back_under_bfloat16(bfloat16):
    layer = SpectralNormalization(keras.layers.Dense(16))
    x = _x()
    for _ in range(20):  # let the power iteration settle, so sigma stays ~1 below
        layer(x, training=True)
    kernel = _kernel(layer)
    # Most float32 kernels are not bfloat16 numbers; a write-back in bfloat16 makes them so.
    assert _rounds_to_bfloat16(kernel) < 0.1
    # An optimizer-sized update (1e-4 of the weights' scale, far below a bfloat16 step).
    update = 1e-4 * np.abs(kernel).mean() * np.random.default_rng(1).choice([-1, 1],
                                                                          kernel.shape)
    layer.layer.kernel.assign((kernel + update).astype("float32"))
    layer(x, training=True)
    kept = _kernel(layer) - kernel
    # Renormalisation scales the kernel by ~1 (it is already normalised); the update's
    # direction survives entry by entry.
    assert np.corrcoef(kept.ravel(), update.ravel())[0, 1] > 0.9


def test_the_wrapped_layer_still_computes_in_bfloat16(bfloat16):
    layer = SpectralNormalization(keras.layers.Conv2D(8, 3, padding="same"))
    x = keras.ops.cast(_x(shape=(2, 6, 6, 4)), "bfloat16")
    assert layer(x, training=True).dtype == "bfloat16"
    assert layer.layer.compute_dtype == "bfloat16"
    assert layer.layer.kernel.dtype == "float32"


def test_matches_keras_layer_under_float32():
    x = _x(2)
    ours = SpectralNormalization(keras.layers.Dense(16), power_iterations=2)
    theirs = keras.layers.SpectralNormalization(keras.layers.Dense(16), power_iterations=2)
    ours.build(x.shape)
    theirs.build(x.shape)
    theirs.set_weights(ours.get_weights())  # the same weights, in the same order
    for training in (True, True, False):
        np.testing.assert_allclose(keras.ops.convert_to_numpy(ours(x, training=training)),
                                   keras.ops.convert_to_numpy(theirs(x, training=training)),
                                   rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_kernel(ours), _kernel(theirs), rtol=1e-6)


def test_round_trips_and_keeps_its_fix(tmp_path, bfloat16):
    inputs = keras.Input((32,))
    model = keras.Model(inputs, SpectralNormalization(keras.layers.Dense(4))(inputs))
    model(_x(), training=True)
    again = assert_round_trips(model, _x(3), tmp_path)
    loaded = again.layers[-1]
    assert isinstance(loaded, SpectralNormalization)
    assert loaded.dtype_policy.name == "float32" and not loaded.autocast
    assert loaded.layer.dtype_policy.name == "mixed_bfloat16"


def test_biggan_networks_use_it(bfloat16):
    model = kg.models.BigGAN(data_shape=(16, 16, 3), num_classes=3, latent_dim=16, ch=8,
                             shared_dim=8, attention_resolution=8)
    wrappers = [layer for network in (model.generator, model.discriminator)
                for layer in network._flatten_layers()
                if isinstance(layer, keras.layers.SpectralNormalization)]
    assert wrappers and all(isinstance(w, SpectralNormalization) for w in wrappers)


def _dense_model(wrapper):
    inputs = keras.Input((32,))
    model = keras.Model(inputs, wrapper(keras.layers.Dense(4, name="dense"), name="sn")(inputs))
    model(_x(), training=True)   # one power iteration: vector_u is no longer its initial draw
    return model


def _datasets(path):
    import h5py

    found = {}

    def visit(name, item):   # visititems stops at the first callback that returns a value
        if isinstance(item, h5py.Dataset):
            found[name] = item.shape

    with h5py.File(path, "r") as f:
        f.visititems(visit)
    return found


def test_saves_each_kernel_once_and_loads_it_back(tmp_path):
    model = _dense_model(SpectralNormalization)
    path = str(tmp_path / "m.weights.h5")
    model.save_weights(path)
    saved = _datasets(path)
    kernels = [name for name, shape in saved.items() if shape == (32, 4)]
    assert len(kernels) == 1, saved     # Keras's own layer writes the kernel twice
    again = _dense_model(SpectralNormalization)
    again.load_weights(path)
    for theirs, ours in zip(model.layers[-1].weights, again.layers[-1].weights):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(ours),
                                      keras.ops.convert_to_numpy(theirs), err_msg=ours.path)


def test_loads_a_file_written_by_the_keras_layer(tmp_path):
    keras.utils.set_random_seed(7)
    theirs = _dense_model(keras.layers.SpectralNormalization)
    path = str(tmp_path / "keras.weights.h5")
    theirs.save_weights(path)
    assert len([s for s in _datasets(path).values() if s == (32, 4)]) == 2
    keras.utils.set_random_seed(8)
    ours = _dense_model(SpectralNormalization)
    ours.load_weights(path)
    wrapper, reference = ours.layers[-1], theirs.layers[-1]
    pairs = ((wrapper.vector_u, reference.vector_u),
             (wrapper.layer.kernel, reference.layer.kernel),
             (wrapper.layer.bias, reference.layer.bias))
    for a, b in pairs:
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(a),
                                      keras.ops.convert_to_numpy(b), err_msg=a.path)
