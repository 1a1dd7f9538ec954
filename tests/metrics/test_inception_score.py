import numpy as np
import pytest

import keras_gans as kg


def test_uniform_predictions_score_one():
    score = kg.metrics.InceptionScore()
    score.update_state(fake=np.zeros((100, 10)))
    result = score.result()
    np.testing.assert_allclose(result["is"], 1.0, atol=1e-9)
    assert result["is_std"] < 1e-9


def test_confident_predictions_spread_over_k_classes_score_k():
    k = 10
    logits = 50.0 * np.eye(k)[np.arange(20_000) % k]
    whole = kg.metrics.InceptionScore(splits=1)
    whole.update_state(fake=logits)
    np.testing.assert_allclose(whole.result()["is"], k, rtol=1e-6)
    # Ten random splits of 2,000: each split's class histogram is nearly uniform.
    score = kg.metrics.InceptionScore(splits=10)
    score.update_state(fake=logits)
    assert 0.99 * k < score.result()["is"] <= k


def test_confident_but_collapsed_predictions_score_one():
    score = kg.metrics.InceptionScore()
    score.update_state(fake=50.0 * np.eye(10)[np.zeros(100, int)])
    np.testing.assert_allclose(score.result()["is"], 1.0, rtol=1e-6)


def test_streaming_equals_one_shot_and_matches_the_definition():
    logits = np.random.default_rng(0).normal(size=(230, 7)) * 3
    one = kg.metrics.InceptionScore(splits=5)
    one.update_state(fake=logits)
    streamed = kg.metrics.InceptionScore(splits=5)
    for i in range(0, 230, 33):
        streamed.update_state(real=logits[:5], fake=logits[i:i + 33])
    np.testing.assert_allclose(streamed.result()["is"], one.result()["is"], rtol=1e-12)

    assert one.protocol().num_fake == 230 and one.protocol().num_real == 0

    p = np.exp(logits - logits.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    definition = np.exp(np.mean(np.sum(p * np.log(p / p.mean(0)), axis=1)))
    whole = kg.metrics.InceptionScore(splits=1)
    whole.update_state(fake=logits)
    np.testing.assert_allclose(whole.result()["is"], definition, rtol=1e-6)  # float32 logits


def test_needs_a_sample_per_split():
    score = kg.metrics.InceptionScore(splits=10)
    score.update_state(fake=np.zeros((5, 3)))
    with pytest.raises(ValueError, match="at least 10 generated samples"):
        score.result()
