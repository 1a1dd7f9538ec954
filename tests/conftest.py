import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _seed():
    keras.utils.set_random_seed(1234)
    yield


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "slow: re-measures trained presets on real data (minutes each); skipped "
                   "unless run with `-m slow` or KERAS_GANS_SLOW=1")


def pytest_collection_modifyitems(config, items):
    if os.environ.get("KERAS_GANS_SLOW") == "1" or "slow" in (config.getoption("-m") or ""):
        return
    skip = pytest.mark.skip(reason="slow (re-measures a preset): run with `-m slow` or "
                                   "KERAS_GANS_SLOW=1")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
