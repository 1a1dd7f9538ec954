"""Every Python code block in README.md runs as written (training capped to two steps)."""

import os
import re

import keras
import pytest

README = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "README.md")


def _python_blocks():
    with open(README) as f:
        text = f.read()
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_readme_has_python_examples():
    assert len(_python_blocks()) >= 2


@pytest.fixture
def short_fit(monkeypatch):
    original = keras.Model.fit

    def fit(self, *args, **kwargs):
        kwargs["steps_per_epoch"] = 2
        kwargs["epochs"] = 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(keras.Model, "fit", fit)


def test_readme_python_blocks_run(tmp_path, monkeypatch, short_fit):
    monkeypatch.chdir(tmp_path)
    namespace = {}
    # The blocks build on one another, as a reader running them in order would.
    for block in _python_blocks():
        exec(compile(block, README, "exec"), namespace)
    assert (tmp_path / "runs" / "wgan-gp" / "grid.png").exists()
