"""Public data sets by name, the way a user gets them: the recipes say ``mnist``, not a
path on the machine a preset was trained on.

``kg.data.load(name)`` reads a local copy when ``$KERAS_GANS_DATA`` names a folder that
holds one (``mnist.npz``, ``fashion_mnist.npz`` in the ``keras.datasets`` layout), else the
TensorFlow Datasets data set, which tfds downloads once, checks against its recorded
checksum and caches (``~/tensorflow_datasets``). A path given instead of the name
(``--dataset PATH``, ``data.name: PATH``) always wins.

Models that read image folders (SRGAN's patches, CycleGAN's two domains) get them from
``export_folder``, which writes a tfds data set's images into one folder per class::

    python -m keras_gans.data.public flowers runs/data/flowers

``flowers`` is tfds's ``tf_flowers``: the 3,670 photos of download.tensorflow.org's
``flower_photos.tgz`` (sha256 4c54ace7...5d9c, checked by tfds), in the classes daisy,
dandelion, roses, sunflowers and tulips.
"""

import os

# name: (tfds name, local file name in $KERAS_GANS_DATA or None)
PUBLIC = {
    "mnist": ("mnist", "mnist.npz"),
    "fashion_mnist": ("fashion_mnist", "fashion_mnist.npz"),
    "cifar10": ("cifar10", None),
    "flowers": ("tf_flowers", None),
}
DATA_ENV = "KERAS_GANS_DATA"


def local_copy(name):
    """The path of the local copy of the public data set ``name`` in ``$KERAS_GANS_DATA``,
    or None when the variable is unset or the folder holds none."""
    folder = os.environ.get(DATA_ENV)
    filename = PUBLIC.get(name, (None, None))[1]
    if not folder or filename is None:
        return None
    path = os.path.join(folder, filename)
    return path if os.path.isfile(path) else None


def resolve(name):
    """Where ``name`` will be read from: ``("file", path)`` for a local copy, else
    ``("tfds", tfds_name)``. Names that are not public data sets are returned unchanged as
    ``("tfds", name)`` for the tfds loader to judge."""
    path = local_copy(name)
    if path is not None:
        return "file", path
    return "tfds", PUBLIC.get(name, (name, None))[0]


def tfds_arrays(tfds_name, split="train"):
    """All images (uint8) and labels of a tfds split as numpy arrays (downloads once)."""
    import tensorflow_datasets as tfds

    data = tfds.as_numpy(tfds.load(tfds_name, split=split, batch_size=-1))
    return data["image"], data["label"]


def export_folder(name, destination, image_size=None, split="train", data_dir=None):
    """Write the images of the tfds data set of ``name`` (e.g. ``"flowers"``) as PNG files
    into ``destination/<class>/``, optionally resized to ``image_size`` (centre-cropped to a
    square first); returns the number of images written. Files already there are kept, so
    an interrupted export can be run again."""
    import tensorflow as tf
    import tensorflow_datasets as tfds

    tfds_name = PUBLIC.get(name, (name, None))[0]
    ds, info = tfds.load(tfds_name, split=split, data_dir=data_dir, with_info=True,
                         shuffle_files=False)
    names = info.features["label"].names if "label" in info.features else None
    count = 0
    for i, example in enumerate(tfds.as_numpy(ds)):
        label = names[int(example["label"])] if names else "images"
        folder = os.path.join(destination, label)
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, f"{i:05d}.png")
        if not os.path.exists(path):
            image = example["image"]
            if image_size:
                side = min(image.shape[:2])
                top, left = (image.shape[0] - side) // 2, (image.shape[1] - side) // 2
                image = tf.image.resize(image[top:top + side, left:left + side],
                                        (image_size, image_size), antialias=True)
                image = tf.cast(tf.clip_by_value(tf.round(image), 0, 255), tf.uint8)
            tf.io.write_file(path, tf.io.encode_png(image))
        count += 1
    return count


def main(argv=None):
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m keras_gans.data.public",
        description="Download a public data set with TensorFlow Datasets and write its images "
                    "into one folder per class.")
    parser.add_argument("name", choices=sorted(PUBLIC))
    parser.add_argument("destination")
    parser.add_argument("--image-size", type=int, default=128,
                        help="centre-crop to a square and resize to this size; 0 keeps the "
                             "original sizes (default 128)")
    args = parser.parse_args(argv)
    count = export_folder(args.name, args.destination, image_size=args.image_size or None)
    print(f"Wrote {count} images of {args.name} into {args.destination}/<class>/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
