import os

import numpy as np
import pytest
import yaml

import keras_gans as kg
from keras_gans.data import public

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_public_names_resolve_to_tensorflow_datasets_without_a_local_copy(monkeypatch):
    monkeypatch.delenv(public.DATA_ENV, raising=False)
    assert public.resolve("mnist") == ("tfds", "mnist")
    assert public.resolve("fashion_mnist") == ("tfds", "fashion_mnist")
    assert public.resolve("cifar10") == ("tfds", "cifar10")
    assert public.resolve("flowers") == ("tfds", "tf_flowers")
    assert public.resolve("celeb_a") == ("tfds", "celeb_a")  # other names pass through


def test_a_local_copy_in_keras_gans_data_is_read_instead_of_downloading(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    x_train = rng.integers(0, 256, (6, 28, 28), dtype=np.uint8)
    np.savez(tmp_path / "mnist.npz", x_train=x_train, y_train=np.arange(6),
             x_test=x_train[:2], y_test=np.arange(2))
    monkeypatch.setenv(public.DATA_ENV, str(tmp_path))
    assert public.resolve("mnist") == ("file", str(tmp_path / "mnist.npz"))
    assert public.resolve("fashion_mnist") == ("tfds", "fashion_mnist")  # no copy there
    images, labels = next(iter(kg.data.load("mnist", batch_size=6, labels=True, shuffle=False)))
    assert images.shape == (6, 28, 28, 1)
    np.testing.assert_allclose(images[..., 0], x_train / 127.5 - 1, atol=1e-5)
    np.testing.assert_array_equal(labels, np.arange(6))
    test = next(iter(kg.data.load("mnist", batch_size=8, split="test", shuffle=False)))
    assert test.shape == (2, 28, 28, 1)
    ds = kg.data.load_semi_supervised("mnist", labels_per_class=1, batch_size=4,
                                      labelled_batch_size=2, seed=0)
    x, y = next(iter(ds))
    assert x.shape == (4, 28, 28, 1) and y.shape == (4,)


def _data_values(section):
    if isinstance(section, dict):
        for value in section.values():
            yield from _data_values(value)
    elif isinstance(section, list):
        for value in section:
            yield from _data_values(value)
    elif isinstance(section, str):
        yield section


def test_recipes_name_public_data_not_the_training_machines_folders():
    folder = os.path.join(ROOT, "zoo", "recipes")
    for filename in sorted(os.listdir(folder)):
        with open(os.path.join(folder, filename)) as f:
            recipe = yaml.safe_load(f)
        for value in _data_values(recipe.get("data")):
            assert "shared/data" not in value, (filename, value)
        if recipe.get("data", {}).get("name") in public.PUBLIC:
            assert public.resolve(recipe["data"]["name"])[0] in ("tfds", "file")


@pytest.mark.parametrize("name", ["mnist", "fashion_mnist", "cifar10", "tf_flowers"])
def test_the_tfds_names_are_known_to_tensorflow_datasets(name):
    from keras_gans.data import tfds as tfds_source

    assert tfds_source.is_tfds_name(name)  # offline: the builders ship with tfds
