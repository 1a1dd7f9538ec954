"""README.md's Python blocks run as written.

The block of "Train on your own images" runs on a folder the test writes, fully; every
other block runs in order (they build on one another), with training capped at two steps.
"""

import os
import re

import keras
import numpy as np
import pytest
import tensorflow as tf

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OWN_IMAGES = "Train on your own images"


def _sections():
    with open(os.path.join(ROOT, "README.md")) as f:
        text = f.read()
    for section in text.split("\n## ")[1:]:
        title, _, body = section.partition("\n")
        yield title.strip(), re.findall(r"```python\n(.*?)```", body, flags=re.S)


def _section_code(title):
    blocks = dict(_sections())[title]
    assert len(blocks) == 1
    return blocks[0]


@pytest.fixture
def short_fit(monkeypatch):
    original = keras.Model.fit

    def fit(self, *args, **kwargs):
        kwargs["steps_per_epoch"] = 2
        kwargs["epochs"] = 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(keras.Model, "fit", fit)


def test_readme_python_blocks_run(tmp_path, monkeypatch, short_fit):
    blocks = [b for title, bs in _sections() if title != OWN_IMAGES for b in bs]
    assert len(blocks) >= 3
    monkeypatch.chdir(tmp_path)
    namespace = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)
    assert (tmp_path / "runs" / "wgan-gp" / "grid.png").exists()


def test_train_on_your_own_images(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    for cls, shape in (("cats", (40, 36, 3)), ("dogs", (30, 30, 4))):
        os.makedirs(tmp_path / "my_images" / cls)
        for i in range(2):
            pixels = rng.integers(0, 256, shape, dtype=np.uint8)
            tf.io.write_file(str(tmp_path / "my_images" / cls / f"{i}.png"),
                             tf.io.encode_png(pixels))
    monkeypatch.chdir(tmp_path)
    code = _section_code(OWN_IMAGES)
    exec(compile(code, "README.md", "exec"), {})
    assert (tmp_path / "runs/my_images/model.keras").exists()
    assert (tmp_path / "runs/my_images/grid.png").exists()
    assert len(os.listdir(tmp_path / "runs/my_images/samples")) == 20
    # Run again: the finished run is restored, not retrained.
    exec(compile(code, "README.md", "exec"), {})
