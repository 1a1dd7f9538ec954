"""Synthetic digits rendered from the machine's TrueType fonts, with their labels.

The source domain of SimGAN's worked example: clean, typeset digits 0-9 (each from a random
font, size, stroke width, rotation and shift) that a refiner learns to make look like
handwritten MNIST digits while keeping their labels. Rendering needs Pillow
(``pip install pillow``).
"""

import glob
import os

import numpy as np

from keras_gans.counts import positive_count

FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "/Library/Fonts",
             "/System/Library/Fonts", os.path.expanduser("~/.fonts"),
             os.path.join(os.environ.get("WINDIR", "C:\\Windows"), "Fonts"))
# Symbol fonts by name; TeX's symbol (cmsy) and extension (cmex) fonts map 0-9 to other
# glyphs (primes, arrows, delimiters) that no rendering check can tell from digits.
_SKIP = ("symbol", "emoji", "wingding", "dingbat", "math", "icon", "cmsy", "cmex")


def _pil():
    try:
        from PIL import Image, ImageDraw, ImageFont
    except ImportError as e:
        raise ImportError("Rendering synthetic digits needs Pillow: pip install pillow.") from e
    return Image, ImageDraw, ImageFont


def draws_digits(path, size=48):
    """Whether the font at ``path`` draws 0-9 as ten different, non-empty glyphs. Fonts
    without digit glyphs draw nothing (STIX's size variants and private-use fonts) or one
    placeholder for every character (LastResort); as labelled digits they are label noise."""
    Image, ImageDraw, ImageFont = _pil()
    try:
        font = ImageFont.truetype(path, size)
    except OSError:
        return False
    glyphs = [np.asarray(_render(d, font, 2 * size, 0, Image, ImageDraw)) for d in range(10)]
    if any(g.max() == 0 for g in glyphs):
        return False
    return len({g.tobytes() for g in glyphs}) == 10


def find_fonts(dirs=FONT_DIRS):
    """Sorted paths of the TrueType/OpenType fonts under ``dirs``, plus matplotlib's bundled
    fonts when matplotlib is installed, that draw the ten digits (``draws_digits``; symbol
    fonts left out by name)."""
    paths = []
    for root in dirs:
        for ext in ("ttf", "otf", "TTF", "OTF"):
            paths += glob.glob(os.path.join(root, "**", f"*.{ext}"), recursive=True)
    try:
        import matplotlib

        paths += glob.glob(os.path.join(os.path.dirname(matplotlib.__file__), "mpl-data",
                                        "fonts", "ttf", "*.ttf"))
    except ImportError:
        pass
    paths = [p for p in paths if not any(s in os.path.basename(p).lower() for s in _SKIP)]
    return [p for p in sorted(set(paths)) if draws_digits(p)]


def _render(digit, font, canvas, stroke, Image, ImageDraw):
    image = Image.new("L", (canvas, canvas), 0)
    draw = ImageDraw.Draw(image)
    text = str(digit)
    box = draw.textbbox((0, 0), text, font=font, stroke_width=stroke)
    x = (canvas - (box[2] - box[0])) / 2 - box[0]
    y = (canvas - (box[3] - box[1])) / 2 - box[1]
    draw.text((x, y), text, fill=255, font=font, stroke_width=stroke, stroke_fill=255)
    return image


def synthetic_digits(n, image_size=28, seed=None, fonts=None, max_rotation=15.0,
                     scale_range=(0.75, 1.05), max_shift=2, labels=None):
    """Render ``n`` digits; returns ``(images, labels)``.

    Args:
        n: how many digits.
        image_size: side of the square images (28, as MNIST).
        seed: the same seed gives the same images.
        fonts: font files to draw from (default: ``find_fonts()``; Pillow's built-in font
            when none is found).
        max_rotation: degrees; each digit is rotated uniformly in [-max, max].
        scale_range: the digit's height as a fraction of MNIST's 20-pixel box.
        max_shift: pixels; each digit is shifted uniformly in [-max, max] on both axes.
        labels: the digits to draw (default: uniform over 0-9).

    Returns:
        images: float32 (n, image_size, image_size, 1) in [-1, 1], white digit on black
        (-1), as MNIST is scaled by ``kg.data``; labels: int32 (n,).
    """
    Image, ImageDraw, ImageFont = _pil()
    n = positive_count(n)
    rng = np.random.default_rng(seed)
    if labels is None:
        labels = rng.integers(0, 10, n)
    labels = np.asarray(labels, "int32")
    if labels.shape != (n,) or labels.min() < 0 or labels.max() > 9:
        raise ValueError(f"`labels` must be {n} digits in 0-9.")
    fonts = find_fonts() if fonts is None else list(fonts)
    big = 4 * image_size  # render large, then shrink with antialiasing
    loaded = {}

    def font(path, size):
        key = (path, size)
        if key not in loaded:
            loaded[key] = (ImageFont.truetype(path, size) if path
                           else ImageFont.load_default(size))
        return loaded[key]

    out = np.zeros((n, image_size, image_size), "float32")
    box = 20.0 / 28.0 * image_size  # MNIST fits digits in a 20x20 box of a 28x28 image
    for i in range(n):
        path = fonts[rng.integers(len(fonts))] if fonts else None
        stroke = int(rng.integers(0, 3))
        glyph = _render(labels[i], font(path, int(big * 0.6)), big, stroke, Image, ImageDraw)
        glyph = glyph.rotate(rng.uniform(-max_rotation, max_rotation),
                             resample=Image.BILINEAR)
        bbox = glyph.getbbox() or (0, 0, big, big)
        glyph = glyph.crop(bbox)
        height = box * rng.uniform(*scale_range)
        ratio = height / max(glyph.height, 1)
        width = max(1, min(image_size, int(round(glyph.width * ratio))))
        glyph = glyph.resize((width, max(1, min(image_size, int(round(height))))),
                             Image.LANCZOS)
        canvas = Image.new("L", (image_size, image_size), 0)
        dx, dy = rng.integers(-max_shift, max_shift + 1, 2)
        left = int(np.clip((image_size - glyph.width) // 2 + dx, 0, image_size - glyph.width))
        top = int(np.clip((image_size - glyph.height) // 2 + dy, 0, image_size - glyph.height))
        canvas.paste(glyph, (left, top))
        out[i] = np.asarray(canvas, "float32")
    return (out / 127.5 - 1.0)[..., None], labels
