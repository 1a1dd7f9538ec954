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


# The longest test files, started first: the two xdist workers take whole files in
# collection order, and one of these left for last would run alone while the other idles.
LONGEST_FIRST = ("test_distribute.py", "test_readme.py", "test_notebooks.py",
                 "test_packaging.py", "test_init_from.py")


def pytest_collection_modifyitems(config, items):
    items.sort(key=lambda item: item.path.name not in LONGEST_FIRST)   # stable otherwise
    if os.environ.get("KERAS_GANS_SLOW") == "1" or "slow" in (config.getoption("-m") or ""):
        return
    skip = pytest.mark.skip(reason="slow (re-measures a preset): run with `-m slow` or "
                                   "KERAS_GANS_SLOW=1")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
