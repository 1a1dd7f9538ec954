"""Image folders: ``root/*.png`` (no labels) or ``root/<class>/*.jpg`` (class sub-folders
become integer labels, in sorted order of the folder names)."""

import os

import numpy as np
import tensorflow as tf

from keras_gans.data import pipeline

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".bmp")


def list_images(root):
    """(paths, labels or None, class names) of an image folder, in a fixed sorted order."""
    entries = sorted(os.listdir(root))
    subdirs = [e for e in entries if os.path.isdir(os.path.join(root, e))]
    flat = [os.path.join(root, e) for e in entries if e.lower().endswith(IMAGE_EXTENSIONS)]
    if flat or not subdirs:
        if not flat:
            raise ValueError(f"The folder '{root}' holds no images ({', '.join(IMAGE_EXTENSIONS)}"
                             f") and no class sub-folders. Point load() at a folder of images.")
        return flat, None, []
    paths, labels, classes = [], [], []
    for name in subdirs:
        folder = os.path.join(root, name)
        files = [os.path.join(folder, f) for f in sorted(os.listdir(folder))
                 if f.lower().endswith(IMAGE_EXTENSIONS)]
        if not files:
            raise ValueError(f"The class folder '{folder}' holds no images. Remove it or add "
                             f"images: every sub-folder of '{root}' is one class.")
        labels += [len(classes)] * len(files)
        classes.append(name)
        paths += files
    return paths, np.asarray(labels, "int32"), classes


def decode(path, check_complete=False):
    """The image of a file as uint8. With ``check_complete`` a JPEG, PNG or GIF cut short
    fails with an error that names the file (TensorFlow's decoders do not), which
    ``unreadable_image_error`` turns into a clear message."""
    contents = tf.io.read_file(path)
    if check_complete:
        check = tf.debugging.Assert(_looks_complete(contents), [UNREADABLE_MARK, path],
                                    summarize=1)
        with tf.control_dependencies([check]):
            contents = tf.identity(contents)
    image = tf.io.decode_image(contents, expand_animations=False)
    return tf.image.convert_image_dtype(image, tf.uint8) if image.dtype != tf.uint8 else image


UNREADABLE_MARK = "keras_gans: unreadable image file"
# (first bytes, last bytes) of complete files of the formats that mark their end.
_ENDINGS = ((b"\xff\xd8", b"\xff\xd9"), (b"\x89PNG", b"IEND\xaeB`\x82"), (b"GIF8", b";"))


def _looks_complete(contents):
    length = tf.strings.length(contents)
    ok = length > 8
    for start, end in _ENDINGS:
        head = tf.strings.substr(contents, 0, len(start))
        tail = tf.strings.substr(contents, tf.maximum(length - len(end), 0), len(end))
        ok = tf.logical_and(ok, tf.logical_or(tf.not_equal(head, start), tf.equal(tail, end)))
    return ok


def unreadable_image_error(error):
    """A ``ValueError`` naming the file and the fix for a decoding failure met while
    iterating over images loaded with ``validate=False``, else ``None``."""
    message = getattr(error, "message", "") or str(error)
    if UNREADABLE_MARK in message:
        path = message.split(UNREADABLE_MARK, 1)[1].split("]", 2)[1].strip(" [b'\"")
        return ValueError(f"Cannot decode the image file '{path}': it is cut short. Remove or "
                          f"replace it (PNG, JPEG, GIF and BMP are supported).")
    if any(k in message for k in ("JPEG", "Unknown image file format", "PNG",
                                  "DecodeImage")):
        return ValueError("An image file failed to decode during training. Images loaded with "
                          "validate=False are not checked in advance: load them with "
                          "validate=True (the default), which names the file, then remove or "
                          "replace it.")
    return None


def to_rgba(image):
    """A uint8 image of 1-4 channels (known only at run time) as RGBA, for folders that mix
    grey, RGB and RGBA files."""
    opaque = tf.fill(tf.concat([tf.shape(image)[:2], [1]], 0), tf.constant(255, tf.uint8))
    branches = [
        lambda: tf.concat([tf.tile(image[..., :1], [1, 1, 3]), opaque], -1),
        lambda: tf.concat([tf.tile(image[..., :1], [1, 1, 3]), image[..., 1:2]], -1),
        lambda: tf.concat([image[..., :3], opaque], -1),
        lambda: image[..., :4],
    ]
    rgba = tf.switch_case(tf.shape(image)[-1] - 1, branches)
    return tf.ensure_shape(rgba, [None, None, 4])


def image_shapes(paths):
    """Decode every file once (in parallel) and return its shape; raise naming the first
    file that cannot be read or decoded."""
    ds = tf.data.Dataset.from_tensor_slices(paths)
    ds = ds.map(lambda p: (p, tf.shape(decode(p))), num_parallel_calls=tf.data.AUTOTUNE)
    ds = ds.ignore_errors()
    shapes = {p.decode(): tuple(int(d) for d in s) for p, s in ds.as_numpy_iterator()}
    for path in paths:
        if path not in shapes:
            detail = _why_unreadable(path)
            raise ValueError(f"Cannot decode the image file '{path}': {detail}. Remove or "
                             f"replace it (PNG, JPEG, GIF and BMP are supported).")
    return [shapes[p] for p in paths]


def _why_unreadable(path):
    try:
        decode(path)
    except tf.errors.OpError as e:
        return e.message.strip().splitlines()[0] if e.message else type(e).__name__
    return "it failed to decode"


def load_folder(root, labels=False, image_size=None, crop=None, channels=None, validate=True):
    """A data set of single examples (image or (image, label)) from an image folder."""
    paths, y, classes = list_images(root)
    if labels and y is None:
        raise ValueError(f"labels=True, but the images of '{root}' are not sorted into class "
                         f"sub-folders. Put each class in its own sub-folder "
                         f"('{root}/<class>/...'), or pass labels=False.")
    size = pipeline.image_size_tuple(image_size)
    if validate:
        shapes = image_shapes(paths)
        sizes = sorted({s[:2] for s in shapes})
        if size is None and crop in (None, "center") and len(sizes) > 1:
            by_size = {s[:2]: p for p, s in zip(paths, shapes)}
            examples = "; ".join(f"{h}x{w} ('{by_size[(h, w)]}')" for h, w in sizes[:3])
            raise ValueError(f"The images in '{root}' have different sizes ({examples}"
                             f"{', ...' if len(sizes) > 3 else ''}). Pass image_size= to resize "
                             f"them all to one size (and crop='center' to keep aspect ratio).")
        depths = sorted({s[2] for s in shapes})
        if channels is None and len({min(d, 3) if d != 2 else 1 for d in depths}) > 1:
            raise ValueError(f"The images in '{root}' mix grey and colour ({depths} channels). "
                             f"Pass channels=1 or channels=3.")
        depth = shapes[0][2] if len(depths) == 1 else "mixed"
    elif size is None or channels is None:
        raise ValueError("With validate=False the image sizes and channels are not known in "
                         "advance: pass image_size= and channels=.")
    else:
        depth = "mixed"
    transform = pipeline.image_transform(image_size, crop, channels)

    def load_one(path):
        image = decode(path, check_complete=not validate)
        if depth == "mixed":
            image = to_rgba(image)
        elif depth is not None:
            image = tf.ensure_shape(image, [None, None, depth])
        return transform(image)

    ds = tf.data.Dataset.from_tensor_slices(paths)
    if labels:
        ds = tf.data.Dataset.from_tensor_slices((paths, y))
        ds = ds.map(lambda p, c: (load_one(p), c), num_parallel_calls=tf.data.AUTOTUNE)
    else:
        ds = ds.map(load_one, num_parallel_calls=tf.data.AUTOTUNE)
    if size is None:
        height, width = shapes[0][:2]
        if crop not in (None, "center"):
            height, width = pipeline.image_size_tuple(crop)
        elif crop == "center":
            height = width = min(height, width)
        out_depth = channels or (1 if depth in (1, 2) else 3)  # mixed needs channels=
        fixed = lambda x: tf.ensure_shape(x, [height, width, out_depth])  # noqa: E731
        ds = pipeline.map_images(ds, fixed)
    return ds
