"""Whether bfloat16 arithmetic is faster than float32 on this CPU: measured, not guessed.

``avx512_bf16`` in a CPU's flags does not make ``mixed_bfloat16`` pay. On the AMD EPYC
these presets were first trained on, oneDNN ran the preset configurations' steps 1.7x
faster in bfloat16; on an Intel Xeon (family 6, model 207) whose flags list
``avx512_bf16`` but no AMX, the same steps ran at 0.6-0.7x their float32 speed
(benchmarks/README.md, "bfloat16 depends on the CPU, not on its flags"). A run that asks
for ``precision: mixed_bfloat16`` on a CPU first times a 3x3 convolution of the preset
configurations' size in both precisions (0.27 s measured on the idle 2-core machine) and
warns when bfloat16 is the slower.
"""

import time


def convolution_rates(repeats=3, batch=8, size=32, channels=128):
    """GFLOP/s of one 3x3 ``SAME`` convolution (``batch`` x ``size`` x ``size`` x
    ``channels`` to ``channels``) in float32 and in bfloat16 on this process's threads:
    ``{"float32": rate, "bfloat16": rate}``, the best of ``repeats`` interleaved timings
    each, so that load from other processes falls on both alike."""
    import tensorflow as tf

    flops = 2 * batch * size * size * channels * channels * 9
    x = tf.random.stateless_normal((batch, size, size, channels), seed=(0, 0))
    w = tf.random.stateless_normal((3, 3, channels, channels), seed=(0, 1))
    inputs = {"float32": (x, w), "bfloat16": (tf.cast(x, tf.bfloat16), tf.cast(w, tf.bfloat16))}
    conv = tf.function(lambda x, w: tf.nn.conv2d(x, w, 1, "SAME"))
    best = {}
    for name, (a, b) in inputs.items():
        conv(a, b).numpy()                      # trace and warm up
        best[name] = float("inf")
    for _ in range(repeats):
        for name, (a, b) in inputs.items():
            start = time.perf_counter()
            conv(a, b).numpy()
            best[name] = min(best[name], time.perf_counter() - start)
    return {name: flops / seconds / 1e9 for name, seconds in best.items()}


def slower_bfloat16_warning(rates=None):
    """A warning (str) when bfloat16 convolutions run slower than float32 ones here, else
    None. Skipped (None) where TensorFlow sees a GPU: the check is about the CPU."""
    import tensorflow as tf

    if tf.config.list_physical_devices("GPU"):
        return None
    rates = rates or convolution_rates()
    if rates["bfloat16"] >= rates["float32"]:
        return None
    return (f"precision mixed_bfloat16 on this CPU: a 3x3 convolution runs at "
            f"{rates['bfloat16']:.0f} GFLOP/s in bfloat16 against {rates['float32']:.0f} in "
            f"float32, so this run is likely slower than in float32 (bfloat16 pays where "
            f"the CPU computes it natively: AMX, or avx512_bf16 on some CPUs only). Train or "
            f"resume with --set precision=float32; a resumed run records the change.")
