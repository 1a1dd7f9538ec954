"""benchmarks/step_profile.py sorts a profile's ops by kind and by network layer."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "benchmarks"))
import step_profile  # noqa: E402


def test_op_kind_tells_the_three_convolution_passes_apart():
    assert step_profile.op_kind("_MklNativeFusedConv2D") == "convolution, forward"
    assert step_profile.op_kind("Conv2D") == "convolution, forward"
    assert step_profile.op_kind("_MklNativeConv2DBackpropInput") == \
        "convolution, backward to inputs"
    assert step_profile.op_kind("Conv2DBackpropFilter") == "convolution, backward to weights"
    assert step_profile.op_kind("_MklMatMul") == "matrix product"
    assert step_profile.op_kind("LeakyReluGrad") == "LeakyReluGrad"


def test_op_layer_reads_network_and_layer_from_the_name_scope():
    layer = step_profile.op_layer
    assert layer("StatefulPartitionedCall/gradient_tape/discriminator_3/b64_conv0_1/"
                 "convolution/Conv2DBackpropFilter") == ("discriminator", "b64_conv0")
    assert layer("StatefulPartitionedCall/synthesis_1/b16_noise1_1/add") == \
        ("generator", "b16_noise1")
    assert layer("StatefulPartitionedCall/mapping_2/dense_0_1/MatMul") == \
        ("generator", "dense_0")
    assert layer("StatefulPartitionedCall/gradient_tape/generator_32x32_2/b16_conv0_1/"
                 "convolution/Conv2DBackpropInput") == ("generator", "b16_conv0")
    assert layer("StatefulPartitionedCall/adam/Sqrt_29") == ("other", "")


def test_shares_sum_to_one_and_come_largest_first():
    times = [("Mul", "a/discriminator_1/x/mul", 1.0), ("Conv2D", "a/synthesis_1/y/c", 3.0),
             ("Mul", "a/synthesis_1/y/mul", 1.0)]
    by_kind = step_profile.shares(times, lambda t, n: step_profile.op_kind(t))
    assert by_kind == [("convolution, forward", 0.6), ("Mul", 0.4)]
    by_network = dict(step_profile.shares(times, lambda t, n: step_profile.op_layer(n)[0]))
    assert by_network == {"generator": 0.8, "discriminator": 0.2}
