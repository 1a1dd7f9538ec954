"""What a model does with its input, for the code that samples, pictures and tests models
of every kind (recipes, the zoo, ``keras-gans sample``).

Every model declares its task with the class attribute ``task`` (``keras_gans.models.
adversarial.AdversarialModel``): a noise-to-image GAN *generates* (``generate(n,
seed=...)``); an image-to-image model names its method that maps a batch of images to a
batch of images: ``"refine"`` (SimGAN), ``"translate"`` (CycleGAN, X to Y) or
``"upscale"`` (SRGAN), runs it with ``model.apply(images)``, and gives the shape of one
input image as ``input_image_shape``. The functions ``task_of``, ``is_image_to_image``,
``apply`` and ``input_shape`` below read that protocol.

Inputs for pictures are described by a *source*, the same as one side of a recipe's
``data: {unpaired: [...]}`` (see ``keras_gans.recipes``):

* ``{"synthetic_digits": {...}}``: ``kg.data.synthetic_digits`` with those arguments;
* a name or path that ``kg.data.load`` takes (``"mnist"``, ``"mnist.npz"``, an image
  folder, ``"cycle_gan/horse2zebra"``: its ``testA`` split).

``draw_inputs(source, n, seed)`` draws the same ``n`` images for the same seed every time.

An image-to-image preset whose inputs come from a data set a user may not have ships a few
of them in its folder (``examples.npz``, uint8 ``images``), so that ``keras-gans sample``
works without ``--inputs`` (``example_inputs``).
"""

import os

import numpy as np

EXAMPLES_NAME = "examples.npz"

GENERATE = "generate"
IMAGE_TASKS = ("refine", "translate", "upscale")


def task_of(model):
    """``"generate"`` for noise-to-image models, else the image-to-image method's name."""
    task = model.task
    if task != GENERATE and task not in IMAGE_TASKS:
        raise ValueError(f"{type(model).__name__}.task is {task!r}; expected one of "
                         f"{', '.join((GENERATE, *IMAGE_TASKS))}.")
    return task


def is_image_to_image(model):
    return task_of(model) != GENERATE


def apply(model, inputs):
    """Run an image-to-image model's task method on a batch of float images in [-1, 1]."""
    task_of(model)
    return model.apply(inputs)


def input_shape(model):
    """The shape of one input image of an image-to-image model (its training size)."""
    return tuple(int(d) for d in model.input_image_shape)


def source_name(source):
    """A source's name: ``"synthetic_digits"`` for ``{synthetic_digits: {...}}``, else the
    name or path itself (or a clear error)."""
    if isinstance(source, dict):
        if len(source) != 1 or "synthetic_digits" not in source:
            raise ValueError(f"An image source given as a mapping must be "
                             f"{{synthetic_digits: {{num: 6000, seed: 0}}}}; received "
                             f"{source!r}. Other sources are a data set name or a path.")
        return "synthetic_digits"
    if not isinstance(source, str):
        raise ValueError(f"An image source is a data set name or path (a string) or "
                         f"{{synthetic_digits: {{...}}}}; received {source!r}.")
    return source


def synthetic_digits_arguments(source):
    """``kg.data.synthetic_digits`` keyword arguments of a ``{synthetic_digits: {...}}``
    source (``num`` becomes ``n``), or a clear error."""
    import inspect

    from keras_gans import data

    options = dict(source["synthetic_digits"] or {})
    if "num" in options:
        options["n"] = options.pop("num")
    known = set(inspect.signature(data.synthetic_digits).parameters)
    unknown = sorted(set(options) - known)
    if unknown:
        raise ValueError(f"Unknown synthetic_digits argument(s) {', '.join(unknown)}; known: "
                         f"num, {', '.join(sorted(known - {'n'}))}.")
    return options


def draw_inputs(source, n, seed=0, image_shape=None):
    """``n`` input images from ``source`` (see the module docstring), float32 in [-1, 1],
    the same ones for the same ``seed``. ``image_shape`` resizes a name/path source's images
    to (height, width) and sets its channels."""
    from keras_gans import data

    name = source_name(source)
    if name == "synthetic_digits":
        options = synthetic_digits_arguments(source)
        options.update(n=int(n), seed=seed)
        images, _ = data.synthetic_digits(**options)
        return images
    options = {}
    if image_shape is not None:
        options = dict(image_size=tuple(image_shape[:2]), channels=int(image_shape[-1]))
    split = "testA" if name.startswith("cycle_gan/") else "test"
    try:
        ds = data.load(name, batch_size=int(n), split=split, shuffle=True, seed=seed, **options)
    except (KeyError, ValueError):  # no test split (an image folder, a train-only file)
        ds = data.load(name, batch_size=int(n), shuffle=True, seed=seed, **options)
    batch = next(iter(ds))
    batch = batch[0] if isinstance(batch, tuple) else batch
    return np.asarray(batch, "float32")


def example_inputs(folder, n=None, seed=0):
    """Up to ``n`` (default all) of the example inputs shipped in a preset ``folder``, float32
    in [-1, 1], in a seeded order; ``None`` when the folder ships none."""
    path = os.path.join(folder, EXAMPLES_NAME)
    if not os.path.isfile(path):
        return None
    with np.load(path) as stored:
        images = stored["images"]
    order = np.random.default_rng(seed).permutation(len(images))[:n]
    return (images[order].astype("float32") / 127.5 - 1.0).astype("float32")


def write_examples(images, folder):
    """Store float images in [-1, 1] as a preset's example inputs (uint8); returns the path."""
    images = np.asarray(images, "float32")
    pixels = np.clip(np.round((images + 1.0) * 127.5), 0, 255).astype("uint8")
    path = os.path.join(folder, EXAMPLES_NAME)
    np.savez_compressed(path, images=pixels)
    return path


def pairs_grid(inputs, outputs, pairs_per_row=8):
    """Images for ``utils.save_grid(..., ncols=2 * pairs_per_row)``: each input followed by
    its output. Smaller inputs (super-resolution) are enlarged by pixel repetition to the
    outputs' size, so each shows at its true pixels; grey inputs beside colour outputs (or
    the reverse) are repeated to three channels."""
    inputs, outputs = np.asarray(inputs, "float32"), np.asarray(outputs, "float32")
    if len(inputs) != len(outputs):
        raise ValueError(f"{len(inputs)} inputs but {len(outputs)} outputs.")
    fy, fx = outputs.shape[1] // inputs.shape[1], outputs.shape[2] // inputs.shape[2]
    if fy > 1 or fx > 1:
        inputs = inputs.repeat(fy, axis=1).repeat(fx, axis=2)
    height, width = max(inputs.shape[1], outputs.shape[1]), max(inputs.shape[2], outputs.shape[2])
    channels = max(inputs.shape[3], outputs.shape[3])

    def fit(images):
        if images.shape[3] != channels:
            images = np.repeat(images, channels, axis=3)
        out = np.full((len(images), height, width, channels), -1.0, "float32")
        out[:, :images.shape[1], :images.shape[2]] = images
        return out

    inputs, outputs = fit(inputs), fit(outputs)
    pairs = np.stack([inputs, outputs], axis=1)
    return pairs.reshape(-1, height, width, channels), 2 * min(int(pairs_per_row), len(pairs))


def save_pairs(inputs, outputs, path, pairs_per_row=8):
    """Write a picture of ``inputs`` beside ``outputs`` (input, output, input, output, ...
    along each row); returns the path."""
    from keras_gans import utils

    images, ncols = pairs_grid(inputs, outputs, pairs_per_row)
    return utils.save_grid(images, path, ncols=ncols)
