"""SRGAN x4: PSNR and SSIM against bicubic upsampling on scikit-image's sample photos.

Train a (small) generator on random 64x64 patches of the flowers photos (shrunk x4,
bicubic, antialiased, to 16x16 inputs), then enlarge x4 every test photo's shrunk copy and
compare with the original. ``--phase mse`` trains an SRResNet with the pixel MSE
(``kg.models.SRResNet``); ``--phase adversarial`` continues from the MSE model with SRGAN's
adversarial game (``SRGAN.from_srresnet``).

Protocol: each test photo is cropped to a multiple of 4, shrunk x4 exactly as the training
inputs are (``kg.data.super_resolution.downsample``), enlarged back by bicubic
interpolation (``tf.image.resize``) or by the generator; PSNR and SSIM are computed on the
luma channel (ITU-R BT.601, [16, 235] as in the SR literature), 4 border pixels cropped,
with ``skimage.metrics``. Grey photos are given to the model as three equal channels.

Needs scikit-image (benchmark only, not a dependency): pip install scikit-image.

Usage (CPU):
    tar -xzf /work/shared/data/flowers-128.tar.gz -C runs/flowers
    nice -n 10 env TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1 \
        python benchmarks/srgan_x4.py --phase mse --data runs/flowers --out runs/srgan_x4
    ... --phase adversarial --content-loss pixel   (VGG19's weights need a download)

Score models trained elsewhere (the srgan-x4 recipe's two phases, or a preset) instead:
    python benchmarks/srgan_x4.py --out runs/srgan-x4/eval --evaluate \
        srgan=runs/srgan-x4/model.keras srresnet=runs/srgan-x4/pretrain/model.keras
writes OUT/evaluate.json and OUT/preset_metrics.json (for tools/make_preset.py --metrics).
"""

import argparse
import glob
import json
import os
import time

import keras
import numpy as np
import tensorflow as tf

import keras_gans as kg
from keras_gans.data.super_resolution import downsample

PHOTOS = ("astronaut", "camera", "coffee", "chelsea", "rocket", "immunohistochemistry",
          "moon", "coins", "clock", "page", "text", "brick", "grass", "gravel")


def test_photos():
    import skimage.data

    photos = {}
    for name in PHOTOS:
        image = getattr(skimage.data, name)()
        if image.ndim == 2:
            image = np.repeat(image[..., None], 3, axis=-1)
        h, w = image.shape[0] // 4 * 4, image.shape[1] // 4 * 4
        photos[name] = image[:h, :w, :3].astype("float32") / 127.5 - 1
    return photos


def luma(image):
    """[-1, 1] RGB -> Y in [16, 235] (BT.601), as float64."""
    rgb = (np.clip(image, -1, 1) + 1) * 127.5
    return 16.0 + (65.481 * rgb[..., 0] + 128.553 * rgb[..., 1] + 24.966 * rgb[..., 2]) / 255.0


def scores(reference, estimate, border=4):
    from skimage.metrics import peak_signal_noise_ratio, structural_similarity

    a = luma(reference)[border:-border, border:-border]
    b = luma(estimate)[border:-border, border:-border]
    return (float(peak_signal_noise_ratio(a, b, data_range=255.0)),
            float(structural_similarity(a, b, data_range=255.0)))


def evaluate(models):
    """{photo: {"bicubic": [psnr, ssim], label: [psnr, ssim], ...}} and the means over the
    photos, for ``models`` given as {label: SRGAN}."""
    rows = {}
    for name, hr in test_photos().items():
        lr = downsample(hr[None], 4)
        bicubic = tf.image.resize(lr, hr.shape[:2], method="bicubic").numpy()[0]
        row = {"bicubic": scores(hr, bicubic)}
        for label, model in models.items():
            row[label] = scores(hr, model.upscale(lr.numpy(), batch_size=1)[0])
        rows[name] = row
    means = {k: [float(np.mean([r[k][i] for r in rows.values()])) for i in (0, 1)]
             for k in rows[PHOTOS[0]]}
    return rows, means


PROTOCOL = ("x4: each of scikit-image's {n} sample photos ({photos}) cropped to a multiple of "
            "4, shrunk x4 (bicubic, antialiased: kg.data.super_resolution.downsample) and "
            "enlarged back; PSNR and SSIM (skimage.metrics) on the luma channel (BT.601, "
            "[16, 235]) with 4 border pixels cropped, means over the photos; grey photos given "
            "as three equal channels; benchmarks/srgan_x4.py --evaluate")


# Crops (photo, top, left) of the comparison picture: a face, fur and text.
PICTURE_CROPS = (("astronaut", 40, 160), ("chelsea", 60, 150), ("page", 20, 20))
PICTURE_SIDE = 128


def save_comparison(models, path):
    """One row per crop of PICTURE_CROPS: the x4-shrunk input (pixels repeated), bicubic,
    each model, and the original."""
    photos, tiles = test_photos(), []
    for name, top, left in PICTURE_CROPS:
        hr = photos[name][top:top + PICTURE_SIDE, left:left + PICTURE_SIDE]
        lr = downsample(hr[None], 4)
        row = [np.repeat(np.repeat(lr.numpy()[0], 4, axis=0), 4, axis=1),
               tf.image.resize(lr, hr.shape[:2], method="bicubic").numpy()[0]]
        row += [np.clip(m.upscale(lr.numpy(), batch_size=1)[0], -1, 1) for m in models.values()]
        tiles += row + [hr]
    kg.utils.save_grid(np.stack(tiles), path, ncols=len(models) + 3)
    return path


def evaluate_saved(args):
    """Score saved models (``LABEL=PATH``: a .keras file or a preset name) beside bicubic;
    write OUT/evaluate.json and OUT/preset_metrics.json (every model's means, in the form
    that tools/make_preset.py --metrics takes)."""
    models = {}
    for item in args.evaluate:
        label, _, path = item.partition("=")
        if not path:
            raise SystemExit(f"--evaluate takes LABEL=MODEL (a .keras file or a preset name); "
                             f"received {item!r}.")
        models[label] = kg.load(path)
    start = time.time()
    rows, means = evaluate(models)
    result = {"mean_psnr_ssim": means, "per_photo": rows, "models": dict(
        item.partition("=")[::2] for item in args.evaluate),
        "seconds": round(time.time() - start, 1)}
    print(json.dumps(means, indent=2), flush=True)
    with open(os.path.join(args.out, "evaluate.json"), "w") as f:
        json.dump(result, f, indent=2)
    metrics = {"psnr_ssim_x4": {
        **{f"{label}_{kind}": round(means[label][i], 4 if i else 2)
           for label in means for i, kind in enumerate(("psnr_db", "ssim"))},
        "protocol": PROTOCOL.format(n=len(PHOTOS), photos=", ".join(PHOTOS))}}
    with open(os.path.join(args.out, "preset_metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2)
    if args.picture:
        save_comparison(models, args.picture)
        print(f"Picture: {args.picture} (columns: input, bicubic, "
              f"{', '.join(models)}, original)", flush=True)


from simgan_digits import TimeLimit  # noqa: E402  (same folder)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--phase", choices=("mse", "adversarial", "bicubic"), default="mse")
    parser.add_argument("--data", default="runs/flowers")
    parser.add_argument("--out", default="runs/srgan_x4")
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--hr-size", type=int, default=64)
    parser.add_argument("--filters", type=int, default=32)
    parser.add_argument("--blocks", type=int, default=8)
    parser.add_argument("--content-loss", choices=("vgg", "pixel"), default="vgg")
    parser.add_argument("--max-minutes", type=float, default=12.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--evaluate", nargs="+", metavar="LABEL=MODEL",
                        help="score saved models instead of training, e.g. "
                             "srresnet=runs/srgan-x4/pretrain/model.keras srgan=srgan-x4")
    parser.add_argument("--picture", help="with --evaluate: write a PNG comparing crops of "
                                          "three photos (input, bicubic, each model, original)")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    if args.evaluate:
        return evaluate_saved(args)
    keras.utils.set_random_seed(args.seed)
    start = time.time()

    model = None
    if args.phase != "bicubic":
        paths = sorted(glob.glob(os.path.join(args.data, "**", "*.jpg"), recursive=True))
        images = [np.asarray(keras.utils.load_img(p)) for p in paths]
        pairs = kg.data.super_resolution_pairs(images, hr_size=args.hr_size, scale=4,
                                               batch_size=args.batch_size, seed=args.seed)
        if args.phase == "mse":
            model = kg.models.SRResNet(data_shape=(args.hr_size, args.hr_size, 3),
                                       filters=args.filters, num_blocks=args.blocks)
            model.compile()
            limit = TimeLimit(args.max_minutes)
            model.fit(pairs, epochs=1, steps_per_epoch=args.steps, verbose=0,
                      callbacks=[limit])
        else:
            mse = keras.models.load_model(os.path.join(args.out, "mse.keras"))
            if isinstance(mse, kg.models.SRResNet):
                model = kg.models.SRGAN.from_srresnet(mse, content_loss=args.content_loss)
            else:  # an mse.keras written when the MSE phase was SRGAN.pretrain (an SRGAN)
                model = kg.models.SRGAN(data_shape=(args.hr_size, args.hr_size, 3),
                                        filters=args.filters, num_blocks=args.blocks,
                                        content_loss=args.content_loss)
                model.generator.set_weights(mse.generator.get_weights())
            model.compile()
            limit = TimeLimit(args.max_minutes)
            model.fit(pairs, epochs=1, steps_per_epoch=args.steps, verbose=0, callbacks=[limit])
        model.save(os.path.join(args.out, f"{args.phase}.keras"))
    train_s = time.time() - start
    rows, means = evaluate({"model": model} if model is not None else {})
    result = {"phase": args.phase, "mean_psnr_ssim": means, "per_photo": rows,
              "steps_done": limit.steps if model is not None else 0,
              "train_seconds": round(train_s, 1),
              "total_seconds": round(time.time() - start, 1), "config": vars(args)}
    print(json.dumps({k: result[k] for k in ("phase", "mean_psnr_ssim", "train_seconds",
                                             "total_seconds")}, indent=2), flush=True)
    with open(os.path.join(args.out, f"{args.phase}.json"), "w") as f:
        json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
