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


# The longest test files, longest first (seconds of one worker measured on the Intel Xeon VM,
# 2026-12-06, beside a training run: 367, 230, 187, 136, 120, 106, 86, 83, 78, 78, 78, 70), so
# that the short files fill the end of the run instead of one long file running alone while
# the other worker idles. xdist hands whole files out in the order given here only with
# --no-loadscope-reorder (setup.cfg): by default it sorts them by their number of tests,
# which put the six-test test_distribute.py halfway through and the two-test
# test_packaging.py last (one worker ran 88 s alone at the end).
LONGEST_FIRST = ("test_distribute.py", "test_notebooks.py", "test_presets.py", "test_readme.py",
                 "test_packaging.py", "test_stop_signal.py", "test_progan.py",
                 "test_anomaly_baselines_benchmark.py", "test_zoo_recipes.py",
                 "test_recipes.py", "test_eval.py", "test_srgan.py")


def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))   # stable otherwise
    if os.environ.get("KERAS_GANS_SLOW") == "1" or "slow" in (config.getoption("-m") or ""):
        return
    skip = pytest.mark.skip(reason="slow (re-measures a preset): run with `-m slow` or "
                                   "KERAS_GANS_SLOW=1")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
