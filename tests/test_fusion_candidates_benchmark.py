"""benchmarks/fusion_candidates.py: both forms of each element-wise chain compute the same
function, so that their timings compare like with like."""

import os
import sys

import numpy as np
import tensorflow as tf

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "benchmarks"))
import fusion_candidates  # noqa: E402


def test_upsampling_by_slices_is_bilinear_resize_forward_and_backward():
    x = tf.random.normal((2, 5, 7, 3), seed=0)
    np.testing.assert_allclose(fusion_candidates.upsample_slices(x),
                               fusion_candidates.upsample_resize(x), atol=1e-6)
    by_resize = fusion_candidates.gradient_step(fusion_candidates.upsample_resize)(x)
    by_slices = fusion_candidates.gradient_step(
        tf.function(fusion_candidates.upsample_slices, jit_compile=True))(x)
    np.testing.assert_allclose(by_slices[0], by_resize[0], rtol=1e-5, atol=1e-5)


def test_xla_tail_has_the_gradients_of_the_op_by_op_tail():
    inputs, plain, fusable = fusion_candidates.candidates(batch=2, size=4, channels=3)["tail"]
    ops = fusion_candidates.gradient_step(plain)(*inputs)
    xla = fusion_candidates.gradient_step(tf.function(fusable, jit_compile=True))(*inputs)
    assert len(ops) == 5
    for a, b in zip(ops, xla):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-5)
