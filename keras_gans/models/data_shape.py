"""``data_shape``: the one keyword by which every variant's constructor takes the shape of
one training example: ``(28, 28, 1)`` for MNIST, ``(2,)`` for a 2-D toy, ``(128, 128, 3)``
for CycleGAN's images of domain X, ``(96, 96, 3)`` for SRGAN's high-resolution patches.

The keywords of earlier versions (``image_shape``; ProGAN's and StyleGAN's ``resolution``
with ``channels``; SRGAN's ``hr_patch_size`` with ``channels``) still work, with a
DeprecationWarning that names the new spelling. Saved configs that hold them load without
one (``saved_config``): the user did not write them.
"""

import warnings


def merge(owner, data_shape, old_shape, old_keywords, stacklevel=3):
    """``data_shape``, or the shape that the deprecated ``old_keywords`` of ``owner`` gave
    (``old_shape``, None when they were not passed), with a DeprecationWarning."""
    if old_shape is None:
        return data_shape
    old_shape = tuple(int(d) for d in old_shape)
    spelled = " and ".join(f"`{k}`" for k in old_keywords)
    if data_shape is not None and tuple(int(d) for d in data_shape) != old_shape:
        raise ValueError(f"{owner}: `data_shape` {tuple(data_shape)} and {spelled} (the shape "
                         f"{old_shape}) disagree; pass only data_shape.")
    warnings.warn(f"{owner}: {spelled} {'is' if len(old_keywords) == 1 else 'are'} deprecated; "
                  f"pass data_shape={old_shape} instead.", DeprecationWarning, stacklevel=stacklevel)
    return old_shape


def merge_resolution(owner, data_shape, image_shape, resolution, channels):
    """ProGAN's and StyleGAN's deprecated ``resolution`` (with ``channels``, default 3) as
    ``data_shape``; ``data_shape`` itself when ``resolution`` was not passed."""
    if resolution is None:
        return data_shape
    if image_shape is not None:
        raise ValueError("Pass data_shape=(resolution, resolution, channels) alone, not "
                         "`resolution` and `image_shape`.")
    square = (int(resolution), int(resolution), 3 if channels is None else int(channels))
    return merge(owner, data_shape, square, ("resolution", "channels"), stacklevel=4)


def saved_config(config):
    """A saved model config with the shape keywords of earlier versions as ``data_shape``."""
    config = dict(config)
    if "image_shape" in config:
        shape = config.pop("image_shape")
        config.setdefault("data_shape", shape)
    if "hr_patch_size" in config:  # SRGAN: the high-resolution patch and its channels
        size = int(config.pop("hr_patch_size"))
        config.setdefault("data_shape", [size, size, int(config.pop("channels", 3))])
    return config
