"""``generate(n)`` and the other sample counts take whole numbers only."""

import numpy as np
import pytest

import keras_gans as kg
from keras_gans.counts import positive_count


@pytest.mark.parametrize("n", [1, 64, np.int64(3), 8.0, np.float32(2.0)])
def test_whole_counts_are_taken_as_ints(n):
    assert positive_count(n) == int(n) and type(positive_count(n)) is int


@pytest.mark.parametrize("n", [0, -3, 2.5, "3", None, True, float("nan"), [4]])
def test_other_counts_are_refused_by_name(n):
    with pytest.raises(ValueError, match=r"`n` must be a positive integer; received"):
        positive_count(n)


def test_generate_refuses_a_fractional_count_instead_of_truncating_it():
    gan = kg.models.GAN(data_shape=(2,), latent_dim=2)
    assert gan.generate(3, seed=0).shape == (3, 2)
    with pytest.raises(ValueError, match="received 2.5"):
        gan.generate(2.5, seed=0)
    cgan = kg.models.CGAN(data_shape=(2,), latent_dim=2, num_classes=3)
    with pytest.raises(ValueError, match="when `labels` is one class; received 1.5"):
        cgan.generate(1.5, labels=1)
