import keras
import numpy as np


def assert_round_trips(model, inputs, tmp_path):
    """Save a model holding the layer, load it, and compare outputs."""
    path = str(tmp_path / "m.keras")
    model.save(path)
    again = keras.models.load_model(path)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(again(inputs)),
                               keras.ops.convert_to_numpy(model(inputs)), rtol=1e-5, atol=1e-6)
    return again
