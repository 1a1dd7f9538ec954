"""TensorFlow Datasets (``mnist``, ``fashion_mnist``, ``cifar10``, ``celeb_a``,
``cycle_gan/horse2zebra``, ...). tfds downloads and prepares a data set on first use, into
``data_dir`` (default ``~/tensorflow_datasets``)."""

import tensorflow as tf

from keras_gans.data import pipeline


def is_tfds_name(name):
    import tensorflow_datasets as tfds

    base = str(name).split("/")[0].split(":")[0]
    return base in tfds.list_builders()


def load_tfds(name, split="train", labels=False, image_size=None, crop=None, channels=None,
              data_dir=None, image_key="image", label_key="label"):
    """(data set of single examples, number of examples or None)."""
    import tensorflow_datasets as tfds

    read_config = tfds.ReadConfig(shuffle_seed=0, interleave_cycle_length=1)
    try:
        ds, info = tfds.load(name, split=split, data_dir=data_dir, shuffle_files=False,
                             with_info=True, read_config=read_config)
    except ValueError as e:
        if "split" in str(e).lower():
            raise ValueError(f"The tfds data set '{name}' has no split '{split}': {e}. Pass "
                             f"split= one of its splits (e.g. 'trainA' for cycle_gan).") from e
        raise
    features = info.features
    if image_key not in features:
        raise ValueError(f"The tfds data set '{name}' has no '{image_key}' feature (it has "
                         f"{sorted(features)}). Pass image_key= the name of its image feature.")
    if labels and label_key not in features:
        raise ValueError(f"labels=True, but the tfds data set '{name}' has no '{label_key}' "
                         f"feature (it has {sorted(features)}). Pass labels=False.")
    shape = features[image_key].shape
    if image_size is None and crop in (None, "center") and (shape[0] is None or shape[1] is None):
        raise ValueError(f"The images of '{name}' have different sizes ({shape}). Pass "
                         f"image_size= to resize them to one size.")
    transform = pipeline.image_transform(image_size, crop, channels)
    if labels:
        ds = ds.map(lambda ex: (transform(ex[image_key]), tf.cast(ex[label_key], tf.int32)),
                    num_parallel_calls=tf.data.AUTOTUNE)
    else:
        ds = ds.map(lambda ex: transform(ex[image_key]), num_parallel_calls=tf.data.AUTOTUNE)
    try:
        count = int(info.splits[split].num_examples)
    except Exception:  # split expressions like 'train[:10%]' in old tfds versions
        count = None
    return ds, count
