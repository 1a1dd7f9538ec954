import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_gans as kg
from keras_gans import augment


def _images(n=4, size=16, channels=3, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, size, size, channels)).astype("float32")


@pytest.mark.parametrize("policy", ["color", "translation", "cutout"])
def test_each_transform_passes_gradients_to_the_images(policy):
    layer = augment.DiffAugment(policy, seed=1)
    x = tf.constant(_images())
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = layer(x, training=True)
        total = tf.reduce_sum(y * tf.constant(_images(seed=2)))
    grad = tape.gradient(total, x)
    assert grad is not None
    assert np.all(np.isfinite(grad)) and np.abs(grad).sum() > 0


def test_translation_shifts_each_image_by_whole_pixels_within_an_eighth_and_pads_with_zeros():
    x = np.zeros((64, 16, 16, 1), "float32")
    x[:, 8, 8, 0] = 1.0
    y = keras.ops.convert_to_numpy(augment.translate(tf.constant(x),
                                                     keras.random.SeedGenerator(3)))
    shifts = set()
    for img in y[..., 0]:
        assert img.sum() == pytest.approx(1.0)          # moved, not blurred or lost
        (row,), (col,) = np.nonzero(img)
        assert abs(row - 8) <= 2 and abs(col - 8) <= 2  # 16 * 0.125 = 2 pixels at most
        shifts.add((row - 8, col - 8))
    assert len(shifts) > 5                               # each image draws its own shift
    # Content that leaves the image is replaced by zeros, not wrapped around.
    edge = np.zeros((32, 16, 16, 1), "float32")
    edge[:, :, 0, 0] = 1.0
    out = keras.ops.convert_to_numpy(augment.translate(tf.constant(edge),
                                                       keras.random.SeedGenerator(4)))
    assert out[..., 15, 0].max() == 0.0


def test_cutout_zeros_one_square_of_half_the_size_and_keeps_the_rest():
    x = np.ones((64, 16, 16, 2), "float32")
    y = keras.ops.convert_to_numpy(augment.cutout(tf.constant(x), keras.random.SeedGenerator(5)))
    for img in y:
        assert np.all(img[..., 0] == img[..., 1])       # all channels cut alike
        zero = img[..., 0] == 0
        assert set(np.unique(img)) <= {0.0, 1.0}
        rows, cols = np.nonzero(zero)
        assert zero.sum() > 0 and zero.sum() <= 64       # at most an 8x8 square
        # the zeros form one (possibly border-clipped) rectangle
        assert zero.sum() == (rows.max() - rows.min() + 1) * (cols.max() - cols.min() + 1)
        assert rows.max() - rows.min() + 1 <= 8 and cols.max() - cols.min() + 1 <= 8
    assert (y == 0).mean() > 0.15                        # mostly whole squares (64/256 = 0.25)


def test_color_draws_its_own_parameters_per_image():
    one = _images(1)
    x = np.repeat(one, 8, axis=0)
    y = keras.ops.convert_to_numpy(augment.adjust_color(tf.constant(x),
                                                        keras.random.SeedGenerator(6)))
    assert not np.allclose(y[0], y[1])
    # brightness, saturation and contrast are affine per image: a pixel's channel
    # differences are scaled, never permuted
    d_in = x[:, :, :, 0] - x[:, :, :, 1]
    d_out = y[:, :, :, 0] - y[:, :, :, 1]
    ratio = d_out / np.where(np.abs(d_in) > 1e-3, d_in, np.nan)
    per_image = np.nanstd(ratio.reshape(8, -1), axis=1)
    assert np.all(per_image < 1e-3)


def test_probability_zero_and_inference_leave_images_unchanged():
    x = _images()
    assert np.array_equal(keras.ops.convert_to_numpy(
        augment.DiffAugment(probability=0.0)(x, training=True)), x)
    assert np.array_equal(keras.ops.convert_to_numpy(
        augment.DiffAugment()(x, training=False)), x)
    changed = keras.ops.convert_to_numpy(augment.DiffAugment(seed=0)(x, training=True))
    assert not np.allclose(changed, x)


def test_bad_policies_and_names_are_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="color"):
        augment.DiffAugment("colour")
    with pytest.raises(ValueError, match="diffaugment"):
        augment.get("diffaug")
    with pytest.raises(ValueError, match="probability"):
        augment.DiffAugment(probability=1.5)


@pytest.mark.parametrize("sign,expected", [(1.0, 1), (-1.0, -1)])
def test_ada_probability_moves_towards_the_target_by_the_images_seen(sign, expected):
    ada = augment.AdaptiveAugment(probability=0.5, target=0.6, interval=4, speed_images=1000)
    logits = tf.fill([10, 1], sign)     # r_t = +1 (over the target) or -1 (under)
    for step in range(3):
        ada.observe(logits)
        assert float(ada.p) == pytest.approx(0.5)       # adjusted only every 4 D steps
    ada.observe(logits)
    assert float(ada.p) == pytest.approx(0.5 + expected * 40 / 1000)
    assert float(ada.last_rt) == pytest.approx(sign)
    for _ in range(4 * 30):
        ada.observe(logits)
    assert float(ada.p) == (1.0 if expected > 0 else 0.0)   # clipped to [0, 1]


def test_ada_keeps_p_when_r_t_sits_at_the_target():
    ada = augment.AdaptiveAugment(probability=0.3, target=0.0, interval=1, speed_images=100)
    ada.observe(tf.constant([[1.0], [-1.0]]))
    assert float(ada.p) == pytest.approx(0.3)


def _tiny_dcgan(**compile_args):
    gan = kg.models.DCGAN(data_shape=(16, 16, 1), latent_dim=8)
    gan.compile(**compile_args)
    return gan


def test_compile_augment_changes_what_the_discriminator_sees_only_in_training():
    x = tf.constant(_images(8, 16, 1))
    plain = _tiny_dcgan()
    assert np.allclose(plain.critic(x, training=True), plain.critic(x, training=True))
    augmented = _tiny_dcgan(augment="diffaugment")
    augmented.discriminator.set_weights(plain.discriminator.get_weights())
    # BatchNorm-free comparison: inference mode sees the raw images, training mode not
    assert np.allclose(augmented.critic(x, training=False), plain.critic(x, training=False))
    a, b = augmented.critic(x, training=True), augmented.critic(x, training=True)
    assert not np.allclose(a, b)


def test_ada_trains_logs_p_and_round_trips_through_saving(tmp_path):
    gan = _tiny_dcgan(augment={"name": "ada", "target": 0.6, "interval": 1,
                               "speed_images": 64, "probability": 0.2})
    data = tf.data.Dataset.from_tensor_slices(_images(32, 16, 1)).batch(8)
    history = gan.fit(data, epochs=1, verbose=0)
    assert "augment_p" in history.history and "augment_rt" in history.history
    p = float(gan.augment.p)
    assert p != pytest.approx(0.2)                       # 4 adjustments of 8/64 each
    path = str(tmp_path / "ada.keras")
    gan.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded.augment, augment.AdaptiveAugment)
    assert loaded.augment.target == 0.6
    assert float(loaded.augment.p) == pytest.approx(p)
