import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_gans.layers import ConditionalBatchNormalization
from keras_gans.networks import biggan


def _inputs(n=4, latent_dim=12, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, latent_dim)).astype("float32"), np.arange(n) % 3


@pytest.mark.parametrize("shape,ch,attention", [((16, 16, 1), 2, "default"),
                                                ((32, 32, 3), 2, "default"),
                                                ((64, 64, 3), 4, 16)])
def test_networks_scale_to_the_image_shape(shape, ch, attention):
    gen = biggan.biggan_generator(12, shape, 3, ch=ch, shared_dim=4,
                                  attention_resolution=attention)
    disc = biggan.biggan_discriminator(shape, 3, ch=ch, attention_resolution=attention)
    z, y = _inputs()
    images = keras.ops.convert_to_numpy(gen([z, y], training=True))
    assert images.shape == (4, *shape)
    assert np.abs(images).max() <= 1.0
    assert tuple(disc([images, y]).shape) == (4, 1)
    for net in (gen, disc):
        kinds = [type(layer).__name__ for layer in net.layers]
        assert "SelfAttention" in kinds
        # Spectral norm on every weight layer: no bare Conv2D, Dense or Embedding is left
        # (except G's shared class embedding, which the paper leaves unnormalised).
        bare = [layer.name for layer in net.layers
                if type(layer).__name__ in ("Conv2D", "Dense", "Embedding")]
        assert bare in ([], ["shared_embedding"])
    assert sum(isinstance(layer, ConditionalBatchNormalization) for layer in gen.layers) == \
        2 * (len(biggan.latent_chunks(12, {16: 2, 32: 3, 64: 4}[shape[0]])) - 1)


def test_class_and_every_latent_chunk_steer_the_generator():
    gen = biggan.biggan_generator(12, (16, 16, 1), 3, ch=2, shared_dim=4)
    z, y = _inputs(2)
    base = gen.predict([z, y], verbose=0)
    assert not np.allclose(gen.predict([z, (y + 1) % 3], verbose=0), base, atol=1e-6)
    # z = [projection chunk | block 0 chunk | block 1 chunk], 4 dimensions each.
    assert biggan.latent_chunks(12, 2) == [4, 4, 4]
    assert biggan.latent_chunks(13, 2) == [5, 4, 4]
    for start in (0, 4, 8):
        moved = z.copy()
        moved[:, start:start + 4] += 1.0
        assert not np.allclose(gen.predict([moved, y], verbose=0), base, atol=1e-6), start


def test_discriminator_is_a_projection_discriminator():
    disc = biggan.biggan_discriminator((16, 16, 1), 3, ch=2)
    x = np.random.default_rng(1).uniform(-1, 1, (2, 16, 16, 1)).astype("float32")
    features = keras.Model(disc.inputs, disc.get_layer("sum_pool").output)
    h = features.predict([x, np.zeros(2, "int32")], verbose=0)
    embeddings = keras.ops.convert_to_numpy(disc.get_layer("class_embedding_sn").kernel)
    out0 = disc.predict([x, np.zeros(2, "int32")], verbose=0)
    out2 = disc.predict([x, np.full(2, 2, "int32")], verbose=0)
    # Only the projection term <embed(y), h> depends on the label.
    np.testing.assert_allclose(out2 - out0, ((embeddings[2] - embeddings[0]) * h).sum(
        axis=1, keepdims=True), rtol=1e-4, atol=1e-4)
    # Global sum pooling: h is the sum over the 4x4 positions of the ReLU features.
    relu = keras.Model(disc.inputs, disc.get_layer("features_relu").output)
    np.testing.assert_allclose(relu.predict([x, np.zeros(2, "int32")], verbose=0).sum((1, 2)),
                               h, rtol=1e-5)


def test_spectral_norm_keeps_kernels_near_unit_norm_in_training():
    disc = biggan.biggan_discriminator((16, 16, 1), 3, ch=2)
    layer = disc.get_layer("block1_conv1_sn")
    layer.kernel.assign(layer.kernel * 10.0)
    x = np.zeros((2, 16, 16, 1), "float32")
    step = tf.function(lambda x, y: disc([x, y], training=True))
    for _ in range(20):   # power iterations converge across calls
        step(x, np.zeros(2, "int32"))
    w = keras.ops.convert_to_numpy(layer.kernel).reshape(-1, layer.kernel.shape[-1])
    assert abs(np.linalg.svd(w, compute_uv=False)[0] - 1.0) < 0.05


def test_bad_configurations_say_what_to_fix():
    with pytest.raises(ValueError, match="square images of side"):
        biggan.biggan_generator(12, (28, 28, 1), 10, ch=2)
    with pytest.raises(ValueError, match="attention_resolution"):
        biggan.biggan_discriminator((32, 32, 3), 10, ch=2, attention_resolution=32)
    with pytest.raises(ValueError, match="latent_dim >= 4"):
        biggan.biggan_generator(3, (32, 32, 3), 10, ch=2)
    with pytest.raises(ValueError, match="divisible by 8"):
        biggan.biggan_generator(12, (16, 16, 1), 3, ch=1)

