"""README.md's Python and shell blocks run as written.

The block of "Train on your own images" runs on a folder the test writes, fully; every
other Python block runs in order (they build on one another), with training capped at two
steps. The shell commands run in-process through the command line's ``main``, training
capped the same way, except those listed in NOT_RUN with the reason.
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


# Shell commands of README.md that a test cannot run, each with the reason. Every other
# command of a ```bash block after the introduction runs below, as written.
NOT_RUN = {
    "keras-gans train --recipe zoo/recipes/dcgan-mnist.yaml": "downloads MNIST (tfds)",
    "keras-gans zoo build": "writes a preset into zoo/",
    "keras-gans zoo index": "rewrites zoo/index.yaml",
    "keras-gans eval runs/dcgan/model.keras --metric fid,kid,pr --reference mnist":
        "downloads MNIST (tfds)",
}


def _shell_commands():
    with open(os.path.join(ROOT, "README.md")) as f:
        text = f.read()
    for section in text.split("\n## ")[1:]:
        for block in re.findall(r"```bash\n(.*?)```", section, flags=re.S):
            for line in block.replace("\\\n", " ").splitlines():
                line = line.split("  #")[0].strip()
                if line and not line.startswith("#"):
                    yield line


def test_readme_shell_blocks_run(tmp_path, monkeypatch, capsys):
    import shlex

    from keras_gans import cli, recipes

    # Training is cut to two steps: keras.Model.fit for `train VARIANT`, the recipe's
    # schedule (with a checkpoint every step, so that resuming is exercised) for recipes.
    original_fit, original_load = keras.Model.fit, recipes.load

    def short_fit(self, *args, **kwargs):
        if kwargs.get("initial_epoch", 0) == 0:
            kwargs.update(steps_per_epoch=2, epochs=1)
        return original_fit(self, *args, **kwargs)

    def short_recipe(path):
        recipe = original_load(path)
        recipe["schedule"].update(epochs=1, steps_per_epoch=2)
        recipe["callbacks"]["checkpoint"] = {**recipe["callbacks"].get("checkpoint", {}),
                                             "every": 1}
        return recipe

    monkeypatch.setattr(keras.Model, "fit", short_fit)
    monkeypatch.setattr(recipes, "load", short_recipe)
    os.symlink(os.path.join(ROOT, "zoo"), tmp_path / "zoo")
    monkeypatch.chdir(tmp_path)

    commands = list(_shell_commands())
    skipped = {prefix for prefix in NOT_RUN for c in commands if c.startswith(prefix)}
    assert skipped == set(NOT_RUN), f"not in README any more: {set(NOT_RUN) - skipped}"
    ran = []
    for command in commands:
        if any(command.startswith(p) for p in NOT_RUN):
            continue
        argv = shlex.split(command)
        if argv[0] == "keras-gans":
            assert cli.main(argv[1:]) in (0, None), f"README command failed: {command}"
        elif argv[:2] == ["python", "-c"]:
            exec(compile(argv[2], "README.md", "exec"), {})
        else:
            raise AssertionError(f"README runs {command!r}: run it here or add it to NOT_RUN")
        ran.append(command)
    assert len(ran) >= 9
    assert (tmp_path / "grid.png").exists()
    assert (tmp_path / "runs/dcgan-digits-ema/model.keras").exists()
    assert "(2, 28, 28, 1)" in capsys.readouterr().out   # the exported model's images
