"""Domain evaluators: small classifiers trained by this project on MNIST, Fashion-MNIST and
CIFAR-10, used as feature extractors for FID/KID/precision-recall in their own domain and
for class-coverage and stacked-MNIST mode counts; and ``anime``, trained on the unlabelled
anime faces to tell real faces from degraded ones (``keras_gans.metrics.degradations``), whose
features serve the same metrics for faces.

Input convention: float images in [-1, 1]; 28x28x1 for MNIST and Fashion-MNIST, 32x32x3
for CIFAR-10 and the anime faces. Every evaluator is a functional ``keras.Model`` built
from stock layers whose penultimate layer is named ``"features"`` and whose last layer
(class logits, no softmax) is named ``"logits"``. Trained weights live in the zoo's
``evaluators/<name>/model.keras`` (``keras_gans/zoo/`` when installed, ``zoo/`` in a source
checkout: see ``keras_gans.presets.zoo_dir``); ``benchmarks/train_evaluators.py`` trains
them.
"""

import json
import os

import keras
import numpy as np

EVALUATORS = {
    "mnist": {"input_shape": (28, 28, 1), "num_classes": 10, "width": 24},
    "fashion_mnist": {"input_shape": (28, 28, 1), "num_classes": 10, "width": 32},
    "cifar10": {"input_shape": (32, 32, 3), "num_classes": 10, "width": (32, 64, 128)},
    # Its "classes" are the self-supervised task's: real and seven degradations.
    "anime": {"input_shape": (32, 32, 3), "num_classes": 8, "width": (32, 64, 128)},
}

ANIME_ARCHIVE = "anime-faces-64.tar.gz"
ANIME_TEST_SHARE = 10  # one file in ten (by a hash of its name) is held out

CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
                   "ship", "truck")


def _conv_bn(x, filters, name):
    x = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_conv")(x)
    x = keras.layers.BatchNormalization(name=f"{name}_bn")(x)
    return keras.layers.Activation("relu", name=f"{name}_relu")(x)


def build_small_cnn(input_shape=(28, 28, 1), num_classes=10, width=32, feature_dim=128,
                    dropout=0.3, name="small_cnn"):
    """Three conv stages (width, 2*width, 4*width) with batch norm and max pooling, global
    average pooling, a ``features`` dense layer and a ``logits`` layer."""
    inputs = keras.Input(input_shape, name="images")
    x = _conv_bn(inputs, width, "s1a")
    x = _conv_bn(x, width, "s1b")
    x = keras.layers.MaxPooling2D(name="s1_pool")(x)
    x = _conv_bn(x, 2 * width, "s2a")
    x = _conv_bn(x, 2 * width, "s2b")
    x = keras.layers.MaxPooling2D(name="s2_pool")(x)
    x = _conv_bn(x, 4 * width, "s3a")
    x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    x = keras.layers.Dropout(dropout, name="dropout_pool")(x)
    x = keras.layers.Dense(feature_dim, activation="relu", name="features")(x)
    x = keras.layers.Dropout(dropout, name="dropout_features")(x)
    outputs = keras.layers.Dense(num_classes, name="logits")(x)
    return keras.Model(inputs, outputs, name=name)


def build_resnet_cnn(input_shape=(32, 32, 3), num_classes=10, widths=(32, 64, 128),
                     name="resnet_cnn"):
    """A compact residual network in the style of the fast CIFAR-10 trainers: each stage is
    conv -> max pool -> BN-ReLU, then one residual block of two convs; the ``features``
    layer is the global max+average pooled output of the last stage."""
    inputs = keras.Input(input_shape, name="images")
    x = _conv_bn(inputs, widths[0], "stem")
    for i, w in enumerate(widths):
        x = keras.layers.Conv2D(w, 3, padding="same", use_bias=False, name=f"b{i}_conv")(x)
        x = keras.layers.MaxPooling2D(name=f"b{i}_pool")(x)
        x = keras.layers.BatchNormalization(name=f"b{i}_bn")(x)
        x = keras.layers.Activation("relu", name=f"b{i}_relu")(x)
        y = _conv_bn(x, w, f"b{i}_r1")
        y = _conv_bn(y, w, f"b{i}_r2")
        x = keras.layers.Add(name=f"b{i}_add")([x, y])
    x = keras.layers.GlobalMaxPooling2D(name="pool")(x)
    x = keras.layers.Activation("linear", name="features")(x)
    outputs = keras.layers.Dense(num_classes, name="logits")(x)
    return keras.Model(inputs, outputs, name=name)


def build_evaluator(name):
    """The untrained architecture of the evaluator ``name``."""
    spec = _spec(name)
    if name in ("cifar10", "anime"):
        return build_resnet_cnn(spec["input_shape"], spec["num_classes"], widths=spec["width"],
                                name=f"{name}_evaluator")
    return build_small_cnn(spec["input_shape"], spec["num_classes"], width=spec["width"],
                           name=f"{name}_evaluator")


def _spec(name):
    if name not in EVALUATORS:
        raise ValueError(f"Unknown evaluator '{name}'. Available: {', '.join(EVALUATORS)}.")
    return EVALUATORS[name]


def evaluator_dir(name):
    from keras_gans.presets import zoo_dir

    return os.path.join(zoo_dir(), "evaluators", name)


def load_evaluator(name_or_path):
    """Loads a trained domain evaluator: ``"mnist"``, ``"fashion_mnist"``, ``"cifar10"``,
    ``"anime"`` or the path of a folder holding ``model.keras`` (or of a ``.keras`` file)."""
    if name_or_path in EVALUATORS:
        folder = evaluator_dir(name_or_path)
        path = os.path.join(folder, "model.keras")
        if not os.path.exists(path):
            raise FileNotFoundError(
                f"The '{name_or_path}' evaluator has no weights at {path}. Train it with "
                f"`python benchmarks/train_evaluators.py {name_or_path}` from the repository "
                f"root, or pass the path of a saved classifier.")
    else:
        path = name_or_path
        if os.path.isdir(path):
            path = os.path.join(path, "model.keras")
        if not os.path.exists(path):
            raise FileNotFoundError(
                f"No evaluator '{name_or_path}'. Pass one of {', '.join(EVALUATORS)} or the "
                f"path of a .keras classifier (or a folder holding model.keras).")
    return keras.models.load_model(path, compile=False)


def evaluator_metadata(name):
    path = os.path.join(evaluator_dir(name), "metadata.json")
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        return json.load(f)


def default_data_dir():
    """``$KERAS_GANS_DATA``, or None when it is not set (then TensorFlow Datasets)."""
    return os.environ.get("KERAS_GANS_DATA") or None


def _extract_cifar10(data_dir, cache_dir):
    """Decodes the CIFAR-10 JPEG folders once into ``cache_dir/cifar10.npz``."""
    import tarfile

    import tensorflow as tf

    cache = os.path.join(cache_dir, "cifar10.npz")
    if os.path.exists(cache):
        return cache
    archive = os.path.join(data_dir, "cifar10-jpeg.tar.gz")
    if not os.path.exists(archive):
        raise FileNotFoundError(f"No CIFAR-10 archive at {archive}. Pass --data-dir (or set "
                                f"KERAS_GANS_DATA) to the folder holding cifar10-jpeg.tar.gz.")
    root = os.path.join(cache_dir, "cifar10-jpeg")
    if not os.path.isdir(os.path.join(root, "test")):
        os.makedirs(root, exist_ok=True)
        with tarfile.open(archive) as tar:
            tar.extractall(root, filter="data")
    arrays = {}
    for split in ("train", "test"):
        xs, ys = [], []
        for label, cls in enumerate(CIFAR10_CLASSES):
            folder = os.path.join(root, split, cls)
            for fname in sorted(os.listdir(folder)):
                with open(os.path.join(folder, fname), "rb") as f:
                    xs.append(tf.io.decode_jpeg(f.read(), channels=3).numpy())
                ys.append(label)
        arrays[f"x_{split}"] = np.stack(xs)
        arrays[f"y_{split}"] = np.asarray(ys, "uint8")
    np.savez(cache, **arrays)
    return cache


def anime_test_file(filename):
    """Whether an anime face belongs to the held-out split: decided by its file name alone,
    so the split does not depend on the order or the number of files read."""
    import zlib

    return zlib.crc32(os.path.basename(filename).encode()) % ANIME_TEST_SHARE == 0


def _extract_anime(data_dir, cache_dir):
    """Decodes the anime faces once, shrunk to 32x32 the way ``kg.data.load(...,
    image_size=32)`` shrinks them for the anime presets (bilinear, antialiased), into
    ``cache_dir/anime32-<key>.npz`` with the train/test split by file; the key names the
    archive (path, size, modification time), so another archive gets its own cache."""
    import tarfile
    import zlib

    import tensorflow as tf

    archive = os.path.abspath(os.path.join(data_dir, ANIME_ARCHIVE))
    if not os.path.exists(archive):
        raise FileNotFoundError(f"No anime faces archive at {archive}. Pass --data-dir (or set "
                                f"KERAS_GANS_DATA) to the folder holding {ANIME_ARCHIVE}.")
    stat = os.stat(archive)
    key = zlib.crc32(f"{archive}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    cache = os.path.join(cache_dir, f"anime32-{key:08x}.npz")
    if os.path.exists(cache):
        return cache
    jpegs = {}
    with tarfile.open(archive) as tar:  # in archive order: a gzip stream cannot seek back
        for member in tar:
            if member.isfile() and member.name.lower().endswith(".jpg"):
                jpegs[member.name] = tar.extractfile(member).read()
    splits = {"train": [], "test": []}
    for name in sorted(jpegs):
        image = tf.io.decode_jpeg(jpegs[name], channels=3)
        small = tf.image.resize(tf.cast(image, "float32"), (32, 32), method="bilinear",
                                antialias=True)
        small = tf.cast(tf.clip_by_value(tf.round(small), 0, 255), "uint8").numpy()
        splits["test" if anime_test_file(name) else "train"].append(small)
    if not splits["train"] or not splits["test"]:
        raise ValueError(f"{archive} holds {len(jpegs)} JPEG images: too few for a train and a "
                         f"held-out split (one file in {ANIME_TEST_SHARE}, by name).")
    tmp = cache + f".{os.getpid()}.npz"  # written whole, then renamed: no half-written cache
    np.savez(tmp, x_train=np.stack(splits["train"]), x_test=np.stack(splits["test"]))
    os.replace(tmp, cache)
    return cache


def load_reference_arrays(name, split="test", data_dir=None, cache_dir=None):
    """uint8 images (n, h, w, c) and int labels of a real data set from ``data_dir``.

    ``name``: ``"mnist"``, ``"fashion_mnist"``, ``"cifar10"`` or ``"anime"`` (unlabelled:
    its labels are all 0, the ``real`` class of its evaluator); ``split``: ``"train"`` or
    ``"test"`` (for the anime faces, one file in ten chosen by its name). With no
    ``data_dir`` (and no ``$KERAS_GANS_DATA``) they come from
    TensorFlow Datasets, which downloads and caches them on first use. A local CIFAR-10
    (``cifar10-jpeg.tar.gz``) or the anime faces (``anime-faces-64.tar.gz``, 32x32) are
    decoded once and cached in ``cache_dir`` (default: a
    ``keras_gans`` folder in the system temporary directory).
    """
    import tempfile

    if split not in ("train", "test"):
        raise ValueError(f"`split` must be 'train' or 'test'; received {split!r}.")
    data_dir = data_dir or default_data_dir()
    if data_dir is None and name in ("mnist", "fashion_mnist", "cifar10"):
        from keras_gans.data import public

        x, y = public.tfds_arrays(name, split)
        return x, y.astype("int32")
    if name in ("mnist", "fashion_mnist"):
        path = os.path.join(data_dir, f"{name}.npz")
        if not os.path.exists(path):
            raise FileNotFoundError(f"No {name} data at {path}. Pass --data-dir (or set "
                                    f"KERAS_GANS_DATA) to the folder holding {name}.npz.")
        with np.load(path) as d:
            return d[f"x_{split}"][..., None], d[f"y_{split}"].astype("int32")
    if name == "cifar10":
        cache_dir = cache_dir or os.path.join(tempfile.gettempdir(), "keras_gans")
        os.makedirs(cache_dir, exist_ok=True)
        with np.load(_extract_cifar10(data_dir, cache_dir)) as d:
            return d[f"x_{split}"], d[f"y_{split}"].astype("int32")
    if name == "anime":
        if data_dir is None:
            raise FileNotFoundError(f"The anime faces are not in TensorFlow Datasets. Pass "
                                    f"--data-dir (or set KERAS_GANS_DATA) to the folder "
                                    f"holding {ANIME_ARCHIVE}.")
        cache_dir = cache_dir or os.path.join(tempfile.gettempdir(), "keras_gans")
        os.makedirs(cache_dir, exist_ok=True)
        with np.load(_extract_anime(data_dir, cache_dir)) as d:
            x = d[f"x_{split}"]
        return x, np.zeros(len(x), "int32")
    raise ValueError(f"Unknown reference data set '{name}'. Available: mnist, fashion_mnist, "
                     f"cifar10, anime (from --data-dir) and digits (embedded).")


def to_unit_range(images_uint8):
    """uint8 images -> float32 in [-1, 1]."""
    return (np.asarray(images_uint8, "float32") / 127.5 - 1.0).astype("float32")
