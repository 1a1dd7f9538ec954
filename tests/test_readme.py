"""README's "Train on your own images" works as written, on a folder the test writes."""

import os
import re

import numpy as np
import tensorflow as tf

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _section_code(title):
    text = open(os.path.join(ROOT, "README.md")).read()
    section = text.split(f"## {title}", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_train_on_your_own_images(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    for cls, shape in (("cats", (40, 36, 3)), ("dogs", (30, 30, 4))):
        os.makedirs(tmp_path / "my_images" / cls)
        for i in range(2):
            pixels = rng.integers(0, 256, shape, dtype=np.uint8)
            tf.io.write_file(str(tmp_path / "my_images" / cls / f"{i}.png"),
                             tf.io.encode_png(pixels))
    monkeypatch.chdir(tmp_path)
    code = _section_code("Train on your own images")
    exec(compile(code, "README.md", "exec"), {})
    assert (tmp_path / "runs/my_images/model.keras").exists()
    assert (tmp_path / "runs/my_images/grid.png").exists()
    assert len(os.listdir(tmp_path / "runs/my_images/samples")) == 20
    # Run again: the finished run is restored, not retrained.
    exec(compile(code, "README.md", "exec"), {})
