"""Where the time of a training step goes: TensorFlow's profiler over a few steps, each op's
self time summed by kind (convolution forward, its two backward passes, matrix products,
everything else by op type) and by network and layer.

    TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1 python benchmarks/step_profile.py \
        --variant stylegan --image-shape 64 64 3 --batch-size 32 --latent-dim 256 \
        --model-args '{"style": "modulated", "mapping_layers": 2, "fmap_base": 2048, \
        "max_filters": 128}'

The model and its data are built as ``throughput.py`` builds them (same options). Shares are
of the busy time (the profiler's idle time left out). An op's self time is its duration, so
on a machine shared with other jobs every op's time includes the moments it was descheduled:
the shares stay meaningful when that happens evenly, the seconds do not; ``throughput.py
--clock cpu`` measures the step's CPU time. Run it single-threaded to see the work itself
rather than how well each op divides among threads.

Reads the trace with ``tensorflow.python.profiler.internal._pywrap_profiler_plugin`` (the
converter TensorBoard's profile plugin uses), a private TensorFlow module: checked with
TensorFlow 2.21.
"""

import argparse
import collections
import glob
import json
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import throughput  # noqa: E402

NETWORKS = {"synthesis": "generator", "mapping": "generator", "generator": "generator",
            "discriminator": "discriminator"}


def op_kind(op_type):
    """The kind an op's time is counted under: the three passes of a convolution, matrix
    products, or the op type itself (element-wise passes, pooling, resizing, ...)."""
    if "Conv2DBackpropInput" in op_type:
        return "convolution, backward to inputs"
    if "Conv2DBackpropFilter" in op_type:
        return "convolution, backward to weights"
    if "Conv2D" in op_type:
        return "convolution, forward"
    if "MatMul" in op_type:
        return "matrix product"
    return op_type


def op_layer(op_name):
    """``(network, layer)`` of an op from its name scope, e.g.
    ``.../gradient_tape/discriminator_1/b64_conv0_1/convolution/Conv2DBackpropFilter`` ->
    ``("discriminator", "b64_conv0")`` (also from ProGAN's stage networks,
    ``discriminator_32x32_4``); ``("other", "")`` outside the networks (the
    optimizers' updates, the losses)."""
    parts = op_name.split("/")
    for i, part in enumerate(parts[:-1]):
        # ProGAN's stage networks are named for their resolution: discriminator_32x32_4
        network = NETWORKS.get(re.sub(r"(_\d+x\d+)?(_\d+)?$", "", part))
        if network:
            return network, re.sub(r"_\d+$", "", parts[i + 1])
    return "other", ""


def op_times(log_dir):
    """``[(op type, op name, self time in us)]`` of every op of the profile in ``log_dir``."""
    from tensorflow.python.profiler.internal import _pywrap_profiler_plugin as plugin

    spaces = glob.glob(os.path.join(log_dir, "**", "*.xplane.pb"), recursive=True)
    data, ok = plugin.xspace_to_tools_data(spaces, "framework_op_stats", {})
    if not ok:
        raise RuntimeError(f"The profiler could not convert {spaces}.")
    table = json.loads(data)[0]
    columns = [c["id"] for c in table["cols"]]
    rows = [dict(zip(columns, [cell.get("v") if cell else None for cell in row["c"]]))
            for row in table["rows"]]
    return [(r["type"], r["operation"], r["total_self_time"]) for r in rows
            if r["type"] != "IDLE"]


def shares(times, key):
    """Busy-time share of each value of ``key(type, name)``, largest first."""
    totals = collections.Counter()
    for op_type, name, us in times:
        totals[key(op_type, name)] += us
    busy = sum(totals.values())
    return [(k, us / busy) for k, us in totals.most_common()]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variant", default="stylegan")
    throughput.add_model_arguments(parser)
    parser.add_argument("--jit", action="store_true", help="compile the step with XLA")
    parser.add_argument("--steps", type=int, default=2, help="steps profiled")
    parser.add_argument("--top", type=int, default=20, help="rows of the per-layer table")
    parser.add_argument("--log-dir", default=None,
                        help="where the trace goes (default: a temporary folder)")
    args = parser.parse_args(argv)

    import tensorflow as tf

    model, ds = throughput.compiled_model_and_data(
        args.variant, args.jit, args.batch_size, tuple(args.image_shape), args.latent_dim,
        tf.distribute.get_strategy(), args.num_classes, args.model_kwargs, args.growth_stage)
    model.fit(ds, epochs=1, steps_per_epoch=3, verbose=0)  # trace, compile, warm up
    log_dir = args.log_dir or tempfile.mkdtemp(prefix="step_profile_")
    tf.profiler.experimental.start(log_dir)
    model.fit(ds, epochs=1, steps_per_epoch=args.steps, verbose=0)
    tf.profiler.experimental.stop()
    times = op_times(log_dir)
    busy = sum(us for _, _, us in times) / 1e6
    print(f"# {args.variant} {tuple(args.image_shape)} batch {args.batch_size} "
          f"{args.model_kwargs}: {busy / args.steps:.2f} s busy per step (op durations), "
          f"trace in {log_dir}\n")
    print("| kind of op | share of busy time |\n|---|---|")
    for kind, share in shares(times, lambda t, n: op_kind(t)):
        if share >= 0.001:
            print(f"| {kind} | {share:.1%} |")
    print("\n| network | share of busy time |\n|---|---|")
    for network, share in shares(times, lambda t, n: op_layer(n)[0]):
        print(f"| {network} | {share:.1%} |")
    print("\n| network | layer | kind of op | share of busy time |\n|---|---|---|---|")
    for (network, layer, kind), share in shares(
            times, lambda t, n: (*op_layer(n), op_kind(t)))[:args.top]:
        print(f"| {network} | {layer} | {kind} | {share:.1%} |")


if __name__ == "__main__":
    main()
