"""CPU time of the element-wise chains of StyleGAN2's 64x64 layers, as TensorFlow runs them
op by op and as one XLA cluster (``tf.function(jit_compile=True)`` called from an ordinary
traced step, the convolutions staying outside), forward and backward.

    TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1 python benchmarks/fusion_candidates.py

The chains, on a batch of 32 maps of 64x64 with 32 channels (the widest maps of
``fmap_base=2048, max_filters=128``):

* ``tail``: what follows a modulated convolution, ``leaky_relu(y * demod + bias + noise *
  strength)``: demodulation, bias, noise injection and activation;
* ``modulation``: the style's scaling of the input channels, ``x * style``;
* ``upsample``: bilinear 2x upsampling (``tf.image.resize``, half-pixel centres) against
  the same interpolation written as shifted slices, which XLA fuses into one pass.

Each candidate is timed as a step returning the gradients of ``sum(out**2)`` with respect to
all its inputs, in CPU seconds of this process (``time.process_time``), the two forms
interleaved ``--repeats`` times; the median is printed, with the largest difference between
the two forms' gradients (they compute the same function).
"""

import argparse
import statistics
import time

import tensorflow as tf


def tail(y, demod, bias, noise, strength):
    return tf.nn.leaky_relu(y * demod[:, None, None, :] + bias + noise * strength, 0.2)


def modulation(x, style):
    return x * style[:, None, None, :]


def upsample_resize(x):
    return tf.image.resize(x, [2 * x.shape[1], 2 * x.shape[2]], method="bilinear")


def _upsample_axis(x, axis):
    # Half-pixel bilinear 2x: out[2k] = 3/4 x[k] + 1/4 x[k-1], out[2k+1] = 3/4 x[k] +
    # 1/4 x[k+1], the edges repeated.
    n = x.shape[axis]
    first, last = tf.gather(x, [0], axis=axis), tf.gather(x, [n - 1], axis=axis)
    before = tf.concat([first, tf.gather(x, tf.range(n - 1), axis=axis)], axis)
    after = tf.concat([tf.gather(x, tf.range(1, n), axis=axis), last], axis)
    even, odd = 0.75 * x + 0.25 * before, 0.75 * x + 0.25 * after
    shape = tf.unstack(tf.shape(x))
    shape[axis] = 2 * n
    return tf.reshape(tf.stack([even, odd], axis + 1), shape)


def upsample_slices(x):
    return _upsample_axis(_upsample_axis(x, 1), 2)


def gradient_step(function):
    @tf.function
    def step(*inputs):
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            out = function(*inputs)
            loss = tf.reduce_sum(out * out)
        return tape.gradient(loss, inputs)
    return step


def candidates(batch=32, size=64, channels=32):
    normal, uniform = tf.random.normal, tf.random.uniform
    x = normal((batch, size, size, channels))
    small = normal((batch, size // 2, size // 2, channels))
    return {
        "tail": ((x, uniform((batch, channels)) + 0.5, normal((channels,)),
                  normal((batch, size, size, 1)), normal((channels,))), tail, tail),
        "modulation": ((x, uniform((batch, channels)) + 0.5), modulation, modulation),
        "upsample (32x32 -> 64x64)": ((small,), upsample_resize, upsample_slices),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--iterations", type=int, default=10, help="steps per timing")
    args = parser.parse_args(argv)
    print("| chain | op by op (ms CPU) | one XLA cluster (ms CPU) | max gradient difference |")
    print("|---|---|---|---|")
    for name, (inputs, plain, fusable) in candidates().items():
        steps = {"op by op": gradient_step(plain),
                 "XLA": gradient_step(tf.function(fusable, jit_compile=True))}
        grads = {k: step(*inputs) for k, step in steps.items()}
        diff = max(float(tf.reduce_max(tf.abs(a - b)) / tf.reduce_max(tf.abs(a)))
                   for a, b in zip(grads["op by op"], grads["XLA"]))
        times = {k: [] for k in steps}
        for _ in range(args.repeats):
            for k, step in steps.items():
                start = time.process_time()
                for _ in range(args.iterations):
                    out = step(*inputs)
                out[0].numpy()
                times[k].append((time.process_time() - start) / args.iterations * 1e3)
        print(f"| {name} | {statistics.median(times['op by op']):.1f} | "
              f"{statistics.median(times['XLA']):.1f} | {diff:.1e} (relative) |", flush=True)


if __name__ == "__main__":
    main()
